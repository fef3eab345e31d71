/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PE assignment, as pci-ioda.c does it, and the other policies. */
#include <stdlib.h>
#include <string.h>

#include "model/cfgsynth.h"
#include "tfab.h"
#include "talloc.h"

static unsigned pe_number(const acs_pe_table *t, const acs_fabric *f, const char *a)
{
	long k = acs_pe_of(t, tfab_idx(f, a));

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
	assert_true(acs_pe_at(t, (size_t)acs_pe_of(t, tfab_idx(f, "0000:06:01.0")))->all);
	/* every PHB has its own numbers */
	assert_int_equal(pe_number(t, f, "0001:00:00.0"), 254);
	assert_int_equal(pe_number(t, f, "0001:01:00.1"), 253);
	/* groups: one per PE that does DMA; bridges alone get none */
	assert_int_equal(acs_pe_groups(&g, t, f), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "0000:01:00.0")), ACS_NO_GROUP);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "0000:05:01.0")), acs_groups_of(g, tfab_idx(f, "0000:06:01.0")));
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "0001:01:00.0")), acs_groups_of(g, tfab_idx(f, "0001:01:00.1")));
	assert_int_not_equal(acs_groups_of(g, tfab_idx(f, "0000:03:00.0")), acs_groups_of(g, tfab_idx(f, "0000:05:01.0")));
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

/* A PHB runs out of PEs: the functions left without one are listed, and
 * pe --check fails each; the rest of the fabric is assigned. */
static void test_pe_bus__out_of_pes(void **state)
{
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *f = NULL;
	acs_pe_table *t = NULL;

	(void)state;
	o.functions = 2000;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("p7ioc"), ACS_PE_BUS), 0);
	{
		const uint32_t *left;
		size_t nleft = acs_pe_left_out(t, &left), nf = 0;
		acs_pe_finding *v = NULL;

		assert_true(nleft > 0);
		for (size_t k = 0; k < nleft; k++)
			assert_int_equal(acs_pe_of(t, left[k]), -1);
		/* 128 PEs, one reserved: every number of PHB 0 in use */
		for (size_t i = 0; i < acs_pe_count(t); i++)
			nf += acs_pe_at(t, i)->domain == 0;
		assert_int_equal(nf, 127);
		assert_int_equal(acs_pe_check(&v, &nf, t, f, acs_platform_find("p7ioc")), 0);
		assert_true(nf >= nleft);
		assert_int_equal(v[0].kind == ACS_PE_OUT_OF_PES || v[nf - 1].kind == ACS_PE_OUT_OF_PES, 1);
		free(v);
	}
	acs_pe_free(t);
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("phb4"), ACS_PE_BUS), 0);
	acs_pe_free(t);
	acs_fabric_free(f);
	assert_null(acs_platform_find("power11"));
}

/* a root port whose memory window is [base, limit] (1 MiB granules) */
static void rp_window(struct tfab *t, const char *addr, uint8_t sec, uint32_t base, uint32_t limit)
{
	struct tcfg c;

	tcfg_make(&c, 0x1014, 0x03dc, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&c, 0, sec, sec);
	acs_cfg_put32(c.b, 0x20, (base >> 16 & 0xfff0) | (limit & 0xfff00000));
	tfab_add(t, addr, &c);
}

/* multifunction ones with ACS isolating them, for the device policy */
static void ep_bar(struct tfab *t, const char *addr, bool mf, uint32_t bar0)
{
	struct tcfg c;

	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, mf, mf ? 0x1d : NO_ACS);
	acs_cfg_put32(c.b, 0x10, bar0);
	tfab_add(t, addr, &c);
}

static size_t findings(const acs_fabric *f, int policy, acs_pe_finding **v)
{
	const acs_platform *p = acs_platform_find("powernv8");
	acs_pe_table *t = NULL;
	size_t n = 99;

	assert_int_equal(acs_pe_assign(&t, f, p, policy), 0);
	assert_int_equal(acs_pe_check(v, &n, t, f, p), 0);
	acs_pe_free(t);
	return n;
}

/* Two functions of one device: one PE under the bus policy passes; a PE
 * each (device policy) shares an 8 MiB segment and a bus. */
static void test_pe_check__segments_and_fences(void **state)
{
	struct tfab tb;
	acs_fabric *f;
	acs_pe_finding *v = NULL;
	size_t n;

	(void)state;
	tfab_begin(&tb);
	rp_window(&tb, "0000:00:00.0", 1, 0x80000000, 0x80ffffff);
	ep_bar(&tb, "0000:01:00.0", true, 0x80000000);
	ep_bar(&tb, "0000:01:00.1", true, 0x80004000);
	f = tfab_end(&tb);
	assert_int_equal(findings(f, ACS_PE_BUS, &v), 0);
	free(v);
	n = findings(f, ACS_PE_DEVICE, &v);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].kind, ACS_PE_SHARED_BUS);
	assert_int_equal(v[1].kind, ACS_PE_SHARED_SEGMENT);
	assert_int_equal(v[1].segment, 0);
	assert_int_equal(v[1].neighbour, tfab_idx(f, "0000:01:00.0"));
	assert_int_equal(v[2].kind, ACS_PE_SHARED_BUS);
	free(v);
	acs_fabric_free(f);
}

