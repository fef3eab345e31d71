/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Planning. What P2P asks for is forced: the kernel's P2PDMA gives
 * bus_addr only when no function on the path (the provider's side up to
 * and including the common bridge, and the client's side) has ReqRedir,
 * CmpltRedir or EgressCtrl set, so those bits must go, and nothing else
 * helps. Isolation only ever needs bits set, and more bits never merge
 * groups nor open a route. So the plan is: the forced clears, then the
 * cheapest set of additions (per candidate port: ReqRedir alone, or every
 * bit the kernel requires) that meets the rest, found by exhaustive search
 * over the candidates in order of cost while they are few, greedily
 * beyond. Every answer is checked by evaluating the what-if fabric.
 *
 * One-way P2P (A's requests to B, B's completions back) clears ReqRedir
 * only on the port where A's requests enter the switch they meet in, and
 * CmpltRedir only where B's completions enter it.
 *
 * Groups that tell the truth: unless ACS_PLAN_ALLOW_UNSAFE_GROUPS, an
 * answer also needs the audit of the fabric after it to find no unsafe
 * pair (different groups, reaching each other) the fabric before did not
 * have. The kernel puts everything below a port whose ACS lacks one of
 * SV, RR, CR, UF (pci_acs_path_enabled(), REQ_ACS_FLAGS) in that port's
 * group, so the search also offers, on each ACS port above a device that
 * P2P opens, clearing one of those bits: SV first, which changes no
 * route (rdma_topo clears it on the root port for the same reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_CAND 9          /* 3^9 = 19683 what-ifs at most */
#define MAX_COMBOS 19683
#define MAX_PATH 600

struct acs_plan {
	bool feasible, exact;
	struct acs_ctrl_change *changes;
	size_t nchanges;
	struct acs_lines conflicts;
	acs_unknown *unknown;     /* what meeting the requirements depends on */
	const uint32_t *unknown_list;
	size_t nunknown;
	bool unsafe_allowed;
	uint32_t *truthful;       /* ports changed to merge groups */
	size_t ntruthful;
};

/* What an answer is checked against. */
struct ctx {
	const acs_fabric *f;
	const acs_policy *p;
	const acs_requirement *reqs;
	size_t nreqs;
	bool truthful;            /* the audit after must find nothing new unsafe */
	acs_fabric *before;       /* the fabric as it is, its groups predicted */
	acs_groups *groups;       /* its groups */
};

#define conflict(p, ...) ((p)->feasible = false, acs_lines_add(&(p)->conflicts, __VA_ARGS__))

static const char *addr(const acs_fabric *f, size_t i, char *buf)
{
	return acs_func_addr(acs_fabric_func(f, i), buf, ACS_ADDR_MAX);
}

static bool same_device(const acs_fabric *f, size_t a, size_t b)
{
	const struct acs_func *x = acs_fabric_func(f, a), *y = acs_fabric_func(f, b);
	const struct acs_func *px = acs_fabric_physfn(f, x), *py = acs_fabric_physfn(f, y);

	x = px ? px : x;
	y = py ? py : y;
	return x->domain == y->domain && x->bus == y->bus && x->dev == y->dev;
}

/* --- checking a fabric against the requirements --- */

static bool check_p2p(const acs_fabric *f, const acs_policy *p, const acs_requirement *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n; j++) {
			struct acs_p2pdma v;

			if (i == j)
				continue;
			acs_p2pdma_distance(f, p, ACS_P2P_CPU_OTHER, r->devices[i], r->devices[j], &v);
			if (v.map != ACS_P2P_BUS_ADDR)
				return false;
		}
	return true;
}

static bool check_translated(const acs_fabric *f, const acs_policy *p, const acs_requirement *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n; j++) {
			struct acs_reach x;

			if (i == j)
				continue;
			acs_route_reach(f, p, r->devices[i], r->devices[j], &x);
			if (x.direct || !x.translated)
				return false;
		}
	return true;
}

static bool completions_direct(const acs_fabric *f, const acs_policy *p, size_t b, size_t a)
{
	struct acs_reach x;

	acs_route_completions(f, p, b, a, &x);
	return x.direct;
}

/* a's requests reach b directly and b's completions come back. */
static bool one_way_direct(const acs_fabric *f, const acs_policy *p, size_t a, size_t b)
{
	struct acs_reach x;

	acs_route_reach(f, p, a, b, &x);
	return x.direct && completions_direct(f, p, b, a);
}

static bool check_one_way(const acs_fabric *f, const acs_policy *p, const acs_requirement *r)
{
	return r->n == 2 && one_way_direct(f, p, r->devices[0], r->devices[1]);
}

static bool check_hardware(const acs_fabric *f, const acs_policy *p, const acs_requirement *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n; j++)
			if (i != j && !one_way_direct(f, p, r->devices[i], r->devices[j]))
				return false;
	return true;
}

/* No endpoint outside d's device shares its group or reaches it. */
static bool check_isolated(const acs_fabric *f, const acs_policy *p, const acs_groups *g, size_t d)
{
	for (size_t e = 0; e < acs_fabric_count(f); e++) {
		struct acs_reach r;

		if (e == d || same_device(f, e, d))
			continue;
		if (acs_groups_of(g, e) == acs_groups_of(g, d) && !acs_fabric_func(f, e)->is_bridge)
			return false;
		if (!acs_func_is_peer(acs_fabric_func(f, e)))
			continue;
		acs_route_reach(f, p, e, d, &r);
		if (r.direct)
			return false;
	}
	/* bridges in d's group other than through its own device: */
	{
		const uint32_t *m;
		size_t n = acs_groups_members(g, acs_groups_of(g, d), &m);

		for (size_t k = 0; k < n; k++)
			if (m[k] != d && !same_device(f, m[k], d))
				return false;
	}
	return true;
}

static bool check_tenants(const acs_fabric *f, const acs_policy *p, const acs_groups *g,
			  const acs_requirement *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n; j++) {
			struct acs_reach x;

			if (r->tenant[i] == r->tenant[j])
				continue;
			if (acs_groups_of(g, r->devices[i]) == acs_groups_of(g, r->devices[j]))
				return false;
			acs_route_reach(f, p, r->devices[i], r->devices[j], &x);
			if (x.direct)
				return false;
		}
	return true;
}

