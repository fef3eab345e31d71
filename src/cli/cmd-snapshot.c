/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl snapshot FILE: what acsctl reads here, saved as one file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_snapshot(struct cli *c, int argc, char **argv)
{
	struct cli_output out;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: acsctl snapshot FILE   (- for standard output)\n");
		return EXIT_BAD_INPUT;
	}
	/* a snapshot is what was read; what-ifs are for export */
	if (c->fabric != c->loaded) {
		fprintf(stderr, "acsctl: snapshot saves what was read, not a what-if (--cmdline, "
			"--firmware-acs, --vfs): use export for that\n");
		return EXIT_BAD_INPUT;
	}
	if (acs_fabric_unknown_count(c->fabric))
		fprintf(stderr,
			"acsctl: warning: %zu functions without extended config space (not root?): the snapshot cannot tell their ACS state\n",
			acs_fabric_unknown_count(c->fabric));
	if ((rc = cli_out_file_check(c, "snapshot", argv[0])) || (rc = cli_output_open_private(&out, argv[0])))
		return rc;
	rc = acs_snapshot_write_opts(c->fabric, out.f, c->serial ? ACS_SNAPSHOT_SERIAL : 0);
	if (rc)
		cli_error(argv[0]);
	return cli_out_written(c, "snapshot", "acsctl snapshot", argv[0], cli_output_close(&out, rc == 0));
}