/* A BAR outside its bridge's window; a device on the root bus, behind no
 * bridge at all. */
static void test_pe_check__unfenced(void **state)
{
	struct tfab tb;
	acs_fabric *f;
	acs_pe_finding *v = NULL;

	(void)state;
	tfab_begin(&tb);
	rp_window(&tb, "0000:00:00.0", 1, 0x80000000, 0x807fffff);
	ep_bar(&tb, "0000:01:00.0", false, 0x80800000);
	ep_bar(&tb, "0000:00:01.0", false, 0x81000000);
	f = tfab_end(&tb);
	assert_int_equal(findings(f, ACS_PE_BUS, &v), 2);
	assert_int_equal(v[0].kind, ACS_PE_UNFENCED);
	assert_int_equal(v[0].device, tfab_idx(f, "0000:00:01.0"));
	/* the root port shares the root bus's PE: no other PE to name */
	assert_int_equal(v[0].neighbour, UINT32_MAX);
	assert_int_equal(v[1].kind, ACS_PE_OUTSIDE_WINDOW);
	assert_int_equal(v[1].device, tfab_idx(f, "0000:01:00.0"));
	assert_int_equal(v[1].neighbour, tfab_idx(f, "0000:00:00.0"));
	free(v);
	/* a PE per function: the root port's windows are another PE's */
	assert_true(findings(f, ACS_PE_DEVICE, &v) >= 1);
	assert_int_equal(v[0].kind, ACS_PE_UNFENCED);
	assert_int_equal(v[0].neighbour, tfab_idx(f, "0000:00:00.0"));
	free(v);
	acs_fabric_free(f);
}

/* With its size known a BAR covers every segment it spans: a 16 MiB BAR
 * at segment 0 reaches into segment 1, where another PE's BAR starts. */
static void test_pe_check__sized_bar_spans_segments(void **state)
{
	struct tfab tb;
	acs_fabric *f;
	acs_pe_finding *v = NULL;

	(void)state;
	for (int sized = 0; sized < 2; sized++) {
		tfab_begin(&tb);
		rp_window(&tb, "0000:00:00.0", 1, 0x80000000, 0x80ffffff);
		ep_bar(&tb, "0000:01:00.0", false, 0x80000000);
		if (sized)
			acs_builder_last(&tb.b)->bar_size[0] = 16u << 20;
		rp_window(&tb, "0000:00:01.0", 2, 0x80800000, 0x80ffffff);
		ep_bar(&tb, "0000:02:00.0", false, 0x80800000);
		f = tfab_end(&tb);
		/* (the overlapping windows are the point: a segment shared) */
		assert_int_equal(findings(f, ACS_PE_BUS, &v), sized ? 1 : 0);
		if (sized) {
			assert_int_equal(v[0].kind, ACS_PE_SHARED_SEGMENT);
			assert_int_equal(v[0].segment, 1);
		}
		free(v);
		v = NULL;
		acs_fabric_free(f);
	}
}

/* --phb: every PHB or one domain; bad parts named */
static void test_pe_platform__override(void **state)
{
	acs_platform p = *acs_platform_find("phb4");

	(void)state;
	assert_int_equal(acs_platform_override(&p, "pes=512,reserved=last,m32=4G"), 0);
	assert_int_equal(p.npes, 512);
	assert_int_equal(p.reserved_pe, 511);
	assert_int_equal(p.m32_size, 4ull << 30);
	assert_int_equal(acs_pe_segment_size(&p, 0, false), 8u << 20);
	assert_int_equal(acs_platform_override(&p, "0004:pes=128,m64-base=0x6000000000000"), 0);
	assert_int_equal(p.phb_pes[4], 128);
	assert_int_equal(p.phb_m64_base[4], 0x6000000000000ull);
	assert_int_equal(acs_pe_segment_size(&p, 4, false), 32u << 20);
	assert_int_equal(acs_platform_override(&p, "m32=3G"), ACS_EINVAL);
	assert_non_null(strstr(acs_error_last()->message, "'m32=3G'"));
	assert_int_equal(acs_platform_override(&p, "0004:m32=2G"), ACS_EINVAL);
	assert_int_equal(acs_platform_override(&p, "40:pes=8"), ACS_EINVAL);
	assert_int_equal(acs_platform_override(&p, "pes"), ACS_EINVAL);
	assert_int_equal(acs_platform_override(&p, "0:"), ACS_EINVAL);
	/* a last reserved PE stays the last, in either order */
	p = *acs_platform_find("powernv9");
	assert_int_equal(acs_platform_override(&p, "pes=128"), 0);
	assert_int_equal(p.reserved_pe, 127);
	p = *acs_platform_find("powernv9");
	assert_int_equal(acs_platform_override(&p, "reserved=last,pes=128"), 0);
	assert_int_equal(p.reserved_pe, 127);
	p = *acs_platform_find("powernv9");
	assert_int_equal(acs_platform_override(&p, "reserved=3,pes=128"), 0);
	assert_int_equal(p.reserved_pe, 3);
	assert_int_equal(acs_platform_override(&p, "reserved=100,pes=64"), ACS_EINVAL);
	/* segments must split evenly: powers of two, windows of 1 MiB at least */
	assert_int_equal(acs_platform_override(&p, "pes=300"), ACS_EINVAL);
	assert_int_equal(acs_platform_override(&p, "0001:pes=300"), ACS_EINVAL);
	assert_int_equal(acs_platform_override(&p, "m32=1"), ACS_EINVAL);
	assert_int_equal(acs_platform_override(&p, "m64=1"), ACS_EINVAL);
}

