/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Topology files: each element, bus numbering, and bad input with the
 * line and column or the element's path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/topology.h"
#include "tfab.h"

static char path[] = "/tmp/acsctl-topo-test-XXXXXX";

static int load_text(const char *text, acs_fabric **f)
{
	int fd = mkstemp(path);
	FILE *out = fdopen(fd, "w");
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	int rc;

	fputs(text, out);
	fclose(out);
	o.kind = ACS_SOURCE_FILE;
	o.path = path;
	rc = acs_fabric_load(f, &o);
	unlink(path);
	strcpy(path + strlen(path) - 6, "XXXXXX");
	return rc;
}

static acs_fabric *load_ok(const char *text)
{
	acs_fabric *f = NULL;

	if (load_text(text, &f))
		fail_msg("%s", acs_error_last()->message);
	return f;
}

static void expect_bad(const char *text, const char *what)
{
	acs_fabric *f = NULL;

	assert_int_equal(load_text(text, &f), ACS_EPARSE);
	if (!strstr(acs_error_last()->message, what))
		fail_msg("error '%s' lacks '%s'", acs_error_last()->message, what);
	assert_null(strchr(acs_error_last()->message, '\n'));
}

#define SWITCH_TOPO \
	"// an 8-GPU style switch, shortened\n" \
	"{ \"acsctl-topology\": 1, /* version */\n" \
	"  \"roots\": [ { \"functions\": [\n" \
	"    { \"slot\": \"00.0\", \"type\": \"host-bridge\" },\n" \
	"    { \"slot\": \"01.0\", \"type\": \"root-port\", \"acs\": {}, \"children\": [\n" \
	"      { \"slot\": \"00.0\", \"type\": \"upstream-port\", \"children\": [\n" \
	"        { \"slot\": \"00.0\", \"type\": \"downstream-port\", \"acs\": {}, \"children\": [\n" \
	"          { \"slot\": \"00.0\", \"type\": \"endpoint\", \"vendor\": \"10de\", \"device\": \"2330\", \"class\": \"030200\", \"ats\": true } ] },\n" \
	"        { \"slot\": \"01.0\", \"type\": \"downstream-port\", \"acs\": { \"ctrl\": \"0011\" }, \"children\": [\n" \
	"          { \"slot\": \"00.0\", \"type\": \"endpoint\", \"sriov\": { \"total_vfs\": 8, \"num_vfs\": 2 } } ] } ] } ] },\n" \
	"    { \"slot\": \"02.0\", \"type\": \"root-port\", \"children\": [\n" \
	"      { \"slot\": \"00.0\", \"type\": \"endpoint\", \"multifunction\": true },\n" \
	"      { \"slot\": \"00.1\", \"type\": \"endpoint\" } ] } ] } ] }\n"

static void test_topology_load__switch(void **state)
{
	acs_fabric *f = load_ok(SWITCH_TOPO);
	const struct acs_func *rp, *usp, *d0, *d1, *gpu, *pf;

	(void)state;
	assert_int_equal(acs_fabric_count(f), 12);   /* with the PF's 2 VFs */
	assert_true(acs_fabric_find(f, 0, 4, 0, 1)->is_virtfn);
	assert_true(acs_fabric_find(f, 0, 4, 0, 2)->is_virtfn);
	rp = acs_fabric_find(f, 0, 0, 1, 0);
	usp = acs_fabric_find(f, 0, 1, 0, 0);
	d0 = acs_fabric_find(f, 0, 2, 0, 0);
	d1 = acs_fabric_find(f, 0, 2, 1, 0);
	gpu = acs_fabric_find(f, 0, 3, 0, 0);
	pf = acs_fabric_find(f, 0, 4, 0, 0);
	assert_non_null(rp);
	assert_non_null(gpu);
	assert_non_null(pf);
	/* depth-first bus numbers */
	assert_int_equal(rp->secondary, 1);
	assert_int_equal(rp->subordinate, 4);
	assert_int_equal(usp->secondary, 2);
	assert_int_equal(usp->subordinate, 4);
	assert_int_equal(d0->secondary, 3);
	assert_int_equal(d1->secondary, 4);
	assert_int_equal(acs_fabric_find(f, 0, 0, 2, 0)->secondary, 5);
	/* ACS defaults and values */
	assert_int_equal(rp->acs_cap, 0x005f);
	assert_int_equal(rp->acs_ctrl, 0x001d);
	assert_int_equal(d1->acs_ctrl, 0x0011);
	assert_int_equal(usp->acs_pos, 0);
	assert_int_equal(usp->pcie_type, ACS_PCIE_UPSTREAM);
	assert_int_equal(gpu->vendor_id, 0x10de);
	assert_int_equal(gpu->class_code, 0x030200);
	assert_true(gpu->ats_pos != 0);
	assert_int_equal(pf->sriov_total_vfs, 8);
	assert_int_equal(pf->sriov_num_vfs, 2);
	assert_true(acs_fabric_find(f, 0, 5, 0, 1)->multifunction);
	assert_partition(f, "6.12",
		"00:00.0 | 00:01.0 | 01:00.0 | 02:00.0 | 02:01.0 04:00.0 04:00.1 04:00.2 | 03:00.0 | 00:02.0 05:00.0 05:00.1");
	acs_fabric_free(f);
}

