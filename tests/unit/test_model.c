/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding config space and building the topology: values, lookups, and
 * every bad-input case as an error naming the device. */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

static void assert_error_mentions(const char *a, const char *b)
{
	const char *msg = acs_error_last()->message;

	if (!strstr(msg, a) || (b && !strstr(msg, b)))
		fail_msg("error '%s' does not name '%s'%s%s", msg, a, b ? " and " : "",
			 b ? b : "");
	assert_null(strchr(msg, '\n'));
}

static void test_model_decode__port_fields(void **state)
{
	struct tfab t;
	acs_fabric *f;
	const struct acs_func *rp;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:02.0", 1, 3, 0x001d, false);
	f = tfab_end(&t);
	rp = acs_fabric_func(f, 0);
	assert_int_equal(rp->pcie_type, ACS_PCIE_ROOT_PORT);
	assert_int_equal(rp->pcie_pos, 0x40);
	assert_int_equal(rp->acs_pos, 0x100);
	assert_int_equal(rp->acs_cap, 0x005f);
	assert_int_equal(rp->acs_ctrl, 0x001d);
	assert_true(rp->is_bridge);
	assert_int_equal(rp->secondary, 1);
	assert_int_equal(rp->subordinate, 3);
	assert_int_equal(rp->class_code, 0x060400);
	assert_true(acs_func_acs_known(rp));
	assert_false(rp->multifunction);
	acs_fabric_free(f);
}

static void test_model_decode__header_only_is_unknown(void **state)
{
	struct tfab t;
	struct tcfg c;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&c, 0, 1, 1);
	c.len = 64;  /* lspci -x */
	tfab_add(&t, "00:02.0", &c);
	f = tfab_end(&t);
	assert_false(acs_func_acs_known(acs_fabric_func(f, 0)));
	assert_int_equal(acs_fabric_func(f, 0)->pcie_type, ACS_PCIE_NONE);
	assert_int_equal(acs_fabric_unknown_count(f), 1);
	acs_fabric_free(f);
}

static void expect_decode_error(struct tcfg *c, const char *what)
{
	struct tfab t;
	acs_fabric *f = NULL;

	tfab_begin(&t);
	tfab_add(&t, "0000:05:00.0", c);
	assert_int_equal(tfab_end_rc(&t, &f), ACS_EPARSE);
	assert_null(f);
	assert_error_mentions("0000:05:00.0", what);
	assert_error_mentions("test", NULL);
}

static void test_model_bad__truncated(void **state)
{
	struct tcfg c;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	c.len = 40;
	expect_decode_error(&c, "truncated");
	c.len = 200;
	expect_decode_error(&c, "truncated");
}

static void test_model_bad__capability_loop(void **state)
{
	struct tcfg c;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	c.b[0x40] = 0x01;        /* PM, next -> itself */
	c.b[0x41] = 0x40;
	expect_decode_error(&c, "loops");
}

static void test_model_bad__capability_into_header(void **state)
{
	struct tcfg c;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	c.b[0x41] = 0x20;
	expect_decode_error(&c, "header");
}

static void test_model_bad__extended_loop(void **state)
{
	struct tcfg c;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, 0x1d);
	c.b[0x102] = 0x01;
	c.b[0x103] = 0x10;       /* next = 0x100: itself */
	expect_decode_error(&c, "loops");
}

static void test_model_bad__extended_below_0x100(void **state)
{
	struct tcfg c;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, 0x1d);
	c.b[0x102] = 0x01 | 0x80 << 0;
	c.b[0x103] = 0x08;       /* next = 0x080 */
	expect_decode_error(&c, "below 0x100");
}

static int expect_topology_error(struct tfab *t, const char *dev, const char *what)
{
	acs_fabric *f = NULL;
	int rc = tfab_end_rc(t, &f);

	assert_int_not_equal(rc, 0);
	assert_null(f);
	assert_error_mentions(dev, what);
	return rc;
}

