/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Each rule of pci_device_group(), on fabrics built by hand. */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

#define ACS_ON 0x001d   /* SV RR CR UF: what Linux enables */
#define KERNELS_DO(body) do { const char *ks_[] = { "6.1", "6.12" };   \
		for (int ki_ = 0; ki_ < 2; ki_++) { const char *K = ks_[ki_]; body } } while (0)

static void host_bridge(struct tfab *t)
{
	struct tcfg c;

	tcfg_make(&c, 0x8086, 0x29c0, 0x060000, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(t, "00:00.0", &c);
}

static void test_groups_root_port__acs_isolates(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	host_bridge(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:00.0 | 00:01.0 | 01:00.0"););
	acs_fabric_free(f);
}

static void test_groups_root_port__no_acs_joins_port(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	host_bridge(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, NO_ACS, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:00.0 | 00:01.0 01:00.0"););
	acs_fabric_free(f);
}

static void test_groups_root_port__each_required_bit(void **state)
{
	const unsigned bits[] = { ACS_SV, ACS_RR, ACS_CR, ACS_UF };

	(void)state;
	for (int i = 0; i < 4; i++) {
		struct tfab t;
		acs_fabric *f;

		tfab_begin(&t);
		tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON & ~bits[i], false);
		tfab_endpoint(&t, "01:00.0", false, NO_ACS);
		f = tfab_end(&t);
		KERNELS_DO(assert_partition(f, K, "00:01.0 01:00.0"););
		acs_fabric_free(f);
	}
}

/* Bits the capability lacks count as hard-wired on; egress control
 * does not matter to the kernel's test. */
static void test_groups_root_port__missing_cap_bits_hardwired(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x0001);
	tcfg_buses(&c, 0, 1, 1);
	c.b[0x104] = 0x01; /* only SV implemented */
	tfab_add(&t, "00:01.0", &c);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 01:00.0"););
	acs_fabric_free(f);
}

/* A capability with every bit clear: all hard-wired, so isolated. */
static void test_groups_root_port__empty_capability(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0);
	tcfg_buses(&c, 0, 1, 1);
	c.b[0x104] = 0;
	tfab_add(&t, "00:01.0", &c);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 01:00.0"););
	acs_fabric_free(f);
}

static void build_switch(struct tfab *t, int rp_acs, int dsp_acs)
{
	tfab_root_port(t, "00:01.0", 1, 4, rp_acs, false);
	tfab_upstream(t, "01:00.0", 2, 4);
	tfab_downstream(t, "02:00.0", 3, 3, dsp_acs);
	tfab_downstream(t, "02:01.0", 4, 4, dsp_acs);
	tfab_endpoint(t, "03:00.0", false, NO_ACS);
	tfab_endpoint(t, "04:00.0", false, NO_ACS);
}

static void test_groups_switch__acs_everywhere(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	build_switch(&t, ACS_ON, ACS_ON);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K,
		"00:01.0 | 01:00.0 | 02:00.0 | 02:01.0 | 03:00.0 | 04:00.0"););
	acs_fabric_free(f);
}

/* Downstream ports without ACS: each endpoint joins its own port, and the
 * kernel still keeps the two ports apart (the upstream port isolates). */
static void test_groups_switch__downstream_without_acs(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	build_switch(&t, ACS_ON, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K,
		"00:01.0 | 01:00.0 | 02:00.0 03:00.0 | 02:01.0 04:00.0"););
	acs_fabric_free(f);
}

static void test_groups_switch__root_port_without_acs(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	build_switch(&t, NO_ACS, ACS_ON);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K,
		"00:01.0 01:00.0 02:00.0 02:01.0 03:00.0 04:00.0"););
	acs_fabric_free(f);
}

