/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl p2p [DEV...]: for each pair, the kernel's P2PDMA verdict and the
 * hardware path; a matrix like `nvidia-smi topo -m`'s (devices labelled
 * GPU0, NIC0, NVMe0 as p2p-view.c names them; each cell the class of the
 * path in nvidia-smi's words, beside the kernel's verdict), the NUMA node
 * and link of each, and a legend. Text shows the matrix (or with -v the
 * pairs); -m and JSON carry the legend and the pairs, each with its two
 * cells of the matrix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

static const char *map_name(int map)
{
	return map == ACS_P2P_BUS_ADDR ? "bus_addr" :
	       map == ACS_P2P_THRU_HOST_BRIDGE ? "thru_host_bridge" : "not_supported";
}

static const char *cpu_name(int cpu)
{
	return cpu == ACS_P2P_CPU_AMD_ZEN ? "amd-zen" : cpu == ACS_P2P_CPU_OTHER ? "other" : "unknown";
}

/* What the verdicts on a pair depend on that was not read. */
#define PAIR_QUESTIONS (ACS_UNKNOWN_REACH | ACS_UNKNOWN_P2PDMA)

/* What one run computes once and every format prints. */
struct p2p_run {
	const struct cli *c;
	size_t *devs, n;
	size_t peers;       /* the fabric's functions that can be peers */
	size_t vfs_out;     /* VFs of the kinds shown, left out by default */
	const char *by;     /* how devs were chosen: named, selector, kind, all */
	char *labels;       /* P2P_LABEL bytes per function (p2p-view.c) */
	int cpu;
	acs_unknown *unk;   /* every pair's: the verdict's */
	acs_unknown *one;   /* one pair's */
};

static const char *label(const struct p2p_run *r, size_t i)
{
	return r->labels + i * P2P_LABEL;
}

static const char *verdict_word(int map)
{
	return map == ACS_P2P_BUS_ADDR ? "bus" : map == ACS_P2P_THRU_HOST_BRIDGE ? "hb" : "no";
}

/* One cell, provider x (row) and client y (column): where their paths
 * meet (the class), the port whose ACS sends y's requests for x's memory
 * up to the root complex instead (-1: none), the kernel's verdict, and
 * whether any of it depends on what was not read (added to the run's
 * set). */
struct p2p_cell {
	struct acs_p2pdma v;
	int cls;
	long detour;
	bool unknown;
	char code[24];      /* PIX, a * for the detour, /no, a ? */
};

static void cell_of(struct p2p_run *r, size_t x, size_t y, struct p2p_cell *out)
{
	const struct cli *c = r->c;
	struct acs_reach h;

	acs_p2pdma_distance(c->fabric, c->policy, r->cpu, x, y, &out->v);
	out->unknown = acs_unknown_add(r->unk, PAIR_QUESTIONS, x, (long)y);
	out->cls = acs_p2p_class(c->fabric, x, y);
	acs_route_reach(c->fabric, c->policy, y, x, &h);
	/* a route that meets below the root complex and is not let across
	 * there: the port it enters by sends it up */
	out->detour = !h.direct && h.ingress >= 0 ? h.ingress : -1;
	snprintf(out->code, sizeof(out->code), "%s%s/%s%s", acs_p2p_class_name(out->cls),
		 out->detour >= 0 ? "*" : "", verdict_word(out->v.map), out->unknown ? "?" : "");
}

/* Unnamed devices a run takes: every pair of them is a cell, so a
 * fabric of 100,000 functions would take hours and print billions. */
#define P2P_ALL_MAX 1024

