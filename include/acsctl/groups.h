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

/**
 * The same, with some functions' groups already given (preset[i] >= 0):
 * what a live change does, where the functions that stay keep their
 * groups and only the re-added ones are probed again, in kernel order.
 * Group ids after the given ones are new; some ids may have no members.
 */
int acs_groups_compute_preset(acs_groups **out, const acs_fabric *fabric,
			      const acs_policy *policy, const int32_t *preset);

/** Free a result; NULL is accepted. */
void acs_groups_free(acs_groups *groups);

/** Number of groups; ids are 0 .. count-1. */
size_t acs_groups_count(const acs_groups *groups);

/** acs_groups_of() of a function in no group (platforms where the kernel
 * gives bridges none). */
#define ACS_NO_GROUP ((size_t)-1)

/** Group id of function `index`, or ACS_NO_GROUP. */
size_t acs_groups_of(const acs_groups *groups, size_t index);

/**
 * Groups given function by function (group_of[i] < 0: none), for
 * platforms whose groups come from elsewhere (PEs).
 */
int acs_groups_from(acs_groups **out, const acs_fabric *fabric, const int32_t *group_of);

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

/**
 * Two groupings of the same functions, compared. a[i] and b[i] are the
 * groups of function i (0 .. n-1) on either side, any non-negative ids;
 * negative: not grouped on that side (absent, or left out). A group of a
 * is SPLIT when its members grouped in b lie in several groups of b; a
 * group of b is MERGED when its members grouped in a lie in several. One
 * function can be in both: it MOVED, leaving its group for another. The
 * check against the kernel's groups, the live procedure against a boot
 * and the what-if all use this one comparison.
 */
enum acs_partition_kind {
	ACS_PARTITION_SPLIT = 1,   /**< a group of a whose members lie in several groups of b */
	ACS_PARTITION_MERGED = 2,  /**< a group of b whose members lie in several groups of a */
};

/** One group that differs, with every member it has on its side. */
typedef struct acs_partition_change {
	int kind;                 /**< enum acs_partition_kind */
	int32_t group;            /**< its id: a's (SPLIT) or b's (MERGED) */
	size_t count;             /**< members */
	const uint32_t *funcs;    /**< members, ascending */
	const int32_t *other;     /**< per member: its group on the other side, or -1 */
	size_t nother;            /**< distinct groups of the other side they lie in */
} acs_partition_change;

typedef struct acs_partition_diff acs_partition_diff;

/**
 * Compare two groupings of n functions, in O(n log n).
 * @param out receives the result, freed with acs_partition_diff_free().
 * @return 0 or a negative enum acs_error_code (out of memory).
 */
int acs_partition_diff_compute(acs_partition_diff **out, const int32_t *a, const int32_t *b, size_t n);
/** Number of changes: the SPLIT ones first (by a's group), then MERGED (by b's). */
size_t acs_partition_diff_count(const acs_partition_diff *d);
/** Change i, borrowed from the result; NULL past the end. */
const acs_partition_change *acs_partition_diff_at(const acs_partition_diff *d, size_t i);
/** Functions grouped on both sides. */
size_t acs_partition_diff_compared(const acs_partition_diff *d);
/** Distinct groups on side 0 (a) or 1 (b). */
size_t acs_partition_diff_groups(const acs_partition_diff *d, int side);
/** Groups of a with exactly the members of one group of b. */
size_t acs_partition_diff_unchanged(const acs_partition_diff *d);
/** Functions whose group of a is SPLIT and whose group of b is MERGED,
 * ascending; *funcs is borrowed. */
size_t acs_partition_diff_moved(const acs_partition_diff *d, const uint32_t **funcs);
/** Functions grouped on side 0 (a) only, or 1 (b) only, ascending. */
size_t acs_partition_diff_only(const acs_partition_diff *d, int side, const uint32_t **funcs);
/** Free a result; NULL is accepted. */
void acs_partition_diff_free(acs_partition_diff *d);

/** How the kernel's groups differ from the prediction. */
enum acs_group_diff_kind {
	ACS_DIFF_KERNEL_SPLITS = 1,  /**< one predicted group, several kernel groups */
	ACS_DIFF_KERNEL_MERGES = 2,  /**< one kernel group, several predicted groups */
};

/** One difference: a group of one side and its members, in address order,
 * each with its group on the other side. */
typedef struct acs_group_diff {
	int kind;                 /**< enum acs_group_diff_kind */
	size_t group;             /**< predicted group (SPLITS) or kernel group (MERGES) */
	size_t count;
	const uint32_t *funcs;    /**< function indices */
	const int *other;         /**< per member: the other side's group */
} acs_group_diff;

typedef struct acs_group_check acs_group_check;

/**
 * Compare the prediction with the kernel's own groups (live input or a
 * snapshot). Functions the kernel gave no group are left out.
 * @param out receives the differences, freed with acs_group_check_free().
 * @return 0; ACS_EUNKNOWN when the source does not know the kernel's groups.
 */
int acs_groups_check(acs_group_check **out, const acs_groups *groups,
		     const acs_fabric *fabric);
size_t acs_group_check_count(const acs_group_check *check);
const acs_group_diff *acs_group_check_at(const acs_group_check *check, size_t i);
/** Number of functions compared. */
size_t acs_group_check_compared(const acs_group_check *check);
/**
 * Functions one side grouped and the other did not, ascending; *funcs is
 * borrowed. side 0: the prediction grouped them and the source has no
 * kernel group for them (lspci text where some devices lack the `IOMMU
 * group:` line: partial, so not compared; never taken as a group). side 1:
 * the kernel grouped them and the policy says its IOMMU leaves them out
 * (acs_policy_iommu_excludes()): a difference.
 */
size_t acs_group_check_one_side(const acs_group_check *check, int side, const uint32_t **funcs);
void acs_group_check_free(acs_group_check *check);

#ifdef __cplusplus
}
#endif
#endif
