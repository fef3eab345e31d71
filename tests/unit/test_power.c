/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PE model against the powernv kernel in QEMU: for every capture in
 * tests/fixtures/vm-power/<machine>/<case>/, the groups equal the kernel's
 * (as partitions) and every device's PE number is the one the kernel
 * logged ("Configured PE#" / "Added to existing PE#").
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acsctl/bars.h"
#include "tfab.h"
#include "talloc.h"

static const char *root;

static char *pe_partition(const acs_fabric *f, const acs_platform *p)
{
	acs_pe_table *t = NULL;
	acs_groups *g = NULL;
	char *words = calloc(1, 65536);
	long last = -1;

	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_groups(&g, t, f), 0);
	for (size_t id = 0; id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m);

		for (size_t k = 0; k < n; k++) {
			char addr[32];

			if (last >= 0 && (long)id != last)
				strcat(words, " |");
			last = (long)id;
			strcat(words, " ");
			strcat(words, acs_func_addr(acs_fabric_func(f, m[k]), addr, sizeof(addr)));
		}
	}
	acs_groups_free(g);
	acs_pe_free(t);
	{
		char *c = tpartition_canon(words);

		free(words);
		return c;
	}
}

/* Every "pci ADDR: Configured PE#x" / "Added to existing PE#x" line. */
static int check_pe_numbers(const acs_fabric *f, const acs_platform *p, const char *log)
{
	FILE *in = fopen(log, "r");
	acs_pe_table *t = NULL;
	char line[512];
	int bad = 0;

	if (!in)
		return 0;
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	while (fgets(line, sizeof(line), in)) {
		unsigned dom, bus, dev, fn, pe;
		const char *at = strstr(line, "PE#");
		const struct acs_func *x;
		long k;

		if (!at || (!strstr(line, "Configured PE#") && !strstr(line, "existing PE#")) ||
		    sscanf(line, "pci %x:%x:%x.%u", &dom, &bus, &dev, &fn) != 4 ||
		    sscanf(at, "PE#%x", &pe) != 1)
			continue;
		x = acs_fabric_find(f, dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
		k = x ? acs_pe_of(t, acs_fabric_index(f, x)) : -1;
		if (k < 0 || acs_pe_at(t, (size_t)k)->number != pe) {
			print_error("%s: %04x:%02x:%02x.%u is PE#%x, acsctl says %x\n", log, dom, bus, dev, fn,
				    pe, k < 0 ? 0xfffffu : acs_pe_at(t, (size_t)k)->number);
			bad++;
		}
	}
	fclose(in);
	acs_pe_free(t);
	return bad;
}

/* pe --check on the BARs the kernel assigned: the kernel's own layout
 * must pass. An endpoint beside a bridge of its own PE that fences other
 * PEs (an endpoint on a switch's internal bus) is a fact of the topology,
 * not of the assignment: those findings come back in *beside. */
static int check_isolation(const acs_fabric *f, const acs_platform *p, const char *dir, int *beside)
{
	acs_pe_table *t = NULL;
	acs_pe_finding *v = NULL;
	size_t n = 0;
	int bad = 0;
	char a[32], b[32];

	*beside = 0;
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_check(&v, &n, t, f, p), 0);
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == ACS_PE_BESIDE_BRIDGE) {
			(*beside)++;
			continue;
		}
		bad++;
		print_error("%s: finding %d on %s (neighbour %s)\n", dir, v[i].kind,
			    acs_func_addr(acs_fabric_func(f, v[i].device), a, sizeof(a)),
			    v[i].neighbour == UINT32_MAX ? "none" :
			    acs_func_addr(acs_fabric_func(f, v[i].neighbour), b, sizeof(b)));
	}
	free(v);
	acs_pe_free(t);
	return bad;
}

/* The sizes of a function's first n resources from its sysfs resource
 * lines ("start end flags": BARs 0-5, ROM, VF BARs 0-5), 0 where none. */
static void resource_sizes(const char *path, const char *addr, uint64_t *size, int n)
{
	FILE *in = fopen(path, "r");
	char line[256];
	int at = -1;

	memset(size, 0, (size_t)n * sizeof(*size));
	if (!in)
		return;
	while (fgets(line, sizeof(line), in)) {
		unsigned long long a, b, fl;

		line[strcspn(line, "\n")] = 0;
		if (strncmp(line, "0x", 2) != 0) {
			at = strcmp(line, addr) == 0 ? 0 : -1;
			continue;
		}
		if (at >= 0 && at < n && sscanf(line, "%llx %llx %llx", &a, &b, &fl) == 3 && b > a)
			size[at] = b - a + 1;
		if (at >= 0)
			at++;
	}
	fclose(in);
}

struct alloc_tally {
	size_t kernel, packed, flat, first_fit, bound;
	size_t flat_misrouted;  /* PHBs where the flat packing breaks a bridge window */
};

