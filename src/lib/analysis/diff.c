/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl diff A B: two fabrics of one host compared, function by function
 * (matched by address), and their groups through the one partition
 * comparison (check.c's acs_partition_diff_compute()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct item {
	acs_diff_item pub;
	size_t seq;
	char *own[4];             /* key, addr, a, b */
	char **members;
};

struct acs_diff {
	struct item *v;
	size_t n, cap;
	acs_diff_item *sorted;    /* the public view, in order */
	bool kernel_groups;
	char **unknown;
	size_t nunknown, capunknown;
};

/* An item; the strings are copied (NULL stays NULL). */
static struct item *add(acs_diff *d, int kind, const char *key, const char *addr, const char *a, const char *b)
{
	const char *src[4] = { key, addr, a, b };
	struct item *it;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct item *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		d->v = v;
		d->cap = cap;
	}
	it = &d->v[d->n];
	memset(it, 0, sizeof(*it));
	for (int k = 0; k < 4; k++)
		if (src[k] && !(it->own[k] = acs_strdup(src[k]))) {
			for (int j = 0; j < k; j++)
				free(it->own[j]);
			return NULL;
		}
	it->pub.kind = kind;
	it->seq = d->n++;
	return it;
}

static int add_unknown(acs_diff *d, const char *addr)
{
	for (size_t k = 0; k < d->nunknown; k++)
		if (!strcmp(d->unknown[k], addr))
			return 0;
	if (d->nunknown == d->capunknown) {
		size_t cap = d->capunknown ? d->capunknown * 2 : 16;
		char **v = realloc(d->unknown, cap * sizeof(*v));

		if (!v)
			return acs_error_nomem();
		d->unknown = v;
		d->capunknown = cap;
	}
	if (!(d->unknown[d->nunknown] = acs_strdup(addr)))
		return acs_error_nomem();
	d->nunknown++;
	return 0;
}

static int host_str(acs_diff *d, const char *key, const char *a, const char *b)
{
	/* unknown on a side is no difference: an older snapshot lacks it */
	if (!a || !b || !strcmp(a, b))
		return 0;
	return add(d, ACS_DIFFK_HOST, key, NULL, a, b) ? 0 : acs_error_nomem();
}

static int host_int(acs_diff *d, const char *key, int a, int b, bool yn)
{
	char sa[16], sb[16];

	if (a < 0 || b < 0 || a == b)
		return 0;
	snprintf(sa, sizeof(sa), yn ? (a ? "y" : "n") : "%d", a);
	snprintf(sb, sizeof(sb), yn ? (b ? "y" : "n") : "%d", b);
	return host_str(d, key, sa, sb);
}

static int compare_host(acs_diff *d, const acs_fabric *a, const acs_fabric *b)
{
	int rc = host_str(d, "kernel-release", acs_fabric_kernel_release(a), acs_fabric_kernel_release(b));

	if (!rc)
		rc = host_str(d, "cmdline", acs_fabric_cmdline(a), acs_fabric_cmdline(b));
	for (int k = 0; !rc && k < ACS_HOST_FACT_COUNT; k++)
		if (k != ACS_HOST_TIME)
			rc = host_str(d, acs_host_fact_key(k), acs_fabric_host_fact(a, k), acs_fabric_host_fact(b, k));
	if (!rc)
		rc = host_str(d, "cpu_vendor", acs_fabric_cpu_vendor(a), acs_fabric_cpu_vendor(b));
	if (!rc)
		rc = host_int(d, "cpu_family", acs_fabric_cpu_family(a), acs_fabric_cpu_family(b), false);
	if (!rc)
		rc = host_int(d, "CONFIG_PCI_P2PDMA", acs_fabric_kernel_p2pdma(a), acs_fabric_kernel_p2pdma(b), true);
	return rc;
}

static int only(acs_diff *d, const acs_fabric *x, const acs_fabric *y, int kind)
{
	char addr[ACS_ADDR_MAX], id[16];

	for (size_t i = 0; i < acs_fabric_count(x); i++) {
		const struct acs_func *fn = acs_fabric_func(x, i);

		if (acs_fabric_find(y, fn->domain, fn->bus, fn->dev, fn->fn))
			continue;
		snprintf(id, sizeof(id), "%04x:%04x", fn->vendor_id, fn->device_id);
		if (!add(d, kind, NULL, acs_func_addr(fn, addr, sizeof(addr)), kind == ACS_DIFFK_REMOVED ? id : NULL,
			 kind == ACS_DIFFK_ADDED ? id : NULL))
			return acs_error_nomem();
	}
	return 0;
}

