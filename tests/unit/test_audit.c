/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit's issues and sites: one issue per pair of groups and place,
 * every member, the ports short of ACS, the fix; one site per place. The
 * fix is the planner's: on hand-built fabrics and on every VM capture
 * (with and without ReqRedir cleared by a simulated boot), each issue's
 * fix is what acs_plan_compute_flags() gives for its two groups as tenants,
 * unsafe groups allowed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tfab.h"
#include "acsctl/synth.h"

#define ACS_ON 0x001d

static size_t idx(const acs_fabric *f, const char *addr)
{
	unsigned bus, dev, fn;

	assert_int_equal(sscanf(addr, "%x:%x.%u", &bus, &dev, &fn), 3);
	return acs_fabric_index(f, acs_fabric_find(f, 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn));
}

/* A root port with ACS, a switch below it with n downstream ports (ACS
 * control ctrl[i], NO_ACS for none) and an endpoint below each. */
static acs_fabric *switch_fabric(const int *ctrl, int n)
{
	struct tfab t;

	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, (uint8_t)(2 + n), ACS_ON, false);
	tfab_upstream(&t, "01:00.0", 2, (uint8_t)(2 + n));
	for (int i = 0; i < n; i++) {
		char a[16];

		snprintf(a, sizeof(a), "02:%02x.0", i);
		tfab_downstream(&t, a, (uint8_t)(3 + i), (uint8_t)(3 + i), ctrl[i]);
	}
	for (int i = 0; i < n; i++) {
		char e[16];

		snprintf(e, sizeof(e), "%02x:00.0", 3 + i);
		tfab_endpoint(&t, e, false, NO_ACS);
	}
	return tfab_end(&t);
}

static bool has_member(const acs_audit_issue *is, size_t fn)
{
	for (size_t i = 0; i < is->ndevices; i++)
		if (is->devices[i] == fn)
			return true;
	return false;
}

/* The two groups as tenants (their endpoints): the requirement the fix is
 * for. dev and ten: room for is->ndevices. */
static acs_requirement tenants(const acs_fabric *f, const acs_audit_issue *is, size_t *dev, int *ten)
{
	acs_requirement r = { ACS_REQ_TENANT, 0, dev, ten };
	size_t k = 0;

	for (size_t g = 0; g < is->ngroups; g++) {
		for (size_t i = 0; i < is->group_sizes[g]; i++, k++) {
			const struct acs_func *fn = acs_fabric_func(f, is->devices[k]);

			if (fn->is_bridge || fn->class_code >> 8 == 0x0600)
				continue;
			dev[r.n] = is->devices[k];
			ten[r.n++] = (int)g;
		}
	}
	return r;
}

/* The planner's answer for the tenants. */
static acs_plan *plan_for(const acs_fabric *f, const acs_policy *p, const acs_audit_issue *is)
{
	size_t *dev = malloc((is->ndevices + 1) * sizeof(*dev));
	int *ten = malloc((is->ndevices + 1) * sizeof(*ten));
	acs_requirement r;
	acs_plan *plan = NULL;

	assert_non_null(dev);
	assert_non_null(ten);
	r = tenants(f, is, dev, ten);
	/* the audit's fix is the planner's answer for the tenants alone: it
	 * may split a group whose parts still reach each other (issue 16), which
	 * a plan with truthful groups refuses */
	assert_int_equal(acs_plan_compute_flags(&plan, f, p, &r, 1, ACS_PLAN_ALLOW_UNSAFE_GROUPS), 0);
	free(dev);
	free(ten);
	return plan;
}

/* Whether the tenants are apart in the fabric (after a fix). */
static bool plan_check(const acs_fabric *after, const acs_policy *p, const acs_audit_issue *is)
{
	size_t *dev = malloc((is->ndevices + 1) * sizeof(*dev));
	int *ten = malloc((is->ndevices + 1) * sizeof(*ten));
	acs_requirement r;
	bool ok;

	assert_non_null(dev);
	assert_non_null(ten);
	r = tenants(after, is, dev, ten);
	ok = acs_plan_check(after, p, &r, 1);
	free(dev);
	free(ten);
	return ok;
}

