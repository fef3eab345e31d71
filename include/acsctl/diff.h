/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/diff.h
 * @brief Two fabrics of one host compared (acsctl diff A B): functions
 * added or removed, ACS control per port, groups split or merged, drivers,
 * links that came up slower or narrower, and host facts that changed.
 */
#ifndef ACSCTL_DIFF_H
#define ACSCTL_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What one difference is about. */
enum acs_diff_kind {
	ACS_DIFFK_HOST = 1,     /**< a host fact: key names it (kernel-release, cmdline, bios-version ...) */
	ACS_DIFFK_ADDED,        /**< a function only in B */
	ACS_DIFFK_REMOVED,      /**< a function only in A */
	ACS_DIFFK_ID,           /**< another vendor:device at the same address */
	ACS_DIFFK_ACS,          /**< a port's ACS control register */
	ACS_DIFFK_DRIVER,       /**< the bound driver */
	ACS_DIFFK_LINK,         /**< the negotiated link (speed, width) */
	ACS_DIFFK_GROUP_SPLIT,  /**< a group of A whose members lie in several groups of B */
	ACS_DIFFK_GROUP_MERGED, /**< a group of B whose members lie in several groups of A */
};

/** One difference; strings owned by the result. */
typedef struct acs_diff_item {
	int kind;                 /**< enum acs_diff_kind */
	const char *key;          /**< HOST: the fact's name; NULL otherwise */
	const char *addr;         /**< the function ("0000:01:00.0"); groups: their first member; NULL for HOST */
	const char *a, *b;        /**< the value in A and in B; NULL: absent or unknown there */
	bool degraded;            /**< LINK: lower speed or width in B */
	size_t count;             /**< groups: members (functions in both) */
	const char *const *members; /**< groups: their addresses */
} acs_diff_item;

typedef struct acs_diff acs_diff;

/**
 * Compare fabric a with fabric b. Groups: each side's kernel groups where
 * both sources have them, otherwise each side predicted with its policy
 * (pa, pb; NULL: the kernel it records, else the default).
 * @return 0 or a negative enum acs_error_code.
 */
int acs_diff_compute(acs_diff **out, const acs_fabric *a, const acs_fabric *b,
		     const acs_policy *pa, const acs_policy *pb);
/** Number of differences, in the order of enum acs_diff_kind, then address. */
size_t acs_diff_count(const acs_diff *d);
/** Difference i; NULL past the end. */
const acs_diff_item *acs_diff_at(const acs_diff *d, size_t i);
/** Whether groups came from the kernel on both sides (else predicted). */
bool acs_diff_kernel_groups(const acs_diff *d);
/**
 * Functions in both whose comparison depends on state a source could not
 * read (ACS control unknown on either side, or a predicted group that is
 * uncertain), as addresses. @return their number.
 */
size_t acs_diff_unknown(const acs_diff *d, const char *const **addrs);
/** Free a result; NULL is accepted. */
void acs_diff_free(acs_diff *d);

#ifdef __cplusplus
}
#endif
#endif
