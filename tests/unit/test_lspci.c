/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lspci -v/-vv text read back into config space: each rule on small texts,
 * every bad input as a one-line error naming file, line and device, the
 * real machines of ../shared/realdata, and every VM fixture turned into
 * lspci -vvnn text by the real lspci giving the groups its hex dump gives.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acsctl/bars.h"
#include "tfab.h"

/* Through detection, as -F FILE does. */
static acs_fabric *load_text(const char *text)
{
	acs_fabric *f = NULL;

	if (tload(tdir_write("ok.txt", text), ACS_SOURCE_FILE, &f))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(acs_fabric_source_kind(f), ACS_SOURCE_LSPCI);
	return f;
}

/* The error names FILE:LINE, the device (when given) and what. */
static void expect_error(const char *text, int line, const char *dev,
			 const char *what)
{
	char *path = tdir_write("bad.txt", text);
	char where[300];
	acs_fabric *f = NULL;
	const char *msg;
	int rc = tload(path, ACS_SOURCE_FILE, &f);

	msg = acs_error_last()->message;
	if (rc != ACS_EPARSE)
		fail_msg("rc %d, not ACS_EPARSE: '%s'", rc, msg);
	assert_null(f);
	snprintf(where, sizeof(where), "%s:%d: ", path, line);
	if (!strstr(msg, where) || (dev && !strstr(msg, dev)) || !strstr(msg, what))
		fail_msg("error '%s' does not name '%s', '%s' and '%s'", msg, where,
			 dev ? dev : "", what);
	assert_null(strchr(msg, '\n'));
}

/* A root port with ACS and an NVMe behind it, as lspci -vvnn prints them
 * (filtered to the lines that matter, plus some that do not). */
static const char switch_text[] =
	"00:00.0 Host bridge [0600]: Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller [8086:29c0]\n"
	"\tSubsystem: Red Hat, Inc. QEMU Virtual Machine [1af4:1100]\n"
	"\tControl: I/O+ Mem+ BusMaster- SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR+ FastB2B- DisINTx-\n"
	"\n"
	"00:02.0 PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c] (prog-if 00 [Normal decode])\n"
	"\tBus: primary=00, secondary=01, subordinate=03, sec-latency=0\n"
	"\tCapabilities: [54] Express (v2) Root Port (Slot+), MSI 00\n"
	"\t\tDevCap:\tMaxPayload 128 bytes, PhantFunc 0\n"
	"\tCapabilities: [48] MSI-X: Enable+ Count=1 Masked-\n"
	"\tCapabilities: [40] Subsystem: Red Hat, Inc. Device [1b36:0000]\n"
	"\tCapabilities: [100 v2] Advanced Error Reporting\n"
	"\tCapabilities: [148 v1] Access Control Services\n"
	"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+\n"
	"\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n"
	"\tKernel driver in use: pcieport\n"
	"\n"
	"01:00.0 PCI bridge [0604]: Texas Instruments XIO3130 PCI Express Switch (Upstream) [104c:8232] (rev 02) (prog-if 00 [Normal decode])\n"
	"\tBus: primary=01, secondary=02, subordinate=03, sec-latency=0\n"
	"\tCapabilities: [90] Express (v2) Upstream Port, MSI 00\n"
	"\tCapabilities: [100 v1] Advanced Error Reporting\n"
	"\n"
	"02:00.0 PCI bridge [0604]: Texas Instruments XIO3130 PCI Express Switch (Downstream) [104c:8233] (rev 01) (prog-if 00 [Normal decode])\n"
	"\tBus: primary=02, secondary=03, subordinate=03, sec-latency=0\n"
	"\tCapabilities: [90] Express (v2) Downstream Port (Slot+), MSI 00\n"
	"\tCapabilities: [100 v1] Advanced Error Reporting\n"
	"\n"
	"03:00.0 Non-Volatile memory controller [0108]: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010] (rev 02) (prog-if 02 [NVM Express])\n"
	"\tCapabilities: [80] Express (v2) Endpoint, MSI 00\n"
	"\tCapabilities: [60] Power Management version 3\n"
	"\tKernel driver in use: nvme\n"
	"\n"
	"03:00.1 Non-Volatile memory controller [0108]: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010] (rev 02) (prog-if 02 [NVM Express])\n"
	"\tCapabilities: [80] Express (v2) Endpoint, MSI 00\n";

static void test_lspci_load__switch(void **state)
{
	acs_fabric *f;
	const struct acs_func *rp, *ep;

	(void)state;
	f = load_text(switch_text);
	assert_int_equal(acs_fabric_count(f), 6);
	rp = tfab_func(f, "00:02.0");
	assert_int_equal(rp->vendor_id, 0x1b36);
	assert_int_equal(rp->device_id, 0x000c);
	assert_int_equal(rp->class_code, 0x060400);
	assert_int_equal(rp->header_type, 1);
	assert_true(rp->is_bridge);
	assert_int_equal(rp->secondary, 1);
	assert_int_equal(rp->subordinate, 3);
	assert_int_equal(rp->pcie_type, ACS_PCIE_ROOT_PORT);
	assert_int_equal(rp->pcie_pos, 0x54);
	assert_int_equal(rp->acs_pos, 0x148);
	assert_int_equal(rp->acs_cap, 0x5f);
	assert_int_equal(rp->acs_ctrl, 0x1d);
	assert_int_equal(rp->cfg_len, 4096);
	assert_string_equal(rp->driver, "pcieport");
	assert_int_equal(tfab_func(f, "01:00.0")->pcie_type, ACS_PCIE_UPSTREAM);
	assert_int_equal(tfab_func(f, "01:00.0")->revision, 2);
	assert_int_equal(tfab_func(f, "02:00.0")->pcie_type, ACS_PCIE_DOWNSTREAM);
	ep = tfab_func(f, "03:00.0");
	assert_int_equal(ep->class_code, 0x010802);
	assert_int_equal(ep->pcie_type, ACS_PCIE_ENDPOINT);
	assert_true(ep->multifunction);
	assert_int_equal(ep->cfg[0x0e], 0x80);
	assert_int_equal(tfab_func(f, "00:00.0")->cfg_len, 256);
	assert_int_equal(tfab_func(f, "00:00.0")->pcie_type, ACS_PCIE_NONE);
	assert_int_equal(acs_fabric_kernel_groups(f), ACS_KGROUPS_UNKNOWN);
	assert_int_equal(acs_fabric_unknown_count(f), 0);
	assert_partition(f, "6.12", "00:00.0 | 00:02.0 | 01:00.0 | 02:00.0 03:00.0 03:00.1");
	assert_partition(f, "6.1", "00:00.0 | 00:02.0 | 01:00.0 | 02:00.0 03:00.0 03:00.1");
	acs_fabric_free(f);
}

static void test_lspci_header__forms(void **state)
{
	acs_fabric *f;

	(void)state;
	/* -nn with a domain, -n, names only, an unknown class name */
	f = load_text(
		"0001:40:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller X710 [8086:1572] (rev 01)\n"
		"0000:00:1f.3 0c05: 8086:2930 (rev 02)\n"
		"0000:00:1f.2 SATA controller: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] (rev 02) (prog-if 01 [AHCI 1.0])\n"
		"0000:00:04.0 Frobnicator: Acme Widget\n"
		"0000:00:05.0 Class 1234: Acme Widget\n");
	assert_int_equal(acs_fabric_count(f), 5);
	assert_int_equal(tfab_func(f, "0001:40:00.0")->vendor_id, 0x8086);
	assert_int_equal(tfab_func(f, "0001:40:00.0")->device_id, 0x1572);
	assert_int_equal(tfab_func(f, "0001:40:00.0")->class_code, 0x020000);
	assert_int_equal(tfab_func(f, "0001:40:00.0")->revision, 1);
	assert_int_equal(tfab_func(f, "00:1f.3")->vendor_id, 0x8086);
	assert_int_equal(tfab_func(f, "00:1f.3")->device_id, 0x2930);
	assert_int_equal(tfab_func(f, "00:1f.3")->class_code, 0x0c0500);
	assert_int_equal(tfab_func(f, "00:1f.2")->vendor_id, 0);
	assert_int_equal(tfab_func(f, "00:1f.2")->class_code, 0x010601);
	assert_int_equal(tfab_func(f, "00:04.0")->class_code, 0xff0000);
	assert_int_equal(tfab_func(f, "00:05.0")->class_code, 0x123400);
	/* no Capabilities anywhere: plain lspci, nothing known past the header */
	for (size_t i = 0; i < acs_fabric_count(f); i++)
		assert_int_equal(acs_fabric_func(f, i)->known, ACS_KNOWN_HEADER);
	assert_int_equal(acs_fabric_unknown_count(f), 5);
	acs_fabric_free(f);
}

