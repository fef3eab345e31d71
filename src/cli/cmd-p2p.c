/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl p2p [DEV...]: for each pair, the kernel's P2PDMA verdict and the
 * hardware path; a matrix with a legend like `nvidia-smi topo -m`. Text
 * shows the matrix (or with -v the pairs); -m and JSON carry the pairs,
 * each with its two cells of the matrix.
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
	int cpu;
	acs_unknown *unk;   /* every pair's: the verdict's */
	acs_unknown *one;   /* one pair's */
};

/* The matrix code of a pair (see the legend). */
static const char *cell(const struct acs_p2pdma *v, bool unknown, char *buf)
{
	const char *c = v->map == ACS_P2P_BUS_ADDR ? (v->distance <= 4 ? "PIX" : "PXB") :
			v->map == ACS_P2P_THRU_HOST_BRIDGE ? "PHB" : "NS";

	sprintf(buf, "%s%s%s", c, v->nredirect ? "*" : "", unknown ? "?" : "");
	return buf;
}

/* Provider x, client y: the verdict, its matrix code, and whether it
 * depends on what was not read (added to the run's set). */
static const char *verdict_cell(struct p2p_run *r, size_t x, size_t y, struct acs_p2pdma *v, char *buf)
{
	acs_p2pdma_distance(r->c->fabric, r->c->policy, r->cpu, x, y, v);
	return cell(v, acs_unknown_add(r->unk, PAIR_QUESTIONS, x, (long)y), buf);
}

/* Unnamed devices a run takes: every pair of them is a cell, so a
 * fabric of 100,000 functions would take hours and print billions. */
#define P2P_ALL_MAX 1024

static int select_devices(const struct cli *c, int argc, char **argv, size_t *devs, size_t *n)
{
	*n = 0;
	if (argc == 0) {
		for (size_t i = 0; i < acs_fabric_count(c->fabric); i++)
			if (cli_is_peer(acs_fabric_func(c->fabric, i)) &&
			    cli_selected(acs_fabric_func(c->fabric, i)))
				devs[(*n)++] = i;
		if (*n > P2P_ALL_MAX) {
			fprintf(stderr, "acsctl p2p: %zu devices in %s, %llu pairs: name the devices (acsctl p2p DEV...) "
				"or select at most %d with -s/-d\n", *n, acs_fabric_origin(c->fabric),
				(unsigned long long)*n * (*n - 1) / 2, P2P_ALL_MAX);
			return EXIT_BAD_INPUT;
		}
		return 0;
	}
	for (int k = 0; k < argc; k++) {
		long i = cli_find_device(c, argv[k], strlen(argv[k]));

		if (i < 0) {
			fprintf(stderr, "acsctl p2p: no device '%s' in %s\n", argv[k],
				acs_fabric_origin(c->fabric));
			return EXIT_BAD_INPUT;
		}
		devs[(*n)++] = (size_t)i;
	}
	return 0;
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

static void print_matrix(struct p2p_run *r)
{
	char addr[32], buf[16];

	out_text("%-13s", "");
	for (size_t j = 0; j < r->n; j++)
		out_text(" %-7zu", j);
	out_text("\n");
	for (size_t i = 0; i < r->n; i++) {
		out_text("%-13s", acs_func_addr(acs_fabric_func(r->c->fabric, r->devs[i]), addr, sizeof(addr)));
		for (size_t j = 0; j < r->n; j++) {
			struct acs_p2pdma v;

			out_text(" %-7s", i == j ? "X" : verdict_cell(r, r->devs[i], r->devs[j], &v, buf));
		}
		out_text("  %zu\n", i);
	}
	out_text("\nLegend (the kernel's P2PDMA verdict, provider = row, client = column):\n"
		 "  X    = self\n"
		 "  PIX  = direct through one switch (bus_addr, distance <= 4)\n"
		 "  PXB  = direct through several switches (bus_addr)\n"
		 "  PHB  = through the host bridge (thru_host_bridge)\n"
		 "  NS   = not supported: through a host bridge the kernel does not trust\n"
		 "  *    = ACS redirect on the path forces the detour (see acsctl p2p -v)\n"
		 "  ?    = depends on ACS state that was not read (UNKNOWN lines below)\n");
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
	struct acs_p2pdma v, back;
	struct acs_reach h;
	const uint32_t *uv;
	size_t nu;
	char code[16], code_back[16];

	verdict_cell(r, x, y, &v, code);
	verdict_cell(r, y, x, &back, code_back);
	out_object_open(when, NULL);
	print_addr(when, c, "a", "%s", (long)x);
	print_addr(when, c, "b", " -> %s", (long)y);
	out_str(when, "map", ": %s", map_name(v.map));
	out_int(when, "distance", ", distance %s", v.distance);
	/* the matrix's cells: row a column b, and row b column a */
	out_str(OUT_DATA, "cell", NULL, code);
	out_str(OUT_DATA, "cell_back", NULL, code_back);
	out_array_open(OUT_DATA, "path");
	for (size_t k = 0; k < v.npath; k++)
		print_addr(OUT_DATA, c, NULL, NULL, v.path[k]);
	out_array_close(OUT_DATA);
	out_array_open(when, "redirected_by");
	for (size_t k = 0; k < v.nredirect; k++)
		print_addr(when, c, NULL, k ? ", %s" : "; redirected by %s", v.redirect[k]);
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
	out_array_open(OUT_DATA, "devices");
	for (size_t i = 0; i < r->n; i++)
		print_addr(OUT_DATA, c, NULL, NULL, (long)r->devs[i]);
	out_array_close(OUT_DATA);
	if (!c->verbose)
		print_matrix(r);
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
	if (!r.devs || acs_unknown_new(&r.unk, c->fabric, c->policy) || acs_unknown_new(&r.one, c->fabric, c->policy)) {
		rc = cli_error("p2p");
		goto done;
	}
	rc = select_devices(c, argc, argv, r.devs, &r.n);
	if (rc)
		goto done;
	/* --cpu says what the source may not know */
	r.cpu = c->cpu ? c->cpu : acs_p2p_cpu(c->fabric);
	cli_out_begin(c, "p2p");
	rc = out_end(print_p2p(&r));
done:
	acs_unknown_free(r.unk);
	acs_unknown_free(r.one);
	free(r.devs);
	return rc;
}
