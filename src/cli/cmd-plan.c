/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl plan --p2p A,B[,C] --p2p-translated A,B --isolate D
 *             --tenant NAME:A,B...: the smallest ACS change, its groups and
 * P2P, and how to make it so at boot (checked by simulating that boot) or
 * live.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct reqs {
	acs_requirement *v;
	size_t n;
	size_t *devs;        /* storage */
	int *tenants;
	char **names;        /* tenant names */
	size_t ndevs, ntenants;
};

static int device(const struct cli *c, const char *s, size_t len, size_t *out)
{
	long i = cli_find_device(c, s, len);

	if (i < 0) {
		fprintf(stderr, "acsctl plan: no device '%.*s' in %s\n", (int)len, s,
			acs_fabric_origin(c->fabric));
		return EXIT_BAD_INPUT;
	}
	*out = (size_t)i;
	return 0;
}

static const char *addr_of(const acs_fabric *f, size_t i, char *buf)
{
	return acs_func_addr(acs_fabric_func(f, i), buf, 32);
}

static const char *const kind_opt[] = { "", "--p2p", "--p2p-translated", "--isolate", "--tenant" };

static int parse(struct cli *c, struct reqs *r)
{
	size_t cap = 0;

	for (size_t i = 0; i < c->nplan_args; i++)
		cap += strlen(c->plan_args[i].value) / 2 + 2;
	r->v = calloc(c->nplan_args + 1, sizeof(*r->v));
	r->devs = malloc((cap + 1) * sizeof(*r->devs));
	r->tenants = malloc((cap + 1) * sizeof(*r->tenants));
	r->names = calloc(c->nplan_args + 1, sizeof(*r->names));
	if (!r->v || !r->devs || !r->tenants || !r->names)
		return EXIT_BAD_INPUT;
	for (size_t i = 0; i < c->nplan_args; i++) {
		int kind = c->plan_args[i].kind;
		const char *s = c->plan_args[i].value, *colon = strchr(s, ':');
		acs_requirement *q = NULL;
		int tenant = -1;

		if (kind == ACS_REQ_TENANT) {
			/* NAME:DEV,... — the name ends at the first ':' before a device */
			if (!colon || colon == s) {
				fprintf(stderr, "acsctl plan: --tenant %s: expected NAME:DEV,DEV...\n", s);
				return EXIT_BAD_INPUT;
			}
			for (size_t t = 0; t < r->ntenants; t++)
				if (strlen(r->names[t]) == (size_t)(colon - s) && !strncmp(r->names[t], s, (size_t)(colon - s)))
					tenant = (int)t;
			if (tenant < 0) {
				r->names[r->ntenants] = strndup(s, (size_t)(colon - s));
				tenant = (int)r->ntenants++;
			}
			s = colon + 1;
			for (size_t k = 0; k < r->n; k++)
				if (r->v[k].kind == ACS_REQ_TENANT)
					q = &r->v[k];
		}
		if (!q) {
			q = &r->v[r->n++];
			q->kind = kind;
			q->devices = r->devs + r->ndevs;
			q->tenant = r->tenants + r->ndevs;
		}
		while (*s) {
			const char *comma = strchr(s, ',');
			size_t len = comma ? (size_t)(comma - s) : strlen(s), idx;

			if (device(c, s, len, &idx))
				return EXIT_BAD_INPUT;
			/* tenants share one requirement: its lists grow at the end */
			if (q->devices + q->n != r->devs + r->ndevs) {
				fprintf(stderr, "acsctl plan: give --tenant options together\n");
				return EXIT_BAD_INPUT;
			}
			r->devs[r->ndevs] = idx;
			r->tenants[r->ndevs++] = tenant;
			q->n++;
			s += len + (comma ? 1 : 0);
		}
		if ((kind == ACS_REQ_P2P || kind == ACS_REQ_P2P_TRANSLATED) && q->n < 2) {
			fprintf(stderr, "acsctl plan: %s needs two devices or more\n", kind_opt[kind]);
			return EXIT_BAD_INPUT;
		}
	}
	if (!r->n) {
		fprintf(stderr, "usage: acsctl plan [--p2p A,B]... [--p2p-translated A,B]... [--isolate D]... [--tenant NAME:A,B]...\n");
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* The kernel parameter that makes the changes at boot, or NULL. */
static char *boot_cmdline(const struct cli *c, const struct acs_ctrl_change *ch, size_t n)
{
	char *s = calloc(1, 64 * n + 64), addr[32];
	bool redir_only = true;

	if (!s)
		return NULL;
	if (acs_policy_has_config_acs(c->policy)) {
		strcpy(s, "pci=config_acs=");
		for (size_t i = 0; i < n; i++) {
			char flags[8];

			sprintf(s + strlen(s), "%s%s@%s", i ? ";" : "", cli_config_acs_flags(ch[i].ctrl, flags),
				acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)));
		}
		return s;
	}
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);
		uint16_t def = f->acs_cap & (ACS_SV | ACS_RR | ACS_CR | ACS_UF);

		redir_only &= ch[i].ctrl == (def & ~(ACS_RR | ACS_CR | ACS_EC));
	}
	if (!redir_only) {
		free(s);
		return NULL;
	}
	strcpy(s, "pci=disable_acs_redir=");
	for (size_t i = 0; i < n; i++)
		sprintf(s + strlen(s), "%s%s", i ? ";" : "",
			acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)));
	return s;
}

