/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/pe-check.h
 * @brief PE isolation on the BARs as assigned: the MMIO segments each PE
 * uses, segments two PEs share, devices no bridge window fences.
 */
#ifndef ACSCTL_PE_CHECK_H
#define ACSCTL_PE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/pe-assign.h"
#include "acsctl/pe-platform.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/**
 * The MMIO segments PE k's BARs start in, ascending and without
 * repeats: M32 segments, or M64 ones where m64 (platforms that know
 * their M64 windows). @return how many; up to max are written.
 */
size_t acs_pe_segments(const acs_pe_table *t, const acs_fabric *fabric, const acs_platform *platform,
		       size_t k, bool m64, unsigned *out, size_t max);

/**
 * Isolation check on the BARs as assigned (read from config space):
 * segments shared by two PEs, PE devices not fenced by a bridge window
 * of their own. VFs are trusted as their own PEs and not checked.
 * @return 0 with *out (free()) and *n, or an error.
 */
int acs_pe_check(acs_pe_finding **out, size_t *n, const acs_pe_table *t, const acs_fabric *fabric,
		 const acs_platform *platform);

#ifdef __cplusplus
}
#endif
#endif