static int compare_func(acs_diff *d, const acs_fabric *a, const acs_fabric *b, const struct acs_func *fa,
			const struct acs_func *fb)
{
	char addr[ACS_ADDR_MAX], sa[32], sb[32];
	unsigned speed_a, width_a, speed_b, width_b;

	acs_func_addr(fa, addr, sizeof(addr));
	if (fa->vendor_id != fb->vendor_id || fa->device_id != fb->device_id) {
		snprintf(sa, sizeof(sa), "%04x:%04x", fa->vendor_id, fa->device_id);
		snprintf(sb, sizeof(sb), "%04x:%04x", fb->vendor_id, fb->device_id);
		return add(d, ACS_DIFFK_ID, NULL, addr, sa, sb) ? 0 : acs_error_nomem();
	}
	if (!acs_func_acs_known(fa) || !acs_func_acs_known(fb)) {
		/* a port's (or a slot's) ACS that one side could not read */
		if ((fa->is_bridge || fa->multifunction) && add_unknown(d, addr))
			return -1;
	} else if ((fa->acs_pos != 0) != (fb->acs_pos != 0) || fa->acs_ctrl != fb->acs_ctrl) {
		snprintf(sa, sizeof(sa), "%04x", fa->acs_ctrl);
		snprintf(sb, sizeof(sb), "%04x", fb->acs_ctrl);
		if (!add(d, ACS_DIFFK_ACS, NULL, addr, fa->acs_pos ? sa : NULL, fb->acs_pos ? sb : NULL))
			return acs_error_nomem();
	}
	if ((fa->known & fb->known & ACS_KNOWN_DRIVER) &&
	    strcmp(fa->driver ? fa->driver : "-", fb->driver ? fb->driver : "-") &&
	    !add(d, ACS_DIFFK_DRIVER, NULL, addr, fa->driver ? fa->driver : "-", fb->driver ? fb->driver : "-"))
		return acs_error_nomem();
	if (acs_fabric_link(a, acs_fabric_index(a, fa), &speed_a, &width_a) &&
	    acs_fabric_link(b, acs_fabric_index(b, fb), &speed_b, &width_b) &&
	    (speed_a != speed_b || width_a != width_b)) {
		struct item *it;

		snprintf(sa, sizeof(sa), "%s x%u", acs_link_speed_name(speed_a) ? acs_link_speed_name(speed_a) : "?",
			 width_a);
		snprintf(sb, sizeof(sb), "%s x%u", acs_link_speed_name(speed_b) ? acs_link_speed_name(speed_b) : "?",
			 width_b);
		if (!(it = add(d, ACS_DIFFK_LINK, NULL, addr, sa, sb)))
			return acs_error_nomem();
		it->pub.degraded = speed_b < speed_a || width_b < width_a;
	}
	return 0;
}

static const acs_policy *policy_of(const acs_fabric *f, const acs_policy *p)
{
	if (p)
		return p;
	if (acs_fabric_kernel_release(f) && (p = acs_policy_find(acs_fabric_kernel_release(f))))
		return p;
	return acs_policy_default();
}

/* Each common function's group on one side: the kernel's, or predicted
 * (an uncertain one: its function is unknown). */
static int side_groups(acs_diff *d, const acs_fabric *f, const acs_policy *p, const uint32_t *idx, size_t n,
		       int32_t *g)
{
	acs_groups *gr = NULL;
	char addr[ACS_ADDR_MAX];
	int rc = 0;

	if (d->kernel_groups) {
		for (size_t k = 0; k < n; k++)
			g[k] = acs_fabric_kernel_group(f, idx[k]);
		return 0;
	}
	if ((rc = acs_groups_compute(&gr, f, p)))
		return rc;
	for (size_t k = 0; !rc && k < n; k++) {
		size_t id = acs_groups_of(gr, idx[k]);

		g[k] = id == ACS_NO_GROUP ? -1 : (int32_t)id;
		if (id != ACS_NO_GROUP && acs_groups_uncertain(gr, id))
			rc = add_unknown(d, acs_func_addr(acs_fabric_func(f, idx[k]), addr, sizeof(addr)));
	}
	acs_groups_free(gr);
	return rc;
}

/* "3" or "3,7": the distinct groups of the other side */
static char *group_list(const acs_partition_change *c)
{
	size_t cap = c->count * 12 + 2, used = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t k = 0; k < c->count; k++) {
		bool seen = c->other[k] < 0;

		for (size_t j = 0; !seen && j < k; j++)
			seen = c->other[j] == c->other[k];
		if (!seen)
			used += (size_t)snprintf(s + used, cap - used, "%s%d", used ? "," : "", c->other[k]);
	}
	return s;
}

