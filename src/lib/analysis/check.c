/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two groupings of the same functions compared (acs_partition_diff), and
 * the prediction against the kernel's own groups on top of it. A
 * difference is a group on one side whose members lie in several groups
 * on the other. Sorting the functions by (group, function) on each side
 * finds both kinds in O(n log n).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct acs_partition_diff {
	acs_partition_change *changes;
	size_t n, cap;
	uint32_t *funcs;       /* storage the changes point into: each function */
	int32_t *other;        /* is in at most one change of each kind */
	size_t used;
	size_t compared, groups[2], unchanged;
	uint32_t *moved, *only[2];
	size_t nmoved, nonly[2];
};

struct entry {
	int32_t g, o;          /* this side's group, the other side's */
	uint32_t func;
};

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *x = pa, *y = pb;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

static int int32_cmp(const void *pa, const void *pb)
{
	int32_t x = *(const int32_t *)pa, y = *(const int32_t *)pb;

	return x < y ? -1 : x > y;
}

/* Distinct non-negative values of v[0..n-1]; v is sorted in the process. */
static size_t distinct(int32_t *v, size_t n)
{
	size_t k = 0;

	qsort(v, n, sizeof(*v), int32_cmp);
	for (size_t i = 0; i < n; i++)
		k += v[i] >= 0 && (i == 0 || v[i] != v[i - 1]);
	return k;
}

/* One side: the groups of e[0..n-1] (g >= 0) that span several groups of
 * the other side become changes of kind; flag[func] gets a bit for each
 * function in one; pure[func] says its group is the whole of one group
 * of the other side's, as far as this side sees it (every member grouped
 * there, all in one). */
static int side(acs_partition_diff *d, struct entry *e, size_t n, int kind, uint8_t *flag, uint8_t *pure,
		int32_t *scratch)
{
	size_t groups = 0;

	qsort(e, n, sizeof(*e), entry_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i, spans;
		bool absent = false;

		while (j < n && e[j].g == e[i].g) {
			scratch[j - i] = e[j].o;
			absent |= e[j].o < 0;
			j++;
		}
		groups++;
		spans = distinct(scratch, j - i);

		for (size_t k = i; k < j; k++)
			pure[e[k].func] = spans == 1 && !absent;
		if (spans > 1) {
			acs_partition_change *c;

			if (d->n == d->cap) {
				size_t cap = d->cap ? d->cap * 2 : 16;
				acs_partition_change *nc = realloc(d->changes, cap * sizeof(*nc));

				if (!nc)
					return acs_error_nomem();
				d->changes = nc;
				d->cap = cap;
			}
			c = &d->changes[d->n++];
			c->kind = kind;
			c->group = e[i].g;
			c->count = j - i;
			c->funcs = d->funcs + d->used;
			c->other = d->other + d->used;
			c->nother = spans;
			for (size_t k = i; k < j; k++, d->used++) {
				d->funcs[d->used] = e[k].func;
				d->other[d->used] = e[k].o;
				flag[e[k].func] |= (uint8_t)kind;
			}
		}
		i = j;
	}
	d->groups[kind == ACS_PARTITION_SPLIT ? 0 : 1] = groups;
	return 0;
}

