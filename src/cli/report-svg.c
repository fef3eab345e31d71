/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fabric as a picture (SVG) for acsctl report: one box a function, in
 * the order and nesting of acsctl show (depth across, rows down, flowed
 * into as many columns as fit the page), filled with its group's look
 * (no two groups alike) and edged by what its ACS does to isolation; the
 * name wrapped in the box; the audit's unsafe pairs as arcs between the
 * boxes. Hooks for tests: <g class="fn" data-addr=...>, <path
 * class="unsafe-arc" data-from=... data-to=...>.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define BOX_W 440       /* 56 characters of DejaVu Sans Mono at 12 px (7.22 each) and 8 either side */
#define DESC_CHARS 56   /* the widest line: "10000:e1:00.0  RC Integrated Endpoint  · group 1234?" is 53 */
#define DESC_LINES 3    /* then cut, the whole name in the box's title */
#define COL_W 44        /* one level of the tree: rows never share a line */
#define DEEP_W 660      /* the most all levels take: deeper trees indent less */
#define LINE_H 15
#define LABEL_H 34
#define GHOST_H 22      /* an ancestor's line atop a column that starts inside its subtree */
#define MIN_COL_H 240   /* about four boxes: fewer columns than that */
#define GAP 8
#define GUTTER 90       /* right of each column: the arcs bulge into it */
#define PAGE_W 1800     /* the widest picture before its text shrinks below ~10 px on a 1600 px window */
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

/* The fixed palette: ten hues 36 degrees apart, light, then ten between
 * them a shade darker; group k takes hue 3k (mod 10) so that neighbours
 * in the table differ by 108 degrees. Light enough for black text. */
static void hsl_hex(double hue, double s, double l, char *buf, size_t size)
{
	double h = hue / 60.0;
	double c = (1 - (2 * l - 1 < 0 ? 1 - 2 * l : 2 * l - 1)) * s;
	double hm = h - 2 * (int)(h / 2), x = c * (1 - (hm - 1 < 0 ? 1 - hm : hm - 1)), m = l - c / 2;
	double rgb[6][3] = { { c, x, 0 }, { x, c, 0 }, { 0, c, x }, { 0, x, c }, { x, 0, c }, { c, 0, x } };
	const double *v = rgb[(int)h % 6];

	snprintf(buf, size, "#%02x%02x%02x", (unsigned)((v[0] + m) * 255 + 0.5), (unsigned)((v[1] + m) * 255 + 0.5),
		 (unsigned)((v[2] + m) * 255 + 0.5));
}

void report_group_look(size_t gid, struct report_look *lk)
{
	size_t k = gid % REPORT_PALETTE, round = gid / REPORT_PALETTE;

	lk->pattern = 0;
	if (gid == ACS_NO_GROUP) {
		snprintf(lk->colour, sizeof(lk->colour), "#ffffff");
		return;
	}
	lk->pattern = (int)(round % REPORT_PATTERNS);
	if (round < REPORT_PATTERNS) {
		size_t half = k / 10;

		hsl_hex((double)((k * 3) % 10) * 36 + (double)half * 18, half ? 0.55 : 0.70, half ? 0.68 : 0.82,
			lk->colour, sizeof(lk->colour));
		return;
	}
	/* past the palette's 160 looks: 100 hues 3.6 degrees apart in five
	 * lightnesses the palette has not, each in every hatching: 4000 more
	 * looks, all different (REPORT_MAX_DRAWN functions have no more
	 * groups) */
	k = gid - REPORT_PALETTE * REPORT_PATTERNS;
	lk->pattern = (int)(k % REPORT_PATTERNS);
	k /= REPORT_PATTERNS;
	hsl_hex((double)(k * 37 % 100) * 3.6, 0.6, 0.66 + 0.06 * (double)(k / 100 % 5), lk->colour, sizeof(lk->colour));
}

/* Each hatching as SVG (lines in an 8x8 tile, turned) and as CSS for the
 * table's swatches. */
