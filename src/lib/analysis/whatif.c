/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a change does (whatif.h): groups, P2P pairs and audit findings of
 * two fabrics compared.
 *
 * Groups are one partition diff (acs_partition_diff) over the functions of
 * either side. P2P is every pair of peers, but only the pairs whose paths
 * pass something that changed are routed again: a verdict (acs_route_reach
 * and acs_p2pdma_distance) reads only the functions on the two chains up
 * to the root, their siblings on the buses those chains cross (device
 * function 0, egress ports), and on a root bus its first function (the
 * host bridge). A function that changed therefore touches only pairs with
 * an end below its parent bridge, or, on a root bus, below that root bus.
 * Where the two policies differ in more than an override (which routes
 * ignore), every pair is routed. Audit findings are matched by what they
 * are: kind, devices and ports passed, as sets of functions.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/policy-internal.h"

struct acs_whatif {
	const acs_fabric *f[2];
	const acs_policy *p[2];
	acs_whatif_opts opts;
	int32_t *map[2];            /* per function of a side: the other's index, or -1 */
	acs_groups *groups[2];
	acs_partition_diff *diff;
	acs_partition_change *changes;
	size_t nchanges;
	uint32_t *funcs;            /* storage of the changes' members */
	int32_t *other;
	uint32_t *removed;          /* before's indices of functions after lacks */
	size_t nremoved;
	uint32_t *added;            /* after's indices of functions before lacks */
	size_t nadded;
	acs_whatif_pair *pairs;
	size_t npairs, cap;
	acs_whatif_p2p_stats stats;
	acs_audit *audit[2];
	size_t *audit_diff[2];
	size_t naudit_diff[2];
	uint32_t *unknown;
	size_t nunknown;
	uint32_t *alone_only[2];    /* after's indices: alone on that side only */
	size_t nalone_only[2];
};

static bool peer(const struct acs_func *fn)
{
	return !fn->is_bridge && fn->class_code >> 8 != 0x0600;
}

static int map_functions(acs_whatif *w)
{
	size_t nb = acs_fabric_count(w->f[0]), na = acs_fabric_count(w->f[1]);

	w->map[0] = malloc((nb + 1) * sizeof(*w->map[0]));
	w->map[1] = malloc((na + 1) * sizeof(*w->map[1]));
	w->removed = malloc((nb + 1) * sizeof(*w->removed));
	w->added = malloc((na + 1) * sizeof(*w->added));
	if (!w->map[0] || !w->map[1] || !w->removed || !w->added)
		return acs_error_nomem();
	for (size_t i = 0; i < nb; i++)
		w->map[0][i] = -1;
	for (size_t i = 0; i < na; i++) {
		const struct acs_func *fn = acs_fabric_func(w->f[1], i);
		const struct acs_func *b = acs_fabric_find(w->f[0], fn->domain, fn->bus, fn->dev, fn->fn);

		w->map[1][i] = b ? (int32_t)acs_fabric_index(w->f[0], b) : -1;
		if (b)
			w->map[0][acs_fabric_index(w->f[0], b)] = (int32_t)i;
		else
			w->added[w->nadded++] = (uint32_t)i;
	}
	for (size_t i = 0; i < nb; i++)
		if (w->map[0][i] < 0)
			w->removed[w->nremoved++] = (uint32_t)i;
	return 0;
}

static int32_t group_id(const acs_groups *g, size_t i)
{
	size_t id = acs_groups_of(g, i);

	return id == ACS_NO_GROUP ? -1 : (int32_t)id;
}

struct member {
	uint32_t func;
	int32_t other;
};

static int member_cmp(const void *pa, const void *pb)
{
	const struct member *x = pa, *y = pb;

	return x->func < y->func ? -1 : x->func > y->func;
}

/* One index space for both sides: after's functions, then the ones only
 * before has (na + k: removed[k]). */
