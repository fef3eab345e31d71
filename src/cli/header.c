/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every answer opens with: its source, its kernel, what was not read,
 * and the warnings stderr gave, in each output format. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "emit.h"

/* Each line of the header a callback at a time: one list of notes for
 * text's "# " lines and the data's "notes" array. */
typedef void (*note_fn)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What the source lacks that PE assignment needs: never a silent guess. */
static void pe_source_notes(const struct cli *c, note_fn note, void *ctx)
{
	size_t nocaps = 0, noext = 0;
	int kind = acs_fabric_source_kind(c->fabric);

	/* topologies and lspci text say what they say; config space may be cut */
	for (size_t i = 0; (kind == ACS_SOURCE_DUMP || kind == ACS_SOURCE_SYSFS || kind == ACS_SOURCE_SNAPSHOT ||
				     kind == ACS_SOURCE_RDMA_TOPO) &&
			   i < acs_fabric_count(c->fabric); i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, i);

		nocaps += !(fn->known & ACS_KNOWN_CAPS);
		/* conventional functions have no extended space to miss */
		noext += (fn->known & ACS_KNOWN_CAPS) && fn->pcie_type != ACS_PCIE_NONE && !(fn->known & ACS_KNOWN_EXT);
	}
	if (nocaps)
		note(ctx, "PCIe capabilities unknown for %zu functions (the source has only their 64-byte headers): "
		     "which bridges are PCIe-to-PCI, and so the PEs below them, is uncertain", nocaps);
	if (noext)
		note(ctx, "extended config space unknown for %zu functions: SR-IOV VFs are not modelled", noext);
	if (kind == ACS_SOURCE_LSPCI && !cli_assigned_bars(c->fabric))
		note(ctx, "BAR addresses unknown (lspci text without -vv's Region lines, or with a live "
		     "host's CPU addresses): PE numbers of buses with M64 BARs may differ from the kernel's");
}

/* Why a source lacks the extended config space, and how to get it. */
static const char *unread_why(int kind)
{
	switch (kind) {
	case ACS_SOURCE_SYSFS:
		return " (reading it needs root)";
	case ACS_SOURCE_LSPCI:
		return " (lspci text without root, <access denied>, or lspci -v: use lspci -vvnn as root)";
	case ACS_SOURCE_TOPOLOGY:
		return " (the topology says \"unknown\")";
	case ACS_SOURCE_RDMA_TOPO:
		return " (the rdma_topo dump lacks it: run rdma_topo dump as root)";
	default:
		return " (the dump lacks it: use lspci -xxxx as root)";
	}
}

static const char *pe_policy_name(const struct cli *c)
{
	return c->pe_policy == ACS_PE_SLOT ? "slot" : c->pe_policy == ACS_PE_DEVICE ? "device" : "bus (Linux powernv)";
}

/* "512" or "512 or 256" (powernv9: PHBs of both sizes) */
static void platform_pes(const acs_platform *p, char *buf, size_t size)
{
	unsigned lo = p->npes, hi = lo;

	for (uint32_t d = 0; d < ACS_PE_MAX_PHBS; d++) {
		unsigned n = acs_platform_pes(p, d);

		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
	}
	snprintf(buf, size, lo == hi ? "%u" : "%u or %u", lo, hi);
}

static void source_line(const struct cli *c, note_fn note, void *ctx)
{
	char pes[32];

	if (!c->platform) {
		note(ctx, "source: %s (%zu functions); kernel policy: %s (%s)", acs_fabric_origin(c->fabric),
		     acs_fabric_count(c->fabric), acs_policy_name(c->policy), c->policy_why);
		return;
	}
	platform_pes(c->platform, pes, sizeof(pes));
	note(ctx, "source: %s (%zu functions); PE platform %s (%s, %s PEs per PHB), %s policy",
	     acs_fabric_origin(c->fabric), acs_fabric_count(c->fabric), c->platform->name, c->platform->phb, pes,
	     pe_policy_name(c));
}

/* What the answer rests on besides its source line. */
static void header_notes(const struct cli *c, note_fn note, void *ctx)
{
	size_t unknown = acs_fabric_unknown_count(c->fabric);

	if (c->platform) {
		pe_source_notes(c, note, ctx);
		return;
	}
	if (c->boot) {
		const char *const *notes;
		size_t n = acs_boot_notes(c->boot, &notes);

		note(ctx, "booted with: %s", c->cmdline ? c->cmdline : "(no parameters)");
		for (size_t i = 0; i < n; i++)
			note(ctx, "%s", notes[i]);
	}
	if (acs_fabric_kernel_groups(c->fabric) == ACS_KGROUPS_NONE)
		note(ctx, "the kernel formed no IOMMU groups (the IOMMU is off): groups shown are the ones it would form");
	if (unknown)
		note(ctx, "ACS state unknown for %zu functions: extended config space was not readable%s; groups that "
		     "depend on it are marked uncertain", unknown, unread_why(acs_fabric_source_kind(c->fabric)));
}

