/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/whatif.h
 * @brief What a change does: two fabrics (the same machine before and
 * after other ACS control, boot parameters or VFs), each judged by its
 * policy, compared in groups, P2P pairs and audit findings.
 *
 * Functions are matched across the two by address. Every P2P pair of
 * functions on both sides is accounted for: pairs whose paths pass
 * nothing that changed are proven unchanged without routing them again,
 * the others are routed on both sides; the changes are counted whole and
 * listed up to a bound, never cut without saying so.
 */
#ifndef ACSCTL_WHATIF_H
#define ACSCTL_WHATIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/audit.h"
#include "acsctl/fabric.h"
#include "acsctl/groups.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACS_WHATIF_OPTS_VERSION 1

/** P2P changes listed by default (acs_whatif_opts.max_pairs). */
#define ACS_WHATIF_MAX_PAIRS 10000

typedef struct acs_whatif_opts {
	unsigned int version;     /**< ACS_WHATIF_OPTS_VERSION */
	int cpu;                  /**< enum acs_p2p_cpu, for the P2PDMA verdicts */
	/** P2P changes kept in the list (acs_whatif_p2p()); all are counted.
	 * SIZE_MAX: every one. */
	size_t max_pairs;
	/** Route every pair on both sides, not only those whose paths pass
	 * something that changed: the same answer, slower (for tests). */
	bool route_all;
} acs_whatif_opts;

#define ACS_WHATIF_OPTS_INIT { ACS_WHATIF_OPTS_VERSION, 0, ACS_WHATIF_MAX_PAIRS, false }

/** Which side of the comparison. */
enum acs_whatif_side {
	ACS_WHATIF_BEFORE = 0,
	ACS_WHATIF_AFTER = 1,
};

typedef struct acs_whatif acs_whatif;

/**
 * Compare `before` judged by `before_policy` with `after` judged by
 * `after_policy`: their predicted groups (acs_groups_compute()), the P2P
 * verdicts of every pair of peer functions on both sides (the P2PDMA map
 * with `before` the provider, acs_p2pdma_distance(); and the hardware
 * route both ways, acs_route_reach()), and their audits (acs_audit_run(),
 * routes by each policy's acs_policy_hardware()). The fabrics are not
 * modified and must outlive the result.
 * @param opts NULL for the defaults.
 * @param out receives the result, freed with acs_whatif_free().
 * @return 0 or a negative enum acs_error_code (ACS_EINVAL: bad opts).
 */
int acs_whatif_run(acs_whatif **out, const acs_fabric *before, const acs_policy *before_policy,
		   const acs_fabric *after, const acs_policy *after_policy, const acs_whatif_opts *opts);

/** The fabric of a side (borrowed: the one given). */
const acs_fabric *acs_whatif_fabric(const acs_whatif *w, int side);

/** Function i of side's fabric on the other side: its index, or -1. */
long acs_whatif_map(const acs_whatif *w, int side, size_t i);

/** The groups of a side (borrowed). */
const acs_groups *acs_whatif_groups(const acs_whatif *w, int side);

/**
 * The groups that differ: SPLIT, a group before whose members lie in
 * several groups after (funcs: before's indices, other: after's groups);
 * then MERGED, a group after whose members lie in several groups before
 * (funcs: after's indices, other: before's groups). Members absent on the
 * other side have other -1.
 * @return their number; *changes is borrowed.
 */
size_t acs_whatif_group_changes(const acs_whatif *w, const acs_partition_change **changes);

/** Groups before with exactly the same members after. */
size_t acs_whatif_groups_unchanged(const acs_whatif *w);

/** Functions after that left a group before that split for a group after
 * that merged, after's indices; *funcs borrowed. */
size_t acs_whatif_moved(const acs_whatif *w, const uint32_t **funcs);

/** Functions of one side only: ACS_WHATIF_AFTER, added (after's indices);
 * ACS_WHATIF_BEFORE, removed (before's indices). *funcs borrowed. */
size_t acs_whatif_only(const acs_whatif *w, int side, const uint32_t **funcs);

/**
 * The functions whose isolation for passthrough changes, after's indices,
 * ascending: ACS_WHATIF_BEFORE, alone in their group before and not after
 * (a VM given the function alone no longer can be); ACS_WHATIF_AFTER,
 * alone after only. Alone: the group holds no other function that can be
 * a peer (bridges and host bridges aside) outside the function's own
 * device (the functions of one slot). Only functions that are peers, on
 * both sides and in a group on both. *funcs borrowed.
 */
size_t acs_whatif_isolation(const acs_whatif *w, int side, const uint32_t **funcs);

/** Where a request goes direct, without the IOMMU (acs_reach.direct). */
enum acs_whatif_reach {
	ACS_WHATIF_REACH_A_TO_B = 1,   /**< a's requests reach b */
	ACS_WHATIF_REACH_B_TO_A = 2,   /**< b's requests reach a */
};

/** A pair of peers whose P2P verdict changes. */
typedef struct acs_whatif_pair {
	uint32_t a, b;              /**< after's indices, a < b */
	int map[2];                 /**< enum acs_p2p_map before, after (a the provider) */
	int distance[2];            /**< pci_p2pdma_distance() before, after */
	unsigned reach[2];          /**< enum acs_whatif_reach bits before, after */
	bool gained;                /**< the map becomes bus_addr, or a direction goes direct */
	bool unknown;               /**< a route depends on state not read (the worse case) */
} acs_whatif_pair;

/** The count of everything compared, beside the list. */
typedef struct acs_whatif_p2p_stats {
	size_t peers;               /**< functions on both sides that can be peers */
	uint64_t pairs;             /**< unordered pairs of them */
	uint64_t routed;            /**< routed on both sides; the others pass nothing that changed */
	uint64_t changed;           /**< pairs whose verdict changes, all of them */
	uint64_t gained, lost;      /**< of those */
	bool truncated;             /**< the list holds fewer than changed */
} acs_whatif_p2p_stats;

/**
 * The P2P pairs whose verdict changes, by a then b, up to opts.max_pairs.
 * @param stats receives the counts (may be NULL).
 * @return the number listed; *pairs is borrowed.
 */
size_t acs_whatif_p2p(const acs_whatif *w, const acs_whatif_pair **pairs, acs_whatif_p2p_stats *stats);

/** The audit of a side (borrowed). */
const acs_audit *acs_whatif_audit(const acs_whatif *w, int side);

/**
 * The findings of side's audit with no equal finding on the other side:
 * after, new; before, resolved. Findings are equal when their kind, their
 * devices and the ports they pass (via) are the same functions, in any
 * order. @return their number; *idx (indices for acs_audit_at() of that
 * side's audit, ascending) is borrowed.
 */
size_t acs_whatif_audit_diff(const acs_whatif *w, int side, const size_t **idx);

/**
 * The functions whose unread state either audit depends on, as after's
 * indices, ascending, each once (0: every verdict is proven).
 */
size_t acs_whatif_unknown(const acs_whatif *w, const uint32_t **ports);

/** Free a result; NULL is accepted. */
void acs_whatif_free(acs_whatif *w);

#ifdef __cplusplus
}
#endif
#endif
