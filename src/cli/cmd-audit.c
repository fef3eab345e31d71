/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl audit: groups against the routes the hardware allows. */
#include <stdio.h>

#include "cli.h"
#include "emit.h"

static const char *kind_text(int kind)
{
	return kind == ACS_FINDING_UNSAFE ? "FAIL unsafe:" : kind == ACS_FINDING_UNKNOWN ? "UNKNOWN pair:" :
	       "INFO conservative:";
}

static const char *kind_key(int kind)
{
	return kind == ACS_FINDING_UNSAFE ? "unsafe" : kind == ACS_FINDING_UNKNOWN ? "unknown" : "conservative";
}

/* Text shows UNKNOWN pairs with -v only: the UNKNOWN lines per port say it */
static void print_finding(const struct cli *c, const acs_finding *fd)
{
	int when = fd->kind != ACS_FINDING_UNKNOWN || c->verbose ? OUT_ANY : OUT_DATA;
	char addr[32];

	out_object_open(when, NULL);
	out_str(when & OUT_TEXT, NULL, "%s", kind_text(fd->kind));
	out_array_open(when, "devices");
	for (size_t i = 0; i < fd->ndevices; i++)
		out_str(when, NULL, " %s", acs_func_addr(acs_fabric_func(c->fabric, fd->devices[i]), addr, sizeof(addr)));
	out_array_close(when);
	if (fd->nvia)
		out_str(when & OUT_TEXT, NULL, " %s", fd->kind == ACS_FINDING_UNKNOWN ? "depends on" : "via");
	out_array_open(when, fd->kind == ACS_FINDING_UNKNOWN ? "depends_on" : "via");
	for (size_t i = 0; i < fd->nvia; i++)
		out_str(when, NULL, " %s", acs_func_addr(acs_fabric_func(c->fabric, fd->via[i]), addr, sizeof(addr)));
	out_array_close(when);
	out_str(when, "reason", ": %s\n", fd->reason);
	out_object_close(when);
}

static void print_audit(const struct cli *c, const acs_audit *a, int status)
{
	static const int kinds[] = { ACS_FINDING_UNSAFE, ACS_FINDING_CONSERVATIVE, ACS_FINDING_UNKNOWN };
	const uint32_t *unk;
	size_t nunk = acs_audit_unknown(a, &unk);

	cli_out_header(c);
	if (c->boot && acs_boot_overridden(c->boot))
		out_text("# groups as pcie_acs_override makes the kernel form them; routes as the hardware has them\n");
	/* text keeps the library's order; the data groups findings by kind */
	for (size_t k = 0; k < 3; k++) {
		out_array_open(OUT_DATA, kind_key(kinds[k]));
		for (size_t i = 0; i < acs_audit_count(a); i++)
			if (acs_audit_at(a, i)->kind == kinds[k])
				print_finding(c, acs_audit_at(a, i));
		out_array_close(OUT_DATA);
	}
	cli_out_verdict(c, status, unk, nunk);
	if (status == EXIT_OK)
		out_text("OK: no device can reach a device of another group without the IOMMU\n");
}

/* On a PE platform the groups to hold against the routes are the PEs':
 * two PEs below a switch without ACS reach each other past the PHB. */
int cli_audit(const struct cli *c, const acs_policy *hw, acs_audit **out)
{
	acs_groups *g = NULL;
	int rc;

	if (!c->platform)
		return acs_audit_run(out, c->fabric, c->policy, hw);
	rc = cli_groups(c, &g);
	if (!rc)
		rc = acs_audit_run_groups(out, c->fabric, g, hw);
	acs_groups_free(g);
	return rc;
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
	const acs_policy *hw = acs_policy_hardware(c->policy);
	acs_audit *a;
	const uint32_t *unk;
	size_t unsafe = 0, nunk;
	int status;

	(void)argv;
	if (argc) {
		fprintf(stderr, "usage: acsctl audit\n");
		return EXIT_BAD_INPUT;
	}
	if (cli_audit(c, hw, &a))
		return cli_error("audit");
	for (size_t i = 0; i < acs_audit_count(a); i++)
		unsafe += acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE;
	nunk = acs_audit_unknown(a, &unk);
	status = cli_verdict(unsafe > 0, nunk);
	cli_out_begin(c, "audit");
	print_audit(c, a, status);
	acs_audit_free(a);
	return out_end(status);
}
