/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a group can be given to one VM now (acsctl vfio): the kernel's
 * rules for a viable VFIO group, a reset between guests, the IOMMU and
 * interrupt remapping; each blocker with its fix; the libvirt and Proxmox
 * lines for the endpoints. Anything the source did not read is UNKNOWN.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct acs_vfio {
	long group;
	bool kernel_group;
	int iommu;               /* enum acs_vfio_iommu */
	const char *iommu_type;  /* in strings */
	acs_vfio_member *members;
	size_t nmembers;
	acs_vfio_issue *issues;
	size_t nissues;
	struct acs_lines strings; /* every string the issues point to */
	char *libvirt;
	struct acs_lines proxmox;
	int verdict;
};

const char *acs_vfio_binding_name(int b)
{
	static const char *const names[] = { "unknown", "vfio", "pci-stub", "none", "pcieport", "host" };

	return b >= 0 && b <= ACS_VFIO_BIND_HOST ? names[b] : "unknown";
}

const char *acs_vfio_role_name(int role)
{
	return role == ACS_VFIO_HOST_SIDE ? "host-side" : "endpoint";
}

const char *acs_vfio_issue_kind_name(int kind)
{
	static const char *const names[] = { "", "iommu", "irq-remapping", "group", "driver", "reset",
					     "no-endpoint" };

	return kind >= ACS_VFIO_ISSUE_IOMMU && kind <= ACS_VFIO_ISSUE_NO_ENDPOINT ? names[kind] : "";
}

const char *acs_vfio_verdict_name(int verdict)
{
	return verdict == ACS_VFIO_BLOCKED ? "blocked" : verdict == ACS_VFIO_UNKNOWN ? "unknown" : "ready";
}

/* BLOCKED beats UNKNOWN beats READY. */
static int worse(int a, int b)
{
	if (a == ACS_VFIO_BLOCKED || b == ACS_VFIO_BLOCKED)
		return ACS_VFIO_BLOCKED;
	return a == ACS_VFIO_UNKNOWN || b == ACS_VFIO_UNKNOWN ? ACS_VFIO_UNKNOWN : ACS_VFIO_READY;
}

/* A string the result owns, or NULL (out of memory: the caller checks). */
static const char *keep(acs_vfio *v, const char *s)
{
	if (!s)
		return NULL;
	if (acs_lines_add(&v->strings, "%s", s))
		return NULL;
	return v->strings.v[v->strings.n - 1];
}

static int add_issue(acs_vfio *v, int kind, int verdict, long member, const char *text, const char *fix,
		     const char *at_boot)
{
	acs_vfio_issue *is = realloc(v->issues, (v->nissues + 1) * sizeof(*is));

	if (!is)
		return acs_error_nomem();
	v->issues = is;
	is = &is[v->nissues];
	*is = (acs_vfio_issue){ kind, verdict, member, keep(v, text), keep(v, fix), keep(v, at_boot) };
	if (!is->text || (fix && !is->fix) || (at_boot && !is->at_boot))
		return acs_error_nomem();
	v->nissues++;
	if (member >= 0)
		v->members[member].verdict = worse(v->members[member].verdict, verdict);
	v->verdict = worse(v->verdict, verdict);
	return 0;
}

/* VFIO's own drivers: vfio-pci and the variant drivers built on
 * vfio-pci-core (mlx5_vfio_pci, hisi_acc_vfio_pci, nvgrace_gpu_vfio_pci). */
static bool is_vfio_driver(const char *name)
{
	return strstr(name, "vfio") != NULL;
}

static int binding_of(const struct acs_func *fn)
{
	if (!(fn->known & ACS_KNOWN_DRIVER))
		return ACS_VFIO_BIND_UNKNOWN;
	if (!fn->driver)
		return ACS_VFIO_BIND_NONE;
	if (is_vfio_driver(fn->driver))
		return ACS_VFIO_BIND_VFIO;
	if (strcmp(fn->driver, "pci-stub") == 0)
		return ACS_VFIO_BIND_STUB;
	if (strcmp(fn->driver, "pcieport") == 0)
		return ACS_VFIO_BIND_PORT;
	return ACS_VFIO_BIND_HOST;
}

