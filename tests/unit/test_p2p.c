/* SPDX-License-Identifier: GPL-2.0-or-later */
/* P2P: hardware routes for every ACS bit, the kernel's P2PDMA rules, and
 * the audit. */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

#define ACS_ON 0x001d

/* Host bridge vendor:device at 00:00.0, root port 00:01.0 (ACS), a switch
 * with four downstream ports and an endpoint each (with ATS). */
static acs_fabric *switch_fabric(uint16_t hb_vendor, uint16_t hb_device, const int dsp_ctrl[4],
				 void (*patch)(struct tcfg *, int))
{
	struct tfab t;
	struct tcfg c;

	tfab_begin(&t);
	tcfg_make(&c, hb_vendor, hb_device, 0x060000, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(&t, "00:00.0", &c);
	tfab_root_port(&t, "00:01.0", 1, 6, ACS_ON, false);
	tfab_root_port(&t, "00:02.0", 7, 7, ACS_ON, false);
	tfab_upstream(&t, "01:00.0", 2, 6);
	for (int i = 0; i < 4; i++) {
		char a[16], e[16];

		snprintf(a, sizeof(a), "02:%02x.0", i);
		tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_DOWNSTREAM, true, false, dsp_ctrl[i]);
		tcfg_buses(&c, 2, (uint8_t)(3 + i), (uint8_t)(3 + i));
		c.b[0x40 + 0x0c + 3] = (uint8_t)i;     /* Port Number */
		if (patch)
			patch(&c, i);
		tfab_add(&t, a, &c);
		snprintf(e, sizeof(e), "%02x:00.0", 3 + i);
		tcfg_make(&c, 0x10de, 0x20b0, 0x030200, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
		c.b[0x100] = 0x0f;                      /* ATS */
		c.b[0x102] = 0x01;
		tfab_add(&t, e, &c);
	}
	tfab_endpoint(&t, "07:00.0", false, NO_ACS);
	return tfab_end(&t);
}

static void test_p2p_route__acs_on_every_port(void **state)
{
	const int ctrl[4] = { ACS_ON, ACS_ON, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, NULL);
	struct acs_reach r;
	struct acs_p2pdma v;

	(void)state;
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "04:00.0"), &r);
	assert_false(r.direct);
	assert_false(r.translated);
	acs_p2pdma_distance(f, acs_policy_default(), ACS_P2P_CPU_OTHER, tfab_idx(f, "03:00.0"),
			    tfab_idx(f, "04:00.0"), &v);
	assert_true(v.common_upstream);
	assert_int_equal(v.distance, 4);
	assert_int_equal(v.nredirect, 2);            /* both downstream ports */
	assert_int_equal(v.map, ACS_P2P_NOT_SUPPORTED);
	acs_p2pdma_distance(f, acs_policy_default(), ACS_P2P_CPU_AMD_ZEN, tfab_idx(f, "03:00.0"),
			    tfab_idx(f, "04:00.0"), &v);
	assert_int_equal(v.map, ACS_P2P_THRU_HOST_BRIDGE);
	acs_fabric_free(f);
}

static void test_p2p_route__redirect_cleared_on_two(void **state)
{
	const int ctrl[4] = { 0x0011, 0x0011, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, NULL);
	struct acs_reach r;
	struct acs_p2pdma v;

	(void)state;
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "04:00.0"), &r);
	assert_true(r.direct);
	assert_int_equal(r.missing, ACS_RR);
	assert_int_equal(r.turn, (long)tfab_idx(f, "01:00.0"));
	acs_p2pdma_distance(f, acs_policy_default(), ACS_P2P_CPU_OTHER, tfab_idx(f, "03:00.0"),
			    tfab_idx(f, "04:00.0"), &v);
	assert_int_equal(v.map, ACS_P2P_BUS_ADDR);
	assert_int_equal(v.nredirect, 0);
	assert_int_equal(v.npath, 5);                /* ep, dsp, usp, dsp, ep */
	/* one way only: the third port still redirects what enters by it */
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "05:00.0"), tfab_idx(f, "03:00.0"), &r);
	assert_false(r.direct);
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "05:00.0"), &r);
	assert_true(r.direct);
	acs_p2pdma_distance(f, acs_policy_default(), ACS_P2P_CPU_OTHER, tfab_idx(f, "03:00.0"),
			    tfab_idx(f, "05:00.0"), &v);
	assert_int_equal(v.map, ACS_P2P_NOT_SUPPORTED);
	assert_int_equal(v.nredirect, 1);
	acs_fabric_free(f);
}

