/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl snapshot FILE: what acsctl reads here, saved as one file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* --format rdma-topo: rdma_topo's dump (doc/rdma-topo-dump.md), its
 * iommu_group the kernel's where the source has them, else predicted */
static int snapshot_rdma_topo(struct cli *c, const char *name)
{
	acs_groups *g = NULL;
	struct cli_output out;
	size_t guessed = 0;
	int rc;

	if (acs_fabric_kernel_groups(c->fabric) != ACS_KGROUPS_PRESENT && cli_groups(c, &g))
		return cli_error("snapshot");
	if ((rc = cli_out_file_check(c, "snapshot", name)) || (rc = cli_output_open_private(&out, name))) {
		acs_groups_free(g);
		return rc;
	}
	rc = acs_rdma_topo_write(c->fabric, g, out.f, &guessed);
	acs_groups_free(g);
	if (rc)
		cli_error(name);
	if (!rc && guessed)
		fprintf(stderr, "acsctl: warning: the source has no kernel IOMMU groups: iommu_group of %zu "
			"functions is acsctl's prediction (policy %s), not the kernel's\n", guessed,
			acs_policy_name(c->policy));
	return cli_out_written(c, "snapshot", "rdma_topo dump", name, cli_output_close(&out, rc == 0));
}

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
	if (c->format && strcmp(c->format, "rdma-topo") != 0) {
		fprintf(stderr, "acsctl snapshot: --format must be rdma-topo, not '%s'\n", c->format);
		return EXIT_BAD_INPUT;
	}
	if (c->format)
		return snapshot_rdma_topo(c, argv[0]);
	if ((rc = cli_out_file_check(c, "snapshot", argv[0])) || (rc = cli_output_open_private(&out, argv[0])))
		return rc;
	rc = acs_snapshot_write_opts(c->fabric, out.f, c->serial ? ACS_SNAPSHOT_SERIAL : 0);
	if (rc)
		cli_error(argv[0]);
	return cli_out_written(c, "snapshot", "acsctl snapshot", argv[0], cli_output_close(&out, rc == 0));
}