static void test_groups_multifunction__endpoint_without_acs(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", true, NO_ACS);
	tfab_endpoint(&t, "01:00.1", true, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 01:00.0 01:00.1"););
	acs_fabric_free(f);
}

static void test_groups_multifunction__endpoint_with_acs(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", true, ACS_ON);
	tfab_endpoint(&t, "01:00.1", true, ACS_ON);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 01:00.0 | 01:00.1"););
	acs_fabric_free(f);
}

/* Only functions without ACS pull each other in, and the search follows
 * probe order: .2 finds .0's group, .1 stays alone. */
static void test_groups_multifunction__mixed_acs(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", true, NO_ACS);
	tfab_endpoint(&t, "01:00.1", true, ACS_ON);
	tfab_endpoint(&t, "01:00.2", true, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 01:00.0 01:00.2 | 01:00.1"););
	acs_fabric_free(f);
}

/* A lone function shares with no one, even with the header's
 * multifunction bit set and no ACS. */
static void test_groups_multifunction__single_function(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 2, ACS_ON, false);
	tfab_root_port(&t, "00:02.0", 3, 3, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "03:00.0", true, NO_ACS); /* header bit, alone */
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 00:02.0 | 01:00.0 | 03:00.0"););
	acs_fabric_free(f);
}

static void test_groups_multifunction__root_ports(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:03.0", 1, 1, NO_ACS, true);
	tfab_root_port(&t, "00:03.1", 2, 2, NO_ACS, true);
	tfab_root_port(&t, "00:03.2", 3, 3, ACS_ON, true);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K,
		"00:03.0 00:03.1 01:00.0 02:00.0 | 00:03.2 | 03:00.0"););
	acs_fabric_free(f);
}

/* Conventional devices behind a PCIe-to-PCI bridge take the bridge's ID. */
static void test_groups_alias__pcie_to_pci_bridge(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 3, ACS_ON, false);
	tfab_pcie_to_pci(&t, "01:00.0", 2, 3);
	tfab_pci_device(&t, "02:01.0", false);
	tfab_pci_device(&t, "02:02.0", false);
	tfab_pci_bridge(&t, "02:03.0", 3, 3);
	tfab_pci_device(&t, "03:01.0", false);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K,
		"00:01.0 | 01:00.0 02:01.0 02:02.0 02:03.0 03:01.0"););
	acs_fabric_free(f);
}

/* Conventional functions on the root bus: one slot shares, slots do not. */
static void test_groups_root_bus__conventional(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	host_bridge(&t);
	tfab_pci_device(&t, "00:1f.0", true);
	tfab_pci_device(&t, "00:1f.2", true);
	tfab_pci_device(&t, "00:1f.3", true);
	tfab_pci_device(&t, "00:02.0", false);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:00.0 | 00:02.0 | 00:1f.0 00:1f.2 00:1f.3"););
	acs_fabric_free(f);
}

/* The walk stops at the first bridge whose whole path isolates: a switch
 * without ACS below a switch with ACS groups at its upstream port's port. */
static void test_groups_switch__nested(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 6, ACS_ON, false);
	tfab_upstream(&t, "01:00.0", 2, 6);
	tfab_downstream(&t, "02:00.0", 3, 6, ACS_ON);
	tfab_upstream(&t, "03:00.0", 4, 6);
	tfab_downstream(&t, "04:00.0", 5, 5, NO_ACS);
	tfab_downstream(&t, "04:01.0", 6, 6, NO_ACS);
	tfab_endpoint(&t, "05:00.0", false, NO_ACS);
	tfab_endpoint(&t, "06:00.0", false, NO_ACS);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K,
		"00:01.0 | 01:00.0 | 02:00.0 | 03:00.0 | 04:00.0 05:00.0 | 04:01.0 06:00.0"););
	acs_fabric_free(f);
}

/* Without extended config space the port's ACS is unknown: the larger
 * group is predicted and marked uncertain. */
static void test_groups_unknown__marked_uncertain(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;
	acs_groups *g;

	(void)state;
	tfab_begin(&t);
	tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, ACS_ON);
	tcfg_buses(&c, 0, 1, 1);
	c.len = 256;
	tfab_add(&t, "00:01.0", &c);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	host_bridge(&t);
	f = tfab_end(&t);
	assert_int_equal(acs_fabric_unknown_count(f), 1);
	assert_partition(f, "6.12", "00:00.0 | 00:01.0 01:00.0");
	assert_int_equal(acs_groups_compute(&g, f, acs_policy_find("6.12")), 0);
	assert_int_equal(acs_groups_uncertain_count(g), 1);
	assert_true(acs_groups_uncertain(g, acs_groups_of(g, 1)));
	assert_false(acs_groups_uncertain(g, acs_groups_of(g, 0)));
	acs_groups_free(g);
	acs_fabric_free(f);
}

