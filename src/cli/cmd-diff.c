/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl diff A B: two inputs of one host compared (a snapshot before and
 * after a BIOS update, a kernel upgrade, a setpci). The command loads both
 * itself (files as -F reads them, a directory as a sysfs tree); the
 * library compares (acs_diff_compute()). Exit 1 on any difference, 0 on
 * none, 3 where unread state leaves it open, 2 bad input.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "emit.h"

static const char *const kinds[] = {
	[ACS_DIFFK_HOST] = "host", [ACS_DIFFK_ADDED] = "added", [ACS_DIFFK_REMOVED] = "removed",
	[ACS_DIFFK_ID] = "id", [ACS_DIFFK_ACS] = "acs", [ACS_DIFFK_DRIVER] = "driver",
	[ACS_DIFFK_LINK] = "link", [ACS_DIFFK_GROUP_SPLIT] = "group_split",
	[ACS_DIFFK_GROUP_MERGED] = "group_merged",
};

static int load_one(const struct cli *c, const char *path, acs_fabric **f)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	struct stat st;

	o.path = path;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		o.kind = ACS_SOURCE_FILE;
		if (c->max_input_set)
			o.max_input = c->max_input;
	}
	cli_loading(path);
	if (acs_fabric_load(f, &o)) {
		cli_loading(NULL);
		return cli_error(NULL);
	}
	cli_loading(NULL);
	return 0;
}

static void side(const char *key, const char *label, const acs_fabric *f)
{
	const acs_policy *p = acs_fabric_kernel_release(f) ? acs_policy_find(acs_fabric_kernel_release(f)) : NULL;

	out_object_open(OUT_DATA, key);
	out_text("%s: ", label);
	out_str(OUT_ANY, "source", "%s", acs_fabric_origin(f));
	out_str(OUT_ANY, "kernel", ", kernel %s", acs_policy_name(p ? p : acs_policy_default()));
	out_str(OUT_DATA, "kernel_release", NULL, acs_fabric_kernel_release(f));
	out_str(OUT_DATA, "hostname", NULL, acs_fabric_host_fact(f, ACS_HOST_NAME));
	out_str(OUT_DATA, "time", NULL, acs_fabric_host_fact(f, ACS_HOST_TIME));
	out_uint(OUT_ANY, "function_count", ", %s functions", acs_fabric_count(f));
	out_uint(OUT_ANY, "acs_unknown", acs_fabric_unknown_count(f) ? " (%s with ACS unknown)\n" : NULL,
		 acs_fabric_unknown_count(f));
	if (!acs_fabric_unknown_count(f))
		out_text("\n");
	out_object_close(OUT_DATA);
}