/* Egress control on port 0 blocks port 2 only: 03 reaches 04, not 05. */
static void set_egress(struct tcfg *c, int i)
{
	if (i != 0)
		return;
	c->b[0x104] = 0x7f;                  /* cap: all, vector size 0 = 256 */
	c->b[0x106] = 0x20 | 0x11;           /* EC on, RR/CR off */
	c->b[0x108] = 1u << 2;               /* block port 2 */
}

static void test_p2p_route__egress_control(void **state)
{
	const int ctrl[4] = { 0x0011, ACS_ON, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, set_egress);
	struct acs_reach r;

	(void)state;
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "04:00.0"), &r);
	assert_true(r.direct);
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "05:00.0"), &r);
	assert_false(r.direct);
	assert_non_null(strstr(r.why, "egress"));
	acs_fabric_free(f);
}

/* Port 0 with P2P Egress Control alone: capability has EC, control has
 * only EC (no ReqRedir/CmpltRedir), the egress vector empty. */
static void set_ec_only(struct tcfg *c, int i)
{
	if (i != 0)
		return;
	c->b[0x104] = 0x7f;                  /* cap: all, vector size 0 = 256 */
	c->b[0x106] = ACS_EC;                /* EC alone */
}

/* pci_bridge_has_acs_redir() tests RR | CR | EC: a port with EC alone is a
 * redirect to the kernel's P2PDMA (not_supported without a trusted host
 * bridge), though with an empty egress vector the hardware lets the request
 * across. On the provider's side and on the client's side alike. */
static void test_p2p_kernel__egress_control_only_redirects(void **state)
{
	const int ctrl[4] = { 0x0000, 0x0000, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, set_ec_only);
	struct acs_reach r;
	struct acs_p2pdma v;
	const char *pairs[2][2] = { { "03:00.0", "04:00.0" }, { "04:00.0", "03:00.0" } };

	(void)state;
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "04:00.0"), &r);
	assert_true(r.direct);                       /* the hardware: nothing blocked */
	for (int k = 0; k < 2; k++) {
		acs_p2pdma_distance(f, acs_policy_default(), ACS_P2P_CPU_OTHER,
				    tfab_idx(f, pairs[k][0]), tfab_idx(f, pairs[k][1]), &v);
		assert_true(v.common_upstream);
		assert_int_equal(v.distance, 4);
		assert_int_equal(v.nredirect, 1);
		assert_int_equal(v.redirect[0], tfab_idx(f, "02:00.0"));
		assert_int_equal(v.map, ACS_P2P_NOT_SUPPORTED);
	}
	/* the same fabric without EC on port 0: the same path is bus_addr */
	acs_fabric_free(f);
	f = switch_fabric(0x1022, 0x1480, ctrl, NULL);
	acs_p2pdma_distance(f, acs_policy_default(), ACS_P2P_CPU_OTHER, tfab_idx(f, "03:00.0"),
			    tfab_idx(f, "04:00.0"), &v);
	assert_int_equal(v.nredirect, 0);
	assert_int_equal(v.map, ACS_P2P_BUS_ADDR);
	acs_fabric_free(f);
}

/* Direct Translated P2P: ATS-translated requests cross, untranslated are
 * redirected. */
static void set_dt(struct tcfg *c, int i)
{
	(void)i;
	c->b[0x106] |= ACS_DT;
}

