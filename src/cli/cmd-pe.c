/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl pe: the PE table of a PE platform, its check (--check) and the
 * placement of its BARs (--allocate), each through the one output path:
 * text as before, -m and JSON (doc/pe.md) from the same calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "cli.h"
#include "emit.h"

/* The header, and "platform" as doc/pe.md has it: the platform's name
 * (the header's platform object, phb, PEs and policy, is in the source
 * line of text). text: whether text shows the header (the PE table does;
 * --check and --allocate never printed it). */
static void pe_header(const struct cli *c, bool text)
{
	if (text || !out_wants(OUT_TEXT))
		cli_out_header(c);
	out_str(OUT_DATA, "platform", NULL, c->platform->name);
}

/* The segments a PE's BARs start in, of one window (text: only where
 * there are any). */
static void print_segments(const acs_pe_table *t, struct cli *c, size_t k, bool m64)
{
	unsigned seg[ACS_PE_MAX_PES];
	size_t n = acs_pe_segments(t, c->fabric, c->platform, k, m64, seg, ACS_PE_MAX_PES);

	out_array_open(OUT_DATA, m64 ? "m64_segments" : "m32_segments");
	if (n)
		out_text("\n    %s segments:", m64 ? "M64" : "M32");
	for (size_t i = 0; i < n && i < ACS_PE_MAX_PES; i++)
		out_uint(OUT_ANY, NULL, " %s", seg[i]);
	out_array_close(OUT_DATA);
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
static void segment_map(struct cli *c, const acs_pe_table *t)
{
	char sz[32];

	out_array_open(OUT_DATA, "segment_map");
	for (uint32_t dom = 0; dom < ACS_PE_MAX_PHBS; dom++)
		for (int w = 0; w < 2; w++) {
			uint64_t size = acs_pe_segment_size(c->platform, dom, w);
			long *own;
			size_t n;

			if (!segment_owners(c, t, dom, w, &own, &n)) {
				free(own);
				continue;
			}
			out_object_open(OUT_DATA, NULL);
			out_hex(OUT_ANY, "phb", "PHB %s", dom, 4);
			out_str(OUT_DATA, "window", NULL, w ? "m64" : "m32");
			out_uint(OUT_DATA, "segment_size", NULL, size);
			out_text(" %s map (", w ? "M64" : "M32");
			out_uint(OUT_ANY, "segments", "%s segments of ", n);
			out_text("%s):", size_str(size, sz, sizeof(sz)));
			out_array_open(OUT_DATA, "runs");
			for (size_t s = 0, e; s < n; s = e + 1) {
				for (e = s; e + 1 < n && own[e + 1] == own[s]; e++)
					;
				out_object_open(OUT_DATA, NULL);
				out_uint(OUT_DATA, "first", NULL, s);
				out_uint(OUT_DATA, "last", NULL, e);
				if (own[s] >= 0)
					out_int(OUT_DATA, "pe", NULL, own[s]);
				else
					out_null(OUT_DATA, "pe", NULL);
				out_bool(OUT_DATA, "shared", NULL, own[s] == SEG_SHARED);
				out_object_close(OUT_DATA);
				out_text(s ? ", " : " ");
				out_text(e > s ? "%zu-%zu " : "%zu ", s, e);
				if (own[s] >= 0)
					out_text("PE#%ld", own[s]);
				else
					out_text("%s", own[s] == SEG_SHARED ? "shared" : "free");
			}
			out_array_close(OUT_DATA);
			out_text("\n");
			out_object_close(OUT_DATA);
			free(own);
		}
	out_array_close(OUT_DATA);
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

	out_array_open(OUT_DATA, "sriov");
	for (size_t k = 0; k < acs_pe_iov_count(t); k++) {
		const acs_pe_iov *e = acs_pe_iov_at(t, k);

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "pf", "SR-IOV %s", addr_of(c, e->pf, a, sizeof(a)));
		out_uint(OUT_ANY, "num_vfs", ": %s", e->num_vfs);
		out_uint(OUT_ANY, "total_vfs", " of %s VFs", e->total_vfs);
		out_text(", M64 %s", iov_mode(e, false));
		out_str(OUT_DATA, "mode", NULL, iov_mode(e, true));
		if (e->expanded)
			out_uint(OUT_ANY, "expanded_vfs", " (VF BARs sized for %s VFs)", e->expanded);
		else
			out_null(OUT_DATA, "expanded_vfs", NULL);
		if (e->base_pe >= 0 && e->num_vfs)
			out_text(", PE#%ld-%ld", e->base_pe, e->base_pe + e->num_vfs - 1);
		out_array_open(OUT_DATA, "vf_pes");
		for (long n = 0; e->base_pe >= 0 && n < (long)e->num_vfs; n++)
			out_int(OUT_DATA, NULL, NULL, e->base_pe + n);
		out_array_close(OUT_DATA);
		if (e->m64_count == 1)
			out_text(", M64 BAR #%u", e->m64_first);
		else if (e->m64_count)
			out_text(", M64 BARs #%u-#%u", e->m64_first, e->m64_first + e->m64_count - 1);
		out_array_open(OUT_DATA, "m64_bars");
		for (unsigned n = 0; n < e->m64_count; n++)
			out_uint(OUT_DATA, NULL, NULL, e->m64_first + n);
		out_array_close(OUT_DATA);
		out_bool(OUT_DATA, "enabled", NULL, !acs_pe_iov_failed(e));
		if (e->reason) {
			out_text("%s", acs_pe_iov_failed(e) ? (e->num_vfs ? ": VFs cannot be enabled: " : ": no VFs possible: ") :
							      ": mode unknown: ");
			out_str(OUT_ANY, "reason", "%s", iov_reason(e, why, sizeof(why)));
		} else {
			out_null(OUT_DATA, "reason", NULL);
		}
		out_text("\n");
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
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
	char line[200], a[32];

	out_array_open(OUT_DATA, "left_out");
	for (size_t k = 0; k < n; k++) {
		out_str(OUT_DATA, NULL, NULL, addr_of(c, left[k], a, sizeof(a)));
		out_text("%s\n", left_line(c, left[k], line, sizeof(line)));
	}
	out_array_close(OUT_DATA);
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

static void print_finding(const struct cli *c, const acs_pe_table *t, const acs_pe_finding *x)
{
	char buf[600], a[32];

	out_object_open(OUT_DATA, NULL);
	out_str(OUT_DATA, "kind", NULL, finding_kinds[x->kind]);
	out_str(OUT_DATA, "device", NULL, addr_of(c, x->device, a, sizeof(a)));
	if (x->neighbour == UINT32_MAX)
		out_null(OUT_DATA, "neighbour", NULL);
	else
		out_str(OUT_DATA, "neighbour", NULL, addr_of(c, x->neighbour, a, sizeof(a)));
	if (x->kind == ACS_PE_BESIDE_BRIDGE)
		out_str(OUT_DATA, "bridge", NULL, addr_of(c, x->via, a, sizeof(a)));
	/* the FAIL line, less its "FAIL " */
	out_text("FAIL ");
	out_str(OUT_ANY, "text", "%s\n", finding_line(c, t, x, buf, sizeof(buf)) + 5);
	out_object_close(OUT_DATA);
}

/* Text: one FAIL line per finding, or the OK line; the data: the header
 * too (text's is left out, as it always was). Exit status 1 on any. */
static int pe_check(struct cli *c, const acs_pe_table *t)
{
	acs_pe_finding *v = NULL;
	size_t n = 0, nbars = cli_assigned_bars(c->fabric);
	int kind = acs_fabric_source_kind(c->fabric), status;
	bool blind = !nbars && (kind == ACS_SOURCE_TOPOLOGY || kind == ACS_SOURCE_LSPCI);

	if (acs_pe_check(&v, &n, t, c->fabric, c->platform))
		return cli_error("pe --check");
	status = n ? EXIT_CHECK_FAILED : EXIT_OK;
	cli_out_begin(c, "pe");
	pe_header(c, false);
	out_bool(OUT_DATA, "ok", NULL, !n);
	out_uint(OUT_DATA, "pes", NULL, acs_pe_count(t));
	out_uint(OUT_DATA, "bars_checked", NULL, nbars);
	/* what the source could not show: SR-IOV alone was checked */
	out_bool(OUT_DATA, "sriov_only", NULL, blind);
	out_array_open(OUT_DATA, "findings");
	for (size_t i = 0; i < n; i++)
		print_finding(c, t, &v[i]);
	out_array_close(OUT_DATA);
	/* say what was not seen rather than pass it */
	if (!n && blind)
		out_text("OK %zu PEs, SR-IOV only: %s holds no BAR addresses (%s), so segments and fences were not "
			 "checked; read a dump or a live host for them\n", acs_pe_count(t), acs_fabric_origin(c->fabric),
			 kind == ACS_SOURCE_TOPOLOGY ? "a topology's BARs are unassigned" :
						       "lspci text without -vv's Region lines, or with a live host's CPU addresses");
	else if (!n)
		out_text("OK %zu PEs, %zu BARs: no segment shared, every PE behind a bridge of its own\n", acs_pe_count(t),
			 nbars);
	cli_out_verdict(c, status, NULL, 0);
	free(v);
	return out_end(status);
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

	out_array_open(OUT_DATA, "bridge_windows");
	for (size_t w = 1; w < a->nwindows; w++) {
		uint64_t start = win->base + a->window_start[w], end = win->base + a->window_end[w];

		if (a->window_start[w] == UINT64_MAX)
			continue;
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "bridge", "  bridge %s", window_name(c, w, buf, sizeof(buf)));
		out_str(OUT_ANY, "kind", " %s window", window_kind(w));
		out_text(" 0x%08llx-0x%08llx\n", (unsigned long long)start, (unsigned long long)end);
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)start);
		out_str(OUT_DATA, "start", NULL, buf);
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)end);
		out_str(OUT_DATA, "end", NULL, buf);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