/* Boot the fabric as loaded with the parameter: does it meet them? */
static bool boot_checks(const struct cli *c, const char *cmdline, const struct reqs *r)
{
	acs_boot_opts o = ACS_BOOT_OPTS_INIT;
	acs_boot *b = NULL;
	bool ok;

	o.cmdline = cmdline;
	if (acs_boot_simulate(&b, c->fabric, c->policy, &o))
		return false;
	ok = acs_plan_check(acs_boot_fabric(b), c->policy, r->v, r->n);
	acs_boot_free(b);
	return ok;
}

/* The requirements depend on ports not read: a plan built on them as
 * "no ACS" proves nothing, nor do its conflicts. */
static int print_unknown(const struct cli *c, const acs_plan *plan)
{
	const uint32_t *uv;
	size_t nu = acs_plan_unknown(plan, &uv);

	if (c->json) {
		json_object *root = json_object_new_object();

		json_object_object_add(root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
		json_object_object_add(root, "feasible", NULL);
		cli_json_verdict(c, root, EXIT_UNKNOWN, uv, nu);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		cli_note_header(c, stdout);
		printf("UNKNOWN plan: whether an ACS change meets these requirements, and which, depends on ports whose state was not read\n");
		cli_print_unknown(c, uv, nu);
	}
	return EXIT_UNKNOWN;
}

int cmd_plan(struct cli *c, int argc, char **argv)
{
	struct reqs r = { 0 };
	acs_plan *plan = NULL;
	acs_fabric *after = NULL;
	const struct acs_ctrl_change *ch;
	char *cmdline = NULL, addr[32], tok[160];
	size_t n = 0;
	int rc = parse(c, &r);

	(void)argv;
	if (!rc && argc) {
		fprintf(stderr, "acsctl plan: unexpected argument '%s'\n", argv[0]);
		rc = EXIT_BAD_INPUT;
	}
	if (!rc && acs_plan_compute(&plan, c->fabric, c->policy, r.v, r.n))
		rc = cli_error("plan");
	if (rc)
		goto done;
	if (acs_plan_unknown(plan, &(const uint32_t *){ NULL })) {
		rc = print_unknown(c, plan);
		goto done;
	}
	if (acs_plan_feasible(plan)) {
		n = acs_plan_changes(plan, &ch);
		if (acs_fabric_with_acs_ctrl(&after, c->fabric, ch, n)) {
			rc = cli_error("plan");
			goto done;
		}
		cmdline = n ? boot_cmdline(c, ch, n) : NULL;
	}
	if (c->json) {
		json_object *root = json_object_new_object();

		json_object_object_add(root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
		json_object_object_add(root, "feasible", json_object_new_boolean(acs_plan_feasible(plan)));
		if (acs_plan_feasible(plan)) {
			json_object *arr = json_object_new_array(), *groups = json_object_new_array();
			json_object *p2p = json_object_new_array();
			acs_groups *g = NULL;
			char hex[8];

			json_object_object_add(root, "exact", json_object_new_boolean(acs_plan_exact(plan)));
			for (size_t i = 0; i < n; i++) {
				json_object *o = json_object_new_object();
				const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);

				json_object_object_add(o, "device", json_object_new_string(acs_func_addr(f, addr, sizeof(addr))));
				snprintf(hex, sizeof(hex), "%04x", f->acs_ctrl);
				json_object_object_add(o, "acs_ctl_before", json_object_new_string(hex));
				snprintf(hex, sizeof(hex), "%04x", ch[i].ctrl);
				json_object_object_add(o, "acs_ctl_after", json_object_new_string(hex));
				json_object_array_add(arr, o);
			}
			json_object_object_add(root, "changes", arr);
			json_object_object_add(root, "cmdline", cmdline ? json_object_new_string(cmdline) : NULL);
			acs_groups_compute(&g, after, c->policy);
			for (size_t id = 0; g && id < acs_groups_count(g); id++) {
				const uint32_t *m;
				size_t k = acs_groups_members(g, id, &m);
				json_object *o = json_object_new_object(), *d = json_object_new_array();

				json_object_object_add(o, "id", json_object_new_int((int)id));
				for (size_t j = 0; j < k; j++)
					json_object_array_add(d, json_object_new_string(
						acs_func_addr(acs_fabric_func(after, m[j]), addr, sizeof(addr))));
				json_object_object_add(o, "devices", d);
				json_object_array_add(groups, o);
			}
			acs_groups_free(g);
			json_object_object_add(root, "groups", groups);
			for (size_t k = 0; k < r.n; k++) {
				if (r.v[k].kind != ACS_REQ_P2P)
					continue;
				for (size_t i = 0; i + 1 < r.v[k].n; i++) {
					struct acs_p2pdma v;
					json_object *o = json_object_new_object();

					acs_p2pdma_distance(after, c->policy, c->cpu, r.v[k].devices[i],
							    r.v[k].devices[i + 1], &v);
					json_object_object_add(o, "a", json_object_new_string(addr_of(after, r.v[k].devices[i], addr)));
					json_object_object_add(o, "b", json_object_new_string(addr_of(after, r.v[k].devices[i + 1], addr)));
					json_object_object_add(o, "map", json_object_new_string(
						v.map == ACS_P2P_BUS_ADDR ? "bus_addr" : v.map == ACS_P2P_THRU_HOST_BRIDGE ?
						"thru_host_bridge" : "not_supported"));
					json_object_object_add(o, "distance", json_object_new_int(v.distance));
					json_object_array_add(p2p, o);
				}
			}
			json_object_object_add(root, "p2p", p2p);
		} else {
			const char *const *lines;
			size_t k = acs_plan_conflicts(plan, &lines);
			json_object *arr = json_object_new_array();

			for (size_t i = 0; i < k; i++)
				json_object_array_add(arr, json_object_new_string(lines[i]));
			json_object_object_add(root, "conflicts", arr);
		}
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		cli_note_header(c, stdout);
		if (!acs_plan_feasible(plan)) {
			const char *const *lines;
			size_t k = acs_plan_conflicts(plan, &lines);

			for (size_t i = 0; i < k; i++)
				printf("FAIL infeasible: %s\n", lines[i]);
		} else {
			acs_audit *a = NULL;

			printf("plan: %zu change%s, %s\n", n, n == 1 ? "" : "s",
			       acs_plan_exact(plan) ? "minimal (fewest bits, then fewest ports; exhaustive search)" :
						      "found greedily (too many candidate ports to prove it minimal)");
			for (size_t i = 0; i < n; i++) {
				const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);

				printf("  %s: ACSCtl 0x%04x -> 0x%04x (%s)\n", acs_func_addr(f, addr, sizeof(addr)),
				       f->acs_ctrl, ch[i].ctrl, cli_acs_tokens(ch[i].ctrl, tok, sizeof(tok)));
			}
			/* where the kernel's groups will not follow the new P2P */
			if (!acs_audit_run(&a, after, c->policy, c->policy)) {
				for (size_t i = 0; i < acs_audit_count(a); i++) {
					const acs_finding *fd = acs_audit_at(a, i);
					bool dup = false;
					char b[32];

					/* each pair once, whichever way it reaches */
					for (size_t j = 0; j < i && fd->ndevices == 2; j++) {
						const acs_finding *e = acs_audit_at(a, j);

						dup |= e->kind == ACS_FINDING_UNSAFE && e->ndevices == 2 &&
						       e->devices[0] == fd->devices[1] && e->devices[1] == fd->devices[0];
					}
					if (!dup && fd->kind == ACS_FINDING_UNSAFE && fd->ndevices == 2)
						printf("assign together: %s %s (Linux %s keeps them in separate groups, but they reach each other)\n",
						       addr_of(after, fd->devices[0], addr), addr_of(after, fd->devices[1], b),
						       acs_policy_name(c->policy));
				}
				acs_audit_free(a);
			}
			if (n && cmdline) {
				bool ok = boot_checks(c, cmdline, &r);

				printf("at boot (Linux %s): %s%s\n", acs_policy_name(c->policy), cmdline,
				       ok ? "" : "   [booting from firmware defaults with it does not meet every requirement: check the other ports]");
				printf("  GRUB: /etc/default/grub.d/acsctl.cfg:\n    GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT %s\"\n", cmdline);
				printf("  kernel-install: add to /etc/kernel/cmdline: %s\n", cmdline);
			} else if (n) {
				printf("at boot: Linux %s cannot express these changes (config_acs came in 6.11; disable_acs_redir only clears redirect)\n",
				       acs_policy_name(c->policy));
			}
			for (size_t i = 0; i < n; i++)
				printf("live: setpci -s %s ECAP_ACS+0x6.w=0x%04x   (breaks the kernel's groups unless the devices below are removed and rescanned)\n",
				       acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)),
				       ch[i].ctrl);
		}
	}
	if (!acs_plan_feasible(plan))
		rc = EXIT_CHECK_FAILED;
done:
	for (size_t t = 0; t < r.ntenants; t++)
		free(r.names[t]);
	free(r.names);
	free(r.v);
	free(r.devs);
	free(r.tenants);
	free(cmdline);
	acs_fabric_free(after);
	acs_plan_free(plan);
	return rc;
}
