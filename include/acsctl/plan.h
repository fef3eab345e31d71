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

#include "acsctl/audit.h"
#include "acsctl/fabric.h"
#include "acsctl/groups.h"
#include "acsctl/p2p.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

enum acs_req_kind {
	ACS_REQ_P2P = 1,             /**< every pair of the set: bus_addr */
	ACS_REQ_P2P_TRANSLATED = 2,  /**< translated P2P direct, untranslated redirected */
	ACS_REQ_ISOLATE = 3,         /**< alone in its group, unreachable */
	ACS_REQ_TENANT = 4,          /**< no group, no reach across tenants */
	ACS_REQ_P2P_ONE_WAY = 5,     /**< devices[0]'s requests reach devices[1] directly and
					  devices[1]'s completions come back directly; nothing
					  opened from devices[1] to devices[0] */
	ACS_REQ_P2P_HARDWARE = 6,    /**< every pair of the set, both ways, on the hardware's
					  path alone (ReqRedir where requests enter the switch
					  they meet in, CmpltRedir where completions do): for
					  drivers that do their own P2P (GPUs, RDMA NICs); the
					  kernel's P2PDMA may still refuse the pair */
};

/** acs_plan_compute_flags(): plan as before issue 16, leaving groups the
 * audit after finds unsafe (devices of different groups reaching each
 * other without the IOMMU). */
#define ACS_PLAN_ALLOW_UNSAFE_GROUPS 0x1u
/** acs_plan_result_build(): the audit after holds its findings alone,
 * without the issues and sites built from them (acs_audit_issue_count()
 * and acs_audit_site_count() 0), as acsctl plan prints it: on a large
 * fabric the issues are most of the result's time. No effect on the plan. */
#define ACS_PLAN_FINDINGS_ONLY 0x2u

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
/**
 * The same with flags (ACS_PLAN_ALLOW_UNSAFE_GROUPS). Without that flag
 * (and in acs_plan_compute()) a plan is feasible only if the groups the
 * policy forms after it are at least as coarse as the hardware's routes
 * require: the audit of the fabric after (acs_audit_run() with
 * acs_policy_hardware()) finds no unsafe pair the fabric before did not
 * have. Where the requirements open routes across groups, the search adds
 * the cheapest clears of a bit the kernel requires (Source Validation
 * first, which opens no route) on a port above them, so that the kernel
 * merges what is below it: acs_plan_truthful() names those ports.
 */
int acs_plan_compute_flags(acs_plan **out, const acs_fabric *fabric, const acs_policy *policy,
			   const acs_requirement *reqs, size_t nreqs, unsigned int flags);
/** The ports changed only so that the groups after tell the truth (a bit
 * the kernel requires cleared: it merges what is below them), in address
 * order; *ports borrowed. */
size_t acs_plan_truthful(const acs_plan *plan, const uint32_t **ports);
/** Whether the plan was made with ACS_PLAN_ALLOW_UNSAFE_GROUPS. */
bool acs_plan_unsafe_allowed(const acs_plan *plan);
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

/*
 * The plan as acsctl plan shows it: the plan, and what follows from it
 * (the groups, P2P and audit of the fabric after the changes), what to
 * beware of, and each way of making it stick, each checked.
 */

typedef struct acs_plan_result acs_plan_result;

#define ACS_PLAN_OPTS_VERSION 2

typedef struct acs_plan_opts {
	unsigned int version;     /**< ACS_PLAN_OPTS_VERSION (1: without flags) */
	int cpu;                  /**< enum acs_p2p_cpu, for the P2P after */
	unsigned int flags;       /**< version 2: acs_plan_compute_flags()'s flags,
				       ACS_PLAN_FINDINGS_ONLY */
} acs_plan_opts;

#define ACS_PLAN_OPTS_INIT { ACS_PLAN_OPTS_VERSION, ACS_P2P_CPU_UNKNOWN, 0 }

/** A pair of a --p2p requirement (consecutive devices), after the plan. */
typedef struct acs_plan_pair {
	size_t a, b;                 /**< function indices (the fabric's and after's) */
	struct acs_p2pdma p2pdma;    /**< the kernel's verdict after the changes */
} acs_plan_pair;

enum acs_plan_warning_kind {
	ACS_PLAN_ASSIGN_TOGETHER = 1,  /**< the groups after keep them apart, but they reach
					    each other without the IOMMU: assign them together */
};

typedef struct acs_plan_warning {
	int kind;                    /**< enum acs_plan_warning_kind */
	size_t ndevices;
	uint32_t devices[2];         /**< function indices */
	const char *message;         /**< one line, without the devices */
} acs_plan_warning;