/* Each issue's fix against the planner's; returns the issues compared. */
static size_t check_against_planner(const char *name, const acs_fabric *f, const acs_policy *p)
{
	acs_audit *a = NULL;
	size_t compared = 0;

	assert_int_equal(acs_audit_run(&a, f, p, acs_policy_hardware(p)), 0);
	for (size_t i = 0; i < acs_audit_issue_count(a); i++) {
		const acs_audit_issue *is = acs_audit_issue_at(a, i);
		const struct acs_ctrl_change *ch;
		acs_plan *plan;
		size_t n;

		if (is->meets_kind == ACS_MEET_STALE)
			continue;
		plan = plan_for(f, acs_policy_hardware(p), is);
		if (acs_plan_unknown(plan, &(const uint32_t *){ NULL })) {
			acs_plan_free(plan);
			continue;
		}
		if (acs_plan_feasible(plan) == is->fix.assign_together)
			fail_msg("%s: issue %zu (%s): planner %s, audit %s", name, i, is->reason,
				 acs_plan_feasible(plan) ? "feasible" : "infeasible",
				 is->fix.assign_together ? "assign together" : "a fix");
		n = acs_plan_changes(plan, &ch);
		if (acs_plan_feasible(plan)) {
			bool same = n == is->fix.nchanges;
			acs_fabric *after = NULL;

			/* the planner's minimum where its search was exhaustive; past
			 * 9 candidate ports it is greedy (every required bit, then
			 * ports dropped): the same ports, ours a subset of its bits */
			for (size_t k = 0; same && k < n; k++)
				same = ch[k].index == is->fix.changes[k].index &&
				       (acs_plan_exact(plan) ? ch[k].ctrl == is->fix.changes[k].ctrl :
					(ch[k].ctrl & is->fix.changes[k].ctrl) == is->fix.changes[k].ctrl);
			/* and the planner's own check holds after our fix */
			assert_int_equal(acs_fabric_with_acs_ctrl(&after, f, is->fix.changes, is->fix.nchanges), 0);
			same &= plan_check(after, acs_policy_hardware(p), is);
			acs_fabric_free(after);
			if (!same)
				fail_msg("%s: issue %zu (%s): planner %zu changes (first %04x), audit %zu (first %04x)",
					 name, i, is->reason, n, n ? ch[0].ctrl : 0, is->fix.nchanges,
					 is->fix.nchanges ? is->fix.changes[0].ctrl : 0);
		}
		acs_plan_free(plan);
		compared++;
	}
	acs_audit_free(a);
	return compared;
}

/* Two ports of four lack ReqRedir (the capability has it): 6 routes, 5
 * pairs of groups, one site; the fix sets ReqRedir on the two, as the
 * planner would. */
