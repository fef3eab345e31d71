/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the string parsers: a kernel command line (as
 * acs_boot_simulate() reads pci=, pcie_acs_override=) on a fixed fabric,
 * and a --phb platform override. The first byte picks which.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/acsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static acs_fabric *fabric(void)
{
	static acs_fabric *f;
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;

	o.functions = 200;
	if (!f && acs_fabric_synth(&f, &o))
		abort();
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (!size)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	if (data[0] & 1) {
		acs_platform p = *acs_platform_find("powernv9");

		acs_platform_override(&p, s);
	} else {
		acs_boot_opts o = ACS_BOOT_OPTS_INIT;
		acs_boot *b = NULL;

		o.cmdline = s;
		if (!acs_boot_simulate(&b, fabric(), acs_policy_default(), &o))
			acs_boot_free(b);
	}
	free(s);
	return 0;
}
