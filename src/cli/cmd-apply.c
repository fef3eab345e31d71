/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl apply CHANGE... | PLAN.json | --from FILE [--yes] [--unbind];
 * --rollback; --status. Without --yes every step is printed and nothing
 * is touched. FILE (/etc/acsctl/acs.conf for the boot service) holds
 * changes as the command line takes them, any number a line; '#' starts
 * a comment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_step(void *ctx, const char *line)
{
	printf("%s%s\n", *(bool *)ctx ? "" : "would: ", line);
	fflush(stdout);
}

/* Refused: say how to get the same ACS at boot instead. */
static void boot_alternative(const struct cli *c, const struct acs_ctrl_change *ch, size_t n)
{
	char addr[32], flags[8];

	if (!acs_policy_has_config_acs(c->policy)) {
		printf("at boot: Linux %s has no pci=config_acs=; see acsctl plan for what it can express\n",
		       acs_policy_name(c->policy));
		return;
	}
	printf("at boot instead: pci=config_acs=");
	for (size_t i = 0; i < n; i++)
		printf("%s%s@%s", i ? ";" : "", cli_config_acs_flags(ch[i].ctrl, flags),
		       acs_func_addr(acs_fabric_func(c->fabric, ch[i].index), addr, sizeof(addr)));
	printf("\n  (GRUB: /etc/default/grub.d/acsctl.cfg; kernel-install: /etc/kernel/cmdline)\n");
}

int cmd_apply(struct cli *c, int argc, char **argv)
{
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;
	struct acs_ctrl_change *ch;
	bool doing = c->yes;
	size_t n = 0;
	int rc;

	o.sysfs = c->sysfs;
	o.journal = getenv("ACSCTL_JOURNAL");
	o.unbind = c->unbind;
	o.dry_run = !c->yes;
	o.step = print_step;
	o.ctx = &doing;
	if (c->status) {
		char *text = acs_apply_status(&o);

		if (!text && acs_error_last()->code != ACS_ENOTFOUND)
			return cli_error("apply --status");   /* a journal, unreadable: still pending */
		if (!text) {
			printf("no pending change\n");
			return EXIT_OK;
		}
		printf("pending change (acsctl apply --rollback restores it):\n%s\n", text);
		free(text);
		return EXIT_OK;
	}
	if (c->rollback) {
		doing = o.dry_run = false;
		doing = true;
		if (acs_apply_rollback(&o))
			return cli_error("apply --rollback");
		printf("OK: rolled back\n");
		return EXIT_OK;
	}
	if ((argc == 0) == !c->from) {
		fprintf(stderr, "usage: acsctl apply [switch] DEV:BITS... | PLAN.json | --from FILE  [--yes] [--unbind]\n");
		return EXIT_BAD_INPUT;
	}
	ch = calloc((size_t)argc * acs_fabric_count(c->fabric) + 1, sizeof(*ch));
	if (!ch)
		return EXIT_BAD_INPUT;
	rc = c->from ? cli_conf_changes(c, c->from, &ch, &n) :
	     argc == 1 && strstr(argv[0], ".json") ? cli_plan_changes(c, argv[0], ch, &n) :
	     cli_parse_changes(c, "", argc, argv, ch, &n);
	if (rc) {
		free(ch);
		return rc;
	}
	if (!n && c->from) {   /* the boot service with nothing configured */
		printf("nothing to apply: %s holds no changes\n", c->from);
		free(ch);
		return EXIT_OK;
	}
	if (acs_apply(c->fabric, c->policy, ch, n, &o)) {
		const acs_error *e = acs_error_last();
		bool refused = e->code == ACS_EINVAL && strncmp(e->message, "refused", 7) == 0;
		bool regroup = refused && (strstr(e->message, "at boot") || strstr(e->message, "live,"));

		if (!refused && e->code != ACS_ERROR) {
			free(ch);
			return cli_error("apply");
		}
		printf("FAIL %s\n", e->message);
		if (regroup)
			boot_alternative(c, ch, n);
		free(ch);
		return EXIT_CHECK_FAILED;
	}
	printf(c->yes ? "OK: applied and verified against the kernel's groups\n" :
			"dry run: nothing changed (give --yes to apply)\n");
	free(ch);
	return EXIT_OK;
}
