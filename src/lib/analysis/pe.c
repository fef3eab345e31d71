/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PE assignment. Linux powernv (arch/powerpc/platforms/powernv/pci-ioda.c)
 * gives each device a PE when its DMA is set up, in probe order: the
 * first device of a bus configures a PE for the whole bus; below a
 * PCIe-to-PCI bridge the PE covers the bridge's whole bus range (the
 * conventional bus cannot tell requesters apart); the root bus has a PE
 * of its own, next to the one firmware reserves; other PE numbers are
 * taken from the top down (pnv_ioda_alloc_pe()). A PE gets an IOMMU
 * group when its first device that does DMA (not a bridge) is added.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "internal.h"
#include "pe-internal.h"

static const acs_platform platforms[] = {
	/* p7ioc: 128 PEs, a 1 GiB M32 window in 128 segments */
	{ "p7ioc", "p7ioc", 128, 127, 1ull << 30, 128, 1, { 0 }, 0, { 0 }, { { 0 } } },
	{ "phb3", "PHB3", 256, 255, 2ull << 30, 256, 1, { 0 }, 0, { 0 }, { { 0 } } },
	{ "phb4", "PHB4", 256, 255, 2ull << 30, 256, 1, { 0 }, 0, { 0 }, { { 0 } } },
	/* QEMU's machines as Linux numbers them: one domain per PHB; a second
	 * chip (-smp 2,cores=1) continues at domain 4 (powernv8: 3 is skipped)
	 * or 6. M64 (64 GiB per PHB on powernv8, 256 GiB on powernv9) at the
	 * bases the kernel logs ("MEM ..."); on powernv9 the first PHB of each
	 * PEC has 512 PEs (4 MiB M32 segments), the others 256. */
	{ "powernv8", "PHB3", 256, 255, 2ull << 30, 256, 3, { 0 }, 0x1000000000ull,
	  { 0x0003d00000000000ull, 0x0003d01000000000ull, 0x0003d02000000000ull, 0,
	    0x0003d04000000000ull, 0x0003d05000000000ull, 0x0003d06000000000ull }, { { 0 } } },
	{ "powernv9", "PHB4", 256, 255, 2ull << 30, 256, 6,
	  { 512, 256, 256, 512, 256, 256, 512, 256, 256, 512, 256, 256 }, 0x4000000000ull,
	  { 0x0006000000000000ull, 0x0006004000000000ull, 0x0006008000000000ull,
	    0x0006020000000000ull, 0x0006024000000000ull, 0x0006028000000000ull,
	    0x0006040000000000ull, 0x0006044000000000ull, 0x0006048000000000ull,
	    0x0006060000000000ull, 0x0006064000000000ull, 0x0006068000000000ull }, { { 0 } } },
};

const acs_platform *acs_platform_find(const char *name)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (name && strcmp(platforms[i].name, name) == 0)
			return &platforms[i];
	acs_error_set(ACS_EINVAL, "unknown platform '%s' (known: p7ioc, phb3, phb4, powernv8, powernv9)",
		      name ? name : "");
	return NULL;
}

unsigned acs_platform_pes(const acs_platform *p, uint32_t domain)
{
	return domain < ACS_PE_MAX_PHBS && p->phb_pes[domain] ? p->phb_pes[domain] : p->npes;
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* m64-bars=FIRST-LAST (as the kernel logs "M64 #1..15"): one PHB or all */
static bool m64_bars(acs_platform *p, long dom, const char *v, size_t len)
{
	char buf[16], *end;
	unsigned long first, last;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, v, len);
	buf[len] = 0;
	first = strtoul(buf, &end, 10);
	if (end == buf || (*end != '-' && *end != '.'))
		return false;
	end += end[0] == '.' && end[1] == '.' ? 2 : 1;
	last = strtoul(v = end, &end, 10);
	if (end == v || *end || first >= last || last > 63)
		return false;
	for (long d = dom < 0 ? 0 : dom; d < (dom < 0 ? ACS_PE_MAX_PHBS : dom + 1); d++) {
		p->phb_m64_bars[d][0] = (uint8_t)first;
		p->phb_m64_bars[d][1] = (uint8_t)last;
	}
	return true;
}

