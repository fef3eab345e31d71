/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl pe: the PE table of a PE platform. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "cli.h"

static json_object *segments_json(const acs_pe_table *t, struct cli *c, size_t k, bool m64)
{
	unsigned seg[ACS_PE_MAX_PES];
	size_t n = acs_pe_segments(t, c->fabric, c->platform, k, m64, seg, ACS_PE_MAX_PES);
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n && i < ACS_PE_MAX_PES; i++)
		json_object_array_add(a, json_object_new_int((int)seg[i]));
	return a;
}

static void print_segments(const acs_pe_table *t, struct cli *c, size_t k, bool m64)
{
	unsigned seg[ACS_PE_MAX_PES];
	size_t n = acs_pe_segments(t, c->fabric, c->platform, k, m64, seg, ACS_PE_MAX_PES);

	if (!n)
		return;
	printf("\n    %s segments:", m64 ? "M64" : "M32");
	for (size_t i = 0; i < n && i < ACS_PE_MAX_PES; i++)
		printf(" %u", seg[i]);
}

static const char *addr_of(const struct cli *c, uint32_t i, char *buf, size_t size)
{
	return acs_func_addr(acs_fabric_func(c->fabric, i), buf, size);
}

static const char *size_str(uint64_t sz, char *buf, size_t size);

#define SEG_FREE (-1)
#define SEG_SHARED (-2)

/* Who owns each segment of a PHB's window: a PE number, SEG_FREE or
 * SEG_SHARED. @return whether any segment is used; *owner to free(). */
static bool segment_owners(struct cli *c, const acs_pe_table *t, uint32_t dom, bool m64, long **owner,
			   size_t *nsegs)
{
	size_t n = acs_platform_pes(c->platform, dom);
	unsigned *segs = malloc(n * sizeof(*segs));
	long *own = malloc(n * sizeof(*own));
	bool any = false;

	*owner = NULL;
	if (!segs || !own || !acs_pe_segment_size(c->platform, dom, m64)) {
		free(segs);
		free(own);
		return false;
	}
	for (size_t s = 0; s < n; s++)
		own[s] = SEG_FREE;
	for (size_t k = 0; k < acs_pe_count(t); k++) {
		const acs_pe *pe = acs_pe_at(t, k);
		size_t m = pe->domain == dom ? acs_pe_segments(t, c->fabric, c->platform, k, m64, segs, n) : 0;

		for (size_t i = 0; i < m && i < n; i++) {
			long *o = &own[segs[i]];

			*o = *o == SEG_FREE || *o == (long)pe->number ? (long)pe->number : SEG_SHARED;
			any = true;
		}
	}
	free(segs);
	*owner = own;
	*nsegs = n;
	return any;
}

/* The segment map: runs of segments by owner, per PHB and window. */
static void segment_map(struct cli *c, const acs_pe_table *t, json_object *arr)
{
	char sz[32];

	for (uint32_t dom = 0; dom < ACS_PE_MAX_PHBS; dom++)
		for (int w = 0; w < 2; w++) {
			long *own;
			size_t n;
			json_object *o, *runs;

			if (!segment_owners(c, t, dom, w, &own, &n)) {
				free(own);
				continue;
			}
			o = json_object_new_object();
			runs = json_object_new_array();
			if (!arr)
				printf("PHB %04x %s map (%zu segments of %s):", dom, w ? "M64" : "M32", n,
				       size_str(acs_pe_segment_size(c->platform, dom, w), sz, sizeof(sz)));
			for (size_t s = 0, e; s < n; s = e + 1) {
				json_object *r = json_object_new_object();

				for (e = s; e + 1 < n && own[e + 1] == own[s]; e++)
					;
				if (arr) {
					json_object_object_add(r, "first", json_object_new_int64((int64_t)s));
					json_object_object_add(r, "last", json_object_new_int64((int64_t)e));
					json_object_object_add(r, "pe", own[s] >= 0 ? json_object_new_int64(own[s]) : NULL);
					json_object_object_add(r, "shared", json_object_new_boolean(own[s] == SEG_SHARED));
					json_object_array_add(runs, r);
					continue;
				}
				json_object_put(r);
				printf(s ? ", " : " ");
				printf(e > s ? "%zu-%zu " : "%zu ", s, e);
				if (own[s] >= 0)
					printf("PE#%ld", own[s]);
				else
					printf("%s", own[s] == SEG_SHARED ? "shared" : "free");
			}
			if (arr) {
				snprintf(sz, sizeof(sz), "%04x", dom);
				json_object_object_add(o, "phb", json_object_new_string(sz));
				json_object_object_add(o, "window", json_object_new_string(w ? "m64" : "m32"));
				json_object_object_add(o, "segment_size", json_object_new_int64(
					(int64_t)acs_pe_segment_size(c->platform, dom, w)));
				json_object_object_add(o, "runs", runs);
				json_object_array_add(arr, o);
			} else {
				json_object_put(o);
				json_object_put(runs);
				printf("\n");
			}
			free(own);
		}
}

