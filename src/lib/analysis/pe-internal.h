/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PE assignment's state, shared by pe.c and pe-iov.c (the platform
 * facts they read are policy/pe-platform.c's). */
#ifndef ACSCTL_PE_INTERNAL_H
#define ACSCTL_PE_INTERNAL_H

#include <stdint.h>

#include "acsctl/pe.h"

struct acs_pe_table {
	acs_pe *v;               /* room for one PE per function */
	size_t n;
	int32_t *pe_of;          /* per function */
	uint32_t *members;       /* storage for every PE's device list */
	acs_pe_iov *iov;         /* SR-IOV PFs */
	size_t niov, iov_cap;
	uint32_t *left;          /* functions no PE number was left for */
	size_t nleft;
};

/* the PHB being assigned */
struct phb {
	uint32_t domain;
	unsigned npes, reserved;  /* this PHB's */
	long bus_seg[256];       /* first M64 segment per bus, -1 none */
	uint8_t *used;           /* per PE number */
	int32_t rmap[256];       /* bus -> index into the table */
	int32_t root;            /* the root bus PE, -1 until needed */
	uint64_t m64_used;       /* M64 BARs taken, one bit each */
};

/* The VFs of the PHB's PFs, after every device the PHB booted with. */
int acs_pe__iov(acs_pe_table *t, const acs_fabric *f, const acs_platform *p, struct phb *h);

#endif