static const struct {
	int angle;
	const char *tile;
	const char *css;
} hatch[REPORT_PATTERNS] = {
	[1] = { 45, "<path d=\"M4 0V8\"/>", "repeating-linear-gradient(45deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px)" },
	[2] = { -45, "<path d=\"M4 0V8\"/>", "repeating-linear-gradient(-45deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px)" },
	[3] = { 0, "<path d=\"M0 4H8\"/>", "repeating-linear-gradient(0deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px)" },
	[4] = { 0, "<path d=\"M4 0V8\"/>", "repeating-linear-gradient(90deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px)" },
	[5] = { 0, "<path d=\"M0 4H8M4 0V8\"/>", "repeating-linear-gradient(0deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px),"
						  "repeating-linear-gradient(90deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px)" },
	[6] = { 45, "<path d=\"M0 4H8M4 0V8\"/>", "repeating-linear-gradient(45deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px),"
						   "repeating-linear-gradient(-45deg,rgba(0,0,0,.35) 0 1.5px,transparent 1.5px 5px)" },
	[7] = { 0, "<circle cx=\"4\" cy=\"4\" r=\"1.6\"/>", "radial-gradient(rgba(0,0,0,.4) 1.5px,transparent 1.6px) 0 0/5px 5px" },
};

void report_group_swatch(size_t gid, char *buf, size_t size)
{
	struct report_look lk;

	report_group_look(gid, &lk);
	if (!lk.pattern)
		snprintf(buf, size, "background:%s", lk.colour);
	else
		snprintf(buf, size, "background:%s;background-color:%s", hatch[lk.pattern].css, lk.colour);
}

/* "fill:..." of a group: its colour, or its hatching (gp-GID, defined once
 * in the picture's defs) */
static void group_fill(size_t gid, char *buf, size_t size)
{
	struct report_look lk;

	report_group_look(gid, &lk);
	if (lk.pattern)
		snprintf(buf, size, "url(#gp-%zu)", gid);
	else
		snprintf(buf, size, "%s", lk.colour);
}