static int diff_groups(acs_whatif *w)
{
	size_t na = acs_fabric_count(w->f[1]), n = na + w->nremoved, used = 0;
	int32_t *a = malloc((n + 1) * sizeof(*a)), *b = malloc((n + 1) * sizeof(*b));
	struct member *m = malloc((n + 1) * sizeof(*m));
	int rc = a && b && m ? 0 : acs_error_nomem();

	if (!rc)
		rc = acs_groups_compute(&w->groups[0], w->f[0], w->p[0]);
	if (!rc)
		rc = acs_groups_compute(&w->groups[1], w->f[1], w->p[1]);
	for (size_t i = 0; !rc && i < n; i++) {
		if (i < na) {
			a[i] = w->map[1][i] < 0 ? -1 : group_id(w->groups[0], (size_t)w->map[1][i]);
			b[i] = group_id(w->groups[1], i);
		} else {
			a[i] = group_id(w->groups[0], w->removed[i - na]);
			b[i] = -1;
		}
	}
	if (!rc)
		rc = acs_partition_diff_compute(&w->diff, a, b, n);
	if (!rc) {
		w->nchanges = acs_partition_diff_count(w->diff);
		w->changes = calloc(w->nchanges + 1, sizeof(*w->changes));
		w->funcs = malloc((2 * n + 1) * sizeof(*w->funcs));
		w->other = malloc((2 * n + 1) * sizeof(*w->other));
		rc = w->changes && w->funcs && w->other ? 0 : acs_error_nomem();
	}
	/* each side's members as that side's indices, in address order */
	for (size_t i = 0; !rc && i < w->nchanges; i++) {
		const acs_partition_change *c = acs_partition_diff_at(w->diff, i);
		bool split = c->kind == ACS_PARTITION_SPLIT;

		for (size_t k = 0; k < c->count; k++) {
			uint32_t u = c->funcs[k];

			m[k].func = !split ? u : u < na ? (uint32_t)w->map[1][u] : w->removed[u - na];
			m[k].other = c->other[k];
		}
		if (split)
			qsort(m, c->count, sizeof(*m), member_cmp);
		w->changes[i] = *c;
		w->changes[i].funcs = w->funcs + used;
		w->changes[i].other = w->other + used;
		for (size_t k = 0; k < c->count; k++, used++) {
			w->funcs[used] = m[k].func;
			w->other[used] = m[k].other;
		}
	}
	free(a);
	free(b);
	free(m);
	return rc;
}

/*
 * Per function of side s: alone, its group holding no peer function
 * (bridges and host bridges aside: they stay with the host) outside its
 * own device (its slot's functions go to a VM together).
 */
static uint8_t *alone_on(const acs_whatif *w, int s)
{
	const acs_fabric *f = w->f[s];
	const acs_groups *g = w->groups[s];
	size_t n = acs_fabric_count(f), ng = acs_groups_count(g);
	uint8_t *alone = calloc(n + 1, 1);
	long *first = malloc((ng + 1) * sizeof(*first));   /* a peer of the group, or -1 */
	uint8_t *mixed = calloc(ng + 1, 1);                 /* peers of two devices */

	if (!alone || !first || !mixed) {
		free(alone);
		alone = NULL;
		goto out;
	}
	for (size_t k = 0; k < ng; k++)
		first[k] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, i), *o;
		size_t id = acs_groups_of(g, i);

		if (id == ACS_NO_GROUP || id >= ng || !peer(fn))
			continue;
		if (first[id] < 0) {
			first[id] = (long)i;
			continue;
		}
		o = acs_fabric_func(f, (size_t)first[id]);
		if (o->domain != fn->domain || o->bus != fn->bus || o->dev != fn->dev)
			mixed[id] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t id = acs_groups_of(g, i);

		alone[i] = id != ACS_NO_GROUP && id < ng && peer(acs_fabric_func(f, i)) && !mixed[id];
	}
out:
	free(first);
	free(mixed);
	return alone;
}

