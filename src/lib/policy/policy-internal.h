/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A kernel version's behaviour as data. Quirks and boot parameters are
 * filters over one table each, by the versions an entry holds for. */
#ifndef ACSCTL_POLICY_INTERNAL_H
#define ACSCTL_POLICY_INTERNAL_H

#include "internal.h"

#define ACS_KV(major, minor) ((unsigned)(major) << 8 | (unsigned)(minor))

/* "since" of an entry older than every kernel acsctl models. */
#define ACS_KV_OLDEST 0u

struct acs_policy {
	const char *name;      /* "6.12" */
	unsigned version;      /* ACS_KV() */
};

/*
 * pci_dev_specific_acs_enabled(): a device-specific answer, or -1 when no
 * quirk of this kernel version matches the function.
 */
struct acs_acs_quirk {
	uint16_t vendor, device;   /* device 0xffff: any */
	unsigned since, until;     /* ACS_KV(); until 0: still present */
	const char *name;          /* the kernel function it mirrors */
	int (*acs_enabled)(const struct acs_func *fn, uint16_t flags);
};

int acs_quirk_acs_enabled(const acs_policy *policy, const struct acs_func *fn,
			  uint16_t flags);

#endif
