/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The acsctl command line: shared options and the printing helpers. */
#ifndef ACSCTL_CLI_H
#define ACSCTL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "acsctl/acsctl.h"

/* plan --target */
enum plan_target {
	PLAN_TARGET_HARDWARE = 1,   /* --p2p: the TLP path (ACS_REQ_P2P_HARDWARE) */
	PLAN_TARGET_P2PDMA = 2,     /* --p2p: the kernel's P2PDMA (ACS_REQ_P2P) */
};

enum exit_code {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1,   /* a check found a problem */
	EXIT_BAD_INPUT = 2,      /* bad input or usage */
	EXIT_UNKNOWN = 3,        /* the answer depends on state that was not read */
};

struct cli {
	const char *dump;        /* -F FILE */
	const char **inputs;     /* every -F, in order */
	size_t ninputs;
	char **multi;            /* the inputs, directories expanded (multi.c) */
	size_t nmulti;
	unsigned long long max_input;  /* --max-input */
	bool max_input_set;
	const char *sysfs;       /* --sysfs DIR */
	const char *kernel;      /* --kernel VERSION */
	const char *slot;        /* -s [[[[domain]:]bus]:][slot][.[func]] */
	const char *id;          /* -d [vendor]:[device][:class] */
	int numeric;             /* -n count: 0 names, 1 numbers, 2 both */
	bool json;               /* -j */
	bool machine;            /* -m */
	bool check;              /* groups --check */
	bool allocate;           /* pe --allocate */
	bool verbose;            /* -v */
	bool yes, unbind, rollback, status;  /* apply */
	const char *from;                    /* apply --from FILE */
	const acs_platform *platform;        /* --platform: PE-based isolation */
	acs_platform platform_custom;        /* it, with --phb applied */
	const char **phb;                    /* --phb, in order */
	size_t nphb;
	int pe_policy;                       /* --pe-policy */
	int cpu;                 /* --cpu: enum acs_p2p_cpu, 0 to detect */
	const char *cmdline;     /* --cmdline: simulate these boot parameters */
	char **firmware;         /* --firmware-acs DEV=CTRL, repeated */
	size_t nfirmware;
	acs_boot *boot;          /* the simulated boot, when asked for */
	char **vfs;              /* --vfs DEV=N, repeated */
	size_t nvfs;
	acs_fabric *what_if;     /* fabric made for --vfs, owned */
	acs_fabric *loaded;      /* the fabric as loaded, owned */
	struct plan_arg { int kind; const char *value; } *plan_args; /* plan */
	size_t nplan_args;
	bool allow_unsafe_groups; /* plan --allow-unsafe-groups */
	int plan_target;          /* plan --target: enum plan_target, 0 by the devices */
	acs_fabric *fabric;
	const acs_policy *policy;
	const char *policy_why;  /* how the policy was chosen */
	/* whatif --kernel-to, --cmdline-to: the other side, made from the
	 * same input as load() makes this one, as `--kernel KERNEL_TO
	 * --cmdline CMDLINE_TO` (each defaulting to this side's) shows it */
	const char *kernel_to, *cmdline_to;
	struct cli *to;          /* owned; its loaded fabric is this one's */
	bool is_to;              /* this is that other side */
	/* metrics */
	const char *output;      /* -o FILE (synth reads its own) */
	const char *expect;      /* --expect FILE: acs.conf to compare with */
	long long expire_after;  /* nfd --expire-after: seconds, 0 none */
	/* snapshot --format rdma-topo (synth reads its own --format) */
	const char *format;
	/* snapshot --serial: keep the host's serial number */
	bool serial;
	/* plan --boot, --write (plan-boot.c) */
	int boot_loader;         /* --boot: enum plan_boot_loader, 0 every form */
	bool boot_write;         /* --write: the loader's file, dry run unless --yes */
};

/* plan --boot LOADER, --write (plan-boot.c) */
enum plan_boot_loader { PLAN_BOOT_GRUB = 1, PLAN_BOOT_BLS, PLAN_BOOT_SYSTEMD_BOOT, PLAN_BOOT_CMDLINE };
int plan_boot_loader(const char *name);   /* 0: no such loader */
void plan_boot_print(const struct cli *c, const acs_plan_boot *w);
/* after the plan's ways: what happens when; --write. The exit status */
int plan_boot_after(const struct cli *c, const acs_plan_result *res, int status);

/* Selection (-s, -d) through libpci's own filter syntax. */
int cli_select_init(struct cli *c);
bool cli_selected(const struct acs_func *fn);
void cli_select_cleanup(void);

