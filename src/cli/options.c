/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every option of acsctl once: its names, its value, its help and what it
 * sets in struct cli. Which command takes which: commands.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

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

/* One more on a repeated option's list. */
static int append(void *list, size_t *n, const char *arg)
{
	const char **old, **grown;

	memcpy(&old, list, sizeof(old));
	grown = realloc(old, (*n + 1) * sizeof(*grown));
	if (!grown)
		return EXIT_BAD_INPUT;
	grown[(*n)++] = arg;
	memcpy(list, &grown, sizeof(grown));
	return 0;
}

#define SET_STRING(fn, field) \
	static int fn(struct cli *c, const char *arg) { c->field = arg; return 0; }
#define SET_FLAG(fn, field) \
	static int fn(struct cli *c, const char *arg) { (void)arg; c->field = true; return 0; }
#define SET_PLAN(fn, kind) \
	static int fn(struct cli *c, const char *arg) { return plan_arg(c, kind, arg); }

static int set_file(struct cli *c, const char *arg)
{
	const char **v = realloc(c->inputs, (c->ninputs + 1) * sizeof(*v));

	if (!v)
		return EXIT_BAD_INPUT;
	c->inputs = v;
	v[c->ninputs++] = arg;
	c->dump = arg;
	return 0;
}
SET_STRING(set_sysfs, sysfs)
SET_STRING(set_kernel, kernel)
SET_STRING(set_cmdline, cmdline)
SET_STRING(set_slot, slot)
SET_STRING(set_id, id)
SET_STRING(set_from, from)
SET_STRING(set_output, output)
SET_STRING(set_expect, expect)