/* The M32 BARs the kernel assigned on one PHB (start from config space,
 * size from sysfs): the segments it used, and what acs_pe_allocate_tree()
 * needs for them with the bridges as they are. */
static void compare_phb(const acs_fabric *f, const acs_platform *p, const acs_pe_table *t, const char *dir,
			uint32_t dom, struct alloc_tally *sum)
{
	size_t n = acs_fabric_count(f), nd = 0, kernel = 0, nw = 1 + 2 * n;
	uint64_t seg = acs_pe_segment_size(p, dom, false);
	size_t nsegs = (size_t)(p->m32_size / seg);
	acs_pe_bar_demand *d = calloc(6 * n + 1, sizeof(*d));
	uint32_t *parent = calloc(nw, sizeof(*parent));
	uint8_t *touched = calloc(nsegs, 1);
	char path[2048], addr[32];
	acs_pe_alloc a, flat, ff;

	assert_non_null(d);
	assert_non_null(touched);
	assert_non_null(parent);
	assert_int_equal(acs_pe_bridge_windows(f, parent, nw), nw);
	snprintf(path, sizeof(path), "%s/resources.txt", dir);
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, i), *up = acs_fabric_parent(f, fn);
		uint64_t size[6];
		acs_bar b[6];
		size_t nb = fn->domain == dom ? acs_func_mem_bars(fn, b) : 0;

		if (nb)
			resource_sizes(path, acs_func_addr(fn, addr, sizeof(addr)), size, 6);
		for (size_t k = 0; k < nb; k++) {
			uint64_t sz = size[b[k].index], off = b[k].start - ACS_PE_M32_BASE;
			uint32_t w = up ? 1 + 2 * (uint32_t)(up - acs_fabric_func(f, 0)) +
					     (b[k].prefetch && !acs_platform_has_m64(p)) : 0;

			if (!sz || b[k].start < ACS_PE_M32_BASE || off >= p->m32_size || acs_pe_of(t, i) < 0)
				continue;
			for (uint64_t s = off / seg; s <= (off + sz - 1) / seg && s < nsegs; s++)
				touched[s] = 1;
			d[nd++] = (acs_pe_bar_demand){ (uint32_t)acs_pe_of(t, i), sz, w };
		}
	}
	for (size_t s = 0; s < nsegs; s++)
		kernel += touched[s];
	assert_int_equal(acs_pe_allocate_tree(&a, d, nd, parent, nw, seg, nsegs), 0);
	assert_int_equal(acs_pe_allocate(&flat, d, nd, seg, nsegs, ACS_PE_ALLOC_PACKED), 0);
	assert_int_equal(acs_pe_allocate(&ff, d, nd, seg, nsegs, ACS_PE_ALLOC_FIRST_FIT), 0);
	if (a.used > kernel || a.nfailed)
		print_error("%s PHB %u: allocate uses %zu segments, the kernel %zu\n", dir, dom, a.used, kernel);
	assert_true(a.used <= kernel);
	/* what bridge windows force comes on top of the lower bound, and
	 * alignment only leaves segments empty */
	assert_true(a.used >= a.lower_bound);
	assert_true(a.used <= a.window_bound);
	assert_true(a.window_bound >= a.lower_bound);
	assert_true(a.used >= flat.used);
	assert_int_equal(a.nfailed, 0);
	talloc_assert_decodes(&a, d, nd, parent, seg);
	{
		uint32_t w;

		sum->flat_misrouted += talloc_misrouted(&flat, d, nd, parent, nw, &w) >= 0;
	}
	sum->kernel += kernel;
	sum->packed += a.used;
	sum->flat += flat.used;
	sum->first_fit += ff.used;
	sum->bound += a.lower_bound;
	acs_pe_alloc_free(&a);
	acs_pe_alloc_free(&flat);
	acs_pe_alloc_free(&ff);
	free(d);
	free(parent);
	free(touched);
}

static void compare_allocation(const acs_fabric *f, const acs_platform *p, const char *dir,
			       struct alloc_tally *sum)
{
	acs_pe_table *t = NULL;

	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	for (uint32_t dom = 0; dom < ACS_PE_MAX_PHBS; dom++)
		compare_phb(f, p, t, dir, dom, sum);
	acs_pe_free(t);
}