/* Group numbers follow the kernel's probe order: a bus, then its children. */
static void test_groups_numbering__probe_order(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_groups *g;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_root_port(&t, "00:02.0", 2, 2, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	host_bridge(&t);
	f = tfab_end(&t);
	assert_int_equal(acs_groups_compute(&g, f, acs_policy_find("6.1")), 0);
	assert_int_equal(acs_groups_of(g, 0), 0); /* 00:00.0 */
	assert_int_equal(acs_groups_of(g, 1), 1); /* 00:01.0 */
	assert_int_equal(acs_groups_of(g, 2), 2); /* 00:02.0 */
	assert_int_equal(acs_groups_of(g, 3), 3); /* 01:00.0 */
	assert_int_equal(acs_groups_of(g, 4), 4); /* 02:00.0 */
	acs_groups_free(g);
	acs_fabric_free(f);
}

/* A quirked multifunction NIC (Intel I350) is isolated without ACS. */
static void test_groups_quirk__mf_endpoint(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tcfg_make(&c, 0x8086, 0x1521, 0x020000, ACS_PCIE_ENDPOINT, false, true, NO_ACS);
	tfab_add(&t, "01:00.0", &c);
	tfab_add(&t, "01:00.1", &c);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 01:00.0 | 01:00.1"););
	acs_fabric_free(f);
}

/* Intel root complex integrated endpoints count as isolated (the kernel's
 * RCiEP quirk): caught by a VM case with e1000e functions on the root bus. */
static void test_groups_quirk__intel_rciep(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tcfg_make(&c, 0x8086, 0x10d3, 0x020000, ACS_PCIE_RC_END, false, true, NO_ACS);
	tfab_add(&t, "00:03.0", &c);
	tfab_add(&t, "00:03.1", &c);
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_RC_END, false, true, NO_ACS);
	tfab_add(&t, "00:04.0", &c);
	tfab_add(&t, "00:04.1", &c);
	f = tfab_end(&t);
	KERNELS_DO(assert_partition(f, K, "00:03.0 | 00:03.1 | 00:04.0 00:04.1"););
	acs_fabric_free(f);
}

/* A PF's SR-IOV capability with NumVFs set: its VFs, read as ffff:ffff in
 * a dump, are found where First VF Offset and VF Stride put them, one on a
 * bus of its own (a virtual bus, no bridge): each VF is a single-function
 * endpoint below the PF's port. */
static void add_pf(struct tfab *t, const char *addr, uint16_t num, uint16_t offset,
		   uint16_t stride)
{
	struct tcfg c;

	tcfg_make(&c, 0x15b3, 0x101b, 0x020000, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	/* SR-IOV at 0x100 instead of ACS */
	c.b[0x100] = 0x10;
	c.b[0x102] = 0x01;
	c.b[0x10e] = 8;                   /* TotalVFs */
	c.b[0x110] = (uint8_t)num;        /* NumVFs */
	c.b[0x114] = (uint8_t)offset;
	c.b[0x116] = (uint8_t)stride;
	c.b[0x11a] = 0x1c;                /* VF device 101c */
	c.b[0x11b] = 0x10;
	tfab_add(t, addr, &c);
}

static void add_vf(struct tfab *t, const char *addr)
{
	struct tcfg c;

	tcfg_make(&c, 0xffff, 0xffff, 0x020000, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	tfab_add(t, addr, &c);
}

static void test_groups_sriov__vfs_from_pf(void **state)
{
	struct tfab t;
	acs_fabric *f;
	const struct acs_func *vf, *vf2;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 2, ACS_ON, false);
	add_pf(&t, "01:00.0", 3, 0x80, 0x80);   /* VFs at 01:10.0, 02:00.0, 02:10.0 */
	add_vf(&t, "01:10.0");
	add_vf(&t, "02:00.0");
	add_vf(&t, "02:10.0");
	f = tfab_end(&t);
	vf = acs_fabric_find(f, 0, 1, 0x10, 0);
	vf2 = acs_fabric_find(f, 0, 2, 0, 0);
	assert_true(vf->is_virtfn);
	assert_true(vf2->is_virtfn);
	assert_false(acs_fabric_find(f, 0, 1, 0, 0)->is_virtfn);
	assert_int_equal(vf->vendor_id, 0x15b3);
	assert_int_equal(vf->device_id, 0x101c);
	assert_ptr_equal(acs_fabric_physfn(f, vf2), acs_fabric_find(f, 0, 1, 0, 0));
	assert_ptr_equal(acs_fabric_parent(f, vf2), acs_fabric_find(f, 0, 0, 1, 0));
	KERNELS_DO(assert_partition(f, K, "00:01.0 | 01:00.0 | 01:10.0 | 02:00.0 | 02:10.0"););
	/* VFs come last in probe order: their groups are numbered after all */
	{
		acs_groups *g;

		assert_int_equal(acs_groups_compute(&g, f, acs_policy_default()), 0);
		assert_true(acs_groups_of(g, acs_fabric_index(f, vf)) >
			    acs_groups_of(g, acs_fabric_index(f, acs_fabric_find(f, 0, 1, 0, 0))));
		acs_groups_free(g);
	}
	acs_fabric_free(f);
}

/* Below a port without ACS, VFs join the port's group like the PF. */
static void test_groups_sriov__port_without_acs(void **state)
{
	struct tfab t;
	acs_fabric *f, *g = NULL;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, NO_ACS, false);
	add_pf(&t, "01:00.0", 0, 1, 1);
	f = tfab_end(&t);
	assert_int_equal(acs_fabric_with_vfs(&g, f, 1, 3), 0);
	assert_int_equal(acs_fabric_count(g), 5);
	assert_true(acs_fabric_find(g, 0, 1, 0, 3)->is_virtfn);
	assert_false(acs_fabric_find(g, 0, 1, 0, 3)->multifunction);
	KERNELS_DO(assert_partition(g, K, "00:01.0 01:00.0 01:00.1 01:00.2 01:00.3"););
	acs_fabric_free(g);
	/* the what-if refuses more VFs than the PF has, and non-PFs */
	assert_int_equal(acs_fabric_with_vfs(&g, f, 1, 9), ACS_EINVAL);
	assert_int_equal(acs_fabric_with_vfs(&g, f, 0, 1), ACS_EINVAL);
	acs_fabric_free(f);
}


