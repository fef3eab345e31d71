/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The partition diff (groups split, merged, moved, unchanged) and the
 * what-if result: groups, every P2P pair accounted for, audit findings
 * matched by what they are. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

static size_t idx(const acs_fabric *f, const char *a)
{
	unsigned bus, dev, fn;
	const struct acs_func *x;

	assert_int_equal(sscanf(a, "%x:%x.%u", &bus, &dev, &fn), 3);
	x = acs_fabric_find(f, 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
	assert_non_null(x);
	return acs_fabric_index(f, x);
}

static void test_whatif_partition__kinds(void **state)
{
	/* a: {0,1} {2,3} {4} {5} {7} {8,9}; b: {0} {1,2,3} {4,5} {6} {8,9} */
	const int32_t a[] = { 0, 0, 1, 1, 2, 3, -1, 5, 6, 6 };
	const int32_t b[] = { 7, 8, 8, 8, 9, 9, 4, -1, 10, 10 };
	acs_partition_diff *d;
	const acs_partition_change *c;
	const uint32_t *v;

	(void)state;
	assert_int_equal(acs_partition_diff_compute(&d, a, b, 10), 0);
	assert_int_equal(acs_partition_diff_count(d), 3);
	c = acs_partition_diff_at(d, 0);
	assert_int_equal(c->kind, ACS_PARTITION_SPLIT);
	assert_int_equal(c->group, 0);
	assert_int_equal(c->count, 2);
	assert_int_equal(c->funcs[0], 0);
	assert_int_equal(c->funcs[1], 1);
	assert_int_equal(c->other[0], 7);
	assert_int_equal(c->other[1], 8);
	assert_int_equal(c->nother, 2);
	c = acs_partition_diff_at(d, 1);
	assert_int_equal(c->kind, ACS_PARTITION_MERGED);
	assert_int_equal(c->group, 8);
	assert_int_equal(c->count, 3);
	assert_int_equal(c->other[0], 0);
	assert_int_equal(c->other[2], 1);
	c = acs_partition_diff_at(d, 2);
	assert_int_equal(c->kind, ACS_PARTITION_MERGED);
	assert_int_equal(c->group, 9);
	assert_int_equal(c->nother, 2);
	assert_null(acs_partition_diff_at(d, 3));
	/* 1 left {0,1}, which split, for {1,2,3}, which merged */
	assert_int_equal(acs_partition_diff_moved(d, &v), 1);
	assert_int_equal(v[0], 1);
	assert_int_equal(acs_partition_diff_only(d, 0, &v), 1);
	assert_int_equal(v[0], 7);
	assert_int_equal(acs_partition_diff_only(d, 1, &v), 1);
	assert_int_equal(v[0], 6);
	assert_int_equal(acs_partition_diff_compared(d), 8);
	assert_int_equal(acs_partition_diff_groups(d, 0), 6);
	assert_int_equal(acs_partition_diff_groups(d, 1), 5);
	/* only {8,9}: {2,3} lies in one group of b, but that group has more */
	assert_int_equal(acs_partition_diff_unchanged(d), 1);
	acs_partition_diff_free(d);
	acs_partition_diff_free(NULL);
}

/* Other ids, the same partition: nothing differs. */
static void test_whatif_partition__same(void **state)
{
	const int32_t a[] = { 3, 3, 1, 2, 2, 2, -1 };
	const int32_t b[] = { 0, 0, 5, 9, 9, 9, -1 };
	acs_partition_diff *d;
	const uint32_t *v;

	(void)state;
	assert_int_equal(acs_partition_diff_compute(&d, a, b, 7), 0);
	assert_int_equal(acs_partition_diff_count(d), 0);
	assert_int_equal(acs_partition_diff_unchanged(d), 3);
	assert_int_equal(acs_partition_diff_moved(d, &v), 0);
	assert_int_equal(acs_partition_diff_only(d, 0, &v), 0);
	assert_int_equal(acs_partition_diff_compared(d), 6);
	acs_partition_diff_free(d);
	assert_int_equal(acs_partition_diff_compute(&d, a, b, 0), 0);
	assert_int_equal(acs_partition_diff_count(d), 0);
	acs_partition_diff_free(d);
}

/* A member absent from the other side does not make a group split, but
 * its group is not unchanged either. */
static void test_whatif_partition__absent(void **state)
{
	const int32_t a[] = { 0, 0, 0 };
	const int32_t b[] = { 4, 4, -1 };
	acs_partition_diff *d;

	(void)state;
	assert_int_equal(acs_partition_diff_compute(&d, a, b, 3), 0);
	assert_int_equal(acs_partition_diff_count(d), 0);
	assert_int_equal(acs_partition_diff_unchanged(d), 0);
	acs_partition_diff_free(d);
}

/* A root port with ACS above a switch whose three downstream ports
 * redirect peer requests. */
static acs_fabric *switch_fabric(void)
{
	struct tfab t;

	tfab_begin(&t);
	tfab_root_port(&t, "00:02.0", 1, 5, 0x1d, false);
	tfab_upstream(&t, "01:00.0", 2, 5);
	tfab_downstream(&t, "02:00.0", 3, 3, 0x1d);
	tfab_downstream(&t, "02:01.0", 4, 4, 0x1d);
	tfab_downstream(&t, "02:02.0", 5, 5, 0x1d);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	tfab_endpoint(&t, "04:00.0", false, NO_ACS);
	tfab_endpoint(&t, "05:00.0", false, NO_ACS);
	return tfab_end(&t);
}

static acs_fabric *with_ctrl(const acs_fabric *f, const char *const *ports, size_t n, uint16_t ctrl)
{
	struct acs_ctrl_change ch[8];
	acs_fabric *out = NULL;

	for (size_t i = 0; i < n; i++)
		ch[i] = (struct acs_ctrl_change){ idx(f, ports[i]), ctrl };
	assert_int_equal(acs_fabric_with_acs_ctrl(&out, f, ch, n), 0);
	return out;
}

static void test_whatif_switch__redirect_cleared(void **state)
{
	static const char *const dsp[] = { "02:00.0", "02:01.0", "02:02.0" };
	const acs_policy *p = acs_policy_find("6.12");
	acs_fabric *f = switch_fabric(), *g = with_ctrl(f, dsp, 3, 0x11);
	acs_whatif *w;
	const acs_partition_change *c;
	const acs_whatif_pair *pr;
	acs_whatif_p2p_stats st;
	const size_t *x;
	const uint32_t *v;
	size_t n;

	(void)state;
	assert_int_equal(acs_whatif_run(&w, f, p, g, p, NULL), 0);
	/* each downstream port now shares its endpoint's group */
	n = acs_whatif_group_changes(w, &c);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c[i].kind, ACS_PARTITION_MERGED);
		assert_int_equal(c[i].count, 2);
		assert_int_equal(c[i].funcs[0], idx(g, dsp[i]));
		assert_int_equal(c[i].nother, 2);
	}
	assert_int_equal(acs_whatif_groups_unchanged(w),
			 acs_groups_count(acs_whatif_groups(w, ACS_WHATIF_BEFORE)) - 6);
	assert_int_equal(acs_whatif_moved(w, &v), 0);
	assert_int_equal(acs_whatif_only(w, ACS_WHATIF_AFTER, &v), 0);
	assert_int_equal(acs_whatif_only(w, ACS_WHATIF_BEFORE, &v), 0);
	/* three endpoints, three pairs, each now bus_addr and direct both ways */
	n = acs_whatif_p2p(w, &pr, &st);
	assert_int_equal(st.peers, 3);
	assert_int_equal(st.pairs, 3);
	assert_int_equal(st.routed, 3);
	assert_int_equal(st.changed, 3);
	assert_int_equal(st.gained, 3);
	assert_int_equal(st.lost, 0);
	assert_false(st.truncated);
	assert_int_equal(n, 3);
	assert_int_equal(pr[0].a, idx(g, "03:00.0"));
	assert_int_equal(pr[0].b, idx(g, "04:00.0"));
	assert_int_equal(pr[2].a, idx(g, "04:00.0"));
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(pr[i].map[0], ACS_P2P_BUS_ADDR);
		assert_int_equal(pr[i].map[1], ACS_P2P_BUS_ADDR);
		assert_int_equal(pr[i].reach[0], 0);
		assert_int_equal(pr[i].reach[1], ACS_WHATIF_REACH_A_TO_B | ACS_WHATIF_REACH_B_TO_A);
		assert_true(pr[i].gained);
		assert_false(pr[i].unknown);
	}
	/* the audit gains unsafe findings between the endpoints, loses none */
	n = acs_whatif_audit_diff(w, ACS_WHATIF_AFTER, &x);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(acs_audit_at(acs_whatif_audit(w, ACS_WHATIF_AFTER), x[i])->kind, ACS_FINDING_UNSAFE);
	assert_int_equal(acs_whatif_audit_diff(w, ACS_WHATIF_BEFORE, &x), 0);
	assert_int_equal(acs_whatif_unknown(w, &v), 0);
	acs_whatif_free(w);

	/* and back: the same, the other way round */
	assert_int_equal(acs_whatif_run(&w, g, p, f, p, NULL), 0);
	n = acs_whatif_group_changes(w, &c);
	assert_int_equal(n, 3);
	assert_int_equal(c[0].kind, ACS_PARTITION_SPLIT);
	acs_whatif_p2p(w, &pr, &st);
	assert_int_equal(st.lost, 3);
	assert_true(acs_whatif_audit_diff(w, ACS_WHATIF_BEFORE, &x) >= 1);
	assert_int_equal(acs_whatif_audit_diff(w, ACS_WHATIF_AFTER, &x), 0);
	acs_whatif_free(w);
	acs_fabric_free(f);
	acs_fabric_free(g);
}

