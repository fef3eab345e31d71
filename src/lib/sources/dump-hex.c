/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lspci -x / -xxx / -xxxx hex rows (dump files, and the rows of a
 * snapshot), read here rather than by libpci's dump reader: the same
 * grammar, every row checked, each byte a table lookup.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/libpci.h"

/* A hex digit's value, or -1. */
static int hexval(char c)
{
	static const signed char v[256] = {
		['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
		['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
		['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	};

	return v[(unsigned char)c] - 1;
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

	while (n < 9 && hexval(s[n]) >= 0)   /* (isxdigit() is a call a character) */
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

/* One device of a dump, as the reader walks it. */
struct dump_dev {
	const char *addr;       /* its line, for messages */
	int addr_len;
	unsigned long line;
	unsigned next;          /* the offset its next row must have */
	int header_type;        /* from its first row, -1 before */
	uint32_t domain;
	uint8_t bus, dev, fn;
	uint8_t cfg[ACS_CFG_EXT];
};

static int dump_err(const struct acs_input *in, unsigned long no, const struct dump_dev *d,
		    const char *what)
{
	if (d && d->addr)
		return acs_error_set(ACS_EPARSE, "%s:%lu: %.*s: %s", in->name, no, d->addr_len,
				     d->addr, what);
	return acs_error_set(ACS_EPARSE, "%s:%lu: %s", in->name, no, what);
}

/* Two characters (first << 8 | second) as the byte they spell in hex, or
 * -1: one lookup a byte of a row, filled once a process. */
static int16_t pair_value[1 << 16];
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;

static void pairs_fill(void)
{
	for (unsigned i = 0; i < sizeof(pair_value) / sizeof(pair_value[0]); i++) {
		int hi = hexval((char)(i >> 8)), lo = hexval((char)(i & 0xff));

		pair_value[i] = (int16_t)(hi < 0 || lo < 0 ? -1 : hi << 4 | lo);
	}
}

/* The 16 " hh" of a whole, well-formed row into out, without a branch a
 * byte (a snapshot is mostly rows); false where one is wrong or missing,
 * and out may then hold some of them. */
static bool row_bytes(const char *p, size_t n, uint8_t *out)
{
	int bad = 0;

	if (n < 48)
		return false;
	/* (unrolled: the loop's own count and step were a third of it) */
#if defined(__clang__)
#pragma unroll
#elif defined(__GNUC__)
#pragma GCC unroll 16
#endif
	for (int k = 0; k < 16; k++) {
		int v = pair_value[(unsigned char)p[3 * k + 1] << 8 | (unsigned char)p[3 * k + 2]];

		bad |= v | -(p[3 * k] != ' ');
		out[k] = (uint8_t)v;
	}
	return bad >= 0;
}

/* "OFF: b0 b1 ... b15" exactly as lspci prints a row; r->next advances. */
static int check_row(const struct acs_input *in, unsigned long no, struct dump_dev *d,
		     const char *line, size_t len, int digits)
{
	char what[120];
	unsigned long off = 0;
	const char *p = line + digits + 1;
	size_t n = len - (size_t)digits - 1;

	/* (row_digits() saw 2 to 8 hex digits: strtoul() is a tenth of a
	 * snapshot's load) */
	for (int k = 0; k < digits; k++)
		off = off << 4 | (unsigned long)hexval(line[k]);
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
	if (row_bytes(p, n, d->cfg + off)) {
		p += 48;
		n -= 48;
	} else {
		/* byte by byte, to say which one is wrong */
		for (int k = 0; k < 16; k++, p += 3, n -= 3) {
			int hi = n < 3 ? -1 : hexval(p[1]), lo = n < 3 ? -1 : hexval(p[2]);

			if (n < 3 || p[0] != ' ' || hi < 0 || lo < 0) {
				snprintf(what, sizeof(what), "config row 0x%lx: byte %d is %s, not two hex "
					 "digits (a row has 16)", off, k, n < 3 ? "missing" : "bad");
				return dump_err(in, no, d, what);
			}
			d->cfg[off + (unsigned)k] = (uint8_t)(hi << 4 | lo);
		}
	}
	if (n) {
		bool byte = n >= 3 && p[0] == ' ' && isxdigit((unsigned char)p[1]);

		snprintf(what, sizeof(what), "config row 0x%lx: %s", off, byte ? "more than 16 bytes" :
			 "text after its 16 bytes (libpci's reader takes one space there)");
		return dump_err(in, no, d, what);
	}
	if (off == 0)   /* without the multifunction bit */
		d->header_type = d->cfg[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_TYPE_MASK;
	d->next += 16;
	return 0;
}

/* A device's rows end where lspci ends them: 64 bytes (-x; 128 for a
 * CardBus bridge), 256 (-xxx) or 4096 (-xxxx). Anything else was cut. A
 * whole device goes into the builder. */
static int end_device(struct acs_builder *b, const struct acs_input *in, const struct dump_dev *d)
{
	char what[160];

	if (!d->addr)
		return 0;
	if (d->next == 64 || d->next == 256 || d->next == ACS_CFG_EXT || (d->next == 128 && d->header_type == 2))
		return acs_builder_add(b, d->domain, d->bus, d->dev, d->fn, d->cfg, d->next);
	if (d->next == 0)
		return dump_err(in, d->line, d, "no config rows: cut short");
	snprintf(what, sizeof(what), "%u bytes of config space: cut short (lspci -x prints 64, "
		 "128 for a CardBus bridge, -xxx 256, -xxxx 4096)", d->next);
	return dump_err(in, d->line, d, what);
}

/* A device line's address: [DOMAIN:]BB:DD.F (matched before). */
static void parse_addr(struct dump_dev *d, const char *line, int len)
{
	const char *bus = line + len - 7;

	d->domain = len > 7 ? (uint32_t)strtoul(line, NULL, 16) : 0;
	d->bus = (uint8_t)strtoul(bus, NULL, 16);
	d->dev = (uint8_t)strtoul(bus + 3, NULL, 16);
	d->fn = (uint8_t)(bus[6] - '0');
}

/*
 * The grammar is libpci's dump reader's (lspci -F reads the same files),
 * but every row is checked: that reader takes "00: zz zz" as zeros, a
 * short row as a short one and a device cut after its third row as a
 * device, all without a word, and reads a row's offset into an int with
 * only its upper bound checked ("80000000: 00" wrote before its buffer).
 * Read here, the bytes cost a table lookup each, not an sscanf().
 */
int acs_dump_read(struct acs_builder *b, const struct acs_input *in)
{
	struct dump_dev *d = calloc(1, sizeof(*d));
	const char *p = in->data, *end = in->data + in->len;
	unsigned long no = 0;
	int rc = 0;

	if (!d)
		return acs_error_nomem();
	pthread_once(&pairs_once, pairs_fill);
	while (!rc && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int n;

		no++;
		if (!nl) {
			rc = dump_err(in, no, d->addr ? d : NULL, "the file ends inside this line "
				      "(cut short?)");
			break;
		}
		/* libpci's reader takes lines of up to 253 characters and
		 * their '\n' (fgets() into 255 bytes): lspci -F would not
		 * read the file */
		if (len > 253) {
			rc = dump_err(in, no, NULL, "line too long (over 253 characters: libpci's "
				      "dump reader stops there)");
			break;
		}
		if ((n = row_digits(p)) && (size_t)n + 1 < len) {
			/* (a row is checked byte by byte; a NUL in it is said as such) */
			if ((rc = check_row(in, no, d, p, len, n)) && memchr(p, '\0', len))
				rc = acs_input_nul_error(in, memchr(p, '\0', len));
		} else if (memchr(p, '\0', len)) {
			rc = acs_input_nul_error(in, memchr(p, '\0', len));
		} else if (matches(p, "##:##.# ") || matches(p, "####:##:##.# ") ||
			   matches(p, "#####:##:##.# ")) {
			int alen = (int)(strchr(p, ' ') - p);

			if (!(rc = end_device(b, in, d)) && !(rc = check_addr(in, no, p, alen))) {
				d->addr = p;
				d->addr_len = alen;
				d->line = no;
				d->next = 0;
				d->header_type = -1;
				parse_addr(d, p, alen);
			}
		} else if (len == 0 || (len == 1 && p[0] == '\r')) {
			/* libpci ends a device at an empty line: rows after it
			 * and before a device line are dropped */
			rc = end_device(b, in, d);
			d->addr = NULL;
		}
		p = nl + 1;
	}
	if (!rc)
		rc = end_device(b, in, d);
	free(d);
	return rc;
}
