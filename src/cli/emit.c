/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one output path (emit.h). Text is printed as the calls come. -j is
 * written as the calls come too, in json-c's pretty printing, byte for
 * byte: an answer of 860 MB (audit at 100,000 functions) took 7 GB as a
 * tree. -m and the multi-input workers' answers (out_json_sink()) build
 * one json-c tree and print it at the end: -m puts an object's scalars
 * before its nested records, whatever the order of the calls, and a
 * worker adds "source" and "exit" to the answer it is given.
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

/*
 * -j as it comes: the text is gathered in buf and written out a chunk at
 * a time, so that an answer cut short (a command that gives up before
 * out_end(), like apply when a write fails) prints nothing unless it is
 * larger than a chunk; out.depth counts the open containers.
 */
#define STREAM_CHUNK 65536
static struct {
	bool on;
	char buf[STREAM_CHUNK];
	size_t n;
	bool spilled;                     /* some of it is in out.f already */
	int err;                          /* errno of the write that failed */
	bool array[OUT_MAX_DEPTH];        /* each open container: an array, else an object */
	bool any[OUT_MAX_DEPTH];          /* it has a member so far (the comma) */
} js;

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

static void (*json_sink)(struct json_object *root, long offset);

/* A worker's answers go to its sink as trees (multi.c). Test builds can
 * ask for the tree's printing, the reference the stream is held to
 * (tests/formats/run.py compares the two on every command and input). */
static bool stream_wanted(FILE *f)
{
	if (json_sink && f == stdout)
		return false;
#ifdef ACSCTL_FAULT_INJECTION
	if (getenv("ACSCTL_FAULT_JSON_TREE"))
		return false;
#endif
	return true;
}

static void stream_flush(void)
{
	if (js.n && !js.err && fwrite(js.buf, 1, js.n, out.f) != js.n)
		js.err = errno ? errno : EIO;
	js.spilled = true;
	js.n = 0;
}

static void stream_put_long(const char *s, size_t len)
{
	while (len && !js.err) {
		size_t room = sizeof(js.buf) - js.n, n = len < room ? len : room;

		memcpy(js.buf + js.n, s, n);
		js.n += n;
		s += n;
		len -= n;
		if (js.n == sizeof(js.buf))
			stream_flush();
	}
}

/* Most pieces are a few bytes: copied where they fit (an 860 MB answer
 * is mostly these calls). */
static inline void stream_put(const char *s, size_t len)
{
	if (len < sizeof(js.buf) - js.n) {
		memcpy(js.buf + js.n, s, len);
		js.n += len;
	} else {
		stream_put_long(s, len);
	}
}

static void stream_puts(const char *s)
{
	stream_put(s, strlen(s));
}

/* Where the next need bytes go (need: at most a chunk), for pieces
 * written in place. */
static inline char *stream_room(size_t need)
{
	if (sizeof(js.buf) - js.n < need)
		stream_flush();
	return js.buf + js.n;
}

/* A line break and the indent of level (two spaces a level, as
 * JSON_C_TO_STRING_PRETTY without _TAB), after a comma where comma. The
 * spaces of the deepest level are copied (a fixed size: a few moves, no
 * call), and those past this level's written over next. */
static void stream_newline(size_t level, bool comma)
{
	static char spaces[2 * OUT_MAX_DEPTH];
	char *p = stream_room(2 + sizeof(spaces));

	if (!spaces[0])
		memset(spaces, ' ', sizeof(spaces));
	if (comma)
		*p++ = ',';
	*p++ = '\n';
	memcpy(p, spaces, sizeof(spaces));
	js.n = (size_t)(p + 2 * level - js.buf);
}

/* Bytes a string cannot hold as they are: below 0x20, " and \. */
static const unsigned char needs_escape[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

/* Whether none of the 8 bytes of w needs escaping: none below 0x20, none
 * a " or a \ (a byte below n, or zero after the xor: the borrow of
 * x - 0x0101...01 * n reaches a byte's high bit only from a byte below n). */
static bool plain8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones << 7;
	uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');

	return !((((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)) & highs);
}

/* s's len bytes to p where none needs escaping (then true), checked and
 * copied 8 bytes at a time: no call for the copy. */
static bool copy_plain(char *p, const char *s, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if (!plain8(w))
			return false;
		memcpy(p + i, &w, 8);
	}
	for (; i < len; i++) {
		if (needs_escape[(unsigned char)s[i]])
			return false;
		p[i] = s[i];
	}
	return true;
}

/*
 * A string as json-c writes it with JSON_C_TO_STRING_NOSLASHESCAPE: " and
 * \ escaped, \b \f \n \r \t by name, other bytes below 0x20 as \u00xx
 * (lowercase hex), everything else (UTF-8, DEL, '/') as it is. Most are
 * an address or a key with nothing to escape: checked and copied 8 bytes
 * at a time (where one needs escaping, written again from the start).
 */
static void stream_string(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(s);
	char *p, *end;
	unsigned char ch;

	if (len + 2 < sizeof(js.buf)) {
		p = stream_room(len + 2);
		*p = '"';
		if (copy_plain(p + 1, s, len)) {
			p[len + 1] = '"';
			js.n += len + 2;
			return;
		}
	}
	p = stream_room(8);
	end = js.buf + sizeof(js.buf) - 8;
	*p++ = '"';
	for (; (ch = (unsigned char)*s); s++) {
		if (p >= end) {
			js.n = (size_t)(p - js.buf);
			p = stream_room(sizeof(js.buf));
		}
		if (!needs_escape[ch]) {
			*p++ = (char)ch;
			continue;
		}
		*p++ = '\\';
		switch (ch) {
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		case '"': case '\\': *p++ = (char)ch; break;
		default:
			memcpy(p, "u00", 3);
			p[3] = hex[ch >> 4];
			p[4] = hex[ch & 0xf];
			p += 5;
		}
	}
	*p++ = '"';
	js.n = (size_t)(p - js.buf);
}

