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

/* A warning whose message holds `what` and whose ignored part is `part`
 * (NULL: any). */
static bool has_warning(const acs_boot *b, const char *what, const char *part)
{
	for (size_t i = 0; i < acs_boot_warning_count(b); i++) {
		acs_boot_warning w;

		assert_int_equal(acs_boot_warning_at(b, i, &w), 0);
		if (strstr(w.message, what) && (!part || strcmp(w.ignored, part) == 0))
			return true;
	}
	return false;
}

static void show_warnings(const acs_boot *b)
{
	for (size_t i = 0; i < acs_boot_warning_count(b); i++) {
		acs_boot_warning w;

		acs_boot_warning_at(b, i, &w);
		print_message("  warning: %s [ignored '%s']\n", w.message, w.ignored);
	}
}

/* The kernel boots with a malformed value: so does the simulation, and
 * it warns about the part the kernel ignores. */
static acs_boot *lenient(const acs_fabric *f, const char *kernel, const char *cmdline,
			 const char *what, const char *part)
{
	acs_boot *b = boot(f, kernel, cmdline, 0);

	if (!has_warning(b, what, part)) {
		show_warnings(b);
		fail_msg("%s on %s: no warning with '%s' ignoring '%s'", cmdline, kernel, what,
			 part ? part : "(any)");
	}
	return b;
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
	assert_true(has_warning(b, "first appeared in Linux 6.11", "config_acs=00000@0000:00:02.0"));
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
	assert_true(has_warning(b, "separate devices with ';'", "0000:00:03.0"));
	acs_boot_free(b);
	/* the last pci=disable_acs_redir= wins */
	b = boot(f, "6.1", "pci=disable_acs_redir=00:02.0 pci=disable_acs_redir=00:03.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	assert_int_equal(ctrl_of(b, 0, 3), 0x11);
	acs_boot_free(b);
	acs_fabric_free(f);
}

/* A bad value: the kernel keeps what it read before the bad part. */
static void test_boot_bad__kernel_keeps_the_rest(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b;

	(void)state;
	/* a leading '@' on disable_acs_redir: nothing parses, nothing changes */
	b = lenient(f, "6.1", "pci=disable_acs_redir=@pci:1b36:000c",
		    "Can't parse disable_acs_redir parameter: @pci:1b36:000c", "@pci:1b36:000c");
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	b = lenient(f, "6.12", "pci=disable_acs_redir=@pci:1b36:000c",
		    "Can't parse ACS command line parameter", "@pci:1b36:000c");
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	/* ... on config_acs it is empty flags: the firmware's value */
	b = lenient(f, "6.12", "pci=config_acs=@pci:1b36:000c", "no flags before '@'", NULL);
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_int_equal(ctrl_of(b, 0, 3), 0x00);
	acs_boot_free(b);
	/* an entry the kernel cannot parse between good ones: the first
	 * still applies, the last does not */
	b = lenient(f, "6.1", "pci=disable_acs_redir=00:02.0;zz;00:03.0", "still configured", "zz;00:03.0");
	assert_int_equal(ctrl_of(b, 0, 2), 0x11);
	assert_int_equal(ctrl_of(b, 0, 3), 0x1d);
	acs_boot_free(b);
	b = lenient(f, "6.12", "pci=disable_acs_redir=00:02.0;;00:03.0", "an empty entry", ";00:03.0");
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_int_equal(ctrl_of(b, 0, 3), 0x1d);
	acs_boot_free(b);
	b = lenient(f, "6.12", "pci=disable_acs_redir=00:2", "not a device", "00:2");
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	acs_fabric_free(f);
}

static void test_boot_bad__config_acs_flags(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b;

	(void)state;
	/* a flag that is not 0, 1, x: nothing from there on */
	b = lenient(f, "6.12", "pci=config_acs=00000@00:02.0;1y1@00:03.0;00000@00:04.0",
		    "Invalid ACS flags... Ignoring", "1y1@00:03.0;00000@00:04.0");
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_int_equal(ctrl_of(b, 0, 3), 0x1d);
	assert_int_equal(ctrl_of(b, 0, 4), 0x1d);
	acs_boot_free(b);
	/* eight flags: bit 7 refused, an 'x' there is fine */
	b = lenient(f, "6.12", "pci=config_acs=10000000@00:02.0", "Invalid ACS flags specified", NULL);
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	b = boot(f, "6.12", "pci=config_acs=xx0000000@00:02.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_int_equal(acs_boot_warning_count(b), 0);
	acs_boot_free(b);
	/* no '@' at all, or none in a later entry */
	b = lenient(f, "6.12", "pci=config_acs=00:02.0", "ACS Flags missing", "00:02.0");
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	b = lenient(f, "6.12", "pci=config_acs=00000@00:02.0;00:03.0", "ACS Flags missing", "00:03.0");
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_int_equal(ctrl_of(b, 0, 3), 0x1d);
	acs_boot_free(b);
	/* the same device twice: the first entry wins, the second is named */
	b = lenient(f, "6.12", "pci=config_acs=1@00:03.0;0@00:03.0", "names 0000:00:03.0 again", "0@00:03.0");
	assert_int_equal(ctrl_of(b, 0, 3), 0x01);
	acs_boot_free(b);
	acs_fabric_free(f);
}

/* pci_dev_str_match() as written: IDs stop the walk at trailing text,
 * PCI_DEVFN() keeps the low bits, a path element is checked only by
 * functions that get that far. */
static void test_boot_bad__selectors(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b;

	(void)state;
	b = lenient(f, "6.12", "pci=disable_acs_redir=pci:8086:1234junk;00:02.0", "it prints nothing", "junk;00:02.0");
	assert_int_equal(ctrl_of(b, 0, 2), 0x1d);
	acs_boot_free(b);
	/* where the IDs name every ACS function, the rest matters to none */
	b = boot(f, "6.12", "pci=disable_acs_redir=pci:1b36:000cjunk;00:02.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_int_equal(acs_boot_warning_count(b), 0);
	acs_boot_free(b);
	b = lenient(f, "6.1", "pci=disable_acs_redir=00:23.0", "read as 03.0", NULL);
	assert_int_equal(ctrl_of(b, 0, 3), 0x11);
	acs_boot_free(b);
	/* zz/00.0 is a parse error only for functions at 00.0; 00:02.0 is at
	 * 02.0, so it reads on and finds itself */
	b = boot(f, "6.12", "pci=disable_acs_redir=zz/00.0;00:02.0", 0);
	assert_int_equal(ctrl_of(b, 0, 2), 0x00);
	assert_int_equal(acs_boot_warning_count(b), 0);   /* no ACS function at 00.0 */
	acs_boot_free(b);
	b = lenient(f, "6.1", "pci=disable_acs_redir=zz/00.0;00:02.0", "Can't parse", NULL);
	assert_int_equal(ctrl_of(b, 0, 2), 0x11);
	acs_boot_free(b);
	/* options the kernel does not know */
	b = lenient(f, "6.12", "pci=noats=1", "read as noats", "noats=1");
	assert_int_equal(ctrl_of(b, 0, 2), 0x1f);   /* TB: strncmp(str, "noats", 5) */
	acs_boot_free(b);
	b = lenient(f, "6.1", "pci=disable_acs_redir", "Unknown option", "disable_acs_redir");
	acs_boot_free(b);
	acs_fabric_free(f);
}

/* pcie_acs_override_setup() of the patch: prefixes, silence, ids. */
static void test_boot_bad__override(void **state)
{
	acs_fabric *f = fabric();
	acs_boot *b;

	(void)state;
	b = lenient(f, "6.12", "pcie_acs_override=sideways,downstream", "without a message", "sideways");
	assert_true(acs_boot_overridden(b));
	acs_boot_free(b);
	b = lenient(f, "6.12", "pcie_acs_override=sideways", "without a message", "sideways");
	assert_false(acs_boot_overridden(b));
	acs_boot_free(b);
	b = lenient(f, "6.12", "pcie_acs_override=downstreams", "read as downstream", "downstreams");
	assert_true(acs_boot_overridden(b));
	acs_boot_free(b);
	b = lenient(f, "6.12", "pcie_acs_override=id:86:10d3", "ID parse error -22", "id:86:10d3");
	assert_false(acs_boot_overridden(b));
	acs_boot_free(b);
	/* the device ID is looked for past the ',': downstream is skipped */
	b = lenient(f, "6.12", "pcie_acs_override=id:8086,downstream", "invalid ID", "id:8086,downstream");
	assert_false(acs_boot_overridden(b));
	acs_boot_free(b);
	b = lenient(f, "6.12", "pcie_acs_override=id:8086,id:1b36:000c", "read as id:8086:1b36", NULL);
	acs_boot_free(b);
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

/* An Intel Sunrise Point root port (8086:a110) whose ACS capability
 * dword is 0x0000005f and whose control dword (capability + 8) reads
 * spt; an endpoint below. */
static acs_fabric *spt_fabric(uint16_t spt)
{
	struct tfab t;
	struct tcfg c;

	tfab_begin(&t);
	tcfg_make(&c, 0x8086, 0xa110, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0);
	tcfg_buses(&c, 0, 1, 1);
	c.b[0x108] = (uint8_t)spt;
	c.b[0x109] = (uint8_t)(spt >> 8);
	c.b[0x10a] = 0xa5;                   /* the dword's upper half: kept */
	tfab_add(&t, "00:1c.0", &c);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	return tfab_end(&t);
}

static unsigned spt_after(const char *kernel, const char *cmdline, uint16_t fw, bool *isolated)
{
	acs_fabric *f = spt_fabric(0);
	acs_boot *b = boot(f, kernel, cmdline, fw);
	const struct acs_func *rp = acs_fabric_find(acs_boot_fabric(b), 0, 0, 0x1c, 0);
	unsigned v = acs_func_cfg16(rp, 0x108);

	/* the standard control word (the capability's upper half) is not
	 * written, and the dword's upper half is kept */
	assert_int_equal(rp->acs_ctrl, 0);
	assert_int_equal(acs_func_cfg16(rp, 0x10a), 0xa5);
	if (isolated)
		*isolated = acs_policy_acs_enabled(acs_boot_policy(b), acs_boot_fabric(b), rp,
						   ACS_REQ_FLAGS) == ACS_YES;
	acs_boot_free(b);
	acs_fabric_free(f);
	return v;
}

/* pci_quirk_enable_intel_spt_pch_acs() and
 * pci_quirk_disable_intel_spt_pch_acs_redir(): the boot writes the SPT
 * control dword, not the standard word, in every version. */
static void test_boot_intel_spt__writes_at_plus_8(void **state)
{
	bool iso = false;

	(void)state;
	/* the enabling: SV RR CR UF of the capability, the port isolates */
	assert_int_equal(spt_after("6.12", "", 0, &iso), 0x001d);
	assert_true(iso);
	assert_int_equal(spt_after("6.1", "", 0, &iso), 0x001d);
	assert_true(iso);
	/* never TB, even with pci=noats (a standard port gets it) */
	assert_int_equal(spt_after("6.12", "pci=noats", 0, NULL), 0x001d);
	/* firmware's bits stay: the quirk ORs into the dword */
	assert_int_equal(spt_after("6.12", "", 0x0002, NULL), 0x001f);
	/* disable_acs_redir: RR CR EC cleared after the enabling; SV and UF
	 * stay on 6.12 as on 6.1 (a standard port on 6.12 starts from
	 * firmware and loses them) */
	assert_int_equal(spt_after("6.12", "pci=disable_acs_redir=0000:00:1c.0", 0, &iso), 0x0011);
	assert_false(iso);
	assert_int_equal(spt_after("6.1", "pci=disable_acs_redir=0000:00:1c.0", 0, &iso), 0x0011);
	assert_false(iso);
	assert_int_equal(spt_after("5.4", "pci=disable_acs_redir=pci:8086:a110", 0x0002, NULL), 0x0013);
	/* config_acs (6.11 on): the same redirect quirk, the flags ignored */
	assert_int_equal(spt_after("6.12", "pci=config_acs=1111111@0000:00:1c.0", 0, &iso), 0x0011);
	assert_false(iso);
	assert_int_equal(spt_after("6.11", "pci=config_acs=0000000@0000:00:1c.0", 0, NULL), 0x0011);
	{
		acs_fabric *f = spt_fabric(0);
		acs_boot *b = boot(f, "6.12", "pci=config_acs=1111111@0000:00:1c.0", 0);

		assert_true(has_note(b, "Intel SPT root port"));
		assert_true(has_note(b, "ignores the flags given"));
		acs_boot_free(b);
		acs_fabric_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_enable__kernel_default),
		cmocka_unit_test(test_boot_disable_acs_redir__per_version),
		cmocka_unit_test(test_boot_config_acs__flags),
		cmocka_unit_test(test_boot_config_acs__absent_before_6_11),
		cmocka_unit_test(test_boot_selectors__forms),
		cmocka_unit_test(test_boot_bad__kernel_keeps_the_rest),
		cmocka_unit_test(test_boot_bad__config_acs_flags),
		cmocka_unit_test(test_boot_bad__selectors),
		cmocka_unit_test(test_boot_bad__override),
		cmocka_unit_test(test_boot_override__beliefs),
		cmocka_unit_test(test_boot_intel_spt__writes_at_plus_8),
	};

	return cmocka_run_group_tests_name("boot", tests, NULL, NULL);
}
