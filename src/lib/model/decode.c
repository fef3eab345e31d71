/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding one function's config space: header, the standard capability
 * list and the extended one. Every pointer is checked against the bytes the
 * source had, and a list that loops is an error, never a hang.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

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

	if (!(acs_rd16(cfg, ACS_PCI_STATUS) & ACS_PCI_STATUS_CAP_LIST)) {
		f->known |= ACS_KNOWN_CAPS;
		return 0;
	}
	pos = cfg[f->header_type == ACS_PCI_HEADER_TYPE_CARDBUS ? ACS_PCI_CB_CAPABILITY_LIST
								 : ACS_PCI_CAPABILITY_LIST] & ~3u;
	while (pos) {
		if (pos < ACS_CFG_HEADER)
			return acs_error_func(ACS_EPARSE, origin, f,
				"capability pointer 0x%02x points into the header", pos);
		if (pos + ACS_PCI_CAP_LIST_NEXT + 1 > len)
			return 0; /* the source stopped before the list: unknown */
		if (seen[pos / 8] & (1u << (pos % 8)))
			return acs_error_func(ACS_EPARSE, origin, f,
				"capability list loops at 0x%02x", pos);
		seen[pos / 8] |= (uint8_t)(1u << (pos % 8));
		/* bridges carry their subsystem IDs in a capability */
		if (cfg[pos] == ACS_PCI_CAP_ID_SSVID && f->header_type == ACS_PCI_HEADER_TYPE_BRIDGE &&
		    pos + ACS_PCI_SSVID_DEVICE_ID + 2 <= len) {
			f->subsys_vendor = acs_rd16(cfg, pos + ACS_PCI_SSVID_VENDOR_ID);
			f->subsys_device = acs_rd16(cfg, pos + ACS_PCI_SSVID_DEVICE_ID);
		}
		if (cfg[pos] == ACS_PCI_CAP_ID_EXP) {
			if (pos + ACS_PCI_EXP_FLAGS + 2 > len)
				return 0;
			f->pcie_pos = (uint16_t)pos;
			f->pcie_type = (int8_t)((acs_rd16(cfg, pos + ACS_PCI_EXP_FLAGS) >>
						 ACS_PCI_EXP_FLAGS_TYPE_SHIFT) & 0xf);
		}
		pos = cfg[pos + ACS_PCI_CAP_LIST_NEXT] & ~3u;
	}
	f->known |= ACS_KNOWN_CAPS;
	return 0;
}

