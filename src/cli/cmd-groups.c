/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl groups: the IOMMU groups the selected kernel policy forms. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool group_selected(const struct cli *c, const uint32_t *m, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (cli_selected(acs_fabric_func(c->fabric, m[k])))
			return true;
	return false;
}

static const char *kernel_state(const struct cli *c)
{
	switch (acs_fabric_kernel_groups(c->fabric)) {
	case ACS_KGROUPS_NONE:
		return "prediction";
	case ACS_KGROUPS_PRESENT:
		return "the kernel formed IOMMU groups of its own; these are acsctl's prediction";
	default:
		return "prediction";
	}
}

static void print_text(const struct cli *c, const acs_groups *g)
{
	char addr[32], desc[400];

	cli_note_header(c, stdout);
	printf("# %s\n", kernel_state(c));
	if (acs_groups_uncertain_count(g))
		printf("# %zu group%s uncertain (the larger of the possible groups): %s\n",
		       acs_groups_uncertain_count(g), acs_groups_uncertain_count(g) == 1 ? " is" : "s are",
		       acs_unknown_advice(c->fabric));
	for (size_t id = 0; id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m);

		if (!group_selected(c, m, n))
			continue;
		printf("group %zu%s\n", id,
		       acs_groups_uncertain(g, id) ? " (uncertain: depends on unknown ACS state)" : "");
		for (size_t k = 0; k < n; k++) {
			const struct acs_func *fn = acs_fabric_func(c->fabric, m[k]);

			printf("  %s  [%s] %s\n", acs_func_addr(fn, addr, sizeof(addr)),
			       acs_pcie_type_name(fn->pcie_type),
			       cli_describe(c, fn, desc, sizeof(desc)));
		}
	}
}

/* "GROUP ADDRESS" per function: the format of the kernel captures. */
static void print_machine(const struct cli *c, const acs_groups *g)
{
	char addr[32];

	for (size_t id = 0; id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m);

		for (size_t k = 0; k < n; k++) {
			const struct acs_func *fn = acs_fabric_func(c->fabric, m[k]);

			if (cli_selected(fn))
				printf("%zu %s%s\n", id, acs_func_addr(fn, addr, sizeof(addr)),
				       acs_groups_uncertain(g, id) ? " ?" : "");
		}
	}
}

