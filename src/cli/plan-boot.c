/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan --boot LOADER: the plan's kernel parameter in one loader's form;
 * --write: the file that form goes in, as it would be written (a dry
 * run), --yes: written (root), whole or not at all (output.c).
 *
 * grub          /etc/default/grub.d/acsctl.cfg, then update-grub; the
 *               value quoted: grub.cfg's linux line is GRUB script, where
 *               ';' ends the command (tests/vm/grub-boot.sh boots it in
 *               GRUB 2.06, and the unquoted line loses every entry but
 *               the first)
 * bls           grubby --update-kernel=ALL --args=..., printed, never run
 * systemd-boot  /etc/kernel/cmdline (kernel-install, UKIs): the words it
 *               holds, the option's earlier word dropped, the parameter
 *               added; then kernel-install add again
 * cmdline       the parameter alone
 *
 * As root nothing that a file holds steers the write: the paths are
 * fixed, a directory or file on the way that is a symbolic link, not
 * root's, or writable by others is refused, and /etc/kernel/cmdline's
 * words are taken only as one line of printable ASCII under 4 KiB.
 * ACSCTL_BOOT_ROOT=DIR (test builds only, -Dfault_injection=true) puts
 * the files under DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "emit.h"

static const char *const loaders[] = {
	[PLAN_BOOT_GRUB] = "grub", [PLAN_BOOT_BLS] = "bls",
	[PLAN_BOOT_SYSTEMD_BOOT] = "systemd-boot", [PLAN_BOOT_CMDLINE] = "cmdline",
};

int plan_boot_loader(const char *name)
{
	for (int i = PLAN_BOOT_GRUB; i <= PLAN_BOOT_CMDLINE; i++)
		if (strcmp(name, loaders[i]) == 0)
			return i;
	return 0;
}

static const char *boot_root(void)
{
#ifdef ACSCTL_FAULT_INJECTION
	const char *r = getenv("ACSCTL_BOOT_ROOT");

	if (r && *r)
		return r;
#endif
	return "";
}

/* The grubby line: the word whole in double quotes, which GRUB's
 * script (blscfg) and the kernel's own parser (a quoted word) both take
 * off, inside the shell's single quotes. */
static void bls_command(char *buf, size_t size, const char *param)
{
	snprintf(buf, size, "grubby --update-kernel=ALL --args='\"%s\"'", param);
}

void plan_boot_print(const struct cli *c, const acs_plan_boot *w)
{
	char cmd[1024];

	out_str(OUT_DATA, "loader", NULL, loaders[c->boot_loader]);
	switch (c->boot_loader) {
	case PLAN_BOOT_GRUB:
		out_text("\n  GRUB: %s:\n", acs_boot_loader_file(ACS_BOOT_LOADER_GRUB));
		out_str(OUT_ANY, "grub", "    %s\n", w->grub);
		out_text("    then: update-grub (or grub-mkconfig -o /boot/grub/grub.cfg); the quotes keep GRUB from "
			 "ending its linux line at ';' (unquoted, GRUB 2.06 runs each later entry as a command and the "
			 "kernel gets the first alone)\n");
		break;
	case PLAN_BOOT_BLS:
		bls_command(cmd, sizeof(cmd), w->param);
		out_str(OUT_ANY, "command", "\n  BLS entries (/boot/loader/entries): %s\n", cmd);
		out_text("    (the word in double quotes: GRUB's blscfg reads options as GRUB script, where ';' ends "
			 "a command; the kernel takes the quotes off a quoted word)\n");
		break;
	case PLAN_BOOT_SYSTEMD_BOOT:
		out_str(OUT_ANY, "kernel_install", "\n  systemd-boot, UKIs: add to /etc/kernel/cmdline: %s\n",
			w->kernel_install);
		out_text("    then: kernel-install add $(uname -r) /boot/vmlinuz-$(uname -r) (or reinstall the kernel): "
			 "the entry or UKI takes its command line from that file when it is made\n");
		break;
	default:
		out_text("\n");
		break;
	}
	/* -j and -m carry every form still (doc/schema/plan.json) */
	if (c->boot_loader != PLAN_BOOT_GRUB)
		out_str(OUT_DATA, "grub", NULL, w->grub);
	if (c->boot_loader != PLAN_BOOT_SYSTEMD_BOOT)
		out_str(OUT_DATA, "kernel_install", NULL, w->kernel_install);
}

/* What happens when: the same for every loader. */
static void print_when(const struct cli *c, bool param)
{
	out_text("when: nothing changes until the next boot");
	if (param)
		out_text(" with the parameter (the running kernel keeps its ACS and groups)");
	out_text("; for the running kernel: acsctl apply (a dry run unless --yes); a kernel without config_acs "
		 "(before 6.11; Linux %s here) gets acsctl-apply.service and /etc/acsctl/acs.conf instead\n",
		 acs_policy_name(c->policy));
}

/* DIR may hold a file root writes: a real directory, root's, written by
 * no one else. */
