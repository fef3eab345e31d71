/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/pe-assign.h
 * @brief PE assignment and the PE table: which PE each function gets, as
 * the platform's kernel assigns them in probe order, SR-IOV VFs' PEs, and
 * the IOMMU groups the PEs make. One PCI domain per PHB.
 */
#ifndef ACSCTL_PE_ASSIGN_H
#define ACSCTL_PE_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/groups.h"
#include "acsctl/pe-platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How PEs are assigned. */
enum acs_pe_policy {
	ACS_PE_BUS = 1,     /**< Linux powernv: a PE per bus, a bus range below PCIe-to-PCI bridges */
	ACS_PE_SLOT = 2,    /**< everything behind a root port slot (the hypervisor's rule) */
	ACS_PE_DEVICE = 3,  /**< per function where the functions are isolated */
};

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

/** The functions a PHB had no PE number left for, in the kernel's probe
 * order: they get no PE and no IOMMU group (acs_pe_check() fails each).
 * @return how many; *funcs is borrowed from t. */
size_t acs_pe_left_out(const acs_pe_table *t, const uint32_t **funcs);

void acs_pe_free(acs_pe_table *t);

#ifdef __cplusplus
}
#endif
#endif
