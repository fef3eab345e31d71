/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SR-IOV on powernv (arch/powerpc/platforms/powernv/pci-sriov.c). A PHB
 * routes MMIO to PEs only through its M64 BARs, so VF BARs must be 64-bit
 * prefetchable. At boot each PF's VF BARs are sized for more VFs than it
 * has ("expanded"): as many as the PHB has PEs, so that one M64 BAR per VF
 * BAR, split in one segment per PE, puts VF n in PE base+n once the BAR is
 * shifted there; or, where one VF's BARs together exceed a quarter of an
 * M64 segment (that expansion would eat the window), for TotalVFs rounded
 * up to a power of two, each VF BAR of each VF then taking an M64 BAR of
 * its own in single-PE mode, which needs 32 MiB at least. Enabling VFs
 * (after boot; here PF by PF in address order) takes the highest run of
 * NumVFs free PE numbers, VF 0 lowest, and the M64 BARs, lowest first.
 */
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "internal.h"
#include "pe-internal.h"

#define SINGLE_PE_MIN (32ull << 20)

static uint64_t m64_segment(const acs_platform *p, uint32_t domain)
{
	return p->m64_size ? p->m64_size / acs_platform_pes(p, domain) : 0;
}

static unsigned pow2_at_least(unsigned v)
{
	unsigned r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

/* pnv_pci_ioda_fixup_iov_resources(): the mode, fixed at boot */
static void iov_mode(acs_pe_iov *e, const struct acs_func *pf, const acs_platform *p)
{
	uint64_t seg = m64_segment(p, pf->domain), total = 0;
	acs_bar b[6];
	size_t n = acs_func_vf_bars(pf, b);
	bool unsized = false, single = false;

	e->mode = ACS_PE_IOV_OFF;
	/* sriov_init(), on every platform: VF BARs in whole pages, else the
	 * PF is a plain endpoint (QEMU's nvme: a 16 KiB VF BAR) */
	for (size_t i = 0; i < n; i++)
		if (pf->vf_bar_size[b[i].index] % ACS_PE_PAGE_SIZE) {
			e->reason = ACS_PE_IOV_PAGE;
			e->bar = b[i].index;
			return;
		}
	if (!acs_platform_has_m64(p)) {
		e->reason = ACS_PE_IOV_NO_SRIOV_PHB;
		return;
	}
	for (size_t i = 0; i < n && !single; i++) {
		if (!b[i].is64 || !b[i].prefetch) {
			e->reason = ACS_PE_IOV_NOT_M64;
			e->bar = b[i].index;
			return;
		}
		unsized |= !pf->vf_bar_size[b[i].index];
		total += pf->vf_bar_size[b[i].index];
		/* the kernel stops looking at the first BAR past the gate */
		single = !unsized && seg && total > seg / 4;
	}
	if (unsized || !seg) {
		e->mode = ACS_PE_IOV_UNKNOWN;
		e->reason = unsized ? ACS_PE_IOV_UNSIZED : ACS_PE_IOV_M64_UNKNOWN;
		return;
	}
	for (size_t i = 0; single && i < n; i++)
		if (pf->vf_bar_size[b[i].index] < SINGLE_PE_MIN) {
			e->reason = ACS_PE_IOV_SMALL_SINGLE;
			e->bar = b[i].index;
			return;
		}
	e->mode = single ? ACS_PE_IOV_SINGLE : ACS_PE_IOV_SEGMENTED;
	e->expanded = single ? pow2_at_least(e->total_vfs) : acs_platform_pes(p, pf->domain);
}

uint64_t acs_pe_iov_bar_space(const acs_pe_iov *e, const acs_fabric *f, const acs_platform *p, unsigned bar)
{
	const struct acs_func *pf = acs_fabric_func(f, e->pf);
	uint64_t size = bar < 6 ? pf->vf_bar_size[bar] : 0, space = size * e->expanded;
	uint64_t seg = m64_segment(p, pf->domain);

	if (e->mode != ACS_PE_IOV_SEGMENTED && e->mode != ACS_PE_IOV_SINGLE)
		return 0;
	/* single-PE mode: aligned to an M64 segment at least, so no other
	 * PE's BAR shares one (pnv_pci_iov_resource_alignment()) */
	return e->mode == ACS_PE_IOV_SINGLE && space < seg ? seg : space;
}

/* pnv_ioda_alloc_pe(h, count): the highest run of count free numbers */
static long alloc_run(struct phb *h, unsigned count)
{
	unsigned run = 0;

	for (unsigned pe = h->npes; pe-- > 0;) {
		run = h->used[pe] ? 0 : run + 1;
		if (run == count) {
			memset(h->used + pe, 1, count);
			return pe;
		}
	}
	return -1;
}

/* pnv_pci_vf_assign_m64(): lowest free M64 BARs below the default one */
static bool alloc_m64(struct phb *h, const acs_platform *p, unsigned count, acs_pe_iov *e)
{
	unsigned first, last, got = 0;
	uint64_t take = 0;

	if (!acs_platform_m64_bars(p, h->domain, &first, &last))
		return false;
	for (unsigned w = first; w < last && w < 64 && got < count; w++)
		if (!(h->m64_used >> w & 1)) {
			if (!got)
				e->m64_first = w;
			take |= 1ull << w;
			got++;
		}
	if (got < count)
		return false;
	h->m64_used |= take;
	e->m64_count = count;
	return true;
}

static int push_iov(acs_pe_table *t, const acs_pe_iov *e)
{
	if (t->niov == t->iov_cap) {
		size_t cap = t->iov_cap ? 2 * t->iov_cap : 8;
		acs_pe_iov *v = realloc(t->iov, cap * sizeof(*v));

		if (!v)
			return acs_error_nomem();
		t->iov = v;
		t->iov_cap = cap;
	}
	t->iov[t->niov++] = *e;
	return 0;
}

/* pnv_ioda_setup_vf_PE(): VF n in PE base+n */
static void add_vf_pes(acs_pe_table *t, const acs_fabric *f, const struct acs_func *pf, const acs_pe_iov *e)
{
	unsigned rid = (unsigned)pf->bus << 8 | pf->dev << 3 | pf->fn;

	for (unsigned n = 0; n < e->num_vfs; n++) {
		unsigned r = rid + pf->sriov_offset + n * pf->sriov_stride;
		const struct acs_func *vf = r > 0xffff ? NULL :
			acs_fabric_find(f, pf->domain, (uint8_t)(r >> 8), (uint8_t)(r >> 3 & 0x1f), (uint8_t)(r & 7));
		acs_pe *pe;

		if (!vf || !vf->is_virtfn)
			continue;  /* not in the source */
		pe = &t->v[t->n];
		memset(pe, 0, sizeof(*pe));
		pe->domain = pf->domain;
		pe->number = (unsigned)(e->base_pe + n);
		pe->bus_first = pe->bus_last = vf->bus;
		pe->vf = true;
		t->pe_of[acs_fabric_index(f, vf)] = (int32_t)t->n++;
	}
}

static unsigned vf_bar_count(const struct acs_func *pf)
{
	acs_bar b[6];

	return (unsigned)acs_func_vf_bars(pf, b);
}

static void enable_vfs(acs_pe_table *t, const acs_fabric *f, const acs_platform *p, struct phb *h,
		       const struct acs_func *pf, acs_pe_iov *e)
{
	unsigned per_bar = e->mode == ACS_PE_IOV_SINGLE ? e->num_vfs : 1;

	if (acs_pe_iov_failed(e))
		return;
	e->base_pe = alloc_run(h, e->num_vfs);
	if (e->base_pe < 0) {
		e->reason = ACS_PE_IOV_NO_PES;
		return;
	}
	/* an unknown mode takes no M64 BARs: the count is not known */
	if (e->mode != ACS_PE_IOV_UNKNOWN && !alloc_m64(h, p, per_bar * vf_bar_count(pf), e)) {
		memset(h->used + e->base_pe, 0, e->num_vfs);
		e->base_pe = -1;
		e->reason = ACS_PE_IOV_NO_M64_BARS;
		return;
	}
	add_vf_pes(t, f, pf, e);
}

int acs_pe__iov(acs_pe_table *t, const acs_fabric *f, const acs_platform *p, struct phb *h)
{
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *pf = acs_fabric_func(f, i);
		acs_pe_iov e = { .pf = (uint32_t)i, .base_pe = -1 };
		int rc;

		if (pf->domain != h->domain || !pf->sriov_pos || pf->is_virtfn || t->pe_of[i] < 0)
			continue;
		e.total_vfs = pf->sriov_total_vfs;
		e.num_vfs = pf->sriov_num_vfs;
		iov_mode(&e, pf, p);
		if (e.num_vfs)
			enable_vfs(t, f, p, h, pf, &e);
		if ((rc = push_iov(t, &e)))
			return rc;
	}
	return 0;
}

size_t acs_pe_iov_count(const acs_pe_table *t)
{
	return t->niov;
}

const acs_pe_iov *acs_pe_iov_at(const acs_pe_table *t, size_t i)
{
	return i < t->niov ? &t->iov[i] : NULL;
}
