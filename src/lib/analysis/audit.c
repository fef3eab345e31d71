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
 *
 * Then the proven findings are put the way someone fixing them needs
 * them (build_issues): one issue per unordered pair of groups and the
 * place where they meet, and one site per place. A route that crosses a
 * switch at port X to port Y carries every group below X to every group
 * below Y: only X's ACS decides, whatever lies deeper. The fix is the one
 * the planner finds for the two groups as tenants, without its search:
 * a route turns where it meets, so nothing but the ACS of the port it
 * enters by can stop it (ReqRedir, the cheapest bit that does), and
 * setting bits never joins groups. Each fix is checked on the fabric with
 * every change made (one copy, whatever the number of issues); a port
 * where that does not stop the route, or without ACS, cannot be fixed,
 * and its groups are to be assigned together. test_audit checks the fix
 * against acs_plan_compute() on every capture.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* What the issues need of an UNSAFE finding on a route. */
struct route_meta {
	int meet;             /* enum acs_meet_kind; 0: none */
	long meets_at;
	uint32_t side[2];     /* switch: the ports below it, the requester's first;
			       * device: the two functions */
	size_t ndir;          /* proven directions: */
	uint32_t from[2], to[2];  /* requester and target of each */
	uint32_t ingress[2];  /* the function whose ACS lets each across */
	uint16_t missing[2];  /* acs_reach.missing of each */
};

struct acs_audit {
	acs_finding *v;
	struct route_meta *meta;  /* per finding */
	size_t n, cap;
	uint32_t *store;      /* devices and via lists */
	size_t nstore, capstore;
	acs_unknown *unknown; /* what the UNKNOWN findings depend on */
	const uint32_t *unknown_list;
	size_t nunknown;
	acs_audit_issue *issues;
	size_t nissues;
	acs_audit_site *sites;
	size_t nsites;
	void **blocks;        /* what findings, issues and sites point into */
	size_t nblocks, capblocks;
	char *chunk;          /* the newest chunk's free part (keep()) */
	size_t chunk_left;
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
	const uint8_t *scope;   /* NULL, or the places to look at; then the
				 * routes' findings alone (acs_audit_run_scoped()) */
	bool findings_only;     /* no issues or sites (acs_audit_run_findings()) */
};

static void *keep(acs_audit *a, size_t size);

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
		struct route_meta *nm = realloc(a->meta, cap * sizeof(*nm));

		if (nv)
			a->v = nv;
		if (nm)
			a->meta = nm;
		if (!nv || !nm)
			return acs_error_nomem();
		a->cap = cap;
	}
	memset(&a->meta[a->n], 0, sizeof(a->meta[a->n]));
	d = store(a, dev, ndev);
	v = d ? store(a, via, nvia) : NULL;
	r = d && v ? keep(a, strlen(reason) + 1) : NULL;
	if (!r)
		return acs_error_nomem();
	strcpy(r, reason);
	d = v - ndev;   /* store() may have moved the block */
	fd = &a->v[a->n];
	fd->kind = kind;
	fd->devices = d;
	fd->ndevices = ndev;
	fd->via = v;
	fd->nvia = nvia;
	fd->reason = r;
	a->n++;
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

/* The redirect and egress bits of missing, each named and followed by a
 * space: a table, not printf, as it is written for every finding. */
static const char *bits_text(uint16_t missing)
{
	static const char *const text[8] = {
		"", "ReqRedir ", "CmpltRedir ", "ReqRedir CmpltRedir ", "EgressCtrl ", "ReqRedir EgressCtrl ",
		"CmpltRedir EgressCtrl ", "ReqRedir CmpltRedir EgressCtrl ",
	};

	return text[(missing & ACS_RR ? 1 : 0) | (missing & ACS_CR ? 2 : 0) | (missing & ACS_EC ? 4 : 0)];
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

/* s at p; the end. The caller sizes the buffer. */
static char *cat(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
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
			char why[300], xa[ACS_ADDR_MAX], ua[ACS_ADDR_MAX], ya[ACS_ADDR_MAX];

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
			/* "X lacks BITS so requests from below it cross switch U to
			 * the devices below Y ...": pieces joined, as snprintf would
			 * (a 64-port switch has 4032 of these) */
			*cat(cat(cat(cat(cat(cat(cat(why, acs_func_addr(x, xa, sizeof(xa))), " lacks "),
					       bits_text(r.missing ? r.missing : ACS_RR)),
					 "so requests from below it cross switch "), acs_func_addr(usp, ua, sizeof(ua))),
				 " to the devices below "), acs_func_addr(y, ya, sizeof(ya))) = '\0';
			strcat(why, " without the IOMMU, though they are in different groups");
			{
				uint32_t dev[2] = { (uint32_t)ex, (uint32_t)ey };
				uint32_t via[3] = { (uint32_t)(first + i), (uint32_t)acs_fabric_index(c->f, usp),
						    (uint32_t)(first + j) };

				rc = add(c->out, ACS_FINDING_UNSAFE, dev, 2, via, 3, why);
				if (!rc) {
					struct route_meta *m = &c->out->meta[c->out->n - 1];

					m->meet = ACS_MEET_SWITCH;
					m->meets_at = (long)acs_fabric_index(c->f, usp);
					m->side[0] = (uint32_t)(first + i);
					m->side[1] = (uint32_t)(first + j);
					m->ndir = 1;
					m->from[0] = (uint32_t)ex;
					m->to[0] = (uint32_t)ey;
					m->ingress[0] = (uint32_t)r.ingress;
					m->missing[0] = r.missing;
				}
			}
		}
	}
	return rc;
}

