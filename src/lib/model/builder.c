/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The builder: sources hand it raw functions (address, config bytes, what
 * else they know); finishing it decodes, checks and freezes the fabric.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int acs_builder_init(struct acs_builder *b, int kind, const char *origin)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->kgroups = ACS_KGROUPS_UNKNOWN;
	b->host.cpu_family = -1;
	b->host.p2pdma = -1;
	b->host.irq_remap = -1;
	b->origin = acs_strdup(origin);
	return b->origin ? 0 : acs_error_nomem();
}

static const uint8_t zeros16[16];

static bool zero64(const uint8_t *p)
{
	uint64_t w[8];

	memcpy(w, p, sizeof(w));
	return !(w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]);
}

int acs_builder_reserve(struct acs_builder *b, size_t more)
{
	struct acs_raw_func *raw;

	if (more > SIZE_MAX / sizeof(*raw) - b->n)
		return acs_error_nomem();
	if (b->n + more <= b->cap)
		return 0;
	if (!(raw = realloc(b->raw, (b->n + more) * sizeof(*raw))))
		return acs_error_nomem();
	b->raw = raw;
	b->cap = b->n + more;
	return 0;
}

int acs_builder_add(struct acs_builder *b, uint32_t domain, uint8_t bus,
		    uint8_t dev, uint8_t fn, const uint8_t *cfg, size_t len)
{
	struct acs_raw_func *r;

	if (len > ACS_CFG_EXT)
		len = ACS_CFG_EXT;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct acs_raw_func *raw = realloc(b->raw, cap * sizeof(*raw));

		if (!raw)
			return acs_error_nomem();
		b->raw = raw;
		b->cap = cap;
	}
	r = &b->raw[b->n];
	memset(r, 0, sizeof(*r));
	/* Most of the extended space is zero: keep what is not, so large
	 * fabrics cost memory by what they hold. The standard space is always
	 * kept whole, and at least a header's worth is allocated, so the
	 * header decodes without bounds checks. */
	{
		size_t keep = len, floor = len < ACS_CFG_STD ? len : ACS_CFG_STD;

		/* 64 bytes a step first: the scan from 4096 down was most of
		 * adding a function */
		while (keep >= floor + 64 && zero64(cfg + keep - 64))
			keep -= 64;
		while (keep > floor && !memcmp(cfg + keep - 16, zeros16, 16))
			keep -= 16;
		r->cfg = calloc(1, keep > ACS_CFG_HEADER ? keep : ACS_CFG_HEADER);
		if (!r->cfg)
			return acs_error_nomem();
		if (keep)
			memcpy(r->cfg, cfg, keep);
		r->cfg_stored = (uint16_t)(keep > ACS_CFG_HEADER ? keep : ACS_CFG_HEADER);
	}
	r->domain = domain;
	r->bus = bus;
	r->dev = dev & 0x1f;
	r->fn = fn & 0x7;
	r->cfg_len = (uint16_t)len;
	r->kernel_group = -1;
	r->numa_node = -1;
	b->n++;
	return 0;
}

struct acs_raw_func *acs_builder_last(struct acs_builder *b)
{
	return b->n ? &b->raw[b->n - 1] : NULL;
}

int acs_builder_set_release(struct acs_builder *b, const char *release)
{
	free(b->kernel_release);
	b->kernel_release = acs_strdup(release);
	return b->kernel_release || !release ? 0 : acs_error_nomem();
}

int acs_builder_set_cmdline(struct acs_builder *b, const char *cmdline)
{
	free(b->cmdline);
	b->cmdline = acs_strdup(cmdline);
	return b->cmdline || !cmdline ? 0 : acs_error_nomem();
}

int acs_builder_set_irq_remap(struct acs_builder *b, int on, const char *basis)
{
	free(b->host.irq_remap_basis);
	b->host.irq_remap_basis = NULL;
	b->host.irq_remap = on < 0 ? -1 : on > 0;
	if (on >= 0 && basis && !(b->host.irq_remap_basis = acs_strdup(basis)))
		return acs_error_nomem();
	return 0;
}