/* why a PF's VFs cannot be enabled, or their mode is unknown */
static const char *iov_reason(const acs_pe_iov *e, char *buf, size_t size)
{
	switch (e->reason) {
	case ACS_PE_IOV_NO_SRIOV_PHB:
		return "SR-IOV is not supported on this PHB (IODA1)";
	case ACS_PE_IOV_NOT_M64:
		snprintf(buf, size, "VF BAR%u is not 64-bit prefetchable: powernv maps VF BARs only through M64",
			 e->bar);
		return buf;
	case ACS_PE_IOV_SMALL_SINGLE:
		snprintf(buf, size, "one VF's BARs exceed a quarter of an M64 segment, so single-PE mode, "
			 "which needs VF BAR%u to have 32 MiB at least", e->bar);
		return buf;
	case ACS_PE_IOV_NO_PES:
		snprintf(buf, size, "no run of %u free PE numbers left", e->num_vfs);
		return buf;
	case ACS_PE_IOV_NO_M64_BARS:
		return "not enough free M64 BARs (one per VF BAR, per VF in single-PE mode)";
	case ACS_PE_IOV_PAGE:
		snprintf(buf, size, "VF BAR%u is not a multiple of the kernel's %u KiB pages: it ignores the "
			 "SR-IOV capability", e->bar, ACS_PE_PAGE_SIZE / 1024);
		return buf;
	case ACS_PE_IOV_UNSIZED:
		return "VF BAR sizes not in the source";
	case ACS_PE_IOV_M64_UNKNOWN:
		return "the M64 window's size is unknown (--phb m64=SIZE)";
	default:
		return "";
	}
}

/* the mode as text prints it, or as JSON names it */
static const char *iov_mode(const acs_pe_iov *e, bool json)
{
	static const char *name[][2] = { { "unknown", "unknown" }, { "segmented", "segmented" },
					 { "single-PE", "single-pe" }, { "off", "off" } };

	return e->mode >= 0 && e->mode <= ACS_PE_IOV_OFF ? name[e->mode][json] : "?";
}

static void print_iov(struct cli *c, const acs_pe_table *t)
{
	char a[32], why[160];

	for (size_t k = 0; k < acs_pe_iov_count(t); k++) {
		const acs_pe_iov *e = acs_pe_iov_at(t, k);

		printf("SR-IOV %s: %u of %u VFs, M64 %s", addr_of(c, e->pf, a, sizeof(a)), e->num_vfs,
		       e->total_vfs, iov_mode(e, false));
		if (e->expanded)
			printf(" (VF BARs sized for %u VFs)", e->expanded);
		if (e->base_pe >= 0 && e->num_vfs)
			printf(", PE#%ld-%ld", e->base_pe, e->base_pe + e->num_vfs - 1);
		if (e->m64_count)
			printf(", M64 BAR%s #%u%s", e->m64_count > 1 ? "s" : "", e->m64_first,
			       e->m64_count > 1 ? (snprintf(why, sizeof(why), "-#%u", e->m64_first + e->m64_count - 1), why) : "");
		if (e->reason)
			printf("%s%s", acs_pe_iov_failed(e) ? (e->num_vfs ? ": VFs cannot be enabled: " : ": no VFs possible: ") : ": mode unknown: ",
			       iov_reason(e, why, sizeof(why)));
		printf("\n");
	}
}