/* A bridge (the kernel's hdr_type != PCI_HEADER_TYPE_NORMAL) or a host
 * bridge stays with the host: the VM gets the endpoints behind it. */
static int role_of(const struct acs_func *fn)
{
	if (fn->header_type != 0 || fn->class_code >> 8 == ACS_PCI_CLASS_BRIDGE_HOST)
		return ACS_VFIO_HOST_SIDE;
	return ACS_VFIO_ENDPOINT;
}

/* The group's members: the kernel's where the source has them, else the
 * prediction of the policy's kernel. */
static int find_members(acs_vfio *v, const acs_fabric *f, const acs_policy *p, long device, long group,
			bool *uncertain)
{
	size_t n = acs_fabric_count(f);
	acs_groups *g = NULL;
	int rc;

	*uncertain = false;
	v->kernel_group = acs_fabric_kernel_groups(f) == ACS_KGROUPS_PRESENT;
	if (!v->kernel_group && (rc = acs_groups_compute(&g, f, p)))
		return rc;
	if (device >= 0 && (size_t)device < n) {
		if (v->kernel_group)
			group = acs_fabric_kernel_group(f, (size_t)device);
		else
			group = acs_groups_of(g, (size_t)device) == ACS_NO_GROUP ? -1 : (long)acs_groups_of(g, (size_t)device);
	}
	v->group = group;
	rc = 0;
	v->members = calloc(n, sizeof(*v->members));
	if (!v->members)
		rc = acs_error_nomem();
	for (size_t i = 0; !rc && group >= 0 && i < n; i++) {
		long gi = v->kernel_group ? acs_fabric_kernel_group(f, i)
			  : acs_groups_of(g, i) == ACS_NO_GROUP ? -1 : (long)acs_groups_of(g, i);

		if (gi == group)
			v->members[v->nmembers++].index = i;
	}
	if (!rc && g && group >= 0 && (size_t)group < acs_groups_count(g))
		*uncertain = acs_groups_uncertain(g, (size_t)group);
	acs_groups_free(g);
	if (!rc && !v->nmembers) {
		if (device >= 0)
			rc = acs_error_set(ACS_ENOTFOUND, "%s: the device is in no IOMMU group", acs_fabric_origin(f));
		else
			rc = acs_error_set(ACS_ENOTFOUND, "%s: no IOMMU group %ld", acs_fabric_origin(f), group);
	}
	return rc;
}

/* The boot parameters that turn the IOMMU on, by the CPU's vendor. */
static const char *iommu_on_param(const acs_fabric *f)
{
	const char *vendor = acs_fabric_cpu_vendor(f);

	if (vendor && strcmp(vendor, "AuthenticAMD") == 0)
		return "iommu=pt on the kernel command line, and the IOMMU (AMD-Vi) on in the firmware setup";
	if (vendor && strcmp(vendor, "GenuineIntel") == 0)
		return "intel_iommu=on iommu=pt on the kernel command line (and VT-d on in the firmware setup)";
	return "intel_iommu=on iommu=pt on the kernel command line (Intel; AMD: iommu=pt, the IOMMU on in the "
	       "firmware setup)";
}

