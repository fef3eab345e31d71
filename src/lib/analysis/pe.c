/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PE assignment. Linux powernv (arch/powerpc/platforms/powernv/pci-ioda.c)
 * gives each device a PE when its DMA is set up, in probe order: the
 * first device of a bus configures a PE for the whole bus; below a
 * PCIe-to-PCI bridge the PE covers the bridge's whole bus range (the
 * conventional bus cannot tell requesters apart); the root bus has a PE
 * of its own, next to the one firmware reserves; other PE numbers are
 * taken from the top down (pnv_ioda_alloc_pe()). A PE gets an IOMMU
 * group when its first device that does DMA (not a bridge) is added.
 */
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "internal.h"
#include "pe-internal.h"

static int alloc_number(const acs_platform *p, struct phb *h, unsigned *out)
{
	(void)p;
	/* pnv_ioda_alloc_pe(): the highest free number */
	for (unsigned pe = h->npes; pe-- > 0;)
		if (!h->used[pe]) {
			h->used[pe] = 1;
			*out = pe;
			return 0;
		}
	return acs_error_set(ACS_EINVAL, "PHB %04x: out of PEs (%u)", h->domain, h->npes);
}

static int new_pe(acs_pe_table *t, const acs_platform *p, struct phb *h, bool root,
		  bool all, uint8_t first, uint8_t last, int32_t *out)
{
	acs_pe *pe = &t->v[t->n];
	unsigned num = 0;
	int rc = 0;
	unsigned beside = h->reserved == 0 ? 1 : h->npes - 2;

	/* the root bus: next to the reserved PE when that is at either end
	 * (pnv_pci_init_ioda_phb()), else the highest free one; the device
	 * policy may give the root bus several PEs, and one takes that number */
	if (root && (h->reserved == 0 || h->reserved == h->npes - 1) && !h->used[beside]) {
		num = beside;
		h->used[num] = 1;
	} else {
		rc = alloc_number(p, h, &num);
	}
	if (rc)
		return rc;
	memset(pe, 0, sizeof(*pe));
	pe->domain = h->domain;
	pe->number = num;
	pe->all = all;
	pe->bus_first = first;
	pe->bus_last = last;
	*out = (int32_t)t->n++;
	return 0;
}

/* The first M64 segment a function's 64-bit prefetchable BARs sit in, or
 * -1 (pnv_ioda_reserve_dev_m64_pe(); a BAR counts by its start). */
static long m64_segment(const acs_platform *p, const struct acs_func *fn)
{
	acs_bar b[6];
	size_t n = acs_func_mem_bars(fn, b);
	long first = -1;

	for (size_t i = 0; i < n; i++) {
		long seg = b[i].is64 && b[i].prefetch ? acs_pe_addr_segment(p, fn->domain, b[i].start, true) : -1;

		if (seg >= 0 && (first < 0 || seg < first))
			first = seg;
	}
	return first;
}

/* every bus's first M64 segment, once per PHB: the PE search below
 * asks for bus ranges bus by bus */
static void fill_bus_segments(struct phb *h, const acs_fabric *f, const acs_platform *p)
{
	for (int b = 0; b < 256; b++)
		h->bus_seg[b] = -1;
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		long s = fn->domain == h->domain ? m64_segment(p, fn) : -1;

		if (s >= 0 && (h->bus_seg[fn->bus] < 0 || s < h->bus_seg[fn->bus]))
			h->bus_seg[fn->bus] = s;
	}
}

/* pnv_ioda_pick_m64_pe(): a bus whose devices (the whole range, for a
 * range PE) have M64 BARs takes the PE of their first segment. */
static long bus_m64_pe(const struct phb *h, uint8_t first_bus, uint8_t last_bus)
{
	long best = -1;

	for (unsigned b = first_bus; b <= last_bus; b++)
		if (h->bus_seg[b] >= 0 && (best < 0 || h->bus_seg[b] < best))
			best = h->bus_seg[b];
	return best;
}

