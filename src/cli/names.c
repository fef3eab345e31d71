/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Class, vendor and device names from pci.ids through libpci. */
#include <pci/pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static struct pci_access *names;

static void names_quiet(char *msg, ...)
{
	(void)msg;
}

/* "Class: Vendor Device" with lspci's -n (1) and -nn (2) conventions. */
const char *cli_describe(const struct cli *c, const struct acs_func *fn,
			 char *buf, size_t size)
{
	char cls[128], dev[256];
	/* pci.ids only: udev's hwdb differs between hosts (and leaks). */
	int flags = PCI_LOOKUP_NO_HWDB | (c->numeric == 1 ? PCI_LOOKUP_NUMERIC :
		    c->numeric >= 2 ? PCI_LOOKUP_MIXED : 0);

	if (!names) {
		names = pci_alloc();
		names->error = cli_libpci_fatal;
		names->warning = names_quiet;
		names->debug = names_quiet;
	}
	if (fn->vendor_id == 0xffff) {
		snprintf(buf, size, "(config space reads all ones)");
		return buf;
	}
	pci_lookup_name(names, cls, sizeof(cls), PCI_LOOKUP_CLASS | flags,
			(int)(fn->class_code >> 8));
	pci_lookup_name(names, dev, sizeof(dev),
			PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | flags,
			fn->vendor_id, fn->device_id);
	snprintf(buf, size, "%s: %s", cls, dev);
	return buf;
}

void cli_names_cleanup(void)
{
	if (names)
		pci_cleanup(names);
	names = NULL;
}
