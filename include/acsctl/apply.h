/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/apply.h
 * @brief The one place that changes hardware: an ACS change made live by
 * removing the devices below the changed ports, writing the ports' ACS
 * control and rescanning, with a journal to roll back from, and a check
 * against the kernel's groups afterwards.
 */
#ifndef ACSCTL_APPLY_H
#define ACSCTL_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACS_APPLY_OPTS_VERSION 1

typedef struct acs_apply_opts {
	unsigned int version;    /**< ACS_APPLY_OPTS_VERSION */
	const char *sysfs;       /**< sysfs root, "/sys" when NULL */
	const char *journal;     /**< "/run/acsctl/journal.json" when NULL */
	bool unbind;             /**< unbind drivers of affected devices (and rebind) */
	bool dry_run;            /**< say every step, change nothing */
	/** Each step, one line, as it is done (or would be). */
	void (*step)(void *ctx, const char *line);
	void *ctx;
} acs_apply_opts;

#define ACS_APPLY_OPTS_INIT { ACS_APPLY_OPTS_VERSION, NULL, NULL, false, true, NULL, NULL }

/**
 * Apply ACS control changes to the live system the fabric was read from.
 * Unless dry_run: only through the kernel's sysfs (filesystem type), with
 * the journal's directory ours and closed to others, and holding the lock
 * ("lock" beside the journal; a second run is refused, ACS_EINVAL).
 * Refuses (ACS_EINVAL) when the live result would differ from a boot,
 * when an affected device has a driver (unless unbind) or an open VFIO
 * group. On a failure after the first change, the original ACS control is
 * restored, the devices removed and rescanned again, drivers rebound, and
 * ACS_ERROR returned naming the step.
 */
int acs_apply(const acs_fabric *fabric, const acs_policy *policy,
	      const struct acs_ctrl_change *changes, size_t n, const acs_apply_opts *opts);

/** Restore what the journal recorded (after a crash or kill). ACS_ENOTFOUND:
 * no journal. Under the same conditions and lock as acs_apply. Nothing is
 * written unless every field of the journal fits its grammar and each port
 * has an ACS capability at the recorded offset whose control reads what
 * apply wrote (or what it found, when killed before the write); refused
 * otherwise, naming the device and what was found. */
int acs_apply_rollback(const acs_apply_opts *opts);

/** The pending journal as text (caller frees), or NULL with ACS_ENOTFOUND. */
char *acs_apply_status(const acs_apply_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