static bool same_slot(const struct acs_func *x, const struct acs_func *y)
{
	return y->domain == x->domain && y->bus == x->bus && y->dev == x->dev;
}

/* Where a function's side of a device route is judged: itself where it
 * is a peer, else (a root port or bridge among the device's functions)
 * the first endpoint below it, standing for every group below it as in
 * a switch; -1 where nothing is below. */
static long side_endpoint(const struct ctx *c, size_t i)
{
	return acs_func_is_peer(acs_fabric_func(c->f, i)) ? (long)i : c->first_ep[i];
}

static int device_route(struct ctx *c, size_t first, size_t i, size_t j)
{
	long ei = side_endpoint(c, i), ej = side_endpoint(c, j);
	bool below = ei != (long)i || ej != (long)j;
	struct acs_reach r, back, fwd;
	const struct acs_reach *dir[2] = { &fwd, &back };
	uint32_t dev[2], via[1];
	struct route_meta *m;
	int v, rc;

	if (ei < 0 || ej < 0 || !maybe_apart(c, (size_t)ei, (size_t)ej))
		return 0;
	acs_route_reach(c->f, c->hw, (size_t)ei, (size_t)ej, &r);
	acs_route_reach(c->f, c->hw, (size_t)ej, (size_t)ei, &back);
	fwd = r;
	/* one proven direction is enough; else the unknown one */
	if ((back.direct && !back.unknown) || !r.direct)
		r = back;
	v = verdict(c, (size_t)ei, (size_t)ej, &r);
	if (v == ACS_FINDING_UNKNOWN)
		return add_unknown(c, (size_t)ei, (size_t)ej, below ?
				   "whether the devices below these functions of one device reach each other through it, or share a group, depends on state that was not read" :
				   "whether these functions of one device reach each other inside it, or share a group, depends on state that was not read");
	if (v != ACS_FINDING_UNSAFE)
		return 0;
	dev[0] = (uint32_t)ei;
	dev[1] = (uint32_t)ej;
	via[0] = (uint32_t)r.ingress;
	rc = add(c->out, ACS_FINDING_UNSAFE, dev, 2, via, 1, r.why);
	if (rc)
		return rc;
	m = &c->out->meta[c->out->n - 1];
	m->meet = ACS_MEET_DEVICE;
	m->meets_at = (long)first;
	m->side[0] = (uint32_t)i;
	m->side[1] = (uint32_t)j;
	/* the fix must close each proven way */
	for (int t = 0; t < 2; t++) {
		if (!dir[t]->direct || dir[t]->unknown || dir[t]->ingress < 0)
			continue;
		m->from[m->ndir] = (uint32_t)(t ? ej : ei);
		m->to[m->ndir] = (uint32_t)(t ? ei : ej);
		m->ingress[m->ndir] = (uint32_t)dir[t]->ingress;
		m->missing[m->ndir++] = dir[t]->missing;
	}
	return 0;
}

/* Functions of one device (incl. VFs of a PF) in different groups that
 * reach each other inside it: every pair, from the device's first
 * function `first`. Where functions are root ports or bridges (a slot of
 * root ports), the devices below them reach each other through the
 * device the same way: the kernel, too, puts functions without ACS in
 * one group (get_pci_function_alias_group()). */