/* One port: the pairs through it change one way only (a request from
 * its endpoint goes across; one to it enters by ports that redirect). */
static void test_whatif_switch__one_port(void **state)
{
	static const char *const dsp[] = { "02:00.0" };
	const acs_policy *p = acs_policy_find("6.12");
	acs_fabric *f = switch_fabric(), *g = with_ctrl(f, dsp, 1, 0x11);
	acs_whatif_opts o = ACS_WHATIF_OPTS_INIT;
	acs_whatif *w;
	const acs_whatif_pair *pr;
	acs_whatif_p2p_stats st;

	(void)state;
	o.max_pairs = 1;
	assert_int_equal(acs_whatif_run(&w, f, p, g, p, &o), 0);
	assert_int_equal(acs_whatif_p2p(w, &pr, &st), 1);
	/* 03:00.0 with 04:00.0 and 05:00.0; 04:00.0 with 05:00.0 is not routed */
	assert_int_equal(st.routed, 2);
	assert_int_equal(st.changed, 2);
	assert_true(st.truncated);
	assert_int_equal(pr[0].a, idx(g, "03:00.0"));
	assert_int_equal(pr[0].reach[1], ACS_WHATIF_REACH_A_TO_B);
	/* the other end still redirects: pci_p2pdma says no */
	assert_int_equal(pr[0].map[0], pr[0].map[1]);
	acs_whatif_free(w);
	acs_fabric_free(f);
	acs_fabric_free(g);
}

