/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl show: the tree, as lspci -tv draws it, with port types, ACS and
 * the predicted group of every function. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_func(const struct cli *c, const acs_groups *g,
		       const struct acs_func *fn, const char *prefix,
		       bool last, bool on_root)
{
	const acs_fabric *f = c->fabric;
	size_t i = acs_fabric_index(f, fn);
	size_t gid = acs_groups_of(g, i);
	char addr[32], desc[400], acs[200];
	const char *summary = cli_acs_summary(fn, acs, sizeof(acs));

	if (on_root)
		snprintf(addr, sizeof(addr), "%02x.%u", fn->dev, fn->fn);
	else
		snprintf(addr, sizeof(addr), "%02x:%02x.%u", fn->bus, fn->dev, fn->fn);
	printf("%s%s %s  [%s] %s  ", prefix, last ? "\\-" : "+-", addr,
	       acs_pcie_type_name(fn->pcie_type), cli_describe(c, fn, desc, sizeof(desc)));
	if (gid == ACS_NO_GROUP)
		printf("no group");
	else
		printf("group %zu%s", gid, acs_groups_uncertain(g, gid) ? " (uncertain)" : "");
	if (fn->is_bridge && (fn->secondary || fn->subordinate))
		printf("  [bus %02x-%02x]", fn->secondary, fn->subordinate);
	putchar('\n');
	if (summary)
		printf("%s%s      %s\n", prefix, last ? "  " : "| ", summary);
}

struct tree_print {
	const struct cli *c;
	const acs_groups *g;
	bool last[CLI_TREE_MAX_DEPTH];   /* per depth: the function seen last there was its bus's last */
	char prefix[CLI_TREE_MAX_DEPTH * 2 + 1];
};

static void print_root(void *ctx, const struct acs_func *first)
{
	(void)ctx;
	printf("[%04x:%02x]\n", first->domain, first->bus);
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
		print_func(t->c, t->g, fn, t->prefix, last, depth == 0);
}

static int print_tree(const struct cli *c, const acs_groups *g)
{
	struct tree_print *t = calloc(1, sizeof(*t));
	struct cli_tree_visit v = { print_root, print_visit, t };
	int rc;

	if (!t)
		return -1;
	t->c = c;
	t->g = g;
	rc = cli_tree_walk(c->fabric, &v);
	free(t);
	return rc;
}

static json_object *hex(unsigned v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", width, v);
	return json_object_new_string(buf);
}

static json_object *func_json(const struct cli *c, const acs_groups *g,
			      const struct acs_func *fn)
{
	const acs_fabric *f = c->fabric;
	const struct acs_func *p = acs_fabric_parent(f, fn);
	json_object *o = json_object_new_object();
	char addr[32], tok[160];
	size_t gid = acs_groups_of(g, acs_fabric_index(f, fn));

	json_object_object_add(o, "address",
		json_object_new_string(acs_func_addr(fn, addr, sizeof(addr))));
	json_object_object_add(o, "vendor", hex(fn->vendor_id, 4));
	json_object_object_add(o, "device", hex(fn->device_id, 4));
	json_object_object_add(o, "class", hex(fn->class_code, 6));
	json_object_object_add(o, "type",
		json_object_new_string(acs_pcie_type_name(fn->pcie_type)));
	json_object_object_add(o, "multifunction",
		json_object_new_boolean(fn->multifunction));
	json_object_object_add(o, "parent", p ?
		json_object_new_string(acs_func_addr(p, addr, sizeof(addr))) : NULL);
	if (fn->is_bridge) {
		json_object_object_add(o, "secondary", json_object_new_int(fn->secondary));
		json_object_object_add(o, "subordinate", json_object_new_int(fn->subordinate));
	}
	json_object_object_add(o, "acs_known",
		json_object_new_boolean(acs_func_acs_known(fn)));
	if (fn->acs_pos) {
		json_object *acs = json_object_new_object();

		json_object_object_add(acs, "offset", hex(fn->acs_pos, 3));
		json_object_object_add(acs, "cap", hex(fn->acs_cap, 4));
		json_object_object_add(acs, "ctrl", hex(fn->acs_ctrl, 4));
		json_object_object_add(acs, "cap_tokens", json_object_new_string(
			cli_acs_tokens(fn->acs_cap, tok, sizeof(tok))));
		json_object_object_add(acs, "ctrl_tokens", json_object_new_string(
			cli_acs_tokens(fn->acs_ctrl, tok, sizeof(tok))));
		json_object_object_add(o, "acs", acs);
	} else {
		json_object_object_add(o, "acs", NULL);
	}
	json_object_object_add(o, "ats", json_object_new_boolean(fn->ats_pos != 0));
	if (fn->sriov_pos) {
		json_object *s = json_object_new_object();

		json_object_object_add(s, "total_vfs", json_object_new_int(fn->sriov_total_vfs));
		json_object_object_add(s, "num_vfs", json_object_new_int(fn->sriov_num_vfs));
		json_object_object_add(o, "sriov", s);
	}
	if (fn->known & ACS_KNOWN_DRIVER)
		json_object_object_add(o, "driver", fn->driver ?
			json_object_new_string(fn->driver) : NULL);
	json_object_object_add(o, "group", gid == ACS_NO_GROUP ? NULL : json_object_new_int((int)gid));
	json_object_object_add(o, "group_uncertain",
		json_object_new_boolean(acs_groups_uncertain(g, gid)));
	return o;
}

static void print_json(const struct cli *c, const acs_groups *g)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();

	json_object_object_add(root, "kernel",
		json_object_new_string(acs_policy_name(c->policy)));
	json_object_object_add(root, "source",
		json_object_new_string(acs_fabric_origin(c->fabric)));
	for (size_t i = 0; i < acs_fabric_count(c->fabric); i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, i);

		if (cli_selected(fn))
			json_object_array_add(arr, func_json(c, g, fn));
	}
	json_object_object_add(root, "functions", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	acs_groups *g;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "acsctl show: unexpected argument '%s'\n", argv[0]);
		return EXIT_BAD_INPUT;
	}
	if (cli_groups(c, &g))
		return cli_error("show");
	if (c->json) {
		print_json(c, g);
	} else {
		cli_note_header(c, stdout);
		if (print_tree(c, g)) {
			acs_groups_free(g);
			return cli_error("show");
		}
	}
	acs_groups_free(g);
	return EXIT_OK;
}
