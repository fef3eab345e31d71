/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl audit: groups against the routes the hardware allows.
 *
 * Text opens with one FAIL line per place where groups reach each other
 * (a switch, a device): which groups, which ports lack which ACS bits, and
 * the fix. -v adds each pair of groups with its members and the routes it
 * was found on (the "FAIL unsafe:" lines, one per route, as before). JSON
 * and -m hold the same: "sites" (the places), "unsafe" (the pairs, each
 * with its "routes"), "conservative", "unknown".
 */
#include <stdio.h>

#include "cli.h"
#include "emit.h"

static const char *kind_text(int kind)
{
	return kind == ACS_FINDING_UNSAFE ? "FAIL unsafe:" : kind == ACS_FINDING_UNKNOWN ? "UNKNOWN pair:" :
	       "INFO conservative:";
}

static const char *kind_key(int kind)
{
	return kind == ACS_FINDING_UNSAFE ? "unsafe" : kind == ACS_FINDING_UNKNOWN ? "unknown" : "conservative";
}

static const char *meet_word(int kind)
{
	return kind == ACS_MEET_SWITCH ? "switch" : kind == ACS_MEET_DEVICE ? "device" : "stale";
}

static const char *addr_of(const struct cli *c, size_t i, char *buf)
{
	return acs_func_addr(acs_fabric_func(c->fabric, i), buf, 32);
}

static const struct {
	uint16_t bit;
	const char *name, *brief;
} bits[] = {
	{ ACS_SV, "SrcValid", "SV" }, { ACS_TB, "TransBlk", "TB" }, { ACS_RR, "ReqRedir", "RR" },
	{ ACS_CR, "CmpltRedir", "CR" }, { ACS_UF, "UpstreamFwd", "UF" }, { ACS_EC, "EgressCtrl", "EC" },
	{ ACS_DT, "DirectTrans", "DT" },
};
#define NBITS (sizeof(bits) / sizeof(bits[0]))

/* One route, as the audit always printed it: "FAIL unsafe: A B via ...: why". */
static void print_finding(const struct cli *c, const acs_finding *fd, int when)
{
	char addr[32];

	out_object_open(when, NULL);
	out_str(when & OUT_TEXT, NULL, "%s", kind_text(fd->kind));
	out_array_open(when, "devices");
	for (size_t i = 0; i < fd->ndevices; i++)
		out_str(when, NULL, " %s", addr_of(c, fd->devices[i], addr));
	out_array_close(when);
	if (fd->nvia)
		out_str(when & OUT_TEXT, NULL, " %s", fd->kind == ACS_FINDING_UNKNOWN ? "depends on" : "via");
	out_array_open(when, fd->kind == ACS_FINDING_UNKNOWN ? "depends_on" : "via");
	for (size_t i = 0; i < fd->nvia; i++)
		out_str(when, NULL, " %s", addr_of(c, fd->via[i], addr));
	out_array_close(when);
	out_str(when, "reason", ": %s\n", fd->reason);
	out_object_close(when);
}

/* Text: the ports by what they lack, "(A B have no ACS; C lacks ReqRedir)";
 * the data: one record per port. */
static void print_missing(const struct cli *c, const acs_audit_missing *m, size_t n)
{
	char addr[32];
	bool any = false;

	out_array_open(OUT_DATA, "missing");
	for (size_t i = 0; i < n; i++) {
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "port", NULL, addr_of(c, m[i].port, addr));
		out_array_open(OUT_DATA, "bits");
		for (size_t b = 0; b < NBITS; b++)
			if (m[i].bits & bits[b].bit)
				out_str(OUT_DATA, NULL, NULL, bits[b].name);
		out_array_close(OUT_DATA);
		out_bool(OUT_DATA, "acs", NULL, m[i].capability);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	for (size_t i = 0; i < n; i++) {
		size_t same = 0;
		bool first = true;

		for (size_t j = 0; j < i; j++)
			first &= m[j].capability != m[i].capability || m[j].bits != m[i].bits;
		if (!first)
			continue;
		out_text("%s", any ? "; " : " (");
		any = true;
		for (size_t j = i; j < n; j++)
			if (m[j].capability == m[i].capability && m[j].bits == m[i].bits)
				out_text("%s%s", same++ ? " " : "", addr_of(c, m[j].port, addr));
		if (!m[i].capability) {
			out_text(" %s no ACS", same == 1 ? "has" : "have");
			continue;
		}
		out_text(" %s", same == 1 ? "lacks" : "lack");
		for (size_t b = 0; b < NBITS; b++)
			if (m[i].bits & bits[b].bit)
				out_text(" %s", bits[b].name);
	}
	if (any)
		out_text(")");
}

