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

/* Whether s starts with fmt, '#' standing for a hex digit (as libpci's
 * dump reader matches its lines). */
static bool matches(const char *s, const char *fmt)
{
	for (; *fmt; fmt++, s++)
		if (*fmt == '#' ? !isxdigit((unsigned char)*s) : *s != *fmt)
			return false;
	return true;
}

/* The hex digits before ": " of a config row (2 to 8), or 0. */
static int row_digits(const char *s)
{
	int n = 0;

	while (n < 9 && isxdigit((unsigned char)s[n]))
		n++;
	return n >= 2 && n <= 8 && s[n] == ':' && s[n + 1] == ' ' ? n : 0;
}

/*
 * A device line's address as libpci's reader scans it ("%x:%x.%d"): a
 * function that is no decimal digit makes it skip the line (its rows then
 * land on the device before), and a device over 0x1f or a function over 7
 * would be folded into another address. lspci prints neither.
 */
static int check_addr(const struct acs_input *in, unsigned long no, const char *line,
		      int len)
{
	const char *dot = line + len - 2;
	unsigned long dev = strtoul(dot - 2, NULL, 16);

	if (dot[1] >= '0' && dot[1] <= '7' && dev <= 0x1f)
		return 0;
	return acs_error_set(ACS_EPARSE, "%s:%lu: %.*s: not a PCI address (device 00-1f, "
			     "function 0-7)", in->name, no, len, line);
}

/* One device of a dump, as the screen walks it. */
struct dump_dev {
	const char *addr;       /* its line, for messages */
	int addr_len;
	unsigned long line;
	unsigned next;          /* the offset its next row must have */
	int header_type;        /* from its first row, -1 before */
};

static int dump_err(const struct acs_input *in, unsigned long no, const struct dump_dev *d,
		    const char *what)
{
	if (d && d->addr)
		return acs_error_set(ACS_EPARSE, "%s:%lu: %.*s: %s", in->name, no, d->addr_len,
				     d->addr, what);
	return acs_error_set(ACS_EPARSE, "%s:%lu: %s", in->name, no, what);
}

/* "OFF: b0 b1 ... b15" exactly as lspci prints a row; r->next advances. */
static int check_row(const struct acs_input *in, unsigned long no, struct dump_dev *d,
		     const char *line, size_t len, int digits)
{
	char what[120];
	unsigned long off = strtoul(line, NULL, 16);
	const char *p = line + digits + 1;
	size_t n = len - (size_t)digits - 1;

	if (!d->addr)
		return dump_err(in, no, NULL, "a config row outside a device (before any device "
				"line, or after a blank line, where libpci's reader drops it)");
	if (off >= ACS_CFG_EXT) {
		snprintf(what, sizeof(what), "config row at 0x%.*s, past the %u bytes of config space",
			 digits, line, ACS_CFG_EXT);
		return dump_err(in, no, d, what);
	}
	if (off != d->next) {
		snprintf(what, sizeof(what), "config row at 0x%lx where 0x%x was due (rows are "
			 "in order, 16 bytes each)", off, d->next);
		return dump_err(in, no, d, what);
	}
	/* libpci drops one '\r' at a line's end and steps over one space
	 * after the last byte; anything more is its "Malformed line" */
	if (n && p[n - 1] == '\r')
		n--;
	if (n && p[n - 1] == ' ')
		n--;
	for (int k = 0; k < 16; k++, p += 3, n -= 3)
		if (n < 3 || p[0] != ' ' || !isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2])) {
			snprintf(what, sizeof(what), "config row 0x%lx: byte %d is %s, not two hex "
				 "digits (a row has 16)", off, k, n < 3 ? "missing" : "bad");
			return dump_err(in, no, d, what);
		}
	if (n) {
		bool byte = n >= 3 && p[0] == ' ' && isxdigit((unsigned char)p[1]);

		snprintf(what, sizeof(what), "config row 0x%lx: %s", off, byte ? "more than 16 bytes" :
			 "text after its 16 bytes (libpci's reader takes one space there)");
		return dump_err(in, no, d, what);
	}
	if (off == 0)   /* its byte of the row (" xx" each), without the multifunction bit */
		d->header_type = (int)(strtoul(line + digits + 1 + ACS_PCI_HEADER_TYPE * 3, NULL, 16) &
				       ACS_PCI_HEADER_TYPE_MASK);
	d->next += 16;
	return 0;
}

