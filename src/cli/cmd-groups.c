/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl groups: the IOMMU groups the selected kernel policy forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

static bool group_selected(const struct cli *c, const uint32_t *m, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (cli_selected(acs_fabric_func(c->fabric, m[k])))
			return true;
	return false;
}

static const char *kernel_state(const struct cli *c)
{
	if (acs_fabric_kernel_groups(c->fabric) == ACS_KGROUPS_PRESENT)
		return "the kernel formed IOMMU groups of its own; these are acsctl's prediction";
	return "prediction";
}

/* -m is the kernel captures' "GROUP ADDRESS" per function (tests/vm
 * compares it with /sys/kernel/iommu_groups), so the data goes to -j only. */
#define GROUPS_DATA OUT_JSON

static void print_group(const struct cli *c, const acs_groups *g, size_t id)
{
	char addr[32], desc[400];
	const uint32_t *m;
	size_t n = acs_groups_members(g, id, &m);
	bool uncertain = acs_groups_uncertain(g, id);

	out_object_open(GROUPS_DATA, NULL);
	out_uint(GROUPS_DATA | OUT_TEXT, "id", "group %s", id);
	out_text("%s\n", uncertain ? " (uncertain: depends on unknown ACS state)" : "");
	out_array_open(GROUPS_DATA, "devices");
	for (size_t k = 0; k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, m[k]);

		acs_func_addr(fn, addr, sizeof(addr));
		out_str(GROUPS_DATA | OUT_TEXT, NULL, "  %s", addr);
		/* names only where printed: pci.ids costs a -m run a third of its time */
		if (out_wants(OUT_TEXT))
			out_text("  [%s] %s\n", acs_pcie_type_name(fn->pcie_type), cli_describe(c, fn, desc, sizeof(desc)));
		if (cli_selected(fn))
			out_line("%zu %s%s\n", id, addr, uncertain ? " ?" : "");
	}
	out_array_close(GROUPS_DATA);
	out_bool(GROUPS_DATA, "uncertain", NULL, uncertain);
	out_object_close(GROUPS_DATA);
}

/* The functions the policy's IOMMU driver leaves out: no group, no
 * number (the kernel's sysfs and lspci -vv have none for them). */
static void print_unmanaged(const struct cli *c)
{
	char addr[32], desc[400];
	bool any = false;

	out_array_open(GROUPS_DATA, "unmanaged");
	for (size_t i = 0; !c->platform && i < acs_fabric_count(c->fabric); i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, i);
		const char *why;
		int reason = acs_policy_iommu_excludes(c->policy, c->fabric, fn, &why);

		if (!reason || !cli_selected(fn))
			continue;
		if (!any)
			out_text("not managed by the IOMMU (no group):\n");
		any = true;
		out_object_open(GROUPS_DATA, NULL);
		out_str(GROUPS_DATA | OUT_TEXT, "device", "  %s", acs_func_addr(fn, addr, sizeof(addr)));
		if (out_wants(OUT_TEXT))
			out_text("  [%s] %s\n", acs_pcie_type_name(fn->pcie_type), cli_describe(c, fn, desc, sizeof(desc)));
		out_str(GROUPS_DATA, "reason", NULL, reason == ACS_IOMMU_SELF ? "iommu_self" :
			reason == ACS_IOMMU_VMD_CHILD ? "vmd_child" : "ivrs_root");
		out_str(GROUPS_DATA | OUT_TEXT, "why", "      %s\n", why);
		out_object_close(GROUPS_DATA);
	}
	out_array_close(GROUPS_DATA);
}

/* Group numbers follow the order the kernel probes; with several root
 * buses that order is firmware's, which a dump or lspci text without the
 * kernel's own numbers does not carry. */
static bool numbers_certain(const struct cli *c)
{
	return c->platform || acs_fabric_root_order(c->fabric) != ACS_ROOT_ORDER_ASSUMED;
}

