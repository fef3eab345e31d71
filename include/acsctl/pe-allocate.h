/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/pe-allocate.h
 * @brief BAR placement in segmented windows: no segment holds BARs of two
 * PEs; bridge windows as nested blocks; a PE table's BARs as demands.
 */
#ifndef ACSCTL_PE_ALLOCATE_H
#define ACSCTL_PE_ALLOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/pe-assign.h"
#include "acsctl/pe-platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One BAR to place: its PE, its size (a power of two, also its
 * alignment, as PCI makes it) and the innermost bridge window that must
 * hold it (acs_pe_allocate_tree(); 0, the PHB's window, elsewhere). */
typedef struct acs_pe_bar_demand {
	uint32_t pe;
	uint64_t size;
	uint32_t window;
} acs_pe_bar_demand;

/** Where acs_pe_allocate() put the BARs. */
typedef struct acs_pe_alloc {
	uint64_t *offset;       /**< per demand, from the window base; UINT64_MAX: did not fit */
	size_t nfailed;         /**< demands that did not fit */
	size_t used;            /**< segments holding BARs */
	size_t wasted;          /**< empty segments below the highest used one */
	size_t lower_bound;     /**< sum over PEs of their MMIO in whole segments */
	/** the segments the placement fills before alignment gaps: the lower
	 * bound plus what bridge windows force (1 MiB units, one PE's BARs
	 * below different bridges apart); used - window_bound is what
	 * alignment leaves empty. acs_pe_allocate(): the lower bound. */
	size_t window_bound;
	/** acs_pe_allocate_tree(): per bridge window, the bytes it must
	 * decode (from the window base, inclusive); UINT64_MAX: holds nothing
	 * placed. NULL from acs_pe_allocate(). */
	uint64_t *window_start, *window_end;
	size_t nwindows;
} acs_pe_alloc;

enum acs_pe_alloc_method {
	ACS_PE_ALLOC_PACKED = 0,  /**< per PE, largest BAR first; PEs by alignment */
	ACS_PE_ALLOC_FIRST_FIT = 1, /**< each BAR in turn at the first place it fits */
};

/** The most segments a window may have for acs_pe_allocate() (a PHB has
 * a few thousand). */
#define ACS_PE_MAX_SEGMENTS (UINT64_C(1) << 28)

/**
 * Place BARs in a window of nsegs segments of seg bytes so that no
 * segment holds BARs of two PEs, every BAR aligned to its size.
 * Demands that do not fit are marked, not an error.
 * @return 0, or an error (a size not a power of two, more than
 * ACS_PE_MAX_SEGMENTS segments or 2^63 bytes, out of memory).
 */
int acs_pe_allocate(acs_pe_alloc *out, const acs_pe_bar_demand *d, size_t n, uint64_t seg,
		    size_t nsegs, int method);
void acs_pe_alloc_free(acs_pe_alloc *a);

/** Bridge memory windows decode in 1 MiB units. */
#define ACS_PE_BRIDGE_WINDOW_UNIT (1ull << 20)

/**
 * acs_pe_allocate()'s packing, with bridge windows: window w (1 ..
 * nwindows-1) lies inside window parent[w], window 0 is the PHB's, and a
 * window is one contiguous range that holds every BAR below it and no
 * other. So the BARs below a bridge are placed as one block: where it
 * holds one PE, packed in bytes and rounded to ACS_PE_BRIDGE_WINDOW_UNIT;
 * where it holds several, in whole segments, each PE's apart. Blocks that
 * do not fit fail with every BAR in them.
 * @return 0 (out->window_start/end set), or an error (a size not a power
 * of two, a window or parent out of range, a window whose parents never
 * reach window 0, out of memory).
 */
int acs_pe_allocate_tree(acs_pe_alloc *out, const acs_pe_bar_demand *d, size_t n, const uint32_t *parent,
			 size_t nwindows, uint64_t seg, size_t nsegs);

/** acs_pe_bar_ref.bar of a PF's VF BAR 0 (as sysfs numbers resources) */
#define ACS_PE_VF_BAR0 7

/** Where a demand came from. */
typedef struct acs_pe_bar_ref {
	uint32_t func;          /**< function index */
	uint8_t bar;            /**< BAR number; ACS_PE_VF_BAR0 + n: the PF's VF BAR n */
} acs_pe_bar_ref;

/**
 * The BARs of one PHB that go in its M32 window (want_m64 false: memory
 * BARs of known size, less the 64-bit prefetchable ones on PHBs with
 * M64) or in its M64 window (those, and SR-IOV PFs' VF BARs as the kernel
 * expands them, in the PF's PE), as demands for acs_pe_allocate(), the pe
 * field an index into t. VFs' own BARs are their PF's.
 * @return how many; up to max are written. *unsized counts memory BARs
 * whose size the source did not give.
 */
size_t acs_pe_window_demands(const acs_pe_table *t, const acs_fabric *fabric, const acs_platform *platform,
			     uint32_t domain, bool want_m64, acs_pe_bar_demand *out, acs_pe_bar_ref *ref,
			     size_t max, size_t *unsized);

/**
 * The bridge windows of a fabric as acs_pe_allocate_tree() takes them:
 * function i, a bridge, has window 1 + 2i (memory) and 2 + 2i
 * (prefetchable); a window's parent is the same kind of window of the
 * bridge above, or 0 on a root bus. acs_pe_window_demands() sets each
 * demand's window so: M64 BARs in prefetchable windows, M32 BARs in
 * memory windows, except prefetchable ones on platforms without M64.
 * @return how many windows (1 + 2 * the functions); up to max parents are
 * written.
 */
size_t acs_pe_bridge_windows(const acs_fabric *fabric, uint32_t *parent, size_t max);

#ifdef __cplusplus
}
#endif
#endif
