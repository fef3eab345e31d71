/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan: every answer against a brute-force minimum over every ACS control
 * value of every port (small topologies), and conflicts named. */
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

static size_t idx(const acs_fabric *f, const char *a)
{
	unsigned bus, dev, fn;

	assert_int_equal(sscanf(a, "%x:%x.%u", &bus, &dev, &fn), 3);
	return acs_fabric_index(f, acs_fabric_find(f, 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn));
}

static int popcount(unsigned v)
{
	int c = 0;

	for (; v; v &= v - 1)
		c++;
	return c;
}

/* The fewest bits any assignment of the ports' control registers needs
 * (-1: none works). Only bits the capability has are tried. */
static int brute_force(const acs_fabric *f, const acs_requirement *r, size_t nr)
{
	size_t ports[8], np = 0, total = 1;
	int best = -1;
	struct acs_ctrl_change ch[8];

	for (size_t i = 0; i < acs_fabric_count(f); i++)
		if (acs_fabric_func(f, i)->acs_pos) {
			assert_true(np < 8);
			ports[np++] = i;
		}
	for (size_t k = 0; k < np; k++)
		total <<= popcount(acs_fabric_func(f, ports[k])->acs_cap & 0x7f);
	for (size_t code = 0; code < total; code++) {
		size_t c = code;
		int cost = 0;
		acs_fabric *w = NULL;

		for (size_t k = 0; k < np; k++) {
			const struct acs_func *fn = acs_fabric_func(f, ports[k]);
			unsigned cap = fn->acs_cap & 0x7f, v = 0;

			/* spread c's low bits over the capability's bits */
			for (unsigned b = 0; b < 7; b++)
				if (cap & (1u << b)) {
					v |= (c & 1) << b;
					c >>= 1;
				}
			ch[k] = (struct acs_ctrl_change){ ports[k], (uint16_t)v };
			cost += popcount(v ^ fn->acs_ctrl);
		}
		if (best >= 0 && cost >= best)
			continue;
		assert_int_equal(acs_fabric_with_acs_ctrl(&w, f, ch, np), 0);
		if (acs_plan_check(w, acs_policy_default(), r, nr))
			best = cost;
		acs_fabric_free(w);
	}
	return best;
}

static int plan_cost(const acs_fabric *f, const acs_requirement *r, size_t nr, bool *feasible)
{
	acs_plan *p = NULL;
	const struct acs_ctrl_change *ch;
	int cost = 0;
	size_t n;

	assert_int_equal(acs_plan_compute(&p, f, acs_policy_default(), r, nr), 0);
	*feasible = acs_plan_feasible(p);
	n = acs_plan_changes(p, &ch);
	for (size_t i = 0; i < n; i++)
		cost += popcount(ch[i].ctrl ^ acs_fabric_func(f, ch[i].index)->acs_ctrl);
	if (*feasible) {
		acs_fabric *w = NULL;

		assert_int_equal(acs_fabric_with_acs_ctrl(&w, f, ch, n), 0);
		assert_true(acs_plan_check(w, acs_policy_default(), r, nr));
		acs_fabric_free(w);
	}
	acs_plan_free(p);
	return *feasible ? cost : -1;
}

/* Root port 00:01.0 and a switch with three ports, an endpoint below each. */
static acs_fabric *switch3(int rp, int d0, int d1, int d2, bool ats)
{
	struct tfab t;
	const int d[3] = { d0, d1, d2 };

	tfab_begin(&t);
	tfab_root_port(&t, "00:01.0", 1, 5, rp, false);
	tfab_upstream(&t, "01:00.0", 2, 5);
	for (int i = 0; i < 3; i++) {
		struct tcfg c;
		char a[16];

		snprintf(a, sizeof(a), "02:%02x.0", i);
		tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_DOWNSTREAM, true, false, d[i]);
		tcfg_buses(&c, 2, (uint8_t)(3 + i), (uint8_t)(3 + i));
		if (d[i] != NO_ACS)
			c.b[0x104] = ats ? 0x5d : 0x1d;   /* cap: SV RR CR UF (+DT) */
		tfab_add(&t, a, &c);
		snprintf(a, sizeof(a), "%02x:00.0", 3 + i);
		tcfg_make(&c, 0x10de, 0x20b0, 0x030200, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
		if (ats) {
			c.b[0x100] = 0x0f;
			c.b[0x102] = 0x01;
		}
		tfab_add(&t, a, &c);
	}
	return tfab_end(&t);
}

#define REQ(kind, ...) { kind, sizeof((size_t[]){ __VA_ARGS__ }) / sizeof(size_t), (size_t[]){ __VA_ARGS__ }, NULL }