/* Whether a requirement looks at groups: isolation and tenants. */
static bool needs_groups(const acs_requirement *reqs, size_t nreqs)
{
	for (size_t k = 0; k < nreqs; k++)
		if (reqs[k].kind == ACS_REQ_ISOLATE || reqs[k].kind == ACS_REQ_TENANT)
			return true;
	return false;
}

/* The requirements on f, g its groups where needs_groups(). */
static bool check_reqs(const acs_fabric *f, const acs_policy *p, const acs_groups *g,
		       const acs_requirement *reqs, size_t nreqs)
{
	bool ok = true;

	for (size_t k = 0; ok && k < nreqs; k++) {
		const acs_requirement *r = &reqs[k];

		switch (r->kind) {
		case ACS_REQ_P2P: ok = check_p2p(f, p, r); break;
		case ACS_REQ_P2P_TRANSLATED: ok = check_translated(f, p, r); break;
		case ACS_REQ_ISOLATE:
			for (size_t i = 0; ok && i < r->n; i++)
				ok = check_isolated(f, p, g, r->devices[i]);
			break;
		case ACS_REQ_TENANT: ok = check_tenants(f, p, g, r); break;
		case ACS_REQ_P2P_ONE_WAY: ok = check_one_way(f, p, r); break;
		case ACS_REQ_P2P_HARDWARE: ok = check_hardware(f, p, r); break;
		default: ok = false;
		}
	}
	return ok;
}

bool acs_plan_check(const acs_fabric *f, const acs_policy *p, const acs_requirement *reqs,
		    size_t nreqs)
{
	acs_groups *g = NULL;
	/* the groups only where a requirement asks about them: computing
	 * them is most of a P2P check's time on a large fabric */
	bool ok = !needs_groups(reqs, nreqs) || acs_groups_compute(&g, f, p) == 0;

	ok = ok && check_reqs(f, p, g, reqs, nreqs);
	acs_groups_free(g);
	return ok;
}

/* --- planning --- */

struct target {
	uint16_t *ctrl;       /* per function: planned ACS control */
	uint16_t *forced0;    /* per function: bits that must stay clear */
	uint16_t *forced1;    /* per function: bits that must stay set */
};

static uint16_t cap_of(const struct acs_func *fn)
{
	return fn->acs_cap & ACS_PCI_ACS_FLAGS;
}

/* P2P: clear RR/CR/EC on every function of the kernel's path. */
static int plan_p2p(acs_plan *plan, const acs_fabric *f, const acs_policy *p,
		    const acs_requirement *r, struct target *t)
{
	char a[ACS_ADDR_MAX], b[ACS_ADDR_MAX];

	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n; j++) {
			struct acs_p2pdma v;

			if (i == j)
				continue;
			acs_p2pdma_distance(f, p, ACS_P2P_CPU_OTHER, r->devices[i], r->devices[j], &v);
			if (!v.common_upstream) {
				int rc = conflict(plan, "--p2p %s,%s: no PCIe bridge is above both: their P2P can only go through the host bridge",
						  addr(f, r->devices[i], a), addr(f, r->devices[j], b));

				if (rc)
					return rc;
				continue;
			}
			for (size_t k = 0; k < v.npath; k++) {
				size_t x = v.path[k];

				if (!acs_fabric_func(f, x)->acs_pos)
					continue;
				t->ctrl[x] &= (uint16_t)~(ACS_RR | ACS_CR | ACS_EC);
				t->forced0[x] |= ACS_RR | ACS_CR | ACS_EC;
			}
		}
	return 0;
}

/* Translated P2P: Direct Translated on the ports where each side's
 * requests enter the switch they meet in; the redirect stays. */
static int plan_translated(acs_plan *plan, const acs_fabric *f, const acs_policy *p,
			   const acs_requirement *r, struct target *t)
{
	char a[ACS_ADDR_MAX], b[ACS_ADDR_MAX];

	for (size_t i = 0; i < r->n; i++) {
		const struct acs_func *fa = acs_fabric_func(f, r->devices[i]);

		if (!fa->ats_pos)
			return conflict(plan, "--p2p-translated: %s has no ATS: it cannot send translated requests",
					addr(f, r->devices[i], a));
		for (size_t j = 0; j < r->n; j++) {
			struct acs_reach x;
			const struct acs_func *in;

			if (i == j)
				continue;
			acs_route_reach(f, p, r->devices[i], r->devices[j], &x);
			if (x.ingress < 0 || x.turn < 0) {
				int rc = conflict(plan, "--p2p-translated %s,%s: their paths meet only in the root complex",
						  addr(f, r->devices[i], a), addr(f, r->devices[j], b));

				if (rc)
					return rc;
				continue;
			}
			in = acs_fabric_func(f, (size_t)x.ingress);
			if (!in->acs_pos || !(cap_of(in) & ACS_DT)) {
				int rc = conflict(plan, "--p2p-translated %s,%s: %s has no Direct Translated P2P",
						  addr(f, r->devices[i], a), addr(f, r->devices[j], b),
						  addr(f, (size_t)x.ingress, a));

				if (rc)
					return rc;
				continue;
			}
			t->ctrl[x.ingress] |= ACS_DT;
			t->forced1[x.ingress] |= ACS_DT;
		}
	}
	return 0;
}

/* One-way P2P: ReqRedir (and Egress Control, where its vector blocks the
 * port A's requests leave by, B's side) off where A's requests enter the
 * switch they meet in; CmpltRedir off where B's completions enter it.
 * Nothing else: the hardware path, which Egress Control that blocks
 * nothing on it leaves as it is. opt: the option, for the conflict. */
