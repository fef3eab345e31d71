/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libpci's sessions (apply's writes) and the dump reader that keeps its grammar. */
#ifndef ACSCTL_SOURCES_LIBPCI_H
#define ACSCTL_SOURCES_LIBPCI_H

#include "internal.h"
#include "sources/input.h"

struct acs_libpci_opts {
	int method;             /* PCI_ACCESS_* */
	const char *param;      /* "dump.name", "sysfs.path" */
	const char *value;
};

/* The functions of an lspci -x/-xxx/-xxxx hex dump (a dump file, or a
 * snapshot's rows) into the builder, every row checked (dump-hex.c). */
int acs_dump_read(struct acs_builder *b, const struct acs_input *in);

struct pci_access;
/* A libpci session for fn: access set up as o says, libpci's errors
 * caught and returned (naming `what`), cleaned up after. */
int acs_libpci_run(const struct acs_libpci_opts *o, const char *what,
		   int (*fn)(struct pci_access *pacc, void *ctx), void *ctx);

#endif