static int override_one(acs_platform *p, long dom, const char *kv, size_t len)
{
	const char *eq = memchr(kv, '=', len);
	size_t klen = eq ? (size_t)(eq - kv) : len;
	uint64_t v = 0;
	bool num;

	if (!eq)
		return acs_error_set(ACS_EINVAL, "--phb: '%.*s' is not KEY=VALUE", (int)len, kv);
	num = acs_parse_size(eq + 1, len - klen - 1, &v);
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(kv, k, klen) == 0)
	/* PE counts are powers of two (a window splits into equal segments
	 * of a power-of-two size); a reserved PE that was the last stays the
	 * last, whichever comes first of pes= and reserved= */
	if (KEY("pes") && num && v >= 2 && v <= ACS_PE_MAX_PES && power_of_two(v) &&
	    (dom >= 0 || p->reserved_pe == p->npes - 1 || p->reserved_pe < v)) {
		if (dom >= 0) {
			p->phb_pes[dom] = (unsigned)v;
		} else {
			if (p->reserved_pe == p->npes - 1)
				p->reserved_pe = (unsigned)v - 1;
			p->npes = (unsigned)v;
			memset(p->phb_pes, 0, sizeof(p->phb_pes));
		}
	} else if (KEY("reserved") && dom < 0 && len - klen - 1 == 4 && memcmp(eq + 1, "last", 4) == 0) {
		p->reserved_pe = p->npes - 1;
	} else if (KEY("reserved") && dom < 0 && num && v < p->npes) {
		p->reserved_pe = (unsigned)v;
	} else if (KEY("m32") && dom < 0 && num && power_of_two(v) && v >= (1ull << 20) && v <= (1ull << 32)) {
		p->m32_size = v;
	} else if (KEY("m64") && dom < 0 && num && power_of_two(v) && v >= (1ull << 20)) {
		p->m64_size = v;
	} else if (KEY("m64-base") && dom >= 0 && num) {
		p->phb_m64_base[dom] = v;
	} else if (KEY("m64-bars") && m64_bars(p, dom, eq + 1, len - klen - 1)) {
		/* set */
	} else {
		return acs_error_set(ACS_EINVAL, "--phb: bad '%.*s' (pes=2..%d a power of two, reserved=N|last, "
				     "m32=1M..4G, m64=SIZE from 1M, powers of two, "
				     "for every PHB; pes=N, m64-base=ADDRESS with DOMAIN:; m64-bars=FIRST-LAST)", (int)len, kv,
				     ACS_PE_MAX_PES);
	}
#undef KEY
	return 0;
}

int acs_platform_override(acs_platform *p, const char *spec)
{
	const char *colon = strchr(spec, ':'), *eq = strchr(spec, '='), *at = spec;
	long dom = -1;

	/* "0004:pes=512": a domain, in hex as lspci writes it */
	if (colon && (!eq || colon < eq)) {
		char *end;

		errno = 0;
		dom = strtol(spec, &end, 16);
		if (end != colon || errno || dom < 0 || dom >= ACS_PE_MAX_PHBS)
			return acs_error_set(ACS_EINVAL, "--phb %s: the domain must be 0 to %x", spec,
					     ACS_PE_MAX_PHBS - 1);
		at = colon + 1;
	}
	if (!*at)
		return acs_error_set(ACS_EINVAL, "--phb %s: nothing to set", spec);
	while (*at) {
		size_t len = strcspn(at, ",");
		int rc = override_one(p, dom, at, len);

		if (rc)
			return rc;
		at += len + (at[len] == ',');
	}
	return 0;
}

