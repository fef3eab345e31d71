/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit looks only where traffic can turn around below the root
 * complex: a switch's internal bus, a multifunction device, a conventional
 * bus. At a switch, every downstream port that does not redirect lets its
 * devices reach the devices of every other port: one finding per port pair
 * whose devices the groups keep apart. Cost: the sum over switches of
 * ports squared, never pairs of functions.
 *
 * What was not read is never taken as safe: a pair is FAIL only when it
 * is proven (the groups differ whatever the unread ports hold, and the
 * route is known to be direct); when the route or the groups depend on
 * unread state the pair is UNKNOWN and names what decides it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct acs_audit {
	acs_finding *v;
	size_t n, cap;
	uint32_t *store;      /* devices and via lists */
	size_t nstore, capstore;
	char **reasons;
	acs_unknown *unknown; /* what the UNKNOWN findings depend on */
	const uint32_t *unknown_list;
	size_t nunknown;
};

struct ctx {
	const acs_fabric *f;
	const acs_policy *hw;
	const int32_t *group;   /* per function */
	int32_t *first_ep;      /* per function: first endpoint at or below it */
	const acs_groups *g;
	bool groups_sure;       /* the groups are read (the kernel's) or given, not predicted */
	acs_unknown *pair;      /* scratch: what one pair depends on */
	acs_audit *out;
};

static uint32_t *store(acs_audit *a, const uint32_t *v, size_t n)
{
	if (a->nstore + n > a->capstore) {
		size_t cap = (a->capstore + n) * 2;
		uint32_t *s = realloc(a->store, cap * sizeof(*s));

		if (!s)
			return NULL;
		/* fix the lists already pointing into the old block */
		for (size_t i = 0; i < a->n; i++) {
			a->v[i].devices = s + (a->v[i].devices - a->store);
			a->v[i].via = s + (a->v[i].via - a->store);
		}
		a->store = s;
		a->capstore = cap;
	}
	memcpy(a->store + a->nstore, v, n * sizeof(*v));
	a->nstore += n;
	return a->store + a->nstore - n;
}

static int add(acs_audit *a, int kind, const uint32_t *dev, size_t ndev,
	       const uint32_t *via, size_t nvia, const char *reason)
{
	acs_finding *fd;
	char *r;
	uint32_t *d, *v;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		acs_finding *nv = realloc(a->v, cap * sizeof(*nv));
		char **nr = realloc(a->reasons, cap * sizeof(*nr));

		if (nv)
			a->v = nv;
		if (nr)
			a->reasons = nr;
		if (!nv || !nr)
			return acs_error_nomem();
		a->cap = cap;
	}
	d = store(a, dev, ndev);
	v = d ? store(a, via, nvia) : NULL;
	r = acs_strdup(reason);
	if (!d || !v || !r) {
		free(r);
		return acs_error_nomem();
	}
	d = v - ndev;   /* store() may have moved the block */
	fd = &a->v[a->n];
	fd->kind = kind;
	fd->devices = d;
	fd->ndevices = ndev;
	fd->via = v;
	fd->nvia = nvia;
	fd->reason = r;
	a->reasons[a->n++] = r;
	return 0;
}

/* For every function, the first endpoint (in address order) at or below
 * it. Each climb stops where an earlier endpoint already left its mark, so
 * this is linear in the fabric. */
static void first_endpoints(const acs_fabric *f, int32_t *first_ep)
{
	size_t n = acs_fabric_count(f);

	for (size_t i = 0; i < n; i++)
		first_ep[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *p = acs_fabric_func(f, i);

		if (!acs_func_is_peer(p))
			continue;
		for (; p && first_ep[acs_fabric_index(f, p)] < 0; p = acs_fabric_parent(f, p))
			first_ep[acs_fabric_index(f, p)] = (int32_t)i;
	}
}

static int bits_text(uint16_t missing, char *buf, size_t size)
{
	return snprintf(buf, size, "%s%s%s", missing & ACS_RR ? "ReqRedir " : "",
			missing & ACS_CR ? "CmpltRedir " : "", missing & ACS_EC ? "EgressCtrl " : "");
}