static int audit_device(struct ctx *c, size_t first)
{
	const struct acs_func *d = acs_fabric_func(c->f, first);
	size_t n = acs_fabric_count(c->f);
	int rc = 0;

	for (size_t i = first; !rc && i < n && same_slot(d, acs_fabric_func(c->f, i)); i++)
		for (size_t j = i + 1; !rc && j < n && same_slot(d, acs_fabric_func(c->f, j)); j++)
			rc = device_route(c, first, i, j);
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
		if (!rc)
			c->out->meta[c->out->n - 1].meet = ACS_MEET_STALE;
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

/* --- issues and sites: the proven findings as someone fixing them needs them --- */

/* A fabric of 64-port switches has hundreds of thousands of issues, each
 * a handful of small lists: they are cut from chunks rather than each
 * allocated (and freed) on its own. */
#define KEEP_CHUNK (256u * 1024)
#define KEEP_ALIGN 16u

static void *keep_block(acs_audit *a, size_t size)
{
	void *p;

	if (a->nblocks == a->capblocks) {
		size_t cap = a->capblocks ? a->capblocks * 2 : 64;
		void **nb = realloc(a->blocks, cap * sizeof(*nb));

		if (!nb)
			return NULL;
		a->blocks = nb;
		a->capblocks = cap;
	}
	p = calloc(1, size ? size : 1);
	if (p)
		a->blocks[a->nblocks++] = p;
	return p;
}

/* size bytes, zeroed, kept until the audit is freed; NULL out of memory. */
static void *keep(acs_audit *a, size_t size)
{
	void *p;

	size = (size + KEEP_ALIGN - 1) / KEEP_ALIGN * KEEP_ALIGN;
	if (size > KEEP_CHUNK / 8)
		return keep_block(a, size);
	if (size > a->chunk_left) {
		a->chunk = keep_block(a, KEEP_CHUNK);
		a->chunk_left = a->chunk ? KEEP_CHUNK : 0;
		if (!a->chunk)
			return NULL;
	}
	p = a->chunk;
	a->chunk += size;
	a->chunk_left -= size;
	return p;
}

/* A growable string; failed once out of memory. */
struct sbuf {
	char *s;
	size_t n, cap;
	bool failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) ACS_PRINTF(2, 3);
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (b->failed)
		return;
	/* most pieces fit what is left: one pass */
	va_start(ap, fmt);
	len = vsnprintf(b->cap ? b->s + b->n : NULL, b->cap - b->n, fmt, ap);
	va_end(ap);
	if (len >= 0 && b->n + (size_t)len < b->cap) {
		b->n += (size_t)len;
		return;
	}
	if (len >= 0 && b->n + (size_t)len + 1 > b->cap) {
		size_t cap = (b->n + (size_t)len + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s)
			len = -1;
		else
			b->s = s, b->cap = cap;
	}
	if (len < 0) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

/* v in decimal, as %u writes it, into buf (16 bytes); returns buf. */
static const char *u32_text(uint32_t v, char *buf)
{
	char tmp[16];
	size_t n = 0, k = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return buf;
}

/* s appended as it is: no format to read. */
static void sb_puts(struct sbuf *b, const char *s)
{
	size_t len = strlen(s);

	if (b->failed)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = (b->n + len + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns) {
			b->failed = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, len + 1);
	b->n += len;
}

/* The string, kept by the audit; NULL out of memory. */
static const char *sb_keep(acs_audit *a, struct sbuf *b)
{
	char *s = b->failed ? NULL : keep(a, b->n + 1);

	if (s && b->s)
		memcpy(s, b->s, b->n + 1);
	free(b->s);
	b->s = NULL;
	return s;
}

static const struct {
	uint16_t bit;
	const char *name;
} bit_names[] = {
	{ ACS_SV, "SrcValid" }, { ACS_TB, "TransBlk" }, { ACS_RR, "ReqRedir" }, { ACS_CR, "CmpltRedir" },
	{ ACS_UF, "UpstreamFwd" }, { ACS_EC, "EgressCtrl" }, { ACS_DT, "DirectTrans" },
};

/* Members of every group: function indices by group, then address. */
struct members {
	uint64_t *key;        /* group << 32 | index, sorted */
	size_t n;
};

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Sorts v[0..n-1] and drops repeats; the new count. */
static size_t uniq_u32(uint32_t *v, size_t n)
{
	size_t m = 0;

	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!m || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

static int members_build(struct members *m, const struct ctx *c)
{
	size_t n = acs_fabric_count(c->f);

	m->n = 0;
	m->key = malloc((n + 1) * sizeof(*m->key));
	if (!m->key)
		return acs_error_nomem();
	for (size_t i = 0; i < n; i++)
		if (c->group[i] >= 0)
			m->key[m->n++] = (uint64_t)(uint32_t)c->group[i] << 32 | i;
	qsort(m->key, m->n, sizeof(*m->key), cmp_u64);
	return 0;
}

/* Group g's members: the first at *start, the number returned. */
static size_t members_of(const struct members *m, uint32_t g, size_t *start)
{
	size_t lo = 0, hi = m->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->key[mid] >> 32 < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < m->n && m->key[end] >> 32 == g; end++)
		;
	*start = lo;
	return end - lo;
}

/* The groups of the endpoints below each port asked for (cached). */
struct below {
	int64_t *at;          /* per function: offset into pool, -1 not yet */
	uint32_t *count;
	uint32_t *pool;
	size_t npool, cappool;
	uint32_t *stack;      /* scratch: child runs to visit */
};

static int below_init(struct below *b, const acs_fabric *f)
{
	size_t n = acs_fabric_count(f);

	memset(b, 0, sizeof(*b));
	b->at = malloc((n + 1) * sizeof(*b->at));
	b->count = calloc(n + 1, sizeof(*b->count));
	b->stack = malloc((2 * n + 2) * sizeof(*b->stack));
	if (!b->at || !b->count || !b->stack)
		return acs_error_nomem();
	for (size_t i = 0; i < n; i++)
		b->at[i] = -1;
	return 0;
}

static void below_free(struct below *b)
{
	free(b->at);
	free(b->count);
	free(b->pool);
	free(b->stack);
}

static int below_push(struct below *b, uint32_t g)
{
	if (b->npool == b->cappool) {
		size_t cap = b->cappool ? b->cappool * 2 : 256;
		uint32_t *p = realloc(b->pool, cap * sizeof(*p));

		if (!p)
			return acs_error_nomem();
		b->pool = p;
		b->cappool = cap;
	}
	b->pool[b->npool++] = g;
	return 0;
}

/* The groups of the endpoints at or below port, ascending, each once. */
static int groups_below(const struct ctx *c, struct below *b, uint32_t port, const uint32_t **out, size_t *nout)
{
	size_t start = b->npool, sp = 0;
	int rc = 0;

	if (b->at[port] >= 0) {
		*out = b->pool + b->at[port];
		*nout = b->count[port];
		return 0;
	}
	b->stack[sp++] = port;
	b->stack[sp++] = 1;
	while (!rc && sp) {
		size_t cnt = b->stack[--sp], first = b->stack[--sp];

		for (size_t k = 0; !rc && k < cnt; k++) {
			const struct acs_func *fn = acs_fabric_func(c->f, first + k);
			size_t cf, cn = acs_fabric_children(c->f, fn, &cf);

			if (acs_func_is_peer(fn) && c->group[first + k] >= 0)
				rc = below_push(b, (uint32_t)c->group[first + k]);
			if (cn) {
				b->stack[sp++] = (uint32_t)cf;
				b->stack[sp++] = (uint32_t)cn;
			}
		}
	}
	if (rc)
		return rc;
	b->npool = start + uniq_u32(b->pool + start, b->npool - start);
	b->at[port] = (int64_t)start;
	b->count[port] = (uint32_t)(b->npool - start);
	*out = b->pool + start;
	*nout = b->count[port];
	return 0;
}

/* One (route, pair of groups): an issue is the records of one pair and place. */
struct rec {
	int meet;
	long meets_at;
	uint32_t lo, hi;      /* the groups */
	uint32_t route;       /* finding index */
	uint32_t port_lo, port_hi;  /* switch: the ports the groups hang below */
};

/* Whether two records are of one issue: one pair of groups, one place. */
static bool same_issue(const struct rec *a, const struct rec *b)
{
	return a->meet == b->meet && a->meets_at == b->meets_at && a->lo == b->lo && a->hi == b->hi;
}

static long place_key(int meet, long at)
{
	/* address order, stale places last */
	return meet == ACS_MEET_STALE ? LONG_MAX : at;
}

static int cmp_rec(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;
	long ka = place_key(a->meet, a->meets_at), kb = place_key(b->meet, b->meets_at);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (a->meet != b->meet)
		return a->meet - b->meet;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return a->route < b->route ? -1 : a->route > b->route;
}

struct recs {
	struct rec *v;
	size_t n, cap;
};

static int rec_add(struct recs *r, const struct rec *x)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct rec *nv = realloc(r->v, cap * sizeof(*nv));

		if (!nv)
			return acs_error_nomem();
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n++] = *x;
	return 0;
}