static void test_lspci_header__bridge_names(void **state)
{
	acs_fabric *f;

	(void)state;
	const char *const *warn;

	/* names only: no IDs for the quirks, refused */
	expect_error("00:1c.0 PCI bridge: Intel Corporation Device (rev 02) (prog-if 00 [Normal decode])\n"
		     "\tBus: primary=00, secondary=02, subordinate=02, sec-latency=0\n",
		     1, NULL, "no vendor and device IDs on any device line");
	/* one line without IDs among others (cut by an upload): a warning */
	f = load_text(
		"00:1c.0 PCI bridge: Intel Corporation Device (rev 02) (prog-if 00 [Normal decode])\n"
		"\tBus: primary=00, secondary=02, subordinate=02, sec-latency=0\n"
		"02:00.0 Ethernet controller: Intel Corporation I210 Gigabit Network Connection [8086:1533] (rev 03)\n");
	assert_int_equal(acs_fabric_warnings(f, &warn), 1);
	assert_non_null(strstr(warn[0], "1 device line without readable vendor and device IDs (line 1)"));
	assert_int_equal(tfab_func(f, "00:1c.0")->class_code, 0x060400);
	assert_int_equal(tfab_func(f, "00:1c.0")->header_type, 1);
	assert_int_equal(tfab_func(f, "02:00.0")->class_code, 0x020000);
	assert_ptr_equal(acs_fabric_parent(f, tfab_func(f, "02:00.0")), tfab_func(f, "00:1c.0"));
	acs_fabric_free(f);
}

static void test_lspci_pcie__port_types(void **state)
{
	static const struct { const char *words; int type; } types[] = {
		{ "Express (v2) Endpoint, MSI 00", ACS_PCIE_ENDPOINT },
		{ "Express (v1) Legacy Endpoint, MSI 00", ACS_PCIE_LEG_END },
		{ "Express (v2) Root Port (Slot-), MSI 00", ACS_PCIE_ROOT_PORT },
		{ "Express (v2) Upstream Port, MSI 00", ACS_PCIE_UPSTREAM },
		{ "Express (v2) Downstream Port (Slot+), MSI 00", ACS_PCIE_DOWNSTREAM },
		{ "Express (v1) PCI-Express to PCI/PCI-X Bridge, MSI 00", ACS_PCIE_PCI_BRIDGE },
		{ "Express (v2) PCI/PCI-X to PCI-Express Bridge (Slot-), MSI 00", ACS_PCIE_PCIE_BRIDGE },
		{ "Express (v2) Root Complex Integrated Endpoint, MSI 00", ACS_PCIE_RC_END },
		{ "Express (v2) Root Complex Event Collector, IntMsgNum 0", ACS_PCIE_RC_EC },
		{ "Express Endpoint, MSI 00", ACS_PCIE_ENDPOINT },   /* lspci -v */
		{ "Express (v2) Unknown type 3, MSI 00", 3 },
	};
	char *text = calloc(1, 8192);
	acs_fabric *f;
	size_t n = sizeof(types) / sizeof(types[0]);

	(void)state;
	for (size_t i = 0; i < n; i++)
		sprintf(text + strlen(text),
			"00:%02zx.0 System peripheral [0880]: Acme [1234:%04zx]\n"
			"\tCapabilities: [%02zx] %s\n",
			i + 1, i, 0x40 + 4 * i, types[i].words);
	f = load_text(text);
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		assert_int_equal(fn->dev, i + 1);
		assert_int_equal(fn->pcie_type, types[i].type);
		assert_int_equal(fn->pcie_pos, 0x40 + 4 * i);
		assert_int_equal(fn->cfg_len, 4096);
	}
	acs_fabric_free(f);
	free(text);
}

static void test_lspci_acs__bits(void **state)
{
	acs_fabric *f;

	(void)state;
	f = load_text(
		"00:01.0 PCI bridge [0604]: Acme [1234:0001]\n"
		"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot-), MSI 00\n"
		"\tCapabilities: [100 v1] Access Control Services\n"
		"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl+ DirectTrans+\n"
		"\t\tACSCtl:\tSrcValid- TransBlk+ ReqRedir- CmpltRedir+ UpstreamFwd- EgressCtrl+ DirectTrans-\n"
		"00:02.0 PCI bridge [0604]: Acme [1234:0001]\n"
		"\tBus: primary=00, secondary=02, subordinate=02, sec-latency=0\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot-), MSI 00\n"
		"\tCapabilities: [100 v1] Access Control Services\n"
		"\t\tACSCap:\tSrcValid- TransBlk- ReqRedir- CmpltRedir- UpstreamFwd- EgressCtrl- DirectTrans-\n"
		"\t\tACSCtl:\tSrcValid- TransBlk- ReqRedir- CmpltRedir- UpstreamFwd- EgressCtrl- DirectTrans+\n");
	assert_int_equal(tfab_func(f, "00:01.0")->acs_pos, 0x100);
	assert_int_equal(tfab_func(f, "00:01.0")->acs_cap, 0x7f);
	assert_int_equal(tfab_func(f, "00:01.0")->acs_ctrl, ACS_TB | ACS_CR | ACS_EC);
	assert_int_equal(tfab_func(f, "00:02.0")->acs_cap, 0);
	assert_int_equal(tfab_func(f, "00:02.0")->acs_ctrl, ACS_DT);
	assert_true(acs_func_acs_known(tfab_func(f, "00:02.0")));
	acs_fabric_free(f);
}

/* The bytes: the standard list in the order listed, the extended one from
 * 0x100 with a null header there when the first is elsewhere. */
static void test_lspci_caps__chains(void **state)
{
	const struct acs_func *fn;
	acs_fabric *f;

	(void)state;
	f = load_text(
		"00:02.0 PCI bridge [0604]: Acme [1234:0001]\n"
		"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		"\tCapabilities: [54] Express (v2) Root Port (Slot+), MSI 00\n"
		"\tCapabilities: [48] MSI-X: Enable+ Count=1 Masked-\n"
		"\tCapabilities: [40] Subsystem: Red Hat, Inc. Device [1b36:0000]\n"
		"\tCapabilities: [148 v1] Access Control Services\n"
		"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+\n"
		"\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n"
		"\tCapabilities: [200 v1] Extended Capability ID 0x2a\n");
	fn = tfab_func(f, "00:02.0");
	assert_true(acs_func_cfg_byte(fn, 0x06) & 0x10);
	assert_int_equal(acs_func_cfg_byte(fn, 0x34), 0x54);
	assert_int_equal(acs_func_cfg_byte(fn, 0x54), 0x10);
	assert_int_equal(acs_func_cfg_byte(fn, 0x55), 0x48);
	assert_int_equal(acs_func_cfg_byte(fn, 0x56), 0x42);   /* v2, type 4 */
	assert_int_equal(acs_func_cfg_byte(fn, 0x57), 0x01);   /* slot */
	assert_int_equal(acs_func_cfg_byte(fn, 0x48), 0x11);
	assert_int_equal(acs_func_cfg_byte(fn, 0x49), 0x40);
	assert_int_equal(acs_func_cfg_byte(fn, 0x40), 0x0d);
	assert_int_equal(acs_func_cfg_byte(fn, 0x41), 0x00);
	/* 0x100: id 0, next 0x148 */
	assert_int_equal(acs_func_cfg_byte(fn, 0x100), 0);
	assert_int_equal(acs_func_cfg_byte(fn, 0x101), 0);
	assert_int_equal(acs_func_cfg_byte(fn, 0x102), 0x80);
	assert_int_equal(acs_func_cfg_byte(fn, 0x103), 0x14);
	/* 0x148: ACS v1, next 0x200 */
	assert_int_equal(acs_func_cfg_byte(fn, 0x148), 0x0d);
	assert_int_equal(acs_func_cfg_byte(fn, 0x14a), 0x01);
	assert_int_equal(acs_func_cfg_byte(fn, 0x14b), 0x20);
	assert_int_equal(acs_func_cfg_byte(fn, 0x200), 0x2a);
	assert_int_equal(fn->pcie_pos, 0x54);
	assert_int_equal(fn->acs_pos, 0x148);
	assert_int_equal(fn->acs_ctrl, 0x1d);
	acs_fabric_free(f);
}

