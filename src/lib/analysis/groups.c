/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IOMMU groups: pci_device_group() of drivers/iommu/iommu.c, run on every
 * function in the order the kernel probes them. The kernel's search looks
 * for groups that already exist, so the order matters where functions of
 * one slot share a group unevenly; following the kernel's order gives its
 * partition and its group numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NO_GROUP UINT32_MAX
/* Alias chains are at most one visit per bus level plus the function. */
/* A function, up to 256 alias-mask visits (a PLX NTB), and one per bus
 * level above. */
#define MAX_ALIASES 600
/* Each alias frame takes a devfn of the bus for good, and function frames
 * alternate with alias frames: 2 * 256 bounds the search stack. */
#define MAX_FRAMES 520

struct acs_groups {
	size_t nfuncs, ngroups, nuncertain;
	uint32_t *group_of;     /* per function */
	uint32_t *members;      /* function indices, grouped */
	uint32_t *start;        /* ngroups + 1 offsets into members */
	bool *uncertain;        /* per group */
};

struct run {
	const acs_fabric *fabric;
	const acs_policy *policy;
	uint32_t *group_of;
	uint8_t *path;          /* per function: pci_acs_path_enabled() */
	bool unsure;            /* the current function met unknown state */
	size_t ngroups;
};

static bool isolated(struct run *r, size_t i)
{
	int v = acs_policy_acs_enabled(r->policy, r->fabric,
				       acs_fabric_func(r->fabric, i), ACS_REQ_FLAGS);

	if (v == ACS_MAYBE)
		r->unsure = true;
	return v == ACS_YES;
}

struct frame {
	bool func;          /* get_pci_function_alias_group(), else alias */
	uint8_t phase;
	uint32_t dev, cursor;
};

/*
 * get_pci_alias_group() followed by get_pci_function_alias_group() on the
 * same devfn set, as pci_device_group() calls them, with the kernel's
 * mutual recursion unrolled onto a bounded stack.
 */
static uint32_t search_slot_groups(struct run *r, uint32_t pdev)
{
	const struct acs_func *funcs = acs_fabric_func(r->fabric, 0);
	struct frame stack[MAX_FRAMES];
	uint64_t devfns[4] = { 0 };
	size_t depth = 0, bus_first, bus_end;

	/* The functions on pdev's bus form one contiguous range. */
	bus_first = pdev;
	while (bus_first > 0 && funcs[bus_first - 1].domain == funcs[pdev].domain &&
	       funcs[bus_first - 1].bus == funcs[pdev].bus)
		bus_first--;
	bus_end = pdev + 1;
	while (bus_end < acs_fabric_count(r->fabric) &&
	       funcs[bus_end].domain == funcs[pdev].domain &&
	       funcs[bus_end].bus == funcs[pdev].bus)
		bus_end++;

	stack[depth++] = (struct frame){ false, 0, pdev, 0 };
	for (int top_level = 0; top_level < 2; top_level++) {
		if (top_level == 1)
			stack[depth++] = (struct frame){ true, 0, pdev, 0 };
		while (depth) {
			struct frame *f = &stack[depth - 1];
			const struct acs_func *d = &funcs[f->dev];
			unsigned devfn = (unsigned)d->dev << 3 | d->fn;

			if (!f->func && f->phase == 0) {
				if (devfns[devfn / 64] & (1ull << (devfn % 64))) {
					depth--;
					continue;
				}
				devfns[devfn / 64] |= 1ull << (devfn % 64);
				if (r->group_of[f->dev] != NO_GROUP)
					return r->group_of[f->dev];
				f->phase = 1;
				f->cursor = (uint32_t)bus_first;
			}
			if (f->func && f->phase == 0) {
				if (!d->multifunction || isolated(r, f->dev)) {
					depth--;
					continue;
				}
				f->phase = 1;
				f->cursor = (uint32_t)bus_first;
			}
			if (!f->func && f->phase == 2) {
				/* alias_group(tmp) found nothing: try its slot */
				f->phase = 3;
				if (depth < MAX_FRAMES)
					stack[depth++] = (struct frame){ true, 0, f->cursor, 0 };
				continue;
			}
			if ((!f->func && f->phase == 3) || (f->func && f->phase == 2)) {
				f->cursor++;
				f->phase = 1;
			}
			/* phase 1: find the next candidate on the bus */
			while (f->cursor < bus_end) {
				const struct acs_func *t = &funcs[f->cursor];

				if (f->cursor != f->dev &&
				    (f->func ? t->dev == d->dev && !isolated(r, f->cursor)
					     : acs_policy_devs_alias(r->policy, r->fabric,
								     f->dev, f->cursor)))
					break;
				f->cursor++;
			}
			if (f->cursor >= bus_end) {
				depth--;
				continue;
			}
			f->phase = 2;
			if (depth < MAX_FRAMES)
				stack[depth++] = (struct frame){ false, 0, f->cursor, 0 };
		}
	}
	return NO_GROUP;
}

