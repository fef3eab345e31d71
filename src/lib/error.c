/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-thread last error, in the manner of libgit2's git_error_last(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static _Thread_local acs_error last_error;

char *acs_strdup(const char *s)
{
	char *d;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

const acs_error *acs_error_last(void)
{
	return &last_error;
}

void acs_error_clear(void)
{
	last_error.code = ACS_OK;
	last_error.message[0] = '\0';
}

int acs_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	char *nl;

	last_error.code = code;
	va_start(ap, fmt);
	vsnprintf(last_error.message, sizeof(last_error.message), fmt, ap);
	va_end(ap);
	/* Messages are one line by contract: cut whatever a caller let in. */
	nl = strchr(last_error.message, '\n');
	if (nl)
		*nl = '\0';
	return code;
}

int acs_error_prefix(const char *fmt, ...)
{
	char prefix[256], old[sizeof(last_error.message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last_error.message, sizeof(old));
	/* Truncation keeps the start, which names the file and device. */
	snprintf(last_error.message, sizeof(last_error.message), "%.200s: %.300s",
		 prefix, old);
	return last_error.code;
}

int acs_lines_add(struct acs_lines *l, const char *fmt, ...)
{
	char line[512], **v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return acs_error_nomem();
	l->v = v;
	if (!(v[l->n] = acs_strdup(line)))
		return acs_error_nomem();
	l->n++;
	return 0;
}

void acs_lines_free(struct acs_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int acs_error_nomem(void)
{
	return acs_error_set(ACS_ENOMEM, "out of memory");
}