static void test_audit_issues__redirect_cleared(void **state)
{
	const int ctrl[4] = { 0x0011, 0x0011, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(ctrl, 4);
	acs_audit *a;
	const acs_audit_site *s;
	size_t unsafe = 0;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	for (size_t i = 0; i < acs_audit_count(a); i++)
		unsafe += acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE;
	assert_int_equal(unsafe, 6);
	assert_int_equal(acs_audit_issue_count(a), 5);
	assert_int_equal(acs_audit_site_count(a), 1);
	s = acs_audit_site_at(a, 0);
	assert_int_equal(s->meets_kind, ACS_MEET_SWITCH);
	assert_int_equal(s->meets_at, (long)idx(f, "01:00.0"));
	assert_int_equal(s->ngroups, 4);
	assert_int_equal(s->nissues, 5);
	assert_int_equal(s->nmissing, 2);
	assert_int_equal(s->missing[0].port, idx(f, "02:00.0"));
	assert_int_equal(s->missing[1].port, idx(f, "02:01.0"));
	assert_true(s->missing[0].capability);
	/* the kernel requires SV RR CR UF; 0x0011 has SV and UF */
	assert_int_equal(s->missing[0].bits, ACS_RR | ACS_CR);
	assert_false(s->fix.assign_together);
	assert_int_equal(s->ntogether, 0);
	assert_int_equal(s->fix.nchanges, 2);
	assert_int_equal(s->fix.changes[0].index, idx(f, "02:00.0"));
	assert_int_equal(s->fix.changes[0].ctrl, 0x0015);
	assert_int_equal(s->fix.changes[1].ctrl, 0x0015);
	assert_string_equal(s->fix.config_acs, "pci=config_acs=0010101@0000:02:00.0;0010101@0000:02:01.0");
	/* the first pair: both ways, both ports; every member, the ports passed */
	{
		const acs_audit_issue *is = acs_audit_issue_at(a, 0);

		assert_int_equal(is->ngroups, 2);
		assert_true(has_member(is, idx(f, "02:00.0")) && has_member(is, idx(f, "03:00.0")));
		assert_true(has_member(is, idx(f, "02:01.0")) && has_member(is, idx(f, "04:00.0")));
		assert_int_equal(is->ndevices, 4);
		assert_int_equal(is->nroutes, 2);
		assert_int_equal(is->nmissing, 2);
		assert_int_equal(is->nvia, 3);
		assert_int_equal(is->via[1], idx(f, "01:00.0"));
		assert_int_equal(is->fix.nchanges, 2);
		assert_non_null(strstr(is->reason, "reach each other across switch 0000:01:00.0"));
	}
	/* the others: one way, one port to change */
	for (size_t i = 1; i < 5; i++) {
		const acs_audit_issue *is = acs_audit_issue_at(a, i);

		assert_int_equal(is->nroutes, 1);
		assert_int_equal(is->nmissing, 1);
		assert_int_equal(is->fix.nchanges, 1);
		assert_non_null(strstr(is->reason, "requests from group "));
	}
	acs_audit_free(a);
	assert_int_equal(check_against_planner("redirect cleared", f, acs_policy_default()), 5);
	acs_fabric_free(f);
}

/* A kernel without config_acs: the changes, no parameter. */
static void test_audit_issues__no_config_acs(void **state)
{
	const int ctrl[2] = { 0x0011, 0x0011 };
	acs_fabric *f = switch_fabric(ctrl, 2);
	acs_audit *a;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_find("6.1"), acs_policy_find("6.1")), 0);
	assert_int_equal(acs_audit_site_count(a), 1);
	assert_int_equal(acs_audit_site_at(a, 0)->fix.nchanges, 2);
	assert_null(acs_audit_site_at(a, 0)->fix.config_acs);
	acs_audit_free(a);
	acs_fabric_free(f);
}

/* Ports without ACS: nothing to set; the groups go together, all of them
 * (each pair that must, and what goes with either). */
static void test_audit_issues__no_acs_assign_together(void **state)
{
	const int ctrl[3] = { NO_ACS, NO_ACS, NO_ACS };
	acs_fabric *f = switch_fabric(ctrl, 3);
	acs_audit *a;
	const acs_audit_site *s;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	assert_int_equal(acs_audit_issue_count(a), 3);
	for (size_t i = 0; i < 3; i++) {
		const acs_audit_issue *is = acs_audit_issue_at(a, i);

		assert_true(is->fix.assign_together);
		assert_int_equal(is->fix.nchanges, 0);
		assert_null(is->fix.config_acs);
		assert_false(is->missing[0].capability);
		assert_int_equal(is->missing[0].bits, ACS_REQ_FLAGS);
	}
	s = acs_audit_site_at(a, 0);
	assert_int_equal(acs_audit_site_count(a), 1);
	assert_true(s->fix.assign_together);
	assert_int_equal(s->ntogether, 1);
	assert_int_equal(s->together_sizes[0], 3);
	assert_int_equal(s->fix.nchanges, 0);
	assert_int_equal(s->nmissing, 3);
	acs_audit_free(a);
	assert_int_equal(check_against_planner("no ACS", f, acs_policy_default()), 3);
	acs_fabric_free(f);
}

/* One port without ACS, one that can redirect: the one reaches every
 * other group, so all go together and no change is worth making. */
