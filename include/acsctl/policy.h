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
 * The policy of a kernel version: "6.12", "6.1", "linux-6.1", or a release
 * string such as "6.1.0-22-amd64" (its major.minor is used).
 * @return a static policy, or NULL with acs_error_last() listing the known
 *         versions.
 */
const acs_policy *acs_policy_find(const char *version);

/**
 * The policy of the newest modelled series not after `version` (the oldest
 * one for older kernels); *exact tells whether it is that series.
 * @return NULL only when `version` is not a version at all.
 */
const acs_policy *acs_policy_nearest(const char *version, bool *exact);

/** The newest policy acsctl knows. */
const acs_policy *acs_policy_default(void);

/** Version name ("6.12"). */
const char *acs_policy_name(const acs_policy *policy);

/** Number of known policies; acs_policy_at(i) returns each, oldest first. */
size_t acs_policy_count(void);
const acs_policy *acs_policy_at(size_t i);

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

#ifdef __cplusplus
}
#endif
#endif