static int compare_groups(acs_diff *d, const acs_fabric *a, const acs_fabric *b, const acs_policy *pa,
			  const acs_policy *pb)
{
	size_t n = 0, na = acs_fabric_count(a);
	uint32_t *ia = malloc((na + 1) * sizeof(*ia)), *ib = malloc((na + 1) * sizeof(*ib));
	int32_t *ga = malloc((na + 1) * sizeof(*ga)), *gb = malloc((na + 1) * sizeof(*gb));
	acs_partition_diff *pd = NULL;
	char addr[ACS_ADDR_MAX];
	int rc = 0;

	if (!ia || !ib || !ga || !gb) {
		rc = acs_error_nomem();
		goto out;
	}
	for (size_t i = 0; i < na; i++) {
		const struct acs_func *fa = acs_fabric_func(a, i);
		const struct acs_func *fb = acs_fabric_find(b, fa->domain, fa->bus, fa->dev, fa->fn);

		if (fb) {
			ia[n] = (uint32_t)i;
			ib[n++] = (uint32_t)acs_fabric_index(b, fb);
		}
	}
	d->kernel_groups = acs_fabric_kernel_groups(a) == ACS_KGROUPS_PRESENT &&
			   acs_fabric_kernel_groups(b) == ACS_KGROUPS_PRESENT;
	if ((rc = side_groups(d, a, policy_of(a, pa), ia, n, ga)) ||
	    (rc = side_groups(d, b, policy_of(b, pb), ib, n, gb)) ||
	    (rc = acs_partition_diff_compute(&pd, ga, gb, n)))
		goto out;
	for (size_t c = 0; c < acs_partition_diff_count(pd); c++) {
		const acs_partition_change *ch = acs_partition_diff_at(pd, c);
		bool split = ch->kind == ACS_PARTITION_SPLIT;
		char own[16], *others = group_list(ch);
		struct item *it;

		snprintf(own, sizeof(own), "%d", ch->group);
		it = others ? add(d, split ? ACS_DIFFK_GROUP_SPLIT : ACS_DIFFK_GROUP_MERGED, NULL,
				  acs_func_addr(acs_fabric_func(a, ia[ch->funcs[0]]), addr, sizeof(addr)),
				  split ? own : others, split ? others : own) : NULL;
		free(others);
		if (!it || !(it->members = calloc(ch->count + 1, sizeof(char *)))) {
			rc = acs_error_nomem();
			goto out;
		}
		for (size_t k = 0; k < ch->count; k++)
			if (!(it->members[k] = acs_strdup(acs_func_addr(acs_fabric_func(a, ia[ch->funcs[k]]), addr,
									sizeof(addr))))) {
				rc = acs_error_nomem();
				goto out;
			}
		it->pub.count = ch->count;
	}
out:
	acs_partition_diff_free(pd);
	free(ia);
	free(ib);
	free(ga);
	free(gb);
	return rc;
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *x = pa, *y = pb;

	if (x->pub.kind != y->pub.kind)
		return x->pub.kind < y->pub.kind ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int acs_diff_compute(acs_diff **out, const acs_fabric *a, const acs_fabric *b, const acs_policy *pa,
		     const acs_policy *pb)
{
	acs_diff *d = calloc(1, sizeof(*d));
	int rc;

	*out = NULL;
	if (!d)
		return acs_error_nomem();
	rc = compare_host(d, a, b);
	if (!rc)
		rc = only(d, a, b, ACS_DIFFK_REMOVED);
	if (!rc)
		rc = only(d, b, a, ACS_DIFFK_ADDED);
	for (size_t i = 0; !rc && i < acs_fabric_count(a); i++) {
		const struct acs_func *fa = acs_fabric_func(a, i);
		const struct acs_func *fb = acs_fabric_find(b, fa->domain, fa->bus, fa->dev, fa->fn);

		if (fb)
			rc = compare_func(d, a, b, fa, fb);
	}
	if (!rc)
		rc = compare_groups(d, a, b, pa, pb);
	if (!rc && d->n) {
		qsort(d->v, d->n, sizeof(*d->v), item_cmp);
		if (!(d->sorted = calloc(d->n, sizeof(*d->sorted))))
			rc = acs_error_nomem();
	}
	for (size_t k = 0; !rc && k < d->n; k++) {
		struct item *it = &d->v[k];

		it->pub.key = it->own[0];
		it->pub.addr = it->own[1];
		it->pub.a = it->own[2];
		it->pub.b = it->own[3];
		it->pub.members = (const char *const *)it->members;
		d->sorted[k] = it->pub;
	}
	if (rc) {
		acs_diff_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

size_t acs_diff_count(const acs_diff *d)
{
	return d->n;
}

const acs_diff_item *acs_diff_at(const acs_diff *d, size_t i)
{
	return i < d->n ? &d->sorted[i] : NULL;
}

bool acs_diff_kernel_groups(const acs_diff *d)
{
	return d->kernel_groups;
}

size_t acs_diff_unknown(const acs_diff *d, const char *const **addrs)
{
	*addrs = (const char *const *)d->unknown;
	return d->nunknown;
}

void acs_diff_free(acs_diff *d)
{
	if (!d)
		return;
	for (size_t k = 0; k < d->n; k++) {
		for (int j = 0; j < 4; j++)
			free(d->v[k].own[j]);
		for (size_t j = 0; d->v[k].members && d->v[k].members[j]; j++)
			free(d->v[k].members[j]);
		free(d->v[k].members);
	}
	free(d->v);
	free(d->sorted);
	for (size_t k = 0; k < d->nunknown; k++)
		free(d->unknown[k]);
	free(d->unknown);
	free(d);
}