static json_object *iov_json(struct cli *c, const acs_pe_table *t)
{
	json_object *arr = json_object_new_array();
	char a[32], why[160];

	for (size_t k = 0; k < acs_pe_iov_count(t); k++) {
		const acs_pe_iov *e = acs_pe_iov_at(t, k);
		json_object *o = json_object_new_object(), *pes = json_object_new_array(), *bars = json_object_new_array();

		json_object_object_add(o, "pf", json_object_new_string(addr_of(c, e->pf, a, sizeof(a))));
		json_object_object_add(o, "total_vfs", json_object_new_int((int)e->total_vfs));
		json_object_object_add(o, "num_vfs", json_object_new_int((int)e->num_vfs));
		json_object_object_add(o, "mode", json_object_new_string(iov_mode(e, true)));
		json_object_object_add(o, "expanded_vfs", e->expanded ? json_object_new_int((int)e->expanded) : NULL);
		for (long n = 0; e->base_pe >= 0 && n < (long)e->num_vfs; n++)
			json_object_array_add(pes, json_object_new_int((int)(e->base_pe + n)));
		json_object_object_add(o, "vf_pes", pes);
		for (unsigned n = 0; n < e->m64_count; n++)
			json_object_array_add(bars, json_object_new_int((int)(e->m64_first + n)));
		json_object_object_add(o, "m64_bars", bars);
		json_object_object_add(o, "enabled", json_object_new_boolean(!acs_pe_iov_failed(e)));
		json_object_object_add(o, "reason", e->reason ? json_object_new_string(iov_reason(e, why, sizeof(why))) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* A PE's buses: its range below a PCIe-to-PCI bridge, else those its
 * devices are on, in runs ("00-05", "00,06"): the device policy may give
 * one PE functions on buses apart. */
static const char *pe_buses(const struct cli *c, const acs_pe *pe, char *buf, size_t size)
{
	size_t used = 0;
	int first = -1, last = -1;

	if (pe->all || !pe->ndevices) {
		snprintf(buf, size, pe->bus_first == pe->bus_last ? "%02x" : "%02x-%02x", pe->bus_first, pe->bus_last);
		return buf;
	}
	buf[0] = '\0';
	for (size_t k = 0; k <= pe->ndevices; k++) {
		int bus = k < pe->ndevices ? acs_fabric_func(c->fabric, pe->devices[k])->bus : -1;

		if (bus >= 0 && (bus == last || bus == last + 1) && first >= 0) {
			last = bus;
			continue;
		}
		if (first >= 0 && used < size)
			used += (size_t)snprintf(buf + used, size - used, first == last ? "%s%02x" : "%s%02x-%02x",
						 used ? "," : "", first, last);
		first = last = bus;
	}
	return buf;
}

/* The functions a PHB ran out of PE numbers for: FAIL, exit status 1. */
static const char *left_line(const struct cli *c, uint32_t i, char *buf, size_t size)
{
	const struct acs_func *fn = acs_fabric_func(c->fabric, i);
	char a[32];

	snprintf(buf, size, "FAIL %s: PHB %04x is out of PEs (%u, one reserved): no PE for it, so no IOMMU group",
		 acs_func_addr(fn, a, sizeof(a)), fn->domain, acs_platform_pes(c->platform, fn->domain));
	return buf;
}

static int print_left(const struct cli *c, const acs_pe_table *t)
{
	const uint32_t *left;
	size_t n = acs_pe_left_out(t, &left);
	char line[200];

	for (size_t k = 0; k < n; k++)
		puts(left_line(c, left[k], line, sizeof(line)));
	return n ? EXIT_CHECK_FAILED : EXIT_OK;
}


/* one FAIL line per finding; exit status 1 when there is any */
static const char *const finding_kinds[] = {
	[ACS_PE_SHARED_SEGMENT] = "shared_segment", [ACS_PE_UNFENCED] = "unfenced",
	[ACS_PE_OUTSIDE_WINDOW] = "outside_window", [ACS_PE_SHARED_BUS] = "shared_bus",
	[ACS_PE_IOV_FAILED] = "vfs_cannot_exist", [ACS_PE_BESIDE_BRIDGE] = "beside_bridge",
	[ACS_PE_OUT_OF_PES] = "out_of_pes",
};

/* One finding as its FAIL line (without the newline). */
static const char *finding_line(const struct cli *c, const acs_pe_table *t, const acs_pe_finding *x, char *buf,
				size_t size)
{
	long pa = acs_pe_of(t, x->device), pb = x->neighbour != UINT32_MAX ? acs_pe_of(t, x->neighbour) : -1;
	unsigned na = pa >= 0 ? acs_pe_at(t, (size_t)pa)->number : 0, nb = pb >= 0 ? acs_pe_at(t, (size_t)pb)->number : 0;
	char a[32], b[32] = "", br[32];

	addr_of(c, x->device, a, sizeof(a));
	if (x->neighbour != UINT32_MAX)
		addr_of(c, x->neighbour, b, sizeof(b));
	switch (x->kind) {
	case ACS_PE_SHARED_SEGMENT:
		snprintf(buf, size, "FAIL %s BAR%u: %s segment %ld of PE#%u also holds %s of PE#%u", a, x->bar,
			 x->m64 ? "M64" : "M32", x->segment, na, b, nb);
		break;
	case ACS_PE_UNFENCED:
		if (x->neighbour == UINT32_MAX)
			snprintf(buf, size, "FAIL %s: on a root bus, behind no P2P bridge: its BARs can overlap any PE's", a);
		else
			snprintf(buf, size, "FAIL %s: on a root bus, behind no P2P bridge: moving its BARs it could overlap "
				 "%s of PE#%u, or any PE's", a, b, nb);
		break;
	case ACS_PE_OUTSIDE_WINDOW:
		snprintf(buf, size, "FAIL %s BAR%u: outside the windows of its bridge %s", a, x->bar, b);
		break;
	case ACS_PE_IOV_FAILED: {
		const acs_pe_iov *e = NULL;
		char why[160];

		for (size_t k = 0; k < acs_pe_iov_count(t); k++)
			if (acs_pe_iov_at(t, k)->pf == x->device)
				e = acs_pe_iov_at(t, k);
		snprintf(buf, size, "FAIL %s: its %u VFs cannot be enabled: %s", a, e ? e->num_vfs : 0,
			 e ? iov_reason(e, why, sizeof(why)) : "");
		break;
	}
	case ACS_PE_OUT_OF_PES:
		left_line(c, x->device, buf, size);
		break;
	case ACS_PE_BESIDE_BRIDGE:
		addr_of(c, x->via, br, sizeof(br));
		snprintf(buf, size, "FAIL %s: beside bridge %s of its own PE, whose windows hold %s of PE#%u: the bridge "
			 "above fences both, so moving its BARs it could overlap that neighbour", a, br, b, nb);
		break;
	default:
		snprintf(buf, size, "FAIL %s: shares its bus with %s of PE#%u: moving its BARs it could overlap that "
			 "neighbour", a, b, nb);
	}
	return buf;
}

static json_object *finding_json(const struct cli *c, const acs_pe_table *t, const acs_pe_finding *x)
{
	json_object *o = json_object_new_object();
	char buf[600], a[32];

	json_object_object_add(o, "kind", json_object_new_string(finding_kinds[x->kind]));
	json_object_object_add(o, "device", json_object_new_string(addr_of(c, x->device, a, sizeof(a))));
	json_object_object_add(o, "neighbour", x->neighbour == UINT32_MAX ? NULL :
				json_object_new_string(addr_of(c, x->neighbour, a, sizeof(a))));
	if (x->kind == ACS_PE_BESIDE_BRIDGE)
		json_object_object_add(o, "bridge", json_object_new_string(addr_of(c, x->via, a, sizeof(a))));
	json_object_object_add(o, "text", json_object_new_string(finding_line(c, t, x, buf, sizeof(buf)) + 5));
	return o;
}

/* one FAIL line per finding; exit status 1 when there is any */
static int pe_check(struct cli *c, const acs_pe_table *t)
{
	acs_pe_finding *v = NULL;
	size_t n = 0, nbars = cli_assigned_bars(c->fabric);
	int kind = acs_fabric_source_kind(c->fabric);
	bool blind = !nbars && (kind == ACS_SOURCE_TOPOLOGY || kind == ACS_SOURCE_LSPCI);
	char buf[600];

	if (acs_pe_check(&v, &n, t, c->fabric, c->platform))
		return cli_error("pe --check");
	if (c->json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();

		json_object_object_add(root, "platform", json_object_new_string(c->platform->name));
		json_object_object_add(root, "ok", json_object_new_boolean(!n));
		json_object_object_add(root, "pes", json_object_new_int64((int64_t)acs_pe_count(t)));
		json_object_object_add(root, "bars_checked", json_object_new_int64((int64_t)nbars));
		/* what the source could not show: SR-IOV alone was checked */
		json_object_object_add(root, "sriov_only", json_object_new_boolean(blind));
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, finding_json(c, t, &v[i]));
		json_object_object_add(root, "findings", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		for (size_t i = 0; i < n; i++)
			puts(finding_line(c, t, &v[i], buf, sizeof(buf)));
		/* say what was not seen rather than pass it */
		if (!n && blind)
			printf("OK %zu PEs, SR-IOV only: %s holds no BAR addresses (%s), so segments and fences were not "
			       "checked; read a dump or a live host for them\n", acs_pe_count(t), acs_fabric_origin(c->fabric),
			       kind == ACS_SOURCE_TOPOLOGY ? "a topology's BARs are unassigned" :
							     "lspci text without -vv's Region lines, or with a live host's CPU addresses");
		else if (!n)
			printf("OK %zu PEs, %zu BARs: no segment shared, every PE behind a bridge of its own\n",
			       acs_pe_count(t), nbars);
	}
	free(v);
	return n ? EXIT_CHECK_FAILED : EXIT_OK;
}

static const char *size_str(uint64_t sz, char *buf, size_t size)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (sz >= 1024 && !(sz & 1023) && u < 4) {
		sz >>= 10;
		u++;
	}
	snprintf(buf, size, "%llu %s", (unsigned long long)sz, unit[u]);
	return buf;
}

/* "BAR2", or "VF BAR0" for a PF's VF BAR (as the kernel expands it) */
static const char *bar_name(const acs_pe_bar_ref *r, char *buf, size_t size)
{
	if (r->bar >= ACS_PE_VF_BAR0)
		snprintf(buf, size, "VF BAR%u", r->bar - ACS_PE_VF_BAR0);
	else
		snprintf(buf, size, "BAR%u", r->bar);
	return buf;
}

/* One PHB's M32 window: where acs_pe_allocate() puts its BARs. */
struct window {
	bool m64;
	uint64_t base, seg;
	size_t nsegs;
};

/* window w of acs_pe_bridge_windows(): its bridge and kind */
static const char *window_name(const struct cli *c, size_t w, char *buf, size_t size)
{
	return acs_func_addr(acs_fabric_func(c->fabric, (w - 1) / 2), buf, size);
}

static const char *window_kind(size_t w)
{
	return (w - 1) % 2 ? "prefetchable" : "memory";
}

static json_object *windows_json(struct cli *c, const struct window *win, const acs_pe_alloc *a)
{
	json_object *v = json_object_new_array();
	char buf[32];

	for (size_t w = 1; w < a->nwindows; w++) {
		json_object *o;

		if (a->window_start[w] == UINT64_MAX)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "bridge", json_object_new_string(window_name(c, w, buf, sizeof(buf))));
		json_object_object_add(o, "kind", json_object_new_string(window_kind(w)));
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)(win->base + a->window_start[w]));
		json_object_object_add(o, "start", json_object_new_string(buf));
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)(win->base + a->window_end[w]));
		json_object_object_add(o, "end", json_object_new_string(buf));
		json_object_array_add(v, o);
	}
	return v;
}

