/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every answer opens with: its source, its kernel, what was not read,
 * and the warnings stderr gave, in each output format. */
#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"

static void warning_json(json_object *arr, const char *param, const char *ignored,
			 const char *message)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "param", json_object_new_string(param));
	json_object_object_add(o, "ignored", ignored ? json_object_new_string(ignored) : NULL);
	json_object_object_add(o, "message", json_object_new_string(message));
	json_object_array_add(arr, o);
}

/* What stderr's warning lines said, on the JSON answer too: the input's
 * doubts, a kernel version outside the modelled range, --cmdline's
 * ignored parts. Absent when there are none and no --cmdline. */
void cli_boot_warnings_json(const struct cli *c, json_object *root)
{
	const char *const *list;
	size_t n = c->loaded ? acs_fabric_warnings(c->loaded, &list) : 0;
	const char *kernel = c->policy ? acs_policy_warning(c->policy) : NULL;
	json_object *arr;

	if (!c->boot && !n && !kernel)
		return;
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		warning_json(arr, "input", NULL, list[i]);
	if (kernel)
		warning_json(arr, "kernel", NULL, kernel);
	for (size_t i = 0; c->boot && i < acs_boot_warning_count(c->boot); i++) {
		json_object *o = json_object_new_object();
		acs_boot_warning w;

		if (acs_boot_warning_at(c->boot, i, &w))
			continue;
		json_object_object_add(o, "param", json_object_new_string(w.param));
		json_object_object_add(o, "ignored", json_object_new_string(w.ignored));
		json_object_object_add(o, "message", json_object_new_string(w.message));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "warnings", arr);
}

/* What the source lacks that PE assignment needs: never a silent guess. */
static void pe_source_notes(const struct cli *c, FILE *out)
{
	size_t nocaps = 0, noext = 0;
	int kind = acs_fabric_source_kind(c->fabric);

	/* topologies and lspci text say what they say; config space may be cut */
	for (size_t i = 0; (kind == ACS_SOURCE_DUMP || kind == ACS_SOURCE_SYSFS || kind == ACS_SOURCE_SNAPSHOT) &&
			   i < acs_fabric_count(c->fabric); i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, i);

		nocaps += !(fn->known & ACS_KNOWN_CAPS);
		/* conventional functions have no extended space to miss */
		noext += (fn->known & ACS_KNOWN_CAPS) && fn->pcie_type != ACS_PCIE_NONE && !(fn->known & ACS_KNOWN_EXT);
	}
	if (nocaps)
		fprintf(out, "# PCIe capabilities unknown for %zu functions (the source has only their 64-byte headers): "
			"which bridges are PCIe-to-PCI, and so the PEs below them, is uncertain\n", nocaps);
	if (noext)
		fprintf(out, "# extended config space unknown for %zu functions: SR-IOV VFs are not modelled\n", noext);
	if (kind == ACS_SOURCE_LSPCI && !cli_assigned_bars(c->fabric))
		fprintf(out, "# BAR addresses unknown (lspci text without -vv's Region lines, or with a live "
			"host's CPU addresses): PE numbers of buses with M64 BARs may differ from the kernel's\n");
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
	default:
		return " (the dump lacks it: use lspci -xxxx as root)";
	}
}

void cli_note_header(const struct cli *c, FILE *out)
{
	size_t unknown = acs_fabric_unknown_count(c->fabric);

	if (c->platform) {
		unsigned lo = c->platform->npes, hi = lo;
		char pes[32];

		/* powernv9: PHBs of 512 and of 256 PEs */
		for (uint32_t d = 0; d < ACS_PE_MAX_PHBS; d++) {
			unsigned n = acs_platform_pes(c->platform, d);

			lo = n < lo ? n : lo;
			hi = n > hi ? n : hi;
		}
		snprintf(pes, sizeof(pes), lo == hi ? "%u" : "%u or %u", lo, hi);
		fprintf(out, "# source: %s (%zu functions); PE platform %s (%s, %s PEs per PHB), %s policy\n",
			acs_fabric_origin(c->fabric), acs_fabric_count(c->fabric), c->platform->name,
			c->platform->phb, pes,
			c->pe_policy == ACS_PE_SLOT ? "slot" : c->pe_policy == ACS_PE_DEVICE ? "device" : "bus (Linux powernv)");
		pe_source_notes(c, out);
		return;
	}

	fprintf(out, "# source: %s (%zu functions); kernel policy: %s (%s)\n",
		acs_fabric_origin(c->fabric), acs_fabric_count(c->fabric),
		acs_policy_name(c->policy), c->policy_why);
	if (c->boot) {
		const char *const *notes;
		size_t n = acs_boot_notes(c->boot, &notes);

		fprintf(out, "# booted with: %s\n", c->cmdline ? c->cmdline : "(no parameters)");
		for (size_t i = 0; i < n; i++)
			fprintf(out, "# %s\n", notes[i]);
	}
	if (acs_fabric_kernel_groups(c->fabric) == ACS_KGROUPS_NONE)
		fprintf(out, "# the kernel formed no IOMMU groups (the IOMMU is off): groups shown are the ones it would form\n");
	if (unknown)
		fprintf(out,
			"# ACS state unknown for %zu functions: extended config space was not readable%s; groups that depend on it are marked uncertain\n",
			unknown, unread_why(acs_fabric_source_kind(c->fabric)));
}

