/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each command of acsctl and the options it takes, and what is made from
 * that table: acsctl --help, acsctl COMMAND --help, the bash completion.
 */
#include <string.h>

#include "options.h"

/* where the fabric comes from */
#define SOURCE (OPT_BIT(OPT_FILE) | OPT_BIT(OPT_SYSFS) | OPT_BIT(OPT_MAX_INPUT) | OPT_BIT(OPT_KERNEL))
/* what if it booted with ..., or had VFs */
#define WHATIF (OPT_BIT(OPT_CMDLINE) | OPT_BIT(OPT_FIRMWARE_ACS) | OPT_BIT(OPT_VFS))
/* PE isolation instead of ACS (the header of the answer names it; plan,
 * whatif and apply judge by the kernel's groups, not PEs) */
#define PLATFORM (OPT_BIT(OPT_PLATFORM) | OPT_BIT(OPT_PE_POLICY) | OPT_BIT(OPT_PHB))
#define SELECT (OPT_BIT(OPT_SLOT) | OPT_BIT(OPT_ID))
#define HELP OPT_BIT(OPT_HELP)
#define O(x) OPT_BIT(OPT_##x)

const struct cli_command cli_commands[] = {
	{ "show", cmd_show, "", "the PCI tree with port types, ACS state and groups",
	  SOURCE | WHATIF | PLATFORM | SELECT | O(NUMERIC) | O(JSON) | O(MACHINE) | HELP, false, COMPLETE_NONE },
	{ "groups", cmd_groups, "", "the IOMMU groups the kernel forms",
	  SOURCE | WHATIF | PLATFORM | SELECT | O(NUMERIC) | O(JSON) | O(MACHINE) | O(CHECK) | HELP,
	  false, COMPLETE_NONE },
	{ "p2p", cmd_p2p, "[DEV...]",
	  "peer-to-peer between endpoints: the kernel's P2PDMA verdict and the hardware path ([DEV...])",
	  SOURCE | WHATIF | PLATFORM | SELECT | O(JSON) | O(MACHINE) | O(VERBOSE) | O(CPU) | HELP,
	  false, COMPLETE_NONE },
	{ "pe", cmd_pe, "", "partitionable endpoints of a PE platform (--platform powernv9 ...): table, --check, --allocate",
	  SOURCE | O(VFS) | PLATFORM | O(JSON) | O(MACHINE) | O(CHECK) | O(ALLOCATE) | HELP, false, COMPLETE_NONE },
	{ "apply", cmd_apply, "[switch] DEV:BITS... | PLAN.json",
	  "make an ACS change live (CHANGE..., PLAN.json or --from FILE): dry run unless --yes; --rollback, --status",
	  SOURCE | O(JSON) | O(MACHINE) | O(YES) | O(UNBIND) | O(ROLLBACK) | O(STATUS) | O(FROM) | HELP,
	  false, COMPLETE_FILE },
	{ "plan", cmd_plan, "",
	  "the smallest ACS change for --p2p A,B --p2p-one-way A,B --p2p-translated A,B --isolate D --tenant NAME:A,B",
	  SOURCE | WHATIF | O(JSON) | O(MACHINE) | O(VERBOSE) | O(CPU) | O(P2P) | O(P2P_TRANSLATED) |
	  O(P2P_ONE_WAY) | O(ISOLATE) | O(TENANT) | O(ALLOW_UNSAFE_GROUPS) | O(TARGET) | HELP |
	  O(BOOT) | O(WRITE) | O(YES), false, COMPLETE_NONE },
	{ "whatif", cmd_whatif, "[switch] DEV:BITS...",
	  "what ACS changes ([switch] DEV:RR-,CR-...), --cmdline, --vfs, or --kernel-to/--cmdline-to would change",
	  SOURCE | WHATIF | O(JSON) | O(MACHINE) | O(VERBOSE) | O(CPU) | HELP |
	  O(KERNEL_TO) | O(CMDLINE_TO), false, COMPLETE_NONE },
	{ "audit", cmd_audit, "", "where the groups promise isolation the hardware does not give",
	  SOURCE | WHATIF | PLATFORM | O(JSON) | O(MACHINE) | O(VERBOSE) | HELP, false, COMPLETE_NONE },
	{ "explain", cmd_explain, "DEV [DEV2]",
	  "why DEV is in its group; why DEV and DEV2 share one, and what would separate them",
	  SOURCE | WHATIF | PLATFORM | O(JSON) | O(MACHINE) | HELP, false, COMPLETE_NONE },
	/* issue 19: ready for passthrough */
	{ "vfio", cmd_vfio, "DEV|GROUP",
	  "whether an IOMMU group can be given to one VM now: bindings, resets, IOMMU, fixes, libvirt/Proxmox lines",
	  SOURCE | O(NUMERIC) | O(JSON) | O(MACHINE) | HELP, false, COMPLETE_NONE },
	{ "snapshot", cmd_snapshot, "FILE", "save this host's fabric as one file (FILE; --format rdma-topo: rdma_topo's dump)",
	  SOURCE | WHATIF | PLATFORM | O(JSON) | O(MACHINE) | O(SERIAL) | HELP | O(FORMAT), false, COMPLETE_FILE },
	{ "export", cmd_export, "[FILE]", "write the fabric as a topology file ([FILE])",
	  SOURCE | WHATIF | PLATFORM | O(JSON) | O(MACHINE) | HELP, false, COMPLETE_FILE },
	{ "report", cmd_report, "[FILE]",
	  "one HTML page: the fabric as a picture, groups, audit, P2P pairs ([FILE])",
	  SOURCE | WHATIF | PLATFORM | O(NUMERIC) | O(JSON) | O(MACHINE) | HELP, false, COMPLETE_FILE },
	/* issue 18: two inputs of one host compared */
	{ "diff", cmd_diff, "A B",
	  "what differs between two inputs of one host: functions, ACS, groups, drivers, links, kernel, BIOS",
	  O(MAX_INPUT) | O(JSON) | O(MACHINE) | HELP, true, COMPLETE_FILE },
	{ "synth", cmd_synth, "",
	  "a synthetic fabric: --functions N [--seed S] [--switch-ports N] [--format topo|dump] [-o FILE]",
	  O(FUNCTIONS) | O(SEED) | O(SWITCH_PORTS) | O(FORMAT) | O(OUTPUT) | O(JSON) | O(MACHINE) | HELP, true, COMPLETE_NONE },
	{ "metrics", cmd_metrics, "",
	  "Prometheus text for node_exporter's textfile collector ([-o FILE], doc/metrics.md)",
	  SOURCE | O(CPU) | O(OUTPUT) | O(EXPECT) | O(JSON) | O(MACHINE) | HELP, false, COMPLETE_NONE },
	/* issue 18: Kubernetes */
	{ "nfd", cmd_nfd, "",
	  "node labels for node-feature-discovery's features.d ([-o FILE], doc/nfd.md)",
	  SOURCE | O(CPU) | O(OUTPUT) | O(EXPIRE_AFTER) | O(JSON) | O(MACHINE) | HELP, false, COMPLETE_NONE },
};

