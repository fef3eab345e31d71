/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Topology files: each element, bus numbering, and bad input with the
 * line and column or the element's path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		assert_string_equal(ta, tb);
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
	};

	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
