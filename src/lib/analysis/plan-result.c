/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan as acsctl plan shows it, computed once for every format: the
 * plan (plan.c), the fabric after its changes with its groups, P2P and
 * audit, the pairs to assign together, and each way of making it stick,
 * its kernel parameter checked by booting the fabric with it
 * (acs_boot_simulate()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "acsctl/whatif.h"

/* acs.conf's tokens (acsctl apply's grammar), in register order */
static const struct {
	uint16_t bit;
	const char *name;
} conf_tokens[] = {
	{ ACS_SV, "SV" }, { ACS_TB, "TB" }, { ACS_RR, "RR" }, { ACS_CR, "CR" },
	{ ACS_UF, "UF" }, { ACS_EC, "EC" }, { ACS_DT, "DT" },
};

struct acs_plan_result {
	acs_plan *plan;
	acs_fabric *after;
	acs_groups *groups;
	bool *group_new;             /* per group after */
	acs_audit *audit;
	acs_plan_pair *pairs;
	size_t npairs;
	acs_plan_opened *opened;     /* directions the plan opens beyond the request */
	size_t nopened;
	uint64_t opened_total;
	acs_plan_warning *warnings;
	size_t nwarnings;
	struct acs_lines messages;   /* the warnings' */
	acs_plan_boot ways[4];
	size_t nways;
	struct acs_lines strings;    /* what the ways point to */
	struct acs_lines lines[4];   /* per way */
	const char *cmdline;
};

/* A string the result owns, or NULL out of memory. */
static const char *keep(acs_plan_result *r, char *s)
{
	const char *k;

	if (!s)
		return NULL;
	k = acs_lines_add(&r->strings, "%s", s) ? NULL : r->strings.v[r->strings.n - 1];
	free(s);
	return k;
}

/* Each group after whose members no group has now: what the plan changes
 * in the partition. now: the groups of before, or NULL; freed here
 * unless they are the groups after. */
static int mark_new_groups(acs_plan_result *r, const acs_fabric *f, const acs_policy *p, acs_groups *now)
{
	size_t n = acs_groups_count(r->groups);
	/* the plan's groups of before where it computed them */
	int rc = now ? 0 : acs_groups_compute(&now, f, p);

	r->group_new = calloc(n + 1, sizeof(*r->group_new));
	if (!rc && !r->group_new)
		rc = acs_error_nomem();
	for (size_t id = 0; !rc && id < n; id++) {
		const uint32_t *m, *m0;
		size_t k = acs_groups_members(r->groups, id, &m);
		size_t k0 = k ? acs_groups_members(now, acs_groups_of(now, m[0]), &m0) : 0;
		bool same = k == k0;

		for (size_t j = 0; same && j < k; j++)
			same = acs_groups_of(now, m[j]) == acs_groups_of(now, m[0]);
		r->group_new[id] = !same;
	}
	if (now != r->groups)
		acs_groups_free(now);
	return rc;
}

/* The warned pairs (a, b) as a << 32 | b + 1, open addressing: a 64-port
 * switch's audit has hundreds of thousands of findings to look up. */
struct pair_set {
	uint64_t *slot;       /* 0: empty */
	size_t mask;
};

static size_t pair_slot(const struct pair_set *s, uint64_t key)
{
	size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & s->mask;

	while (s->slot[h] && s->slot[h] != key)
		h = (h + 1) & s->mask;
	return h;
}

static uint64_t pair_key(uint32_t a, uint32_t b)
{
	return ((uint64_t)a << 32 | b) + 1;
}

/* Pairs the groups after keep apart though they reach each other, each
 * pair once whichever way it reaches. */
static int assign_together(acs_plan_result *r, const acs_policy *p)
{
	size_t n = acs_audit_count(r->audit), cap = 16;
	struct pair_set seen;
	int rc = 0;

	while (cap < 2 * n)
		cap *= 2;
	seen.mask = cap - 1;
	seen.slot = calloc(cap, sizeof(*seen.slot));
	r->warnings = calloc(n + 1, sizeof(*r->warnings));
	if (!r->warnings || !seen.slot) {
		free(seen.slot);
		return acs_error_nomem();
	}
	for (size_t i = 0; !rc && i < n; i++) {
		const acs_finding *fd = acs_audit_at(r->audit, i);
		uint64_t back;

		if (fd->kind != ACS_FINDING_UNSAFE || fd->ndevices != 2)
			continue;
		/* the same pair the other way was warned of */
		back = pair_key(fd->devices[1], fd->devices[0]);
		if (seen.slot[pair_slot(&seen, back)] == back)
			continue;
		seen.slot[pair_slot(&seen, pair_key(fd->devices[0], fd->devices[1]))] = pair_key(fd->devices[0], fd->devices[1]);
		/* one sentence for every pair: a 64-port switch has
		 * hundreds of thousands of them */
		if (!r->messages.n)
			rc = acs_lines_add(&r->messages, "Linux %s keeps them in separate groups, but they reach each other",
					   acs_policy_name(p));
		if (rc)
			break;
		r->warnings[r->nwarnings++] = (acs_plan_warning){ ACS_PLAN_ASSIGN_TOGETHER, 2,
			{ fd->devices[0], fd->devices[1] }, r->messages.v[0] };
	}
	free(seen.slot);
	return rc;
}

static bool p2p_kind(int kind)
{
	return kind == ACS_REQ_P2P || kind == ACS_REQ_P2P_HARDWARE;
}

/* Consecutive devices of each --p2p requirement, as the kernel sees
 * them after the changes. */
static int p2p_pairs(acs_plan_result *r, const acs_policy *p, const acs_requirement *reqs, size_t nreqs,
		     int cpu)
{
	size_t n = 0;

	for (size_t k = 0; k < nreqs; k++)
		if (p2p_kind(reqs[k].kind) && reqs[k].n > 1)
			n += reqs[k].n - 1;
	r->pairs = calloc(n + 1, sizeof(*r->pairs));
	if (!r->pairs)
		return acs_error_nomem();
	for (size_t k = 0; k < nreqs; k++) {
		if (!p2p_kind(reqs[k].kind))
			continue;
		for (size_t i = 0; i + 1 < reqs[k].n; i++) {
			acs_plan_pair *q = &r->pairs[r->npairs++];

			q->a = reqs[k].devices[i];
			q->b = reqs[k].devices[i + 1];
			acs_p2pdma_distance(r->after, p, cpu, q->a, q->b, &q->p2pdma);
		}
	}
	return 0;
}

/* Boot the fabric with param: *meets whether it meets the requirements,
 * *exact whether every changed function gets its planned control. */
static int boot_check(const acs_fabric *f, const acs_policy *p, const char *param, const acs_requirement *reqs,
		      size_t nreqs, const struct acs_ctrl_change *ch, size_t n, bool *meets, bool *exact)
{
	acs_boot_opts o = ACS_BOOT_OPTS_INIT;
	acs_boot *b = NULL;
	int rc;

	o.cmdline = param;
	rc = acs_boot_simulate(&b, f, p, &o);
	if (rc)
		return rc;
	*meets = acs_plan_check(acs_boot_fabric(b), acs_boot_policy(b), reqs, nreqs);
	*exact = true;
	for (size_t i = 0; i < n; i++)
		*exact &= acs_fabric_func(acs_boot_fabric(b), ch[i].index)->acs_ctrl == ch[i].ctrl;
	acs_boot_free(b);
	return 0;
}

/* A kernel parameter way, with its loader lines. */
static int param_way(acs_plan_result *r, int way, char *param, bool meets)
{
	acs_plan_boot *w = &r->ways[r->nways];
	char *grub = NULL, *ki = NULL;
	int rc;

	w->way = way;
	w->meets = meets ? ACS_YES : ACS_NO;
	if (!(w->param = keep(r, param)))
		return acs_error_nomem();
	rc = acs_boot_loader_line(&grub, ACS_BOOT_LOADER_GRUB, w->param);
	if (!rc)
		rc = acs_boot_loader_line(&ki, ACS_BOOT_LOADER_KERNEL_INSTALL, w->param);
	if (rc) {
		free(grub);
		free(ki);
		return rc;
	}
	w->grub = keep(r, grub);
	w->kernel_install = keep(r, ki);
	if (!w->grub || !w->kernel_install)
		return acs_error_nomem();
	r->nways++;
	return 0;
}

/* acs.conf for acsctl-apply.service: each port's every capability bit
 * (all seven where it has none), so the line gives the planned control
 * whatever the port holds when it runs. */
static int unit_way(acs_plan_result *r, const acs_fabric *f, const struct acs_ctrl_change *ch, size_t n)
{
	acs_plan_boot *w = &r->ways[r->nways];
	struct acs_lines *l = &r->lines[r->nways];
	int rc = 0;

	w->way = ACS_PLAN_WAY_BOOT_UNIT;
	w->file = "/etc/acsctl/acs.conf";
	w->meets = ACS_MAYBE;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, ch[i].index);
		uint16_t cap = fn->acs_cap & 0x7f ? fn->acs_cap & 0x7f : 0x7f;
		char addr[32], bits[64] = "";

		for (size_t k = 0; k < sizeof(conf_tokens) / sizeof(conf_tokens[0]); k++)
			if (cap & conf_tokens[k].bit)
				snprintf(bits + strlen(bits), sizeof(bits) - strlen(bits), "%s%s%c", bits[0] ? "," : "",
					 conf_tokens[k].name, ch[i].ctrl & conf_tokens[k].bit ? '+' : '-');
		rc = acs_lines_add(l, "%s:%s", acs_func_addr(fn, addr, sizeof(addr)), bits);
	}
	w->lines = (const char *const *)l->v;
	w->nlines = l->n;
	r->nways++;
	return rc;
}