static void test_lspci_ext__ats_sriov(void **state)
{
	const struct acs_func *fn;
	acs_fabric *f;

	(void)state;
	f = load_text(
		"03:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller 10-Gigabit X540-AT2 [8086:1528] (rev 01)\n"
		"\tCapabilities: [40] Power Management version 3\n"
		"\tCapabilities: [a0] Express (v2) Endpoint, MSI 00\n"
		"\tCapabilities: [100 v2] Advanced Error Reporting\n"
		"\tCapabilities: [140 v1] Device Serial Number 00-00-00-ff-ff-00-00-00\n"
		"\tCapabilities: [150 v1] Alternative Routing-ID Interpretation (ARI)\n"
		"\tCapabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)\n"
		"\t\tIOVCap:\tMigration- 10BitTagReq- Interrupt Message Number: 000\n"
		"\t\tIOVCtl:\tEnable+ Migration- Interrupt- MSE+ ARIHierarchy+ 10BitTagReq-\n"
		"\t\tIOVSta:\tMigration-\n"
		"\t\tInitial VFs: 64, Total VFs: 63, Number of VFs: 4, Function Dependency Link: 00\n"
		"\t\tVF offset: 128, stride: 2, Device ID: 1515\n"
		"\tCapabilities: [1d0 v1] Access Control Services\n"
		"\t\tACSCap:\tSrcValid- TransBlk- ReqRedir- CmpltRedir- UpstreamFwd- EgressCtrl- DirectTrans-\n"
		"\t\tACSCtl:\tSrcValid- TransBlk- ReqRedir- CmpltRedir- UpstreamFwd- EgressCtrl- DirectTrans-\n"
		"\tCapabilities: [200 v1] Address Translation Service (ATS)\n"
		"\t\tATSCap:\tInvalidate Queue Depth: 00\n"
		"\t\tATSCtl:\tEnable+, Smallest Translation Unit: 00\n");
	fn = tfab_func(f, "03:00.0");
	assert_int_equal(fn->sriov_pos, 0x160);
	assert_int_equal(fn->sriov_total_vfs, 63);
	assert_int_equal(fn->sriov_num_vfs, 4);
	assert_int_equal(acs_func_cfg_byte(fn, 0x168), 0x19);   /* VFE MSE ARI */
	assert_int_equal(acs_func_cfg_byte(fn, 0x174), 128);
	assert_int_equal(acs_func_cfg_byte(fn, 0x17a), 0x15);
	assert_int_equal(fn->acs_pos, 0x1d0);
	assert_int_equal(fn->ats_pos, 0x200);
	assert_int_equal(acs_func_cfg_byte(fn, 0x207), 0x80);
	assert_int_equal(acs_func_cfg_byte(fn, 0x100), 0x01);   /* AER first */
	assert_true(acs_func_acs_known(fn));
	acs_fabric_free(f);
}

/* What the text cannot show stays unknown. */
static void test_lspci_known__rules(void **state)
{
	acs_fabric *f;

	(void)state;
	f = load_text(
		/* no capabilities in a verbose file: it has none */
		"00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		/* lspci without root */
		"00:01.0 Ethernet controller [0200]: Acme [1234:0001]\n"
		"\tCapabilities: <access denied>\n"
		/* lspci -v: the ACS heading without its registers */
		"00:02.0 PCI bridge [0604]: Acme [1234:0002]\n"
		"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		"\tCapabilities: [40] Express Root Port (Slot-), MSI 00\n"
		"\tCapabilities: [100] Access Control Services\n"
		/* complete */
		"00:03.0 PCI bridge [0604]: Acme [1234:0002]\n"
		"\tBus: primary=00, secondary=02, subordinate=02, sec-latency=0\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot-), MSI 00\n"
		"\tCapabilities: [100 v1] Access Control Services\n"
		"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+\n"
		"\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n"
		/* PCIe without ACS: known to have none */
		"00:04.0 PCI bridge [0604]: Acme [1234:0002]\n"
		"\tBus: primary=00, secondary=03, subordinate=03, sec-latency=0\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot-), MSI 00\n"
		/* -vv Status says Cap+ but no list was kept: unknown */
		"00:05.0 Ethernet controller [0200]: Acme [1234:0001]\n"
		"\tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast\n");
	assert_int_equal(tfab_func(f, "00:00.0")->known, ACS_KNOWN_HEADER | ACS_KNOWN_CAPS);
	assert_true(acs_func_acs_known(tfab_func(f, "00:00.0")));
	assert_int_equal(tfab_func(f, "00:01.0")->known, ACS_KNOWN_HEADER);
	assert_int_equal(tfab_func(f, "00:01.0")->cfg_len, 256);
	assert_false(acs_func_acs_known(tfab_func(f, "00:01.0")));
	assert_int_equal(tfab_func(f, "00:02.0")->known, ACS_KNOWN_HEADER | ACS_KNOWN_CAPS);
	assert_int_equal(tfab_func(f, "00:02.0")->pcie_type, ACS_PCIE_ROOT_PORT);
	assert_false(acs_func_acs_known(tfab_func(f, "00:02.0")));
	assert_int_equal(tfab_func(f, "00:03.0")->known,
			 ACS_KNOWN_HEADER | ACS_KNOWN_CAPS | ACS_KNOWN_EXT);
	assert_true(acs_func_acs_known(tfab_func(f, "00:04.0")));
	assert_int_equal(tfab_func(f, "00:04.0")->acs_pos, 0);
	assert_false(acs_func_acs_known(tfab_func(f, "00:05.0")));
	assert_int_equal(acs_fabric_unknown_count(f), 3);
	acs_fabric_free(f);

	/* Extended capabilities nowhere in the file (a VM's integrated
	 * endpoints): the list was shown, so there are none */
	f = load_text(
		"00:02.0 Non-Volatile memory controller [0108]: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010] (rev 02) (prog-if 02 [NVM Express])\n"
		"\tCapabilities: [80] Express (v2) Root Complex Integrated Endpoint, MSI 00\n"
		"00:02.1 Non-Volatile memory controller [0108]: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010] (rev 02) (prog-if 02 [NVM Express])\n"
		"\tCapabilities: [80] Express (v2) Root Complex Integrated Endpoint, MSI 00\n");
	assert_int_equal(tfab_func(f, "00:02.0")->known,
			 ACS_KNOWN_HEADER | ACS_KNOWN_CAPS | ACS_KNOWN_EXT);
	assert_int_equal(tfab_func(f, "00:02.0")->acs_pos, 0);
	assert_partition(f, "6.12", "00:02.0 00:02.1");
	acs_fabric_free(f);

	/* -vv without any Capabilities line: Status: Cap- says there are none */
	f = load_text(
		"00:1f.0 ISA bridge [0601]: Intel Corporation 82801IB (ICH9) LPC Interface Controller [8086:2918] (rev 02)\n"
		"\tStatus: Cap- 66MHz- UDF- FastB2B- ParErr- DEVSEL=medium >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-\n");
	assert_int_equal(acs_fabric_func(f, 0)->known, ACS_KNOWN_HEADER | ACS_KNOWN_CAPS);
	acs_fabric_free(f);
}