/* The same fabric twice: nothing differs, nothing is routed again. */
static void test_whatif_same__nothing(void **state)
{
	const acs_policy *p = acs_policy_find("6.1");
	acs_fabric *f = switch_fabric(), *g = with_ctrl(f, NULL, 0, 0);
	acs_whatif *w;
	const acs_partition_change *c;
	const acs_whatif_pair *pr;
	acs_whatif_p2p_stats st;
	const size_t *x;

	(void)state;
	assert_int_equal(acs_whatif_run(&w, f, p, g, p, NULL), 0);
	assert_int_equal(acs_whatif_group_changes(w, &c), 0);
	assert_int_equal(acs_whatif_groups_unchanged(w), acs_groups_count(acs_whatif_groups(w, 0)));
	assert_int_equal(acs_whatif_p2p(w, &pr, &st), 0);
	assert_int_equal(st.pairs, 3);
	assert_int_equal(st.routed, 0);
	assert_int_equal(acs_whatif_audit_diff(w, 0, &x), 0);
	assert_int_equal(acs_whatif_audit_diff(w, 1, &x), 0);
	assert_int_equal(acs_whatif_map(w, ACS_WHATIF_AFTER, idx(g, "04:00.0")), (long)idx(f, "04:00.0"));
	acs_whatif_free(w);
	acs_whatif_free(NULL);
	acs_fabric_free(f);
	acs_fabric_free(g);
}