/* Text: "; fix: pci=config_acs=..." (or the acsctl apply line where the
 * kernel takes no config_acs), "; no ACS setting separates ...". */
static void print_fix(const struct cli *c, const acs_audit_fix *fix, const acs_audit_site *site)
{
	char addr[32];
	size_t k = 0;

	out_object_open(OUT_DATA, "fix");
	out_str(OUT_DATA, "config_acs", NULL, fix->config_acs);
	out_array_open(OUT_DATA, "changes");
	for (size_t i = 0; i < fix->nchanges; i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, fix->changes[i].index);

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "device", NULL, addr_of(c, fix->changes[i].index, addr));
		out_hex(OUT_DATA, "acs_ctl_before", NULL, fn->acs_ctrl, 4);
		out_hex(OUT_DATA, "acs_ctl_after", NULL, fix->changes[i].ctrl, 4);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	out_bool(OUT_DATA, "assign_together", NULL, fix->assign_together);
	out_bool(OUT_DATA, "rescan", NULL, fix->rescan);
	if (site) {
		out_array_open(OUT_DATA, "together");
		for (size_t t = 0; t < site->ntogether; t++) {
			out_object_open(OUT_DATA, NULL);
			out_array_open(OUT_DATA, "groups");
			for (size_t i = 0; i < site->together_sizes[t]; i++)
				out_uint(OUT_DATA, NULL, NULL, site->together[k + i]);
			out_array_close(OUT_DATA);
			out_object_close(OUT_DATA);
			k += site->together_sizes[t];
		}
		out_array_close(OUT_DATA);
	}
	out_object_close(OUT_DATA);

	if (fix->config_acs) {
		out_text("; fix: %s", fix->config_acs);
	} else if (fix->nchanges) {
		out_text("; fix: acsctl apply");
		for (size_t i = 0; i < fix->nchanges; i++) {
			unsigned before = acs_fabric_func(c->fabric, fix->changes[i].index)->acs_ctrl;
			unsigned after = fix->changes[i].ctrl;
			const char *sep = ":";

			out_text(" %s", addr_of(c, fix->changes[i].index, addr));
			for (size_t b = 0; b < NBITS; b++)
				if ((before ^ after) & bits[b].bit) {
					out_text("%s%s%c", sep, bits[b].brief, after & bits[b].bit ? '+' : '-');
					sep = ",";
				}
		}
		out_text(" (Linux %s takes no pci=config_acs)", acs_policy_name(c->policy));
	}
	if (!site) {
		if (fix->assign_together)
			out_text("; no ACS setting separates them: assign them together");
		return;
	}
	k = 0;
	for (size_t t = 0; t < site->ntogether; t++) {
		out_text("; no ACS setting separates groups");
		for (size_t i = 0; i < site->together_sizes[t]; i++)
			out_text(" %u", site->together[k + i]);
		out_text(": assign them together");
		k += site->together_sizes[t];
	}
}

/* -v, text: one pair of groups, its members and its routes. */
static void print_issue_text(const struct cli *c, const acs_audit *a, const acs_audit_issue *is)
{
	char addr[32];
	size_t k = 0;

	out_text("  %s", is->reason);
	print_fix(c, &is->fix, NULL);
	out_text("\n");
	for (size_t g = 0; g < is->ngroups; g++) {
		out_text("    group %u:", is->groups[g]);
		for (size_t i = 0; i < is->group_sizes[g]; i++)
			out_text(" %s", addr_of(c, is->devices[k + i], addr));
		out_text("\n");
		k += is->group_sizes[g];
	}
	if (is->nvia) {
		out_text("    via");
		for (size_t i = 0; i < is->nvia; i++)
			out_text(" %s", addr_of(c, is->via[i], addr));
		out_text("\n");
	}
	for (size_t r = 0; r < is->nroutes; r++)
		print_finding(c, acs_audit_at(a, is->routes[r]), OUT_TEXT);
}

