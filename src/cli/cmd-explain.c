/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl explain DEV [DEV2]: why, in the kernel's own steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

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

/* The smallest change that separates them: each port's new ACS control,
 * the boot parameter that sets it and the live setpci. */
static void print_change(const struct cli *c, const struct acs_ctrl_change *ch, size_t n)
{
	char addr[32], tok[160], flags[8], line[256];

	out_text("smallest change that separates them:\n");
	out_array_open(OUT_DATA, "changes");
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "device", "  %s", acs_func_addr(f, addr, sizeof(addr)));
		out_hex(OUT_ANY, "acs_ctl_before", ": ACSCtl 0x%s", f->acs_ctrl, 4);
		out_hex(OUT_ANY, "acs_ctl_after", " -> 0x%s", ch[i].ctrl, 4);
		out_str(OUT_ANY, "acs_ctl_after_tokens", " (%s)\n", cli_acs_tokens(ch[i].ctrl, tok, sizeof(tok)));
		snprintf(line, sizeof(line), "setpci -s %s ECAP_ACS+0x6.w=0x%04x", addr, ch[i].ctrl);
		out_str(OUT_DATA, "setpci", NULL, line);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	if (acs_policy_has_config_acs(c->policy)) {
		char *param = malloc(16 + n * 32);
		size_t used = (size_t)sprintf(param, "pci=config_acs=");

		for (size_t i = 0; param && i < n; i++)
			used += (size_t)sprintf(param + used, "%s%s@%s", i ? ";" : "", acs_boot_config_acs_flags(ch[i].ctrl, flags),
						acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)));
		out_str(OUT_ANY, "config_acs", "at boot: %s\n", param ? param : "(out of memory)");
		free(param);
	} else {
		out_null(OUT_DATA, "config_acs", NULL);
		out_text("at boot: Linux %s has no config_acs; it enables SrcValid ReqRedir CmpltRedir UpstreamFwd itself unless "
			 "pci=disable_acs_redir names the port\n", acs_policy_name(c->policy));
	}
	for (size_t i = 0; i < n; i++)
		out_text("live: setpci -s %s ECAP_ACS+0x6.w=0x%04x   (the kernel's groups stay stale until the devices below are "
			 "removed and rescanned)\n", acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)),
			 ch[i].ctrl);
}

static int print_explain(const struct cli *c, const acs_explain *e, long b, const uint32_t *uv, size_t nu)
{
	const char *const *facts;
	size_t n = acs_explain_facts(e, &facts), k;
	const struct acs_ctrl_change *ch;
	bool possible;
	int status = cli_verdict(false, nu);

	cli_out_header(c);
	if (acs_explain_group(e, 0) == ACS_NO_GROUP)
		out_null(OUT_DATA, "group", NULL);
	else
		out_uint(OUT_DATA, "group", NULL, acs_explain_group(e, 0));
	out_array_open(OUT_DATA, "facts");
	for (size_t i = 0; i < n; i++) {
		out_text("%zu. ", i + 1);
		out_str(OUT_ANY, NULL, "%s\n", facts[i]);
	}
	out_array_close(OUT_DATA);
	if (b >= 0) {
		if (acs_explain_group(e, 1) == ACS_NO_GROUP)
			out_null(OUT_DATA, "group2", NULL);
		else
			out_uint(OUT_DATA, "group2", NULL, acs_explain_group(e, 1));
		out_bool(OUT_DATA, "shared", NULL, acs_explain_shared(e));
	}
	k = acs_explain_change(e, &ch, &possible);
	if (b >= 0 && acs_explain_shared(e)) {
		out_bool(OUT_DATA, "separable", NULL, possible);
		if (possible) {
			print_change(c, ch, k);
		} else {
			out_array_open(OUT_DATA, "changes");
			out_array_close(OUT_DATA);
		}
	}
	cli_out_verdict(c, status, uv, nu);
	return status;
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
	cli_out_begin(c, "explain");
	status = out_end(print_explain(c, e, argc == 2 ? (long)b : -1, uv, nu));
	acs_unknown_free(unk);
	acs_explain_free(e);
	return status;
}