/* Names from pci.ids through libpci, lspci's -n / -nn conventions. */
const char *cli_describe(const struct cli *c, const struct acs_func *fn,
			 char *buf, size_t size);
void cli_names_cleanup(void);

/* "SrcValid+ TransBlk- ..." as lspci prints ACS registers. */
char *cli_acs_tokens(unsigned bits, char *buf, size_t size);
/* A root or downstream port: where ACS decides what crosses. */
bool cli_is_port(const struct acs_func *fn);
/* A function that can be a peer in P2P: not a bridge, not a host bridge. */
bool cli_is_peer(const struct acs_func *fn);
/* p2p-view.c: the P2P matrix's device labels (GPU0, NIC3, NVMe12) and links. */
enum p2p_kind { P2P_KIND_GPU, P2P_KIND_NIC, P2P_KIND_NVME, P2P_KIND_STORAGE, P2P_KIND_USB, P2P_KIND_OTHER,
		P2P_KIND_BRIDGE, P2P_KIND_COUNT };
#define P2P_LABEL 16
int p2p_kind_of(const struct acs_func *fn);
const char *p2p_kind_name(int kind);
/* the kinds p2p shows by default: GPUs and accelerators, NICs, NVMe */
bool p2p_kind_shown(int kind);
/* P2P_LABEL bytes per function of the fabric (bridges BR0...: a named
 * device may be one), numbered per kind in address order; free(); NULL
 * when out of memory */
char *p2p_labels(const acs_fabric *fabric);
/* GPUs first, then NICs, NVMe, ..., each in address order (nvidia-smi's) */
void p2p_sort_by_kind(const acs_fabric *fabric, size_t *devs, size_t n);
struct p2p_link {
	bool known, cap_known, downgraded;   /* Link Status; Link Capabilities; below them */
	unsigned speed, width, max_speed, max_width;
};
void p2p_link_of(const acs_fabric *fabric, size_t i, struct p2p_link *link);
/* "8GT/s x8", "8GT/s x8 (of 16GT/s x16) !", "-" */
const char *p2p_link_text(const struct p2p_link *link, char *buf, size_t size);
/* "link": {speed, width, max_speed, max_width, downgraded} or null, data only */
void p2p_out_link(const struct p2p_link *link);
/* Memory BARs with an address, over the fabric. */
size_t cli_assigned_bars(const acs_fabric *fabric);

/* One line on the ACS of a port, or NULL when ACS does not apply. */
const char *cli_acs_summary(const struct acs_func *fn, char *buf, size_t size);

int cli_error(const char *what);
/* The file being loaded, for the SIGBUS line (NULL after): main.c */
void cli_loading(const char *path);

/* A file a command writes, whole or not at all (output.c); "-" is
 * standard output. */
struct cli_output {
	FILE *f;
	const char *name;
	char target[4096];   /* the file renamed over, symbolic links followed */
	char tmp[4160];      /* the temporary beside it; empty when in place */
};
int cli_output_open(struct cli_output *o, const char *name);
/* The same, for what holds config space (snapshot): a new file is 0600. */
int cli_output_open_private(struct cli_output *o, const char *name);
/* The same with a dot-file temporary (.NAME.acsctl-XXXXXX): for a
 * directory whose reader skips dot files (nfd: NFD's features.d). */
int cli_output_open_hidden(struct cli_output *o, const char *name);
/* ok: everything was produced. Renames into place; the exit status. */
int cli_output_close(struct cli_output *o, bool ok);
/* Commands that write a file (snapshot, export, report): with -j or -m
 * the file must be named, standard output being the file itself (exit 2
 * and one line otherwise); once written, the answer is what was written,
 * in every format ("wrote FILE (FORMAT, N functions)"). */
int cli_out_file_check(const struct cli *c, const char *command, const char *name);
int cli_out_written(const struct cli *c, const char *command, const char *format, const char *name, int status);
/* The same for a fabric of the command's own (synth). */
int cli_out_written_fabric(const struct cli *c, const char *command, const char *format, const char *name,
			   const acs_fabric *fabric, int status);

/* The exit status of a check: FAIL (proven) beats UNKNOWN beats ok. */
int cli_verdict(bool failed, size_t nunknown);
/* UNKNOWN lines: each function v[0..n-1] whose unread state the answer
 * depends on, and how to read them; nothing when n is 0. */
void cli_print_unknown(const struct cli *c, const uint32_t *v, size_t n);

