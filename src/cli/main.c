/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl: PCIe ACS, IOMMU groups and P2P, predicted as a given kernel
 * would form them. `acsctl [OPTIONS] [COMMAND]`, commands from one table.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *help;
	bool no_fabric;      /* makes its own: nothing is loaded */
};

static const struct command commands[] = {
	{ "show", cmd_show, "the PCI tree with port types, ACS state and groups", false },
	{ "groups", cmd_groups, "the IOMMU groups the kernel forms", false },
	{ "p2p", cmd_p2p, "peer-to-peer between endpoints: the kernel's P2PDMA verdict and the hardware path ([DEV...])", false },
	{ "pe", cmd_pe, "partitionable endpoints of a PE platform (--platform powernv9 ...): table, --check, --allocate", false },
	{ "apply", cmd_apply, "make an ACS change live (CHANGE..., PLAN.json or --from FILE): dry run unless --yes; --rollback, --status", false },
	{ "plan", cmd_plan, "the smallest ACS change for --p2p A,B --p2p-translated A,B --isolate D --tenant NAME:A,B", false },
	{ "whatif", cmd_whatif, "what ACS changes ([switch] DEV:RR-,CR-...), --cmdline or --vfs would change", false },
	{ "audit", cmd_audit, "where the groups promise isolation the hardware does not give", false },
	{ "explain", cmd_explain, "why DEV is in its group; why DEV and DEV2 share one, and what would separate them", false },
	{ "snapshot", cmd_snapshot, "save this host's fabric as one file (FILE)", false },
	{ "export", cmd_export, "write the fabric as a topology file ([FILE])", false },
	{ "report", cmd_report, "one HTML page: the fabric as a picture, groups, audit, P2P pairs ([FILE])", false },
	{ "synth", cmd_synth, "a synthetic fabric: --functions N [--seed S] [--format topo|dump] [-o FILE]", true },
};

static void usage(FILE *out)
{
	const char *oldest, *newest;

	acs_policy_range(&oldest, &newest);
	fprintf(out,
		"Usage: acsctl [OPTIONS] [COMMAND]\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"  (none)   same as show\n"
		"\n"
		"Sources:\n"
		"  -F FILE           an lspci -x/-xxx/-xxxx hex dump, lspci -vvv text,\n"
		"                    an acsctl snapshot or a topology file\n"
		"                    (- or /dev/stdin: standard input; gzip, xz, zstd\n"
		"                    files are read as they are)\n"
		"  --sysfs DIR       a sysfs tree (default: /sys, this machine)\n"
		"  --max-input SIZE  the most a file may hold, decompressed (default\n"
		"                    1G; 0: no limit)\n"
		"Options:\n"
		"  --kernel VERSION  kernel policy: any release (6.10.14, 7.3-rc4,\n"
		"                    6.8.0-45-generic), modelled kernels %s to %s;\n"
		"                    default: the input's own kernel, otherwise %s\n"
		"  -s [[[[dom]:]bus]:][slot][.[func]]  select functions (lspci -s)\n"
		"  -d [vendor]:[device][:class]        select functions (lspci -d)\n"
		"  -n, -nn           numeric IDs; both names and numbers\n"
		"  -j, --json        JSON output (doc/json.md)\n"
		"  --cmdline \"...\"   simulate booting with these kernel parameters\n"
		"                    (pci=disable_acs_redir=, pci=config_acs=, pci=noats,\n"
		"                    pcie_acs_override=), from the firmware's ACS state\n"
		"  --firmware-acs DEV=CTRL  ACS control firmware leaves on DEV (default 0)\n"
		"  --vfs DEV=N       what if the SR-IOV PF DEV had N VFs enabled\n"
		"  --cpu amd-zen|other  the CPU, for P2P through the host bridge (p2p)\n"
		"  -v, --verbose     more: p2p lists every pair with its path\n"
		"  --platform NAME   PE isolation (p7ioc, phb3, phb4, powernv8, powernv9)\n"
		"  --pe-policy P     bus (Linux powernv, default), slot, device\n"
		"  --phb [DOM:]K=V   override platform facts: pes, reserved, m32, m64, m64-base, m64-bars\n"
		"  -m                machine-readable lines\n"
		"  --check           groups: compare with the kernel's own groups (live,\n"
		"                    snapshot): OK, or FAIL lines and exit status 1\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 ok, 1 a check failed, 2 bad input or usage, 3 unknown: the\n"
		"answer depends on state not read (ACS without root, lspci -x/-xxx);\n"
		"UNKNOWN lines say what and how to read it. 1 beats 3.\n",
		oldest, newest, acs_policy_name(acs_policy_default()));
}