static void group_pattern(FILE *out, size_t gid)
{
	struct report_look lk;

	report_group_look(gid, &lk);
	if (!lk.pattern)
		return;
	fprintf(out, "<pattern id=\"gp-%zu\" class=\"hatch\" data-look=\"%s/%d\" patternUnits=\"userSpaceOnUse\" "
		"width=\"8\" height=\"8\" patternTransform=\"rotate(%d)\"><rect width=\"8\" height=\"8\" fill=\"%s\"/>"
		"<g stroke=\"#000\" stroke-opacity=\"0.25\" stroke-width=\"1.5\" fill=\"#000\" fill-opacity=\"0.3\">%s</g>"
		"</pattern>\n", gid, lk.colour, lk.pattern, hatch[lk.pattern].angle, lk.colour, hatch[lk.pattern].tile);
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

/* ---- the name in lines ---- */

/* characters (not bytes) of s up to n bytes */
static size_t chars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && s[i]; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

/* the bytes of s's first max characters */
static size_t bytes_of(const char *s, size_t max)
{
	size_t i = 0;

	for (size_t k = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k++ == max)
			break;
	return i;
}

struct lines {
	size_t n;
	char line[DESC_LINES][DESC_CHARS * 4 + 4];
};

/* s in lines of at most DESC_CHARS characters, broken at spaces where a
 * word allows it; what does not fit in DESC_LINES ends in "..." */
static void wrap(const char *s, struct lines *w)
{
	w->n = 0;
	while (*s == ' ')
		s++;
	while (*s && w->n < DESC_LINES) {
		char *line = w->line[w->n++];
		size_t take = bytes_of(s, DESC_CHARS), next;

		if (!s[take]) {
			snprintf(line, sizeof(w->line[0]), "%s", s);
			return;
		}
		if (w->n == DESC_LINES) {
			take = bytes_of(s, DESC_CHARS - 3);
			snprintf(line, sizeof(w->line[0]), "%.*s...", (int)take, s);
			return;
		}
		next = take;
		for (size_t k = take; k > 0; k--)
			if (s[k] == ' ' && chars(s, k) >= DESC_CHARS / 3) {
				take = k;
				next = k + 1;
				break;
			}
		snprintf(line, sizeof(w->line[0]), "%.*s", (int)take, s);
		s += next;
		while (*s == ' ')
			s++;
	}
}

/* ---- layout: the rows of acsctl show, flowed into columns ---- */

struct item {
	bool label;        /* a root bus's label, else a function's box */
	size_t fn;         /* the function, or the root bus's first */
	size_t depth;
	double h, x, y;    /* the box (the label's row) */
	size_t col;
	double label_y;    /* the row of the root label above it in its column */
};

struct cont {              /* atop a column: a root bus's label again, or an ancestor's line */
	size_t fn, col;        /* the root bus's first function, or the ancestor */
	double x, y;
	bool root;
};

struct layout {
	struct item *items;
	size_t n, *item_of;    /* per function: its item */
	struct cont *cont;
	size_t ncont, maxdepth, cols, cols_used;
	double indent, col_w, w, h;
};

static void lay_root(void *ctx, const struct acs_func *first)
{
	struct layout *l = ctx;

	l->items[l->n++] = (struct item){ .label = true, .fn = SIZE_MAX, .h = LABEL_H };
	(void)first;
}

static void lay_func(void *ctx, size_t i, size_t depth, bool last)
{
	struct layout *l = ctx;

	(void)last;
	if (l->n && l->items[l->n - 1].label && l->items[l->n - 1].fn == SIZE_MAX)
		l->items[l->n - 1].fn = i;
	l->item_of[i] = l->n;
	l->items[l->n++] = (struct item){ .fn = i, .depth = depth };
	if (depth > l->maxdepth)
		l->maxdepth = depth;
}

static double box_h(size_t nlines)
{
	return 25 + LINE_H * (double)nlines;
}

/* The fewest columns that make the picture no taller than wide, and no
 * more than fit PAGE_W. */
/* As many columns as fit PAGE_W, none shorter than MIN_COL_H. */
static size_t columns(double total, double col_w)
{
	size_t most = (size_t)(PAGE_W / col_w), k = (size_t)(total / MIN_COL_H);

	k = k < most ? k : most;
	return k ? k : 1;
}

/* A column that starts inside a subtree repeats, as one line each, the
 * root bus and every ancestor of its first function (outermost first),
 * so that each box below links to its parent in its own column. */
static double continue_column(const acs_fabric *f, struct layout *l, const struct item *it, size_t root, double y)
{
	size_t chain[64], nchain = 0;

	l->cont[l->ncont++] = (struct cont){ root, l->cols_used, 0, y, true };
	y += LABEL_H;
	for (const struct acs_func *p = acs_fabric_parent(f, acs_fabric_func(f, it->fn)); p && nchain < 64;
	     p = acs_fabric_parent(f, p))
		chain[nchain++] = acs_fabric_index(f, p);
	while (nchain--) {
		const struct item *a = &l->items[l->item_of[chain[nchain]]];

		l->cont[l->ncont++] = (struct cont){ chain[nchain], l->cols_used,
						     (double)l->cols_used * l->col_w + MARGIN + 20 +
							     (double)a->depth * l->indent, y, false };
		y += GHOST_H;
	}
	return y;
}

/* Where each column after the first starts: within a third of a column
 * of the even split, at the shallowest item there (a root bus's label
 * best, then a function on a root bus), so that few columns start inside
 * a subtree and fewer arcs cross from column to column. */
static void choose_breaks(struct layout *l, double target, bool *starts)
{
	double top = 0, *tops = malloc((l->n + 1) * sizeof(*tops));
	size_t last = 0;

	if (!tops)
		return;         /* one column: still a picture */
	for (size_t k = 0; k < l->n; k++) {
		tops[k] = top;
		top += l->items[k].h;
	}
	for (size_t c = 1; c < l->cols; c++) {
		double ideal = (double)c * target, best_score = -1;
		size_t best = 0;

		for (size_t k = last + 1; k < l->n; k++) {
			double off = tops[k] > ideal ? tops[k] - ideal : ideal - tops[k];
			double score = (l->items[k].label ? 0 : (double)l->items[k].depth + 1) * 1e9 + off;

			if (off <= target / 3 && (best_score < 0 || score < best_score)) {
				best_score = score;
				best = k;
			}
		}
		if (!best)
			break;
		starts[best] = true;
		last = best;
	}
	free(tops);
}

static int place(const acs_fabric *f, struct layout *l)
{
	double total = MARGIN, y = MARGIN, label_y = MARGIN, target;
	size_t root = 0;
	bool *starts;

	for (size_t k = 0; k < l->n; k++)
		total += l->items[k].h;
	l->indent = l->maxdepth * COL_W > DEEP_W ? (double)DEEP_W / (double)l->maxdepth : COL_W;
	l->indent = l->indent < 12 ? 12 : l->indent;
	l->col_w = MARGIN + 20 + (double)l->maxdepth * l->indent + BOX_W + GUTTER;
	l->cols = columns(total, l->col_w);
	l->cont = calloc(l->cols * (l->maxdepth + 66) + 1, sizeof(*l->cont));
	if (!l->cont)
		return -1;
	target = total / (double)l->cols;
	starts = calloc(l->n + 1, sizeof(*starts));
	if (!starts)
		return -1;
	choose_breaks(l, target, starts);
	l->h = 0;
	for (size_t k = 0; k < l->n; k++) {
		struct item *it = &l->items[k];

		if (starts[k]) {
			l->cols_used++;
			y = MARGIN;
			if (!it->label) {
				label_y = y;
				y = continue_column(f, l, it, root, y);
			}
		}
		if (it->label) {
			root = it->fn;
			label_y = y;
		}
		it->col = l->cols_used;
		it->x = (double)it->col * l->col_w + MARGIN + 20 + (double)it->depth * l->indent;
		it->y = y;
		it->label_y = label_y;
		y += it->h;
		l->h = y > l->h ? y : l->h;
	}
	free(starts);
	l->cols = l->cols_used + 1;
	l->w = (double)l->cols * l->col_w;
	l->h += MARGIN;
	return 0;
}

static int lay_out(const struct report *r, struct layout *l)
{
	const acs_fabric *f = r->c->fabric;
	size_t n = acs_fabric_count(f);
	char desc[400];
	struct lines w;

	*l = (struct layout){ .items = calloc(2 * n + 1, sizeof(*l->items)), .item_of = calloc(n + 1, sizeof(size_t)) };
	if (!l->items || !l->item_of)
		return -1;
	if (acs_fabric_tree_walk(f, &(struct acs_tree_visit){ lay_root, lay_func, l }))
		return -1;
	for (size_t k = 0; k < l->n; k++)
		if (!l->items[k].label) {
			wrap(cli_describe(r->c, acs_fabric_func(f, l->items[k].fn), desc, sizeof(desc)), &w);
			l->items[k].h = box_h(w.n ? w.n : 1) + GAP;
		}
	return place(f, l);
}

static void lay_free(struct layout *l)
{
	free(l->items);
	free(l->item_of);
	free(l->cont);
}

/* ---- drawing ---- */

static void bus_label(FILE *out, const acs_fabric *f, size_t fn, double x, double y, bool cont)
{
	const struct acs_func *first = acs_fabric_func(f, fn);

	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" class=\"bus\">[%04x:%02x]%s</text>\n", x, y + 20, first->domain,
		first->bus, cont ? " (continued)" : "");
}

