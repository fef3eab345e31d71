/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/pe.h
 * @brief Partitionable endpoints (IBM POWER host bridges: p7ioc, PHB3,
 * PHB4): where isolation comes from PEs, not ACS. One PCI domain per PHB.
 */
#ifndef ACSCTL_PE_H
#define ACSCTL_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/groups.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How PEs are assigned. */
enum acs_pe_policy {
	ACS_PE_BUS = 1,     /**< Linux powernv: a PE per bus, a bus range below PCIe-to-PCI bridges */
	ACS_PE_SLOT = 2,    /**< everything behind a root port slot (the hypervisor's rule) */
	ACS_PE_DEVICE = 3,  /**< per function where the functions are isolated */
};

/** A PE platform: its host bridges' PE and MMIO facts. */
/** PCI domains a platform table describes (QEMU: two chips). */
#define ACS_PE_MAX_PHBS 12

typedef struct acs_platform {
	const char *name;       /**< "powernv9" */
	const char *phb;        /**< "p7ioc", "PHB3", "PHB4" */
	unsigned npes;          /**< PEs per PHB */
	unsigned reserved_pe;   /**< the PE firmware keeps */
	uint64_t m32_size;      /**< 32-bit MMIO window per PHB */
	unsigned m32_segments;  /**< it is cut into this many equal segments */
	unsigned nphbs;         /**< host bridges (PCI domains) */
	unsigned phb_pes[ACS_PE_MAX_PHBS]; /**< per PHB (domain) when they differ, else 0 */
	uint64_t m64_size;      /**< 64-bit window per PHB, npes segments */
	uint64_t phb_m64_base[ACS_PE_MAX_PHBS]; /**< its base per PHB (bus = CPU address), 0 unknown */
	uint8_t phb_m64_bars[ACS_PE_MAX_PHBS][2]; /**< M64 BARs a PHB's kernel uses, first and
						      last (the default window); 0, 0: the PHB's own */
} acs_platform;

/** A platform by name: p7ioc, phb3, phb4, powernv8, powernv9; NULL with
 * an error listing the names. */
const acs_platform *acs_platform_find(const char *name);

/**
 * The M64 BARs (memory BAR table entries) of a PHB as its kernel logs them
 * ("M64 #1..31"): the last maps the default window, the others are free
 * for SR-IOV. PHB3: #0..15; PHB4: #1..31 where it has 512 PEs, else
 * #1..15. @return false where SR-IOV has none (p7ioc).
 */
bool acs_platform_m64_bars(const acs_platform *platform, uint32_t domain, unsigned *first,
			   unsigned *last);

/** The most PEs a PHB may have (PHB4 has 512; room to spare). */
#define ACS_PE_MAX_PES 4096

/**
 * Override a platform's facts (`--phb`): "[DOMAIN:]KEY=VALUE[,KEY=VALUE]"
 * with pes=N, reserved=N|last (every PHB), m32=SIZE, m64=SIZE (every PHB,
 * no DOMAIN), m64-base=ADDRESS (one DOMAIN), m64-bars=FIRST-LAST (the M64
 * BARs the kernel logs, the last the default window; one PHB or every
 * one). Sizes as "2G", "256M".
 * @return 0, or an error naming the bad part.
 */
int acs_platform_override(acs_platform *platform, const char *spec);

/** One PE. */
typedef struct acs_pe {
	uint32_t domain;        /**< its PHB */
	unsigned number;        /**< PE# */
	bool all;               /**< a bus range (below a PCIe-to-PCI bridge) */
	uint8_t bus_first, bus_last;
	bool dma;               /**< holds a device that does DMA (not only bridges) */
	bool vf;                /**< an SR-IOV VF's own PE */
	size_t ndevices;
	const uint32_t *devices; /**< function indices, address order */
} acs_pe;

typedef struct acs_pe_table acs_pe_table;