/* no segment holds two PEs' BARs; every BAR aligned to its size */
static void assert_valid(const acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, uint64_t seg)
{
	for (size_t i = 0; i < n; i++) {
		if (a->offset[i] == UINT64_MAX)
			continue;
		assert_int_equal(a->offset[i] % d[i].size, 0);
		for (size_t j = 0; j < n; j++) {
			if (j == i || a->offset[j] == UINT64_MAX)
				continue;
			/* no overlap in bytes */
			assert_true(a->offset[i] + d[i].size <= a->offset[j] || a->offset[j] + d[j].size <= a->offset[i]);
			if (d[i].pe != d[j].pe)
				assert_true((a->offset[i] + d[i].size - 1) / seg < a->offset[j] / seg ||
					    (a->offset[j] + d[j].size - 1) / seg < a->offset[i] / seg);
		}
	}
}

static void test_pe_allocate__packed_meets_the_bound(void **state)
{
	const uint64_t M = 1 << 20, seg = 8 * M;
	const acs_pe_bar_demand d[] = { { 2, M, 0 }, { 1, 16 * M, 0 }, { 3, 8 * M, 0 }, { 2, M, 0 }, { 1, 4096, 0 }, { 4, 4096, 0 } };
	acs_pe_alloc a, ff;

	(void)state;
	assert_int_equal(acs_pe_allocate(&a, d, 6, seg, 16, ACS_PE_ALLOC_PACKED), 0);
	/* PE 1: 16 MiB + 4 KiB in 3 segments; the others one each */
	assert_int_equal(a.lower_bound, 6);
	assert_int_equal(a.used, 6);
	assert_int_equal(a.wasted, 0);
	assert_int_equal(a.nfailed, 0);
	assert_valid(&a, d, 6, seg);
	assert_int_equal(acs_pe_allocate(&ff, d, 6, seg, 16, ACS_PE_ALLOC_FIRST_FIT), 0);
	assert_valid(&ff, d, 6, seg);
	assert_int_equal(ff.nfailed, 0);
	assert_true(ff.used >= a.used);
	acs_pe_alloc_free(&a);
	acs_pe_alloc_free(&ff);
}

/* a window too small: the BARs that do not fit are marked; bad sizes are
 * errors */
static void test_pe_allocate__out_of_segments(void **state)
{
	const uint64_t M = 1 << 20;
	const acs_pe_bar_demand d[] = { { 1, 16 * M, 0 }, { 1, M, 0 }, { 2, M, 0 } }, bad[] = { { 1, 3 * M, 0 } };
	acs_pe_alloc a;

	(void)state;
	assert_int_equal(acs_pe_allocate(&a, d, 3, 8 * M, 3, ACS_PE_ALLOC_PACKED), 0);
	assert_int_equal(a.nfailed, 1);
	assert_int_equal(a.offset[2], UINT64_MAX);
	assert_int_equal(a.used, 3);
	acs_pe_alloc_free(&a);
	assert_int_equal(acs_pe_allocate(&a, bad, 1, 8 * M, 3, ACS_PE_ALLOC_PACKED), ACS_EINVAL);
	assert_non_null(strstr(acs_error_last()->message, "BAR 0"));
}

/* Two bridges side by side (windows 1 and 2 under the PHB's 0). Packed
 * flat, by alignment alone, B's PE lands between A's two PEs, inside the
 * range A's bridge must decode; packed per bridge, A's PEs are one block. */