static json_object *alloc_json(struct cli *c, const acs_pe_table *t, uint32_t dom, const struct window *w,
			       const acs_pe_alloc *a, const acs_pe_bar_demand *d, const acs_pe_bar_ref *r, size_t nd)
{
	json_object *o = json_object_new_object(), *bars = json_object_new_array();
	uint64_t seg = w->seg;
	size_t nsegs = w->nsegs;
	char buf[32];

	snprintf(buf, sizeof(buf), "%04x", dom);
	json_object_object_add(o, "phb", json_object_new_string(buf));
	json_object_object_add(o, "window", json_object_new_string(w->m64 ? "m64" : "m32"));
	json_object_object_add(o, "segment_size", json_object_new_int64((int64_t)seg));
	json_object_object_add(o, "segments", json_object_new_int64((int64_t)nsegs));
	json_object_object_add(o, "used", json_object_new_int64((int64_t)a->used));
	json_object_object_add(o, "wasted", json_object_new_int64((int64_t)a->wasted));
	json_object_object_add(o, "lower_bound", json_object_new_int64((int64_t)a->lower_bound));
	json_object_object_add(o, "window_bound", json_object_new_int64((int64_t)a->window_bound));
	for (size_t i = 0; i < nd; i++) {
		json_object *b = json_object_new_object();

		json_object_object_add(b, "device", json_object_new_string(
			acs_func_addr(acs_fabric_func(c->fabric, r[i].func), buf, sizeof(buf))));
		json_object_object_add(b, "bar", json_object_new_int(r[i].bar % ACS_PE_VF_BAR0));
		json_object_object_add(b, "vf_bar", json_object_new_boolean(r[i].bar >= ACS_PE_VF_BAR0));
		json_object_object_add(b, "size", json_object_new_int64((int64_t)d[i].size));
		json_object_object_add(b, "pe", json_object_new_int((int)acs_pe_at(t, d[i].pe)->number));
		if (a->offset[i] == UINT64_MAX) {
			json_object_object_add(b, "address", NULL);
			json_object_object_add(b, "segment", NULL);
		} else {
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)(w->base + a->offset[i]));
			json_object_object_add(b, "address", json_object_new_string(buf));
			json_object_object_add(b, "segment", json_object_new_int64((int64_t)(a->offset[i] / seg)));
		}
		json_object_array_add(bars, b);
	}
	json_object_object_add(o, "bars", bars);
	json_object_object_add(o, "bridge_windows", windows_json(c, w, a));
	return o;
}