static int plan_one_way_pair(acs_plan *plan, const acs_fabric *f, const acs_policy *p, size_t da, size_t db,
			     const char *opt, struct target *t)
{
	char a[ACS_ADDR_MAX], b[ACS_ADDR_MAX];
	struct acs_reach x, y;

	acs_route_reach(f, p, da, db, &x);
	acs_route_reach(f, p, db, da, &y);
	if (x.ingress < 0 || x.turn < 0 || y.ingress < 0 || y.turn < 0)
		return conflict(plan, "%s %s,%s: their paths meet only in the root complex", opt,
				addr(f, da, a), addr(f, db, b));
	if (acs_fabric_func(f, (size_t)x.ingress)->acs_pos) {
		const struct acs_func *in = acs_fabric_func(f, (size_t)x.ingress);
		uint16_t clr = ACS_RR;

		if (acs_egress_blocks(in, acs_fabric_func(f, (size_t)y.ingress)))
			clr |= t->ctrl[x.ingress] & ACS_EC;

		t->ctrl[x.ingress] &= (uint16_t)~clr;
		t->forced0[x.ingress] |= clr;
	}
	if (acs_fabric_func(f, (size_t)y.ingress)->acs_pos) {
		t->ctrl[y.ingress] &= (uint16_t)~ACS_CR;
		t->forced0[y.ingress] |= ACS_CR;
	}
	return 0;
}

static int plan_one_way(acs_plan *plan, const acs_fabric *f, const acs_policy *p,
			const acs_requirement *r, struct target *t)
{
	if (r->n != 2)
		return conflict(plan, "--p2p-one-way takes two devices, A,B");
	return plan_one_way_pair(plan, f, p, r->devices[0], r->devices[1], "--p2p-one-way", t);
}

/* P2P on the hardware path: one way, each way, every pair; each pair
 * that meets only in the root complex said once. */
static int plan_hardware(acs_plan *plan, const acs_fabric *f, const acs_policy *p,
			 const acs_requirement *r, struct target *t)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < r->n; i++)
		for (size_t j = 0; !rc && j < r->n; j++) {
			bool was = plan->feasible;

			if (i == j)
				continue;
			rc = plan_one_way_pair(plan, f, p, r->devices[i], r->devices[j], "--p2p", t);
			if (!rc && was && !plan->feasible)
				j = i = r->n;    /* one conflict line, not one per pair */
		}
	return rc;
}

/* Candidate ports for isolation: the ACS functions on the paths of the
 * devices and their siblings at every level (where others' requests enter). */
static size_t candidates(const acs_fabric *f, const size_t *devs, size_t n, size_t *out)
{
	size_t m = 0;

	for (size_t k = 0; k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(f, devs[k]);

		for (; fn; fn = acs_fabric_parent(f, fn)) {
			const struct acs_func *up = acs_fabric_parent(f, fn);
			size_t first, cnt;

			if (up) {
				cnt = acs_fabric_children(f, up, &first);
			} else {
				/* the root bus: the other functions of fn's device */
				first = acs_fabric_index(f, fn);
				while (first > 0 && acs_fabric_func(f, first - 1)->bus == fn->bus &&
				       acs_fabric_func(f, first - 1)->dev == fn->dev)
					first--;
				cnt = 0;
				while (first + cnt < acs_fabric_count(f) &&
				       acs_fabric_func(f, first + cnt)->bus == fn->bus &&
				       acs_fabric_func(f, first + cnt)->dev == fn->dev)
					cnt++;
			}
			for (size_t c = 0; c < cnt; c++) {
				const struct acs_func *x = acs_fabric_func(f, first + c);
				bool seen = false;

				if (!x->acs_pos)
					continue;
				for (size_t j = 0; j < m; j++)
					seen |= out[j] == first + c;
				if (!seen && m < MAX_PATH)
					out[m++] = first + c;
			}
		}
	}
	return m;
}

static int popcount(unsigned v)
{
	int c = 0;

	for (; v; v &= v - 1)
		c++;
	return c;
}

/* The two additions a candidate offers: ReqRedir alone, or every bit the
 * kernel requires; 0 when there is nothing to add. */
static uint16_t addition(const struct acs_func *fn, uint16_t cur, int level)
{
	uint16_t want = level == 1 ? ACS_RR : ACS_REQ_FLAGS;

	return (uint16_t)(want & cap_of(fn) & ~cur);
}

/* The one bit the kernel requires that clearing merges what is below fn
 * into fn's group: SV where it is set (it opens no route), else UF, CR,
 * RR; 0 where none can go (not set, required to stay, or a bit the
 * capability lacks, which the kernel takes as on). */
static uint16_t merge_bit(const struct acs_func *fn, uint16_t cur, uint16_t forced1)
{
	static const uint16_t order[] = { ACS_SV, ACS_UF, ACS_CR, ACS_RR };

	if (!fn->acs_pos || (fn->pcie_type != ACS_PCIE_DOWNSTREAM && fn->pcie_type != ACS_PCIE_ROOT_PORT &&
			     !fn->multifunction))
		return 0;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if ((cur & order[k]) && (cap_of(fn) & order[k]) && !(forced1 & order[k]))
			return order[k];
	return 0;
}

static void add_once(size_t *out, size_t *m, size_t max, size_t x)
{
	for (size_t j = 0; j < *m; j++)
		if (out[j] == x)
			return;
	if (*m < max)
		out[(*m)++] = x;
}

/* The functions of d's device with ACS, when it has several: clearing a
 * bit on one makes the kernel put the functions that lack one in a group
 * (get_pci_function_alias_group()), which is what isolating one function
 * of a device whose functions reach each other inside it needs. */
static void device_functions(const acs_fabric *f, size_t d, size_t *out, size_t *m, size_t max)
{
	const struct acs_func *fn = acs_fabric_func(f, d);
	size_t first = d;

	if (!fn->multifunction || acs_fabric_physfn(f, fn))
		return;
	while (first > 0 && acs_fabric_func(f, first - 1)->domain == fn->domain &&
	       acs_fabric_func(f, first - 1)->bus == fn->bus && acs_fabric_func(f, first - 1)->dev == fn->dev)
		first--;
	for (size_t i = first; i < acs_fabric_count(f); i++) {
		const struct acs_func *x = acs_fabric_func(f, i);

		if (x->domain != fn->domain || x->bus != fn->bus || x->dev != fn->dev)
			break;
		if (x->acs_pos && !acs_fabric_physfn(f, x))
			add_once(out, m, max, i);
	}
}

