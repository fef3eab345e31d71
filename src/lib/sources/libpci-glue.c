/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpci does the reading (sysfs, dump files); this file keeps its
 * exit-on-error habit out of the library: the error hook records the
 * message and jumps back here.
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

/* libpci reports only whether a read of [0, len) is covered, so the
 * length a source holds is found by bisection. */
static unsigned config_length(struct pci_dev *d)
{
	uint8_t probe[ACS_CFG_EXT];
	unsigned lo = 0, hi = ACS_CFG_EXT;

	if (pci_read_block(d, 0, probe, ACS_CFG_EXT))
		return ACS_CFG_EXT;
	while (lo + 1 < hi) {
		unsigned mid = (lo + hi) / 2;

		if (pci_read_block(d, 0, probe, (int)mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static bool has_resource_file(const struct acs_libpci_opts *o, const struct pci_dev *d)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/devices/%04x:%02x:%02x.%d/resource", o->value ? o->value : "/sys/bus/pci",
		 d->domain, d->bus, d->dev, d->func);
	return access(path, R_OK) == 0;
}

/* sysfs current_link_speed ("8.0 GT/s PCIe") and current_link_width:
 * what a reader without root (64 bytes of config space) still gets. */
static void read_link(const struct acs_libpci_opts *o, const struct pci_dev *d, struct acs_raw_func *raw)
{
	static const char *const names[2] = { "current_link_speed", "current_link_width" };
	char path[4096], value[64];
	unsigned v[2] = { 0, 0 };

	for (int k = 0; k < 2; k++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/devices/%04x:%02x:%02x.%d/%s", o->value ? o->value : "/sys/bus/pci",
			 d->domain, d->bus, d->dev, d->func, names[k]);
		if (!(f = fopen(path, "r")))
			return;
		if (fgets(value, sizeof(value), f))
			v[k] = k ? (unsigned)strtoul(value, NULL, 10) : acs_link_speed_code(value);
		fclose(f);
	}
	if (v[0] && v[1] && v[1] <= 32) {
		raw->link_speed = (uint8_t)v[0];
		raw->link_width = (uint8_t)v[1];
	}
}

static int add_device(struct acs_builder *b, struct pci_dev *d,
		      const struct acs_libpci_opts *o)
{
	uint8_t cfg[ACS_CFG_EXT];
	unsigned len = config_length(d);
	struct acs_raw_func *raw;
	int rc;

	if (len && !pci_read_block(d, 0, cfg, (int)len))
		len = 0;
	rc = acs_builder_add(b, (uint32_t)d->domain, d->bus, d->dev, d->func,
			     cfg, len);
	if (rc || !o->sysfs_extras)
		return rc;
	raw = acs_builder_last(b);
	pci_fill_info(d, PCI_FILL_DRIVER | PCI_FILL_IOMMU_GROUP | PCI_FILL_NUMA_NODE);
	raw->numa_node = d->numa_node;
	read_link(o, d, raw);
	if (has_resource_file(o, d)) {
		/* libpci treats a missing resource file as fatal */
		pci_fill_info(d, PCI_FILL_SIZES);
		for (int i = 0; i < 6; i++)
			raw->bar_size[i] = (uint64_t)d->size[i];
	}
	{
		char *drv = pci_get_string_property(d, PCI_FILL_DRIVER);
		char *grp = pci_get_string_property(d, PCI_FILL_IOMMU_GROUP);

		raw->has_driver = true;
		if (drv) {
			raw->driver = acs_strdup(drv);
			if (!raw->driver)
				return acs_error_nomem();
		}
		if (grp)
			raw->kernel_group = atoi(grp);
	}
	return 0;
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

struct read_ctx {
	struct acs_builder *b;
	const struct acs_libpci_opts *o;
};

static int read_all(struct pci_access *pacc, void *ctx)
{
	struct read_ctx *r = ctx;
	int rc = 0;

	pci_scan_bus(pacc);
	for (struct pci_dev *d = pacc->devices; d && !rc; d = d->next)
		rc = add_device(r->b, d, r->o);
	return rc;
}

int acs_libpci_read(struct acs_builder *b, const struct acs_libpci_opts *o)
{
	struct read_ctx r = { b, o };

	return acs_libpci_run(o, b->origin, read_all, &r);
}