static void test_audit_issues__mixed(void **state)
{
	const int ctrl[3] = { NO_ACS, 0x0011, ACS_ON };
	acs_fabric *f = switch_fabric(ctrl, 3);
	acs_audit *a;
	const acs_audit_site *s;
	size_t fixable = 0;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	assert_int_equal(acs_audit_issue_count(a), 3);
	for (size_t i = 0; i < 3; i++)
		fixable += !acs_audit_issue_at(a, i)->fix.assign_together;
	assert_int_equal(fixable, 1);   /* 02:01.0's group and 02:02.0's */
	s = acs_audit_site_at(a, 0);
	assert_int_equal(s->ntogether, 1);
	assert_int_equal(s->together_sizes[0], 3);
	assert_int_equal(s->fix.nchanges, 0);
	acs_audit_free(a);
	assert_int_equal(check_against_planner("mixed", f, acs_policy_default()), 3);
	acs_fabric_free(f);
}

/* The kernel joins everything below a port that does not redirect; groups
 * formed otherwise (a PE platform's) may not: then every group below that
 * port reaches each group beside it, not only the first endpoint's. */
static void test_audit_issues__groups_below_a_port(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_groups *g = NULL;
	acs_audit *a;
	const acs_audit_site *s;
	int32_t *group_of;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 8, ACS_ON, false);
	tfab_upstream(&t, "01:00.0", 2, 8);
	tfab_downstream(&t, "02:00.0", 3, 6, 0x0011);
	tfab_downstream(&t, "02:01.0", 7, 7, ACS_ON);
	tfab_upstream(&t, "03:00.0", 4, 6);
	tfab_downstream(&t, "04:00.0", 5, 5, ACS_ON);
	tfab_downstream(&t, "04:01.0", 6, 6, ACS_ON);
	tfab_endpoint(&t, "05:00.0", false, NO_ACS);
	tfab_endpoint(&t, "06:00.0", false, NO_ACS);
	tfab_endpoint(&t, "07:00.0", false, NO_ACS);
	f = tfab_end(&t);
	/* every function its own group */
	group_of = malloc(acs_fabric_count(f) * sizeof(*group_of));
	assert_non_null(group_of);
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		group_of[i] = (int32_t)i;
	assert_int_equal(acs_groups_from(&g, f, group_of), 0);
	assert_int_equal(acs_audit_run_groups(&a, f, g, acs_policy_default()), 0);
	assert_int_equal(acs_audit_site_count(a), 1);
	s = acs_audit_site_at(a, 0);
	assert_int_equal(s->meets_at, (long)idx(f, "01:00.0"));
	assert_int_equal(s->ngroups, 3);
	assert_int_equal(s->nissues, 2);   /* 05 and 06 each with 07; not with each other */
	assert_int_equal(s->fix.nchanges, 1);
	assert_int_equal(s->fix.changes[0].index, idx(f, "02:00.0"));
	for (size_t i = 0; i < 2; i++) {
		const acs_audit_issue *is = acs_audit_issue_at(a, i);

		assert_true(has_member(is, idx(f, "07:00.0")));
		assert_int_equal(is->ndevices, 2);
		assert_int_equal(is->nroutes, 1);   /* the route found for 05, standing for 06 too */
	}
	acs_audit_free(a);
	acs_groups_free(g);
	free(group_of);
	acs_fabric_free(f);
}

/* Functions of one device in groups of their own (groups formed
 * otherwise) that do not redirect reach each other inside it; ReqRedir on
 * each fixes it. */
