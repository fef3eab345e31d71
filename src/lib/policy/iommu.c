/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which PCI functions the IOMMU driver manages: a function it leaves out
 * never reaches pci_device_group() and has no IOMMU group (no
 * /sys/kernel/iommu_groups entry, no "IOMMU group:" line in lspci -vv),
 * and takes no group number.
 *
 * The driver is told from the fabric: AMD-Vi is a PCI function of its own
 * (class 0806 of AMD or ATI, drivers/iommu/amd/init.c finds it through the
 * IVRS table's IVHD devid); Intel VT-d (DMAR) has none. The rules are a
 * table over the kernel versions they hold for, as the quirks are.
 *
 * Intel: intel_iommu_probe_device() refuses a device only where
 * device_to_iommu() (device_lookup_iommu() from 6.8) finds no DRHD for
 * it; the INCLUDE_ALL unit of every segment takes whatever no other unit
 * names, so nothing is left out, except under intel_iommu=igfx_off (the
 * graphics-only DRHD ignored), which is not modelled.
 */
#include "policy-internal.h"

#define VENDOR_AMD 0x1022
#define VENDOR_ATI 0x1002

/* An AMD-Vi IOMMU's own function. */
static bool amd_iommu_func(const struct acs_func *fn)
{
	return (fn->vendor_id == VENDOR_AMD || fn->vendor_id == VENDOR_ATI) &&
	       fn->class_code >> 8 == ACS_PCI_CLASS_SYSTEM_IOMMU;
}

/* The AMD IOMMU function at BUS:00.2 of fn's domain, which on AMD's own
 * root complexes (Zen on, vendor 1022) sits beside the root complex at
 * BUS:00.0. */
static const struct acs_func *iommu_beside(const acs_fabric *f, const struct acs_func *fn)
{
	const struct acs_func *m = acs_fabric_find(f, fn->domain, fn->bus, 0, 2);

	return m && m->vendor_id == VENDOR_AMD && amd_iommu_func(m) ? m : NULL;
}

static int amd_self(const acs_fabric *f, const struct acs_func *fn)
{
	(void)f;
	return amd_iommu_func(fn);
}

static int amd_root_complex(const acs_fabric *f, const struct acs_func *fn)
{
	return fn->dev == 0 && fn->fn == 0 && fn->vendor_id == VENDOR_AMD &&
	       fn->class_code >> 8 == ACS_PCI_CLASS_BRIDGE_HOST &&
	       !acs_fabric_parent(f, fn) && iommu_beside(f, fn);
}

/* A function in a domain the Intel VMD driver created (acs_fabric__vmd_owner()). */
static int vmd_child(const acs_fabric *f, const struct acs_func *fn)
{
	return acs_fabric__vmd_owner(f, fn) >= 0;
}

struct iommu_rule {
	int reason;                 /* enum acs_iommu_exclusion */
	unsigned since, until;      /* ACS_KV(); until 0: still so */
	int (*applies)(const acs_fabric *f, const struct acs_func *fn);
	const char *why;
};

static const struct iommu_rule rules[] = {
	{ ACS_IOMMU_SELF, ACS_KV_OLDEST, 0, amd_self,
	  "the AMD IOMMU's own function: init_iommu_one() clears its rlookup_table entry (\"Make sure "
	  "IOMMU is not considered to translate itself\"), so amd_iommu_probe_device() refuses it "
	  "(check_device())" },
	{ ACS_IOMMU_IVRS_ROOT, ACS_KV_OLDEST, 0, amd_root_complex,
	  "the root complex beside an AMD IOMMU: the IVRS of AMD's own root complexes (Zen on) lists "
	  "no device entry for it, so rlookup_amd_iommu() finds no IOMMU and "
	  "amd_iommu_probe_device() refuses it (the IVRS itself is not read: taken from the platform)" },
	{ ACS_IOMMU_VMD_CHILD, ACS_KV_OLDEST, ACS_KV(5, 6), vmd_child,
	  "below an Intel VMD endpoint: before 5.6 device_to_iommu() refuses VMD children (\"VMD child "
	  "devices currently cannot be handled individually\"; removed by \"iommu/vt-d: Remove VMD child "
	  "device sanity check\", pci-v5.6-changes), so intel_iommu_add_device() gives them no group" },
};

int acs_policy_iommu_excludes(const acs_policy *policy, const acs_fabric *fabric,
			      const struct acs_func *fn, const char **why)
{
	if (why)
		*why = NULL;
	if (!fabric || !fn)
		return ACS_IOMMU_MANAGED;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct iommu_rule *r = &rules[i];

		if (!acs_policy__has(policy, r->since, r->until, 0) || !r->applies(fabric, fn))
			continue;
		if (why)
			*why = r->why;
		return r->reason;
	}
	return ACS_IOMMU_MANAGED;
}

