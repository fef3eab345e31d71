/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/audit.h
 * @brief Where the groups promise isolation the fabric does not give
 * (unsafe), and where they are larger than it requires (conservative).
 */
#ifndef ACSCTL_AUDIT_H
#define ACSCTL_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/groups.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

enum acs_finding_kind {
	ACS_FINDING_UNSAFE = 1,        /**< different groups, but one reaches the other */
	ACS_FINDING_CONSERVATIVE = 2,  /**< one group, but none of its endpoints reach each other */
	ACS_FINDING_UNKNOWN = 3,       /**< whether they reach each other across groups depends on
					    state the source could not read; `via` names it */
};

typedef struct acs_finding {
	int kind;                  /**< enum acs_finding_kind */
	size_t ndevices;
	const uint32_t *devices;   /**< function indices */
	size_t nvia;
	const uint32_t *via;       /**< ports the traffic passes; UNKNOWN: the functions whose
				        unread state decides it */
	const char *reason;
} acs_finding;

typedef struct acs_audit acs_audit;

/**
 * Audit the groups a kernel holds against the hardware's routes. A pair
 * is UNSAFE only when proven; where the groups or the route depend on
 * state the source could not read (ACS without root, a short dump) it is
 * UNKNOWN, never left out as safe. The
 * groups are the kernel's own where the source knows them (live input,
 * snapshot), else the policy's prediction (`groups_policy`, which may carry
 * an override); the routes use `hw_policy` (quirks are facts about
 * devices; an override is not).
 */
int acs_audit_run(acs_audit **out, const acs_fabric *fabric,
		  const acs_policy *groups_policy, const acs_policy *hw_policy);
/**
 * The same against groups formed otherwise (a PE platform's, from
 * acs_pe_groups()), or the kernel's own where the source knows them;
 * without the check for ACS changed after boot, which needs the ACS
 * prediction.
 */
int acs_audit_run_groups(acs_audit **out, const acs_fabric *fabric, const acs_groups *groups,
			 const acs_policy *hw_policy);
size_t acs_audit_count(const acs_audit *a);
/**
 * The functions whose unread state the UNKNOWN findings depend on, in
 * address order, each once.
 * @return their number (0: every verdict is proven); *ports is borrowed
 *         from the audit.
 */
size_t acs_audit_unknown(const acs_audit *a, const uint32_t **ports);
const acs_finding *acs_audit_at(const acs_audit *a, size_t i);
void acs_audit_free(acs_audit *a);

#ifdef __cplusplus
}
#endif
#endif