static void test_topology_load__explicit_buses_and_domains(void **state)
{
	acs_fabric *f = load_ok(
		"{ \"acsctl-topology\": 1, \"roots\": [\n"
		" { \"domain\": \"0001\", \"bus\": \"80\", \"functions\": [\n"
		"   { \"slot\": \"03.0\", \"type\": \"root-port\", \"secondary\": \"90\", \"subordinate\": \"95\",\n"
		"     \"children\": [ { \"slot\": \"00.0\", \"type\": \"endpoint\" } ] } ] },\n"
		" { \"functions\": [ { \"slot\": \"1f.0\", \"type\": \"pci-device\" } ] } ] }");
	const struct acs_func *rp = acs_fabric_find(f, 1, 0x80, 3, 0);

	(void)state;
	assert_non_null(rp);
	assert_int_equal(rp->secondary, 0x90);
	assert_int_equal(rp->subordinate, 0x95);
	assert_non_null(acs_fabric_find(f, 1, 0x90, 0, 0));
	assert_non_null(acs_fabric_find(f, 0, 0, 0x1f, 0));
	acs_fabric_free(f);
}

static void test_topology_bad__syntax_line_column(void **state)
{
	(void)state;
	expect_bad("{ \"acsctl-topology\": 1,\n  \"roots\": [ { \"functions\": [ } ] }\n", ":2:");
}

static void test_topology_bad__elements(void **state)
{
	(void)state;
	expect_bad("{ \"roots\": [] }", "not an acsctl topology");
	expect_bad("{}", "not an acsctl topology");   /* fuzz-parse-topology: UBSan, null + 0 */
	expect_bad("{ \"acsctl-topology\": 1 }", "\"roots\"");
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ { \"slot\": \"01.0\", \"type\": \"rootport\" } ] } ] }",
		   "roots[0].functions[0]: unknown type 'rootport'");
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ { \"type\": \"endpoint\" } ] } ] }",
		   "roots[0].functions[0]: needs \"slot\"");
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ { \"slot\": \"20.0\", \"type\": \"endpoint\" } ] } ] }",
		   "slot '20.0'");
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ { \"slot\": \"01.0\", \"type\": \"endpoint\", \"vendor\": \"12345\" } ] } ] }",
		   "vendor '12345'");
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ { \"slot\": \"01.0\", \"type\": \"endpoint\", \"children\": [] } ] } ] }",
		   "a endpoint has no children");
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ { \"slot\": \"01.0\", \"type\": \"root-port\", \"children\": [ { \"slot\": \"00.0\", \"type\": \"endpoint\", \"acs\": 5 } ] } ] } ] }",
		   "roots[0].functions[0].children[0]: \"acs\" must be an object");
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ { \"slot\": \"01.0\", \"type\": \"endpoint\", \"sriov\": { \"total_vfs\": 2, \"num_vfs\": 3 } } ] } ] }",
		   "num_vfs");
}

/* Bus ranges given by hand are checked like any source's. */
static void test_topology_bad__overlapping_buses(void **state)
{
	acs_fabric *f = NULL;

	(void)state;
	assert_int_equal(load_text(
		"{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [\n"
		" { \"slot\": \"01.0\", \"type\": \"root-port\", \"secondary\": \"01\", \"subordinate\": \"05\" },\n"
		" { \"slot\": \"02.0\", \"type\": \"root-port\", \"secondary\": \"03\", \"subordinate\": \"04\" } ] } ] }",
		&f), ACS_EINVAL);
	assert_non_null(strstr(acs_error_last()->message, "overlap"));
}

/* Nesting deeper than the format allows is refused, not recursed into. */
static void test_topology_bad__deep_nesting(void **state)
{
	size_t depth = 2000, cap = depth * 64 + 256;
	char *text = malloc(cap);
	acs_fabric *f = NULL;

	(void)state;
	strcpy(text, "{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [ ");
	for (size_t i = 0; i < depth; i++)
		strcat(text, "{ \"slot\": \"00.0\", \"type\": \"pci-bridge\", \"children\": [ ");
	for (size_t i = 0; i < depth; i++)
		strcat(text, "] }");
	strcat(text, "] } ] }");
	assert_int_equal(load_text(text, &f), ACS_EPARSE);
	assert_null(f);
	free(text);
}

static char *export_text(const acs_fabric *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(acs_topology_write_ex(f, out, ACS_TOPOLOGY_COMPACT), 0);
	fclose(out);
	return buf;
}

