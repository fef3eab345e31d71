/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/plan.h
 * @brief The smallest per-port ACS change (fewest bits, then fewest ports)
 * that gives the P2P wanted and keeps the isolation required.
 */
#ifndef ACSCTL_PLAN_H
#define ACSCTL_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

enum acs_req_kind {
	ACS_REQ_P2P = 1,             /**< every pair of the set: bus_addr */
	ACS_REQ_P2P_TRANSLATED = 2,  /**< translated P2P direct, untranslated redirected */
	ACS_REQ_ISOLATE = 3,         /**< alone in its group, unreachable */
	ACS_REQ_TENANT = 4,          /**< no group, no reach across tenants */
};

/** One requirement: a kind and its functions (tenant: `tenant` numbers). */
typedef struct acs_requirement {
	int kind;
	size_t n;
	const size_t *devices;
	const int *tenant;           /**< ACS_REQ_TENANT: per device */
} acs_requirement;

typedef struct acs_plan acs_plan;

/**
 * Plan ACS control changes meeting every requirement.
 * @param out receives the plan (feasible or not), freed with acs_plan_free().
 */
int acs_plan_compute(acs_plan **out, const acs_fabric *fabric, const acs_policy *policy,
		     const acs_requirement *reqs, size_t nreqs);
bool acs_plan_feasible(const acs_plan *plan);
/** The changes, in address order. */
size_t acs_plan_changes(const acs_plan *plan, const struct acs_ctrl_change **changes);
/** Why it is infeasible: one line per conflict. */
size_t acs_plan_conflicts(const acs_plan *plan, const char *const **lines);
/**
 * The functions whose unread state (ACS without root, a short dump)
 * whether the requirements hold depends on, in address order. When there
 * are any, neither the plan nor its conflicts are proven: they take the
 * unread ports as having no ACS.
 * @return their number; *ports is borrowed from the plan.
 */
size_t acs_plan_unknown(const acs_plan *plan, const uint32_t **ports);
/** Whether the minimum was proven by exhaustive search (else greedy). */
bool acs_plan_exact(const acs_plan *plan);
/** Whether the fabric after the changes meets the requirements. */
bool acs_plan_check(const acs_fabric *fabric, const acs_policy *policy,
		    const acs_requirement *reqs, size_t nreqs);
void acs_plan_free(acs_plan *plan);

#ifdef __cplusplus
}
#endif
#endif