/* nfd --expire-after: "900", "90s", "15m", "2h", "1d": seconds, > 0. */
static int set_expire_after(struct cli *c, const char *arg)
{
	static const struct { char unit; long long seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	long long v, scale = 1;
	char *end;

	errno = 0;
	v = isdigit((unsigned char)*arg) ? strtoll(arg, &end, 10) : -1;
	if (v > 0 && !errno && *end && !end[1])
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (*end == units[i].unit)
				scale = units[i].seconds, end++;
	/* at most ten years: a date NFD reads as RFC 3339 */
	if (v <= 0 || errno || *end || v > 10 * 366 * 86400ll / scale) {
		fprintf(stderr, "acsctl: --expire-after %s: not a duration (900, 90s, 15m, 2h, 1d; at most ten years)\n",
			arg);
		return EXIT_BAD_INPUT;
	}
	c->expire_after = v * scale;
	return 0;
}
SET_STRING(set_format, format)
SET_FLAG(set_json, json)
SET_FLAG(set_machine, machine)
SET_FLAG(set_verbose, verbose)
SET_FLAG(set_check, check)
SET_FLAG(set_allocate, allocate)
SET_FLAG(set_yes, yes)
SET_FLAG(set_allow_unsafe_groups, allow_unsafe_groups)
SET_FLAG(set_unbind, unbind)
SET_FLAG(set_rollback, rollback)
SET_FLAG(set_status, status)
SET_STRING(set_kernel_to, kernel_to)
SET_STRING(set_cmdline_to, cmdline_to)
SET_FLAG(set_serial, serial)

/* plan --boot, --write */
static int set_boot(struct cli *c, const char *arg)
{
	if (!(c->boot_loader = plan_boot_loader(arg))) {
		fprintf(stderr, "acsctl: --boot %s: grub, bls, systemd-boot or cmdline\n", arg);
		return EXIT_BAD_INPUT;
	}
	return 0;
}
SET_FLAG(set_boot_write, boot_write)

static int set_numeric(struct cli *c, const char *arg)
{
	(void)arg;
	c->numeric++;
	return 0;
}

static int set_max_input(struct cli *c, const char *arg)
{
	c->max_input_set = true;
	if (parse_size(arg, &c->max_input)) {
		fprintf(stderr, "acsctl: --max-input %s: a size such as 4G, 512M or 0 (no limit)\n", arg);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int set_firmware(struct cli *c, const char *arg)
{
	return append(&c->firmware, &c->nfirmware, arg);
}

static int set_vfs(struct cli *c, const char *arg)
{
	return append(&c->vfs, &c->nvfs, arg);
}

static int set_phb(struct cli *c, const char *arg)
{
	return append(&c->phb, &c->nphb, arg);
}

static int set_platform(struct cli *c, const char *arg)
{
	if (!(c->platform = acs_platform_find(arg)))
		return cli_error("--platform");
	return 0;
}

static int set_pe_policy(struct cli *c, const char *arg)
{
	c->pe_policy = !strcmp(arg, "bus") ? ACS_PE_BUS : !strcmp(arg, "slot") ? ACS_PE_SLOT :
		       !strcmp(arg, "device") ? ACS_PE_DEVICE : 0;
	if (!c->pe_policy) {
		fprintf(stderr, "acsctl: --pe-policy %s: bus, slot or device\n", arg);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int set_cpu(struct cli *c, const char *arg)
{
	if (strcmp(arg, "amd-zen") == 0) {
		c->cpu = ACS_P2P_CPU_AMD_ZEN;
	} else if (strcmp(arg, "other") == 0) {
		c->cpu = ACS_P2P_CPU_OTHER;
	} else {
		fprintf(stderr, "acsctl: --cpu %s: amd-zen or other\n", arg);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int set_target(struct cli *c, const char *arg)
{
	if (strcmp(arg, "hardware") == 0) {
		c->plan_target = PLAN_TARGET_HARDWARE;
	} else if (strcmp(arg, "p2pdma") == 0) {
		c->plan_target = PLAN_TARGET_P2PDMA;
	} else {
		fprintf(stderr, "acsctl: --target %s: hardware or p2pdma\n", arg);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* plan's requirements, in the order given */
static int plan_arg(struct cli *c, int kind, const char *arg)
{
	struct plan_arg *a = realloc(c->plan_args, (c->nplan_args + 1) * sizeof(*a));

	if (!a)
		return EXIT_BAD_INPUT;
	c->plan_args = a;
	a[c->nplan_args++] = (struct plan_arg){ kind, arg };
	return 0;
}

SET_PLAN(set_p2p, ACS_REQ_P2P)
SET_PLAN(set_p2p_translated, ACS_REQ_P2P_TRANSLATED)
SET_PLAN(set_p2p_one_way, ACS_REQ_P2P_ONE_WAY)
SET_PLAN(set_isolate, ACS_REQ_ISOLATE)
SET_PLAN(set_tenant, ACS_REQ_TENANT)

/*
 * The help of --kernel is a format: the modelled range and the default
 * come from the policy table (acs_policy_range), never typed here.
 */
const struct cli_option cli_options[OPT_COUNT] = {
	[OPT_FILE] = { 'F', NULL, "FILE",
		"an lspci -x/-xxx/-xxxx hex dump, lspci -vvv text,\n"
		"an acsctl snapshot or a topology file\n"
		"(- or /dev/stdin: standard input; gzip, xz, zstd\n"
		"files are read as they are); again, or a directory:\n"
		"each input in turn, the answers in order",
		SEC_SOURCE, set_file, COMPLETE_FILE, NULL, false },
	[OPT_SYSFS] = { 0, "sysfs", "DIR", "a sysfs tree (default: /sys, this machine)",
		SEC_SOURCE, set_sysfs, COMPLETE_DIR, NULL, false },
	[OPT_MAX_INPUT] = { 0, "max-input", "SIZE",
		"the most a file may hold, decompressed (default\n1G; 0: no limit)",
		SEC_SOURCE, set_max_input, COMPLETE_NONE, NULL, false },
	[OPT_KERNEL] = { 0, "kernel", "VERSION",
		"kernel policy: any release (6.10.14, 7.3-rc4,\n"
		"6.8.0-45-generic), modelled kernels %s to %s;\n"
		"default: the input's own kernel, otherwise %s",
		SEC_MODEL, set_kernel, COMPLETE_NONE, NULL, false },
	[OPT_CMDLINE] = { 0, "cmdline", "\"...\"",
		"simulate booting with these kernel parameters\n"
		"(pci=disable_acs_redir=, pci=config_acs=, pci=noats,\n"
		"pcie_acs_override=), from the firmware's ACS state",
		SEC_MODEL, set_cmdline, COMPLETE_NONE, NULL, false },
	[OPT_FIRMWARE_ACS] = { 0, "firmware-acs", "DEV=CTRL",
		"ACS control firmware leaves on DEV (default 0)",
		SEC_MODEL, set_firmware, COMPLETE_NONE, NULL, false },
	[OPT_VFS] = { 0, "vfs", "DEV=N", "what if the SR-IOV PF DEV had N VFs enabled",
		SEC_MODEL, set_vfs, COMPLETE_NONE, NULL, false },
	[OPT_PLATFORM] = { 0, "platform", "NAME",
		"PE isolation (p7ioc, phb3, phb4, powernv8, powernv9)",
		SEC_MODEL, set_platform, COMPLETE_WORDS, "p7ioc phb3 phb4 powernv8 powernv9", false },
	[OPT_PE_POLICY] = { 0, "pe-policy", "P", "bus (Linux powernv, default), slot, device",
		SEC_MODEL, set_pe_policy, COMPLETE_WORDS, "bus slot device", false },
	[OPT_PHB] = { 0, "phb", "[DOM:]K=V",
		"override platform facts: pes, reserved, m32, m64,\nm64-base, m64-bars",
		SEC_MODEL, set_phb, COMPLETE_NONE, NULL, false },
	[OPT_SLOT] = { 's', NULL, "[[[[dom]:]bus]:][slot][.[func]]", "select functions (lspci -s)",
		SEC_OUTPUT, set_slot, COMPLETE_NONE, NULL, false },
	[OPT_ID] = { 'd', NULL, "[vendor]:[device][:class]", "select functions (lspci -d)",
		SEC_OUTPUT, set_id, COMPLETE_NONE, NULL, false },
	[OPT_NUMERIC] = { 'n', NULL, NULL, "numeric IDs; -nn: both names and numbers",
		SEC_OUTPUT, set_numeric, COMPLETE_NONE, NULL, false },
	[OPT_JSON] = { 'j', "json", NULL, "JSON output (doc/json.md)",
		SEC_OUTPUT, set_json, COMPLETE_NONE, NULL, false },
	[OPT_MACHINE] = { 'm', NULL, NULL, "machine-readable lines, one record a line\n(doc/json.md)",
		SEC_OUTPUT, set_machine, COMPLETE_NONE, NULL, false },
	[OPT_VERBOSE] = { 'v', "verbose", NULL,
		"more: p2p lists every pair with its path, audit\nthe pairs it leaves unknown, plan every group,\nwhatif every pair it changes",
		SEC_OUTPUT, set_verbose, COMPLETE_NONE, NULL, false },
	[OPT_CHECK] = { 0, "check", NULL,
		"groups: compare with the kernel's own groups (live,\n"
		"snapshot, lspci -vv text with IOMMU group lines);\n"
		"pe: segments shared by two PEs, PEs no\n"
		"window fences: OK, or FAIL lines and exit status 1",
		SEC_COMMAND, set_check, COMPLETE_NONE, NULL, false },
	[OPT_CPU] = { 0, "cpu", "amd-zen|other",
		"the CPU, for P2P through the host bridge (detected\nfor live input)",
		SEC_COMMAND, set_cpu, COMPLETE_WORDS, "amd-zen other", false },
	[OPT_ALLOCATE] = { 0, "allocate", NULL,
		"place every BAR in the segmented windows: no\nsegment holds two PEs",
		SEC_COMMAND, set_allocate, COMPLETE_NONE, NULL, false },
	[OPT_P2P] = { 0, "p2p", "A,B", "let A and B reach each other directly (repeated)",
		SEC_COMMAND, set_p2p, COMPLETE_NONE, NULL, false },
	[OPT_P2P_TRANSLATED] = { 0, "p2p-translated", "A,B",
		"the same for requests translated through ATS",
		SEC_COMMAND, set_p2p_translated, COMPLETE_NONE, NULL, false },
	[OPT_P2P_ONE_WAY] = { 0, "p2p-one-way", "A,B",
		"A's requests reach B directly, B's completions come\nback; nothing opened from B to A",
		SEC_COMMAND, set_p2p_one_way, COMPLETE_NONE, NULL, false },
	[OPT_ISOLATE] = { 0, "isolate", "D", "keep D in a group of its own",
		SEC_COMMAND, set_isolate, COMPLETE_NONE, NULL, false },
	[OPT_TENANT] = { 0, "tenant", "NAME:A,B",
		"keep this tenant's devices apart from every other\ntenant's",
		SEC_COMMAND, set_tenant, COMPLETE_NONE, NULL, false },
	[OPT_TARGET] = { 0, "target", "hardware|p2pdma",
		"what --p2p plans for: the TLP path alone (drivers\nthat do their own P2P: GPUs, RDMA NICs; the default\nwhere every device is one), or the kernel's P2PDMA\nverdict (the default otherwise)",
		SEC_COMMAND, set_target, COMPLETE_WORDS, "hardware p2pdma", false },
	[OPT_ALLOW_UNSAFE_GROUPS] = { 0, "allow-unsafe-groups", NULL,
		"plan without making the groups after tell the truth\n(devices of different groups may then reach each\nother without the IOMMU)",
		SEC_COMMAND, set_allow_unsafe_groups, COMPLETE_NONE, NULL, false },
	[OPT_KERNEL_TO] = { 0, "kernel-to", "VERSION",
		"whatif: the same input under this kernel (an\nupgrade), compared with --kernel's; exit 1 when\ngroups change",
		SEC_COMMAND, set_kernel_to, COMPLETE_NONE, NULL, false },
	[OPT_CMDLINE_TO] = { 0, "cmdline-to", "\"...\"",
		"whatif: booted with these parameters instead of\n--cmdline's (\"\": none); exit 1 when groups change",
		SEC_COMMAND, set_cmdline_to, COMPLETE_NONE, NULL, false },
	[OPT_YES] = { 0, "yes", NULL,
		"do it (root); without it every step is printed and\nnothing is touched (plan: with --write)",
		SEC_COMMAND, set_yes, COMPLETE_NONE, NULL, false },
	[OPT_UNBIND] = { 0, "unbind", NULL,
		"unbind and rebind the drivers of affected devices",
		SEC_COMMAND, set_unbind, COMPLETE_NONE, NULL, false },
	[OPT_ROLLBACK] = { 0, "rollback", NULL,
		"restore the state the journal recorded",
		SEC_COMMAND, set_rollback, COMPLETE_NONE, NULL, false },
	[OPT_STATUS] = { 0, "status", NULL,
		"show a pending change (reads only the journal)",
		SEC_COMMAND, set_status, COMPLETE_NONE, NULL, false },
	[OPT_FROM] = { 0, "from", "FILE",
		"the changes in FILE, as the command line takes\nthem, '#' a comment (/etc/acsctl/acs.conf)",
		SEC_COMMAND, set_from, COMPLETE_FILE, NULL, false },
	/* synth's: cmd-synth.c reads them */
	[OPT_FUNCTIONS] = { 0, "functions", "N", "how many functions",
		SEC_COMMAND, NULL, COMPLETE_NONE, NULL, false },
	[OPT_SEED] = { 0, "seed", "S", "the seed: the same seed, the same fabric",
		SEC_COMMAND, NULL, COMPLETE_NONE, NULL, false },
	[OPT_SWITCH_PORTS] = { 0, "switch-ports", "N",
		"synth: downstream ports of every switch, 1 to 256\n(default 2 to 8 at random)",
		SEC_COMMAND, NULL, COMPLETE_NONE, NULL, false },
	[OPT_FORMAT] = { 0, "format", "FORMAT",
		"synth: topo (a topology file, default) or dump (an\nlspci -xxxx dump); snapshot: rdma-topo (rdma_topo\ndump's JSON, doc/rdma-topo-dump.md)",
		SEC_COMMAND, set_format, COMPLETE_WORDS, "topo dump rdma-topo", false },
	[OPT_OUTPUT] = { 'o', NULL, "FILE", "write to FILE (default: standard output)",
		SEC_COMMAND, set_output, COMPLETE_FILE, NULL, false },
	/* metrics' */
	[OPT_EXPECT] = { 0, "expect", "FILE",
		"acsctl_acs_drift against FILE, changes as acs.conf\nholds them (default /etc/acsctl/acs.conf where it\nexists, reading this host's /sys)",
		SEC_COMMAND, set_expect, COMPLETE_FILE, NULL, false },
	/* nfd's */
	[OPT_EXPIRE_AFTER] = { 0, "expire-after", "DURATION",
		"NFD drops the labels DURATION after the run\n(# +expiry-time=; 900, 15m, 2h, 1d)",
		SEC_COMMAND, set_expire_after, COMPLETE_NONE, NULL, false },
	[OPT_SERIAL] = { 0, "serial", NULL,
		"keep the host's serial number (DMI product_serial,\nread as root) in the snapshot",
		SEC_COMMAND, set_serial, COMPLETE_NONE, NULL, false },
	/* plan's (plan-boot.c) */
	[OPT_BOOT] = { 0, "boot", "LOADER",
		"the parameter in one loader's form: grub\n(/etc/default/grub.d/acsctl.cfg), bls (grubby),\nsystemd-boot (/etc/kernel/cmdline), cmdline",
		SEC_COMMAND, set_boot, COMPLETE_WORDS, "grub bls systemd-boot cmdline", false },
	[OPT_WRITE] = { 0, "write", NULL,
		"the --boot loader's file as it would be written;\nwith --yes written (root)",
		SEC_COMMAND, set_boot_write, COMPLETE_NONE, NULL, false },
	/* main.c's own */
	[OPT_HELP] = { 'h', "help", NULL, "this help",
		SEC_META, NULL, COMPLETE_NONE, NULL, false },
	[OPT_VERSION] = { 0, "version", NULL, "acsctl's version",
		SEC_META, NULL, COMPLETE_NONE, NULL, false },
	[OPT_COMPLETION] = { 0, "completion", "SHELL", "a completion script (bash)",
		SEC_META, NULL, COMPLETE_WORDS, "bash", true },
};