static int live_way(acs_plan_result *r, const acs_fabric *f, const struct acs_ctrl_change *ch, size_t n)
{
	acs_plan_boot *w = &r->ways[r->nways];
	struct acs_lines *l = &r->lines[r->nways];
	int rc = 0;

	w->way = ACS_PLAN_WAY_LIVE;
	w->meets = ACS_MAYBE;
	for (size_t i = 0; !rc && i < n; i++) {
		char addr[32];

		rc = acs_lines_add(l, "setpci -s %s ECAP_ACS+0x6.w=0x%04x",
				   acs_func_addr(acs_fabric_func(f, ch[i].index), addr, sizeof(addr)), ch[i].ctrl);
	}
	w->lines = (const char *const *)l->v;
	w->nlines = l->n;
	r->nways++;
	return rc;
}

/* Each way of making the changes stick: config_acs where the kernel has
 * it; else disable_acs_redir where booting with it gives every change,
 * and the boot unit; then live. */
static int ways(acs_plan_result *r, const acs_fabric *f, const acs_policy *p, const acs_requirement *reqs,
		size_t nreqs)
{
	const struct acs_ctrl_change *ch;
	size_t n = acs_plan_changes(r->plan, &ch);
	bool meets = false, exact = false;
	char *param = NULL;
	int rc = 0;

	if (!n)
		return 0;
	if (acs_policy_has_config_acs(p)) {
		rc = acs_boot_param(&param, ACS_BOOT_CONFIG_ACS, f, ch, n);
		if (!rc)
			rc = boot_check(f, p, param, reqs, nreqs, ch, n, &meets, &exact);
		if (!rc)
			rc = param_way(r, ACS_PLAN_WAY_CONFIG_ACS, param, meets);
		else
			free(param);
	} else {
		rc = acs_boot_param(&param, ACS_BOOT_DISABLE_ACS_REDIR, f, ch, n);
		if (!rc)
			rc = boot_check(f, p, param, reqs, nreqs, ch, n, &meets, &exact);
		if (!rc && exact)
			rc = param_way(r, ACS_PLAN_WAY_DISABLE_ACS_REDIR, param, meets);
		else
			free(param);
		if (!rc)
			rc = unit_way(r, f, ch, n);
	}
	if (!rc && r->nways && r->ways[0].param)
		r->cmdline = r->ways[0].param;
	if (!rc)
		rc = live_way(r, f, ch, n);
	return rc;
}

