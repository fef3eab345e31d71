/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lspci -v / -vv / -vvv text (with or without -n/-nn) read back into config
 * space. For every device the lines lspci printed are turned into the bytes
 * that would have made lspci print them: the header, the standard and
 * extended capability lists (each capability at its own offset, chained in
 * the order listed), the PCI Express port type, ACS, ATS and SR-IOV. The
 * decoder then reads these bytes like any dump, so every source ends in the
 * same model. What the text cannot tell is marked unknown (known_mask).
 *
 * Only these lines are read; every other line is ignored, so filtered text
 * (a header, Bus, Capabilities headings, ACSCap/ACSCtl, SR-IOV lines and
 * the driver) is enough:
 *   00:02.1 PCI bridge [0604]: AMD Device [1022:14db] (rev 01) (prog-if 00 [..])
 *	Bus: primary=00, secondary=01, subordinate=0b, sec-latency=0
 *	Status: Cap+ ...
 *	Capabilities: [58] Express (v2) Root Port (Slot+), MSI 00
 *	Capabilities: [2a0 v1] Access Control Services
 *		ACSCap:	SrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ ...
 *		ACSCtl:	SrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ ...
 *		IOVCtl:	Enable- Migration- Interrupt- MSE- ARIHierarchy+ ...
 *		Initial VFs: 8, Total VFs: 8, Number of VFs: 0, ...
 *		VF offset: 128, stride: 2, Device ID: 1515
 *		ATSCtl:	Enable+, Smallest Translation Unit: 00
 *	Kernel driver in use: pcieport
 * The strings are those of pciutils' lspci.c, ls-caps.c and ls-ecaps.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/cfgsynth.h"
#include "sources/sources.h"

/* lspci's longest lines (VPD strings with escapes) stay well below this. */
#define LSPCI_MAX_LINE 2048
#define STD_MAX 48             /* 0x40 .. 0xfc in steps of 4 */
#define EXT_MAX 960            /* 0x100 .. 0xffc in steps of 4 */

#define NOID_LINES 4

/* What the last capability heading was, for the lines below it. */
enum cur { CUR_NONE, CUR_OTHER, CUR_EXP, CUR_ACS, CUR_ATS, CUR_SRIOV };

/* Per device, for the checks that need the whole file. */
enum {
	F_CAPS = 0x01,        /* Capabilities lines of its own, not denied */
	F_DENIED = 0x02,      /* Capabilities: <access denied> */
	F_PCIE = 0x04,        /* has a PCI Express capability */
	F_ACS_PART = 0x08,    /* ACS heading without ACSCap and ACSCtl */
	F_STATUS_NOCAP = 0x10,  /* Status: Cap- */
	F_STATUS_CAP = 0x20,    /* Status: Cap+ */
};

struct cap {
	uint16_t pos;
	uint16_t id;
	uint8_t ver;
	int line;
};

struct dev {
	bool open;
	int line;
	char addr[ACS_ADDR_MAX];
	uint32_t domain;
	uint8_t bus, slot, fn;
	uint16_t vendor, device;
	uint32_t class_code;       /* base << 16 | sub << 8 | prog-if */
	uint8_t rev;
	bool has_bus;
	uint8_t pri, sec, sub, sec_lat;
	uint8_t flags;             /* F_* */
	struct cap std[STD_MAX];
	unsigned nstd;
	struct cap ext[EXT_MAX];
	unsigned next;
	enum cur cur;
	bool pcie;                 /* has a PCI Express capability */
	uint16_t pcie_flags;
	uint32_t lnkcap;           /* from LnkCap: (port number, speed, width) */
	uint16_t lnksta;           /* from LnkSta: (speed, width) */
	int numa;                  /* "NUMA node: N", -1 none */
	uint16_t acs_cap, acs_ctrl;
	bool acs_seen, acs_cap_line, acs_ctl_line;
	uint16_t ats_ctrl;
	uint16_t iov_ctrl, iov_initial, iov_total, iov_num, iov_offset,
		 iov_stride, iov_did;
	uint8_t iov_fdl;
	char *driver;
	int kgroup;                /* "IOMMU group: N" (lspci -vv, 3.7 on), -1 none */
	int kgroup_line;
	uint32_t bar[6];           /* BAR registers from Region lines */
	uint64_t bar_size[6];      /* their [size=] where lspci knew it */
	uint32_t iov_bar[6];       /* VF BARs: Region lines in the SR-IOV capability */
	uint64_t iov_bar_size[6];  /* one VF's */
	uint8_t bar_upper, iov_bar_upper;  /* bit n: BAR n is the upper half of n-1 */
	bool mem_window, pref_window;   /* "... behind bridge:" lines seen */
	uint64_t mem_base, mem_limit, pref_base, pref_limit;
	bool pref64;
	struct acs_cfgsynth cfg;   /* last: parse_header() clears what is above it */
};

struct seen {
	uint32_t domain;
	uint8_t bus, slot, fn, flags;
	int line;
	size_t raw;                /* index into the builder */
};

struct ctx {
	struct acs_builder *b;
	const char *path;
	const struct acs_input *in;
	size_t pos;                /* of the next line in in->data */
	int line;
	char *buf;
	struct dev *d;
	struct seen *seen;
	size_t nseen, capseen;
	bool any_caps, any_driver;
	size_t kgroups;            /* devices with an "IOMMU group:" line */
	bool last_blank;           /* the line before was empty */
	size_t noid;               /* device lines without readable IDs */
	int noid_line[NOID_LINES]; /* the first of them */
	size_t blank_ended;        /* devices a blank line ended, as lspci -v ends them */
	bool cpu_addresses;        /* BARs as a live host's sysfs has them, not bus addresses */
};

static int perr(struct ctx *c, int line, const char *fmt, ...) ACS_PRINTF(3, 4);

/* "FILE:LINE: DEVICE: what", one line. */
static int perr(struct ctx *c, int line, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->d->open)
		return acs_error_set(ACS_EPARSE, "%s:%d: %s: %s", c->path, line,
				     c->d->addr, what);
	return acs_error_set(ACS_EPARSE, "%s:%d: %s", c->path, line, what);
}

/* --- small scanners: each returns the rest of the text or NULL --- */