/* The functions of both sides, in a group on both, alone on one only. */
static int diff_isolation(acs_whatif *w)
{
	size_t na = acs_fabric_count(w->f[1]);
	uint8_t *before = alone_on(w, 0), *after = alone_on(w, 1);
	int rc = before && after ? 0 : acs_error_nomem();

	for (int s = 0; !rc && s < 2; s++) {
		w->alone_only[s] = malloc((na + 1) * sizeof(*w->alone_only[s]));
		if (!w->alone_only[s])
			rc = acs_error_nomem();
	}
	for (size_t i = 0; !rc && i < na; i++) {
		long b = w->map[1][i];

		if (b < 0 || acs_groups_of(w->groups[0], (size_t)b) == ACS_NO_GROUP ||
		    acs_groups_of(w->groups[1], i) == ACS_NO_GROUP || before[b] == after[i])
			continue;
		if (before[b])
			w->alone_only[0][w->nalone_only[0]++] = (uint32_t)i;
		else
			w->alone_only[1][w->nalone_only[1]++] = (uint32_t)i;
	}
	free(before);
	free(after);
	return rc;
}

/* The index of fn's counterpart on the other side, or -1. */
static long counterpart(const acs_whatif *w, int side, const acs_fabric *f, const struct acs_func *fn)
{
	return fn ? (long)w->map[side][acs_fabric_index(f, fn)] : -1;
}

/*
 * What a route reads of a function it does not pass: its place (parent,
 * PF) and, for the first function of a root bus (the host bridge), its
 * IDs and type. A function whose place or identity changed (or that one
 * side lacks) can change every route near it; one whose state changed
 * (ACS control, capabilities) changes only routes that pass it.
 */
static bool same_place(const acs_whatif *w, const struct acs_func *x, const struct acs_func *y)
{
	const struct acs_func *px = acs_fabric_parent(w->f[0], x), *py = acs_fabric_parent(w->f[1], y);
	const struct acs_func *vx = acs_fabric_physfn(w->f[0], x), *vy = acs_fabric_physfn(w->f[1], y);

	return (px == NULL) == (py == NULL) && (!px || counterpart(w, 0, w->f[0], px) == (long)acs_fabric_index(w->f[1], py)) &&
	       (vx == NULL) == (vy == NULL) && (!vx || counterpart(w, 0, w->f[0], vx) == (long)acs_fabric_index(w->f[1], vy)) &&
	       x->vendor_id == y->vendor_id && x->device_id == y->device_id && x->pcie_type == y->pcie_type &&
	       x->is_virtfn == y->is_virtfn && x->is_bridge == y->is_bridge && x->class_code == y->class_code;
}

static bool same_state(const struct acs_func *x, const struct acs_func *y)
{
	return x->cfg_len == y->cfg_len && x->cfg_stored == y->cfg_stored && x->known == y->known &&
	       x->multifunction == y->multifunction && x->acs_pos == y->acs_pos && x->acs_cap == y->acs_cap &&
	       x->acs_ctrl == y->acs_ctrl && x->acs_egress_bits == y->acs_egress_bits && x->ats_pos == y->ats_pos &&
	       x->pcie_pos == y->pcie_pos && x->header_type == y->header_type &&
	       (!x->cfg_stored || !memcmp(x->cfg, y->cfg, x->cfg_stored));
}

/* Routes judge by the policy without its override: two policies of one
 * kernel route alike. */
static bool routes_alike(const acs_policy *x, const acs_policy *y)
{
	x = acs_policy_hardware(x);
	y = acs_policy_hardware(y);
	return x == y || (x->version == y->version && x->backports == y->backports &&
			  x->stable_until == y->stable_until && !strcmp(x->name, y->name));
}

static const struct acs_func *top_of(const acs_fabric *f, const struct acs_func *fn)
{
	for (const struct acs_func *p; (p = acs_fabric_parent(f, fn)); fn = p)
		;
	return fn;
}

/* Every function of a root bus: all routes below it may change. */
static void mark_root_bus(const acs_fabric *f, uint32_t domain, uint8_t bus, uint8_t *self)
{
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *r = acs_fabric_func(f, i);

		self[i] |= !acs_fabric_parent(f, r) && r->domain == domain && r->bus == bus;
	}
}

/* out[i]: function i or one of its bridges has self[], or a bridge above
 * it has below[]; each chain walked once (state: 0 not yet, 1 yes, 2 no). */
