/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lspci -v/-vv/-vvv text: not read yet. */
#include "sources/sources.h"

static int lspci_load(struct acs_builder *b, const char *path)
{
	(void)b;
	return acs_error_set(ACS_EPARSE, "%s: lspci text without hex dump is not supported yet", path);
}

const struct acs_source_ops acs_source_lspci = {
	.kind = ACS_SOURCE_LSPCI,
	.name = "lspci",
	.load = lspci_load,
};