static void draw_labels(FILE *out, const acs_fabric *f, const struct layout *l)
{
	for (size_t k = 0; k < l->n; k++)
		if (l->items[k].label && l->items[k].fn != SIZE_MAX)
			bus_label(out, f, l->items[k].fn, (double)l->items[k].col * l->col_w + MARGIN, l->items[k].y,
				  false);
	for (size_t k = 0; k < l->ncont; k++) {
		char addr[32];

		if (l->cont[k].root) {
			bus_label(out, f, l->cont[k].fn, (double)l->cont[k].col * l->col_w + MARGIN, l->cont[k].y, true);
			continue;
		}
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" class=\"ghost\">%s (continued)</text>\n", l->cont[k].x + 4,
			l->cont[k].y + 15, acs_func_addr(acs_fabric_func(f, l->cont[k].fn), addr, sizeof(addr)));
	}
}

/* the line that stands for function fn atop column col */
static const struct cont *ghost_of(const struct layout *l, size_t fn, size_t col)
{
	for (size_t k = 0; k < l->ncont; k++)
		if (!l->cont[k].root && l->cont[k].fn == fn && l->cont[k].col == col)
			return &l->cont[k];
	return NULL;
}

static void draw_links(FILE *out, const acs_fabric *f, const struct layout *l)
{
	for (size_t k = 0; k < l->n; k++) {
		const struct item *it = &l->items[k], *pi;
		const struct acs_func *p;
		const struct cont *g;
		double y = it->y + 20, px, py;

		if (it->label)
			continue;
		p = acs_fabric_parent(f, acs_fabric_func(f, it->fn));
		if (!p) {
			fprintf(out, "<path d=\"M%.0f %.0fV%.0fH%.0f\" class=\"link\"/>\n",
				(double)it->col * l->col_w + MARGIN + 4, it->label_y + 26, y, it->x);
			continue;
		}
		pi = &l->items[l->item_of[acs_fabric_index(f, p)]];
		if (pi->col == it->col) {
			px = pi->x;
			py = pi->y + pi->h - GAP;
		} else if ((g = ghost_of(l, acs_fabric_index(f, p), it->col))) {
			px = g->x;
			py = g->y + GHOST_H - 4;
		} else {
			continue;
		}
		fprintf(out, "<path d=\"M%.0f %.0fV%.0fH%.0f\" class=\"link\"/>\n",
			px + (l->indent < 32 ? l->indent / 2 : 16), py, y, it->x);
	}
}

