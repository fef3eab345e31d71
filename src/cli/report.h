/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl report: a self-contained HTML page with pictures. */
#ifndef ACSCTL_REPORT_H
#define ACSCTL_REPORT_H

#include <stdio.h>

#include "cli.h"

/* What a port's ACS does to isolation, as the picture edges it. */
enum report_acs {
	REPORT_ACS_NA = 0,          /* not a port, no ACS */
	REPORT_ACS_ISOLATING,       /* SV RR CR UF on: the kernel's test passes */
	REPORT_ACS_OPEN,            /* ACS, but some of those off */
	REPORT_ACS_NONE,            /* a root or downstream port without ACS */
	REPORT_ACS_UNKNOWN,         /* extended config space not read */
};

struct report {
	const struct cli *c;
	const acs_groups *groups;
	const acs_audit *audit;     /* its UNSAFE findings are drawn as arcs */
};

/* How a group looks: one of REPORT_PALETTE colours, then the same colours
 * hatched in REPORT_PATTERNS - 1 ways, then 500 more hues in each: no two
 * of the first 4160 groups alike. */
#define REPORT_PALETTE 20
#define REPORT_PATTERNS 8
struct report_look {
	char colour[8];     /* "#rrggbb" */
	int pattern;        /* 0: plain; 1..REPORT_PATTERNS-1: a hatching */
};

/* The largest fabric drawn; past it the page says so and keeps the tables. */
#define REPORT_MAX_DRAWN 4000

void report_text(FILE *out, const char *s);    /* escaped for HTML and SVG, valid UTF-8 */
void report_group_look(size_t gid, struct report_look *lk);
void report_group_swatch(size_t gid, char *buf, size_t size);  /* CSS for a swatch of it */
size_t report_unsafe_pairs(const acs_audit *a);
int report_acs_class(const struct acs_func *fn);
const char *report_acs_words(int cls);
int report_svg(FILE *out, const struct report *r);
void report_legend(FILE *out);

#endif
