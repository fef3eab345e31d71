/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel quirks: each ACS family of pci_dev_acs_enabled[], the DMA alias
 * quirks, and the versions each holds for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfab.h"
#include "policy/policy-internal.h"

#define ACS_ON 0x001d   /* SV RR CR UF */

static const acs_policy *P(const char *version)
{
	const acs_policy *p = acs_policy_find(version);

	assert_non_null(p);
	return p;
}

/* The quirk's answer for REQ_ACS_FLAGS: ACS_YES/ACS_NO, or -1 for none;
 * *name gets the kernel function. */
static int quirk(const char *kernel, const acs_fabric *f, const char *addr,
		 const char **name)
{
	const char *n = NULL;
	int r = acs_policy_quirk(P(kernel), tfab_func(f, addr), ACS_REQ_FLAGS, &n);

	if (name)
		*name = r >= 0 ? n : NULL;
	return r;
}

static void func(struct tfab *t, const char *addr, uint16_t vendor,
		 uint16_t device, uint32_t cls, int type, bool mf, int acs)
{
	struct tcfg c;

	tcfg_make(&c, vendor, device, cls, type, false, mf, acs);
	tfab_add(t, addr, &c);
}

static void bridge(struct tfab *t, const char *addr, uint16_t vendor,
		   uint16_t device, int type, uint8_t sec, uint8_t sub, int acs,
		   bool mf)
{
	struct tcfg c;
	unsigned bus, dev, fn;

	assert_int_equal(sscanf(addr, "%x:%x.%u", &bus, &dev, &fn), 3);
	tcfg_make(&c, vendor, device, 0x060400, type, true, mf, acs);
	tcfg_buses(&c, (uint8_t)bus, sec, sub);
	tfab_add(t, addr, &c);
}

/* A root port with ACS and, on its bus, a two-function endpoint without
 * an ACS capability. */
static acs_fabric *mf_behind_port(uint16_t vendor, uint16_t device)
{
	struct tfab t;

	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	func(&t, "01:00.0", vendor, device, 0x020000, ACS_PCIE_ENDPOINT, true, NO_ACS);
	func(&t, "01:00.1", vendor, device, 0x020000, ACS_PCIE_ENDPOINT, true, NO_ACS);
	return tfab_end(&t);
}

/* --- version filtering --- */

static void test_quirks_version__filter(void **state)
{
	(void)state;
	/* before 5.4: everywhere */
	assert_true(acs_policy__has(P("5.4"), ACS_KV_OLDEST, 0, 0));
	/* mainline only */
	assert_false(acs_policy__has(P("6.12"), ACS_KV(7, 0), 0, 0));
	assert_true(acs_policy__has(P("7.2"), ACS_KV(7, 0), 0, 0));
	/* backported to every maintained series, not to those that ended */
	assert_true(acs_policy__has(P("6.12"), ACS_KV(7, 0), 0, ACS_KV_ALL_STABLE));
	assert_true(acs_policy__has(P("5.10"), ACS_KV(7, 0), 0, ACS_KV_ALL_STABLE));
	assert_false(acs_policy__has(P("5.4"), ACS_KV(7, 0), 0, ACS_KV_ALL_STABLE));
	assert_true(acs_policy__has(P("5.4"), ACS_KV(6, 16), 0, ACS_KV_ALL_STABLE));
	assert_false(acs_policy__has(P("6.8"), ACS_KV(6, 10), 0, ACS_KV_ALL_STABLE));
	assert_true(acs_policy__has(P("6.8"), ACS_KV(6, 9), 0, ACS_KV_ALL_STABLE));
	/* backported only from a series on */
	assert_false(acs_policy__has(P("5.4"), ACS_KV(6, 8), 0, ACS_KV(5, 10)));
	assert_true(acs_policy__has(P("5.10"), ACS_KV(6, 8), 0, ACS_KV(5, 10)));
	/* removed */
	assert_false(acs_policy__has(P("6.12"), ACS_KV_OLDEST, ACS_KV(6, 12), 0));
	assert_true(acs_policy__has(P("6.8"), ACS_KV_OLDEST, ACS_KV(6, 12), 0));
}

/* Every form a kernel version comes in, and the version it resolves to. */
static void test_quirks_version__forms(void **state)
{
	static const struct { const char *in, *name; } forms[] = {
		{ "5.13", "5.13" },                  /* a series */
		{ "linux-6.1", "6.1" },
		{ "6.10.14", "6.10.14" },            /* a stable point release */
		{ "6.10.0", "6.10.0" },              /* a mainline release */
		{ "6.10.0+", "6.10.0" },             /* a git build of it */
		{ "7.3-rc4", "7.3-rc4" },            /* a release candidate */
		{ "7.3.0-rc4", "7.3-rc4" },          /* as uname -r has it */
		{ "7.3-rc4-00012-gabcdef", "7.3-rc4" },
		{ "5.13.19-6-pve", "5.13.19" },      /* Proxmox */
		{ "6.8.12-4-pve", "6.8.12" },
		{ "6.8.0-45-generic", "6.8" },       /* Ubuntu: X.Y.0-ABI */
		{ "5.15.0-91-generic", "5.15" },
		{ "6.1.0-22-amd64", "6.1" },         /* Debian */
		{ "6.12.57+deb12-amd64", "6.12.57" },
		{ "6.10.14-200.fc40.x86_64", "6.10.14" },
		{ "4.19.325", "4.19.325" },          /* older than the tables */
		{ "7.4", "7.4" },                    /* newer than the tables */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const acs_policy *p = P(forms[i].in);

		assert_string_equal(acs_policy_name(p), forms[i].name);
		/* the name is a version of its own, with the same rules */
		assert_int_equal(P(acs_policy_name(p))->backports, p->backports);
	}
	/* one policy per version: the same pointer, nothing to free */
	assert_ptr_equal(P("6.10.14"), P("6.10.14-arch1-1"));
	assert_ptr_equal(P("7.2"), acs_policy_default());
	assert_string_equal(acs_policy_name(acs_policy_default()), "7.2");
	/* what was assumed of a distribution's X.Y.0 is said */
	assert_non_null(strstr(acs_policy_note(P("6.8.0-45-generic")), "6.8.y stable backports"));
	assert_null(acs_policy_note(P("6.8.12-4-pve")));
	assert_null(acs_policy_note(P("6.8")));
}

