/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fabric as a picture (SVG) for acsctl report: one box a function, in
 * the order and nesting of acsctl show (depth across, rows down), filled
 * with its group's colour and edged by what its ACS does to isolation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define BOX_W 380       /* "0000:00:02.1  RC Integrated Endpoint  · group 1234?" at 7.2 points a character */
#define DESC_CHARS 50
#define BOX_H 38
#define COL_W 44        /* one level of the tree: rows never share a line */
#define ROW_H 46
#define MARGIN 12

/* The length of the UTF-8 sequence at s, or 0 where it is not one (XML
 * wants well-formed UTF-8: names from pci.ids are, file names may not be) */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		   (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (n == 2 && s[0] < 0xc2)
		return 0;       /* overlong */
	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

void report_text(FILE *out, const char *s)
{
	while (*s) {
		size_t n = utf8_len((const unsigned char *)s);

		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			if (!n)
				fputs("\xef\xbf\xbd", out);          /* U+FFFD for a byte that is not UTF-8 */
			else if (n > 1 || (unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fwrite(s, 1, n, out);   /* control characters are not allowed in XML */
		}
		s += n ? n : 1;
	}
}

/* s cut to at most max bytes, at a character boundary, "..." marking it */
void report_cut(char *s, size_t max)
{
	size_t k;

	if (strlen(s) <= max)
		return;
	k = max - 3;
	while (k && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	strcpy(s + k, "...");
}

/* Well-spread colours: hue steps of the golden angle, light enough for
 * black text. */
void report_group_colour(size_t gid, char *buf, size_t size)
{
	double h = (double)(gid * 137508 % 360000) / 1000.0 / 60.0, s = 0.55, l = 0.80;
	double c = (1 - (2 * l - 1 < 0 ? 1 - 2 * l : 2 * l - 1)) * s;
	double hm = h - 2 * (int)(h / 2), x = c * (1 - (hm - 1 < 0 ? 1 - hm : hm - 1)), m = l - c / 2;
	double rgb[6][3] = { { c, x, 0 }, { x, c, 0 }, { 0, c, x }, { 0, x, c }, { x, 0, c }, { c, 0, x } };
	const double *v = rgb[(int)h % 6];

	if (gid == ACS_NO_GROUP) {
		snprintf(buf, size, "#ffffff");
		return;
	}
	snprintf(buf, size, "#%02x%02x%02x", (unsigned)((v[0] + m) * 255 + 0.5), (unsigned)((v[1] + m) * 255 + 0.5),
		 (unsigned)((v[2] + m) * 255 + 0.5));
}

int report_acs_class(const struct acs_func *fn)
{
	const unsigned isolating = ACS_SV | ACS_RR | ACS_CR | ACS_UF;

	if (!acs_func_acs_known(fn))
		return REPORT_ACS_UNKNOWN;
	if (!fn->acs_pos)
		return cli_is_port(fn) ? REPORT_ACS_NONE : REPORT_ACS_NA;
	return (fn->acs_ctrl & isolating) == isolating ? REPORT_ACS_ISOLATING : REPORT_ACS_OPEN;
}

static const char *const acs_style[] = {
	[REPORT_ACS_NA] = "stroke:#888;stroke-width:1",
	[REPORT_ACS_ISOLATING] = "stroke:#1a7f37;stroke-width:3",
	[REPORT_ACS_OPEN] = "stroke:#d97706;stroke-width:3",
	[REPORT_ACS_NONE] = "stroke:#cf222e;stroke-width:3",
	[REPORT_ACS_UNKNOWN] = "stroke:#555;stroke-width:2;stroke-dasharray:5,3",
};

const char *report_acs_words(int cls)
{
	static const char *const words[] = {
		[REPORT_ACS_NA] = "no ACS (not a port)",
		[REPORT_ACS_ISOLATING] = "ACS isolates (SV RR CR UF on)",
		[REPORT_ACS_OPEN] = "ACS present, redirect or validation off: P2P below it",
		[REPORT_ACS_NONE] = "port without ACS: everything below shares a group",
		[REPORT_ACS_UNKNOWN] = "ACS unknown (extended config space not read)",
	};

	return words[cls];
}

/* The rows in the order of acsctl show: each function's row and depth. */
struct layout {
	size_t *row;     /* per function */
	size_t *depth;
	size_t *label;   /* per function: the row of its root bus's label */
	size_t rows, maxdepth, root_label;
};

static void lay_root(void *ctx, const struct acs_func *first)
{
	struct layout *l = ctx;

	(void)first;
	l->root_label = l->rows++;
}

static void lay_func(void *ctx, size_t i, size_t depth, bool last)
{
	struct layout *l = ctx;

	(void)last;
	l->row[i] = l->rows++;
	l->depth[i] = depth;
	l->label[i] = l->root_label;
	if (depth > l->maxdepth)
		l->maxdepth = depth;
}

static double box_x(size_t depth)
{
	return MARGIN + 20 + (double)depth * COL_W;
}

static double box_y(size_t row)
{
	return MARGIN + (double)row * ROW_H;
}

static void draw_root_labels(FILE *out, const acs_fabric *f, const struct layout *l)
{
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		if (!acs_fabric_parent(f, fn) && l->label[i] + 1 == l->row[i])
			fprintf(out, "<text x=\"%d\" y=\"%.0f\" class=\"bus\">[%04x:%02x]</text>\n", MARGIN,
				box_y(l->label[i]) + 24, fn->domain, fn->bus);
	}
}

static void draw_links(FILE *out, const acs_fabric *f, const struct layout *l)
{
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i), *p = acs_fabric_parent(f, fn);
		double y = box_y(l->row[i]) + BOX_H / 2.0;

		if (!p) {
			fprintf(out, "<path d=\"M%d %.0fV%.0fH%.0f\" class=\"link\"/>\n", MARGIN + 4,
				box_y(l->label[i]) + 30, y, box_x(0));
			continue;
		}
		size_t pi = acs_fabric_index(f, p);
		double px = box_x(l->depth[pi]) + 16;

		fprintf(out, "<path d=\"M%.0f %.0fV%.0fH%.0f\" class=\"link\"/>\n", px, box_y(l->row[pi]) + BOX_H, y,
			box_x(l->depth[i]));
	}
}