/* --- what the IOMMU leaves out (policy/iommu.c) --- */

static void amd_func(struct tfab *t, const char *addr, uint16_t vendor, uint16_t device, uint32_t cls)
{
	struct tcfg c;

	tcfg_make(&c, vendor, device, cls, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(t, addr, &c);
}

/* AMD-Vi: the IOMMU's own function (init_iommu_one() clears its
 * rlookup entry) and the Zen root complex beside it (not in the IVRS)
 * get no group and take no number; every other function is numbered as
 * if they were not there. */
static void test_groups_iommu__amd_leaves_out(void **state)
{
	const char *const kernels[] = { "5.4", "5.13.19", "6.1", "6.8.12", "6.12" };

	(void)state;
	for (size_t k = 0; k < 5; k++) {
		const acs_policy *p = acs_policy_find(kernels[k]);
		struct tfab t;
		acs_groups *g;
		acs_fabric *f;
		const char *why;

		tfab_begin(&t);
		amd_func(&t, "00:00.0", 0x1022, 0x1480, 0x060000);
		amd_func(&t, "00:00.2", 0x1022, 0x1481, 0x080600);
		amd_func(&t, "00:01.0", 0x1022, 0x1482, 0x060000);
		tfab_root_port(&t, "00:01.1", 1, 1, ACS_ON, true);
		tfab_endpoint(&t, "01:00.0", false, NO_ACS);
		f = tfab_end(&t);
		assert_int_equal(acs_policy_iommu_excludes(p, f, tfab_func(f, "00:00.0"), &why), ACS_IOMMU_IVRS_ROOT);
		assert_non_null(strstr(why, "rlookup_amd_iommu()"));
		assert_int_equal(acs_policy_iommu_excludes(p, f, tfab_func(f, "00:00.2"), &why), ACS_IOMMU_SELF);
		assert_non_null(strstr(why, "init_iommu_one()"));
		assert_int_equal(acs_policy_iommu_excludes(p, f, tfab_func(f, "00:01.0"), &why), ACS_IOMMU_MANAGED);
		assert_null(why);
		assert_int_equal(acs_groups_compute(&g, f, p), 0);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:00.0")), ACS_NO_GROUP);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:00.2")), ACS_NO_GROUP);
		/* numbered from 0 as if the two were not there */
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:01.0")), 0);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:01.1")), 1);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "01:00.0")), 2);
		assert_int_equal(acs_groups_count(g), 3);
		acs_groups_free(g);
		acs_fabric_free(f);
	}
}

