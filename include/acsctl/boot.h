/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/boot.h
 * @brief Boot parameters that change ACS, applied as one kernel version
 * applies them at enumeration: `pci=disable_acs_redir=`, `pci=config_acs=`
 * (6.11 and later), and the out-of-tree `pcie_acs_override=` (which changes
 * what the kernel believes, not the hardware).
 *
 * A dump taken after boot shows what the kernel wrote, not what firmware
 * left; the simulation starts from the firmware's ACS control, assumed 0
 * unless given per function.
 */
#ifndef ACSCTL_BOOT_H
#define ACSCTL_BOOT_H

#include <stddef.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACS_BOOT_OPTS_VERSION 1

typedef struct acs_boot_opts {
	unsigned int version;     /**< ACS_BOOT_OPTS_VERSION */
	const char *cmdline;      /**< the kernel command line to simulate */
	/** ACS control that firmware left, per function; others: 0. */
	const struct acs_ctrl_change *firmware;
	size_t nfirmware;
} acs_boot_opts;

#define ACS_BOOT_OPTS_INIT { ACS_BOOT_OPTS_VERSION, NULL, NULL, 0 }

typedef struct acs_boot acs_boot;

/**
 * Boot a fabric with a command line: every function with ACS gets the
 * control value the kernel would write (firmware value, the kernel's own
 * enabling, then the parameters), and the policy learns any override.
 * @param out receives the result, freed with acs_boot_free().
 * @return 0, or ACS_EPARSE with a message naming the bad part of a
 *         parameter the kernel could not parse.
 */
int acs_boot_simulate(acs_boot **out, const acs_fabric *fabric,
		      const acs_policy *policy, const acs_boot_opts *opts);

/** The fabric as the kernel leaves it after boot (borrowed). */
const acs_fabric *acs_boot_fabric(const acs_boot *boot);

/** The policy with pcie_acs_override applied, or the one given (borrowed). */
const acs_policy *acs_boot_policy(const acs_boot *boot);

/** Whether pcie_acs_override is in force: groups then claim isolation
 * the hardware does not give. */
bool acs_boot_overridden(const acs_boot *boot);

/** Remarks on how the kernel read the parameters, one line each. */
size_t acs_boot_notes(const acs_boot *boot, const char *const **notes);

void acs_boot_free(acs_boot *boot);

#ifdef __cplusplus
}
#endif
#endif