static void test_p2p_route__direct_translated(void **state)
{
	const int ctrl[4] = { ACS_ON, ACS_ON, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, set_dt);
	struct acs_reach r;

	(void)state;
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "03:00.0"), tfab_idx(f, "04:00.0"), &r);
	assert_false(r.direct);
	assert_true(r.translated);
	acs_fabric_free(f);
}

static void test_p2p_route__multifunction(void **state)
{
	struct tfab t;
	acs_fabric *f;
	struct acs_reach r;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_root_port(&t, "00:02.0", 2, 2, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", true, NO_ACS);
	tfab_endpoint(&t, "01:00.1", true, NO_ACS);
	tfab_endpoint(&t, "02:00.0", true, ACS_ON);
	tfab_endpoint(&t, "02:00.1", true, ACS_ON);
	f = tfab_end(&t);
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "01:00.0"), tfab_idx(f, "01:00.1"), &r);
	assert_true(r.direct);
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "02:00.0"), tfab_idx(f, "02:00.1"), &r);
	assert_false(r.direct);
	/* different root ports: through the root complex */
	acs_route_reach(f, acs_policy_default(), tfab_idx(f, "01:00.0"), tfab_idx(f, "02:00.0"), &r);
	assert_false(r.direct);
	assert_int_equal(r.turn, -1);
	acs_fabric_free(f);
}

/* pci_p2pdma_distance() across root ports: allowed only through a host
 * bridge on the kernel's list (Intel Skylake-E 8086:2030 is). */
static void test_p2p_kernel__host_bridge_list(void **state)
{
	const int ctrl[4] = { ACS_ON, ACS_ON, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x8086, 0x2030, ctrl, NULL);
	acs_fabric *g = switch_fabric(0x8086, 0x29c0, ctrl, NULL);
	struct acs_p2pdma v;

	(void)state;
	acs_p2pdma_distance(f, acs_policy_find("6.1"), ACS_P2P_CPU_OTHER, tfab_idx(f, "03:00.0"),
			    tfab_idx(f, "07:00.0"), &v);
	assert_int_equal(v.map, ACS_P2P_THRU_HOST_BRIDGE);
	assert_int_equal(v.distance, 6);   /* 4 levels above the provider + 2 of the client */
	acs_p2pdma_distance(g, acs_policy_find("6.1"), ACS_P2P_CPU_OTHER, tfab_idx(g, "03:00.0"),
			    tfab_idx(g, "07:00.0"), &v);
	assert_int_equal(v.map, ACS_P2P_NOT_SUPPORTED);
	assert_false(acs_policy_p2pdma_built(acs_policy_find("6.12")));
	acs_fabric_free(f);
	acs_fabric_free(g);
}

/* The 2026 entries of pci_p2pdma_whitelist[], each from the release (and
 * stable series) that took it: Google SoCs (7.1, any device: the wildcard
 * came with it), the Xeon accelerators (7.2, backported to 7.1.y), and the
 * Ice Lake Xeon's 0x09a2 (5.18). */
