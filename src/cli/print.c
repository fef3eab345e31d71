/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small shared printers: ACS registers in lspci's words. */
#include <pci/pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
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

bool cli_is_port(const struct acs_func *fn)
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
		return cli_is_port(fn) ? "ACS: none" : NULL;
	snprintf(buf, size, "ACSCtl: %s (0x%04x)",
		 cli_acs_tokens(fn->acs_ctrl, tok, sizeof(tok)), fn->acs_ctrl);
	return buf;
}

bool cli_is_peer(const struct acs_func *fn)
{
	return !fn->is_bridge && fn->class_code >> 8 != 0x0600;
}

size_t cli_assigned_bars(const acs_fabric *f)
{
	size_t n = 0;
	acs_bar b[6];

	for (size_t i = 0; i < acs_fabric_count(f); i++)
		n += acs_func_mem_bars(acs_fabric_func(f, i), b);
	return n;
}

long cli_find_device(const struct cli *c, const char *s, size_t len)
{
	char buf[64], tail;
	unsigned dom = 0, bus, dev, fn;
	const struct acs_func *f;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "%x:%x:%x.%u%c", &dom, &bus, &dev, &fn, &tail) != 4 &&
	    (dom = 0, sscanf(buf, "%x:%x.%u%c", &bus, &dev, &fn, &tail) != 3))
		return -1;
	if (bus > 255 || dev > 31 || fn > 7)
		return -1;
	f = acs_fabric_find(c->fabric, dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
	return f ? (long)acs_fabric_index(c->fabric, f) : -1;
}

void PCI_NONRET cli_libpci_fatal(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	fputs("acsctl: libpci: ", stderr);
	vfprintf(stderr, msg, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_BAD_INPUT);
}

/* One line for the library's last error, exit status 2. */
int cli_error(const char *what)
{
	const acs_error *e = acs_error_last();

	if (what)
		fprintf(stderr, "acsctl: %s: %s\n", what, e->message);
	else
		fprintf(stderr, "acsctl: %s\n", e->message);
	return EXIT_BAD_INPUT;
}