static int select_devices(struct p2p_run *r, int argc, char **argv)
{
	const struct cli *c = r->c;
	bool selectors = c->slot || c->id;
	size_t count = acs_fabric_count(c->fabric);

	r->n = r->peers = 0;
	for (size_t i = 0; i < count; i++)
		r->peers += cli_is_peer(acs_fabric_func(c->fabric, i));
	for (int k = 0; k < argc; k++) {
		long i = cli_find_device(c, argv[k], strlen(argv[k]));

		if (i < 0) {
			fprintf(stderr, "acsctl p2p: no device '%s' in %s\n", argv[k],
				acs_fabric_origin(c->fabric));
			return EXIT_BAD_INPUT;
		}
		r->devs[r->n++] = (size_t)i;
		r->by = "named";
	}
	if (argc)
		return 0;
	/* by default the kinds that do P2P, so a host of 500 functions does
	 * not print a 500 by 500 matrix, and not their VFs (each takes its
	 * PF's path: a NIC's 64 VFs would add 64 rows that say the same);
	 * -s and -d choose among every peer */
	r->by = selectors ? "selector" : "kind";
	for (size_t i = 0; i < count; i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, i);
		bool shown = p2p_kind_shown(p2p_kind_of(fn));

		if (!selectors && shown && fn->is_virtfn)
			r->vfs_out++;
		else if (cli_is_peer(fn) && cli_selected(fn) && (selectors || shown))
			r->devs[r->n++] = i;
	}
	if (!r->n && !selectors) {
		r->by = "all";
		r->vfs_out = 0;
		for (size_t i = 0; i < count; i++)
			if (cli_is_peer(acs_fabric_func(c->fabric, i)))
				r->devs[r->n++] = i;
	}
	if (r->n > P2P_ALL_MAX) {
		fprintf(stderr, "acsctl p2p: %zu devices in %s, %llu pairs: name the devices (acsctl p2p DEV...) "
			"or select at most %d with -s/-d\n", r->n, acs_fabric_origin(c->fabric),
			(unsigned long long)r->n * (r->n - 1) / 2, P2P_ALL_MAX);
		return EXIT_BAD_INPUT;
	}
	p2p_sort_by_kind(c->fabric, r->devs, r->n);
	return 0;
}

/* Which devices the matrix has, and why (text: a "# " line). */
static void print_selection(const struct p2p_run *r)
{
	out_object_open(OUT_DATA, "selection");
	out_str(OUT_DATA, "by", NULL, r->by);
	out_uint(OUT_DATA, "count", NULL, r->n);
	out_uint(OUT_DATA, "peers", NULL, r->peers);
	out_uint(OUT_DATA, "vfs_left_out", NULL, r->vfs_out);
	out_object_close(OUT_DATA);
	if (strcmp(r->by, "kind") == 0 && r->vfs_out)
		out_text("# %zu of %zu peer functions: the GPUs, accelerators, NICs and NVMe drives, without their %zu VFs "
			 "(each takes its PF's path; name devices, or -s/-d, for others; -s : for every one)\n", r->n,
			 r->peers, r->vfs_out);
	else if (strcmp(r->by, "kind") == 0)
		out_text("# %zu of %zu peer functions: the GPUs, accelerators, NICs and NVMe drives (name devices, or "
			 "-s/-d, for others; -s : for every one)\n", r->n, r->peers);
	else if (strcmp(r->by, "all") == 0)
		out_text("# all %zu peer functions (no GPU, accelerator, NIC or NVMe drive here)\n", r->n);
	else if (strcmp(r->by, "selector") == 0)
		out_text("# %zu of %zu peer functions: those -s/-d select\n", r->n, r->peers);
	else
		out_text("# %zu devices, as named\n", r->n);
}

/* What the verdicts rest on besides the fabric: whether the kernel has
 * P2PDMA at all, and the CPU (text: "# " lines after the header). */
