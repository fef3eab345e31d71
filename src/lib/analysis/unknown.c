/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a verdict depends on that was not read. Each question looks only
 * where the kernel (or the route) would look: pci_device_group() at the
 * bridges up to the root and at multifunction slots, the route at the
 * ports where two paths meet, P2PDMA at the redirect bits of its path. A
 * function counts when the policy answers ACS_MAYBE for it: a quirk that
 * knows the device answers whatever was read. Sets are a mark per
 * function plus the list of marked ones, so clearing one is as cheap as
 * what it holds.
 */
#include <stdlib.h>

#include "internal.h"

#define MAX_DEPTH 300

struct acs_unknown {
	const acs_fabric *f;
	const acs_policy *p;
	uint8_t *mark;      /* per function */
	uint32_t *list;     /* the marked functions */
	size_t n;
	bool sorted;
};

int acs_unknown_new(acs_unknown **out, const acs_fabric *f, const acs_policy *p)
{
	size_t n = acs_fabric_count(f);
	acs_unknown *u = calloc(1, sizeof(*u));

	*out = NULL;
	if (u) {
		u->mark = calloc(n + 1, 1);
		u->list = malloc((n + 1) * sizeof(*u->list));
	}
	if (!u || !u->mark || !u->list) {
		acs_unknown_free(u);
		return acs_error_nomem();
	}
	u->f = f;
	u->p = p;
	u->sorted = true;
	*out = u;
	return 0;
}

static bool maybe(const acs_unknown *u, const struct acs_func *fn, uint16_t flags)
{
	return acs_policy_acs_enabled(u->p, u->f, fn, flags) == ACS_MAYBE;
}

static void put(acs_unknown *u, const struct acs_func *fn)
{
	size_t i = acs_fabric_index(u->f, fn);

	if (u->mark[i])
		return;
	u->mark[i] = 1;
	u->list[u->n++] = (uint32_t)i;
	u->sorted = false;
}

/* fn if its isolation is unknown; returns whether it was. */
static bool put_maybe(acs_unknown *u, const struct acs_func *fn, uint16_t flags)
{
	if (!maybe(u, fn, flags))
		return false;
	put(u, fn);
	return true;
}

/* The unknown functions of fn's slot (get_pci_function_alias_group()). */
static bool put_slot(acs_unknown *u, const struct acs_func *fn)
{
	size_t i = acs_fabric_index(u->f, fn), n = acs_fabric_count(u->f);
	bool any = false;

	while (i > 0 && acs_fabric_func(u->f, i - 1)->domain == fn->domain &&
	       acs_fabric_func(u->f, i - 1)->bus == fn->bus && acs_fabric_func(u->f, i - 1)->dev == fn->dev)
		i--;
	for (; i < n; i++) {
		const struct acs_func *s = acs_fabric_func(u->f, i);

		if (s->domain != fn->domain || s->bus != fn->bus || s->dev != fn->dev)
			break;
		any |= put_maybe(u, s, ACS_REQ_FLAGS);
	}
	return any;
}

/* pci_device_group(): the walk up from a, each bridge's path to the root,
 * and the slot where the walk stops; any of them may be where it stops. */
static bool add_group(acs_unknown *u, size_t a)
{
	const struct acs_func *fn = acs_fabric_func(u->f, a);
	bool any = fn->multifunction && put_slot(u, fn);

	for (const struct acs_func *br = acs_fabric_parent(u->f, fn); br; br = acs_fabric_parent(u->f, br)) {
		any |= put_maybe(u, br, ACS_REQ_FLAGS);
		if (br->multifunction)
			any |= put_slot(u, br);
	}
	return any;
}

static size_t chain_up(const acs_fabric *f, size_t i, const struct acs_func **chain)
{
	size_t n = 0;

	for (const struct acs_func *fn = acs_fabric_func(f, i); fn && n < MAX_DEPTH; fn = acs_fabric_parent(f, fn))
		chain[n++] = fn;
	return n;
}

static const struct acs_func *device_of(const acs_fabric *f, const struct acs_func *fn)
{
	const struct acs_func *pf = acs_fabric_physfn(f, fn);

	return pf ? pf : fn;
}

static bool same_device(const struct acs_func *x, const struct acs_func *y)
{
	return x->domain == y->domain && x->bus == y->bus && x->dev == y->dev;
}

/* Where acs_route_reach() looks: the two functions on the bus where the
 * paths meet (the ports they enter by), and the bridge above that bus
 * when it is not known to be a switch (its bus may be conventional PCI). */
