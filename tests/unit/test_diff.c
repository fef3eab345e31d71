/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acs_diff_compute(): two inputs of one host compared, on the committed
 * captures (issue 18 item 4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

static acs_fabric *load(const char *rel)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", SRCDIR, rel);
	o.kind = ACS_SOURCE_FILE;
	o.path = path;
	if (acs_fabric_load(&f, &o))
		fail_msg("%s", acs_error_last()->message);
	return f;
}

static acs_diff *run(const char *a, const char *b)
{
	acs_fabric *fa = load(a), *fb = load(b);
	acs_diff *d = NULL;

	assert_int_equal(acs_diff_compute(&d, fa, fb, NULL, NULL), 0);
	acs_fabric_free(fa);  /* the result owns its strings */
	acs_fabric_free(fb);
	return d;
}

#define SNAP "tests/fixtures/vm-snapshot/"
#define BOOT "tests/fixtures/vm-boot/6.12/"

static void test_diff__same(void **state)
{
	const char *const *u;
	acs_diff *d = run(SNAP "6.12/kitchen-sink-1/snapshot.txt", SNAP "6.12/kitchen-sink-1/snapshot.txt");

	(void)state;
	assert_int_equal(acs_diff_count(d), 0);
	assert_null(acs_diff_at(d, 0));
	assert_int_equal(acs_diff_unknown(d, &u), 0);
	assert_true(acs_diff_kernel_groups(d));
	acs_diff_free(d);
}

static void test_diff__kernel(void **state)
{
	acs_diff *d = run(SNAP "6.1/switch-nested/snapshot.txt", SNAP "6.12/switch-nested/snapshot.txt");
	const acs_diff_item *it;

	(void)state;
	assert_int_equal(acs_diff_count(d), 1);
	it = acs_diff_at(d, 0);
	assert_int_equal(it->kind, ACS_DIFFK_HOST);
	assert_string_equal(it->key, "kernel-release");
	assert_string_equal(it->a, "6.1.0-57-amd64");
	assert_string_equal(it->b, "6.12.118+deb12-amd64");
	acs_diff_free(d);
}

/* a setpci change: the boot with config_acs against the base */
static void test_diff__setpci(void **state)
{
	acs_diff *d = run(BOOT "base/lspci.txt", BOOT "config-one/lspci.txt");
	const acs_diff_item *it;

	(void)state;
	assert_false(acs_diff_kernel_groups(d));
	assert_int_equal(acs_diff_count(d), 2);
	it = acs_diff_at(d, 0);
	assert_int_equal(it->kind, ACS_DIFFK_ACS);
	assert_string_equal(it->addr, "0000:00:02.0");
	assert_string_equal(it->a, "001d");
	assert_string_equal(it->b, "0015");
	it = acs_diff_at(d, 1);
	assert_int_equal(it->kind, ACS_DIFFK_GROUP_MERGED);
	assert_int_equal(it->count, 2);
	assert_string_equal(it->members[0], "0000:00:02.0");
	assert_string_equal(it->members[1], "0000:01:00.0");
	acs_diff_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff__same),
		cmocka_unit_test(test_diff__kernel),
		cmocka_unit_test(test_diff__setpci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
