/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The proof: for every fixture captured from a real kernel under QEMU
 * (tests/fixtures/vm/<kernel>/<case>/), acsctl's groups from the dump equal
 * the kernel's groups as partitions. Prints the count matched per kernel.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acsctl/bars.h"
#include "tfab.h"

static const char *root;

static int same_numbers;

/* Whether acsctl's group numbers are the kernel's own, function by
 * function: they are when the probe order is followed exactly. */
static bool numbers_match(const acs_fabric *f, const char *kernel, const char *path)
{
	acs_groups *g = NULL;
	FILE *in = fopen(path, "r");
	char line[128];
	bool same = true;

	assert_non_null(in);
	assert_int_equal(acs_groups_compute(&g, f, acs_policy_find(kernel)), 0);
	while (fgets(line, sizeof(line), in)) {
		unsigned id, dom, bus, dev, fn;
		const struct acs_func *x;

		if (sscanf(line, "%u %x:%x:%x.%u", &id, &dom, &bus, &dev, &fn) != 5)
			continue;
		x = acs_fabric_find(f, dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
		if (!x || acs_groups_of(g, acs_fabric_index(f, x)) != id)
			same = false;
	}
	fclose(in);
	acs_groups_free(g);
	return same;
}

static int round_trips;
static int audit_findings, audit_switch_pairs;

/* The audit on a real capture: every unsafe finding crosses a switch (or
 * stays inside one device), and every pair of downstream ports whose first
 * endpoints the kernel split while the entry port lacks ReqRedir is found. */
static bool audit_fixture(const acs_fabric *f, const char *kernel)
{
	const acs_policy *p = acs_policy_find(kernel);
	acs_audit *a = NULL;
	acs_groups *g = NULL;
	size_t expected = 0, found = 0;
	bool ok = true;

	assert_int_equal(acs_audit_run(&a, f, p, p), 0);
	assert_int_equal(acs_groups_compute(&g, f, p), 0);
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		const acs_finding *fd = acs_audit_at(a, i);

		if (fd->kind != ACS_FINDING_UNSAFE)
			continue;
		if (fd->nvia == 3) {
			found++;
			ok &= acs_fabric_func(f, fd->via[1])->pcie_type == ACS_PCIE_UPSTREAM;
		} else {
			ok &= fd->nvia == 1;
		}
	}
	for (size_t u = 0; u < acs_fabric_count(f); u++) {
		const struct acs_func *usp = acs_fabric_func(f, u);
		size_t first, n;

		if (usp->pcie_type != ACS_PCIE_UPSTREAM)
			continue;
		n = acs_fabric_children(f, usp, &first);
		for (size_t x = 0; x < n; x++)
			for (size_t y = 0; y < n; y++) {
				long ex = -1, ey = -1;
				const struct acs_func *px = acs_fabric_func(f, first + x);

				if (x == y || (px->acs_pos && (px->acs_ctrl & ACS_RR)))
					continue;
				for (size_t e = 0; e < acs_fabric_count(f); e++) {
					const struct acs_func *fe = acs_fabric_func(f, e), *q = fe;

					if (fe->is_bridge)
						continue;
					while (q && acs_fabric_parent(f, q) != usp)
						q = acs_fabric_parent(f, q);
					if (q == acs_fabric_func(f, first + x) && ex < 0)
						ex = (long)e;
					if (q == acs_fabric_func(f, first + y) && ey < 0)
						ey = (long)e;
				}
				if (ex >= 0 && ey >= 0 &&
				    acs_groups_of(g, (size_t)ex) != acs_groups_of(g, (size_t)ey))
					expected++;
			}
	}
	audit_findings += (int)found;
	audit_switch_pairs += (int)expected;
	acs_groups_free(g);
	acs_audit_free(a);
	return ok && found == expected;
}

/* export -> load: the same model, function by function, and the same
 * groups. */