/*
 * The order the IOMMU driver probes functions in, unit by unit.
 *
 * Until 6.0 intel_iommu_init() registered every DRHD unit and then
 * bus_set_iommu() probed the whole PCI bus once, in bus order. From 6.1
 * ("iommu: Move bus setup to IOMMU device registration", 57365a04c921,
 * with "iommu/vt-d: Handle race between registration and device probe",
 * both v6.1-rc1) each iommu_device_register() runs bus_iommu_probe() on
 * its own, and intel_iommu_probe_device() refuses a device whose unit is
 * not registered yet (!iommu->iommu.ops): each unit's devices are probed,
 * and numbered, when it registers, in bus order among themselves.
 * intel_iommu_init() registers in dmar_drhd_units order, and
 * dmar_register_drhd_unit() puts each unit at the head of that list but
 * the INCLUDE_ALL unit at its tail: the units the DMAR table names come
 * in reverse table order, the catch-all last.
 *
 * The DMAR table is in no dump or lspci text. What Intel's client
 * platforms put in it: a unit for the integrated graphics (00:02.0)
 * first, then on Tiger Lake one unit per integrated Thunderbolt 4 root
 * port, in port order. Seen on real Tiger Lake machines with 6.1 and 6.5
 * (tests/fixtures/real/xps13-9310-tgl-6.1): group 0 is the last
 * Thunderbolt port, then the others, then the graphics, then 00:00.0.
 * The IPU6 camera unit (00:05.0) has its own too, named after the
 * graphics: on a Raptor Lake-P machine with 6.1 (tests/fixtures/real/
 * xps13-9320-rpl-6.1) the IPU is group 0, the graphics 1, 00:00.0 2 (its
 * Thunderbolt ports there are under the catch-all). Where a Thunderbolt
 * port's unit and the IPU's would both come first no capture shows their
 * order: the ports' are put first, as on Tiger Lake the ports are the
 * table's last units.
 * AMD-Vi units follow the same rule, but each covers root buses of its
 * own, which acs_fabric_kernel_order() already orders.
 */
#define VENDOR_INTEL 0x8086

enum {
	UNIT_IPU = 0x100,           /* after every Thunderbolt port's unit */
	UNIT_GRAPHICS = 0x101,      /* named before the IPU's: registered after it */
	UNIT_INCLUDE_ALL = 0x102,   /* the catch-all: last */
};

/* Tiger Lake's integrated Thunderbolt 4 root ports (00:07.0-3). */
static bool intel_tbt_root_port(const struct acs_func *fn)
{
	static const uint16_t ids[] = {
		0x9a23, 0x9a25, 0x9a27, 0x9a29,   /* Tiger Lake-LP */
		0x9a2b, 0x9a2d, 0x9a2f, 0x9a31,   /* Tiger Lake-H */
	};

	if (fn->vendor_id != VENDOR_INTEL)
		return false;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (fn->device_id == ids[i])
			return true;
	return false;
}

/* The integrated IPU6 camera unit, 00:05.0 (class 0480), Tiger Lake on. */
static bool intel_ipu(const struct acs_func *fn)
{
	static const uint16_t ids[] = {
		0x9a19, 0x9a39,   /* Tiger Lake */
		0x4e19,           /* Jasper Lake */
		0x465d, 0x462e,   /* Alder Lake-P, -N */
		0xa75d,           /* Raptor Lake-P */
		0x7d19,           /* Meteor Lake */
		0x645d,           /* Lunar Lake */
	};

	if (fn->vendor_id != VENDOR_INTEL || fn->class_code >> 8 != 0x0480 || fn->domain ||
	    fn->bus || fn->dev != 5 || fn->fn)
		return false;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (fn->device_id == ids[i])
			return true;
	return false;
}

static bool intel_graphics(const struct acs_func *fn)
{
	return fn->vendor_id == VENDOR_INTEL && fn->class_code >> 16 == 0x03 &&
	       fn->domain == 0 && fn->bus == 0 && fn->dev == 2 && fn->fn == 0;
}

unsigned acs_policy__iommu_unit(const acs_policy *policy, const acs_fabric *fabric,
				const struct acs_func *fn)
{
	const struct acs_func *top = fn, *up;

	if (!acs_policy__has(policy, ACS_KV(6, 1), 0, 0))
		return UNIT_INCLUDE_ALL;
	/* a Thunderbolt port's unit names the port with the hierarchy below */
	while ((up = acs_fabric_parent(fabric, top)) != NULL)
		top = up;
	if (intel_tbt_root_port(top))
		return 0xff - (unsigned)(top->dev << 3 | top->fn);
	if (intel_ipu(fn))
		return UNIT_IPU;
	if (intel_graphics(fn))
		return UNIT_GRAPHICS;
	return UNIT_INCLUDE_ALL;
}