int cli_error(const char *what)
{
	const acs_error *e = acs_error_last();

	if (what)
		fprintf(stderr, "acsctl: %s: %s\n", what, e->message);
	else
		fprintf(stderr, "acsctl: %s\n", e->message);
	return EXIT_BAD_INPUT;
}

/* Which kernel says what happened: --kernel, or the one the input recorded
 * (a live host's running kernel, a snapshot's kernel-release line). */
static const char *policy_source(const struct cli *c)
{
	if (c->kernel)
		return "--kernel";
	return acs_fabric_source_kind(c->fabric) == ACS_SOURCE_SYSFS ?
		"running kernel" : "recorded kernel";
}

/*
 * The version given or recorded, exactly: every version has a policy.
 * Outside the modelled range the library says what it assumed, and that
 * goes to stderr, so that no prediction is silently of another kernel.
 */
static int choose_policy(struct cli *c)
{
	static char why[192];
	const char *version = c->kernel ? c->kernel : acs_fabric_kernel_release(c->fabric);
	const char *note, *warning;

	c->policy = version ? acs_policy_find(version) : NULL;
	if (!c->policy && c->kernel)
		return cli_error("--kernel");
	if (!c->policy) {
		c->policy = acs_policy_default();
		c->policy_why = "newest known";
		if (version)
			fprintf(stderr, "acsctl: warning: kernel release '%s' is not a version: predicted as Linux %s (--kernel to choose)\n",
				version, acs_policy_name(c->policy));
		return 0;
	}
	note = acs_policy_note(c->policy);
	snprintf(why, sizeof(why), "%s %s%s%s", policy_source(c), version,
		 note ? ": " : "", note ? note : "");
	c->policy_why = why;
	warning = acs_policy_warning(c->policy);
	if (warning)
		fprintf(stderr, "acsctl: warning: %s\n", warning);
	return 0;
}

/* "DEV=VALUE" options: the device as lspci -s takes it, a number up to max. */
static int dev_value(const struct cli *c, const char *opt, const char *arg,
		     unsigned long max, size_t *index, unsigned long *value)
{
	const char *eq = strchr(arg, '=');
	long i = eq ? cli_find_device(c, arg, (size_t)(eq - arg)) : -1;
	char *end;

	if (!eq) {
		fprintf(stderr, "acsctl: %s %s: expected DEV=VALUE\n", opt, arg);
		return EXIT_BAD_INPUT;
	}
	*value = strtoul(eq + 1, &end, 0);
	if (!eq[1] || *end || eq[1] == '-' || *value > max) {
		fprintf(stderr, "acsctl: %s %s: '%s' is not a number up to %lu\n", opt, arg, eq + 1, max);
		return EXIT_BAD_INPUT;
	}
	if (i < 0) {
		fprintf(stderr, "acsctl: %s %s: no device %.*s in %s\n", opt, arg, (int)(eq - arg), arg,
			acs_fabric_origin(c->fabric));
		return EXIT_BAD_INPUT;
	}
	*index = (size_t)i;
	return 0;
}

/* --firmware-acs 0000:00:02.0=0x001d */
static int firmware_changes(struct cli *c, struct acs_ctrl_change *ch)
{
	for (size_t i = 0; i < c->nfirmware; i++) {
		unsigned long v;

		if (dev_value(c, "--firmware-acs", c->firmware[i], 0xffff, &ch[i].index, &v))
			return EXIT_BAD_INPUT;
		ch[i].ctrl = (uint16_t)v;
	}
	return 0;
}