/* Whether a and b might be in different groups though the prediction
 * joins them: it took unread ports as not isolating. */
static bool maybe_apart(const struct ctx *c, size_t a, size_t b)
{
	if (c->group[a] != c->group[b])
		return true;
	return !c->groups_sure && acs_groups_uncertain(c->g, (size_t)c->group[a]);
}

/* The verdict on a route from a to b: ACS_FINDING_UNSAFE when proven (the
 * groups differ whatever the unread ports hold, the route is known to be
 * direct), ACS_FINDING_UNKNOWN when either depends on state not read
 * (c->pair then holds it), 0 when safe. */
static int verdict(struct ctx *c, size_t a, size_t b, const struct acs_reach *r)
{
	int q = ACS_UNKNOWN_REACH | (c->groups_sure ? 0 : ACS_UNKNOWN_GROUP);
	bool apart = c->group[a] != c->group[b];

	if (!r->direct || !maybe_apart(c, a, b))
		return 0;
	if (apart && !r->unknown)
		return ACS_FINDING_UNSAFE;
	acs_unknown_clear(c->pair);
	/* nothing unread on their paths: the prediction joins them in every case */
	if (!acs_unknown_add(c->pair, q, a, b) && !r->unknown)
		return 0;
	acs_unknown_add(c->out->unknown, q, a, b);
	return ACS_FINDING_UNKNOWN;
}

static int add_unknown(struct ctx *c, size_t a, size_t b, const char *why)
{
	const uint32_t *via;
	size_t nvia = acs_unknown_list(c->pair, &via);
	uint32_t dev[2] = { (uint32_t)a, (uint32_t)b };

	return add(c->out, ACS_FINDING_UNKNOWN, dev, 2, via, nvia, why);
}

/* One switch: each port that lets requests across, against each other
 * port whose devices sit in other groups. */
static int audit_switch(struct ctx *c, const struct acs_func *usp)
{
	size_t first, n = acs_fabric_children(c->f, usp, &first);
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		const struct acs_func *x = acs_fabric_func(c->f, first + i);
		long ex = c->first_ep[first + i];

		if (ex < 0)
			continue;
		for (size_t j = 0; !rc && j < n; j++) {
			const struct acs_func *y = acs_fabric_func(c->f, first + j);
			long ey = j == i ? -1 : c->first_ep[first + j];
			struct acs_reach r;
			char why[300], bits[64], xa[ACS_ADDR_MAX], ua[ACS_ADDR_MAX], ya[ACS_ADDR_MAX];

			int v;

			if (ey < 0 || !maybe_apart(c, (size_t)ex, (size_t)ey))
				continue;
			acs_route_reach(c->f, c->hw, (size_t)ex, (size_t)ey, &r);
			v = verdict(c, (size_t)ex, (size_t)ey, &r);
			if (v == ACS_FINDING_UNKNOWN) {
				snprintf(why, sizeof(why),
					 "whether requests from below %s cross %s to the devices below %s without the IOMMU%s depends on state that was not read",
					 acs_func_addr(x, xa, sizeof(xa)), acs_func_addr(usp, ua, sizeof(ua)),
					 acs_func_addr(y, ya, sizeof(ya)),
					 c->group[ex] == c->group[ey] ? ", and whether the kernel keeps them in different groups," : "");
				rc = add_unknown(c, (size_t)ex, (size_t)ey, why);
				continue;
			}
			if (v != ACS_FINDING_UNSAFE)
				continue;
			bits_text(r.missing ? r.missing : ACS_RR, bits, sizeof(bits));
			snprintf(why, sizeof(why),
				 "%s lacks %sso requests from below it cross switch %s to the devices below %s without the IOMMU, though they are in different groups",
				 acs_func_addr(x, xa, sizeof(xa)), bits,
				 acs_func_addr(usp, ua, sizeof(ua)), acs_func_addr(y, ya, sizeof(ya)));
			{
				uint32_t dev[2] = { (uint32_t)ex, (uint32_t)ey };
				uint32_t via[3] = { (uint32_t)(first + i), (uint32_t)acs_fabric_index(c->f, usp),
						    (uint32_t)(first + j) };

				rc = add(c->out, ACS_FINDING_UNSAFE, dev, 2, via, 3, why);
			}
		}
	}
	return rc;
}

