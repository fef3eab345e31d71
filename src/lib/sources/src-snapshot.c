/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl snapshots (doc/snapshot.md): an lspci -xxxx dump whose device
 * lines carry what only the live host knew (IOMMU group, driver, NUMA
 * node), after "# key: value" lines on the kernel. The hex is read like
 * any dump's (dump-hex.c); this file reads the rest.
 */
#include <ctype.h>
#include <errno.h>
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/libpci.h"
#include "sources/sources.h"

/* Version 2 ends with "# end: N functions", so a cut file is always seen;
 * version 1 files (no such line) are still read. */
#define SNAPSHOT_MAGIC "# acsctl snapshot 2"
#define SNAPSHOT_MAGIC_V1 "# acsctl snapshot 1"

static const char *const kgroups_names[] = { "unknown", "none", "present" };

static void write_hex(const struct acs_func *fn, FILE *out)
{
	for (unsigned off = 0; off < fn->cfg_len; off += 16) {
		fprintf(out, off < 256 ? "%02x:" : "%03x:", off);
		for (unsigned k = 0; k < 16 && off + k < fn->cfg_len; k++)
			fprintf(out, " %02x", acs_func_cfg_byte(fn, off + k));
		fputc('\n', out);
	}
	fputc('\n', out);
}

int acs_dump_write(const acs_fabric *f, FILE *out)
{
	char addr[ACS_ADDR_MAX];

	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		fprintf(out, "%s %04x:%04x\n", acs_func_addr(fn, addr, sizeof(addr)),
			fn->vendor_id, fn->device_id);
		write_hex(fn, out);
	}
	if (fflush(out) || ferror(out))
		return acs_error_set(ACS_ERROR, "writing the dump: %s", strerror(errno));
	return 0;
}

/* " bars=0x4000,0,0x40000000,0,0,0": BAR sizes, which config space does
 * not hold (sysfs does), for pe --allocate and pe --check; none: nothing */
static void write_sizes(FILE *out, const char *key, const uint64_t size[6])
{
	bool any = false;

	for (int k = 0; k < 6; k++)
		any |= size[k] != 0;
	if (!any)
		return;
	fprintf(out, " %s=", key);
	for (int k = 0; k < 6; k++)
		fprintf(out, size[k] ? "%s0x%llx" : "%s0", k ? "," : "", (unsigned long long)size[k]);
}

/* " reset=flr,bus iommu_type=DMA-FQ": what acsctl vfio needs, where the
 * source read it; reset=- is a function with no reset method. */
static void write_assign(const acs_fabric *f, size_t i, FILE *out)
{
	const char *reset = acs_fabric_reset_methods(f, i), *type = acs_fabric_iommu_type(f, i);

	if (reset) {
		fputs(" reset=", out);
		if (!reset[0])
			fputc('-', out);
		for (const char *p = reset; *p; p++)
			fputc(*p == ' ' ? ',' : *p, out);
	}
	if (type)
		fprintf(out, " iommu_type=%s", type);
}

static int write_func(const acs_fabric *f, size_t i, FILE *out)
{
	const struct acs_func *fn = acs_fabric_func(f, i);
	char addr[ACS_ADDR_MAX];
	int g = acs_fabric_kernel_group(f, i);

	/* libpci's dump reader takes a device line only with a space after
	 * the address: the IDs always follow it */
	fprintf(out, "%s id=%04x:%04x", acs_func_addr(fn, addr, sizeof(addr)), fn->vendor_id, fn->device_id);
	if (acs_fabric_kernel_groups(f) != ACS_KGROUPS_UNKNOWN) {
		if (g >= 0)
			fprintf(out, " iommu_group=%d", g);
		else
			fprintf(out, " iommu_group=-");
	}
	if (fn->known & ACS_KNOWN_DRIVER)
		fprintf(out, " driver=%s", fn->driver ? fn->driver : "-");
	if (fn->numa_node >= 0)
		fprintf(out, " numa_node=%d", fn->numa_node);
	write_sizes(out, "bars", fn->bar_size);
	write_sizes(out, "vf_bars", fn->vf_bar_size);
	{
		unsigned speed, width;

		/* for people and other tools: config space holds it */
		if (acs_fabric_link(f, i, &speed, &width) && acs_link_speed_name(speed))
			fprintf(out, " link=%s,x%u", acs_link_speed_name(speed), width);
	}
	write_assign(f, i, out);
	if (acs_fabric__vmd_owner(f, fn) >= 0)
		fprintf(out, " vmd=%s", acs_func_addr(acs_fabric_func(f, (size_t)acs_fabric__vmd_owner(f, fn)),
						      addr, sizeof(addr)));
	fputc('\n', out);
	write_hex(fn, out);
	return 0;
}

