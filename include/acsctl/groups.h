/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/groups.h
 * @brief IOMMU groups as a kernel policy forms them from a fabric.
 */
#ifndef ACSCTL_GROUPS_H
#define ACSCTL_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct acs_groups acs_groups;

/**
 * Predict the IOMMU groups: pci_device_group() run on every function in the
 * kernel's probe order, so group numbers follow the kernel's allocation.
 * Where a port's ACS state is unknown it is taken as not isolating (the
 * larger group) and the group is marked uncertain.
 * @param out receives the result, freed with acs_groups_free().
 * @return 0 or a negative enum acs_error_code.
 */
int acs_groups_compute(acs_groups **out, const acs_fabric *fabric,
		       const acs_policy *policy);

/** Free a result; NULL is accepted. */
void acs_groups_free(acs_groups *groups);

/** Number of groups; ids are 0 .. count-1. */
size_t acs_groups_count(const acs_groups *groups);

/** Group id of function `index`. */
size_t acs_groups_of(const acs_groups *groups, size_t index);

/**
 * Members of group `id`, as function indices in address order.
 * @return their number; *members is borrowed from the result.
 */
size_t acs_groups_members(const acs_groups *groups, size_t id,
			  const uint32_t **members);

/** Whether group `id` depends on ACS state the source could not read. */
bool acs_groups_uncertain(const acs_groups *groups, size_t id);

/** Number of uncertain groups. */
size_t acs_groups_uncertain_count(const acs_groups *groups);

#ifdef __cplusplus
}
#endif
#endif
