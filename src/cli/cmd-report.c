/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl report [FILE]: one self-contained HTML page (no scripts, no
 * outside files) for people who do not run acsctl: what was read, the
 * fabric as a picture (report-svg.c), the groups, the audit and the
 * endpoint pairs that reach each other past the IOMMU. The markup is
 * well-formed XML too, so that tests can check it with xmllint.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* the most endpoints whose pairs are listed (pairs grow as the square) */
#define MAX_PEERS 256

static const char style[] =
	"body{font-family:sans-serif;margin:24px;color:#1f2328}p,ul,table{max-width:1400px}"
	"h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
	"vertical-align:top;font-size:13px}th{background:#f6f8fa}"
	".swatch{display:inline-block;width:12px;height:12px;border:1px solid #888;margin-right:6px}"
	".fail{color:#cf222e;font-weight:bold}.info{color:#555}.pic{overflow:auto;border:1px solid #ddd}"
	"code{font-size:13px}";

static void addr_of(FILE *out, const struct cli *c, size_t i)
{
	char addr[32];

	fprintf(out, "<code>%s</code>", acs_func_addr(acs_fabric_func(c->fabric, i), addr, sizeof(addr)));
}

/* the notes every command prints first ("# source ...") as a list */
static void meta(FILE *out, const struct cli *c)
{
	char *text = NULL, *save = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return;
	cli_note_header(c, mem);
	fclose(mem);
	fputs("<ul>\n", out);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		fputs("<li>", out);
		report_text(out, line[0] == '#' ? line + 1 + (line[1] == ' ') : line);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
	free(text);
}

/* The unsafe routes summed up as the picture draws them (arcs: pairs of
 * functions) and as audit says them (pairs of groups, and where they meet). */
static void unsafe_places(FILE *out, const struct cli *c, const acs_audit *a)
{
	static const char *const kind[] = { [0] = "place", [ACS_MEET_SWITCH] = "switch", [ACS_MEET_DEVICE] = "device",
					    [ACS_MEET_STALE] = "stale groups (ACS changed after boot)" };
	size_t pairs = report_unsafe_pairs(a);

	fprintf(out, "<li class=\"fail\">unsafe: %zu pairs of functions (the red arcs) in %zu pairs of groups, at",
		pairs == SIZE_MAX ? 0 : pairs, acs_audit_issue_count(a));
	for (size_t i = 0; i < acs_audit_site_count(a); i++) {
		const acs_audit_site *s = acs_audit_site_at(a, i);

		int k = s->meets_kind > 0 && s->meets_kind <= ACS_MEET_STALE ? s->meets_kind : 0;

		fprintf(out, "%s %s", i ? "," : "", kind[k]);
		if (s->meets_at >= 0) {
			fputc(' ', out);
			addr_of(out, c, (size_t)s->meets_at);
		}
	}
	fputs("</li>\n", out);
}

static void summary(FILE *out, const struct report *r, const acs_audit *a)
{
	const acs_fabric *f = r->c->fabric;
	size_t ports[REPORT_ACS_UNKNOWN + 1] = { 0 }, unsafe = 0, unknown = 0, largest = 0;

	for (size_t i = 0; i < acs_fabric_count(f); i++)
		ports[report_acs_class(acs_fabric_func(f, i))]++;
	for (size_t g = 0; g < acs_groups_count(r->groups); g++) {
		const uint32_t *m;
		size_t n = acs_groups_members(r->groups, g, &m);

		largest = n > largest ? n : largest;
	}
	for (size_t i = 0; i < acs_audit_count(a); i++)
		unsafe += acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE;
	for (size_t i = 0; i < acs_audit_count(a); i++)
		unknown += acs_audit_at(a, i)->kind == ACS_FINDING_UNKNOWN;
	fprintf(out, "<ul>\n<li>%zu functions in %zu IOMMU groups; the largest holds %zu</li>\n",
		acs_fabric_count(f), acs_groups_count(r->groups), largest);
	fprintf(out, "<li>ACS: %zu functions isolate, %zu have it with redirect or validation off, "
		"%zu ports have none, %zu unknown</li>\n", ports[REPORT_ACS_ISOLATING], ports[REPORT_ACS_OPEN],
		ports[REPORT_ACS_NONE], ports[REPORT_ACS_UNKNOWN]);
	fprintf(out, "<li class=\"%s\">audit: %zu unsafe, %zu conservative, %zu unknown (ACS not read)</li>\n",
		unsafe ? "fail" : "info", unsafe, acs_audit_count(a) - unsafe - unknown, unknown);
	if (unsafe)
		unsafe_places(out, r->c, a);
	fputs("</ul>\n", out);
}

static int picture(FILE *out, const struct report *r)
{
	size_t n = acs_fabric_count(r->c->fabric);

	fputs("<h2>Fabric</h2>\n", out);
	if (n > REPORT_MAX_DRAWN) {
		fprintf(out, "<p>%zu functions: more than the %d drawn. The tables below hold them all.</p>\n", n,
			REPORT_MAX_DRAWN);
		return 0;
	}
	report_legend(out);
	fputs("<div class=\"pic\">\n", out);
	if (report_svg(out, r))
		return -1;
	fputs("</div>\n", out);
	return 0;
}