static void test_pe_allocate_tree__bridges_keep_their_blocks(void **state)
{
	const uint64_t M = 1 << 20, seg = 8 * M;
	const uint32_t parent[] = { 0, 0, 0 };
	const acs_pe_bar_demand d[] = { { 1, 16 * M, 1 }, { 2, 8 * M, 2 }, { 3, 4096, 1 } };
	acs_pe_alloc a, flat;
	uint32_t w;

	(void)state;
	assert_int_equal(acs_pe_allocate(&flat, d, 3, seg, 16, ACS_PE_ALLOC_PACKED), 0);
	assert_true(talloc_misrouted(&flat, d, 3, parent, 3, &w) >= 0);
	assert_int_equal(acs_pe_allocate_tree(&a, d, 3, parent, 3, seg, 16), 0);
	talloc_assert_decodes(&a, d, 3, parent, seg);
	assert_int_equal(a.used, 4);
	assert_int_equal(a.used, a.lower_bound);
	assert_int_equal(a.wasted, 0);
	assert_int_equal(a.window_bound, 4);
	/* A: PE 1 in segments 0-1, PE 3 in 2; B after it */
	assert_int_equal(a.offset[0], 0);
	assert_int_equal(a.offset[2], 2 * seg);
	assert_int_equal(a.offset[1], 3 * seg);
	assert_int_equal(a.window_start[1], 0);
	assert_int_equal(a.window_end[1], 3 * seg - 1);
	assert_int_equal(a.window_start[2], 3 * seg);
	assert_int_equal(a.nwindows, 3);
	acs_pe_alloc_free(&flat);
	acs_pe_alloc_free(&a);
}

/* Below one PE (a PCIe-to-PCI bridge's range) bridges share segments:
 * their windows pack in 1 MiB units, not whole segments. */
static void test_pe_allocate_tree__one_pe_packs_in_bridge_units(void **state)
{
	const uint64_t M = 1 << 20, seg = 8 * M;
	/* 1: the PCIe-to-PCI bridge; 2, 3: bridges below it; 4: a sibling
	 * of 1 with another PE */
	const uint32_t parent[] = { 0, 0, 1, 1, 0 };
	const acs_pe_bar_demand d[] = { { 5, 4096, 2 }, { 5, 16384, 3 }, { 5, 4096, 1 }, { 6, 2 * M, 4 } };
	acs_pe_alloc a;

	(void)state;
	assert_int_equal(acs_pe_allocate_tree(&a, d, 4, parent, 5, seg, 4), 0);
	talloc_assert_decodes(&a, d, 4, parent, seg);
	assert_int_equal(a.nfailed, 0);
	assert_int_equal(a.used, 2);
	/* windows 2 and 3 one unit each, then window 1's own BAR: 3 MiB */
	assert_int_equal(a.window_end[2] - a.window_start[2] + 1, M);
	assert_int_equal(a.window_end[3] - a.window_start[3] + 1, M);
	assert_int_equal(a.window_end[1] - a.window_start[1] + 1, 3 * M);
	assert_int_equal(a.window_end[4] - a.window_start[4] + 1, 2 * M);
	assert_true(a.offset[3] / seg != a.offset[0] / seg);
	assert_int_equal(a.lower_bound, 2);
	assert_int_equal(a.window_bound, 2);
	acs_pe_alloc_free(&a);
}

/* Out of segments: what does not fit fails with everything below its
 * bridge; windows that do not nest are refused. */
static void test_pe_allocate_tree__out_of_segments_and_bad_trees(void **state)
{
	const uint64_t M = 1 << 20, seg = 8 * M;
	const uint32_t parent[] = { 0, 0, 0 }, loop[] = { 0, 2, 1 }, far[] = { 0, 7 };
	const acs_pe_bar_demand d[] = { { 1, 16 * M, 1 }, { 3, 4096, 1 }, { 2, 8 * M, 2 }, { 4, 4096, 2 } };
	const acs_pe_bar_demand bad[] = { { 1, M, 3 } };
	acs_pe_alloc a;

	(void)state;
	assert_int_equal(acs_pe_allocate_tree(&a, d, 4, parent, 3, seg, 4), 0);
	talloc_assert_decodes(&a, d, 4, parent, seg);
	assert_int_equal(a.nfailed, 2);
	assert_int_equal(a.offset[2], UINT64_MAX);
	assert_int_equal(a.offset[3], UINT64_MAX);
	assert_int_equal(a.window_start[2], UINT64_MAX);
	assert_int_equal(a.used, 3);
	acs_pe_alloc_free(&a);
	assert_int_equal(acs_pe_allocate_tree(&a, d, 4, loop, 3, seg, 4), ACS_EINVAL);
	assert_non_null(strstr(acs_error_last()->message, "not inside window 0"));
	assert_int_equal(acs_pe_allocate_tree(&a, d, 1, far, 2, seg, 4), ACS_EINVAL);
	assert_non_null(strstr(acs_error_last()->message, "window 1: parent 7"));
	assert_int_equal(acs_pe_allocate_tree(&a, bad, 1, parent, 3, seg, 4), ACS_EINVAL);
	assert_non_null(strstr(acs_error_last()->message, "BAR 0: window 3"));
	assert_int_equal(acs_pe_allocate_tree(&a, d, 1, NULL, 3, seg, 4), ACS_EINVAL);
}

