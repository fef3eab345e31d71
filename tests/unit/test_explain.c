/* SPDX-License-Identifier: GPL-2.0-or-later */
/* explain: the facts, and the smallest change that separates two devices. */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

static acs_explain *explain(const acs_fabric *f, const char *a, const char *b)
{
	unsigned bus, dev, fn;
	size_t ia, ib = 0;
	acs_explain *e = NULL;

	assert_int_equal(sscanf(a, "%x:%x.%u", &bus, &dev, &fn), 3);
	ia = acs_fabric_index(f, acs_fabric_find(f, 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn));
	if (b) {
		assert_int_equal(sscanf(b, "%x:%x.%u", &bus, &dev, &fn), 3);
		ib = acs_fabric_index(f, acs_fabric_find(f, 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn));
	}
	if (acs_explain_compute(&e, f, acs_policy_find("6.12"), ia, b ? (long)ib : -1))
		fail_msg("%s", acs_error_last()->message);
	return e;
}

static void assert_fact(const acs_explain *e, const char *what)
{
	const char *const *facts;
	size_t n = acs_explain_facts(e, &facts);

	for (size_t i = 0; i < n; i++)
		if (strstr(facts[i], what))
			return;
	fail_msg("no fact mentions '%s'", what);
}

static void test_explain_facts__downstream_without_acs(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_explain *e;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 3, 0x1d, false);
	tfab_upstream(&t, "01:00.0", 2, 3);
	tfab_downstream(&t, "02:00.0", 3, 3, NO_ACS);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	f = tfab_end(&t);
	e = explain(f, "03:00.0", NULL);
	assert_fact(e, "0000:02:00.0 (Downstream Port) has no ACS capability");
	assert_fact(e, "joins the group of 0000:02:00.0");
	assert_fact(e, "0000:01:00.0 (Upstream Port) and every port above it enforce");
	acs_explain_free(e);
	acs_fabric_free(f);
}

/* Redirect off on the root port: setting it back separates them. */
static void test_explain_change__root_port_bits(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_explain *e;
	const struct acs_ctrl_change *ch;
	bool possible;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 4, 0x0011, false);
	tfab_upstream(&t, "01:00.0", 2, 4);
	tfab_downstream(&t, "02:00.0", 3, 3, 0x1d);
	tfab_downstream(&t, "02:01.0", 4, 4, 0x1d);
	tfab_endpoint(&t, "03:00.0", false, NO_ACS);
	tfab_endpoint(&t, "04:00.0", false, NO_ACS);
	f = tfab_end(&t);
	e = explain(f, "03:00.0", "04:00.0");
	assert_true(acs_explain_shared(e));
	assert_fact(e, "does not enforce ReqRedir CmpltRedir (ACSCtl 0x0011)");
	assert_int_equal(acs_explain_change(e, &ch, &possible), 1);
	assert_true(possible);
	assert_ptr_equal(acs_fabric_func(f, ch[0].index), acs_fabric_find(f, 0, 0, 1, 0));
	assert_int_equal(ch[0].ctrl, 0x1d);
	acs_explain_free(e);
	/* the switch ports share the root port's group as well */
	e = explain(f, "02:00.0", "00:01.0");
	assert_true(acs_explain_shared(e));
	acs_explain_free(e);
	acs_fabric_free(f);
}

/* Fewest bits wins: the port missing one bit, not the one missing two. */
static void test_explain_change__fewest_bits(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_explain *e;
	const struct acs_ctrl_change *ch;
	bool possible;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 1, 0x0015, true);   /* lacks CR */
	tfab_root_port(&t, "00:01.1", 2, 2, 0x0011, true);   /* lacks RR CR */
	f = tfab_end(&t);
	e = explain(f, "00:01.0", "00:01.1");
	assert_true(acs_explain_shared(e));
	assert_int_equal(acs_explain_change(e, &ch, &possible), 1);
	assert_int_equal(ch[0].index, 0);
	assert_int_equal(ch[0].ctrl, 0x1d);
	acs_explain_free(e);
	acs_fabric_free(f);
}

static void test_explain_change__impossible(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_explain *e;
	const struct acs_ctrl_change *ch;
	bool possible = true;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 2, 0x1d, false);
	tfab_pcie_to_pci(&t, "01:00.0", 2, 2);
	tfab_pci_device(&t, "02:01.0", false);
	tfab_pci_device(&t, "02:02.0", false);
	f = tfab_end(&t);
	e = explain(f, "02:01.0", "02:02.0");
	assert_true(acs_explain_shared(e));
	assert_fact(e, "requester ID of 0000:01:00.0");
	assert_int_equal(acs_explain_change(e, &ch, &possible), 0);
	assert_false(possible);
	assert_fact(e, "no ACS setting separates them");
	acs_explain_free(e);
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explain_facts__downstream_without_acs),
		cmocka_unit_test(test_explain_change__root_port_bits),
		cmocka_unit_test(test_explain_change__fewest_bits),
		cmocka_unit_test(test_explain_change__impossible),
	};

	return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