/* synth: exactly N functions, the same fabric for the same seed, a
 * different one for another, and every result a valid fabric. */
static void test_topology_synth__sizes_and_seeds(void **state)
{
	const uint64_t sizes[] = { 1, 2, 7, 100, 1000, 20000 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
		acs_fabric *a = NULL, *b = NULL, *c = NULL;
		char *ta, *tb, *tc;
		acs_groups *g = NULL;

		o.functions = sizes[i];
		o.seed = 42;
		assert_int_equal(acs_fabric_synth(&a, &o), 0);
		assert_int_equal(acs_fabric_synth(&b, &o), 0);
		o.seed = 43;
		assert_int_equal(acs_fabric_synth(&c, &o), 0);
		assert_int_equal(acs_fabric_count(a), sizes[i]);
		ta = export_text(a);
		tb = export_text(b);
		tc = export_text(c);
		assert_string_equal(strstr(ta, "\"roots\""), strstr(tb, "\"roots\""));   /* "source": the temporary file */
		if (sizes[i] > 7)
			assert_string_not_equal(ta, tc);
		assert_int_equal(acs_groups_compute(&g, a, acs_policy_default()), 0);
		assert_true(acs_groups_count(g) >= 1);
		assert_int_equal(acs_groups_uncertain_count(g), 0);
		acs_groups_free(g);
		free(ta);
		free(tb);
		free(tc);
		acs_fabric_free(a);
		acs_fabric_free(b);
		acs_fabric_free(c);
	}
}

/* A synthetic fabric has the mix it promises. */
static void test_topology_synth__mix(void **state)
{
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *f = NULL;
	size_t types[16] = { 0 }, acs_off = 0, mf = 0, sriov = 0, domains = 0;
	uint32_t last_domain = UINT32_MAX;

	(void)state;
	o.functions = 5000;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		types[fn->pcie_type + 1]++;
		if ((fn->pcie_type == ACS_PCIE_DOWNSTREAM || fn->pcie_type == ACS_PCIE_ROOT_PORT) &&
		    (!fn->acs_pos || (fn->acs_ctrl & ACS_RR) == 0))
			acs_off++;
		mf += fn->multifunction;
		sriov += fn->sriov_pos != 0;
		if (fn->domain != last_domain) {
			domains++;
			last_domain = fn->domain;
		}
	}
	assert_true(types[ACS_PCIE_ROOT_PORT + 1] > 0);
	assert_true(types[ACS_PCIE_UPSTREAM + 1] > 0);
	assert_true(types[ACS_PCIE_DOWNSTREAM + 1] > 0);
	assert_true(types[ACS_PCIE_PCI_BRIDGE + 1] > 0);
	assert_true(types[ACS_PCIE_NONE + 1] > 0);
	assert_true(acs_off > 0);
	assert_true(mf > 0);
	assert_true(sriov > 0);
	assert_true(domains > 1);
	acs_fabric_free(f);
}

/* VMD domains: "vmd" names the endpoint a domain of 10000 and up is
 * behind. From 5.6 pci_for_each_dma_alias() starts at pci_real_dma_dev(),
 * the VMD endpoint, so every function of the domain joins its group;
 * before 5.6 the Intel IOMMU refused them (no group). */
static const char *group_line(const acs_fabric *f, const char *kernel)
{
	static char buf[512];
	acs_groups *g;
	size_t len = 0;

	assert_int_equal(acs_groups_compute(&g, f, acs_policy_find(kernel)), 0);
	buf[0] = '\0';
	for (size_t id = 0; id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", id ? " |" : "");
		for (size_t k = 0; k < n; k++) {
			char a[ACS_ADDR_MAX];

			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s",
						acs_func_addr(acs_fabric_func(f, m[k]), a, sizeof(a)));
		}
	}
	acs_groups_free(g);
	return buf;
}

static acs_fabric *load_file(const char *name)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", SRCDIR, name);
	o.kind = ACS_SOURCE_FILE;
	o.path = p;
	if (acs_fabric_load(&f, &o))
		fail_msg("%s", acs_error_last()->message);
	return f;
}