static int judge_iommu(acs_vfio *v, const acs_fabric *f)
{
	int k = acs_fabric_kernel_groups(f);

	v->iommu = k == ACS_KGROUPS_PRESENT ? ACS_VFIO_IOMMU_ON : k == ACS_KGROUPS_NONE ? ACS_VFIO_IOMMU_OFF
						: ACS_VFIO_IOMMU_UNKNOWN;
	if (v->iommu == ACS_VFIO_IOMMU_OFF)
		return add_issue(v, ACS_VFIO_ISSUE_IOMMU, ACS_VFIO_BLOCKED, -1,
				 "the IOMMU is off: the kernel formed no IOMMU groups (/sys/kernel/iommu_groups is empty)",
				 iommu_on_param(f), NULL);
	if (v->iommu == ACS_VFIO_IOMMU_UNKNOWN)
		return add_issue(v, ACS_VFIO_ISSUE_IOMMU, ACS_VFIO_UNKNOWN, -1,
				 "whether the IOMMU is on is not in the source (read the live host, or its snapshot)",
				 NULL, NULL);
	for (size_t m = 0; m < v->nmembers && !v->iommu_type; m++)
		if (acs_fabric_iommu_type(f, v->members[m].index) &&
		    !(v->iommu_type = keep(v, acs_fabric_iommu_type(f, v->members[m].index))))
			return acs_error_nomem();
	if (v->iommu_type && strcmp(v->iommu_type, "identity") == 0)
		return add_issue(v, ACS_VFIO_ISSUE_IOMMU, ACS_VFIO_READY, -1,
				 "the group's DMA is passed through (identity, iommu=pt) while the host has it; "
				 "VFIO puts its own translated domain in place for the VM",
				 NULL, NULL);
	return 0;
}

/* vfio_iommu_type1 refuses a group on x86 without interrupt remapping
 * unless allow_unsafe_interrupts is set (a guest could forge MSIs). */
static int judge_irq_remap(acs_vfio *v, const acs_fabric *f)
{
	const char *basis, *vendor = acs_fabric_cpu_vendor(f);
	int on = acs_fabric_irq_remapping(f, &basis);
	char text[400];

	if (v->iommu == ACS_VFIO_IOMMU_OFF || on == 1)
		return 0;
	if (vendor && !vendor[0])
		return 0;  /* not x86: MSIs are isolated otherwise (ARM's ITS) */
	if (on == 0) {
		snprintf(text, sizeof(text), "interrupt remapping is off (%s): vfio_iommu_type1 refuses the group",
			 basis ? basis : "");
		return add_issue(v, ACS_VFIO_ISSUE_IRQ_REMAP, ACS_VFIO_BLOCKED, -1, text,
				 "interrupt remapping on in the firmware setup (VT-d / AMD-Vi), no intremap=off; or, "
				 "unsafe (a guest can forge MSIs): vfio_iommu_type1.allow_unsafe_interrupts=1",
				 NULL);
	}
	return add_issue(v, ACS_VFIO_ISSUE_IRQ_REMAP, ACS_VFIO_UNKNOWN, -1,
			 "whether interrupts are remapped is not in the source (the live host's /proc/interrupts "
			 "or Intel's DMAR ecap tell; a snapshot by this acsctl keeps it)",
			 NULL, NULL);
}

/* "vfio-pci.ids=10de:1b80" with the softdep that makes vfio-pci claim the
 * device before its driver. */
static void at_boot_line(const struct acs_func *fn, char *buf, size_t size)
{
	if (fn->driver)
		snprintf(buf, size, "vfio-pci.ids=%04x:%04x on the kernel command line, and \"softdep %s pre: "
			 "vfio-pci\" in /etc/modprobe.d/vfio.conf (every device with that ID goes to vfio-pci)",
			 fn->vendor_id, fn->device_id, fn->driver);
	else
		snprintf(buf, size, "vfio-pci.ids=%04x:%04x on the kernel command line (every device with that ID "
			 "goes to vfio-pci)", fn->vendor_id, fn->device_id);
}

/* "0000:01:00.1 must go along: it shares 0000:01:00.0's group" where the
 * question named another device. */
static void along(const acs_fabric *f, long device, const struct acs_func *fn, char *buf, size_t size)
{
	char addr[ACS_ADDR_MAX];

	buf[0] = '\0';
	if (device >= 0 && (size_t)device != acs_fabric_index(f, fn))
		snprintf(buf, size, "; it shares %s's IOMMU group, so it must go to the same VM",
			 acs_func_addr(acs_fabric_func(f, (size_t)device), addr, sizeof(addr)));
}