static void test_model_bad__duplicate_address(void **state)
{
	struct tfab t;

	(void)state;
	tfab_begin(&t);
	tfab_endpoint(&t, "00:03.0", false, NO_ACS);
	tfab_endpoint(&t, "00:03.0", false, NO_ACS);
	expect_topology_error(&t, "0000:00:03.0", "duplicate");
}

static void test_model_bad__secondary_is_own_bus(void **state)
{
	struct tfab t;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 0, 0, NO_ACS, false);
	tfab_endpoint(&t, "00:02.0", false, NO_ACS);
	/* sec 0 and sub 0 mean "no buses"; give it a range with sec == bus */
	acs_fabric *f = tfab_end(&t);
	acs_fabric_free(f);

	tfab_begin(&t);
	tfab_root_port(&t, "02:01.0", 2, 3, NO_ACS, false);
	expect_topology_error(&t, "0000:02:01.0", "not above");
}

static void test_model_bad__subordinate_below_secondary(void **state)
{
	struct tfab t;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 3, 2, NO_ACS, false);
	expect_topology_error(&t, "0000:00:01.0", "subordinate");
}

static void test_model_bad__overlapping_siblings(void **state)
{
	struct tfab t;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 4, NO_ACS, false);
	tfab_root_port(&t, "00:02.0", 3, 5, NO_ACS, false);
	expect_topology_error(&t, "0000:00:02.0", "overlap");
}

static void test_model_bad__same_secondary(void **state)
{
	struct tfab t;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, NO_ACS, false);
	tfab_root_port(&t, "00:02.0", 1, 1, NO_ACS, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	expect_topology_error(&t, "0000:00:02.0", "also claimed");
}

static void test_model_bad__child_outside_parent(void **state)
{
	struct tfab t;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 2, NO_ACS, false);
	tfab_upstream(&t, "01:00.0", 2, 5);
	expect_topology_error(&t, "0000:01:00.0", "do not fit");
}

static void test_model_bad__orphan_bus_inside_range(void **state)
{
	struct tfab t;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 4, NO_ACS, false);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	expect_topology_error(&t, "0000:03:00.0", "no bridge leads");
}

static void test_model_bad__empty(void **state)
{
	struct tfab t;
	acs_fabric *f = NULL;

	(void)state;
	tfab_begin(&t);
	assert_int_equal(tfab_end_rc(&t, &f), ACS_EPARSE);
	assert_error_mentions("test", "no PCI functions");
}

static void test_model_topology__lookups(void **state)
{
	struct tfab t;
	acs_fabric *f;
	const struct acs_func *rp, *ep, *usp;
	size_t first, n;

	(void)state;
	tfab_begin(&t);
	tfab_endpoint(&t, "04:00.0", false, NO_ACS);
	tfab_downstream(&t, "02:01.0", 4, 4, NO_ACS);
	tfab_downstream(&t, "02:00.0", 3, 3, NO_ACS);
	tfab_upstream(&t, "01:00.0", 2, 4);
	tfab_root_port(&t, "00:01.0", 1, 4, NO_ACS, false);
	tfab_endpoint(&t, "0001:00:00.0", false, NO_ACS);
	f = tfab_end(&t);
	assert_int_equal(acs_fabric_count(f), 6);
	rp = acs_fabric_find(f, 0, 0, 1, 0);
	usp = acs_fabric_find(f, 0, 1, 0, 0);
	ep = acs_fabric_find(f, 0, 4, 0, 0);
	assert_non_null(rp);
	assert_non_null(ep);
	assert_null(acs_fabric_find(f, 0, 3, 0, 0));
	assert_null(acs_fabric_find(f, 2, 0, 0, 0));
	assert_non_null(acs_fabric_find(f, 1, 0, 0, 0));
	assert_null(acs_fabric_parent(f, rp));
	assert_ptr_equal(acs_fabric_parent(f, usp), rp);
	assert_ptr_equal(acs_fabric_parent(f, ep), acs_fabric_find(f, 0, 2, 1, 0));
	n = acs_fabric_children(f, usp, &first);
	assert_int_equal(n, 2);
	assert_ptr_equal(acs_fabric_func(f, first), acs_fabric_find(f, 0, 2, 0, 0));
	assert_int_equal(acs_fabric_children(f, ep, &first), 0);
	/* Probe order: bus 00, then 01, 02, then 02:00.0's bus 03 (empty), 04. */
	{
		const uint32_t *o = acs_fabric_kernel_order(f);
		char a[32];

		assert_string_equal(acs_func_addr(acs_fabric_func(f, o[0]), a, sizeof(a)), "0000:00:01.0");
		assert_string_equal(acs_func_addr(acs_fabric_func(f, o[1]), a, sizeof(a)), "0000:01:00.0");
		assert_string_equal(acs_func_addr(acs_fabric_func(f, o[2]), a, sizeof(a)), "0000:02:00.0");
		assert_string_equal(acs_func_addr(acs_fabric_func(f, o[3]), a, sizeof(a)), "0000:02:01.0");
		assert_string_equal(acs_func_addr(acs_fabric_func(f, o[4]), a, sizeof(a)), "0000:04:00.0");
		assert_string_equal(acs_func_addr(acs_fabric_func(f, o[5]), a, sizeof(a)), "0001:00:00.0");
	}
	acs_fabric_free(f);
}