/** How powernv maps a PF's VF BARs (pci-sriov.c): only through M64 BARs. */
enum acs_pe_iov_mode {
	ACS_PE_IOV_UNKNOWN = 0,   /**< VF BAR sizes, or the M64 segment size, unknown */
	ACS_PE_IOV_SEGMENTED = 1, /**< one M64 BAR per VF BAR, split in as many segments as
				       the PHB has PEs: VF n's BAR in segment (and PE) base+n */
	ACS_PE_IOV_SINGLE = 2,    /**< an M64 BAR per VF BAR per VF, mapping one PE: where one
				       VF's BARs exceed a quarter of an M64 segment */
	ACS_PE_IOV_OFF = 3,       /**< the kernel disables the VF BARs at boot */
};

/** Why VFs cannot be enabled (or why the mode is unknown). */
enum acs_pe_iov_reason {
	ACS_PE_IOV_OK = 0,
	ACS_PE_IOV_NO_SRIOV_PHB = 1, /**< p7ioc (IODA1): no SR-IOV */
	ACS_PE_IOV_NOT_M64 = 2,      /**< a VF BAR is not 64-bit prefetchable */
	ACS_PE_IOV_SMALL_SINGLE = 3, /**< single-PE mode needs VF BARs of 32 MiB or more */
	ACS_PE_IOV_NO_PES = 4,       /**< no run of num_vfs free PE numbers */
	ACS_PE_IOV_NO_M64_BARS = 5,  /**< fewer free M64 BARs than the VFs need */
	ACS_PE_IOV_PAGE = 6,         /**< a VF BAR is not a multiple of the kernel's page
					  (sriov_init() then ignores the capability) */
	ACS_PE_IOV_UNSIZED = 7,      /**< mode unknown: VF BAR sizes not in the source */
	ACS_PE_IOV_M64_UNKNOWN = 8,  /**< mode unknown: the M64 window size (--phb m64=) */
};

/** The page size of Debian's ppc64el kernels (CONFIG_PPC_64K_PAGES). */
#define ACS_PE_PAGE_SIZE 65536u

/** What the platform's kernel does with one SR-IOV PF. */
typedef struct acs_pe_iov {
	uint32_t pf;            /**< function index */
	int mode;               /**< enum acs_pe_iov_mode */
	int reason;             /**< enum acs_pe_iov_reason */
	uint8_t bar;            /**< the VF BAR the reason names */
	unsigned total_vfs, num_vfs;
	unsigned expanded;      /**< VFs the VF BARs are sized for at boot (0 unknown) */
	long base_pe;           /**< VF n's PE# is base_pe + n; -1 when VFs get none */
	unsigned m64_first, m64_count; /**< the M64 BARs the enabled VFs take */
} acs_pe_iov;

/** Whether an SR-IOV reason means the PF's VFs cannot be enabled. */
static inline bool acs_pe_iov_failed(const acs_pe_iov *e)
{
	return e->reason >= ACS_PE_IOV_NO_SRIOV_PHB && e->reason <= ACS_PE_IOV_PAGE;
}

/**
 * Assign PEs as the platform's kernel (policy ACS_PE_BUS) or the other
 * policies would, in the kernel's probe order.
 * @return 0, or an error naming the PHB that runs out of PEs.
 */
int acs_pe_assign(acs_pe_table **out, const acs_fabric *fabric, const acs_platform *platform,
		  int policy);
size_t acs_pe_count(const acs_pe_table *t);
const acs_pe *acs_pe_at(const acs_pe_table *t, size_t i);
/** The PE of function i (index into the table), -1 for none. */
long acs_pe_of(const acs_pe_table *t, size_t i);
/** SR-IOV PFs (their VFs enabled after boot, PF by PF in address order). */
size_t acs_pe_iov_count(const acs_pe_table *t);
const acs_pe_iov *acs_pe_iov_at(const acs_pe_table *t, size_t i);
/** The VF BAR space a PF's IOV BAR takes at boot (the kernel expands it
 * for PE alignment), also its alignment; 0 where unknown or disabled. */
