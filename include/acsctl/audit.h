/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/audit.h
 * @brief Where the groups promise isolation the fabric does not give
 * (unsafe), and where they are larger than it requires (conservative).
 */
#ifndef ACSCTL_AUDIT_H
#define ACSCTL_AUDIT_H

#include <stdbool.h>
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
/** Findings, each on one route as found: an ordered pair of a switch's
 * ports (each port's first endpoint standing for what is below it), a
 * pair of functions of one device, the devices the kernel split on stale
 * ACS (UNSAFE, UNKNOWN); one group (CONSERVATIVE). */
size_t acs_audit_count(const acs_audit *a);
/**
 * The functions whose unread state the UNKNOWN findings depend on, in
 * address order, each once.
 * @return their number (0: every verdict is proven); *ports is borrowed
 *         from the audit.
 */
size_t acs_audit_unknown(const acs_audit *a, const uint32_t **ports);
const acs_finding *acs_audit_at(const acs_audit *a, size_t i);

/*
 * The UNSAFE findings as someone fixing them needs them: one issue per
 * unordered pair of groups and the place where they meet, with every
 * member of both groups, the ports short of ACS and the smallest fix; and
 * one site per place (a switch, a device), summing up its issues.
 */

/** Where the groups of an issue reach each other. */
enum acs_meet_kind {
	ACS_MEET_SWITCH = 1,  /**< a switch's internal bus: meets_at is its upstream port */
	ACS_MEET_DEVICE = 2,  /**< inside one device: meets_at is its first function */
	ACS_MEET_STALE = 3,   /**< the kernel built its groups on ACS values the devices no
				   longer have (ACS changed after boot); meets_at is -1 */
};

/** A port (or function) whose ACS lets requests of one group across to
 * another. */
typedef struct acs_audit_missing {
	uint32_t port;        /**< function index: the port requests enter the switch by, or
				   the function of a device that sends them */
	uint16_t bits;        /**< ACS control bits the kernel requires for isolation that it
				   lacks (ACS_RR, ACS_CR, ...); every one without a capability */
	bool capability;      /**< it has an ACS capability; without one no setting helps */
} acs_audit_missing;

/** What separates the groups: ACS changes, or nothing (assign them together). */
typedef struct acs_audit_fix {
	size_t nchanges;
	const struct acs_ctrl_change *changes; /**< the new ACS control of each port, in
						   address order: ReqRedir set where it lacks it,
						   the fewest bits (what acs_plan_compute() gives
						   with the groups as tenants) */
	const char *config_acs;  /**< the changes as "pci=config_acs=FLAGS@DEV;..." where the
				      kernel takes it (acs_policy_has_config_acs()), else NULL */
	bool assign_together;    /**< no ACS change separates them (a port without ACS, a
				      device without it): give the groups to one owner */
	bool rescan;             /**< ACS_MEET_STALE: the groups are stale; remove and rescan
				      the devices, or reboot */
} acs_audit_fix;

/** One unordered pair of groups (a stale issue: the groups the kernel split)
 * and where they reach each other without the IOMMU. */
typedef struct acs_audit_issue {
	int meets_kind;            /**< enum acs_meet_kind */
	long meets_at;             /**< function index, or -1 */
	size_t ngroups;            /**< 2, or more for a stale issue */
	const uint32_t *groups;    /**< group ids, ascending: the kernel's numbers where the
				        source has its groups, else the prediction's */
	const uint32_t *group_sizes;  /**< how many of `devices` each group holds */
	size_t ndevices;
	const uint32_t *devices;   /**< every member of every group (bridges too), group after
				        group, each in address order */
	size_t nvia;
	const uint32_t *via;       /**< the ports passed: below the switch on the first group's
				        side, the switch, the second group's side; the functions
				        whose ACS decides inside a device */
	size_t nmissing;
	const acs_audit_missing *missing;  /**< in address order */
	acs_audit_fix fix;
	size_t nroutes;
	const uint32_t *routes;    /**< the acs_audit_at() findings it sums up */
	const char *reason;        /**< one sentence */
} acs_audit_issue;

/** One place where groups meet: its issues summed up. */
typedef struct acs_audit_site {
	int meets_kind;            /**< enum acs_meet_kind */
	long meets_at;             /**< function index, or -1 */
	size_t ngroups;
	const uint32_t *groups;    /**< every group of its issues, ascending */
	size_t nissues;
	const uint32_t *issues;    /**< acs_audit_issue_at() indices */
	size_t nmissing;
	const acs_audit_missing *missing;  /**< in address order */
	acs_audit_fix fix;         /**< the changes of the issues ACS separates (none where
				        their groups go together anyway); assign_together when
				        some cannot be separated */
	size_t ntogether;          /**< sets of groups to assign together */
	const uint32_t *together_sizes;
	const uint32_t *together;  /**< the sets' group ids, set after set, ascending */
} acs_audit_site;

/** Issues, by site (in the order of acs_audit_site_at()), then groups. */
size_t acs_audit_issue_count(const acs_audit *a);
const acs_audit_issue *acs_audit_issue_at(const acs_audit *a, size_t i);
/** Sites: switches and devices in address order, then stale groups. */
size_t acs_audit_site_count(const acs_audit *a);
const acs_audit_site *acs_audit_site_at(const acs_audit *a, size_t i);

void acs_audit_free(acs_audit *a);

#ifdef __cplusplus
}
#endif
#endif