/* --vfs DEV=N, after boot: VFs are enabled on a running system. */
static int enable_vfs(struct cli *c)
{
	for (size_t i = 0; i < c->nvfs; i++) {
		acs_fabric *next = NULL;
		unsigned long n;
		size_t pf;

		if (dev_value(c, "--vfs", c->vfs[i], 0xffff, &pf, &n))
			return EXIT_BAD_INPUT;
		if (acs_fabric_with_vfs(&next, c->fabric, pf, (unsigned)n))
			return cli_error("--vfs");
		acs_fabric_free(c->what_if);
		c->what_if = next;
		c->fabric = next;
	}
	return 0;
}

/* The parts of --cmdline the kernel ignores: once each, before any output,
 * whatever the command (the kernel boots anyway, and so does acsctl). */
static void boot_warnings(const struct cli *c)
{
	for (size_t i = 0; c->boot && i < acs_boot_warning_count(c->boot); i++) {
		acs_boot_warning w;

		if (!acs_boot_warning_at(c->boot, i, &w))
			fprintf(stderr, "acsctl: warning: --cmdline: %s\n", w.message);
	}
}

static int simulate_boot(struct cli *c)
{
	acs_boot_opts o = ACS_BOOT_OPTS_INIT;
	struct acs_ctrl_change *fw = calloc(c->nfirmware + 1, sizeof(*fw));
	int rc;

	if (!fw)
		return EXIT_BAD_INPUT;
	rc = firmware_changes(c, fw);
	if (!rc) {
		o.cmdline = c->cmdline;
		o.firmware = fw;
		o.nfirmware = c->nfirmware;
		/* a malformed parameter is a warning: only what acsctl itself
		 * cannot do (memory) fails */
		if (acs_boot_simulate(&c->boot, c->fabric, c->policy, &o))
			rc = cli_error("--cmdline");
		else
			boot_warnings(c);
	}
	free(fw);
	return rc;
}

/* On stderr, so that every output format (and a pipe into jq) keeps them
 * apart from the answer. */
static void print_source_warnings(const acs_fabric *f)
{
	const char *const *list;
	size_t n = acs_fabric_warnings(f, &list);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "acsctl: warning: %s\n", list[i]);
}

static int load(struct cli *c)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;

	if (c->dump && c->sysfs) {
		fprintf(stderr, "acsctl: -F and --sysfs are two sources: give one\n");
		return EXIT_BAD_INPUT;
	}
	if (c->dump) {
		o.kind = ACS_SOURCE_FILE;
		o.path = c->dump;
		if (c->max_input_set)
			o.max_input = c->max_input;
	} else {
		o.path = c->sysfs;
	}
	if (acs_fabric_load(&c->fabric, &o))
		return cli_error(NULL);
	print_source_warnings(c->fabric);
	if (choose_policy(c))
		return EXIT_BAD_INPUT;
	c->loaded = c->fabric;
	if (c->cmdline || c->nfirmware) {
		if (simulate_boot(c))
			return EXIT_BAD_INPUT;
		/* From here on, every command sees the fabric after that boot. */
		c->fabric = (acs_fabric *)acs_boot_fabric(c->boot);
		c->policy = acs_boot_policy(c->boot);
	}
	return enable_vfs(c);
}

int cli_groups(const struct cli *c, acs_groups **out)
{
	acs_pe_table *t = NULL;
	int rc;

	if (!c->platform)
		return acs_groups_compute(out, c->fabric, c->policy);
	rc = acs_pe_assign(&t, c->fabric, c->platform, c->pe_policy ? c->pe_policy : ACS_PE_BUS);
	if (!rc)
		rc = acs_pe_groups(out, t, c->fabric);
	acs_pe_free(t);
	return rc;
}