static void spread(const acs_fabric *f, const uint8_t *self, const uint8_t *below, uint8_t *state,
		   uint32_t *chain, uint8_t *out)
{
	size_t n = acs_fabric_count(f);

	memset(state, 0, n);
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		size_t k = 0;
		uint8_t verdict;

		for (;;) {
			size_t at = acs_fabric_index(f, fn);
			const struct acs_func *p = acs_fabric_parent(f, fn);

			if (state[at]) {
				verdict = state[at];
				break;
			}
			chain[k++] = (uint32_t)at;
			if (self[at] || (p && below[acs_fabric_index(f, p)])) {
				verdict = 1;
				break;
			}
			if (!p) {
				verdict = 2;
				break;
			}
			fn = p;
		}
		/* the chain below a function that has it, has it */
		for (size_t j = 0; j < k; j++)
			state[chain[j]] = verdict;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = state[i] == 1;
}

/*
 * For after's functions: every[i], a pair with an end at i may change
 * whatever the other end (something changed place near it); near[i], a
 * pair with an end at i may change if the other end is in the same
 * region (a function on i's way up changed state); region[i], the root
 * device above i (the first function of the slot of its top bridge's
 * device): routes between regions meet in the root complex and read no
 * state but the two top functions', which are then in one device.
 */
static int find_affected(const acs_whatif *w, uint8_t *every, uint8_t *near, uint32_t *region)
{
	const acs_fabric *fb = w->f[0], *fa = w->f[1];
	size_t na = acs_fabric_count(fa);
	uint8_t *self = calloc(na + 1, 1), *below = calloc(na + 1, 1), *dirty = calloc(na + 1, 1);
	uint8_t *state = calloc(na + 1, 1);
	uint32_t *chain = malloc((na + 1) * sizeof(*chain));
	int rc = self && below && dirty && state && chain ? 0 : acs_error_nomem();

	for (size_t i = 0; !rc && i < na; i++) {
		const struct acs_func *fn = acs_fabric_func(fa, i), *t = top_of(fa, fn), *d = acs_fabric_physfn(fa, t);
		size_t r = acs_fabric_index(fa, d ? d : t);

		for (; r > 0; r--) {
			const struct acs_func *x = acs_fabric_func(fa, r), *y = acs_fabric_func(fa, r - 1);

			if (x->domain != y->domain || x->bus != y->bus || x->dev != y->dev)
				break;
		}
		region[i] = (uint32_t)r;
	}
	if (rc)
		goto done;
	if (!routes_alike(w->p[0], w->p[1])) {
		memset(every, 1, na);
		memset(near, 1, na);
		goto done;
	}
	for (size_t i = 0; i < na; i++) {
		const struct acs_func *fn = acs_fabric_func(fa, i), *p = acs_fabric_parent(fa, fn);
		const struct acs_func *b = w->map[1][i] < 0 ? NULL : acs_fabric_func(fb, (size_t)w->map[1][i]);

		if (!b || !same_place(w, b, fn)) {
			if (p)
				below[acs_fabric_index(fa, p)] = 1;
			else
				mark_root_bus(fa, fn->domain, fn->bus, self);
		} else if (!same_state(b, fn)) {
			dirty[i] = 1;
		}
	}
	/* a function gone: where it was, in after's terms */
	for (size_t k = 0; k < w->nremoved; k++) {
		const struct acs_func *gone = acs_fabric_func(fb, w->removed[k]);
		const struct acs_func *p = acs_fabric_parent(fb, gone), *t = top_of(fb, gone);
		long q = counterpart(w, 0, fb, p);

		if (q >= 0)
			below[q] = 1;
		else
			mark_root_bus(fa, t->domain, t->bus, self);
	}
	spread(fa, self, below, state, chain, every);
	memset(below, 0, na);
	spread(fa, dirty, below, state, chain, near);
done:
	free(self);
	free(below);
	free(dirty);
	free(state);
	free(chain);
	return rc;
}

static unsigned reach_bits(const struct acs_reach *ab, const struct acs_reach *ba)
{
	return (ab->direct ? ACS_WHATIF_REACH_A_TO_B : 0u) | (ba->direct ? ACS_WHATIF_REACH_B_TO_A : 0u);
}

