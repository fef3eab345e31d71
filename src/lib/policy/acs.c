/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When the kernel believes a function is isolated: pci_acs_enabled() and
 * pci_acs_path_enabled() of drivers/pci/pci.c. Identical in 6.1 and 6.12;
 * what differs between versions goes through the policy (quirks).
 */
#include "policy/policy-internal.h"

/* pci_acs_flags_enabled(): bits the capability lacks are taken as
 * hard-wired on, except egress control, which must be controllable. */
static int flags_enabled(const acs_policy *policy, const struct acs_func *fn,
			 uint16_t flags)
{
	if (!(fn->known & ACS_KNOWN_EXT))
		return ACS_MAYBE;
	if (!fn->acs_pos)
		return ACS_NO;
	flags &= (uint16_t)(acs_quirk_acs_cap(policy, fn) | ACS_EC);
	return (fn->acs_ctrl & flags) == flags ? ACS_YES : ACS_NO;
}

int acs_policy_acs_enabled(const acs_policy *policy, const acs_fabric *fabric,
			   const struct acs_func *fn, uint16_t flags)
{
	int q;

	/* the fabric lets the AMD southbridge quirk tell a root bus */
	q = acs_quirk_answer(policy, fabric, fn, flags, NULL);
	if (q >= 0)
		return q ? ACS_YES : ACS_NO;
	if (!(fn->known & ACS_KNOWN_CAPS))
		return ACS_MAYBE;
	/* Conventional PCI shares its bus: nothing on it is isolated. */
	if (fn->pcie_type == ACS_PCIE_NONE)
		return ACS_NO;
	switch (fn->pcie_type) {
	/* Bridges to or from conventional PCI, and event collectors, never
	 * count (PCIe 3.0 6.12.1: ACS is not applicable to them). */
	case ACS_PCIE_PCIE_BRIDGE:
	case ACS_PCIE_PCI_BRIDGE:
	case ACS_PCIE_RC_EC:
		return ACS_NO;
	/* Ports must show ACS whether single- or multi-function. */
	case ACS_PCIE_DOWNSTREAM:
	case ACS_PCIE_ROOT_PORT:
		return flags_enabled(policy, fn, flags);
	/* Other functions need ACS only as part of a multifunction device. */
	case ACS_PCIE_ENDPOINT:
	case ACS_PCIE_UPSTREAM:
	case ACS_PCIE_LEG_END:
	case ACS_PCIE_RC_END:
		if (fn->multifunction)
			return flags_enabled(policy, fn, flags);
		return ACS_YES;
	default:
		/* Unknown types count as single-function devices. */
		return ACS_YES;
	}
}

int acs_policy_quirk(const acs_policy *policy, const struct acs_func *fn,
		     uint16_t flags, const char **name)
{
	const char *n = NULL;
	int q = acs_quirk_which(policy, fn, flags, &n);

	if (q < 0)
		return -1;
	*name = n;
	return q ? ACS_YES : ACS_NO;
}

int acs_policy_path_enabled(const acs_policy *policy, const acs_fabric *fabric,
			    const struct acs_func *fn, uint16_t flags)
{
	int result = ACS_YES;

	for (; fn; fn = acs_fabric_parent(fabric, fn)) {
		int r = acs_policy_acs_enabled(policy, fabric, fn, flags);

		if (r == ACS_NO)
			return ACS_NO;
		if (r == ACS_MAYBE)
			result = ACS_MAYBE;
	}
	return result;
}
