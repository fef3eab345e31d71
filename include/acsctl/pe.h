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
typedef struct acs_platform {
	const char *name;       /**< "powernv9" */
	const char *phb;        /**< "p7ioc", "PHB3", "PHB4" */
	unsigned npes;          /**< PEs per PHB */
	unsigned reserved_pe;   /**< the PE firmware keeps */
	uint64_t m32_size;      /**< 32-bit MMIO window per PHB */
	unsigned m32_segments;  /**< it is cut into this many equal segments */
	unsigned nphbs;         /**< host bridges (PCI domains) */
	unsigned phb_pes[8];    /**< per PHB (domain) when they differ, else 0 */
	uint64_t m64_size;      /**< 64-bit window per PHB, npes segments */
	uint64_t phb_m64_base[8]; /**< its base per PHB (bus = CPU address), 0 unknown */
} acs_platform;

/** A platform by name: p7ioc, phb3, phb4, powernv8, powernv9; NULL with
 * an error listing the names. */
const acs_platform *acs_platform_find(const char *name);

/** One PE. */
typedef struct acs_pe {
	uint32_t domain;        /**< its PHB */
	unsigned number;        /**< PE# */
	bool all;               /**< a bus range (below a PCIe-to-PCI bridge) */
	uint8_t bus_first, bus_last;
	bool dma;               /**< holds a device that does DMA (not only bridges) */
	size_t ndevices;
	const uint32_t *devices; /**< function indices, address order */
} acs_pe;

typedef struct acs_pe_table acs_pe_table;

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
/** IOMMU groups as that platform's kernel forms them: one per PE that
 * does DMA, with every device of the PE; functions of PEs that only hold
 * bridges get no group. */
int acs_pe_groups(acs_groups **out, const acs_pe_table *t, const acs_fabric *fabric);
void acs_pe_free(acs_pe_table *t);

#ifdef __cplusplus
}
#endif
#endif