/* Functions of a slot with several functions are multifunction even when
 * function 0's header bit is clear, as the kernel's slot scan sets them. */
static void test_model_topology__multifunction_from_slot(void **state)
{
	struct tfab t;
	acs_fabric *f;

	(void)state;
	tfab_begin(&t);
	tfab_endpoint(&t, "00:03.0", false, NO_ACS);
	tfab_endpoint(&t, "00:03.1", false, NO_ACS);
	tfab_endpoint(&t, "00:04.0", false, NO_ACS);
	f = tfab_end(&t);
	assert_true(acs_fabric_func(f, 0)->multifunction);
	assert_true(acs_fabric_func(f, 1)->multifunction);
	assert_false(acs_fabric_func(f, 2)->multifunction);
	acs_fabric_free(f);
}

static void test_model_policy__find(void **state)
{
	(void)state;
	assert_string_equal(acs_policy_name(acs_policy_find("6.1")), "6.1");
	assert_string_equal(acs_policy_name(acs_policy_find("6.1.0-22-amd64")), "6.1");
	assert_string_equal(acs_policy_name(acs_policy_find("6.12.57+deb12-amd64")), "6.12.57");
	assert_string_equal(acs_policy_name(acs_policy_find("linux-6.12")), "6.12");
	assert_string_equal(acs_policy_name(acs_policy_find("6.10")), "6.10");
	assert_null(acs_policy_find("six"));
	assert_error_mentions("six", "kernels 5.4 to 7.3-rc7");
	assert_null(acs_policy_find("6.1x"));
	assert_string_equal(acs_policy_name(acs_policy_default()), "7.2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_decode__port_fields),
		cmocka_unit_test(test_model_decode__header_only_is_unknown),
		cmocka_unit_test(test_model_bad__truncated),
		cmocka_unit_test(test_model_bad__capability_loop),
		cmocka_unit_test(test_model_bad__capability_into_header),
		cmocka_unit_test(test_model_bad__extended_loop),
		cmocka_unit_test(test_model_bad__extended_below_0x100),
		cmocka_unit_test(test_model_bad__duplicate_address),
		cmocka_unit_test(test_model_bad__secondary_is_own_bus),
		cmocka_unit_test(test_model_bad__subordinate_below_secondary),
		cmocka_unit_test(test_model_bad__overlapping_siblings),
		cmocka_unit_test(test_model_bad__same_secondary),
		cmocka_unit_test(test_model_bad__child_outside_parent),
		cmocka_unit_test(test_model_bad__orphan_bus_inside_range),
		cmocka_unit_test(test_model_bad__empty),
		cmocka_unit_test(test_model_topology__lookups),
		cmocka_unit_test(test_model_topology__multifunction_from_slot),
		cmocka_unit_test(test_model_policy__find),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
