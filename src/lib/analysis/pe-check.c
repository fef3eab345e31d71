/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PE isolation on the BARs as assigned. A PHB routes each MMIO segment
 * to one PE, so two PEs' BARs in a segment share an error state; and a
 * device that moves its own BARs can only be kept from a neighbour by a
 * P2P bridge whose windows hold its PE alone. Config space gives a BAR's
 * start, not its size, so a BAR is checked by the segment it starts in.
 */
#include <stdlib.h>

#include "acsctl/bars.h"
#include "internal.h"

static long bar_segment(const acs_platform *p, uint32_t domain, const acs_bar *b, bool m64)
{
	return acs_pe_addr_segment(p, domain, b->start, m64);
}

/* the last segment a BAR covers (its start's, where its size is unknown) */
static long bar_last_segment(const acs_platform *p, uint32_t domain, const acs_bar *b, bool m64)
{
	long s = acs_pe_addr_segment(p, domain, b->end, m64);

	return s >= 0 ? s : (long)acs_platform_pes(p, domain) - 1;
}

size_t acs_pe_segments(const acs_pe_table *t, const acs_fabric *f, const acs_platform *p, size_t k,
		       bool m64, unsigned *out, size_t max)
{
	const acs_pe *pe = acs_pe_at(t, k);
	uint8_t mark[ACS_PE_MAX_PES] = { 0 };
	size_t m = 0, nsegs;

	if (!pe)
		return 0;
	nsegs = acs_platform_pes(p, pe->domain);
	for (size_t d = 0; d < pe->ndevices; d++) {
		acs_bar b[6];
		size_t nb = acs_func_mem_bars(acs_fabric_func(f, pe->devices[d]), b);

		for (size_t i = 0; i < nb; i++) {
			long s = bar_segment(p, pe->domain, &b[i], m64);

			for (long e = s >= 0 ? bar_last_segment(p, pe->domain, &b[i], m64) : -1; s >= 0 && s <= e; s++)
				mark[s] = 1;
		}
	}
	for (size_t s = 0; s < nsegs && s < ACS_PE_MAX_PES; s++)
		if (mark[s]) {
			if (m < max)
				out[m] = (unsigned)s;
			m++;
		}
	return m;
}

struct findings {
	acs_pe_finding *v;
	size_t n, cap;
};

static int add(struct findings *fs, acs_pe_finding x)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? 2 * fs->cap : 16;
		acs_pe_finding *v = realloc(fs->v, cap * sizeof(*v));

		if (!v)
			return acs_error_nomem();
		fs->v = v;
		fs->cap = cap;
	}
	fs->v[fs->n++] = x;
	return 0;
}

/* one segment owner per (window, segment): the first BAR seen */
struct owner {
	uint32_t domain;
	bool m64;
	long segment;
	long pe;
	uint32_t device;
};

/* segment s of function i's BAR b: the first BAR seen owns it */
static int own_segment(struct findings *fs, const acs_pe_table *t, uint32_t domain, size_t i,
		       const acs_bar *b, bool m64, long s, struct owner **own, size_t *nown)
{
	struct owner *v;
	size_t o;

	for (o = 0; o < *nown; o++)
		if ((*own)[o].domain == domain && (*own)[o].m64 == m64 && (*own)[o].segment == s)
			break;
	if (o < *nown) {
		if ((*own)[o].pe == acs_pe_of(t, i))
			return 0;
		return add(fs, (acs_pe_finding){ .kind = ACS_PE_SHARED_SEGMENT, .device = (uint32_t)i,
						 .neighbour = (*own)[o].device, .bar = b->index, .m64 = m64,
						 .segment = s });
	}
	v = realloc(*own, (*nown + 1) * sizeof(*v));
	if (!v)
		return acs_error_nomem();
	*own = v;
	v[(*nown)++] = (struct owner){ domain, m64, s, acs_pe_of(t, i), (uint32_t)i };
	return 0;
}

static int check_segments(struct findings *fs, const acs_pe_table *t, const acs_fabric *f,
			  const acs_platform *p, size_t i, struct owner **own, size_t *nown)
{
	const struct acs_func *fn = acs_fabric_func(f, i);
	acs_bar b[6];
	size_t nb = acs_func_mem_bars(fn, b);
	int rc = 0;

	for (size_t k = 0; !rc && k < nb; k++) {
		bool m64 = b[k].is64 && b[k].prefetch && bar_segment(p, fn->domain, &b[k], true) >= 0;
		long s = bar_segment(p, fn->domain, &b[k], m64), last;

		if (s < 0)
			continue;
		/* one finding per BAR is enough */
		for (last = bar_last_segment(p, fn->domain, &b[k], m64); s <= last; s++) {
			size_t before = fs->n;

			rc = own_segment(fs, t, fn->domain, i, &b[k], m64, s, own, nown);
			if (rc || fs->n > before)
				break;
		}
	}
	return rc;
}

/* Another PE's device with MMIO on the root bus of function i (its
 * functions are next to each other in address order), or UINT32_MAX. */
