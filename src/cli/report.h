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
};

/* The largest fabric drawn; past it the page says so and keeps the tables. */
#define REPORT_MAX_DRAWN 4000

void report_text(FILE *out, const char *s);    /* escaped for HTML and SVG, valid UTF-8 */
void report_cut(char *s, size_t max);
void report_group_colour(size_t gid, char *buf, size_t size);
int report_acs_class(const struct acs_func *fn);
const char *report_acs_words(int cls);
int report_svg(FILE *out, const struct report *r);
void report_legend(FILE *out);

#endif
