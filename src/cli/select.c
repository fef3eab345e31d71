/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -s and -d: parsed by libpci exactly as lspci parses them. */
#include <pci/pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static struct pci_access *pacc;
static struct pci_filter filter;
static bool active;

int cli_select_init(struct cli *c)
{
	char *err;

	pacc = pci_alloc();
	pacc->error = cli_libpci_fatal;
	pci_filter_init(pacc, &filter);
	if (c->slot) {
		active = true;
		err = pci_filter_parse_slot(&filter, (char *)c->slot);
		if (err) {
			fprintf(stderr, "acsctl: -s %s: %s\n", c->slot, err);
			return -1;
		}
	}
	if (c->id) {
		active = true;
		err = pci_filter_parse_id(&filter, (char *)c->id);
		if (err) {
			fprintf(stderr, "acsctl: -d %s: %s\n", c->id, err);
			return -1;
		}
	}
	return 0;
}

/* The fields pci_filter_match() compares, on our functions. */
bool cli_selected(const struct acs_func *fn)
{
	if (!active)
		return true;
	if ((filter.domain >= 0 && (uint32_t)filter.domain != fn->domain) ||
	    (filter.bus >= 0 && filter.bus != fn->bus) ||
	    (filter.slot >= 0 && filter.slot != fn->dev) ||
	    (filter.func >= 0 && filter.func != fn->fn))
		return false;
	if ((filter.vendor >= 0 && filter.vendor != fn->vendor_id) ||
	    (filter.device >= 0 && filter.device != fn->device_id))
		return false;
	if (filter.device_class >= 0 &&
	    ((fn->class_code >> 8) & filter.device_class_mask) !=
		    ((unsigned)filter.device_class & filter.device_class_mask))
		return false;
	if (filter.prog_if >= 0 && filter.prog_if != (int)(fn->class_code & 0xff))
		return false;
	return true;
}

void cli_select_cleanup(void)
{
	if (pacc)
		pci_cleanup(pacc);
	pacc = NULL;
}