/* Functions whose merge the search may offer: the ACS functions above
 * each device a P2P requirement names and the other functions of their
 * devices (a slot of root ports), and the functions of each named
 * multifunction device, each once. */
static size_t merge_candidates(const acs_fabric *f, const acs_requirement *reqs, size_t nreqs,
			       size_t *out, size_t max)
{
	size_t m = 0;

	for (size_t k = 0; k < nreqs; k++) {
		bool p2p = reqs[k].kind == ACS_REQ_P2P || reqs[k].kind == ACS_REQ_P2P_ONE_WAY ||
			   reqs[k].kind == ACS_REQ_P2P_TRANSLATED || reqs[k].kind == ACS_REQ_P2P_HARDWARE;

		for (size_t i = 0; i < reqs[k].n; i++) {
			device_functions(f, reqs[k].devices[i], out, &m, max);
			if (!p2p)
				continue;
			for (const struct acs_func *up = acs_fabric_parent(f, acs_fabric_func(f, reqs[k].devices[i]));
			     up; up = acs_fabric_parent(f, up)) {
				if (up->acs_pos)
					add_once(out, &m, max, acs_fabric_index(f, up));
				/* a slot of root ports: what is below its other functions */
				device_functions(f, acs_fabric_index(f, up), out, &m, max);
			}
		}
	}
	return m;
}

/* One choice for a candidate port: bits set, bits cleared. */
struct option {
	uint16_t set, clr;
};

/* A candidate port and its choices (besides leaving it). */
struct cand {
	size_t index;
	struct option opt[3];
	size_t nopt;
	bool merge[3];            /* the choice is a merge */
};

/*
 * Whether an unsafe finding after was unsafe before. Each ordered pair of
 * its devices that reaches directly after must have reached directly
 * before, across groups: a pair already open one way (04 -> 03) does not
 * excuse the plan opening the other (03 -> 04).
 */
static bool unsafe_before(const struct ctx *cx, const acs_fabric *after, const acs_finding *x)
{
	const acs_policy *hw = acs_policy_hardware(cx->p);
	bool any = false;

	for (size_t i = 0; i < x->ndevices; i++)
		for (size_t j = 0; j < x->ndevices; j++) {
			struct acs_reach r;

			if (i == j)
				continue;
			acs_route_reach(after, hw, x->devices[i], x->devices[j], &r);
			if (!r.direct)
				continue;
			any = true;
			if (acs_groups_of(cx->groups, x->devices[i]) == acs_groups_of(cx->groups, x->devices[j]))
				return false;   /* split by the plan, yet still reaching */
			acs_route_reach(cx->before, hw, x->devices[i], x->devices[j], &r);
			if (!r.direct)
				return false;
		}
	return any;
}

/* No unsafe finding in a that the fabric before did not have. */
static bool no_new_unsafe(const struct ctx *cx, const acs_fabric *after, const acs_audit *a)
{
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		const acs_finding *x = acs_audit_at(a, i);

		if (x->kind == ACS_FINDING_UNSAFE && !unsafe_before(cx, after, x))
			return false;
	}
	return true;
}

static bool same_slot(const struct acs_func *x, const struct acs_func *y)
{
	return x->domain == y->domain && x->bus == y->bus && x->dev == y->dev;
}

/* The functions of i's slot: the first index, the count returned. */
static size_t slot_of(const acs_fabric *f, size_t i, size_t *first)
{
	const struct acs_func *fn = acs_fabric_func(f, i);
	size_t lo = i, hi = i + 1, n = acs_fabric_count(f);

	while (lo > 0 && same_slot(acs_fabric_func(f, lo - 1), fn))
		lo--;
	while (hi < n && same_slot(acs_fabric_func(f, hi), fn))
		hi++;
	*first = lo;
	return hi - lo;
}

/*
 * The places whose audit findings the changes can alter: a finding at a
 * switch or device reads the ACS of the ports right below it and the
 * groups of the endpoints below those. A change at port c moves the
 * groups at and below its slot (the upward walk, the slot's function
 * alias) and the routes entering by c: the places in those subtrees and
 * the places above c. Elsewhere the findings are those of before.
 */
int acs_change_scope(const acs_fabric *f, const struct acs_ctrl_change *ch, size_t nch, uint8_t *scope)
{
	size_t n = acs_fabric_count(f), sp = 0;
	/* each function's children pushed once, besides each change's slot */
	uint32_t *stack = malloc((2 * (n + nch) + 2) * sizeof(*stack));
	uint8_t *seen = calloc(n + 1, 1);

	if (!stack || !seen) {
		free(stack);
		free(seen);
		return acs_error_nomem();
	}
	for (size_t k = 0; k < nch; k++) {
		size_t first, cnt = slot_of(f, ch[k].index, &first);
		const struct acs_func *up;

		stack[sp++] = (uint32_t)first;
		stack[sp++] = (uint32_t)cnt;
		for (up = acs_fabric_parent(f, acs_fabric_func(f, ch[k].index)); up; up = acs_fabric_parent(f, up)) {
			size_t s0, sn = slot_of(f, acs_fabric_index(f, up), &s0);

			memset(scope + s0, 1, sn);
		}
	}
	while (sp) {
		size_t cnt = stack[--sp], first = stack[--sp];

		for (size_t i = first; i < first + cnt; i++) {
			size_t cf, cn;

			if (seen[i])
				continue;
			seen[i] = scope[i] = 1;
			cn = acs_fabric_children(f, acs_fabric_func(f, i), &cf);
			if (cn) {
				stack[sp++] = (uint32_t)cf;
				stack[sp++] = (uint32_t)cn;
			}
		}
	}
	free(stack);
	free(seen);
	return 0;
}

/* The candidate w's groups into *g, once: before's where it changes
 * nothing (n 0) and the plan has them, else computed into *own. */
