/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A kernel version's behaviour as data. Quirks and boot parameters are
 * filters over one table each, by the versions an entry holds for. */
#ifndef ACSCTL_POLICY_INTERNAL_H
#define ACSCTL_POLICY_INTERNAL_H

#include "internal.h"

#define ACS_KV(major, minor) ((unsigned)(major) << 8 | (unsigned)(minor))

/* "since" of an entry older than every kernel acsctl models. */
#define ACS_KV_OLDEST 0u

/*
 * "stable_from" of an entry that the stable team backported to every
 * long-term series acsctl models (seen in the newest stable releases:
 * Debian's 5.10.262, 6.1.192, 6.12.117 carry every such entry).
 */
#define ACS_KV_ALL_STABLE ACS_KV(5, 4)

/* pcie_acs_override= (out of tree): what it makes the kernel believe. */
struct acs_override {
	bool downstream;       /* every root and downstream port */
	bool multifunction;    /* every multifunction endpoint */
	size_t nids;
	struct { uint16_t vendor, device; } ids[16];
};

/*
 * A kernel version (policy.c says what each form means). A rule is in it
 * when its mainline release is, or when stable backported the rule to the
 * version's series before the series ended and the version takes stable
 * backports (a series, a point release; not a .0 or an -rc).
 */
struct acs_policy {
	char name[24];         /* "6.12", "6.10.14", "6.10.0", "7.3-rc4" */
	unsigned version;      /* ACS_KV(major, minor) */
	bool backports;        /* has its series' stable backports */
	/* Backports the series took: entries first in mainline up to this
	 * ACS_KV(); 0 while the series is maintained. */
	unsigned stable_until;
	char note[96];         /* what was assumed of the build, or "" */
	char warning[200];     /* outside the modelled range, or "" */
	const struct acs_override *override;  /* NULL: none */
	const struct acs_policy *hardware;    /* with an override: the policy without it */
};

/* A policy that also believes an override; free with free(). */
acs_policy *acs_policy__with_override(const acs_policy *base,
				      const struct acs_override *o);

/*
 * Whether a kernel change is in the policy's kernel: first released in
 * mainline `since`, removed in `until` (0: still there), and backported
 * to the stable series from `stable_from` on (0: never backported).
 */
bool acs_policy__has(const acs_policy *policy, unsigned since, unsigned until,
		     unsigned stable_from);

/*
 * pci_dev_specific_acs_enabled(): a device-specific answer, or -1 when no
 * quirk of this kernel version matches the function.
 *
 * acsctl predicts the groups of a kernel whose IOMMU is on, so it assumes
 * what such a kernel has done at boot: ACPI describes the IOMMU (on AMD
 * systems an IVRS table, which pci_quirk_amd_sb_acs() looks for) and the
 * enable hooks of pci_dev_acs_ops[] ran (pci_quirk_enable_intel_pch_acs()
 * set PCI_DEV_FLAGS_ACS_ENABLED_QUIRK). Registers a quirk reads (the Intel
 * SPT ACS control dword) come from the function's config bytes as they
 * are.
 */
struct acs_acs_quirk {
	uint16_t vendor, device;   /* device 0xffff: any */
	unsigned since, until;     /* ACS_KV(); until 0: still present */
	unsigned stable_from;      /* see acs_policy__has() */
	const char *name;          /* the kernel function it mirrors */
	/* 1: provides every flag asked for, 0: does not, -1: not mine */
	int (*acs_enabled)(const acs_policy *policy, const acs_fabric *fabric,
			   const struct acs_func *fn, uint16_t flags);
};

int acs_quirk_acs_enabled(const acs_policy *policy, const struct acs_func *fn,
			  uint16_t flags);
/* The same, and the name of the kernel function that answered. */
int acs_quirk_which(const acs_policy *policy, const struct acs_func *fn,
		    uint16_t flags, const char **name);
/*
 * The same with the fabric, which pci_quirk_amd_sb_acs() needs to tell a
 * root bus. Without one (fabric NULL), bus 0 of a domain counts as its
 * root bus. name may be NULL.
 */
int acs_quirk_answer(const acs_policy *policy, const acs_fabric *fabric,
		     const struct acs_func *fn, uint16_t flags, const char **name);
/* Test hooks: the same answer from a scan of every entry in table order,
 * and the table itself. */
int acs_quirk__answer_linear(const acs_policy *policy, const acs_fabric *fabric,
			     const struct acs_func *fn, uint16_t flags, const char **name);
size_t acs_quirk__table(const struct acs_acs_quirk **table);

/*
 * dev->acs_capabilities: the ACS Capability register as the kernel uses
 * it in pci_acs_flags_enabled() and pci_std_enable_acs(). From 7.0 on
 * pci_disable_broken_acs_cap() clears Source Validation of IDT switches
 * 0x80b5 and 0x8090, so SV counts as hard-wired there. Otherwise the
 * register as read.
 */
uint16_t acs_quirk_acs_cap(const acs_policy *policy, const struct acs_func *fn);

/*
 * pci_quirk_intel_spt_pch_acs_match(): Intel Sunrise Point / Union Point
 * root ports whose ACS capability and control registers are dwords, the
 * control at capability + 8 (not + 6).
 */
bool acs_quirk_intel_spt(const struct acs_func *fn);

/* One visit of pci_for_each_dma_alias(): the pci_dev the callback gets and
 * the requester ID it gets with it (bus << 8 | devfn). */
struct acs_dma_alias {
	uint32_t func;         /* function index */
	uint16_t rid;
};

/*
 * acs_policy_dma_aliases() with the requester IDs: every visit in order,
 * at most max written. The dma_alias_mask visits name the function itself
 * (the kernel passes pdev) with the aliased devfn.
 * @return the number of visits (may exceed max).
 */
size_t acs_policy__dma_alias_visits(const acs_policy *policy,
				    const acs_fabric *fabric, size_t index,
				    struct acs_dma_alias *out, size_t max,
				    bool *uncertain);

#endif