static void draw_box(FILE *out, const struct report *r, const struct item *it)
{
	const struct acs_func *fn = acs_fabric_func(r->c->fabric, it->fn);
	size_t gid = acs_groups_of(r->groups, it->fn);
	double hb = it->h - GAP;
	char addr[32], desc[400], fill[32], title[600], group[24] = "none";
	struct report_look lk;
	struct lines w;
	const char *halo;

	group_fill(gid, fill, sizeof(fill));
	acs_func_addr(fn, addr, sizeof(addr));
	cli_describe(r->c, fn, desc, sizeof(desc));
	if (gid != ACS_NO_GROUP)
		snprintf(group, sizeof(group), "%zu", gid);
	report_group_look(gid, &lk);
	fprintf(out, "<g class=\"fn\" id=\"f-%s\" data-addr=\"%s\" data-group=\"%s\">\n<title>", addr, addr, group);
	snprintf(title, sizeof(title), "%s %s: %s", addr, acs_pcie_type_name(fn->pcie_type), desc);
	report_text(out, title);
	/* a bridge is grey, its group a band at its left edge: the
	 * endpoints' colours stand out */
	fprintf(out, "</title>\n<rect x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%.0f\" rx=\"5\" class=\"box%s\" "
		"style=\"fill:%s;%s\"/>\n", it->x, it->y, BOX_W, hb, fn->is_bridge ? "" : " gfill",
		fn->is_bridge ? "#f2f2f2" : fill, acs_style[report_acs_class(fn)]);
	if (fn->is_bridge)
		fprintf(out, "<rect class=\"gfill\" x=\"%.0f\" y=\"%.0f\" width=\"6\" height=\"%.0f\" style=\"fill:%s\"/>\n",
			it->x + 2, it->y + 2, hb - 4, fill);
	/* text on hatching gets a white halo */
	halo = lk.pattern && !fn->is_bridge ? " halo" : "";
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" class=\"addr%s\">%s  %s", it->x + 8 + 2 * fn->is_bridge, it->y + 17,
		halo, addr, acs_pcie_type_name(fn->pcie_type));
	if (gid != ACS_NO_GROUP)
		fprintf(out, "  \xc2\xb7 group %zu%s", gid, acs_groups_uncertain(r->groups, gid) ? "?" : "");
	fprintf(out, "</text>\n<text class=\"desc%s\">", halo);
	wrap(desc, &w);
	for (size_t k = 0; k < w.n; k++) {
		fprintf(out, "<tspan x=\"%.0f\" y=\"%.0f\">", it->x + 8 + 2 * fn->is_bridge, it->y + 17 + LINE_H * (double)(k + 1));
		report_text(out, w.line[k]);
		fputs("</tspan>", out);
	}
	fputs("</text>\n</g>\n", out);
}