static int route_pair(acs_whatif *w, uint32_t i, uint32_t j)
{
	size_t bi = (size_t)w->map[1][i], bj = (size_t)w->map[1][j];
	struct acs_p2pdma d[2];
	struct acs_reach r[2][2];
	acs_whatif_pair pr = { i, j, { 0, 0 }, { 0, 0 }, { 0, 0 }, false, false };

	acs_p2pdma_distance(w->f[0], w->p[0], w->opts.cpu, bi, bj, &d[0]);
	acs_p2pdma_distance(w->f[1], w->p[1], w->opts.cpu, i, j, &d[1]);
	acs_route_reach(w->f[0], w->p[0], bi, bj, &r[0][0]);
	acs_route_reach(w->f[0], w->p[0], bj, bi, &r[0][1]);
	acs_route_reach(w->f[1], w->p[1], i, j, &r[1][0]);
	acs_route_reach(w->f[1], w->p[1], j, i, &r[1][1]);
	w->stats.routed++;
	for (int s = 0; s < 2; s++) {
		pr.map[s] = d[s].map;
		pr.distance[s] = d[s].distance;
		pr.reach[s] = reach_bits(&r[s][0], &r[s][1]);
		pr.unknown |= r[s][0].unknown || r[s][1].unknown;
	}
	if (pr.map[0] == pr.map[1] && pr.reach[0] == pr.reach[1])
		return 0;
	pr.gained = (pr.map[1] == ACS_P2P_BUS_ADDR && pr.map[0] != ACS_P2P_BUS_ADDR) ||
		    (pr.reach[1] & ~pr.reach[0]);
	w->stats.changed++;
	if (pr.gained)
		w->stats.gained++;
	else
		w->stats.lost++;
	if (w->npairs >= w->opts.max_pairs) {
		w->stats.truncated = true;
		return 0;
	}
	if (w->npairs == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		acs_whatif_pair *np = realloc(w->pairs, cap * sizeof(*np));

		if (!np)
			return acs_error_nomem();
		w->pairs = np;
		w->cap = cap;
	}
	w->pairs[w->npairs++] = pr;
	return 0;
}

/* First position in v[0..n-1] (ascending) above p. */
static size_t after_pos(const size_t *v, size_t n, size_t p)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Route p with every position of x[] and y[] above it, once each, in order. */
static int route_merged(acs_whatif *w, const uint32_t *peers, size_t p, const size_t *x, size_t nx,
			const size_t *y, size_t ny)
{
	size_t i = after_pos(x, nx, p), j = after_pos(y, ny, p);
	int rc = 0;

	while (!rc && (i < nx || j < ny)) {
		size_t q;

		if (j == ny || (i < nx && x[i] <= y[j])) {
			q = x[i++];
			if (j < ny && y[j] == q)
				j++;
		} else {
			q = y[j++];
		}
		rc = route_pair(w, peers[p], peers[q]);
	}
	return rc;
}

/*
 * Every pair of peers, a before b: routed on both sides where an end is
 * `every`, or where both are in one region and an end is `near`; the
 * others read nothing that differs and keep their verdict.
 */