/* The port's ACS short of isolation: what the kernel requires (all four
 * on a port, pci_acs_enabled(); RR and CR in a device) that its capability
 * has and its control lacks, and whatever the route found missing. */
static acs_audit_missing missing_of(const acs_fabric *f, uint32_t port, int meet, uint16_t route_missing)
{
	const struct acs_func *fn = acs_fabric_func(f, port);
	bool is_port = fn->pcie_type == ACS_PCIE_ROOT_PORT || fn->pcie_type == ACS_PCIE_DOWNSTREAM;
	uint16_t need = meet == ACS_MEET_DEVICE && !is_port ? (ACS_RR | ACS_CR) : ACS_REQ_FLAGS;
	acs_audit_missing m = { port, need, fn->acs_pos != 0 };

	if (fn->acs_pos)
		m.bits = (uint16_t)((need & fn->acs_cap & ~fn->acs_ctrl) | route_missing);
	return m;
}

/* What a port takes to stop the routes through it: ReqRedir, where its
 * capability has it (0: no ACS setting helps). */
static uint16_t fix_bits(const struct acs_func *fn)
{
	return fn->acs_pos ? (uint16_t)(ACS_RR & fn->acs_cap & ~fn->acs_ctrl) : 0;
}

enum { PORT_NONE, PORT_FIXABLE, PORT_UNFIXABLE };

/* Every port the proven routes enter by: which ACS setting stops them,
 * checked on one fabric with every change made. */
static int check_fixes(struct ctx *c, uint8_t *state)
{
	acs_audit *a = c->out;
	size_t n = acs_fabric_count(c->f), nch = 0;
	struct acs_ctrl_change *ch = malloc((n + 1) * sizeof(*ch));
	acs_fabric *after = NULL;
	int rc = 0;

	if (!ch)
		return acs_error_nomem();
	for (size_t k = 0; k < a->n; k++)
		for (size_t t = 0; t < a->meta[k].ndir; t++) {
			uint32_t p = a->meta[k].ingress[t];
			uint16_t add;

			if (state[p] != PORT_NONE)
				continue;
			add = fix_bits(acs_fabric_func(c->f, p));
			state[p] = add ? PORT_FIXABLE : PORT_UNFIXABLE;
			if (add)
				ch[nch++] = (struct acs_ctrl_change){ p, (uint16_t)(acs_fabric_func(c->f, p)->acs_ctrl | add) };
		}
	/* a view: only the changed ports' control words differ */
	if (nch)
		rc = acs_fabric__view_with_acs_ctrl(&after, c->f, ch, nch);
	for (size_t k = 0; !rc && nch && k < a->n; k++)
		for (size_t t = 0; t < a->meta[k].ndir; t++) {
			const struct route_meta *m = &a->meta[k];
			struct acs_reach r;

			if (state[m->ingress[t]] != PORT_FIXABLE)
				continue;
			acs_route_reach(after, c->hw, m->from[t], m->to[t], &r);
			/* a quirk may hold a port open whatever its ACS says */
			if (r.direct)
				state[m->ingress[t]] = PORT_UNFIXABLE;
		}
	acs_fabric_free(after);
	free(ch);
	return rc;
}