/* libpci's dump reader stops at lines of 255 characters, so long values
 * go on as "# KEY+: " lines, joined without a separator when read. */
#define VALUE_CHUNK 160

static void write_value(FILE *out, const char *key, const char *value)
{
	size_t len = value ? strlen(value) : 0, off = 0;

	do {
		fprintf(out, "# %s%s: ", key, off ? "+" : "");
		for (size_t k = 0; k < VALUE_CHUNK && off < len; k++, off++)
			fputc(value[off] == '\n' ? ' ' : value[off], out);
		fputc('\n', out);
	} while (off < len);
}

/* "# host: cpu_vendor=AuthenticAMD cpu_family=25 CONFIG_PCI_P2PDMA=n":
 * the host facts the source knew, each key only when known; no line when
 * none is. */
static void write_host(const acs_fabric *f, FILE *out)
{
	const char *vendor = acs_fabric_cpu_vendor(f);
	int family = acs_fabric_cpu_family(f), p2pdma = acs_fabric_kernel_p2pdma(f);

	if (!vendor && family < 0 && p2pdma < 0)
		return;
	fputs("# host:", out);
	if (vendor)
		fprintf(out, " cpu_vendor=%s", vendor[0] ? vendor : "-");
	if (family >= 0)
		fprintf(out, " cpu_family=%d", family);
	if (p2pdma >= 0)
		fprintf(out, " CONFIG_PCI_P2PDMA=%c", p2pdma ? 'y' : 'n');
	fputc('\n', out);
}

/* "# irq-remapping: on (/proc/interrupts: IR- interrupt chips)" where known */
static void write_irq_remap(const acs_fabric *f, FILE *out)
{
	const char *basis;
	int on = acs_fabric_irq_remapping(f, &basis);
	char value[200];

	if (on < 0)
		return;
	snprintf(value, sizeof(value), basis ? "%s (%s)" : "%s", on ? "on" : "off", basis);
	write_value(out, "irq-remapping", value);
}

int acs_snapshot_write(const acs_fabric *f, FILE *out)
{
	return acs_snapshot_write_opts(f, out, 0);
}

int acs_snapshot_write_opts(const acs_fabric *f, FILE *out, unsigned flags)
{
	fprintf(out, "%s\n", SNAPSHOT_MAGIC);
	/* whose it is: "# hostname: ", "# time: ", "# dmi-product: " ... */
	for (int k = 0; k < ACS_HOST_FACT_COUNT; k++)
		if (acs_fabric_host_fact(f, k) && (k != ACS_HOST_SERIAL || (flags & ACS_SNAPSHOT_SERIAL)))
			write_value(out, acs_host_fact_key(k), acs_fabric_host_fact(f, k));
	if (acs_fabric_kernel_release(f))
		write_value(out, "kernel-release", acs_fabric_kernel_release(f));
	if (acs_fabric_cmdline(f))
		write_value(out, "cmdline", acs_fabric_cmdline(f));
	write_value(out, "iommu-groups", kgroups_names[acs_fabric_kernel_groups(f)]);
	write_value(out, "source", acs_fabric_origin(f));
	write_host(f, out);
	write_irq_remap(f, out);
	fputc('\n', out);
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		write_func(f, i, out);
	fprintf(out, "# end: %zu functions\n", acs_fabric_count(f));
	if (fflush(out) || ferror(out))
		return acs_error_set(ACS_ERROR, "writing the snapshot: %s", strerror(errno));
	return 0;
}

struct extra {
	uint32_t domain;
	uint8_t bus, dev, fn;
	int group;          /* -1 none */
	int numa_node;
	char *driver;
	bool has_driver;
	uint64_t bar_size[6], vf_bar_size[6];
	bool has_vmd;       /* vmd=: the VMD endpoint the domain is behind */
	unsigned vmd[4];    /* its domain, bus, device, function */
	unsigned link_speed, link_width;  /* link=8GT/s,x4; 0 none */
	char *reset;        /* reset=: sysfs reset_method's words, "" none */
	char *iommu_type;   /* iommu_type= */
};