static uint32_t device_group(struct run *r, uint32_t idx)
{
	uint32_t aliases[MAX_ALIASES];
	size_t n, k;
	uint32_t pdev, g;
	const struct acs_func *p;

	/* pci_for_each_dma_alias(): the first alias with a group wins. */
	n = acs_policy_dma_aliases(r->policy, r->fabric, idx, aliases,
				   MAX_ALIASES, &r->unsure);
	if (n > MAX_ALIASES)
		n = MAX_ALIASES;
	for (k = 0; k < n; k++)
		if (r->group_of[aliases[k]] != NO_GROUP)
			return r->group_of[aliases[k]];
	pdev = aliases[n - 1];

	/* Up to the first bridge whose whole path to the root isolates. */
	for (p = acs_fabric_parent(r->fabric, acs_fabric_func(r->fabric, pdev)); p;
	     p = acs_fabric_parent(r->fabric, p)) {
		size_t pi = acs_fabric_index(r->fabric, p);

		if (r->path[pi] == ACS_MAYBE)
			r->unsure = true;
		if (r->path[pi] == ACS_YES)
			break;
		pdev = (uint32_t)pi;
		if (r->group_of[pdev] != NO_GROUP)
			return r->group_of[pdev];
	}
	g = search_slot_groups(r, pdev);
	return g != NO_GROUP ? g : (uint32_t)r->ngroups++;
}

static int collect(acs_groups *g, const bool *func_unsure)
{
	size_t i;

	g->members = malloc(g->nfuncs * sizeof(*g->members));
	g->start = calloc(g->ngroups + 1, sizeof(*g->start));
	g->uncertain = calloc(g->ngroups ? g->ngroups : 1, sizeof(*g->uncertain));
	if (!g->members || !g->start || !g->uncertain)
		return acs_error_nomem();
	/* functions without a group (NO_GROUP) are in no member list */
	for (i = 0; i < g->nfuncs; i++)
		if (g->group_of[i] != NO_GROUP)
			g->start[g->group_of[i] + 1]++;
	for (i = 0; i < g->ngroups; i++)
		g->start[i + 1] += g->start[i];
	{
		uint32_t *fill = malloc((g->ngroups + 1) * sizeof(*fill));

		if (!fill)
			return acs_error_nomem();
		memcpy(fill, g->start, (g->ngroups + 1) * sizeof(*fill));
		for (i = 0; i < g->nfuncs; i++)
			if (g->group_of[i] != NO_GROUP)
				g->members[fill[g->group_of[i]]++] = (uint32_t)i;
		free(fill);
	}
	for (i = 0; i < g->nfuncs; i++)
		if (func_unsure[i] && g->group_of[i] != NO_GROUP && !g->uncertain[g->group_of[i]]) {
			g->uncertain[g->group_of[i]] = true;
			g->nuncertain++;
		}
	return 0;
}

/* The kernel's order of the functions, unit by unit where its IOMMU
 * driver probes each unit's functions when that unit registers
 * (acs_policy__iommu_unit()): a stable sort by unit. */
struct probe_key {
	unsigned unit;
	uint32_t pos, func;
};