static void print_basis(const struct cli *c, int cpu)
{
	int from;
	bool built = acs_p2pdma_built(c->fabric, c->policy, &from);

	out_bool(OUT_DATA, "p2pdma_built", NULL, built);
	out_str(OUT_DATA, "p2pdma_from", NULL, from == ACS_P2PDMA_FROM_HOST ? "host" : "policy");
	if (built && from == ACS_P2PDMA_FROM_HOST)
		out_text("# the running kernel has P2PDMA (CONFIG_PCI_P2PDMA=y)\n");
	else if (!built)
		out_text("# Linux %s %s no P2PDMA (CONFIG_PCI_P2PDMA is not set): the verdicts are what a kernel with it "
			 "would say; GPU and RDMA drivers that do their own P2P follow the hardware path\n",
			 acs_policy_name(c->policy), from == ACS_P2PDMA_FROM_HOST ? "here has" : "as Debian builds it has");
	out_text("# hardware paths are reasoned port by port from ACS and the bus tree; bridge windows and BARs are not "
		 "read\n");
	out_str(OUT_DATA, "cpu", NULL, cpu_name(cpu));
	out_str(OUT_DATA, "cpu_from", NULL, c->cpu ? "--cpu" : cpu != ACS_P2P_CPU_UNKNOWN ? "host" : NULL);
	if (cpu == ACS_P2P_CPU_UNKNOWN)
		out_text("# CPU unknown: taken as not one the kernel trusts for P2P through the host bridge (AMD Zen is)\n");
}

static int numa_of(const struct p2p_run *r, size_t i)
{
	return acs_fabric_func(r->c->fabric, i)->numa_node;
}

static void print_matrix(struct p2p_run *r)
{
	int w = 9;
	char buf[64];

	for (size_t i = 0; i < r->n; i++)
		if ((int)strlen(label(r, r->devs[i])) > w)
			w = (int)strlen(label(r, r->devs[i]));
	out_text("%-*s", w, "");
	for (size_t j = 0; j < r->n; j++)
		out_text(" %-*s", w, label(r, r->devs[j]));
	out_text("  NUMA  LINK\n");
	for (size_t i = 0; i < r->n; i++) {
		struct p2p_link l;

		out_text("%-*s", w, label(r, r->devs[i]));
		for (size_t j = 0; j < r->n; j++) {
			struct p2p_cell cl;

			if (i != j)
				cell_of(r, r->devs[i], r->devs[j], &cl);
			out_text(" %-*s", w, i == j ? "X" : cl.code);
		}
		if (numa_of(r, r->devs[i]) >= 0)
			snprintf(buf, sizeof(buf), "%d", numa_of(r, r->devs[i]));
		else
			snprintf(buf, sizeof(buf), "-");
		p2p_link_of(r->c->fabric, r->devs[i], &l);
		out_text("  %-4s  ", buf);
		out_text("%s\n", p2p_link_text(&l, buf, sizeof(buf)));
	}
	out_text("\nLegend: CLASS/P2PDMA, provider = row, client = column (the client's DMA to the provider's memory)\n"
		 "  CLASS, where their paths meet in the bus tree (nvidia-smi topo -m's words):\n"
		 "  X     = self\n"
		 "  PIX   = at most one PCIe switch (or bridge) between them\n"
		 "  PXB   = several PCIe switches, not through the host bridge\n"
		 "  PHB   = through a PCIe host bridge (one root complex)\n"
		 "  NODE  = between host bridges of one NUMA node\n"
		 "  SYS   = between NUMA nodes (QPI/UPI, Infinity Fabric)\n"
		 "  XHB   = between host bridges, a NUMA node not known (NODE or SYS)\n"
		 "  *     = an ACS redirect sends the request up to the root complex instead (the port: p2p -v, -j detour)\n"
		 "  P2PDMA, the kernel's verdict (pci_p2pdma_distance()):\n"
		 "  bus   = bus_addr: direct, below the host bridge\n"
		 "  hb    = thru_host_bridge: through the host bridge, allowed\n"
		 "  no    = not_supported: through a host bridge the kernel does not trust\n"
		 "  ?     = depends on ACS state that was not read (UNKNOWN lines below)\n"
		 "  LINK: negotiated speed and width; \"(of ...) !\": below what the device can (Link Capabilities)\n");
}

/* Each device shown: its label, address, name and class, NUMA node and
 * link (text: the legend's lines after the matrix, without -v). */