/* Whether a's requests to b are asked for: both in one P2P set, or the
 * one-way pair a,b. */
static bool asked(const acs_requirement *reqs, size_t nreqs, size_t a, size_t b)
{
	for (size_t k = 0; k < nreqs; k++) {
		const acs_requirement *q = &reqs[k];
		bool ia = false, ib = false;

		if (q->kind == ACS_REQ_P2P_ONE_WAY) {
			if (q->n == 2 && q->devices[0] == a && q->devices[1] == b)
				return true;
			continue;
		}
		if (q->kind != ACS_REQ_P2P && q->kind != ACS_REQ_P2P_HARDWARE && q->kind != ACS_REQ_P2P_TRANSLATED)
			continue;
		for (size_t i = 0; i < q->n; i++) {
			ia |= q->devices[i] == a;
			ib |= q->devices[i] == b;
		}
		if (ia && ib)
			return true;
	}
	return false;
}

/* Every direction the changes open (a request that went through the
 * root complex goes direct after) that no requirement asked for: RR off
 * on a port opens its devices' requests to every peer below the switch,
 * not only the one asked for. From the what-if of before and after,
 * which routes only the pairs whose paths pass a changed port. */
static int opened_pairs(acs_plan_result *r, const acs_fabric *f, const acs_policy *p,
			const acs_requirement *reqs, size_t nreqs, int cpu)
{
	acs_whatif_opts o = ACS_WHATIF_OPTS_INIT;
	const acs_whatif_pair *w;
	acs_whatif *wi = NULL;
	size_t n;
	int rc;

	o.cpu = cpu;
	o.max_pairs = SIZE_MAX;
	rc = acs_whatif_run_p2p(&wi, f, p, r->after, p, &o);
	if (rc)
		return rc;
	n = acs_whatif_p2p(wi, &w, NULL);
	r->opened = calloc(n + 1, sizeof(*r->opened));
	if (!r->opened)
		rc = acs_error_nomem();
	for (size_t i = 0; !rc && i < n; i++) {
		unsigned gained = w[i].reach[1] & ~w[i].reach[0], extra = 0;

		if ((gained & ACS_WHATIF_REACH_A_TO_B) && !asked(reqs, nreqs, w[i].a, w[i].b))
			extra |= ACS_WHATIF_REACH_A_TO_B;
		if ((gained & ACS_WHATIF_REACH_B_TO_A) && !asked(reqs, nreqs, w[i].b, w[i].a))
			extra |= ACS_WHATIF_REACH_B_TO_A;
		if (!extra)
			continue;
		r->opened_total++;
		if (r->nopened < ACS_PLAN_OPENED_MAX)
			r->opened[r->nopened++] = (acs_plan_opened){ w[i].a, w[i].b, extra };
	}
	acs_whatif_free(wi);
	return rc;
}