const size_t cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

/* acsctl [OPTIONS]: show, and acsctl's own options */
const struct cli_command cli_no_command = {
	NULL, cmd_show, "", "", SOURCE | WHATIF | PLATFORM | SELECT | O(NUMERIC) | O(JSON) | O(MACHINE) | HELP |
	O(VERSION) | O(COMPLETION), false, COMPLETE_NONE,
};

const struct cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strcmp(name, cli_commands[i].name) == 0)
			return &cli_commands[i];
	return NULL;
}

const char *cli_option_name(enum cli_opt o, bool long_form, char *buf, size_t size)
{
	const struct cli_option *s = &cli_options[o];

	if (s->long_name && (long_form || !s->short_name))
		snprintf(buf, size, "--%s", s->long_name);
	else
		snprintf(buf, size, "-%c", s->short_name);
	return buf;
}

#define HELP_COLUMN 20
#define HELP_WIDTH 79

/* "  -j, --json        JSON output", continuation lines under the first;
 * note (which commands take it) after the last. */
static void print_option(FILE *out, enum cli_opt o, const char *note)
{
	const struct cli_option *s = &cli_options[o];
	char left[64], help[512];
	const char *oldest, *newest, *line;
	int n;

	if (s->short_name && s->long_name)
		n = snprintf(left, sizeof(left), "-%c, --%s", s->short_name, s->long_name);
	else if (s->short_name)
		n = snprintf(left, sizeof(left), "-%c", s->short_name);
	else
		n = snprintf(left, sizeof(left), "--%s", s->long_name);
	if (s->value && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", s->value);
	if (o == OPT_KERNEL) {
		acs_policy_range(&oldest, &newest);
		snprintf(help, sizeof(help), s->help, oldest, newest, acs_policy_name(acs_policy_default()));
	} else {
		snprintf(help, sizeof(help), "%s", s->help);
	}
	n = fprintf(out, "  %s", left);
	for (line = help; line;) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		if (n >= HELP_COLUMN - 1) {
			fputc('\n', out);
			n = 0;
		}
		fprintf(out, "%*s%.*s", HELP_COLUMN - n, "", len, line);
		n = HELP_COLUMN + len;
		line = nl ? nl + 1 : NULL;
	}
	if (note && *note) {
		if (n + 1 + (int)strlen(note) > HELP_WIDTH)
			fprintf(out, "\n%*s%s", HELP_COLUMN, "", note);
		else
			fprintf(out, " %s", note);
	}
	fputc('\n', out);
}

