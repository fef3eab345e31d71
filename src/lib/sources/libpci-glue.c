/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpci's sessions (apply's config writes through sysfs); this file
 * keeps its exit-on-error habit out of the library: the error hook
 * records the message and jumps back here.
 */
#include <ctype.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "sources/libpci.h"

static _Thread_local jmp_buf *catch_point;
static _Thread_local char caught[400];

static void PCI_NONRET catch_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(caught, sizeof(caught), msg, ap);
	va_end(ap);
	longjmp(*catch_point, 1);
}

static void ignore_message(char *msg, ...)
{
	(void)msg;
}

int acs_libpci_run(const struct acs_libpci_opts *o, const char *what,
		   int (*fn)(struct pci_access *pacc, void *ctx), void *ctx)
{
	/* volatile: read after longjmp */
	struct pci_access *volatile pacc = NULL;
	jmp_buf here;
	volatile int rc = 0;

	pacc = pci_alloc();
	if (!pacc)
		return acs_error_nomem();
	pacc->error = catch_error;
	pacc->warning = ignore_message;
	pacc->debug = ignore_message;
	catch_point = &here;
	if (setjmp(here)) {
		rc = acs_error_set(ACS_EPARSE, "%s: %s", what, caught);
		goto done;
	}
	pacc->method = (unsigned)o->method;
	if (o->param && pci_set_param(pacc, (char *)o->param, (char *)o->value)) {
		rc = acs_error_set(ACS_ERROR, "libpci has no parameter %s", o->param);
		goto done;
	}
	pci_init(pacc);
	rc = fn(pacc, ctx);
done:
	/* pci_cleanup() may report errors too; keep the first one. */
	if (setjmp(here) == 0)
		pci_cleanup(pacc);
	catch_point = NULL;
	return rc;
}
