/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl export [FILE]: any loaded fabric as a topology file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_export(struct cli *c, int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : "-";
	FILE *out;
	int rc;

	if (argc > 1) {
		fprintf(stderr, "usage: acsctl export [FILE]\n");
		return EXIT_BAD_INPUT;
	}
	out = strcmp(name, "-") == 0 ? stdout : fopen(name, "w");
	if (!out) {
		fprintf(stderr, "acsctl: %s: %s\n", name, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	rc = acs_topology_write(c->fabric, out);
	if (out != stdout)
		fclose(out);
	return rc ? cli_error("export") : EXIT_OK;
}
