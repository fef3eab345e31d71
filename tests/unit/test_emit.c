/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -j written as the calls come (src/cli/emit.c) against json-c's tree of
 * the same calls (ACSCTL_FAULT_JSON_TREE): byte for byte on random
 * answers, every byte value in strings and keys, strings longer than the
 * writer's chunk, empty and deep containers; a write that fails is exit 2;
 * an answer given up before out_end() prints nothing. emit.c is built
 * into this test with ACSCTL_FAULT_INJECTION. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emit.h"

static uint64_t seed;
static unsigned serial;   /* the keys' suffix, from 0 in each answer */

static unsigned next(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(seed >> 33) % n;
}

/* A string of len bytes from 1 to 255, or printable where plain. */
static char *random_string(size_t len, bool plain)
{
	char *s = malloc(len + 1);

	assert_non_null(s);
	for (size_t i = 0; i < len; i++)
		s[i] = (char)(plain ? 'a' + next(26) : 1 + next(255));
	s[len] = '\0';
	return s;
}

static size_t random_len(void)
{
	static const size_t lens[] = { 0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65 };

	return next(50) == 0 ? 65536 + next(70000) : lens[next(sizeof(lens) / sizeof(lens[0]))];
}

static void random_value(int depth, bool in_array);

static void random_members(int depth, bool array, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		random_value(depth, array);
}

/* One member of the container open at depth: a scalar of each kind, or
 * a container (up to depth 31, so that the whole is 32 deep at most). */
static void random_value(int depth, bool in_array)
{
	char *key = NULL, *s;
	unsigned kind = next(depth < 31 ? 10 : 8);
	/* a scalar may be text's alone (not in -j); a container never, or
	 * its members would land in its parent, keyed or not */
	int when = kind < 8 && next(8) == 0 ? OUT_TEXT : next(2) ? OUT_ANY : OUT_DATA;

	/* keys unique in their object: json-c's tree keeps one of a key
	 * given twice, where the stream could not (emit.h) */
	if (!in_array) {
		s = random_string(random_len() % 66, next(4) != 0);
		key = malloc(strlen(s) + 16);
		assert_non_null(key);
		sprintf(key, "%s%u", s, serial++);
		free(s);
	}

	switch (kind) {
	case 0:
	case 1:
		s = random_string(random_len(), next(3) != 0);
		out_str(when, key, NULL, s);
		free(s);
		break;
	case 2:
		out_uint(when, key, NULL, next(2) ? UINT64_MAX - next(3) : next(100000));
		break;
	case 3:
		out_int(when, key, NULL, next(2) ? INT64_MIN + next(3) : -(long long)next(100000));
		break;
	case 4:
		out_bool(when, key, NULL, next(2));
		break;
	case 5:
		out_hex(when, key, NULL, next(65536), 4);
		break;
	case 6:
		out_null(when, key, NULL);
		break;
	case 7:
		out_str(when, key, NULL, NULL);
		break;
	case 8:
		out_object_open(when, key);
		random_members(depth + 1, false, next(depth < 4 ? 8 : 3));
		out_object_close(when);
		break;
	default:
		out_array_open(when, key);
		random_members(depth + 1, true, next(depth < 4 ? 8 : 3));
		out_array_close(when);
		break;
	}
	free(key);
}

/* What the answer of seed s prints, streamed or as json-c's tree, and
 * out_end()'s status. */
static char *answer(uint64_t s, bool tree, int *status, size_t *size)
{
	FILE *f = tmpfile();
	char *text;
	long n;

	assert_non_null(f);
	if (tree)
		setenv("ACSCTL_FAULT_JSON_TREE", "1", 1);
	else
		unsetenv("ACSCTL_FAULT_JSON_TREE");
	seed = s;
	serial = 0;
	out_begin(OUT_MODE_JSON, f, "test");
	random_members(1, false, 1 + next(12));
	*status = out_end(0);
	unsetenv("ACSCTL_FAULT_JSON_TREE");
	n = ftell(f);
	assert_true(n >= 0);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	*size = (size_t)n;
	return text;
}

static void test_emit_stream__same_as_tree(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 300; s++) {
		int st, tt;
		size_t sn, tn;
		char *streamed = answer(s, false, &st, &sn), *tree = answer(s, true, &tt, &tn);

		if (sn != tn || memcmp(streamed, tree, sn)) {
			size_t at = 0;

			while (at < sn && at < tn && streamed[at] == tree[at])
				at++;
			fail_msg("seed %llu: streamed %zu bytes, tree %zu, first difference at byte %zu",
				 (unsigned long long)s, sn, tn, at);
		}
		assert_int_equal(st, 0);
		assert_int_equal(tt, 0);
		free(streamed);
		free(tree);
	}
}

static void test_emit_stream__empty(void **state)
{
	FILE *f = tmpfile();
	char text[64] = "";

	(void)state;
	assert_non_null(f);
	out_begin(OUT_MODE_JSON, f, "test");
	assert_int_equal(out_end(3), 3);
	rewind(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	assert_string_equal(text, "{\n}\n");
	fclose(f);
}

/* A command that gives up before out_end() (apply when a write fails):
 * its answer, shorter than a chunk, is not printed; the next one is. */
static void test_emit_stream__given_up(void **state)
{
	FILE *f = tmpfile();
	char text[256] = "";

	(void)state;
	assert_non_null(f);
	out_begin(OUT_MODE_JSON, f, "test");
	out_array_open(OUT_DATA, "steps");
	out_str(OUT_ANY, NULL, NULL, "half");
	out_begin(OUT_MODE_JSON, f, "test");
	out_bool(OUT_DATA, "whole", NULL, true);
	assert_int_equal(out_end(0), 0);
	rewind(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	assert_string_equal(text, "{\n  \"whole\": true\n}\n");
	fclose(f);
}

/* Deeper than the writer keeps: exit 2, and nothing printed. */
static void test_emit_stream__too_deep(void **state)
{
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	out_begin(OUT_MODE_JSON, f, "test");
	for (int i = 0; i < 40; i++)
		out_array_open(OUT_DATA, "a");
	for (int i = 0; i < 40; i++)
		out_array_close(OUT_DATA);
	assert_int_equal(out_end(0), 2);
	assert_int_equal(ftell(f), 0);
	fclose(f);
}

/* A full disk: the answer is not whole, exit 2, however large (the
 * writer stops at the first chunk that fails). */
static void test_emit_stream__full_disk(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	for (int big = 0; big < 2; big++) {
		out_begin(OUT_MODE_JSON, f, "test");
		out_array_open(OUT_DATA, "a");
		for (int i = 0; i < (big ? 100000 : 1); i++)
			out_str(OUT_DATA, NULL, NULL, "0000:00:00.0");
		out_array_close(OUT_DATA);
		assert_int_equal(out_end(0), 2);
		clearerr(f);
	}
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emit_stream__same_as_tree),
		cmocka_unit_test(test_emit_stream__empty),
		cmocka_unit_test(test_emit_stream__given_up),
		cmocka_unit_test(test_emit_stream__too_deep),
		cmocka_unit_test(test_emit_stream__full_disk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