static const char *const section_names[] = {
	[SEC_SOURCE] = "Sources",
	[SEC_MODEL] = "Model (the kernel, its boot, the platform)",
	[SEC_OUTPUT] = "Output",
	[SEC_COMMAND] = "Options",
	[SEC_META] = NULL,
};

/* Which commands take o, when not every command that loads a fabric
 * does: "(p2p, plan, whatif)", or "(all but pe, apply)" when most do; ""
 * when all do. */
static const char *taken_by(enum cli_opt o, char *buf, size_t size)
{
	size_t all = 0, taking = 0, len;
	bool most;

	for (size_t i = 0; i < cli_ncommands; i++)
		if (!cli_commands[i].no_fabric) {
			all++;
			taking += (cli_commands[i].takes & OPT_BIT(o)) != 0;
		}
	buf[0] = '\0';
	if (taking == all || !taking || cli_options[o].section == SEC_META)
		return buf;
	most = 2 * taking > all;
	len = (size_t)snprintf(buf, size, "(%s", most ? "all but " : "");
	for (size_t i = 0, k = 0; i < cli_ncommands && len < size; i++) {
		const struct cli_command *cmd = &cli_commands[i];

		if (!(cmd->takes & OPT_BIT(o)) == !most || (most && cmd->no_fabric))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", k++ ? ", " : "", cmd->name);
	}
	if (len + 1 < size)
		strcat(buf, ")");
	return buf;
}

static void print_options(FILE *out, uint64_t takes, bool notes)
{
	for (int sec = SEC_SOURCE; sec <= SEC_META; sec++) {
		bool first = true;

		for (int o = 0; o < OPT_COUNT; o++) {
			char note[160];

			if (cli_options[o].section != (enum cli_section)sec || cli_options[o].hidden ||
			    !(takes & OPT_BIT(o)))
				continue;
			if (first && section_names[sec])
				fprintf(out, "%s:\n", section_names[sec]);
			first = false;
			print_option(out, (enum cli_opt)o, notes ? taken_by((enum cli_opt)o, note, sizeof(note)) : NULL);
		}
	}
}