static int diff_p2p(acs_whatif *w)
{
	size_t na = acs_fabric_count(w->f[1]), np = 0, ne = 0, nr = 0;
	uint8_t *every = calloc(na + 1, 1), *near = calloc(na + 1, 1);
	uint32_t *region = malloc((na + 1) * sizeof(*region)), *peers = malloc((na + 1) * sizeof(*peers));
	int32_t *rid = malloc((na + 1) * sizeof(*rid));
	/* positions in peers: those `every`; per region, all and those near */
	size_t *pe = malloc((na + 1) * sizeof(*pe)), *start = calloc(na + 2, sizeof(*start));
	size_t *all = malloc((na + 1) * sizeof(*all)), *nearby = malloc((na + 1) * sizeof(*nearby));
	size_t *nall = calloc(na + 1, sizeof(*nall)), *nnear = calloc(na + 1, sizeof(*nnear));
	int rc = every && near && region && peers && rid && pe && start && all && nearby && nall && nnear ? 0 :
		 acs_error_nomem();

	if (!rc)
		rc = w->opts.route_all ? (memset(every, 1, na), 0) : find_affected(w, every, near, region);
	for (size_t i = 0; !rc && i < na; i++) {
		rid[i] = -1;
		if (w->map[1][i] >= 0 && peer(acs_fabric_func(w->f[1], i)) &&
		    peer(acs_fabric_func(w->f[0], (size_t)w->map[1][i])))
			peers[np++] = (uint32_t)i;
	}
	/* regions numbered densely, their peers counted, then placed */
	for (size_t p = 0; !rc && p < np; p++) {
		uint32_t r = w->opts.route_all ? 0 : region[peers[p]];

		if (rid[r] < 0)
			rid[r] = (int32_t)nr++;
		start[rid[r] + 1]++;
	}
	for (size_t r = 0; !rc && r < nr; r++)
		start[r + 1] += start[r];
	for (size_t p = 0; !rc && p < np; p++) {
		size_t r = (size_t)rid[w->opts.route_all ? 0 : region[peers[p]]];

		all[start[r] + nall[r]++] = p;
		if (near[peers[p]])
			nearby[start[r] + nnear[r]++] = p;
		if (every[peers[p]])
			pe[ne++] = p;
	}
	w->stats.peers = np;
	w->stats.pairs = np ? (uint64_t)np * (np - 1) / 2 : 0;
	for (size_t p = 0; !rc && p < np; p++) {
		size_t r = (size_t)rid[w->opts.route_all ? 0 : region[peers[p]]];

		if (every[peers[p]]) {
			for (size_t q = p + 1; !rc && q < np; q++)
				rc = route_pair(w, peers[p], peers[q]);
		} else if (near[peers[p]]) {
			rc = route_merged(w, peers, p, pe, ne, all + start[r], nall[r]);
		} else {
			rc = route_merged(w, peers, p, pe, ne, nearby + start[r], nnear[r]);
		}
	}
	free(every);
	free(near);
	free(region);
	free(peers);
	free(rid);
	free(pe);
	free(start);
	free(all);
	free(nearby);
	free(nall);
	free(nnear);
	return rc;
}

/* A finding as a key: kind, then its devices and its via as sorted sets of
 * after's indices (a function only before has na + its index: equal to
 * nothing after has). */
struct key {
	uint32_t *v;          /* kind, ndevices, devices..., nvia, via... */
	size_t n;
	size_t index;         /* in its audit */
};

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;

	return x < y ? -1 : x > y;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct key *x = pa, *y = pb;
	size_t n = x->n < y->n ? x->n : y->n;

	for (size_t i = 0; i < n; i++)
		if (x->v[i] != y->v[i])
			return x->v[i] < y->v[i] ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool key_equal(const struct key *x, const struct key *y)
{
	return x->n == y->n && !memcmp(x->v, y->v, x->n * sizeof(*x->v));
}

static uint32_t as_after(const acs_whatif *w, int side, uint32_t i)
{
	size_t na = acs_fabric_count(w->f[1]);

	if (side == ACS_WHATIF_AFTER)
		return i;
	return w->map[0][i] >= 0 ? (uint32_t)w->map[0][i] : (uint32_t)(na + i);
}

static int make_keys(const acs_whatif *w, int side, struct key **out, size_t *nout)
{
	const acs_audit *a = w->audit[side];
	size_t n = acs_audit_count(a);
	struct key *k = calloc(n + 1, sizeof(*k));

	*out = k;
	*nout = 0;
	if (!k)
		return acs_error_nomem();
	for (size_t i = 0; i < n; i++, (*nout)++) {
		const acs_finding *fd = acs_audit_at(a, i);
		uint32_t *v = malloc((fd->ndevices + fd->nvia + 3) * sizeof(*v));
		size_t m = 0;

		if (!v)
			return acs_error_nomem();
		v[m++] = (uint32_t)fd->kind;
		v[m++] = (uint32_t)fd->ndevices;
		for (size_t d = 0; d < fd->ndevices; d++)
			v[m++] = as_after(w, side, fd->devices[d]);
		qsort(v + 2, fd->ndevices, sizeof(*v), u32_cmp);
		v[m++] = (uint32_t)fd->nvia;
		for (size_t d = 0; d < fd->nvia; d++)
			v[m++] = as_after(w, side, fd->via[d]);
		qsort(v + 3 + fd->ndevices, fd->nvia, sizeof(*v), u32_cmp);
		k[i] = (struct key){ v, m, i };
	}
	qsort(k, n, sizeof(*k), key_cmp);
	return 0;
}