/* fix->config_acs from its changes, where the kernel takes it. */
static int fix_config_acs(const struct ctx *c, acs_audit_fix *fix)
{
	struct sbuf b = { 0 };
	char addr[ACS_ADDR_MAX];

	if (!fix->nchanges || !acs_policy_has_config_acs(c->hw))
		return 0;
	sb_printf(&b, "pci=config_acs=");
	for (size_t i = 0; i < fix->nchanges; i++) {
		char flags[8];

		for (int bit = 6; bit >= 0; bit--)
			flags[6 - bit] = fix->changes[i].ctrl & (1u << bit) ? '1' : '0';
		flags[7] = '\0';
		sb_printf(&b, "%s%s@%s", i ? ";" : "", flags,
			  acs_func_addr(acs_fabric_func(c->f, fix->changes[i].index), addr, sizeof(addr)));
	}
	fix->config_acs = sb_keep(c->out, &b);
	return fix->config_acs ? 0 : acs_error_nomem();
}

/* The changes for ports p[0..n-1] (each fixable), in address order. */
static int fix_changes(const struct ctx *c, acs_audit_fix *fix, const uint32_t *p, size_t n)
{
	struct acs_ctrl_change *ch = keep(c->out, n * sizeof(*ch));

	if (!ch)
		return acs_error_nomem();
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(c->f, p[i]);

		ch[i] = (struct acs_ctrl_change){ p[i], (uint16_t)(fn->acs_ctrl | fix_bits(fn)) };
	}
	fix->changes = ch;
	fix->nchanges = n;
	return fix_config_acs(c, fix);
}

static void sb_missing(struct sbuf *b, const acs_fabric *f, const acs_audit_missing *m)
{
	char addr[ACS_ADDR_MAX];

	sb_puts(b, acs_func_addr(acs_fabric_func(f, m->port), addr, sizeof(addr)));
	if (!m->capability) {
		sb_puts(b, " has no ACS");
		return;
	}
	sb_puts(b, " lacks");
	for (size_t i = 0; i < sizeof(bit_names) / sizeof(bit_names[0]); i++)
		if (m->bits & bit_names[i].bit) {
			sb_puts(b, " ");
			sb_puts(b, bit_names[i].name);
		}
	if (!m->bits)
		sb_puts(b, " nothing, yet does not redirect (a quirk of the device)");
}

/* Issue is's reason, one sentence. from: -1 both ways, else the index in
 * is->groups of the group whose requests cross. */
static const char *issue_reason(const struct ctx *c, const acs_audit_issue *is, int from)
{
	struct sbuf b = { 0 };
	char at[32];

	if (is->meets_kind == ACS_MEET_SWITCH) {
		char g0[16], g1[16];

		acs_func_addr(acs_fabric_func(c->f, (size_t)is->meets_at), at, sizeof(at));
		/* one an issue, hundreds of thousands on large fabrics: no format */
		if (from < 0) {
			sb_puts(&b, "groups ");
			sb_puts(&b, u32_text(is->groups[0], g0));
			sb_puts(&b, " and ");
			sb_puts(&b, u32_text(is->groups[1], g1));
			sb_puts(&b, " reach each other across switch ");
			sb_puts(&b, at);
		} else {
			sb_puts(&b, "requests from group ");
			sb_puts(&b, u32_text(is->groups[from], g0));
			sb_puts(&b, " cross switch ");
			sb_puts(&b, at);
			sb_puts(&b, " to group ");
			sb_puts(&b, u32_text(is->groups[!from], g1));
		}
		sb_puts(&b, " without the IOMMU, though they are in different groups: ");
	} else {
		const struct acs_func *d = acs_fabric_func(c->f, (size_t)is->meets_at);
		bool below = false;

		for (size_t i = 0; i < is->ndevices; i++)
			below |= !same_slot(d, acs_fabric_func(c->f, is->devices[i]));
		acs_func_addr(d, at, sizeof(at));
		if (below)
			sb_printf(&b, "groups %u and %u reach each other through the functions of device %s without the IOMMU, though they are in different groups: ",
				  is->groups[0], is->groups[1], at);
		else
			sb_printf(&b, "functions of device %s in groups %u and %u reach each other inside it without the IOMMU, though they are in different groups: ",
				  at, is->groups[0], is->groups[1]);
	}
	for (size_t i = 0; i < is->nmissing; i++) {
		if (i)
			sb_puts(&b, "; ");
		sb_missing(&b, c->f, &is->missing[i]);
	}
	return sb_keep(c->out, &b);
}

/* The members of groups g[0..ng-1] into the issue. */
static int issue_members(const struct ctx *c, const struct members *mem, acs_audit_issue *is,
			 const uint32_t *g, size_t ng)
{
	uint32_t *groups = keep(c->out, ng * sizeof(*groups)), *sizes = keep(c->out, ng * sizeof(*sizes));
	uint32_t *dev;
	size_t nd = 0, start;

	if (!groups || !sizes)
		return acs_error_nomem();
	for (size_t k = 0; k < ng; k++)
		nd += members_of(mem, g[k], &start);
	dev = keep(c->out, nd * sizeof(*dev));
	if (!dev)
		return acs_error_nomem();
	nd = 0;
	for (size_t k = 0; k < ng; k++) {
		size_t cnt = members_of(mem, g[k], &start);

		groups[k] = g[k];
		sizes[k] = (uint32_t)cnt;
		for (size_t i = 0; i < cnt; i++)
			dev[nd++] = (uint32_t)(mem->key[start + i] & 0xffffffffu);
	}
	is->groups = groups;
	is->group_sizes = sizes;
	is->ngroups = ng;
	is->devices = dev;
	is->ndevices = nd;
	return 0;
}