/* Each BAR's place, or a FAIL line for one that does not fit. */
static void print_bars(const struct cli *c, const acs_pe_table *t, const struct window *w, const acs_pe_alloc *a,
		       const acs_pe_bar_demand *d, const acs_pe_bar_ref *r, size_t nd)
{
	char addr[32], sz[32], bn[16], whole[32], at[32];

	out_array_open(OUT_DATA, "bars");
	for (size_t i = 0; i < nd; i++) {
		unsigned pe = acs_pe_at(t, d[i].pe)->number;
		bool larger = d[i].size > w->seg * w->nsegs;

		acs_func_addr(acs_fabric_func(c->fabric, r[i].func), addr, sizeof(addr));
		size_str(d[i].size, sz, sizeof(sz));
		bar_name(&r[i], bn, sizeof(bn));
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "device", NULL, addr);
		out_uint(OUT_DATA, "bar", NULL, r[i].bar % ACS_PE_VF_BAR0);
		out_bool(OUT_DATA, "vf_bar", NULL, r[i].bar >= ACS_PE_VF_BAR0);
		out_uint(OUT_DATA, "size", NULL, d[i].size);
		out_uint(OUT_DATA, "pe", NULL, pe);
		if (a->offset[i] == UINT64_MAX) {
			out_null(OUT_DATA, "address", NULL);
			out_null(OUT_DATA, "segment", NULL);
			size_str(w->seg * w->nsegs, whole, sizeof(whole));
			out_text("FAIL %s %s (%s, PE#%u): %s the %s window%s%s%s\n", addr, bn, sz, pe,
				 larger ? "larger than" : "no free segment run left in", w->m64 ? "M64" : "M32",
				 larger ? " (" : "", larger ? whole : "", larger ? ")" : "");
		} else {
			snprintf(at, sizeof(at), "0x%llx", (unsigned long long)(w->base + a->offset[i]));
			out_str(OUT_DATA, "address", NULL, at);
			out_uint(OUT_DATA, "segment", NULL, a->offset[i] / w->seg);
			out_text("  %s %s %-8s at 0x%08llx, segment %llu, PE#%u\n", addr, bn, sz,
				 (unsigned long long)(w->base + a->offset[i]), (unsigned long long)(a->offset[i] / w->seg), pe);
		}
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

/* One PHB's window, placed: computed before anything is printed, so a
 * source without BAR sizes fails alone (exit 2) in every format. */
struct phb_alloc {
	uint32_t dom;
	struct window w;
	acs_pe_bar_demand *d;
	acs_pe_bar_ref *r;
	size_t nd;
	size_t m64_left;      /* BARs for M64 left out: its size is unknown */
	acs_pe_alloc a;
	bool placed;
};

static int allocate_phb(struct cli *c, const acs_pe_table *t, uint32_t dom, bool m64, struct phb_alloc *p,
			size_t *unsized)
{
	size_t n = 12 * acs_fabric_count(c->fabric) + 1, nun = 0;
	size_t nw = acs_pe_bridge_windows(c->fabric, NULL, 0);
	uint32_t *parent = malloc(nw * sizeof(*parent));
	int rc = -1;

	memset(p, 0, sizeof(*p));
	p->dom = dom;
	p->w = window_of(c->platform, dom, m64);
	p->d = malloc(n * sizeof(*p->d));
	p->r = malloc(n * sizeof(*p->r));
	if (!p->d || !p->r || !parent)
		goto out;
	acs_pe_bridge_windows(c->fabric, parent, nw);
	p->nd = acs_pe_window_demands(t, c->fabric, c->platform, dom, m64, p->d, p->r, n, &nun);
	*unsized += nun;
	if (p->nd && !p->w.seg) {
		p->m64_left = p->nd;
		p->nd = 0;
	}
	rc = 0;
	if (!p->nd)
		goto out;
	rc = -1;
	if (acs_pe_allocate_tree(&p->a, p->d, p->nd, parent, nw, p->w.seg, p->w.nsegs))
		goto out;
	p->placed = true;
	rc = 0;
out:
	free(parent);
	if (!p->nd) {
		free(p->d);
		free(p->r);
		p->d = NULL;
		p->r = NULL;
	}
	return rc;
}

static void print_phb(const struct cli *c, const acs_pe_table *t, const struct phb_alloc *p)
{
	char sg[32];

	out_object_open(OUT_DATA, NULL);
	out_hex(OUT_ANY, "phb", "PHB %s", p->dom, 4);
	out_str(OUT_DATA, "window", NULL, p->w.m64 ? "m64" : "m32");
	out_text(" %s: %zu BARs in %s segments: ", p->w.m64 ? "M64" : "M32", p->nd, size_str(p->w.seg, sg, sizeof(sg)));
	out_uint(OUT_DATA, "segment_size", NULL, p->w.seg);
	out_uint(OUT_DATA, "segments", NULL, p->w.nsegs);
	out_uint(OUT_ANY, "used", "%s used, ", p->a.used);
	out_uint(OUT_ANY, "wasted", "%s wasted, ", p->a.wasted);
	out_uint(OUT_ANY, "lower_bound", "lower bound %s, ", p->a.lower_bound);
	out_uint(OUT_ANY, "window_bound", "%s with bridge windows\n", p->a.window_bound);
	print_bars(c, t, &p->w, &p->a, p->d, p->r, p->nd);
	print_windows(c, &p->w, &p->a);
	out_object_close(OUT_DATA);
}

static int pe_allocate(struct cli *c, const acs_pe_table *t)
{
	struct phb_alloc *phb = calloc(2 * ACS_PE_MAX_PHBS, sizeof(*phb));
	size_t placed = 0, unsized = 0, n = 0, fails = 0;
	int rc = 0;

	for (uint32_t k = 0; phb && !rc && k < 2 * ACS_PE_MAX_PHBS; k++) {
		if (k % 2 && !acs_platform_has_m64(c->platform))
			continue;
		rc = allocate_phb(c, t, k / 2, k % 2, &phb[n], &unsized);
		placed += phb[n].nd;
		n++;
	}
	if (!phb || rc) {
		rc = cli_error("pe --allocate");
		goto done;
	}
	if (!placed && unsized) {
		fprintf(stderr, "acsctl pe --allocate: BAR sizes unknown for %zu BARs (%s has none): read a host "
			"through sysfs\n", unsized, acs_fabric_origin(c->fabric));
		rc = EXIT_BAD_INPUT;
		goto done;
	}
	cli_out_begin(c, "pe");
	pe_header(c, false);
	out_array_open(OUT_DATA, "phbs");
	for (size_t k = 0; k < n; k++) {
		if (phb[k].m64_left)
			out_text("# PHB %04x: %zu BARs for M64 left out: its size is unknown (--phb m64=SIZE)\n", phb[k].dom,
				 phb[k].m64_left);
		if (!phb[k].placed)
			continue;
		print_phb(c, t, &phb[k]);
		fails += phb[k].a.nfailed;
	}
	out_array_close(OUT_DATA);
	/* the PHBs whose M64 BARs were left out */
	out_array_open(OUT_DATA, "m64_size_unknown");
	for (size_t k = 0; k < n; k++) {
		if (!phb[k].m64_left)
			continue;
		out_object_open(OUT_DATA, NULL);
		out_hex(OUT_DATA, "phb", NULL, phb[k].dom, 4);
		out_uint(OUT_DATA, "bars", NULL, phb[k].m64_left);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	out_uint(OUT_DATA, "unsized_bars", NULL, unsized);
	if (unsized)
		out_text("# %zu BARs of unknown size left out\n", unsized);
	rc = out_end(fails ? EXIT_CHECK_FAILED : EXIT_OK);
done:
	for (size_t k = 0; phb && k < n; k++) {
		if (phb[k].placed)
			acs_pe_alloc_free(&phb[k].a);
		free(phb[k].d);
		free(phb[k].r);
	}
	free(phb);
	return rc;
}

/* The PE table: a line per PE, the segment map, the SR-IOV lines, and
 * the functions left without a PE (FAIL, exit status 1). */
static int pe_table(struct cli *c, const acs_pe_table *t)
{
	char addr[32], buses[800];
	int status;

	cli_out_begin(c, "pe");
	pe_header(c, true);
	out_array_open(OUT_DATA, "pes");
	for (size_t i = 0; i < acs_pe_count(t); i++) {
		const acs_pe *pe = acs_pe_at(t, i);

		pe_buses(c, pe, buses, sizeof(buses));
		out_object_open(OUT_DATA, NULL);
		out_hex(OUT_ANY, "phb", "PHB %s", pe->domain, 4);
		out_uint(OUT_DATA, "pe", NULL, pe->number);
		out_text(" PE#%-3u bus%s", pe->number, strlen(buses) > 2 ? "es" : "");
		out_str(OUT_ANY, "buses", " %s", buses);
		out_bool(OUT_DATA, "dma", NULL, pe->dma);
		out_text("%s:", pe->dma ? "" : " (bridges only: no IOMMU group)");
		out_array_open(OUT_DATA, "devices");
		for (size_t k = 0; k < pe->ndevices; k++)
			out_str(OUT_ANY, NULL, " %s", addr_of(c, pe->devices[k], addr, sizeof(addr)));
		out_array_close(OUT_DATA);
		out_bool(OUT_DATA, "vf", NULL, pe->vf);
		/* by the segment each BAR starts in: sizes are not in config space */
		print_segments(t, c, i, false);
		print_segments(t, c, i, true);
		out_text("%s\n", pe->vf ? " (VF)" : "");
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	segment_map(c, t);
	print_iov(c, t);
	status = print_left(c, t);
	return out_end(status);
}

int cmd_pe(struct cli *c, int argc, char **argv)
{
	acs_pe_table *t = NULL;
	int rc;

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
	rc = c->allocate ? pe_allocate(c, t) : c->check ? pe_check(c, t) : pe_table(c, t);
	acs_pe_free(t);
	return rc;
}