/* The window's geometry; seg 0 where the platform does not say (M64 of
 * the generic platforms, unless --phb m64=) */
static struct window window_of(const acs_platform *p, uint32_t dom, bool m64)
{
	size_t npes = acs_platform_pes(p, dom);
	struct window w = { m64, ACS_PE_M32_BASE, acs_pe_segment_size(p, dom, false), npes };

	if (m64) {
		w.base = dom < ACS_PE_MAX_PHBS ? p->phb_m64_base[dom] : 0;
		w.seg = p->m64_size / npes;
	}
	return w;
}

static void print_windows(const struct cli *c, const struct window *win, const acs_pe_alloc *a)
{
	char buf[32];

	for (size_t w = 1; w < a->nwindows; w++)
		if (a->window_start[w] != UINT64_MAX)
			printf("  bridge %s %s window 0x%08llx-0x%08llx\n", window_name(c, w, buf, sizeof(buf)),
			       window_kind(w), (unsigned long long)(win->base + a->window_start[w]),
			       (unsigned long long)(win->base + a->window_end[w]));
}

static void print_bars(const struct cli *c, const acs_pe_table *t, const struct window *w, const acs_pe_alloc *a,
		       const acs_pe_bar_demand *d, const acs_pe_bar_ref *r, size_t nd, int *fails)
{
	char addr[32], sz[32], bn[16];

	for (size_t i = 0; i < nd; i++) {
		acs_func_addr(acs_fabric_func(c->fabric, r[i].func), addr, sizeof(addr));
		size_str(d[i].size, sz, sizeof(sz));
		if (a->offset[i] == UINT64_MAX) {
			char whole[32];
			bool larger = d[i].size > w->seg * w->nsegs;

			size_str(w->seg * w->nsegs, whole, sizeof(whole));
			printf("FAIL %s %s (%s, PE#%u): %s the %s window%s%s%s\n", addr, bar_name(&r[i], bn, sizeof(bn)), sz,
			       acs_pe_at(t, d[i].pe)->number, larger ? "larger than" : "no free segment run left in",
			       w->m64 ? "M64" : "M32", larger ? " (" : "", larger ? whole : "", larger ? ")" : "");
			(*fails)++;
		} else {
			printf("  %s %s %-8s at 0x%08llx, segment %llu, PE#%u\n", addr, bar_name(&r[i], bn, sizeof(bn)), sz,
			       (unsigned long long)(w->base + a->offset[i]),
			       (unsigned long long)(a->offset[i] / w->seg), acs_pe_at(t, d[i].pe)->number);
		}
	}
}