static bool add_reach(acs_unknown *u, size_t a, size_t b)
{
	const struct acs_func *ca[MAX_DEPTH], *cb[MAX_DEPTH], *x, *y, *top;
	size_t na = chain_up(u->f, a, ca), nb = chain_up(u->f, b, cb);
	bool any = false;

	while (na > 0 && nb > 0 && ca[na - 1] == cb[nb - 1]) {
		na--;
		nb--;
	}
	if (na == 0 || nb == 0)
		return false;
	x = ca[na - 1];
	y = cb[nb - 1];
	top = acs_fabric_parent(u->f, x);
	if (top != acs_fabric_parent(u->f, y) || x->domain != y->domain || x->bus != y->bus)
		return false;
	if (!same_device(device_of(u->f, x), device_of(u->f, y))) {
		if (!top)
			return false;   /* a root bus: the root complex routes */
		if (!(top->known & ACS_KNOWN_CAPS)) {
			put(u, top);
			any = true;
		} else if (top->pcie_type != ACS_PCIE_UPSTREAM) {
			return false;   /* a known conventional bus: direct, proven */
		}
	}
	any |= put_maybe(u, x, ACS_RR);
	any |= put_maybe(u, y, ACS_RR);
	return any;
}

/* calc_map_type_and_dist(): redirect bits on the path to the common
 * upstream bridge; through the host bridge nothing of ACS counts. */
static bool add_p2pdma(acs_unknown *u, size_t a, size_t b)
{
	struct acs_p2pdma v;
	bool any = false;

	acs_p2pdma_distance(u->f, u->p, ACS_P2P_CPU_OTHER, a, b, &v);
	if (!v.common_upstream)
		return false;
	for (size_t k = 0; k < v.npath; k++) {
		const struct acs_func *fn = acs_fabric_func(u->f, v.path[k]);

		if (!acs_func_acs_known(fn)) {
			put(u, fn);
			any = true;
		}
	}
	return any;
}

bool acs_unknown_add(acs_unknown *u, int q, size_t a, long b)
{
	bool any = false;

	if (!acs_fabric_unknown_count(u->f))
		return false;
	if (q & ACS_UNKNOWN_GROUP) {
		any |= add_group(u, a);
		if (b >= 0)
			any |= add_group(u, (size_t)b);
	}
	if ((q & ACS_UNKNOWN_REACH) && b >= 0)
		any |= add_reach(u, a, (size_t)b);
	if ((q & ACS_UNKNOWN_P2PDMA) && b >= 0)
		any |= add_p2pdma(u, a, (size_t)b);
	return any;
}

size_t acs_unknown_count(const acs_unknown *u)
{
	return u->n;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

size_t acs_unknown_list(acs_unknown *u, const uint32_t **list)
{
	if (!u->sorted) {
		qsort(u->list, u->n, sizeof(*u->list), cmp_u32);
		u->sorted = true;
	}
	*list = u->list;
	return u->n;
}

void acs_unknown_clear(acs_unknown *u)
{
	for (size_t k = 0; k < u->n; k++)
		u->mark[u->list[k]] = 0;
	u->n = 0;
	u->sorted = true;
}

void acs_unknown_free(acs_unknown *u)
{
	if (!u)
		return;
	free(u->mark);
	free(u->list);
	free(u);
}

const char *acs_unknown_why(const struct acs_func *fn)
{
	if (!(fn->known & ACS_KNOWN_CAPS))
		return fn->is_bridge ? "not known to be a port, nor of which kind: its capabilities were not read" :
				       "its capabilities were not read (PCI Express or conventional, ACS)";
	return "its ACS state was not read (extended config space)";
}

const char *acs_unknown_advice(const acs_fabric *f)
{
	switch (acs_fabric_source_kind(f)) {
	case ACS_SOURCE_SYSFS:
		return "run acsctl as root: Linux gives the extended config space only to root";
	case ACS_SOURCE_DUMP:
		return "take the dump as root with `lspci -xxxx`: -x and -xxx stop before the extended config space";
	case ACS_SOURCE_LSPCI:
		return "take the text as root with `lspci -vvv` (or a dump with `lspci -xxxx`): without root lspci prints `Capabilities: <access denied>`";
	case ACS_SOURCE_RDMA_TOPO:
		return "run `rdma_topo dump` as root: sysfs gives the extended config space only to root";
	case ACS_SOURCE_SNAPSHOT:
		return "take the snapshot as root (`acsctl snapshot` reads the extended config space only as root)";
	default:
		return "give these functions their capabilities and ACS in the input (as root: `lspci -xxxx`, `lspci -vvv`)";
	}
}
