/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a kernel's P2PDMA allows through the host bridge
 * (drivers/pci/p2pdma.c: pci_p2pdma_whitelist[]): host bridges known to
 * route peer-to-peer traffic between root ports.
 */
#include "policy/policy-internal.h"
#include "acsctl/p2p.h"

struct p2pdma_entry {
	uint16_t vendor, device;
	bool same_host_bridge;    /* REQ_SAME_HOST_BRIDGE */
	unsigned since;           /* ACS_KV_OLDEST: in 6.1 and 6.12 alike */
};

static const struct p2pdma_entry allowed[] = {
	/* Intel Xeon E5 / Core i7 */
	{ 0x8086, 0x3c00, true, ACS_KV_OLDEST },
	{ 0x8086, 0x3c01, true, ACS_KV_OLDEST },
	/* Intel Xeon E7 v3 / E5 v3 / Core i7 */
	{ 0x8086, 0x2f00, true, ACS_KV_OLDEST },
	{ 0x8086, 0x2f01, true, ACS_KV_OLDEST },
	/* Intel Skylake-E */
	{ 0x8086, 0x2030, false, ACS_KV_OLDEST },
	{ 0x8086, 0x2031, false, ACS_KV_OLDEST },
	{ 0x8086, 0x2032, false, ACS_KV_OLDEST },
	{ 0x8086, 0x2033, false, ACS_KV_OLDEST },
	{ 0x8086, 0x2020, false, ACS_KV_OLDEST },
	{ 0x8086, 0x09a2, false, ACS_KV_OLDEST },
};

bool acs_policy__p2pdma_host_allowed(const acs_policy *p, uint16_t vendor,
				     uint16_t device, bool same_host_bridge)
{
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i].vendor != vendor || allowed[i].device != device ||
		    p->version < allowed[i].since)
			continue;
		return same_host_bridge || !allowed[i].same_host_bridge;
	}
	return false;
}

/* Debian builds its 6.1 and 6.12 kernels without CONFIG_PCI_P2PDMA (their
 * config files say "# CONFIG_PCI_P2PDMA is not set"). */
bool acs_policy_p2pdma_built(const acs_policy *p)
{
	(void)p;
	return false;
}