static int candidate_groups(const struct ctx *cx, const acs_fabric *w, size_t n, const acs_groups **g,
			    acs_groups **own)
{
	int rc = 0;

	if (*g)
		return 0;
	if (!n && cx->groups)
		*g = cx->groups;
	else if (!(rc = acs_groups_compute(own, w, cx->p)))
		*g = *own;
	return rc;
}

/* Whether the candidate ctrl meets the requirements and, for truthful
 * groups, leaves no unsafe pair the fabric before did not have. The
 * candidate's fabric is a view of f (its control words alone differ),
 * its groups computed once for both checks. */
static int evaluate(const struct ctx *cx, const uint16_t *ctrl, bool *ok)
{
	const acs_fabric *f = cx->f;
	struct acs_ctrl_change *ch = malloc((acs_fabric_count(f) + 1) * sizeof(*ch));
	acs_fabric *w = NULL;
	const acs_groups *g = NULL;
	acs_groups *own = NULL;
	size_t n = 0;
	int rc;

	if (!ch)
		return acs_error_nomem();
	*ok = false;
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		if (acs_fabric_func(f, i)->acs_pos && ctrl[i] != acs_fabric_func(f, i)->acs_ctrl)
			ch[n++] = (struct acs_ctrl_change){ i, ctrl[i] };
	rc = acs_fabric__view_with_acs_ctrl(&w, f, ch, n);
	if (!rc && needs_groups(cx->reqs, cx->nreqs))
		rc = candidate_groups(cx, w, n, &g, &own);
	if (!rc)
		*ok = check_reqs(w, cx->p, g, cx->reqs, cx->nreqs);
	if (!rc && *ok && cx->truthful) {
		acs_audit *a = NULL;
		uint8_t *scope = calloc(acs_fabric_count(f) + 1, 1);

		/* the groups after are the predicted ones (made at boot);
		 * the prediction does not read kgroups, the audit does */
		if (w->kgroups == ACS_KGROUPS_PRESENT)
			w->kgroups = ACS_KGROUPS_UNKNOWN;
		rc = scope ? acs_change_scope(f, ch, n, scope) : acs_error_nomem();
		if (!rc)
			rc = candidate_groups(cx, w, n, &g, &own);
		if (!rc)
			rc = acs_audit_run_scoped(&a, w, g, acs_policy_hardware(cx->p), scope);
		if (!rc)
			*ok = no_new_unsafe(cx, w, a);
		acs_audit_free(a);
		free(scope);
	}
	acs_groups_free(own);
	acs_fabric_free(w);
	free(ch);
	return rc;
}

/* Exhaustive search over the candidates' choices: every combination is
 * tried and the cheapest (fewest bits changed, then fewest ports) that
 * meets the requirements kept. The first feasible one is not always the
 * cheapest: ports differ in what their capabilities let them set
 * (test_plan_optimal__not_first_feasible). */
static int search(const struct ctx *cx, struct target *t, const struct cand *cand, size_t nc, bool *found,
		  bool *merged)
{
	const acs_fabric *f = cx->f;
	size_t total = 1, best = 0;
	int best_cost = -1, best_ports = 0, rc = 0;
	uint16_t *ctrl = malloc(acs_fabric_count(f) * sizeof(*ctrl));

	if (!ctrl)
		return acs_error_nomem();
	for (size_t k = 0; k < nc; k++)
		total *= cand[k].nopt + 1;
	for (size_t code = 0; !rc && code < total; code++) {
		size_t c = code;
		int cost = 0, ports = 0;
		bool ok = false;

		memcpy(ctrl, t->ctrl, acs_fabric_count(f) * sizeof(*ctrl));
		for (size_t k = 0; k < nc; k++) {
			size_t level = c % (cand[k].nopt + 1);

			c /= cand[k].nopt + 1;
			if (!level)
				continue;
			ctrl[cand[k].index] = (uint16_t)((ctrl[cand[k].index] | cand[k].opt[level - 1].set) &
							 ~cand[k].opt[level - 1].clr);
			cost += popcount(cand[k].opt[level - 1].set) + popcount(cand[k].opt[level - 1].clr);
			ports++;
		}
		if (best_cost >= 0 && (cost > best_cost || (cost == best_cost && ports >= best_ports)))
			continue;
		rc = evaluate(cx, ctrl, &ok);
		if (!rc && ok) {
			best_cost = cost;
			best_ports = ports;
			best = code;
		}
	}
	if (!rc && best_cost >= 0) {
		size_t c = best;

		for (size_t k = 0; k < nc; k++) {
			size_t level = c % (cand[k].nopt + 1);

			c /= cand[k].nopt + 1;
			if (!level)
				continue;
			t->ctrl[cand[k].index] = (uint16_t)((t->ctrl[cand[k].index] | cand[k].opt[level - 1].set) &
							    ~cand[k].opt[level - 1].clr);
			merged[cand[k].index] |= cand[k].merge[level - 1];
		}
		*found = true;
	}
	free(ctrl);
	return rc;
}

/* Too many candidates: every required bit on every isolation candidate,
 * then, where that is not enough, the cheapest single merge; then drop
 * what is not needed, one candidate at a time. */
static int greedy_core(const struct ctx *cx, struct target *t, const size_t *cand, size_t nc,
		       const size_t *mcand, size_t nm, bool *found, bool *merged)
{
	const acs_fabric *f = cx->f;
	size_t n = acs_fabric_count(f);
	uint16_t *full = malloc(n * sizeof(*full));
	bool ok = false;
	long mi = -1;
	int rc;

	if (!full)
		return acs_error_nomem();
	memcpy(full, t->ctrl, n * sizeof(*full));
	for (size_t k = 0; k < nc; k++)
		full[cand[k]] |= (uint16_t)(addition(acs_fabric_func(f, cand[k]), full[cand[k]], 2) &
					    ~t->forced0[cand[k]]);
	rc = evaluate(cx, full, &ok);
	for (size_t k = 0; !rc && !ok && k < nm; k++) {
		uint16_t bit = merge_bit(acs_fabric_func(f, mcand[k]), full[mcand[k]], t->forced1[mcand[k]]);
		uint16_t keep = full[mcand[k]];

		if (!bit)
			continue;
		full[mcand[k]] &= (uint16_t)~bit;
		rc = evaluate(cx, full, &ok);
		if (ok)
			mi = (long)k;
		else
			full[mcand[k]] = keep;
	}
	for (size_t k = 0; !rc && ok && k < nc; k++) {
		uint16_t keep = full[cand[k]];
		bool still = false;

		if (mi >= 0 && cand[k] == mcand[mi])
			continue;
		full[cand[k]] = t->ctrl[cand[k]];
		rc = evaluate(cx, full, &still);
		if (!still)
			full[cand[k]] = keep;
	}
	if (!rc && ok) {
		memcpy(t->ctrl, full, n * sizeof(*full));
		if (mi >= 0)
			merged[mcand[mi]] = true;
		*found = true;
	}
	free(full);
	return rc;
}

