/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What acsctl apply reads as changes besides its command line: a plan
 * (PLAN.json, from acsctl plan --json) and acs.conf (--from FILE). Both
 * steer writes as root and are untrusted. Apart from cmd-apply.c so that
 * fuzz/fuzz-apply-input.c can run them on a fixed fabric.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* A plan is small: its changes are one per port at most. */
#define PLAN_MAX_BYTES (16u << 20)

static int plan_error(const char *path, size_t i, const char *what)
{
	if (i == (size_t)-1)
		fprintf(stderr, "acsctl apply: %s: %s\n", path, what);
	else
		fprintf(stderr, "acsctl apply: %s: changes[%zu]: %s\n", path, i, what);
	return EXIT_BAD_INPUT;
}

/* "001d" or "0x001d": four hex digits at most, nothing else. */
static bool plan_value(json_object *v, uint16_t *out)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	size_t n;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (n == 0 || n > 4 || strspn(s, "0123456789abcdefABCDEF") != n)
		return false;
	*out = (uint16_t)strtoul(s, NULL, 16);
	return true;
}

/*
 * One change of a plan, as untrusted as any input that steers a write as
 * root: an object naming a device of this fabric once, a value of four
 * hex digits within the device's ACS capability. max bounds *n (ch's room).
 */
static int plan_change(const struct cli *c, const char *path, size_t i, json_object *o,
		       struct acs_ctrl_change *ch, size_t *n, size_t max)
{
	json_object *dv, *vv;
	const struct acs_func *fn;
	const char *dev;
	uint16_t value;
	long idx;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "device", &dv) || !json_object_is_type(dv, json_type_string) ||
	    !json_object_object_get_ex(o, "acs_ctl_after", &vv))
		return plan_error(path, i, "needs \"device\" and \"acs_ctl_after\" strings");
	dev = json_object_get_string(dv);
	if ((idx = cli_find_device(c, dev, strlen(dev))) < 0)
		return plan_error(path, i, "names no device here");
	if (!plan_value(vv, &value))
		return plan_error(path, i, "\"acs_ctl_after\" is not four hex digits");
	fn = acs_fabric_func(c->fabric, (size_t)idx);
	/* 0 passes the mask below: the command line's check (fuzz-plan) */
	if (!fn->acs_pos)
		return plan_error(path, i, "names a device without an ACS capability");
	if (value & ~(fn->acs_cap & 0x7f))   /* bits 15:7 are reserved */
		return plan_error(path, i, "sets ACS bits the device's capability does not have");
	for (size_t k = 0; k < *n; k++)
		if (ch[k].index == (size_t)idx)
			return plan_error(path, i, "names a device a second time");
	if (*n >= max)
		return plan_error(path, i, "more changes than this fabric has functions");
	ch[(*n)++] = (struct acs_ctrl_change){ (size_t)idx, value };
	return 0;
}

/* The changes of a plan written by acsctl plan --json; ch has room for one
 * per function of the fabric. */
int cli_plan_changes(const struct cli *c, const char *path, struct acs_ctrl_change *ch, size_t *n)
{
	json_object *doc = NULL, *arr = NULL;
	char *text;
	size_t len;
	int rc = 0;

	*n = 0;
	if (acs_read_whole(path, PLAN_MAX_BYTES, &text, &len))
		return cli_error("apply");
	doc = json_tokener_parse(text);
	free(text);
	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "changes", &arr) || !json_object_is_type(arr, json_type_array))
		rc = plan_error(path, (size_t)-1, "not a plan from acsctl plan --json (needs \"changes\": [...])");
	for (size_t i = 0; !rc && i < json_object_array_length(arr); i++)
		rc = plan_change(c, path, i, json_object_array_get_idx(arr, i), ch, n,
				 acs_fabric_count(c->fabric));
	json_object_put(doc);
	return rc;
}

#define MAX_LINE_TOKENS 64
/* acs.conf names a handful of ports. */
#define CONF_MAX_BYTES (1u << 20)

/*
 * acs.conf steers writes as root: it must be a plain file that only its
 * owner may write, and that owner root when we are root (what the boot
 * service reads at every boot). The checks are on the opened file, so a
 * rename in between changes nothing. NULL after saying why.
 */
static FILE *conf_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	FILE *in;

	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "acsctl apply: %s: cannot read it (%s)\n", path, strerror(errno));
		goto refused;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "acsctl apply: %s: cannot read it (not a regular file)\n", path);
		goto refused;
	}
	if (st.st_mode & 022) {
		fprintf(stderr, "acsctl apply: %s: writable by group or others (mode %04o): refused (chmod go-w)\n",
			path, (unsigned)(st.st_mode & 07777));
		goto refused;
	}
	if (geteuid() == 0 && st.st_uid != 0) {
		fprintf(stderr, "acsctl apply: %s: owned by uid %u, not root (mode %04o): refused as root\n",
			path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		goto refused;
	}
	if (st.st_size > CONF_MAX_BYTES) {
		fprintf(stderr, "acsctl apply: %s: over %u bytes: not an acs.conf\n", path, CONF_MAX_BYTES);
		goto refused;
	}
	if ((in = fdopen(fd, "r")))
		return in;
	fprintf(stderr, "acsctl apply: %s: cannot read it (%s)\n", path, strerror(errno));
refused:
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The changes of --from FILE, each line parsed on its own so that an
 * error names it. ch is grown to fit. */
int cli_conf_changes(const struct cli *c, const char *path, struct acs_ctrl_change **ch, size_t *n)
{
	FILE *in = conf_open(path);
	char *line = NULL, *tok[MAX_LINE_TOKENS], where[4200];
	size_t cap = 0, lineno = 0, total = 0;
	ssize_t got;
	int rc = 0;

	*n = 0;
	if (!in)
		return EXIT_BAD_INPUT;
	while (!rc && (got = getline(&line, &cap, in)) > 0) {
		/* a file that grows while it is read is bounded all the same */
		if ((total += (size_t)got) > CONF_MAX_BYTES) {
			fprintf(stderr, "acsctl apply: %s: over %u bytes: not an acs.conf\n", path, CONF_MAX_BYTES);
			rc = EXIT_BAD_INPUT;
			break;
		}
		char *hash = strchr(line, '#'), *save = NULL;
		struct acs_ctrl_change *grown;
		size_t added = 0;
		int k = 0;

		lineno++;
		if (memchr(line, '\0', (size_t)got)) {
			fprintf(stderr, "acsctl apply: %s:%zu: a NUL byte: not a text file\n", path, lineno);
			rc = EXIT_BAD_INPUT;
			break;
		}
		if (hash)
			*hash = '\0';
		snprintf(where, sizeof(where), "%s:%zu: ", path, lineno);
		for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
			if (k == MAX_LINE_TOKENS) {
				fprintf(stderr, "acsctl: %smore than %d words\n", where, MAX_LINE_TOKENS);
				rc = EXIT_BAD_INPUT;
				break;
			}
			tok[k++] = t;
		}
		if (rc || !k)
			continue;
		grown = realloc(*ch, (*n + (size_t)k * acs_fabric_count(c->fabric) + 1) * sizeof(*grown));
		if (!grown) {
			rc = EXIT_BAD_INPUT;
			break;
		}
		*ch = grown;
		rc = cli_parse_changes(c, where, k, tok, *ch + *n, &added);
		*n += added;
	}
	/* a directory opens, and then fails to read: not an empty file */
	if (!rc && ferror(in)) {
		fprintf(stderr, "acsctl apply: %s: cannot read it\n", path);
		rc = EXIT_BAD_INPUT;
	}
	free(line);
	fclose(in);
	return rc;
}