/* One issue from the records r[0..n-1] (one pair of groups, one place). */
static int make_issue(const struct ctx *c, const struct members *mem, const uint8_t *state,
		      acs_audit_issue *is, const struct rec *r, size_t n)
{
	acs_audit *a = c->out;
	uint32_t g[2] = { r[0].lo, r[0].hi };
	uint32_t *routes = keep(a, n * sizeof(*routes));
	uint32_t *lo = keep(a, (2 * n + 1) * sizeof(*lo)), *hi = lo ? lo + n : NULL;
	uint32_t *ports = keep(a, 2 * n * sizeof(*ports));
	acs_audit_missing *miss = keep(a, 2 * n * sizeof(*miss));
	size_t nlo = 0, nhi = 0, np = 0, nm = 0;
	bool fixable = true, from_lo = false, from_hi = false;
	int rc;

	if (!routes || !lo || !ports || !miss)
		return acs_error_nomem();
	is->meets_kind = r[0].meet;
	is->meets_at = r[0].meets_at;
	rc = issue_members(c, mem, is, g, 2);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct route_meta *m = &a->meta[r[i].route];

		routes[i] = r[i].route;
		lo[nlo++] = r[i].port_lo;
		hi[nhi++] = r[i].port_hi;
		for (size_t t = 0; t < m->ndir; t++) {
			bool seen = false;

			if (m->ingress[t] == r[i].port_lo)
				from_lo = true;
			else
				from_hi = true;
			for (size_t k = 0; k < np; k++)
				seen |= ports[k] == m->ingress[t];
			if (seen)
				continue;
			ports[np++] = m->ingress[t];
			miss[nm++] = missing_of(c->f, m->ingress[t], m->meet, m->missing[t]);
			fixable &= state[m->ingress[t]] == PORT_FIXABLE;
		}
	}
	if (rc)
		return rc;
	is->routes = routes;
	is->nroutes = uniq_u32(routes, n);
	/* missing, in address order; the ports to change the same */
	for (size_t i = 1; i < nm; i++)
		for (size_t k = i; k > 0 && miss[k - 1].port > miss[k].port; k--) {
			acs_audit_missing t = miss[k];

			miss[k] = miss[k - 1];
			miss[k - 1] = t;
		}
	np = uniq_u32(ports, np);
	is->missing = miss;
	is->nmissing = nm;
	if (is->meets_kind == ACS_MEET_SWITCH) {
		/* the ports passed: one group's side, the switch, the other's */
		nlo = uniq_u32(lo, nlo);
		nhi = uniq_u32(hi, nhi);
		memmove(lo + nlo, hi, nhi * sizeof(*hi));
		memmove(lo + nlo + 1, lo + nlo, nhi * sizeof(*hi));
		lo[nlo] = (uint32_t)is->meets_at;
		is->via = lo;
		is->nvia = nlo + 1 + nhi;
	} else {
		is->via = ports;
		is->nvia = np;
	}
	if (fixable)
		rc = fix_changes(c, &is->fix, ports, np);
	else
		is->fix.assign_together = true;
	if (!rc)
		is->reason = issue_reason(c, is, is->meets_kind != ACS_MEET_SWITCH || (from_lo && from_hi) ? -1 : from_hi);
	return rc ? rc : is->reason ? 0 : acs_error_nomem();
}

/* A stale finding: the kernel's groups of its devices, all their members. */
static int make_stale(const struct ctx *c, const struct members *mem, acs_audit_issue *is, uint32_t route)
{
	const acs_finding *fd = &c->out->v[route];
	uint32_t *g = malloc((fd->ndevices + 1) * sizeof(*g)), *routes = keep(c->out, sizeof(*routes));
	size_t ng = 0;
	int rc;

	if (!g || !routes) {
		free(g);
		return acs_error_nomem();
	}
	for (size_t i = 0; i < fd->ndevices; i++)
		if (c->group[fd->devices[i]] >= 0)
			g[ng++] = (uint32_t)c->group[fd->devices[i]];
	ng = uniq_u32(g, ng);
	is->meets_kind = ACS_MEET_STALE;
	is->meets_at = -1;
	rc = issue_members(c, mem, is, g, ng);
	free(g);
	routes[0] = route;
	is->routes = routes;
	is->nroutes = 1;
	is->fix.rescan = true;
	is->reason = fd->reason;
	return rc;
}

/* Union-find over a site's groups (indices into its sorted list). */
static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x)
		x = parent[x] = parent[parent[x]];
	return x;
}

static size_t index_of(const uint32_t *v, size_t n, uint32_t x)
{
	const uint32_t *p = bsearch(&x, v, n, sizeof(*v), cmp_u32);

	return p ? (size_t)(p - v) : 0;
}

/* A site's missing bits: each port once, with what all its issues found,
 * in port order. miss has room for every issue's entries. */
static size_t site_missing(const acs_audit_issue *is, size_t n, acs_audit_missing *miss)
{
	size_t nm = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < is[i].nmissing; k++) {
			size_t j = 0;

			while (j < nm && miss[j].port != is[i].missing[k].port)
				j++;
			if (j == nm)
				miss[nm++] = is[i].missing[k];
			else
				miss[j].bits |= is[i].missing[k].bits;
		}
	for (size_t i = 1; i < nm; i++)
		for (size_t k = i; k > 0 && miss[k - 1].port > miss[k].port; k--) {
			acs_audit_missing t = miss[k];

			miss[k] = miss[k - 1];
			miss[k - 1] = t;
		}
	return nm;
}