/* The PE of a function under the chosen policy, made when first needed. */
static int pe_for(acs_pe_table *t, const acs_fabric *f, const acs_platform *p, struct phb *h,
		  int policy, size_t i, const acs_groups *g, int32_t *group_pe)
{
	const struct acs_func *fn = acs_fabric_func(f, i), *up = acs_fabric_parent(f, fn);
	int32_t pe;
	int rc;

	if (policy == ACS_PE_DEVICE) {
		size_t gid = acs_groups_of(g, i);

		if (group_pe[gid] < 0) {
			rc = new_pe(t, p, h, !up, false, fn->bus, fn->bus, &group_pe[gid]);
			if (rc)
				return rc;
		}
		t->pe_of[i] = group_pe[gid];
		return 0;
	}
	if (policy == ACS_PE_SLOT && up) {
		/* the slot: the root port above */
		const struct acs_func *slot = fn;

		while (acs_fabric_parent(f, slot) && acs_fabric_parent(f, acs_fabric_parent(f, slot)))
			slot = acs_fabric_parent(f, slot);
		up = acs_fabric_parent(f, slot);
		if (h->rmap[up->secondary] < 0) {
			rc = new_pe(t, p, h, false, true, up->secondary, up->subordinate,
				    &h->rmap[up->secondary]);
			if (rc)
				return rc;
			for (unsigned b = up->secondary; b <= up->subordinate; b++)
				h->rmap[b] = h->rmap[up->secondary];
		}
		t->pe_of[i] = h->rmap[fn->bus];
		return 0;
	}
	if (h->rmap[fn->bus] < 0) {
		/* pnv_pci_configure_bus(): the whole range below a PCIe-to-PCI
		 * bridge, else the bus */
		bool all = up && up->pcie_type == ACS_PCIE_PCI_BRIDGE;
		uint8_t last = all ? up->subordinate : fn->bus;

		long m64 = up ? bus_m64_pe(h, fn->bus, last) : -1;

		if (!up && h->root >= 0) {
			h->rmap[fn->bus] = h->root;
		} else if (m64 >= 0) {
			/* the PE number is the M64 segment's */
			acs_pe *e = &t->v[t->n];

			memset(e, 0, sizeof(*e));
			e->domain = h->domain;
			e->number = (unsigned)m64;
			e->all = all;
			e->bus_first = fn->bus;
			e->bus_last = last;
			h->used[m64] = 1;
			pe = (int32_t)t->n++;
			for (unsigned b = fn->bus; b <= last; b++)
				h->rmap[b] = pe;
		} else {
			rc = new_pe(t, p, h, !up, all, fn->bus, last, &pe);
			if (rc)
				return rc;
			if (!up)
				h->root = pe;
			for (unsigned b = fn->bus; b <= last; b++)
				h->rmap[b] = pe;
		}
	}
	t->pe_of[i] = h->rmap[fn->bus];
	return 0;
}

static int fill_members(acs_pe_table *t, const acs_fabric *f)
{
	size_t n = acs_fabric_count(f), *count = calloc(t->n + 1, sizeof(*count)), pos = 0;

	t->members = malloc((n + 1) * sizeof(*t->members));
	if (!count || !t->members) {
		free(count);
		return acs_error_nomem();
	}
	for (size_t i = 0; i < n; i++)
		if (t->pe_of[i] >= 0)
			count[t->pe_of[i]]++;
	for (size_t k = 0; k < t->n; k++) {
		t->v[k].devices = t->members + pos;
		pos += count[k];
		count[k] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		acs_pe *pe;

		if (t->pe_of[i] < 0)
			continue;
		pe = &t->v[t->pe_of[i]];
		((uint32_t *)pe->devices)[pe->ndevices++] = (uint32_t)i;
		if (!acs_fabric_func(f, i)->is_bridge)
			pe->dma = true;
	}
	free(count);
	return 0;
}