static int allocate_phb(struct cli *c, const acs_pe_table *t, uint32_t dom, bool m64, size_t *placed,
			size_t *unsized, json_object *phbs)
{
	size_t n = 12 * acs_fabric_count(c->fabric) + 1, nd, nun = 0;
	size_t nw = acs_pe_bridge_windows(c->fabric, NULL, 0);
	struct window w = window_of(c->platform, dom, m64);
	acs_pe_bar_demand *d = malloc(n * sizeof(*d));
	acs_pe_bar_ref *r = malloc(n * sizeof(*r));
	uint32_t *parent = malloc(nw * sizeof(*parent));
	acs_pe_alloc a;
	char sg[32];
	int fails = 0, rc = -1;

	if (!d || !r || !parent)
		goto out;
	acs_pe_bridge_windows(c->fabric, parent, nw);
	nd = acs_pe_window_demands(t, c->fabric, c->platform, dom, m64, d, r, n, &nun);
	*unsized += nun;
	if (nd && !w.seg) {
		if (!phbs)
			printf("# PHB %04x: %zu BARs for M64 left out: its size is unknown (--phb m64=SIZE)\n", dom, nd);
		nd = 0;
	}
	rc = 0;
	if (!nd)
		goto out;
	rc = -1;
	if (acs_pe_allocate_tree(&a, d, nd, parent, nw, w.seg, w.nsegs))
		goto out;
	*placed += nd;
	if (phbs) {
		for (size_t i = 0; i < nd; i++)
			fails += a.offset[i] == UINT64_MAX;
		json_object_array_add(phbs, alloc_json(c, t, dom, &w, &a, d, r, nd));
	} else {
		printf("PHB %04x %s: %zu BARs in %s segments: %zu used, %zu wasted, lower bound %zu, %zu with bridge "
		       "windows\n", dom, m64 ? "M64" : "M32", nd, size_str(w.seg, sg, sizeof(sg)), a.used, a.wasted,
		       a.lower_bound, a.window_bound);
		print_bars(c, t, &w, &a, d, r, nd, &fails);
		print_windows(c, &w, &a);
	}
	acs_pe_alloc_free(&a);
	rc = fails;
out:
	free(d);
	free(r);
	free(parent);
	return rc;
}

