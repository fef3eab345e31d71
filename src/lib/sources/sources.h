/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every source fills a builder; one entry point per source. */
#ifndef ACSCTL_SOURCES_H
#define ACSCTL_SOURCES_H

#include "internal.h"
#include "sources/input.h"

/* A file source reads in, read whole once by load.c; sysfs reads path. */
struct acs_source_ops {
	int kind;                 /* enum acs_source_kind */
	const char *name;
	int (*load)(struct acs_builder *b, const char *path, struct acs_input *in);
};

extern const struct acs_source_ops acs_source_sysfs;
extern const struct acs_source_ops acs_source_dump;
extern const struct acs_source_ops acs_source_lspci;
extern const struct acs_source_ops acs_source_snapshot;
extern const struct acs_source_ops acs_source_topology;
extern const struct acs_source_ops acs_source_rdma_topo;

/* Which file source reads this text: ACS_SOURCE_DUMP when it has hex
 * lines, ACS_SOURCE_LSPCI for lspci -v text, 0 when neither. */
int acs_source_detect(const char *text, size_t len);

#endif