static void print_legend(struct p2p_run *r)
{
	const struct cli *c = r->c;
	bool text = !c->verbose && out_wants(OUT_TEXT);
	char addr[32], name[400];

	if (text)
		out_text("\nDevices:\n");
	out_array_open(OUT_DATA, "legend");
	for (size_t i = 0; i < r->n; i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, r->devs[i]);
		struct p2p_link l;

		p2p_link_of(c->fabric, r->devs[i], &l);
		acs_func_addr(fn, addr, sizeof(addr));
		cli_describe(c, fn, name, sizeof(name));
		if (text)
			out_text("  %-8s %s  %s [%04x]\n", label(r, r->devs[i]), addr, name, fn->class_code >> 8);
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "label", NULL, label(r, r->devs[i]));
		out_str(OUT_DATA, "address", NULL, addr);
		out_str(OUT_DATA, "kind", NULL, p2p_kind_name(p2p_kind_of(fn)));
		out_str(OUT_DATA, "name", NULL, name);
		out_hex(OUT_DATA, "class", NULL, fn->class_code >> 8, 4);
		if (fn->numa_node >= 0)
			out_int(OUT_DATA, "numa_node", NULL, fn->numa_node);
		else
			out_null(OUT_DATA, "numa_node", NULL);
		p2p_out_link(&l);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

static void print_addr(int when, const struct cli *c, const char *key, const char *fmt, long i)
{
	char addr[32];

	if (i < 0)
		out_null(when, key, fmt);
	else
		out_str(when, key, fmt, acs_func_addr(acs_fabric_func(c->fabric, (size_t)i), addr, sizeof(addr)));
}

static const char *route_word(const struct acs_reach *h)
{
	return h->unknown ? "unknown" : h->direct ? "direct" : "through the root complex";
}

/* Where from's requests to to go, and to's completions back: the
 * hardware's path, which drivers that do their own P2P follow. */
static void print_route(const struct cli *c, int when, const struct acs_reach *h, size_t from, size_t to)
{
	struct acs_reach back;
	char fa[32], ta[32];

	out_bool(OUT_DATA, "direct", NULL, h->direct);
	out_bool(OUT_DATA, "translated_direct", NULL, h->translated);
	print_addr(OUT_DATA, c, "turn", NULL, h->turn);
	if (out_wants(when & OUT_TEXT))
		out_text("\n    hardware: requests %s -> %s: %s: ",
			 acs_func_addr(acs_fabric_func(c->fabric, from), fa, sizeof(fa)),
			 acs_func_addr(acs_fabric_func(c->fabric, to), ta, sizeof(ta)), route_word(h));
	out_str(when, "why", "%s", h->why);
	out_bool(OUT_DATA, "unknown", NULL, h->unknown);
	acs_route_completions(c->fabric, c->policy, to, from, &back);
	out_object_open(when, "completions");
	out_bool(OUT_DATA, "direct", NULL, back.direct);
	if (out_wants(when & OUT_TEXT))
		out_text("\n      completions back: %s: ", route_word(&back));
	out_str(when, "why", "%s", back.why);
	out_bool(OUT_DATA, "unknown", NULL, back.unknown);
	out_object_close(when);
}

/* One pair, a provider and a client: text shows it with -v (the matrix
 * otherwise); the data always. */
