/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl snapshot FILE: what acsctl reads here, saved as one file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_snapshot(struct cli *c, int argc, char **argv)
{
	FILE *out;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: acsctl snapshot FILE   (- for standard output)\n");
		return EXIT_BAD_INPUT;
	}
	if (acs_fabric_unknown_count(c->fabric))
		fprintf(stderr,
			"acsctl: warning: %zu functions without extended config space (not root?): the snapshot cannot tell their ACS state\n",
			acs_fabric_unknown_count(c->fabric));
	out = strcmp(argv[0], "-") == 0 ? stdout : fopen(argv[0], "w");
	if (!out) {
		fprintf(stderr, "acsctl: %s: %s\n", argv[0], strerror(errno));
		return EXIT_BAD_INPUT;
	}
	rc = acs_snapshot_write(c->fabric, out);
	if (out != stdout && fclose(out) && !rc) {
		fprintf(stderr, "acsctl: %s: %s\n", argv[0], strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (rc)
		return cli_error(argv[0]);
	return EXIT_OK;
}