/* ---- the audit's unsafe pairs as arcs ---- */

struct arc {
	uint32_t from, to, lo, hi;
	bool both;             /* found both ways */
	const char *why;
	size_t seen;           /* the order found, for a stable order */
};

static int arc_cmp(const void *pa, const void *pb)
{
	const struct arc *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return a->seen < b->seen ? -1 : a->seen > b->seen;
}

/* Every unordered pair of functions an UNSAFE finding names (its first
 * device with each other: a route is two, a stale split more), once,
 * sorted by address index; *out NULL where there is none. */
static size_t unsafe_pairs(const acs_audit *a, struct arc **out)
{
	size_t n = 0, cap = 0, m = 0;
	struct arc *v = NULL;

	*out = NULL;
	for (size_t i = 0; a && i < acs_audit_count(a); i++) {
		const acs_finding *fd = acs_audit_at(a, i);

		for (size_t k = 1; fd->kind == ACS_FINDING_UNSAFE && k < fd->ndevices; k++) {
			uint32_t x = fd->devices[0], y = fd->devices[k];

			if (n == cap) {
				struct arc *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

				if (!nv) {
					free(v);
					return SIZE_MAX;
				}
				v = nv;
			}
			v[n] = (struct arc){ x, y, x < y ? x : y, x < y ? y : x, false, fd->reason, n };
			n++;
		}
	}
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), arc_cmp);
	for (size_t i = 0; i < n; i++) {
		if (m && v[m - 1].lo == v[i].lo && v[m - 1].hi == v[i].hi) {
			v[m - 1].both |= v[i].from != v[m - 1].from;
			continue;
		}
		v[m++] = v[i];
	}
	*out = v;
	return m;
}

size_t report_unsafe_pairs(const acs_audit *a)
{
	struct arc *v;
	size_t n = unsafe_pairs(a, &v);

	free(v);
	return n;
}

/* From the right edge of one box to the other's: bulging into the gutter
 * in one column, across to the left edge of the other's box between
 * columns. */
static void draw_arc(FILE *out, const acs_fabric *f, const struct layout *l, const struct arc *a, size_t nth)
{
	const struct item *p = &l->items[l->item_of[a->from]], *q = &l->items[l->item_of[a->to]];
	double py = p->y + (p->h - GAP) / 2, qy = q->y + (q->h - GAP) / 2;
	char from[32], to[32];

	acs_func_addr(acs_fabric_func(f, a->from), from, sizeof(from));
	acs_func_addr(acs_fabric_func(f, a->to), to, sizeof(to));
	fprintf(out, "<path class=\"unsafe-arc\" data-from=\"%s\" data-to=\"%s\" data-both=\"%d\" ", from, to, a->both);
	if (p->col == q->col) {
		double right = (p->x > q->x ? p->x : q->x) + BOX_W, d = py > qy ? py - qy : qy - py;
		/* arcs of one box fan out a little, not drawn on each other */
		double cx = right + 16 + (d / 8 < GUTTER - 40 ? d / 8 : GUTTER - 40) + (double)(nth % 4) * 6;

		fprintf(out, "d=\"M%.0f %.0fC%.0f %.0f %.0f %.0f %.0f %.0f\"", p->x + BOX_W, py, cx, py, cx, qy,
			q->x + BOX_W, qy);
	} else {
		double px = p->col < q->col ? p->x + BOX_W : p->x, qx = p->col < q->col ? q->x : q->x + BOX_W;
		double bend = p->col < q->col ? 60 : -60;

		fprintf(out, "d=\"M%.0f %.0fC%.0f %.0f %.0f %.0f %.0f %.0f\"", px, py, px + bend, py, qx - bend, qy, qx,
			qy);
	}
	fprintf(out, " marker-end=\"url(#arrow)\"%s><title>", a->both ? " marker-start=\"url(#arrow)\"" : "");
	fprintf(out, "unsafe: %s %s %s: ", from, a->both ? "\xe2\x86\x94" : "\xe2\x86\x92", to);
	report_text(out, a->why);
	fputs("</title></path>\n", out);
}