static int host_map(uint16_t vendor, uint16_t device, const char *version)
{
	const int ctrl[4] = { ACS_ON, ACS_ON, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(vendor, device, ctrl, NULL);
	struct acs_p2pdma v;

	acs_p2pdma_distance(f, acs_policy_find(version), ACS_P2P_CPU_OTHER, tfab_idx(f, "03:00.0"),
			    tfab_idx(f, "07:00.0"), &v);
	acs_fabric_free(f);
	return v.map;
}

static void test_p2p_kernel__host_bridge_list_2026(void **state)
{
	static const uint16_t accel[] = { 0x0b25, 0x0cfe, 0x11fb, 0x1212, 0x1216,
					  0x4940, 0x4942, 0x4944, 0x4946, 0x4948 };

	(void)state;
	/* Google: every device ID of vendor 1ae0, from 7.1 (mainline) on */
	assert_int_equal(host_map(0x1ae0, 0x0001, "7.1.0"), ACS_P2P_THRU_HOST_BRIDGE);
	assert_int_equal(host_map(0x1ae0, 0xabcd, "7.3-rc7"), ACS_P2P_THRU_HOST_BRIDGE);
	assert_int_equal(host_map(0x1ae0, 0x0001, "7.0"), ACS_P2P_NOT_SUPPORTED);
	assert_int_equal(host_map(0x1ae0, 0x0001, "6.12"), ACS_P2P_NOT_SUPPORTED);
	/* QAT, DSA, IAA: mainline 7.2; 7.1.y took the backport, 7.1.0 lacks it */
	for (size_t i = 0; i < sizeof(accel) / sizeof(accel[0]); i++) {
		assert_int_equal(host_map(0x8086, accel[i], "7.2.0"), ACS_P2P_THRU_HOST_BRIDGE);
		assert_int_equal(host_map(0x8086, accel[i], "7.1"), ACS_P2P_THRU_HOST_BRIDGE);
		assert_int_equal(host_map(0x8086, accel[i], "7.1.3"), ACS_P2P_THRU_HOST_BRIDGE);
		assert_int_equal(host_map(0x8086, accel[i], "7.1.0"), ACS_P2P_NOT_SUPPORTED);
		assert_int_equal(host_map(0x8086, accel[i], "6.12"), ACS_P2P_NOT_SUPPORTED);
	}
	/* the QAT VFs (odd IDs) and other accelerators are not on the list */
	assert_int_equal(host_map(0x8086, 0x4941, "7.2"), ACS_P2P_NOT_SUPPORTED);
	assert_int_equal(host_map(0x8086, 0xb02d, "7.2"), ACS_P2P_NOT_SUPPORTED);
	/* Ice Lake's 0x09a2: 5.18, not in 5.10.y or 5.15.y */
	assert_int_equal(host_map(0x8086, 0x09a2, "6.1"), ACS_P2P_THRU_HOST_BRIDGE);
	assert_int_equal(host_map(0x8086, 0x09a2, "5.15"), ACS_P2P_NOT_SUPPORTED);
	assert_int_equal(host_map(0x8086, 0x09a2, "5.10"), ACS_P2P_NOT_SUPPORTED);
	/* queued for 7.4, not in 7.3-rc7: Alibaba (vendor 1ded) and Zhaoxin
	 * (1d17) host bridges; no vendor-wide entry matches them */
	assert_int_equal(host_map(0x1ded, 0x8000, "7.3-rc7"), ACS_P2P_NOT_SUPPORTED);
	assert_int_equal(host_map(0x1d17, 0x1003, "7.3-rc7"), ACS_P2P_NOT_SUPPORTED);
	/* the table names each entry's commit */
	assert_non_null(strstr(acs_policy__p2pdma_host_commit(acs_policy_find("7.2"), 0x8086, 0x4940),
			       "0ba76b19fd4c"));
	assert_non_null(strstr(acs_policy__p2pdma_host_commit(acs_policy_find("7.1"), 0x1ae0, 0x1234),
			       "70cf146a674c"));
	assert_string_equal(acs_policy__p2pdma_host_commit(acs_policy_find("7.1"), 0x8086, 0x2030), "");
	assert_null(acs_policy__p2pdma_host_commit(acs_policy_find("7.0"), 0x1ae0, 0x1234));
}

static void test_p2p_audit__switch_without_redirect(void **state)
{
	const int ctrl[4] = { 0x0011, 0x0011, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, NULL);
	acs_audit *a;
	size_t unsafe = 0;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		const acs_finding *fd = acs_audit_at(a, i);

		if (fd->kind != ACS_FINDING_UNSAFE)
			continue;
		unsafe++;
		/* the way in is one of the two ports without redirect */
		assert_true(fd->via[0] == tfab_idx(f, "02:00.0") || fd->via[0] == tfab_idx(f, "02:01.0"));
		assert_int_equal(fd->via[1], tfab_idx(f, "01:00.0"));
	}
	assert_int_equal(unsafe, 6);   /* 2 leaky ports x 3 other ports */
	acs_audit_free(a);
	acs_fabric_free(f);
}

