/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unknown is never safe: what a verdict depends on that was not read, on
 * a hand-built switch with one port cut short, and on every VM capture cut
 * to what lspci -x and -xxx give: the cut capture never proves a pair
 * unsafe that the whole one does not, and never leaves out as safe a pair
 * the whole one finds unsafe.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

/* Root port with ACS, a switch with two downstream ports without ACS and
 * an endpoint each; the second port's config space stops at 256 bytes. */
static acs_fabric *switch_one_unread(void)
{
	struct tfab t;
	struct tcfg c;

	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 4, 0x001d, false);
	tfab_upstream(&t, "01:00.0", 2, 4);
	tfab_downstream(&t, "02:00.0", 3, 3, NO_ACS);
	tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_DOWNSTREAM, true, false, NO_ACS);
	tcfg_buses(&c, 2, 4, 4);
	c.len = 256;
	tfab_add(&t, "02:01.0", &c);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	tfab_endpoint(&t, "04:00.0", false, NO_ACS);
	return tfab_end(&t);
}

static void test_unknown_route__unread_ingress(void **state)
{
	acs_fabric *f = switch_one_unread();
	struct acs_reach r;

	(void)state;
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "04:00.0"), &r);
	assert_true(r.direct);
	assert_false(r.unknown);
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "04:00.0"), tfab_idx(f, "03:00.0"), &r);
	assert_true(r.direct);     /* the worse case */
	assert_true(r.unknown);
	acs_fabric_free(f);
}

static void test_unknown_set__questions(void **state)
{
	acs_fabric *f = switch_one_unread();
	acs_unknown *u;
	const uint32_t *v;

	(void)state;
	assert_int_equal(acs_unknown_new(&u, f, acs_policy_default()), 0);
	/* the route between them: the unread port they enter by */
	assert_true(acs_unknown_add(u, ACS_UNKNOWN_REACH, tfab_idx(f, "03:00.0"), (long)tfab_idx(f, "04:00.0")));
	assert_int_equal(acs_unknown_list(u, &v), 1);
	assert_int_equal(v[0], tfab_idx(f, "02:01.0"));
	/* 03:00.0's group walk passes only what was read */
	acs_unknown_clear(u);
	assert_false(acs_unknown_add(u, ACS_UNKNOWN_GROUP, tfab_idx(f, "03:00.0"), -1));
	assert_int_equal(acs_unknown_count(u), 0);
	assert_true(acs_unknown_add(u, ACS_UNKNOWN_GROUP, tfab_idx(f, "04:00.0"), -1));
	/* P2PDMA reads the redirect bits of the whole path, endpoints too */
	acs_unknown_clear(u);
	assert_true(acs_unknown_add(u, ACS_UNKNOWN_P2PDMA, tfab_idx(f, "03:00.0"), (long)tfab_idx(f, "04:00.0")));
	assert_int_equal(acs_unknown_list(u, &v), 1);
	assert_string_equal(acs_unknown_why(acs_fabric_func(f, v[0])),
			    "its ACS state was not read (extended config space)");
	acs_unknown_free(u);
	acs_fabric_free(f);
}

/* One pair proven, the other way unknown; the audit names the port. */
static void test_unknown_audit__proven_and_unknown(void **state)
{
	acs_fabric *f = switch_one_unread();
	acs_audit *a;
	const uint32_t *v;
	int unsafe = 0, unknown = 0;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		const acs_finding *fd = acs_audit_at(a, i);

		if (fd->kind == ACS_FINDING_UNSAFE) {
			unsafe++;
			assert_int_equal(fd->devices[0], tfab_idx(f, "03:00.0"));
		} else if (fd->kind == ACS_FINDING_UNKNOWN) {
			unknown++;
			assert_int_equal(fd->devices[0], tfab_idx(f, "04:00.0"));
			assert_int_equal(fd->nvia, 1);
			assert_int_equal(fd->via[0], tfab_idx(f, "02:01.0"));
		}
	}
	assert_int_equal(unsafe, 1);
	assert_int_equal(unknown, 1);
	assert_int_equal(acs_audit_unknown(a, &v), 1);
	assert_int_equal(v[0], tfab_idx(f, "02:01.0"));
	acs_audit_free(a);
	acs_fabric_free(f);
}