static void test_topology_vmd__domain_in_endpoint_group(void **state)
{
	acs_fabric *f = load_file("examples/vmd-laptop.json");
	const struct acs_func *nvme = acs_fabric_find(f, 0x10000, 0xe1, 0, 0);
	const struct acs_func *vmd = acs_fabric_find(f, 0, 0, 0x0e, 0);
	const char *why;

	(void)state;
	assert_non_null(nvme);
	assert_int_equal(acs_fabric__vmd_owner(f, nvme), (long)acs_fabric_index(f, vmd));
	assert_int_equal(acs_fabric__vmd_owner(f, vmd), -1);
	/* 6.12: the VMD endpoint and everything behind it, one group (the
	 * graphics numbered first: from 6.1 its DMAR unit registers before
	 * the catch-all, policy/iommu.c) */
	assert_string_equal(group_line(f, "6.12"),
			    " 0000:00:02.0 | 0000:00:00.0 | 0000:00:0e.0 10000:e0:06.0 10000:e0:1d.0"
			    " 10000:e1:00.0 10000:e2:00.0 | 0000:00:14.0 | 0000:00:1c.0 | 0000:01:00.0");
	assert_string_equal(group_line(f, "6.1"), group_line(f, "7.3-rc7"));
	assert_string_equal(group_line(f, "5.6"),
			    " 0000:00:00.0 | 0000:00:02.0 | 0000:00:0e.0 10000:e0:06.0 10000:e0:1d.0"
			    " 10000:e1:00.0 10000:e2:00.0 | 0000:00:14.0 | 0000:00:1c.0 | 0000:01:00.0");
	/* the DMA alias walk starts at the endpoint */
	{
		uint32_t al[8];
		size_t n = acs_policy_dma_aliases(acs_policy_find("6.1"), f, acs_fabric_index(f, nvme),
						  al, 8, NULL);

		assert_int_equal(n, 1);
		assert_int_equal(al[0], acs_fabric_index(f, vmd));
	}
	/* 5.4: the Intel IOMMU leaves the VMD's children out */
	assert_int_equal(acs_policy_iommu_excludes(acs_policy_find("5.4"), f, nvme, &why),
			 ACS_IOMMU_VMD_CHILD);
	assert_non_null(strstr(why, "VMD"));
	assert_int_equal(acs_policy_iommu_excludes(acs_policy_find("5.6"), f, nvme, NULL),
			 ACS_IOMMU_MANAGED);
	assert_int_equal(acs_policy_iommu_excludes(acs_policy_find("5.4"), f, vmd, NULL),
			 ACS_IOMMU_MANAGED);
	assert_string_equal(group_line(f, "5.4"),
			    " 0000:00:00.0 | 0000:00:02.0 | 0000:00:0e.0 | 0000:00:14.0 | 0000:00:1c.0"
			    " | 0000:01:00.0");
	acs_fabric_free(f);
}

/* Without "vmd" the same domain is an ordinary host bridge's: its ports
 * isolate their drives. An export writes "vmd" back. */
static void test_topology_vmd__export_and_plain_domain(void **state)
{
	acs_fabric *f = load_file("examples/vmd-laptop.json"), *g;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(acs_topology_write(f, out), 0);
	fclose(out);
	assert_non_null(strstr(text, "\"vmd\": \"0000:00:0e.0\""));
	g = load_ok(text);
	assert_string_equal(group_line(g, "6.12"), group_line(f, "6.12"));
	acs_fabric_free(g);
	free(text);
	/* a snapshot carries it on the device lines (vmd=) */
	out = open_memstream(&text, &len);
	assert_int_equal(acs_snapshot_write(f, out), 0);
	fclose(out);
	assert_non_null(strstr(text, "10000:e1:00.0 id=144d:a80a"));
	assert_non_null(strstr(text, " vmd=0000:00:0e.0\n"));
	g = load_ok(text);
	assert_int_equal(acs_fabric_source_kind(g), ACS_SOURCE_SNAPSHOT);
	assert_string_equal(group_line(g, "6.12"), group_line(f, "6.12"));
	acs_fabric_free(g);
	free(text);
	/* a what-if copy keeps the domain's owner */
	{
		struct acs_ctrl_change ch = { acs_fabric_index(f, acs_fabric_find(f, 0x10000, 0xe0, 6, 0)), 0 };

		assert_int_equal(acs_fabric_with_acs_ctrl(&g, f, &ch, 1), 0);
		assert_string_equal(group_line(g, "6.12"), group_line(f, "6.12"));
		acs_fabric_free(g);
	}
	acs_fabric_free(f);
	g = load_ok("{ \"acsctl-topology\": 1, \"roots\": [\n"
		    " { \"functions\": [ { \"slot\": \"0e.0\", \"type\": \"rc-endpoint\" } ] },\n"
		    " { \"domain\": \"10000\", \"bus\": \"e0\", \"functions\": [\n"
		    "   { \"slot\": \"06.0\", \"type\": \"root-port\", \"acs\": {}, \"children\": [\n"
		    "     { \"slot\": \"00.0\", \"type\": \"endpoint\" } ] } ] } ] }");
	assert_string_equal(group_line(g, "6.12"), " 0000:00:0e.0 | 10000:e0:06.0 | 10000:e1:00.0");
	acs_fabric_free(g);
}

