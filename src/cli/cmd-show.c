/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl show: the tree, as lspci -tv draws it, with port types, ACS and
 * the predicted group of every function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

/* Text draws the tree; the data carries each function as a record, the
 * tree in its "parent" field. */
static void func_acs(const struct acs_func *fn)
{
	char tok[160];

	if (!fn->acs_pos) {
		out_null(OUT_DATA, "acs", NULL);
		return;
	}
	out_object_open(OUT_DATA, "acs");
	out_hex(OUT_DATA, "offset", NULL, fn->acs_pos, 3);
	out_hex(OUT_DATA, "cap", NULL, fn->acs_cap, 4);
	out_hex(OUT_DATA, "ctrl", NULL, fn->acs_ctrl, 4);
	out_str(OUT_DATA, "cap_tokens", NULL, cli_acs_tokens(fn->acs_cap, tok, sizeof(tok)));
	out_str(OUT_DATA, "ctrl_tokens", NULL, cli_acs_tokens(fn->acs_ctrl, tok, sizeof(tok)));
	out_object_close(OUT_DATA);
}

static void func_ids(const struct cli *c, const struct acs_func *fn)
{
	const struct acs_func *p = acs_fabric_parent(c->fabric, fn);
	char addr[32], desc[400];

	out_hex(OUT_DATA, "vendor", NULL, fn->vendor_id, 4);
	out_hex(OUT_DATA, "device", NULL, fn->device_id, 4);
	out_hex(OUT_DATA, "class", NULL, fn->class_code, 6);
	out_str(OUT_ANY, "type", "  [%s]", acs_pcie_type_name(fn->pcie_type));
	out_str(OUT_TEXT, NULL, " %s  ", cli_describe(c, fn, desc, sizeof(desc)));
	out_bool(OUT_DATA, "multifunction", NULL, fn->multifunction);
	out_str(OUT_DATA, "parent", NULL, p ? acs_func_addr(p, addr, sizeof(addr)) : NULL);
}

/* Where the source has the kernel's own groups: its group beside the
 * prediction's, and a mark where the two partitions differ (groups
 * --check says how). */
static void print_kernel_group(const struct cli *c, size_t idx, size_t gid, bool differs)
{
	int kg = acs_fabric_kernel_group(c->fabric, idx);

	if (acs_fabric_kernel_groups(c->fabric) != ACS_KGROUPS_PRESENT) {
		out_null(OUT_DATA, "kernel_group", NULL);
		out_bool(OUT_DATA, "kernel_differs", NULL, false);
		return;
	}
	if (kg < 0)
		out_null(OUT_DATA, "kernel_group", NULL);
	else
		out_int(OUT_DATA, "kernel_group", NULL, kg);
	out_bool(OUT_DATA, "kernel_differs", NULL, differs);
	if (differs)
		out_text(kg < 0 ? " [kernel: no group: differs]" : " [kernel group %d: differs]", kg);
	else if (kg < 0 && gid != ACS_NO_GROUP)
		out_text(" [kernel: no group: not compared]");
	else if (kg >= 0 && (size_t)kg != gid)
		out_text(" [kernel group %d]", kg);
}

static void print_func(const struct cli *c, const acs_groups *g,
		       const struct acs_func *fn, const char *prefix,
		       bool last, bool on_root, bool differs)
{
	size_t idx = acs_fabric_index(c->fabric, fn);
	size_t gid = acs_groups_of(g, idx);
	bool managed = c->platform || !acs_policy_iommu_excludes(c->policy, c->fabric, fn, NULL);
	char addr[32], shortaddr[32], acs[200];
	const char *summary = cli_acs_summary(fn, acs, sizeof(acs));

	if (on_root)
		snprintf(shortaddr, sizeof(shortaddr), "%02x.%u", fn->dev, fn->fn);
	else
		snprintf(shortaddr, sizeof(shortaddr), "%02x:%02x.%u", fn->bus, fn->dev, fn->fn);
	out_object_open(OUT_DATA, NULL);
	out_text("%s%s %s", prefix, last ? "\\-" : "+-", shortaddr);
	out_str(OUT_DATA, "address", NULL, acs_func_addr(fn, addr, sizeof(addr)));
	func_ids(c, fn);
	if (fn->is_bridge) {
		out_uint(OUT_DATA, "secondary", NULL, fn->secondary);
		out_uint(OUT_DATA, "subordinate", NULL, fn->subordinate);
	}
	out_bool(OUT_DATA, "acs_known", NULL, acs_func_acs_known(fn));
	func_acs(fn);
	out_bool(OUT_DATA, "ats", NULL, fn->ats_pos != 0);
	if (fn->sriov_pos) {
		out_object_open(OUT_DATA, "sriov");
		out_uint(OUT_DATA, "total_vfs", NULL, fn->sriov_total_vfs);
		out_uint(OUT_DATA, "num_vfs", NULL, fn->sriov_num_vfs);
		out_object_close(OUT_DATA);
	}
	if (fn->known & ACS_KNOWN_DRIVER)
		out_str(OUT_DATA, "driver", NULL, fn->driver);
	if (gid == ACS_NO_GROUP)
		out_null(OUT_ANY, "group", managed ? "no group" : "not managed by the IOMMU");
	else
		out_uint(OUT_ANY, "group", "group %s", gid);
	out_bool(OUT_DATA, "managed", NULL, managed);
	out_bool(OUT_DATA, "group_uncertain", NULL, acs_groups_uncertain(g, gid));
	if (gid != ACS_NO_GROUP && acs_groups_uncertain(g, gid))
		out_text(" (uncertain)");
	print_kernel_group(c, idx, gid, differs);
	if (fn->is_bridge && (fn->secondary || fn->subordinate))
		out_text("  [bus %02x-%02x]", fn->secondary, fn->subordinate);
	out_text("\n");
	if (summary)
		out_text("%s%s      %s\n", prefix, last ? "  " : "| ", summary);
	out_object_close(OUT_DATA);
}