static void test_lspci_driver__lines(void **state)
{
	acs_fabric *f;

	(void)state;
	f = load_text(switch_text);
	assert_string_equal(tfab_func(f, "03:00.0")->driver, "nvme");
	assert_null(tfab_func(f, "03:00.1")->driver);
	assert_true(tfab_func(f, "03:00.1")->known & ACS_KNOWN_DRIVER);
	acs_fabric_free(f);
	/* no driver line anywhere: not shown (lspci -F, or without -k/-v) */
	f = load_text("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		      "\tCapabilities: [40] Power Management version 3\n");
	assert_null(acs_fabric_func(f, 0)->driver);
	assert_false(acs_fabric_func(f, 0)->known & ACS_KNOWN_DRIVER);
	acs_fabric_free(f);
}

/* Intel VMD: a domain from 10000 up belongs to the one endpoint bound to
 * vmd (or, where lspci showed no drivers, with a VMD device ID); with two
 * endpoints the text does not say which owns it, so none does. */
static void test_lspci_vmd__domain_owner(void **state)
{
	static const char vmd_ep[] =
		"0000:00:00.0 Host bridge [0600]: Intel Corporation Device [8086:a707]\n"
		"\tKernel driver in use: igen6_edac\n\n"
		"0000:00:0e.0 RAID bus controller [0104]: Intel Corporation Device [8086:a77f]\n"
		"\tKernel driver in use: vmd\n\n";
	static const char child[] =
		"10000:e1:00.0 Non-Volatile memory controller [0108]: Acme [1234:5678]\n"
		"\tKernel driver in use: nvme\n\n";
	char text[1024];
	acs_fabric *f;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", vmd_ep, child);
	f = load_text(text);
	assert_int_equal(acs_fabric__vmd_owner(f, tfab_func(f, "10000:e1:00.0")),
			 (long)tfab_idx(f, "0000:00:0e.0"));
	assert_int_equal(acs_fabric__vmd_owner(f, tfab_func(f, "0000:00:00.0")), -1);
	acs_fabric_free(f);
	/* no driver lines: the device ID names it */
	f = load_text("0000:00:0e.0 RAID bus controller [0104]: Intel Corporation Device [8086:a77f]\n\n"
		      "10000:e1:00.0 Non-Volatile memory controller [0108]: Acme [1234:5678]\n\n");
	assert_int_equal(acs_fabric__vmd_owner(f, tfab_func(f, "10000:e1:00.0")),
			 (long)tfab_idx(f, "0000:00:0e.0"));
	acs_fabric_free(f);
	/* two endpoints: unknown */
	snprintf(text, sizeof(text), "%s%s%s", vmd_ep,
		 "0000:00:0f.0 RAID bus controller [0104]: Intel Corporation Device [8086:a77f]\n"
		 "\tKernel driver in use: vmd\n\n", child);
	f = load_text(text);
	assert_int_equal(acs_fabric__vmd_owner(f, tfab_func(f, "10000:e1:00.0")), -1);
	acs_fabric_free(f);
}

static void test_lspci_multifunction__header_bit(void **state)
{
	acs_fabric *f;

	(void)state;
	f = load_text(
		"00:02.1 Ethernet controller [0200]: Acme [1234:0001]\n"
		"00:02.0 Ethernet controller [0200]: Acme [1234:0001]\n"
		"00:03.0 Ethernet controller [0200]: Acme [1234:0001]\n"
		"00:04.3 Ethernet controller [0200]: Acme [1234:0001]\n");
	assert_int_equal(tfab_func(f, "00:02.0")->cfg[0x0e], 0x80);
	assert_true(tfab_func(f, "00:02.0")->multifunction);
	assert_int_equal(tfab_func(f, "00:02.1")->cfg[0x0e], 0x00);
	assert_true(tfab_func(f, "00:02.1")->multifunction);
	assert_int_equal(tfab_func(f, "00:03.0")->cfg[0x0e], 0x00);
	assert_false(tfab_func(f, "00:03.0")->multifunction);
	assert_true(tfab_func(f, "00:04.3")->multifunction);
	acs_fabric_free(f);
}

/* Lines it does not know are skipped, whatever they are; CRLF, trailing
 * blanks and a preamble are fine. */
static void test_lspci_lines__ignored(void **state)
{
	acs_fabric *f;

	(void)state;
	f = load_text(
		"# lspci -vvnn, captured by hand\r\n"
		"lspci: Unable to load libkmod resources: error -2\r\n"
		"\tstray indented line before any device\r\n"
		"00:02.0 PCI bridge [0604]: Acme [1234:0002]   \r\n"
		"\tPhysical Slot: 1\r\n"
		"\tFlags: bus master, fast devsel, latency 0, IRQ 24\r\n"
		"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\r\n"
		"\tI/O behind bridge: c000-cfff [size=4K] [16-bit]\r\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot-), MSI 00\r\n"
		"\t\tDevCap:\tMaxPayload 128 bytes, PhantFunc 0\r\n"
		"\t\t\tExtTag- RBE+\r\n"
		"\tCapabilities: [100 v1] Access Control Services\r\n"
		"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+\r\n"
		"\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\r\n"
		"\t\tSomething new: that lspci may print one day\r\n"
		"\tKernel modules: shpchp\r\n"
		"Random trailer\r\n"
		"01:00.0 Ethernet controller [0200]: Acme [1234:0001]\r\n");
	assert_int_equal(acs_fabric_count(f), 2);
	assert_int_equal(tfab_func(f, "00:02.0")->acs_ctrl, 0x1d);
	assert_int_equal(tfab_func(f, "00:02.0")->device_id, 0x0002);
	acs_fabric_free(f);
}

/* Region lines: BARs with their sizes (a live host's lspci -vv has them),
 * the upper half of a 64-bit BAR, VF BARs in the SR-IOV capability;
 * bridge windows; bad ones named by line. */
static void test_lspci_load__regions(void **state)
{
	acs_fabric *f;
	const struct acs_func *ep, *br;
	acs_bar b[6];

	(void)state;
	f = load_text("00:01.0 PCI bridge [0604]: Acme [1234:0001]\n"
		      "\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		      "\tMemory behind bridge: 80000000-803fffff [size=4M] [32-bit]\n"
		      "\tPrefetchable memory behind bridge: 0006000000000000-000600003fffffff [size=1G] [64-bit]\n"
		      "\n"
		      "01:00.0 Non-Volatile memory controller [0108]: Acme [1234:0002]\n"
		      "\tRegion 0: Memory at 80000000 (32-bit, non-prefetchable) [size=16K]\n"
		      "\tRegion 2: Memory at 6000000000000 (64-bit, prefetchable) [size=1G]\n"
		      "\tRegion 3: Memory at <unassigned> (32-bit, non-prefetchable)\n"
		      "\tRegion 4: I/O ports at 1000 [size=32]\n"
		      "\n");
	ep = tfab_func(f, "01:00.0");
	assert_int_equal(acs_func_mem_bars(ep, b), 2);
	assert_int_equal(b[0].start, 0x80000000);
	assert_int_equal(b[1].index, 2);
	assert_int_equal(b[1].start, 0x6000000000000ull);
	assert_true(b[1].is64 && b[1].prefetch);
	assert_int_equal(ep->bar_size[0], 16384);
	assert_int_equal(ep->bar_size[2], 1ull << 30);
	br = tfab_func(f, "00:01.0");
	assert_int_equal(acs_func_bridge_windows(br, b), 2);
	assert_int_equal(b[0].start, 0x80000000);
	assert_int_equal(b[0].end, 0x803fffff);
	assert_int_equal(b[1].start, 0x6000000000000ull);
	assert_int_equal(b[1].end, 0x600003fffffffull);
	acs_fabric_free(f);
	expect_error("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		     "\tRegion 9: Memory at 80000000 (32-bit, non-prefetchable)\n", 2, NULL, "malformed 'Region' line");
	expect_error("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		     "\tRegion 0: Memory at 8000zz00 (32-bit, non-prefetchable)\n", 2, NULL, "address");
	/* lspci prints a BAR5 typed 64-bit (no upper half); an upper half
	 * that looks like a 64-bit BAR's flags does not hide the next BAR */
	f = load_text("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		      "\tRegion 0: Memory at 48000c000 (64-bit, prefetchable)\n"
		      "\tRegion 2: Memory at 80004000 (32-bit, non-prefetchable)\n"
		      "\tRegion 5: Memory at <unassigned> (64-bit, prefetchable)\n\n");
	assert_int_equal(acs_func_mem_bars(tfab_func(f, "00:00.0"), b), 2);
	assert_int_equal(b[1].index, 2);
	assert_int_equal(b[1].start, 0x80004000);
	assert_int_equal(tfab_func(f, "00:00.0")->cfg[0x24], 0x0c);
	acs_fabric_free(f);
	/* a live host's lspci prints sysfs (CPU) addresses: a non-prefetchable
	 * BAR above 4 GiB below a bridge cannot be a bus address, so no BAR
	 * or window is taken from the file */
	f = load_text("00:00.0 PCI bridge [0604]: Acme [1234:0001]\n"
		      "\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		      "\tMemory behind bridge: 00000000-7fefffff [size=2047M] [32-bit]\n\n"
		      "01:00.0 Non-Volatile memory controller [0108]: Acme [1234:0002]\n"
		      "\tRegion 0: Memory at 600c000000000 (64-bit, non-prefetchable) [size=16K]\n\n");
	assert_int_equal(acs_func_mem_bars(tfab_func(f, "01:00.0"), b), 0);
	assert_int_equal(tfab_func(f, "01:00.0")->bar_size[0], 16384);
	assert_int_equal(acs_func_bridge_windows(tfab_func(f, "00:00.0"), b), 0);
	acs_fabric_free(f);
	expect_error("00:01.0 PCI bridge [0604]: Acme [1234:0001]\n"
		     "\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		     "\tMemory behind bridge: 80000000-8zz [32-bit]\n", 3, NULL, "behind bridge");
}

static void test_lspci_error__truncated_header(void **state)
{
	(void)state;
	expect_error("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		     "00:02.1 PCI bri\n", 2, "0000:00:02.1", "truncated");
	expect_error("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		     "00:02.1\n", 2, "0000:00:02.1", "truncated");
	expect_error("00:02.1 PCI bridge [0604]\n", 1, "0000:00:02.1", "truncated");
	expect_error("00:02.9 PCI bridge [0604]: Acme\n", 1, NULL, "malformed device address");
	expect_error("00:20.0 PCI bridge [0604]: Acme\n", 1, NULL, "malformed device address");
}

static void test_lspci_error__unknown_port_type(void **state)
{
	(void)state;
	expect_error("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		     "\tCapabilities: [40] Express (v2) Sideways Port, MSI 00\n",
		     2, "0000:00:00.0", "unknown PCI Express port type 'Sideways Port'");
	expect_error("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		     "\tCapabilities: [40] Express (v2) Ro\n",
		     2, "0000:00:00.0", "unknown PCI Express port type");
}

static void test_lspci_error__bridge_without_bus(void **state)
{
	(void)state;
	expect_error("00:00.0 Host bridge [0600]: Acme [1234:0000]\n"
		     "00:02.1 PCI bridge [0604]: Acme [1234:0001]\n"
		     "\tCapabilities: [40] Express (v2) Root Port (Slot-), MSI 00\n",
		     2, "0000:00:02.1", "'Bus:'");
	/* plain lspci, names only */
	expect_error("00:1c.0 PCI bridge: Intel Corporation Device\n",
		     1, "0000:00:1c.0", "'Bus:'");
}

static void test_lspci_error__duplicate_address(void **state)
{
	(void)state;
	expect_error("00:03.0 Ethernet controller [0200]: Acme [1234:0001]\n"
		     "00:04.0 Ethernet controller [0200]: Acme [1234:0001]\n"
		     "0000:00:03.0 Ethernet controller [0200]: Acme [1234:0001]\n",
		     3, "0000:00:03.0", "duplicate address (first at line 1)");
}

static void test_lspci_error__long_line(void **state)
{
	char *text = calloc(1, 8000);

	(void)state;
	strcpy(text, "00:00.0 Host bridge [0600]: Acme [1234:0000]\n\t");
	memset(text + strlen(text), 'x', 5000);
	strcat(text, "\n");
	expect_error(text, 2, "0000:00:00.0", "line too long");
	free(text);
}

static void test_lspci_error__acs_lines(void **state)
{
	static const char head[] =
		"00:02.0 PCI bridge [0604]: Acme [1234:0002]\n"
		"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
		"\tCapabilities: [40] Express (v2) Root Port (Slot-), MSI 00\n"
		"\tCapabilities: [100 v1] Access Control Services\n";
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%s\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir* CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+\n", head);
	expect_error(text, 5, "0000:00:02.0", "unknown ACSCap flag 'ReqRedir*'");
	snprintf(text, sizeof(text), "%s\t\tACSCtl:\tSrcValid+ TransBlk+ Bogus+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+\n", head);
	expect_error(text, 5, "0000:00:02.0", "unknown ACSCtl flag 'Bogus+'");
	snprintf(text, sizeof(text), "%s\t\tACSCtl:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ Egr\n", head);
	expect_error(text, 5, "0000:00:02.0", "unknown ACSCtl flag 'Egr'");
	snprintf(text, sizeof(text), "%s\t\tACSCtl:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+\n", head);
	expect_error(text, 5, "0000:00:02.0", "lacks EgressCtrl");
	expect_error("00:02.0 Ethernet controller [0200]: Acme [1234:0002]\n"
		     "\tCapabilities: [40] Express (v2) Endpoint, MSI 00\n"
		     "\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+\n",
		     3, "0000:00:02.0", "outside an Access Control Services capability");
}

static void test_lspci_error__capability_lines(void **state)
{
	static const char head[] = "00:02.0 Ethernet controller [0200]: Acme [1234:0002]\n";
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%s\tCapabilities: [4\n", head);
	expect_error(text, 2, "0000:00:02.0", "malformed 'Capabilities:' line");
	snprintf(text, sizeof(text), "%s\tCapabilities: [30] Power Management version 3\n", head);
	expect_error(text, 2, "0000:00:02.0", "out of range");
	snprintf(text, sizeof(text), "%s\tCapabilities: [41] Power Management version 3\n", head);
	expect_error(text, 2, "0000:00:02.0", "not a multiple of 4");
	snprintf(text, sizeof(text), "%s\tCapabilities: [40] Power Management version 3\n"
		 "\tCapabilities: [40] <chain looped>\n", head);
	expect_error(text, 3, "0000:00:02.0", "listed twice");
	snprintf(text, sizeof(text), "%s\tCapabilities: [40] Express (v2) Endpoint, MSI 00\n"
		 "\tCapabilities: [100 v1] Access Control Services\n"
		 "\tCapabilities: [104 v1] Advanced Error Reporting\n", head);
	expect_error(text, 4, "0000:00:02.0", "overlaps");
	snprintf(text, sizeof(text), "%s\tCapabilities: [40] Express (v2) Endpoint, MSI 00\n"
		 "\tCapabilities: [ffc v1] Single Root I/O Virtualization (SR-IOV)\n", head);
	expect_error(text, 3, "0000:00:02.0", "runs past config space");
	snprintf(text, sizeof(text), "%s\tCapabilities: [40] Express (v2) Endpoint, MSI 00\n"
		 "\tCapabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)\n"
		 "\t\tInitial VFs: 8, Total VFs: 8, Num\n", head);
	expect_error(text, 4, "0000:00:02.0", "malformed SR-IOV");
}

static void test_lspci_error__bus_line(void **state)
{
	(void)state;
	expect_error("00:02.0 PCI bridge [0604]: Acme [1234:0002]\n"
		     "\tBus: primary=00, secondary=01, subord\n",
		     2, "0000:00:02.0", "malformed 'Bus:' line");
	expect_error("00:02.0 PCI bridge [0604]: Acme [1234:0002]\n"
		     "\tBus: primary=00, secondary=1ff, subordinate=01, sec-latency=0\n",
		     2, "0000:00:02.0", "malformed 'Bus:' line");
}

static void test_lspci_error__other_files(void **state)
{
	acs_fabric *f = NULL;
	char path[300];
	FILE *fp;

	(void)state;
	expect_error("00:00.0 \"Host bridge\" \"Intel Corporation\" \"440FX\"\n",
		     1, "0000:00:00.0", "lspci -m");
	/* missing file, directory, NUL bytes: asked for as lspci text */
	snprintf(path, sizeof(path), "%s/nope.txt", tdir());
	assert_int_equal(tload(path, ACS_SOURCE_LSPCI, &f), ACS_ENOTFOUND);
	assert_non_null(strstr(acs_error_last()->message, path));
	assert_true(tload(tdir(), ACS_SOURCE_LSPCI, &f) < 0);
	assert_null(f);
	snprintf(path, sizeof(path), "%s/nul.txt", tdir());
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite("00:00.0 Host bridge [0600]: A\n\tCap\0x\n", 1, 37, fp);
	fclose(fp);
	assert_int_equal(tload(path, ACS_SOURCE_LSPCI, &f), ACS_EPARSE);
	assert_non_null(strstr(acs_error_last()->message, "nul.txt:2: a NUL byte"));
	/* nothing at all */
	assert_int_equal(tload(tdir_write("empty.txt", "\n\n"), ACS_SOURCE_LSPCI, &f),
			 ACS_EPARSE);
	assert_non_null(strstr(acs_error_last()->message, "no PCI functions"));
}

/* Cut anywhere or bent at any byte, a text loads or gives a one-line
 * error: never a crash or a hang. */
static void test_lspci_robust__cut_and_bent(void **state)
{
	static const char bent[] = { '\t', ':', '[', ']', '0', 'f', '\n', '+', ' ', 'v' };
	size_t n = strlen(switch_text), ok = 0, bad = 0;
	char *text = malloc(n + 1);

	(void)state;
	for (size_t cut = 0; cut <= n; cut++) {
		acs_fabric *f = NULL;
		int rc;

		memcpy(text, switch_text, cut);
		text[cut] = '\0';
		rc = tload(tdir_write("cut.txt", text), ACS_SOURCE_LSPCI, &f);
		if (rc) {
			assert_null(f);
			assert_null(strchr(acs_error_last()->message, '\n'));
			bad++;
		} else {
			acs_fabric_free(f);
			ok++;
		}
	}
	for (size_t pos = 0; pos < n; pos += 3) {
		for (size_t k = 0; k < sizeof(bent); k++) {
			acs_fabric *f = NULL;

			memcpy(text, switch_text, n + 1);
			text[pos] = bent[k];
			if (tload(tdir_write("bent.txt", text), ACS_SOURCE_LSPCI, &f)) {
				assert_null(f);
				assert_null(strchr(acs_error_last()->message, '\n'));
			} else {
				acs_fabric_free(f);
			}
		}
	}
	print_message("cut at %zu places: %zu loaded, %zu refused\n", n + 1, ok, bad);
	free(text);
}

/* --- the real machines --- */

/* Our partition, limited to the addresses the kernel's list has (it leaves
 * out what the IOMMU does not manage). */
static char *partition_within(const acs_fabric *f, const char *kernel,
			      const char *addrs)
{
	char *all = tgroups_partition(f, kernel);
	char *spec = calloc(1, strlen(all) + 2), *save = NULL, *g;

	for (g = strtok_r(all, "|", &save); g; g = strtok_r(NULL, "|", &save)) {
		char *wsave = NULL, *w, group[4096] = "";

		for (w = strtok_r(g, " ", &wsave); w; w = strtok_r(NULL, " ", &wsave)) {
			char key[40];

			snprintf(key, sizeof(key), " %s ", w);
			if (strstr(addrs, key) && strlen(group) + strlen(w) + 2 < sizeof(group)) {
				strcat(group, " ");
				strcat(group, w);
			}
		}
		if (group[0]) {
			if (spec[0])
				strcat(spec, " |");
			strcat(spec, group);
		}
	}
	free(all);
	{
		char *canon = tpartition_canon(spec);

		free(spec);
		return canon;
	}
}

static size_t header_lines(const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p; ) {
		const char *nl = strchr(p, '\n');

		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
			n++;
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

static void test_lspci_realdata__machines(void **state)
{
	static const char *const machines[] = {
		"b650d4u-am5-6.1", "h12ssl-i-epyc-6.8",
		"romed8-2t-epyc-5.13", "x10drh-xeon-6.8",
	};
	const char *root = getenv("ACSCTL_SHARED");
	int matched = 0, checked = 0;

	(void)state;
	if (!root || access(root, R_OK) != 0) {
		print_message("skipped: ../shared is absent (no realdata)\n");
		skip();
	}
	for (size_t i = 0; i < 4; i++) {
		char path[512], *text, *want, *got, *addrs, release[64] = "";
		acs_fabric *f = NULL;
		const char *kernel;
		FILE *src;
		char line[512];

		/* the policy of the machine's kernel (SOURCE.txt "kernel:") */
		snprintf(path, sizeof(path), "%s/realdata/%s/SOURCE.txt", root, machines[i]);
		src = fopen(path, "r");
		while (src && fgets(line, sizeof(line), src))
			if (sscanf(line, "kernel: %63s", release) == 1)
				break;
		if (src)
			fclose(src);
		/* exactly that release: 5.13.19-6-pve is 5.13.19, no other */
		assert_non_null(acs_policy_find(release));
		kernel = acs_policy_name(acs_policy_find(release));
		assert_null(acs_policy_warning(acs_policy_find(kernel)));

		snprintf(path, sizeof(path), "%s/realdata/%s/lspci-vvnn.txt", root, machines[i]);
		if (access(path, R_OK) != 0) {
			print_message("%s: absent, skipped\n", machines[i]);
			continue;
		}
		if (tload(path, ACS_SOURCE_FILE, &f))
			fail_msg("%s", acs_error_last()->message);
		assert_int_equal(acs_fabric_source_kind(f), ACS_SOURCE_LSPCI);
		text = tread_file(path, NULL);
		assert_int_equal(acs_fabric_count(f), header_lines(text));
		free(text);
		/* root as lspci -vvnn saw it: everything known */
		assert_int_equal(acs_fabric_unknown_count(f), 0);
		if (i == 0) {
			const struct acs_func *rp = tfab_func(f, "00:02.1");

			assert_int_equal(rp->pcie_type, ACS_PCIE_ROOT_PORT);
			assert_int_equal(rp->acs_ctrl, 0x001d);
			assert_int_equal(rp->acs_cap, 0x005f);
			assert_int_equal(rp->secondary, 0x01);
			assert_int_equal(rp->subordinate, 0x0b);
			assert_string_equal(rp->driver, "pcieport");
		}
		snprintf(path, sizeof(path), "%s/realdata/%s/groups.txt", root, machines[i]);
		want = tgroups_file_partition(path, &addrs);
		got = partition_within(f, kernel, addrs);
		checked++;
		if (strcmp(want, got) == 0) {
			matched++;
			print_message("%s: groups match the kernel's (policy %s)\n",
				      machines[i], kernel);
		} else {
			print_message("%s: groups differ from the kernel's (policy %s)\n",
				      machines[i], kernel);
		}
		free(want);
		free(got);
		free(addrs);
		acs_fabric_free(f);
	}
	print_message("realdata: %d/%d machines' partitions equal groups.txt\n",
		      matched, checked);
	assert_int_equal(matched, checked);
}


/* --- the kernel's groups in lspci -vv text ("IOMMU group: N") --- */

/* Functions whose predicted group number equals the kernel's; *grouped:
 * functions the kernel grouped. Fails where the kernel's group of a
 * function read from the text is not groups.txt's. */
static size_t numbers_matching(const acs_fabric *f, const char *kernel, const char *groups_path,
			       size_t *grouped)
{
	char *groups = tread_file(groups_path, NULL);
	const acs_policy *p = acs_policy_find(kernel);
	acs_groups *g = NULL;
	size_t match = 0;

	*grouped = 0;
	assert_int_equal(acs_groups_compute(&g, f, p), 0);
	for (const char *q = groups; *q; ) {
		unsigned dom, bus, dev, fn;
		long id;
		const struct acs_func *x;
		const char *nl = strchr(q, '\n');

		assert_int_equal(sscanf(q, "%ld %x:%x:%x.%x", &id, &dom, &bus, &dev, &fn), 5);
		x = acs_fabric_find(f, dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
		assert_non_null(x);
		++*grouped;
		match += acs_groups_of(g, acs_fabric_index(f, x)) == (size_t)id;
		if (acs_fabric_kernel_groups(f) == ACS_KGROUPS_PRESENT)
			assert_int_equal(acs_fabric_kernel_group(f, acs_fabric_index(f, x)), id);
		q = nl ? nl + 1 : q + strlen(q);
	}
	acs_groups_free(g);
	free(groups);
	return match;
}

/* What a file without the line holds is no group; every function without
 * one is one the IOMMU leaves out (the AMD root complex and IOMMU). */
static void assert_missing_are_excluded(const acs_fabric *f, const char *kernel)
{
	const acs_policy *p = acs_policy_find(kernel);

	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *x = acs_fabric_func(f, i);
		char addr[32];
		bool excluded = acs_policy_iommu_excludes(p, f, x, NULL) != ACS_IOMMU_MANAGED;

		if (excluded != (acs_fabric_kernel_group(f, i) < 0))
			fail_msg("%s: kernel group %d, left out by the IOMMU: %d", acs_func_addr(x, addr, sizeof(addr)),
				 acs_fabric_kernel_group(f, i), excluded);
	}
}

static void test_lspci_realdata__kernel_groups(void **state)
{
	static const struct {
		const char *name, *kernel;
		int roots;          /* enum acs_root_order without the lines */
		size_t excluded;    /* functions the IOMMU leaves out */
	} machines[] = {
		{ "b650d4u-am5-6.1", "6.1.0", ACS_ROOT_ORDER_ONE, 2 },
		{ "h12ssl-i-epyc-6.8", "6.8.12", ACS_ROOT_ORDER_ASSUMED, 8 },
		{ "romed8-2t-epyc-5.13", "5.13.19", ACS_ROOT_ORDER_ASSUMED, 8 },
		{ "x10drh-xeon-6.8", "6.8.12", ACS_ROOT_ORDER_ASSUMED, 0 },
	};
	const char *root = getenv("ACSCTL_SHARED");

	(void)state;
	if (!root || access(root, R_OK) != 0) {
		print_message("skipped: ../shared is absent (no realdata)\n");
		skip();
	}
	for (size_t i = 0; i < 4; i++) {
		char path[512], gpath[512], *text, *with, *file;
		acs_fabric *plain = NULL, *f = NULL;
		acs_group_check *chk = NULL;
		acs_groups *g = NULL;
		size_t ndev, nlines, grouped, before, after, excluded = 0;

		snprintf(path, sizeof(path), "%s/realdata/%s/lspci-vvnn.txt", root, machines[i].name);
		snprintf(gpath, sizeof(gpath), "%s/realdata/%s/groups.txt", root, machines[i].name);
		if (access(path, R_OK) != 0 || access(gpath, R_OK) != 0) {
			print_message("%s: absent, skipped\n", machines[i].name);
			continue;
		}
		/* as published, without the lines: the text cannot tell */
		if (tload(path, ACS_SOURCE_FILE, &plain))
			fail_msg("%s", acs_error_last()->message);
		assert_int_equal(acs_fabric_kernel_groups(plain), ACS_KGROUPS_UNKNOWN);
		assert_int_equal(acs_fabric_root_order(plain), machines[i].roots);
		before = numbers_matching(plain, machines[i].kernel, gpath, &grouped);

		/* with them put back, as lspci -vv prints them */
		text = tread_file(path, NULL);
		with = tlspci_with_groups(text, gpath, &ndev, &nlines);
		assert_int_equal(ndev, acs_fabric_count(plain));
		file = tdir_write("groups-vv.txt", with);
		if (tload(file, ACS_SOURCE_FILE, &f))
			fail_msg("%s", acs_error_last()->message);
		assert_int_equal(acs_fabric_kernel_groups(f), ACS_KGROUPS_PRESENT);
		assert_int_equal(acs_fabric_root_order(f),
				 machines[i].roots == ACS_ROOT_ORDER_ONE ? ACS_ROOT_ORDER_ONE : ACS_ROOT_ORDER_KERNEL);
		after = numbers_matching(f, machines[i].kernel, gpath, &grouped);
		assert_int_equal(grouped, nlines);
		assert_missing_are_excluded(f, machines[i].kernel);
		for (size_t k = 0; k < acs_fabric_count(f); k++)
			excluded += acs_policy_iommu_excludes(acs_policy_find(machines[i].kernel), f,
							      acs_fabric_func(f, k), NULL) != ACS_IOMMU_MANAGED;
		assert_int_equal(excluded, machines[i].excluded);
		/* the check compares every grouped function, and agrees */
		assert_int_equal(acs_groups_compute(&g, f, acs_policy_find(machines[i].kernel)), 0);
		assert_int_equal(acs_groups_check(&chk, g, f), 0);
		assert_int_equal(acs_group_check_count(chk), 0);
		assert_int_equal(acs_group_check_compared(chk), nlines);
		print_message("%s: group numbers equal the kernel's on %zu of %zu devices from the text "
			      "alone, %zu of %zu with its IOMMU group lines; %zu left out by the IOMMU\n",
			      machines[i].name, before, grouped, after, grouped, excluded);
		if (machines[i].roots == ACS_ROOT_ORDER_ONE)
			assert_int_equal(before, grouped);
		assert_int_equal(after, grouped);
		acs_group_check_free(chk);
		acs_groups_free(g);
		free(with);
		free(text);
		acs_fabric_free(plain);
		acs_fabric_free(f);
	}
}

/* Some devices with the line, some without: no group is made up for the
 * others, and a malformed or second line is refused. */
static void test_lspci_load__iommu_group_lines(void **state)
{
	static const char text[] =
		"00:00.0 Host bridge [0600]: Intel Corporation Device [8086:29c0]\n"
		"\tSubsystem: Red Hat, Inc. QEMU Virtual Machine [1af4:1100]\n"
		"\tIOMMU group: 7\n"
		"\n"
		"00:01.0 Ethernet controller [0200]: Intel Corporation Device [8086:10d3]\n"
		"\n";
	acs_fabric *f = NULL;
	char *file;

	(void)state;
	file = tdir_write("partial.txt", text);
	assert_int_equal(tload(file, ACS_SOURCE_FILE, &f), 0);
	assert_int_equal(acs_fabric_kernel_groups(f), ACS_KGROUPS_PRESENT);
	assert_int_equal(acs_fabric_kernel_group(f, 0), 7);
	assert_int_equal(acs_fabric_kernel_group(f, 1), -1);
	acs_fabric_free(f);

	file = tdir_write("bad-group.txt", "00:00.0 Host bridge [0600]: X [8086:29c0]\n\tIOMMU group: x1\n\n");
	assert_int_equal(tload(file, ACS_SOURCE_FILE, &f), ACS_EPARSE);
	assert_non_null(strstr(acs_error_last()->message, ":2: 0000:00:00.0: 'IOMMU group:' without a decimal group number"));
	file = tdir_write("two-groups.txt",
			  "00:00.0 Host bridge [0600]: X [8086:29c0]\n\tIOMMU group: 1\n\tIOMMU group: 2\n\n");
	assert_int_equal(tload(file, ACS_SOURCE_FILE, &f), ACS_EPARSE);
	assert_non_null(strstr(acs_error_last()->message, ":3: 0000:00:00.0: a second 'IOMMU group:' line (the first at line 2)"));
}

/* --- every VM fixture, through the real lspci --- */

static bool have_lspci(void)
{
	return system("lspci --version >/dev/null 2>&1") == 0;
}

/* lspci -vvnn -F DUMP into a file of ours. */
static bool convert(const char *dump, const char *out)
{
	char cmd[2048], buf[65536];
	FILE *p, *o;
	size_t n;

	if (strchr(dump, '\'') || strchr(out, '\''))
		return false;
	snprintf(cmd, sizeof(cmd), "lspci -vvnn -F '%s' 2>/dev/null", dump);
	p = popen(cmd, "r");
	if (!p)
		return false;
	o = fopen(out, "w");
	assert_non_null(o);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, o);
	fclose(o);
	return pclose(p) == 0;
}

static bool same_bar_list(const acs_bar *a, size_t na, const acs_bar *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t k = 0; k < na; k++)
		if (a[k].index != b[k].index || a[k].start != b[k].start || a[k].is64 != b[k].is64 ||
		    a[k].prefetch != b[k].prefetch || (a[k].end != a[k].start && a[k].end != b[k].end))
			return false;
	return true;
}

/* The memory BARs, bridge windows and VF BARs of every function as the
 * dump has them: 0 or the first function that differs, named. */
static int same_bars(const acs_fabric *fd, const acs_fabric *ft, const char *dump)
{
	for (size_t i = 0; i < acs_fabric_count(fd); i++) {
		const struct acs_func *a = acs_fabric_func(fd, i), *b = acs_fabric_func(ft, i);
		acs_bar x[6], y[6];
		char addr[32];

		if (!same_bar_list(x, acs_func_mem_bars(a, x), y, acs_func_mem_bars(b, y)) ||
		    !same_bar_list(x, acs_func_bridge_windows(a, x), y, acs_func_bridge_windows(b, y)) ||
		    !same_bar_list(x, acs_func_vf_bars(a, x), y, acs_func_vf_bars(b, y))) {
			print_error("%s: %s: BARs or windows differ as text\n", dump, acs_func_addr(a, addr, sizeof(addr)));
			return 1;
		}
	}
	return 0;
}


/* The text of a VM capture with the kernel's groups put back as lspci -vv
 * prints them: read back as the kernel's, the prediction's numbers equal
 * them and groups --check finds nothing. 0, or 1 (said) where not. */
static int with_group_lines(const acs_fabric *plain, const char *text_path, const char *dir,
			    const char *name, const char *kernel, int *cases)
{
	char gpath[1400], *text, *with, *file;
	size_t ndev, nlines, grouped, match;
	acs_fabric *f = NULL;
	acs_groups *g = NULL;
	acs_group_check *chk = NULL;
	int bad = 0;

	snprintf(gpath, sizeof(gpath), "%s/%s/groups.txt", dir, name);
	if (access(gpath, R_OK) != 0)
		return 0;
	text = tread_file(text_path, NULL);
	with = tlspci_with_groups(text, gpath, &ndev, &nlines);
	file = tdir_write("vv-groups.txt", with);
	if (tload(file, ACS_SOURCE_FILE, &f))
		fail_msg("%s (%s with group lines)", acs_error_last()->message, name);
	assert_int_equal(acs_fabric_count(f), acs_fabric_count(plain));
	assert_int_equal(acs_fabric_kernel_groups(f), nlines ? ACS_KGROUPS_PRESENT : ACS_KGROUPS_UNKNOWN);
	match = numbers_matching(f, kernel, gpath, &grouped);
	assert_int_equal(acs_groups_compute(&g, f, acs_policy_find(kernel)), 0);
	assert_int_equal(acs_groups_check(&chk, g, f), 0);
	if (match != grouped || acs_group_check_count(chk) || acs_group_check_compared(chk) != nlines) {
		print_error("%s/%s with group lines: %zu of %zu numbers equal, %zu differences\n", dir, name,
			    match, grouped, acs_group_check_count(chk));
		bad = 1;
	}
	++*cases;
	acs_group_check_free(chk);
	acs_groups_free(g);
	acs_fabric_free(f);
	free(with);
	free(text);
	return bad;
}

static void test_lspci_vm__fixtures_as_text(void **state)
{
	const char *root = getenv("ACSCTL_FIXTURES");
	const char *kernels[] = { "6.1", "6.12" };
	int cases = 0, failed = 0, kcases = 0;

	(void)state;
	if (!root)
		root = "tests/fixtures/vm";
	if (!have_lspci()) {
		print_message("skipped: no lspci to turn the fixtures into text\n");
		skip();
	}
	for (int k = 0; k < 2; k++) {
		char path[1024];
		char *names[4096];
		size_t n = 0;
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "%s/%s", root, kernels[k]);
		d = opendir(path);
		if (!d)
			continue;   /* none captured yet */
		while ((e = readdir(d)) && n < 4096)
			if (e->d_name[0] != '.')
				names[n++] = strdup(e->d_name);
		closedir(d);
		qsort(names, n, sizeof(*names), tstr_cmp);
		for (size_t i = 0; i < n; i++) {
			char dump[1400], text[400];
			acs_fabric *fd = NULL, *ft = NULL;
			char *a, *b;

			snprintf(dump, sizeof(dump), "%s/%s/lspci.txt", path, names[i]);
			if (access(dump, R_OK) != 0) {
				free(names[i]);
				continue;
			}
			cases++;
			snprintf(text, sizeof(text), "%s/vv.txt", tdir());
			if (!convert(dump, text))
				fail_msg("lspci -vvnn -F %s failed", dump);
			if (tload(dump, ACS_SOURCE_DUMP, &fd))
				fail_msg("%s", acs_error_last()->message);
			if (tload(text, ACS_SOURCE_FILE, &ft))
				fail_msg("%s (from %s)", acs_error_last()->message, dump);
			assert_int_equal(acs_fabric_source_kind(ft), ACS_SOURCE_LSPCI);
			assert_int_equal(acs_fabric_count(ft), acs_fabric_count(fd));
			if (acs_fabric_unknown_count(ft)) {
				print_error("%s: %zu functions unknown as text\n", dump,
					    acs_fabric_unknown_count(ft));
				failed++;
			}
			failed += same_bars(fd, ft, dump);
			a = tgroups_partition(fd, kernels[k]);
			b = tgroups_partition(ft, kernels[k]);
			if (strcmp(a, b) != 0) {
				print_error("MISMATCH %s\n  dump:  %s\n  lspci: %s\n", dump, a, b);
				failed++;
			}
			free(a);
			free(b);
			failed += with_group_lines(ft, text, path, names[i], kernels[k], &kcases);
			acs_fabric_free(fd);
			acs_fabric_free(ft);
			free(names[i]);
		}
	}
	print_message("VM fixtures as lspci -vvnn text: %d/%d give the dump's groups, BARs and windows\n",
		      cases - failed, cases);
	print_message("VM fixtures as lspci -vvnn text with the kernel's IOMMU group lines: %d read back, "
		      "every group number equal to the kernel's, groups --check clean\n", kcases);
	assert_int_equal(failed, 0);
}

/* Every PE number and pe --check finding of a powernv capture: from the
 * dump and from lspci -vvnn text of it alike (Region lines give the M64
 * BARs that pin PE numbers). */
static int same_pes(const acs_fabric *fd, const acs_fabric *ft, const char *machine, const char *dump)
{
	const acs_platform *p = acs_platform_find(machine);
	acs_pe_table *td = NULL, *tt = NULL;
	acs_pe_finding *vd = NULL, *vt = NULL;
	size_t nd = 0, nt = 0;
	int bad = 0;

	assert_int_equal(acs_pe_assign(&td, fd, p, ACS_PE_BUS), 0);
	assert_int_equal(acs_pe_assign(&tt, ft, p, ACS_PE_BUS), 0);
	for (size_t i = 0; !bad && i < acs_fabric_count(fd); i++) {
		long a = acs_pe_of(td, i), b = acs_pe_of(tt, i);

		bad = (a < 0) != (b < 0) || (a >= 0 && acs_pe_at(td, (size_t)a)->number != acs_pe_at(tt, (size_t)b)->number);
	}
	assert_int_equal(acs_pe_check(&vd, &nd, td, fd, p), 0);
	assert_int_equal(acs_pe_check(&vt, &nt, tt, ft, p), 0);
	bad |= nd != nt;
	for (size_t k = 0; !bad && k < nd; k++)
		bad = vd[k].kind != vt[k].kind || vd[k].device != vt[k].device || vd[k].neighbour != vt[k].neighbour;
	if (bad)
		print_error("%s: PEs or pe --check differ as text\n", dump);
	free(vd);
	free(vt);
	acs_pe_free(td);
	acs_pe_free(tt);
	return bad;
}

static void test_lspci_power__fixtures_as_text(void **state)
{
	const char *root = getenv("ACSCTL_POWER_FIXTURES");
	const char *machines[] = { "powernv8", "powernv9" };
	int cases = 0, failed = 0;

	(void)state;
	if (!root)
		root = "tests/fixtures/vm-power";
	if (!have_lspci()) {
		print_message("skipped: no lspci to turn the fixtures into text\n");
		skip();
	}
	for (int m = 0; m < 2; m++) {
		char path[1024];
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "%s/%s", root, machines[m]);
		if (!(d = opendir(path)))
			continue;
		while ((e = readdir(d))) {
			char dump[1400], text[400];
			acs_fabric *fd = NULL, *ft = NULL;

			snprintf(dump, sizeof(dump), "%s/%s/lspci.txt", path, e->d_name);
			if (e->d_name[0] == '.' || access(dump, R_OK) != 0)
				continue;
			cases++;
			snprintf(text, sizeof(text), "%s/vv.txt", tdir());
			if (!convert(dump, text))
				fail_msg("lspci -vvnn -F %s failed", dump);
			if (tload(dump, ACS_SOURCE_DUMP, &fd) || tload(text, ACS_SOURCE_FILE, &ft))
				fail_msg("%s: %s", dump, acs_error_last()->message);
			failed += same_bars(fd, ft, dump) || same_pes(fd, ft, machines[m], dump);
			acs_fabric_free(fd);
			acs_fabric_free(ft);
		}
		closedir(d);
	}
	print_message("powernv captures as lspci -vvnn text: %d/%d give the dump's BARs, PE numbers and "
		      "pe --check\n", cases - failed, cases);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lspci_load__switch),
		cmocka_unit_test(test_lspci_header__forms),
		cmocka_unit_test(test_lspci_header__bridge_names),
		cmocka_unit_test(test_lspci_pcie__port_types),
		cmocka_unit_test(test_lspci_acs__bits),
		cmocka_unit_test(test_lspci_caps__chains),
		cmocka_unit_test(test_lspci_ext__ats_sriov),
		cmocka_unit_test(test_lspci_known__rules),
		cmocka_unit_test(test_lspci_driver__lines),
		cmocka_unit_test(test_lspci_multifunction__header_bit),
		cmocka_unit_test(test_lspci_lines__ignored),
		cmocka_unit_test(test_lspci_error__truncated_header),
		cmocka_unit_test(test_lspci_error__unknown_port_type),
		cmocka_unit_test(test_lspci_error__bridge_without_bus),
		cmocka_unit_test(test_lspci_error__duplicate_address),
		cmocka_unit_test(test_lspci_error__long_line),
		cmocka_unit_test(test_lspci_error__acs_lines),
		cmocka_unit_test(test_lspci_error__capability_lines),
		cmocka_unit_test(test_lspci_error__bus_line),
		cmocka_unit_test(test_lspci_error__other_files),
		cmocka_unit_test(test_lspci_robust__cut_and_bent),
		cmocka_unit_test(test_lspci_realdata__machines),
		cmocka_unit_test(test_lspci_realdata__kernel_groups),
		cmocka_unit_test(test_lspci_load__iommu_group_lines),
		cmocka_unit_test(test_lspci_load__regions),
		cmocka_unit_test(test_lspci_vmd__domain_owner),
		cmocka_unit_test(test_lspci_vm__fixtures_as_text),
		cmocka_unit_test(test_lspci_power__fixtures_as_text),
	};

	return cmocka_run_group_tests_name("lspci", tests, tdir_setup, tdir_teardown);
}
