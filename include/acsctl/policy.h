/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/policy.h
 * @brief Kernel policy: what one Linux version does with a fabric (which
 * ports count as isolating, DMA aliases, quirks, boot parameters). The
 * analyses take a policy and never test versions themselves.
 */
#ifndef ACSCTL_POLICY_H
#define ACSCTL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct acs_policy acs_policy;

/** Three-valued answers: the source may not know a port's ACS state. */
enum acs_tristate {
	ACS_NO = 0,
	ACS_YES = 1,
	ACS_MAYBE = 2,   /**< depends on state the source could not read */
};

/** The ACS bits the kernel requires for isolation (REQ_ACS_FLAGS). */
#define ACS_REQ_FLAGS (ACS_SV | ACS_RR | ACS_CR | ACS_UF)

/**
 * The policy of a kernel version: a series ("6.10", "linux-6.10"), a
 * release ("6.10.14", "6.10.0", "7.3-rc4", "7.3.0-rc4") or a build's
 * release string ("5.13.19-6-pve", "6.8.0-45-generic",
 * "6.12.57+deb12-amd64"). Its rules follow from the version, not from a
 * list: any version gets one. A version outside the modelled range has
 * acs_policy_warning() set; what was assumed of a build, acs_policy_note().
 * @return a policy that lives as long as the process (never freed by the
 *         caller; the same version gives the same pointer), or NULL with
 *         acs_error_last(): ACS_EINVAL when `version` is no kernel version
 *         ("banana", "6", "99999.1"), ACS_ENOMEM.
 */
const acs_policy *acs_policy_find(const char *version);

/** The newest mainline release ("7.2"), for input that names no kernel. */
const acs_policy *acs_policy_default(void);

/**
 * The modelled range: the oldest kernel the rule tables know and the
 * newest whose source they were compared with ("5.4", "7.3-rc7"). Static
 * strings.
 */
void acs_policy_range(const char **oldest, const char **newest);

/**
 * The version the policy stands for, as acsctl prints it: "6.10", "6.10.14",
 * "6.10.0", "7.3-rc4". acs_policy_find() of it gives the same rules.
 */
const char *acs_policy_name(const acs_policy *policy);

/**
 * What was assumed of the build, one line ("a distribution build of 6.8.0,
 * taken to carry the 6.8.y stable backports"), or NULL.
 */
const char *acs_policy_note(const acs_policy *policy);

/**
 * For a version outside acs_policy_range(): one line saying what the
 * prediction assumed; NULL inside the range.
 */
const char *acs_policy_warning(const acs_policy *policy);

/** Whether the policy's kernel takes pci=config_acs= (Linux 6.11 on). */
bool acs_policy_has_config_acs(const acs_policy *policy);

/**
 * Whether VFIO judges a group by DMA ownership (Linux 5.19 on, "vfio: Set
 * DMA ownership for VFIO devices"): every member's driver must manage its
 * own DMA (driver_managed_dma: vfio-pci, pci-stub, pcieport) or be none.
 * Before, vfio_dev_driver_allowed() took pci-stub, no driver, or any
 * driver on a function whose header is not type 0 (a bridge).
 */
bool acs_policy_vfio_dma_ownership(const acs_policy *policy);

/**
 * The policy of the same kernel without what a simulated boot made it
 * believe (pcie_acs_override): the rules the hardware is held to. A
 * policy that believes nothing is its own; borrowed, lives as long as
 * policy.
 */
const acs_policy *acs_policy_hardware(const acs_policy *policy);

/** Whether the policy believes pcie_acs_override (an out-of-tree patch). */
bool acs_policy_overridden(const acs_policy *policy);

/**
 * Whether a kernel command line (a host's /proc/cmdline as recorded)
 * carries pcie_acs_override=, the out-of-tree patch whose groups claim
 * isolation the hardware does not give. NULL: false.
 */
bool acs_cmdline_has_acs_override(const char *cmdline);

/**
 * pci_acs_enabled(): whether the kernel considers fn isolated for `flags`.
 */
int acs_policy_acs_enabled(const acs_policy *policy, const acs_fabric *fabric,
			   const struct acs_func *fn, uint16_t flags);

/**
 * The device-specific answer (a kernel quirk) for fn, if any.
 * @return ACS_YES or ACS_NO with *name set to the kernel function that gave
 *         it, or -1 when no quirk of this version applies.
 */
int acs_policy_quirk(const acs_policy *policy, const struct acs_func *fn,
		     uint16_t flags, const char **name);

/**
 * pci_acs_path_enabled(start, NULL, flags): fn and every bridge above it
 * up to the root bus pass acs_policy_acs_enabled().
 */
int acs_policy_path_enabled(const acs_policy *policy, const acs_fabric *fabric,
			    const struct acs_func *fn, uint16_t flags);

/**
 * The functions pci_for_each_dma_alias() visits for function `index`, in
 * order: the function itself, then the bridges that take over its
 * requester ID on the way up. At most `max` are written. *uncertain is set
 * when a bridge's kind could not be read.
 * @return the number visited (may exceed max).
 */
size_t acs_policy_dma_aliases(const acs_policy *policy,
			      const acs_fabric *fabric, size_t index,
			      uint32_t *out, size_t max, bool *uncertain);

/**
 * pci_devs_are_dma_aliases() for two functions of one bus.
 */
bool acs_policy_devs_alias(const acs_policy *policy, const acs_fabric *fabric,
			   size_t a, size_t b);

/** Why the IOMMU driver leaves a function out (acs_policy_iommu_excludes()). */
enum acs_iommu_exclusion {
	ACS_IOMMU_MANAGED = 0,     /**< the IOMMU manages it: it gets a group */
	ACS_IOMMU_SELF = 1,        /**< the AMD IOMMU's own function (class 0806) */
	ACS_IOMMU_IVRS_ROOT = 2,   /**< an AMD root complex the IVRS leaves out */
	ACS_IOMMU_VMD_CHILD = 3,   /**< below an Intel VMD endpoint, before Linux 5.6 */
};

/**
 * Whether the policy's kernel leaves fn out of the IOMMU (its driver's
 * probe refuses it): such a function has no IOMMU group, takes no group
 * number, and is no member of another's group. The driver is told from
 * the fabric (an AMD IOMMU function: AMD-Vi; none: Intel VT-d, which
 * manages every function of its segments).
 * @param why receives one sentence naming the kernel code (static), or
 *        NULL when managed; may be NULL.
 * @return an enum acs_iommu_exclusion, ACS_IOMMU_MANAGED (0) when managed.
 */
int acs_policy_iommu_excludes(const acs_policy *policy, const acs_fabric *fabric,
			      const struct acs_func *fn, const char **why);

#ifdef __cplusplus
}
#endif
#endif