static int print_groups(const struct cli *c, const acs_groups *g)
{
	static const char *const kstate[] = { "unknown", "none", "present" };
	size_t uncertain = acs_groups_uncertain_count(g);

	cli_out_begin(c, "groups");
	if (!out_wants(OUT_MACHINE))
		cli_out_header(c);
	out_str(OUT_TEXT, NULL, "# %s\n", kernel_state(c));
	out_bool(GROUPS_DATA, "prediction", NULL, true);
	out_str(GROUPS_DATA, "kernel_groups", NULL, kstate[acs_fabric_kernel_groups(c->fabric)]);
	out_bool(GROUPS_DATA, "numbers_certain", NULL, numbers_certain(c));
	if (!numbers_certain(c))
		out_text("# group numbers are uncertain past the first root bus: firmware's order of the host "
			 "bridges, in which the kernel numbers them, is not in this source (taken in bus order)\n");
	else if (!c->platform && acs_fabric_root_order(c->fabric) == ACS_ROOT_ORDER_KERNEL)
		out_text("# root buses in the order the kernel's own group numbers show it probed them\n");
	if (uncertain)
		out_text("# %zu group%s uncertain (the larger of the possible groups): %s\n", uncertain,
			 uncertain == 1 ? " is" : "s are", acs_unknown_advice(c->fabric));
	out_array_open(GROUPS_DATA, "groups");
	for (size_t id = 0; id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m);

		if (group_selected(c, m, n))
			print_group(c, g, id);
	}
	out_array_close(GROUPS_DATA);
	print_unmanaged(c);
	return out_end(EXIT_OK);
}

/* What makes the kernel's groups differ from what the hardware says. */
static const char *likely_cause(const struct cli *c, int kind)
{
	if (acs_cmdline_has_acs_override(acs_fabric_cmdline(c->fabric)))
		return "the kernel runs the out-of-tree ACS override patch (pcie_acs_override on its command line): its groups claim isolation the hardware does not give";
	if (kind == ACS_DIFF_KERNEL_SPLITS)
		return "ACS was turned off after boot (setpci) so the kernel's groups promise isolation that is gone, or the kernel has an ACS quirk acsctl lacks";
	return "ACS was turned on after boot (setpci), or the kernel has a DMA alias quirk acsctl lacks";
}

/* Whether a difference involves a predicted group that took unread ACS
 * as not isolating; its functions then go into unk. */
static bool diff_unknown(const acs_groups *g, const acs_group_diff *d, acs_unknown *unk)
{
	bool uncertain = d->kind == ACS_DIFF_KERNEL_SPLITS && acs_groups_uncertain(g, d->group);
	bool any = false;

	for (size_t k = 0; k < d->count; k++)
		uncertain |= d->kind == ACS_DIFF_KERNEL_MERGES && d->other[k] >= 0 &&
			     acs_groups_uncertain(g, (size_t)d->other[k]);
	for (size_t k = 0; uncertain && k < d->count; k++)
		any |= acs_unknown_add(unk, ACS_UNKNOWN_GROUP, d->funcs[k], -1);
	return any;
}

/* Functions of uncertain groups the kernel grouped: the prediction they
 * are compared with depends on what was not read. */
static void compared_unknown(const struct cli *c, const acs_groups *g, acs_unknown *unk)
{
	for (size_t i = 0; i < acs_fabric_count(c->fabric); i++)
		if (acs_fabric_kernel_group(c->fabric, i) >= 0 && acs_groups_of(g, i) != ACS_NO_GROUP &&
		    acs_groups_uncertain(g, acs_groups_of(g, i)))
			acs_unknown_add(unk, ACS_UNKNOWN_GROUP, i, -1);
}

static void print_diff(const struct cli *c, const acs_group_diff *d, bool unknown)
{
	char addr[32];
	bool splits = d->kind == ACS_DIFF_KERNEL_SPLITS;

	out_object_open(OUT_DATA, NULL);
	out_str(OUT_TEXT, NULL, "%s", unknown ? "UNKNOWN" : "FAIL");
	out_str(OUT_ANY, "kind", " kernel %s", splits ? "splits" : "merges");
	out_str(OUT_DATA, "kind", NULL, splits ? "kernel_splits" : "kernel_merges");
	out_uint(OUT_ANY, splits ? "predicted_group" : "kernel_group", splits ? " predicted group %s:" :
		 " kernel group %s:", d->group);
	out_array_open(OUT_DATA, "devices");
	for (size_t k = 0; k < d->count; k++) {
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "device", " %s",
			acs_func_addr(acs_fabric_func(c->fabric, d->funcs[k]), addr, sizeof(addr)));
		out_int(OUT_ANY, splits ? "kernel_group" : "predicted_group",
			splits ? " (kernel group %s)" : " (predicted group %s)", d->other[k]);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	if (unknown)
		out_str(OUT_ANY, "likely_cause", ": %s\n",
			"the prediction took ACS state that was not read as not isolating");
	else
		out_str(OUT_ANY, "likely_cause", ": likely cause: %s\n", likely_cause(c, d->kind));
	out_bool(OUT_DATA, "unknown", NULL, unknown);
	out_object_close(OUT_DATA);
}

/* Functions one side grouped and the other not: the kernel grouped one
 * the policy says its IOMMU leaves out (FAIL); the source has no kernel
 * group for one the prediction groups (partial: not compared, never
 * taken as a group). */