static int build(acs_plan_result *r, const acs_fabric *f, const acs_policy *p, const acs_requirement *reqs,
		 size_t nreqs, int cpu, unsigned int flags)
{
	const struct acs_ctrl_change *ch;
	const uint32_t *unk;
	size_t n;
	/* feasible only where the audit after finds nothing new unsafe,
	 * unless ACS_PLAN_ALLOW_UNSAFE_GROUPS */
	acs_groups *before = NULL;
	int rc = acs_plan__compute(&r->plan, f, p, reqs, nreqs, flags & ~ACS_PLAN_FINDINGS_ONLY, &before);

	if (rc || !acs_plan_feasible(r->plan) || acs_plan_unknown(r->plan, &unk)) {
		acs_groups_free(before);
		return rc;
	}
	n = acs_plan_changes(r->plan, &ch);
	/* a view of f holding it: the control words alone change */
	rc = acs_fabric__view_with_acs_ctrl(&r->after, f, ch, n);
	if (rc) {
		acs_groups_free(before);
		return rc;
	}
	/* the changes are made at boot: the groups a live source holds now
	 * are the kernel's of before, so the groups after are the predicted */
	if (r->after->kgroups == ACS_KGROUPS_PRESENT)
		r->after->kgroups = ACS_KGROUPS_UNKNOWN;
	if (!n && before)
		r->groups = before;   /* no change: the groups after are before's */
	else
		rc = acs_groups_compute(&r->groups, r->after, p);
	if (!rc)
		rc = mark_new_groups(r, f, p, before);
	else
		acs_groups_free(before);
	/* groups as the policy forms them (r->groups), routes as the
	 * hardware has them */
	if (!rc && (flags & ACS_PLAN_FINDINGS_ONLY))
		rc = acs_audit_run_findings(&r->audit, r->after, r->groups, acs_policy_hardware(p));
	else if (!rc)
		rc = acs_audit_run(&r->audit, r->after, p, acs_policy_hardware(p));
	if (!rc)
		rc = assign_together(r, p);
	if (!rc)
		rc = p2p_pairs(r, p, reqs, nreqs, cpu);
	if (!rc)
		rc = opened_pairs(r, f, p, reqs, nreqs, cpu);
	if (!rc)
		rc = ways(r, f, p, reqs, nreqs);
	return rc;
}