static uint32_t root_neighbour(const acs_pe_table *t, const acs_fabric *f, size_t i)
{
	const struct acs_func *fn = acs_fabric_func(f, i);
	size_t lo = i;

	while (lo && acs_fabric_func(f, lo - 1)->domain == fn->domain && acs_fabric_func(f, lo - 1)->bus == fn->bus)
		lo--;
	for (size_t s = lo; s < acs_fabric_count(f); s++) {
		const struct acs_func *g = acs_fabric_func(f, s);
		acs_bar gb[6];

		if (g->domain != fn->domain || g->bus != fn->bus)
			break;
		if (s != i && !g->is_virtfn && !acs_fabric_parent(f, g) && acs_pe_of(t, s) != acs_pe_of(t, i) &&
		    (acs_func_mem_bars(g, gb) || acs_func_bridge_windows(g, gb)))
			return (uint32_t)s;
	}
	return UINT32_MAX;
}

/* The first device with MMIO below bridge br (on its buses: the fabric's
 * buses from its secondary one on, in order) in a PE other than function
 * i's, or -1. */
static long other_pe_below(const acs_pe_table *t, const acs_fabric *f, const struct acs_func *br, size_t i)
{
	int32_t first = f->child_bus[acs_fabric_index(f, br)];

	for (size_t k = first < 0 ? f->nbuses : (size_t)first; k < f->nbuses; k++) {
		const struct acs_bus *bus = &f->buses[k];

		if (bus->domain != br->domain || bus->number > br->subordinate)
			break;
		for (size_t s = bus->first; s < bus->first + bus->count; s++) {
			const struct acs_func *g = acs_fabric_func(f, s);
			acs_bar gb[6];

			if (!g->is_virtfn && acs_pe_of(t, s) >= 0 && acs_pe_of(t, s) != acs_pe_of(t, i) &&
			    acs_func_mem_bars(g, gb))
				return (long)s;
		}
	}
	return -1;
}

/* a device's BARs must sit in its bridge's windows, and the bus below
 * that bridge must hold nothing of another PE */
static int check_fence(struct findings *fs, const acs_pe_table *t, const acs_fabric *f, size_t i)
{
	const struct acs_func *fn = acs_fabric_func(f, i), *up = acs_fabric_parent(f, fn);
	acs_bar b[6];
	size_t nb = acs_func_mem_bars(fn, b), first = 0, nsib;
	int rc = 0;

	if (!nb)
		return 0;
	if (!up)
		return add(fs, (acs_pe_finding){ .kind = ACS_PE_UNFENCED, .device = (uint32_t)i,
						 .neighbour = root_neighbour(t, f, i), .bar = b[0].index,
						 .segment = -1 });
	for (size_t k = 0; !rc && k < nb; k++)
		if (!acs_func_window_holds(up, b[k].start))
			rc = add(fs, (acs_pe_finding){ .kind = ACS_PE_OUTSIDE_WINDOW, .device = (uint32_t)i,
						       .neighbour = (uint32_t)acs_fabric_index(f, up),
						       .bar = b[k].index, .segment = -1 });
	nsib = acs_fabric_children(f, up, &first);
	for (size_t s = first; !rc && s < first + nsib; s++) {
		const struct acs_func *g = acs_fabric_func(f, s);
		acs_bar gb[6];
		long other;

		if (s == i || g->is_virtfn)
			continue;
		if (acs_pe_of(t, s) != acs_pe_of(t, i)) {
			if (acs_func_mem_bars(g, gb) || acs_func_bridge_windows(g, gb))
				rc = add(fs, (acs_pe_finding){ .kind = ACS_PE_SHARED_BUS, .device = (uint32_t)i,
							       .neighbour = (uint32_t)s, .bar = b[0].index,
							       .segment = -1 });
			continue;
		}
		/* a bridge of its own PE fencing other PEs: the bridge above
		 * holds both, so the device is not fenced from them */
		if (g->is_bridge && acs_func_bridge_windows(g, gb) && (other = other_pe_below(t, f, g, i)) >= 0)
			rc = add(fs, (acs_pe_finding){ .kind = ACS_PE_BESIDE_BRIDGE, .device = (uint32_t)i,
						       .neighbour = (uint32_t)other, .via = (uint32_t)s,
						       .bar = b[0].index, .segment = -1 });
	}
	return rc;
}

int acs_pe_check(acs_pe_finding **out, size_t *n, const acs_pe_table *t, const acs_fabric *f,
		 const acs_platform *p)
{
	struct findings fs = { 0 };
	struct owner *own = NULL;
	size_t nown = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		if (fn->is_virtfn || acs_pe_of(t, i) < 0)
			continue;
		rc = check_segments(&fs, t, f, p, i, &own, &nown);
		if (!rc && !fn->is_bridge)
			rc = check_fence(&fs, t, f, i);
	}
	free(own);
	{
		const uint32_t *left;
		size_t nleft = acs_pe_left_out(t, &left);

		for (size_t k = 0; !rc && k < nleft; k++)
			rc = add(&fs, (acs_pe_finding){ .kind = ACS_PE_OUT_OF_PES, .device = left[k],
							.neighbour = UINT32_MAX, .segment = -1 });
	}
	/* VFs the source has enabled that the kernel could not enable */
	for (size_t k = 0; !rc && k < acs_pe_iov_count(t); k++) {
		const acs_pe_iov *e = acs_pe_iov_at(t, k);

		if (e->num_vfs && acs_pe_iov_failed(e))
			rc = add(&fs, (acs_pe_finding){ .kind = ACS_PE_IOV_FAILED, .device = e->pf,
							.neighbour = UINT32_MAX, .bar = e->bar, .segment = -1,
							.iov_reason = e->reason });
	}
	if (rc) {
		free(fs.v);
		return rc;
	}
	*out = fs.v;
	*n = fs.n;
	return 0;
}