static void test_whatif_run__bad_opts(void **state)
{
	const acs_policy *p = acs_policy_find("6.12");
	acs_fabric *f = switch_fabric();
	acs_whatif_opts o = ACS_WHATIF_OPTS_INIT;
	acs_whatif *w = (acs_whatif *)&o;

	(void)state;
	o.version = 99;
	assert_int_equal(acs_whatif_run(&w, f, p, f, p, &o), ACS_EINVAL);
	assert_null(w);
	acs_fabric_free(f);
}

static acs_fabric *load(const char *path)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	o.kind = ACS_SOURCE_FILE;
	o.path = path;
	if (acs_fabric_load(&f, &o))
		fail_msg("%s: %s", path, acs_error_last()->message);
	return f;
}

/* VFs enabled: added to a group; and the other way round, removed. */
static void test_whatif_vfs__added_removed(void **state)
{
	const char *src = getenv("ACSCTL_SOURCE");
	char path[1024];
	const acs_policy *p = acs_policy_find("6.12");
	acs_fabric *f, *g = NULL;
	acs_whatif *w;
	const uint32_t *v;
	acs_whatif_p2p_stats st;
	const acs_whatif_pair *pr;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/examples/gpu8-nic8-nvme16.json", src ? src : ".");
	f = load(path);
	assert_int_equal(acs_fabric_with_vfs(&g, f, idx(f, "06:00.0"), 2), 0);
	assert_int_equal(acs_whatif_run(&w, f, p, g, p, NULL), 0);
	n = acs_whatif_only(w, ACS_WHATIF_AFTER, &v);
	assert_int_equal(n, 2);
	assert_int_equal(acs_groups_of(acs_whatif_groups(w, 1), v[0]) == ACS_NO_GROUP, false);
	assert_int_equal(acs_whatif_only(w, ACS_WHATIF_BEFORE, &v), 0);
	acs_whatif_p2p(w, &pr, &st);
	/* pairs of functions on both sides only */
	assert_true(st.routed < st.pairs);
	acs_whatif_free(w);

	assert_int_equal(acs_whatif_run(&w, g, p, f, p, NULL), 0);
	n = acs_whatif_only(w, ACS_WHATIF_BEFORE, &v);
	assert_int_equal(n, 2);
	assert_true(acs_fabric_func(g, v[0])->is_virtfn);
	assert_int_equal(acs_whatif_map(w, ACS_WHATIF_BEFORE, v[0]), -1);
	assert_int_equal(acs_whatif_only(w, ACS_WHATIF_AFTER, &v), 0);
	acs_whatif_free(w);
	acs_fabric_free(f);
	acs_fabric_free(g);
}

/* Pairs not routed again are proven unchanged: routing every pair gives
 * the same changes. */
struct tally {
	size_t cases;
	uint64_t routed, pairs, changed;
};

