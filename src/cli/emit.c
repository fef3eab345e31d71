/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one output path (emit.h). Text is printed as the calls come; -m and
 * JSON build one json-c tree, the same for both, and print it at the end,
 * so the facts of the two cannot differ.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

#define OUT_MAX_DEPTH 32

static struct {
	enum out_mode mode;
	FILE *f;
	const char *name;
	json_object *stack[OUT_MAX_DEPTH];
	size_t depth;
	bool failed;          /* out of memory or too deep: the answer is not whole */
} out;

static int mode_bit(void)
{
	return out.mode == OUT_MODE_TEXT ? OUT_TEXT : out.mode == OUT_MODE_MACHINE ? OUT_MACHINE : OUT_JSON;
}

bool out_wants(int when)
{
	return (when & mode_bit()) != 0;
}

enum out_mode out_mode(void)
{
	return out.mode;
}

void out_begin(enum out_mode mode, FILE *f, const char *name)
{
	out.mode = mode;
	out.f = f;
	out.name = name;
	out.depth = 0;
	out.failed = false;
	if (mode != OUT_MODE_TEXT) {
		out.stack[0] = json_object_new_object();
		out.depth = 1;
		out.failed = !out.stack[0];
	}
}

/* Every fmt takes exactly one %s (the value as text): one convention, so
 * that no call passes a number where the format reads a string. */
static void check_fmt(const char *fmt)
{
	size_t conv = 0;

	for (const char *p = fmt; p && (p = strchr(p, '%')); p += 2) {
		if (p[1] == '%')
			continue;
		assert(p[1] == 's');
		conv++;
	}
	assert(!fmt || conv <= 1);
	(void)conv;
}

static void add(const char *key, json_object *v)
{
	json_object *top;

	if (out.failed || !out.depth) {
		json_object_put(v);
		return;
	}
	top = out.stack[out.depth - 1];
	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else
		json_object_object_add(top, key ? key : "", v);
}

static void put(int when, const char *key, const char *fmt, const char *text, json_object *(*make)(const void *),
		const void *value)
{
	check_fmt(fmt);
	if (!out_wants(when))
		return;
	if (out.mode == OUT_MODE_TEXT) {
		if (fmt)
			fprintf(out.f, fmt, text);
		return;
	}
	add(key, make ? make(value) : NULL);
}

static json_object *make_str(const void *v)
{
	return json_object_new_string(v);
}

static json_object *make_uint(const void *v)
{
	return json_object_new_uint64(*(const unsigned long long *)v);
}

static json_object *make_int(const void *v)
{
	return json_object_new_int64(*(const long long *)v);
}

static json_object *make_bool(const void *v)
{
	return json_object_new_boolean(*(const bool *)v);
}

void out_str(int when, const char *key, const char *fmt, const char *value)
{
	if (!value) {
		out_null(when, key, fmt);
		return;
	}
	put(when, key, fmt, value, make_str, value);
}

void out_uint(int when, const char *key, const char *fmt, unsigned long long value)
{
	char text[24];

	snprintf(text, sizeof(text), "%llu", value);
	put(when, key, fmt, text, make_uint, &value);
}

void out_int(int when, const char *key, const char *fmt, long long value)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", value);
	put(when, key, fmt, text, make_int, &value);
}

void out_bool(int when, const char *key, const char *fmt, bool value)
{
	put(when, key, fmt, value ? "yes" : "no", make_bool, &value);
}

void out_hex(int when, const char *key, const char *fmt, unsigned value, int width)
{
	char text[16];

	snprintf(text, sizeof(text), "%0*x", width, value);
	put(when, key, fmt, text, make_str, text);
}

void out_null(int when, const char *key, const char *fmt)
{
	put(when, key, fmt, "", NULL, NULL);
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (out.mode != OUT_MODE_TEXT)
		return;
	va_start(ap, fmt);
	vfprintf(out.f, fmt, ap);
	va_end(ap);
}

void out_line(const char *fmt, ...)
{
	va_list ap;

	if (out.mode != OUT_MODE_MACHINE)
		return;
	va_start(ap, fmt);
	vfprintf(out.f, fmt, ap);
	va_end(ap);
}

static void open_container(int when, const char *key, json_object *c)
{
	if (!out_wants(when) || out.mode == OUT_MODE_TEXT) {
		json_object_put(c);
		return;
	}
	if (!c || out.depth >= OUT_MAX_DEPTH) {
		json_object_put(c);
		out.failed = true;
		return;
	}
	add(key, json_object_get(c));
	out.stack[out.depth++] = c;
	json_object_put(c);   /* the parent holds it now */
}

