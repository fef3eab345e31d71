/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lspci -x / -xxx / -xxxx hex dumps (dump-hex.c reads the rows). */
#include "sources/libpci.h"
#include "sources/sources.h"

static int dump_load(struct acs_builder *b, const char *path, struct acs_input *in)
{
	(void)path;
	return acs_dump_read(b, in);
}

const struct acs_source_ops acs_source_dump = {
	.kind = ACS_SOURCE_DUMP,
	.name = "dump",
	.load = dump_load,
};