static void test_plan_optimal__p2p_in_switch(void **state)
{
	acs_fabric *f = switch3(0x1d, 0x1d, 0x1d, 0x1d, false);
	acs_requirement r[] = { REQ(ACS_REQ_P2P, idx(f, "03:00.0"), idx(f, "04:00.0")) };
	bool feasible;

	(void)state;
	assert_int_equal(plan_cost(f, r, 1, &feasible), brute_force(f, r, 1));
	assert_true(feasible);
	assert_int_equal(plan_cost(f, r, 1, &feasible), 4);   /* RR CR on two ports */
	acs_fabric_free(f);
}

static void test_plan_optimal__isolate(void **state)
{
	acs_fabric *f = switch3(0x1d, 0x0011, 0x0000, 0x1d, false);
	acs_requirement r[] = { REQ(ACS_REQ_ISOLATE, idx(f, "03:00.0")) };
	bool feasible;
	int want = brute_force(f, r, 1);

	(void)state;
	assert_true(want > 0);
	assert_int_equal(plan_cost(f, r, 1, &feasible), want);
	acs_fabric_free(f);
}

static void test_plan_optimal__tenants(void **state)
{
	acs_fabric *f = switch3(0x1d, 0x0000, 0x0000, 0x0000, false);
	size_t devs[3] = { idx(f, "03:00.0"), idx(f, "04:00.0"), idx(f, "05:00.0") };
	int ten[3] = { 0, 1, 1 };
	acs_requirement r[] = { { ACS_REQ_TENANT, 3, devs, ten } };
	bool feasible;
	int want = brute_force(f, r, 1);

	(void)state;
	assert_true(want > 0);
	assert_int_equal(plan_cost(f, r, 1, &feasible), want);
	acs_fabric_free(f);
}

static void test_plan_optimal__p2p_translated(void **state)
{
	acs_fabric *f = switch3(0x1d, 0x1d, 0x1d, 0x1d, true);
	acs_requirement r[] = { REQ(ACS_REQ_P2P_TRANSLATED, idx(f, "03:00.0"), idx(f, "04:00.0")) };
	bool feasible;

	(void)state;
	assert_int_equal(plan_cost(f, r, 1, &feasible), brute_force(f, r, 1));
	assert_int_equal(plan_cost(f, r, 1, &feasible), 2);   /* DT on both ports */
	acs_fabric_free(f);
}

/* P2P below a switch and a device to isolate below the same switch. */
static void test_plan_conflict__p2p_against_isolation(void **state)
{
	acs_fabric *f = switch3(0x1d, 0x1d, 0x1d, 0x1d, false);
	acs_requirement r[] = {
		REQ(ACS_REQ_P2P, idx(f, "03:00.0"), idx(f, "04:00.0")),
		REQ(ACS_REQ_ISOLATE, idx(f, "05:00.0")),
	};
	acs_plan *p = NULL;
	const char *const *lines;
	bool feasible;

	(void)state;
	assert_int_equal(brute_force(f, r, 2), -1);
	assert_int_equal(plan_cost(f, r, 2, &feasible), -1);
	assert_false(feasible);
	assert_int_equal(acs_plan_compute(&p, f, acs_policy_default(), r, 2), 0);
	assert_true(acs_plan_conflicts(p, &lines) > 0);
	assert_non_null(strstr(lines[0], "0000:02:00.0"));
	assert_non_null(strstr(lines[0], "0000:05:00.0"));
	acs_plan_free(p);
	acs_fabric_free(f);
}

/* Two devices on one downstream port: no setting separates them. */
static void test_plan_conflict__no_acs_capability(void **state)
{
	acs_fabric *f = switch3(0x1d, NO_ACS, 0x1d, 0x1d, false);
	acs_requirement r[] = { REQ(ACS_REQ_ISOLATE, idx(f, "03:00.0")) };
	acs_plan *p = NULL;
	const char *const *lines;

	(void)state;
	assert_int_equal(acs_plan_compute(&p, f, acs_policy_default(), r, 1), 0);
	assert_false(acs_plan_feasible(p));
	assert_true(acs_plan_conflicts(p, &lines) > 0);
	assert_non_null(strstr(lines[0], "no ACS capability"));
	acs_plan_free(p);
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_optimal__p2p_in_switch),
		cmocka_unit_test(test_plan_optimal__isolate),
		cmocka_unit_test(test_plan_optimal__tenants),
		cmocka_unit_test(test_plan_optimal__p2p_translated),
		cmocka_unit_test(test_plan_conflict__p2p_against_isolation),
		cmocka_unit_test(test_plan_conflict__no_acs_capability),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
