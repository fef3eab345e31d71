/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live versus boot. Measured on Debian's 6.12 in QEMU: removing what is
 * below a port, writing its ACS and rescanning it rebuilds the re-added
 * devices' groups from the new ACS, but a port that stays keeps its group,
 * and a port that is itself re-enumerated gets the kernel's ACS enabling
 * again (so only ports that stay are written). The live result is
 * therefore pci_device_group() run on the re-added functions only, with
 * everything else holding its group; it is correct when its partition is
 * the one a boot with the same ACS gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct acs_live {
	bool possible;
	acs_fabric *after;
	acs_groups *live, *boot;
	uint32_t *affected;
	size_t naffected;
	struct acs_lines reasons;
};

/* Depth of a function in the tree, to remove the deepest first. */
static size_t depth(const acs_fabric *f, const struct acs_func *fn)
{
	size_t d = 0;

	for (; fn; fn = acs_fabric_parent(f, fn))
		d++;
	return d;
}

/* A function with its depth, the key it sorts by. */
struct by_depth {
	size_t depth;
	uint32_t i;
};

static int deeper_first(const void *pa, const void *pb)
{
	const struct by_depth *a = pa, *b = pb;

	if (a->depth != b->depth)
		return a->depth > b->depth ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Functions v[0..n-1] deepest first, then in index order. */
static int sort_deepest_first(uint32_t *v, size_t n, const acs_fabric *f)
{
	struct by_depth *k = malloc((n + 1) * sizeof(*k));

	if (!k)
		return acs_error_nomem();
	for (size_t j = 0; j < n; j++)
		k[j] = (struct by_depth){ depth(f, acs_fabric_func(f, v[j])), v[j] };
	qsort(k, n, sizeof(*k), deeper_first);
	for (size_t j = 0; j < n; j++)
		v[j] = k[j].i;
	free(k);
	return 0;
}

/* acs_lines_add() stops at 512 bytes: a reason is taken whole, owned. */
static int add_reason(struct acs_lines *l, char *line)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v) {
		free(line);
		return acs_error_nomem();
	}
	l->v = v;
	v[l->n++] = line;
	return 0;
}

/* Compare the two partitions; describe each boot group the live one
 * splits and each live group that joins boot groups. */
static int compare(acs_live *l, const acs_fabric *f)
{
	size_t n = acs_fabric_count(f);
	int32_t *boot = malloc((n + 1) * sizeof(*boot)), *live = malloc((n + 1) * sizeof(*live));
	acs_partition_diff *d = NULL;
	int rc = boot && live ? 0 : acs_error_nomem();

	for (size_t i = 0; !rc && i < n; i++) {
		size_t x = acs_groups_of(l->boot, i), y = acs_groups_of(l->live, i);

		boot[i] = x == ACS_NO_GROUP ? -1 : (int32_t)x;
		live[i] = y == ACS_NO_GROUP ? -1 : (int32_t)y;
	}
	if (!rc)
		rc = acs_partition_diff_compute(&d, boot, live, n);
	for (size_t i = 0; !rc && i < acs_partition_diff_count(d); i++) {
		const acs_partition_change *c = acs_partition_diff_at(d, i);
		size_t size = 128 + 32 * c->count, used;
		char *line = malloc(size);

		if (!line) {
			rc = acs_error_nomem();
			break;
		}
		/* every member: a reason cut short would hide a device */
		used = (size_t)snprintf(line, size, "%s", c->kind == ACS_PARTITION_MERGED ?
			"live, these would share a group that a boot keeps apart:" :
			"at boot these form one group, live they stay apart (a port that stays keeps its group):");
		for (size_t j = 0; j < c->count; j++) {
			char addr[ACS_ADDR_MAX];

			used += (size_t)snprintf(line + used, size - used, " %s",
				acs_func_addr(acs_fabric_func(f, c->funcs[j]), addr, sizeof(addr)));
		}
		l->possible = false;
		rc = add_reason(&l->reasons, line);
	}
	acs_partition_diff_free(d);
	free(boot);
	free(live);
	return rc;
}

int acs_live_compute(acs_live **out, const acs_fabric *f, const acs_policy *p,
		     const struct acs_ctrl_change *ch, size_t nch)
{
	size_t n = acs_fabric_count(f);
	acs_live *l = calloc(1, sizeof(*l));
	bool *changed = calloc(n + 1, sizeof(*changed));
	int32_t *preset = malloc((n + 1) * sizeof(*preset));
	acs_groups *now = NULL;
	bool kernel = acs_fabric_kernel_groups(f) == ACS_KGROUPS_PRESENT;
	int rc;

	*out = NULL;
	if (!l || !changed || !preset) {
		rc = acs_error_nomem();
		goto done;
	}
	l->possible = true;
	l->affected = malloc((n + 1) * sizeof(*l->affected));
	rc = l->affected ? 0 : acs_error_nomem();
	for (size_t k = 0; !rc && k < nch; k++)
		changed[ch[k].index] = true;
	if (!rc)
		rc = acs_fabric_with_acs_ctrl(&l->after, f, ch, nch);
	if (!rc && !kernel)
		rc = acs_groups_compute(&now, f, p);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct acs_func *up = acs_fabric_parent(f, acs_fabric_func(f, i));
		bool below = false;

		for (; up && !below; up = acs_fabric_parent(f, up))
			below = changed[acs_fabric_index(f, up)];
		if (below)
			l->affected[l->naffected++] = (uint32_t)i;
		preset[i] = below ? -1 : kernel ? acs_fabric_kernel_group(f, i) :
			    (int32_t)acs_groups_of(now, i);
	}
	if (!rc)
		rc = acs_groups_compute_preset(&l->live, l->after, p, preset);
	if (!rc)
		rc = acs_groups_compute(&l->boot, l->after, p);
	if (!rc)
		rc = compare(l, f);
	if (!rc)
		rc = sort_deepest_first(l->affected, l->naffected, f);
done:
	acs_groups_free(now);
	free(changed);
	free(preset);
	if (rc) {
		acs_live_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

bool acs_live_possible(const acs_live *l)
{
	return l->possible;
}

size_t acs_live_affected(const acs_live *l, const uint32_t **funcs)
{
	*funcs = l->affected;
	return l->naffected;
}

const acs_fabric *acs_live_fabric(const acs_live *l)
{
	return l->after;
}

const acs_groups *acs_live_groups(const acs_live *l)
{
	return l->live;
}

size_t acs_live_reasons(const acs_live *l, const char *const **lines)
{
	*lines = (const char *const *)l->reasons.v;
	return l->reasons.n;
}

void acs_live_free(acs_live *l)
{
	if (!l)
		return;
	acs_fabric_free(l->after);
	acs_groups_free(l->live);
	acs_groups_free(l->boot);
	free(l->affected);
	acs_lines_free(&l->reasons);
	free(l);
}
