/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-specific ACS answers (drivers/pci/quirks.c, pci_dev_acs_enabled[]
 * and the functions it names), in the kernel's table order. One table;
 * each entry carries the kernel versions it holds for.
 *
 * Versions: "since" is the mainline release that first had an entry
 * (ACS_KV_OLDEST: before 5.4, or in every 5.4.y too, as the comment says);
 * "stable_from" says that the stable team backported it. The tables of
 * Debian's 5.10.262, 6.1.192, 6.12.117, 7.2.13 and 7.3-rc7 sources are
 * identical, so every entry up to 7.0 reached the maintained long-term
 * series; a 5.4.y late in its life (CodeLinaro la_kernel_msm-5.4) has all
 * of them but Hamoa/Glymur (7.0) and the longer Zhaoxin port range.
 */
#include <pthread.h>
#include <stdlib.h>

#include "policy/policy-internal.h"

#define V(a, b) ACS_KV(a, b)
#define ALL ACS_KV_ALL_STABLE

#define SV_RR_CR_UF (ACS_SV | ACS_RR | ACS_CR | ACS_UF)

/* pci_acs_ctrl_enabled(): the requested bits all lie within what the
 * device enforces without saying so. */
static int ctrl_enabled(uint16_t req, uint16_t enforced)
{
	return (req & enforced) == req;
}

static bool is_pcie(const struct acs_func *fn)
{
	return fn->pcie_type != ACS_PCIE_NONE;
}

static bool is_root_port(const struct acs_func *fn)
{
	return fn->pcie_type == ACS_PCIE_ROOT_PORT;
}

/* pci_is_root_bus(dev->bus) */
static bool on_root_bus(const acs_fabric *fabric, const struct acs_func *fn)
{
	if (fabric)
		return acs_fabric_parent(fabric, fn) == NULL;
	return fn->bus == 0;
}

/*
 * pci_quirk_amd_sb_acs(): multifunction southbridge devices on the root
 * bus, when ACPI has an IVRS table. The kernel looks the table up; acsctl
 * assumes it is there: these IDs exist only in AMD chipsets, and there an
 * IOMMU that forms groups is AMD-Vi, which IVRS describes. Only RR and CR
 * (and EC, DT, which it lacks) are asked of a multifunction device.
 */
static int amd_sb_acs(const acs_policy *p, const acs_fabric *fabric,
		      const struct acs_func *fn, uint16_t flags)
{
	(void)p;
	if (!fn->multifunction || !on_root_bus(fabric, fn))
		return -1;
	flags &= ACS_RR | ACS_CR | ACS_EC | ACS_DT;
	return ctrl_enabled(flags, ACS_RR | ACS_CR);
}

/* pci_quirk_mf_endpoint_acs(): multifunction endpoints whose functions
 * cannot reach each other, though they lack an ACS capability. */
static int mf_endpoint_acs(const acs_policy *p, const acs_fabric *fabric,
			   const struct acs_func *fn, uint16_t flags)
{
	(void)p;
	(void)fabric;
	(void)fn;
	return ctrl_enabled(flags, ACS_SV | ACS_TB | ACS_RR | ACS_CR | ACS_UF |
				   ACS_DT);
}

/* pci_quirk_rciep_acs(): Intel root complex integrated endpoints may only
 * do P2P on translated addresses (VT-d 3.1, 3.16), so they count as
 * isolated. Other types: no answer, the table goes on. */
static int intel_rciep_acs(const acs_policy *p, const acs_fabric *fabric,
			   const struct acs_func *fn, uint16_t flags)
{
	(void)p;
	(void)fabric;
	if (fn->pcie_type != ACS_PCIE_RC_END)
		return -1;
	return ctrl_enabled(flags, SV_RR_CR_UF);
}

/* Root ports that block peer-to-peer without an ACS capability:
 * pci_quirk_qcom_rp_acs(), pci_quirk_nxp_rp_acs(), pci_quirk_xgene_acs(),
 * pci_quirk_brcm_acs(), pci_quirk_loongson_acs(). The kernel checks no
 * type: every function with the ID answers. */