/* Greedy, truthful: dropping one port at a time from "every required bit
 * everywhere" stalls where each drop alone opens a route across the split
 * groups; so first the plan without truthful groups, then that plan with
 * the cheapest single merge, and only then the truthful greedy. */
static int greedy(const struct ctx *cx, struct target *t, const size_t *cand, size_t nc,
		  const size_t *mcand, size_t nm, bool *found, bool *merged)
{
	size_t n = acs_fabric_count(cx->f);
	struct ctx loose = *cx;
	uint16_t *save;
	bool ok = false;
	int rc;

	if (!cx->truthful)
		return greedy_core(cx, t, cand, nc, mcand, nm, found, merged);
	save = malloc((n + 1) * sizeof(*save));
	if (!save)
		return acs_error_nomem();
	memcpy(save, t->ctrl, n * sizeof(*save));
	loose.truthful = false;
	rc = greedy_core(&loose, t, cand, nc, NULL, 0, found, merged);
	if (!rc && *found)
		rc = evaluate(cx, t->ctrl, &ok);
	for (size_t k = 0; !rc && *found && !ok && k < nm; k++) {
		uint16_t keep = t->ctrl[mcand[k]];
		uint16_t bit = merge_bit(acs_fabric_func(cx->f, mcand[k]), keep, t->forced1[mcand[k]]);

		if (!bit)
			continue;
		t->ctrl[mcand[k]] &= (uint16_t)~bit;
		rc = evaluate(cx, t->ctrl, &ok);
		if (ok)
			merged[mcand[k]] = true;
		else
			t->ctrl[mcand[k]] = keep;
	}
	if (!rc && *found && !ok) {
		memcpy(t->ctrl, save, n * sizeof(*save));
		*found = false;
		rc = greedy_core(cx, t, cand, nc, mcand, nm, found, merged);
	}
	free(save);
	return rc;
}

/* The candidates with their choices: isolation's additions (ReqRedir,
 * every required bit), and merges. */
static size_t choices(const acs_fabric *f, const struct target *t, const size_t *icand, size_t ni,
		      const size_t *mcand, size_t nm, struct cand *out)
{
	size_t m = 0;

	for (size_t k = 0; k < ni + nm; k++) {
		size_t x = k < ni ? icand[k] : mcand[k - ni];
		const struct acs_func *fn = acs_fabric_func(f, x);
		struct cand *c = NULL;

		for (size_t j = 0; j < m; j++)
			if (out[j].index == x)
				c = &out[j];
		if (!c) {
			c = &out[m++];
			*c = (struct cand){ .index = x };
		}
		if (k < ni) {
			for (int level = 1; level <= 2; level++) {
				uint16_t add = addition(fn, t->ctrl[x], level);

				/* nothing to add, RR where RR alone is all there
				 * is, or a bit P2P needs clear: not a choice */
				if (!add || (level == 2 && add == addition(fn, t->ctrl[x], 1)) || (add & t->forced0[x]))
					continue;
				c->merge[c->nopt] = false;
				c->opt[c->nopt++] = (struct option){ add, 0 };
			}
		} else {
			uint16_t bit = merge_bit(fn, t->ctrl[x], t->forced1[x]);

			if (bit) {
				c->merge[c->nopt] = true;
				c->opt[c->nopt++] = (struct option){ 0, bit };
			}
		}
		if (!c->nopt)
			m--;
	}
	return m;
}

/* Whether the requirements hold at all without truthful groups (every
 * required bit on every isolation candidate, as greedy starts): only to
 * say why a plan is infeasible. t is left as it was. */
static int search_or_greedy_probe(const struct ctx *cx, const struct target *t, const acs_fabric *f, bool *ok)
{
	size_t n = acs_fabric_count(f);
	uint16_t *full = malloc((n + 1) * sizeof(*full));
	int rc;

	if (!full)
		return acs_error_nomem();
	memcpy(full, t->ctrl, n * sizeof(*full));
	rc = evaluate(cx, full, ok);
	for (size_t i = 0; !rc && !*ok && i < n; i++)
		if (acs_fabric_func(f, i)->acs_pos && !t->forced0[i])
			full[i] |= addition(acs_fabric_func(f, i), full[i], 2);
	if (!rc && !*ok)
		rc = evaluate(cx, full, ok);
	free(full);
	return rc;
}

/* Why isolation cannot hold: ports without ACS in the way, or a P2P
 * requirement that opened a port next to the device. */
