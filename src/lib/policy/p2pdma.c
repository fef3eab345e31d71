/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a kernel's P2PDMA allows through the host bridge
 * (drivers/pci/p2pdma.c: pci_p2pdma_whitelist[]): host bridges known to
 * route peer-to-peer traffic between root ports. The kernel matches the
 * first device of the root bus (pci_host_bridge_dev()).
 *
 * Each entry carries the mainline release it entered, the stable series
 * that took it (acs_policy__has()) and the commit that added it. Checked
 * against the PCI tree's pushes and the stable queues up to 7.3-rc7:
 * - entries before 5.4 hold for every modelled version;
 * - 5.18: feaea1fe8b36 "PCI/P2PDMA: Add Intel 3rd Gen Intel Xeon Scalable
 *   Processors to whitelist" (0x09a2, pci-v5.18-changes; no stable tag, so
 *   not in 5.4.y, 5.10.y or 5.15.y);
 * - 7.1: 1a1f96e3e2a8 "PCI/P2PDMA: Allow wildcard Device IDs in host
 *   bridge list" (the table's device becomes an int, PCI_ANY_ID matches
 *   any device of the vendor) and 70cf146a674c "PCI/P2PDMA: Add Google
 *   SoCs to the P2P DMA host bridge list"; not backported;
 * - 7.2: 0ba76b19fd4c "PCI/P2PDMA: Add Intel QAT, DSA, IAA devices to
 *   whitelist" (Cc: stable; taken by 7.1.3, cbad530277b5 in linux-7.1.y):
 *   Xeons since Sapphire Rapids put an accelerator first on a root bus of
 *   its own, so a peer below it found no entry.
 * Queued in the PCI tree for 7.4 and not in mainline 7.3-rc7, so not
 * modelled: 6a0b9a75b986 "Add Alibaba T-HEAD Yitian 710 to allowlist",
 * f7c220404700 "Add Zhaoxin host bridges to allowlist".
 */
#include "policy/policy-internal.h"
#include "acsctl/p2p.h"

#define V(a, b) ACS_KV(a, b)
#define ANY_DEVICE (-1)            /* PCI_ANY_ID, from 7.1 */

struct p2pdma_entry {
	uint16_t vendor;
	int32_t device;           /* ANY_DEVICE: every device of the vendor */
	bool same_host_bridge;    /* REQ_SAME_HOST_BRIDGE */
	unsigned since;           /* mainline release; ACS_KV_OLDEST: before 5.4 */
	unsigned stable_from;     /* see acs_policy__has(); 0: not backported */
	const char *commit;       /* the commit that added it, "" before 5.4 */
};

#define OLD(dev, same) { 0x8086, dev, same, ACS_KV_OLDEST, 0, "" }
/* 0ba76b19fd4c: the IDs it moved to <linux/pci_ids.h> and two it found there */
#define XEON_ACCEL(dev) { 0x8086, dev, false, V(7, 2), V(7, 1), \
	"0ba76b19fd4c PCI/P2PDMA: Add Intel QAT, DSA, IAA devices to whitelist" }

static const struct p2pdma_entry allowed[] = {
	/* Intel Xeon E5 / Core i7 */
	OLD(0x3c00, true), OLD(0x3c01, true),
	/* Intel Xeon E7 v3 / E5 v3 / Core i7 */
	OLD(0x2f00, true), OLD(0x2f01, true),
	/* Intel Skylake-E */
	OLD(0x2030, false), OLD(0x2031, false), OLD(0x2032, false),
	OLD(0x2033, false), OLD(0x2020, false),
	/* Intel Xeon since Ice Lake: the first device of its root buses (5.18) */
	{ 0x8086, 0x09a2, false, V(5, 18), 0,
	  "feaea1fe8b36 PCI/P2PDMA: Add Intel 3rd Gen Intel Xeon Scalable Processors to whitelist" },
	/* Intel Xeon accelerators first on a root bus (7.2) */
	XEON_ACCEL(0x0b25),   /* DSA, Sapphire Rapids (PCI_DEVICE_ID_INTEL_DSA_SPR0) */
	XEON_ACCEL(0x0cfe),   /* IAA, Sapphire Rapids (PCI_DEVICE_ID_INTEL_IAX_SPR0) */
	XEON_ACCEL(0x11fb),   /* DSA, Granite Rapids-D */
	XEON_ACCEL(0x1212),   /* DSA, Diamond Rapids */
	XEON_ACCEL(0x1216),   /* IAA, Diamond Rapids */
	XEON_ACCEL(0x4940),   /* QAT 4xxx */
	XEON_ACCEL(0x4942),   /* QAT 401xx */
	XEON_ACCEL(0x4944),   /* QAT 402xx */
	XEON_ACCEL(0x4946),   /* QAT 420xx */
	XEON_ACCEL(0x4948),   /* QAT 6xxx */
	/* Google SoCs: every device of the vendor (7.1) */
	{ 0x1ae0, ANY_DEVICE, false, V(7, 1), 0,
	  "70cf146a674c PCI/P2PDMA: Add Google SoCs to the P2P DMA host bridge list "
	  "(PCI_ANY_ID from 1a1f96e3e2a8 PCI/P2PDMA: Allow wildcard Device IDs in host bridge list)" },
};

/* The entry __host_bridge_whitelist() stops at (the first that matches
 * vendor and device), or NULL. */
static const struct p2pdma_entry *find(const acs_policy *p, uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		const struct p2pdma_entry *e = &allowed[i];

		if (e->vendor != vendor || (e->device != ANY_DEVICE && e->device != device) ||
		    !acs_policy__has(p, e->since, 0, e->stable_from))
			continue;
		return e;
	}
	return NULL;
}

bool acs_policy__p2pdma_host_allowed(const acs_policy *p, uint16_t vendor,
				     uint16_t device, bool same_host_bridge)
{
	const struct p2pdma_entry *e = find(p, vendor, device);

	return e && (same_host_bridge || !e->same_host_bridge);
}

const char *acs_policy__p2pdma_host_commit(const acs_policy *p, uint16_t vendor,
					   uint16_t device)
{
	const struct p2pdma_entry *e = find(p, vendor, device);

	return e ? e->commit : NULL;
}

/* Debian builds its 6.1 and 6.12 kernels without CONFIG_PCI_P2PDMA (their
 * config files say "# CONFIG_PCI_P2PDMA is not set"). */
bool acs_policy_p2pdma_built(const acs_policy *p)
{
	(void)p;
	return false;
}