static const char *lit(const char *p, const char *s)
{
	size_t n = strlen(s);

	return p && strncmp(p, s, n) == 0 ? p + n : NULL;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* 1..max hex digits, and no more. */
static const char *hexn(const char *p, unsigned max, unsigned long *out)
{
	unsigned n = 0;

	if (!p)
		return NULL;
	*out = 0;
	while (n < max && hexval(p[n]) >= 0)
		*out = *out << 4 | (unsigned long)hexval(p[n++]);
	if (!n || hexval(p[n]) >= 0)
		return NULL;
	return p + n;
}

/* 1..max decimal digits, and no more. */
static const char *decn(const char *p, unsigned max, unsigned long *out)
{
	unsigned n = 0;

	if (!p)
		return NULL;
	*out = 0;
	while (n < max && isdigit((unsigned char)p[n]))
		*out = *out * 10 + (unsigned long)(p[n++] - '0');
	if (!n || isdigit((unsigned char)p[n]))
		return NULL;
	return p + n;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Exactly "[xxxx:xxxx]" at p. */
static bool id_pair(const char *p, uint16_t *vendor, uint16_t *device)
{
	unsigned long v, d;
	const char *q = hexn(lit(p, "["), 4, &v);

	if (!q || q - p != 5)
		return false;
	q = lit(q, ":");
	p = q;
	q = hexn(q, 4, &d);
	if (!q || q - p != 4 || *q != ']')
		return false;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return true;
}

/* --- tables from pciutils --- */

struct name_id {
	const char *name;
	uint16_t id;
};

/* Class names lspci prints without -n (pci.ids), for the common ones. */
static const struct name_id class_names[] = {
	{ "Non-VGA unclassified device", 0x0000 },
	{ "VGA compatible unclassified device", 0x0001 },
	{ "SCSI storage controller", 0x0100 },
	{ "IDE interface", 0x0101 },
	{ "RAID bus controller", 0x0104 },
	{ "SATA controller", 0x0106 },
	{ "Serial Attached SCSI controller", 0x0107 },
	{ "Non-Volatile memory controller", 0x0108 },
	{ "Mass storage controller", 0x0180 },
	{ "Ethernet controller", 0x0200 },
	{ "Network controller", 0x0280 },
	{ "VGA compatible controller", 0x0300 },
	{ "3D controller", 0x0302 },
	{ "Display controller", 0x0380 },
	{ "Multimedia audio controller", 0x0401 },
	{ "Audio device", 0x0403 },
	{ "Multimedia controller", 0x0480 },
	{ "RAM memory", 0x0500 },
	{ "Memory controller", 0x0580 },
	{ "Host bridge", 0x0600 },
	{ "ISA bridge", 0x0601 },
	{ "PCI bridge", 0x0604 },
	{ "CardBus bridge", 0x0607 },
	{ "Semi-transparent PCI-to-PCI bridge", 0x0609 },
	{ "Bridge", 0x0680 },
	{ "Serial controller", 0x0700 },
	{ "Communication controller", 0x0780 },
	{ "PIC", 0x0800 },
	{ "IOMMU", 0x0806 },
	{ "System peripheral", 0x0880 },
	{ "FireWire (IEEE 1394)", 0x0c00 },
	{ "USB controller", 0x0c03 },
	{ "SMBus", 0x0c05 },
	{ "Serial bus controller", 0x0c80 },
	{ "Encryption controller", 0x1080 },
	{ "Signal processing controller", 0x1180 },
	{ "Processing accelerators", 0x1200 },
	{ "Non-Essential Instrumentation", 0x1300 },
	{ "Unassigned class", 0xff00 },
};

/* show_caps() in ls-caps.c: the start of each heading. Longer names with
 * a shorter one as prefix come first. */
static const struct name_id std_caps[] = {
	{ "Null", 0x00 },
	{ "Power Management", 0x01 },
	{ "AGP3", 0x0e },
	{ "AGP", 0x02 },
	{ "Vital Product Data", 0x03 },
	{ "Slot ID", 0x04 },
	{ "MSI-X", 0x11 },
	{ "MSI", 0x05 },
	{ "CompactPCI hot-swap", 0x06 },
	{ "PCI-X", 0x07 },
	{ "HyperTransport", 0x08 },
	{ "Vendor Specific Information", 0x09 },
	{ "Debug port", 0x0a },
	{ "CompactPCI central resource control", 0x0b },
	{ "Hot-plug capable", 0x0c },
	{ "Subsystem", 0x0d },
	{ "Secure device", 0x0f },
	{ "Express", ACS_PCI_CAP_ID_EXP },
	{ "SATA HBA", 0x12 },
	{ "PCI Advanced Features", 0x13 },
	{ "Enhanced Allocation", 0x14 },
};

/* show_ext_caps() in ls-ecaps.c (older lspci names included). */
static const struct name_id ext_caps[] = {
	{ "Null", 0x00 },
	{ "Advanced Error Reporting", 0x01 },
	{ "Virtual Channel", 0x02 },
	{ "Device Serial Number", 0x03 },
	{ "Power Budgeting", 0x04 },
	{ "Root Complex Link", 0x05 },
	{ "Root Complex Internal Link", 0x06 },
	{ "Root Complex Event Collector", 0x07 },
	{ "Multi-Function Virtual Channel", 0x08 },
	{ "Root Complex Register Block", 0x0a },
	{ "Vendor Specific Information", 0x0b },
	{ "Access Control Services", ACS_PCI_EXT_CAP_ID_ACS },
	{ "Alternative Routing-ID Interpretation", 0x0e },
	{ "Address Translation Service", ACS_PCI_EXT_CAP_ID_ATS },
	{ "Single Root I/O Virtualization", ACS_PCI_EXT_CAP_ID_SRIOV },
	{ "Multi-Root I/O Virtualization", 0x11 },
	{ "Multicast", 0x12 },
	{ "Page Request Interface", 0x13 },
	{ "Resizable BAR", 0x15 },
	{ "Physical Resizable BAR", 0x15 },
	{ "Dynamic Power Allocation", 0x16 },
	{ "Transaction Processing Hints", 0x17 },
	{ "Latency Tolerance Reporting", 0x18 },
	{ "Secondary PCI Express", 0x19 },
	{ "Protocol Multiplexing", 0x1a },
	{ "Process Address Space ID", 0x1b },
	{ "LN Requester", 0x1c },
	{ "Downstream Port Containment", 0x1d },
	{ "L1 PM Substates", 0x1e },
	{ "Precision Time Measurement", 0x1f },
	{ "PCI Express over M_PHY", 0x20 },
	{ "FRS Queueing", 0x21 },
	{ "Readiness Time Reporting", 0x22 },
	{ "Designated Vendor-Specific", 0x23 },
	{ "VF Resizable BAR", 0x24 },
	{ "Virtual Resizable BAR", 0x24 },
	{ "Data Link Feature", 0x25 },
	{ "Physical Layer 16.0 GT/s", 0x26 },
	{ "Lane Margining at the Receiver", 0x27 },
	{ "Hierarchy ID", 0x28 },
	{ "Native PCIe Enclosure Management", 0x29 },
	{ "Physical Layer 32.0 GT/s", 0x2a },
	{ "Data Object Exchange", 0x2e },
	{ "Device 3", 0x2f },
	{ "Integrity & Data Encryption", 0x30 },
	{ "Physical Layer 64.0 GT/s", 0x31 },
	{ "Flit Logging", 0x32 },
	{ "Flit Error Injection", 0x34 },
	{ "MMIO Register Block Locator", 0x36 },
};

/* cap_express(): PCI_EXP_FLAGS_TYPE by lspci's words. */
static const struct name_id port_types[] = {
	{ "Endpoint", ACS_PCIE_ENDPOINT },
	{ "Legacy Endpoint", ACS_PCIE_LEG_END },
	{ "Root Port", ACS_PCIE_ROOT_PORT },
	{ "Upstream Port", ACS_PCIE_UPSTREAM },
	{ "Downstream Port", ACS_PCIE_DOWNSTREAM },
	{ "PCI-Express to PCI/PCI-X Bridge", ACS_PCIE_PCI_BRIDGE },
	{ "PCI/PCI-X to PCI-Express Bridge", ACS_PCIE_PCIE_BRIDGE },
	{ "Root Complex Integrated Endpoint", ACS_PCIE_RC_END },
	{ "Root Complex Event Collector", ACS_PCIE_RC_EC },
};

/* cap_acs(): the seven flags of ACSCap and ACSCtl, in lspci's order. */
static const struct name_id acs_flags[] = {
	{ "SrcValid", ACS_SV },
	{ "TransBlk", ACS_TB },
	{ "ReqRedir", ACS_RR },
	{ "CmpltRedir", ACS_CR },
	{ "UpstreamFwd", ACS_UF },
	{ "EgressCtrl", ACS_EC },
	{ "DirectTrans", ACS_DT },
};

/* cap_sriov(): IOVCtl flags (PCI_IOV_CTRL_*). */
static const struct name_id iov_flags[] = {
	{ "Enable", 0x0001 },
	{ "Migration", 0x0002 },
	{ "Interrupt", 0x0004 },
	{ "MSE", 0x0008 },
	{ "ARIHierarchy", 0x0010 },
	{ "10BitTagReq", 0x0020 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The table entry whose name starts the text, followed by end, space,
 * comma or colon; -1 when none. */
static int lookup_prefix(const struct name_id *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(t[i].name);

		if (strncmp(s, t[i].name, k) == 0 &&
		    (!s[k] || s[k] == ' ' || s[k] == ',' || s[k] == ':'))
			return (int)i;
	}
	return -1;
}

/* --- config space --- */

/* Bytes an extended capability's fields take here (at least its header). */
static unsigned ext_size(uint16_t id)
{
	switch (id) {
	case ACS_PCI_EXT_CAP_ID_ACS: return ACS_PCI_ACS_SIZEOF;
	case ACS_PCI_EXT_CAP_ID_ATS: return ACS_PCI_ATS_SIZEOF;
	case ACS_PCI_EXT_CAP_ID_SRIOV: return ACS_PCI_SRIOV_VF_DID + 2;
	default: return 4;
	}
}

static int pos_cmp(const void *pa, const void *pb)
{
	const struct cap *a = *(const struct cap *const *)pa;
	const struct cap *b = *(const struct cap *const *)pb;

	return (int)a->pos - (int)b->pos;
}

/* The extended list: chained from 0x100 in the order listed (0x100 itself
 * first when listed, else a null header there leads to the first one). */
static int write_ext(struct ctx *c, struct dev *d)
{
	const struct cap *order[EXT_MAX];
	unsigned i, n = 0;
	struct acs_cfgsynth *s = &d->cfg;
	uint8_t *cfg = s->b;

	for (i = 0; i < d->next; i++)
		order[i] = &d->ext[i];
	qsort(order, d->next, sizeof(order[0]), pos_cmp);
	for (i = 0; i < d->next; i++) {
		unsigned end = order[i]->pos + ext_size(order[i]->id);

		if (end > ACS_CFG_EXT)
			return perr(c, order[i]->line,
				    "capability at 0x%03x runs past config space",
				    order[i]->pos);
		if (i + 1 < d->next && end > order[i + 1]->pos)
			return perr(c, order[i + 1]->line,
				    "capability at 0x%03x overlaps the one at 0x%03x",
				    order[i + 1]->pos, order[i]->pos);
	}
	for (i = 0; i < d->next; i++)
		if (d->ext[i].pos == ACS_CFG_STD)
			order[n++] = &d->ext[i];
	if (!n)   /* a null header (version 0) at 0x100 leads on */
		acs_cfgsynth_ext_ver(s, ACS_CFG_STD, 0, 0, 4);
	for (i = 0; i < d->next; i++)
		if (d->ext[i].pos != ACS_CFG_STD)
			order[n++] = &d->ext[i];
	for (i = 0; i < n; i++) {
		const struct cap *e = order[i];
		unsigned pos = e->pos;

		/* checked above: it fits */
		acs_cfgsynth_ext_ver(s, pos, e->id, e->ver, ext_size(e->id));
		switch (e->id) {
		case ACS_PCI_EXT_CAP_ID_ACS:
			acs_cfg_put16(cfg, pos + ACS_PCI_ACS_CAP, d->acs_cap);
			acs_cfg_put16(cfg, pos + ACS_PCI_ACS_CTRL, d->acs_ctrl);
			break;
		case ACS_PCI_EXT_CAP_ID_ATS:
			acs_cfg_put16(cfg, pos + ACS_PCI_ATS_CTRL, d->ats_ctrl);
			break;
		case ACS_PCI_EXT_CAP_ID_SRIOV:
			acs_cfg_put16(cfg, pos + ACS_PCI_SRIOV_CTRL, d->iov_ctrl);
			acs_cfg_put16(cfg, pos + ACS_PCI_SRIOV_INITIAL_VF, d->iov_initial);
			acs_cfg_put16(cfg, pos + ACS_PCI_SRIOV_TOTAL_VF, d->iov_total);
			acs_cfg_put16(cfg, pos + ACS_PCI_SRIOV_NUM_VF, d->iov_num);
			cfg[pos + ACS_PCI_SRIOV_FUNC_LINK] = d->iov_fdl;
			acs_cfg_put16(cfg, pos + ACS_PCI_SRIOV_VF_OFFSET, d->iov_offset);
			acs_cfg_put16(cfg, pos + ACS_PCI_SRIOV_VF_STRIDE, d->iov_stride);
			acs_cfg_put16(cfg, pos + ACS_PCI_SRIOV_VF_DID, d->iov_did);
			for (unsigned k = 0; k < 6; k++)
				acs_cfg_put32(cfg, pos + ACS_PCI_SRIOV_BAR + 4 * k, d->iov_bar[k]);
			break;
		default:
			break;
		}
	}
	return 0;
}

static bool bridge_class(uint32_t class_code)
{
	unsigned cls = class_code >> 8;

	return cls == ACS_PCI_CLASS_BRIDGE_PCI || cls == ACS_PCI_CLASS_BRIDGE_PCI_SEMI ||
	       cls == ACS_PCI_CLASS_BRIDGE_CARDBUS;
}

/* A bridge's memory windows closed (base above limit): what lspci says
 * [disabled], or what is not known. */
static void close_windows(uint8_t *cfg)
{
	acs_cfg_put16(cfg, ACS_PCI_MEMORY_BASE, ACS_PCI_MEMORY_RANGE_MASK);
	acs_cfg_put16(cfg, ACS_PCI_MEMORY_LIMIT, 0);
	acs_cfg_put16(cfg, ACS_PCI_PREF_MEMORY_BASE, ACS_PCI_MEMORY_RANGE_MASK);
	acs_cfg_put16(cfg, ACS_PCI_PREF_MEMORY_LIMIT, 0);
	memset(cfg + ACS_PCI_PREF_BASE_UPPER32, 0, 8);
}

/* Region lines back into BAR registers, "behind bridge" lines into a
 * bridge's window registers (closed where lspci says [disabled]). */
static void write_bars(const struct dev *d, uint8_t *cfg, uint8_t htype)
{
	for (unsigned k = 0; k < ACS_PCI_NUM_BARS(htype); k++)
		acs_cfg_put32(cfg, ACS_PCI_BASE_ADDRESS_0 + 4 * k, d->bar[k]);
	if (htype != ACS_PCI_HEADER_TYPE_BRIDGE)
		return;
	close_windows(cfg);
	if (d->mem_window) {
		acs_cfg_put16(cfg, ACS_PCI_MEMORY_BASE, (uint16_t)((d->mem_base >> 16) & ACS_PCI_MEMORY_RANGE_MASK));
		acs_cfg_put16(cfg, ACS_PCI_MEMORY_LIMIT, (uint16_t)((d->mem_limit >> 16) & ACS_PCI_MEMORY_RANGE_MASK));
	}
	if (d->pref_window) {
		acs_cfg_put16(cfg, ACS_PCI_PREF_MEMORY_BASE, (uint16_t)((d->pref_base >> 16) & ACS_PCI_MEMORY_RANGE_MASK));
		acs_cfg_put16(cfg, ACS_PCI_PREF_MEMORY_LIMIT, (uint16_t)((d->pref_limit >> 16) & ACS_PCI_MEMORY_RANGE_MASK));
	}
	/* the type bits are there whether the window is open or not */
	cfg[ACS_PCI_PREF_MEMORY_BASE] |= d->pref64;
	cfg[ACS_PCI_PREF_MEMORY_LIMIT] |= d->pref64;
	if (d->pref64 && d->pref_window) {
		acs_cfg_put32(cfg, ACS_PCI_PREF_BASE_UPPER32, (uint32_t)(d->pref_base >> 32));
		acs_cfg_put32(cfg, ACS_PCI_PREF_LIMIT_UPPER32, (uint32_t)(d->pref_limit >> 32));
	}
}

/* The device is complete: write its config space and hand it over. */
static int finish_dev(struct ctx *c)
{
	struct dev *d = c->d;
	struct acs_cfgsynth *syn = &d->cfg;
	uint8_t *cfg = syn->b;
	bool pcie = d->pcie && !(d->flags & F_DENIED);
	unsigned len = pcie ? ACS_CFG_EXT : ACS_CFG_STD;
	uint8_t htype = 0;
	struct seen *s;
	int rc;

	if (!d->open)
		return 0;
	if (bridge_class(d->class_code) && !d->has_bus)
		return perr(c, d->line,
			    "bridge (class %04x) without a 'Bus:' line (lspci -v or more needed)",
			    d->class_code >> 8);
	if (d->has_bus)
		htype = (d->class_code >> 8) == ACS_PCI_CLASS_BRIDGE_CARDBUS ? ACS_PCI_HEADER_TYPE_CARDBUS
									       : ACS_PCI_HEADER_TYPE_BRIDGE;
	acs_cfgsynth_init(syn, d->vendor, d->device, d->class_code, htype, false);
	cfg[ACS_PCI_REVISION_ID] = d->rev;
	if (htype) {
		acs_cfgsynth_buses(syn, d->pri, d->sec, d->sub);
		cfg[ACS_PCI_SEC_LATENCY_TIMER] = d->sec_lat;
	}
	write_bars(d, cfg, htype);
	/* the standard list in the order listed, each where it was */
	for (unsigned i = 0; !(d->flags & F_DENIED) && i < d->nstd; i++) {
		const struct cap *e = &d->std[i];

		acs_cfgsynth_cap(syn, e->pos, (uint8_t)e->id, 4);
		if (e->id == ACS_PCI_CAP_ID_EXP) {
			acs_cfg_put16(cfg, e->pos + ACS_PCI_EXP_FLAGS, d->pcie_flags);
			acs_cfg_put32(cfg, e->pos + ACS_PCI_EXP_LNKCAP, d->lnkcap);
			acs_cfg_put16(cfg, e->pos + ACS_PCI_EXP_LNKSTA, d->lnksta);
		}
	}
	if (pcie && d->next) {
		rc = write_ext(c, d);
		if (rc)
			return rc;
	}
	if (d->acs_seen && !(d->acs_cap_line && d->acs_ctl_line))
		d->flags |= F_ACS_PART;
	if (pcie)
		d->flags |= F_PCIE;

	rc = acs_builder_add(c->b, d->domain, d->bus, d->slot, d->fn, cfg, len);
	if (rc)
		return rc;
	acs_builder_last(c->b)->driver = d->driver;
	d->driver = NULL;
	acs_builder_last(c->b)->kernel_group = d->kgroup;
	acs_builder_last(c->b)->numa_node = d->numa;
	c->kgroups += d->kgroup >= 0;
	memcpy(acs_builder_last(c->b)->bar_size, d->bar_size, sizeof(d->bar_size));
	memcpy(acs_builder_last(c->b)->vf_bar_size, d->iov_bar_size, sizeof(d->iov_bar_size));
	if (c->nseen == c->capseen) {
		size_t cap = c->capseen ? c->capseen * 2 : 64;
		struct seen *ns = realloc(c->seen, cap * sizeof(*ns));

		if (!ns)
			return acs_error_nomem();
		c->seen = ns;
		c->capseen = cap;
	}
	s = &c->seen[c->nseen++];
	s->domain = d->domain;
	s->bus = d->bus;
	s->slot = d->slot;
	s->fn = d->fn;
	s->flags = d->flags;
	s->line = d->line;
	s->raw = c->b->n - 1;
	d->open = false;
	return 0;
}

/* --- lines --- */

/* "IOMMU group: N": the name of the device's iommu_group link in sysfs,
 * which lspci -vv (pciutils 3.7 on) prints where the kernel gave the
 * device a group; the kernel's ids are decimal (iommu_group_alloc()). */
static int parse_iommu_group(struct ctx *c, const char *p)
{
	struct dev *d = c->d;
	unsigned long v;
	const char *e = decn(p, 9, &v);

	if (!e || *skip_ws(e))
		return perr(c, c->line, "'IOMMU group:' without a decimal group number");
	if (d->kgroup >= 0)
		return perr(c, c->line, "a second 'IOMMU group:' line (the first at line %d)", d->kgroup_line);
	d->kgroup = (int)v;
	d->kgroup_line = c->line;
	return 0;
}

/* "[dddd:]bb:dd.f" followed by a space or the end. */
static const char *parse_addr(const char *p, struct dev *d)
{
	unsigned long a, b, dev, fn, dom = 0, bus;
	const char *q;

	q = hexn(p, 8, &a);
	q = lit(q, ":");
	q = hexn(q, 8, &b);
	if (!q)
		return NULL;
	if (*q == ':') {
		dom = a;
		bus = b;
		q = hexn(q + 1, 2, &dev);
	} else {
		bus = a;
		dev = b;
	}
	q = decn(lit(q, "."), 1, &fn);
	if (!q || (*q && *q != ' ') || bus > 0xff || dev > 0x1f || fn > 7 ||
	    dom > 0xffffffffUL)
		return NULL;
	d->domain = (uint32_t)dom;
	d->bus = (uint8_t)bus;
	d->slot = (uint8_t)dev;
	d->fn = (uint8_t)fn;
	snprintf(d->addr, sizeof(d->addr), "%04x:%02x:%02x.%u", d->domain,
		 d->bus, d->slot, d->fn);
	return q;
}

/* Whether a line at column 0 means to be a device's first line: its first
 * word is hex digits with ':' and '.' in it. */
static bool looks_like_addr(const char *s)
{
	bool colon = false, dot = false;

	if (hexval(*s) < 0)
		return false;
	for (; *s && *s != ' ' && *s != '\t'; s++) {
		if (*s == ':')
			colon = true;
		else if (*s == '.')
			dot = true;
		else if (hexval(*s) < 0)
			return false;
	}
	return colon && dot;
}

/* lspci -x hex lines ("00: 86 80 ..."): not ours, skipped. */
static bool hex_dump_line(const char *s)
{
	unsigned long v;
	const char *q = hexn(s, 3, &v);

	return q && q[0] == ':' && q[1] == ' ' && hexval(q[2]) >= 0;
}

static uint32_t class_by_name(const char *s, size_t n)
{
	for (size_t i = 0; i < NELEM(class_names); i++)
		if (strlen(class_names[i].name) == n &&
		    strncmp(s, class_names[i].name, n) == 0)
			return class_names[i].id;
	return 0xff00;
}

static int parse_header(struct ctx *c, const char *line)
{
	struct dev *d = c->d;
	const char *p, *colon, *q, *r;
	unsigned long v, dv;
	size_t n;

	memset(d, 0, offsetof(struct dev, cfg));
	p = parse_addr(line, d);
	if (!p)
		return perr(c, c->line, "malformed device address in '%.40s'", line);
	d->open = true;
	d->line = c->line;
	d->kgroup = -1;
	d->numa = -1;
	if (*p)
		p++;
	if (*p == '"')
		return perr(c, c->line,
			    "lspci -m output is not supported (use lspci -vv)");
	colon = strstr(p, ": ");
	if (!colon && (n = strlen(p)) > 0 && p[n - 1] == ':')
		colon = p + n - 1;  /* "... [0604]:" with nothing after */
	if (!colon || colon == p)
		return perr(c, c->line, "device line ends before its class (truncated?)");
	n = (size_t)(colon - p);
	/* -nn: "PCI bridge [0604]"; -n: "0604"; else the name only */
	if (n >= 6 && p[n - 6] == '[' && p[n - 1] == ']' &&
	    (q = hexn(p + n - 5, 4, &v)) && q == p + n - 1)
		d->class_code = (uint32_t)v << 8;
	else if (n == 4 && (q = hexn(p, 4, &v)) && q == p + 4)
		d->class_code = (uint32_t)v << 8;
	else if (strncmp(p, "Class ", 6) == 0 && n == 10 &&
		 (q = hexn(p + 6, 4, &v)) && q == p + 10)
		d->class_code = (uint32_t)v << 8;
	else
		d->class_code = class_by_name(p, n) << 8;
	p = skip_ws(colon + 1);
	/* IDs: -n puts them first, -nn last in brackets */
	q = hexn(p, 4, &v);
	if (q && q - p == 4 && *q == ':' && (r = hexn(q + 1, 4, &dv)) &&
	    r - q == 5 && (!*r || *r == ' ')) {
		d->vendor = (uint16_t)v;
		d->device = (uint16_t)dv;
	} else {
		bool ids = false;

		for (q = strchr(p, '['); q; q = strchr(q + 1, '['))
			ids |= id_pair(q, &d->vendor, &d->device);
		/* names alone: the kernel's quirks go by IDs (finish_file) */
		if (!ids && c->noid++ < NOID_LINES)
			c->noid_line[c->noid - 1] = c->line;
	}
	q = strstr(p, "(rev ");
	if (q && hexn(q + 5, 2, &v))
		d->rev = (uint8_t)v;
	q = strstr(p, "(prog-if ");
	if (q && hexn(q + 9, 2, &v))
		d->class_code |= (uint8_t)v;
	return 0;
}

static int parse_bus(struct ctx *c, const char *p)
{
	struct dev *d = c->d;
	unsigned long pri, sec, sub, lat = 0;
	const char *q;

	q = hexn(lit(p, "Bus: primary="), 2, &pri);
	q = hexn(lit(q, ", secondary="), 2, &sec);
	q = hexn(lit(q, ", subordinate="), 2, &sub);
	if (!q)
		return perr(c, c->line, "malformed 'Bus:' line");
	if (lit(q, ", sec-latency=") && !decn(lit(q, ", sec-latency="), 3, &lat))
		return perr(c, c->line, "malformed 'Bus:' line");
	d->has_bus = true;
	d->pri = (uint8_t)pri;
	d->sec = (uint8_t)sec;
	d->sub = (uint8_t)sub;
	d->sec_lat = (uint8_t)(lat > 255 ? 255 : lat);
	return 0;
}

/* "Express (v2) Root Port (Slot+), MSI 00" from after "Express". */
static int parse_express(struct ctx *c, const char *p)
{
	struct dev *d = c->d;
	unsigned long ver = 2, num;
	const char *q;
	int type = -1, k;

	p = skip_ws(p);
	if (p[0] == '(' && p[1] == 'v') {
		q = decn(p + 2, 2, &ver);
		if (!q || *q != ')')
			return perr(c, c->line, "malformed PCI Express capability version");
		p = skip_ws(q + 1);
	}
	k = lookup_prefix(port_types, NELEM(port_types), p);
	if (k >= 0) {
		type = port_types[k].id;
		p += strlen(port_types[k].name);
	} else if ((q = lit(p, "Unknown type ")) && (q = decn(q, 2, &num)) &&
		   num <= 15) {
		/* lspci's own words for a reserved type: keep its number */
		type = (int)num;
		p = q;
	} else {
		char word[48];
		size_t n = strcspn(p, ",");

		snprintf(word, sizeof(word), "%.*s", (int)(n < 40 ? n : 40), p);
		return perr(c, c->line, "unknown PCI Express port type '%s'", word);
	}
	d->pcie = true;
	d->cur = CUR_EXP;
	d->pcie_flags = (uint16_t)((ver & ACS_PCI_EXP_FLAGS_VERS) | (unsigned)type << ACS_PCI_EXP_FLAGS_TYPE_SHIFT);
	if (strstr(p, "(Slot+)"))
		d->pcie_flags |= ACS_PCI_EXP_FLAGS_SLOT;
	if ((q = strstr(p, ", MSI ")) && hexn(q + 6, 2, &num))
		d->pcie_flags |= (uint16_t)((num & 0x1f) << ACS_PCI_EXP_FLAGS_IRQ_SHIFT);
	else if ((q = strstr(p, ", IntMsgNum ")) && decn(q + 12, 2, &num))
		d->pcie_flags |= (uint16_t)((num & 0x1f) << ACS_PCI_EXP_FLAGS_IRQ_SHIFT);
	return 0;
}

/* "LnkCap:\tPort #2, Speed 8GT/s, Width x16, ASPM ..." and "LnkSta:\tSpeed
 * 8GT/s (ok), Width x16 (ok)": the link registers' fields lspci decoded,
 * for the link column and the port number an egress vector indexes. A
 * speed lspci could not name ("Speed unknown") or an odd width leaves the
 * field 0, as a register that says nothing. */
static uint32_t parse_link(const char *p, bool cap)
{
	unsigned long v;
	uint32_t reg = 0;
	const char *q;

	if (cap && (q = strstr(p, "Port #")) && decn(q + 6, 3, &v) && v <= 255)
		reg |= (uint32_t)v << 24;
	if ((q = strstr(p, "Speed ")))
		for (unsigned code = 1; acs_link_speed_name(code); code++)
			if (lit(q + 6, acs_link_speed_name(code)))
				reg |= code;
	if ((q = strstr(p, "Width x")) && decn(q + 7, 2, &v) && v && v <= 32)
		reg |= (uint32_t)v << ACS_PCI_EXP_LNK_WIDTH_SHIFT;
	return reg;
}

/* "NUMA node: N": the device's numa_node in sysfs, which lspci -v prints
 * where it is not -1. */
static int parse_numa(struct ctx *c, const char *p)
{
	unsigned long v;
	const char *q = decn(skip_ws(p), 5, &v);

	if (!q || *skip_ws(q) || v > 0xffff)
		return perr(c, c->line, "malformed 'NUMA node:' line");
	c->d->numa = (int)v;
	return 0;
}

static int parse_capability(struct ctx *c, const char *p)
{
	struct dev *d = c->d;
	unsigned long pos = 0, ver = 1;
	const char *q;
	struct cap *e;
	bool ext;
	int k;

	c->any_caps = true;
	if (lit(p, "<access denied>")) {
		d->flags |= F_DENIED;
		d->cur = CUR_NONE;
		return 0;
	}
	q = hexn(lit(p, "["), 3, &pos);
	if (q && lit(q, " v")) {
		q = decn(q + 2, 2, &ver);
		ext = true;
	} else {
		ext = pos >= ACS_CFG_STD;
	}
	if (!q || *q != ']' || q[1] != ' ')
		return perr(c, c->line, "malformed 'Capabilities:' line");
	q = skip_ws(q + 2);
	if (pos & 3)
		return perr(c, c->line, "capability offset 0x%02lx is not a multiple of 4", pos);
	if (ext != (pos >= ACS_CFG_STD) || pos < ACS_CFG_HEADER)
		return perr(c, c->line, "capability offset 0x%02lx is out of range", pos);
	d->flags |= F_CAPS;
	if (!ext) {
		for (unsigned i = 0; i < d->nstd; i++)
			if (d->std[i].pos == pos)
				return perr(c, c->line,
					    "capability at 0x%02lx listed twice (chain loops)", pos);
		e = &d->std[d->nstd++];  /* distinct aligned offsets: fits */
		e->pos = (uint16_t)pos;
		e->line = c->line;
		e->ver = 0;
		d->cur = CUR_OTHER;
		k = lookup_prefix(std_caps, NELEM(std_caps), q);
		if (k >= 0)
			e->id = std_caps[k].id;
		else if (lit(q, "Capability ID 0x") && hexn(q + 16, 2, &pos))
			e->id = (uint16_t)pos;
		else
			e->id = 0;     /* a Null capability keeps the chain */
		if (e->id == 0xff)
			e->id = 0;
		if (e->id == ACS_PCI_CAP_ID_EXP)
			return parse_express(c, q + strlen("Express"));
		return 0;
	}
	for (unsigned i = 0; i < d->next; i++)
		if (d->ext[i].pos == pos)
			return perr(c, c->line,
				    "capability at 0x%03lx listed twice (chain loops)", pos);
	e = &d->ext[d->next++];
	e->pos = (uint16_t)pos;
	e->line = c->line;
	e->ver = (uint8_t)(ver ? ver : 1);
	k = lookup_prefix(ext_caps, NELEM(ext_caps), q);
	if (k >= 0)
		e->id = ext_caps[k].id;
	else if (lit(q, "Extended Capability ID 0x") && hexn(q + 25, 4, &pos))
		e->id = (uint16_t)pos;
	else
		e->id = 0;
	switch (e->id) {
	case ACS_PCI_EXT_CAP_ID_ACS:
		if (d->acs_seen)
			return perr(c, c->line, "second ACS capability");
		d->acs_seen = true;
		d->cur = CUR_ACS;
		break;
	case ACS_PCI_EXT_CAP_ID_ATS:
		d->cur = CUR_ATS;
		break;
	case ACS_PCI_EXT_CAP_ID_SRIOV:
		d->cur = CUR_SRIOV;
		break;
	default:
		d->cur = CUR_OTHER;
		break;
	}
	return 0;
}

/* "Name+ Name- ..." against a table. all: every name must be there. */
static int parse_flags(struct ctx *c, const char *what, const char *p,
		       const struct name_id *t, size_t n, bool all,
		       uint16_t *out)
{
	unsigned seen = 0;

	*out = 0;
	for (p = skip_ws(p); *p; p = skip_ws(p)) {
		size_t len = strcspn(p, " \t");
		size_t i;

		for (i = 0; i < n; i++) {
			size_t k = strlen(t[i].name);

			if (len == k + 1 && strncmp(p, t[i].name, k) == 0 &&
			    (p[k] == '+' || p[k] == '-'))
				break;
		}
		if (i == n) {
			if (!all)  /* IOVCtl: newer lspci may add flags */
				goto next;
			return perr(c, c->line, "unknown %s flag '%.*s'", what,
				    (int)(len < 40 ? len : 40), p);
		}
		if (p[len - 1] == '+')
			*out |= t[i].id;
		seen |= 1u << i;
next:
		p += len;
	}
	if (all && seen != (1u << n) - 1) {
		for (size_t i = 0; i < n; i++)
			if (!(seen & (1u << i)))
				return perr(c, c->line, "%s line lacks %s (truncated?)",
					    what, t[i].name);
	}
	return 0;
}

static int parse_acs(struct ctx *c, const char *p, bool ctl)
{
	struct dev *d = c->d;
	const char *what = ctl ? "ACSCtl" : "ACSCap";
	uint16_t v;
	int rc;

	if (d->cur != CUR_ACS)
		return perr(c, c->line, "%s line outside an Access Control Services capability", what);
	rc = parse_flags(c, what, p, acs_flags, NELEM(acs_flags), true, &v);
	if (rc)
		return rc;
	if (ctl) {
		d->acs_ctrl = v;
		d->acs_ctl_line = true;
	} else {
		d->acs_cap = v;
		d->acs_cap_line = true;
	}
	return 0;
}

static int parse_sriov(struct ctx *c, const char *p)
{
	struct dev *d = c->d;
	unsigned long a = 0, b = 0, n = 0, fdl = 0;
	const char *q;

	if ((q = lit(p, "IOVCtl:")))
		return parse_flags(c, "IOVCtl", q, iov_flags, NELEM(iov_flags), false,
				   &d->iov_ctrl);
	if ((q = lit(p, "Initial VFs: "))) {
		q = decn(q, 5, &a);
		q = decn(lit(q, ", Total VFs: "), 5, &b);
		q = decn(lit(q, ", Number of VFs: "), 5, &n);
		if (!q || a > 0xffff || b > 0xffff || n > 0xffff)
			return perr(c, c->line, "malformed SR-IOV 'Initial VFs:' line");
		if (lit(q, ", Function Dependency Link: "))
			hexn(q + 28, 2, &fdl);
		d->iov_initial = (uint16_t)a;
		d->iov_total = (uint16_t)b;
		d->iov_num = (uint16_t)n;
		d->iov_fdl = (uint8_t)fdl;
		return 0;
	}
	if ((q = lit(p, "VF offset: "))) {
		q = decn(q, 5, &a);
		q = decn(lit(q, ", stride: "), 5, &b);
		q = hexn(lit(q, ", Device ID: "), 4, &n);
		if (!q || a > 0xffff || b > 0xffff)
			return perr(c, c->line, "malformed SR-IOV 'VF offset:' line");
		d->iov_offset = (uint16_t)a;
		d->iov_stride = (uint16_t)b;
		d->iov_did = (uint16_t)n;
	}
	return 0;
}

/* One line of a device's body (leading white space removed). */
/* Exactly len hex digits (1..16) at p. */
static bool hex64(const char *p, size_t len, uint64_t *out)
{
	*out = 0;
	if (!len || len > 16)
		return false;
	for (size_t k = 0; k < len; k++) {
		if (hexval(p[k]) < 0)
			return false;
		*out = *out << 4 | (uint64_t)hexval(p[k]);
	}
	return true;
}

/* " [size=16K]" anywhere after p: the size, or 0 */
static uint64_t region_size(const char *p)
{
	const char *q = strstr(p, "[size="), *end;
	uint64_t v = 0;

	if (!q || !(end = strchr(q, ']')))
		return 0;
	q += 6;
	return acs_parse_size(q, (size_t)(end - q), &v) ? v : 0;
}

/* "Region N: Memory at ADDR (64-bit, prefetchable) [size=1G]" (lspci -vv;
 * -v leaves the number out, and with it which BAR a line is); inside the
 * SR-IOV capability, a VF BAR (its size one VF's) */
static int parse_region(struct ctx *c, const char *p)
{
	struct dev *d = c->d;
	uint32_t *bar = d->cur == CUR_SRIOV ? d->iov_bar : d->bar;
	uint64_t *bar_size = d->cur == CUR_SRIOV ? d->iov_bar_size : d->bar_size;
	uint8_t *upper = d->cur == CUR_SRIOV ? &d->iov_bar_upper : &d->bar_upper;
	unsigned long n;
	size_t len;
	uint64_t addr = 0;
	const char *q = decn(p, 1, &n), *at;
	bool is64, pref;

	if (!q || n > 5 || !(q = lit(q, ":")))
		return perr(c, c->line, "malformed 'Region' line");
	/* the upper half of a 64-bit BAR, which lspci may list again */
	if (*upper & (1u << n))
		return 0;
	q = skip_ws(q);
	if (lit(q, "[virtual]"))
		q = skip_ws(q + 9);
	if ((at = lit(q, "I/O ports at "))) {
		unsigned long io = 0;

		if (*at != '<' && !hexn(at, 8, &io))
			return perr(c, c->line, "malformed 'Region %lu' I/O address", n);
		bar[n] = ((uint32_t)io & ~3u) | 1u;
		bar_size[n] = region_size(at);
		return 0;
	}
	if (!(at = lit(q, "Memory at ")))
		return 0;   /* what lspci may add later: not ours */
	len = strspn(at, "0123456789abcdefABCDEF");
	if (*at != '<' && (!hex64(at, len, &addr) || at[len] != ' '))
		return perr(c, c->line, "malformed 'Region %lu' address", n);
	is64 = strstr(at, "(64-bit,") != NULL;
	pref = strstr(at, ", prefetchable)") != NULL;
	/* a 32-bit BAR past 4 GiB: lspci printed the CPU address sysfs
	 * gives (a live host whose bridge translates, as POWER's M32 does) */
	if (!is64 && addr >> 32)
		c->cpu_addresses = true;
	bar[n] = ((uint32_t)addr & ~0xfu) | (is64 ? 0x4u : strstr(at, "(low-1M,") ? 0x2u : 0) | (pref ? 0x8u : 0);
	/* BAR5 typed 64-bit has no upper half: config space holds it so */
	if (is64 && n < 5) {
		bar[n + 1] = (uint32_t)(addr >> 32);
		*upper |= (uint8_t)(1u << (n + 1));
	}
	bar_size[n] = region_size(at);
	return 0;
}

/* "Memory behind bridge: 80000000-803fffff [size=4M] [32-bit]", or
 * "[disabled]" (-vvv prints the registers before it) */
static int parse_window(struct ctx *c, const char *p, bool pref)
{
	struct dev *d = c->d;
	const char *q = skip_ws(p), *dash = strchr(q, '-');
	size_t len = strspn(q, "0123456789abcdefABCDEF"), llen = dash ? strspn(dash + 1, "0123456789abcdefABCDEF") : 0;
	uint64_t base, limit;

	if (pref)
		d->pref64 = strstr(q, "[64-bit]") != NULL;
	/* closed, or a form lspci may print one day: no window */
	if (strstr(q, "[disabled]") || !len)
		return 0;
	if (!dash || (size_t)(dash - q) != len || !hex64(q, len, &base) || !hex64(dash + 1, llen, &limit) ||
	    (dash[1 + llen] != ' ' && dash[1 + llen] != '\0'))
		return perr(c, c->line, "malformed '%s behind bridge' line", pref ? "Prefetchable memory" : "Memory");
	if (pref) {
		d->pref_window = true;
		d->pref_base = base;
		d->pref_limit = limit;
	} else {
		d->mem_window = true;
		d->mem_base = base;
		d->mem_limit = limit;
	}
	return 0;
}

static int parse_body(struct ctx *c, const char *p)
{
	struct dev *d = c->d;
	const char *q;

	if ((q = lit(p, "Region ")))
		return parse_region(c, q);
	if ((q = lit(p, "Memory behind bridge:")))
		return parse_window(c, q, false);
	if ((q = lit(p, "Prefetchable memory behind bridge:")))
		return parse_window(c, q, true);

	if (lit(p, "Bus: primary="))
		return parse_bus(c, p);
	if ((q = lit(p, "Capabilities:")))
		return parse_capability(c, skip_ws(q));
	if ((q = lit(p, "ACSCap:")))
		return parse_acs(c, q, false);
	if ((q = lit(p, "ACSCtl:")))
		return parse_acs(c, q, true);
	if ((q = lit(p, "IOMMU group:")))
		return parse_iommu_group(c, skip_ws(q));
	if ((q = lit(p, "NUMA node:")))
		return parse_numa(c, q);
	if (d->cur == CUR_EXP && (q = lit(p, "LnkCap:"))) {
		d->lnkcap = parse_link(q, true);
		return 0;
	}
	if (d->cur == CUR_EXP && (q = lit(p, "LnkSta:"))) {
		d->lnksta = (uint16_t)parse_link(q, false);
		return 0;
	}
	if ((q = lit(p, "Kernel driver in use:"))) {
		size_t n;

		q = skip_ws(q);
		n = strcspn(q, " \t");
		if (!n)
			return perr(c, c->line, "empty 'Kernel driver in use:' line");
		free(d->driver);
		d->driver = malloc(n + 1);
		if (!d->driver)
			return acs_error_nomem();
		memcpy(d->driver, q, n);
		d->driver[n] = '\0';
		c->any_driver = true;
		return 0;
	}
	if (lit(p, "Status: Cap+")) {
		d->flags |= F_STATUS_CAP;
		return 0;
	}
	if (lit(p, "Status: Cap-")) {
		d->flags |= F_STATUS_NOCAP;
		return 0;
	}
	if (d->cur == CUR_SRIOV)
		return parse_sriov(c, p);
	if (d->cur == CUR_ATS && (q = lit(p, "ATSCtl:")) && strstr(q, "Enable+"))
		d->ats_ctrl |= ACS_PCI_ATS_CTRL_ENABLE;
	return 0;
}

/* One line into c->buf; 0 at the end of the file, 1 for a line. */
static int read_line(struct ctx *c)
{
	const char *p = c->in->data + c->pos, *end = c->in->data + c->in->len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

	if (p == end)
		return 0;
	if (memchr(p, '\0', n))
		return perr(c, c->line + 1, "NUL byte: not lspci text");
	if (n > LSPCI_MAX_LINE)
		return perr(c, c->line + 1, "line too long (over %d characters)", LSPCI_MAX_LINE);
	/* lspci ends every line: one without its end was cut */
	if (!nl)
		return perr(c, c->line + 1, "the file ends inside this line (cut short?)");
	c->pos += n + 1;
	while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	memcpy(c->buf, p, n);
	c->buf[n] = '\0';
	c->line++;
	return 1;
}

static int seen_cmp(const void *pa, const void *pb)
{
	const struct seen *a = pa, *b = pb;

	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus - b->bus;
	if (a->slot != b->slot)
		return a->slot - b->slot;
	if (a->fn != b->fn)
		return a->fn - b->fn;
	return a->line - b->line;
}

/* What needs the whole file: duplicates, multifunction slots, the known
 * mask and whether drivers were shown at all. */
static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A non-prefetchable BAR above 4 GiB below a bridge: no bus can place it
 * there (a bridge's memory window is 32-bit), so lspci printed CPU
 * addresses, from a live host whose host bridge translates them. */
static bool nonpref_above_4g(const struct ctx *c)
{
	const struct acs_builder *b = c->b;
	uint64_t *below = malloc((c->nseen + 1) * sizeof(*below));   /* domain:bus of every secondary bus */
	size_t nbelow = 0;
	bool found = false;

	if (!below)
		return false;
	for (size_t k = 0; k < c->nseen; k++) {
		const uint8_t *br = b->raw[c->seen[k].raw].cfg;

		if ((br[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_TYPE_MASK) == ACS_PCI_HEADER_TYPE_BRIDGE &&
		    br[ACS_PCI_SECONDARY_BUS])
			below[nbelow++] = (uint64_t)c->seen[k].domain << 8 | br[ACS_PCI_SECONDARY_BUS];
	}
	qsort(below, nbelow, sizeof(*below), key_cmp);
	for (size_t i = 0; i < c->nseen && !found; i++) {
		const uint8_t *cfg = b->raw[c->seen[i].raw].cfg;
		uint64_t key = (uint64_t)c->seen[i].domain << 8 | c->seen[i].bus;

		if (!bsearch(&key, below, nbelow, sizeof(*below), key_cmp))
			continue;
		/* (only bridges are on a bus below a bridge) */
		for (unsigned n = 0; !found && n + 1 < ((cfg[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_TYPE_MASK) ==
							ACS_PCI_HEADER_TYPE_NORMAL ? 6u : 2u); n++) {
			uint32_t lo = acs_rd32(cfg, ACS_PCI_BASE_ADDRESS_0 + 4 * n);
			uint32_t hi = acs_rd32(cfg, ACS_PCI_BASE_ADDRESS_0 + 4 * (n + 1));
			bool mem64 = !(lo & ACS_PCI_BASE_ADDRESS_SPACE_IO) &&
				     (lo & ACS_PCI_BASE_ADDRESS_MEM_TYPE_MASK) == ACS_PCI_BASE_ADDRESS_MEM_TYPE_64;

			found = mem64 && !(lo & ACS_PCI_BASE_ADDRESS_MEM_PREFETCH) && hi;
			if (mem64)
				n++;
		}
	}
	free(below);
	return found;
}

/*
 * Device lines without vendor and device IDs: a file of names only
 * (lspci without -n or -nn) is refused, since the kernel's quirks go by
 * IDs; a few lines whose IDs were cut (hardware-probe uploads shorten long
 * names, "[8086...") are read with a warning naming them.
 */
static int check_ids(struct ctx *c)
{
	char lines[64] = "";

	if (!c->noid)
		return 0;
	if (c->noid == c->nseen)
		return acs_error_set(ACS_EPARSE, "%s:%d: no vendor and device IDs on any device line "
				     "(lspci without -n or -nn prints names only, and the kernel's "
				     "quirks go by IDs): use lspci -vvnn", c->path, c->noid_line[0]);
	for (size_t k = 0; k < c->noid && k < NOID_LINES; k++)
		snprintf(lines + strlen(lines), sizeof(lines) - strlen(lines), "%s%d", k ? ", " : "",
			 c->noid_line[k]);
	return acs_builder_warn(c->b, "%s: %zu device line%s without readable vendor and device IDs "
				"(line%s %s%s): read as 0000:0000, so no quirk that matches by ID "
				"applies to %s", c->path, c->noid, c->noid > 1 ? "s" : "",
				c->noid > 1 ? "s" : "", lines, c->noid > NOID_LINES ? ", ..." : "",
				c->noid > 1 ? "them" : "it");
}

/*
 * Intel VMD. The text has no sysfs path to say which endpoint owns a
 * domain, but the domains the vmd driver creates are its own:
 * vmd_find_free_domain() numbers them from 0x10000 up, above every PCI
 * segment firmware can name. Where the pairing is unambiguous (one
 * endpoint bound to "vmd", or with a VMD device ID where lspci showed no
 * drivers, and one such domain) the domain is the endpoint's; the model
 * then follows pci_real_dma_dev() (5.6) as for a sysfs capture.
 */
static bool vmd_endpoint(const struct acs_raw_func *r, bool drivers)
{
	static const uint16_t ids[] = {   /* drivers/pci/controller/vmd.c vmd_ids[] */
		0x201d, 0x28c0, 0x467f, 0x4c3d, 0x7d0b, 0x9a0b, 0xa77f, 0xad0b, 0xb60b,
	};
	uint16_t vendor, device;

	if (drivers)
		return r->driver && !strcmp(r->driver, "vmd");
	if (r->cfg_stored < 4)
		return false;
	vendor = (uint16_t)(r->cfg[0] | r->cfg[1] << 8);
	device = (uint16_t)(r->cfg[2] | r->cfg[3] << 8);
	if (vendor != 0x8086)
		return false;
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
		if (device == ids[k])
			return true;
	return false;
}

static int infer_vmd(struct ctx *c)
{
	struct acs_builder *b = c->b;
	const struct acs_raw_func *ep = NULL;
	size_t neps = 0, ndomains = 0;
	uint32_t domain = 0;

	for (size_t k = 0; k < b->n; k++) {
		const struct acs_raw_func *r = &b->raw[k];

		if (r->domain < 0x10000 && vmd_endpoint(r, c->any_driver)) {
			ep = r;
			neps++;
		}
		if (r->domain >= 0x10000 && (!ndomains || r->domain != domain)) {
			bool seen = false;

			for (size_t j = 0; j < k && !seen; j++)
				seen = b->raw[j].domain == r->domain;
			if (!seen) {
				domain = r->domain;
				ndomains++;
			}
		}
	}
	if (!ndomains)
		return 0;
	if (neps == 1 && ndomains == 1)
		return acs_builder_add_vmd(b, domain, ep->domain, ep->bus, ep->dev, ep->fn);
	return acs_builder_warn(b, "%s: %zu domain%s from 10000 up (Intel VMD's) and %zu VMD "
				"endpoint%s: which endpoint owns which domain is not in lspci text, so "
				"their devices are grouped as if no VMD were there",
				c->path, ndomains, ndomains == 1 ? "" : "s", neps, neps == 1 ? "" : "s");
}

static int finish_file(struct ctx *c)
{
	struct acs_builder *b = c->b;
	size_t i, j;
	int rc = check_ids(c);

	if (rc)
		return rc;
	if (c->nseen)
		qsort(c->seen, c->nseen, sizeof(*c->seen), seen_cmp);
	for (i = 0; i < c->nseen; i = j) {
		const struct seen *s = &c->seen[i];

		for (j = i + 1; j < c->nseen && c->seen[j].domain == s->domain &&
		     c->seen[j].bus == s->bus && c->seen[j].slot == s->slot; j++)
			if (c->seen[j].fn == c->seen[j - 1].fn)
				return acs_error_set(ACS_EPARSE,
					"%s:%d: %04x:%02x:%02x.%u: duplicate address (first at line %d)",
					c->path, c->seen[j].line, s->domain, s->bus,
					s->slot, c->seen[j].fn, c->seen[j - 1].line);
		/* the kernel scans functions 1..7 only when 0 says multifunction */
		if (j - i > 1 && s->fn == 0)
			b->raw[s->raw].cfg[ACS_PCI_HEADER_TYPE] |= ACS_PCI_HEADER_MULTIFUNCTION;
	}
	/* The kernel's groups, where lspci printed them (-vv of a host
	 * whose IOMMU was on); a device without the line has none: the
	 * IOMMU leaves it out, or the line was lost (the analyses say
	 * which). Without any line the text cannot tell. */
	if (c->kgroups)
		b->kgroups = ACS_KGROUPS_PRESENT;
	if (!c->cpu_addresses)
		c->cpu_addresses = nonpref_above_4g(c);
	/* CPU addresses are not what the bridges decode: no BAR or window is
	 * known rather than wrong ones (acsctl says BAR addresses are unknown) */
	for (i = 0; c->cpu_addresses && i < c->nseen; i++) {
		struct acs_raw_func *r = &b->raw[c->seen[i].raw];
		bool bridge = (r->cfg[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_TYPE_MASK) == ACS_PCI_HEADER_TYPE_BRIDGE;

		/* the BARs (any other header type cleared as type 0's) */
		memset(r->cfg + ACS_PCI_BASE_ADDRESS_0, 0,
		       4 * ACS_PCI_NUM_BARS(bridge ? ACS_PCI_HEADER_TYPE_BRIDGE : ACS_PCI_HEADER_TYPE_NORMAL));
		if (bridge)
			close_windows(r->cfg);
	}
	for (i = 0; i < c->nseen; i++) {
		const struct seen *s = &c->seen[i];
		struct acs_raw_func *r = &b->raw[s->raw];
		uint32_t known = ACS_KNOWN_HEADER;
		bool caps;

		/* lspci prints every capability it can read from -v on, so
		 * a verbose file's device without any has none; Status (-vv)
		 * says so itself. */
		if (s->flags & F_DENIED)
			caps = false;
		else if (s->flags & F_CAPS)
			caps = true;
		else if (s->flags & F_STATUS_CAP)
			caps = false;
		else
			caps = c->any_caps || (s->flags & F_STATUS_NOCAP);
		if (caps)
			known |= ACS_KNOWN_CAPS;
		/* Without root lspci shows <access denied> for the whole list,
		 * so a PCIe device whose list it showed had its extended space
		 * read too. (A PCIe device without any extended capability is
		 * common in VMs; where the space really was not there, e.g. no
		 * MMCONFIG, the kernel finds no ACS either.) Only lspci -v,
		 * which names ACS without its registers, leaves ACS unknown. */
		if (caps && (s->flags & F_PCIE) && !(s->flags & F_ACS_PART))
			known |= ACS_KNOWN_EXT;
		r->known_mask = known;
		r->has_driver = c->any_driver;
	}
	return infer_vmd(c);
}

static int parse_file(struct ctx *c)
{
	int more, rc = 0;

	while ((more = read_line(c)) > 0) {
		const char *line = c->buf;

		if (line[0] && line[0] != ' ' && line[0] != '\t') {
			if (hex_dump_line(line) || !looks_like_addr(line)) {
				c->last_blank = false;
				continue;
			}
			c->blank_ended += c->d->open && c->last_blank;
			rc = finish_dev(c);
			if (!rc)
				rc = parse_header(c, line);
		} else if (c->d->open && line[0]) {
			rc = parse_body(c, skip_ws(line));
		}
		c->last_blank = !line[0];
		if (rc)
			return rc;
	}
	if (more < 0)
		return more;
	if (c->d->open && !c->last_blank && c->blank_ended &&
	    (rc = acs_builder_warn(c->b, "%s:%d: %s: no blank line after the last device, as lspci "
				   "prints one: if the file was cut inside its block, what followed is "
				   "missing", c->path, c->line, c->d->addr)))
		return rc;
	rc = finish_dev(c);
	if (rc)
		return rc;
	return finish_file(c);
}

static int lspci_load(struct acs_builder *b, const char *path, struct acs_input *in)
{
	struct ctx c = { .b = b, .path = in->name, .in = in };
	int rc;

	c.buf = malloc(LSPCI_MAX_LINE + 1);
	c.d = calloc(1, sizeof(*c.d));
	if (!c.buf || !c.d) {
		rc = acs_error_nomem();
		goto done;
	}
	rc = parse_file(&c);
done:
	if (c.d)
		free(c.d->driver);
	free(c.d);
	free(c.buf);
	free(c.seen);
	return rc;
}

const struct acs_source_ops acs_source_lspci = {
	.kind = ACS_SOURCE_LSPCI,
	.name = "lspci",
	.load = lspci_load,
};