static int rp_isolated_acs(const acs_policy *p, const acs_fabric *fabric,
			   const struct acs_func *fn, uint16_t flags)
{
	(void)p;
	(void)fabric;
	(void)fn;
	return ctrl_enabled(flags, SV_RR_CR_UF);
}

/* pci_quirk_cavium_acs(): ThunderX1 (0xa000-0xa7ff), ThunderX2 (0xaf84)
 * and ThunderX3 (0xb884) root ports. */
static int cavium_acs(const acs_policy *p, const acs_fabric *fabric,
		      const struct acs_func *fn, uint16_t flags)
{
	uint16_t d = fn->device_id;

	(void)p;
	(void)fabric;
	if (!is_pcie(fn) || !is_root_port(fn))
		return -1;
	if (!((d >= 0xa000 && d <= 0xa7ff) || d == 0xaf84 || d == 0xb884))
		return -1;
	return ctrl_enabled(flags, SV_RR_CR_UF);
}

/*
 * pci_quirk_zhaoxin_pcie_ports_acs(): root and downstream ports. Listed
 * IDs are isolated; any other Zhaoxin port answers 0 ("not isolated"),
 * even one with a real ACS capability. The range 0x0733-0x0752 came in
 * 6.8 ("more Zhaoxin Root Ports", Dec 2023), backported to 5.10 on.
 */
static int zhaoxin_ports_acs(const acs_policy *p, const acs_fabric *fabric,
			     const struct acs_func *fn, uint16_t flags)
{
	uint16_t d = fn->device_id;
	uint16_t last = acs_policy__has(p, V(6, 8), 0, V(5, 10)) ? 0x0752 : 0x0732;

	(void)fabric;
	if (!is_pcie(fn) || (fn->pcie_type != ACS_PCIE_ROOT_PORT &&
			     fn->pcie_type != ACS_PCIE_DOWNSTREAM))
		return -1;
	if ((d >= 0x0710 && d <= 0x071e) || d == 0x0721 ||
	    (d >= 0x0723 && d <= last))
		return ctrl_enabled(flags, SV_RR_CR_UF);
	return 0;
}

/* pci_quirk_intel_pch_acs_ids[]: Intel PCH root ports without an ACS
 * capability (Red Hat bugzilla 1037684). */
static const uint16_t intel_pch_ids[] = {
	/* Ibexpeak */
	0x3b42, 0x3b43, 0x3b44, 0x3b45, 0x3b46, 0x3b47, 0x3b48, 0x3b49,
	0x3b4a, 0x3b4b, 0x3b4c, 0x3b4d, 0x3b4e, 0x3b4f, 0x3b50, 0x3b51,
	/* Cougarpoint */
	0x1c10, 0x1c11, 0x1c12, 0x1c13, 0x1c14, 0x1c15, 0x1c16, 0x1c17,
	0x1c18, 0x1c19, 0x1c1a, 0x1c1b, 0x1c1c, 0x1c1d, 0x1c1e, 0x1c1f,
	/* Pantherpoint */
	0x1e10, 0x1e11, 0x1e12, 0x1e13, 0x1e14, 0x1e15, 0x1e16, 0x1e17,
	0x1e18, 0x1e19, 0x1e1a, 0x1e1b, 0x1e1c, 0x1e1d, 0x1e1e, 0x1e1f,
	/* Lynxpoint-H */
	0x8c10, 0x8c11, 0x8c12, 0x8c13, 0x8c14, 0x8c15, 0x8c16, 0x8c17,
	0x8c18, 0x8c19, 0x8c1a, 0x8c1b, 0x8c1c, 0x8c1d, 0x8c1e, 0x8c1f,
	/* Lynxpoint-LP */
	0x9c10, 0x9c11, 0x9c12, 0x9c13, 0x9c14, 0x9c15, 0x9c16, 0x9c17,
	0x9c18, 0x9c19, 0x9c1a, 0x9c1b,
	/* Wildcat */
	0x9c90, 0x9c91, 0x9c92, 0x9c93, 0x9c94, 0x9c95, 0x9c96, 0x9c97,
	0x9c98, 0x9c99, 0x9c9a, 0x9c9b,
	/* Patsburg (X79) */
	0x1d10, 0x1d12, 0x1d14, 0x1d16, 0x1d18, 0x1d1a, 0x1d1c, 0x1d1e,
	/* Wellsburg (X99, C610) */
	0x8d10, 0x8d11, 0x8d12, 0x8d13, 0x8d14, 0x8d15, 0x8d16, 0x8d17,
	0x8d18, 0x8d19, 0x8d1a, 0x8d1b, 0x8d1c, 0x8d1d, 0x8d1e,
	/* Lynx Point (9 series) */
	0x8c90, 0x8c92, 0x8c94, 0x8c96, 0x8c98, 0x8c9a, 0x8c9c, 0x8c9e,
};