static void test_audit_issues__device(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_groups *g = NULL;
	acs_audit *a;
	const acs_audit_issue *is;
	int32_t group_of[3] = { 0, 1, 2 };

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", true, 0x0000);
	tfab_endpoint(&t, "01:00.1", true, 0x0000);
	f = tfab_end(&t);
	assert_int_equal(acs_fabric_count(f), 3);
	assert_int_equal(acs_groups_from(&g, f, group_of), 0);
	assert_int_equal(acs_audit_run_groups(&a, f, g, acs_policy_default()), 0);
	assert_int_equal(acs_audit_issue_count(a), 1);
	is = acs_audit_issue_at(a, 0);
	assert_int_equal(is->meets_kind, ACS_MEET_DEVICE);
	assert_int_equal(is->meets_at, (long)idx(f, "01:00.0"));
	assert_int_equal(is->nmissing, 2);
	assert_int_equal(is->missing[0].bits, ACS_RR | ACS_CR);
	assert_false(is->fix.assign_together);
	assert_int_equal(is->fix.nchanges, 2);
	assert_int_equal(is->fix.changes[0].ctrl, ACS_RR);
	assert_int_equal(is->fix.changes[1].ctrl, ACS_RR);
	assert_string_equal(is->fix.config_acs, "pci=config_acs=0000100@0000:01:00.0;0000100@0000:01:00.1");
	assert_int_equal(acs_audit_site_count(a), 1);
	assert_int_equal(acs_audit_site_at(a, 0)->meets_kind, ACS_MEET_DEVICE);
	acs_audit_free(a);
	acs_groups_free(g);
	acs_fabric_free(f);
}

/* Nothing unsafe: no issues, no sites. */
static void test_audit_issues__clean(void **state)
{
	const int ctrl[4] = { ACS_ON, ACS_ON, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(ctrl, 4);
	acs_audit *a;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	assert_int_equal(acs_audit_issue_count(a), 0);
	assert_int_equal(acs_audit_site_count(a), 0);
	assert_null(acs_audit_issue_at(a, 0));
	assert_null(acs_audit_site_at(a, 0));
	acs_audit_free(a);
	acs_fabric_free(f);
}

/* A finding as one string: kind, devices, ports passed, reason. */
static char *finding_key(const acs_finding *fd)
{
	char *k = malloc(64 + 12 * (fd->ndevices + fd->nvia) + strlen(fd->reason));
	size_t n = (size_t)sprintf(k, "%d|", fd->kind);

	assert_non_null(k);
	for (size_t i = 0; i < fd->ndevices; i++)
		n += (size_t)sprintf(k + n, "%u,", fd->devices[i]);
	n += (size_t)sprintf(k + n, "|");
	for (size_t i = 0; i < fd->nvia; i++)
		n += (size_t)sprintf(k + n, "%u,", fd->via[i]);
	sprintf(k + n, "|%s", fd->reason);
	return k;
}

static int key_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The audit's findings as sorted keys; *n their count. */
static char **finding_keys(const acs_audit *a, size_t *n)
{
	char **k = calloc(acs_audit_count(a) + 1, sizeof(*k));

	assert_non_null(k);
	*n = 0;
	for (size_t i = 0; i < acs_audit_count(a); i++)
		if (acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE || acs_audit_at(a, i)->kind == ACS_FINDING_UNKNOWN)
			k[(*n)++] = finding_key(acs_audit_at(a, i));
	qsort(k, *n, sizeof(*k), key_cmp);
	return k;
}

static bool has_key(char **k, size_t n, const char *key)
{
	return bsearch(&key, k, n, sizeof(*k), key_cmp) != NULL;
}

static void free_keys(char **k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i]);
	free(k);
}

/*
 * The plan checks a candidate by auditing only where its changes reach
 * (acs_change_scope(), acs_audit_run_scoped()): on switches of 64 ports,
 * with ReqRedir turned over on every fifth port, every route finding of
 * the full audit after is the scoped audit's or, out of scope, one the
 * fabric before had word for word; and the scoped audit finds nothing
 * the full one does not.
 */
