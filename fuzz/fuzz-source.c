/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for one source parser (FUZZ_KIND: a dump, lspci text,
 * a snapshot, a topology), through the one entry point every source has,
 * acs_fabric_load(). What loads is then grouped, PE-assigned and checked,
 * so the analyses see odd fabrics too. A parser may refuse the input (one
 * error line); it must never crash, hang or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acsctl/acsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	acs_pe_free(t);
}

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
	if (!acs_fabric_load(&f, &o)) {
		analyse(f);
		acs_fabric_free(f);
	}
	close(fd);
	return 0;
}