static int alloc_number(const acs_platform *p, struct phb *h, unsigned *out)
{
	(void)p;
	/* pnv_ioda_alloc_pe(): the highest free number */
	for (unsigned pe = h->npes; pe-- > 0;)
		if (!h->used[pe]) {
			h->used[pe] = 1;
			*out = pe;
			return 0;
		}
	return acs_error_set(ACS_EINVAL, "PHB %04x: out of PEs (%u)", h->domain, h->npes);
}

static int new_pe(acs_pe_table *t, const acs_platform *p, struct phb *h, bool root,
		  bool all, uint8_t first, uint8_t last, int32_t *out)
{
	acs_pe *pe = &t->v[t->n];
	unsigned num = 0;
	int rc = 0;
	unsigned beside = h->reserved == 0 ? 1 : h->npes - 2;

	/* the root bus: next to the reserved PE when that is at either end
	 * (pnv_pci_init_ioda_phb()), else the highest free one; the device
	 * policy may give the root bus several PEs, and one takes that number */
	if (root && (h->reserved == 0 || h->reserved == h->npes - 1) && !h->used[beside]) {
		num = beside;
		h->used[num] = 1;
	} else {
		rc = alloc_number(p, h, &num);
	}
	if (rc)
		return rc;
	memset(pe, 0, sizeof(*pe));
	pe->domain = h->domain;
	pe->number = num;
	pe->all = all;
	pe->bus_first = first;
	pe->bus_last = last;
	*out = (int32_t)t->n++;
	return 0;
}

/* The first M64 segment a function's 64-bit prefetchable BARs sit in, or
 * -1 (pnv_ioda_reserve_dev_m64_pe(); a BAR counts by its start). */
static long m64_segment(const acs_platform *p, const struct acs_func *fn)
{
	acs_bar b[6];
	size_t n = acs_func_mem_bars(fn, b);
	long first = -1;

	for (size_t i = 0; i < n; i++) {
		long seg = b[i].is64 && b[i].prefetch ? acs_pe_addr_segment(p, fn->domain, b[i].start, true) : -1;

		if (seg >= 0 && (first < 0 || seg < first))
			first = seg;
	}
	return first;
}

/* every bus's first M64 segment, once per PHB: the PE search below
 * asks for bus ranges bus by bus */
static void fill_bus_segments(struct phb *h, const acs_fabric *f, const acs_platform *p)
{
	for (int b = 0; b < 256; b++)
		h->bus_seg[b] = -1;
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		long s = fn->domain == h->domain ? m64_segment(p, fn) : -1;

		if (s >= 0 && (h->bus_seg[fn->bus] < 0 || s < h->bus_seg[fn->bus]))
			h->bus_seg[fn->bus] = s;
	}
}

/* pnv_ioda_pick_m64_pe(): a bus whose devices (the whole range, for a
 * range PE) have M64 BARs takes the PE of their first segment. */
static long bus_m64_pe(const struct phb *h, uint8_t first_bus, uint8_t last_bus)
{
	long best = -1;

	for (unsigned b = first_bus; b <= last_bus; b++)
		if (h->bus_seg[b] >= 0 && (best < 0 || h->bus_seg[b] < best))
			best = h->bus_seg[b];
	return best;
}