int acs_plan_result_build(acs_plan_result **out, const acs_fabric *f, const acs_policy *p,
			  const acs_requirement *reqs, size_t nreqs, const acs_plan_opts *o)
{
	acs_plan_result *r;
	int rc;

	*out = NULL;
	if (!o || (o->version != 1 && o->version != ACS_PLAN_OPTS_VERSION))
		return acs_error_set(ACS_EINVAL, "acs_plan_opts: unsupported version");
	r = calloc(1, sizeof(*r));
	if (!r)
		return acs_error_nomem();
	rc = build(r, f, p, reqs, nreqs, o->cpu, o->version >= 2 ? o->flags : 0);
	if (rc) {
		acs_plan_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

size_t acs_plan_result_opened(const acs_plan_result *r, const acs_plan_opened **pairs, uint64_t *total)
{
	*pairs = r->opened;
	if (total)
		*total = r->opened_total;
	return r->nopened;
}

const acs_plan *acs_plan_result_plan(const acs_plan_result *r)
{
	return r->plan;
}

const acs_fabric *acs_plan_result_fabric(const acs_plan_result *r)
{
	return r->after;
}

const acs_groups *acs_plan_result_groups(const acs_plan_result *r)
{
	return r->groups;
}

bool acs_plan_result_group_new(const acs_plan_result *r, size_t id)
{
	return r->groups && id < acs_groups_count(r->groups) && r->group_new[id];
}

const acs_audit *acs_plan_result_audit(const acs_plan_result *r)
{
	return r->audit;
}

size_t acs_plan_result_p2p(const acs_plan_result *r, const acs_plan_pair **pairs)
{
	*pairs = r->pairs;
	return r->npairs;
}

size_t acs_plan_result_warnings(const acs_plan_result *r, const acs_plan_warning **warnings)
{
	*warnings = r->warnings;
	return r->nwarnings;
}

size_t acs_plan_result_ways(const acs_plan_result *r, const acs_plan_boot **ways)
{
	*ways = r->ways;
	return r->nways;
}

const char *acs_plan_result_cmdline(const acs_plan_result *r)
{
	return r->cmdline;
}

void acs_plan_result_free(acs_plan_result *r)
{
	if (!r)
		return;
	acs_plan_free(r->plan);
	acs_fabric_free(r->after);
	acs_groups_free(r->groups);
	free(r->group_new);
	acs_audit_free(r->audit);
	free(r->pairs);
	free(r->opened);
	free(r->warnings);
	acs_lines_free(&r->messages);
	acs_lines_free(&r->strings);
	for (size_t i = 0; i < sizeof(r->lines) / sizeof(r->lines[0]); i++)
		acs_lines_free(&r->lines[i]);
	free(r);
}