/* BARs larger than the window fail (no sum of sizes wraps); windows past
 * 2^63 bytes are refused; with segments under 1 MiB a bridge's block of
 * several PEs still takes whole 1 MiB units. */
static void test_pe_allocate_tree__limits(void **state)
{
	const uint64_t M = 1 << 20, K = 1 << 10, big = 1ull << 63;
	const uint32_t flat[] = { 0 }, two[] = { 0, 0, 0 };
	const acs_pe_bar_demand huge[] = { { 0, big, 0 }, { 0, big, 0 }, { 1, M, 0 } };
	const acs_pe_bar_demand small[] = { { 0, 4 * K, 1 }, { 1, 4 * K, 1 }, { 2, 4 * K, 1 },
					    { 3, 4 * K, 2 }, { 4, 4 * K, 2 } };
	acs_pe_alloc a;

	(void)state;
	assert_int_equal(acs_pe_allocate_tree(&a, huge, 3, flat, 1, M, 4), 0);
	assert_int_equal(a.nfailed, 2);
	assert_int_equal(a.offset[0], UINT64_MAX);
	assert_int_equal(a.offset[1], UINT64_MAX);
	assert_int_equal(a.offset[2], 0);
	assert_int_equal(a.used, 1);
	assert_int_equal(a.lower_bound, (big / M) * 2 + 1);
	acs_pe_alloc_free(&a);
	assert_int_equal(acs_pe_allocate_tree(&a, huge, 3, flat, 1, 1ull << 62, 4), ACS_EINVAL);
	assert_int_equal(acs_pe_allocate(&a, huge, 3, M, ACS_PE_MAX_SEGMENTS + 1, ACS_PE_ALLOC_PACKED), ACS_EINVAL);
	/* 512 KiB segments: three PEs below bridge 1 take 3 segments, rounded
	 * to 2 MiB; bridge 2's block starts after it */
	assert_int_equal(acs_pe_allocate_tree(&a, small, 5, two, 3, 512 * K, 8), 0);
	talloc_assert_decodes(&a, small, 5, two, 512 * K);
	assert_int_equal(a.nfailed, 0);
	assert_int_equal(a.window_end[1] - a.window_start[1] + 1, 2 * M);
	assert_int_equal(a.window_start[2] % M, 0);
	acs_pe_alloc_free(&a);
}

/* Sizes from the source; a BAR the kernel left unassigned still counts;
 * 64-bit prefetchable BARs go to M64 where the platform has it. */
static void test_pe_allocate__demands_from_the_fabric(void **state)
{
	const acs_platform *p = acs_platform_find("powernv8");
	struct tfab tb;
	struct tcfg c;
	acs_fabric *f;
	acs_pe_table *t = NULL;
	acs_pe_bar_demand d[8];
	acs_pe_bar_ref r[8];
	size_t unsized = 9;

	(void)state;
	tfab_begin(&tb);
	rp_window(&tb, "0000:00:00.0", 1, 0x80000000, 0x80ffffff);
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	acs_cfg_put32(c.b, 0x10, 0x80000000);   /* BAR0: 16 KiB */
	acs_cfg_put32(c.b, 0x14, 0x00000000);   /* BAR1: unassigned, 1 MiB */
	acs_cfg_put32(c.b, 0x18, 0x0000000c);   /* BAR2-3: 64-bit prefetchable */
	acs_cfg_put32(c.b, 0x1c, 0x0003d000);
	acs_cfg_put32(c.b, 0x20, 0x80100000);   /* BAR4: size unknown */
	acs_cfg_put32(c.b, 0x24, 0x80200008);   /* BAR5: 32-bit prefetchable */
	tfab_add(&tb, "0000:01:00.0", &c);
	acs_builder_last(&tb.b)->bar_size[5] = 1 << 20;
	acs_builder_last(&tb.b)->bar_size[0] = 16384;
	acs_builder_last(&tb.b)->bar_size[1] = 1 << 20;
	acs_builder_last(&tb.b)->bar_size[2] = 1ull << 30;
	f = tfab_end(&tb);
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_window_demands(t, f, p, 0, false, d, r, 8, &unsized), 3);
	assert_int_equal(unsized, 1);
	assert_int_equal(acs_pe_window_demands(t, f, p, 0, true, d + 3, r + 3, 5, &unsized), 1);
	assert_int_equal(d[3].size, 1ull << 30);
	/* below root port 0 (function 0): memory window 1, prefetchable 2;
	 * with the prefetchable window 64-bit in M64, the 32-bit
	 * prefetchable BAR5 goes in the memory window, as Linux sizes it */
	assert_int_equal(tfab_idx(f, "0000:00:00.0"), 0);
	assert_int_equal(d[0].window, 1);
	assert_int_equal(r[2].bar, 5);
	assert_int_equal(d[2].window, 1);
	assert_int_equal(d[3].window, 2);
	{
		uint32_t parent[5];

		assert_int_equal(acs_pe_bridge_windows(f, parent, 5), 5);
		assert_int_equal(parent[1], 0);
		assert_int_equal(parent[3], 1);
		assert_int_equal(parent[4], 2);
	}
	assert_int_equal(r[0].bar, 0);
	assert_int_equal(d[0].size, 16384);
	assert_int_equal(r[1].bar, 1);
	assert_int_equal(d[1].pe, (uint32_t)acs_pe_of(t, tfab_idx(f, "0000:01:00.0")));
	acs_pe_free(t);
	/* p7ioc has no M64 window (Linux uses none): the 64-bit BAR is an
	 * M32 demand, in the prefetchable window with BAR5 */
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("p7ioc"), ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_window_demands(t, f, acs_platform_find("p7ioc"), 0, false, d, r, 8, &unsized), 4);
	assert_int_equal(r[2].bar, 2);
	assert_int_equal(d[2].window, 2);
	assert_int_equal(r[3].bar, 5);
	assert_int_equal(d[3].window, 2);
	assert_int_equal(d[0].window, 1);
	acs_pe_free(t);
	acs_fabric_free(f);
}

