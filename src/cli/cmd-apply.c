/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl apply CHANGE... | PLAN.json | --from FILE [--yes] [--unbind];
 * --rollback; --status. Without --yes every step is printed and nothing
 * is touched. FILE (/etc/acsctl/acs.conf for the boot service) holds
 * changes as the command line takes them, any number a line; '#' starts
 * a comment. Every answer goes through the emitter: text as the steps
 * come (a kill leaves what was done on the terminal), -m and -j whole at
 * the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

/* Each step as it is done (or would be): text at once, the data in
 * "steps". */
static void print_step(void *ctx, const char *line)
{
	out_str(OUT_ANY, NULL, *(bool *)ctx ? "%s\n" : "would: %s\n", line);
	if (out_wants(OUT_TEXT))
		fflush(stdout);
}

/* The header, for the data: apply's text has never opened with one. */
static void header(const struct cli *c)
{
	if (!out_wants(OUT_TEXT))
		cli_out_header(c);
}

static void print_changes(const struct cli *c, const struct acs_ctrl_change *ch, size_t n)
{
	char addr[32];

	out_array_open(OUT_DATA, "changes");
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *f = acs_fabric_func(c->fabric, ch[i].index);

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "device", NULL, acs_func_addr(f, addr, sizeof(addr)));
		out_hex(OUT_DATA, "acs_ctl_before", NULL, f->acs_ctrl, 4);
		out_hex(OUT_DATA, "acs_ctl_after", NULL, ch[i].ctrl, 4);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

/* Refused: say how to get the same ACS at boot instead. */
static void boot_alternative(const struct cli *c, const struct acs_ctrl_change *ch, size_t n)
{
	char *param = NULL, *grub = NULL;

	if (!acs_policy_has_config_acs(c->policy)) {
		out_null(OUT_DATA, "at_boot", NULL);
		out_text("at boot: Linux %s has no pci=config_acs=; see acsctl plan for what it can express\n",
			 acs_policy_name(c->policy));
		return;
	}
	if (acs_boot_param(&param, ACS_BOOT_CONFIG_ACS, c->fabric, ch, n) ||
	    acs_boot_loader_line(&grub, ACS_BOOT_LOADER_GRUB, param)) {
		free(param);
		out_null(OUT_DATA, "at_boot", NULL);
		return;
	}
	out_object_open(OUT_DATA, "at_boot");
	out_str(OUT_ANY, "param", "at boot instead: %s\n", param);
	out_text("  (GRUB: %s; kernel-install: %s)\n", acs_boot_loader_file(ACS_BOOT_LOADER_GRUB),
		 acs_boot_loader_file(ACS_BOOT_LOADER_KERNEL_INSTALL));
	out_str(OUT_ANY, "grub", "    %s\n", grub);
	out_str(OUT_DATA, "kernel_install", NULL, param);
	out_object_close(OUT_DATA);
	free(param);
	free(grub);
}

static int status(struct cli *c, const acs_apply_opts *o)
{
	char *text = acs_apply_status(o);

	if (!text && acs_error_last()->code != ACS_ENOTFOUND)
		return cli_error("apply --status");   /* a journal, unreadable: still pending */
	/* nothing was loaded: no header */
	cli_out_begin(c, "apply");
	out_bool(OUT_DATA, "pending", NULL, text != NULL);
	if (!text)
		out_text("no pending change\n");
	else
		out_str(OUT_ANY, "journal", "pending change (acsctl apply --rollback restores it):\n%s\n", text);
	free(text);
	return out_end(EXIT_OK);
}

static int rollback(struct cli *c, acs_apply_opts *o)
{
	cli_out_begin(c, "apply");
	header(c);
	out_array_open(OUT_DATA, "steps");
	if (acs_apply_rollback(o))
		return cli_error("apply --rollback");   /* stdout: the steps as they came, in text */
	out_array_close(OUT_DATA);
	out_bool(OUT_DATA, "rolled_back", NULL, true);
	out_text("OK: rolled back\n");
	return out_end(EXIT_OK);
}

/* The changes asked for, from the command line, PLAN.json or --from. */
static int changes(struct cli *c, int argc, char **argv, struct acs_ctrl_change **ch, size_t *n)
{
	*n = 0;
	*ch = calloc((size_t)argc * acs_fabric_count(c->fabric) + 1, sizeof(**ch));
	if (!*ch)
		return EXIT_BAD_INPUT;
	return c->from ? cli_conf_changes(c, c->from, ch, n) :
	       argc == 1 && strstr(argv[0], ".json") ? cli_plan_changes(c, argv[0], *ch, n) :
	       cli_parse_changes(c, "", argc, argv, *ch, n);
}

int cmd_apply(struct cli *c, int argc, char **argv)
{
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;
	struct acs_ctrl_change *ch = NULL;
	bool doing = c->yes;
	size_t n = 0;
	int rc;

	o.sysfs = c->sysfs;
	o.journal = getenv("ACSCTL_JOURNAL");
	o.unbind = c->unbind;
	o.dry_run = !c->yes;
	o.step = print_step;
	o.ctx = &doing;
	if (c->status)
		return status(c, &o);
	if (c->rollback) {
		doing = true;
		o.dry_run = false;
		return rollback(c, &o);
	}
	if ((argc == 0) == !c->from) {
		fprintf(stderr, "usage: acsctl apply [switch] DEV:BITS... | PLAN.json | --from FILE  [--yes] [--unbind]\n");
		return EXIT_BAD_INPUT;
	}
	rc = changes(c, argc, argv, &ch, &n);
	if (rc) {
		free(ch);
		return rc;
	}
	cli_out_begin(c, "apply");
	header(c);
	out_bool(OUT_DATA, "dry_run", NULL, !c->yes);
	print_changes(c, ch, n);
	if (!n && c->from) {   /* the boot service with nothing configured */
		out_bool(OUT_DATA, "applied", NULL, false);
		out_str(OUT_ANY, "from", "nothing to apply: %s holds no changes\n", c->from);
		cli_out_verdict(c, EXIT_OK, NULL, 0);
		free(ch);
		return out_end(EXIT_OK);
	}
	out_array_open(OUT_DATA, "steps");
	if (acs_apply(c->fabric, c->policy, ch, n, &o)) {
		const acs_error *e = acs_error_last();
		bool refused = e->code == ACS_EINVAL && strncmp(e->message, "refused", 7) == 0;
		bool regroup = refused && (strstr(e->message, "at boot") || strstr(e->message, "live,"));

		if (!refused && e->code != ACS_ERROR) {
			/* no answer on stdout but the steps text printed as
			 * they came */
			free(ch);
			fflush(stdout);
			return cli_error("apply");
		}
		out_array_close(OUT_DATA);
		out_bool(OUT_DATA, "applied", NULL, false);
		out_str(OUT_ANY, "error", "FAIL %s\n", e->message);
		if (regroup)
			boot_alternative(c, ch, n);
		cli_out_verdict(c, EXIT_CHECK_FAILED, NULL, 0);
		free(ch);
		return out_end(EXIT_CHECK_FAILED);
	}
	out_array_close(OUT_DATA);
	out_bool(OUT_DATA, "applied", NULL, c->yes);
	out_text(c->yes ? "OK: applied and verified against the kernel's groups\n" :
			  "dry run: nothing changed (give --yes to apply)\n");
	cli_out_verdict(c, EXIT_OK, NULL, 0);
	free(ch);
	return out_end(EXIT_OK);
}