/* ACS changes as whatif and apply take them: [switch] DEV:RR-,CR+,...
 * ch needs room for argc * functions entries; *n counts those added.
 * where ("FILE:LINE: " or "") leads every error line. */
int cli_parse_changes(const struct cli *c, const char *where, int argc, char **argv,
		      struct acs_ctrl_change *ch, size_t *n);

/* apply's other inputs (apply-input.c), untrusted. A plan written by
 * acsctl plan --json: ch has room for one change per function of the
 * fabric. acs.conf (--from FILE: changes as the command line takes them,
 * any number a line, '#' a comment), refused unless a plain file only its
 * owner (root, when we are root) may write: *ch (malloc'd, or NULL) is
 * grown to fit. Each sets *n and returns 0 or an exit status after one
 * error line. */
int cli_plan_changes(const struct cli *c, const char *path, struct acs_ctrl_change *ch, size_t *n);
int cli_conf_changes(const struct cli *c, const char *path, struct acs_ctrl_change **ch, size_t *n);

/* A device named on the command line ("BB:DD.F" or "DDDD:BB:DD.F", the
 * first len characters of s): its index, or -1. */
long cli_find_device(const struct cli *c, const char *s, size_t len);
/* libpci's error hook for the CLI: one line, exit status 2. */
void cli_libpci_fatal(char *msg, ...) __attribute__((noreturn));
void cli_note_header(const struct cli *c, FILE *out);


/* The audit, against the PE groups on a PE platform. */
int cli_audit(const struct cli *c, const acs_policy *hw, acs_audit **out);

/* The one output path (emit.h) for a command's answer: begin in the mode
 * -j / -m ask for; the header every answer opens with (source, kernel,
 * notes, warnings); the verdict of a check with the functions it depends
 * on; addresses as a list (text: nothing). */
void cli_out_begin(const struct cli *c, const char *command);
void cli_out_header(const struct cli *c);
/* The header with "cmdline" saying cmdline (plan: its parameter) rather
 * than --cmdline's: -j is written as it comes, a key once. */
void cli_out_header_cmdline(const struct cli *c, const char *cmdline);
/* One entry of the header's "warnings" (data only), and a boot's. */
void cli_out_warning(const char *param, const char *ignored, const char *message);
void cli_out_boot_warnings(const acs_boot *boot);
/* A "host" object: whose the fabric is (show; multi.c's JSON lines). */
void cli_out_host(const acs_fabric *f, int when);
/* Whether any host fact but the time is known; with ACSCTL_ONE_INPUT the
 * header puts the "host" object into -j. */
bool cli_host_known(const acs_fabric *f);
void cli_out_warnings(const struct cli *c);
void cli_out_verdict(const struct cli *c, int status, const uint32_t *v, size_t n);
void cli_out_addrs(int when, const struct cli *c, const char *key, const uint32_t *v, size_t n);

int cmd_show(struct cli *c, int argc, char **argv);
int cmd_groups(struct cli *c, int argc, char **argv);
int cmd_snapshot(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_synth(struct cli *c, int argc, char **argv);
int cmd_explain(struct cli *c, int argc, char **argv);
int cmd_diff(struct cli *c, int argc, char **argv);
int cmd_p2p(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_whatif(struct cli *c, int argc, char **argv);
int cmd_plan(struct cli *c, int argc, char **argv);
int cmd_apply(struct cli *c, int argc, char **argv);
int cmd_pe(struct cli *c, int argc, char **argv);
int cmd_vfio(struct cli *c, int argc, char **argv);
/* metrics (cmd-metrics.c); and its file where the source could not be
 * loaded: acsctl_run_errors 1, nothing else of the fabric. Returns status. */
int cmd_metrics(struct cli *c, int argc, char **argv);
int cli_metrics_failed(const struct cli *c, int status);
/* nfd (cmd-nfd.c): NFD's local feature file; where the source could not
 * be loaded, every label unknown. Returns status. */
int cmd_nfd(struct cli *c, int argc, char **argv);
int cli_nfd_failed(const struct cli *c, int status);
/* The groups to show: the kernel policy's, or a PE platform's. */
int cli_groups(const struct cli *c, acs_groups **out);

/* multi.c: -F given more than once, or a directory: each input run alone
 * (acsctl again, ACSCTL_ONE_INPUT), their answers in order. */
int cli_inputs_expand(struct cli *c);
bool cli_multi_wanted(const struct cli *c);
int cli_multi_run(const struct cli *c, char **argv);
/* main() but for pci.ids, kept for the next run (multi.c's workers run
 * it once an input). */
int cli_main(int argc, char **argv);

#endif
