/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl export [FILE]: any loaded fabric as a topology file. */
#include <stdio.h>

#include "cli.h"

int cmd_export(struct cli *c, int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : "-";
	struct cli_output out;
	int rc;

	if (argc > 1) {
		fprintf(stderr, "usage: acsctl export [FILE]\n");
		return EXIT_BAD_INPUT;
	}
	if ((rc = cli_out_file_check(c, "export", name)) || (rc = cli_output_open(&out, name)))
		return rc;
	rc = acs_topology_write(c->fabric, out.f);
	if (rc)
		cli_error("export");
	return cli_out_written(c, "export", "topology", name, cli_output_close(&out, rc == 0));
}
