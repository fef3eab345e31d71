/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl explain DEV [DEV2]: why, in the kernel's own steps. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int find_device(const struct cli *c, const char *s, size_t *out)
{
	long i = cli_find_device(c, s, strlen(s));

	if (i < 0) {
		fprintf(stderr, "acsctl explain: no device '%s' in %s\n", s, acs_fabric_origin(c->fabric));
		return EXIT_BAD_INPUT;
	}
	*out = (size_t)i;
	return 0;
}

static void print_change_text(const struct cli *c, const struct acs_ctrl_change *ch, size_t n)
{
	char addr[32], tok[160], flags[8];

	printf("smallest change that separates them:\n");
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);

		printf("  %s: ACSCtl 0x%04x -> 0x%04x (%s)\n", acs_func_addr(f, addr, sizeof(addr)),
		       f->acs_ctrl, ch[i].ctrl, cli_acs_tokens(ch[i].ctrl, tok, sizeof(tok)));
	}
	if (acs_policy_has_config_acs(c->policy)) {
		printf("at boot: pci=config_acs=");
		for (size_t i = 0; i < n; i++) {
			printf("%s%s@%s", i ? ";" : "", cli_config_acs_flags(ch[i].ctrl, flags),
			       acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)));
		}
		printf("\n");
	} else {
		printf("at boot: Linux %s has no config_acs; it enables SrcValid ReqRedir CmpltRedir UpstreamFwd itself unless pci=disable_acs_redir names the port\n",
		       acs_policy_name(c->policy));
	}
	for (size_t i = 0; i < n; i++)
		printf("live: setpci -s %s ECAP_ACS+0x6.w=0x%04x   (the kernel's groups stay stale until the devices below are removed and rescanned)\n",
		       acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)),
		       ch[i].ctrl);
}

static void print_json(const struct cli *c, const acs_explain *e, long b, int status, const uint32_t *uv,
		       size_t nu)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	const char *const *facts;
	size_t n = acs_explain_facts(e, &facts);

	json_object_object_add(root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
	json_object_object_add(root, "group", json_object_new_int((int)acs_explain_group(e, 0)));
	cli_json_verdict(c, root, status, uv, nu);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(facts[i]));
	json_object_object_add(root, "facts", arr);
	if (b >= 0) {
		const struct acs_ctrl_change *ch;
		bool possible;
		size_t k = acs_explain_change(e, &ch, &possible);
		json_object *changes = json_object_new_array();
		char addr[32], hex[8];

		json_object_object_add(root, "group2", json_object_new_int((int)acs_explain_group(e, 1)));
		json_object_object_add(root, "shared", json_object_new_boolean(acs_explain_shared(e)));
		for (size_t i = 0; i < k; i++) {
			json_object *o = json_object_new_object();
			const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);

			json_object_object_add(o, "device", json_object_new_string(acs_func_addr(f, addr, sizeof(addr))));
			snprintf(hex, sizeof(hex), "%04x", f->acs_ctrl);
			json_object_object_add(o, "acs_ctl_before", json_object_new_string(hex));
			snprintf(hex, sizeof(hex), "%04x", ch[i].ctrl);
			json_object_object_add(o, "acs_ctl_after", json_object_new_string(hex));
			json_object_array_add(changes, o);
		}
		if (acs_explain_shared(e)) {
			json_object_object_add(root, "separable", json_object_new_boolean(possible));
			json_object_object_add(root, "changes", changes);
		} else {
			json_object_put(changes);
		}
	}
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

int cmd_explain(struct cli *c, int argc, char **argv)
{
	size_t a, b = 0, nu;
	acs_explain *e;
	acs_unknown *unk;
	const uint32_t *uv;
	int status;

	/* its reasons are the ACS ones pci_device_group() follows */
	if (c->platform) {
		fprintf(stderr, "acsctl explain: not for PE platforms (--platform %s): acsctl pe shows what makes each "
			"PE\n", c->platform->name);
		return EXIT_BAD_INPUT;
	}
	if (argc < 1 || argc > 2) {
		fprintf(stderr, "usage: acsctl explain DEV [DEV2]\n");
		return EXIT_BAD_INPUT;
	}
	if (find_device(c, argv[0], &a) || (argc == 2 && find_device(c, argv[1], &b)))
		return EXIT_BAD_INPUT;
	if (acs_unknown_new(&unk, c->fabric, c->policy))
		return cli_error("explain");
	if (acs_explain_compute(&e, c->fabric, c->policy, a, argc == 2 ? (long)b : -1)) {
		acs_unknown_free(unk);
		return cli_error("explain");
	}
	/* the group walk of each (and so whether they share one) */
	acs_unknown_add(unk, ACS_UNKNOWN_GROUP, a, argc == 2 ? (long)b : -1);
	nu = acs_unknown_list(unk, &uv);
	status = cli_verdict(false, nu);
	if (c->json) {
		print_json(c, e, argc == 2 ? (long)b : -1, status, uv, nu);
	} else {
		const char *const *facts;
		size_t n = acs_explain_facts(e, &facts);
		const struct acs_ctrl_change *ch;
		bool possible;
		size_t k;

		cli_note_header(c, stdout);
		for (size_t i = 0; i < n; i++)
			printf("%zu. %s\n", i + 1, facts[i]);
		k = acs_explain_change(e, &ch, &possible);
		if (argc == 2 && acs_explain_shared(e) && possible)
			print_change_text(c, ch, k);
		cli_print_unknown(c, uv, nu);
	}
	acs_unknown_free(unk);
	acs_explain_free(e);
	return status;
}
