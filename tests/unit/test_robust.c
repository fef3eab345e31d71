/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every file parser against damaged input: a real capture, an acsctl
 * snapshot and a topology, each cut short at many lengths and with bytes
 * overwritten. Each load must succeed or fail with one line naming the
 * file; never crash or hang (run under ASan in make check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tfab.h"

static const char *fixture;

static int tried, loaded;

static void load_bytes(const char *bytes, size_t len)
{
	char path[] = "/tmp/acsctl-robust-XXXXXX";
	int fd = mkstemp(path);
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;
	FILE *out = fdopen(fd, "wb");

	fwrite(bytes, 1, len, out);
	fclose(out);
	o.kind = ACS_SOURCE_FILE;
	o.path = path;
	tried++;
	if (acs_fabric_load(&f, &o) == 0) {
		acs_groups *g = NULL;

		loaded++;
		/* what loads must also analyse */
		assert_int_equal(acs_groups_compute(&g, f, acs_policy_default()), 0);
		acs_groups_free(g);
		acs_fabric_free(f);
	} else {
		const char *msg = acs_error_last()->message;

		assert_non_null(strstr(msg, path));
		assert_null(strchr(msg, '\n'));
	}
	unlink(path);
}

static void damage(const char *text, size_t len, unsigned seed)
{
	char *copy = malloc(len + 1);
	unsigned s = seed;

	/* cut short: many lengths, denser at the start */
	for (size_t cut = 0; cut < len; cut += cut < 400 ? 7 : len / 40 + 1)
		load_bytes(text, cut);
	/* overwrite single bytes with characters that matter to parsers */
	for (int i = 0; i < 60; i++) {
		static const char evil[] = "0f:.x@ \n{}[]\",-9\t";

		memcpy(copy, text, len);
		s = s * 1103515245u + 12345u;
		copy[(s >> 8) % len] = evil[(s >> 4) % (sizeof(evil) - 1)];
		load_bytes(copy, len);
	}
	free(copy);
}

static void test_robust_dump__damaged(void **state)
{
	char path[1024], *text;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/6.12/kitchen-sink-1/lspci.txt", fixture);
	text = tread_file(path, &len);
	damage(text, len, 1);
	free(text);
}

static void test_robust_snapshot__damaged(void **state)
{
	char path[1024], *text;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s-snapshot/6.12/sriov-rp-acs/snapshot.txt", fixture);
	text = tread_file(path, &len);
	damage(text, len, 2);
	free(text);
}

static void test_robust_topology__damaged(void **state)
{
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *f = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	o.functions = 60;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	assert_int_equal(acs_topology_write(f, out), 0);
	fclose(out);
	damage(text, len, 3);
	free(text);
	acs_fabric_free(f);
	print_message("%d damaged files tried, %d still loaded (and grouped), the rest refused in one line\n",
		      tried, loaded);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_robust_dump__damaged),
		cmocka_unit_test(test_robust_snapshot__damaged),
		cmocka_unit_test(test_robust_topology__damaged),
	};

	fixture = argc > 1 ? argv[1] : "tests/fixtures/vm";
	return cmocka_run_group_tests_name("robust", tests, NULL, NULL);
}