static void test_topology_bad__vmd(void **state)
{
	(void)state;
#define VMD_ROOT(dom, vmd) \
	"{ \"acsctl-topology\": 1, \"roots\": [\n" \
	" { \"functions\": [ { \"slot\": \"0e.0\", \"type\": \"rc-endpoint\" } ] },\n" \
	" { \"domain\": \"" dom "\", \"bus\": \"e0\", \"vmd\": " vmd ", \"functions\": [\n" \
	"   { \"slot\": \"06.0\", \"type\": \"root-port\" } ] } ] }"
	expect_bad(VMD_ROOT("10000", "\"0000:00:0f.0\""), "not in the fabric");
	expect_bad(VMD_ROOT("10000", "\"00:0e\""), "is not an address");
	expect_bad(VMD_ROOT("10000", "14"), "must be the VMD endpoint's address");
	expect_bad(VMD_ROOT("0001", "\"0000:00:0e.0\""), "10000 and up");
	expect_bad(VMD_ROOT("10000", "\"10000:e0:06.0\""), "cannot be in the domain it owns");
#undef VMD_ROOT
}

/* The stream reader (one function at a time) reads what the tree reader
 * read: members in any order, "children" before what it depends on,
 * comments between elements; and its errors are the tree reader's,
 * syntax and duplicate members before what the fabric makes of them. */
static void test_topology_stream__as_the_tree(void **state)
{
	acs_fabric *a, *b;
	char *ta, *tb;

	(void)state;
	a = load_ok("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [\n"
		    "  { \"slot\": \"00.0\", \"type\": \"host-bridge\" },\n"
		    "  { \"slot\": \"01.0\", \"type\": \"root-port\", \"secondary\": \"04\", \"children\": [\n"
		    "    { \"slot\": \"00.0\", \"type\": \"endpoint\" },\n"
		    "    { \"slot\": \"00.1\", \"type\": \"endpoint\" } ], \"subordinate\": \"09\" },\n"
		    "  { \"slot\": \"02.0\", \"type\": \"root-port\" } ] } ] }\n");
	b = load_ok("{ \"roots\": [ { \"functions\": [ // comments between elements\n"
		    "  { \"type\": \"host-bridge\", \"slot\": \"00.0\" } /* one */ ,\n"
		    "  { \"children\": [ { \"slot\": \"00.0\", \"type\": \"endpoint\" }\n"
		    "    // two\n"
		    "    , { \"type\": \"endpoint\", \"slot\": \"00.1\" } ],\n"
		    "    \"subordinate\": \"09\", \"secondary\": \"04\", \"type\": \"root-port\", \"slot\": \"01.0\" },\n"
		    "  { \"slot\": \"02.0\", \"type\": \"root-port\" } ] } ], \"acsctl-topology\": 1 }\n");
	ta = export_text(a);
	tb = export_text(b);
	assert_string_equal(strstr(ta, "\"roots\""), strstr(tb, "\"roots\""));   /* "source": the temporary file */
	free(ta);
	free(tb);
	acs_fabric_free(a);
	acs_fabric_free(b);
	/* a member twice deep in the children: its line and column */
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [\n"
		   "  { \"slot\": \"01.0\", \"type\": \"root-port\", \"children\": [\n"
		   "    { \"slot\": \"00.0\", \"type\": \"endpoint\", \"type\": \"endpoint\" } ] } ] } ] }\n",
		   ":3:43: \"type\" a second time");
	/* a bad function first, a syntax error later: the syntax error */
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [\n"
		   "  { \"slot\": \"zz\", \"type\": \"endpoint\" },\n"
		   "  { \"slot\": \"01.0\", \"type\": \"endpoint\" x } ] } ] }\n", ":3:");
	/* a bad function after good ones: its path, as before */
	expect_bad("{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [\n"
		   "  { \"slot\": \"01.0\", \"type\": \"root-port\", \"children\": [\n"
		   "    { \"slot\": \"00.0\", \"type\": \"endpoint\" },\n"
		   "    { \"slot\": \"00.1\", \"type\": \"wrong\" } ] } ] } ] }\n",
		   "roots[0].functions[0].children[1]: unknown type 'wrong'");
}

/* Every occurrence of what in text replaced by with: a new string. */
static char *replace_all(const char *text, const char *what, const char *with)
{
	size_t n = 0, wl = strlen(what), tl = strlen(with);
	char *out, *w;

	for (const char *p = strstr(text, what); p; p = strstr(p + wl, what))
		n++;
	assert_true(n > 0);
	out = malloc(strlen(text) + n * tl + 1);
	assert_non_null(out);
	w = out;
	for (const char *p = text, *q; ; p = q + wl) {
		if (!(q = strstr(p, what))) {
			strcpy(w, p);
			break;
		}
		memcpy(w, p, (size_t)(q - p));
		w += q - p;
		memcpy(w, with, tl);
		w += tl;
	}
	return out;
}