/* The PE of a function under the chosen policy, made when first needed. */
static int pe_for(acs_pe_table *t, const acs_fabric *f, const acs_platform *p, struct phb *h,
		  int policy, size_t i, const acs_groups *g, int32_t *group_pe)
{
	const struct acs_func *fn = acs_fabric_func(f, i), *up = acs_fabric_parent(f, fn);
	int32_t pe;
	int rc;

	if (policy == ACS_PE_DEVICE) {
		size_t gid = acs_groups_of(g, i);

		if (group_pe[gid] < 0) {
			rc = new_pe(t, p, h, !up, false, fn->bus, fn->bus, &group_pe[gid]);
			if (rc)
				return rc;
		}
		t->pe_of[i] = group_pe[gid];
		return 0;
	}
	if (policy == ACS_PE_SLOT && up) {
		/* the slot: the root port above */
		const struct acs_func *slot = fn;

		while (acs_fabric_parent(f, slot) && acs_fabric_parent(f, acs_fabric_parent(f, slot)))
			slot = acs_fabric_parent(f, slot);
		up = acs_fabric_parent(f, slot);
		if (h->rmap[up->secondary] < 0) {
			rc = new_pe(t, p, h, false, true, up->secondary, up->subordinate,
				    &h->rmap[up->secondary]);
			if (rc)
				return rc;
			for (unsigned b = up->secondary; b <= up->subordinate; b++)
				h->rmap[b] = h->rmap[up->secondary];
		}
		t->pe_of[i] = h->rmap[fn->bus];
		return 0;
	}
	if (h->rmap[fn->bus] < 0) {
		/* pnv_pci_configure_bus(): the whole range below a PCIe-to-PCI
		 * bridge, else the bus */
		bool all = up && up->pcie_type == ACS_PCIE_PCI_BRIDGE;
		uint8_t last = all ? up->subordinate : fn->bus;

		long m64 = up ? bus_m64_pe(h, fn->bus, last) : -1;

		if (!up && h->root >= 0) {
			h->rmap[fn->bus] = h->root;
		} else if (m64 >= 0) {
			/* the PE number is the M64 segment's */
			acs_pe *e = &t->v[t->n];

			memset(e, 0, sizeof(*e));
			e->domain = h->domain;
			e->number = (unsigned)m64;
			e->all = all;
			e->bus_first = fn->bus;
			e->bus_last = last;
			h->used[m64] = 1;
			pe = (int32_t)t->n++;
			for (unsigned b = fn->bus; b <= last; b++)
				h->rmap[b] = pe;
		} else {
			rc = new_pe(t, p, h, !up, all, fn->bus, last, &pe);
			if (rc)
				return rc;
			if (!up)
				h->root = pe;
			for (unsigned b = fn->bus; b <= last; b++)
				h->rmap[b] = pe;
		}
	}
	t->pe_of[i] = h->rmap[fn->bus];
	return 0;
}

static int fill_members(acs_pe_table *t, const acs_fabric *f)
{
	size_t n = acs_fabric_count(f), *count = calloc(t->n + 1, sizeof(*count)), pos = 0;

	t->members = malloc((n + 1) * sizeof(*t->members));
	if (!count || !t->members) {
		free(count);
		return acs_error_nomem();
	}
	for (size_t i = 0; i < n; i++)
		if (t->pe_of[i] >= 0)
			count[t->pe_of[i]]++;
	for (size_t k = 0; k < t->n; k++) {
		t->v[k].devices = t->members + pos;
		pos += count[k];
		count[k] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		acs_pe *pe;

		if (t->pe_of[i] < 0)
			continue;
		pe = &t->v[t->pe_of[i]];
		((uint32_t *)pe->devices)[pe->ndevices++] = (uint32_t)i;
		if (!acs_fabric_func(f, i)->is_bridge)
			pe->dma = true;
	}
	free(count);
	return 0;
}