void cli_usage(FILE *out)
{
	uint64_t all = cli_no_command.takes;

	for (size_t i = 0; i < cli_ncommands; i++)
		all |= cli_commands[i].takes;
	fprintf(out,
		"Usage: acsctl [OPTIONS] [COMMAND] [OPTIONS] [ARGUMENTS]\n"
		"       acsctl COMMAND --help: the command's arguments and the options it takes\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(out, "  %-8s %s\n", cli_commands[i].name, cli_commands[i].help);
	fprintf(out,
		"  (none)   same as show\n"
		"  help     help COMMAND: the same as COMMAND --help\n"
		"\n");
	print_options(out, all, true);
	fprintf(out,
		"\n"
		"Exit status: 0 ok, 1 a check failed, 2 bad input or usage, 3 unknown: the\n"
		"answer depends on state not read (ACS without root, lspci -x/-xxx);\n"
		"UNKNOWN lines say what and how to read it. 1 beats 3.\n");
}

void cli_command_usage(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "Usage: acsctl %s [OPTIONS]%s%s\n", cmd->name, *cmd->args ? " " : "", cmd->args);
	fprintf(out, "%s\n", cmd->help);
	if (!cmd->no_fabric)
		fprintf(out, "(options may come before %s or after it)\n", cmd->name);
	fputc('\n', out);
	print_options(out, cmd->takes, false);
}

/* ---- bash completion ---- */

static void words_of(FILE *out, const struct cli_command *cmd)
{
	const char *sep = "";
	char name[64];

	for (int o = 0; o < OPT_COUNT; o++) {
		const struct cli_option *s = &cli_options[o];

		if (s->hidden || !(cmd->takes & OPT_BIT(o)))
			continue;
		if (s->long_name)
			fprintf(out, "%s--%s", sep, s->long_name), sep = " ";
		if (s->short_name)
			fprintf(out, "%s%s", sep, cli_option_name((enum cli_opt)o, false, name, sizeof(name))), sep = " ";
	}
}

/* The values of a COMPLETE_WORDS option: only the platforms the library
 * knows. */
static void values_of(FILE *out, enum cli_opt o)
{
	const char *w = cli_options[o].words;
	const char *sep = "";

	while (*w) {
		size_t len = strcspn(w, " ");
		char word[32];

		snprintf(word, sizeof(word), "%.*s", (int)len, w);
		if (o != OPT_PLATFORM || acs_platform_find(word))
			fprintf(out, "%s%s", sep, word), sep = " ";
		w += len + (w[len] == ' ');
	}
}

/* "-F|--from|-o": the options that take a value, of one completion kind
 * (-1: any), or only the option only (-1: each); whether there was one. */
static bool option_pattern(FILE *out, int kind, int only)
{
	const char *sep = "";
	char name[64];

	for (int o = 0; o < OPT_COUNT; o++) {
		const struct cli_option *s = &cli_options[o];

		if (!s->value || (only >= 0 && o != only) || (kind >= 0 && (int)s->complete != kind))
			continue;
		if (s->short_name)
			fprintf(out, "%s%s", sep, cli_option_name((enum cli_opt)o, false, name, sizeof(name))), sep = "|";
		if (s->long_name)
			fprintf(out, "%s--%s", sep, s->long_name), sep = "|";
	}
	return *sep;
}

static void command_list(FILE *out, const char *sep)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(out, "%s%s", i ? sep : "", cli_commands[i].name);
}

/*
 * COMP_WORDS as bash splits them: "--from=FILE" and "-s 00:00.0" come in
 * pieces at '=' and ':' (COMP_WORDBREAKS); a piece after one is skipped.
 */