/* An IOMMU function elsewhere (QEMU's amd-iommu on a slot of its own, an
 * ATI RD890's) is left out; a root complex is left out only beside an
 * AMD IOMMU at 00.2; Intel (no IOMMU function: VT-d) leaves nothing out. */
static void test_groups_iommu__only_beside_amd_iommu(void **state)
{
	const acs_policy *p = acs_policy_find("6.12");
	struct tfab t;
	acs_groups *g;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	host_bridge(&t);
	amd_func(&t, "00:03.0", 0x1022, 0x0020, 0x080600);
	tfab_endpoint(&t, "00:04.0", false, NO_ACS);
	amd_func(&t, "80:00.0", 0x1002, 0x5a10, 0x060000);
	amd_func(&t, "80:00.2", 0x1002, 0x5a23, 0x080600);
	f = tfab_end(&t);
	assert_int_equal(acs_policy_iommu_excludes(p, f, tfab_func(f, "00:00.0"), NULL), ACS_IOMMU_MANAGED);
	assert_int_equal(acs_policy_iommu_excludes(p, f, tfab_func(f, "00:03.0"), NULL), ACS_IOMMU_SELF);
	assert_int_equal(acs_policy_iommu_excludes(p, f, tfab_func(f, "80:00.0"), NULL), ACS_IOMMU_MANAGED);
	assert_int_equal(acs_policy_iommu_excludes(p, f, tfab_func(f, "80:00.2"), NULL), ACS_IOMMU_SELF);
	assert_int_equal(acs_groups_compute(&g, f, p), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:00.0")), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:03.0")), ACS_NO_GROUP);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:04.0")), 1);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "80:00.0")), 2);
	acs_groups_free(g);
	acs_fabric_free(f);

	tfab_begin(&t);
	host_bridge(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	f = tfab_end(&t);
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		assert_int_equal(acs_policy_iommu_excludes(p, f, acs_fabric_func(f, i), NULL), ACS_IOMMU_MANAGED);
	acs_fabric_free(f);
}

/* --- group numbers: IOMMU units registered one by one (policy/iommu.c) --- */

/* A Tiger Lake laptop as tests/fixtures/real/xps13-9310-tgl-6.1 has it:
 * the host bridge, the integrated graphics, Thunderbolt 4 root ports
 * 00:07.0 (a device behind it) and 00:07.2, a PCH root port. */