static void test_audit_scoped__the_rest_is_before(void **state)
{
	acs_groups *g_after = NULL;
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *before = NULL, *after = NULL;
	acs_audit *full_before, *full_after, *scoped;
	struct acs_ctrl_change *ch;
	char **kb, **ka, **ks;
	size_t n, nch = 0, nb, na, ns, from_before = 0, in_scope = 0;
	uint8_t *scope;

	(void)state;
	o.functions = 3000;
	o.seed = 2;
	o.switch_ports = 64;
	assert_int_equal(acs_fabric_synth(&before, &o), 0);
	n = acs_fabric_count(before);
	ch = calloc(n + 1, sizeof(*ch));
	scope = calloc(n + 1, 1);
	assert_non_null(ch);
	assert_non_null(scope);
	for (size_t i = 0, ports = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(before, i);

		if (fn->pcie_type == ACS_PCIE_DOWNSTREAM && fn->acs_pos && ports++ % 5 == 0)
			ch[nch++] = (struct acs_ctrl_change){ i, (uint16_t)(fn->acs_ctrl ^ ACS_RR) };
	}
	assert_true(nch > 10);
	assert_int_equal(acs_fabric_with_acs_ctrl(&after, before, ch, nch), 0);
	assert_int_equal(acs_change_scope(before, ch, nch, scope), 0);
	assert_int_equal(acs_audit_run(&full_before, before, acs_policy_default(), acs_policy_default()), 0);
	assert_int_equal(acs_audit_run(&full_after, after, acs_policy_default(), acs_policy_default()), 0);
	assert_int_equal(acs_groups_compute(&g_after, after, acs_policy_default()), 0);
	assert_int_equal(acs_audit_run_scoped(&scoped, after, g_after, acs_policy_default(), scope), 0);
	kb = finding_keys(full_before, &nb);
	ka = finding_keys(full_after, &na);
	ks = finding_keys(scoped, &ns);
	for (size_t i = 0; i < na; i++) {
		bool s = has_key(ks, ns, ka[i]);

		in_scope += s;
		if (!s) {
			assert_true(has_key(kb, nb, ka[i]));
			from_before++;
		}
	}
	for (size_t i = 0; i < ns; i++)
		assert_true(has_key(ka, na, ks[i]));
	/* both kinds occur: the test is not empty */
	assert_true(in_scope > 0 && from_before > 0);
	assert_true(ns < na);
	free_keys(kb, nb);
	free_keys(ka, na);
	free_keys(ks, ns);
	acs_audit_free(full_before);
	acs_audit_free(full_after);
	acs_audit_free(scoped);
	acs_groups_free(g_after);
	acs_fabric_free(after);
	acs_fabric_free(before);
	free(ch);
	free(scope);
}

/* The 64-port fabric of 3000 functions with ReqRedir turned over on
 * every fifth downstream port: *nch changes. */
static acs_fabric *fifth_ports(struct acs_ctrl_change **ch, size_t *nch)
{
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *f = NULL;
	size_t n;

	o.functions = 3000;
	o.seed = 2;
	o.switch_ports = 64;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	n = acs_fabric_count(f);
	*ch = calloc(n + 1, sizeof(**ch));
	assert_non_null(*ch);
	*nch = 0;
	for (size_t i = 0, ports = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		if (fn->pcie_type == ACS_PCIE_DOWNSTREAM && fn->acs_pos && ports++ % 5 == 0)
			(*ch)[(*nch)++] = (struct acs_ctrl_change){ i, (uint16_t)(fn->acs_ctrl ^ ACS_RR) };
	}
	assert_true(*nch > 10);
	return f;
}

/*
 * What a plan audits is a view of the fabric (acs_fabric__view_with_acs_ctrl():
 * its control words changed, the rest borrowed) and the findings alone
 * (acs_audit_run_findings()): the view reads as the rebuilt copy
 * (acs_fabric_with_acs_ctrl()) reads, function by function and in its
 * groups, and its findings are the full audit's of the copy, in order and
 * word for word, without the issues; and it outlives the fabric's own
 * acs_fabric_free().
 */