static void groups_table(FILE *out, const struct report *r)
{
	const acs_fabric *f = r->c->fabric;

	fputs("<h2>IOMMU groups</h2>\n<table>\n<tr><th>group</th><th>members</th></tr>\n", out);
	for (size_t g = 0; g < acs_groups_count(r->groups); g++) {
		const uint32_t *m;
		size_t k = acs_groups_members(r->groups, g, &m);
		char colour[400], desc[400];

		report_group_swatch(g, colour, sizeof(colour));
		fprintf(out, "<tr id=\"g-%zu\"><td><span class=\"swatch\" style=\"%s\"></span>%zu%s</td><td>",
			g, colour, g, acs_groups_uncertain(r->groups, g) ? " (uncertain)" : "");
		for (size_t j = 0; j < k; j++) {
			const struct acs_func *fn = acs_fabric_func(f, m[j]);

			fputs(j ? "<br/>" : "", out);
			addr_of(out, r->c, m[j]);
			fprintf(out, " %s ", acs_pcie_type_name(fn->pcie_type));
			report_text(out, cli_describe(r->c, fn, desc, sizeof(desc)));
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void audit_list(FILE *out, const struct cli *c, const acs_audit *a)
{
	fputs("<h2>Audit</h2>\n", out);
	if (!acs_audit_count(a)) {
		fputs("<p>No findings: every pair of devices in different groups is kept apart by the fabric.</p>\n", out);
		return;
	}
	fputs("<ul>\n", out);
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		const acs_finding *fd = acs_audit_at(a, i);

		fprintf(out, "<li><span class=\"%s\">%s</span>", fd->kind == ACS_FINDING_UNSAFE ? "fail" : "info",
			fd->kind == ACS_FINDING_UNSAFE ? "unsafe" :
			fd->kind == ACS_FINDING_UNKNOWN ? "unknown" : "conservative");
		for (size_t j = 0; j < fd->ndevices; j++) {
			fputc(' ', out);
			addr_of(out, c, fd->devices[j]);
		}
		if (fd->nvia)
			fputs(" via", out);
		for (size_t j = 0; j < fd->nvia; j++) {
			fputc(' ', out);
			addr_of(out, c, fd->via[j]);
		}
		fputs(": ", out);
		report_text(out, fd->reason);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

/* Endpoint pairs whose requests turn around below the root complex. */
static int peers(FILE *out, const struct cli *c, const acs_policy *hw)
{
	const acs_fabric *f = c->fabric;
	size_t *e = malloc((acs_fabric_count(f) + 1) * sizeof(*e)), ne = 0, shown = 0;

	if (!e)
		return -1;
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		if (cli_is_peer(acs_fabric_func(f, i)))
			e[ne++] = i;
	fputs("<h2>Peer-to-peer</h2>\n", out);
	if (ne > MAX_PEERS) {
		fprintf(out, "<p>%zu endpoints: more than the %d whose pairs are listed (acsctl p2p lists them).</p>\n",
			ne, MAX_PEERS);
		free(e);
		return 0;
	}
	fputs("<p>Pairs of endpoints whose requests to each other turn around in the fabric, below the IOMMU "
	      "(by the hardware's ACS; acsctl p2p gives the kernel's P2PDMA verdict).</p>\n<ul>\n", out);
	for (size_t i = 0; i < ne; i++)
		for (size_t j = i + 1; j < ne; j++) {
			struct acs_reach r;

			acs_route_reach(f, hw, e[i], e[j], &r);
			if (!r.direct && !r.translated)
				continue;
			fputs("<li>", out);
			addr_of(out, c, e[i]);
			fputs(" \xe2\x86\x94 ", out);
			addr_of(out, c, e[j]);
			fputs(r.direct ? ": " : ": translated (ATS) requests only: ", out);
			report_text(out, r.why);
			fputs("</li>\n", out);
			shown++;
		}
	fputs("</ul>\n", out);
	if (!shown)
		fputs("<p>None: every request between endpoints goes up through the root complex.</p>\n", out);
	free(e);
	return 0;
}

static int write_page(FILE *out, const struct cli *c, const acs_groups *g)
{
	const acs_policy *hw = acs_policy_hardware(c->policy);
	struct report r = { c, g, NULL };
	acs_audit *a = NULL;
	int rc = 0;

	if (cli_audit(c, hw, &a))
		return -1;
	r.audit = a;
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>acsctl report: ", out);
	report_text(out, acs_fabric_origin(c->fabric));
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>PCIe isolation report</h1>\n", style);
	meta(out, c);
	summary(out, &r, a);
	if (picture(out, &r))
		rc = -1;
	groups_table(out, &r);
	audit_list(out, c, a);
	if (peers(out, c, hw))
		rc = -1;
	fputs("<p class=\"info\">Written by acsctl report.</p>\n</body>\n</html>\n", out);
	acs_audit_free(a);
	return rc;
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : "-";
	acs_groups *g;
	struct cli_output out;
	int rc;

	if (argc > 1) {
		fprintf(stderr, "usage: acsctl report [FILE]\n");
		return EXIT_BAD_INPUT;
	}
	if ((rc = cli_out_file_check(c, "report", name)))
		return rc;
	if (cli_groups(c, &g))
		return cli_error("report");
	if ((rc = cli_output_open(&out, name))) {
		acs_groups_free(g);
		return rc;
	}
	rc = write_page(out.f, c, g);
	acs_groups_free(g);
	if (rc && acs_error_last()->code)
		cli_error("report");
	/* a full disk, a closed pipe: the page is not all there, and not put */
	return cli_out_written(c, "report", "HTML", name, cli_output_close(&out, rc == 0));
}