static int probe_key_cmp(const void *pa, const void *pb)
{
	const struct probe_key *a = pa, *b = pb;

	if (a->unit != b->unit)
		return a->unit < b->unit ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static uint32_t *probe_order(const acs_fabric *fabric, const acs_policy *policy)
{
	size_t n = acs_fabric_count(fabric);
	const uint32_t *order = acs_fabric_kernel_order(fabric);
	struct probe_key *keys = malloc((n + 1) * sizeof(*keys));
	uint32_t *out = malloc((n + 1) * sizeof(*out));

	if (!keys || !out) {
		free(keys);
		free(out);
		return NULL;
	}
	for (size_t k = 0; k < n; k++)
		keys[k] = (struct probe_key){
			acs_policy__iommu_unit(policy, fabric, acs_fabric_func(fabric, order[k])),
			(uint32_t)k, order[k] };
	qsort(keys, n, sizeof(*keys), probe_key_cmp);
	for (size_t k = 0; k < n; k++)
		out[k] = keys[k].func;
	free(keys);
	return out;
}

int acs_groups_compute(acs_groups **out, const acs_fabric *fabric,
		       const acs_policy *policy)
{
	return acs_groups_compute_preset(out, fabric, policy, NULL);
}

int acs_groups_compute_preset(acs_groups **out, const acs_fabric *fabric,
			      const acs_policy *policy, const int32_t *preset)
{
	size_t n = acs_fabric_count(fabric), k;
	const uint32_t *order = acs_fabric_kernel_order(fabric);
	struct run r = { fabric, policy, NULL, NULL, false, 0 };
	uint32_t *probe = NULL;
	bool *unsure = NULL;
	acs_groups *g;
	int rc = 0;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	r.path = malloc(n);
	unsure = calloc(n, sizeof(*unsure));
	probe = probe_order(fabric, policy);
	if (!g || !r.path || !unsure || !probe) {
		rc = acs_error_nomem();
		goto done;
	}
	g->nfuncs = n;
	g->group_of = malloc(n * sizeof(*g->group_of));
	if (!g->group_of) {
		rc = acs_error_nomem();
		goto done;
	}
	r.group_of = g->group_of;
	/* Kernel order has parents first: each path result extends its
	 * parent's. */
	for (k = 0; k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(fabric, order[k]);
		const struct acs_func *p = acs_fabric_parent(fabric, fn);
		int own = acs_policy_acs_enabled(policy, fabric, fn, ACS_REQ_FLAGS);
		int up = p ? r.path[acs_fabric_index(fabric, p)] : ACS_YES;

		r.path[order[k]] = (uint8_t)(own == ACS_NO || up == ACS_NO ? ACS_NO :
				   own == ACS_MAYBE || up == ACS_MAYBE ? ACS_MAYBE : ACS_YES);
		g->group_of[k] = NO_GROUP;
	}
	/* Functions that keep a group the kernel already has (a live change:
	 * what stays is not probed again); new groups are numbered after. */
	for (k = 0; preset && k < n; k++)
		if (preset[k] >= 0) {
			g->group_of[k] = (uint32_t)preset[k];
			if ((size_t)preset[k] + 1 > r.ngroups)
				r.ngroups = (size_t)preset[k] + 1;
		}
	for (k = 0; k < n; k++) {
		if (g->group_of[probe[k]] != NO_GROUP)
			continue;
		/* the IOMMU driver's probe refuses it: no group, no number */
		if (acs_policy_iommu_excludes(policy, fabric, acs_fabric_func(fabric, probe[k]), NULL))
			continue;
		r.unsure = false;
		g->group_of[probe[k]] = device_group(&r, probe[k]);
		unsure[probe[k]] = r.unsure;
	}
	g->ngroups = r.ngroups;
	rc = collect(g, unsure);
done:
	free(r.path);
	free(unsure);
	free(probe);
	if (rc) {
		acs_groups_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int acs_groups_from(acs_groups **out, const acs_fabric *fabric, const int32_t *group_of)
{
	size_t n = acs_fabric_count(fabric);
	acs_groups *g = calloc(1, sizeof(*g));
	bool *unsure = calloc(n + 1, sizeof(*unsure));
	int rc = 0;

	*out = NULL;
	if (!g || !unsure || !(g->group_of = malloc((n + 1) * sizeof(*g->group_of)))) {
		free(unsure);
		acs_groups_free(g);
		return acs_error_nomem();
	}
	g->nfuncs = n;
	for (size_t i = 0; i < n; i++) {
		g->group_of[i] = group_of[i] < 0 ? NO_GROUP : (uint32_t)group_of[i];
		if (group_of[i] >= 0 && (size_t)group_of[i] + 1 > g->ngroups)
			g->ngroups = (size_t)group_of[i] + 1;
	}
	rc = collect(g, unsure);
	free(unsure);
	if (rc) {
		acs_groups_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

void acs_groups_free(acs_groups *g)
{
	if (!g)
		return;
	free(g->group_of);
	free(g->members);
	free(g->start);
	free(g->uncertain);
	free(g);
}

size_t acs_groups_count(const acs_groups *g)
{
	return g->ngroups;
}

size_t acs_groups_of(const acs_groups *g, size_t index)
{
	return g->group_of[index] == NO_GROUP ? ACS_NO_GROUP : g->group_of[index];
}

size_t acs_groups_members(const acs_groups *g, size_t id,
			  const uint32_t **members)
{
	*members = &g->members[g->start[id]];
	return g->start[id + 1] - g->start[id];
}

bool acs_groups_uncertain(const acs_groups *g, size_t id)
{
	return id < g->ngroups && g->uncertain[id];
}

size_t acs_groups_uncertain_count(const acs_groups *g)
{
	return g->nuncertain;
}
