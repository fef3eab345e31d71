/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The prediction against the kernel's own groups. Both are partitions of
 * the functions the kernel grouped; a difference is a group on one side
 * whose members lie in several groups on the other. Sorting function
 * indices by (group, other group) finds both kinds in O(n log n).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct acs_group_check {
	acs_group_diff *diffs;
	size_t n, cap, compared;
	uint32_t *funcs;   /* storage the diffs point into */
	int *other;
};

struct pair {
	int a, b;          /* this side's group, the other side's */
	uint32_t func;
};

static int pair_cmp(const void *pa, const void *pb)
{
	const struct pair *x = pa, *y = pb;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	return 0;
}

/* Differences where a group of side a spans several groups of side b. */
static int find(acs_group_check *c, struct pair *p, size_t n, int kind,
		size_t *used)
{
	qsort(p, n, sizeof(*p), pair_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		bool mixed = false;

		while (j < n && p[j].a == p[i].a) {
			mixed |= p[j].b != p[i].b;
			j++;
		}
		if (mixed) {
			acs_group_diff *d;

			if (c->n == c->cap) {
				size_t cap = c->cap ? c->cap * 2 : 16;
				acs_group_diff *nd = realloc(c->diffs, cap * sizeof(*nd));

				if (!nd)
					return acs_error_nomem();
				c->diffs = nd;
				c->cap = cap;
			}
			d = &c->diffs[c->n++];
			d->kind = kind;
			d->group = (size_t)p[i].a;
			d->count = j - i;
			d->funcs = c->funcs + *used;
			d->other = c->other + *used;
			for (size_t k = i; k < j; k++, (*used)++) {
				c->funcs[*used] = p[k].func;
				c->other[*used] = p[k].b;
			}
		}
		i = j;
	}
	return 0;
}

int acs_groups_check(acs_group_check **out, const acs_groups *g,
		     const acs_fabric *f)
{
	size_t n = acs_fabric_count(f), m = 0, used = 0;
	acs_group_check *c;
	struct pair *p;
	int rc;

	*out = NULL;
	if (acs_fabric_kernel_groups(f) == ACS_KGROUPS_UNKNOWN)
		return acs_error_set(ACS_EUNKNOWN,
			"%s: the kernel's groups are not known here: check needs live input or a snapshot",
			acs_fabric_origin(f));
	c = calloc(1, sizeof(*c));
	p = malloc((n ? n : 1) * sizeof(*p));
	if (c) {
		/* each function is in at most one diff of each kind */
		c->funcs = malloc((2 * n + 1) * sizeof(*c->funcs));
		c->other = malloc((2 * n + 1) * sizeof(*c->other));
	}
	if (!c || !p || !c->funcs || !c->other) {
		free(p);
		acs_group_check_free(c);
		return acs_error_nomem();
	}
	for (size_t i = 0; i < n; i++)
		if (acs_fabric_kernel_group(f, i) >= 0)
			p[m++] = (struct pair){ (int)acs_groups_of(g, i),
						acs_fabric_kernel_group(f, i), (uint32_t)i };
	c->compared = m;
	rc = find(c, p, m, ACS_DIFF_KERNEL_SPLITS, &used);
	for (size_t i = 0; !rc && i < m; i++) {
		int t = p[i].a;

		p[i].a = p[i].b;
		p[i].b = t;
	}
	if (!rc)
		rc = find(c, p, m, ACS_DIFF_KERNEL_MERGES, &used);
	free(p);
	if (rc) {
		acs_group_check_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

size_t acs_group_check_count(const acs_group_check *c)
{
	return c->n;
}

const acs_group_diff *acs_group_check_at(const acs_group_check *c, size_t i)
{
	return i < c->n ? &c->diffs[i] : NULL;
}

size_t acs_group_check_compared(const acs_group_check *c)
{
	return c->compared;
}

void acs_group_check_free(acs_group_check *c)
{
	if (!c)
		return;
	free(c->diffs);
	free(c->funcs);
	free(c->other);
	free(c);
}
