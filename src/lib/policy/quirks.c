/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-specific ACS answers (drivers/pci/quirks.c, pci_dev_acs_enabled[]).
 * One table; each entry carries the kernel versions it holds for.
 */
#include "policy/policy-internal.h"

/* pci_acs_ctrl_enabled(): the requested bits all lie within what the
 * device enforces without saying so. */
static int ctrl_enabled(uint16_t req, uint16_t enforced)
{
	return (req & enforced) == req;
}

/* pci_quirk_mf_endpoint_acs(): multifunction endpoints whose functions
 * cannot reach each other, though they lack an ACS capability. */
static int mf_endpoint_acs(const struct acs_func *fn, uint16_t flags)
{
	(void)fn;
	return ctrl_enabled(flags, ACS_SV | ACS_TB | ACS_RR | ACS_CR | ACS_UF |
				   ACS_DT);
}

/* pci_quirk_rciep_acs(): Intel root complex integrated endpoints may only
 * do P2P on translated addresses (VT-d 3.1, 3.16), so they count as
 * isolated. Other types: no answer, the table goes on. */
static int intel_rciep_acs(const struct acs_func *fn, uint16_t flags)
{
	if (fn->pcie_type != ACS_PCIE_RC_END)
		return -1;
	return ctrl_enabled(flags, ACS_SV | ACS_RR | ACS_CR | ACS_UF);
}

#define MF_EP(vendor, device) \
	{ vendor, device, ACS_KV_OLDEST, 0, "pci_quirk_mf_endpoint_acs", mf_endpoint_acs }

static const struct acs_acs_quirk acs_quirks[] = {
	/* Intel 82576/82580/I350 and friends: multifunction NICs. */
	MF_EP(0x8086, 0x10c9), MF_EP(0x8086, 0x10e6), MF_EP(0x8086, 0x10e7),
	MF_EP(0x8086, 0x10e8), MF_EP(0x8086, 0x150a), MF_EP(0x8086, 0x150d),
	MF_EP(0x8086, 0x1518), MF_EP(0x8086, 0x1526), MF_EP(0x8086, 0x1509),
	MF_EP(0x8086, 0x150e), MF_EP(0x8086, 0x150f), MF_EP(0x8086, 0x1510),
	MF_EP(0x8086, 0x1511), MF_EP(0x8086, 0x1516), MF_EP(0x8086, 0x1527),
	MF_EP(0x8086, 0x1521), MF_EP(0x8086, 0x1522), MF_EP(0x8086, 0x1523),
	MF_EP(0x8086, 0x1524),
	{ 0x8086, 0xffff, ACS_KV_OLDEST, 0, "pci_quirk_rciep_acs", intel_rciep_acs },
};

/*
 * pcie_acs_overrides() of the out-of-tree override patch, last in the
 * table: never for conventional functions or ones with an ACS capability.
 */
static int acs_override(const struct acs_override *o, const struct acs_func *fn)
{
	if (fn->pcie_type == ACS_PCIE_NONE || fn->acs_pos)
		return -1;
	for (size_t i = 0; i < o->nids; i++)
		if (o->ids[i].vendor == fn->vendor_id && o->ids[i].device == fn->device_id)
			return 1;
	switch (fn->pcie_type) {
	case ACS_PCIE_DOWNSTREAM:
	case ACS_PCIE_ROOT_PORT:
		return o->downstream ? 1 : -1;
	case ACS_PCIE_ENDPOINT:
	case ACS_PCIE_UPSTREAM:
	case ACS_PCIE_LEG_END:
	case ACS_PCIE_RC_END:
		return o->multifunction && fn->multifunction ? 1 : -1;
	default:
		return -1;
	}
}

int acs_quirk_acs_enabled(const acs_policy *policy, const struct acs_func *fn,
			  uint16_t flags)
{
	return acs_quirk_which(policy, fn, flags, NULL);
}

int acs_quirk_which(const acs_policy *policy, const struct acs_func *fn,
		    uint16_t flags, const char **name)
{
	for (size_t i = 0; i < sizeof(acs_quirks) / sizeof(acs_quirks[0]); i++) {
		const struct acs_acs_quirk *q = &acs_quirks[i];

		if (q->vendor != fn->vendor_id ||
		    (q->device != 0xffff && q->device != fn->device_id))
			continue;
		if (policy->version < q->since ||
		    (q->until && policy->version >= q->until))
			continue;
		/* As pci_dev_specific_acs_enabled(): a negative answer means
		 * "not mine", and the next matching entry is asked. */
		int ret = q->acs_enabled(fn, flags);

		if (ret >= 0) {
			if (name)
				*name = q->name;
			return ret;
		}
	}
	if (name)
		*name = "pcie_acs_override (out of tree)";
	return policy->override ? acs_override(policy->override, fn) : -1;
}