/*
 * pci_quirk_intel_pch_acs(): the answer depends on
 * PCI_DEV_FLAGS_ACS_ENABLED_QUIRK, which pci_quirk_enable_intel_pch_acs()
 * sets when pci_enable_acs() runs (the IOMMU asked for ACS) and the LPC's
 * RCBA is enabled. acsctl assumes both: isolated (SV RR CR UF). Without
 * the flag the kernel answers "none of the flags".
 *
 * Mainline 6.11 never set it: 47c8846a49ba ("PCI: Extend ACS
 * configurability") made pci_enable_acs() return for a function without
 * an ACS capability before it called pci_dev_specific_enable_acs(), and
 * these ports have none. f3c3ccc4fe49 ("PCI: Fix pci_enable_acs() support
 * for the ACS quirks", pci-v6.12-fixes-2) calls the quirk first again; 6.11.y
 * took it (6.11.7). So 6.11.0 and its -rcs put these ports in their
 * devices' groups.
 */
static bool pch_enable_skipped(const acs_policy *p)
{
	return acs_policy__has(p, V(6, 11), 0, 0) && !acs_policy__has(p, V(6, 12), 0, V(6, 11));
}

static int intel_pch_acs(const acs_policy *p, const acs_fabric *fabric,
			 const struct acs_func *fn, uint16_t flags)
{
	(void)fabric;
	if (!is_pcie(fn) || !is_root_port(fn))
		return -1;
	for (size_t i = 0; i < sizeof(intel_pch_ids) / sizeof(intel_pch_ids[0]); i++)
		if (intel_pch_ids[i] == fn->device_id)
			return ctrl_enabled(flags, pch_enable_skipped(p) ? 0 : SV_RR_CR_UF);
	return -1;
}

bool acs_quirk_intel_spt(const struct acs_func *fn)
{
	uint16_t d = fn->device_id;

	if (fn->vendor_id != 0x8086 || !is_pcie(fn) || !is_root_port(fn))
		return false;
	return (d >= 0xa110 && d <= 0xa11f) || (d >= 0xa167 && d <= 0xa16a) || /* Sunrise Point */
	       (d >= 0xa290 && d <= 0xa29f) || (d >= 0xa2e7 && d <= 0xa2ee) || /* Union Point */
	       (d >= 0x9d10 && d <= 0x9d1b);                                     /* 7th/8th gen mobile */
}

/*
 * pci_quirk_intel_spt_pch_acs(): these root ports lay the ACS capability
 * and control registers out as dwords (errata 23 of the 100 series, 22 of
 * the 200 series): capability at +4, control at +8, where the standard
 * puts the control word at +6. The kernel reads both dwords; so does this,
 * from the function's config bytes. lspci shows the standard layout, so
 * its ACSCtl is the capability's upper half, and text sources do not
 * carry the real control register.
 */
#define INTEL_SPT_ACS_CTRL (ACS_PCI_ACS_CAP + 4)   /* the kernel's name */

static int intel_spt_pch_acs(const acs_policy *p, const acs_fabric *fabric,
			     const struct acs_func *fn, uint16_t flags)
{
	unsigned pos = fn->acs_pos;

	(void)p;
	(void)fabric;
	if (!acs_quirk_intel_spt(fn) || !pos)
		return -1;
	/* Bytes the source did not have: no answer, and the generic test
	 * says what it can of the capability. */
	if (fn->cfg_len < pos + INTEL_SPT_ACS_CTRL + 4)
		return -1;
	flags &= (uint16_t)(acs_func_cfg32(fn, pos + ACS_PCI_ACS_CAP) | ACS_EC);
	return ctrl_enabled(flags, (uint16_t)acs_func_cfg32(fn, pos + INTEL_SPT_ACS_CTRL));
}