static void close_container(int when)
{
	if (!out_wants(when) || out.mode == OUT_MODE_TEXT || out.failed)
		return;
	assert(out.depth > 1);
	out.depth--;
}

void out_object_open(int when, const char *key)
{
	open_container(when, key, out_wants(when) && out.mode != OUT_MODE_TEXT ? json_object_new_object() : NULL);
}

void out_object_close(int when)
{
	close_container(when);
}

void out_array_open(int when, const char *key)
{
	open_container(when, key, out_wants(when) && out.mode != OUT_MODE_TEXT ? json_object_new_array() : NULL);
}

void out_array_close(int when)
{
	close_container(when);
}

static bool bare(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr("._:/+@-", ch);
}

char *out_machine_quote(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	bool plain = *s != '\0';

	for (const char *p = s; *p && plain; p++)
		plain = bare(*p);
	if (plain) {
		snprintf(buf, size, "%s", s);
		return buf;
	}
	buf[n++] = '"';
	for (const char *p = s; *p && n + 3 < size; p++) {
		if (*p == '"' || *p == '\\') {
			buf[n++] = '\\';
			buf[n++] = *p;
		} else if (*p == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *p;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

static void put_scalar(FILE *f, json_object *v)
{
	const char *s;
	char *buf;
	size_t size;

	switch (json_object_get_type(v)) {
	case json_type_null:
		fputc('-', f);
		return;
	case json_type_string:
		s = json_object_get_string(v);
		/* "-" is null's: a string that looks like it is quoted */
		if (!strcmp(s, "-")) {
			fputs("\"-\"", f);
			return;
		}
		size = 2 * strlen(s) + 3;
		buf = malloc(size);
		if (!buf) {
			out.failed = true;
			return;
		}
		fputs(out_machine_quote(s, buf, size), f);
		free(buf);
		return;
	default:
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), f);
	}
}

static bool is_scalar(json_object *v)
{
	return !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array);
}

static bool scalar_list(json_object *v)
{
	if (!json_object_is_type(v, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (!is_scalar(json_object_array_get_idx(v, i)))
			return false;
	return true;
}

static void machine_record(FILE *f, json_object *o, const char *path);

static void machine_child(FILE *f, json_object *v, const char *path, const char *key)
{
	size_t len = strlen(path) + strlen(key) + 2;
	char *sub = malloc(len);

	if (!sub) {
		out.failed = true;
		return;
	}
	snprintf(sub, len, "%s.%s", path, key);
	if (json_object_is_type(v, json_type_object)) {
		machine_record(f, v, sub);
	} else {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (json_object_is_type(e, json_type_object)) {
				machine_record(f, e, sub);
			} else {
				fputs(sub, f);
				fputc(' ', f);
				put_scalar(f, e);
				fputc('\n', f);
			}
		}
	}
	free(sub);
}

/* One line of the object's scalars and lists of scalars, then a line (or
 * more) per nested record, in the order of the keys. */
static void machine_record(FILE *f, json_object *o, const char *path)
{
	bool any = false;

	json_object_object_foreach(o, key, v) {
		if (!is_scalar(v) && !scalar_list(v))
			continue;
		fputs(any ? " " : path, f);
		if (!any)
			fputc(' ', f);
		any = true;
		fprintf(f, "%s=", key);
		if (is_scalar(v)) {
			put_scalar(f, v);
			continue;
		}
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			if (i)
				fputc(',', f);
			put_scalar(f, json_object_array_get_idx(v, i));
		}
	}
	if (any)
		fputc('\n', f);
	json_object_object_foreach(o, k2, v2)
		if (!is_scalar(v2) && !scalar_list(v2))
			machine_child(f, v2, path, k2);
}

static void (*json_sink)(struct json_object *root, long offset);

void out_json_sink(void (*sink)(struct json_object *root, long offset))
{
	json_sink = sink;
}

int out_end(int status)
{
	json_object *root = out.mode != OUT_MODE_TEXT ? out.stack[0] : NULL;
	int err;

	if (root && !out.failed) {
		if (out.mode == OUT_MODE_JSON && json_sink && out.f == stdout && fflush(out.f) == 0)
			json_sink(root, ftell(out.f));
		else if (out.mode == OUT_MODE_JSON)
			fprintf(out.f, "%s\n",
				json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
									    JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			machine_record(out.f, root, out.name);
	}
	json_object_put(root);
	out.depth = 0;
	err = fflush(out.f) || ferror(out.f) ? errno : 0;
	if (out.failed) {
		fprintf(stderr, "acsctl: the answer could not be built (out of memory)\n");
		return 2;
	}
	if (err || ferror(out.f)) {
		fprintf(stderr, "acsctl: writing the answer: %s\n", strerror(err ? err : EIO));
		return 2;
	}
	return status;
}