static void same_as_all(const char *name, const acs_fabric *f, const acs_policy *pf, const acs_fabric *g,
			const acs_policy *pg, struct tally *t)
{
	acs_whatif_opts o = ACS_WHATIF_OPTS_INIT;
	acs_whatif *w, *all;
	const acs_whatif_pair *x, *y;
	acs_whatif_p2p_stats sx, sy;
	size_t nx, ny;

	o.max_pairs = SIZE_MAX;
	assert_int_equal(acs_whatif_run(&w, f, pf, g, pg, &o), 0);
	o.route_all = true;
	assert_int_equal(acs_whatif_run(&all, f, pf, g, pg, &o), 0);
	nx = acs_whatif_p2p(w, &x, &sx);
	ny = acs_whatif_p2p(all, &y, &sy);
	if (nx != ny || sx.changed != sy.changed || sx.gained != sy.gained || sy.routed != sy.pairs)
		fail_msg("%s: %zu changes routing %llu pairs, %zu routing all %llu", name, nx,
			 (unsigned long long)sx.routed, ny, (unsigned long long)sy.routed);
	for (size_t i = 0; i < nx; i++)
		if (x[i].a != y[i].a || x[i].b != y[i].b || x[i].gained != y[i].gained || x[i].unknown != y[i].unknown ||
		    memcmp(x[i].map, y[i].map, sizeof(x[i].map)) || memcmp(x[i].reach, y[i].reach, sizeof(x[i].reach)) ||
		    memcmp(x[i].distance, y[i].distance, sizeof(x[i].distance)))
			fail_msg("%s: change %zu differs", name, i);
	t->routed += sx.routed;
	t->pairs += sx.pairs;
	t->changed += sx.changed;
	t->cases++;
	acs_whatif_free(w);
	acs_whatif_free(all);
}

/* Each port with ACS: redirect flipped; booted (the kernel enables ACS on
 * every port) with an override; every PF's VFs enabled, and disabled. */
static void changes_of(const char *name, const acs_fabric *f, const acs_policy *p, struct tally *t)
{
	acs_boot *boot = NULL;
	acs_boot_opts bo = ACS_BOOT_OPTS_INIT;
	char what[1500];

	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		struct acs_ctrl_change ch = { i, (uint16_t)((fn->acs_ctrl ^ (ACS_RR | ACS_CR)) & fn->acs_cap) };
		acs_fabric *g = NULL;

		if (!fn->acs_pos || !acs_func_acs_known(fn))
			continue;
		assert_int_equal(acs_fabric_with_acs_ctrl(&g, f, &ch, 1), 0);
		snprintf(what, sizeof(what), "%s port %zu", name, i);
		same_as_all(what, f, p, g, p, t);
		acs_fabric_free(g);
	}
	bo.cmdline = "pcie_acs_override=downstream,multifunction";
	assert_int_equal(acs_boot_simulate(&boot, f, p, &bo), 0);
	snprintf(what, sizeof(what), "%s booted", name);
	same_as_all(what, f, p, acs_boot_fabric(boot), acs_boot_policy(boot), t);
	acs_boot_free(boot);
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		acs_fabric *g = NULL;

		if (!fn->sriov_pos || !fn->sriov_total_vfs || acs_fabric_with_vfs(&g, f, i, fn->sriov_total_vfs))
			continue;
		snprintf(what, sizeof(what), "%s VFs of %zu", name, i);
		same_as_all(what, f, p, g, p, t);
		same_as_all(what, g, p, f, p, t);
		acs_fabric_free(g);
	}
}

static void test_whatif_fixtures__pruning_exact(void **state)
{
	const char *root = getenv("ACSCTL_FIXTURES");
	static const char *const kernels[] = { "6.1", "6.12" };
	struct tally t = { 0, 0, 0, 0 };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		const acs_policy *p = acs_policy_find(kernels[k]);
		char dir[1024];
		struct dirent *e;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%s", root ? root : "tests/fixtures/vm", kernels[k]);
		d = opendir(dir);
		if (!d)
			fail_msg("%s: no VM captures", dir);
		while ((e = readdir(d))) {
			char path[1400];
			acs_fabric *f;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/lspci.txt", dir, e->d_name);
			f = load(path);
			changes_of(e->d_name, f, p, &t);
			acs_fabric_free(f);
		}
		closedir(d);
	}
	print_message("%zu what-ifs: %llu of %llu pairs routed again, %llu changes, as routing all gives\n", t.cases,
		      (unsigned long long)t.routed, (unsigned long long)t.pairs, (unsigned long long)t.changed);
	assert_true(t.cases > 300);
	assert_true(t.changed > 0);
}

