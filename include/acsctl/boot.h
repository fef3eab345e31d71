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
#include <stdint.h>

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
 * The kernel boots with any value and ignores what it cannot read (it
 * says so in dmesg, or says nothing): so does this, and each part it
 * ignores, or reads other than as written, becomes a warning
 * (acs_boot_warning_at()). A malformed value is never an error.
 * @param out receives the result, freed with acs_boot_free().
 * @return 0, or an error (ACS_EINVAL for bad opts, out of memory) with
 *         *out NULL.
 */
int acs_boot_simulate(acs_boot **out, const acs_fabric *fabric,
		      const acs_policy *policy, const acs_boot_opts *opts);

/** The fabric as the kernel leaves it after boot (borrowed). */
const acs_fabric *acs_boot_fabric(const acs_boot *boot);

/** The policy with pcie_acs_override applied, or the one given (borrowed). */
const acs_policy *acs_boot_policy(const acs_boot *boot);

/** The policy given to acs_boot_simulate(), before any override
 * (borrowed): the fabric as loaded is judged with this one. */
const acs_policy *acs_boot_base_policy(const acs_boot *boot);

/** Whether pcie_acs_override is in force: groups then claim isolation
 * the hardware does not give. */
bool acs_boot_overridden(const acs_boot *boot);

/** Remarks on how the kernel read the parameters, one line each. */
size_t acs_boot_notes(const acs_boot *boot, const char *const **notes);

/** A part of the command line the kernel ignores or reads otherwise than
 * it is written; the strings are borrowed and live as long as the result. */
typedef struct acs_boot_warning {
	const char *param;    /**< "pci=disable_acs_redir", "pci=config_acs", "pci", "pcie_acs_override" */
	const char *ignored;  /**< the part, as written (from it to the end where the kernel stops reading) */
	const char *message;  /**< one line, starting with param: what the kernel does and prints */
} acs_boot_warning;

/** How many warnings the simulation gave (each once). */
size_t acs_boot_warning_count(const acs_boot *boot);

/** Warning i, in the order found. @return 0, or ACS_EINVAL past the end. */
int acs_boot_warning_at(const acs_boot *boot, size_t i, acs_boot_warning *out);

void acs_boot_free(acs_boot *boot);

/** The kernel parameters acs_boot_param() writes. */
enum acs_boot_param_kind {
	ACS_BOOT_CONFIG_ACS = 1,        /**< pci=config_acs=FLAGS@DEV;...: each function's control,
					     all seven bits given (Linux 6.11 on) */
	ACS_BOOT_DISABLE_ACS_REDIR = 2, /**< pci=disable_acs_redir=DEV;...: the functions only; the
					     kernel clears ReqRedir, CmpltRedir and EgressCtrl */
};

/**
 * The kernel parameter that names each function of changes, in their
 * order, with full addresses (DDDD:BB:DD.F). Devices are separated by
 * ';': pci_setup() splits its options at ','. config_acs gives every bit,
 * so the result does not depend on what firmware left; whether
 * disable_acs_redir gives the changes depends on the kernel (see the top
 * of this file): acs_boot_simulate() tells.
 * @param out receives the string, freed with free(); NULL on error.
 * @return 0, or ACS_EINVAL (no changes, an index outside the fabric, an
 *         unknown kind), out of memory.
 */
int acs_boot_param(char **out, int kind, const acs_fabric *fabric,
		   const struct acs_ctrl_change *changes, size_t n);

/** config_acs's FLAGS for a control value: seven '0'/'1', DirectTrans
 * (bit 6) first, SrcValid (bit 0) last. buf: 8 bytes. @return buf */
char *acs_boot_config_acs_flags(uint16_t ctrl, char *buf);

/** Boot loaders whose configuration acs_boot_loader_line() writes. */
enum acs_boot_loader {
	ACS_BOOT_LOADER_GRUB = 1,            /**< /etc/default/grub.d/acsctl.cfg, then update-grub */
	ACS_BOOT_LOADER_KERNEL_INSTALL = 2,  /**< /etc/kernel/cmdline (systemd-boot, UKIs), then kernel-install */
};

/** The file a loader takes its kernel command line from (a static
 * string), or NULL for an unknown loader. */
const char *acs_boot_loader_file(int loader);

/**
 * The line that adds a kernel parameter to a loader's command line.
 * GRUB: `GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX pci=config_acs=\"...\""`:
 * GRUB_CMDLINE_LINUX reaches every entry, recovery ones too; the value
 * after the option's '=' is quoted because grub.cfg's linux line is GRUB
 * script, where ';' ends the command: GRUB passes the word whole, without
 * the quotes, so the kernel reads it as written. kernel-install: the
 * parameter as it is (a word of /etc/kernel/cmdline).
 * @param out receives the line, freed with free(); NULL on error.
 * @return 0, or ACS_EINVAL (an unknown loader; a parameter with a space,
 *         a quote, '$', '`' or a backslash, which the line cannot carry as it
 *         is), out of memory.
 */
int acs_boot_loader_line(char **out, int loader, const char *param);

#ifdef __cplusplus
}
#endif
#endif
