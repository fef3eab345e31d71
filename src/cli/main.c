/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl: PCIe ACS, IOMMU groups and P2P, predicted as a given kernel
 * would form them. `acsctl [OPTIONS] [COMMAND] [OPTIONS] [ARGUMENTS]`: the
 * commands and the options each takes are tables (commands.c, options.c).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

/* Which kernel says what happened: --kernel, or the one the input recorded
 * (a live host's running kernel, a snapshot's kernel-release line). */
static const char *policy_source(const struct cli *c)
{
	if (c->is_to && c->kernel_to)
		return "--kernel-to";
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
	static char whys[2][192];
	char *why = whys[c->is_to];
	const char *version = c->kernel ? c->kernel : acs_fabric_kernel_release(c->fabric);
	const char *note, *warning;

	c->policy = version ? acs_policy_find(version) : NULL;
	if (!c->policy && c->kernel)
		return cli_error(c->is_to && c->kernel_to ? "--kernel-to" : "--kernel");
	if (!c->policy) {
		c->policy = acs_policy_default();
		c->policy_why = "newest known";
		if (version && !c->is_to)
			fprintf(stderr, "acsctl: warning: kernel release '%s' is not a version: predicted as Linux %s (--kernel to choose)\n",
				version, acs_policy_name(c->policy));
		return 0;
	}
	note = acs_policy_note(c->policy);
	snprintf(why, sizeof(whys[0]), "%s %s%s%s", policy_source(c), version,
		 note ? ": " : "", note ? note : "");
	c->policy_why = why;
	warning = acs_policy_warning(c->policy);
	/* the other side of whatif warns only for a kernel of its own */
	if (warning && (!c->is_to || c->kernel_to))
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

/* Which option a boot's command line came from. */
static const char *boot_option(const struct cli *c)
{
	if (!c->is_to)
		return "--cmdline";
	return c->cmdline_to ? "--cmdline-to" : "--cmdline under --kernel-to";
}

/* The parts of --cmdline the kernel ignores: once each, before any output,
 * whatever the command (the kernel boots anyway, and so does acsctl). */
static void boot_warnings(const struct cli *c)
{
	for (size_t i = 0; c->boot && i < acs_boot_warning_count(c->boot); i++) {
		acs_boot_warning w;

		if (!acs_boot_warning_at(c->boot, i, &w))
			fprintf(stderr, "acsctl: warning: %s: %s\n", boot_option(c), w.message);
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
			rc = cli_error(boot_option(c));
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

/* The kernel, its boot and the VFs, on the fabric as loaded. */
static int prepare(struct cli *c)
{
	if (choose_policy(c))
		return EXIT_BAD_INPUT;
	if (c->cmdline || c->nfirmware) {
		if (simulate_boot(c))
			return EXIT_BAD_INPUT;
		/* From here on, every command sees the fabric after that boot. */
		c->fabric = (acs_fabric *)acs_boot_fabric(c->boot);
		c->policy = acs_boot_policy(c->boot);
	}
	return enable_vfs(c);
}

/* whatif --kernel-to, --cmdline-to: the other side, as `--kernel
 * KERNEL_TO --cmdline CMDLINE_TO` (each defaulting to this side's), the
 * same --firmware-acs and --vfs, would show the same input. */
static int prepare_to(struct cli *c)
{
	struct cli *o = malloc(sizeof(*o));

	if (!o)
		return EXIT_BAD_INPUT;
	*o = *c;
	o->kernel = c->kernel_to ? c->kernel_to : c->kernel;
	o->cmdline = c->cmdline_to ? c->cmdline_to : c->cmdline;
	o->fabric = c->loaded;
	o->boot = NULL;
	o->what_if = NULL;
	o->to = NULL;
	o->is_to = true;
	c->to = o;
	return prepare(o);
}

static const char *volatile loading;

void cli_loading(const char *path)
{
	loading = path;
}

static void put(const char *s)
{
	(void)!write(STDERR_FILENO, s, strlen(s));
}

/*
 * A regular file is read through a mapping (src/lib/sources/input.c): one
 * cut shorter by another writer while it is read faults with SIGBUS. That
 * is bad input, said in one line with exit 2 like any other, never a
 * crash. Only async-signal-safe calls here.
 */
static void on_sigbus(int sig)
{
	(void)sig;
	put("acsctl: ");
	put(loading ? loading : "an input file");
	put(": cut shorter while it was read (changed by another writer); read it again\n");
	_exit(EXIT_BAD_INPUT);
}

static void catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

static int load(struct cli *c)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	int rc;

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
	cli_loading(o.path);
	rc = acs_fabric_load(&c->fabric, &o);
	cli_loading(NULL);
	if (rc)
		return cli_error(NULL);
	print_source_warnings(c->fabric);
	c->loaded = c->fabric;
	if (prepare(c))
		return EXIT_BAD_INPUT;
	return c->kernel_to || c->cmdline_to ? prepare_to(c) : 0;
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

/*
 * The command line, read in three steps: every option, where it stands
 * (before the command or after it), into a list; then each checked
 * against the options the command takes (commands.c); then each set on
 * struct cli, in the order given.
 */
struct given {
	enum cli_opt opt;
	const char *arg;
	bool long_form;          /* written as --name */
};

struct parse {
	struct option longopts[OPT_COUNT + 1];
	char optstring[2 * OPT_COUNT + 3];
	struct given *v;
	size_t n;
};

static void parse_init(struct parse *p)
{
	size_t k = 0, len = 0;

	/* ':' first: a missing value is told apart from an unknown option */
	p->optstring[len++] = ':';
	for (int o = 0; o < OPT_COUNT; o++) {
		const struct cli_option *s = &cli_options[o];

		if (s->long_name)
			p->longopts[k++] = (struct option){ s->long_name, s->value ? required_argument : no_argument,
							    NULL, s->short_name ? s->short_name : 256 + o };
		if (s->short_name) {
			p->optstring[len++] = s->short_name;
			if (s->value)
				p->optstring[len++] = ':';
		}
	}
	p->longopts[k] = (struct option){ NULL, 0, NULL, 0 };
	p->optstring[len] = '\0';
}

static int opt_of(int val)
{
	if (val >= 256)
		return val - 256;
	for (int o = 0; o < OPT_COUNT; o++)
		if (cli_options[o].short_name == val)
			return o;
	return -1;
}

/* Options up to the command (stop: "+"), or all of a command's (options
 * and arguments in any order): returns -1 to go on, else the exit status. */
static int read_options(struct parse *p, int argc, char **argv, bool stop, const char *cmd)
{
	char optstring[sizeof(p->optstring) + 1];
	int val, longindex = -1;

	snprintf(optstring, sizeof(optstring), "%s%s", stop ? "+" : "", p->optstring);
	opterr = 0;   /* one line of our own instead of getopt's */
	while ((val = getopt_long(argc, argv, optstring, p->longopts, &longindex)) != -1) {
		int o = opt_of(val);
		struct given *grown;

		if (val == ':' || val == '?' || o < 0) {
			/* a long option (optopt 0 when unknown, its val when
			 * known: --json=1), or a short one, perhaps in a bundle */
			const char *last = argv[optind - 1];
			int known = optopt > 0 ? opt_of(optopt) : -1;
			bool is_long = strncmp(last, "--", 2) == 0 &&
				       (optopt <= 0 || (known >= 0 && cli_options[known].long_name &&
							strncmp(last + 2, cli_options[known].long_name, 1) == 0));
			char name[3] = { '-', (char)optopt, '\0' };
			const char *what = is_long || optopt <= 0 || optopt >= 256 ? last : name;
			const char *see_sp = cmd ? " " : "", *see = cmd ? cmd : "";

			if (val == ':')
				fprintf(stderr, "acsctl: option %s needs a value (see acsctl%s%s --help)\n", what,
					see_sp, see);
			else if (known >= 0 && is_long && strchr(last, '='))
				fprintf(stderr, "acsctl: option --%s takes no value (see acsctl%s%s --help)\n",
					cli_options[known].long_name, see_sp, see);
			else
				fprintf(stderr, "acsctl: unknown option %s (see acsctl%s%s --help)\n", what, see_sp,
					see);
			return EXIT_BAD_INPUT;
		}
		grown = realloc(p->v, (p->n + 1) * sizeof(*grown));
		if (!grown)
			return EXIT_BAD_INPUT;
		p->v = grown;
		p->v[p->n++] = (struct given){ (enum cli_opt)o, optarg, longindex >= 0 };
		longindex = -1;
	}
	return -1;
}

/* Each option given, one the command takes? The line names the commands
 * that take it, when they are few. */
static int check_options(const struct parse *p, const struct cli_command *cmd)
{
	const struct cli_command *takes = cmd ? cmd : &cli_no_command;

	for (size_t i = 0; i < p->n; i++) {
		enum cli_opt o = p->v[i].opt;
		char name[64], who[64] = "";
		size_t len = 0, n = 0;

		if (takes->takes & OPT_BIT(o))
			continue;
		cli_option_name(o, p->v[i].long_form, name, sizeof(name));
		for (size_t k = 0; k < cli_ncommands; k++)
			if (cli_commands[k].takes & OPT_BIT(o) && n++ < 3)
				len += (size_t)snprintf(who + len, len < sizeof(who) ? sizeof(who) - len : 0, "%s%s",
							len ? ", " : "", cli_commands[k].name);
		if (n > 3)
			who[0] = '\0';
		if (!cmd)
			fprintf(stderr, "acsctl: %s goes with a command that takes it%s%s (see acsctl --help)\n",
				name, *who ? ": " : "", who);
		else if (*who)
			fprintf(stderr, "acsctl: %s does not take %s (%s %s; see acsctl %s --help)\n", cmd->name,
				name, who, n > 1 ? "do" : "does", cmd->name);
		else
			fprintf(stderr, "acsctl: %s does not take %s (see acsctl %s --help)\n", cmd->name, name,
				cmd->name);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* The command's own reading of its options (synth): all of them, wherever
 * they stood, in the order given, then its arguments. */
static int run_own(struct cli *c, const struct parse *p, const struct cli_command *cmd, int nargs, char **args)
{
	char **v = calloc(2 * p->n + (size_t)nargs + 2, sizeof(*v));
	char (*names)[64] = calloc(p->n + 1, sizeof(*names));
	int n = 0, rc = EXIT_BAD_INPUT;

	if (v && names) {
		v[n++] = (char *)cmd->name;
		for (size_t i = 0; i < p->n; i++) {
			v[n++] = (char *)cli_option_name(p->v[i].opt, true, names[i], sizeof(names[i]));
			if (p->v[i].arg)
				v[n++] = (char *)p->v[i].arg;
		}
		for (int i = 0; i < nargs; i++)
			v[n++] = args[i];
		rc = cmd->fn(c, n - 1, v + 1);
	}
	free(names);
	free(v);
	return rc;
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

/* acsctl help [COMMAND] */
static int help(int nargs, char **args)
{
	const struct cli_command *cmd;

	if (nargs < 2 || args[1][0] == '-') {
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (!(cmd = cli_command_find(args[1]))) {
		fprintf(stderr, "acsctl: unknown command '%s' (see acsctl --help)\n", args[1]);
		return EXIT_BAD_INPUT;
	}
	cli_command_usage(stdout, cmd);
	return EXIT_OK;
}

static bool given(const struct parse *p, enum cli_opt o, const char **arg)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].opt == o) {
			if (arg)
				*arg = p->v[i].arg;
			return true;
		}
	return false;
}

/* Reads the command line into c: -1 to go on with *cmd (NULL: none) and
 * its arguments, else the exit status. */
static int parse_command_line(struct cli *c, struct parse *p, int argc, char **argv,
			      const struct cli_command **cmd, int *nargs, char ***args)
{
	const char *arg;
	int rc;

	parse_init(p);
	/* "+": stop at the command; what follows is read for it. */
	if ((rc = read_options(p, argc, argv, true, NULL)) >= 0)
		return rc;
	*args = argv + optind;
	*nargs = argc - optind;
	*cmd = NULL;
	if (*nargs > 0) {
		if (strcmp((*args)[0], "help") == 0)
			return help(*nargs, *args);
		if (!(*cmd = cli_command_find((*args)[0]))) {
			fprintf(stderr, "acsctl: unknown command '%s' (see acsctl --help)\n", (*args)[0]);
			return EXIT_BAD_INPUT;
		}
		optind = 0;   /* 0: glibc restarts its scan (and permutation) */
		if ((rc = read_options(p, *nargs, *args, false, (*cmd)->name)) >= 0)
			return rc;
		*nargs -= optind;
		*args += optind;
	}
	/* --help wins over anything else given */
	if (given(p, OPT_HELP, NULL)) {
		if (*cmd)
			cli_command_usage(stdout, *cmd);
		else
			cli_usage(stdout);
		return EXIT_OK;
	}
	if ((rc = check_options(p, *cmd)))
		return rc;
	if (given(p, OPT_COMPLETION, &arg))
		return cli_completion(stdout, arg);
	if (given(p, OPT_VERSION, NULL)) {
		printf("acsctl %s\n", ACSCTL_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct cli_option *s = &cli_options[p->v[i].opt];

		if (s->set && (rc = s->set(c, p->v[i].arg)))
			return rc;
	}
	if (!*cmd)
		*cmd = cli_command_find("show");
	return -1;
}

/* Many inputs: not for what writes a file or changes the machine, nor
 * with standard input among them. */
static int multi(struct cli *c, const struct cli_command *cmd, char **argv)
{
	static const char *const alone[] = { "apply", "snapshot", "export", "report", "nfd" };

	for (size_t i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
		if (!strcmp(cmd->name, alone[i])) {
			fprintf(stderr, "acsctl %s: one input at a time (-F given %zu)\n", cmd->name, c->nmulti);
			return EXIT_BAD_INPUT;
		}
	/* each input would replace the one file the textfile collector reads */
	if (!strcmp(cmd->name, "metrics") && c->output) {
		fprintf(stderr, "acsctl metrics: -o FILE takes one input (-F given %zu); without -o each input's metrics are printed\n",
			c->nmulti);
		return EXIT_BAD_INPUT;
	}
	for (size_t i = 0; i < c->nmulti; i++)
		if (!strcmp(c->multi[i], "-") || !strcmp(c->multi[i], "/dev/stdin")) {
			fprintf(stderr, "acsctl: -F %s: standard input is one input, not one of many\n", c->multi[i]);
			return EXIT_BAD_INPUT;
		}
	return cli_multi_run(c, argv);
}

static void cli_free(struct cli *c)
{
	for (size_t i = 0; i < c->nmulti; i++)
		free(c->multi[i]);
	free(c->multi);
	free(c->inputs);
	if (c->to) {
		acs_fabric_free(c->to->what_if);
		acs_boot_free(c->to->boot);
		free(c->to);
	}
	acs_fabric_free(c->what_if);
	acs_boot_free(c->boot);
	acs_fabric_free(c->loaded ? c->loaded : c->fabric);
	free(c->firmware);
	free(c->phb);
	free(c->vfs);
	free(c->plan_args);
}

int cli_main(int argc, char **argv)
{
	struct cli c = { 0 };
	struct parse p = { 0 };
	const struct cli_command *cmd = NULL;
	int rc, nargs = 0;
	char **args = NULL;

	rc = parse_command_line(&c, &p, argc, argv, &cmd, &nargs, &args);
	if (rc < 0 && cmd->no_fabric)
		rc = run_own(&c, &p, cmd, nargs, args);
	if (rc >= 0) {
		free(p.v);
		cli_free(&c);
		return rc;
	}
	free(p.v);
	if (c.nphb && apply_phb(&c)) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	if (c.pe_policy && !c.platform) {
		fprintf(stderr, "acsctl: --pe-policy needs --platform\n");
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	if (cli_select_init(&c)) {
		cli_free(&c);
		return EXIT_BAD_INPUT;
	}
	if ((rc = cli_inputs_expand(&c)) == 0 && cli_multi_wanted(&c))
		rc = multi(&c, cmd, argv);
	else if (rc == 0)
		rc = -1;
	if (rc >= 0) {
		cli_free(&c);
		cli_select_cleanup();
		return rc;
	}
	/* apply --status reads only the journal: it works where nothing is
	 * mounted on /sys (a package build's chroot) */
	rc = cmd->fn == cmd_apply && c.status ? 0 : load(&c);
	/* metrics: a source that cannot be read is said in the file too */
	if (rc && cmd->fn == cmd_metrics)
		rc = cli_metrics_failed(&c, rc);
	if (rc && cmd->fn == cmd_nfd)
		rc = cli_nfd_failed(&c, rc);
	if (rc == 0)
		rc = cmd->fn(&c, nargs, args);
	cli_free(&c);
	cli_select_cleanup();
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	catch_sigbus();
	rc = cli_main(argc, argv);

	cli_names_cleanup();
	return rc;
}