/* One place: its FAIL line; with -v, its pairs. */
static void print_site(const struct cli *c, const acs_audit *a, const acs_audit_site *s)
{
	char addr[32];

	out_object_open(OUT_DATA, NULL);
	out_str(OUT_ANY, "meets_kind", "FAIL %s", meet_word(s->meets_kind));
	if (s->meets_at >= 0)
		out_str(OUT_ANY, "meets_at", " %s", addr_of(c, (size_t)s->meets_at, addr));
	else
		out_null(OUT_DATA, "meets_at", NULL);
	out_text(": groups");
	out_array_open(OUT_DATA, "groups");
	for (size_t i = 0; i < s->ngroups; i++)
		out_uint(OUT_ANY, NULL, " %s", s->groups[i]);
	out_array_close(OUT_DATA);
	if (s->meets_kind == ACS_MEET_SWITCH)
		out_text(" below it reach each other without the IOMMU");
	else if (s->meets_kind == ACS_MEET_DEVICE)
		out_text(" of its functions reach each other inside it without the IOMMU");
	else
		out_text(": %s", acs_audit_issue_at(a, s->issues[0])->reason);
	/* not every pair of them: say how many */
	if (s->meets_kind != ACS_MEET_STALE && s->nissues != s->ngroups * (s->ngroups - 1) / 2)
		out_text(", %zu of their pairs", s->nissues);
	print_missing(c, s->missing, s->nmissing);
	out_array_open(OUT_DATA, "issues");
	for (size_t i = 0; i < s->nissues; i++)
		out_uint(OUT_DATA, NULL, NULL, s->issues[i]);
	out_array_close(OUT_DATA);
	print_fix(c, &s->fix, s);
	out_text("\n");
	out_object_close(OUT_DATA);
	if (c->verbose && out_wants(OUT_TEXT))
		for (size_t i = 0; i < s->nissues; i++)
			print_issue_text(c, a, acs_audit_issue_at(a, s->issues[i]));
}

/* The data of one pair of groups (text: print_issue_text). */
static void print_issue(const struct cli *c, const acs_audit *a, const acs_audit_issue *is)
{
	char addr[32];
	size_t k = 0;

	out_object_open(OUT_DATA, NULL);
	cli_out_addrs(OUT_DATA, c, "devices", is->devices, is->ndevices);
	cli_out_addrs(OUT_DATA, c, "via", is->via, is->nvia);
	out_str(OUT_DATA, "reason", NULL, is->reason);
	out_array_open(OUT_DATA, "groups");
	for (size_t g = 0; g < is->ngroups; g++)
		out_uint(OUT_DATA, NULL, NULL, is->groups[g]);
	out_array_close(OUT_DATA);
	out_array_open(OUT_DATA, "members");
	for (size_t g = 0; g < is->ngroups; g++) {
		out_object_open(OUT_DATA, NULL);
		out_uint(OUT_DATA, "group", NULL, is->groups[g]);
		cli_out_addrs(OUT_DATA, c, "devices", is->devices + k, is->group_sizes[g]);
		out_object_close(OUT_DATA);
		k += is->group_sizes[g];
	}
	out_array_close(OUT_DATA);
	out_str(OUT_DATA, "meets_kind", NULL, meet_word(is->meets_kind));
	out_str(OUT_DATA, "meets_at", NULL, is->meets_at >= 0 ? addr_of(c, (size_t)is->meets_at, addr) : NULL);
	print_missing(c, is->missing, is->nmissing);
	print_fix(c, &is->fix, NULL);
	out_array_open(OUT_DATA, "routes");
	for (size_t r = 0; r < is->nroutes; r++)
		print_finding(c, acs_audit_at(a, is->routes[r]), OUT_DATA);
	out_array_close(OUT_DATA);
	out_object_close(OUT_DATA);
}

