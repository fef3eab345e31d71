/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A kernel version's behaviour as data. Quirks and boot parameters are
 * filters over one table each, by the versions an entry holds for. */
#ifndef ACSCTL_POLICY_INTERNAL_H
#define ACSCTL_POLICY_INTERNAL_H

#include "internal.h"

#define ACS_KV(major, minor) ((unsigned)(major) << 8 | (unsigned)(minor))

/* "since" of an entry older than every kernel acsctl models. */
#define ACS_KV_OLDEST 0u

/* pcie_acs_override= (out of tree): what it makes the kernel believe. */
struct acs_override {
	bool downstream;       /* every root and downstream port */
	bool multifunction;    /* every multifunction endpoint */
	size_t nids;
	struct { uint16_t vendor, device; } ids[16];
};

struct acs_policy {
	const char *name;      /* "6.12" */
	unsigned version;      /* ACS_KV() */
	const struct acs_override *override;  /* NULL: none */
};

/* A policy that also believes an override; free with free(). */
acs_policy *acs_policy__with_override(const acs_policy *base,
				      const struct acs_override *o);

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
/* The same, and the name of the kernel function that answered. */
int acs_quirk_which(const acs_policy *policy, const struct acs_func *fn,
		    uint16_t flags, const char **name);

#endif