struct extras {
	struct extra *v;
	size_t n, cap;
};

/* "0x4000,0,0x40000000,0,0,0": -1 unless six sizes, each 0 or a power of two */
static int parse_sizes(const char *s, uint64_t size[6])
{
	for (int k = 0; k < 6; k++) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(s, &end, 0);
		if (end == s || errno || (v & (v - 1)) || *end != (k == 5 ? '\0' : ','))
			return -1;
		size[k] = v;
		s = end + 1;
	}
	return 0;
}

/* reset=flr,bus (or -) and iommu_type=DMA-FQ: names of lowercase
 * letters, digits, '_' and '-' ("af_flr", "DMA-FQ"), else refused. */
static int parse_assign(struct extra *x, const char *key, const char *value, const char *path, int lineno)
{
	bool reset = key[0] == 'r';
	char **to = reset ? &x->reset : &x->iommu_type;

	for (const char *p = value; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(reset ? "_-," : "_-", *p))
			return acs_error_set(ACS_EPARSE, "%s:%d: %s=%s: %s", path, lineno, key, value,
					     reset ? "reset methods separated by commas (flr,bus), or -"
						   : "a group type (DMA, DMA-FQ, identity)");
	if (!value[0])
		return acs_error_set(ACS_EPARSE, "%s:%d: %s= without a value", path, lineno, key);
	free(*to);
	*to = acs_strdup(reset && strcmp(value, "-") == 0 ? "" : value);
	if (!*to)
		return acs_error_nomem();
	for (char *p = *to; reset && *p; p++)
		if (*p == ',')
			*p = ' ';
	return 0;
}

static int parse_device_line(struct extras *e, char *line, const char *path,
			     int lineno)
{
	unsigned dom, bus, dev, fn;
	struct extra *x;
	char *save = NULL, *tok;

	if (sscanf(line, "%x:%x:%x.%u", &dom, &bus, &dev, &fn) != 4)
		return 0; /* not a device line */
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct extra *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return acs_error_nomem();
		e->v = v;
		e->cap = cap;
	}
	x = &e->v[e->n++];
	*x = (struct extra){ dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn, -1, -1, NULL, false, { 0 }, { 0 },
			     false, { 0 }, 0, 0, NULL, NULL };
	strtok_r(line, " \t", &save);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return acs_error_set(ACS_EPARSE, "%s:%d: %s: expected key=value",
					     path, lineno, tok);
		*eq++ = '\0';
		if (strcmp(tok, "iommu_group") == 0) {
			x->group = strcmp(eq, "-") == 0 ? -1 : atoi(eq);
		} else if (strcmp(tok, "numa_node") == 0) {
			x->numa_node = atoi(eq);
		} else if (strcmp(tok, "bars") == 0 || strcmp(tok, "vf_bars") == 0) {
			if (parse_sizes(eq, tok[0] == 'b' ? x->bar_size : x->vf_bar_size))
				return acs_error_set(ACS_EPARSE, "%s:%d: %s=%s: six sizes (powers of two, or 0) "
						     "separated by commas", path, lineno, tok, eq);
		} else if (strcmp(tok, "link") == 0) {
			char *comma = strchr(eq, ',');
			char *end;

			x->link_speed = comma ? acs_link_speed_code(eq) : 0;
			x->link_width = comma && comma[1] == 'x' ? (unsigned)strtoul(comma + 2, &end, 10) : 0;
			if (!x->link_speed || !x->link_width || x->link_width > 32 || *end)
				return acs_error_set(ACS_EPARSE, "%s:%d: link=%s: SPEED,xWIDTH (8GT/s,x4)", path,
						     lineno, eq);
		} else if (strcmp(tok, "vmd") == 0) {
			char tail;

			if (sscanf(eq, "%x:%x:%x.%x%c", &x->vmd[0], &x->vmd[1], &x->vmd[2], &x->vmd[3],
				   &tail) != 4 || x->vmd[1] > 0xff || x->vmd[2] > 0x1f || x->vmd[3] > 7)
				return acs_error_set(ACS_EPARSE, "%s:%d: vmd=%s: the VMD endpoint's address "
						     "(DDDD:BB:DD.F)", path, lineno, eq);
			x->has_vmd = true;
		} else if (strcmp(tok, "reset") == 0 || strcmp(tok, "iommu_type") == 0) {
			int rc = parse_assign(x, tok, eq, path, lineno);

			if (rc)
				return rc;
		} else if (strcmp(tok, "driver") == 0) {
			x->has_driver = true;
			free(x->driver);  /* named twice: the last one counts */
			x->driver = NULL;
			if (strcmp(eq, "-") != 0 && !(x->driver = acs_strdup(eq)))
				return acs_error_nomem();
		}
		/* id= is for people (config space has the IDs); other keys:
		 * from a newer acsctl, ignored */
	}
	return 0;
}