static void item(const acs_diff_item *it)
{
	char tok[160];
	unsigned v;

	out_object_open(OUT_DATA, NULL);
	out_str(OUT_DATA, "kind", NULL, kinds[it->kind]);
	switch (it->kind) {
	case ACS_DIFFK_HOST:
		out_str(OUT_ANY, "key", "host %s: ", it->key);
		out_str(OUT_ANY, "a", "%s", it->a);
		out_str(OUT_ANY, "b", " -> %s\n", it->b);
		break;
	case ACS_DIFFK_ADDED:
	case ACS_DIFFK_REMOVED:
		out_str(OUT_ANY, "device", it->kind == ACS_DIFFK_ADDED ? "added %s" : "removed %s", it->addr);
		if (it->a)
			out_str(OUT_ANY, "a", " (%s)\n", it->a);
		else
			out_null(OUT_DATA, "a", NULL);
		if (it->b)
			out_str(OUT_ANY, "b", " (%s)\n", it->b);
		else
			out_null(OUT_DATA, "b", NULL);
		break;
	case ACS_DIFFK_ACS:
		out_str(OUT_ANY, "device", "acs %s: ", it->addr);
		if (it->a && sscanf(it->a, "%x", &v) == 1)
			out_str(OUT_ANY, "a", "ACSCtl 0x%s", it->a), out_text(" (%s)", cli_acs_tokens(v, tok, sizeof(tok)));
		else
			out_null(OUT_ANY, "a", "no ACS");
		if (it->b && sscanf(it->b, "%x", &v) == 1)
			out_str(OUT_ANY, "b", " -> ACSCtl 0x%s", it->b), out_text(" (%s)\n", cli_acs_tokens(v, tok, sizeof(tok)));
		else
			out_null(OUT_ANY, "b", " -> no ACS\n");
		break;
	case ACS_DIFFK_GROUP_SPLIT:
	case ACS_DIFFK_GROUP_MERGED:
		out_str(OUT_ANY, "device", it->kind == ACS_DIFFK_GROUP_SPLIT ? "group split at %s: " :
			"groups merged at %s: ", it->addr);
		out_str(OUT_ANY, "a", it->kind == ACS_DIFFK_GROUP_SPLIT ? "A's group %s" : "A's groups %s", it->a);
		out_str(OUT_ANY, "b", it->kind == ACS_DIFFK_GROUP_SPLIT ? " lies in B's groups %s:" :
			" are B's group %s:", it->b);
		out_array_open(OUT_DATA, "members");
		for (size_t k = 0; k < it->count; k++)
			out_str(OUT_ANY, NULL, " %s", it->members[k]);
		out_array_close(OUT_DATA);
		out_text("\n");
		break;
	default:  /* id, driver, link */
		out_str(OUT_ANY, "device", it->kind == ACS_DIFFK_ID ? "id %s: " : it->kind == ACS_DIFFK_DRIVER ?
			"driver %s: " : "link %s: ", it->addr);
		out_str(OUT_ANY, "a", "%s", it->a);
		out_str(OUT_ANY, "b", " -> %s", it->b);
		if (it->kind == ACS_DIFFK_LINK)
			out_bool(OUT_ANY, "degraded", it->degraded ? " (degraded)" : NULL, it->degraded);
		out_text("\n");
		break;
	}
	out_object_close(OUT_DATA);
}

int cmd_diff(struct cli *c, int argc, char **argv)
{
	const char *path[2] = { NULL, NULL };
	acs_fabric *f[2] = { NULL, NULL };
	const char *const *unknown;
	acs_diff *d = NULL;
	size_t n = 0, nu, count;
	int status;

	/* run_own() passes the options too: they are in c already */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--max-input")) {
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			continue;
		} else if (n < 2) {
			path[n++] = argv[i];
		} else {
			n = 3;
		}
	}
	if (n != 2) {
		fprintf(stderr, "usage: acsctl diff A B   (two snapshots, dumps, lspci texts, topologies or sysfs trees "
			"of one host)\n");
		return EXIT_BAD_INPUT;
	}
	if (load_one(c, path[0], &f[0]) || load_one(c, path[1], &f[1])) {
		acs_fabric_free(f[0]);
		return EXIT_BAD_INPUT;
	}
	if (acs_diff_compute(&d, f[0], f[1], NULL, NULL)) {
		acs_fabric_free(f[0]);
		acs_fabric_free(f[1]);
		return cli_error("diff");
	}
	count = acs_diff_count(d);
	nu = acs_diff_unknown(d, &unknown);
	status = count ? EXIT_CHECK_FAILED : nu ? EXIT_UNKNOWN : 0;
	cli_out_begin(c, "diff");
	side("a", "A", f[0]);
	side("b", "B", f[1]);
	out_str(OUT_ANY, "groups_from", "groups: %s\n", acs_diff_kernel_groups(d) ? "kernel" : "predicted");
	out_array_open(OUT_DATA, "differences");
	for (size_t i = 0; i < count; i++)
		item(acs_diff_at(d, i));
	out_array_close(OUT_DATA);
	out_uint(OUT_DATA, "difference_count", NULL, count);
	out_text(count == 1 ? "1 difference\n" : count ? "%zu differences\n" : "no differences\n", count);
	out_array_open(OUT_DATA, "unknown_ports");
	for (size_t k = 0; k < nu; k++) {
		out_text("UNKNOWN ");
		out_str(OUT_ANY, NULL, "%s", unknown[k]);
		out_text(": its ACS state or group was not read on one side (read both as root: acsctl snapshot, "
			 "lspci -xxxx)\n");
	}
	out_array_close(OUT_DATA);
	out_str(OUT_ANY, "verdict", "verdict: %s\n", status == 0 ? "same" : status == EXIT_CHECK_FAILED ? "different" :
		"unknown");
	status = out_end(status);
	acs_diff_free(d);
	acs_fabric_free(f[0]);
	acs_fabric_free(f[1]);
	return status;
}
