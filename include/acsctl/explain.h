/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/explain.h
 * @brief Why a function is in its IOMMU group, why two functions share a
 * group or not, and the smallest ACS change that would separate them.
 */
#ifndef ACSCTL_EXPLAIN_H
#define ACSCTL_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct acs_explain acs_explain;

/**
 * Explain function `a` (and, when b >= 0, its relation to function `b`).
 * @param out receives the explanation, freed with acs_explain_free().
 */
int acs_explain_compute(acs_explain **out, const acs_fabric *fabric,
		const acs_policy *policy, size_t a, long b);

/** Group ids of a and b (b: -1 when not asked); ACS_NO_GROUP for a function
 * in none (one the IOMMU does not manage, acs_policy_iommu_excludes()). */
size_t acs_explain_group(const acs_explain *e, int which);

/** The chain of facts, in the order the kernel meets them. */
size_t acs_explain_facts(const acs_explain *e, const char *const **facts);

/** With two functions: whether they share a group. */
bool acs_explain_shared(const acs_explain *e);

/**
 * With two functions that share a group: the smallest set of ACS control
 * changes that separates them (fewest bits, then fewest ports).
 * @return the number of changes; 0 with *possible false when no ACS
 *         setting separates them (the reason is the last fact).
 */
size_t acs_explain_change(const acs_explain *e, const struct acs_ctrl_change **changes,
			  bool *possible);

void acs_explain_free(acs_explain *e);

#ifdef __cplusplus
}
#endif
#endif