/* A device's rows end where lspci ends them: 64 bytes (-x; 128 for a
 * CardBus bridge), 256 (-xxx) or 4096 (-xxxx). Anything else was cut. */
static int check_end(const struct acs_input *in, const struct dump_dev *d)
{
	char what[160];

	if (!d->addr || d->next == 64 || d->next == 256 || d->next == ACS_CFG_EXT ||
	    (d->next == 128 && d->header_type == 2))
		return 0;
	snprintf(what, sizeof(what), "%u bytes of config space: cut short (lspci -x prints 64, "
		 "128 for a CardBus bridge, -xxx 256, -xxxx 4096)", d->next);
	return dump_err(in, d->line, d, what);
}

/*
 * Every row of a dump checked before libpci reads it: libpci's reader
 * takes "00: zz zz" as zeros, a short row as a short one and a device
 * cut after its third row as a device, all without a word. And it reads
 * a row's offset into an int with only its upper bound checked, so
 * "80000000: 00" writes before its buffer.
 */
static int screen_dump(const struct acs_input *in, size_t *devices)
{
	struct dump_dev d = { 0 };
	const char *p = in->data, *end = in->data + in->len;
	unsigned long no = 0;
	int rc = 0;

	*devices = 0;

	while (!rc && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int n;

		no++;
		if (!nl) {
			rc = dump_err(in, no, d.addr ? &d : NULL, "the file ends inside this line "
				      "(cut short?)");
			break;
		}
		/* libpci's reader takes lines of up to 253 characters and
		 * their '\n' (fgets() into 255 bytes) */
		if (len > 253) {
			rc = dump_err(in, no, NULL, "line too long (over 253 characters: libpci's "
				      "dump reader stops there)");
			break;
		}
		if ((n = row_digits(p)) && (size_t)n + 1 < len) {
			rc = check_row(in, no, &d, p, len, n);
		} else if (matches(p, "##:##.# ") || matches(p, "####:##:##.# ") ||
			   matches(p, "#####:##:##.# ")) {
			int alen = (int)(strchr(p, ' ') - p);

			if (!(rc = check_end(in, &d)) && !(rc = check_addr(in, no, p, alen)))
				++*devices;
			d = (struct dump_dev){ p, alen, no, 0, -1 };
		} else if (len == 0 || (len == 1 && p[0] == '\r')) {
			/* libpci ends a device at an empty line: rows after it
			 * and before a device line are dropped */
			rc = check_end(in, &d);
			d = (struct dump_dev){ 0 };
		}
		p = nl + 1;
	}
	if (!rc && d.addr && d.next == 0)
		rc = dump_err(in, d.line, &d, "no config rows: cut short");
	return rc ? rc : check_end(in, &d);
}

int acs_libpci_read(struct acs_builder *b, const struct acs_libpci_opts *o,
		    struct acs_input *in)
{
	struct read_ctx r = { b, o };
	struct acs_libpci_opts with = *o;
	size_t devices = 0, before = b->n;
	int rc;

	if (in) {
		if ((rc = screen_dump(in, &devices)))
			return rc;
		if (!(with.value = acs_input_path(in)))
			return ACS_ERROR;
	}
	rc = acs_libpci_run(&with, b->origin, read_all, &r);
	/* the screen and libpci must agree on what the file holds: a
	 * function the screen saw and libpci did not is never left out */
	if (!rc && in && b->n - before != devices)
		rc = acs_error_set(ACS_EPARSE, "%s: %zu device lines, libpci's dump reader read "
				   "%zu functions", in->name, devices, b->n - before);
	return rc;
}