static int judge_endpoint_driver(acs_vfio *v, const acs_fabric *f, const acs_policy *p, size_t m, long device)
{
	const acs_vfio_member *mb = &v->members[m];
	const struct acs_func *fn = acs_fabric_func(f, mb->index);
	char addr[ACS_ADDR_MAX], text[400], fix[200], boot[400], tail[200];

	(void)p;
	acs_func_addr(fn, addr, sizeof(addr));
	along(f, device, fn, tail, sizeof(tail));
	snprintf(fix, sizeof(fix), "driverctl set-override %s vfio-pci", addr);
	at_boot_line(fn, boot, sizeof(boot));
	switch (mb->binding) {
	case ACS_VFIO_BIND_VFIO:
		return 0;
	case ACS_VFIO_BIND_UNKNOWN:
		snprintf(text, sizeof(text), "%s: its driver is not in the source%s", addr, tail);
		return add_issue(v, ACS_VFIO_ISSUE_DRIVER, ACS_VFIO_UNKNOWN, (long)m, text, NULL, NULL);
	case ACS_VFIO_BIND_HOST:
		snprintf(text, sizeof(text), "%s is bound to the host driver %s%s", addr, fn->driver, tail);
		break;
	case ACS_VFIO_BIND_STUB:
		snprintf(text, sizeof(text), "%s is parked on pci-stub: the group stays viable, but a VM gets it only "
			 "from vfio-pci%s", addr, tail);
		break;
	default:
		snprintf(text, sizeof(text), "%s has no driver: the group stays viable, but a VM gets it only from "
			 "vfio-pci%s", addr, tail);
		break;
	}
	return add_issue(v, ACS_VFIO_ISSUE_DRIVER, ACS_VFIO_BLOCKED, (long)m, text, fix, boot);
}

/* A bridge or host bridge stays with the host: vfio_group_viable() takes
 * it unbound, on pci-stub or vfio, on pcieport (5.19 on), and before 5.19
 * a bridge on any driver. */
static int judge_host_side_driver(acs_vfio *v, const acs_fabric *f, const acs_policy *p, size_t m)
{
	const acs_vfio_member *mb = &v->members[m];
	const struct acs_func *fn = acs_fabric_func(f, mb->index);
	bool dma_owner = acs_policy_vfio_dma_ownership(p);
	char addr[ACS_ADDR_MAX], text[400], fix[200];

	acs_func_addr(fn, addr, sizeof(addr));
	if (mb->binding == ACS_VFIO_BIND_UNKNOWN) {
		snprintf(text, sizeof(text), "%s (stays with the host): its driver is not in the source", addr);
		return add_issue(v, ACS_VFIO_ISSUE_DRIVER, ACS_VFIO_UNKNOWN, (long)m, text, NULL, NULL);
	}
	if (mb->binding == ACS_VFIO_BIND_NONE || mb->binding == ACS_VFIO_BIND_STUB || mb->binding == ACS_VFIO_BIND_VFIO)
		return 0;
	if (dma_owner ? mb->binding == ACS_VFIO_BIND_PORT : fn->header_type != 0)
		return 0;
	snprintf(text, sizeof(text), "%s (stays with the host) is bound to %s, which Linux %s's VFIO does not "
		 "take in a group it gives away (%s)", addr, fn->driver, acs_policy_name(p),
		 dma_owner ? "the driver manages DMA of its own: not vfio-pci, pci-stub or pcieport"
			   : "only bridges may keep their driver before 5.19");
	snprintf(fix, sizeof(fix), "driverctl set-override %s pci-stub", addr);
	return add_issue(v, ACS_VFIO_ISSUE_DRIVER, ACS_VFIO_BLOCKED, (long)m, text, fix, NULL);
}