static void free_keys(struct key *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].v);
	free(k);
}

static int size_cmp(const void *pa, const void *pb)
{
	size_t x = *(const size_t *)pa, y = *(const size_t *)pb;

	return x < y ? -1 : x > y;
}

/* Findings of either side without an equal on the other, matched one to
 * one (a finding said twice on one side needs two on the other). */
static int diff_audit(acs_whatif *w)
{
	struct key *k[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 };
	int rc = 0;

	for (int s = 0; !rc && s < 2; s++)
		rc = acs_audit_run(&w->audit[s], w->f[s], w->p[s], acs_policy_hardware(w->p[s]));
	for (int s = 0; !rc && s < 2; s++) {
		rc = make_keys(w, s, &k[s], &n[s]);
		w->audit_diff[s] = malloc((n[s] + 1) * sizeof(*w->audit_diff[s]));
		if (!rc && !w->audit_diff[s])
			rc = acs_error_nomem();
	}
	for (size_t i = 0, j = 0; !rc && (i < n[0] || j < n[1]);) {
		int c = i == n[0] ? 1 : j == n[1] ? -1 : key_equal(&k[0][i], &k[1][j]) ? 0 :
			key_cmp(&k[0][i], &k[1][j]);

		if (c < 0)
			w->audit_diff[0][w->naudit_diff[0]++] = k[0][i++].index;
		else if (c > 0)
			w->audit_diff[1][w->naudit_diff[1]++] = k[1][j++].index;
		else
			i++, j++;
	}
	for (int s = 0; !rc && s < 2; s++)
		qsort(w->audit_diff[s], w->naudit_diff[s], sizeof(size_t), size_cmp);
	free_keys(k[0], n[0]);
	free_keys(k[1], n[1]);
	return rc;
}

/* The unread functions either audit depends on, as after's. */
static int collect_unknown(acs_whatif *w)
{
	size_t na = acs_fabric_count(w->f[1]);
	uint8_t *seen = calloc(na + 1, 1);
	const uint32_t *u;
	size_t n;

	w->unknown = malloc((na + 1) * sizeof(*w->unknown));
	if (!seen || !w->unknown) {
		free(seen);
		return acs_error_nomem();
	}
	n = acs_audit_unknown(w->audit[1], &u);
	for (size_t i = 0; i < n; i++)
		seen[u[i]] = 1;
	n = acs_audit_unknown(w->audit[0], &u);
	for (size_t i = 0; i < n; i++)
		if (w->map[0][u[i]] >= 0)
			seen[w->map[0][u[i]]] = 1;
	for (size_t i = 0; i < na; i++)
		if (seen[i])
			w->unknown[w->nunknown++] = (uint32_t)i;
	free(seen);
	return 0;
}

/* p2p_only: the function map and the P2P pairs alone (a plan's opened
 * pairs): no groups, no audits, which on large fabrics cost the most. */