/* pci_quirk_al_acs(): Amazon Annapurna Labs root ports. */
static int al_acs(const acs_policy *p, const acs_fabric *fabric,
		  const struct acs_func *fn, uint16_t flags)
{
	(void)p;
	(void)fabric;
	if (!is_root_port(fn))
		return -1;
	flags &= (uint16_t)~SV_RR_CR_UF;
	return flags ? 0 : 1;
}

/*
 * pci_quirk_wangxun_nic_acs(): listed NICs are isolated; any other Wangxun
 * function answers 0 ("not isolated"). EM and SP came with the entry in
 * 6.3; the FF5xxx (AML) IDs in 6.13, backported to every long-term series.
 */
static int wangxun_nic_acs(const acs_policy *p, const acs_fabric *fabric,
			   const struct acs_func *fn, uint16_t flags)
{
	uint16_t d = fn->device_id;

	(void)fabric;
	if ((d >= 0x0100 && d <= 0x010f) || d == 0x1001 || d == 0x2001)
		return ctrl_enabled(flags, SV_RR_CR_UF);
	if (acs_policy__has(p, V(6, 13), 0, ALL) &&
	    (d == 0x5010 || d == 0x5025 || d == 0x5040 ||
	     d == 0x5110 || d == 0x5125 || d == 0x5140))
		return ctrl_enabled(flags, SV_RR_CR_UF);
	return 0;
}

#define ANY 0xffff
#define Q(vendor, device, since, stable, name, f) \
	{ vendor, device, since, 0, stable, name, f }
#define OLD(vendor, device, name, f) Q(vendor, device, ACS_KV_OLDEST, 0, name, f)
#define AMD_SB(vendor, device) OLD(vendor, device, "pci_quirk_amd_sb_acs", amd_sb_acs)
#define MF(vendor, device) OLD(vendor, device, "pci_quirk_mf_endpoint_acs", mf_endpoint_acs)
#define MF_V(vendor, device, since) \
	Q(vendor, device, since, ALL, "pci_quirk_mf_endpoint_acs", mf_endpoint_acs)
#define QCOM(vendor, device, since, stable) \
	Q(vendor, device, since, stable, "pci_quirk_qcom_rp_acs", rp_isolated_acs)
#define XGENE(device) OLD(device < 0xe005 ? 0x10e8 : 0x1def, device, \
			  "pci_quirk_xgene_acs", rp_isolated_acs)
#define LOONGSON(device) \
	Q(0x0014, device, V(6, 16), ALL, "pci_quirk_loongson_acs", rp_isolated_acs)
#define NXP(device) Q(0x1957, device, V(5, 15), ALL, "pci_quirk_nxp_rp_acs", rp_isolated_acs)