static bool same_model(const acs_fabric *a, const acs_fabric *b)
{
	if (acs_fabric_count(a) != acs_fabric_count(b))
		return false;
	for (size_t i = 0; i < acs_fabric_count(a); i++) {
		const struct acs_func *x = acs_fabric_func(a, i), *y = acs_fabric_func(b, i);

		if (x->domain != y->domain || x->bus != y->bus || x->dev != y->dev ||
		    x->fn != y->fn || x->vendor_id != y->vendor_id ||
		    x->device_id != y->device_id || x->class_code != y->class_code ||
		    x->pcie_type != y->pcie_type || x->is_bridge != y->is_bridge ||
		    x->secondary != y->secondary || x->subordinate != y->subordinate ||
		    x->multifunction != y->multifunction ||
		    !x->acs_pos != !y->acs_pos || x->acs_cap != y->acs_cap ||
		    x->acs_ctrl != y->acs_ctrl || !x->ats_pos != !y->ats_pos ||
		    x->sriov_total_vfs != y->sriov_total_vfs ||
		    x->sriov_num_vfs != y->sriov_num_vfs) {
			char addr[32];

			print_error("round trip differs at %s\n", acs_func_addr(x, addr, sizeof(addr)));
			return false;
		}
	}
	return true;
}

static bool export_round_trip(const acs_fabric *f, const char *kernel)
{
	char path[] = "/tmp/acsctl-topo-XXXXXX";
	int fd = mkstemp(path);
	FILE *out = fdopen(fd, "w");
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *g = NULL;
	bool ok;

	assert_non_null(out);
	assert_int_equal(acs_topology_write(f, out), 0);
	fclose(out);
	o.kind = ACS_SOURCE_FILE;
	o.path = path;
	if (acs_fabric_load(&g, &o))
		fail_msg("%s", acs_error_last()->message);
	unlink(path);
	ok = same_model(f, g);
	if (ok) {
		char *a = tgroups_partition(f, kernel), *b = tgroups_partition(g, kernel);

		ok = strcmp(a, b) == 0;
		free(a);
		free(b);
	}
	acs_fabric_free(g);
	return ok;
}

static int check_case(const char *kernel, const char *dir)
{
	char path[1300];
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;
	char *want, *got;
	int ok;

	snprintf(path, sizeof(path), "%s/lspci.txt", dir);
	o.kind = ACS_SOURCE_DUMP;
	o.path = path;
	if (acs_fabric_load(&f, &o)) {
		print_error("%s: %s\n", dir, acs_error_last()->message);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/groups.txt", dir);
	want = tgroups_file_partition(path, NULL);
	got = tgroups_partition(f, kernel);
	ok = strcmp(want, got) == 0;
	same_numbers += numbers_match(f, kernel, path);
	round_trips += export_round_trip(f, kernel);
	if (!audit_fixture(f, kernel)) {
		print_error("AUDIT %s: findings do not match the switches' ports\n", dir);
		ok = 0;
	}
	if (!ok)
		print_error("MISMATCH %s\n  kernel: %s\n  acsctl: %s\n", dir, want, got);
	free(want);
	free(got);
	acs_fabric_free(f);
	return ok;
}

static void check_kernel(const char *kernel, int *cases, int *matched)
{
	char path[1024];
	char *names[4096];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, kernel);
	d = opendir(path);
	if (!d)
		fail_msg("no fixtures for kernel %s in %s", kernel, root);
	while ((e = readdir(d)) && n < 4096)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), tstr_cmp);
	for (size_t i = 0; i < n; i++) {
		char dir[1200];

		snprintf(dir, sizeof(dir), "%s/%s", path, names[i]);
		(*cases)++;
		*matched += check_case(kernel, dir);
		free(names[i]);
	}
}

static void test_fixtures_vm__every_kernel(void **state)
{
	const char *kernels[] = { "6.1", "6.12" };
	int failed = 0;

	(void)state;
	for (int k = 0; k < 2; k++) {
		int cases = 0, matched = 0;

		same_numbers = 0;
		round_trips = 0;
		audit_findings = audit_switch_pairs = 0;
		check_kernel(kernels[k], &cases, &matched);
		print_message("kernel %s: %d/%d fixtures survive export and load unchanged\n",
			      kernels[k], round_trips, cases);
		print_message("kernel %s: audit found %d/%d cross-port pairs split by the kernel\n",
			      kernels[k], audit_findings, audit_switch_pairs);
		failed += cases - round_trips;
		print_message("kernel %s: %d/%d fixtures match the kernel's groups "
			      "(%d/%d with the kernel's own group numbers)\n",
			      kernels[k], matched, cases, same_numbers, cases);
		assert_true(cases > 0);
		failed += cases - matched;
		/* the numbers too: the kernel's probe order, kept */
		failed += cases - same_numbers;
	}
	assert_int_equal(failed, 0);
}

static acs_fabric *load_dump(const char *dir)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/lspci.txt", dir);
	return tload_ok(path, ACS_SOURCE_DUMP);
}

