/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl plan --p2p A,B[,C] --p2p-translated A,B --p2p-one-way A,B --isolate D
 *             --tenant NAME:A,B...: the smallest ACS change, its groups and
 * P2P, and how to make it so at boot (checked by simulating that boot) or
 * live. The library computes all of it (acs_plan_result_build()); this
 * file prints that one result in every format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

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

static const char *const kind_opt[] = { "", "--p2p", "--p2p-translated", "--isolate", "--tenant", "--p2p-one-way",
					 "--p2p" };

/* Drivers that do their own P2P and look only at the hardware's path:
 * GPUs and other display or 3D controllers, processing accelerators,
 * network and InfiniBand controllers (RDMA). Storage (NVMe CMB) and the
 * rest go through the kernel's P2PDMA. */
static bool own_p2p(const struct acs_func *fn)
{
	unsigned cls = fn->class_code >> 16, sub = (fn->class_code >> 8) & 0xff;

	return cls == 0x03 || cls == 0x12 || cls == 0x02 || (cls == 0x0c && sub == 0x06) ||
	       (cls == 0x0b && sub == 0x40);
}

/* --p2p's target: --target, else the hardware path where every device
 * does its own P2P. */
static int p2p_target(const struct cli *c, const acs_requirement *q)
{
	if (c->plan_target)
		return c->plan_target;
	for (size_t i = 0; i < q->n; i++)
		if (!own_p2p(acs_fabric_func(c->fabric, q->devices[i])))
			return PLAN_TARGET_P2PDMA;
	return PLAN_TARGET_HARDWARE;
}

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
			/* isolation is of IOMMU groups: a function the IOMMU
			 * leaves out is in none, and no ACS setting changes that */
			if (kind == ACS_REQ_ISOLATE || kind == ACS_REQ_TENANT) {
				const struct acs_func *fn = acs_fabric_func(c->fabric, idx);
				const char *why = NULL;
				char a[32];

				if (acs_policy_iommu_excludes(c->policy, c->fabric, fn, &why)) {
					fprintf(stderr, "acsctl plan: %s %s: in no IOMMU group: the IOMMU does not manage "
						"it (%s); nothing to isolate\n", kind_opt[kind],
						acs_func_addr(fn, a, sizeof(a)), why);
					return EXIT_BAD_INPUT;
				}
			}
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
		if (kind == ACS_REQ_P2P && p2p_target(c, q) == PLAN_TARGET_HARDWARE)
			q->kind = ACS_REQ_P2P_HARDWARE;
		if (kind == ACS_REQ_P2P_ONE_WAY && q->n != 2) {
			fprintf(stderr, "acsctl plan: --p2p-one-way takes two devices, A,B (A's requests to B)\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (!r->n) {
		fprintf(stderr, "usage: acsctl plan [--p2p A,B]... [--p2p-one-way A,B]... [--p2p-translated A,B]... [--isolate D]... [--tenant NAME:A,B]... [--allow-unsafe-groups]\n");
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static const char *map_name(int map)
{
	return map == ACS_P2P_BUS_ADDR ? "bus_addr" : map == ACS_P2P_THRU_HOST_BRIDGE ? "thru_host_bridge" :
	       "not_supported";
}

/* The ports changed so that the groups after tell the truth, or the
 * warning that they were allowed not to. */
static void print_truthful(const struct cli *c, const acs_plan *plan)
{
	const uint32_t *v;
	size_t n = acs_plan_truthful(plan, &v);
	char addr[32];

	out_bool(OUT_DATA, "allow_unsafe_groups", NULL, acs_plan_unsafe_allowed(plan));
	if (acs_plan_unsafe_allowed(plan))
		out_text("WARNING --allow-unsafe-groups: the groups after may keep apart devices that reach each "
			 "other without the IOMMU (see the audit after); VFIO may give them to two owners\n");
	if (n)
		out_text("for truthful groups (the kernel merges what is below them):");
	out_array_open(OUT_DATA, "truthful_groups");
	for (size_t i = 0; i < n; i++)
		out_str(OUT_ANY, NULL, " %s", acs_func_addr(acs_fabric_func(c->fabric, v[i]), addr, sizeof(addr)));
	out_array_close(OUT_DATA);
	if (n)
		out_text("\n");
}

static void print_changes(const struct cli *c, const acs_plan *plan)
{
	const struct acs_ctrl_change *ch;
	size_t n = acs_plan_changes(plan, &ch);
	char addr[32], tok[160];

	out_text("plan: %zu change%s, %s\n", n, n == 1 ? "" : "s",
		 acs_plan_exact(plan) ? "minimal (fewest bits, then fewest ports; exhaustive search)" :
					"found greedily (too many candidate ports to prove it minimal)");
	out_array_open(OUT_DATA, "changes");
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "device", "  %s: ", acs_func_addr(f, addr, sizeof(addr)));
		out_hex(OUT_ANY, "acs_ctl_before", "ACSCtl 0x%s -> ", f->acs_ctrl, 4);
		out_hex(OUT_ANY, "acs_ctl_after", "0x%s", ch[i].ctrl, 4);
		out_text(" (%s)\n", cli_acs_tokens(ch[i].ctrl, tok, sizeof(tok)));
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	print_truthful(c, plan);
}

/* Text lists the groups the plan makes (all with -v); the data all. */
static void print_groups(const struct cli *c, const acs_plan_result *res)
{
	const acs_fabric *after = acs_plan_result_fabric(res);
	const acs_groups *g = acs_plan_result_groups(res);
	size_t ng = acs_groups_count(g), nnew = 0;
	char addr[32];

	for (size_t id = 0; id < ng; id++)
		nnew += acs_plan_result_group_new(res, id);
	out_text("groups after: %zu (%zu new)\n", ng, nnew);
	out_array_open(OUT_DATA, "groups");
	for (size_t id = 0; id < ng; id++) {
		bool fresh = acs_plan_result_group_new(res, id), shown = fresh || c->verbose;
		int when = shown ? OUT_ANY : OUT_DATA;
		const uint32_t *m;
		size_t k = acs_groups_members(g, id, &m);

		out_object_open(OUT_DATA, NULL);
		out_uint(when, "id", "  group %s:", id);
		out_array_open(OUT_DATA, "devices");
		/* text without -v names the new groups' members alone */
		for (size_t j = 0; out_wants(when) && j < k; j++)
			out_str(when, NULL, " %s", acs_func_addr(acs_fabric_func(after, m[j]), addr, sizeof(addr)));
		out_array_close(OUT_DATA);
		out_bool(OUT_DATA, "uncertain", NULL, acs_groups_uncertain(g, id));
		out_bool(OUT_DATA, "new", NULL, fresh);
		if (shown)
			out_text("%s%s\n", acs_groups_uncertain(g, id) ? " (uncertain)" : "", fresh ? " (new)" : "");
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

static void print_p2p(const acs_plan_result *res)
{
	const acs_fabric *after = acs_plan_result_fabric(res);
	const acs_plan_pair *pairs;
	size_t n = acs_plan_result_p2p(res, &pairs);
	char addr[32];

	out_array_open(OUT_DATA, "p2p");
	for (size_t i = 0; i < n; i++) {
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "a", "p2p after: %s", addr_of(after, pairs[i].a, addr));
		out_str(OUT_ANY, "b", " %s: ", addr_of(after, pairs[i].b, addr));
		out_str(OUT_ANY, "map", "%s", map_name(pairs[i].p2pdma.map));
		out_int(OUT_ANY, "distance", " (distance %s)\n", pairs[i].p2pdma.distance);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

/* What each --p2p was planned for, and what that means. */
static void print_targets(const struct cli *c, const struct reqs *r)
{
	char addr[32];

	out_array_open(OUT_DATA, "targets");
	for (size_t k = 0; k < r->n; k++) {
		const acs_requirement *q = &r->v[k];
		bool hw = q->kind == ACS_REQ_P2P_HARDWARE;

		if (q->kind != ACS_REQ_P2P && !hw)
			continue;
		out_object_open(OUT_DATA, NULL);
		out_text("--p2p");
		out_array_open(OUT_DATA, "devices");
		for (size_t i = 0; i < q->n; i++)
			out_str(OUT_ANY, NULL, i ? ",%s" : " %s", addr_of(c->fabric, q->devices[i], addr));
		out_array_close(OUT_DATA);
		out_str(OUT_ANY, "target", ": target %s", hw ? "hardware" : "p2pdma");
		out_text(hw ? " (requests and completions, both ways, on the hardware's path; the kernel's P2PDMA "
			      "may still refuse the pair: --target p2pdma plans for it)\n" :
			      " (the kernel's pci_p2pdma_distance() verdict bus_addr; --target hardware plans the "
			      "hardware's path alone)\n");
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

static const char *const reach_name[] = { "", "a_to_b", "b_to_a", "both" };

/* The pairs the changes open beyond the request; text lists 20 without -v. */
static void print_opened(const struct cli *c, const acs_plan_result *res)
{
	const acs_fabric *after = acs_plan_result_fabric(res);
	const acs_plan_opened *o;
	uint64_t total;
	size_t n = acs_plan_result_opened(res, &o, &total);
	char a[32], b[32];

	out_object_open(OUT_DATA, "opened");
	out_uint(OUT_DATA, "total", NULL, total);
	if (total)
		out_text("opened beyond the request: %llu pair%s of peers now reach each other directly "
			 "(RR off on a port opens its devices to every peer below the switch)%s\n",
			 (unsigned long long)total, total == 1 ? "" : "s", n < total ? ", the first listed" : "");
	out_array_open(OUT_DATA, "pairs");
	for (size_t i = 0; i < n; i++) {
		int when = c->verbose || i < 20 ? OUT_ANY : OUT_DATA;

		out_object_open(OUT_DATA, NULL);
		out_str(when, "a", "  opened: %s", acs_func_addr(acs_fabric_func(after, o[i].a), a, sizeof(a)));
		out_str(when, "b", o[i].reach == 3 ? " <-> %s\n" : o[i].reach == 1 ? " -> %s\n" : " <- %s\n",
			acs_func_addr(acs_fabric_func(after, o[i].b), b, sizeof(b)));
		out_str(OUT_DATA, "directions", NULL, reach_name[o[i].reach & 3]);
		out_object_close(OUT_DATA);
	}
	if (n > 20 && !c->verbose)
		out_text("  ... %zu more (-v lists them)\n", n - 20);
	out_array_close(OUT_DATA);
	out_object_close(OUT_DATA);
}

static const char *const finding_key[] = { "", "unsafe", "conservative", "unknown" };

/* The audit after, as acsctl audit -j has it; text: the counts, and the
 * findings with -v. */
static void print_audit(const struct cli *c, const acs_plan_result *res)
{
	const acs_fabric *after = acs_plan_result_fabric(res);
	const acs_audit *a = acs_plan_result_audit(res);
	int when = c->verbose ? OUT_ANY : OUT_DATA;
	size_t count[4] = { 0 }, n = acs_audit_count(a);
	char addr[32];

	for (size_t i = 0; i < n; i++)
		count[acs_audit_at(a, i)->kind & 3]++;
	/* text without -v: the counts alone (a 64-port switch's fabric has
	 * hundreds of thousands of findings to skip) */
	if (!out_wants(when))
		n = 0;
	out_text("audit after: %zu unsafe, %zu conservative, %zu unknown\n", count[ACS_FINDING_UNSAFE],
		 count[ACS_FINDING_CONSERVATIVE], count[ACS_FINDING_UNKNOWN]);
	out_object_open(OUT_DATA, "audit");
	for (int kind = ACS_FINDING_UNSAFE; kind <= ACS_FINDING_UNKNOWN; kind++) {
		out_array_open(OUT_DATA, finding_key[kind]);
		for (size_t i = 0; i < n; i++) {
			const acs_finding *fd = acs_audit_at(a, i);

			if (fd->kind != kind)
				continue;
			out_object_open(OUT_DATA, NULL);
			out_str(when & OUT_TEXT, NULL, "  %s:", finding_key[kind]);
			out_array_open(OUT_DATA, "devices");
			for (size_t j = 0; j < fd->ndevices; j++)
				out_str(when, NULL, " %s", addr_of(after, fd->devices[j], addr));
			out_array_close(OUT_DATA);
			if (fd->nvia)
				out_str(when & OUT_TEXT, NULL, " %s", kind == ACS_FINDING_UNKNOWN ? "depends on" : "via");
			out_array_open(OUT_DATA, kind == ACS_FINDING_UNKNOWN ? "depends_on" : "via");
			for (size_t j = 0; j < fd->nvia; j++)
				out_str(when, NULL, " %s", addr_of(after, fd->via[j], addr));
			out_array_close(OUT_DATA);
			out_str(when, "reason", ": %s\n", fd->reason);
			out_object_close(OUT_DATA);
		}
		out_array_close(OUT_DATA);
	}
	out_object_close(OUT_DATA);
}

/* Where the groups after will not follow the P2P: assign them together. */
static void print_warnings(const acs_plan_result *res)
{
	const acs_fabric *after = acs_plan_result_fabric(res);
	const acs_plan_warning *w;
	size_t n = acs_plan_result_warnings(res, &w);
	char addr[32];

	out_array_open(OUT_DATA, "assign_together");
	for (size_t i = 0; i < n; i++) {
		if (w[i].kind != ACS_PLAN_ASSIGN_TOGETHER)
			continue;
		out_object_open(OUT_DATA, NULL);
		out_text("assign together:");
		out_array_open(OUT_DATA, "devices");
		for (size_t j = 0; j < w[i].ndevices; j++)
			out_str(OUT_ANY, NULL, " %s", addr_of(after, w[i].devices[j], addr));
		out_array_close(OUT_DATA);
		out_str(OUT_ANY, "reason", " (%s)\n", w[i].message);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

static const char *const way_name[] = { "", "config_acs", "disable_acs_redir", "acs.conf", "live" };

static void print_param_way(const struct cli *c, const acs_plan_boot *w)
{
	out_text("at boot (Linux %s): ", acs_policy_name(c->policy));
	out_str(OUT_ANY, "param", "%s", w->param);
	out_bool(OUT_DATA, "meets", NULL, w->meets == ACS_YES);
	if (w->meets != ACS_YES)
		out_text("   [booting from firmware defaults with it does not meet every requirement: check the other ports]");
	if (c->boot_loader) {   /* --boot: that loader's form alone (plan-boot.c) */
		plan_boot_print(c, w);
		return;
	}
	out_text("\n  GRUB: %s:\n", acs_boot_loader_file(ACS_BOOT_LOADER_GRUB));
	out_str(OUT_ANY, "grub", "    %s\n", w->grub);
	out_text("    (the quotes keep GRUB from ending its linux line at ';'; GRUB_CMDLINE_LINUX reaches every "
		 "entry, recovery ones too, where GRUB_CMDLINE_LINUX_DEFAULT= reaches the default ones only)\n");
	out_str(OUT_ANY, "kernel_install", "  kernel-install: add to /etc/kernel/cmdline: %s\n", w->kernel_install);
}

/* How to make the changes stick: the kernel parameter with its loader
 * lines, the boot unit's acs.conf, or now with setpci. */
static void print_ways(const struct cli *c, const acs_plan_result *res)
{
	const acs_plan_boot *w;
	size_t n = acs_plan_result_ways(res, &w);
	bool param = false;

	out_array_open(OUT_DATA, "boot");
	for (size_t i = 0; i < n; i++) {
		if (w[i].way == ACS_PLAN_WAY_LIVE)
			continue;
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "way", NULL, way_name[w[i].way]);
		if (w[i].param) {
			print_param_way(c, &w[i]);
			param = true;
		} else {
			if (!param)
				out_text("at boot: Linux %s cannot express these changes (config_acs came in 6.11; "
					 "disable_acs_redir only clears redirect)\n", acs_policy_name(c->policy));
			out_str(OUT_DATA, "unit", NULL, "acsctl-apply.service");
			out_str(OUT_ANY, "file", "at every boot: add to %s (acsctl-apply.service applies it where the kernel cannot):\n",
				w[i].file);
			out_array_open(OUT_DATA, "lines");
			for (size_t j = 0; j < w[i].nlines; j++)
				out_str(OUT_ANY, NULL, "    %s\n", w[i].lines[j]);
			out_array_close(OUT_DATA);
		}
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	out_array_open(OUT_DATA, "live");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; w[i].way == ACS_PLAN_WAY_LIVE && j < w[i].nlines; j++)
			out_str(OUT_ANY, NULL, "live: %s   (breaks the kernel's groups unless the devices below are "
				"removed and rescanned)\n", w[i].lines[j]);
	out_array_close(OUT_DATA);
}

/* One result, every format. */
static int print_plan(const struct cli *c, const struct reqs *r, const acs_plan_result *res)
{
	const acs_plan *plan = acs_plan_result_plan(res);
	const uint32_t *uv;
	size_t nu = acs_plan_unknown(plan, &uv);
	int status = nu ? EXIT_UNKNOWN : acs_plan_feasible(plan) ? EXIT_OK : EXIT_CHECK_FAILED;

	/* "cmdline" is the plan's parameter; the header's own (--cmdline)
	 * is in the notes ("booted with") */
	cli_out_header_cmdline(c, acs_plan_result_cmdline(res));
	print_targets(c, r);
	if (nu) {
		/* the requirements depend on ports not read: a plan built on
		 * them as "no ACS" proves nothing, nor do its conflicts */
		out_null(OUT_DATA, "feasible", NULL);
		out_text("UNKNOWN plan: whether an ACS change meets these requirements, and which, depends on ports "
			 "whose state was not read\n");
	} else if (!acs_plan_feasible(plan)) {
		const char *const *lines;
		size_t k = acs_plan_conflicts(plan, &lines);

		out_bool(OUT_DATA, "feasible", NULL, false);
		out_array_open(OUT_DATA, "conflicts");
		for (size_t i = 0; i < k; i++)
			out_str(OUT_ANY, NULL, "FAIL infeasible: %s\n", lines[i]);
		out_array_close(OUT_DATA);
	} else {
		out_bool(OUT_DATA, "feasible", NULL, true);
		out_bool(OUT_DATA, "exact", NULL, acs_plan_exact(plan));
		print_changes(c, plan);
		print_groups(c, res);
		print_p2p(res);
		print_opened(c, res);
		print_audit(c, res);
		print_warnings(res);
		print_ways(c, res);
		if (c->boot_loader || c->boot_write)   /* plan-boot.c */
			status = plan_boot_after(c, res, status);
	}
	cli_out_verdict(c, status, uv, nu);
	return status;
}

int cmd_plan(struct cli *c, int argc, char **argv)
{
	acs_plan_opts o = ACS_PLAN_OPTS_INIT;
	acs_plan_result *res = NULL;
	struct reqs r = { 0 };
	int rc = parse(c, &r);

	if (!rc && argc) {
		fprintf(stderr, "acsctl plan: unexpected argument '%s'\n", argv[0]);
		rc = EXIT_BAD_INPUT;
	}
	if (!rc && c->boot_write && !c->boot_loader) {
		fprintf(stderr, "acsctl plan: --write needs --boot grub|bls|systemd-boot|cmdline\n");
		rc = EXIT_BAD_INPUT;
	}
	o.cpu = c->cpu;
	/* the audit after is printed as its findings (print_audit()) */
	o.flags = ACS_PLAN_FINDINGS_ONLY | (c->allow_unsafe_groups ? ACS_PLAN_ALLOW_UNSAFE_GROUPS : 0);
	if (!rc && acs_plan_result_build(&res, c->fabric, c->policy, r.v, r.n, &o))
		rc = cli_error("plan");
	if (!rc) {
		cli_out_begin(c, "plan");
		rc = out_end(print_plan(c, &r, res));
	}
	for (size_t t = 0; t < r.ntenants; t++)
		free(r.names[t]);
	free(r.names);
	free(r.v);
	free(r.devs);
	free(r.tenants);
	acs_plan_result_free(res);
	return rc;
}