static void test_audit_findings__view_as_copy(void **state)
{
	const acs_policy *p = acs_policy_default();
	struct acs_ctrl_change *ch;
	size_t nch;
	acs_fabric *before = fifth_ports(&ch, &nch), *copy = NULL, *view = NULL;
	acs_groups *gc = NULL, *gv = NULL;
	acs_audit *full = NULL, *found = NULL;

	(void)state;
	assert_int_equal(acs_fabric_with_acs_ctrl(&copy, before, ch, nch), 0);
	assert_int_equal(acs_fabric__view_with_acs_ctrl(&view, before, ch, nch), 0);
	assert_int_equal(acs_fabric_count(view), acs_fabric_count(copy));
	for (size_t i = 0; i < acs_fabric_count(copy); i++) {
		const struct acs_func *c = acs_fabric_func(copy, i), *v = acs_fabric_func(view, i);

		assert_int_equal(v->acs_ctrl, c->acs_ctrl);
		assert_int_equal(v->acs_pos, c->acs_pos);
		if (c->acs_pos)
			assert_int_equal(acs_func_cfg16(v, c->acs_pos + ACS_PCI_ACS_CTRL),
					 acs_func_cfg16(c, c->acs_pos + ACS_PCI_ACS_CTRL));
		assert_int_equal(acs_fabric_index(view, acs_fabric_parent(view, v) ? acs_fabric_parent(view, v) : v),
				 acs_fabric_index(copy, acs_fabric_parent(copy, c) ? acs_fabric_parent(copy, c) : c));
	}
	/* the view changed only itself */
	for (size_t k = 0; k < nch; k++)
		assert_int_not_equal(acs_fabric_func(before, ch[k].index)->acs_ctrl,
				     acs_fabric_func(view, ch[k].index)->acs_ctrl);
	assert_int_equal(acs_groups_compute(&gc, copy, p), 0);
	assert_int_equal(acs_groups_compute(&gv, view, p), 0);
	assert_int_equal(acs_groups_count(gv), acs_groups_count(gc));
	for (size_t i = 0; i < acs_fabric_count(copy); i++)
		assert_int_equal(acs_groups_of(gv, i), acs_groups_of(gc, i));
	assert_int_equal(acs_audit_run(&full, copy, p, p), 0);
	assert_int_equal(acs_audit_run_findings(&found, view, gv, p), 0);
	assert_true(acs_audit_count(full) > 100);
	assert_int_equal(acs_audit_count(found), acs_audit_count(full));
	for (size_t i = 0; i < acs_audit_count(full); i++) {
		char *a = finding_key(acs_audit_at(full, i)), *b = finding_key(acs_audit_at(found, i));

		assert_string_equal(b, a);
		free(a);
		free(b);
	}
	assert_true(acs_audit_issue_count(full) > 0);
	assert_int_equal(acs_audit_issue_count(found), 0);
	assert_int_equal(acs_audit_site_count(found), 0);
	/* the view holds what it borrows: freed first, the fabric it views
	 * lives on until the view goes (ASan and valgrind see the reads) */
	acs_fabric_free(before);
	acs_groups_free(gv);
	gv = NULL;
	assert_int_equal(acs_groups_compute(&gv, view, p), 0);
	for (size_t i = 0; i < acs_fabric_count(copy); i++)
		assert_int_equal(acs_groups_of(gv, i), acs_groups_of(gc, i));
	acs_audit_free(full);
	acs_audit_free(found);
	acs_groups_free(gc);
	acs_groups_free(gv);
	acs_fabric_free(view);
	acs_fabric_free(copy);
	free(ch);
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

struct tally {
	size_t cases, compared, fixable;
};

/* One input, as read and booted with ReqRedir cleared on its downstream
 * ports (all of them, and every other one): each issue's fix is the
 * planner's, each site's issues are the audit's, and every unsafe route
 * belongs to an issue. */
static void check_input(struct tally *t, const char *name, const char *path, const acs_policy *p)
{
	acs_fabric *f;
	acs_audit *a;

	if (access(path, R_OK) || !(f = load(path)))
		return;
	t->compared += check_against_planner(name, f, p);
	for (int every = 1; every <= 2; every++) {
		char cmdline[4096] = "pci=disable_acs_redir=", addr[32], what[1600];
		acs_boot_opts o = ACS_BOOT_OPTS_INIT;
		acs_boot *b = NULL;
		size_t any = 0;

		for (size_t i = 0; i < acs_fabric_count(f); i++) {
			const struct acs_func *fn = acs_fabric_func(f, i);

			if (fn->pcie_type != ACS_PCIE_DOWNSTREAM || !fn->acs_pos ||
			    strlen(cmdline) + 40 > sizeof(cmdline))
				continue;
			if (any++ % (size_t)every)
				continue;
			snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
				 any > 1 ? ";" : "", acs_func_addr(fn, addr, sizeof(addr)));
		}
		o.cmdline = cmdline;
		if (!any || acs_boot_simulate(&b, f, p, &o))
			continue;
		snprintf(what, sizeof(what), "%s with ReqRedir cleared on 1 in %d downstream ports", name, every);
		t->compared += check_against_planner(what, acs_boot_fabric(b), p);
		assert_int_equal(acs_audit_run(&a, acs_boot_fabric(b), p, p), 0);
		for (size_t i = 0; i < acs_audit_issue_count(a); i++)
			t->fixable += !acs_audit_issue_at(a, i)->fix.assign_together;
		acs_audit_free(a);
		acs_boot_free(b);
	}
	/* sites and issues agree; every unsafe route is in an issue */
	assert_int_equal(acs_audit_run(&a, f, p, p), 0);
	{
				size_t in_issues = 0, unsafe = 0, site_issues = 0;

				for (size_t i = 0; i < acs_audit_count(a); i++)
					unsafe += acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE;
				for (size_t i = 0; i < acs_audit_count(a); i++) {
					bool found = false;

					for (size_t j = 0; j < acs_audit_issue_count(a) && !found; j++) {
						const acs_audit_issue *is = acs_audit_issue_at(a, j);

						for (size_t r = 0; r < is->nroutes; r++)
							found |= is->routes[r] == i;
					}
					in_issues += found;
				}
				assert_int_equal(in_issues, unsafe);
				for (size_t s = 0; s < acs_audit_site_count(a); s++)
					site_issues += acs_audit_site_at(a, s)->nissues;
				assert_int_equal(site_issues, acs_audit_issue_count(a));
				assert_true((acs_audit_issue_count(a) > 0) == (unsafe > 0));
	}
	acs_audit_free(a);
	acs_fabric_free(f);
	t->cases++;
}

