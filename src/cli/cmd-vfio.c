/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl vfio DEV|GROUP: whether an IOMMU group can be given to one VM
 * now (acs_vfio_compute()): every member and what it is bound to, its
 * reset methods, the IOMMU and interrupt remapping, each blocker with the
 * command that fixes it, and the libvirt and Proxmox lines. Exit 0 ready,
 * 1 blocked, 3 unknown (the source lacks a fact), 2 bad input.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

static const char *const iommu_names[] = { "unknown", "off", "on" };

/* DEV ("01:00.0", "0000:01:00.0") or GROUP (a number): *device or *group. */
static int parse_target(const struct cli *c, const char *s, long *device, long *group)
{
	char *end;

	*device = *group = -1;
	if (isdigit((unsigned char)s[0]) && !strpbrk(s, ":.")) {
		unsigned long g = strtoul(s, &end, 10);

		if (*end || g > 0x7fffffff) {
			fprintf(stderr, "acsctl vfio: '%s': a device (BB:DD.F) or a group number\n", s);
			return EXIT_BAD_INPUT;
		}
		*group = (long)g;
		return 0;
	}
	*device = cli_find_device(c, s, strlen(s));
	if (*device < 0) {
		fprintf(stderr, "acsctl vfio: no device '%s' in %s\n", s, acs_fabric_origin(c->fabric));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static void print_host(const struct cli *c, const acs_vfio *v)
{
	const char *type, *basis;
	int iommu = acs_vfio_iommu(v, &type), ir = acs_fabric_irq_remapping(c->fabric, &basis);
	bool kernel;
	long g = acs_vfio_group(v, &kernel);

	out_int(OUT_ANY, "group", "group %s", g);
	out_bool(OUT_DATA, "kernel_group", NULL, kernel);
	out_text(kernel ? " (the kernel's)" : " (predicted: the source has no kernel groups)");
	out_str(OUT_ANY, "verdict", ": %s\n", acs_vfio_verdict_name(acs_vfio_verdict(v)));
	out_str(OUT_ANY, "iommu", "iommu: %s", iommu_names[iommu]);
	if (type)
		out_str(OUT_ANY, "iommu_type", ", the group's domain %s", type);
	else
		out_null(OUT_DATA, "iommu_type", iommu == ACS_VFIO_IOMMU_ON ? ", the group's domain type unknown" : NULL);
	out_text("\n");
	out_str(OUT_ANY, "irq_remapping", "interrupt remapping: %s", ir < 0 ? "unknown" : ir ? "on" : "off");
	if (basis)
		out_str(OUT_ANY, "irq_remapping_basis", " (%s)", basis);
	else
		out_null(OUT_DATA, "irq_remapping_basis", NULL);
	out_text("\n");
}

/* "flr bus" as a list; null where unknown, [] where none. */
static void print_reset(const char *reset)
{
	char word[64];

	if (!reset) {
		out_null(OUT_ANY, "reset_methods", "reset unknown");
		return;
	}
	out_array_open(OUT_DATA, "reset_methods");
	out_text(*reset ? "reset" : "no reset");
	for (const char *p = reset; *p;) {
		size_t n = strcspn(p, " ");

		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		out_str(OUT_ANY, NULL, n ? " %s" : NULL, word);
		p += n + (p[n] == ' ');
	}
	out_array_close(OUT_DATA);
}

/* Text's columns: spaces after a value to width. */
static void pad(int width, const char *value)
{
	int n = width - (int)strlen(value);

	if (n > 0)
		out_text("%*s", n, "");
}

static void print_members(const struct cli *c, const acs_vfio *v)
{
	const acs_vfio_member *m;
	size_t n = acs_vfio_members(v, &m);
	char addr[ACS_ADDR_MAX], desc[256];

	out_text("members:\n");
	out_array_open(OUT_DATA, "members");
	for (size_t k = 0; k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, m[k].index);

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_ANY, "address", "  %s", acs_func_addr(fn, addr, sizeof(addr)));
		out_str(OUT_DATA, "description", NULL, cli_describe(c, fn, desc, sizeof(desc)));
		out_str(OUT_ANY, "role", " %s", acs_vfio_role_name(m[k].role));
		pad(9, acs_vfio_role_name(m[k].role));
		out_str(OUT_ANY, "binding", " %s", acs_vfio_binding_name(m[k].binding));
		pad(8, acs_vfio_binding_name(m[k].binding));
		if (m[k].driver)
			out_str(OUT_ANY, "driver", " %s", m[k].driver);
		else
			out_null(OUT_ANY, "driver", m[k].binding == ACS_VFIO_BIND_UNKNOWN ? " unknown" : " -");
		pad(14, m[k].driver ? m[k].driver : m[k].binding == ACS_VFIO_BIND_UNKNOWN ? "unknown" : "-");
		out_text(" ");
		if (m[k].role == ACS_VFIO_ENDPOINT)
			print_reset(m[k].reset);
		else
			out_null(OUT_DATA, "reset_methods", NULL);
		out_str(OUT_ANY, "verdict", ": %s\n", acs_vfio_verdict_name(m[k].verdict));
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

static void print_issues(const struct cli *c, const acs_vfio *v)
{
	const acs_vfio_member *m;
	const acs_vfio_issue *is;
	size_t n = acs_vfio_issues(v, &is);
	char addr[ACS_ADDR_MAX];

	acs_vfio_members(v, &m);
	out_array_open(OUT_DATA, "issues");
	for (size_t k = 0; k < n; k++) {
		static const char *const words[] = { "NOTE", "BLOCKED", "", "UNKNOWN" };

		out_object_open(OUT_DATA, NULL);
		out_text("%s ", words[is[k].verdict]);
		out_str(OUT_DATA, "kind", NULL, acs_vfio_issue_kind_name(is[k].kind));
		out_str(OUT_DATA, "verdict", NULL, acs_vfio_verdict_name(is[k].verdict));
		if (is[k].member >= 0)
			out_str(OUT_DATA, "address", NULL,
				acs_func_addr(acs_fabric_func(c->fabric, m[is[k].member].index), addr, sizeof(addr)));
		else
			out_null(OUT_DATA, "address", NULL);
		out_str(OUT_ANY, "text", "%s\n", is[k].text);
		if (is[k].fix)
			out_str(OUT_ANY, "fix", "  fix: %s\n", is[k].fix);
		else
			out_null(OUT_DATA, "fix", NULL);
		if (is[k].at_boot)
			out_str(OUT_ANY, "at_boot", "  at boot: %s\n", is[k].at_boot);
		else
			out_null(OUT_DATA, "at_boot", NULL);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
}

static void print_vm_config(const acs_vfio *v)
{
	const char *const *lines;
	size_t n = acs_vfio_proxmox(v, &lines);
	const char *xml = acs_vfio_libvirt(v);

	if (*xml) {
		out_text("libvirt (virsh edit, inside <devices>):\n");
		out_str(OUT_ANY, "libvirt", "%s\n", xml);
	} else {
		out_null(OUT_DATA, "libvirt", NULL);
	}
	if (n)
		out_text("proxmox (/etc/pve/qemu-server/VMID.conf):\n");
	out_array_open(OUT_DATA, "proxmox");
	for (size_t k = 0; k < n; k++)
		out_str(OUT_ANY, NULL, "%s\n", lines[k]);
	out_array_close(OUT_DATA);
}

static int print_vfio(const struct cli *c, const acs_vfio *v)
{
	int verdict = acs_vfio_verdict(v);

	cli_out_header(c);
	print_host(c, v);
	print_members(c, v);
	print_issues(c, v);
	print_vm_config(v);
	if (verdict == ACS_VFIO_BLOCKED)
		out_text("BLOCKED: fix the BLOCKED lines above, then run acsctl vfio again\n");
	else if (verdict == ACS_VFIO_UNKNOWN)
		out_text("UNKNOWN: the source lacks what the UNKNOWN lines name (run acsctl vfio on the host)\n");
	else
		out_text("READY: the group can be given to one VM now\n");
	return verdict == ACS_VFIO_BLOCKED ? EXIT_CHECK_FAILED : verdict == ACS_VFIO_UNKNOWN ? EXIT_UNKNOWN : EXIT_OK;
}

int cmd_vfio(struct cli *c, int argc, char **argv)
{
	long device, group;
	acs_vfio *v;
	int status;

	if (c->platform) {
		fprintf(stderr, "acsctl vfio: not for PE platforms (--platform %s)\n", c->platform->name);
		return EXIT_BAD_INPUT;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: acsctl vfio DEV|GROUP\n");
		return EXIT_BAD_INPUT;
	}
	if ((status = parse_target(c, argv[0], &device, &group)))
		return status;
	if (acs_vfio_compute(&v, c->fabric, c->policy, device, group))
		return cli_error("vfio");
	cli_out_begin(c, "vfio");
	status = out_end(print_vfio(c, v));
	acs_vfio_free(v);
	return status;
}