static void test_quirks_version__garbage(void **state)
{
	static const char *const bad[] = {
		"banana", "6", "99999.1", "6.", ".6", "6.1x", "6.1.", "6.1.2.3",
		"6.1-", "6.1 foo", "-6.1", "+6.1", " 6.1", "6.1-rc", "6.1-rc0",
		"0.1", "6.256", "6.1.99999", "linux-", "", "6..1", "6.1-rc4 x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(acs_policy_find(bad[i]));
		assert_int_equal(acs_error_last()->code, ACS_EINVAL);
		assert_non_null(strstr(acs_error_last()->message, "not a kernel version"));
	}
	assert_null(acs_policy_find(NULL));
}

/* A rule first in mainline 6.11, never backported: in 6.11 and every
 * release after, in none before (the .0, an -rc, a point release). */
static void test_quirks_version__mainline_rule(void **state)
{
	static const char *const in[] = {
		"6.11", "6.11.0", "6.11.3", "6.11-rc1", "6.12.117", "7.3-rc4",
	};
	static const char *const out[] = {
		"6.10", "6.10.0", "6.10.14", "6.10-rc7", "6.1.192", "5.13.19-6-pve",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_true(acs_policy__has(P(in[i]), ACS_KV(6, 11), 0, 0));
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		assert_false(acs_policy__has(P(out[i]), ACS_KV(6, 11), 0, 0));
}

/*
 * A rule first in mainline 6.16 and backported to every stable series
 * (Loongson): in a series' point releases while the series was maintained
 * when 6.16 came; never in a .0 or an -rc, which stable does not touch.
 */
static void test_quirks_version__backported_rule(void **state)
{
	static const char *const in[] = {
		"6.16.0", "6.15.3",      /* 6.15.y took 6.16's fixes, then ended */
		"6.12.117", "6.12", "6.12.1", "6.1.192", "5.4.302",
		"6.12.0-31-generic",     /* a distribution's 6.12.0: as 6.12.y */
	};
	static const char *const out[] = {
		"6.12.0", "6.15.0", "6.15-rc2",   /* mainline before 6.16 */
		"6.13.5", "6.14.11",     /* ended before 6.16 */
		"6.8.12-4-pve", "5.13.19-6-pve",
		"4.19.325",              /* the oldest tables know 5.4 on */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_true(acs_policy__has(P(in[i]), ACS_KV(6, 16), 0, ACS_KV_ALL_STABLE));
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		assert_false(acs_policy__has(P(out[i]), ACS_KV(6, 16), 0, ACS_KV_ALL_STABLE));
	/* the 5.4.y that ended in 2025 took no 7.0 rule; 5.10.y did */
	assert_false(acs_policy__has(P("5.4.302"), ACS_KV(7, 0), 0, ACS_KV_ALL_STABLE));
	assert_true(acs_policy__has(P("5.10.262"), ACS_KV(7, 0), 0, ACS_KV_ALL_STABLE));
}

/* The modelled range, 5.4 to 7.3-rc7: outside it a warning says what the
 * prediction assumed; inside none. */
static void test_quirks_version__range(void **state)
{
	static const char *const inside[] = {
		"5.4", "5.4.0", "5.13.19-6-pve", "6.10.14", "7.2.13", "7.3-rc4", "7.3-rc7",
	};
	const char *oldest, *newest;

	(void)state;
	acs_policy_range(&oldest, &newest);
	assert_string_equal(oldest, "5.4");
	assert_string_equal(newest, "7.3-rc7");
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		assert_null(acs_policy_warning(P(inside[i])));
	assert_non_null(strstr(acs_policy_warning(P("4.19.325")), "4.19.325 is older than 5.4"));
	assert_non_null(strstr(acs_policy_warning(P("3.10.0-1160.el7.x86_64")), "older than 5.4"));
	assert_non_null(strstr(acs_policy_warning(P("7.3-rc8")), "newer than 7.3-rc7"));
	assert_non_null(strstr(acs_policy_warning(P("7.3")), "newer than 7.3-rc7"));
	assert_non_null(strstr(acs_policy_warning(P("8.0.1")), "Linux 8.0.1 is newer"));
}

/* Broadcom BCM5760X (6.11, backported): through the group predictor. */
static void test_quirks_version__bcm5760x_point_releases(void **state)
{
	acs_fabric *f = mf_behind_port(0x14e4, 0x1760);

	(void)state;
	assert_partition(f, "6.10.0", "00:01.0 | 01:00.0 01:00.1");
	assert_partition(f, "6.10.14", "00:01.0 | 01:00.0 | 01:00.1");
	assert_partition(f, "6.9.12", "00:01.0 | 01:00.0 01:00.1");
	assert_partition(f, "6.11-rc3", "00:01.0 | 01:00.0 | 01:00.1");
	assert_partition(f, "5.15.0-91-generic", "00:01.0 | 01:00.0 | 01:00.1");
	assert_partition(f, "5.13.19-6-pve", "00:01.0 | 01:00.0 01:00.1");
	acs_fabric_free(f);
}

/* --- ACS quirk families --- */

/* pci_quirk_amd_sb_acs(): multifunction southbridge functions on the root
 * bus only ask RR and CR, which they provide. */
static void test_quirks_amd_sb__root_bus_multifunction(void **state)
{
	struct tfab t;
	acs_fabric *f;
	const char *name;

	(void)state;
	tfab_begin(&t);
	func(&t, "00:14.0", 0x1002, 0x4385, 0x0c0500, ACS_PCIE_NONE, true, NO_ACS);
	func(&t, "00:14.1", 0x1002, 0x439c, 0x01018a, ACS_PCIE_NONE, true, NO_ACS);
	func(&t, "00:14.3", 0x1002, 0x439d, 0x060100, ACS_PCIE_NONE, true, NO_ACS);
	f = tfab_end(&t);
	assert_int_equal(quirk("5.4", f, "00:14.0", &name), ACS_YES);
	assert_string_equal(name, "pci_quirk_amd_sb_acs");
	/* conventional functions would share a group; the quirk splits them */
	assert_partition(f, "7.2", "00:14.0 | 00:14.1 | 00:14.3");
	/* EC and DT are not asked of them, but TB is filtered out too */
	assert_int_equal(acs_quirk_answer(P("6.12"), f, tfab_func(f, "00:14.0"),
					  ACS_RR | ACS_CR | ACS_TB, NULL), 1);
	assert_int_equal(acs_quirk_answer(P("6.12"), f, tfab_func(f, "00:14.0"),
					  ACS_EC, NULL), 0);
	acs_fabric_free(f);
}

static void test_quirks_amd_sb__not_on_root_bus(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	func(&t, "01:00.0", 0x1022, 0x7809, 0x0c0310, ACS_PCIE_NONE, true, NO_ACS);
	func(&t, "01:00.1", 0x1022, 0x7809, 0x0c0310, ACS_PCIE_NONE, true, NO_ACS);
	f = tfab_end(&t);
	assert_int_equal(acs_quirk_answer(P("7.2"), f, tfab_func(f, "01:00.0"),
					  ACS_REQ_FLAGS, NULL), -1);
	assert_partition(f, "7.2", "00:01.0 | 01:00.0 01:00.1");
	acs_fabric_free(f);
}

/* pci_quirk_mf_endpoint_acs(): the functions of these NICs get a group
 * each; the same layout of another vendor shares one. */
static void test_quirks_mf_endpoint__families(void **state)
{
	static const struct { uint16_t v, d; } ids[] = {
		{ 0x1924, 0x0a03 },  /* Solarflare */
		{ 0x8086, 0x10c9 },  /* 82576 */
		{ 0x8086, 0x1521 },  /* I350 */
		{ 0x8086, 0x10fb },  /* 82599 */
		{ 0x8086, 0x15b7 },  /* I219 */
		{ 0x19a2, 0x0710 },  /* Emulex BE3-R */
		{ 0x10df, 0x0720 },  /* Emulex Skyhawk-R */
		{ 0x177d, 0xa026 },  /* Cavium */
		{ 0x14e4, 0x16d7 },  /* Broadcom BCM57414 */
		{ 0x1d17, 0x3038 },  /* Zhaoxin */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		acs_fabric *f = mf_behind_port(ids[i].v, ids[i].d);
		const char *name;

		assert_int_equal(quirk("6.12", f, "01:00.0", &name), ACS_YES);
		assert_string_equal(name, "pci_quirk_mf_endpoint_acs");
		assert_partition(f, "5.4", "00:01.0 | 01:00.0 | 01:00.1");
		assert_partition(f, "7.2", "00:01.0 | 01:00.0 | 01:00.1");
		acs_fabric_free(f);
	}
	{
		acs_fabric *f = mf_behind_port(0x1b36, 0x0010);

		assert_int_equal(quirk("6.12", f, "01:00.0", NULL), -1);
		assert_partition(f, "6.12", "00:01.0 | 01:00.0 01:00.1");
		acs_fabric_free(f);
	}
}

/* Broadcom BCM5760X came in 6.11: 6.8 had ended and shares the group;
 * the long-term series got it through stable. */
static void test_quirks_mf_endpoint__bcm5760x_versions(void **state)
{
	acs_fabric *f = mf_behind_port(0x14e4, 0x1760);

	(void)state;
	assert_int_equal(quirk("6.8", f, "01:00.0", NULL), -1);
	assert_partition(f, "6.8", "00:01.0 | 01:00.0 01:00.1");
	assert_partition(f, "6.6", "00:01.0 | 01:00.0 | 01:00.1");
	assert_partition(f, "7.2", "00:01.0 | 01:00.0 | 01:00.1");
	acs_fabric_free(f);
	f = mf_behind_port(0x14e4, 0x1750);      /* BCM5750x, 6.0 */
	assert_partition(f, "6.8", "00:01.0 | 01:00.0 | 01:00.1");
	acs_fabric_free(f);
}

/* Two root ports of one slot without ACS, each with an endpoint. */
static acs_fabric *two_root_ports(uint16_t vendor, uint16_t device, int type)
{
	struct tfab t;

	tfab_begin(&t);
	bridge(&t, "00:1c.0", vendor, device, type, 1, 1, NO_ACS, true);
	bridge(&t, "00:1c.4", vendor, device, type, 2, 2, NO_ACS, true);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	return tfab_end(&t);
}

/* pci_quirk_intel_pch_acs(): with the kernel's enable hook run (the IOMMU
 * on), Wellsburg root ports isolate. */
static void test_quirks_intel_pch__root_ports(void **state)
{
	acs_fabric *f = two_root_ports(0x8086, 0x8d10, ACS_PCIE_ROOT_PORT);
	const char *name;

	(void)state;
	assert_int_equal(quirk("6.1", f, "00:1c.0", &name), ACS_YES);
	assert_string_equal(name, "pci_quirk_intel_pch_acs");
	assert_partition(f, "6.12", "00:1c.0 | 00:1c.4 | 01:00.0 | 02:00.0");
	/* mainline 6.11 skipped the enable hook of ports without an ACS
	 * capability (47c8846a49ba); f3c3ccc4fe49 (6.12, in 6.11.y) */
	assert_int_equal(quirk("6.11.0", f, "00:1c.0", &name), ACS_NO);
	assert_string_equal(name, "pci_quirk_intel_pch_acs");
	assert_partition(f, "6.11.0", "00:1c.0 00:1c.4 01:00.0 02:00.0");
	assert_partition(f, "6.11-rc4", "00:1c.0 00:1c.4 01:00.0 02:00.0");
	assert_partition(f, "6.11.8", "00:1c.0 | 00:1c.4 | 01:00.0 | 02:00.0");
	assert_partition(f, "6.11", "00:1c.0 | 00:1c.4 | 01:00.0 | 02:00.0");
	assert_partition(f, "6.10.0", "00:1c.0 | 00:1c.4 | 01:00.0 | 02:00.0");
	assert_partition(f, "6.12.0", "00:1c.0 | 00:1c.4 | 01:00.0 | 02:00.0");
	acs_fabric_free(f);
	/* the same ID as a downstream port is no PCH root port */
	f = two_root_ports(0x8086, 0x8d10, ACS_PCIE_DOWNSTREAM);
	assert_int_equal(quirk("6.12", f, "00:1c.0", NULL), -1);
	acs_fabric_free(f);
	/* an Intel root port off the list: the generic test */
	f = two_root_ports(0x8086, 0x2f02, ACS_PCIE_ROOT_PORT);
	assert_int_equal(quirk("6.12", f, "00:1c.0", NULL), -1);
	assert_partition(f, "6.12", "00:1c.0 00:1c.4 01:00.0 02:00.0");
	acs_fabric_free(f);
}

/* An Intel root port with the ACS capability at 0x100: the capability
 * dword at +4, the standard control word at +6, and the dword at +8. */
static acs_fabric *spt_port(uint16_t device, uint16_t std_ctrl, uint32_t spt_ctrl)
{
	struct tfab t;
	struct tcfg c;

	tfab_begin(&t);
	tcfg_make(&c, 0x8086, device, 0x060400, ACS_PCIE_ROOT_PORT, true, false,
		  std_ctrl);
	tcfg_buses(&c, 0, 1, 1);
	c.b[0x108] = (uint8_t)spt_ctrl;
	c.b[0x109] = (uint8_t)(spt_ctrl >> 8);
	tfab_add(&t, "00:1c.0", &c);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	return tfab_end(&t);
}

/* pci_quirk_intel_spt_pch_acs(): the control register is read at +8. */
static void test_quirks_intel_spt__control_at_plus_8(void **state)
{
	acs_fabric *f = spt_port(0xa110, 0, ACS_ON);
	const char *name;

	(void)state;
	assert_true(acs_quirk_intel_spt(tfab_func(f, "00:1c.0")));
	assert_int_equal(quirk("6.12", f, "00:1c.0", &name), ACS_YES);
	assert_string_equal(name, "pci_quirk_intel_spt_pch_acs");
	assert_partition(f, "6.12", "00:1c.0 | 01:00.0");
	acs_fabric_free(f);
	/* what lspci shows as ACSCtl does not count */
	f = spt_port(0xa290, ACS_ON, 0);
	assert_int_equal(quirk("6.12", f, "00:1c.0", NULL), ACS_NO);
	assert_partition(f, "6.12", "00:1c.0 01:00.0");
	acs_fabric_free(f);
	/* a bit the capability lacks is hard-wired, as in the generic test */
	f = spt_port(0x9d10, 0, ACS_ON & ~ACS_SV);
	{
		struct tfab t;
		struct tcfg c;
		acs_fabric *g;

		tfab_begin(&t);
		tcfg_make(&c, 0x8086, 0x9d10, 0x060400, ACS_PCIE_ROOT_PORT, true,
			  false, 0);
		tcfg_buses(&c, 0, 1, 1);
		c.b[0x104] = 0x5e;           /* no SV */
		c.b[0x108] = ACS_ON & ~ACS_SV;
		tfab_add(&t, "00:1c.0", &c);
		g = tfab_end(&t);
		assert_int_equal(quirk("6.12", g, "00:1c.0", NULL), ACS_YES);
		acs_fabric_free(g);
	}
	assert_int_equal(quirk("6.12", f, "00:1c.0", NULL), ACS_NO);
	acs_fabric_free(f);
	/* another Intel port with the same bytes: the standard layout */
	f = spt_port(0x2f02, 0, ACS_ON);
	assert_false(acs_quirk_intel_spt(tfab_func(f, "00:1c.0")));
	assert_int_equal(quirk("6.12", f, "00:1c.0", NULL), -1);
	assert_partition(f, "6.12", "00:1c.0 01:00.0");
	acs_fabric_free(f);
}

/* pci_quirk_rciep_acs(): Intel RCiEPs only. */
static void test_quirks_intel_rciep__only_rc_endpoints(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	func(&t, "00:04.0", 0x8086, 0x2f20, 0x088000, ACS_PCIE_RC_END, true, NO_ACS);
	func(&t, "00:04.1", 0x8086, 0x2f21, 0x088000, ACS_PCIE_RC_END, true, NO_ACS);
	func(&t, "00:05.0", 0x8086, 0x2f28, 0x088000, ACS_PCIE_ENDPOINT, true, NO_ACS);
	func(&t, "00:05.1", 0x8086, 0x2f29, 0x088000, ACS_PCIE_ENDPOINT, true, NO_ACS);
	f = tfab_end(&t);
	assert_int_equal(quirk("5.4", f, "00:04.0", NULL), ACS_YES);
	assert_int_equal(quirk("5.4", f, "00:05.0", NULL), -1);
	assert_partition(f, "7.2", "00:04.0 | 00:04.1 | 00:05.0 00:05.1");
	acs_fabric_free(f);
}

/* Root ports isolated by design: the ID alone answers. */
static void test_quirks_root_ports__isolated_by_design(void **state)
{
	static const struct { uint16_t v, d; const char *name; } ids[] = {
		{ 0x17cb, 0x0400, "pci_quirk_qcom_rp_acs" },
		{ 0x1dbf, 0x0401, "pci_quirk_qcom_rp_acs" },   /* HXT */
		{ 0x10e8, 0xe004, "pci_quirk_xgene_acs" },
		{ 0x1def, 0xe00c, "pci_quirk_xgene_acs" },     /* Ampere */
		{ 0x14e4, 0xd714, "pci_quirk_brcm_acs" },
		{ 0x1957, 0x8d81, "pci_quirk_nxp_rp_acs" },
		{ 0x177d, 0xa000, "pci_quirk_cavium_acs" },
		{ 0x177d, 0xaf84, "pci_quirk_cavium_acs" },
		{ 0x1c36, 0x0031, "pci_quirk_al_acs" },
		{ 0x1d17, 0x0715, "pci_quirk_zhaoxin_pcie_ports_acs" },
		{ 0x0014, 0x7a09, "pci_quirk_loongson_acs" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		acs_fabric *f = two_root_ports(ids[i].v, ids[i].d, ACS_PCIE_ROOT_PORT);
		const char *name;

		assert_int_equal(quirk("7.2", f, "00:1c.0", &name), ACS_YES);
		assert_string_equal(name, ids[i].name);
		assert_partition(f, "6.12", "00:1c.0 | 00:1c.4 | 01:00.0 | 02:00.0");
		acs_fabric_free(f);
	}
}

/* Qualcomm Hamoa (7.0) and SA8775P (6.12), Loongson (6.16): in the series
 * stable backported them to; not in 6.8, which had ended, nor (Hamoa) in
 * 5.4. */
static void test_quirks_root_ports__versions(void **state)
{
	acs_fabric *f = two_root_ports(0x17cb, 0x0111, ACS_PCIE_ROOT_PORT);

	(void)state;
	assert_int_equal(quirk("7.2", f, "00:1c.0", NULL), ACS_YES);
	assert_int_equal(quirk("6.12", f, "00:1c.0", NULL), ACS_YES);
	assert_int_equal(quirk("5.10", f, "00:1c.0", NULL), ACS_YES);
	assert_int_equal(quirk("6.8", f, "00:1c.0", NULL), -1);
	assert_int_equal(quirk("5.4", f, "00:1c.0", NULL), -1);
	assert_partition(f, "5.4", "00:1c.0 00:1c.4 01:00.0 02:00.0");
	acs_fabric_free(f);
	f = two_root_ports(0x17cb, 0x0115, ACS_PCIE_ROOT_PORT);
	assert_int_equal(quirk("6.6", f, "00:1c.0", NULL), ACS_YES);
	assert_int_equal(quirk("6.8", f, "00:1c.0", NULL), -1);
	acs_fabric_free(f);
	f = two_root_ports(0x0014, 0x3c09, ACS_PCIE_ROOT_PORT);
	assert_int_equal(quirk("5.4", f, "00:1c.0", NULL), ACS_YES);
	assert_int_equal(quirk("6.8", f, "00:1c.0", NULL), -1);
	acs_fabric_free(f);
}

/* pci_quirk_al_acs() and pci_quirk_cavium_acs() want a root port; Amazon's
 * asks nothing beyond SV RR CR UF. */
static void test_quirks_root_ports__type_and_flags(void **state)
{
	acs_fabric *f = two_root_ports(0x1c36, 0x0031, ACS_PCIE_DOWNSTREAM);

	(void)state;
	assert_int_equal(quirk("7.2", f, "00:1c.0", NULL), -1);
	acs_fabric_free(f);
	f = two_root_ports(0x1c36, 0x0031, ACS_PCIE_ROOT_PORT);
	assert_int_equal(acs_quirk_acs_enabled(P("7.2"), tfab_func(f, "00:1c.0"),
					       ACS_REQ_FLAGS | ACS_TB), 0);
	acs_fabric_free(f);
	f = two_root_ports(0x177d, 0xa000, ACS_PCIE_DOWNSTREAM);
	assert_int_equal(quirk("7.2", f, "00:1c.0", NULL), -1);
	acs_fabric_free(f);
}

/* pci_quirk_zhaoxin_pcie_ports_acs(): unlisted ports answer "no", even
 * with an ACS capability; 0x0733-0x0752 came in 6.8, stable from 5.10. */
static void test_quirks_zhaoxin__ports(void **state)
{
	struct tfab t;
	acs_fabric *f;
	const char *name;

	(void)state;
	tfab_begin(&t);
	bridge(&t, "00:01.0", 0x1d17, 0x0740, ACS_PCIE_ROOT_PORT, 1, 1, NO_ACS, false);
	bridge(&t, "00:02.0", 0x1d17, 0x0800, ACS_PCIE_ROOT_PORT, 2, 2, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	f = tfab_end(&t);
	assert_int_equal(quirk("6.12", f, "00:01.0", NULL), ACS_YES);
	assert_int_equal(quirk("5.10", f, "00:01.0", NULL), ACS_YES);
	assert_int_equal(quirk("5.4", f, "00:01.0", &name), ACS_NO);
	assert_string_equal(name, "pci_quirk_zhaoxin_pcie_ports_acs");
	assert_int_equal(quirk("6.12", f, "00:02.0", NULL), ACS_NO);
	assert_partition(f, "6.12", "00:01.0 | 01:00.0 | 00:02.0 02:00.0");
	acs_fabric_free(f);
}

/* pci_quirk_wangxun_nic_acs(): listed NICs isolate; the FF5xxx (6.13)
 * did not reach 6.8, where the entry answers "no". */
static void test_quirks_wangxun__nics(void **state)
{
	acs_fabric *f = mf_behind_port(0x8088, 0x1001);
	const char *name;

	(void)state;
	assert_partition(f, "6.1", "00:01.0 | 01:00.0 | 01:00.1");
	acs_fabric_free(f);
	f = mf_behind_port(0x8088, 0x5025);
	assert_partition(f, "6.12", "00:01.0 | 01:00.0 | 01:00.1");
	assert_int_equal(quirk("6.8", f, "01:00.0", &name), ACS_NO);
	assert_string_equal(name, "pci_quirk_wangxun_nic_acs");
	assert_partition(f, "6.8", "00:01.0 | 01:00.0 01:00.1");
	acs_fabric_free(f);
}

/* pci_disable_broken_acs_cap() (7.0): IDT switches lose SV. */
static void test_quirks_acs_cap__idt_sv(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	bridge(&t, "00:01.0", 0x111d, 0x80b5, ACS_PCIE_DOWNSTREAM, 1, 1, ACS_ON, false);
	bridge(&t, "00:02.0", 0x111d, 0x1234, ACS_PCIE_DOWNSTREAM, 2, 2, ACS_ON, false);
	f = tfab_end(&t);
	assert_int_equal(acs_quirk_acs_cap(P("7.2"), tfab_func(f, "00:01.0")), 0x005e);
	assert_int_equal(acs_quirk_acs_cap(P("6.12"), tfab_func(f, "00:01.0")), 0x005f);
	assert_int_equal(acs_quirk_acs_cap(P("7.2"), tfab_func(f, "00:02.0")), 0x005f);
	acs_fabric_free(f);
}

/* --- DMA aliases --- */

/* Two functions of one slot that each isolate with ACS. */
static acs_fabric *isolated_pair(uint16_t vendor, uint16_t device,
				 const char *a, const char *b)
{
	struct tfab t;

	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	func(&t, a, vendor, device, 0x010601, ACS_PCIE_ENDPOINT, true, ACS_ON);
	func(&t, b, vendor, device, 0x010601, ACS_PCIE_ENDPOINT, true, ACS_ON);
	return tfab_end(&t);
}

/* quirk_dma_func1_alias(): a Marvell SATA controller's DMA comes from
 * function 1, which joins the group of function 0. */
static void test_quirks_alias_func1__marvell_joins(void **state)
{
	acs_fabric *f = isolated_pair(0x1b4b, 0x9230, "01:00.0", "01:00.1");
	const acs_policy *p = P("6.12");

	(void)state;
	assert_true(acs_policy_devs_alias(p, f, acs_fabric_index(f, tfab_func(f, "01:00.0")),
					  acs_fabric_index(f, tfab_func(f, "01:00.1"))));
	assert_partition(f, "5.4", "00:01.0 | 01:00.0 01:00.1");
	assert_partition(f, "7.2", "00:01.0 | 01:00.0 01:00.1");
	acs_fabric_free(f);
	f = isolated_pair(0x1b36, 0x0010, "01:00.0", "01:00.1");
	assert_false(acs_policy_devs_alias(p, f, 1, 2));
	assert_partition(f, "6.12", "00:01.0 | 01:00.0 | 01:00.1");
	acs_fabric_free(f);
}

/* quirk_dma_func0_alias(): Ricoh's function 2 uses function 0's ID; the
 * visits name the function itself with the aliased requester ID. */
static void test_quirks_alias_func0__ricoh(void **state)
{
	acs_fabric *f = isolated_pair(0x1180, 0xe832, "01:00.0", "01:00.2");
	struct acs_dma_alias v[8];
	bool unsure = false;
	size_t i2 = acs_fabric_index(f, tfab_func(f, "01:00.2"));

	(void)state;
	assert_int_equal(acs_policy__dma_alias_visits(P("6.12"), f, i2, v, 8, &unsure), 2);
	assert_int_equal(v[0].func, i2);
	assert_int_equal(v[0].rid, 0x0102);
	assert_int_equal(v[1].func, i2);
	assert_int_equal(v[1].rid, 0x0100);
	assert_false(unsure);
	assert_partition(f, "6.12", "00:01.0 | 01:00.0 01:00.2");
	acs_fabric_free(f);
}

/* quirk_fixed_dma_alias(): the Adaptec 3405 by subsystem ID; the DMA
 * engine at 01.0 of its bus. */
static void test_quirks_alias_fixed__adaptec(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tcfg_make(&c, 0x9005, 0x0285, 0x010400, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	c.b[0x2c] = 0x05, c.b[0x2d] = 0x90, c.b[0x2e] = 0xbb, c.b[0x2f] = 0x02;
	tfab_add(&t, "01:0e.0", &c);
	func(&t, "01:01.0", 0x8086, 0x1234, 0x088000, ACS_PCIE_ENDPOINT, false, NO_ACS);
	func(&t, "01:02.0", 0x8086, 0x1234, 0x088000, ACS_PCIE_ENDPOINT, false, NO_ACS);
	f = tfab_end(&t);
	assert_partition(f, "6.1", "00:01.0 | 01:01.0 01:0e.0 | 01:02.0");
	assert_true(acs_policy_devs_alias(P("6.1"), f, acs_fabric_index(f, tfab_func(f, "01:0e.0")),
					  acs_fabric_index(f, tfab_func(f, "01:01.0"))));
	assert_false(acs_policy_devs_alias(P("6.1"), f, acs_fabric_index(f, tfab_func(f, "01:0e.0")),
					   acs_fabric_index(f, tfab_func(f, "01:02.0"))));
	acs_fabric_free(f);
}

/* quirk_plx_ntb_dma_alias() aliases all 256 devfns; quirk_pex_vca_alias()
 * functions 0-4 of every slot; quirk_mic_x200_dma_alias() three IDs. */
static void test_quirks_alias_ntb__masks(void **state)
{
	struct tfab t;
	acs_fabric *f;
	uint32_t out[300];
	bool unsure = false;
	const acs_policy *p = P("7.2");
	size_t plx, vca, mic, n;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	func(&t, "01:00.0", 0x10b5, 0x87b0, 0x068000, ACS_PCIE_ENDPOINT, false, NO_ACS);
	func(&t, "01:01.0", 0x8086, 0x2954, 0x068000, ACS_PCIE_ENDPOINT, false, NO_ACS);
	func(&t, "01:02.0", 0x8086, 0x2260, 0x068000, ACS_PCIE_ENDPOINT, false, NO_ACS);
	func(&t, "01:10.0", 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, NO_ACS);
	func(&t, "01:12.0", 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, true, NO_ACS);
	func(&t, "01:12.3", 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, true, NO_ACS);
	func(&t, "01:12.5", 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, true, NO_ACS);
	f = tfab_end(&t);
	plx = acs_fabric_index(f, tfab_func(f, "01:00.0"));
	vca = acs_fabric_index(f, tfab_func(f, "01:01.0"));
	mic = acs_fabric_index(f, tfab_func(f, "01:02.0"));
	n = acs_policy_dma_aliases(p, f, plx, out, 300, &unsure);
	assert_int_equal(n, 1 + 256);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i], plx);
	assert_true(acs_policy_devs_alias(p, f, plx, acs_fabric_index(f, tfab_func(f, "01:12.5"))));
	assert_true(acs_policy_devs_alias(p, f, acs_fabric_index(f, tfab_func(f, "01:12.3")), vca));
	assert_false(acs_policy_devs_alias(p, f, vca, acs_fabric_index(f, tfab_func(f, "01:12.5"))));
	assert_true(acs_policy_devs_alias(p, f, mic, acs_fabric_index(f, tfab_func(f, "01:10.0"))));
	assert_true(acs_policy_devs_alias(p, f, mic, acs_fabric_index(f, tfab_func(f, "01:12.3"))));
	assert_false(acs_policy_devs_alias(p, f, mic, acs_fabric_index(f, tfab_func(f, "01:12.5"))));
	acs_fabric_free(f);
}

/* A PCIe root port, then a bridge of the given kind, then a conventional
 * device at 02:00.0. */
static acs_fabric *behind_bridge(uint16_t vendor, uint16_t device, int type)
{
	struct tfab t;

	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 2, ACS_ON, false);
	bridge(&t, "01:00.0", vendor, device, type, 2, 2, NO_ACS, false);
	tfab_pci_device(&t, "02:00.0", false);
	tfab_pci_device(&t, "02:01.0", false);
	return tfab_end(&t);
}

/* quirk_use_pcie_bridge_dma_alias(): an ASMedia ASM1083 shows a
 * conventional bridge header but aliases like a PCIe-to-PCI bridge:
 * secondary bus, devfn 0. The kernel hands the bridge to the callback
 * either way, so the groups are those of any conventional bridge. */
static void test_quirks_alias_pcie_bridge__asmedia(void **state)
{
	acs_fabric *f = behind_bridge(0x1b21, 0x1080, ACS_PCIE_NONE);
	acs_fabric *g = behind_bridge(0x1b36, 0x0001, ACS_PCIE_NONE);
	struct acs_dma_alias v[4];
	bool unsure = false;
	size_t d = acs_fabric_index(f, tfab_func(f, "02:01.0"));
	size_t br = acs_fabric_index(f, tfab_func(f, "01:00.0"));

	(void)state;
	assert_int_equal(acs_policy__dma_alias_visits(P("6.12"), f, d, v, 4, &unsure), 2);
	assert_int_equal(v[1].func, br);
	assert_int_equal(v[1].rid, 0x0200);
	assert_int_equal(acs_policy__dma_alias_visits(P("6.12"), g, d, v, 4, &unsure), 2);
	assert_int_equal(v[1].func, br);
	assert_int_equal(v[1].rid, 0x0100);
	assert_false(unsure);
	assert_partition(f, "6.12", "00:01.0 | 01:00.0 02:00.0 02:01.0");
	assert_partition(g, "6.12", "00:01.0 | 01:00.0 02:00.0 02:01.0");
	acs_fabric_free(f);
	acs_fabric_free(g);
}

/* quirk_aspeed_pci_bridge_no_alias() (7.0): the AST1150 takes no
 * ownership of its BMC functions' requests. The groups stay: the walk up
 * reaches the bridge, which does not isolate. */
static void test_quirks_alias_no_alias__ast1150(void **state)
{
	acs_fabric *f = behind_bridge(0x1a03, 0x1150, ACS_PCIE_PCI_BRIDGE);
	struct acs_dma_alias v[4];
	bool unsure = false;
	size_t d = acs_fabric_index(f, tfab_func(f, "02:00.0"));

	(void)state;
	assert_int_equal(acs_policy__dma_alias_visits(P("6.12"), f, d, v, 4, &unsure), 2);
	assert_int_equal(v[1].rid, 0x0200);
	assert_int_equal(acs_policy__dma_alias_visits(P("7.2"), f, d, v, 4, &unsure), 1);
	assert_partition(f, "6.12", "00:01.0 | 01:00.0 02:00.0 02:01.0");
	assert_partition(f, "7.2", "00:01.0 | 01:00.0 02:00.0 02:01.0");
	acs_fabric_free(f);
}

/* quirk_bridge_cavm_thrx2_pcie_root(): the walk stops at the bridge the
 * translation unit sits at, without visiting it. */
static void test_quirks_alias_xlate_root__thunderx2(void **state)
{
	struct tfab t;
	acs_fabric *f;
	uint32_t out[4];
	bool unsure = false;

	(void)state;
	tfab_begin(&t);
	bridge(&t, "00:01.0", 0x14e4, 0x9000, ACS_PCIE_PCI_BRIDGE, 1, 1, NO_ACS, false);
	bridge(&t, "00:02.0", 0x1b36, 0x000e, ACS_PCIE_PCI_BRIDGE, 2, 2, NO_ACS, false);
	tfab_pci_device(&t, "01:00.0", false);
	tfab_pci_device(&t, "02:00.0", false);
	f = tfab_end(&t);
	assert_int_equal(acs_policy_dma_aliases(P("7.2"), f, 2, out, 4, &unsure), 1);
	assert_int_equal(acs_policy_dma_aliases(P("7.2"), f, 3, out, 4, &unsure), 2);
	assert_int_equal(out[1], 1);
	acs_fabric_free(f);
}

/* ids with id added unless it is there: their number */
static size_t add_id(uint16_t *ids, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return n;
	ids[n] = id;
	return n + 1;
}

/* The indexed lookup (acs_quirk_answer()) gives what a scan of every
 * entry in table order gives: for every vendor of the table and device of
 * the table, the IDs the "any device" entries test by range, and IDs no
 * entry has; each port type, with and without ACS and multifunction, on
 * kernels either side of each entry's version. */
static void test_quirks_index__equals_scan(void **state)
{
	static const char *const kernels[] = { "5.4", "5.10", "5.15", "6.1", "6.3", "6.8", "6.11",
					       "6.12", "6.13", "6.16", "7.0", "7.2" };
	static const int types[] = { ACS_PCIE_NONE, ACS_PCIE_ENDPOINT, ACS_PCIE_ROOT_PORT, ACS_PCIE_DOWNSTREAM,
				     ACS_PCIE_UPSTREAM, ACS_PCIE_RC_END };
	/* IDs the "any" entries test (SPT, PCH, ThunderX, Zhaoxin, Wangxun), misses */
	static const uint16_t extra_dev[] = { 0x0000, 0xa110, 0xa16a, 0x9d1b, 0x3b42, 0x8c9e, 0xa000, 0xaf84,
					      0xb884, 0x0710, 0x0721, 0x0733, 0x0752, 0x0100, 0x1001, 0x5010,
					      0x5140, 0x1234, 0xfffe, 0xffff };
	static const uint16_t extra_vendor[] = { 0x0000, 0x1234, 0x10de, 0xffff };
	static uint8_t cfg[4096];
	const struct acs_acs_quirk *q;
	size_t nq = acs_quirk__table(&q), nv = 0, nd = 0, compared = 0, answered = 0;
	uint16_t vendors[512], devices[1024];

	(void)state;
	for (size_t i = 0; i < nq; i++) {
		nv = add_id(vendors, nv, q[i].vendor);
		nd = add_id(devices, nd, q[i].device);
	}
	for (size_t i = 0; i < sizeof(extra_vendor) / sizeof(extra_vendor[0]); i++)
		nv = add_id(vendors, nv, extra_vendor[i]);
	for (size_t i = 0; i < sizeof(extra_dev) / sizeof(extra_dev[0]); i++)
		nd = add_id(devices, nd, extra_dev[i]);
	for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++)
		for (size_t v = 0; v < nv; v++)
			for (size_t d = 0; d < nd; d++)
				for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
					for (unsigned var = 0; var < 4; var++) {
						struct acs_func fn = { 0 };
						const char *n1 = NULL, *n2 = NULL;
						int a, b;

						fn.vendor_id = vendors[v];
						fn.device_id = devices[d];
						fn.pcie_type = (int8_t)types[t];
						fn.multifunction = var & 1;
						fn.bus = (uint8_t)(var & 2 ? 0 : 3);
						fn.acs_pos = var & 2 ? 0x100 : 0;
						fn.cfg = cfg;
						fn.cfg_len = fn.cfg_stored = sizeof(cfg);
						a = acs_quirk_answer(P(kernels[k]), NULL, &fn, var & 1 ? 0x1d : 0x0c, &n1);
						b = acs_quirk__answer_linear(P(kernels[k]), NULL, &fn, var & 1 ? 0x1d : 0x0c,
									     &n2);
						if (a != b || n1 != n2)
							fail_msg("%04x:%04x type %d var %u on %s: indexed %d (%s), scan %d (%s)",
								 fn.vendor_id, fn.device_id, types[t], var, kernels[k], a,
								 n1 ? n1 : "-", b, n2 ? n2 : "-");
						compared++;
						answered += a >= 0;
					}
	/* the comparison saw quirks answer, and not answer */
	assert_true(answered > 1000);
	assert_true(compared - answered > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quirks_index__equals_scan),
		cmocka_unit_test(test_quirks_version__filter),
		cmocka_unit_test(test_quirks_version__forms),
		cmocka_unit_test(test_quirks_version__garbage),
		cmocka_unit_test(test_quirks_version__mainline_rule),
		cmocka_unit_test(test_quirks_version__backported_rule),
		cmocka_unit_test(test_quirks_version__range),
		cmocka_unit_test(test_quirks_version__bcm5760x_point_releases),
		cmocka_unit_test(test_quirks_amd_sb__root_bus_multifunction),
		cmocka_unit_test(test_quirks_amd_sb__not_on_root_bus),
		cmocka_unit_test(test_quirks_mf_endpoint__families),
		cmocka_unit_test(test_quirks_mf_endpoint__bcm5760x_versions),
		cmocka_unit_test(test_quirks_intel_pch__root_ports),
		cmocka_unit_test(test_quirks_intel_spt__control_at_plus_8),
		cmocka_unit_test(test_quirks_intel_rciep__only_rc_endpoints),
		cmocka_unit_test(test_quirks_root_ports__isolated_by_design),
		cmocka_unit_test(test_quirks_root_ports__versions),
		cmocka_unit_test(test_quirks_root_ports__type_and_flags),
		cmocka_unit_test(test_quirks_zhaoxin__ports),
		cmocka_unit_test(test_quirks_wangxun__nics),
		cmocka_unit_test(test_quirks_acs_cap__idt_sv),
		cmocka_unit_test(test_quirks_alias_func1__marvell_joins),
		cmocka_unit_test(test_quirks_alias_func0__ricoh),
		cmocka_unit_test(test_quirks_alias_fixed__adaptec),
		cmocka_unit_test(test_quirks_alias_ntb__masks),
		cmocka_unit_test(test_quirks_alias_pcie_bridge__asmedia),
		cmocka_unit_test(test_quirks_alias_no_alias__ast1150),
		cmocka_unit_test(test_quirks_alias_xlate_root__thunderx2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
