/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names shared by the topology reader and writer (doc/topology.md). */
#ifndef ACSCTL_SOURCES_TOPOLOGY_H
#define ACSCTL_SOURCES_TOPOLOGY_H

#include "internal.h"

#define ACS_TOPOLOGY_VERSION 1

struct acs_topo_type {
	const char *name;        /* "root-port" */
	int pcie_type;           /* enum acs_pcie_type */
	bool bridge;             /* type 1 header */
	uint16_t vendor, device; /* defaults */
	uint32_t class_code;
};

extern const struct acs_topo_type acs_topo_types[];
extern const size_t acs_topo_ntypes;

/* The entry that describes a function of the model. */
const struct acs_topo_type *acs_topo_type_of(const struct acs_func *fn);

/* The stream reader reads the function objects the writer emits without
 * json-c (true); false sends every one to json-c (tests compare the two). */
extern bool acs_topology__fast;
/* Functions the fast path read in this thread: tests see that it ran. */
extern _Thread_local size_t acs_topology__fast_count;

#endif