static const struct acs_acs_quirk acs_quirks[] = {
	/* AMD southbridges: ATI SBx00/SB7x0-SB9x0, AMD FCH */
	AMD_SB(0x1002, 0x4385), AMD_SB(0x1002, 0x439c), AMD_SB(0x1002, 0x4383),
	AMD_SB(0x1002, 0x439d), AMD_SB(0x1002, 0x4384), AMD_SB(0x1002, 0x4399),
	AMD_SB(0x1022, 0x780f), AMD_SB(0x1022, 0x7809),
	/* Solarflare */
	MF(0x1924, 0x0903), MF(0x1924, 0x0923), MF(0x1924, 0x0a03),
	/* Intel 82598/82599/X520/X540/X550 and others */
	MF(0x8086, 0x10c6), MF(0x8086, 0x10db), MF(0x8086, 0x10dd),
	MF(0x8086, 0x10e1), MF(0x8086, 0x10f1), MF(0x8086, 0x10f7),
	MF(0x8086, 0x10f8), MF(0x8086, 0x10f9), MF(0x8086, 0x10fa),
	MF(0x8086, 0x10fb), MF(0x8086, 0x10fc), MF(0x8086, 0x1507),
	MF(0x8086, 0x1514), MF(0x8086, 0x151c), MF(0x8086, 0x1529),
	MF(0x8086, 0x152a), MF(0x8086, 0x154d), MF(0x8086, 0x154f),
	MF(0x8086, 0x1551), MF(0x8086, 0x1558),
	/* 82580 */
	MF(0x8086, 0x1509), MF(0x8086, 0x150e), MF(0x8086, 0x150f),
	MF(0x8086, 0x1510), MF(0x8086, 0x1511), MF(0x8086, 0x1516),
	MF(0x8086, 0x1527),
	/* 82576 */
	MF(0x8086, 0x10c9), MF(0x8086, 0x10e6), MF(0x8086, 0x10e7),
	MF(0x8086, 0x10e8), MF(0x8086, 0x150a), MF(0x8086, 0x150d),
	MF(0x8086, 0x1518), MF(0x8086, 0x1526),
	/* 82575 */
	MF(0x8086, 0x10a7), MF(0x8086, 0x10a9), MF(0x8086, 0x10d6),
	/* I350 */
	MF(0x8086, 0x1521), MF(0x8086, 0x1522), MF(0x8086, 0x1523),
	MF(0x8086, 0x1524),
	/* 82571 (quads omitted: non-ACS switch) */
	MF(0x8086, 0x105e), MF(0x8086, 0x105f), MF(0x8086, 0x1060),
	MF(0x8086, 0x10d9),
	/* I219 */
	MF(0x8086, 0x15b7), MF(0x8086, 0x15b8),
	OLD(0x8086, ANY, "pci_quirk_rciep_acs", intel_rciep_acs),
	/* Qualcomm QDF2xxx; SA8775P (6.12); Hamoa, Glymur (7.0) */
	QCOM(0x17cb, 0x0400, ACS_KV_OLDEST, 0),
	QCOM(0x17cb, 0x0401, ACS_KV_OLDEST, 0),
	QCOM(0x17cb, 0x0115, V(6, 12), ALL),
	QCOM(0x17cb, 0x0111, V(7, 0), ALL),
	QCOM(0x17cb, 0x0120, V(7, 0), ALL),
	/* HXT SD4800: same design as QDF2xxx */
	QCOM(0x1dbf, 0x0401, ACS_KV_OLDEST, 0),
	/* Intel PCH root ports */
	OLD(0x8086, ANY, "pci_quirk_intel_pch_acs", intel_pch_acs),
	OLD(0x8086, ANY, "pci_quirk_intel_spt_pch_acs", intel_spt_pch_acs),
	MF(0x19a2, 0x0710),   /* Emulex BE3-R */
	MF(0x10df, 0x0720),   /* Emulex Skyhawk-R */
	/* Cavium ThunderX root ports, then multifunction devices */
	OLD(0x177d, ANY, "pci_quirk_cavium_acs", cavium_acs),
	MF(0x177d, 0xa026), MF(0x177d, 0xa059), MF(0x177d, 0xa060),
	/* APM X-Gene, Ampere Computing */
	XGENE(0xe004), XGENE(0xe005), XGENE(0xe006), XGENE(0xe007),
	XGENE(0xe008), XGENE(0xe009), XGENE(0xe00a), XGENE(0xe00b),
	XGENE(0xe00c),
	/* Broadcom: BCM57414 (in 5.4.y), BCM5750x (6.0), BCM5760X (6.11) */
	MF(0x14e4, 0x16d7),
	MF_V(0x14e4, 0x1750, V(6, 0)), MF_V(0x14e4, 0x1751, V(6, 0)),
	MF_V(0x14e4, 0x1752, V(6, 0)),
	MF_V(0x14e4, 0x1760, V(6, 11)), MF_V(0x14e4, 0x1761, V(6, 11)),
	MF_V(0x14e4, 0x1762, V(6, 11)), MF_V(0x14e4, 0x1763, V(6, 11)),
	OLD(0x14e4, 0xd714, "pci_quirk_brcm_acs", rp_isolated_acs), /* iProc PAXB */
	/* Loongson root ports (6.16) */
	LOONGSON(0x3c09), LOONGSON(0x3c19), LOONGSON(0x3c29), LOONGSON(0x7a09),
	LOONGSON(0x7a19), LOONGSON(0x7a29), LOONGSON(0x7a39), LOONGSON(0x7a49),
	LOONGSON(0x7a59), LOONGSON(0x7a69),
	/* Amazon Annapurna Labs (in 5.4.y) */
	OLD(0x1c36, 0x0031, "pci_quirk_al_acs", al_acs),
	/* Zhaoxin multifunction devices (5.7) */
	MF_V(0x1d17, 0x3038, V(5, 7)), MF_V(0x1d17, 0x3104, V(5, 7)),
	MF_V(0x1d17, 0x9083, V(5, 7)),
	/* NXP LX2xx0/LX2xx2 root ports (5.15) */
	NXP(0x8d81), NXP(0x8da1), NXP(0x8d83),   /* LX2xx0A */
	NXP(0x8d80), NXP(0x8da0), NXP(0x8d82),   /* LX2xx0C */
	NXP(0x8d90), NXP(0x8db0), NXP(0x8d92),   /* LX2xx0E */
	NXP(0x8d91), NXP(0x8db1), NXP(0x8d93),   /* LX2xx0N */
	NXP(0x8d89), NXP(0x8da9), NXP(0x8d8b),   /* LX2xx2A */
	NXP(0x8d88), NXP(0x8da8), NXP(0x8d8a),   /* LX2xx2C */
	NXP(0x8d98), NXP(0x8db8), NXP(0x8d9a),   /* LX2xx2E */
	NXP(0x8d99), NXP(0x8db9), NXP(0x8d9b),   /* LX2xx2N */
	/* Zhaoxin root and downstream ports (5.7) */
	Q(0x1d17, ANY, V(5, 7), ALL, "pci_quirk_zhaoxin_pcie_ports_acs", zhaoxin_ports_acs),
	/* Wangxun NICs (6.3) */
	Q(0x8088, ANY, V(6, 3), ALL, "pci_quirk_wangxun_nic_acs", wangxun_nic_acs),
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
	return acs_quirk_answer(policy, NULL, fn, flags, NULL);
}