static int explain_infeasible(acs_plan *plan, const acs_fabric *f, const acs_requirement *reqs,
			      size_t nreqs, const struct target *t)
{
	char a[ACS_ADDR_MAX], b[ACS_ADDR_MAX];
	int rc = 0;

	for (size_t k = 0; !rc && k < nreqs; k++) {
		const acs_requirement *r = &reqs[k];

		if (r->kind != ACS_REQ_ISOLATE && r->kind != ACS_REQ_TENANT)
			continue;
		for (size_t i = 0; !rc && i < r->n; i++) {
			const struct acs_func *fn = acs_fabric_func(f, r->devices[i]);

			for (const struct acs_func *up = acs_fabric_parent(f, fn); !rc && up;
			     up = acs_fabric_parent(f, up)) {
				size_t ui = acs_fabric_index(f, up);

				if (t->forced0[ui])
					rc = conflict(plan, "%s: the P2P asked for clears ReqRedir on %s, above it, so devices below %s reach it without the IOMMU",
						      addr(f, r->devices[i], a), addr(f, ui, b), addr(f, ui, b));
				else if (!up->acs_pos && (up->pcie_type == ACS_PCIE_DOWNSTREAM ||
							  up->pcie_type == ACS_PCIE_ROOT_PORT))
					rc = conflict(plan, "%s: %s above it has no ACS capability: no ACS setting isolates what is below it",
						      addr(f, r->devices[i], a), addr(f, ui, b));
				else if (up->pcie_type == ACS_PCIE_PCI_BRIDGE || up->pcie_type == ACS_PCIE_NONE)
					rc = conflict(plan, "%s: it sits behind the PCI bridge %s, whose bus no ACS setting divides",
						      addr(f, r->devices[i], a), addr(f, ui, b));
			}
			/* siblings at the device's switches opened by a P2P requirement */
			for (size_t x = 0; !rc && x < acs_fabric_count(f); x++)
				if ((t->forced0[x] & ACS_RR) && acs_fabric_func(f, x)->pcie_type == ACS_PCIE_DOWNSTREAM) {
					const struct acs_func *px = acs_fabric_parent(f, acs_fabric_func(f, x));

					for (const struct acs_func *up = acs_fabric_parent(f, fn); up;
					     up = acs_fabric_parent(f, up))
						if (acs_fabric_parent(f, up) == px && up != acs_fabric_func(f, x)) {
							rc = conflict(plan, "the P2P asked for clears ReqRedir on %s, so what is below it reaches %s below the same switch: isolation and that P2P cannot both hold",
								      addr(f, x, b), addr(f, r->devices[i], a));
							break;
						}
				}
		}
	}
	if (!rc && !plan->conflicts.n)
		rc = conflict(plan, "no ACS setting meets every requirement together");
	return rc;
}

/* What whether the requirements hold depends on that was not read: the
 * P2PDMA paths, the routes between tenants and to an isolated device,
 * and the group walks of both. */
static void requirements_unknown(const acs_fabric *f, acs_unknown *u, const acs_requirement *reqs,
				 size_t nreqs)
{
	for (size_t k = 0; k < nreqs; k++) {
		const acs_requirement *r = &reqs[k];

		for (size_t i = 0; i < r->n; i++) {
			if (r->kind == ACS_REQ_ISOLATE) {
				acs_unknown_add(u, ACS_UNKNOWN_GROUP, r->devices[i], -1);
				for (size_t e = 0; e < acs_fabric_count(f); e++)
					if (e != r->devices[i] && acs_func_is_peer(acs_fabric_func(f, e)))
						acs_unknown_add(u, ACS_UNKNOWN_REACH, e, (long)r->devices[i]);
				continue;
			}
			for (size_t j = 0; j < r->n; j++) {
				if (i == j || (r->kind == ACS_REQ_TENANT && r->tenant[i] == r->tenant[j]))
					continue;
				acs_unknown_add(u, r->kind == ACS_REQ_P2P ? ACS_UNKNOWN_P2PDMA :
						r->kind == ACS_REQ_P2P_TRANSLATED || r->kind == ACS_REQ_P2P_HARDWARE ? ACS_UNKNOWN_REACH :
						ACS_UNKNOWN_GROUP | ACS_UNKNOWN_REACH, r->devices[i], (long)r->devices[j]);
			}
		}
	}
}

int acs_plan_compute(acs_plan **out, const acs_fabric *f, const acs_policy *p,
		     const acs_requirement *reqs, size_t nreqs)
{
	return acs_plan_compute_flags(out, f, p, reqs, nreqs, 0);
}

/* The fabric before, its groups predicted (not the kernel's): the
 * unsafe pairs it has are not the plan's to fix. */
static int groups_before(struct ctx *cx)
{
	int rc = acs_fabric__view_with_acs_ctrl(&cx->before, cx->f, NULL, 0);

	if (rc)
		return rc;
	if (cx->before->kgroups == ACS_KGROUPS_PRESENT)
		cx->before->kgroups = ACS_KGROUPS_UNKNOWN;
	return acs_groups_compute(&cx->groups, cx->before, cx->p);
}

/* No truthful plan: would one hold with groups that do not tell the
 * truth? Then that is the conflict to name. */
static int why_not_truthful(acs_plan *plan, struct ctx *cx, struct target *t, bool *merged)
{
	bool loose = false;
	int rc;

	cx->truthful = false;
	memset(merged, 0, acs_fabric_count(cx->f) * sizeof(*merged));
	rc = search_or_greedy_probe(cx, t, cx->f, &loose);
	cx->truthful = true;
	if (!rc && loose)
		rc = conflict(plan, "every ACS change that meets the requirements leaves devices of different groups reaching each other without the IOMMU, and no change of the ports above them makes the kernel merge those groups (--allow-unsafe-groups plans without this)");
	return rc;
}

/* The plan's answer: each port whose control changes, and the ports
 * changed so that the kernel merges what reaches. */
static int record_changes(acs_plan *plan, const acs_fabric *f, const struct target *t, const bool *merged)
{
	size_t n = acs_fabric_count(f);

	plan->changes = malloc((n + 1) * sizeof(*plan->changes));
	plan->truthful = malloc((n + 1) * sizeof(*plan->truthful));
	if (!plan->changes || !plan->truthful)
		return acs_error_nomem();
	for (size_t i = 0; i < n; i++) {
		if (acs_fabric_func(f, i)->acs_pos && t->ctrl[i] != acs_fabric_func(f, i)->acs_ctrl)
			plan->changes[plan->nchanges++] = (struct acs_ctrl_change){ i, t->ctrl[i] };
		if (merged[i])
			plan->truthful[plan->ntruthful++] = (uint32_t)i;
	}
	return 0;
}