static int pe_allocate(struct cli *c, const acs_pe_table *t)
{
	size_t placed = 0, unsized = 0;
	int fails = 0;
	json_object *root = c->json ? json_object_new_object() : NULL, *phbs = c->json ? json_object_new_array() : NULL;

	for (uint32_t k = 0; k < 2 * ACS_PE_MAX_PHBS; k++) {
		bool m64 = k % 2;
		int rc = m64 && !acs_platform_has_m64(c->platform) ? 0 :
			 allocate_phb(c, t, k / 2, m64, &placed, &unsized, phbs);

		if (rc < 0) {
			json_object_put(root);
			json_object_put(phbs);
			return cli_error("pe --allocate");
		}
		fails += rc;
	}
	if (root && (placed || !unsized)) {
		json_object_object_add(root, "platform", json_object_new_string(c->platform->name));
		json_object_object_add(root, "phbs", phbs);
		json_object_object_add(root, "unsized_bars", json_object_new_int64((int64_t)unsized));
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
		return fails ? EXIT_CHECK_FAILED : EXIT_OK;
	}
	json_object_put(root);
	json_object_put(phbs);
	if (!placed && unsized) {
		fprintf(stderr, "acsctl pe --allocate: BAR sizes unknown for %zu BARs (%s has none): read a host "
			"through sysfs\n", unsized, acs_fabric_origin(c->fabric));
		return EXIT_BAD_INPUT;
	}
	if (unsized)
		printf("# %zu BARs of unknown size left out\n", unsized);
	return fails ? EXIT_CHECK_FAILED : EXIT_OK;
}

