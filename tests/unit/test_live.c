/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live changes: which devices go, and when the live result differs from
 * a boot (and so must be refused). */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

/* Measured in the VM: clearing redirect on a root port above a switch,
 * live, gives the partition of booting with it. */
static void test_live_root_port__above_switch(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_live *l;
	const uint32_t *aff;
	struct acs_ctrl_change ch;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:02.0", 1, 1, 0x1d, false);
	tfab_root_port(&t, "00:03.0", 2, 5, 0x1d, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_upstream(&t, "02:00.0", 3, 5);
	tfab_downstream(&t, "03:00.0", 4, 4, NO_ACS);
	tfab_downstream(&t, "03:01.0", 5, 5, NO_ACS);
	tfab_endpoint(&t, "04:00.0", false, NO_ACS);
	tfab_endpoint(&t, "05:00.0", false, NO_ACS);
	f = tfab_end(&t);
	ch = (struct acs_ctrl_change){ tfab_idx(f, "00:03.0"), 0x11 };
	assert_int_equal(acs_live_compute(&l, f, acs_policy_find("6.12"), &ch, 1), 0);
	assert_true(acs_live_possible(l));
	assert_int_equal(acs_live_affected(l, &aff), 5);
	/* deepest first: the endpoints, then the ports, the upstream port last */
	assert_int_equal(aff[4], tfab_idx(f, "02:00.0"));
	{
		const acs_groups *g = acs_live_groups(l);

		assert_int_equal(acs_groups_of(g, tfab_idx(f, "04:00.0")), acs_groups_of(g, tfab_idx(f, "00:03.0")));
		assert_int_equal(acs_groups_of(g, tfab_idx(f, "02:00.0")), acs_groups_of(g, tfab_idx(f, "00:03.0")));
		assert_int_not_equal(acs_groups_of(g, tfab_idx(f, "01:00.0")), acs_groups_of(g, tfab_idx(f, "00:03.0")));
	}
	acs_live_free(l);
	/* and back again */
	{
		acs_fabric *g = NULL;
		acs_live *back;

		assert_int_equal(acs_fabric_with_acs_ctrl(&g, f, &ch, 1), 0);
		ch.ctrl = 0x1d;
		assert_int_equal(acs_live_compute(&back, g, acs_policy_find("6.12"), &ch, 1), 0);
		assert_true(acs_live_possible(back));
		acs_live_free(back);
		acs_fabric_free(g);
	}
	acs_fabric_free(f);
}

/* Measured in the VM: on both functions of a multifunction root port the
 * live result is two groups where a boot makes one: refused. */
static void test_live_refused__multifunction_root_port(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_live *l;
	struct acs_ctrl_change ch[2];
	const char *const *why;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:03.0", 1, 1, 0x1d, true);
	tfab_root_port(&t, "00:03.1", 2, 2, 0x1d, true);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	tfab_endpoint(&t, "02:00.0", false, NO_ACS);
	f = tfab_end(&t);
	ch[0] = (struct acs_ctrl_change){ tfab_idx(f, "00:03.0"), 0x11 };
	ch[1] = (struct acs_ctrl_change){ tfab_idx(f, "00:03.1"), 0x11 };
	assert_int_equal(acs_live_compute(&l, f, acs_policy_find("6.12"), ch, 2), 0);
	assert_false(acs_live_possible(l));
	assert_true(acs_live_reasons(l, &why) > 0);
	assert_non_null(strstr(why[0], "0000:00:03.0"));
	assert_non_null(strstr(why[0], "0000:00:03.1"));
	acs_live_free(l);
	acs_fabric_free(f);
}

/* The kernel's own groups are what stays, when the source has them. */
static void test_live_kernel_groups__kept(void **state)
{
	struct tfab t;
	acs_fabric *f;
	acs_live *l;
	struct acs_ctrl_change ch;

	(void)state;
	tfab_begin(&t);
	tfab_root_port(&t, "00:02.0", 1, 1, 0x1d, false);
	tfab_endpoint(&t, "01:00.0", false, NO_ACS);
	t.b.kgroups = ACS_KGROUPS_PRESENT;
	t.b.raw[0].kernel_group = 7;
	t.b.raw[1].kernel_group = 8;
	f = tfab_end(&t);
	ch = (struct acs_ctrl_change){ 0, 0x11 };
	assert_int_equal(acs_live_compute(&l, f, acs_policy_find("6.1"), &ch, 1), 0);
	assert_true(acs_live_possible(l));
	assert_int_equal(acs_groups_of(acs_live_groups(l), 1), 7);
	acs_live_free(l);
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_root_port__above_switch),
		cmocka_unit_test(test_live_refused__multifunction_root_port),
		cmocka_unit_test(test_live_kernel_groups__kept),
	};

	return cmocka_run_group_tests_name("live", tests, NULL, NULL);
}
