/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding one function's config space: header, the standard capability
 * list and the extended one. Every pointer is checked against the bytes the
 * source had, and a list that loops is an error, never a hang.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_SSVID 0x0d
#define PCI_EXT_CAP_ID_ACS 0x0d
#define PCI_EXT_CAP_ID_ATS 0x0f
#define PCI_EXT_CAP_ID_SRIOV 0x10
#define PCI_SRIOV_TOTAL_VF 0x0e
#define PCI_SRIOV_NUM_VF 0x10
#define PCI_SRIOV_VF_OFFSET 0x14
#define PCI_SRIOV_VF_STRIDE 0x16
#define PCI_SRIOV_VF_DID 0x1a

static int decode_error(const struct acs_func *f, const char *origin,
			const char *fmt, ...) ACS_PRINTF(3, 4);

static int decode_error(const struct acs_func *f, const char *origin,
			const char *fmt, ...)
{
	char addr[32], what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return acs_error_set(ACS_EPARSE, "%s: %s: %s", origin,
			     acs_func_addr(f, addr, sizeof(addr)), what);
}

/* Lengths a source can legitimately give: lspci -x, a CardBus header read
 * without root, -xxx, and the whole extended space. Anything else is a
 * dump that was cut short. */
static bool standard_length(unsigned len)
{
	return len == 64 || len == 128 || len == 256 || len == 4096;
}

static int walk_std_caps(struct acs_func *f, const uint8_t *cfg, unsigned len,
			 const char *origin)
{
	uint8_t seen[256 / 8] = { 0 };
	unsigned pos;

	if (!(acs_rd16(cfg, 0x06) & PCI_STATUS_CAP_LIST)) {
		f->known |= ACS_KNOWN_CAPS;
		return 0;
	}
	pos = cfg[f->header_type == 2 ? 0x14 : 0x34] & ~3u;
	while (pos) {
		if (pos < ACS_CFG_HEADER)
			return decode_error(f, origin,
				"capability pointer 0x%02x points into the header", pos);
		if (pos + 2 > len)
			return 0; /* the source stopped before the list: unknown */
		if (seen[pos / 8] & (1u << (pos % 8)))
			return decode_error(f, origin,
				"capability list loops at 0x%02x", pos);
		seen[pos / 8] |= (uint8_t)(1u << (pos % 8));
		/* bridges carry their subsystem IDs in a capability */
		if (cfg[pos] == PCI_CAP_ID_SSVID && f->header_type == 1 && pos + 8 <= len) {
			f->subsys_vendor = acs_rd16(cfg, pos + 4);
			f->subsys_device = acs_rd16(cfg, pos + 6);
		}
		if (cfg[pos] == PCI_CAP_ID_EXP) {
			if (pos + 4 > len)
				return 0;
			f->pcie_pos = (uint16_t)pos;
			f->pcie_type = (int8_t)((acs_rd16(cfg, pos + 2) >> 4) & 0xf);
		}
		pos = cfg[pos + 1] & ~3u;
	}
	f->known |= ACS_KNOWN_CAPS;
	return 0;
}

/* Extended space past what was stored reads as zero. */
static uint16_t ext16(const struct acs_func *f, unsigned off)
{
	return (uint16_t)(acs_func_cfg_byte(f, off) | acs_func_cfg_byte(f, off + 1) << 8);
}

static uint32_t ext32(const struct acs_func *f, unsigned off)
{
	return (uint32_t)ext16(f, off) | (uint32_t)ext16(f, off + 2) << 16;
}

static int walk_ext_caps(struct acs_func *f, const char *origin)
{
	uint8_t seen[ACS_CFG_EXT / 4 / 8] = { 0 };
	unsigned pos = ACS_CFG_STD;

	while (pos) {
		uint32_t hdr = ext32(f, pos);
		unsigned id = hdr & 0xffff, next = (hdr >> 20) & ~3u;

		if (hdr == 0 || hdr == 0xffffffff)
			break;
		if (seen[pos / 32] & (1u << (pos / 4 % 8)))
			return decode_error(f, origin,
				"extended capability list loops at 0x%03x", pos);
		seen[pos / 32] |= (uint8_t)(1u << (pos / 4 % 8));
		if (id == PCI_EXT_CAP_ID_ACS) {
			if (pos + 8 > ACS_CFG_EXT)
				return decode_error(f, origin,
					"ACS capability at 0x%03x runs past config space", pos);
			f->acs_pos = (uint16_t)pos;
			f->acs_cap = ext16(f, pos + 4);
			f->acs_ctrl = ext16(f, pos + 6);
			f->acs_egress_bits = (uint8_t)(f->acs_cap >> 8);
		} else if (id == PCI_EXT_CAP_ID_ATS) {
			f->ats_pos = (uint16_t)pos;
		} else if (id == PCI_EXT_CAP_ID_SRIOV && pos + 0x12 <= ACS_CFG_EXT) {
			f->sriov_pos = (uint16_t)pos;
			f->sriov_total_vfs = ext16(f, pos + PCI_SRIOV_TOTAL_VF);
			f->sriov_num_vfs = ext16(f, pos + PCI_SRIOV_NUM_VF);
			f->sriov_offset = ext16(f, pos + PCI_SRIOV_VF_OFFSET);
			f->sriov_stride = ext16(f, pos + PCI_SRIOV_VF_STRIDE);
			f->sriov_vf_device = ext16(f, pos + PCI_SRIOV_VF_DID);
		}
		if (next && next < ACS_CFG_STD)
			return decode_error(f, origin,
				"extended capability pointer 0x%03x points below 0x100", next);
		pos = next;
	}
	f->known |= ACS_KNOWN_EXT;
	return 0;
}