int cmd_pe(struct cli *c, int argc, char **argv)
{
	acs_pe_table *t = NULL;
	char addr[32], buses[800];
	bool check = c->check;
	int rc = EXIT_OK;

	if (argc) {
		fprintf(stderr, "usage: acsctl --platform NAME pe [--check | --allocate]\n");
		return EXIT_BAD_INPUT;
	}
	if (!c->platform) {
		fprintf(stderr, "acsctl pe: give --platform (p7ioc, phb3, phb4, powernv8, powernv9)\n");
		return EXIT_BAD_INPUT;
	}
	if (acs_pe_assign(&t, c->fabric, c->platform, c->pe_policy ? c->pe_policy : ACS_PE_BUS))
		return cli_error("pe");
	if (c->allocate) {
		rc = pe_allocate(c, t);
	} else if (check) {
		rc = pe_check(c, t);
	} else if (c->json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();
		char phb[8];

		json_object_object_add(root, "platform", json_object_new_string(c->platform->name));
		for (size_t i = 0; i < acs_pe_count(t); i++) {
			const acs_pe *pe = acs_pe_at(t, i);
			json_object *o = json_object_new_object(), *d = json_object_new_array();

			snprintf(phb, sizeof(phb), "%04x", pe->domain);
			json_object_object_add(o, "phb", json_object_new_string(phb));
			json_object_object_add(o, "pe", json_object_new_int((int)pe->number));
			json_object_object_add(o, "buses", json_object_new_string(pe_buses(c, pe, buses, sizeof(buses))));
			for (size_t k = 0; k < pe->ndevices; k++)
				json_object_array_add(d, json_object_new_string(
					acs_func_addr(acs_fabric_func(c->fabric, pe->devices[k]), addr, sizeof(addr))));
			json_object_object_add(o, "devices", d);
			json_object_object_add(o, "dma", json_object_new_boolean(pe->dma));
			json_object_object_add(o, "vf", json_object_new_boolean(pe->vf));
			/* by the segment each BAR starts in: sizes are not in config space */
			json_object_object_add(o, "m32_segments", segments_json(t, c, i, false));
			json_object_object_add(o, "m64_segments", segments_json(t, c, i, true));
			json_object_array_add(arr, o);
		}
		json_object_object_add(root, "pes", arr);
		{
			const uint32_t *left;
			size_t nleft = acs_pe_left_out(t, &left);

			json_object_object_add(root, "left_out", cli_addr_list(c, left, nleft));
		}
		json_object_object_add(root, "sriov", iov_json(c, t));
		arr = json_object_new_array();
		segment_map(c, t, arr);
		json_object_object_add(root, "segment_map", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		cli_note_header(c, stdout);
		for (size_t i = 0; i < acs_pe_count(t); i++) {
			const acs_pe *pe = acs_pe_at(t, i);

			pe_buses(c, pe, buses, sizeof(buses));
			printf("PHB %04x PE#%-3u bus%s %s%s:", pe->domain, pe->number, strlen(buses) > 2 ? "es" : "", buses,
			       pe->dma ? "" : " (bridges only: no IOMMU group)");
			for (size_t k = 0; k < pe->ndevices; k++)
				printf(" %s", acs_func_addr(acs_fabric_func(c->fabric, pe->devices[k]), addr, sizeof(addr)));
			print_segments(t, c, i, false);
			print_segments(t, c, i, true);
			printf("%s\n", pe->vf ? " (VF)" : "");
		}
		segment_map(c, t, NULL);
		print_iov(c, t);
		rc = print_left(c, t);
	}
	if (c->json && !c->allocate && !check)
		rc = acs_pe_left_out(t, &(const uint32_t *){ NULL }) ? EXIT_CHECK_FAILED : EXIT_OK;
	acs_pe_free(t);
	return rc;
}