static int completion_bash(FILE *out)
{
	fprintf(out,
		"# bash completion for acsctl %s, made by acsctl --completion bash from\n"
		"# the tables of its options (src/cli/options.c, src/cli/commands.c)\n"
		"_acsctl()\n"
		"{\n"
		"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i w words\n"
		"\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
		"\t[[ $cur == = ]] && cur=\n"
		"\t[[ $prev == = ]] && ((COMP_CWORD > 1)) && prev=${COMP_WORDS[COMP_CWORD - 2]}\n"
		"\tCOMPREPLY=()\n"
		"\t# the command: the first word that is neither an option nor its value\n"
		"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
		"\t\tw=${COMP_WORDS[i]}\n"
		"\t\tcase $w in\n"
		"\t\t[:=]) ((i++)) ;;\n"
		"\t\t",
		ACSCTL_VERSION);
	option_pattern(out, -1, -1);
	fprintf(out, ")\n"
		"\t\t\t[[ ${COMP_WORDS[i + 1]} == = ]] && ((i++))\n"
		"\t\t\t((i++))\n"
		"\t\t\t[[ ${COMP_WORDS[i]} == [:=] ]] && ((i++)) ;;\n"
		"\t\t-*) ;;\n"
		"\t\t*) cmd=$w; break ;;\n"
		"\t\tesac\n"
		"\tdone\n"
		"\t# an option's value\n"
		"\tcase $prev in\n");
	if (fputc('\t', out), option_pattern(out, COMPLETE_FILE, -1))
		fprintf(out, ") compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
	if (fputc('\t', out), option_pattern(out, COMPLETE_DIR, -1))
		fprintf(out, ") compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n");
	for (int o = 0; o < OPT_COUNT; o++) {
		if (cli_options[o].complete != COMPLETE_WORDS || !cli_options[o].value)
			continue;
		fputc('\t', out);
		option_pattern(out, -1, o);
		fprintf(out, ") COMPREPLY=($(compgen -W \"");
		values_of(out, (enum cli_opt)o);
		fprintf(out, "\" -- \"$cur\")); return ;;\n");
	}
	if (fputc('\t', out), option_pattern(out, COMPLETE_NONE, -1))
		fprintf(out, ") return ;;\n");
	fprintf(out,
		"\tesac\n"
		"\t# the options the command takes\n"
		"\tcase $cmd in\n"
		"\t'') words='");
	words_of(out, &cli_no_command);
	fprintf(out, "' ;;\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		fprintf(out, "\t%s) words='", cli_commands[i].name);
		words_of(out, &cli_commands[i]);
		fprintf(out, "' ;;\n");
	}
	fprintf(out, "\thelp)\n"
		"\t\t((COMP_CWORD == i + 1)) && COMPREPLY=($(compgen -W '");
	command_list(out, " ");
	fprintf(out, "' -- \"$cur\"))\n"
		"\t\treturn ;;\n"
		"\t*) return ;;\n"
		"\tesac\n"
		"\tif [[ $cur == -* ]]; then\n"
		"\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
		"\telif [[ -z $cmd ]]; then\n"
		"\t\tCOMPREPLY=($(compgen -W '");
	command_list(out, " ");
	fprintf(out, " help' -- \"$cur\"))\n");
	{
		const char *sep = "";

		for (size_t i = 0; i < cli_ncommands; i++)
			if (cli_commands[i].complete == COMPLETE_FILE) {
				if (!*sep)
					fprintf(out, "\telse\n\t\tcase $cmd in\n\t\t");
				fprintf(out, "%s%s", sep, cli_commands[i].name);
				sep = "|";
			}
		if (*sep)
			fprintf(out, ") compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
				"\t\tesac\n");
	}
	fprintf(out,
		"\tfi\n"
		"} &&\n"
		"complete -F _acsctl acsctl\n");
	return fflush(out) || ferror(out) ? EXIT_BAD_INPUT : EXIT_OK;
}

int cli_completion(FILE *out, const char *shell)
{
	if (strcmp(shell, "bash") == 0)
		return completion_bash(out);
	fprintf(stderr, "acsctl: --completion %s: bash is the one there is\n", shell);
	return EXIT_BAD_INPUT;
}