/* A capture's text with every config space cut to len bytes. */
static char *cut(const char *path, unsigned len)
{
	FILE *in = fopen(path, "r");
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap), line[512];

	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		char *end;
		unsigned long off = strtoul(line, &end, 16);
		size_t l = strlen(line);

		if (end != line && end[0] == ':' && end[1] == ' ' && off >= len)
			continue;
		if (n + l + 1 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		memcpy(out + n, line, l);
		n += l;
	}
	out[n] = '\0';
	fclose(in);
	return out;
}

/* Whether the audit has a finding of this kind on the pair, either way. */
static bool has(const acs_audit *a, int kind, uint32_t x, uint32_t y)
{
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		const acs_finding *fd = acs_audit_at(a, i);

		if (fd->kind == kind && fd->ndevices == 2 &&
		    ((fd->devices[0] == x && fd->devices[1] == y) || (fd->devices[0] == y && fd->devices[1] == x)))
			return true;
	}
	return false;
}

/* Whole and cut fabrics have the same functions in the same order. */
static void compare(const char *name, const acs_fabric *whole, const acs_fabric *part, const acs_policy *p)
{
	acs_audit *aw, *ap;

	assert_int_equal(acs_fabric_count(whole), acs_fabric_count(part));
	assert_int_equal(acs_audit_run(&aw, whole, p, p), 0);
	assert_int_equal(acs_audit_run(&ap, part, p, p), 0);
	for (size_t i = 0; i < acs_audit_count(ap); i++) {
		const acs_finding *fd = acs_audit_at(ap, i);

		if (fd->kind == ACS_FINDING_UNSAFE && !has(aw, ACS_FINDING_UNSAFE, fd->devices[0], fd->devices[1]))
			fail_msg("%s: cut capture proves a pair unsafe the whole one does not (%s)", name, fd->reason);
	}
	for (size_t i = 0; i < acs_audit_count(aw); i++) {
		const acs_finding *fd = acs_audit_at(aw, i);

		if (fd->kind == ACS_FINDING_UNSAFE && fd->ndevices == 2 &&
		    !has(ap, ACS_FINDING_UNSAFE, fd->devices[0], fd->devices[1]) &&
		    !has(ap, ACS_FINDING_UNKNOWN, fd->devices[0], fd->devices[1]))
			fail_msg("%s: cut capture leaves out an unsafe pair (%s)", name, fd->reason);
	}
	acs_audit_free(aw);
	acs_audit_free(ap);
}

static void test_unknown_fixtures__cut_never_safe(void **state)
{
	const char *root = getenv("ACSCTL_FIXTURES");
	const char *kernels[] = { "6.1", "6.12" };
	const unsigned lens[] = { 64, 256 };
	int cases = 0;

	(void)state;
	if (!root)
		root = "tests/fixtures/vm";
	for (int k = 0; k < 2; k++) {
		const acs_policy *p = acs_policy_find(kernels[k]);
		char dir[1024];
		struct dirent *e;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%s", root, kernels[k]);
		if (!(d = opendir(dir)))
			continue;
		while ((e = readdir(d))) {
			char path[1400], name[1500];
			acs_fabric *whole;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/lspci.txt", dir, e->d_name);
			if (!(whole = tload_ok(path, ACS_SOURCE_FILE)))
				continue;
			for (int l = 0; l < 2; l++) {
				char *text = cut(path, lens[l]);
				acs_fabric *part = tload_ok(tdir_write("cut.txt", text), ACS_SOURCE_FILE);

				snprintf(name, sizeof(name), "%s/%s cut to %u bytes", kernels[k], e->d_name, lens[l]);
				compare(name, whole, part, p);
				acs_fabric_free(part);
				free(text);
				cases++;
			}
			acs_fabric_free(whole);
		}
		closedir(d);
	}
	print_message("%d cut captures\n", cases);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_route__unread_ingress),
		cmocka_unit_test(test_unknown_set__questions),
		cmocka_unit_test(test_unknown_audit__proven_and_unknown),
		cmocka_unit_test(test_unknown_fixtures__cut_never_safe),
	};

	return cmocka_run_group_tests(tests, tdir_setup, tdir_teardown);
}