static void draw_box(FILE *out, const struct report *r, size_t i, const struct layout *l)
{
	const struct acs_func *fn = acs_fabric_func(r->c->fabric, i);
	size_t gid = acs_groups_of(r->groups, i);
	double x = box_x(l->depth[i]), y = box_y(l->row[i]);
	char addr[32], desc[400], fill[16], title[600];
	int cls = report_acs_class(fn);

	report_group_colour(gid, fill, sizeof(fill));
	if (fn->is_bridge)
		snprintf(fill, sizeof(fill), "#f2f2f2");
	acs_func_addr(fn, addr, sizeof(addr));
	cli_describe(r->c, fn, desc, sizeof(desc));
	fprintf(out, "<g class=\"fn\" id=\"f-%s\">\n<title>", addr);
	snprintf(title, sizeof(title), "%s %s: %s", addr, acs_pcie_type_name(fn->pcie_type), desc);
	report_text(out, title);
	fprintf(out, "</title>\n<rect x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%d\" rx=\"5\" "
		"style=\"fill:%s;%s\"/>\n", x, y, BOX_W, BOX_H, fill, acs_style[cls]);
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" class=\"addr\">%s  %s", x + 8, y + 15, addr,
		acs_pcie_type_name(fn->pcie_type));
	if (gid != ACS_NO_GROUP)
		fprintf(out, "  \xc2\xb7 group %zu%s", gid, acs_groups_uncertain(r->groups, gid) ? "?" : "");
	fprintf(out, "</text>\n<text x=\"%.0f\" y=\"%.0f\" class=\"desc\">", x + 8, y + 31);
	/* what fits in the box at 7.2 points a character (the title has it all) */
	report_cut(desc, DESC_CHARS);
	report_text(out, desc);
	fputs("</text>\n</g>\n", out);
}

int report_svg(FILE *out, const struct report *r)
{
	const acs_fabric *f = r->c->fabric;
	size_t n = acs_fabric_count(f);
	struct layout l = { calloc(n + 1, sizeof(size_t)), calloc(n + 1, sizeof(size_t)),
			    calloc(n + 1, sizeof(size_t)), 0, 0, 0 };

	if (!l.row || !l.depth || !l.label) {
		free(l.row);
		free(l.depth);
		free(l.label);
		return -1;
	}
	if (acs_fabric_tree_walk(f, &(struct acs_tree_visit){ lay_root, lay_func, &l })) {
		free(l.row);
		free(l.depth);
		free(l.label);
		return -1;
	}
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"monospace\" font-size=\"12\">\n", box_x(l.maxdepth) + BOX_W + MARGIN,
		box_y(l.rows) + MARGIN);
	fputs("<style>.link{fill:none;stroke:#999;stroke-width:1.5}.bus{font-weight:bold}"
	      ".addr{font-weight:bold}.desc{fill:#333}</style>\n", out);
	draw_links(out, f, &l);
	draw_root_labels(out, f, &l);
	for (size_t i = 0; i < n; i++)
		draw_box(out, r, i, &l);
	fputs("</svg>\n", out);
	free(l.row);
	free(l.depth);
	free(l.label);
	return 0;
}

void report_legend(FILE *out)
{
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"128\" font-family=\"sans-serif\" "
	      "font-size=\"13\">\n", out);
	for (int k = REPORT_ACS_ISOLATING; k <= REPORT_ACS_UNKNOWN; k++) {
		int y = 6 + (k - REPORT_ACS_ISOLATING) * 24;

		fprintf(out, "<rect x=\"4\" y=\"%d\" width=\"40\" height=\"16\" rx=\"3\" style=\"fill:#f2f2f2;%s\"/>"
			"<text x=\"56\" y=\"%d\">%s</text>\n", y, acs_style[k], y + 13, report_acs_words(k));
	}
	fputs("<text x=\"4\" y=\"122\">Fill: the function's IOMMU group (bridges grey); hover a box for its name.</text>\n"
	      "</svg>\n", out);
}