uint64_t acs_pe_iov_bar_space(const acs_pe_iov *e, const acs_fabric *fabric, const acs_platform *platform,
			      unsigned bar);
/** IOMMU groups as that platform's kernel forms them: one per PE that
 * does DMA, with every device of the PE; functions of PEs that only hold
 * bridges get no group. */
int acs_pe_groups(acs_groups **out, const acs_pe_table *t, const acs_fabric *fabric);
/** What `acsctl pe --check` finds. */
enum acs_pe_finding_kind {
	ACS_PE_SHARED_SEGMENT = 1, /**< one MMIO segment holds BARs of two PEs */
	ACS_PE_UNFENCED = 2,       /**< a PE's device behind no P2P bridge (root bus) */
	ACS_PE_OUTSIDE_WINDOW = 3, /**< a BAR outside its bridge's windows */
	ACS_PE_SHARED_BUS = 4,     /**< a bus shared with another PE's device or
				        window: the bridge fences both at once */
	ACS_PE_IOV_FAILED = 5,     /**< a PF's VFs cannot be enabled (iov_reason) */
	ACS_PE_BESIDE_BRIDGE = 6,  /**< on a bus with a bridge (via) of its own PE
				        whose windows hold another PE (neighbour):
				        the bridge above fences both at once */
	ACS_PE_OUT_OF_PES = 7,     /**< no PE number was left for the device */
};

typedef struct acs_pe_finding {
	int kind;               /**< enum acs_pe_finding_kind */
	uint32_t device;        /**< function index */
	uint32_t neighbour;     /**< function index, UINT32_MAX for none */
	uint8_t bar;            /**< the BAR concerned */
	bool m64;               /**< the segment is an M64 one */
	long segment;           /**< -1 for none */
	int iov_reason;         /**< ACS_PE_IOV_FAILED: enum acs_pe_iov_reason */
	uint32_t via;           /**< ACS_PE_BESIDE_BRIDGE: the bridge beside it */
} acs_pe_finding;

/** The M32 window's bus address: where powernv firmware places it. */
#define ACS_PE_M32_BASE 0x80000000ull

/**
 * The MMIO segments PE k's BARs start in, ascending and without
 * repeats: M32 segments, or M64 ones where m64 (platforms that know
 * their M64 windows). @return how many; up to max are written.
 */
size_t acs_pe_segments(const acs_pe_table *t, const acs_fabric *fabric, const acs_platform *platform,
		       size_t k, bool m64, unsigned *out, size_t max);

/** The segment size of a PHB's M32 (m64 false) or M64 window; 0 unknown. */
uint64_t acs_pe_segment_size(const acs_platform *platform, uint32_t domain, bool m64);

/**
 * Isolation check on the BARs as assigned (read from config space):
 * segments shared by two PEs, PE devices not fenced by a bridge window
 * of their own. VFs are trusted as their own PEs and not checked.
 * @return 0 with *out (free()) and *n, or an error.
 */
int acs_pe_check(acs_pe_finding **out, size_t *n, const acs_pe_table *t, const acs_fabric *fabric,
		 const acs_platform *platform);

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

/** The PEs of the PHB that is PCI domain `domain`. */
unsigned acs_platform_pes(const acs_platform *platform, uint32_t domain);

/** Whether the platform's PHBs have M64 windows (all but p7ioc). */
bool acs_platform_has_m64(const acs_platform *platform);

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

/** The functions a PHB had no PE number left for, in the kernel's probe
 * order: they get no PE and no IOMMU group (acs_pe_check() fails each).
 * @return how many; *funcs is borrowed from t. */
size_t acs_pe_left_out(const acs_pe_table *t, const uint32_t **funcs);

void acs_pe_free(acs_pe_table *t);

#ifdef __cplusplus
}
#endif
#endif
