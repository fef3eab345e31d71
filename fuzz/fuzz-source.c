/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for one source parser (FUZZ_KIND: a dump, lspci text,
 * a snapshot, a topology), through the one entry point every source has,
 * acs_fabric_load(). What loads is then grouped, PE-assigned, checked
 * and its BARs placed, so the analyses see odd fabrics too. Built with
 * FUZZ_PARSE_ONLY (fuzz-parse-KIND) it only loads and frees, for long
 * runs of the parsers alone (most of the time is the reader's and
 * libpci's, not the analyses': up to 1.6 times the inputs a second). A parser
 * may refuse the input (one error line); it must never crash, hang or
 * leak. fuzz-topology also reads each input with the topology reader's
 * fast path off (json-c alone) and aborts where the two differ: another
 * error, or another fabric (its export).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acsctl/acsctl.h"
#ifdef FUZZ_TOPOLOGY_BOTH  /* fuzz-topology (fuzz/meson.build) */
#include "sources/topology.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* pe --allocate's path: the M32 BARs of PHB 0 in their bridges' windows
 * (only topologies carry sizes) */
#ifndef FUZZ_PARSE_ONLY
static void allocate(const acs_pe_table *t, const acs_fabric *f, const acs_platform *p)
{
	size_t n = 12 * acs_fabric_count(f) + 1, nw = acs_pe_bridge_windows(f, NULL, 0), nd, unsized;
	acs_pe_bar_demand *d = malloc(n * sizeof(*d));
	acs_pe_bar_ref *r = malloc(n * sizeof(*r));
	uint32_t *parent = malloc(nw * sizeof(*parent));
	acs_pe_alloc a;

	if (d && r && parent) {
		acs_pe_bridge_windows(f, parent, nw);
		nd = acs_pe_window_demands(t, f, p, 0, false, d, r, n, &unsized);
		if (!acs_pe_allocate_tree(&a, d, nd, parent, nw, acs_pe_segment_size(p, 0, false),
					  acs_platform_pes(p, 0)))
			acs_pe_alloc_free(&a);
	}
	free(d);
	free(r);
	free(parent);
}

static void analyse(const acs_fabric *f)
{
	acs_groups *g = NULL;
	acs_pe_table *t = NULL;
	acs_pe_finding *v = NULL;
	size_t n = 0;

	if (!acs_groups_compute(&g, f, acs_policy_default()))
		acs_groups_free(g);
	if (acs_pe_assign(&t, f, acs_platform_find("powernv9"), ACS_PE_BUS))
		return;
	if (!acs_pe_check(&v, &n, t, f, acs_platform_find("powernv9")))
		free(v);
	if (!acs_pe_groups(&g, t, f))
		acs_groups_free(g);
	allocate(t, f, acs_platform_find("powernv9"));
	acs_pe_free(t);
}
#endif

#ifdef FUZZ_TOPOLOGY_BOTH
/* What a load of path comes to: its error, or the fabric as exported. */
static char *outcome(const char *path)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		abort();
	o.kind = FUZZ_KIND;
	o.path = path;
	o.max_input = 1u << 20;
	if (acs_fabric_load(&f, &o)) {
		fprintf(m, "error %d: %s", acs_error_last()->code, acs_error_last()->message);
	} else {
		acs_topology_write(f, m);
		acs_fabric_free(f);
	}
	fclose(m);
	return text;
}

static void same_both_ways(const char *path)
{
	char *fast, *slow;

	acs_topology__fast = true;
	fast = outcome(path);
	acs_topology__fast = false;
	slow = outcome(path);
	acs_topology__fast = true;
	if (strcmp(fast, slow) != 0) {
		fprintf(stderr, "fast path: %.300s\njson-c:    %.300s\n", fast, slow);
		abort();
	}
	free(fast);
	free(slow);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the parsers read files (libpci's dump reader among them): a memfd
	 * gives the input a path without touching the disk */
	int fd = memfd_create("acsctl-fuzz", 0);
	char path[64];
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.kind = FUZZ_KIND;
	o.path = path;
	/* as fuzz-input: a few compressed bytes cost at most 1 MiB of output
	 * and an 8 MiB zstd window, not the default's 1 GiB and 128 MiB */
	o.max_input = 1u << 20;
	if (!acs_fabric_load(&f, &o)) {
#ifndef FUZZ_PARSE_ONLY
		analyse(f);
#endif
		acs_fabric_free(f);
	}
#ifdef FUZZ_TOPOLOGY_BOTH
	same_both_ways(path);
#endif
	close(fd);
	return 0;
}