/* Functions of one device (incl. VFs of a PF) in different groups that
 * reach each other inside it. */
static int audit_device(struct ctx *c, size_t i)
{
	const struct acs_func *x = acs_fabric_func(c->f, i);
	int rc = 0;

	for (size_t j = i + 1; !rc && j < acs_fabric_count(c->f); j++) {
		const struct acs_func *y = acs_fabric_func(c->f, j);
		struct acs_reach r, back;
		int v;

		if (y->domain != x->domain || y->bus != x->bus || y->dev != x->dev)
			break;
		if (!acs_func_is_peer(x) || !acs_func_is_peer(y) || !maybe_apart(c, i, j))
			continue;
		acs_route_reach(c->f, c->hw, i, j, &r);
		acs_route_reach(c->f, c->hw, j, i, &back);
		/* one proven direction is enough; else the unknown one */
		if ((back.direct && !back.unknown) || !r.direct)
			r = back;
		v = verdict(c, i, j, &r);
		if (v == ACS_FINDING_UNKNOWN) {
			rc = add_unknown(c, i, j, "whether these functions of one device reach each other inside it, or share a group, depends on state that was not read");
		} else if (v == ACS_FINDING_UNSAFE) {
			uint32_t dev[2] = { (uint32_t)i, (uint32_t)j }, via[1] = { (uint32_t)r.ingress };

			rc = add(c->out, ACS_FINDING_UNSAFE, dev, 2, via, 1, r.why);
		}
	}
	return rc;
}

/* Live input or a snapshot: groups the kernel split that the ACS it has
 * now would merge. The ACS changed after the groups were made (setpci). */
static int audit_stale(struct ctx *c, const acs_groups *g)
{
	acs_group_check *chk = NULL;
	int rc = acs_groups_check(&chk, g, c->f);

	for (size_t i = 0; !rc && i < acs_group_check_count(chk); i++) {
		const acs_group_diff *d = acs_group_check_at(chk, i);

		if (d->kind != ACS_DIFF_KERNEL_SPLITS)
			continue;
		/* the prediction took unread ports as not isolating; the
		 * kernel read them */
		acs_unknown_clear(c->pair);
		for (size_t k = 0; k < d->count; k++)
			acs_unknown_add(c->pair, ACS_UNKNOWN_GROUP, d->funcs[k], -1);
		if (acs_unknown_count(c->pair)) {
			const uint32_t *via;
			size_t nvia = acs_unknown_list(c->pair, &via);

			for (size_t k = 0; k < d->count; k++)
				acs_unknown_add(c->out->unknown, ACS_UNKNOWN_GROUP, d->funcs[k], -1);
			rc = add(c->out, ACS_FINDING_UNKNOWN, d->funcs, d->count, via, nvia,
				 "the kernel split these devices, which the prediction joins only because it takes unread ACS state as not isolating: whether the ACS they have now still isolates them is unknown");
			continue;
		}
		rc = add(c->out, ACS_FINDING_UNSAFE, d->funcs, d->count, d->funcs, 0,
			 "the ACS control these devices have now groups them together, but the kernel's groups were built on other values: ACS changed after boot (setpci?); remove and rescan them, or reboot");
	}
	acs_group_check_free(chk);
	return rc;
}

/* One group whose endpoints cannot reach each other at all. */
static int audit_conservative(struct ctx *c, const acs_groups *g)
{
	int rc = 0;

	for (size_t id = 0; !rc && id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m), np = 0;
		uint32_t eps[64];
		bool any = false;

		for (size_t k = 0; k < n && np < 64; k++)
			if (acs_func_is_peer(acs_fabric_func(c->f, m[k])))
				eps[np++] = m[k];
		/* an uncertain group may be smaller than the prediction */
		if (np < 2 || np == 64 || (!c->groups_sure && acs_groups_uncertain(g, id)))
			continue;
		for (size_t a = 0; a < np && !any; a++)
			for (size_t b = 0; b < np && !any; b++) {
				struct acs_reach r;

				if (a == b)
					continue;
				acs_route_reach(c->f, c->hw, eps[a], eps[b], &r);
				any = r.direct;   /* an unread route counts as reaching */
			}
		if (!any) {
			char why[160];

			snprintf(why, sizeof(why),
				 "group %zu: no endpoint in it can reach another without the IOMMU; the kernel groups them by its port rules",
				 id);
			rc = add(c->out, ACS_FINDING_CONSERVATIVE, eps, np, eps, 0, why);
		}
	}
	return rc;
}