void acs_host_facts_free(struct acs_host_facts *h)
{
	free(h->cpu_vendor);
	h->cpu_vendor = NULL;
	free(h->irq_remap_basis);
	h->irq_remap_basis = NULL;
	for (int k = 0; k < ACS_HOST_FACT_COUNT; k++) {
		free(h->fact[k]);
		h->fact[k] = NULL;
	}
}

int acs_builder_set_host_fact(struct acs_builder *b, int which, const char *value)
{
	char *v = NULL;

	if (which < 0 || which >= ACS_HOST_FACT_COUNT)
		return acs_error_set(ACS_EINVAL, "no host fact %d", which);
	if (value) {
		size_t n;

		if (!(v = acs_strdup(value)))
			return acs_error_nomem();
		for (char *p = v; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		n = strlen(v);
		while (n && v[n - 1] == ' ')
			v[--n] = '\0';
	}
	free(b->host.fact[which]);
	b->host.fact[which] = v;
	return 0;
}

int acs_builder_set_cpu_vendor(struct acs_builder *b, const char *vendor)
{
	free(b->host.cpu_vendor);
	b->host.cpu_vendor = acs_strdup(vendor);
	return b->host.cpu_vendor || !vendor ? 0 : acs_error_nomem();
}

int acs_builder_warn(struct acs_builder *b, const char *fmt, ...)
{
	char text[512];
	char **grown = realloc(b->warnings, (b->nwarnings + 1) * sizeof(*grown));
	va_list ap;

	if (!grown)
		return acs_error_nomem();
	b->warnings = grown;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!(b->warnings[b->nwarnings] = acs_strdup(text)))
		return acs_error_nomem();
	b->nwarnings++;
	return 0;
}

void acs_builder_cleanup(struct acs_builder *b)
{
	size_t i;

	for (i = 0; i < b->nwarnings; i++)
		free(b->warnings[i]);
	free(b->warnings);
	for (i = 0; i < b->n; i++) {
		free(b->raw[i].cfg);
		free(b->raw[i].driver);
		free(b->raw[i].vpd);
		free(b->raw[i].reset);
		free(b->raw[i].iommu_type);
	}
	free(b->raw);
	free(b->origin);
	free(b->kernel_release);
	free(b->cmdline);
	acs_host_facts_free(&b->host);
	free(b->vmd);
	memset(b, 0, sizeof(*b));
}

int acs_builder_add_vmd(struct acs_builder *b, uint32_t domain, uint32_t ep_domain,
			uint8_t ep_bus, uint8_t ep_dev, uint8_t ep_fn)
{
	struct acs_vmd *v = realloc(b->vmd, (b->nvmd + 1) * sizeof(*v));

	if (!v)
		return acs_error_nomem();
	b->vmd = v;
	v[b->nvmd++] = (struct acs_vmd){ domain, ep_domain, ep_bus, ep_dev, ep_fn, -1 };
	return 0;
}

/* Each VMD domain's endpoint: a function of the fabric, outside the
 * domain it owns, each domain named once. */
static int resolve_vmd(acs_fabric *f)
{
	for (size_t k = 0; k < f->nvmd; k++) {
		struct acs_vmd *v = &f->vmd[k];
		const struct acs_func *ep = acs_fabric_find(f, v->ep_domain, v->ep_bus,
							    v->ep_dev, v->ep_fn);

		for (size_t j = 0; j < k; j++)
			if (f->vmd[j].domain == v->domain)
				return acs_error_set(ACS_EPARSE, "%s: domain %04x is behind two VMD endpoints",
						     f->origin, v->domain);
		if (!ep)
			return acs_error_set(ACS_EPARSE, "%s: the VMD endpoint %04x:%02x:%02x.%x of domain %04x is not in the fabric",
					     f->origin, v->ep_domain, v->ep_bus, v->ep_dev, v->ep_fn, v->domain);
		if (v->ep_domain == v->domain)
			return acs_error_set(ACS_EPARSE, "%s: a VMD endpoint cannot be in the domain it owns (%04x)",
					     f->origin, v->domain);
		v->ep = (int32_t)acs_fabric_index(f, ep);
	}
	/* a chain (an endpoint inside another VMD domain) is not a VMD */
	for (size_t k = 0; k < f->nvmd; k++)
		for (size_t j = 0; j < f->nvmd; j++)
			if (f->vmd[k].ep_domain == f->vmd[j].domain)
				return acs_error_set(ACS_EPARSE, "%s: the VMD endpoint of domain %04x is itself behind a VMD",
						     f->origin, f->vmd[k].domain);
	return 0;
}