/* a 2 GiB BAR over all 512 M32 segments of a powernv9 PHB: every one counted */
static void test_pe_segments__more_than_256(void **state)
{
	const acs_platform *p = acs_platform_find("powernv9");
	struct tfab tb;
	acs_fabric *f;
	acs_pe_table *t = NULL;
	unsigned seg[ACS_PE_MAX_PES];

	(void)state;
	tfab_begin(&tb);
	rp_window(&tb, "0000:00:00.0", 1, 0x80000000, 0xffffffff);
	ep_bar(&tb, "0000:01:00.0", false, 0x80000000);
	acs_builder_last(&tb.b)->bar_size[0] = 2ull << 30;
	f = tfab_end(&tb);
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_segments(t, f, p, (size_t)acs_pe_of(t, tfab_idx(f, "0000:01:00.0")), false, seg,
					 ACS_PE_MAX_PES), 512);
	assert_int_equal(seg[511], 511);
	/* fewer places than segments: the count, and what fits */
	assert_int_equal(acs_pe_segments(t, f, p, (size_t)acs_pe_of(t, tfab_idx(f, "0000:01:00.0")), false, seg, 3), 512);
	assert_int_equal(seg[2], 2);
	acs_pe_free(t);
	acs_fabric_free(f);
}

/* A PHB3 with SR-IOV PFs, one per root port, each "sriov" given as JSON. */
static acs_fabric *iov_phb(const char *const *sriov, size_t n)
{
	char text[8192];
	const char *path;
	size_t len = 0;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	len += (size_t)snprintf(text + len, sizeof(text) - len,
				"{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s{ \"slot\": \"%02zx.0\", \"type\": \"root-port\", \"children\": [ "
					"{ \"slot\": \"00.0\", \"type\": \"endpoint\", \"bars\": [ { \"size\": \"1M\" } ], "
					"\"sriov\": %s } ] }", i ? ", " : "", i, sriov[i]);
	snprintf(text + len, sizeof(text) - len, "] } ] }");
	path = tdir_write("iov.json", text);
	o.kind = ACS_SOURCE_TOPOLOGY;
	o.path = path;
	assert_int_equal(acs_fabric_load(&f, &o), 0);
	return f;
}

#define M64(size) "{ \"size\": \"" size "\", \"64bit\": true, \"prefetch\": true }"

