/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BAR placement in segmented windows. A PE's BARs, largest first, pack
 * with no gap (sizes are powers of two, each aligned to itself), so a PE
 * needs its MMIO rounded up to whole segments, and its block must start
 * where its largest BAR may. Placing blocks by falling alignment, each
 * at the first free aligned run, leaves gaps only where alignment forces
 * them; smaller blocks fill those later.
 */
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "internal.h"

struct pe_block {
	uint32_t pe;
	uint64_t bytes, align;  /* align: of the largest BAR */
	size_t segs, first;     /* first: index into the sorted demands */
	size_t count;
};

struct item {
	uint32_t pe;
	uint64_t size;
	size_t i;       /* the demand */
};

/* by PE, then largest first */
static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->pe != y->pe)
		return x->pe < y->pe ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static struct item *sorted(const acs_pe_bar_demand *d, size_t n)
{
	struct item *v = malloc((n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct item){ d[i].pe, d[i].size, i };
	qsort(v, n, sizeof(*v), cmp_item);
	return v;
}

/* every PE's MMIO in whole segments */
static size_t lower_bound(const struct item *v, size_t n, uint64_t seg)
{
	size_t total = 0;
	uint64_t bytes = 0;

	for (size_t i = 0; i < n; i++) {
		bytes += v[i].size;
		if (i + 1 == n || v[i + 1].pe != v[i].pe) {
			total += (size_t)((bytes + seg - 1) / seg);
			bytes = 0;
		}
	}
	return total;
}

static int cmp_block(const void *a, const void *b)
{
	const struct pe_block *x = a, *y = b;

	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	if (x->segs != y->segs)
		return x->segs > y->segs ? -1 : 1;
	return x->pe < y->pe ? -1 : x->pe > y->pe;
}

/* the first run of len free segments starting at a multiple of step */
static long free_run(const int64_t *owner, size_t nsegs, size_t len, size_t step)
{
	for (size_t s = 0; s + len <= nsegs; s += step) {
		size_t k = 0;

		while (k < len && owner[s + k] < 0)
			k++;
		if (k == len)
			return (long)s;
	}
	return -1;
}

static void tally(acs_pe_alloc *a, const int64_t *owner, size_t nsegs)
{
	size_t top = 0;

	for (size_t s = 0; s < nsegs; s++)
		if (owner[s] >= 0) {
			a->used++;
			top = s + 1;
		}
	a->wasted = top - a->used;
}

static int packed(acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, uint64_t seg, size_t nsegs,
		  int64_t *owner)
{
	struct item *ix = sorted(d, n);
	struct pe_block *b = calloc(n + 1, sizeof(*b));
	size_t nb = 0;

	if (!ix || !b) {
		free(ix);
		free(b);
		return acs_error_nomem();
	}
	for (size_t i = 0; i < n; i++) {
		const struct item *x = &ix[i];

		if (!nb || b[nb - 1].pe != x->pe)
			b[nb++] = (struct pe_block){ .pe = x->pe, .align = x->size, .first = i };
		b[nb - 1].bytes += x->size;
		b[nb - 1].count++;
	}
	for (size_t k = 0; k < nb; k++)
		b[k].segs = (size_t)((b[k].bytes + seg - 1) / seg);
	a->lower_bound = lower_bound(ix, n, seg);
	qsort(b, nb, sizeof(*b), cmp_block);
	for (size_t k = 0; k < nb; k++) {
		size_t step = b[k].align > seg ? (size_t)(b[k].align / seg) : 1;
		long s = free_run(owner, nsegs, b[k].segs, step);
		uint64_t off;

		if (s < 0) {
			a->nfailed += b[k].count;
			continue;
		}
		for (size_t j = 0; j < b[k].segs; j++)
			owner[(size_t)s + j] = b[k].pe;
		off = (uint64_t)s * seg;
		for (size_t j = 0; j < b[k].count; j++) {
			size_t i = ix[b[k].first + j].i;

			a->offset[i] = off;
			off += d[i].size;
		}
	}
	free(ix);
	free(b);
	return 0;
}

static int first_fit(acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, uint64_t seg, size_t nsegs,
		     int64_t *owner)
{
	uint64_t *fill = calloc(nsegs + 1, sizeof(*fill));  /* bytes taken from a segment's start */
	struct item *v;

	if (!fill)
		return acs_error_nomem();
	for (size_t i = 0; i < n; i++) {
		uint64_t sz = d[i].size;
		size_t len = sz > seg ? (size_t)(sz / seg) : 1, s;
		bool placed = false;

		for (s = 0; !placed && s + len <= nsegs; s += sz > seg ? len : 1) {
			uint64_t at = (fill[s] + sz - 1) & ~(sz - 1);
			size_t k = 0;

			if (sz > seg) {
				while (k < len && owner[s + k] < 0)
					k++;
				placed = k == len;
				at = 0;
			} else {
				placed = (owner[s] < 0 || owner[s] == d[i].pe) && at + sz <= seg;
			}
			if (!placed)
				continue;
			for (k = 0; k < len; k++) {
				owner[s + k] = d[i].pe;
				fill[s + k] = sz > seg ? seg : at + sz;
			}
			a->offset[i] = (uint64_t)s * seg + at;
		}
		if (!placed)
			a->nfailed++;
	}
	free(fill);
	v = sorted(d, n);
	if (!v)
		return acs_error_nomem();
	a->lower_bound = lower_bound(v, n, seg);
	free(v);
	return 0;
}

int acs_pe_allocate(acs_pe_alloc *out, const acs_pe_bar_demand *d, size_t n, uint64_t seg, size_t nsegs,
		    int method)
{
	int64_t *owner;
	int rc;

	*out = (acs_pe_alloc){ 0 };
	if (!seg || (seg & (seg - 1)))
		return acs_error_set(ACS_EINVAL, "segment size %llu is not a power of two",
				     (unsigned long long)seg);
	for (size_t i = 0; i < n; i++)
		if (!d[i].size || (d[i].size & (d[i].size - 1)))
			return acs_error_set(ACS_EINVAL, "BAR %zu: size %llu is not a power of two", i,
					     (unsigned long long)d[i].size);
	owner = malloc((nsegs + 1) * sizeof(*owner));
	out->offset = malloc((n + 1) * sizeof(*out->offset));
	if (!owner || !out->offset) {
		free(owner);
		acs_pe_alloc_free(out);
		return acs_error_nomem();
	}
	for (size_t s = 0; s < nsegs; s++)
		owner[s] = -1;
	for (size_t i = 0; i < n; i++)
		out->offset[i] = UINT64_MAX;
	rc = method == ACS_PE_ALLOC_FIRST_FIT ? first_fit(out, d, n, seg, nsegs, owner)
					      : packed(out, d, n, seg, nsegs, owner);
	if (!rc)
		tally(out, owner, nsegs);
	free(owner);
	if (rc)
		acs_pe_alloc_free(out);
	return rc;
}

void acs_pe_alloc_free(acs_pe_alloc *a)
{
	if (!a)
		return;
	free(a->offset);
	a->offset = NULL;
}

bool acs_platform_has_m64(const acs_platform *p)
{
	/* PHB3 and PHB4 have M64 windows (Linux uses none on p7ioc) */
	return strcmp(p->phb, "p7ioc") != 0;
}

/* SR-IOV PFs' VF BARs as the kernel sizes them at boot, in M64, in the
 * PF's PE: the VF M64 BARs overlay the default window there */
static size_t iov_demands(const acs_pe_table *t, const acs_fabric *f, const acs_platform *p, uint32_t domain,
			  acs_pe_bar_demand *out, acs_pe_bar_ref *ref, size_t max, size_t n)
{
	for (size_t k = 0; k < acs_pe_iov_count(t); k++) {
		const acs_pe_iov *e = acs_pe_iov_at(t, k);
		const struct acs_func *pf = acs_fabric_func(f, e->pf);
		acs_bar b[6];
		size_t nb = pf->domain == domain ? acs_func_vf_bars(pf, b) : 0;

		for (size_t j = 0; j < nb; j++) {
			uint64_t space = acs_pe_iov_bar_space(e, f, p, b[j].index);

			if (!space)
				continue;
			if (n < max) {
				out[n] = (acs_pe_bar_demand){ (uint32_t)acs_pe_of(t, e->pf), space };
				ref[n] = (acs_pe_bar_ref){ e->pf, (uint8_t)(ACS_PE_VF_BAR0 + b[j].index) };
			}
			n++;
		}
	}
	return n;
}

size_t acs_pe_window_demands(const acs_pe_table *t, const acs_fabric *f, const acs_platform *p, uint32_t domain,
			     bool want_m64, acs_pe_bar_demand *out, acs_pe_bar_ref *ref, size_t max, size_t *unsized)
{
	bool m64 = acs_platform_has_m64(p);
	size_t n = 0;

	*unsized = 0;
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		acs_bar b[6];
		size_t nb;

		/* a VF's BARs are its PF's VF BARs, placed below */
		if (fn->domain != domain || acs_pe_of(t, i) < 0 || fn->is_virtfn)
			continue;
		nb = acs_func_mem_bars(fn, b);
		/* BARs the kernel left unassigned (start 0) count too: sizes say
		 * what exists, config space what kind it is */
		for (unsigned k = 0; k < (fn->header_type == 0 ? 6u : fn->header_type == 1 ? 2u : 0u); k++) {
			uint8_t lo = acs_func_cfg_byte(fn, 0x10 + 4 * k);
			uint64_t sz = fn->bar_size[k];

			if ((lo & 0x1) || (m64 && (lo & 0x6) == 0x4 && (lo & 0x8)) != want_m64)
				continue;
			if (!sz) {
				for (size_t j = 0; j < nb; j++)
					*unsized += b[j].index == k;
				continue;
			}
			if (n < max) {
				out[n] = (acs_pe_bar_demand){ (uint32_t)acs_pe_of(t, i), sz };
				ref[n] = (acs_pe_bar_ref){ (uint32_t)i, (uint8_t)k };
			}
			n++;
		}
	}
	if (want_m64)
		n = iov_demands(t, f, p, domain, out, ref, max, n);
	return n;
}