/* A bridge whose bus may join ports that let requests across: a switch,
 * or one whose type was not read (it may be one). */
static bool maybe_switch(const struct acs_func *fn)
{
	return fn->pcie_type == ACS_PCIE_UPSTREAM || (fn->is_bridge && !(fn->known & ACS_KNOWN_CAPS));
}

static int walk(struct ctx *c, const acs_groups *g, bool stale)
{
	const acs_fabric *f = c->f;
	int rc = 0;

	for (size_t i = 0; !rc && i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		if (maybe_switch(fn))
			rc = audit_switch(c, fn);
		if (!rc && (i == 0 || acs_fabric_func(f, i - 1)->dev != fn->dev ||
			    acs_fabric_func(f, i - 1)->bus != fn->bus))
			rc = audit_device(c, i);
	}
	if (!rc && stale)
		rc = audit_stale(c, g);
	if (!rc)
		rc = audit_conservative(c, g);
	if (!rc)
		c->out->nunknown = acs_unknown_list(c->out->unknown, &c->out->unknown_list);
	return rc;
}

/* The audit against the groups g (the kernel's own where the source has
 * them); predicted: g is the ACS prediction, so also the groups the kernel
 * built on other ACS values, and the unread ports its groups depend on. */
static int run(acs_audit **out, const acs_fabric *f, const acs_groups *g, const acs_policy *hw, bool predicted)
{
	size_t n = acs_fabric_count(f);
	acs_audit *a = calloc(1, sizeof(*a));
	int32_t *group = malloc((n + 1) * sizeof(*group));
	int32_t *first_ep = malloc((n + 1) * sizeof(*first_ep));
	bool kernel = acs_fabric_kernel_groups(f) == ACS_KGROUPS_PRESENT;
	struct ctx c = { f, hw, group, first_ep, g, kernel || !predicted, NULL, a };
	int rc;

	*out = NULL;
	rc = a && group && first_ep ? 0 : acs_error_nomem();
	if (!rc)
		rc = acs_unknown_new(&a->unknown, f, hw);
	if (!rc)
		rc = acs_unknown_new(&c.pair, f, hw);
	if (!rc) {
		first_endpoints(f, first_ep);
		for (size_t i = 0; i < n; i++)
			group[i] = kernel ? acs_fabric_kernel_group(f, i) : (int32_t)acs_groups_of(g, i);
		rc = walk(&c, g, kernel && predicted);
	}
	acs_unknown_free(c.pair);
	free(group);
	free(first_ep);
	if (rc) {
		acs_audit_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int acs_audit_run(acs_audit **out, const acs_fabric *f, const acs_policy *gp,
		  const acs_policy *hw)
{
	acs_groups *g = NULL;
	int rc = acs_groups_compute(&g, f, gp);

	*out = NULL;
	if (!rc)
		rc = run(out, f, g, hw, true);
	acs_groups_free(g);
	return rc;
}

int acs_audit_run_groups(acs_audit **out, const acs_fabric *f, const acs_groups *groups,
			 const acs_policy *hw)
{
	return run(out, f, groups, hw, false);
}

size_t acs_audit_count(const acs_audit *a)
{
	return a->n;
}

size_t acs_audit_unknown(const acs_audit *a, const uint32_t **ports)
{
	*ports = a->unknown_list;
	return a->nunknown;
}

const acs_finding *acs_audit_at(const acs_audit *a, size_t i)
{
	return i < a->n ? &a->v[i] : NULL;
}

void acs_audit_free(acs_audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->reasons[i]);
	free(a->reasons);
	free(a->v);
	free(a->store);
	acs_unknown_free(a->unknown);
	free(a);
}