static void test_power_vm__pes_and_groups(void **state)
{
	const char *machines[] = { "powernv8", "powernv9" };
	/* the captures with an endpoint on a switch's internal bus, beside
	 * downstream ports that fence other PEs */
	const char *beside_want[] = { " switch-ep-internal-bus ", " kitchen-sink-2 switch-ep-internal-bus " };
	const int beside_count[] = { 1, 2 };
	int total = 0;

	(void)state;
	for (int m = 0; m < 2; m++) {
		char mdir[1200];
		struct dirent *e;
		DIR *d;
		int cases = 0, groups_ok = 0, pes_ok = 0, check_ok = 0, beside = 0, nbeside = 0;
		char beside_cases[512] = "";
		struct alloc_tally sum = { 0 };
		const acs_platform *p = acs_platform_find(machines[m]);

		snprintf(mdir, sizeof(mdir), "%s/%s", root, machines[m]);
		d = opendir(mdir);
		if (!d)
			continue;
		while ((e = readdir(d))) {
			char dir[1600], path[2048];
			acs_load_opts o = ACS_LOAD_OPTS_INIT;
			acs_fabric *f = NULL;
			char *want, *got;

			if (e->d_name[0] == '.')
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", mdir, e->d_name);
			snprintf(path, sizeof(path), "%s/lspci.txt", dir);
			o.kind = ACS_SOURCE_DUMP;
			o.path = path;
			if (acs_fabric_load(&f, &o))
				fail_msg("%s", acs_error_last()->message);
			snprintf(path, sizeof(path), "%s/groups.txt", dir);
			want = tgroups_file_partition(path, NULL);
			got = pe_partition(f, p);
			cases++;
			if (strcmp(want, got) == 0)
				groups_ok++;
			else
				print_error("MISMATCH %s\n  kernel: %s\n  acsctl: %s\n", dir, want, got);
			snprintf(path, sizeof(path), "%s/pe-log.txt", dir);
			pes_ok += check_pe_numbers(f, p, path) == 0;
			check_ok += check_isolation(f, p, dir, &beside) == 0;
			if (beside) {
				size_t k = strlen(beside_cases);
				char name[300];

				snprintf(beside_cases + k, sizeof(beside_cases) - k, "%s%s", k ? " " : "", e->d_name);
				snprintf(name, sizeof(name), " %s ", e->d_name);
				if (!strstr(beside_want[m], name))
					fail_msg("%s: an endpoint beside a bridge fencing other PEs, not expected", dir);
				nbeside++;
			}
			compare_allocation(f, p, dir, &sum);
			free(want);
			free(got);
			acs_fabric_free(f);
		}
		closedir(d);
		print_message("%s: %d/%d captures: groups match the kernel's; %d/%d: every PE number matches; "
			      "%d/%d: pe --check passes on the kernel's BARs; endpoints beside a bridge fencing "
			      "other PEs: %s\n",
			      machines[m], groups_ok, cases, pes_ok, cases, check_ok, cases, beside_cases);
		assert_int_equal(nbeside, beside_count[m]);
		print_message("%s: M32 segments: kernel %zu, allocate (bridge windows kept) %zu, flat %zu, "
			      "first-fit (flat) %zu, lower bound %zu; flat packing breaks a bridge window on %zu PHBs\n",
			      machines[m], sum.kernel, sum.packed, sum.flat, sum.first_fit, sum.bound, sum.flat_misrouted);
		assert_int_equal(groups_ok, cases);
		assert_int_equal(pes_ok, cases);
		assert_int_equal(check_ok, cases);
		total += cases;
	}
	if (!total)
		print_message("no powernv captures yet\n");
}

/*
 * QEMU's nvme PFs on powernv9 (QEMU 7.2's only SR-IOV device): the kernel
 * sized VF BAR0 (resource 7) at 16 KiB, then ignored the capability, as it
 * is not whole 64 KiB pages: no VFs, no sriov_* files (the case script
 * found none). acsctl, from the dump alone (no sizes), says no VFs are
 * possible (the VF BAR is not prefetchable either).
 */
static void test_power_vm__sriov_nvme(void **state)
{
	char dir[1200], path[1300], addr[32];
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	const acs_platform *p = acs_platform_find("powernv9");
	acs_fabric *f = NULL;
	acs_pe_table *t = NULL;
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/powernv9/sriov-nvme", root);
	snprintf(path, sizeof(path), "%s/lspci.txt", dir);
	if (stat(path, &st) != 0)
		skip();
	o.kind = ACS_SOURCE_DUMP;
	o.path = path;
	assert_int_equal(acs_fabric_load(&f, &o), 0);
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_iov_count(t), 2);
	for (size_t k = 0; k < 2; k++) {
		const acs_pe_iov *e = acs_pe_iov_at(t, k);
		uint64_t size[13];

		assert_int_equal(e->reason, ACS_PE_IOV_NOT_M64);
		assert_int_equal(e->num_vfs, 0);
		snprintf(path, sizeof(path), "%s/resources.txt", dir);
		resource_sizes(path, acs_func_addr(acs_fabric_func(f, e->pf), addr, sizeof(addr)), size, 13);
		assert_int_equal(size[7], 16384);
		assert_int_not_equal(size[7] % ACS_PE_PAGE_SIZE, 0);
	}
	snprintf(path, sizeof(path), "%s/case.out", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	acs_pe_free(t);
	acs_fabric_free(f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_vm__pes_and_groups),
		cmocka_unit_test(test_power_vm__sriov_nvme),
	};

	root = argc > 1 ? argv[1] : "tests/fixtures/vm-power";
	return cmocka_run_group_tests_name("power", tests, NULL, NULL);
}