static void print_one_side(const struct cli *c, const acs_group_check *chk)
{
	const uint32_t *v;
	size_t n = acs_group_check_one_side(chk, 1, &v);
	char addr[32];

	out_array_open(OUT_DATA, "kernel_only");
	for (size_t k = 0; k < n; k++) {
		const char *why;

		acs_policy_iommu_excludes(c->policy, c->fabric, acs_fabric_func(c->fabric, v[k]), &why);
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "device", "FAIL kernel groups %s",
			acs_func_addr(acs_fabric_func(c->fabric, v[k]), addr, sizeof(addr)));
		out_int(OUT_ANY, "kernel_group", " (kernel group %s)", acs_fabric_kernel_group(c->fabric, v[k]));
		out_str(OUT_ANY, "why", ", which the prediction leaves out: %s\n", why ? why : "no group");
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	n = acs_group_check_one_side(chk, 0, &v);
	if (n)
		out_text("# partial: %zu function%s the prediction groups %s no kernel group in this source "
			 "(no IOMMU group line): not compared:", n, n == 1 ? "" : "s", n == 1 ? "has" : "have");
	out_array_open(OUT_DATA, "not_compared");
	for (size_t k = 0; k < n; k++)
		out_str(OUT_ANY, NULL, " %s", acs_func_addr(acs_fabric_func(c->fabric, v[k]), addr, sizeof(addr)));
	out_array_close(OUT_DATA);
	if (n)
		out_text("\n");
}

static int print_check(const struct cli *c, const acs_group_check *chk, const bool *unknown, int status,
		       const uint32_t *uv, size_t nu)
{
	size_t n = acs_group_check_count(chk);
	bool none = acs_fabric_kernel_groups(c->fabric) == ACS_KGROUPS_NONE;

	cli_out_begin(c, "groups");
	if (!out_wants(OUT_TEXT))
		cli_out_header(c);
	out_bool(OUT_DATA, "ok", NULL, status == EXIT_OK);
	out_uint(OUT_DATA, "compared", NULL, acs_group_check_compared(chk));
	if (none)
		out_text("OK: the kernel formed no IOMMU groups (the IOMMU is off): nothing to compare\n");
	out_array_open(OUT_DATA, "differences");
	for (size_t i = 0; i < n; i++)
		print_diff(c, acs_group_check_at(chk, i), unknown[i]);
	out_array_close(OUT_DATA);
	print_one_side(c, chk);
	if (!none || !out_wants(OUT_TEXT))
		cli_out_verdict(c, status, uv, nu);
	if (status == EXIT_OK && !none)
		out_text("OK: the kernel's groups equal the prediction of policy %s for all %zu grouped functions\n",
			 acs_policy_name(c->policy), acs_group_check_compared(chk));
	return out_end(status);
}

/* A difference on a group built on unread ACS is UNKNOWN, not FAIL; and
 * equal groups prove nothing where the prediction was a guess. */
static int check(const struct cli *c, const acs_groups *g)
{
	acs_group_check *chk;
	acs_unknown *unk = NULL;
	bool *unknown = NULL, failed = false;
	const uint32_t *uv;
	size_t n, nu;
	int status;

	if (acs_groups_check(&chk, g, c->fabric))
		return cli_error("groups --check");
	n = acs_group_check_count(chk);
	unknown = calloc(n + 1, sizeof(*unknown));
	if (!unknown || acs_unknown_new(&unk, c->fabric, c->policy)) {
		free(unknown);
		acs_group_check_free(chk);
		return cli_error("groups --check");
	}
	for (size_t i = 0; i < n; i++) {
		unknown[i] = diff_unknown(g, acs_group_check_at(chk, i), unk);
		failed |= !unknown[i];
	}
	{
		const uint32_t *v;

		failed |= acs_group_check_one_side(chk, 1, &v) > 0;
	}
	if (acs_fabric_kernel_groups(c->fabric) != ACS_KGROUPS_NONE)
		compared_unknown(c, g, unk);
	nu = acs_unknown_list(unk, &uv);
	status = cli_verdict(failed, nu);
	status = print_check(c, chk, unknown, status, uv, nu);
	acs_unknown_free(unk);
	free(unknown);
	acs_group_check_free(chk);
	return status;
}

int cmd_groups(struct cli *c, int argc, char **argv)
{
	acs_groups *g;
	int rc;

	if (argc > 0) {
		fprintf(stderr, "acsctl groups: unexpected argument '%s'\n", argv[0]);
		return EXIT_BAD_INPUT;
	}
	if (cli_groups(c, &g))
		return cli_error("groups");
	rc = c->check ? check(c, g) : print_groups(c, g);
	acs_groups_free(g);
	return rc;
}