long acs_fabric__vmd_owner(const acs_fabric *f, const struct acs_func *fn)
{
	for (size_t k = 0; f && fn && k < f->nvmd; k++)
		if (f->vmd[k].domain == fn->domain)
			return f->vmd[k].ep;
	return -1;
}

static int raw_cmp(const void *pa, const void *pb)
{
	const struct acs_raw_func *a = pa, *b = pb;

	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus - b->bus;
	if (a->dev != b->dev)
		return a->dev - b->dev;
	return a->fn - b->fn;
}

/* A stable counting sort of idx[0..n) by one 16-bit digit of key[]. */
static void sort_digit(const uint64_t *key, uint32_t *idx, uint32_t *tmp, size_t n, unsigned shift,
		       size_t *count)
{
	memset(count, 0, 0x10001 * sizeof(*count));
	for (size_t i = 0; i < n; i++)
		count[(key[idx[i]] >> shift & 0xffff) + 1]++;
	for (size_t d = 1; d <= 0x10000; d++)
		count[d] += count[d - 1];
	for (size_t i = 0; i < n; i++)
		tmp[count[key[idx[i]] >> shift & 0xffff]++] = idx[i];
	memcpy(idx, tmp, n * sizeof(*idx));
}

/* The order of the functions by address (domain, bus, device, function),
 * ties in the order they came: b->raw[order[i]] is the i-th. Records are
 * not moved: at 1M functions a sorted copy of them, 170 MiB, and qsort
 * were a tenth of loading a topology. A radix sort of 48-bit keys, 16
 * bits a pass, skips the digits every function shares (most domains are
 * 0). NULL when memory is short: then b->raw itself is sorted. */
static uint32_t *sort_raw(struct acs_builder *b)
{
	uint64_t *key, all_or = 0, all_and = UINT64_MAX;
	uint32_t *idx, *tmp;
	size_t *count;
	bool in_order = true;

	key = malloc(b->n * sizeof(*key));
	idx = malloc(b->n * sizeof(*idx));
	tmp = malloc(b->n * sizeof(*tmp));
	count = malloc(0x10001 * sizeof(*count));
	if (!key || !idx || !tmp || !count || b->n > UINT32_MAX) {
		free(key);
		free(idx);
		free(tmp);
		free(count);
		qsort(b->raw, b->n, sizeof(*b->raw), raw_cmp);   /* as before */
		return NULL;
	}
	for (size_t i = 0; i < b->n; i++) {
		const struct acs_raw_func *r = &b->raw[i];

		key[i] = (uint64_t)r->domain << 16 | (uint64_t)r->bus << 8 | (unsigned)r->dev << 3 | r->fn;
		idx[i] = (uint32_t)i;
		all_or |= key[i];
		all_and &= key[i];
		if (i && key[i] < key[i - 1])
			in_order = false;
	}
	for (unsigned shift = 0; !in_order && shift < 48; shift += 16)
		if ((all_or ^ all_and) >> shift & 0xffff)   /* a digit that differs somewhere */
			sort_digit(key, idx, tmp, b->n, shift, count);
	free(key);
	free(tmp);
	free(count);
	return idx;
}

/* Reset methods and group types move to the fabric, which keeps an array
 * for them only where the source read some (a dump reads none). */
