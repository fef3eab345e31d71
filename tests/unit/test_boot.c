/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Boot parameters, each syntax and each version's way of applying them. */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

/* Root ports 00:02.0 (ACS) and 00:03.0 (ACS) with endpoints; a switch
 * below 00:04.0 whose downstream ports have no ACS. Dump values are what a
 * kernel wrote; booting recomputes them from firmware (0). */
static acs_fabric *fabric(void)
{
	struct tfab t;

	tfab_begin(&t);
	tfab_root_port(&t, "00:02.0", 1, 1, 0x001d, false);
	tfab_root_port(&t, "00:03.0", 2, 2, 0x001d, false);
	tfab_root_port(&t, "00:04.0", 3, 6, 0x001d, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	tfab_upstream(&t, "03:00.0", 4, 6);
	tfab_downstream(&t, "04:00.0", 5, 5, NO_ACS);
	tfab_downstream(&t, "04:01.0", 6, 6, NO_ACS);
	tfab_endpoint(&t, "05:00.0", false, NO_ACS);
	tfab_endpoint(&t, "06:00.0", false, NO_ACS);
	return tfab_end(&t);
}

static acs_boot *boot(const acs_fabric *f, const char *kernel, const char *cmdline,
		      uint16_t fw_0200)
{
	acs_boot_opts o = ACS_BOOT_OPTS_INIT;
	struct acs_ctrl_change fw = { 0, fw_0200 };
	acs_boot *b = NULL;

	o.cmdline = cmdline;
	o.firmware = &fw;
	o.nfirmware = 1;
	if (acs_boot_simulate(&b, f, acs_policy_find(kernel), &o))
		fail_msg("%s", acs_error_last()->message);
	return b;
}

static unsigned ctrl_of(const acs_boot *b, unsigned bus, unsigned dev)
{
	return acs_fabric_find(acs_boot_fabric(b), 0, (uint8_t)bus, (uint8_t)dev, 0)->acs_ctrl;
}

static bool has_note(const acs_boot *b, const char *what)
{
	const char *const *n;
	size_t k = acs_boot_notes(b, &n);

	for (size_t i = 0; i < k; i++)
		if (strstr(n[i], what))
			return true;
	return false;
}

static void expect_error(const acs_fabric *f, const char *kernel, const char *cmdline,
			 const char *what)
{
	acs_boot_opts o = ACS_BOOT_OPTS_INIT;
	acs_boot *b = NULL;

	o.cmdline = cmdline;
	assert_int_equal(acs_boot_simulate(&b, f, acs_policy_find(kernel), &o), ACS_EPARSE);
	if (!strstr(acs_error_last()->message, what))
		fail_msg("'%s' lacks '%s'", acs_error_last()->message, what);
}

static void test_boot_enable__kernel_default(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b = boot(f, "6.12", "quiet", 0);

	(void)state;
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	b = boot(f, "6.12", "pci=noats", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x1f);   /* TB too */
	acs_boot_free(b);
	acs_fabric_free(f);
}

/* 6.1 clears RR/CR/EC of what it enabled; 6.12 starts from firmware. */
static void test_boot_disable_acs_redir__per_version(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b;

	(void)state;
	b = boot(f, "6.1", "pci=disable_acs_redir=0000:00:02.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x11);
	assert_int_equal(ctrl_of(b, 0, 3), 0x1d);
	assert_partition(acs_boot_fabric(b), "6.1",
		"00:02.0 01:00.0 | 00:03.0 | 00:04.0 | 02:00.0 | 03:00.0 | 04:00.0 05:00.0 | 04:01.0 06:00.0");
	acs_boot_free(b);
	b = boot(f, "6.12", "pci=disable_acs_redir=0000:00:02.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_true(has_note(b, "firmware"));
	acs_boot_free(b);
	b = boot(f, "6.12", "pci=disable_acs_redir=00:02.0", 0x1d);
	assert_int_equal(ctrl_of(b, 0, 2), 0x11);
	acs_boot_free(b);
	acs_fabric_free(f);
}

static void test_boot_config_acs__flags(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b;

	(void)state;
	/* rightmost character is bit 0 (SrcValid) */
	b = boot(f, "6.12", "pci=config_acs=10101@0000:00:02.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x15);
	acs_boot_free(b);
	/* x keeps the firmware bit, not the kernel's: measured 0x0000 in the VM */
	b = boot(f, "6.12", "pci=config_acs=0xxxx@0000:00:02.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	acs_boot_free(b);
	b = boot(f, "6.12", "pci=config_acs=0xxxx@0000:00:02.0", 0x1d);
	assert_int_equal(ctrl_of(b, 0, 2), 0x0d);
	acs_boot_free(b);
	/* several devices, ';' between */
	b = boot(f, "6.12", "pci=config_acs=11101@0000:00:02.0;00101@00:03.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	assert_int_equal(ctrl_of(b, 0, 3), 0x05);
	acs_boot_free(b);
	/* the first entry naming a device wins */
	b = boot(f, "6.12", "pci=config_acs=1@00:03.0;0@00:03.0", 0);
	assert_int_equal(ctrl_of(b, 0, 3), 0x01);
	acs_boot_free(b);
	acs_fabric_free(f);
}

static void test_boot_config_acs__absent_before_6_11(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b = boot(f, "6.1", "pci=config_acs=00000@0000:00:02.0", 0);

	(void)state;
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	assert_true(has_note(b, "6.11"));
	acs_boot_free(b);
	acs_fabric_free(f);
}

static void test_boot_selectors__forms(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b;

	(void)state;
	/* path form: the port below 03:00.0, named from the root port */
	b = boot(f, "6.12", "pci=config_acs=1@0000:00:04.0/00.0/00.0", 0);
	assert_int_equal(ctrl_of(b, 0, 4), 0x1d);   /* no ACS cap: unchanged */
	assert_true(has_note(b, "no ACS capability"));
	acs_boot_free(b);
	b = boot(f, "6.12", "pci=config_acs=1@00:04.0", 0);
	assert_int_equal(ctrl_of(b, 0, 4), 0x01);
	acs_boot_free(b);
	/* a path whose upper element is wrong names nothing */
	b = boot(f, "6.12", "pci=config_acs=1@0000:00:03.0/00.0", 0);
	assert_int_equal(ctrl_of(b, 0, 3), 0x1d);
	acs_boot_free(b);
	/* IDs: every port here is 1b36:000c */
	b = boot(f, "6.12", "pci=config_acs=1@pci:1b36:000c", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x01);
	assert_int_equal(ctrl_of(b, 0, 3), 0x01);
	acs_boot_free(b);
	b = boot(f, "6.12", "pci=config_acs=1@pci:8086:000c", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	/* ',' ends the pci= option: the second device is not a device */
	b = boot(f, "6.1", "pci=disable_acs_redir=0000:00:02.0,0000:00:03.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x11);
	assert_int_equal(ctrl_of(b, 0, 3), 0x1d);
	assert_true(has_note(b, "separate devices with ';'"));
	acs_boot_free(b);
	/* the last pci=disable_acs_redir= wins */
	b = boot(f, "6.1", "pci=disable_acs_redir=00:02.0 pci=disable_acs_redir=00:03.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	assert_int_equal(ctrl_of(b, 0, 3), 0x11);
	acs_boot_free(b);
	acs_fabric_free(f);
}

static void test_boot_bad__named_parts(void **state)
{
	acs_fabric *f = fabric();

	(void)state;
	expect_error(f, "6.12", "pci=config_acs=1021@00:02.0", "invalid ACS flags '1021'");
	expect_error(f, "6.12", "pci=config_acs=10000000@00:02.0", "above DirectTrans");
	expect_error(f, "6.12", "pci=config_acs=00:02.0", "no FLAGS@");
	expect_error(f, "6.12", "pci=disable_acs_redir=00:2", "cannot parse device '00:2'");
	expect_error(f, "6.12", "pci=disable_acs_redir=pci:zz", "pci:zz");
	expect_error(f, "6.12", "pci=disable_acs_redir=00:02.0/0x", "/0x");
	expect_error(f, "6.12", "pcie_acs_override=sideways", "sideways");
	acs_fabric_free(f);
}

/* The override changes beliefs, not hardware, and never for functions that
 * have an ACS capability. */
static void test_boot_override__beliefs(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b = boot(f, "6.12", "pcie_acs_override=downstream,multifunction", 0);

	(void)state;
	assert_true(acs_boot_overridden(b));
	/* every function alone: the downstream ports now "isolate" */
	{
		acs_groups *g;

		assert_int_equal(acs_groups_compute(&g, acs_boot_fabric(b), acs_boot_policy(b)), 0);
		assert_int_equal(acs_groups_count(g), 10);
		acs_groups_free(g);
	}
	assert_true(has_note(b, "not real isolation"));
	acs_boot_free(b);
	/* without it, the switch's ports keep their endpoints */
	assert_partition(f, "6.12",
		"00:02.0 | 00:03.0 | 00:04.0 | 01:00.0 | 02:00.0 | 03:00.0 | 04:00.0 05:00.0 | 04:01.0 06:00.0");
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_enable__kernel_default),
		cmocka_unit_test(test_boot_disable_acs_redir__per_version),
		cmocka_unit_test(test_boot_config_acs__flags),
		cmocka_unit_test(test_boot_config_acs__absent_before_6_11),
		cmocka_unit_test(test_boot_selectors__forms),
		cmocka_unit_test(test_boot_bad__named_parts),
		cmocka_unit_test(test_boot_override__beliefs),
	};

	return cmocka_run_group_tests_name("boot", tests, NULL, NULL);
}