static void note_file(void *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("# ", ctx);
	va_start(ap, fmt);
	vfprintf(ctx, fmt, ap);
	va_end(ap);
	fputc('\n', ctx);
}

void cli_note_header(const struct cli *c, FILE *out)
{
	source_line(c, note_file, out);
	header_notes(c, note_file, out);
}

static void note_out(void *ctx, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out_str(OUT_ANY, NULL, "# %s\n", buf);
}

void cli_out_warning(const char *param, const char *ignored, const char *message)
{
	out_object_open(OUT_DATA, NULL);
	out_str(OUT_DATA, "param", NULL, param);
	out_str(OUT_DATA, "ignored", NULL, ignored);
	out_str(OUT_DATA, "message", NULL, message);
	out_object_close(OUT_DATA);
}

void cli_out_boot_warnings(const acs_boot *boot)
{
	for (size_t i = 0; boot && i < acs_boot_warning_count(boot); i++) {
		acs_boot_warning w;

		if (!acs_boot_warning_at(boot, i, &w))
			cli_out_warning(w.param, w.ignored, w.message);
	}
}

void cli_out_warnings(const struct cli *c)
{
	const char *const *list;
	size_t n = c->loaded ? acs_fabric_warnings(c->loaded, &list) : 0;
	const char *kernel = c->policy ? acs_policy_warning(c->policy) : NULL;

	/* text has them on stderr already, where a pipe keeps them apart;
	 * absent where there are none to say and no --cmdline was given */
	if (!c->boot && !n && !kernel)
		return;
	out_array_open(OUT_DATA, "warnings");
	for (size_t i = 0; i < n; i++)
		cli_out_warning("input", NULL, list[i]);
	if (kernel)
		cli_out_warning("kernel", NULL, kernel);
	cli_out_boot_warnings(c->boot);
	out_array_close(OUT_DATA);
}

void cli_out_begin(const struct cli *c, const char *command)
{
	out_begin(c->json ? OUT_MODE_JSON : c->machine ? OUT_MODE_MACHINE : OUT_MODE_TEXT, stdout, command);
}

/* Whose the fabric is (issue 18): the host facts its source knew, null
 * where not; the serial number never (only a snapshot --serial keeps it). */
void cli_out_host(const acs_fabric *f, int when)
{
	char key[32];

	out_object_open(when, "host");
	for (int k = 0; k < ACS_HOST_FACT_COUNT; k++) {
		if (k == ACS_HOST_SERIAL)
			continue;
		snprintf(key, sizeof(key), "%s", acs_host_fact_key(k));
		for (char *p = key; *p; p++)
			*p = *p == '-' ? '_' : *p;
		out_str(when, key, NULL, acs_fabric_host_fact(f, k));
	}
	out_str(when, "kernel_release", NULL, acs_fabric_kernel_release(f));
	out_object_close(when);
}

bool cli_host_known(const acs_fabric *f)
{
	for (int k = 0; k < ACS_HOST_FACT_COUNT; k++)
		if (k != ACS_HOST_TIME && acs_fabric_host_fact(f, k))
			return true;
	return false;
}

void cli_out_header(const struct cli *c)
{
	cli_out_header_cmdline(c, c->boot ? (c->cmdline ? c->cmdline : "") : NULL);
}

void cli_out_header_cmdline(const struct cli *c, const char *cmdline)
{
	char pes[32];

	out_str(OUT_DATA, "kernel", NULL, c->platform ? NULL : acs_policy_name(c->policy));
	out_str(OUT_DATA, "kernel_from", NULL, c->platform ? NULL : c->policy_why);
	out_str(OUT_DATA, "source", NULL, acs_fabric_origin(c->fabric));
	out_uint(OUT_DATA, "function_count", NULL, acs_fabric_count(c->fabric));
	out_uint(OUT_DATA, "acs_unknown", NULL, acs_fabric_unknown_count(c->fabric));
	if (c->platform) {
		platform_pes(c->platform, pes, sizeof(pes));
		out_object_open(OUT_DATA, "pe_platform");
		out_str(OUT_DATA, "name", NULL, c->platform->name);
		out_str(OUT_DATA, "phb", NULL, c->platform->phb);
		out_str(OUT_DATA, "pes", NULL, pes);
		out_str(OUT_DATA, "pe_policy", NULL, pe_policy_name(c));
		out_object_close(OUT_DATA);
	}
	out_str(OUT_DATA, "cmdline", NULL, cmdline);
	if (out_wants(OUT_TEXT))
		source_line(c, note_file, stdout);
	out_array_open(OUT_DATA, "notes");
	header_notes(c, note_out, NULL);
	out_array_close(OUT_DATA);
	cli_out_warnings(c);
	/* one input of many (multi.c): its JSON line says whose it is */
	if (getenv("ACSCTL_ONE_INPUT") && cli_host_known(c->fabric))
		cli_out_host(c->fabric, OUT_JSON);
}
