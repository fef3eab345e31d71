/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One output path for every command, in the spirit of iproute2's
 * json_print: a command builds its answer first, then says each fact once
 * with out_*(WHEN, KEY, FMT, VALUE), and the same calls give
 *   text  FMT printed with VALUE, as the calls come (no FMT: nothing);
 *   -m    stable lines, one per record: "PATH key=value ...", where PATH
 *         is the keys from the top joined by '.' (the command's name at
 *         the top), and a record's nested records follow its own line;
 *   -j    the JSON document (doc/json.md, doc/schema/), written as the
 *         calls come, so a key is said once in its object (there is no
 *         taking back what was written; json-c's tree kept the last).
 * WHEN says in which of these the fact appears: OUT_ANY for facts, OUT_TEXT
 * for text's own words (headings), OUT_DATA for what text shows otherwise
 * (a table, a summary). Values are escaped for the format; text gets them
 * as they are.
 */
#ifndef ACSCTL_CLI_EMIT_H
#define ACSCTL_CLI_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum {
	OUT_TEXT = 1,
	OUT_MACHINE = 2,
	OUT_JSON = 4,
	OUT_DATA = OUT_MACHINE | OUT_JSON,
	OUT_ANY = OUT_TEXT | OUT_MACHINE | OUT_JSON,
};

enum out_mode { OUT_MODE_TEXT, OUT_MODE_MACHINE, OUT_MODE_JSON };

/* Starts an answer in mode on out (stdout for a command's answer). name:
 * the record path of the top level in -m (the command's name). */
void out_begin(enum out_mode mode, FILE *out, const char *name);
/* Ends it: the JSON document closed or the -m records printed, everything
 * flushed. Returns status, or 2 where the output could not be written
 * (a full disk, a closed pipe): an answer half written is not an answer.
 * An answer given up before out_end() (the next out_begin() comes first)
 * prints nothing, unless -j had written its first 64 KiB already. */
int out_end(int status);
/* multi.c's workers: each JSON answer to standard output is handed to
 * sink (which takes its own reference) instead of printed, with the
 * offset in standard output where it would have gone; NULL: printed. */
struct json_object;
void out_json_sink(void (*sink)(struct json_object *root, long offset));
enum out_mode out_mode(void);
/* Whether the mode is one of when's. */
bool out_wants(int when);

/* Objects and arrays: key names the member of the enclosing object; NULL
 * inside an array. Text prints nothing for them. */
void out_object_open(int when, const char *key);
void out_object_close(int when);
void out_array_open(int when, const char *key);
void out_array_close(int when);

void out_str(int when, const char *key, const char *fmt, const char *value);
void out_uint(int when, const char *key, const char *fmt, unsigned long long value);
void out_int(int when, const char *key, const char *fmt, long long value);
/* Text gets "yes" or "no" for %s. */
void out_bool(int when, const char *key, const char *fmt, bool value);
/* A register or ID: in JSON and -m a lowercase hex string of width digits
 * ("001d"), doc/json.md's convention; text gets the number for fmt. */
void out_hex(int when, const char *key, const char *fmt, unsigned value, int width);
/* JSON null, "-" in -m; text prints fmt as it is. */
void out_null(int when, const char *key, const char *fmt);
/* Text only, printf-like. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -m only: a line of a command's own fixed format (groups: the kernel
 * captures' "GROUP ADDRESS"), printed as it comes. */
void out_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -m's quoting of one value, for tests and callers that print a line of
 * their own: bare where it is [A-Za-z0-9._:/+@-] and not empty, else in
 * double quotes with \" \\ \n. buf: at least 2 * strlen(s) + 3 bytes. */
char *out_machine_quote(const char *s, char *buf, size_t size);

#endif