int acs_pe_assign(acs_pe_table **out, const acs_fabric *f, const acs_platform *p, int policy)
{
	size_t n = acs_fabric_count(f);
	const uint32_t *order = acs_fabric_kernel_order(f);
	acs_pe_table *t = calloc(1, sizeof(*t));
	struct phb h = { 0 };
	acs_groups *g = NULL;
	int32_t *group_pe = NULL;
	bool open = false;       /* a PHB is being assigned */
	int rc = 0;

	*out = NULL;
	if (!t || !(t->v = calloc(n + 1, sizeof(*t->v))) || !(t->pe_of = malloc((n + 1) * sizeof(*t->pe_of))) ||
	    !(t->left = malloc((n + 1) * sizeof(*t->left))) || !(h.used = calloc(ACS_PE_MAX_PES, 1))) {
		rc = acs_error_nomem();
		goto done;
	}
	if (policy == ACS_PE_DEVICE) {
		rc = acs_groups_compute(&g, f, acs_policy_default());
		if (!rc && !(group_pe = malloc((acs_groups_count(g) + 1) * sizeof(*group_pe))))
			rc = acs_error_nomem();
		for (size_t k = 0; !rc && k <= acs_groups_count(g); k++)
			group_pe[k] = -1;
	}
	for (size_t i = 0; i < n; i++)
		t->pe_of[i] = -1;
	for (size_t k = 0; !rc && k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(f, order[k]);

		/* VFs come when enabled, after boot: PHB by PHB below */
		if (fn->is_virtfn)
			continue;
		/* a new PHB: fresh PE numbers, the reserved one taken */
		if (!open || fn->domain != h.domain) {
			if (open && (rc = acs_pe__iov(t, f, p, &h)))
				break;
			open = true;
			h.domain = fn->domain;
			h.m64_used = 0;
			h.npes = acs_platform_pes(p, fn->domain);
			/* firmware keeps the last PE where the platform does */
			h.reserved = p->reserved_pe == p->npes - 1 ? h.npes - 1 : p->reserved_pe;
			fill_bus_segments(&h, f, p);
			memset(h.used, 0, ACS_PE_MAX_PES);
			h.used[h.reserved] = 1;
			h.root = -1;
			for (int b = 0; b < 256; b++)
				h.rmap[b] = -1;
		}
		rc = pe_for(t, f, p, &h, policy, order[k], g, group_pe);
		/* out of PE numbers: the kernel leaves it without a PE (and a
		 * group); the rest of the PHB goes on */
		if (rc == ACS_EINVAL) {
			t->left[t->nleft++] = order[k];
			rc = 0;
		}
	}
	if (!rc && open)
		rc = acs_pe__iov(t, f, p, &h);
	if (!rc)
		rc = fill_members(t, f);
done:
	free(h.used);
	free(group_pe);
	acs_groups_free(g);
	if (rc) {
		acs_pe_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

size_t acs_pe_count(const acs_pe_table *t)
{
	return t->n;
}

const acs_pe *acs_pe_at(const acs_pe_table *t, size_t i)
{
	return i < t->n ? &t->v[i] : NULL;
}

long acs_pe_of(const acs_pe_table *t, size_t i)
{
	return t->pe_of[i];
}

int acs_pe_groups(acs_groups **out, const acs_pe_table *t, const acs_fabric *f)
{
	size_t n = acs_fabric_count(f);
	const uint32_t *order = acs_fabric_kernel_order(f);
	int32_t *group_of = malloc((n + 1) * sizeof(*group_of)), *id = malloc((t->n + 1) * sizeof(*id));
	int32_t next = 0;
	int rc;

	if (!group_of || !id) {
		free(group_of);
		free(id);
		return acs_error_nomem();
	}
	for (size_t k = 0; k < t->n; k++)
		id[k] = -1;
	/*
	 * pnv_pci_ioda_dma_dev_setup(): the first non-bridge device of a PE
	 * sets up its DMA window and IOMMU group; a device joins the group
	 * only if it exists by the time that device is added, so a bridge
	 * probed before any endpoint of its PE stays out of every group.
	 */
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		int32_t pe = t->pe_of[i];

		group_of[i] = -1;
		if (pe < 0)
			continue;
		if (id[pe] < 0 && !acs_fabric_func(f, i)->is_bridge)
			id[pe] = next++;
		group_of[i] = id[pe];
	}
	rc = acs_groups_from(out, f, group_of);
	free(group_of);
	free(id);
	return rc;
}

void acs_pe_free(acs_pe_table *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->pe_of);
	free(t->members);
	free(t->iov);
	free(t->left);
	free(t);
}

size_t acs_pe_left_out(const acs_pe_table *t, const uint32_t **funcs)
{
	*funcs = t->left;
	return t->nleft;
}