static int run(acs_whatif **out, const acs_fabric *before, const acs_policy *before_policy,
	       const acs_fabric *after, const acs_policy *after_policy, const acs_whatif_opts *opts,
	       bool p2p_only)
{
	acs_whatif_opts dflt = ACS_WHATIF_OPTS_INIT;
	acs_whatif *w;
	int rc;

	*out = NULL;
	if (!before || !after || !before_policy || !after_policy)
		return acs_error_set(ACS_EINVAL, "what-if: a fabric or a policy is missing");
	if (opts && opts->version != ACS_WHATIF_OPTS_VERSION)
		return acs_error_set(ACS_EINVAL, "what-if: options of version %u, not %u", opts->version,
				     ACS_WHATIF_OPTS_VERSION);
	w = calloc(1, sizeof(*w));
	if (!w)
		return acs_error_nomem();
	w->f[0] = before;
	w->f[1] = after;
	w->p[0] = before_policy;
	w->p[1] = after_policy;
	w->opts = opts ? *opts : dflt;
	rc = map_functions(w);
	if (!rc && !p2p_only)
		rc = diff_groups(w);
	if (!rc && !p2p_only)
		rc = diff_isolation(w);
	if (!rc)
		rc = diff_p2p(w);
	if (!rc && !p2p_only)
		rc = diff_audit(w);
	if (!rc && !p2p_only)
		rc = collect_unknown(w);
	if (rc) {
		acs_whatif_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int acs_whatif_run(acs_whatif **out, const acs_fabric *before, const acs_policy *before_policy,
		   const acs_fabric *after, const acs_policy *after_policy, const acs_whatif_opts *opts)
{
	return run(out, before, before_policy, after, after_policy, opts, false);
}

int acs_whatif_run_p2p(acs_whatif **out, const acs_fabric *before, const acs_policy *before_policy,
		       const acs_fabric *after, const acs_policy *after_policy, const acs_whatif_opts *opts)
{
	return run(out, before, before_policy, after, after_policy, opts, true);
}

const acs_fabric *acs_whatif_fabric(const acs_whatif *w, int side)
{
	return w->f[side ? 1 : 0];
}

long acs_whatif_map(const acs_whatif *w, int side, size_t i)
{
	side = side ? 1 : 0;
	return i < acs_fabric_count(w->f[side]) ? (long)w->map[side][i] : -1;
}

const acs_groups *acs_whatif_groups(const acs_whatif *w, int side)
{
	return w->groups[side ? 1 : 0];
}

size_t acs_whatif_group_changes(const acs_whatif *w, const acs_partition_change **changes)
{
	*changes = w->changes;
	return w->nchanges;
}

size_t acs_whatif_groups_unchanged(const acs_whatif *w)
{
	return acs_partition_diff_unchanged(w->diff);
}

size_t acs_whatif_moved(const acs_whatif *w, const uint32_t **funcs)
{
	return acs_partition_diff_moved(w->diff, funcs);
}

size_t acs_whatif_only(const acs_whatif *w, int side, const uint32_t **funcs)
{
	if (side == ACS_WHATIF_BEFORE) {
		*funcs = w->removed;
		return w->nremoved;
	}
	*funcs = w->added;
	return w->nadded;
}

size_t acs_whatif_isolation(const acs_whatif *w, int side, const uint32_t **funcs)
{
	side = side ? 1 : 0;
	*funcs = w->alone_only[side];
	return w->nalone_only[side];
}

size_t acs_whatif_p2p(const acs_whatif *w, const acs_whatif_pair **pairs, acs_whatif_p2p_stats *stats)
{
	*pairs = w->pairs;
	if (stats)
		*stats = w->stats;
	return w->npairs;
}

const acs_audit *acs_whatif_audit(const acs_whatif *w, int side)
{
	return w->audit[side ? 1 : 0];
}

size_t acs_whatif_audit_diff(const acs_whatif *w, int side, const size_t **idx)
{
	side = side ? 1 : 0;
	*idx = w->audit_diff[side];
	return w->naudit_diff[side];
}

size_t acs_whatif_unknown(const acs_whatif *w, const uint32_t **ports)
{
	*ports = w->unknown;
	return w->nunknown;
}

void acs_whatif_free(acs_whatif *w)
{
	if (!w)
		return;
	free(w->map[0]);
	free(w->map[1]);
	acs_groups_free(w->groups[0]);
	acs_groups_free(w->groups[1]);
	acs_partition_diff_free(w->diff);
	free(w->changes);
	free(w->funcs);
	free(w->other);
	free(w->removed);
	free(w->added);
	free(w->pairs);
	acs_audit_free(w->audit[0]);
	acs_audit_free(w->audit[1]);
	free(w->audit_diff[0]);
	free(w->audit_diff[1]);
	free(w->unknown);
	free(w->alone_only[0]);
	free(w->alone_only[1]);
	free(w);
}