/* Every VM capture and every example. */
static void test_audit_fixtures__fix_is_the_planners(void **state)
{
	const char *root = getenv("ACSCTL_FIXTURES"), *examples = getenv("ACSCTL_EXAMPLES");
	const char *kernels[] = { "6.1", "6.12" };
	struct tally t = { 0, 0, 0 };
	struct dirent *e;
	DIR *d;

	(void)state;
	if (!root)
		root = "tests/fixtures/vm";
	if (!examples)
		examples = "examples";
	for (int k = 0; k < 2; k++) {
		char dir[1024];

		snprintf(dir, sizeof(dir), "%s/%s", root, kernels[k]);
		if (!(d = opendir(dir)))
			continue;
		while ((e = readdir(d))) {
			char path[1400], name[1500];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/lspci.txt", dir, e->d_name);
			snprintf(name, sizeof(name), "%s/%s", kernels[k], e->d_name);
			check_input(&t, name, path, acs_policy_find(kernels[k]));
		}
		closedir(d);
	}
	if ((d = opendir(examples))) {
		while ((e = readdir(d))) {
			char path[1400];

			if (e->d_name[0] == '.' || !strstr(e->d_name, ".json"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", examples, e->d_name);
			check_input(&t, e->d_name, path, acs_policy_default());
			check_input(&t, e->d_name, path, acs_policy_find("6.1"));
		}
		closedir(d);
	}
	print_message("%zu inputs, %zu issues compared with the planner, %zu fixable\n", t.cases, t.compared,
		      t.fixable);
	assert_true(t.cases > 0);
	assert_true(t.fixable > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_issues__redirect_cleared),
		cmocka_unit_test(test_audit_issues__no_config_acs),
		cmocka_unit_test(test_audit_issues__no_acs_assign_together),
		cmocka_unit_test(test_audit_issues__mixed),
		cmocka_unit_test(test_audit_issues__groups_below_a_port),
		cmocka_unit_test(test_audit_issues__device),
		cmocka_unit_test(test_audit_issues__clean),
		cmocka_unit_test(test_audit_fixtures__fix_is_the_planners),
		cmocka_unit_test(test_audit_scoped__the_rest_is_before),
		cmocka_unit_test(test_audit_findings__view_as_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
