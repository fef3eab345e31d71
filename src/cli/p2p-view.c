/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names p2p's matrix gives devices, as `nvidia-smi topo -m` does:
 * GPU0, NIC3, NVMe12, numbered by kind in address order over the whole
 * fabric (so a device keeps its label whichever are shown), and each
 * device's link: what it negotiated against what it can.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

/* Class codes (base << 8 | sub) to kinds; a base alone matches every sub. */
static const struct {
	unsigned code, mask;
	int kind;
} kinds[] = {
	{ 0x0300, 0xff00, P2P_KIND_GPU },      /* display: VGA, 3D controllers */
	{ 0x1200, 0xff00, P2P_KIND_GPU },      /* processing accelerators */
	{ 0x0200, 0xff00, P2P_KIND_NIC },      /* network, InfiniBand 0207 too */
	{ 0x0c06, 0xffff, P2P_KIND_NIC },      /* InfiniBand as a serial bus */
	{ 0x0108, 0xffff, P2P_KIND_NVME },     /* non-volatile memory */
	{ 0x0100, 0xff00, P2P_KIND_STORAGE },  /* SATA, SAS, RAID, ... */
	{ 0x0c03, 0xffff, P2P_KIND_USB },
};

/* Display controllers that are a BMC's or a hypervisor's console, not a
 * GPU anyone runs P2P on (nvidia-smi and NCCL list no such device): they
 * count as other devices so that GPU0 is the first real GPU. */
static const uint16_t console_vendors[] = {
	0x1a03,  /* ASPEED (AST2x00 BMCs) */
	0x102b,  /* Matrox (G200e/eH/eR/eW on Dell iDRAC, HPE iLO, Lenovo XCC) */
	0x1013,  /* Cirrus Logic (QEMU's -vga cirrus) */
	0x1234,  /* QEMU/Bochs standard VGA */
	0x1b36,  /* Red Hat (QXL, virtio-gpu's PCI id is 1af4) */
	0x15ad,  /* VMware SVGA */
	0x80ee,  /* VirtualBox */
	0x1414,  /* Microsoft Hyper-V */
};

static bool console_display(const struct acs_func *fn)
{
	if (fn->class_code >> 16 != 0x03)
		return false;
	for (size_t k = 0; k < sizeof(console_vendors) / sizeof(console_vendors[0]); k++)
		if (fn->vendor_id == console_vendors[k])
			return true;
	return false;
}

static const char *const kind_names[P2P_KIND_COUNT] = { "GPU", "NIC", "NVMe", "STOR", "USB", "DEV", "BR" };

int p2p_kind_of(const struct acs_func *fn)
{
	unsigned cls = fn->class_code >> 8;

	if (!cli_is_peer(fn))
		return P2P_KIND_BRIDGE;
	if (console_display(fn))
		return P2P_KIND_OTHER;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if ((cls & kinds[k].mask) == kinds[k].code)
			return kinds[k].kind;
	return P2P_KIND_OTHER;
}

const char *p2p_kind_name(int kind)
{
	return kind >= 0 && kind < P2P_KIND_COUNT ? kind_names[kind] : NULL;
}

bool p2p_kind_shown(int kind)
{
	return kind == P2P_KIND_GPU || kind == P2P_KIND_NIC || kind == P2P_KIND_NVME;
}

static const acs_fabric *sort_fabric;

static int by_address(const void *pa, const void *pb)
{
	const struct acs_func *a = acs_fabric_func(sort_fabric, *(const size_t *)pa);
	const struct acs_func *b = acs_fabric_func(sort_fabric, *(const size_t *)pb);
	uint64_t ka = (uint64_t)a->domain << 16 | (unsigned)a->bus << 8 | (unsigned)a->dev << 3 | a->fn;
	uint64_t kb = (uint64_t)b->domain << 16 | (unsigned)b->bus << 8 | (unsigned)b->dev << 3 | b->fn;

	return ka < kb ? -1 : ka > kb;
}

static int by_kind(const void *pa, const void *pb)
{
	int ka = p2p_kind_of(acs_fabric_func(sort_fabric, *(const size_t *)pa));
	int kb = p2p_kind_of(acs_fabric_func(sort_fabric, *(const size_t *)pb));

	return ka != kb ? (ka < kb ? -1 : 1) : by_address(pa, pb);
}

void p2p_sort_by_kind(const acs_fabric *f, size_t *devs, size_t n)
{
	sort_fabric = f;
	qsort(devs, n, sizeof(*devs), by_kind);
}

char *p2p_labels(const acs_fabric *f)
{
	size_t n = acs_fabric_count(f);
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	char *labels = calloc(n ? n : 1, P2P_LABEL);
	unsigned next[P2P_KIND_COUNT] = { 0 };

	if (!order || !labels) {
		free(order);
		free(labels);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_fabric = f;
	qsort(order, n, sizeof(*order), by_address);
	for (size_t k = 0; k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(f, order[k]);
		int kind = p2p_kind_of(fn);

		snprintf(labels + order[k] * P2P_LABEL, P2P_LABEL, "%s%u", kind_names[kind], next[kind]++);
	}
	free(order);
	return labels;
}

void p2p_link_of(const acs_fabric *f, size_t i, struct p2p_link *l)
{
	memset(l, 0, sizeof(*l));
	l->known = acs_fabric_link(f, i, &l->speed, &l->width) && acs_link_speed_name(l->speed);
	l->cap_known = acs_func_link_cap(acs_fabric_func(f, i), &l->max_speed, &l->max_width) &&
		       acs_link_speed_name(l->max_speed);
	l->downgraded = l->known && l->cap_known && (l->speed < l->max_speed || l->width < l->max_width);
}

const char *p2p_link_text(const struct p2p_link *l, char *buf, size_t size)
{
	if (!l->known)
		snprintf(buf, size, "-");
	else if (l->downgraded)
		snprintf(buf, size, "%s x%u (of %s x%u) !", acs_link_speed_name(l->speed), l->width,
			 acs_link_speed_name(l->max_speed), l->max_width);
	else
		snprintf(buf, size, "%s x%u", acs_link_speed_name(l->speed), l->width);
	return buf;
}

static void out_speed(const char *key, bool known, unsigned speed)
{
	if (known)
		out_str(OUT_DATA, key, NULL, acs_link_speed_name(speed));
	else
		out_null(OUT_DATA, key, NULL);
}

static void out_width(const char *key, bool known, unsigned width)
{
	if (known)
		out_uint(OUT_DATA, key, NULL, width);
	else
		out_null(OUT_DATA, key, NULL);
}

/* The link as data: null where the source has none. */
void p2p_out_link(const struct p2p_link *l)
{
	if (!l->known && !l->cap_known) {
		out_null(OUT_DATA, "link", NULL);
		return;
	}
	out_object_open(OUT_DATA, "link");
	out_speed("speed", l->known, l->speed);
	out_width("width", l->known, l->width);
	out_speed("max_speed", l->cap_known, l->max_speed);
	out_width("max_width", l->cap_known, l->max_width);
	out_bool(OUT_DATA, "downgraded", NULL, l->downgraded);
	out_object_close(OUT_DATA);
}