static int take_assign_facts(acs_fabric *f, struct acs_builder *b, const uint32_t *order)
{
	bool any = false;

	for (size_t i = 0; i < b->n && !any; i++)
		any = b->raw[i].reset || b->raw[i].iommu_type;
	if (!any)
		return 0;
	if (!(f->assign = calloc(b->n, sizeof(*f->assign))))
		return acs_error_nomem();
	for (size_t i = 0; i < b->n; i++) {
		struct acs_raw_func *r = &b->raw[order ? order[i] : i];

		f->assign[i].reset = r->reset;
		f->assign[i].iommu_type = r->iommu_type;
		r->reset = NULL;
		r->iommu_type = NULL;
	}
	return 0;
}

int acs_builder_finish(acs_fabric **out, struct acs_builder *b)
{
	acs_fabric *f = NULL;
	uint32_t *order = NULL;   /* b->raw[order[i]]: the i-th by address */
	bool owned = false;
	size_t i;
	int rc;

	*out = NULL;
	if (!b->n) {
		rc = acs_error_set(ACS_EPARSE, "%s: no PCI functions found", b->origin);
		goto done;
	}
	order = sort_raw(b);
	f = calloc(1, sizeof(*f));
	if (!f) {
		rc = acs_error_nomem();
		goto done;
	}
	f->nfuncs = b->n;
	f->funcs = calloc(b->n, sizeof(*f->funcs));
	f->cfgs = calloc(b->n, sizeof(*f->cfgs));
	f->drivers = calloc(b->n, sizeof(*f->drivers));
	f->kernel_group = malloc(b->n * sizeof(*f->kernel_group));
	f->link = calloc(b->n, sizeof(*f->link));
	if (!f->funcs || !f->cfgs || !f->drivers || !f->kernel_group || !f->link) {
		rc = acs_error_nomem();
		goto done;
	}
	f->kind = b->kind;
	f->kgroups = b->kgroups;
	f->origin = b->origin;
	b->origin = NULL;
	f->kernel_release = b->kernel_release;
	b->kernel_release = NULL;
	f->cmdline = b->cmdline;
	b->cmdline = NULL;
	f->host = b->host;
	b->host.cpu_vendor = NULL;
	b->host.irq_remap_basis = NULL;
	memset(b->host.fact, 0, sizeof(b->host.fact));
	f->warnings = b->warnings;
	f->nwarnings = b->nwarnings;
	b->warnings = NULL;
	b->nwarnings = 0;
	f->vmd = b->vmd;
	f->nvmd = b->nvmd;
	b->vmd = NULL;
	b->nvmd = 0;
	/* Ownership of every buffer moves to the fabric before decoding, so
	 * one cleanup path frees all of it on failure. */
	for (i = 0; i < b->n; i++) {
		const struct acs_raw_func *r = &b->raw[order ? order[i] : i];

		f->cfgs[i] = r->cfg;
		f->drivers[i] = r->driver;
		f->kernel_group[i] = r->kernel_group;
		f->link[i] = (uint16_t)(r->link_speed << 8 | r->link_width);
	}
	owned = true;
	/* VPD: only where the source read some */
	for (i = 0; i < b->n && !f->vpd; i++)
		if (b->raw[i].vpd && !(f->vpd = calloc(b->n, sizeof(*f->vpd)))) {
			rc = acs_error_nomem();
			goto done;
		}
	for (i = 0; f->vpd && i < b->n; i++) {
		struct acs_raw_func *r = &b->raw[order ? order[i] : i];

		f->vpd[i].data = r->vpd;
		f->vpd[i].len = r->vpd_len;
		r->vpd = NULL;
	}
	rc = take_assign_facts(f, b, order);
	if (rc)
		goto done;
	for (i = 0; i < b->n; i++) {
		rc = acs_decode_func(&f->funcs[i], &b->raw[order ? order[i] : i], f->origin);
		if (rc)
			goto done;
		if (!acs_func_acs_known(&f->funcs[i]))
			f->unknown++;
	}
	rc = acs_fabric__index(f, f->origin);
	if (!rc)
		rc = resolve_vmd(f);
done:
	for (i = 0; owned && i < b->n; i++) {
		b->raw[i].cfg = NULL;
		b->raw[i].driver = NULL;
	}
	free(order);
	acs_builder_cleanup(b);
	if (rc) {
		acs_fabric_free(f);
		return rc;
	}
	*out = f;
	return 0;
}