int acs_quirk_which(const acs_policy *policy, const struct acs_func *fn,
		    uint16_t flags, const char **name)
{
	return acs_quirk_answer(policy, NULL, fn, flags, name);
}

#define NQUIRKS (sizeof(acs_quirks) / sizeof(acs_quirks[0]))

/* As pci_dev_specific_acs_enabled() asks entry q: a negative answer
 * means "not mine", and the next matching entry is asked. */
static bool ask(const struct acs_acs_quirk *q, const acs_policy *policy, const acs_fabric *fabric,
		const struct acs_func *fn, uint16_t flags, const char **name, int *ret)
{
	if (!acs_policy__has(policy, q->since, q->until, q->stable_from))
		return false;
	*ret = q->acs_enabled(policy, fabric, fn, flags);
	if (*ret < 0)
		return false;
	if (name)
		*name = q->name;
	return true;
}

/* No entry answered: the out-of-tree override, if the policy has it. */
static int no_quirk(const acs_policy *policy, const struct acs_func *fn, const char **name)
{
	if (name)
		*name = "pcie_acs_override (out of tree)";
	return policy->override ? acs_override(policy->override, fn) : -1;
}

/*
 * The table's entries sorted by (vendor, device, table position), and
 * each run of one (vendor, device) found by a hash of the two; built once
 * a process. A function's entries are the run of its vendor and device
 * and the run of its vendor's "any device" entries (0xffff), asked in
 * table order as the kernel asks them. The groups and routes ask for
 * every function they pass: a scan of every entry was a tenth of an
 * audit at 100,000 functions, two binary searches still a twentieth.
 */
#define RUN_SLOTS 512   /* a power of two, at least twice the entries */

static uint16_t by_id[NQUIRKS];
static struct id_run {
	bool used;
	uint16_t vendor, device;
	uint16_t first, count;    /* in by_id */
} runs[RUN_SLOTS];
static pthread_once_t by_id_once = PTHREAD_ONCE_INIT;