/* Groups no ACS setting separates go together, and with them whatever
 * goes with either: comp[k] is groups[k]'s set; each set of two or more
 * is written to together, its size to tsizes. @return the sets. */
static size_t site_together(const acs_audit_issue *is, size_t n, const uint32_t *groups, size_t ng,
			    size_t *parent, size_t *comp, uint32_t *together, uint32_t *tsizes)
{
	size_t nt = 0, ntg = 0;

	for (size_t k = 0; k < ng; k++)
		parent[k] = k;
	for (size_t i = 0; i < n; i++)
		if (is[i].fix.assign_together) {
			size_t x = uf_find(parent, index_of(groups, ng, is[i].groups[0]));

			for (size_t k = 1; k < is[i].ngroups; k++)
				parent[uf_find(parent, index_of(groups, ng, is[i].groups[k]))] = x;
		}
	for (size_t k = 0; k < ng; k++)
		comp[k] = uf_find(parent, k);
	for (size_t k = 0; k < ng; k++) {
		size_t cnt = 0;
		bool first_of = true;

		for (size_t j = 0; j < k; j++)
			first_of &= comp[j] != comp[k];
		if (!first_of)
			continue;
		for (size_t j = k; j < ng; j++)
			if (comp[j] == comp[k])
				together[ntg + cnt++] = groups[j];
		if (cnt < 2)
			continue;
		ntg += cnt;
		tsizes[nt++] = (uint32_t)cnt;
	}
	return nt;
}

/* One site from its issues is[0..n-1] (indices first..first+n-1). */
static int make_site(const struct ctx *c, acs_audit_site *s, size_t first, size_t n)
{
	acs_audit *a = c->out;
	const acs_audit_issue *is = &a->issues[first];
	size_t ng = 0, nm = 0, np = 0, nt;
	uint32_t *groups, *issues, *ports, *together, *tsizes;
	acs_audit_missing *miss;
	size_t *parent = NULL, *comp = NULL;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		ng += is[i].ngroups;
		nm += is[i].nmissing;
	}
	groups = keep(a, ng * sizeof(*groups));
	issues = keep(a, n * sizeof(*issues));
	miss = keep(a, nm * sizeof(*miss));
	ports = keep(a, nm * sizeof(*ports));
	together = keep(a, ng * sizeof(*together));
	tsizes = keep(a, ng * sizeof(*tsizes));
	parent = malloc((ng + 1) * sizeof(*parent));
	comp = malloc((ng + 1) * sizeof(*comp));
	if (!groups || !issues || !miss || !ports || !together || !tsizes || !parent || !comp) {
		rc = acs_error_nomem();
		goto done;
	}
	s->meets_kind = is[0].meets_kind;
	s->meets_at = is[0].meets_at;
	ng = 0;
	for (size_t i = 0; i < n; i++) {
		issues[i] = (uint32_t)(first + i);
		for (size_t k = 0; k < is[i].ngroups; k++)
			groups[ng++] = is[i].groups[k];
	}
	ng = uniq_u32(groups, ng);
	nm = site_missing(is, n, miss);
	nt = site_together(is, n, groups, ng, parent, comp, together, tsizes);
	/* the changes of the issues that ACS separates and nothing joins anyway */
	for (size_t i = 0; i < n; i++) {
		if (is[i].fix.assign_together || is[i].meets_kind == ACS_MEET_STALE ||
		    comp[index_of(groups, ng, is[i].groups[0])] == comp[index_of(groups, ng, is[i].groups[1])])
			continue;
		for (size_t k = 0; k < is[i].fix.nchanges; k++)
			ports[np++] = (uint32_t)is[i].fix.changes[k].index;
	}
	np = uniq_u32(ports, np);
	s->groups = groups;
	s->ngroups = ng;
	s->issues = issues;
	s->nissues = n;
	s->missing = miss;
	s->nmissing = nm;
	s->together = together;
	s->together_sizes = tsizes;
	s->ntogether = nt;
	s->fix.assign_together = nt > 0;
	s->fix.rescan = s->meets_kind == ACS_MEET_STALE;
	rc = fix_changes(c, &s->fix, ports, np);
done:
	free(parent);
	free(comp);
	return rc;
}