static void test_pe_iov__modes(void **state)
{
	static const char *const pf[] = {
		/* one VF's BARs 128K: segmented, VF BARs sized for 256 VFs */
		"{ \"total_vfs\": 64, \"num_vfs\": 3, \"bars\": [ " M64("64K") ", " M64("64K") " ] }",
		/* 128M > 256M / 4: single-PE mode, sized for 4 VFs */
		"{ \"total_vfs\": 3, \"num_vfs\": 2, \"bars\": [ " M64("128M") " ] }",
		/* 64M is not over the gate, 64M + 16M is; 16M < 32M */
		"{ \"total_vfs\": 4, \"num_vfs\": 0, \"bars\": [ " M64("64M") ", " M64("16M") " ] }",
		/* 32-bit: no VFs */
		"{ \"total_vfs\": 4, \"num_vfs\": 1, \"bars\": [ { \"size\": \"64K\" } ] }",
		/* 64-bit but not prefetchable */
		"{ \"total_vfs\": 4, \"num_vfs\": 1, \"bars\": [ { \"size\": \"64K\", \"64bit\": true } ] }",
		/* QEMU's nvme: a 16 KiB VF BAR, not whole 64 KiB pages */
		"{ \"total_vfs\": 4, \"num_vfs\": 0, \"bars\": [ { \"size\": \"16K\", \"64bit\": true } ] }",
	};
	const acs_platform *p = acs_platform_find("powernv8");
	acs_fabric *f = iov_phb(pf, 6);
	acs_pe_table *t = NULL;
	const acs_pe_iov *e;
	acs_groups *g = NULL;

	(void)state;
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_iov_count(t), 6);
	/* boot PEs 254 (root bus) .. 248; then VFs, PF by PF: the highest
	 * free run, VF 0 lowest */
	e = acs_pe_iov_at(t, 0);
	assert_int_equal(e->mode, ACS_PE_IOV_SEGMENTED);
	assert_int_equal(e->reason, ACS_PE_IOV_OK);
	assert_int_equal(e->expanded, 256);
	assert_int_equal(e->base_pe, 245);
	assert_int_equal(pe_number(t, f, "0000:01:00.1"), 245);
	assert_int_equal(pe_number(t, f, "0000:01:00.3"), 247);
	assert_true(acs_pe_at(t, (size_t)acs_pe_of(t, tfab_idx(f, "0000:01:00.3")))->vf);
	/* one M64 BAR per VF BAR, from #0 */
	assert_int_equal(e->m64_first, 0);
	assert_int_equal(e->m64_count, 2);
	assert_int_equal(acs_pe_iov_bar_space(e, f, p, 0), 256 * (64 << 10));
	e = acs_pe_iov_at(t, 1);
	assert_int_equal(e->mode, ACS_PE_IOV_SINGLE);
	assert_int_equal(e->expanded, 4);
	assert_int_equal(e->base_pe, 243);
	assert_int_equal(e->m64_first, 2);
	assert_int_equal(e->m64_count, 2);
	assert_int_equal(acs_pe_iov_bar_space(e, f, p, 0), 512ull << 20);
	e = acs_pe_iov_at(t, 2);
	assert_int_equal(e->mode, ACS_PE_IOV_OFF);
	assert_int_equal(e->reason, ACS_PE_IOV_SMALL_SINGLE);
	assert_int_equal(e->bar, 2);
	assert_true(acs_pe_iov_failed(e));
	e = acs_pe_iov_at(t, 3);
	assert_int_equal(e->reason, ACS_PE_IOV_NOT_M64);
	assert_int_equal(e->base_pe, -1);
	assert_int_equal(acs_pe_iov_bar_space(e, f, p, 0), 0);
	assert_int_equal(acs_pe_of(t, tfab_idx(f, "0000:04:00.1")), -1);
	assert_int_equal(acs_pe_iov_at(t, 4)->reason, ACS_PE_IOV_NOT_M64);
	assert_int_equal(acs_pe_iov_at(t, 5)->reason, ACS_PE_IOV_PAGE);
	assert_true(acs_pe_iov_failed(acs_pe_iov_at(t, 5)));
	/* VFs that cannot exist get no group */
	assert_int_equal(acs_pe_groups(&g, t, f), 0);
	assert_int_equal(acs_groups_of(g, tfab_idx(f, "0000:04:00.1")), ACS_NO_GROUP);
	assert_int_not_equal(acs_groups_of(g, tfab_idx(f, "0000:01:00.1")), acs_groups_of(g, tfab_idx(f, "0000:01:00.2")));
	acs_groups_free(g);
	acs_pe_free(t);
	/* p7ioc (IODA1): no SR-IOV at all */
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("p7ioc"), ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_iov_at(t, 0)->reason, ACS_PE_IOV_NO_SRIOV_PHB);
	assert_int_equal(acs_pe_of(t, tfab_idx(f, "0000:01:00.1")), -1);
	acs_pe_free(t);
	/* generic PHB3: the M64 size decides the mode; unknown, VFs still get PEs */
	assert_int_equal(acs_pe_assign(&t, f, acs_platform_find("phb3"), ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_iov_at(t, 0)->mode, ACS_PE_IOV_UNKNOWN);
	assert_int_equal(acs_pe_iov_at(t, 0)->reason, ACS_PE_IOV_M64_UNKNOWN);
	assert_int_equal(pe_number(t, f, "0000:01:00.1"), 245);
	acs_pe_free(t);
	acs_fabric_free(f);
}