static size_t count_of(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static char *export_pretty(const acs_fabric *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(acs_topology_write(f, out), 0);
	fclose(out);
	return buf;
}

static void assert_same_fabric(const acs_fabric *a, const acs_fabric *b)
{
	assert_int_equal(acs_fabric_count(a), acs_fabric_count(b));
	for (size_t i = 0; i < acs_fabric_count(a); i++) {
		const struct acs_func *x = acs_fabric_func(a, i), *y = acs_fabric_func(b, i);

		assert_int_equal(x->domain, y->domain);
		assert_int_equal(x->bus << 8 | x->dev << 3 | x->fn, y->bus << 8 | y->dev << 3 | y->fn);
		assert_int_equal(x->cfg_len, y->cfg_len);
		for (unsigned off = 0; off < x->cfg_len; off++)
			if (acs_func_cfg_byte(x, off) != acs_func_cfg_byte(y, off))
				fail_msg("function %zu: config byte %#x differs", i, off);
		assert_int_equal(x->numa_node, y->numa_node);
		assert_memory_equal(x->bar_size, y->bar_size, sizeof(x->bar_size));
		assert_memory_equal(x->vf_bar_size, y->vf_bar_size, sizeof(x->vf_bar_size));
		assert_int_equal(x->is_virtfn, y->is_virtfn);
	}
}

/* The text of a synthetic 10k-function fabric, pretty, with what the
 * synth does not make: enabled VFs, links, NUMA nodes, quirky devices,
 * and members the fast path leaves to json-c (bars, express, unknown). */
static char *rich_topology(void)
{
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *f;
	char *t[7];

	o.functions = 10000;
	o.seed = 1;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	t[0] = export_pretty(f);
	acs_fabric_free(f);
	t[1] = replace_all(t[0], "\"num_vfs\": 0, \"vf_offset\": 1", "\"num_vfs\": 3, \"vf_offset\": 8");
	t[2] = replace_all(t[1], "\"type\": \"endpoint\",",
			   "\"type\": \"endpoint\", \"numa_node\": 1, \"link\": { \"speed\": \"8GT/s\", "
			   "\"width\": 4, \"max_speed\": \"16GT/s\", \"max_width\": 8 },");
	t[3] = replace_all(t[2], "\"vendor\": \"15b3\",\n", "\"vendor\": \"8086\", // a quirk's\n");
	t[4] = replace_all(t[3], "\"device\": \"1019\"", "\"device\": \"10fb\"");
	t[5] = replace_all(t[4], "\"type\": \"pci-device\",", "\"type\": \"pci-device\", \"bars\": [ { \"size\": \"16K\" } ], \"x\": 0,");
	t[6] = replace_all(t[5], "\"type\": \"upstream-port\",", "\"type\": \"upstream-port\", \"acs\": \"unknown\",");
	for (int k = 0; k < 6; k++)
		free(t[k]);
	return t[6];
}

/* The fast path (no json-c objects) and json-c read the same fabric from
 * the same text, and export -> load -> export is byte-identical. */
static void test_topology_stream__fast_as_json_c(void **state)
{
	char *text = rich_topology(), *ta, *tb, *tc;
	acs_fabric *fast, *slow, *again;
	size_t nfast;

	(void)state;
	acs_topology__fast_count = 0;
	fast = load_ok(text);
	nfast = acs_topology__fast_count;
	acs_topology__fast = false;
	acs_topology__fast_count = 0;
	slow = load_ok(text);
	acs_topology__fast = true;
	assert_int_equal(acs_topology__fast_count, 0);
	/* every function fast but those with bars and "x", or "acs": "unknown" */
	assert_int_equal(nfast, 10000 - count_of(text, "\"bars\"") - count_of(text, "\"acs\": \"unknown\""));
	assert_true(acs_fabric_count(fast) > 10000);   /* with VFs */
	assert_same_fabric(fast, slow);
	ta = export_pretty(fast);
	tb = export_pretty(slow);
	assert_string_equal(strstr(ta, "\"roots\""), strstr(tb, "\"roots\""));
	assert_non_null(strstr(ta, "\"max_width\": 8"));
	assert_non_null(strstr(ta, "\"numa_node\": 1"));
	/* export -> load -> export, pretty and compact */
	again = load_ok(ta);
	tc = export_pretty(again);
	assert_string_equal(strstr(ta, "\"roots\""), strstr(tc, "\"roots\""));
	assert_same_fabric(fast, again);
	acs_fabric_free(again);
	free(tc);
	free(tb);
	tb = export_text(fast);
	again = load_ok(tb);
	assert_same_fabric(fast, again);
	tc = export_text(again);
	assert_string_equal(strstr(tb, "\"roots\""), strstr(tc, "\"roots\""));
	acs_fabric_free(again);
	free(ta);
	free(tb);
	free(tc);
	acs_fabric_free(fast);
	acs_fabric_free(slow);
	free(text);
}

/* The outcome of loading text: the error, or the export after "roots". */
static char *outcome(const char *text)
{
	acs_fabric *f = NULL;
	char *t, *r;

	if (load_text(text, &f)) {
		const char *msg = acs_error_last()->message;

		/* past the temporary file's name, which differs each time */
		return strdup(strncmp(msg, path, strlen(path) - 6) ? msg : msg + strlen(path));
	}
	t = export_pretty(f);
	r = strdup(strstr(t, "\"roots\""));
	free(t);
	acs_fabric_free(f);
	return r;
}

/* Small edits anywhere in a topology with VFs, links and NUMA nodes (a
 * digit, a quote, a brace, null, an escape, a value out of range, a
 * byte gone): the fast path and json-c come to the same fabric or the
 * same error, each time. */
static void test_topology_stream__fast_mutations(void **state)
{
	static const char *const edits[] = { "0", "f", "\"", "-", "x", "}", " ", "/", "1", "9", "null",
					     "true", "{", "[", ",", ":", "\\", "-1", "70000", "G", "e" };
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	acs_fabric *f;
	char *t0, *t1, *text;
	uint32_t seed = 1;
	size_t n, fast = 0;

	(void)state;
	o.functions = 120;
	o.seed = 3;
	assert_int_equal(acs_fabric_synth(&f, &o), 0);
	t0 = export_pretty(f);
	acs_fabric_free(f);
	t1 = replace_all(t0, "\"num_vfs\": 0, \"vf_offset\": 1", "\"num_vfs\": 2, \"vf_offset\": 8");
	text = replace_all(t1, "\"type\": \"endpoint\",",
			   "\"type\": \"endpoint\", \"numa_node\": 1, \"link\": { \"speed\": \"8GT/s\", "
			   "\"width\": 4, \"max_speed\": \"16GT/s\", \"max_width\": 8 },");
	n = strlen(text);
	for (int k = 0; k < 300; k++) {
		const char *e;
		char *m, *a, *b;
		size_t at;
		int how;

		seed = seed * 1103515245u + 12345u;
		at = (seed >> 8) % n;
		how = (int)(seed >> 4) % 3;   /* 0 replace a byte, 1 insert, 2 delete */
		e = edits[(seed >> 20) % (sizeof(edits) / sizeof(edits[0]))];
		m = malloc(n + strlen(e) + 1);
		assert_non_null(m);
		memcpy(m, text, at);
		strcpy(m + at, how == 2 ? "" : e);
		strcat(m, text + at + (how == 1 ? 0 : 1));
		acs_topology__fast_count = 0;
		a = outcome(m);
		fast += acs_topology__fast_count;
		acs_topology__fast = false;
		b = outcome(m);
		acs_topology__fast = true;
		if (strcmp(a, b))
			fail_msg("edit %d ('%s' at %zu, %d): fast '%.120s', json-c '%.120s'", k, e, at, how, a, b);
		free(a);
		free(b);
		free(m);
	}
	if (fast < 300 * 30)   /* the fast path read a good part of them (an edit that breaks
				 * the JSON sends all to json-c) */
		fail_msg("%zu functions read by the fast path", fast);
	free(t0);
	free(t1);
	free(text);
}

/* One function's members at and past each edge the fast path checks:
 * the fast path and json-c come to the same fabric or the same error. */
static void test_topology_stream__fast_edges(void **state)
{
	static const char *const members[] = {
		"\"slot\": \"1f.7\"", "\"slot\": \"20.0\"", "\"slot\": \"f0.0\"", "\"slot\": \"0.8\"",
		"\"slot\": \"00.07\"", "\"slot\": \"1F.0\"", "\"slot\": \"001.0\"", "\"slot\": 1",
		"\"type\": \"Endpoint\"", "\"type\": \"legacy-endpoint\"", "\"type\": null",
		"\"vendor\": \"\"", "\"vendor\": \"0x10\"", "\"vendor\": \"10000\"", "\"vendor\": \"FFFF\"",
		"\"vendor\": 4660", "\"vendor\": \"12 4\"", "\"vendor\": \"\\u0031\"", "\"class\": \"1000000\"",
		"\"class\": \"ffffff\"", "\"device\": \"00000000001\"",
		"\"numa_node\": -2", "\"numa_node\": -1", "\"numa_node\": 65535", "\"numa_node\": 65536",
		"\"numa_node\": \"1\"", "\"numa_node\": null", "\"numa_node\": 1.0", "\"numa_node\": 01",
		"\"numa_node\": -0", "\"numa_node\": 1e2", "\"numa_node\": 9999999999",
		"\"sriov\": { \"total_vfs\": 2, \"num_vfs\": 3 }", "\"sriov\": { \"total_vfs\": 4, \"num_vfs\": 4 }",
		"\"sriov\": { \"num_vfs\": 70000 }", "\"sriov\": { \"vf_offset\": -1 }",
		"\"sriov\": { \"total_vfs\": 65535, \"vf_stride\": 65535 }", "\"sriov\": {}", "\"sriov\": null",
		"\"sriov\": { \"total_vfs\": 2, \"num_vfs\": 2, \"vf_offset\": 0, \"vf_stride\": 0 }",
		"\"sriov\": { \"total_vfs\": 2, \"num_vfs\": 1, \"bars\": [ { \"size\": \"16K\" } ] }",
		"\"sriov\": { \"total_vfs\": 2, \"vf_device\": \"10000\" }", "\"sriov\": { \"x\": 1 }",
		"\"link\": { \"speed\": \"8GT/s\", \"width\": 0 }", "\"link\": { \"speed\": \"8GT/s\", \"width\": 33 }",
		"\"link\": { \"speed\": \"8GT/s\", \"width\": 8, \"max_width\": 4 }",
		"\"link\": { \"speed\": \"16GT/s\", \"width\": 8, \"max_speed\": \"8GT/s\" }",
		"\"link\": { \"speed\": \"3GT/s\", \"width\": 8 }", "\"link\": { \"width\": 8 }", "\"link\": {}",
		"\"link\": { \"speed\": \"2.5GT/s\", \"width\": 1, \"max_speed\": \"64GT/s\", \"max_width\": 32 }",
		"\"link\": { \"speed\": \"16\", \"width\": 2 }",
		"\"acs\": { \"cap\": \"10000\" }", "\"acs\": { \"ctrl\": \"x\" }", "\"acs\": \"unknown\"",
		"\"acs\": {}", "\"acs\": { \"other\": 1 }", "\"acs\": { \"cap\": \"0000\" }", "\"acs\": 5",
		"\"ats\": 1", "\"ats\": \"yes\"", "\"ats\": null", "\"ats\": false", "\"ats\": truex",
		"\"multifunction\": 1", "\"multifunction\": true", "\"capabilities\": \"unknown\"",
		"\"children\": []", "\"children\": null",
		"\"type\": \"root-port\", \"children\": {}", "\"type\": \"root-port\", \"children\": null",
		"\"type\": \"root-port\", \"secondary\": \"100\"", "\"type\": \"root-port\", \"secondary\": \"05\"",
		"\"type\": \"root-port\", \"subordinate\": \"ff\"", "\"type\": \"root-port\", \"subordinate\": \"0\"",
		"\"type\": \"pci-device\", \"secondary\": \"zz\"", "\"type\": \"host-bridge\", \"acs\": { \"cap\": \"x\" }",
		"\"type\": \"pci-bridge\", \"link\": { \"speed\": \"8GT/s\", \"width\": 8 }",
		"\"express\": \"root-port\"", "\"bars\": [ { \"size\": \"4K\" } ]", "\"driver\": \"nvme\"",
		"/* a comment */ \"ats\": true", "\"ats\" /* here */ : true",
	};
	char text[1024];

	(void)state;
	for (size_t k = 0; k < sizeof(members) / sizeof(members[0]); k++) {
		const char *m = members[k];
		char *a, *b;

		snprintf(text, sizeof(text),
			 "{ \"acsctl-topology\": 1, \"roots\": [ { \"functions\": [\n"
			 "  { \"slot\": \"00.0\", \"type\": \"host-bridge\" },\n"
			 "  { \"slot\": \"01.0\", \"type\": \"root-port\", \"acs\": {}, \"children\": [\n"
			 "    { %s%s%s%s } ] } ] } ] }\n",
			 strncmp(m, "\"slot\"", 6) ? "\"slot\": \"00.0\", " : "",
			 strncmp(m, "\"type\"", 6) ? "\"type\": \"endpoint\", " : "", m,
			 strstr(m, "root-port") && !strstr(m, "children") ? ", \"children\": [ { \"slot\": \"00.0\", \"type\": \"endpoint\" } ]" : "");
		a = outcome(text);
		acs_topology__fast = false;
		b = outcome(text);
		acs_topology__fast = true;
		if (strcmp(a, b))
			fail_msg("%s: fast '%.150s', json-c '%.150s'", m, a, b);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topology_load__switch),
		cmocka_unit_test(test_topology_load__explicit_buses_and_domains),
		cmocka_unit_test(test_topology_bad__syntax_line_column),
		cmocka_unit_test(test_topology_bad__elements),
		cmocka_unit_test(test_topology_bad__overlapping_buses),
		cmocka_unit_test(test_topology_bad__deep_nesting),
		cmocka_unit_test(test_topology_synth__sizes_and_seeds),
		cmocka_unit_test(test_topology_synth__mix),
		cmocka_unit_test(test_topology_vmd__domain_in_endpoint_group),
		cmocka_unit_test(test_topology_vmd__export_and_plain_domain),
		cmocka_unit_test(test_topology_bad__vmd),
		cmocka_unit_test(test_topology_stream__as_the_tree),
		cmocka_unit_test(test_topology_stream__fast_as_json_c),
		cmocka_unit_test(test_topology_stream__fast_mutations),
		cmocka_unit_test(test_topology_stream__fast_edges),
	};

	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