static int judge_reset(acs_vfio *v, const acs_fabric *f, const acs_policy *p, size_t m)
{
	const acs_vfio_member *mb = &v->members[m];
	char addr[ACS_ADDR_MAX], text[400];

	(void)p;
	acs_func_addr(acs_fabric_func(f, mb->index), addr, sizeof(addr));
	if (!mb->reset) {
		snprintf(text, sizeof(text), "%s: its reset methods are not in the source (sysfs reset_method, "
			 "Linux 5.15 on; the live host or its snapshot by this acsctl)", addr);
		return add_issue(v, ACS_VFIO_ISSUE_RESET, ACS_VFIO_UNKNOWN, (long)m, text, NULL, NULL);
	}
	if (mb->reset[0])
		return 0;
	snprintf(text, sizeof(text), "%s has no reset method (no FLR, PM or bus reset the kernel can use): "
		 "the next guest finds it as the last one left it", addr);
	return add_issue(v, ACS_VFIO_ISSUE_RESET, ACS_VFIO_BLOCKED, (long)m, text,
			 "none from the host: give it a slot of its own (a bus reset needs the device alone on its "
			 "bus), or a device-specific reset (vendor-reset)", NULL);
}

static int judge_members(acs_vfio *v, const acs_fabric *f, const acs_policy *p, long device)
{
	size_t endpoints = 0;
	int rc = 0;

	for (size_t m = 0; m < v->nmembers; m++) {
		acs_vfio_member *mb = &v->members[m];
		const struct acs_func *fn = acs_fabric_func(f, mb->index);

		mb->role = role_of(fn);
		mb->binding = binding_of(fn);
		mb->driver = keep(v, fn->driver);
		mb->reset = keep(v, acs_fabric_reset_methods(f, mb->index));
		mb->verdict = ACS_VFIO_READY;
		if ((fn->driver && !mb->driver) || (acs_fabric_reset_methods(f, mb->index) && !mb->reset))
			return acs_error_nomem();
	}
	for (size_t m = 0; !rc && m < v->nmembers; m++) {
		if (v->members[m].role == ACS_VFIO_HOST_SIDE) {
			rc = judge_host_side_driver(v, f, p, m);
			continue;
		}
		endpoints++;
		rc = judge_endpoint_driver(v, f, p, m, device);
		if (!rc)
			rc = judge_reset(v, f, p, m);
	}
	if (!rc && !endpoints)
		rc = add_issue(v, ACS_VFIO_ISSUE_NO_ENDPOINT, ACS_VFIO_BLOCKED, -1,
			       "the group holds only bridges: nothing in it goes to a VM", NULL, NULL);
	return rc;
}

/* libvirt: one hostdev per endpoint; managed='yes' has libvirt move it to
 * vfio-pci when the VM starts and back after. */
static int make_libvirt(acs_vfio *v, const acs_fabric *f)
{
	struct acs_lines l = { 0 };
	size_t len = 1;
	int rc = 0;

	for (size_t m = 0; !rc && m < v->nmembers; m++) {
		const struct acs_func *fn = acs_fabric_func(f, v->members[m].index);

		if (v->members[m].role != ACS_VFIO_ENDPOINT)
			continue;
		rc = acs_lines_add(&l, "<hostdev mode='subsystem' type='pci' managed='yes'>\n  <source>\n"
				   "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
				   "  </source>\n</hostdev>", fn->domain, fn->bus, fn->dev, fn->fn);
	}
	for (size_t k = 0; !rc && k < l.n; k++)
		len += strlen(l.v[k]) + 1;
	if (!rc && !(v->libvirt = calloc(1, len)))
		rc = acs_error_nomem();
	for (size_t k = 0; !rc && k < l.n; k++) {
		strcat(v->libvirt, l.v[k]);
		if (k + 1 < l.n)
			strcat(v->libvirt, "\n");
	}
	acs_lines_free(&l);
	return rc;
}

static bool same_slot(const struct acs_func *a, const struct acs_func *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->is_virtfn == b->is_virtfn;
}