int acs_pe_assign(acs_pe_table **out, const acs_fabric *f, const acs_platform *p, int policy)
{
	size_t n = acs_fabric_count(f);
	const uint32_t *order = acs_fabric_kernel_order(f);
	acs_pe_table *t = calloc(1, sizeof(*t));
	struct phb h = { 0 };
	acs_groups *g = NULL;
	int32_t *group_pe = NULL;
	bool open = false;       /* a PHB is being assigned */
	int rc = 0;

	*out = NULL;
	if (!t || !(t->v = calloc(n + 1, sizeof(*t->v))) || !(t->pe_of = malloc((n + 1) * sizeof(*t->pe_of))) ||
	    !(t->left = malloc((n + 1) * sizeof(*t->left))) || !(h.used = calloc(ACS_PE_MAX_PES, 1))) {
		rc = acs_error_nomem();
		goto done;
	}
	if (policy == ACS_PE_DEVICE) {
		rc = acs_groups_compute(&g, f, acs_policy_default());
		if (!rc && !(group_pe = malloc((acs_groups_count(g) + 1) * sizeof(*group_pe))))
			rc = acs_error_nomem();
		for (size_t k = 0; !rc && k <= acs_groups_count(g); k++)
			group_pe[k] = -1;
	}
	for (size_t i = 0; i < n; i++)
		t->pe_of[i] = -1;
	for (size_t k = 0; !rc && k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(f, order[k]);

		/* VFs come when enabled, after boot: PHB by PHB below */
		if (fn->is_virtfn)
			continue;
		/* a new PHB: fresh PE numbers, the reserved one taken */
		if (!open || fn->domain != h.domain) {
			if (open && (rc = acs_pe__iov(t, f, p, &h)))
				break;
			open = true;
			h.domain = fn->domain;
			h.m64_used = 0;
			h.npes = acs_platform_pes(p, fn->domain);
			/* firmware keeps the last PE where the platform does */
			h.reserved = p->reserved_pe == p->npes - 1 ? h.npes - 1 : p->reserved_pe;
			fill_bus_segments(&h, f, p);
			memset(h.used, 0, ACS_PE_MAX_PES);
			h.used[h.reserved] = 1;
			h.root = -1;
			for (int b = 0; b < 256; b++)
				h.rmap[b] = -1;
		}
		rc = pe_for(t, f, p, &h, policy, order[k], g, group_pe);
		/* out of PE numbers: the kernel leaves it without a PE (and a
		 * group); the rest of the PHB goes on */
		if (rc == ACS_EINVAL) {
			t->left[t->nleft++] = order[k];
			rc = 0;
		}
	}
	if (!rc && open)
		rc = acs_pe__iov(t, f, p, &h);
	if (!rc)
		rc = fill_members(t, f);
done:
	free(h.used);
	free(group_pe);
	acs_groups_free(g);
	if (rc) {
		acs_pe_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

size_t acs_pe_count(const acs_pe_table *t)
{
	return t->n;
}

const acs_pe *acs_pe_at(const acs_pe_table *t, size_t i)
{
	return i < t->n ? &t->v[i] : NULL;
}

long acs_pe_of(const acs_pe_table *t, size_t i)
{
	return t->pe_of[i];
}

int acs_pe_groups(acs_groups **out, const acs_pe_table *t, const acs_fabric *f)
{
	size_t n = acs_fabric_count(f);
	const uint32_t *order = acs_fabric_kernel_order(f);
	int32_t *group_of = malloc((n + 1) * sizeof(*group_of)), *id = malloc((t->n + 1) * sizeof(*id));
	int32_t next = 0;
	int rc;

	if (!group_of || !id) {
		free(group_of);
		free(id);
		return acs_error_nomem();
	}
	for (size_t k = 0; k < t->n; k++)
		id[k] = -1;
	/*
	 * pnv_pci_ioda_dma_dev_setup(): the first non-bridge device of a PE
	 * sets up its DMA window and IOMMU group; a device joins the group
	 * only if it exists by the time that device is added, so a bridge
	 * probed before any endpoint of its PE stays out of every group.
	 */
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		int32_t pe = t->pe_of[i];

		group_of[i] = -1;
		if (pe < 0)
			continue;
		if (id[pe] < 0 && !acs_fabric_func(f, i)->is_bridge)
			id[pe] = next++;
		group_of[i] = id[pe];
	}
	rc = acs_groups_from(out, f, group_of);
	free(group_of);
	free(id);
	return rc;
}

void acs_pe_free(acs_pe_table *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->pe_of);
	free(t->members);
	free(t->iov);
	free(t->left);
	free(t);
}

size_t acs_pe_left_out(const acs_pe_table *t, const uint32_t **funcs)
{
	*funcs = t->left;
	return t->nleft;
}
