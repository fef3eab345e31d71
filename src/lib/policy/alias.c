/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DMA requester-ID aliases: pci_for_each_dma_alias() (drivers/pci/search.c)
 * and pci_devs_are_dma_aliases() (drivers/pci/pci.c), with the quirks of
 * drivers/pci/quirks.c that feed them: pci_add_dma_alias() callers (a
 * function's dma_alias_mask) and the bridge flags
 * PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS, PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT and
 * PCI_DEV_FLAGS_PCI_BRIDGE_NO_ALIAS.
 *
 * Every quirk here is in 5.10.262, 6.1.192, 6.12.117, 7.2.13 and a late
 * 5.4.y alike, but for the AST1150's NO_ALIAS flag, which came in 7.0.
 * pci_real_dma_dev() (arch/x86/pci/common.c) is the identity but in a
 * domain the Intel VMD driver created, where it is the VMD endpoint: the
 * VMD forwards its children's DMA with its own requester ID, and from 5.6
 * pci_for_each_dma_alias() starts there ("PCI: Introduce
 * pci_real_dma_dev()", Jon Derrick, pci-v5.6-changes), so every child
 * takes the endpoint's group. Before 5.6 the Intel IOMMU refused VMD
 * children (device_to_iommu(): "VMD child devices currently cannot be
 * handled individually", removed by "iommu/vt-d: Remove VMD child device
 * sanity check" in the same pull): policy/iommu.c.
 */
#include <stdlib.h>

#include "policy/policy-internal.h"

#define V(a, b) ACS_KV(a, b)
#define DEVFN(slot, fn) ((unsigned)(slot) << 3 | (unsigned)(fn))

struct alias_mask {
	uint64_t w[4];          /* one bit per devfn of the function's bus */
};

static void mask_set(struct alias_mask *m, unsigned devfn, unsigned n)
{
	/* pci_add_dma_alias() clips the range to the bus */
	for (unsigned d = devfn; d < devfn + n && d < 256; d++)
		m->w[d / 64] |= 1ull << (d % 64);
}

static bool mask_test(const struct alias_mask *m, unsigned devfn)
{
	return m->w[devfn / 64] >> (devfn % 64) & 1;
}

static bool id_in(const struct acs_func *fn, uint16_t vendor,
		  const uint16_t *ids, size_t n)
{
	if (fn->vendor_id != vendor)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ids[i] == fn->device_id)
			return true;
	return false;
}

#define ID_IN(fn, vendor, ...) \
	id_in(fn, vendor, (const uint16_t[]){ __VA_ARGS__ }, \
	      sizeof((const uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t))

/* quirk_dma_func0_alias(): Ricoh card readers, Glenfly Arise GPUs */
static bool func0_alias(const struct acs_func *fn)
{
	return ID_IN(fn, 0x1180, 0xe832, 0xe476) ||
	       ID_IN(fn, 0x6766, 0x3d40, 0x3d41);
}

/* quirk_dma_func1_alias(): Marvell SATA (bugzilla 42679), HighPoint (TTI)
 * RocketRAID, JMicron JMB388 eSD, Lite-On (Plextor M6E) */
static bool func1_alias(const struct acs_func *fn)
{
	return ID_IN(fn, 0x1b4b, 0x9120, 0x9123, 0x9125, 0x9128, 0x9130, 0x9170,
		     0x9172, 0x917a, 0x9182, 0x9183, 0x91a0, 0x9215, 0x9220,
		     0x9230, 0x9235) ||
	       ID_IN(fn, 0x1103, 0x0642, 0x0645) ||
	       ID_IN(fn, 0x197b, 0x2392) ||
	       ID_IN(fn, 0x1c28, 0x0122);
}

/*
 * The devfns a function also issues DMA as (its dma_alias_mask), from the
 * header fixups that call pci_add_dma_alias(). Sets *uncertain for the
 * Switchtec NTB, whose aliases come from its MMIO registers.
 */
static bool alias_mask(const struct acs_func *fn, struct alias_mask *m,
		       bool *uncertain)
{
	*m = (struct alias_mask){ { 0 } };
	/* by vendor first: the grouping asks this of every pair of
	 * functions on a bus */
	switch (fn->vendor_id) {
	case 0x1180: case 0x6766:
		if (func0_alias(fn) && fn->fn != 0)
			mask_set(m, DEVFN(fn->dev, 0), 1);
		break;
	case 0x1b4b: case 0x1103: case 0x197b: case 0x1c28:
		if (func1_alias(fn) && fn->fn != 1)
			mask_set(m, DEVFN(fn->dev, 1), 1);
		break;
	case 0x9005:
		/* quirk_fixed_dma_alias(): Adaptec 3405 and 3805, whose DMA
		 * engine is a hidden device at 01.0 */
		if (fn->device_id == 0x0285 && fn->subsys_vendor == 0x9005 &&
		    (fn->subsys_device == 0x02bb || fn->subsys_device == 0x02bc))
			mask_set(m, DEVFN(1, 0), 1);
		break;
	case 0x8086:
		/* quirk_mic_x200_dma_alias(): the NTB's RID look-up table */
		if (fn->device_id == 0x2260 || fn->device_id == 0x2264) {
			mask_set(m, DEVFN(0x10, 0), 1);
			mask_set(m, DEVFN(0x11, 0), 1);
			mask_set(m, DEVFN(0x12, 3), 1);
		}
		/* quirk_pex_vca_alias(): functions 0-4 of every slot */
		if (ID_IN(fn, 0x8086, 0x2954, 0x2955, 0x2956, 0x2958, 0x2959, 0x295a))
			for (unsigned slot = 0; slot < 0x20; slot++)
				mask_set(m, DEVFN(slot, 0), 5);
		break;
	case 0x10b5:
		/* quirk_plx_ntb_dma_alias(): every devfn */
		if (fn->device_id == 0x87b0 || fn->device_id == 0x87b1)
			mask_set(m, 0, 256);
		break;
	case 0x11f8:
		/* quirk_switchtec_ntb_dma_alias(): Microsemi NTB functions
		 * (class 0680) alias the proxy IDs their partitions' tables
		 * hold, read from MMIO */
		if (fn->class_code >> 8 == 0x0680 && uncertain)
			*uncertain = true;
		break;
	default:
		return false;
	}
	return m->w[0] | m->w[1] | m->w[2] | m->w[3];
}

/* quirk_bridge_cavm_thrx2_pcie_root(): Broadcom Vulcan / Cavium
 * ThunderX2, where the IOMMU sits at a bridge below the root bus */
static bool xlate_root(const struct acs_func *br)
{
	return ID_IN(br, 0x14e4, 0x9000, 0x9084);
}

/*
 * quirk_use_pcie_bridge_dma_alias(): PCIe-to-PCI bridges that lack a PCIe
 * capability (ASM1083/1085, Tundra 8113, ITE 8892/8893, Intel 82801): a
 * conventional bridge header off the root bus whose parent is PCIe and not
 * a PCIe-to-PCI bridge. They alias like a PCIe-to-PCI bridge: secondary
 * bus, devfn 0.
 */
static bool pcie_bridge_alias(const acs_fabric *fabric, const struct acs_func *br,
			      bool *uncertain)
{
	const struct acs_func *up;

	if (!(ID_IN(br, 0x1b21, 0x1080) || ID_IN(br, 0x10e3, 0x8113) ||
	      ID_IN(br, 0x1283, 0x8892, 0x8893) || ID_IN(br, 0x8086, 0x244e)))
		return false;
	up = acs_fabric_parent(fabric, br);
	if (!up || br->header_type != 1 || br->pcie_type != ACS_PCIE_NONE)
		return false;
	if (!(up->known & ACS_KNOWN_CAPS))
		*uncertain = true;
	return up->pcie_type != ACS_PCIE_NONE && up->pcie_type != ACS_PCIE_PCI_BRIDGE;
}

/* quirk_aspeed_pci_bridge_no_alias() (7.0): the AST1150 forwards the
 * requester IDs of the BMC's VGA and USB functions unchanged */
static bool pci_bridge_no_alias(const acs_policy *policy, const struct acs_func *br)
{
	return ID_IN(br, 0x1a03, 0x1150) && acs_policy__has(policy, V(7, 0), 0, 0);
}

static void visit(struct acs_dma_alias *out, size_t max, size_t *n,
		  uint32_t func, unsigned bus, unsigned devfn)
{
	if (*n < max)
		out[*n] = (struct acs_dma_alias){ func, (uint16_t)(bus << 8 | devfn) };
	(*n)++;
}

size_t acs_policy__dma_alias_visits(const acs_policy *policy,
				    const acs_fabric *fabric, size_t index,
				    struct acs_dma_alias *out, size_t max,
				    bool *uncertain)
{
	const struct acs_func *fn = acs_fabric_func(fabric, index);
	const struct acs_func *br;
	struct alias_mask m;
	bool scratch = false;
	size_t n = 0;

	if (!uncertain)
		uncertain = &scratch;
	/* pci_real_dma_dev(): the walk starts at the VMD endpoint */
	if (acs_policy__has(policy, V(5, 6), 0, 0) && acs_fabric__vmd_owner(fabric, fn) >= 0) {
		index = (size_t)acs_fabric__vmd_owner(fabric, fn);
		fn = acs_fabric_func(fabric, index);
	}
	visit(out, max, &n, (uint32_t)index, fn->bus, DEVFN(fn->dev, fn->fn));
	/* The kernel hands the device itself to the callback for each
	 * aliased devfn of its bus. */
	if (alias_mask(fn, &m, uncertain))
		for (unsigned d = 0; d < 256; d++)
			if (mask_test(&m, d))
				visit(out, max, &n, (uint32_t)index, fn->bus, d);
	for (br = acs_fabric_parent(fabric, fn); br;
	     br = acs_fabric_parent(fabric, br)) {
		uint32_t bi = (uint32_t)acs_fabric_index(fabric, br);

		/* stop at the bridge the translation unit is attached to */
		if (xlate_root(br))
			break;
		if (!(br->known & ACS_KNOWN_CAPS))
			*uncertain = true;
		switch (br->pcie_type) {
		case ACS_PCIE_NONE:
			/* A conventional bridge takes ownership of the
			 * transactions and uses its own ID, unless it is a
			 * PCIe-to-PCI bridge in disguise. */
			if (pcie_bridge_alias(fabric, br, uncertain))
				visit(out, max, &n, bi, br->secondary, 0);
			else
				visit(out, max, &n, bi, br->bus, DEVFN(br->dev, br->fn));
			break;
		case ACS_PCIE_PCI_BRIDGE:
			/* PCIe-to-PCI/X: secondary bus, devfn 0 (PCIe to
			 * PCI/PCI-X Bridge spec 1.0, 2.3) */
			if (!pci_bridge_no_alias(policy, br))
				visit(out, max, &n, bi, br->secondary, 0);
			break;
		case ACS_PCIE_PCIE_BRIDGE:
			visit(out, max, &n, bi, br->bus, DEVFN(br->dev, br->fn));
			break;
		default:
			/* ports forward the requester ID unchanged; other
			 * types fall out of the kernel's switch alike */
			break;
		}
	}
	return n;
}

size_t acs_policy_dma_aliases(const acs_policy *policy,
			      const acs_fabric *fabric, size_t index,
			      uint32_t *out, size_t max, bool *uncertain)
{
	struct acs_dma_alias buf[64], *all = buf;
	size_t n, i;

	n = acs_policy__dma_alias_visits(policy, fabric, index, buf, 64,
					 uncertain);
	if (n > 64) {
		/* A long alias mask (an NTB's 256 devfns): all of it. */
		all = malloc(n * sizeof(*all));
		if (!all) {
			/* The grouping reads the first visit and the last:
			 * keep the function, and say the rest is unknown. */
			if (max)
				out[0] = (uint32_t)index;
			if (uncertain)
				*uncertain = true;
			return 1;
		}
		acs_policy__dma_alias_visits(policy, fabric, index, all, n, NULL);
	}
	for (i = 0; i < n && i < max; i++)
		out[i] = all[i].func;
	if (all != buf)
		free(all);
	return n;
}

bool acs_policy_devs_alias(const acs_policy *policy, const acs_fabric *fabric,
			   size_t a, size_t b)
{
	const struct acs_func *fa = acs_fabric_func(fabric, a);
	const struct acs_func *fb = acs_fabric_func(fabric, b);
	struct alias_mask m;

	(void)policy;
	/* pci_devs_are_dma_aliases(): either function's mask holds the
	 * other's devfn (pci_real_dma_dev() is the identity here) */
	if (alias_mask(fa, &m, NULL) && mask_test(&m, DEVFN(fb->dev, fb->fn)))
		return true;
	return alias_mask(fb, &m, NULL) && mask_test(&m, DEVFN(fa->dev, fa->fn));
}
