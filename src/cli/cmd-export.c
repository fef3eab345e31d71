/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl export [FILE]: any loaded fabric as a topology file. */
#include <stdio.h>

#include "cli.h"

int cmd_export(struct cli *c, int argc, char **argv)
{
	struct cli_output out;
	int rc;

	if (argc > 1) {
		fprintf(stderr, "usage: acsctl export [FILE]\n");
		return EXIT_BAD_INPUT;
	}
	if ((rc = cli_output_open(&out, argc > 0 ? argv[0] : "-")))
		return rc;
	rc = acs_topology_write(c->fabric, out.f);
	if (rc)
		cli_error("export");
	return cli_output_close(&out, rc == 0);
}