/* With ACS everywhere: nothing to report. */
static void test_p2p_audit__clean(void **state)
{
	const int ctrl[4] = { ACS_ON, ACS_ON, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, NULL);
	acs_audit *a;

	(void)state;
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	assert_int_equal(acs_audit_count(a), 0);
	acs_audit_free(a);
	acs_fabric_free(f);
}

/* The override makes the kernel split what the hardware joins. */
static void test_p2p_audit__override(void **state)
{
	const int ctrl[4] = { NO_ACS, NO_ACS, NO_ACS, NO_ACS };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, NULL);
	acs_boot_opts o = ACS_BOOT_OPTS_INIT;
	acs_boot *b = NULL;
	acs_audit *a;
	size_t unsafe = 0;

	(void)state;
	o.cmdline = "pcie_acs_override=downstream";
	assert_int_equal(acs_boot_simulate(&b, f, acs_policy_default(), &o), 0);
	assert_int_equal(acs_audit_run(&a, acs_boot_fabric(b), acs_boot_policy(b),
				       acs_policy_default()), 0);
	for (size_t i = 0; i < acs_audit_count(a); i++)
		unsafe += acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE;
	assert_int_equal(unsafe, 12);
	acs_audit_free(a);
	acs_boot_free(b);
	acs_fabric_free(f);
}

/* A root port without ACS above a switch whose ports redirect: one group,
 * yet its endpoints cannot reach each other: conservative. */
static void test_p2p_audit__conservative(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_audit *a;
	size_t cons = 0;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 4, NO_ACS, false);
	tfab_upstream(&t, "01:00.0", 2, 4);
	tfab_downstream(&t, "02:00.0", 3, 3, ACS_ON);
	tfab_downstream(&t, "02:01.0", 4, 4, ACS_ON);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	tfab_endpoint(&t, "04:00.0", false, NO_ACS);
	f = tfab_end(&t);
	assert_int_equal(acs_audit_run(&a, f, acs_policy_default(), acs_policy_default()), 0);
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		assert_int_equal(acs_audit_at(a, i)->kind, ACS_FINDING_CONSERVATIVE);
		cons++;
	}
	assert_int_equal(cons, 1);
	acs_audit_free(a);
	acs_fabric_free(f);
}

/* Two root ports below a host bridge the kernel does not list (8086:29c0),
 * an endpoint each, on a host whose facts are vendor (NULL: unknown),
 * family and CONFIG_PCI_P2PDMA (-1: unknown). */