static void print_json(const struct cli *c, const acs_groups *g)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	const char *kstate[] = { "unknown", "none", "present" };
	char addr[32];

	json_object_object_add(root, "kernel",
		json_object_new_string(acs_policy_name(c->policy)));
	json_object_object_add(root, "source",
		json_object_new_string(acs_fabric_origin(c->fabric)));
	json_object_object_add(root, "prediction", json_object_new_boolean(1));
	json_object_object_add(root, "kernel_groups",
		json_object_new_string(kstate[acs_fabric_kernel_groups(c->fabric)]));
	cli_boot_warnings_json(c, root);
	json_object_object_add(root, "acs_unknown",
		json_object_new_int((int)acs_fabric_unknown_count(c->fabric)));
	for (size_t id = 0; id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m);
		json_object *grp, *devs;

		if (!group_selected(c, m, n))
			continue;
		grp = json_object_new_object();
		devs = json_object_new_array();
		json_object_object_add(grp, "id", json_object_new_int((int)id));
		for (size_t k = 0; k < n; k++)
			json_object_array_add(devs, json_object_new_string(
				acs_func_addr(acs_fabric_func(c->fabric, m[k]), addr,
					      sizeof(addr))));
		json_object_object_add(grp, "devices", devs);
		json_object_object_add(grp, "uncertain",
			json_object_new_boolean(acs_groups_uncertain(g, id)));
		json_object_array_add(arr, grp);
	}
	json_object_object_add(root, "groups", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* What makes the kernel's groups differ from what the hardware says. */
static const char *likely_cause(const struct cli *c, int kind)
{
	const char *cmdline = acs_fabric_cmdline(c->fabric);

	if (cmdline && strstr(cmdline, "pcie_acs_override"))
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

static void print_diff_text(const struct cli *c, const acs_group_diff *d, bool unknown)
{
	char addr[32];
	bool splits = d->kind == ACS_DIFF_KERNEL_SPLITS;

	printf("%s kernel %s %s group %zu:", unknown ? "UNKNOWN" : "FAIL", splits ? "splits" : "merges",
	       splits ? "predicted" : "kernel", d->group);
	for (size_t k = 0; k < d->count; k++)
		printf(" %s (%s group %d)",
		       acs_func_addr(acs_fabric_func(c->fabric, d->funcs[k]), addr, sizeof(addr)),
		       splits ? "kernel" : "predicted", d->other[k]);
	if (unknown)
		printf(": the prediction took ACS state that was not read as not isolating\n");
	else
		printf(": likely cause: %s\n", likely_cause(c, d->kind));
}

static json_object *diff_json(const struct cli *c, const acs_group_diff *d, bool unknown)
{
	json_object *o = json_object_new_object(), *devs = json_object_new_array();
	bool splits = d->kind == ACS_DIFF_KERNEL_SPLITS;
	char addr[32];

	json_object_object_add(o, "kind", json_object_new_string(splits ? "kernel_splits" : "kernel_merges"));
	json_object_object_add(o, splits ? "predicted_group" : "kernel_group",
			       json_object_new_int((int)d->group));
	for (size_t k = 0; k < d->count; k++) {
		json_object *m = json_object_new_object();

		json_object_object_add(m, "device", json_object_new_string(
			acs_func_addr(acs_fabric_func(c->fabric, d->funcs[k]), addr, sizeof(addr))));
		json_object_object_add(m, splits ? "kernel_group" : "predicted_group",
				       json_object_new_int(d->other[k]));
		json_object_array_add(devs, m);
	}
	json_object_object_add(o, "devices", devs);
	json_object_object_add(o, "likely_cause", json_object_new_string(unknown ?
		"the prediction took ACS state that was not read as not isolating" : likely_cause(c, d->kind)));
	json_object_object_add(o, "unknown", json_object_new_boolean(unknown));
	return o;
}

static void check_json(const struct cli *c, const acs_group_check *chk, const bool *unknown, int status,
		       const uint32_t *uv, size_t nu)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
	json_object_object_add(root, "source", json_object_new_string(acs_fabric_origin(c->fabric)));
	json_object_object_add(root, "ok", json_object_new_boolean(status == EXIT_OK));
	cli_json_verdict(c, root, status, uv, nu);
	json_object_object_add(root, "compared", json_object_new_int((int)acs_group_check_compared(chk)));
	for (size_t i = 0; i < acs_group_check_count(chk); i++)
		json_object_array_add(arr, diff_json(c, acs_group_check_at(chk, i), unknown[i]));
	json_object_object_add(root, "differences", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static void check_text(const struct cli *c, const acs_group_check *chk, const bool *unknown, int status,
		       const uint32_t *uv, size_t nu)
{
	size_t n = acs_group_check_count(chk);

	if (acs_fabric_kernel_groups(c->fabric) == ACS_KGROUPS_NONE) {
		printf("OK: the kernel formed no IOMMU groups (the IOMMU is off): nothing to compare\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		print_diff_text(c, acs_group_check_at(chk, i), unknown[i]);
	cli_print_unknown(c, uv, nu);
	if (status == EXIT_OK)
		printf("OK: the kernel's groups equal the prediction of policy %s for all %zu grouped functions\n",
		       acs_policy_name(c->policy), acs_group_check_compared(chk));
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
	if (acs_fabric_kernel_groups(c->fabric) != ACS_KGROUPS_NONE)
		compared_unknown(c, g, unk);
	nu = acs_unknown_list(unk, &uv);
	status = cli_verdict(failed, nu);
	if (c->json)
		check_json(c, chk, unknown, status, uv, nu);
	else
		check_text(c, chk, unknown, status, uv, nu);
	acs_unknown_free(unk);
	free(unknown);
	acs_group_check_free(chk);
	return status;
}

int cmd_groups(struct cli *c, int argc, char **argv)
{
	acs_groups *g;

	if (argc > 0) {
		fprintf(stderr, "acsctl groups: unexpected argument '%s'\n", argv[0]);
		return EXIT_BAD_INPUT;
	}
	if (cli_groups(c, &g))
		return cli_error("groups");
	if (c->check) {
		int rc = check(c, g);

		acs_groups_free(g);
		return rc;
	}
	if (c->json)
		print_json(c, g);
	else if (c->machine)
		print_machine(c, g);
	else
		print_text(c, g);
	acs_groups_free(g);
	return EXIT_OK;
}
