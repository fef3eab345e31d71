/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lspci -x / -xxx / -xxxx hex dumps, read by libpci's dump method. */
#include <pci/pci.h>

#include "sources/libpci.h"
#include "sources/sources.h"

static int dump_load(struct acs_builder *b, const char *path, struct acs_input *in)
{
	struct acs_libpci_opts o = {
		.method = PCI_ACCESS_DUMP,
		.param = "dump.name",
	};

	return acs_libpci_read(b, &o, in);
}

const struct acs_source_ops acs_source_dump = {
	.kind = ACS_SOURCE_DUMP,
	.name = "dump",
	.load = dump_load,
};