static void print_pair(struct p2p_run *r, size_t x, size_t y)
{
	const struct cli *c = r->c;
	int when = c->verbose ? OUT_ANY : OUT_DATA;
	struct p2p_cell cell, back;
	const struct acs_p2pdma *v = &cell.v;
	struct acs_reach h;
	const uint32_t *uv;
	size_t nu;

	cell_of(r, x, y, &cell);
	cell_of(r, y, x, &back);
	out_object_open(when, NULL);
	print_addr(when, c, "a", "%s", (long)x);
	print_addr(when, c, "b", " -> %s", (long)y);
	out_str(when, "map", ": %s", map_name(v->map));
	out_int(when, "distance", ", distance %s", v->distance);
	out_str(when, "class", ", %s", acs_p2p_class_name(cell.cls));
	out_str(when, "label_a", " (%s", label(r, x));
	out_str(when, "label_b", " -> %s)", label(r, y));
	/* the matrix's cells: row a column b, and row b column a */
	out_str(OUT_DATA, "cell", NULL, cell.code);
	out_str(OUT_DATA, "cell_back", NULL, back.code);
	print_addr(OUT_DATA, c, "detour", NULL, cell.detour);
	print_addr(OUT_DATA, c, "detour_back", NULL, back.detour);
	out_array_open(OUT_DATA, "path");
	for (size_t k = 0; k < v->npath; k++)
		print_addr(OUT_DATA, c, NULL, NULL, v->path[k]);
	out_array_close(OUT_DATA);
	out_array_open(when, "redirected_by");
	for (size_t k = 0; k < v->nredirect; k++)
		print_addr(when, c, NULL, k ? ", %s" : "; redirected by %s", v->redirect[k]);
	out_array_close(when);

	acs_route_reach(c->fabric, c->policy, x, y, &h);
	out_object_open(when, "hardware");
	print_route(c, when, &h, x, y);
	out_object_open(when, "back");
	acs_route_reach(c->fabric, c->policy, y, x, &h);
	print_route(c, when, &h, y, x);
	out_object_close(when);
	out_object_close(when);
	if (out_wants(when & OUT_TEXT))
		out_text("\n");

	acs_unknown_clear(r->one);
	acs_unknown_add(r->one, PAIR_QUESTIONS, x, (long)y);
	nu = acs_unknown_list(r->one, &uv);
	cli_out_addrs(OUT_DATA, c, "unknown", uv, nu);
	if (nu && out_wants(when & OUT_TEXT))
		out_text("    unknown: this pair depends on state that was not read (UNKNOWN lines below)\n");
	out_object_close(when);
}

static int print_p2p(struct p2p_run *r)
{
	const struct cli *c = r->c;
	const uint32_t *uv;
	size_t nu;
	int status;

	cli_out_header(c);
	print_basis(c, r->cpu);
	print_selection(r);
	out_array_open(OUT_DATA, "devices");
	for (size_t i = 0; i < r->n; i++)
		print_addr(OUT_DATA, c, NULL, NULL, (long)r->devs[i]);
	out_array_close(OUT_DATA);
	if (!c->verbose)
		print_matrix(r);
	print_legend(r);
	out_array_open(c->verbose ? OUT_ANY : OUT_DATA, "pairs");
	/* (the matrix has asked every question the pairs would) */
	for (size_t i = 0; (c->verbose || !out_wants(OUT_TEXT)) && i < r->n; i++)
		for (size_t j = i + 1; j < r->n; j++)
			print_pair(r, r->devs[i], r->devs[j]);
	out_array_close(c->verbose ? OUT_ANY : OUT_DATA);
	nu = acs_unknown_list(r->unk, &uv);
	status = cli_verdict(false, nu);
	cli_out_verdict(c, status, uv, nu);
	return status;
}

int cmd_p2p(struct cli *c, int argc, char **argv)
{
	struct p2p_run r = { .c = c };
	int rc;

	r.devs = malloc((acs_fabric_count(c->fabric) + (size_t)argc + 1) * sizeof(*r.devs));
	r.labels = p2p_labels(c->fabric);
	if (!r.devs || !r.labels || acs_unknown_new(&r.unk, c->fabric, c->policy) ||
	    acs_unknown_new(&r.one, c->fabric, c->policy)) {
		rc = cli_error("p2p");
		goto done;
	}
	rc = select_devices(&r, argc, argv);
	if (rc)
		goto done;
	/* --cpu says what the source may not know */
	r.cpu = c->cpu ? c->cpu : acs_p2p_cpu(c->fabric);
	cli_out_begin(c, "p2p");
	rc = out_end(print_p2p(&r));
done:
	acs_unknown_free(r.unk);
	acs_unknown_free(r.one);
	free(r.labels);
	free(r.devs);
	return rc;
}