/* A synthetic fabric of 300 functions (switches in switches, VFs,
 * conventional PCI), each change routed both ways. */
static void test_whatif_synth__pruning_exact(void **state)
{
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	struct tally t = { 0, 0, 0, 0 };
	acs_fabric *f;

	(void)state;
	o.functions = 300;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	changes_of("synth", f, acs_policy_find("6.12"), &t);
	print_message("%zu what-ifs: %llu of %llu pairs routed again, %llu changes, as routing all gives\n", t.cases,
		      (unsigned long long)t.routed, (unsigned long long)t.pairs, (unsigned long long)t.changed);
	assert_true(t.changed > 0);
	acs_fabric_free(f);
}

/* Audit findings match by kind, devices and via as sets: the same
 * findings reported in another order are no difference. */
static void test_whatif_audit__identity(void **state)
{
	const acs_policy *p = acs_policy_find("6.12");
	struct tfab t;
	acs_fabric *f, *g;
	acs_whatif *w;
	const size_t *x;
	static const char *const rp[] = { "00:03.0" };

	(void)state;
	/* a switch without ACS: unsafe findings on both sides, unchanged by an
	 * ACS change on another root port */
	tfab_begin(&t);
	tfab_root_port(&t, "00:02.0", 1, 4, 0x1d, false);
	tfab_root_port(&t, "00:03.0", 5, 5, 0x1d, false);
	tfab_upstream(&t, "01:00.0", 2, 4);
	tfab_downstream(&t, "02:00.0", 3, 3, NO_ACS);
	tfab_downstream(&t, "02:01.0", 4, 4, NO_ACS);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	tfab_endpoint(&t, "04:00.0", false, NO_ACS);
	tfab_endpoint(&t, "05:00.0", false, NO_ACS);
	f = tfab_end(&t);
	g = with_ctrl(f, rp, 1, 0x11);
	assert_int_equal(acs_whatif_run(&w, f, p, g, p, NULL), 0);
	assert_int_equal(acs_whatif_audit_diff(w, 0, &x), 0);
	assert_int_equal(acs_whatif_audit_diff(w, 1, &x), 0);
	acs_whatif_free(w);
	acs_fabric_free(f);
	acs_fabric_free(g);
}

/* Before a kernel upgrade: the same fabric under two kernels. Qualcomm
 * Hamoa root ports have their ACS quirk from 7.0 (no 5.4.y): under the
 * oldest modelled kernel the root ports and both endpoints form one
 * group, under the newest each is alone; 7.0 and the newest agree. */