static acs_fabric *host_fabric(const char *vendor, int family, int p2pdma)
{
	struct tfab t;
	struct tcfg c;

	tfab_begin(&t);
	assert_int_equal(acs_builder_set_cpu_vendor(&t.b, vendor), 0);
	t.b.host.cpu_family = family;
	t.b.host.p2pdma = p2pdma;
	tcfg_make(&c, 0x8086, 0x29c0, 0x060000, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(&t, "00:00.0", &c);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tfab_root_port(&t, "00:02.0", 2, 2, ACS_ON, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	return tfab_end(&t);
}

/* cpu_supports_p2pdma(): AMD from family 0x17 (Zen); the CPU comes from
 * the fabric's host facts, unknown where the source did not read them;
 * what-ifs keep them. */
static void test_p2p_kernel__cpu_from_host_facts(void **state)
{
	static const struct {
		const char *vendor;
		int family, want;
	} cases[] = {
		{ "AuthenticAMD", 0x17, ACS_P2P_CPU_AMD_ZEN }, { "AuthenticAMD", 0x19, ACS_P2P_CPU_AMD_ZEN },
		{ "AuthenticAMD", 0x10, ACS_P2P_CPU_OTHER },   { "GenuineIntel", 6, ACS_P2P_CPU_OTHER },
		{ "HygonGenuine", 0x18, ACS_P2P_CPU_OTHER },   { "", -1, ACS_P2P_CPU_OTHER },
		{ "AuthenticAMD", -1, ACS_P2P_CPU_UNKNOWN },   { NULL, -1, ACS_P2P_CPU_UNKNOWN },
	};
	const acs_policy *p = acs_policy_find("6.12");

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		acs_fabric *f = host_fabric(cases[k].vendor, cases[k].family, -1), *w = NULL;
		struct acs_ctrl_change ch = { tfab_idx(f, "00:01.0"), 0 };
		struct acs_p2pdma v;
		int cpu = acs_p2p_cpu(f);

		if (cpu != cases[k].want)
			fail_msg("vendor '%s' family %d: cpu %d, want %d", cases[k].vendor ? cases[k].vendor : "(unknown)",
				 cases[k].family, cpu, cases[k].want);
		acs_p2pdma_distance(f, p, cpu, tfab_idx(f, "01:00.0"), tfab_idx(f, "02:00.0"), &v);
		assert_int_equal(v.map, cpu == ACS_P2P_CPU_AMD_ZEN ? ACS_P2P_THRU_HOST_BRIDGE : ACS_P2P_NOT_SUPPORTED);
		assert_int_equal(acs_fabric_with_acs_ctrl(&w, f, &ch, 1), 0);
		assert_int_equal(acs_p2p_cpu(w), cpu);
		assert_int_equal(acs_fabric_cpu_family(w), cases[k].family);
		if (cases[k].vendor)
			assert_string_equal(acs_fabric_cpu_vendor(w), cases[k].vendor);
		else
			assert_null(acs_fabric_cpu_vendor(w));
		acs_fabric_free(w);
		acs_fabric_free(f);
	}
}

/* Whether the kernel has P2PDMA: the host's own config where the fabric
 * knows it, else the kernel as Debian builds it (without). */
static void test_p2p_kernel__p2pdma_built_from_host(void **state)
{
	const acs_policy *p = acs_policy_find("6.12");
	acs_fabric *yes = host_fabric("GenuineIntel", 6, 1), *no = host_fabric("GenuineIntel", 6, 0);
	acs_fabric *unk = host_fabric(NULL, -1, -1);
	int from = 0;

	(void)state;
	assert_true(acs_p2pdma_built(yes, p, &from));
	assert_int_equal(from, ACS_P2PDMA_FROM_HOST);
	assert_false(acs_p2pdma_built(no, p, &from));
	assert_int_equal(from, ACS_P2PDMA_FROM_HOST);
	assert_int_equal(acs_p2pdma_built(unk, p, &from), acs_policy_p2pdma_built(p));
	assert_int_equal(from, ACS_P2PDMA_FROM_POLICY);
	assert_int_equal(acs_fabric_kernel_p2pdma(unk), -1);
	acs_fabric_free(yes);
	acs_fabric_free(no);
	acs_fabric_free(unk);
}

static int cls(const acs_fabric *f, const char *a, const char *b)
{
	return acs_p2p_class(f, tfab_idx(f, a), tfab_idx(f, b));
}

/* nvidia-smi's classes from the bus tree alone: one switch is PIX however
 * its ports' ACS is set (the route says where ACS sends requests up). */
static void test_p2p_class__one_switch(void **state)
{
	const int ctrl[4] = { ACS_ON, 0x0011, ACS_ON, ACS_ON };
	acs_fabric *f = switch_fabric(0x1022, 0x1480, ctrl, NULL);

	(void)state;
	assert_int_equal(cls(f, "03:00.0", "03:00.0"), ACS_P2P_CLASS_SELF);
	assert_int_equal(cls(f, "03:00.0", "04:00.0"), ACS_P2P_CLASS_PIX);
	assert_int_equal(cls(f, "04:00.0", "06:00.0"), ACS_P2P_CLASS_PIX);
	/* below another root port of the same root bus */
	assert_int_equal(cls(f, "03:00.0", "07:00.0"), ACS_P2P_CLASS_PHB);
	assert_int_equal(cls(f, "07:00.0", "03:00.0"), ACS_P2P_CLASS_PHB);
	/* a bridge above: only its downstream port between (inside the switch) */
	assert_int_equal(cls(f, "01:00.0", "03:00.0"), ACS_P2P_CLASS_PIX);
	/* the host bridge and a device: both on the root bus */
	assert_int_equal(cls(f, "00:00.0", "07:00.0"), ACS_P2P_CLASS_PHB);
	acs_fabric_free(f);
}

/* A switch below a switch, and a conventional bus behind a PCIe-to-PCI
 * bridge: each counts once. */
static void test_p2p_class__nested(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 9, ACS_ON, false);
	tfab_upstream(&t, "01:00.0", 2, 9);
	tfab_downstream(&t, "02:00.0", 3, 5, ACS_ON);
	tfab_upstream(&t, "03:00.0", 4, 5);
	tfab_downstream(&t, "04:00.0", 5, 5, ACS_ON);
	tfab_endpoint(&t, "05:00.0", false, NO_ACS);
	tfab_downstream(&t, "02:01.0", 6, 6, ACS_ON);
	tfab_endpoint(&t, "06:00.0", false, NO_ACS);
	tfab_downstream(&t, "02:02.0", 7, 8, ACS_ON);
	tfab_pcie_to_pci(&t, "07:00.0", 8, 8);
	tfab_pci_device(&t, "08:01.0", false);
	tfab_pci_device(&t, "08:02.0", false);
	tfab_endpoint(&t, "00:14.0", true, NO_ACS);
	tfab_endpoint(&t, "00:14.2", false, NO_ACS);
	f = tfab_end(&t);
	assert_int_equal(cls(f, "05:00.0", "06:00.0"), ACS_P2P_CLASS_PXB);   /* two switches */
	assert_int_equal(cls(f, "08:01.0", "08:02.0"), ACS_P2P_CLASS_PIX);   /* one bridge */
	assert_int_equal(cls(f, "08:01.0", "06:00.0"), ACS_P2P_CLASS_PXB);   /* the bridge and the switch */
	assert_int_equal(cls(f, "08:01.0", "05:00.0"), ACS_P2P_CLASS_PXB);
	/* one device's functions on the root bus meet inside it */
	assert_int_equal(cls(f, "00:14.0", "00:14.2"), ACS_P2P_CLASS_PIX);
	assert_int_equal(cls(f, "00:14.0", "05:00.0"), ACS_P2P_CLASS_PHB);
	acs_fabric_free(f);
}