static acs_fabric *tiger_lake(void)
{
	struct tfab t;
	struct tcfg c;

	tfab_begin(&t);
	tcfg_make(&c, 0x8086, 0x9a14, 0x060000, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(&t, "00:00.0", &c);
	tcfg_make(&c, 0x8086, 0x9a49, 0x030000, ACS_PCIE_RC_END, false, false, NO_ACS);
	tfab_add(&t, "00:02.0", &c);
	tcfg_make(&c, 0x8086, 0x9a23, 0x060400, ACS_PCIE_ROOT_PORT, true, true, ACS_ON);
	tcfg_buses(&c, 0, 2, 0x39);
	tfab_add(&t, "00:07.0", &c);
	tcfg_make(&c, 0x8086, 0x9a27, 0x060400, ACS_PCIE_ROOT_PORT, true, true, ACS_ON);
	tcfg_buses(&c, 0, 0x3a, 0x71);
	tfab_add(&t, "00:07.2", &c);
	tfab_root_port(&t, "00:1d.0", 0x72, 0x72, ACS_ON, false);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	tfab_endpoint(&t, "72:00.0", false, NO_ACS);
	return tfab_end(&t);
}

/* Before 6.1 one bus_iommu_probe() after every DRHD registered: bus
 * order. From 6.1 (57365a04c921) each unit probes its devices as it
 * registers: the Thunderbolt ports' units in reverse table order, the
 * graphics unit, then INCLUDE_ALL. The partition is the same. */
static void test_groups_iommu__intel_units_in_registration_order(void **state)
{
	static const char *const addrs[] = { "00:00.0", "00:02.0", "00:07.0", "00:07.2", "00:1d.0",
					     "02:00.0", "72:00.0" };
	static const size_t before[] = { 0, 1, 2, 3, 4, 5, 6 };
	static const size_t after[] = { 4, 3, 1, 0, 5, 2, 6 };
	const char *const kernels[] = { "5.4", "6.0", "6.1", "6.8.12", "6.12" };
	acs_fabric *f = tiger_lake();

	(void)state;
	for (size_t k = 0; k < 5; k++) {
		const acs_policy *p = acs_policy_find(kernels[k]);
		const size_t *want = k < 2 ? before : after;
		acs_groups *g;

		assert_int_equal(acs_groups_compute(&g, f, p), 0);
		assert_int_equal(acs_groups_count(g), 7);
		for (size_t i = 0; i < 7; i++)
			if (acs_groups_of(g, tfab_idx(f, addrs[i])) != want[i])
				fail_msg("%s: %s in group %zu, want %zu", kernels[k], addrs[i],
					 acs_groups_of(g, tfab_idx(f, addrs[i])), want[i]);
		acs_groups_free(g);
	}
	acs_fabric_free(f);
}

/* Only Intel's graphics at 00:02.0 has a unit of its own: QEMU's VGA
 * there, or Intel graphics elsewhere, is probed in bus order. */
static void test_groups_iommu__graphics_unit_only_intel_igd(void **state)
{
	const acs_policy *p = acs_policy_find("6.12");
	struct tfab t;
	struct tcfg c;
	acs_groups *g;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	host_bridge(&t);
	tcfg_make(&c, 0x1234, 0x1111, 0x030000, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(&t, "00:02.0", &c);
	tcfg_make(&c, 0x8086, 0x9a49, 0x030000, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(&t, "00:03.0", &c);
	f = tfab_end(&t);
	assert_int_equal(acs_groups_compute(&g, f, p), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:00.0")), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:02.0")), 1);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:03.0")), 2);
	acs_groups_free(g);
	acs_fabric_free(f);
}

/* From 6.1 the IPU6 camera unit (00:05.0) registers before the graphics
 * unit, both before the catch-all: a Raptor Lake-P machine with 6.1 numbers
 * the IPU 0, the graphics 1, 00:00.0 2 (tests/fixtures/real/
 * xps13-9320-rpl-6.1). An older IPU (IPU3, 8086:1919) is not one of them. */
static void test_groups_iommu__ipu_unit_before_graphics(void **state)
{
	static const struct { uint16_t ipu; const char *kv; int ipu_g, gfx_g, host_g, ep_g; } cases[] = {
		{ 0xa75d, "6.1",  0, 1, 2, 3 },
		{ 0xa75d, "6.12", 0, 1, 2, 3 },
		{ 0xa75d, "6.0",  2, 1, 0, 3 },
		{ 0x1919, "6.12", 2, 0, 1, 3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const acs_policy *p = acs_policy_find(cases[i].kv);
		struct tfab t;
		struct tcfg c;
		acs_groups *g;
		acs_fabric *f;

		tfab_begin(&t);
		host_bridge(&t);
		tcfg_make(&c, 0x8086, 0xa7a0, 0x030000, ACS_PCIE_NONE, false, false, NO_ACS);
		tfab_add(&t, "00:02.0", &c);
		tcfg_make(&c, 0x8086, cases[i].ipu, 0x048000, ACS_PCIE_NONE, false, false, NO_ACS);
		tfab_add(&t, "00:05.0", &c);
		tcfg_make(&c, 0x8086, 0x51ed, 0x0c0330, ACS_PCIE_NONE, false, false, NO_ACS);
		tfab_add(&t, "00:14.0", &c);
		f = tfab_end(&t);
		assert_int_equal(acs_groups_compute(&g, f, p), 0);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:05.0")), cases[i].ipu_g);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:02.0")), cases[i].gfx_g);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:00.0")), cases[i].host_g);
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:14.0")), cases[i].ep_g);
		acs_groups_free(g);
		acs_fabric_free(f);
	}
}

/* --- group numbers: root buses in the kernel's order --- */

/* Two root buses, 00 and 80, each a root port and an endpoint; kernel
 * numbers (where given) that put 80 first, as the real EPYC and Xeon
 * hosts do. */
