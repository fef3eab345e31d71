/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl audit: groups against the routes the hardware allows. */
#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"

static const char *kind_text(int kind)
{
	return kind == ACS_FINDING_UNSAFE ? "FAIL unsafe:" : kind == ACS_FINDING_UNKNOWN ? "UNKNOWN pair:" :
	       "INFO conservative:";
}

static void print_text(const struct cli *c, const acs_finding *fd)
{
	char addr[32];

	printf("%s", kind_text(fd->kind));
	for (size_t i = 0; i < fd->ndevices; i++)
		printf(" %s", acs_func_addr(acs_fabric_func(c->fabric, fd->devices[i]), addr, sizeof(addr)));
	if (fd->nvia) {
		printf(" %s", fd->kind == ACS_FINDING_UNKNOWN ? "depends on" : "via");
		for (size_t i = 0; i < fd->nvia; i++)
			printf(" %s", acs_func_addr(acs_fabric_func(c->fabric, fd->via[i]), addr, sizeof(addr)));
	}
	printf(": %s\n", fd->reason);
}

static void print_json(const struct cli *c, const acs_audit *a, int status)
{
	json_object *root = json_object_new_object();
	json_object *arr[3] = { json_object_new_array(), json_object_new_array(), json_object_new_array() };
	const uint32_t *unk;
	size_t nunk = acs_audit_unknown(a, &unk);

	json_object_object_add(root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
	cli_json_verdict(c, root, status, unk, nunk);
	for (size_t i = 0; i < acs_audit_count(a); i++) {
		const acs_finding *fd = acs_audit_at(a, i);
		json_object *o = json_object_new_object();

		json_object_object_add(o, "devices", cli_addr_list(c, fd->devices, fd->ndevices));
		json_object_object_add(o, fd->kind == ACS_FINDING_UNKNOWN ? "depends_on" : "via",
				       cli_addr_list(c, fd->via, fd->nvia));
		json_object_object_add(o, "reason", json_object_new_string(fd->reason));
		json_object_array_add(arr[fd->kind == ACS_FINDING_UNSAFE ? 0 : fd->kind == ACS_FINDING_UNKNOWN ? 2 : 1], o);
	}
	json_object_object_add(root, "unsafe", arr[0]);
	json_object_object_add(root, "conservative", arr[1]);
	json_object_object_add(root, "unknown", arr[2]);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
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
	if (c->json) {
		print_json(c, a, status);
	} else {
		cli_note_header(c, stdout);
		if (c->boot && acs_boot_overridden(c->boot))
			printf("# groups as pcie_acs_override makes the kernel form them; routes as the hardware has them\n");
		for (size_t i = 0; i < acs_audit_count(a); i++)
			if (acs_audit_at(a, i)->kind != ACS_FINDING_UNKNOWN || c->verbose)
				print_text(c, acs_audit_at(a, i));
		cli_print_unknown(c, unk, nunk);
		if (status == EXIT_OK)
			printf("OK: no device can reach a device of another group without the IOMMU\n");
	}
	acs_audit_free(a);
	return status;
}
