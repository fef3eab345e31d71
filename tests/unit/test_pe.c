/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PE assignment, as pci-ioda.c does it, and the other policies. */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

static size_t idx(const acs_fabric *f, const char *a)
{
	unsigned dom, bus, dev, fn;

	assert_int_equal(sscanf(a, "%x:%x:%x.%u", &dom, &bus, &dev, &fn), 4);
	return acs_fabric_index(f, acs_fabric_find(f, dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn));
}

static unsigned pe_number(const acs_pe_table *t, const acs_fabric *f, const char *a)
{
	long k = acs_pe_of(t, idx(f, a));

	assert_true(k >= 0);
	return acs_pe_at(t, (size_t)k)->number;
}

/* A PHB: root port, a switch with an NVMe and a PCIe-to-PCI bridge with
 * two conventional devices and a PCI bridge behind; a second PHB. */
static acs_fabric *phbs(void)
{
	struct tfab t;

	tfab_begin(&t);
	tfab_root_port(&t, "0000:00:00.0", 1, 6, 0x1d, false);
	tfab_upstream(&t, "0000:01:00.0", 2, 6);
	tfab_downstream(&t, "0000:02:00.0", 3, 3, NO_ACS);
	tfab_downstream(&t, "0000:02:01.0", 4, 6, NO_ACS);
	tfab_endpoint(&t, "0000:03:00.0", false, NO_ACS);
	tfab_pcie_to_pci(&t, "0000:04:00.0", 5, 6);
	tfab_pci_device(&t, "0000:05:01.0", false);
	tfab_pci_bridge(&t, "0000:05:02.0", 6, 6);
	tfab_pci_device(&t, "0000:06:01.0", false);
	tfab_root_port(&t, "0001:00:00.0", 1, 1, 0x1d, false);
	tfab_endpoint(&t, "0001:01:00.0", true, NO_ACS);
	tfab_endpoint(&t, "0001:01:00.1", true, NO_ACS);
	return tfab_end(&t);
}

static void test_pe_bus__linux_rules(void **state)
{
	acs_fabric *f = phbs();
	acs_pe_table *t = NULL;
	acs_groups *g = NULL;

	(void)state;
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("powernv8"), ACS_PE_BUS), 0);
	/* the root bus next to the reserved PE 255, then from the top down */
	assert_int_equal(pe_number(t, f, "0000:00:00.0"), 254);
	assert_int_equal(pe_number(t, f, "0000:01:00.0"), 253);
	assert_int_equal(pe_number(t, f, "0000:02:00.0"), 252);
	assert_int_equal(pe_number(t, f, "0000:02:01.0"), 252);
	assert_int_equal(pe_number(t, f, "0000:03:00.0"), 251);
	assert_int_equal(pe_number(t, f, "0000:04:00.0"), 250);
	/* below the PCIe-to-PCI bridge: one PE for buses 05-06 */
	assert_int_equal(pe_number(t, f, "0000:05:01.0"), 249);
	assert_int_equal(pe_number(t, f, "0000:05:02.0"), 249);
	assert_int_equal(pe_number(t, f, "0000:06:01.0"), 249);
	assert_true(acs_pe_at(t, (size_t)acs_pe_of(t, idx(f, "0000:06:01.0")))->all);
	/* every PHB has its own numbers */
	assert_int_equal(pe_number(t, f, "0001:00:00.0"), 254);
	assert_int_equal(pe_number(t, f, "0001:01:00.1"), 253);
	/* groups: one per PE that does DMA; bridges alone get none */
	assert_int_equal(acs_pe_groups(&g, t, f), 0);
	assert_int_equal(acs_groups_of(g, idx(f, "0000:01:00.0")), ACS_NO_GROUP);
	assert_int_equal(acs_groups_of(g, idx(f, "0000:05:01.0")), acs_groups_of(g, idx(f, "0000:06:01.0")));
	assert_int_equal(acs_groups_of(g, idx(f, "0001:01:00.0")), acs_groups_of(g, idx(f, "0001:01:00.1")));
	assert_int_not_equal(acs_groups_of(g, idx(f, "0000:03:00.0")), acs_groups_of(g, idx(f, "0000:05:01.0")));
	acs_groups_free(g);
	acs_pe_free(t);
	acs_fabric_free(f);
}

static void test_pe_slot__whole_root_port(void **state)
{
	acs_fabric *f = phbs();
	acs_pe_table *t = NULL;

	(void)state;
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("phb3"), ACS_PE_SLOT), 0);
	assert_int_equal(pe_number(t, f, "0000:03:00.0"), pe_number(t, f, "0000:06:01.0"));
	assert_int_equal(pe_number(t, f, "0000:01:00.0"), pe_number(t, f, "0000:03:00.0"));
	assert_int_not_equal(pe_number(t, f, "0000:00:00.0"), pe_number(t, f, "0000:03:00.0"));
	acs_pe_free(t);
	acs_fabric_free(f);
}

/* device: a PE per function where the functions are isolated */
static void test_pe_device__isolated_functions(void **state)
{
	struct tfab tf;
	acs_fabric *f;
	acs_pe_table *t = NULL;

	(void)state;
	tfab_begin(&tf);
	tfab_root_port(&tf, "0000:00:00.0", 1, 2, 0x1d, false);
	tfab_endpoint(&tf, "0000:01:00.0", true, 0x1d);
	tfab_endpoint(&tf, "0000:01:00.1", true, 0x1d);
	f = tfab_end(&tf);
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("phb4"), ACS_PE_DEVICE), 0);
	assert_int_not_equal(pe_number(t, f, "0000:01:00.0"), pe_number(t, f, "0000:01:00.1"));
	acs_pe_free(t);
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("phb4"), ACS_PE_BUS), 0);
	assert_int_equal(pe_number(t, f, "0000:01:00.0"), pe_number(t, f, "0000:01:00.1"));
	acs_pe_free(t);
	acs_fabric_free(f);
}

/* A PHB runs out of PEs: the error names it. */
static void test_pe_bus__out_of_pes(void **state)
{
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *f = NULL;
	acs_pe_table *t = NULL;

	(void)state;
	o.functions = 2000;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("p7ioc"), ACS_PE_BUS), ACS_EINVAL);
	assert_non_null(strstr(acs_error_last()->message, "out of PEs"));
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("phb4"), ACS_PE_BUS), 0);
	acs_pe_free(t);
	acs_fabric_free(f);
	assert_null(acs_platform_find("power11"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe_bus__linux_rules),
		cmocka_unit_test(test_pe_slot__whole_root_port),
		cmocka_unit_test(test_pe_device__isolated_functions),
		cmocka_unit_test(test_pe_bus__out_of_pes),
	};

	return cmocka_run_group_tests_name("pe", tests, NULL, NULL);
}