/* The proven findings by pair of groups and place, then by place. */
static int build_issues(struct ctx *c)
{
	acs_audit *a = c->out;
	size_t n = acs_fabric_count(c->f), nstale = 0, ni = 0;
	struct members mem = { NULL, 0 };
	struct below below;
	struct recs recs = { NULL, 0, 0 };
	uint8_t *state = calloc(n + 1, 1);
	int rc = below_init(&below, c->f);

	if (!rc && !state)
		rc = acs_error_nomem();
	if (!rc)
		rc = members_build(&mem, c);
	for (size_t k = 0; !rc && k < a->n; k++) {
		const struct route_meta *m = &a->meta[k];
		const uint32_t *gx, *gy;
		size_t nx, ny;

		if (m->meet == ACS_MEET_STALE)
			nstale++;
		if (m->meet != ACS_MEET_SWITCH && m->meet != ACS_MEET_DEVICE)
			continue;
		/* every group at or below the one side (a switch's port, a
		 * device's function) against every group below the other */
		rc = groups_below(c, &below, m->side[0], &gx, &nx);
		if (!rc)
			rc = groups_below(c, &below, m->side[1], &gy, &ny);
		/* the second may have grown (moved) the pool: the first
		 * again, from its cache, points into the pool as it is */
		if (!rc)
			rc = groups_below(c, &below, m->side[0], &gx, &nx);
		for (size_t x = 0; !rc && x < nx; x++)
			for (size_t y = 0; !rc && y < ny; y++) {
				bool swap = gx[x] > gy[y];
				struct rec r = { m->meet, m->meets_at, swap ? gy[y] : gx[x], swap ? gx[x] : gy[y],
						 (uint32_t)k, m->side[swap], m->side[!swap] };

				if (gx[x] != gy[y])
					rc = rec_add(&recs, &r);
			}
	}
	if (!rc)
		rc = check_fixes(c, state);
	if (!rc && recs.n)
		qsort(recs.v, recs.n, sizeof(*recs.v), cmp_rec);
	for (size_t i = 0; i < recs.n; i++)
		ni += !i || !same_issue(&recs.v[i], &recs.v[i - 1]);
	if (!rc && ni + nstale) {
		a->issues = keep(a, (ni + nstale) * sizeof(*a->issues));
		a->sites = keep(a, (ni + nstale) * sizeof(*a->sites));
		if (!a->issues || !a->sites)
			rc = acs_error_nomem();
	}
	for (size_t i = 0; !rc && i < recs.n;) {
		size_t j = i + 1;

		while (j < recs.n && same_issue(&recs.v[j], &recs.v[i]))
			j++;
		rc = make_issue(c, &mem, state, &a->issues[a->nissues++], recs.v + i, j - i);
		i = j;
	}
	for (size_t k = 0; !rc && k < a->n; k++)
		if (a->meta[k].meet == ACS_MEET_STALE)
			rc = make_stale(c, &mem, &a->issues[a->nissues++], (uint32_t)k);
	/* sites: the issues of one place; each stale issue its own */
	for (size_t i = 0; !rc && i < a->nissues;) {
		size_t j = i + 1;

		while (a->issues[i].meets_kind != ACS_MEET_STALE && j < a->nissues &&
		       a->issues[j].meets_kind == a->issues[i].meets_kind && a->issues[j].meets_at == a->issues[i].meets_at)
			j++;
		rc = make_site(c, &a->sites[a->nsites++], i, j - i);
		i = j;
	}
	below_free(&below);
	free(mem.key);
	free(recs.v);
	free(state);
	return rc;
}

static int walk(struct ctx *c, const acs_groups *g, bool stale)
{
	const acs_fabric *f = c->f;
	int rc = 0;

	for (size_t i = 0; !rc && i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		if (c->scope && !c->scope[i])
			continue;
		if (maybe_switch(fn))
			rc = audit_switch(c, fn);
		if (!rc && (i == 0 || acs_fabric_func(f, i - 1)->dev != fn->dev ||
			    acs_fabric_func(f, i - 1)->bus != fn->bus))
			rc = audit_device(c, i);
	}
	if (!rc && stale && !c->scope)
		rc = audit_stale(c, g);
	if (!rc && !c->scope)
		rc = audit_conservative(c, g);
	if (!rc && !c->scope && !c->findings_only)
		rc = build_issues(c);
	if (!rc)
		c->out->nunknown = acs_unknown_list(c->out->unknown, &c->out->unknown_list);
	return rc;
}

/* The audit against the groups g (the kernel's own where the source has
 * them); predicted: g is the ACS prediction, so also the groups the kernel
 * built on other ACS values, and the unread ports its groups depend on. */
static int run(acs_audit **out, const acs_fabric *f, const acs_groups *g, const acs_policy *hw, bool predicted,
	       const uint8_t *scope, bool findings_only)
{
	size_t n = acs_fabric_count(f);
	acs_audit *a = calloc(1, sizeof(*a));
	int32_t *group = malloc((n + 1) * sizeof(*group));
	int32_t *first_ep = malloc((n + 1) * sizeof(*first_ep));
	bool kernel = acs_fabric_kernel_groups(f) == ACS_KGROUPS_PRESENT;
	struct ctx c = { f, hw, group, first_ep, g, kernel || !predicted, NULL, a, scope, findings_only };
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
		rc = run(out, f, g, hw, true, NULL, false);
	acs_groups_free(g);
	return rc;
}

int acs_audit_run_findings(acs_audit **out, const acs_fabric *f, const acs_groups *g,
			   const acs_policy *hw)
{
	return run(out, f, g, hw, true, NULL, true);
}

int acs_audit_run_scoped(acs_audit **out, const acs_fabric *f, const acs_groups *g,
			 const acs_policy *hw, const uint8_t *scope)
{
	return run(out, f, g, hw, true, scope, false);
}

int acs_audit_run_groups(acs_audit **out, const acs_fabric *f, const acs_groups *groups,
			 const acs_policy *hw)
{
	return run(out, f, groups, hw, false, NULL, false);
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

size_t acs_audit_issue_count(const acs_audit *a)
{
	return a->nissues;
}

const acs_audit_issue *acs_audit_issue_at(const acs_audit *a, size_t i)
{
	return i < a->nissues ? &a->issues[i] : NULL;
}

size_t acs_audit_site_count(const acs_audit *a)
{
	return a->nsites;
}

const acs_audit_site *acs_audit_site_at(const acs_audit *a, size_t i)
{
	return i < a->nsites ? &a->sites[i] : NULL;
}

void acs_audit_free(acs_audit *a)
{
	if (!a)
		return;
	free(a->v);
	free(a->meta);
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	free(a->store);
	acs_unknown_free(a->unknown);
	free(a);
}
