/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acs_pe_allocate(): the packed allocator against first-fit on random PE
 * populations, segments used against the lower bound, and time; then the
 * same PEs below a random tree of switches (acs_pe_allocate_tree()), each
 * PE a bus behind a downstream port.
 * Usage: bench-pe-allocate [PES [SEED]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "acsctl/error.h"
#include "acsctl/pe.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each PE's BARs behind a bridge window of their own; bridges hang off
 * random earlier ones (switches of switches), window 1 off the PHB. */
static int tree(acs_pe_bar_demand *d, size_t n, size_t pes, uint64_t seg)
{
	size_t nw = 2 * pes + 2, depth = 0;
	uint32_t *parent = malloc(nw * sizeof(*parent));
	acs_pe_alloc a;
	double t0;

	if (!parent)
		return 1;
	parent[0] = 0;
	parent[1] = 0;
	/* windows 2 .. pes+1: switch ports; pes+2 .. 2pes+1: a PE's bus each */
	for (size_t w = 2; w < pes + 2; w++)
		parent[w] = 1 + (uint32_t)(rand() % (w - 1));
	for (size_t p = 0; p < pes; p++)
		parent[pes + 2 + p] = 2 + (uint32_t)(rand() % pes);
	for (size_t i = 0; i < n; i++)
		d[i].window = (uint32_t)(pes + 2 + d[i].pe);
	for (size_t w = 1; w < nw; w++) {
		size_t k = 0;

		for (uint32_t v = (uint32_t)w; v; v = parent[v])
			k++;
		depth = k > depth ? k : depth;
	}
	t0 = now();
	if (acs_pe_allocate_tree(&a, d, n, parent, nw, seg, 1u << 20)) {
		fprintf(stderr, "%s\n", acs_error_last()->message);
		free(parent);
		return 1;
	}
	printf("tree      PEs %zu BARs %zu, %zu bridges, depth %zu: segments used %zu, wasted %zu, lower bound %zu, "
	       "with bridge windows %zu, unplaced %zu, %.3f s\n", pes, n, nw - 1, depth, a.used, a.wasted, a.lower_bound,
	       a.window_bound, a.nfailed, now() - t0);
	acs_pe_alloc_free(&a);
	free(parent);
	return 0;
}

int main(int argc, char **argv)
{
	size_t pes = argc > 1 ? strtoul(argv[1], NULL, 0) : 200, n = 0;
	unsigned seed = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 1;
	const uint64_t seg = 8u << 20;
	acs_pe_bar_demand *d = malloc(pes * 4 * sizeof(*d));

	if (!d)
		return 1;
	srand(seed);
	/* 1-4 BARs per PE, 4 KiB .. 32 MiB, smaller ones likelier */
	for (size_t p = 0; p < pes; p++)
		for (int k = rand() % 4; k >= 0; k--)
			d[n++] = (acs_pe_bar_demand){ (uint32_t)p, 4096ull << (rand() % 14 * (rand() % 2 + 1) / 2), 0 };
	for (int m = 0; m < 2; m++) {
		acs_pe_alloc a;
		double t0 = now();

		if (acs_pe_allocate(&a, d, n, seg, 1u << 20, m)) {
			fprintf(stderr, "%s\n", acs_error_last()->message);
			return 1;
		}
		printf("%-9s PEs %zu BARs %zu: segments used %zu, wasted %zu, lower bound %zu, unplaced %zu, %.3f s\n",
		       m ? "first-fit" : "packed", pes, n, a.used, a.wasted, a.lower_bound, a.nfailed, now() - t0);
		acs_pe_alloc_free(&a);
	}
	if (tree(d, n, pes, seg))
		return 1;
	free(d);
	return 0;
}