static char *read_line(const char *dir, const char *file)
{
	char path[2048], line[4096] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	assert_non_null(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

/* From the dump booted without parameters, predict the one booted with
 * them: every ACS control register and the groups. */
static int check_boot_pair(const char *kernel, const char *base_dir, const char *dir)
{
	acs_fabric *base = load_dump(base_dir), *want = load_dump(dir);
	char *params = read_line(dir, "params.txt"), *a, *b;
	acs_boot_opts o = ACS_BOOT_OPTS_INIT;
	acs_boot *boot = NULL;
	const acs_fabric *got;
	char path[2048];
	int ok = 1;

	o.cmdline = params;
	if (acs_boot_simulate(&boot, base, acs_policy_find(kernel), &o))
		fail_msg("%s: %s", dir, acs_error_last()->message);
	got = acs_boot_fabric(boot);
	assert_int_equal(acs_fabric_count(got), acs_fabric_count(want));
	for (size_t i = 0; i < acs_fabric_count(got); i++) {
		const struct acs_func *x = acs_fabric_func(got, i), *y = acs_fabric_func(want, i);
		char addr[32];

		if (x->acs_ctrl != y->acs_ctrl) {
			print_error("MISMATCH %s (%s): %s ACSCtl predicted 0x%04x, kernel 0x%04x\n",
				    dir, params, acs_func_addr(x, addr, sizeof(addr)),
				    x->acs_ctrl, y->acs_ctrl);
			ok = 0;
		}
	}
	snprintf(path, sizeof(path), "%s/groups.txt", dir);
	a = tgroups_file_partition(path, NULL);
	b = tgroups_partition(got, kernel);
	if (strcmp(a, b) != 0) {
		print_error("MISMATCH %s (%s) groups\n  kernel: %s\n  acsctl: %s\n", dir, params, a, b);
		ok = 0;
	}
	free(a);
	free(b);
	free(params);
	acs_boot_free(boot);
	acs_fabric_free(base);
	acs_fabric_free(want);
	return ok;
}

static void test_fixtures_vm_boot__parameters(void **state)
{
	const char *kernels[] = { "6.1", "6.12" };
	char broot[1100];
	int failed = 0;

	(void)state;
	snprintf(broot, sizeof(broot), "%s-boot", root);
	for (int k = 0; k < 2; k++) {
		char kdir[1200], base[1300];
		struct dirent *e;
		DIR *d;
		int pairs = 0, matched = 0;

		snprintf(kdir, sizeof(kdir), "%s/%s", broot, kernels[k]);
		snprintf(base, sizeof(base), "%s/base", kdir);
		d = opendir(kdir);
		if (!d)
			fail_msg("no boot-parameter fixtures in %s", kdir);
		while ((e = readdir(d))) {
			char dir[1600];

			if (e->d_name[0] == '.' || strcmp(e->d_name, "base") == 0)
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", kdir, e->d_name);
			pairs++;
			matched += check_boot_pair(kernels[k], base, dir);
		}
		closedir(d);
		print_message("kernel %s: %d/%d boot-parameter captures predicted from the boot without them\n",
			      kernels[k], matched, pairs);
		assert_true(pairs > 0);
		failed += pairs - matched;
	}
	assert_int_equal(failed, 0);
}

/* acsctl run inside the booted kernel: its snapshot of the live sysfs,
 * read back here, knows the kernel and agrees with the kernel's groups. */
static void test_fixtures_vm_snapshot__live(void **state)
{
	const char *kernels[] = { "6.1", "6.12" };
	char sroot[1100];
	int total = 0;

	(void)state;
	snprintf(sroot, sizeof(sroot), "%s-snapshot", root);
	for (int k = 0; k < 2; k++) {
		char kdir[1200];
		struct dirent *e;
		DIR *d;
		int n = 0;
		size_t sized = 0;

		snprintf(kdir, sizeof(kdir), "%s/%s", sroot, kernels[k]);
		d = opendir(kdir);
		if (!d)
			fail_msg("no live snapshots in %s", kdir);
		while ((e = readdir(d))) {
			char dir[1600], path[2048];
			acs_load_opts o = ACS_LOAD_OPTS_INIT;
			acs_fabric *f = NULL;
			acs_groups *g = NULL;
			acs_group_check *chk = NULL;
			char *want, *got, *check;

			if (e->d_name[0] == '.')
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", kdir, e->d_name);
			snprintf(path, sizeof(path), "%s/snapshot.txt", dir);
			o.kind = ACS_SOURCE_FILE;
			o.path = path;
			if (acs_fabric_load(&f, &o))
				fail_msg("%s", acs_error_last()->message);
			assert_int_equal(acs_fabric_source_kind(f), ACS_SOURCE_SNAPSHOT);
			assert_int_equal(acs_fabric_kernel_groups(f), ACS_KGROUPS_PRESENT);
			assert_int_equal(strncmp(acs_fabric_kernel_release(f), kernels[k],
						 strlen(kernels[k])), 0);
			assert_int_equal(acs_fabric_unknown_count(f), 0);
			assert_int_equal(acs_groups_compute(&g, f, acs_policy_find(kernels[k])), 0);
			assert_int_equal(acs_groups_check(&chk, g, f), 0);
			assert_int_equal(acs_group_check_count(chk), 0);
			snprintf(path, sizeof(path), "%s/groups.txt", dir);
			want = tgroups_file_partition(path, NULL);
			got = tgroups_partition(f, kernels[k]);
			assert_string_equal(want, got);
			check = read_line(dir, "check.txt");
			assert_int_equal(strncmp(check, "OK", 2), 0);
			/* the live sysfs's BAR sizes came along in the snapshot */
			for (size_t i = 0; i < acs_fabric_count(f); i++) {
				const struct acs_func *fn = acs_fabric_func(f, i);
				acs_bar b[6];
				size_t nb = fn->is_virtfn ? 0 : acs_func_mem_bars(fn, b);

				for (size_t j = 0; j < nb; j++) {
					if (!fn->bar_size[b[j].index])
						fail_msg("%s: BAR%u has no size", dir, b[j].index);
					sized++;
				}
			}
			free(check);
			free(want);
			free(got);
			acs_group_check_free(chk);
			acs_groups_free(g);
			acs_fabric_free(f);
			n++;
		}
		closedir(d);
		print_message("kernel %s: %d live snapshots taken in the VM agree with the kernel; %zu BARs, "
			      "every one with its sysfs size\n", kernels[k], n, sized);
		total += n;
	}
	assert_true(total > 0);
}

/* explain agrees with groups for every function of every capture. */
static void test_fixtures_vm__explain(void **state)
{
	const char *kernels[] = { "6.1", "6.12" };
	int explained = 0;

	(void)state;
	for (int k = 0; k < 2; k++) {
		char kdir[1200];
		struct dirent *e;
		DIR *d;

		snprintf(kdir, sizeof(kdir), "%s/%s", root, kernels[k]);
		d = opendir(kdir);
		assert_non_null(d);
		while ((e = readdir(d))) {
			char dir[1600];
			acs_fabric *f;
			acs_groups *g = NULL;
			const acs_policy *p = acs_policy_find(kernels[k]);

			if (e->d_name[0] == '.')
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", kdir, e->d_name);
			f = load_dump(dir);
			assert_int_equal(acs_groups_compute(&g, f, p), 0);
			for (size_t i = 0; i < acs_fabric_count(f); i++) {
				acs_explain *x = NULL;
				const char *const *facts;
				char want[64];

				assert_int_equal(acs_explain_compute(&x, f, p, i, i ? (long)i - 1 : -1), 0);
				assert_int_equal(acs_explain_group(x, 0), acs_groups_of(g, i));
				assert_true(acs_explain_facts(x, &facts) > 0);
				snprintf(want, sizeof(want), "is in group %zu", acs_groups_of(g, i));
				assert_non_null(strstr(facts[0], want));
				if (i)
					assert_int_equal(acs_explain_shared(x),
							 acs_groups_of(g, i) == acs_groups_of(g, i - 1));
				acs_explain_free(x);
				explained++;
			}
			acs_groups_free(g);
			acs_fabric_free(f);
		}
		closedir(d);
	}
	print_message("explain agrees with groups for %d functions of the captures\n", explained);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_vm__every_kernel),
		cmocka_unit_test(test_fixtures_vm_boot__parameters),
		cmocka_unit_test(test_fixtures_vm_snapshot__live),
		cmocka_unit_test(test_fixtures_vm__explain),
	};

	root = argc > 1 ? argv[1] : "tests/fixtures/vm";
	return cmocka_run_group_tests_name("fixtures", tests, NULL, NULL);
}
