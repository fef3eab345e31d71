/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acs_fabric_load(): pick the source, fill a builder, freeze the fabric. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sources/sources.h"

static const struct acs_source_ops *const sources[] = {
	&acs_source_sysfs,
	&acs_source_dump,
	&acs_source_lspci,
	&acs_source_snapshot,
	&acs_source_topology,
};

/* JSON, after any comments: a topology file. Comments alone are one cut
 * before its '{' (no other format starts with them). */
static bool json_start(const char *s, size_t len)
{
	size_t i = 0;
	bool comment = false;

	while (i < len) {
		if (isspace((unsigned char)s[i])) {
			i++;
		} else if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
			comment = true;
		} else if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
			const char *end = strstr(s + i + 2, "*/");

			if (!end)
				return true;
			i = (size_t)(end - s) + 2;
			comment = true;
		} else {
			return s[i] == '{';
		}
	}
	return comment;
}

static bool hex_line(const char *s)
{
	/* "00: 86 80" .. "ff0: 00": lspci -x style */
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]))
		n++;
	return n >= 2 && n <= 8 && s[n] == ':' && s[n + 1] == ' ' &&
	       isxdigit((unsigned char)s[n + 2]) && isxdigit((unsigned char)s[n + 3]);
}

static bool addr_line(const char *s)
{
	/* "00:1f.3 " or "0000:00:1f.3 " at the start of a line; the dot is
	 * looked for in this line only (strchr() went on to the next dot in
	 * the file: a long file of lines without one took minutes) */
	size_t n = 0;

	while (n < 14 && s[n] && s[n] != '\n' && s[n] != '.')
		n++;
	return n >= 5 && n <= 13 && s[n] == '.' && isdigit((unsigned char)s[n + 1]) &&
	       s[n + 2] == ' ' && isxdigit((unsigned char)s[0]);
}

int acs_source_detect(const char *text, size_t len)
{
	bool addr = false;
	size_t i = 0;

	if (len >= 18 && strncmp(text, "# acsctl snapshot ", 18) == 0)
		return ACS_SOURCE_SNAPSHOT;
	if (json_start(text, len))
		return ACS_SOURCE_TOPOLOGY;
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);

		if (hex_line(line))
			return ACS_SOURCE_DUMP;
		if (addr_line(line))
			addr = true;
		i = nl ? (size_t)(nl - text) + 1 : len;
	}
	return addr ? ACS_SOURCE_LSPCI : 0;
}

/* A file's kind from its content; the dump, lspci and snapshot readers
 * each also take a file of their own kind named directly. */
static int detect(const struct acs_input *in, int *kind)
{
	if (*kind != ACS_SOURCE_FILE)
		return 0;
	*kind = acs_source_detect(in->data, in->len);
	if (!*kind)
		return acs_error_set(ACS_EPARSE, "%s: no PCI data (not lspci -x/-xxx/-xxxx or -v "
				     "output, an acsctl snapshot or a topology)", in->name);
	return 0;
}

static const struct acs_source_ops *source_of(int kind)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (sources[i]->kind == kind)
			return sources[i];
	return NULL;
}

static int load_with(acs_fabric **out, const acs_load_opts *opts, int kind,
		     struct acs_input *in)
{
	const struct acs_source_ops *ops = source_of(kind);
	struct acs_builder b;
	char origin[300];
	int rc;

	if (!ops)
		return acs_error_set(ACS_EINVAL, "unknown source kind %d", kind);
	if (kind == ACS_SOURCE_SYSFS)
		snprintf(origin, sizeof(origin), "sysfs %s", opts->path ? opts->path : "/sys");
	else
		snprintf(origin, sizeof(origin), "%s", in->name);
	rc = acs_builder_init(&b, ops->kind, origin);
	if (rc)
		return rc;
	rc = ops->load(&b, opts->path, in);
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}

int acs_fabric_load(acs_fabric **out, const acs_load_opts *opts)
{
	struct acs_input in = { .memfd = -1 };
	int rc, kind;

	*out = NULL;
	if (!opts || opts->version != ACS_LOAD_OPTS_VERSION)
		return acs_error_set(ACS_EINVAL, "acs_load_opts: unsupported version");
	kind = opts->kind;
	if (kind == ACS_SOURCE_SYSFS)
		return load_with(out, opts, kind, NULL);
	if (!opts->path || !*opts->path)
		return acs_error_set(ACS_EINVAL, "no file given");
	rc = acs_input_read(&in, opts->path, opts->max_input);
	if (!rc)
		rc = detect(&in, &kind);
	if (!rc)
		rc = load_with(out, opts, kind, &in);
	acs_input_free(&in);
	return rc;
}