static int safe_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		fprintf(stderr, "acsctl plan: %s: %s\n", dir, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (!S_ISDIR(st.st_mode) || (geteuid() == 0 && st.st_uid != 0) || (st.st_mode & 022)) {
		fprintf(stderr, "acsctl plan: %s: not a directory of root's that only root writes: refused\n", dir);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* An existing FILE: a regular file (not a link), root's, written by no
 * one else. */
static int safe_file(const char *file)
{
	struct stat st;

	if (lstat(file, &st) != 0)
		return errno == ENOENT ? 0 : EXIT_BAD_INPUT;
	if (!S_ISREG(st.st_mode) || (geteuid() == 0 && st.st_uid != 0) || (st.st_mode & 022)) {
		fprintf(stderr, "acsctl plan: %s: not a regular file of root's that only root writes: refused\n", file);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* /etc/kernel/cmdline's words, the option's own dropped, the parameter
 * added. 0, or an exit status (said why). */
static int kernel_cmdline(const char *file, const char *param, char *out, size_t size)
{
	char buf[4096], opt[64];
	const char *eq = strchr(param, '=');
	size_t n, used = 0;
	FILE *f;
	int fd, rc;

	/* the option: "pci=config_acs=" */
	if (eq && strchr(eq + 1, '='))
		eq = strchr(eq + 1, '=');
	snprintf(opt, sizeof(opt), "%.*s", eq ? (int)(eq - param + 1) : (int)strlen(param), param);
	if ((rc = safe_file(file)))
		return rc;
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "acsctl plan: %s: %s (kernel-install then takes /proc/cmdline, BOOT_IMAGE= and all: "
			"write the line you boot with there first)\n", file, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return EXIT_BAD_INPUT;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n == sizeof(buf)) {
		fprintf(stderr, "acsctl plan: %s: 4 KiB or more: refused\n", file);
		return EXIT_BAD_INPUT;
	}
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e) {
			fprintf(stderr, "acsctl plan: %s: not one line of printable ASCII: refused\n", file);
			return EXIT_BAD_INPUT;
		}
	out[0] = '\0';
	for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (strncmp(w, opt, strlen(opt)) == 0)
			continue;
		used += (size_t)snprintf(out + used, size - used, "%s ", w);
		if (used >= size)
			return EXIT_BAD_INPUT;
	}
	if ((size_t)snprintf(out + used, size - used, "%s", param) >= size - used)
		return EXIT_BAD_INPUT;
	return 0;
}

static int write_file(const char *path, const char *content)
{
	struct cli_output o;
	int rc = cli_output_open(&o, path);

	if (rc)
		return rc;
	fputs(content, o.f);
	return cli_output_close(&o, true);
}

/* --write: what would be written where, or (--yes) written. */
static int boot_write(const struct cli *c, const acs_plan_boot *w)
{
	const char *root = boot_root();
	char dir[PATH_MAX], path[PATH_MAX + 16], content[8192], cmd[1024];
	const char *then = NULL;
	int rc = 0;

	out_object_open(OUT_DATA, "write");
	out_bool(OUT_DATA, "dry_run", NULL, !c->yes);
	switch (c->boot_loader) {
	case PLAN_BOOT_GRUB:
		snprintf(dir, sizeof(dir), "%s/etc/default/grub.d", root);
		snprintf(path, sizeof(path), "%s/acsctl.cfg", dir);
		snprintf(content, sizeof(content), "# acsctl plan --write: the plan's kernel parameter for every GRUB "
			 "entry; update-grub puts it in grub.cfg\n%s\n", w->grub);
		then = "update-grub (or grub-mkconfig -o /boot/grub/grub.cfg), then reboot";
		break;
	case PLAN_BOOT_SYSTEMD_BOOT: {
		char line[4096];

		snprintf(dir, sizeof(dir), "%s/etc/kernel", root);
		snprintf(path, sizeof(path), "%s/cmdline", dir);
		if ((rc = kernel_cmdline(path, w->param, line, sizeof(line))))
			goto out;
		snprintf(content, sizeof(content), "%s\n", line);
		then = "kernel-install add $(uname -r) /boot/vmlinuz-$(uname -r) (or reinstall the kernel), then reboot";
		break;
	}
	case PLAN_BOOT_BLS:
		bls_command(cmd, sizeof(cmd), w->param);
		out_str(OUT_ANY, "command", "write: acsctl writes no BLS entry: run %s, then reboot\n", cmd);
		goto out;
	default:
		out_str(OUT_ANY, "param", "write: nothing to write for a bare command line: add %s to the loader's, "
			"then reboot\n", w->param);
		goto out;
	}
	out_str(OUT_ANY, "file", c->yes ? "write: %s:\n" : "write (dry run, --yes to write it): %s:\n", path);
	out_str(OUT_ANY, "content", "%s", content);
	if (c->yes) {
		if (!*root && geteuid() != 0) {
			fprintf(stderr, "acsctl plan: --write --yes writes %s: run it as root\n", path);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		if (c->boot_loader == PLAN_BOOT_GRUB && mkdir(dir, 0755) && errno != EEXIST) {
			fprintf(stderr, "acsctl plan: %s: %s\n", dir, strerror(errno));
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		if ((rc = safe_dir(dir)) || (rc = safe_file(path)) || (rc = write_file(path, content)))
			goto out;
		out_bool(OUT_DATA, "written", NULL, true);
		out_text("wrote %s\n", path);
	}
	out_str(OUT_ANY, "then", c->yes ? "then: %s\n" : "then (after --yes): %s\n", then);
out:
	out_object_close(OUT_DATA);
	return rc;
}

int plan_boot_after(const struct cli *c, const acs_plan_result *res, int status)
{
	const acs_plan_boot *w, *param = NULL;
	size_t n = acs_plan_result_ways(res, &w);
	int rc;

	for (size_t i = 0; i < n && !param; i++)
		if (w[i].param)
			param = &w[i];
	print_when(c, param != NULL);
	if (!c->boot_write)
		return status;
	if (!c->boot_loader) {
		fprintf(stderr, "acsctl plan: --write needs --boot grub|bls|systemd-boot|cmdline\n");
		return EXIT_BAD_INPUT;
	}
	if (!param) {
		out_text(n ? "write: nothing for the loader: Linux %s takes no parameter for these changes; "
			     "the boot unit's acs.conf above is the way\n"
			   : "write: nothing: the plan changes nothing\n", acs_policy_name(c->policy));
		return status;
	}
	rc = boot_write(c, param);
	return rc ? rc : status;
}