int acs_decode_func(struct acs_func *f, const struct acs_raw_func *raw,
		    const char *origin)
{
	const uint8_t *cfg = raw->cfg;
	unsigned len = raw->cfg_len;
	int rc;

	memset(f, 0, sizeof(*f));
	f->domain = raw->domain;
	f->bus = raw->bus;
	f->dev = raw->dev;
	f->fn = raw->fn;
	f->pcie_type = ACS_PCIE_NONE;
	f->cfg = cfg;
	f->cfg_len = (uint16_t)len;
	f->cfg_stored = raw->cfg_stored;
	f->numa_node = raw->numa_node;
	memcpy(f->bar_size, raw->bar_size, sizeof(f->bar_size));
	memcpy(f->vf_bar_size, raw->vf_bar_size, sizeof(f->vf_bar_size));

	if (len < ACS_CFG_HEADER || !standard_length(len))
		return decode_error(f, origin,
			"truncated config space (%u bytes)", len);
	f->known = ACS_KNOWN_HEADER;
	f->vendor_id = acs_rd16(cfg, 0x00);
	f->device_id = acs_rd16(cfg, 0x02);
	f->revision = cfg[0x08];
	f->class_code = (uint32_t)cfg[0x0b] << 16 | (uint32_t)cfg[0x0a] << 8 | cfg[0x09];
	f->header_type = cfg[0x0e] & 0x7f;
	f->multifunction = (cfg[0x0e] & 0x80) || raw->fn > 0;
	if (f->header_type == 0) {
		f->subsys_vendor = acs_rd16(cfg, 0x2c);
		f->subsys_device = acs_rd16(cfg, 0x2e);
	} else if (f->header_type == 2 && len > 0x43) {
		/* a CardBus bridge's subsystem IDs lie past lspci -x's 64 bytes */
		f->subsys_vendor = acs_rd16(cfg, 0x40);
		f->subsys_device = acs_rd16(cfg, 0x42);
	}
	if (f->header_type == 1 || f->header_type == 2) {
		f->is_bridge = true;
		f->primary = cfg[0x18];
		f->secondary = cfg[0x19];
		f->subordinate = cfg[0x1a];
	}
	rc = walk_std_caps(f, cfg, len, origin);
	if (rc)
		return rc;
	if (f->pcie_pos && len >= ACS_CFG_EXT) {
		rc = walk_ext_caps(f, origin);
		if (rc)
			return rc;
	}
	if (raw->known_mask)
		f->known &= raw->known_mask | ACS_KNOWN_DRIVER;
	if (raw->has_driver) {
		f->known |= ACS_KNOWN_DRIVER;
		f->driver = raw->driver;
	}
	return 0;
}

bool acs_func_acs_known(const struct acs_func *f)
{
	if (!(f->known & ACS_KNOWN_CAPS))
		return false;
	return f->pcie_type == ACS_PCIE_NONE || (f->known & ACS_KNOWN_EXT);
}

char *acs_func_addr(const struct acs_func *f, char *buf, size_t size)
{
	snprintf(buf, size, "%04x:%02x:%02x.%u", f->domain, f->bus, f->dev, f->fn);
	return buf;
}

const char *acs_pcie_type_name(int type)
{
	switch (type) {
	case ACS_PCIE_NONE: return "PCI";
	case ACS_PCIE_ENDPOINT: return "Endpoint";
	case ACS_PCIE_LEG_END: return "Legacy Endpoint";
	case ACS_PCIE_ROOT_PORT: return "Root Port";
	case ACS_PCIE_UPSTREAM: return "Upstream Port";
	case ACS_PCIE_DOWNSTREAM: return "Downstream Port";
	case ACS_PCIE_PCI_BRIDGE: return "PCIe-to-PCI Bridge";
	case ACS_PCIE_PCIE_BRIDGE: return "PCI-to-PCIe Bridge";
	case ACS_PCIE_RC_END: return "RC Integrated Endpoint";
	case ACS_PCIE_RC_EC: return "RC Event Collector";
	default: return "Unknown PCIe type";
	}
}