static void test_whatif_kernels__quirk(void **state)
{
	const char *src = getenv("ACSCTL_SOURCE");
	const char *oldest, *newest;
	const acs_policy *po, *pn;
	const acs_partition_change *c;
	const uint32_t *v;
	char path[1024];
	acs_whatif *w;
	acs_fabric *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/whatif-kernel/qcom-hamoa.json", src ? src : ".");
	f = load(path);
	acs_policy_range(&oldest, &newest);
	po = acs_policy_find(oldest);
	pn = acs_policy_find(newest);
	assert_non_null(po);
	assert_non_null(pn);

	/* newest to oldest: one group merges, both endpoints lose isolation */
	assert_int_equal(acs_whatif_run(&w, f, pn, f, po, NULL), 0);
	assert_int_equal(acs_whatif_group_changes(w, &c), 1);
	assert_int_equal(c[0].kind, ACS_PARTITION_MERGED);
	assert_int_equal(c[0].count, 4);
	assert_int_equal(acs_groups_count(acs_whatif_groups(w, ACS_WHATIF_BEFORE)), 4);
	assert_int_equal(acs_groups_count(acs_whatif_groups(w, ACS_WHATIF_AFTER)), 1);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_BEFORE, &v), 2);
	assert_int_equal(v[0], idx(f, "01:00.0"));
	assert_int_equal(v[1], idx(f, "02:00.0"));
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_AFTER, &v), 0);
	acs_whatif_free(w);

	/* oldest to newest: the group splits, both gain isolation */
	assert_int_equal(acs_whatif_run(&w, f, po, f, pn, NULL), 0);
	assert_int_equal(acs_whatif_group_changes(w, &c), 1);
	assert_int_equal(c[0].kind, ACS_PARTITION_SPLIT);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_BEFORE, &v), 0);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_AFTER, &v), 2);
	acs_whatif_free(w);

	/* 7.0, the quirk's first release, and the newest: nothing changes */
	assert_int_equal(acs_whatif_run(&w, f, acs_policy_find("7.0"), f, pn, NULL), 0);
	assert_int_equal(acs_whatif_group_changes(w, &c), 0);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_BEFORE, &v), 0);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_AFTER, &v), 0);
	acs_whatif_free(w);
	acs_fabric_free(f);
}

/* Isolation counts a device's own functions as one: a multifunction
 * endpoint alone below its port is alone; once its root port and the one
 * beside it (one multifunction slot) lose ACS, it shares a group with the
 * other port's endpoint and is not. */
static void test_whatif_isolation__own_device(void **state)
{
	static const char *const rps[] = { "00:02.0", "00:02.1" };
	const acs_policy *p = acs_policy_find("6.12");
	struct tfab t;
	acs_fabric *f, *g;
	acs_whatif *w;
	const uint32_t *v;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:02.0", 1, 1, 0x1d, true);
	tfab_root_port(&t, "00:02.1", 2, 2, 0x1d, true);
	tfab_endpoint(&t, "01:00.0", true, 0x1d);
	tfab_endpoint(&t, "01:00.1", true, 0x1d);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	f = tfab_end(&t);
	g = with_ctrl(f, rps, 2, 0);
	assert_int_equal(acs_whatif_run(&w, f, p, g, p, NULL), 0);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_BEFORE, &v), 3);
	assert_int_equal(v[0], idx(g, "01:00.0"));
	assert_int_equal(v[1], idx(g, "01:00.1"));
	assert_int_equal(v[2], idx(g, "02:00.0"));
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_AFTER, &v), 0);
	acs_whatif_free(w);
	/* and back */
	assert_int_equal(acs_whatif_run(&w, g, p, f, p, NULL), 0);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_BEFORE, &v), 0);
	assert_int_equal(acs_whatif_isolation(w, ACS_WHATIF_AFTER, &v), 3);
	acs_whatif_free(w);
	acs_fabric_free(f);
	acs_fabric_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whatif_partition__kinds),
		cmocka_unit_test(test_whatif_partition__same),
		cmocka_unit_test(test_whatif_partition__absent),
		cmocka_unit_test(test_whatif_switch__redirect_cleared),
		cmocka_unit_test(test_whatif_switch__one_port),
		cmocka_unit_test(test_whatif_same__nothing),
		cmocka_unit_test(test_whatif_run__bad_opts),
		cmocka_unit_test(test_whatif_vfs__added_removed),
		cmocka_unit_test(test_whatif_audit__identity),
		cmocka_unit_test(test_whatif_kernels__quirk),
		cmocka_unit_test(test_whatif_isolation__own_device),
		cmocka_unit_test(test_whatif_fixtures__pruning_exact),
		cmocka_unit_test(test_whatif_synth__pruning_exact),
	};

	return cmocka_run_group_tests_name("whatif", tests, NULL, NULL);
}