struct tree_print {
	const struct cli *c;
	const acs_groups *g;
	const bool *differs;          /* per function: in a difference from the kernel's groups */
	bool last[ACS_TREE_MAX_DEPTH];   /* per depth: the function seen last there was its bus's last */
	char prefix[ACS_TREE_MAX_DEPTH * 2 + 1];
};

static void print_root(void *ctx, const struct acs_func *first)
{
	(void)ctx;
	out_text("[%04x:%02x]\n", first->domain, first->bus);
}

static void print_visit(void *ctx, size_t index, size_t depth, bool last)
{
	struct tree_print *t = ctx;
	const struct acs_func *fn = acs_fabric_func(t->c->fabric, index);

	for (size_t k = 0; k < depth; k++)
		memcpy(t->prefix + 2 * k, t->last[k] ? "  " : "| ", 2);
	t->prefix[2 * depth] = '\0';
	t->last[depth] = last;
	if (cli_selected(fn))
		print_func(t->c, t->g, fn, t->prefix, last, depth == 0, t->differs && t->differs[index]);
}

/* Per function: whether it is in a difference between the prediction and
 * the kernel's own groups (NULL where the source has none). */
static bool *kernel_differs(const struct cli *c, const acs_groups *g)
{
	acs_group_check *chk = NULL;
	bool *v;
	const uint32_t *f;

	if (acs_fabric_kernel_groups(c->fabric) != ACS_KGROUPS_PRESENT || acs_groups_check(&chk, g, c->fabric))
		return NULL;
	v = calloc(acs_fabric_count(c->fabric) + 1, sizeof(*v));
	for (size_t i = 0; v && i < acs_group_check_count(chk); i++) {
		const acs_group_diff *d = acs_group_check_at(chk, i);

		for (size_t k = 0; k < d->count; k++)
			v[d->funcs[k]] = true;
	}
	for (size_t k = 0, n = acs_group_check_one_side(chk, 1, &f); v && k < n; k++)
		v[f[k]] = true;
	acs_group_check_free(chk);
	return v;
}

static int print_tree(const struct cli *c, const acs_groups *g)
{
	struct tree_print *t = calloc(1, sizeof(*t));
	struct acs_tree_visit v = { print_root, print_visit, t };
	bool *differs = kernel_differs(c, g);
	int rc;

	if (!t) {
		free(differs);
		return -1;
	}
	t->c = c;
	t->g = g;
	t->differs = differs;
	rc = acs_fabric_tree_walk(c->fabric, &v);
	free(differs);
	free(t);
	return rc;
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	acs_groups *g;
	int rc;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "acsctl show: unexpected argument '%s'\n", argv[0]);
		return EXIT_BAD_INPUT;
	}
	if (cli_groups(c, &g))
		return cli_error("show");
	cli_out_begin(c, "show");
	cli_out_header(c);
	/* (one input of many: the header has put it into -j already) */
	cli_out_host(c->fabric, getenv("ACSCTL_ONE_INPUT") && cli_host_known(c->fabric) ? OUT_MACHINE : OUT_DATA);
	out_array_open(OUT_DATA, "functions");
	rc = print_tree(c, g);
	out_array_close(OUT_DATA);
	acs_groups_free(g);
	if (rc) {
		out_end(EXIT_BAD_INPUT);
		return cli_error("show");
	}
	return out_end(EXIT_OK);
}