static int append(char **to, const char *more)
{
	size_t a = *to ? strlen(*to) : 0, n = strlen(more);
	char *s = realloc(*to, a + n + 1);

	if (!s)
		return acs_error_nomem();
	memcpy(s + a, more, n + 1);
	*to = s;
	return 0;
}

/* The "# host:" line's words (write_host()); keys of a newer acsctl are
 * ignored, a known key with a bad value is an error naming the line. */
static int parse_host(struct acs_builder *b, char *value, const char *path, int lineno)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(value, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '='), *end;
		long v;
		int rc = 0;

		if (!eq || eq == tok || !eq[1])
			return acs_error_set(ACS_EPARSE, "%s:%d: host: %s: expected key=value", path, lineno, tok);
		*eq++ = '\0';
		if (strcmp(tok, "cpu_vendor") == 0) {
			rc = acs_builder_set_cpu_vendor(b, strcmp(eq, "-") ? eq : "");
		} else if (strcmp(tok, "cpu_family") == 0) {
			errno = 0;
			v = strtol(eq, &end, 10);
			if (*end || errno || v < 0 || v > 0xffff || !isdigit((unsigned char)eq[0]))
				return acs_error_set(ACS_EPARSE, "%s:%d: host: cpu_family=%s: a number", path,
						     lineno, eq);
			b->host.cpu_family = (int)v;
		} else if (strcmp(tok, "CONFIG_PCI_P2PDMA") == 0) {
			if (strcmp(eq, "y") && strcmp(eq, "n"))
				return acs_error_set(ACS_EPARSE, "%s:%d: host: CONFIG_PCI_P2PDMA=%s: y or n",
						     path, lineno, eq);
			b->host.p2pdma = eq[0] == 'y';
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* "on (what said so)" or "off (...)": write_irq_remap() */
static int parse_irq_remap(struct acs_builder *b, const char *value, const char *path, int lineno)
{
	size_t n = strlen(value);
	int on = strncmp(value, "on", 2) == 0 ? 1 : strncmp(value, "off", 3) == 0 ? 0 : -1;
	const char *rest = on < 0 ? NULL : value + (on ? 2 : 3);
	char basis[200];

	if (!rest || (*rest && (strncmp(rest, " (", 2) != 0 || value[n - 1] != ')')))
		return acs_error_set(ACS_EPARSE, "%s:%d: irq-remapping: %s: on or off, then what said so in "
				     "parentheses", path, lineno, value);
	snprintf(basis, sizeof(basis), "snapshot: %.*s", *rest ? (int)(value + n - 1 - (rest + 2)) : 0,
		 *rest ? rest + 2 : "");
	return acs_builder_set_irq_remap(b, on, *rest ? basis : "snapshot");
}

static int parse_header(struct acs_builder *b, char *line, const char *path,
			int lineno)
{
	char *colon = strchr(line + 2, ':');
	const char *value;

	if (!colon)
		return 0;
	*colon = '\0';
	value = colon + 1 + (colon[1] == ' ');
	if (strcmp(line + 2, "kernel-release") == 0)
		return acs_builder_set_release(b, value);
	if (strcmp(line + 2, "cmdline") == 0)
		return acs_builder_set_cmdline(b, value);
	if (strcmp(line + 2, "cmdline+") == 0)
		return append(&b->cmdline, value);
	if (strcmp(line + 2, "host") == 0)
		return parse_host(b, (char *)value, path, lineno);
	if (strcmp(line + 2, "irq-remapping") == 0)
		return parse_irq_remap(b, value, path, lineno);
	for (int k = 0; k < ACS_HOST_FACT_COUNT; k++) {
		size_t n = strlen(acs_host_fact_key(k));

		if (strncmp(line + 2, acs_host_fact_key(k), n) == 0 && !line[2 + n])
			return acs_builder_set_host_fact(b, k, value);
		if (strncmp(line + 2, acs_host_fact_key(k), n) == 0 && !strcmp(line + 2 + n, "+")) {
			if (!b->host.fact[k])
				return acs_error_set(ACS_EPARSE, "%s:%d: %s+ without %s before it", path, lineno,
						     acs_host_fact_key(k), acs_host_fact_key(k));
			return append(&b->host.fact[k], value);
		}
	}
	if (strcmp(line + 2, "iommu-groups") == 0) {
		for (int k = 0; k < 3; k++)
			if (strcmp(value, kgroups_names[k]) == 0) {
				b->kgroups = k;
				return 0;
			}
		return acs_error_set(ACS_EPARSE, "%s:%d: unknown iommu-groups '%s'",
				     path, lineno, value);
	}
	return 0;
}

/* What the reader has seen, for the checks at the end. */
struct walk {
	int version;
	unsigned long devices;      /* device lines */
	long end_line;              /* "# end: N functions": its line, N */
	unsigned long end_count;
};

/* "# end: N functions": the last line of a version 2 snapshot. */
static int parse_end(struct walk *w, const char *line, const char *path, int lineno)
{
	char *stop;

	if (w->end_line)
		return acs_error_set(ACS_EPARSE, "%s:%d: a second end line (the first at line %ld)",
				     path, lineno, w->end_line);
	w->end_count = strtoul(line + 7, &stop, 10);
	if (stop == line + 7 || strcmp(stop, " functions") != 0)
		return acs_error_set(ACS_EPARSE, "%s:%d: expected '# end: N functions'", path, lineno);
	w->end_line = lineno;
	return 0;
}

static int read_line(struct extras *e, struct acs_builder *b, struct walk *w, char *line,
		     const char *path, int lineno)
{
	if (lineno == 1) {
		if (strcmp(line, SNAPSHOT_MAGIC) == 0)
			w->version = 2;
		else if (strcmp(line, SNAPSHOT_MAGIC_V1) == 0)
			w->version = 1;
		else
			return acs_error_set(ACS_EPARSE, "%s:1: not an acsctl snapshot (version 1 or 2)",
					     path);
		return 0;
	}
	if (w->end_line && line[0])
		return acs_error_set(ACS_EPARSE, "%s:%d: text after the end line (line %ld)",
				     path, lineno, w->end_line);
	if (w->version == 2 && strncmp(line, "# end: ", 7) == 0)
		return parse_end(w, line, path, lineno);
	if (line[0] == '#' && line[1] == ' ')
		return parse_header(b, line, path, lineno);
	if (isxdigit((unsigned char)line[0]) && strchr(line, '.')) {
		w->devices++;
		return parse_device_line(e, line, path, lineno);
	}
	return 0;
}

/* A version 2 file is whole when its end line counts its devices. */
static int check_whole(struct acs_builder *b, const struct walk *w, const char *path, int lines)
{
	if (w->version != 2)
		return acs_builder_warn(b, "%s: a version 1 snapshot has no end line, so a cut between "
					"two devices cannot be seen: %lu functions read (acsctl snapshot "
					"writes version 2)", path, w->devices);
	if (!w->end_line)
		return acs_error_set(ACS_EPARSE, "%s:%d: no '# end: N functions' line: the snapshot "
				     "was cut short (%lu functions read)", path, lines, w->devices);
	if (w->end_count != w->devices)
		return acs_error_set(ACS_EPARSE, "%s:%ld: the end line counts %lu functions, the "
				     "file has %lu", path, w->end_line, w->end_count, w->devices);
	return 0;
}

/* The length of the line at p when it is a config row as acsctl writes
 * it ("OFF:" and 16 " hh", 2 or 3 digits, its newline right after),
 * else 0. Without a '.' it is no device line, and it is neither a header
 * nor the end line: read_line() would pass it over. */
static size_t row_length(const char *p, const char *end)
{
	size_t n = 0, len;

	/* (isxdigit() is a call a character, in the C locale the same test) */
	while (n < 4 && p + n < end &&
	       ((p[n] >= '0' && p[n] <= '9') || ((p[n] | 0x20) >= 'a' && (p[n] | 0x20) <= 'f')))
		n++;
	if (n < 2 || n > 3)
		return 0;
	len = n + 1 + 48;
	if ((size_t)(end - p) <= len || p[n] != ':' || p[n + 1] != ' ' || p[len] != '\n' ||
	    memchr(p, '.', len))
		return 0;
	return len;
}

static int read_extras(struct acs_builder *b, struct extras *e, const struct acs_input *in)
{
	char line[512];
	const char *p = in->data, *end = in->data + in->len;
	struct walk w = { 0 };
	int lineno = 0, rc = 0;

	while (!rc && p < end) {
		const char *nl;
		size_t len = row_length(p, end);

		lineno++;
		/* nearly every line is a config row, which read_line() passes
		 * over and acs_dump_read() checks byte by byte */
		if (len && lineno > 1 && !w.end_line) {
			p += len + 1;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!nl)
			return acs_error_set(ACS_EPARSE, "%s:%d: the file ends inside this line "
					     "(cut short?)", in->name, lineno);
		if (len >= sizeof(line))
			return acs_error_set(ACS_EPARSE, "%s:%d: line too long (over %zu characters)",
					     in->name, lineno, sizeof(line) - 1);
		/* (read as a C string below: input.c leaves this check to us) */
		if (memchr(p, '\0', len))
			return acs_input_nul_error(in, memchr(p, '\0', len));
		memcpy(line, p, len);
		line[len] = '\0';
		line[strcspn(line, "\r")] = '\0';
		rc = read_line(e, b, &w, line, in->name, lineno);
		p = nl + 1;
	}
	return rc ? rc : check_whole(b, &w, in->name, lineno);
}

static uint64_t extra_key(uint32_t domain, uint8_t bus, uint8_t dev, uint8_t fn)
{
	return (uint64_t)domain << 16 | (uint64_t)bus << 8 | (uint64_t)dev << 3 | fn;
}

static int extra_cmp(const void *pa, const void *pb)
{
	const struct extra *a = pa, *b = pb;
	uint64_t ka = extra_key(a->domain, a->bus, a->dev, a->fn);
	uint64_t kb = extra_key(b->domain, b->bus, b->dev, b->fn);

	return ka < kb ? -1 : ka > kb;
}

static int apply_extras(struct acs_builder *b, struct extras *e)
{
	if (!e->n)
		return 0;  /* (qsort and bsearch want an array, even of nothing) */
	qsort(e->v, e->n, sizeof(*e->v), extra_cmp);
	for (size_t i = 0; i < b->n; i++) {
		struct acs_raw_func *r = &b->raw[i];
		struct extra key = { r->domain, r->bus, r->dev, r->fn, 0, 0, NULL, false, { 0 }, { 0 },
				     false, { 0 }, 0, 0, NULL, NULL };
		struct extra *x = bsearch(&key, e->v, e->n, sizeof(*e->v), extra_cmp);

		if (!x)
			continue;
		r->kernel_group = x->group;
		r->numa_node = x->numa_node;
		r->link_speed = (uint8_t)x->link_speed;
		r->link_width = (uint8_t)x->link_width;
		r->has_driver = x->has_driver;
		r->driver = x->driver;
		x->driver = NULL;
		r->reset = x->reset;
		x->reset = NULL;
		r->iommu_type = x->iommu_type;
		x->iommu_type = NULL;
		memcpy(r->bar_size, x->bar_size, sizeof(r->bar_size));
		memcpy(r->vf_bar_size, x->vf_bar_size, sizeof(r->vf_bar_size));
		if (x->has_vmd) {
			bool known = false;
			int rc;

			/* once per domain: the first function that names it */
			for (size_t k = 0; k < b->nvmd; k++)
				known |= b->vmd[k].domain == r->domain;
			if (!known && (rc = acs_builder_add_vmd(b, r->domain, x->vmd[0], (uint8_t)x->vmd[1],
								 (uint8_t)x->vmd[2], (uint8_t)x->vmd[3])))
				return rc;
		}
	}
	return 0;
}

static int snapshot_load(struct acs_builder *b, const char *path, struct acs_input *in)
{
	struct extras e = { 0 };
	int rc = read_extras(b, &e, in);

	(void)path;
	if (!rc)
		rc = acs_dump_read(b, in);
	if (!rc)
		rc = apply_extras(b, &e);
	for (size_t k = 0; k < e.n; k++) {
		free(e.v[k].driver);
		free(e.v[k].reset);
		free(e.v[k].iommu_type);
	}
	free(e.v);
	return rc;
}

const struct acs_source_ops acs_source_snapshot = {
	.kind = ACS_SOURCE_SNAPSHOT,
	.name = "snapshot",
	.load = snapshot_load,
};