static acs_fabric *two_roots(bool kernel_numbers)
{
	static const struct { const char *addr; int group; } k[] = {
		{ "00:00.0", 3 }, { "00:01.0", 4 }, { "01:00.0", 5 },
		{ "80:00.0", 0 }, { "80:01.0", 1 }, { "81:00.0", 2 },
	};
	struct tfab t;
	struct tcfg c;

	tfab_begin(&t);
	for (size_t i = 0; i < 6; i++) {
		switch (i % 3) {
		case 0:
			tcfg_make(&c, 0x8086, 0x29c0, 0x060000, ACS_PCIE_NONE, false, false, NO_ACS);
			tfab_add(&t, k[i].addr, &c);
			break;
		case 1:
			tfab_root_port(&t, k[i].addr, i < 3 ? 1 : 0x81, i < 3 ? 1 : 0x81, ACS_ON, false);
			break;
		default:
			tfab_endpoint(&t, k[i].addr, false, NO_ACS);
		}
		if (kernel_numbers)
			acs_builder_last(&t.b)->kernel_group = k[i].group;
	}
	if (kernel_numbers)
		t.b.kgroups = ACS_KGROUPS_PRESENT;
	return tfab_end(&t);
}

static void test_groups_order__root_buses(void **state)
{
	const acs_policy *p = acs_policy_find("6.12");
	acs_fabric *f;
	acs_groups *g;
	struct tfab t;

	(void)state;
	/* a dump: bus order, and the numbers past bus 00 uncertain */
	f = two_roots(false);
	assert_int_equal(acs_fabric_root_order(f), ACS_ROOT_ORDER_ASSUMED);
	assert_int_equal(acs_groups_compute(&g, f, p), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "00:00.0")), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "81:00.0")), 5);
	acs_groups_free(g);
	acs_fabric_free(f);
	/* the kernel's numbers show it probed bus 80 first */
	f = two_roots(true);
	assert_int_equal(acs_fabric_root_order(f), ACS_ROOT_ORDER_KERNEL);
	assert_int_equal(acs_groups_compute(&g, f, p), 0);
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		assert_int_equal(acs_groups_of(g, i), (size_t)acs_fabric_kernel_group(f, i));
	acs_groups_free(g);
	acs_fabric_free(f);
	/* one root bus: nothing to order */
	tfab_begin(&t);
	host_bridge(&t);
	f = tfab_end(&t);
	assert_int_equal(acs_fabric_root_order(f), ACS_ROOT_ORDER_ONE);
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_root_port__acs_isolates),
		cmocka_unit_test(test_groups_root_port__no_acs_joins_port),
		cmocka_unit_test(test_groups_root_port__each_required_bit),
		cmocka_unit_test(test_groups_root_port__missing_cap_bits_hardwired),
		cmocka_unit_test(test_groups_root_port__empty_capability),
		cmocka_unit_test(test_groups_switch__acs_everywhere),
		cmocka_unit_test(test_groups_switch__downstream_without_acs),
		cmocka_unit_test(test_groups_switch__root_port_without_acs),
		cmocka_unit_test(test_groups_switch__nested),
		cmocka_unit_test(test_groups_multifunction__endpoint_without_acs),
		cmocka_unit_test(test_groups_multifunction__endpoint_with_acs),
		cmocka_unit_test(test_groups_multifunction__mixed_acs),
		cmocka_unit_test(test_groups_multifunction__single_function),
		cmocka_unit_test(test_groups_multifunction__root_ports),
		cmocka_unit_test(test_groups_alias__pcie_to_pci_bridge),
		cmocka_unit_test(test_groups_root_bus__conventional),
		cmocka_unit_test(test_groups_unknown__marked_uncertain),
		cmocka_unit_test(test_groups_numbering__probe_order),
		cmocka_unit_test(test_groups_quirk__mf_endpoint),
		cmocka_unit_test(test_groups_quirk__intel_rciep),
		cmocka_unit_test(test_groups_sriov__vfs_from_pf),
		cmocka_unit_test(test_groups_sriov__port_without_acs),
		cmocka_unit_test(test_groups_iommu__amd_leaves_out),
		cmocka_unit_test(test_groups_iommu__only_beside_amd_iommu),
		cmocka_unit_test(test_groups_iommu__intel_units_in_registration_order),
		cmocka_unit_test(test_groups_iommu__graphics_unit_only_intel_igd),
		cmocka_unit_test(test_groups_iommu__ipu_unit_before_graphics),
		cmocka_unit_test(test_groups_order__root_buses),
	};

	return cmocka_run_group_tests_name("groups", tests, NULL, NULL);
}