static int draw_arcs(FILE *out, const struct report *r, const struct layout *l)
{
	struct arc *v;
	size_t n = unsafe_pairs(r->audit, &v);

	if (n == SIZE_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		draw_arc(out, r->c->fabric, l, &v[i], i);
	free(v);
	return 0;
}

static void defs(FILE *out, const struct report *r)
{
	fputs("<defs>\n<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
	      "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#cf222e\"/></marker>\n",
	      out);
	for (size_t g = 0; g < acs_groups_count(r->groups); g++)
		group_pattern(out, g);
	fputs("</defs>\n", out);
}

int report_svg(FILE *out, const struct report *r)
{
	struct layout l;
	int rc = -1;

	if (lay_out(r, &l))
		goto done;
	/* as wide as the page, never blown up past 1.25 times its size */
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"fabric\" viewBox=\"0 0 %.0f %.0f\" "
		"width=\"100%%\" preserveAspectRatio=\"xMidYMin meet\" style=\"max-width:%.0fpx\" "
		"font-family=\"DejaVu Sans Mono, monospace\" font-size=\"12\">\n", l.w, l.h, l.w * 1.25);
	fputs("<style>.link{fill:none;stroke:#999;stroke-width:1.5}.bus{font-weight:bold}"
	      ".addr{font-weight:bold}.desc{fill:#333}.ghost{fill:#555;font-style:italic}"
	      ".halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-opacity:.75;stroke-linejoin:round}"
	      ".unsafe-arc{fill:none;stroke:#cf222e;stroke-width:2.5;stroke-opacity:.8}"
	      ".unsafe-arc:hover{stroke-width:5}</style>\n", out);
	defs(out, r);
	draw_links(out, r->c->fabric, &l);
	draw_labels(out, r->c->fabric, &l);
	for (size_t k = 0; k < l.n; k++)
		if (!l.items[k].label)
			draw_box(out, r, &l.items[k]);
	rc = draw_arcs(out, r, &l);
	fputs("</svg>\n", out);
done:
	lay_free(&l);
	return rc;
}

void report_legend(FILE *out)
{
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"legend\" width=\"900\" height=\"176\" font-family=\"sans-serif\" "
	      "font-size=\"13\">\n", out);
	for (int k = REPORT_ACS_ISOLATING; k <= REPORT_ACS_UNKNOWN; k++) {
		int y = 6 + (k - REPORT_ACS_ISOLATING) * 24;

		fprintf(out, "<rect x=\"4\" y=\"%d\" width=\"40\" height=\"16\" rx=\"3\" style=\"fill:#f2f2f2;%s\"/>"
			"<text x=\"56\" y=\"%d\">%s</text>\n", y, acs_style[k], y + 13, report_acs_words(k));
	}
	fputs("<path d=\"M4 110C24 98 24 98 44 110\" style=\"fill:none;stroke:#cf222e;stroke-width:2.5\"/>"
	      "<text x=\"56\" y=\"115\">unsafe: in different groups, they reach each other without the IOMMU "
	      "(a switch's route ends at the first device below each port; hover it)</text>\n"
	      "<text x=\"4\" y=\"146\">Fill: the function's IOMMU group (bridges grey, their group in the band at the left);</text>\n"
	      "<text x=\"4\" y=\"166\">past 20 groups the colours come again hatched. Hover a box for its whole name.</text>\n"
	      "</svg>\n", out);
}
