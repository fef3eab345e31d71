/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which format a file's first bytes are: the reader's sniff and the
 * loader's choice of source both ask here. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "sources/sources.h"

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

/* rdma_topo dump's JSON list: '[' first, then an object whose first
 * members (within a few hundred bytes) name "realpath" or "config"; an
 * empty list too (then the reader says so). src-rdma-topo.c */
static bool rdma_topo_start(const char *s, size_t len)
{
	size_t i = 0, end;
	bool realpath = false, config = false;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i >= len || s[i] != '[')
		return false;
	for (i++; i < len && isspace((unsigned char)s[i]); i++)
		;
	if (i < len && s[i] == ']')
		return true;
	if (i >= len || s[i] != '{')
		return false;
	end = i + 512 < len ? i + 512 : len;
	for (size_t k = i; k + 10 <= end; k++) {
		realpath |= memcmp(s + k, "\"realpath\"", 10) == 0;
		config |= k + 8 <= end && memcmp(s + k, "\"config\"", 8) == 0;
	}
	return realpath || config;
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
	if (rdma_topo_start(text, len))
		return ACS_SOURCE_RDMA_TOPO;
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