/* Which groups the audit held against the routes: the kernel's own where
 * the source records them (acs_audit_run()), else the prediction. */
static void print_judged(const struct cli *c)
{
	bool kernel = acs_fabric_kernel_groups(c->fabric) == ACS_KGROUPS_PRESENT;
	size_t missing = 0;

	out_str(OUT_DATA, "groups_judged", NULL, kernel ? "kernel" : "predicted");
	if (!kernel)
		return;
	for (size_t i = 0; i < acs_fabric_count(c->fabric); i++)
		missing += acs_fabric_kernel_group(c->fabric, i) < 0 &&
			   (c->platform || !acs_policy_iommu_excludes(c->policy, c->fabric, acs_fabric_func(c->fabric, i), NULL));
	out_text("# groups judged: the kernel's own, as the source records them (not the prediction)\n");
	if (missing)
		out_text("# partial: %zu function%s the IOMMU manages %s no kernel group in this source: in no group here\n",
			 missing, missing == 1 ? "" : "s", missing == 1 ? "has" : "have");
}

static void print_audit(const struct cli *c, const acs_audit *a, int status)
{
	static const int kinds[] = { ACS_FINDING_CONSERVATIVE, ACS_FINDING_UNKNOWN };
	const uint32_t *unk;
	size_t nunk = acs_audit_unknown(a, &unk);
	bool text = out_wants(OUT_TEXT);

	cli_out_header(c);
	print_judged(c);
	if (c->boot && acs_boot_overridden(c->boot))
		out_text("# groups as pcie_acs_override makes the kernel form them; routes as the hardware has them\n");
	/* the places (text: with -v each pair of groups below its place) */
	out_array_open(OUT_DATA, "sites");
	for (size_t i = 0; i < acs_audit_site_count(a); i++)
		print_site(c, a, acs_audit_site_at(a, i));
	out_array_close(OUT_DATA);
	if (!text) {
		out_array_open(OUT_DATA, "unsafe");
		for (size_t i = 0; i < acs_audit_issue_count(a); i++)
			print_issue(c, a, acs_audit_issue_at(a, i));
		out_array_close(OUT_DATA);
	}
	/* text shows UNKNOWN pairs with -v only: the UNKNOWN lines per port say it */
	for (size_t k = 0; k < 2; k++) {
		out_array_open(OUT_DATA, kind_key(kinds[k]));
		for (size_t i = 0; i < acs_audit_count(a); i++) {
			const acs_finding *fd = acs_audit_at(a, i);

			if (fd->kind == kinds[k])
				print_finding(c, fd, fd->kind != ACS_FINDING_UNKNOWN || c->verbose ? OUT_ANY : OUT_DATA);
		}
		out_array_close(OUT_DATA);
	}
	cli_out_verdict(c, status, unk, nunk);
	if (status == EXIT_OK)
		out_text("OK: no device can reach a device of another group without the IOMMU\n");
}

/* On a PE platform the groups to hold against the routes are the PEs':
 * two PEs below a switch without ACS reach each other past the PHB. */
int cli_audit(const struct cli *c, const acs_policy *hw, acs_audit **out)
{
	acs_groups *g = NULL;
	int rc;

	if (!c->platform)
		return acs_audit_run(out, c->fabric, c->policy, hw);
	rc = cli_groups(c, &g);
	if (!rc)
		rc = acs_audit_run_groups(out, c->fabric, g, hw);
	acs_groups_free(g);
	return rc;
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
	const acs_policy *hw = acs_policy_hardware(c->policy);
	acs_audit *a;
	const uint32_t *unk;
	size_t unsafe = 0, nunk;
	int status;

	(void)argv;
	if (argc) {
		fprintf(stderr, "usage: acsctl audit [-v]\n");
		return EXIT_BAD_INPUT;
	}
	if (cli_audit(c, hw, &a))
		return cli_error("audit");
	for (size_t i = 0; i < acs_audit_count(a); i++)
		unsafe += acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE;
	nunk = acs_audit_unknown(a, &unk);
	status = cli_verdict(unsafe > 0, nunk);
	cli_out_begin(c, "audit");
	print_audit(c, a, status);
	acs_audit_free(a);
	return out_end(status);
}
