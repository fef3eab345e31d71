/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The grammar of acsctl: every option once (options.c), and each command
 * with the options it takes (commands.c). --help, the check that refuses
 * an option a command does not take, the bash completion and the man
 * page test (tests/cli/man.sh) all read these tables.
 */
#ifndef ACSCTL_OPTIONS_H
#define ACSCTL_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "cli.h"

/* Every option, in the order --help lists them. */
enum cli_opt {
	/* sources */
	OPT_FILE, OPT_SYSFS, OPT_MAX_INPUT,
	/* the model: which kernel, what boot, which platform */
	OPT_KERNEL, OPT_CMDLINE, OPT_FIRMWARE_ACS, OPT_VFS,
	OPT_PLATFORM, OPT_PE_POLICY, OPT_PHB,
	/* what is shown and how */
	OPT_SLOT, OPT_ID, OPT_NUMERIC, OPT_JSON, OPT_MACHINE, OPT_VERBOSE,
	/* one command's own */
	OPT_CHECK, OPT_CPU, OPT_ALLOCATE,
	OPT_P2P, OPT_P2P_TRANSLATED, OPT_P2P_ONE_WAY, OPT_ISOLATE, OPT_TENANT,
	OPT_ALLOW_UNSAFE_GROUPS, OPT_TARGET,
	OPT_KERNEL_TO, OPT_CMDLINE_TO,   /* whatif: before a kernel upgrade */
	OPT_YES, OPT_UNBIND, OPT_ROLLBACK, OPT_STATUS, OPT_FROM,
	OPT_FUNCTIONS, OPT_SEED, OPT_SWITCH_PORTS, OPT_FORMAT, OPT_OUTPUT,
	OPT_EXPECT,
	OPT_EXPIRE_AFTER,                /* nfd */
	OPT_SERIAL,                      /* snapshot */
	OPT_BOOT, OPT_WRITE,   /* plan (plan-boot.c) */
	/* no command's: acsctl itself */
	OPT_HELP, OPT_VERSION, OPT_COMPLETION,
	OPT_COUNT
};

#define OPT_BIT(o) (UINT64_C(1) << (o))

enum cli_section { SEC_SOURCE, SEC_MODEL, SEC_OUTPUT, SEC_COMMAND, SEC_META };

/* What a value completes to in the shell. */
enum cli_complete { COMPLETE_NONE, COMPLETE_FILE, COMPLETE_DIR, COMPLETE_WORDS };

struct cli_option {
	char short_name;         /* 0: none */
	const char *long_name;   /* NULL: none */
	const char *value;       /* the value's name in --help; NULL: a flag */
	const char *help;        /* lines split by \n */
	enum cli_section section;
	/* sets the option on c (arg: its value); 0, or the exit status after
	 * one line on stderr. NULL: the command reads it itself (synth). */
	int (*set)(struct cli *c, const char *arg);
	enum cli_complete complete;
	const char *words;       /* COMPLETE_WORDS: the values, space-separated */
	bool hidden;             /* not in --help (--completion) */
};

extern const struct cli_option cli_options[OPT_COUNT];

struct cli_command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *args;        /* its arguments in the usage line, "" none */
	const char *help;        /* one line, for the command list */
	uint64_t takes;          /* OPT_BIT() of each option it takes */
	bool no_fabric;          /* makes its own: nothing is loaded; it
				  * reads its arguments itself (synth) */
	enum cli_complete complete;  /* what its arguments complete to */
};

extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;
/* With no command: show's options, and --version. */
extern const struct cli_command cli_no_command;

const struct cli_command *cli_command_find(const char *name);
/* "--name" or "-c" (long when it has one, or long_form is asked for and
 * there is one), in buf. */
const char *cli_option_name(enum cli_opt o, bool long_form, char *buf, size_t size);
/* acsctl --help, acsctl CMD --help. */
void cli_usage(FILE *out);
void cli_command_usage(FILE *out, const struct cli_command *cmd);
/* acsctl --completion bash: a bash completion script from these tables. */
int cli_completion(FILE *out, const char *shell);

#ifndef ACSCTL_VERSION
#define ACSCTL_VERSION "unknown"
#endif

#endif