static const struct option longopts[] = {
	{ "sysfs", required_argument, NULL, 'S' },
	{ "kernel", required_argument, NULL, 'K' },
	{ "json", no_argument, NULL, 'j' },
	{ "check", no_argument, NULL, 'C' },
	{ "cmdline", required_argument, NULL, 'L' },
	{ "firmware-acs", required_argument, NULL, 'W' },
	{ "vfs", required_argument, NULL, 'V' },
	{ "cpu", required_argument, NULL, 'U' },
	{ "p2p", required_argument, NULL, 1001 },
	{ "p2p-translated", required_argument, NULL, 1002 },
	{ "isolate", required_argument, NULL, 1003 },
	{ "tenant", required_argument, NULL, 1004 },
	{ "yes", no_argument, NULL, 1010 },
	{ "unbind", no_argument, NULL, 1011 },
	{ "rollback", no_argument, NULL, 1012 },
	{ "status", no_argument, NULL, 1013 },
	{ "from", required_argument, NULL, 1014 },
	{ "platform", required_argument, NULL, 1020 },
	{ "pe-policy", required_argument, NULL, 1021 },
	{ "allocate", no_argument, NULL, 1022 },
	{ "phb", required_argument, NULL, 1023 },
	{ "max-input", required_argument, NULL, 1030 },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "4G", "512M", "100k", "0": bytes. */
static int parse_size(const char *s, unsigned long long *out)
{
	static const char units[] = "kmgt";
	unsigned long long v;
	const char *u;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end && (u = strchr(units, tolower((unsigned char)*end))) &&
	    (!end[1] || ((end[1] == 'i' || end[1] == 'I') && (end[2] == 'B' || end[2] == 'b') &&
			 !end[3]) || ((end[1] == 'B' || end[1] == 'b') && !end[2]))) {
		unsigned shift = 10 * (unsigned)(u - units + 1);

		if (v > (~0ull >> shift))
			return -1;
		v <<= shift;
		end = (char *)"";
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* Options may come before the command or after it (acsctl groups -j).
 * Returns -1 to go on, else the exit status. */
static int parse_options(struct cli *c, int argc, char **argv, const char *optstring)
{
	int opt;

	opterr = 0;   /* one line of our own instead of getopt's */
	while ((opt = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (opt) {
		case 'F': c->dump = optarg; break;
		case 'S': c->sysfs = optarg; break;
		case 'K': c->kernel = optarg; break;
		case 's': c->slot = optarg; break;
		case 'd': c->id = optarg; break;
		case 'n': c->numeric++; break;
		case 'j': c->json = true; break;
		case 'm': c->machine = true; break;
		case 'C': c->check = true; break;
		case 'v': c->verbose = true; break;
		case 1010: c->yes = true; break;
		case 1011: c->unbind = true; break;
		case 1012: c->rollback = true; break;
		case 1013: c->status = true; break;
		case 1014: c->from = optarg; break;
		case 1022: c->allocate = true; break;
		case 1030:
			c->max_input_set = true;
			if (parse_size(optarg, &c->max_input)) {
				fprintf(stderr, "acsctl: --max-input %s: a size such as 4G, 512M or 0 (no "
					"limit)\n", optarg);
				return EXIT_BAD_INPUT;
			}
			break;
		case 1023: {
			const char **grown = realloc(c->phb, (c->nphb + 1) * sizeof(*grown));

			if (!grown)
				return EXIT_BAD_INPUT;
			c->phb = grown;
			grown[c->nphb++] = optarg;
			break;
		}
		case 1020:
			if (!(c->platform = acs_platform_find(optarg)))
				return cli_error("--platform");
			break;
		case 1021:
			c->pe_policy = !strcmp(optarg, "bus") ? ACS_PE_BUS : !strcmp(optarg, "slot") ?
				       ACS_PE_SLOT : !strcmp(optarg, "device") ? ACS_PE_DEVICE : 0;
			if (!c->pe_policy) {
				fprintf(stderr, "acsctl: --pe-policy %s: bus, slot or device\n", optarg);
				return EXIT_BAD_INPUT;
			}
			break;
		case 1001: case 1002: case 1003: case 1004: {
			struct plan_arg *a = realloc(c->plan_args, (c->nplan_args + 1) * sizeof(*a));

			if (!a)
				return EXIT_BAD_INPUT;
			c->plan_args = a;
			a[c->nplan_args++] = (struct plan_arg){ opt - 1000, optarg };
			break;
		}
		case 'U':
			if (strcmp(optarg, "amd-zen") == 0) {
				c->cpu = ACS_P2P_CPU_AMD_ZEN;
			} else if (strcmp(optarg, "other") == 0) {
				c->cpu = ACS_P2P_CPU_OTHER;
			} else {
				fprintf(stderr, "acsctl: --cpu %s: amd-zen or other\n", optarg);
				return EXIT_BAD_INPUT;
			}
			break;
		case 'L': c->cmdline = optarg; break;
		case 'W':
		case 'V': {
			char ***list = opt == 'W' ? &c->firmware : &c->vfs;
			size_t *n = opt == 'W' ? &c->nfirmware : &c->nvfs;
			char **grown = realloc(*list, (*n + 1) * sizeof(**list));

			if (!grown)
				return EXIT_BAD_INPUT;
			*list = grown;
			grown[(*n)++] = optarg;
			break;
		}
		case 'h': usage(stdout); return EXIT_OK;
		default:
			if (opt == ':' || (optopt && strchr(optstring, optopt)))
				fprintf(stderr, "acsctl: option %s needs a value (see acsctl --help)\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "acsctl: unknown option %s (see acsctl --help)\n",
					argv[optind - 1]);
			return EXIT_BAD_INPUT;
		}
	}
	return -1;
}

/* --phb after every option is read: --platform may come later */
static int apply_phb(struct cli *c)
{
	if (!c->platform) {
		fprintf(stderr, "acsctl: --phb needs --platform\n");
		return -1;
	}
	c->platform_custom = *c->platform;
	for (size_t i = 0; i < c->nphb; i++)
		if (acs_platform_override(&c->platform_custom, c->phb[i])) {
			cli_error(NULL);
			return -1;
		}
	c->platform = &c->platform_custom;
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	fprintf(stderr, "acsctl: unknown command '%s' (see acsctl --help)\n", name);
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	const struct command *cmd = &commands[0];
	int rc, nargs;
	char **args;

	/* "+": stop at the command; what follows is parsed for it. */
	rc = parse_options(&c, argc, argv, "+F:s:d:njmhv");
	if (rc >= 0)
		return rc;
	args = argv + optind;
	nargs = argc - optind;
	if (nargs > 0) {
		cmd = find_command(args[0]);
		if (!cmd)
			return EXIT_BAD_INPUT;
		if (cmd->no_fabric)
			return cmd->fn(&c, nargs - 1, args + 1);
		optind = 0;   /* 0: glibc restarts its scan (and permutation) */
		rc = parse_options(&c, nargs, args, "F:s:d:njmhv");
		if (rc >= 0)
			return rc;
		nargs -= optind;
		args += optind;
	}
	if (c.nphb && apply_phb(&c)) {
		free(c.phb);
		return EXIT_BAD_INPUT;
	}
	if (c.pe_policy && !c.platform) {
		fprintf(stderr, "acsctl: --pe-policy needs --platform\n");
		free(c.phb);
		return EXIT_BAD_INPUT;
	}
	if (cli_select_init(&c))
		return EXIT_BAD_INPUT;
	/* apply --status reads only the journal: it works where nothing is
	 * mounted on /sys (a package build's chroot) */
	rc = cmd->fn == cmd_apply && c.status ? 0 : load(&c);
	if (rc == 0)
		rc = cmd->fn(&c, nargs, args);
	acs_fabric_free(c.what_if);
	acs_boot_free(c.boot);
	acs_fabric_free(c.loaded ? c.loaded : c.fabric);
	free(c.firmware);
	free(c.phb);
	free(c.vfs);
	free(c.plan_args);
	cli_select_cleanup();
	cli_names_cleanup();
	return rc;
}