int acs_plan_compute_flags(acs_plan **out, const acs_fabric *f, const acs_policy *p,
			   const acs_requirement *reqs, size_t nreqs, unsigned int flags)
{
	return acs_plan__compute(out, f, p, reqs, nreqs, flags, NULL);
}

int acs_plan__compute(acs_plan **out, const acs_fabric *f, const acs_policy *p, const acs_requirement *reqs,
		      size_t nreqs, unsigned int flags, acs_groups **before_out)
{
	size_t n = acs_fabric_count(f), nc = 0, nm = 0, nd = 0, nch = 0, total = 1;
	acs_plan *plan = calloc(1, sizeof(*plan));
	struct target t = { NULL, NULL, NULL };
	size_t *cand = malloc(MAX_PATH * sizeof(*cand)), *mcand = malloc(MAX_PATH * sizeof(*mcand)), *devs = NULL;
	struct cand *ch = calloc(2 * MAX_PATH + 1, sizeof(*ch));
	bool *merged = calloc(n + 1, sizeof(*merged));
	struct ctx cx = { f, p, reqs, nreqs, !(flags & ACS_PLAN_ALLOW_UNSAFE_GROUPS), NULL, NULL };
	bool found = false, ok = false;
	int rc = 0;

	*out = NULL;
	t.ctrl = malloc((n + 1) * sizeof(*t.ctrl));
	t.forced0 = calloc(n + 1, sizeof(*t.forced0));
	t.forced1 = calloc(n + 1, sizeof(*t.forced1));
	for (size_t k = 0; k < nreqs; k++)
		nd += reqs[k].n;
	devs = malloc((nd + 1) * sizeof(*devs));
	if (!plan || !cand || !mcand || !ch || !merged || !t.ctrl || !t.forced0 || !t.forced1 || !devs) {
		rc = acs_error_nomem();
		goto done;
	}
	plan->feasible = true;
	plan->exact = true;
	plan->unsafe_allowed = !cx.truthful;
	rc = acs_unknown_new(&plan->unknown, f, p);
	if (rc)
		goto done;
	requirements_unknown(f, plan->unknown, reqs, nreqs);
	plan->nunknown = acs_unknown_list(plan->unknown, &plan->unknown_list);
	for (size_t i = 0; i < n; i++)
		t.ctrl[i] = acs_fabric_func(f, i)->acs_ctrl;
	nd = 0;
	for (size_t k = 0; !rc && k < nreqs; k++) {
		if (reqs[k].kind == ACS_REQ_P2P)
			rc = plan_p2p(plan, f, p, &reqs[k], &t);
		else if (reqs[k].kind == ACS_REQ_P2P_TRANSLATED)
			rc = plan_translated(plan, f, p, &reqs[k], &t);
		else if (reqs[k].kind == ACS_REQ_P2P_ONE_WAY)
			rc = plan_one_way(plan, f, p, &reqs[k], &t);
		else if (reqs[k].kind == ACS_REQ_P2P_HARDWARE)
			rc = plan_hardware(plan, f, p, &reqs[k], &t);
		else
			for (size_t i = 0; i < reqs[k].n; i++)
				devs[nd++] = reqs[k].devices[i];
	}
	if (rc || !plan->feasible)
		goto done;
	/* the fabric before, its groups predicted: the unsafe pairs it has
	 * are not the plan's to fix */
	if (cx.truthful && (rc = groups_before(&cx)))
		goto done;
	rc = evaluate(&cx, t.ctrl, &ok);
	if (!rc && !ok) {
		nc = candidates(f, devs, nd, cand);
		if (cx.truthful)
			nm = merge_candidates(f, reqs, nreqs, mcand, MAX_PATH);
		nch = choices(f, &t, cand, nc, mcand, nm, ch);
		for (size_t k = 0; k < nch && total <= MAX_COMBOS; k++)
			total *= ch[k].nopt + 1;
		if (total <= MAX_COMBOS) {
			rc = search(&cx, &t, ch, nch, &found, merged);
		} else {
			plan->exact = false;
			rc = greedy(&cx, &t, cand, nc, mcand, nm, &found, merged);
		}
		if (!rc && !found && cx.truthful)
			rc = why_not_truthful(plan, &cx, &t, merged);
		if (!rc && !found && plan->feasible)
			rc = explain_infeasible(plan, f, reqs, nreqs, &t);
	}
	if (rc || !plan->feasible)
		goto done;
	rc = record_changes(plan, f, &t, merged);
done:
	if (!rc && before_out) {   /* the caller's now */
		*before_out = cx.groups;
		cx.groups = NULL;
	}
	acs_groups_free(cx.groups);
	acs_fabric_free(cx.before);
	free(cand);
	free(mcand);
	free(ch);
	free(merged);
	free(devs);
	free(t.ctrl);
	free(t.forced0);
	free(t.forced1);
	if (rc) {
		acs_plan_free(plan);
		return rc;
	}
	*out = plan;
	return 0;
}

size_t acs_plan_truthful(const acs_plan *plan, const uint32_t **ports)
{
	*ports = plan->truthful;
	return plan->ntruthful;
}

bool acs_plan_unsafe_allowed(const acs_plan *plan)
{
	return plan->unsafe_allowed;
}

bool acs_plan_feasible(const acs_plan *plan)
{
	return plan->feasible;
}

bool acs_plan_exact(const acs_plan *plan)
{
	return plan->exact;
}

size_t acs_plan_changes(const acs_plan *plan, const struct acs_ctrl_change **changes)
{
	*changes = plan->changes;
	return plan->nchanges;
}

size_t acs_plan_unknown(const acs_plan *plan, const uint32_t **ports)
{
	*ports = plan->unknown_list;
	return plan->nunknown;
}

size_t acs_plan_conflicts(const acs_plan *plan, const char *const **lines)
{
	*lines = (const char *const *)plan->conflicts.v;
	return plan->conflicts.n;
}

void acs_plan_free(acs_plan *plan)
{
	if (!plan)
		return;
	acs_lines_free(&plan->conflicts);
	acs_unknown_free(plan->unknown);
	free(plan->changes);
	free(plan->truthful);
	free(plan);
}