/** How a plan is made to stick. */
enum acs_plan_way {
	ACS_PLAN_WAY_CONFIG_ACS = 1,      /**< pci=config_acs= (Linux 6.11 on): every bit as planned */
	ACS_PLAN_WAY_DISABLE_ACS_REDIR = 2, /**< pci=disable_acs_redir=, on kernels without
					       config_acs, where it gives every change */
	ACS_PLAN_WAY_BOOT_UNIT = 3,       /**< acs.conf lines for acsctl-apply.service, on kernels
					       without config_acs: acsctl apply at every boot */
	ACS_PLAN_WAY_LIVE = 4,            /**< setpci now: the kernel's groups do not follow unless
					       the devices below are removed and rescanned */
};

typedef struct acs_plan_boot {
	int way;                     /**< enum acs_plan_way */
	const char *param;           /**< the kernel parameter; NULL for the unit and live */
	const char *grub;            /**< param as a GRUB line (acs_boot_loader_line()); NULL without param */
	const char *kernel_install;  /**< param as a word of /etc/kernel/cmdline; NULL without param */
	const char *file;            /**< where lines go ("/etc/acsctl/acs.conf"); NULL otherwise */
	size_t nlines;
	const char *const *lines;    /**< the unit: acs.conf lines (DEV:SV+,RR-,... every bit of the
					  capability); live: setpci commands */
	int meets;                   /**< enum acs_tristate: ACS_YES where booting the fabric with
					  param (firmware's ACS taken as 0) meets every requirement,
					  ACS_NO where it does not; ACS_MAYBE without param */
} acs_plan_boot;

/**
 * Plan (acs_plan_compute()) and, where the plan is feasible and proven,
 * everything that follows from it.
 * @param out receives the result, freed with acs_plan_result_free().
 * @return 0, or an error (ACS_EINVAL for bad opts, out of memory) with
 *         *out NULL.
 */
int acs_plan_result_build(acs_plan_result **out, const acs_fabric *fabric, const acs_policy *policy,
			  const acs_requirement *reqs, size_t nreqs, const acs_plan_opts *opts);
/** The plan (borrowed): feasible, exact, changes, conflicts, unknown. */
const acs_plan *acs_plan_result_plan(const acs_plan_result *r);
/**
 * The fabric after the changes, as a boot that makes them leaves it (the
 * kernel's groups are the predicted ones), with the same function indices
 * as the fabric given; NULL unless the plan is feasible and proven
 * (acs_plan_unknown() 0). Borrowed, as are the groups and the audit.
 */
const acs_fabric *acs_plan_result_fabric(const acs_plan_result *r);
/** The groups after the changes; NULL where the fabric is. */
const acs_groups *acs_plan_result_groups(const acs_plan_result *r);
/** Whether group id after the changes has members no group has now. */
bool acs_plan_result_group_new(const acs_plan_result *r, size_t id);
/** The audit after the changes (groups after against the hardware's
 * routes); NULL where the fabric is. Its findings alone, without issues
 * or sites, where the opts had ACS_PLAN_FINDINGS_ONLY. */
const acs_audit *acs_plan_result_audit(const acs_plan_result *r);
/** The --p2p pairs after the changes; *pairs borrowed. */
size_t acs_plan_result_p2p(const acs_plan_result *r, const acs_plan_pair **pairs);
/** A pair of peers the changes open beyond what was asked: directions
 * (enum acs_whatif_reach: ACS_WHATIF_REACH_A_TO_B, _B_TO_A) whose
 * requests went through the root complex before and go direct after. */
typedef struct acs_plan_opened {
	uint32_t a, b;               /**< function indices, a < b */
	unsigned reach;              /**< the directions opened, not asked for */
} acs_plan_opened;

/** The most pairs acs_plan_result_opened() lists; all are counted. */
#define ACS_PLAN_OPENED_MAX 10000

/**
 * What the changes open beyond the requirements: clearing ReqRedir on a
 * port opens its devices' requests to every peer below the switch, not
 * only the one asked for. Pairs in a then b order.
 * @param total receives how many there are (may be NULL).
 * @return the number listed; *pairs borrowed.
 */
size_t acs_plan_result_opened(const acs_plan_result *r, const acs_plan_opened **pairs, uint64_t *total);
/** What to beware of after the changes; *warnings borrowed. */
size_t acs_plan_result_warnings(const acs_plan_result *r, const acs_plan_warning **warnings);
/** The ways to make the changes stick, in the order of enum acs_plan_way
 * (none where there are no changes); *ways borrowed. */
size_t acs_plan_result_ways(const acs_plan_result *r, const acs_plan_boot **ways);
/** The kernel parameter of the plan: config_acs where the kernel takes
 * it, else disable_acs_redir where that gives the changes, else NULL
 * (none needed, or the kernel cannot express them). Borrowed. */
const char *acs_plan_result_cmdline(const acs_plan_result *r);
void acs_plan_result_free(acs_plan_result *r);

#ifdef __cplusplus
}
#endif
#endif