_Static_assert(NQUIRKS <= UINT16_MAX && RUN_SLOTS >= 2 * NQUIRKS, "quirk runs fit");

static int cmp_id(const void *a, const void *b)
{
	const struct acs_acs_quirk *x = &acs_quirks[*(const uint16_t *)a], *y = &acs_quirks[*(const uint16_t *)b];

	if (x->vendor != y->vendor)
		return x->vendor < y->vendor ? -1 : 1;
	if (x->device != y->device)
		return x->device < y->device ? -1 : 1;
	return *(const uint16_t *)a < *(const uint16_t *)b ? -1 : 1;
}

static struct id_run *run_slot(uint16_t vendor, uint16_t device)
{
	uint32_t h = ((uint32_t)vendor << 16 | device) * 0x9e3779b1u >> 23;

	while (runs[h].used && (runs[h].vendor != vendor || runs[h].device != device))
		h = (h + 1) & (RUN_SLOTS - 1);
	return &runs[h];
}

static void by_id_fill(void)
{
	for (size_t i = 0; i < NQUIRKS; i++)
		by_id[i] = (uint16_t)i;
	qsort(by_id, NQUIRKS, sizeof(by_id[0]), cmp_id);
	for (size_t i = 0; i < NQUIRKS; i++) {
		const struct acs_acs_quirk *q = &acs_quirks[by_id[i]];
		struct id_run *r = run_slot(q->vendor, q->device);

		if (!r->used)
			*r = (struct id_run){ true, q->vendor, q->device, (uint16_t)i, 0 };
		r->count++;
	}
}

/* The run of (vendor, device): its count, *first its start in by_id. */
static size_t run_of(uint16_t vendor, uint16_t device, size_t *first)
{
	const struct id_run *r = run_slot(vendor, device);

	*first = r->first;
	return r->used ? r->count : 0;
}

int acs_quirk_answer(const acs_policy *policy, const acs_fabric *fabric,
		     const struct acs_func *fn, uint16_t flags, const char **name)
{
	uint16_t v = fn->vendor_id, d = fn->device_id;
	size_t one, any, none, nany, i = 0, j = 0;
	int ret;

	pthread_once(&by_id_once, by_id_fill);
	/* a device ID of 0xffff matches the "any" entries alone, once */
	none = d == ANY ? 0 : run_of(v, d, &one);
	nany = run_of(v, ANY, &any);
	/* the two runs merged in table order */
	while (i < none || j < nany) {
		bool take_one = i < none && (j == nany || by_id[one + i] < by_id[any + j]);
		size_t q = take_one ? by_id[one + i++] : by_id[any + j++];

		if (ask(&acs_quirks[q], policy, fabric, fn, flags, name, &ret))
			return ret;
	}
	return no_quirk(policy, fn, name);
}

/* Every entry in table order: what acs_quirk_answer() must agree with
 * (test_quirks). */
int acs_quirk__answer_linear(const acs_policy *policy, const acs_fabric *fabric,
			     const struct acs_func *fn, uint16_t flags, const char **name)
{
	int ret;

	for (size_t i = 0; i < NQUIRKS; i++) {
		const struct acs_acs_quirk *q = &acs_quirks[i];

		if (q->vendor != fn->vendor_id || (q->device != ANY && q->device != fn->device_id))
			continue;
		if (ask(q, policy, fabric, fn, flags, name, &ret))
			return ret;
	}
	return no_quirk(policy, fn, name);
}

size_t acs_quirk__table(const struct acs_acs_quirk **table)
{
	*table = acs_quirks;
	return NQUIRKS;
}

uint16_t acs_quirk_acs_cap(const acs_policy *policy, const struct acs_func *fn)
{
	/* pci_disable_broken_acs_cap(): IDT switches drop completions under
	 * Source Validation (erratum #36), 7.0 */
	if (fn->vendor_id == 0x111d &&
	    (fn->device_id == 0x80b5 || fn->device_id == 0x8090) &&
	    acs_policy__has(policy, V(7, 0), 0, 0))
		return (uint16_t)(fn->acs_cap & ~ACS_SV);
	return fn->acs_cap;
}
