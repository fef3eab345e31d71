/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BAR placement in segmented windows. A PE's BARs, largest first, pack
 * with no gap (sizes are powers of two, each aligned to itself), so a PE
 * needs its MMIO rounded up to whole segments, and its block must start
 * where its largest BAR may. Placing blocks by falling alignment, each
 * at the first free aligned run, leaves gaps only where alignment forces
 * them; smaller blocks fill those later.
 *
 * A bridge decodes one contiguous range per window kind, so everything
 * below it is placed as one block first, innermost bridges first, and the
 * same packing runs inside every window. A window that holds one PE is
 * packed in bytes (in 1 MiB units, as bridges decode); one that holds
 * several keeps each PE in whole segments of its own.
 */
#include <stdlib.h>

#include "acsctl/bars.h"
#include "internal.h"

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

/* a + b, or cap where that is more (a, b <= cap) */
static uint64_t add_capped(uint64_t a, uint64_t b, uint64_t cap)
{
	return a > cap - b ? cap : a + b;
}

/* v rounded up to a multiple of a (a power of two), or cap where that is
 * more (v <= cap <= 2^63 + 1, a <= 2^63) */
static uint64_t round_capped(uint64_t v, uint64_t a, uint64_t cap)
{
	if (v >= cap)
		return cap;
	v = (v + a - 1) & ~(a - 1);
	return v > cap ? cap : v;
}

/* whole segments of seg bytes that hold bytes */
static uint64_t segments(uint64_t bytes, uint64_t seg)
{
	return bytes / seg + (bytes % seg != 0);
}

/* every PE's MMIO in whole segments (counted in segments and a rest, so
 * that no sum of sizes overflows) */
static size_t lower_bound(const struct item *v, size_t n, uint64_t seg)
{
	uint64_t total = 0, segs = 0, rest = 0;

	for (size_t i = 0; i < n; i++) {
		segs += v[i].size / seg;
		rest += v[i].size % seg;
		if (rest >= seg) {
			segs++;
			rest -= seg;
		}
		if (i + 1 == n || v[i + 1].pe != v[i].pe) {
			total = add_capped(total, segs + (rest != 0), SIZE_MAX);
			segs = rest = 0;
		}
	}
	return (size_t)total;
}

/* the first run of len free segments starting at a multiple of step, at
 * or after from (every segment below from is taken) */
static long free_run(const int64_t *owner, size_t nsegs, size_t len, size_t step, size_t from)
{
	if (!len)
		return -1;
	for (size_t s = from / step * step; s + len <= nsegs; s += step) {
		size_t k = 0;

		while (k < len && owner[s + k] < 0)
			k++;
		if (k == len)
			return (long)s;
	}
	return -1;
}

/* A block to place in a window: a BAR, or the contents of a window */
struct blk {
	int64_t pe;             /* the one PE it holds; -1: several, in whole segments */
	uint64_t bytes, align;  /* bytes 0: an empty window */
	uint64_t rel;           /* from the start of its window's block */
	uint64_t need;          /* several PEs: the segments they fill, gaps left out */
	bool failed;
};

/* what is packed in segments: a run of one PE's blocks, or a block of
 * several PEs */
struct seg_item {
	uint64_t segs, align;   /* in segments */
	uint64_t need;          /* segments filled: segs, less a nested block's gaps */
	size_t first, count;    /* members[first .. first+count-1] */
};

struct tree {
	const acs_pe_bar_demand *d;
	const uint32_t *parent;
	size_t n, nw;
	uint64_t seg;
	size_t nsegs;
	uint64_t cap;           /* past the whole window: what cannot fit */
	struct blk *b;          /* n BARs, then nw windows */
	size_t *mstart, *mem;   /* members of window w: mem[mstart[w] .. mstart[w+1]-1] */
	size_t *order;          /* windows, parents first */
	size_t norder;
	int64_t *map;           /* segments of the window being packed */
	size_t map_hi;          /* map[] is -1 from here on */
	size_t map_lo;          /* map[] is taken below this */
	struct seg_item *items;
	struct member *keys;
};

static uint32_t win_of(const struct tree *t, size_t i)
{
	return t->parent ? t->d[i].window : 0;
}

/* a window's member, as it sorts */
struct member {
	uint64_t pe;            /* (uint64_t)-1, several PEs, sorts last */
	uint64_t align, bytes;
	size_t blk;
};