static int walk_ext_caps(struct acs_func *f, const char *origin)
{
	uint8_t seen[ACS_CFG_EXT / 4 / 8] = { 0 };
	unsigned pos = ACS_CFG_STD;

	while (pos) {
		/* extended space past what was stored reads as zero */
		uint32_t hdr = acs_func_cfg32(f, pos);
		unsigned id = ACS_PCI_EXT_CAP_ID(hdr), next = ACS_PCI_EXT_CAP_NEXT(hdr);

		if (hdr == 0 || hdr == 0xffffffff)
			break;
		if (seen[pos / 32] & (1u << (pos / 4 % 8)))
			return acs_error_func(ACS_EPARSE, origin, f,
				"extended capability list loops at 0x%03x", pos);
		seen[pos / 32] |= (uint8_t)(1u << (pos / 4 % 8));
		if (id == ACS_PCI_EXT_CAP_ID_ACS) {
			if (pos + ACS_PCI_ACS_SIZEOF > ACS_CFG_EXT)
				return acs_error_func(ACS_EPARSE, origin, f,
					"ACS capability at 0x%03x runs past config space", pos);
			f->acs_pos = (uint16_t)pos;
			f->acs_cap = acs_func_cfg16(f, pos + ACS_PCI_ACS_CAP);
			f->acs_ctrl = acs_func_cfg16(f, pos + ACS_PCI_ACS_CTRL);
			f->acs_egress_bits = (uint8_t)(f->acs_cap >> ACS_PCI_ACS_EGRESS_BITS_SHIFT);
		} else if (id == ACS_PCI_EXT_CAP_ID_ATS) {
			f->ats_pos = (uint16_t)pos;
		} else if (id == ACS_PCI_EXT_CAP_ID_SRIOV && pos + ACS_PCI_SRIOV_NUM_VF + 2 <= ACS_CFG_EXT) {
			f->sriov_pos = (uint16_t)pos;
			f->sriov_total_vfs = acs_func_cfg16(f, pos + ACS_PCI_SRIOV_TOTAL_VF);
			f->sriov_num_vfs = acs_func_cfg16(f, pos + ACS_PCI_SRIOV_NUM_VF);
			f->sriov_offset = acs_func_cfg16(f, pos + ACS_PCI_SRIOV_VF_OFFSET);
			f->sriov_stride = acs_func_cfg16(f, pos + ACS_PCI_SRIOV_VF_STRIDE);
			f->sriov_vf_device = acs_func_cfg16(f, pos + ACS_PCI_SRIOV_VF_DID);
		}
		if (next && next < ACS_CFG_STD)
			return acs_error_func(ACS_EPARSE, origin, f,
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
		return acs_error_func(ACS_EPARSE, origin, f,
			"truncated config space (%u bytes)", len);
	f->known = ACS_KNOWN_HEADER;
	f->vendor_id = acs_rd16(cfg, ACS_PCI_VENDOR_ID);
	f->device_id = acs_rd16(cfg, ACS_PCI_DEVICE_ID);
	f->revision = cfg[ACS_PCI_REVISION_ID];
	f->class_code = acs_rd32(cfg, ACS_PCI_CLASS_REVISION) >> 8;
	f->header_type = cfg[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_TYPE_MASK;
	f->multifunction = (cfg[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_MULTIFUNCTION) || raw->fn > 0;
	if (f->header_type == ACS_PCI_HEADER_TYPE_NORMAL) {
		f->subsys_vendor = acs_rd16(cfg, ACS_PCI_SUBSYSTEM_VENDOR_ID);
		f->subsys_device = acs_rd16(cfg, ACS_PCI_SUBSYSTEM_ID);
	} else if (f->header_type == ACS_PCI_HEADER_TYPE_CARDBUS && len >= ACS_PCI_CB_SUBSYSTEM_ID + 2) {
		/* a CardBus bridge's subsystem IDs lie past lspci -x's 64 bytes */
		f->subsys_vendor = acs_rd16(cfg, ACS_PCI_CB_SUBSYSTEM_VENDOR_ID);
		f->subsys_device = acs_rd16(cfg, ACS_PCI_CB_SUBSYSTEM_ID);
	}
	if (f->header_type == ACS_PCI_HEADER_TYPE_BRIDGE || f->header_type == ACS_PCI_HEADER_TYPE_CARDBUS) {
		f->is_bridge = true;
		f->primary = cfg[ACS_PCI_PRIMARY_BUS];
		f->secondary = cfg[ACS_PCI_SECONDARY_BUS];
		f->subordinate = cfg[ACS_PCI_SUBORDINATE_BUS];
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

/* v in hex, at least width digits, backwards from end; the first. */
static char *hex_digits(char *end, unsigned long v, int width)
{
	do {
		*--end = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (--width > 0 || v);
	return end;
}

/* "%04x:%02x:%02x.%u" by hand: a JSON answer names every function many
 * times, and snprintf() was a tenth of a run over a fleet of snapshots */
char *acs_func_addr(const struct acs_func *f, char *buf, size_t size)
{
	char text[32], *end = text + sizeof(text), *p;
	size_t n;

	*--end = '\0';
	p = end;
	for (unsigned v = f->fn;; v /= 10) {   /* %u: decimal */
		*--p = (char)('0' + v % 10);
		if (v < 10)
			break;
	}
	*--p = '.';
	p = hex_digits(p, f->dev, 2);
	*--p = ':';
	p = hex_digits(p, f->bus, 2);
	*--p = ':';
	p = hex_digits(p, f->domain, 4);
	n = (size_t)(end - p);
	if (size) {
		n = n < size - 1 ? n : size - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
	}
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

/* "ORIGIN: ADDRESS: what": an error about one function of a source. */
int acs_error_func(int code, const char *origin, const struct acs_func *fn,
		   const char *fmt, ...)
{
	char addr[ACS_ADDR_MAX], what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return acs_error_set(code, "%s: %s: %s", origin, acs_func_addr(fn, addr, sizeof(addr)), what);
}