int acs_partition_diff_compute(acs_partition_diff **out, const int32_t *a, const int32_t *b, size_t n)
{
	acs_partition_diff *d = calloc(1, sizeof(*d));
	struct entry *e = malloc((n + 1) * sizeof(*e));
	int32_t *scratch = malloc((n + 1) * sizeof(*scratch));
	uint8_t *flag = calloc(n + 1, 1), *pure[2] = { calloc(n + 1, 1), calloc(n + 1, 1) };
	size_t m = 0;
	int rc = 0;

	*out = NULL;
	if (d) {
		d->funcs = malloc((2 * n + 1) * sizeof(*d->funcs));
		d->other = malloc((2 * n + 1) * sizeof(*d->other));
		d->moved = malloc((n + 1) * sizeof(*d->moved));
		d->only[0] = malloc((n + 1) * sizeof(*d->only[0]));
		d->only[1] = malloc((n + 1) * sizeof(*d->only[1]));
	}
	if (!d || !e || !scratch || !flag || !pure[0] || !pure[1] || !d->funcs || !d->other || !d->moved ||
	    !d->only[0] || !d->only[1]) {
		rc = acs_error_nomem();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		bool in_a = a[i] >= 0, in_b = b[i] >= 0;

		d->compared += in_a && in_b;
		if (in_a != in_b) {
			int s = in_a ? 0 : 1;

			d->only[s][d->nonly[s]++] = (uint32_t)i;
		}
		if (in_a)
			e[m++] = (struct entry){ a[i], b[i] < 0 ? -1 : b[i], (uint32_t)i };
	}
	rc = side(d, e, m, ACS_PARTITION_SPLIT, flag, pure[0], scratch);
	m = 0;
	for (size_t i = 0; !rc && i < n; i++)
		if (b[i] >= 0)
			e[m++] = (struct entry){ b[i], a[i] < 0 ? -1 : a[i], (uint32_t)i };
	if (!rc)
		rc = side(d, e, m, ACS_PARTITION_MERGED, flag, pure[1], scratch);
	/* a group of a is unchanged when it lies whole in one group of b that
	 * lies whole in it: count it once, at its smallest member */
	for (size_t k = 0; !rc && k < m; k++) {
		uint32_t f = e[k].func;

		if (k == 0 || e[k].g != e[k - 1].g)
			d->unchanged += pure[0][f] && pure[1][f];
	}
	for (size_t i = 0; !rc && i < n; i++)
		if (flag[i] == (ACS_PARTITION_SPLIT | ACS_PARTITION_MERGED))
			d->moved[d->nmoved++] = (uint32_t)i;
done:
	free(e);
	free(scratch);
	free(flag);
	free(pure[0]);
	free(pure[1]);
	if (rc) {
		acs_partition_diff_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

size_t acs_partition_diff_count(const acs_partition_diff *d)
{
	return d->n;
}

const acs_partition_change *acs_partition_diff_at(const acs_partition_diff *d, size_t i)
{
	return i < d->n ? &d->changes[i] : NULL;
}

size_t acs_partition_diff_compared(const acs_partition_diff *d)
{
	return d->compared;
}

size_t acs_partition_diff_groups(const acs_partition_diff *d, int s)
{
	return d->groups[s ? 1 : 0];
}

size_t acs_partition_diff_unchanged(const acs_partition_diff *d)
{
	return d->unchanged;
}

size_t acs_partition_diff_moved(const acs_partition_diff *d, const uint32_t **funcs)
{
	*funcs = d->moved;
	return d->nmoved;
}

size_t acs_partition_diff_only(const acs_partition_diff *d, int s, const uint32_t **funcs)
{
	*funcs = d->only[s ? 1 : 0];
	return d->nonly[s ? 1 : 0];
}

void acs_partition_diff_free(acs_partition_diff *d)
{
	if (!d)
		return;
	free(d->changes);
	free(d->funcs);
	free(d->other);
	free(d->moved);
	free(d->only[0]);
	free(d->only[1]);
	free(d);
}

/* The prediction against the kernel's groups: the functions the kernel
 * grouped, with their predicted groups on side a. */
struct acs_group_check {
	acs_partition_diff *diff;
	acs_group_diff *diffs;
	int *other;
	size_t n;
	uint32_t *only[2];      /* grouped by the prediction only (0), by the kernel only (1) */
	size_t nonly[2];
};

int acs_groups_check(acs_group_check **out, const acs_groups *g,
		     const acs_fabric *f)
{
	size_t n = acs_fabric_count(f), used = 0;
	acs_group_check *c;
	int32_t *a, *b;
	int rc;

	*out = NULL;
	if (acs_fabric_kernel_groups(f) == ACS_KGROUPS_UNKNOWN)
		return acs_error_set(ACS_EUNKNOWN,
			"%s: the kernel's groups are not known here: check needs live input or a snapshot",
			acs_fabric_origin(f));
	c = calloc(1, sizeof(*c));
	a = malloc((n + 1) * sizeof(*a));
	b = malloc((n + 1) * sizeof(*b));
	if (!c || !a || !b) {
		rc = acs_error_nomem();
		goto done;
	}
	c->only[0] = malloc((n + 1) * sizeof(*c->only[0]));
	c->only[1] = malloc((n + 1) * sizeof(*c->only[1]));
	if (!c->only[0] || !c->only[1]) {
		rc = acs_error_nomem();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		size_t p = acs_groups_of(g, i);

		b[i] = acs_fabric_kernel_group(f, i);
		a[i] = b[i] >= 0 && p != ACS_NO_GROUP ? (int32_t)p : -1;
		/* one side grouped it, the other not: no partition to compare */
		if (p != ACS_NO_GROUP && b[i] < 0)
			c->only[0][c->nonly[0]++] = (uint32_t)i;
		if (p == ACS_NO_GROUP && b[i] >= 0) {
			c->only[1][c->nonly[1]++] = (uint32_t)i;
			b[i] = -1;
		}
	}
	rc = acs_partition_diff_compute(&c->diff, a, b, n);
	if (!rc) {
		c->n = acs_partition_diff_count(c->diff);
		c->diffs = calloc(c->n + 1, sizeof(*c->diffs));
		c->other = malloc((2 * n + 1) * sizeof(*c->other));
		rc = c->diffs && c->other ? 0 : acs_error_nomem();
	}
	for (size_t i = 0; !rc && i < c->n; i++) {
		const acs_partition_change *pc = acs_partition_diff_at(c->diff, i);

		c->diffs[i] = (acs_group_diff){
			pc->kind == ACS_PARTITION_SPLIT ? ACS_DIFF_KERNEL_SPLITS : ACS_DIFF_KERNEL_MERGES,
			(size_t)pc->group, pc->count, pc->funcs, c->other + used };
		for (size_t k = 0; k < pc->count; k++)
			c->other[used++] = pc->other[k];
	}
done:
	free(a);
	free(b);
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

size_t acs_group_check_one_side(const acs_group_check *c, int side, const uint32_t **funcs)
{
	*funcs = c->only[side != 0];
	return c->nonly[side != 0];
}

size_t acs_group_check_compared(const acs_group_check *c)
{
	return acs_partition_diff_compared(c->diff);
}

void acs_group_check_free(acs_group_check *c)
{
	if (!c)
		return;
	acs_partition_diff_free(c->diff);
	free(c->diffs);
	free(c->other);
	free(c->only[0]);
	free(c->only[1]);
	free(c);
}