/* one PE's blocks together, largest alignment first, then largest */
static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->pe != y->pe)
		return x->pe < y->pe ? -1 : 1;
	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->blk < y->blk ? -1 : x->blk > y->blk;
}

static int cmp_seg_item(const void *a, const void *b)
{
	const struct seg_item *x = a, *y = b;

	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	if (x->segs != y->segs)
		return x->segs > y->segs ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* members and children of every window; the windows reachable from 0 in
 * order, parents first */
static int build_tree(struct tree *t)
{
	size_t total = t->n + t->nw, *fill;
	uint8_t *seen;

	t->mstart = calloc(t->nw + 2, sizeof(*t->mstart));
	t->mem = malloc((total + 1) * sizeof(*t->mem));
	t->order = malloc((t->nw + 1) * sizeof(*t->order));
	fill = calloc(t->nw + 1, sizeof(*fill));
	seen = calloc(t->nw + 1, 1);
	if (!t->mstart || !t->mem || !t->order || !fill || !seen) {
		free(fill);
		free(seen);
		return acs_error_nomem();
	}
	for (size_t i = 0; i < t->n; i++)
		t->mstart[win_of(t, i) + 1]++;
	for (size_t w = 1; w < t->nw; w++)
		t->mstart[t->parent[w] + 1]++;
	for (size_t w = 0; w < t->nw; w++)
		t->mstart[w + 1] += t->mstart[w];
	for (size_t i = 0; i < t->n; i++)
		t->mem[t->mstart[win_of(t, i)] + fill[win_of(t, i)]++] = i;
	for (size_t w = 1; w < t->nw; w++)
		t->mem[t->mstart[t->parent[w]] + fill[t->parent[w]]++] = t->n + w;
	t->order[t->norder++] = 0;
	seen[0] = 1;
	for (size_t k = 0; k < t->norder; k++)
		for (size_t j = t->mstart[t->order[k]]; j < t->mstart[t->order[k] + 1]; j++) {
			size_t c = t->mem[j];

			if (c >= t->n && !seen[c - t->n]) {
				seen[c - t->n] = 1;
				t->order[t->norder++] = c - t->n;
			}
		}
	for (size_t i = 0; i < t->n; i++)
		if (!seen[win_of(t, i)]) {
			free(fill);
			free(seen);
			return acs_error_set(ACS_EINVAL, "BAR %zu: window %u is not inside window 0", i,
					     (unsigned)win_of(t, i));
		}
	free(fill);
	free(seen);
	return 0;
}

/* the first run of len free segments of the map at a multiple of step */
static long map_run(struct tree *t, uint64_t len, uint64_t step)
{
	long s = len > t->nsegs ? -1 : free_run(t->map, t->nsegs, (size_t)len, (size_t)step, t->map_lo);

	if (s >= 0)
		for (size_t k = 0; k < len; k++)
			t->map[(size_t)s + k] = 0;
	if (s >= 0 && (size_t)s + len > t->map_hi)
		t->map_hi = (size_t)s + (size_t)len;
	while (t->map_lo < t->nsegs && t->map[t->map_lo] >= 0)
		t->map_lo++;
	return s;
}

/* place one window's members in segments; its block spans what they use */
static void pack_segments(struct tree *t, size_t w, const size_t *m, size_t nitems)
{
	struct blk *wb = &t->b[t->n + w];
	uint64_t extent = 0, align = 1, need = 0;

	qsort(t->items, nitems, sizeof(*t->items), cmp_seg_item);
	for (size_t k = 0; k < t->map_hi; k++)
		t->map[k] = -1;
	t->map_hi = t->map_lo = 0;
	for (size_t k = 0; k < nitems; k++) {
		const struct seg_item *it = &t->items[k];
		long s = map_run(t, it->segs, it->align);

		for (size_t j = it->first; j < it->first + it->count; j++) {
			if (s < 0)
				t->b[m[j]].failed = true;
			else
				t->b[m[j]].rel += (uint64_t)s * t->seg;
		}
		if (s >= 0 && (uint64_t)s + it->segs > extent)
			extent = (uint64_t)s + it->segs;
		if (s >= 0 && it->align > align)
			align = it->align;
		if (s >= 0)
			need += it->need;
	}
	/* a bridge decodes whole units: where segments are smaller, its
	 * block takes whole units too, so no sibling starts inside one */
	if (w && t->seg < ACS_PE_BRIDGE_WINDOW_UNIT) {
		uint64_t unit = ACS_PE_BRIDGE_WINDOW_UNIT / t->seg;

		extent = (extent + unit - 1) / unit * unit;
		need = (need + unit - 1) / unit * unit;
		align = align > unit ? align : unit;
	}
	*wb = (struct blk){ .pe = -1, .bytes = extent ? add_capped(0, extent * t->seg, t->cap) : 0,
			    .align = align * t->seg, .need = need };
}

static void pack_window(struct tree *t, size_t w)
{
	size_t nm = 0, ni = 0, *m = t->mem + t->mstart[w];
	struct blk *wb = &t->b[t->n + w];

	/* empty windows take no place */
	for (size_t j = t->mstart[w]; j < t->mstart[w + 1]; j++) {
		const struct blk *x = &t->b[t->mem[j]];

		if (x->bytes)
			t->keys[nm++] = (struct member){ (uint64_t)x->pe, x->align, x->bytes, t->mem[j] };
	}
	*wb = (struct blk){ .pe = -1 };
	if (!nm)
		return;
	qsort(t->keys, nm, sizeof(*t->keys), cmp_member);
	for (size_t j = 0; j < nm; j++)
		m[j] = t->keys[j].blk;
	for (size_t j = 0; j < nm;) {
		struct blk *x = &t->b[m[j]];
		size_t k = j;
		uint64_t off = 0;

		if (x->pe < 0) {        /* several PEs: already whole segments */
			x->rel = 0;
			t->items[ni++] = (struct seg_item){ x->bytes / t->seg, x->align / t->seg, x->need, j, 1 };
			j++;
			continue;
		}
		/* past the window's end, off stays at cap: the run cannot fit */
		for (; k < nm && t->b[m[k]].pe == x->pe; k++) {
			off = round_capped(off, t->b[m[k]].align, t->cap);
			t->b[m[k]].rel = off;
			off = add_capped(off, t->b[m[k]].bytes, t->cap);
		}
		t->items[ni++] = (struct seg_item){ segments(off, t->seg),
						    x->align > t->seg ? x->align / t->seg : 1, segments(off, t->seg),
						    j, k - j };
		if (w && k == nm && j == 0) {   /* one PE below a bridge: bytes */
			*wb = (struct blk){ .pe = x->pe, .bytes = round_capped(off, ACS_PE_BRIDGE_WINDOW_UNIT, t->cap),
					    .align = x->align > ACS_PE_BRIDGE_WINDOW_UNIT ? x->align
											   : ACS_PE_BRIDGE_WINDOW_UNIT };
			return;
		}
		j = k;
	}
	pack_segments(t, w, m, ni);
}

/* from windows' places to every BAR's, parents first */
static void resolve(struct tree *t, acs_pe_alloc *a, uint64_t *abs, bool *failed)
{
	abs[0] = 0;
	failed[0] = false;
	for (size_t k = 1; k < t->norder; k++) {
		size_t w = t->order[k], p = t->parent[w];

		abs[w] = abs[p] + t->b[t->n + w].rel;
		failed[w] = failed[p] || t->b[t->n + w].failed;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t w = win_of(t, i);

		if (failed[w] || t->b[i].failed) {
			a->nfailed++;
			continue;
		}
		a->offset[i] = abs[w] + t->b[i].rel;
	}
	if (!a->window_start)
		return;
	for (size_t w = 0; w < t->nw; w++)
		a->window_start[w] = a->window_end[w] = UINT64_MAX;
	for (size_t k = 0; k < t->norder; k++) {
		size_t w = t->order[k];

		if (!failed[w] && t->b[t->n + w].bytes) {
			a->window_start[w] = abs[w];
			a->window_end[w] = abs[w] + t->b[t->n + w].bytes - 1;
		}
	}
}

static int pack_tree(struct tree *t, acs_pe_alloc *a)
{
	uint64_t *abs = NULL;
	bool *failed = NULL;
	int rc = build_tree(t);

	if (rc)
		return rc;
	t->b = calloc(t->n + t->nw + 1, sizeof(*t->b));
	t->items = malloc((t->n + t->nw + 1) * sizeof(*t->items));
	t->keys = malloc((t->n + t->nw + 1) * sizeof(*t->keys));
	t->map = malloc((t->nsegs + 1) * sizeof(*t->map));
	abs = malloc((t->nw + 1) * sizeof(*abs));
	failed = malloc((t->nw + 1) * sizeof(*failed));
	if (!t->b || !t->items || !t->keys || !t->map || !abs || !failed) {
		free(abs);
		free(failed);
		return acs_error_nomem();
	}
	for (size_t i = 0; i < t->n; i++)
		t->b[i] = t->d[i].size < t->cap ?
			  (struct blk){ .pe = t->d[i].pe, .bytes = t->d[i].size, .align = t->d[i].size } :
			  (struct blk){ .pe = t->d[i].pe, .failed = true };
	t->map_hi = t->nsegs;
	for (size_t k = t->norder; k-- > 0;)
		pack_window(t, t->order[k]);
	resolve(t, a, abs, failed);
	a->window_bound = (size_t)t->b[t->n].need;
	free(abs);
	free(failed);
	return 0;
}

static void tree_free(struct tree *t)
{
	free(t->b);
	free(t->items);
	free(t->keys);
	free(t->map);
	free(t->mstart);
	free(t->mem);
	free(t->order);
}

static int packed(acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, const uint32_t *parent, size_t nw,
		  uint64_t seg, size_t nsegs)
{
	struct tree t = { .d = d, .parent = parent, .n = n, .nw = parent ? nw : 1, .seg = seg, .nsegs = nsegs,
			  .cap = seg * nsegs + 1 };
	struct item *ix = sorted(d, n);
	int rc;

	if (!ix)
		return acs_error_nomem();
	a->lower_bound = lower_bound(ix, n, seg);
	free(ix);
	rc = pack_tree(&t, a);
	tree_free(&t);
	return rc;
}

/* segments holding a placed BAR, and the empty ones below the highest */
static void tally(acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, uint64_t seg, size_t nsegs,
		  int64_t *owner)
{
	size_t top = 0;

	for (size_t s = 0; s < nsegs; s++)
		owner[s] = -1;
	for (size_t i = 0; i < n; i++)
		if (a->offset[i] != UINT64_MAX)
			for (uint64_t s = a->offset[i] / seg; s <= (a->offset[i] + d[i].size - 1) / seg && s < nsegs; s++)
				owner[s] = d[i].pe;
	for (size_t s = 0; s < nsegs; s++)
		if (owner[s] >= 0) {
			a->used++;
			top = s + 1;
		}
	a->wasted = top - a->used;
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

static int allocate(acs_pe_alloc *out, const acs_pe_bar_demand *d, size_t n, const uint32_t *parent, size_t nw,
		    uint64_t seg, size_t nsegs, int method)
{
	int64_t *owner;
	int rc;

	*out = (acs_pe_alloc){ 0 };
	if (!seg || (seg & (seg - 1)))
		return acs_error_set(ACS_EINVAL, "segment size %llu is not a power of two",
				     (unsigned long long)seg);
	/* a window of 2^63 bytes at most keeps every sum of its BARs in range */
	if (nsegs > ACS_PE_MAX_SEGMENTS || (nsegs && seg > (UINT64_C(1) << 63) / nsegs))
		return acs_error_set(ACS_EINVAL, "%zu segments of %llu bytes: more than the %llu segments or 2^63 "
				     "bytes a window may have", nsegs, (unsigned long long)seg,
				     (unsigned long long)ACS_PE_MAX_SEGMENTS);
	for (size_t i = 0; i < n; i++) {
		if (!d[i].size || (d[i].size & (d[i].size - 1)))
			return acs_error_set(ACS_EINVAL, "BAR %zu: size %llu is not a power of two", i,
					     (unsigned long long)d[i].size);
		if (parent && d[i].window >= nw)
			return acs_error_set(ACS_EINVAL, "BAR %zu: window %u of %zu", i, (unsigned)d[i].window, nw);
	}
	for (size_t w = 1; parent && w < nw; w++)
		if (parent[w] >= nw)
			return acs_error_set(ACS_EINVAL, "window %zu: parent %u of %zu", w, (unsigned)parent[w], nw);
	owner = malloc((nsegs + 1) * sizeof(*owner));
	out->offset = malloc((n + 1) * sizeof(*out->offset));
	if (parent) {
		out->nwindows = nw;
		out->window_start = malloc((nw + 1) * sizeof(*out->window_start));
		out->window_end = malloc((nw + 1) * sizeof(*out->window_end));
	}
	if (!owner || !out->offset || (parent && (!out->window_start || !out->window_end))) {
		free(owner);
		acs_pe_alloc_free(out);
		return acs_error_nomem();
	}
	for (size_t s = 0; s < nsegs; s++)
		owner[s] = -1;
	for (size_t i = 0; i < n; i++)
		out->offset[i] = UINT64_MAX;
	rc = method == ACS_PE_ALLOC_FIRST_FIT ? first_fit(out, d, n, seg, nsegs, owner)
					      : packed(out, d, n, parent, nw, seg, nsegs);
	if (!rc)
		tally(out, d, n, seg, nsegs, owner);
	free(owner);
	if (rc)
		acs_pe_alloc_free(out);
	return rc;
}

int acs_pe_allocate(acs_pe_alloc *out, const acs_pe_bar_demand *d, size_t n, uint64_t seg, size_t nsegs,
		    int method)
{
	return allocate(out, d, n, NULL, 1, seg, nsegs, method);
}

int acs_pe_allocate_tree(acs_pe_alloc *out, const acs_pe_bar_demand *d, size_t n, const uint32_t *parent,
			 size_t nwindows, uint64_t seg, size_t nsegs)
{
	if (!parent || !nwindows)
		return acs_error_set(ACS_EINVAL, "no windows");
	return allocate(out, d, n, parent, nwindows, seg, nsegs, ACS_PE_ALLOC_PACKED);
}

void acs_pe_alloc_free(acs_pe_alloc *a)
{
	if (!a)
		return;
	free(a->offset);
	free(a->window_start);
	free(a->window_end);
	a->offset = NULL;
	a->window_start = a->window_end = NULL;
}

/* the window of the bridge above function i that holds its BARs of this
 * kind (acs_pe_bridge_windows()) */
static uint32_t bridge_window(const acs_fabric *f, uint32_t i, bool prefetch)
{
	int32_t p = f->parent[i];

	return p < 0 ? 0 : 1 + 2 * (uint32_t)p + prefetch;
}

size_t acs_pe_bridge_windows(const acs_fabric *f, uint32_t *parent, size_t max)
{
	size_t nw = 1 + 2 * acs_fabric_count(f);

	if (max)
		parent[0] = 0;
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		for (unsigned k = 0; k < 2; k++)
			if (1 + 2 * i + k < max)
				parent[1 + 2 * i + k] = bridge_window(f, (uint32_t)i, k);
	return nw;
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
				out[n] = (acs_pe_bar_demand){ (uint32_t)acs_pe_of(t, e->pf), space,
							      bridge_window(f, e->pf, true) };
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
		 * what exists, config space what kind it is. Where the bridges'
		 * prefetchable windows are 64-bit and in M64, 32-bit prefetchable
		 * BARs go in the memory window (as Linux sizes bridges); on p7ioc
		 * the prefetchable window holds every prefetchable BAR, in M32. */
		for (unsigned k = 0; k < ACS_PCI_NUM_BARS(fn->header_type); k++) {
			uint8_t lo = acs_func_cfg_byte(fn, ACS_PCI_BASE_ADDRESS_0 + 4 * k);
			uint64_t sz = fn->bar_size[k];
			bool pref = (lo & ACS_PCI_BASE_ADDRESS_MEM_PREFETCH) != 0;
			bool is64 = (lo & ACS_PCI_BASE_ADDRESS_MEM_TYPE_MASK) == ACS_PCI_BASE_ADDRESS_MEM_TYPE_64;

			if ((lo & ACS_PCI_BASE_ADDRESS_SPACE_IO) || (m64 && is64 && pref) != want_m64)
				continue;
			if (!sz) {
				for (size_t j = 0; j < nb; j++)
					*unsized += b[j].index == k;
				continue;
			}
			if (n < max) {
				out[n] = (acs_pe_bar_demand){ (uint32_t)acs_pe_of(t, i), sz,
							      bridge_window(f, (uint32_t)i, want_m64 || (!m64 && pref)) };
				ref[n] = (acs_pe_bar_ref){ (uint32_t)i, (uint8_t)k };
			}
			n++;
		}
	}
	if (want_m64)
		n = iov_demands(t, f, p, domain, out, ref, max, n);
	return n;
}