/* What comes before a member: the comma after the one before it, its
 * line and indent, and in an object its key (NULL: "", as json-c has it). */
static void stream_member(const char *key)
{
	size_t d = out.depth;

	stream_newline(d, js.any[d - 1]);
	js.any[d - 1] = true;
	if (!js.array[d - 1]) {
		stream_string(key ? key : "");
		stream_put(": ", 2);
	}
}

static void stream_open(const char *key, bool array)
{
	if (out.failed)
		return;
	if (out.depth >= OUT_MAX_DEPTH) {
		out.failed = true;
		return;
	}
	stream_member(key);
	stream_put(array ? "[" : "{", 1);
	js.array[out.depth] = array;
	js.any[out.depth] = false;
	out.depth++;
}

static void stream_close(void)
{
	if (out.failed || out.depth < 2)
		return;
	out.depth--;
	/* json-c ends an empty one on a line of its own too: "[\n  ]" */
	stream_newline(out.depth, false);
	stream_put(js.array[out.depth] ? "]" : "}", 1);
}

static void stream_begin(void)
{
	js.on = true;
	js.n = 0;
	js.spilled = false;
	js.err = 0;
	js.array[0] = false;
	js.any[0] = false;
	out.depth = 1;
	stream_put("{", 1);
}

/* The root closed (with whatever a command left open: the tree printed
 * those whole too) and the rest written; an answer that could not be
 * made whole is not written where none of it was yet. */
static void stream_end(void)
{
	if (!out.failed) {
		while (out.depth > 1)
			stream_close();
		stream_put("\n}\n", 3);
		stream_flush();
	} else if (!js.spilled) {
		js.n = 0;
	}
	js.on = false;
	out.depth = 0;
}

void out_begin(enum out_mode mode, FILE *f, const char *name)
{
	out.mode = mode;
	out.f = f;
	out.name = name;
	out.depth = 0;
	out.failed = false;
	js.on = false;
	if (mode == OUT_MODE_JSON && stream_wanted(f)) {
		stream_begin();
	} else if (mode != OUT_MODE_TEXT) {
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

static json_object *make_str(const void *v)
{
	return json_object_new_string(v);
}

static json_object *make_bool(const void *v)
{
	return json_object_new_boolean(*(const bool *)v);
}

/* A scalar as json-c prints it: text is already the number as it prints
 * an int64 or a uint64 (decimal, a '-' where negative). */
static void stream_scalar(const char *key, const char *text, json_object *(*make)(const void *),
			  const void *value)
{
	if (out.failed)
		return;
	stream_member(key);
	if (make == make_str)
		stream_string(value);
	else if (make == make_bool)
		stream_puts(*(const bool *)value ? "true" : "false");
	else if (!make)
		stream_puts("null");
	else
		stream_puts(text);
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
	if (js.on)
		stream_scalar(key, text, make, value);
	else
		add(key, make ? make(value) : NULL);
}

static json_object *make_uint(const void *v)
{
	return json_object_new_uint64(*(const unsigned long long *)v);
}

static json_object *make_int(const void *v)
{
	return json_object_new_int64(*(const long long *)v);
}

void out_str(int when, const char *key, const char *fmt, const char *value)
{
	if (!value) {
		out_null(when, key, fmt);
		return;
	}
	put(when, key, fmt, value, make_str, value);
}

/* value in decimal, a '-' before it where negative, ending at end (its
 * NUL): "%llu" / "%lld" without printf, a third of -j's time where
 * written for every number. */
static char *decimal(char *end, unsigned long long value, bool negative)
{
	char *p = end;

	*p = '\0';
	do
		*--p = (char)('0' + value % 10);
	while (value /= 10);
	if (negative)
		*--p = '-';
	return p;
}

void out_uint(int when, const char *key, const char *fmt, unsigned long long value)
{
	char text[24];

	put(when, key, fmt, decimal(text + sizeof(text) - 1, value, false), make_uint, &value);
}

void out_int(int when, const char *key, const char *fmt, long long value)
{
	char text[24];
	unsigned long long magnitude = value < 0 ? 0 - (unsigned long long)value : (unsigned long long)value;

	put(when, key, fmt, decimal(text + sizeof(text) - 1, magnitude, value < 0), make_int, &value);
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
	if (js.on) {
		if (out_wants(when))
			stream_close();
		return;
	}
	if (!out_wants(when) || out.mode == OUT_MODE_TEXT || out.failed)
		return;
	assert(out.depth > 1);
	out.depth--;
}

void out_object_open(int when, const char *key)
{
	if (js.on) {
		if (out_wants(when))
			stream_open(key, false);
		return;
	}
	open_container(when, key, out_wants(when) && out.mode != OUT_MODE_TEXT ? json_object_new_object() : NULL);
}

void out_object_close(int when)
{
	close_container(when);
}

void out_array_open(int when, const char *key)
{
	if (js.on) {
		if (out_wants(when))
			stream_open(key, true);
		return;
	}
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

void out_json_sink(void (*sink)(struct json_object *root, long offset))
{
	json_sink = sink;
}

int out_end(int status)
{
	json_object *root = out.mode != OUT_MODE_TEXT && !js.on ? out.stack[0] : NULL;
	int err;

	if (js.on)
		stream_end();
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
	err = js.err ? js.err : fflush(out.f) || ferror(out.f) ? errno : 0;
	js.err = 0;
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
