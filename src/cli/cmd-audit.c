/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl audit: groups against the routes the hardware allows. */
#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"

static void print_text(const struct cli *c, const acs_finding *fd)
{
	char addr[32];

	printf("%s", fd->kind == ACS_FINDING_UNSAFE ? "FAIL unsafe:" : "INFO conservative:");
	for (size_t i = 0; i < fd->ndevices; i++)
		printf(" %s", acs_func_addr(acs_fabric_func(c->fabric, fd->devices[i]), addr, sizeof(addr)));
	if (fd->nvia) {
		printf(" via");
		for (size_t i = 0; i < fd->nvia; i++)
			printf(" %s", acs_func_addr(acs_fabric_func(c->fabric, fd->via[i]), addr, sizeof(addr)));
	}
	printf(": %s\n", fd->reason);
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
	const acs_policy *hw = acs_policy_find(acs_policy_name(c->policy));
	acs_audit *a;
	size_t unsafe = 0;

	(void)argv;
	if (argc) {
		fprintf(stderr, "usage: acsctl audit\n");
		return EXIT_BAD_INPUT;
	}
	if (cli_audit(c, hw, &a))
		return cli_error("audit");
	for (size_t i = 0; i < acs_audit_count(a); i++)
		unsafe += acs_audit_at(a, i)->kind == ACS_FINDING_UNSAFE;
	if (c->json) {
		json_object *root = json_object_new_object();
		json_object *u = json_object_new_array(), *cons = json_object_new_array();

		json_object_object_add(root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
		for (size_t i = 0; i < acs_audit_count(a); i++) {
			const acs_finding *fd = acs_audit_at(a, i);
			json_object *o = json_object_new_object();

			json_object_object_add(o, "devices", cli_addr_list(c, fd->devices, fd->ndevices));
			json_object_object_add(o, "via", cli_addr_list(c, fd->via, fd->nvia));
			json_object_object_add(o, "reason", json_object_new_string(fd->reason));
			json_object_array_add(fd->kind == ACS_FINDING_UNSAFE ? u : cons, o);
		}
		json_object_object_add(root, "unsafe", u);
		json_object_object_add(root, "conservative", cons);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		cli_note_header(c, stdout);
		if (c->boot && acs_boot_overridden(c->boot))
			printf("# groups as pcie_acs_override makes the kernel form them; routes as the hardware has them\n");
		for (size_t i = 0; i < acs_audit_count(a); i++)
			print_text(c, acs_audit_at(a, i));
		if (!unsafe)
			printf("OK: no device can reach a device of another group without the IOMMU\n");
	}
	acs_audit_free(a);
	return unsafe ? EXIT_CHECK_FAILED : EXIT_OK;
}