/* Whether every function of fn's slot is an endpoint of this group. */
static bool whole_slot(const acs_vfio *v, const acs_fabric *f, const struct acs_func *fn)
{
	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *o = acs_fabric_func(f, i);
		bool member = false;

		if (!same_slot(o, fn))
			continue;
		for (size_t m = 0; m < v->nmembers && !member; m++)
			member = v->members[m].index == i && v->members[m].role == ACS_VFIO_ENDPOINT;
		if (!member)
			return false;
	}
	return true;
}

/* Proxmox VE: "hostpciN: 0000:01:00" gives every function of the slot
 * (the web interface's "All Functions"); else one line per function. */
static int make_proxmox(acs_vfio *v, const acs_fabric *f)
{
	int rc = 0;

	for (size_t m = 0; !rc && m < v->nmembers; m++) {
		const struct acs_func *fn = acs_fabric_func(f, v->members[m].index);
		bool first = true;

		if (v->members[m].role != ACS_VFIO_ENDPOINT)
			continue;
		for (size_t k = 0; k < m && first; k++)
			first = v->members[k].role != ACS_VFIO_ENDPOINT ||
				!same_slot(acs_fabric_func(f, v->members[k].index), fn);
		if (fn->multifunction && !fn->is_virtfn && whole_slot(v, f, fn)) {
			if (first)
				rc = acs_lines_add(&v->proxmox, "hostpci%zu: %04x:%02x:%02x", v->proxmox.n, fn->domain,
						   fn->bus, fn->dev);
			continue;
		}
		rc = acs_lines_add(&v->proxmox, "hostpci%zu: %04x:%02x:%02x.%x", v->proxmox.n, fn->domain, fn->bus,
				   fn->dev, fn->fn);
	}
	return rc;
}

int acs_vfio_compute(acs_vfio **out, const acs_fabric *f, const acs_policy *p, long device, long group)
{
	acs_vfio *v = calloc(1, sizeof(*v));
	bool uncertain;
	int rc;

	*out = NULL;
	if (!v)
		return acs_error_nomem();
	rc = find_members(v, f, p, device, group, &uncertain);
	if (!rc)
		rc = judge_iommu(v, f);
	if (!rc && !v->kernel_group)
		rc = add_issue(v, ACS_VFIO_ISSUE_GROUP, uncertain ? ACS_VFIO_UNKNOWN : ACS_VFIO_READY, -1,
			       uncertain ? "the group is predicted, and its members depend on ACS state the source "
					   "could not read (run as root)"
					 : "the group is acsctl's prediction: the source has no IOMMU groups of the kernel's",
			       NULL, NULL);
	if (!rc)
		rc = judge_irq_remap(v, f);
	if (!rc)
		rc = judge_members(v, f, p, device);
	if (!rc)
		rc = make_libvirt(v, f);
	if (!rc)
		rc = make_proxmox(v, f);
	if (rc) {
		acs_vfio_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

void acs_vfio_free(acs_vfio *v)
{
	if (!v)
		return;
	free(v->members);
	free(v->issues);
	acs_lines_free(&v->strings);
	acs_lines_free(&v->proxmox);
	free(v->libvirt);
	free(v);
}

int acs_vfio_verdict(const acs_vfio *v)
{
	return v->verdict;
}

long acs_vfio_group(const acs_vfio *v, bool *kernel)
{
	if (kernel)
		*kernel = v->kernel_group;
	return v->group;
}

int acs_vfio_iommu(const acs_vfio *v, const char **type)
{
	if (type)
		*type = v->iommu_type;
	return v->iommu;
}

size_t acs_vfio_members(const acs_vfio *v, const acs_vfio_member **list)
{
	*list = v->members;
	return v->nmembers;
}

size_t acs_vfio_issues(const acs_vfio *v, const acs_vfio_issue **list)
{
	*list = v->issues;
	return v->nissues;
}

const char *acs_vfio_libvirt(const acs_vfio *v)
{
	return v->libvirt;
}

size_t acs_vfio_proxmox(const acs_vfio *v, const char *const **lines)
{
	*lines = (const char *const *)v->proxmox.v;
	return v->proxmox.n;
}
