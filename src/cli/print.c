/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small shared printers: ACS registers in lspci's words. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	unsigned bit;
	const char *name;
} acs_names[] = {
	{ ACS_SV, "SrcValid" },
	{ ACS_TB, "TransBlk" },
	{ ACS_RR, "ReqRedir" },
	{ ACS_CR, "CmpltRedir" },
	{ ACS_UF, "UpstreamFwd" },
	{ ACS_EC, "EgressCtrl" },
	{ ACS_DT, "DirectTrans" },
};

char *cli_acs_tokens(unsigned bits, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(acs_names) / sizeof(acs_names[0]); i++) {
		int n = snprintf(buf + used, size - used, "%s%s%c", i ? " " : "",
				 acs_names[i].name,
				 bits & acs_names[i].bit ? '+' : '-');

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

static bool is_port(const struct acs_func *fn)
{
	return fn->pcie_type == ACS_PCIE_ROOT_PORT ||
	       fn->pcie_type == ACS_PCIE_DOWNSTREAM;
}

const char *cli_acs_summary(const struct acs_func *fn, char *buf, size_t size)
{
	char tok[160];

	if (fn->pcie_type == ACS_PCIE_NONE && (fn->known & ACS_KNOWN_CAPS))
		return NULL;
	if (!acs_func_acs_known(fn)) {
		snprintf(buf, size, "ACS unknown (extended config space not read)");
		return buf;
	}
	if (!fn->acs_pos)
		return is_port(fn) ? "ACS: none" : NULL;
	snprintf(buf, size, "ACSCtl: %s (0x%04x)",
		 cli_acs_tokens(fn->acs_ctrl, tok, sizeof(tok)), fn->acs_ctrl);
	return buf;
}