static void test_pe_iov__runs_out(void **state)
{
	static const char *const pf[] = {
		/* 14 single-PE M64 BARs of the 15 free (#0..14) */
		"{ \"total_vfs\": 16, \"num_vfs\": 14, \"bars\": [ " M64("256M") " ] }",
		"{ \"total_vfs\": 16, \"num_vfs\": 2, \"bars\": [ " M64("256M") " ] }",
		/* segmented: the last M64 BAR */
		"{ \"total_vfs\": 16, \"num_vfs\": 2, \"bars\": [ " M64("64K") " ] }",
		/* 240 PEs are not left */
		"{ \"total_vfs\": 240, \"num_vfs\": 240 }",
	};
	const acs_platform *p = acs_platform_find("powernv8");
	acs_fabric *f = iov_phb(pf, 4);
	acs_pe_table *t = NULL;
	acs_pe_finding *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_iov_at(t, 0)->m64_count, 14);
	assert_int_equal(acs_pe_iov_at(t, 1)->reason, ACS_PE_IOV_NO_M64_BARS);
	assert_int_equal(acs_pe_iov_at(t, 1)->base_pe, -1);
	/* what failed gave its PEs back: the next PF gets the same run */
	assert_int_equal(acs_pe_iov_at(t, 2)->reason, ACS_PE_IOV_OK);
	assert_int_equal(acs_pe_iov_at(t, 2)->m64_first, 14);
	assert_int_equal(acs_pe_iov_at(t, 2)->base_pe, acs_pe_iov_at(t, 0)->base_pe - 2);
	assert_int_equal(acs_pe_iov_at(t, 3)->reason, ACS_PE_IOV_NO_PES);
	assert_int_equal(acs_pe_check(&v, &n, t, f, p), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].kind, ACS_PE_IOV_FAILED);
	assert_int_equal(v[0].device, tfab_idx(f, "0000:02:00.0"));
	assert_int_equal(v[0].iov_reason, ACS_PE_IOV_NO_M64_BARS);
	assert_int_equal(v[1].iov_reason, ACS_PE_IOV_NO_PES);
	free(v);
	acs_pe_free(t);
	acs_fabric_free(f);
}

static void test_pe_iov__allocate_demands(void **state)
{
	static const char *const pf[] = {
		"{ \"total_vfs\": 4, \"num_vfs\": 2, \"bars\": [ " M64("32M") ", " M64("64M") " ] }",
	};
	const acs_platform *p = acs_platform_find("powernv8");
	acs_fabric *f = iov_phb(pf, 1);
	acs_pe_table *t = NULL;
	acs_pe_bar_demand d[8];
	acs_pe_bar_ref r[8];
	size_t unsized;

	(void)state;
	assert_int_equal(acs_pe_assign(&t, f, p, ACS_PE_BUS), 0);
	/* 32M + 64M > 256M / 4: single-PE mode, sized for 4 VFs */
	assert_int_equal(acs_pe_iov_at(t, 0)->mode, ACS_PE_IOV_SINGLE);
	/* the VFs' BARs are their PF's: only the PF's BAR0 goes in M32 */
	assert_int_equal(acs_pe_window_demands(t, f, p, 0, false, d, r, 8, &unsized), 1);
	assert_int_equal(unsized, 0);
	assert_int_equal(acs_pe_window_demands(t, f, p, 0, true, d, r, 8, &unsized), 2);
	/* 4 x 32M is under a 256M segment: a whole one, so that no other
	 * PE shares it */
	assert_int_equal(r[0].bar, ACS_PE_VF_BAR0 + 0);
	assert_int_equal(d[0].size, 256ull << 20);
	assert_int_equal(r[1].bar, ACS_PE_VF_BAR0 + 2);
	assert_int_equal(d[1].size, 256ull << 20);
	assert_int_equal(d[1].pe, (uint32_t)acs_pe_of(t, tfab_idx(f, "0000:01:00.0")));
	acs_pe_free(t);
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe_bus__linux_rules),
		cmocka_unit_test(test_pe_slot__whole_root_port),
		cmocka_unit_test(test_pe_device__isolated_functions),
		cmocka_unit_test(test_pe_bus__out_of_pes),
		cmocka_unit_test(test_pe_check__segments_and_fences),
		cmocka_unit_test(test_pe_check__unfenced),
		cmocka_unit_test(test_pe_platform__override),
		cmocka_unit_test(test_pe_check__sized_bar_spans_segments),
		cmocka_unit_test(test_pe_allocate__packed_meets_the_bound),
		cmocka_unit_test(test_pe_allocate__out_of_segments),
		cmocka_unit_test(test_pe_allocate__demands_from_the_fabric),
		cmocka_unit_test(test_pe_allocate_tree__bridges_keep_their_blocks),
		cmocka_unit_test(test_pe_allocate_tree__one_pe_packs_in_bridge_units),
		cmocka_unit_test(test_pe_allocate_tree__out_of_segments_and_bad_trees),
		cmocka_unit_test(test_pe_allocate_tree__limits),
		cmocka_unit_test(test_pe_segments__more_than_256),
		cmocka_unit_test(test_pe_iov__modes),
		cmocka_unit_test(test_pe_iov__runs_out),
		cmocka_unit_test(test_pe_iov__allocate_demands),
	};

	return cmocka_run_group_tests_name("pe", tests, tdir_setup, tdir_teardown);
}