/* Between root buses the NUMA nodes decide; one unknown is neither. */
static void test_p2p_class__numa(void **state)
{
	static const char *const roots[] = { "0000:00", "0000:40", "0000:80", "0000:c0" };
	static const int nodes[] = { 0, 0, 1, -1 };
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	for (int k = 0; k < 4; k++) {
		char rp[32], ep[32];
		uint8_t bus = (uint8_t)(0x40 * k + 1);

		snprintf(rp, sizeof(rp), "%s:01.0", roots[k]);
		snprintf(ep, sizeof(ep), "0000:%02x:00.0", bus);
		tfab_root_port(&t, rp, bus, bus, ACS_ON, false);
		t.b.raw[t.b.n - 1].numa_node = nodes[k];
		tfab_endpoint(&t, ep, false, NO_ACS);
		t.b.raw[t.b.n - 1].numa_node = nodes[k];
	}
	f = tfab_end(&t);
	assert_int_equal(cls(f, "01:00.0", "41:00.0"), ACS_P2P_CLASS_NODE);
	assert_int_equal(cls(f, "01:00.0", "81:00.0"), ACS_P2P_CLASS_SYS);
	assert_int_equal(cls(f, "41:00.0", "81:00.0"), ACS_P2P_CLASS_SYS);
	assert_int_equal(cls(f, "01:00.0", "c1:00.0"), ACS_P2P_CLASS_XHB);
	assert_int_equal(cls(f, "c1:00.0", "81:00.0"), ACS_P2P_CLASS_XHB);
	acs_fabric_free(f);
}

static void test_p2p_class__names(void **state)
{
	(void)state;
	assert_string_equal(acs_p2p_class_name(ACS_P2P_CLASS_SELF), "X");
	assert_string_equal(acs_p2p_class_name(ACS_P2P_CLASS_PIX), "PIX");
	assert_string_equal(acs_p2p_class_name(ACS_P2P_CLASS_PXB), "PXB");
	assert_string_equal(acs_p2p_class_name(ACS_P2P_CLASS_PHB), "PHB");
	assert_string_equal(acs_p2p_class_name(ACS_P2P_CLASS_NODE), "NODE");
	assert_string_equal(acs_p2p_class_name(ACS_P2P_CLASS_SYS), "SYS");
	assert_string_equal(acs_p2p_class_name(ACS_P2P_CLASS_XHB), "XHB");
	assert_null(acs_p2p_class_name(0));
	assert_null(acs_p2p_class_name(8));
}

/* Link Capabilities against Link Status: what a link can and did train. */
static void test_p2p_link__capabilities(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;
	unsigned speed = 0, width = 0;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, ACS_ON, false);
	tcfg_make(&c, 0x10de, 0x20b0, 0x030200, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	c.b[0x40 + 0x0c] = 0x04;                     /* LnkCap: 16GT/s, x16 in bits 9:4 */
	c.b[0x40 + 0x0d] = 0x01;
	c.b[0x40 + 0x12] = 0x83;                     /* LnkSta: 8GT/s x8 */
	tfab_add(&t, "01:00.0", &c);
	tfab_endpoint(&t, "00:02.0", false, NO_ACS);
	f = tfab_end(&t);
	assert_true(acs_func_link_cap(tfab_func(f, "01:00.0"), &speed, &width));
	assert_int_equal(speed, 4);
	assert_int_equal(width, 16);
	assert_true(acs_func_link(tfab_func(f, "01:00.0"), &speed, &width));
	assert_int_equal(speed, 3);
	assert_int_equal(width, 8);
	/* a register of zeros says nothing */
	assert_false(acs_func_link_cap(tfab_func(f, "00:02.0"), &speed, &width));
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_p2p_route__acs_on_every_port),
		cmocka_unit_test(test_p2p_route__redirect_cleared_on_two),
		cmocka_unit_test(test_p2p_route__egress_control),
		cmocka_unit_test(test_p2p_route__direct_translated),
		cmocka_unit_test(test_p2p_route__multifunction),
		cmocka_unit_test(test_p2p_kernel__host_bridge_list),
		cmocka_unit_test(test_p2p_kernel__egress_control_only_redirects),
		cmocka_unit_test(test_p2p_audit__switch_without_redirect),
		cmocka_unit_test(test_p2p_audit__clean),
		cmocka_unit_test(test_p2p_audit__override),
		cmocka_unit_test(test_p2p_audit__conservative),
		cmocka_unit_test(test_p2p_kernel__cpu_from_host_facts),
		cmocka_unit_test(test_p2p_kernel__host_bridge_list_2026),
		cmocka_unit_test(test_p2p_kernel__p2pdma_built_from_host),
		cmocka_unit_test(test_p2p_class__one_switch),
		cmocka_unit_test(test_p2p_class__nested),
		cmocka_unit_test(test_p2p_class__numa),
		cmocka_unit_test(test_p2p_class__names),
		cmocka_unit_test(test_p2p_link__capabilities),
	};

	return cmocka_run_group_tests_name("p2p", tests, NULL, NULL);
}
