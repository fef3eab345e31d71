/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dump files through libpci: what loads, and every bad file as a one-line
 * error naming the file (and the device, where there is one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/input.h"
#include "tfab.h"

/* Hex lines of a config buffer as lspci -xxxx prints them. */
/* len bytes of c as lspci -x rows, and the blank line after a device. */
static void append_rows(char *out, const struct tcfg *c, unsigned len)
{
	char line[80];

	for (unsigned off = 0; off < len; off += 16) {
		sprintf(line, "%02x:", off);
		strcat(out, line);
		for (unsigned k = 0; k < 16; k++) {
			sprintf(line, " %02x", c->b[off + k]);
			strcat(out, line);
		}
		strcat(out, "\n");
	}
	strcat(out, "\n");
}

static void append_dump(char *out, const char *addr, const struct tcfg *c)
{
	char line[80];

	sprintf(line, "%s Device\n", addr);
	strcat(out, line);
	append_rows(out, c, c->len);
}

static void expect_error(const char *path, int code, const char *what)
{
	acs_fabric *f = NULL;
	const char *msg;

	assert_int_equal(tload(path, ACS_SOURCE_DUMP, &f), code);
	assert_null(f);
	msg = acs_error_last()->message;
	if (!strstr(msg, path) || !strstr(msg, what))
		fail_msg("error '%s' does not name '%s' and '%s'", msg, path, what);
	assert_null(strchr(msg, '\n'));
}

static void test_sources_dump__loads_switch(void **state)
{
	char *text = calloc(1, 200000);
	struct tcfg c;
	acs_fabric *f = NULL;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&c, 0, 1, 1);
	append_dump(text, "00:02.0", &c);
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	append_dump(text, "0000:01:00.0", &c);
	assert_int_equal(tload(tdir_write("ok.txt", text), ACS_SOURCE_DUMP, &f), 0);
	assert_int_equal(acs_fabric_count(f), 2);
	assert_int_equal(acs_fabric_func(f, 0)->acs_ctrl, 0x1d);
	assert_int_equal(acs_fabric_func(f, 0)->cfg_len, 4096);
	assert_int_equal(acs_fabric_kernel_groups(f), ACS_KGROUPS_UNKNOWN);
	assert_partition(f, "6.1", "00:02.0 | 01:00.0");
	acs_fabric_free(f);
	free(text);
}

static void test_sources_dump__missing_file(void **state)
{
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/nope.txt", tdir());
	expect_error(path, ACS_ENOTFOUND, "No such file");
}

static void test_sources_dump__not_a_dump(void **state)
{
	(void)state;
	expect_error(tdir_write("prose.txt", "hello\nthis is not lspci output\n"),
		     ACS_EPARSE, "no PCI functions");
	expect_error(tdir_write("empty.txt", ""), ACS_EPARSE, "empty.txt: empty");
}

static void test_sources_dump__malformed_hex(void **state)
{
	(void)state;
	expect_error(tdir_write("bad.txt", "00:00.0 Host\n00: 86 80 zz 29\n"),
		     ACS_EPARSE, "bad.txt:2: 00:00.0: config row 0x0: byte 2 is bad");
	expect_error(tdir_write("bad2.txt", "00:00.0 Host\n00: 86 80 29\n"),
		     ACS_EPARSE, "bad2.txt:2: 00:00.0: config row 0x0: byte 3 is missing");
	expect_error(tdir_write("bad3.txt", "00:00.0 Host\n00: 86 80 29 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"),
		     ACS_EPARSE, "bad3.txt:2: 00:00.0: config row 0x0: more than 16 bytes");
}

/* Found by fuzz/: libpci reads a row's offset into an int, so one of
 * 0x80000000 or more wrote before its buffer (lspci crashes too). */
static void test_sources_dump__row_past_config_space(void **state)
{
	(void)state;
	expect_error(tdir_write("far.txt", "00:02.0 VGA\nd4ff0ff0: 00\n"), ACS_EPARSE,
		     "far.txt:2: 00:02.0: config row at 0xd4ff0ff0, past the 4096 bytes of config space");
	expect_error(tdir_write("far2.txt", "00:02.0 VGA\n1000: 00\n"), ACS_EPARSE, "far2.txt:2: 00:02.0: config row at 0x1000");
	/* a snapshot holds a dump: the same screen */
	expect_error(tdir_write("far3.txt", "# acsctl snapshot 1\n00:02.0 \n80000000: 00\n"), ACS_EPARSE,
		     "far3.txt:3: 00:02.0: config row at 0x80000000");
}

static void test_sources_dump__truncated(void **state)
{
	(void)state;
	expect_error(tdir_write("short.txt",
		"00:00.0 Host\n00: 86 80 c0 29 00 00 00 00 00 00 00 06 00 00 00 00\n"),
		ACS_EPARSE, "short.txt:1: 00:00.0: 16 bytes of config space: cut short");
	/* cut inside a row, and a row missing between two */
	expect_error(tdir_write("short2.txt", "00:00.0 Host\n00: 86 80 c0"), ACS_EPARSE,
		     "short2.txt:2: 00:00.0: the file ends inside this line");
	expect_error(tdir_write("gap.txt", "00:00.0 Host\n00: 86 80 c0 29 00 00 00 00 00 00 00 06 00 00 00 00\n"
				"20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"), ACS_EPARSE,
		     "gap.txt:3: 00:00.0: config row at 0x20 where 0x10 was due");
}

static void test_sources_dump__duplicate(void **state)
{
	char *text = calloc(1, 100000);
	struct tcfg c;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	append_dump(text, "00:03.0", &c);
	append_dump(text, "0000:00:03.0", &c);
	expect_error(tdir_write("dup.txt", text), ACS_EINVAL, "0000:00:03.0: duplicate address");
	free(text);
}

static void test_sources_dump__loop(void **state)
{
	char *text = calloc(1, 100000);
	struct tcfg c;

	(void)state;
	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	c.b[0x41] = 0x40;
	append_dump(text, "00:03.0", &c);
	expect_error(tdir_write("loop.txt", text), ACS_EPARSE, "0000:00:03.0: capability list loops");
	free(text);
}

static void test_sources_dump__directory(void **state)
{
	acs_fabric *f = NULL;

	(void)state;
	assert_true(tload(tdir(), ACS_SOURCE_DUMP, &f) < 0);
	assert_null(f);
	assert_non_null(strstr(acs_error_last()->message, tdir()));
}

static void test_sources_dump__long_line(void **state)
{
	char *text = calloc(1, 2000);

	(void)state;
	strcpy(text, "00:00.0 ");
	memset(text + 8, 'x', 1500);
	strcat(text, "\n");
	expect_error(tdir_write("long.txt", text), ACS_EPARSE, "line too long");
	free(text);
}

/* A captured sysfs tree: config files, iommu_group links, drivers. */
static void make_sysfs_func(const char *root, const char *addr,
			    const struct tcfg *c, unsigned len, int group,
			    const char *driver)
{
	char path[512], cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/bus/pci/devices/%s %s/kernel/iommu_groups",
		 root, addr, root);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", root, addr);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(c->b, 1, len, f), len);
	fclose(f);
	if (group >= 0) {
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s/kernel/iommu_groups/%d/devices && "
			 "ln -s ../../../../kernel/iommu_groups/%d %s/bus/pci/devices/%s/iommu_group",
			 root, group, group, root, addr);
		assert_int_equal(system(cmd), 0);
	}
	if (driver) {
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s/bus/pci/drivers/%s && "
			 "ln -s ../../../../bus/pci/drivers/%s %s/bus/pci/devices/%s/driver",
			 root, driver, driver, root, addr);
		assert_int_equal(system(cmd), 0);
	}
}

static acs_fabric *load_sysfs(const char *root)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	o.path = root;
	if (acs_fabric_load(&f, &o))
		fail_msg("%s", acs_error_last()->message);
	return f;
}

static void test_sources_sysfs__root_reads(void **state)
{
	char root[300];
	struct tcfg rp, ep;
	acs_fabric *f;

	(void)state;
	snprintf(root, sizeof(root), "%s/sys-root", tdir());
	tcfg_make(&rp, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&rp, 0, 1, 1);
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	make_sysfs_func(root, "0000:00:02.0", &rp, 4096, 3, "pcieport");
	make_sysfs_func(root, "0000:01:00.0", &ep, 4096, 4, NULL);
	f = load_sysfs(root);
	assert_int_equal(acs_fabric_count(f), 2);
	assert_int_equal(acs_fabric_kernel_groups(f), ACS_KGROUPS_PRESENT);
	assert_int_equal(acs_fabric_kernel_group(f, 0), 3);
	assert_int_equal(acs_fabric_kernel_group(f, 1), 4);
	assert_string_equal(acs_fabric_func(f, 0)->driver, "pcieport");
	assert_null(acs_fabric_func(f, 1)->driver);
	assert_true(acs_fabric_func(f, 1)->known & ACS_KNOWN_DRIVER);
	assert_int_equal(acs_fabric_unknown_count(f), 0);
	assert_null(acs_fabric_kernel_release(f)); /* not the running kernel */
	assert_partition(f, "6.12", "00:02.0 | 01:00.0");
	acs_fabric_free(f);
}

/* A VMD domain in sysfs: its host bridge directory lies below the VMD
 * endpoint's (devices/pci0000:00/0000:00:0e.0/pci10000:e0/...). */
static void test_sources_sysfs__vmd_domain(void **state)
{
	char root[300], cmd[2000];
	struct tcfg vmd, rp, ep;
	acs_fabric *f;
	const char *in[] = { "0000:00:0e.0", "10000:e0:06.0", "10000:e1:00.0" };
	const char *at[] = { "pci0000:00/0000:00:0e.0", "pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:06.0",
			     "pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:06.0/10000:e1:00.0" };
	const struct tcfg *c[] = { &vmd, &rp, &ep };

	(void)state;
	snprintf(root, sizeof(root), "%s/sys-vmd", tdir());
	tcfg_make(&vmd, 0x8086, 0x9a0b, 0x010400, ACS_PCIE_RC_END, false, false, NO_ACS);
	tcfg_make(&rp, 0x8086, 0x9a09, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&rp, 0xe0, 0xe1, 0xe1);
	tcfg_make(&ep, 0x144d, 0xa80a, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	for (int k = 0; k < 3; k++) {
		char path[600];
		FILE *fp;

		snprintf(cmd, sizeof(cmd), "mkdir -p %s/devices/%s %s/bus/pci/devices && "
			 "ln -s ../../../devices/%s %s/bus/pci/devices/%s", root, at[k], root, at[k], root, in[k]);
		assert_int_equal(system(cmd), 0);
		snprintf(path, sizeof(path), "%s/devices/%s/config", root, at[k]);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(c[k]->b, 1, 4096, fp), 4096);
		fclose(fp);
	}
	f = load_sysfs(root);
	assert_int_equal(acs_fabric_count(f), 3);
	assert_int_equal(acs_fabric__vmd_owner(f, acs_fabric_find(f, 0x10000, 0xe1, 0, 0)),
			 (long)acs_fabric_index(f, acs_fabric_find(f, 0, 0, 0x0e, 0)));
	assert_int_equal(acs_fabric__vmd_owner(f, acs_fabric_find(f, 0, 0, 0x0e, 0)), -1);
	acs_fabric_free(f);
}

/* Without root, sysfs gives 64 bytes: ACS is unknown, never guessed. */
static void test_sources_sysfs__without_root(void **state)
{
	char root[300];
	struct tcfg rp, ep;
	acs_fabric *f;
	acs_groups *g;

	(void)state;
	snprintf(root, sizeof(root), "%s/sys-user", tdir());
	tcfg_make(&rp, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&rp, 0, 1, 1);
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	make_sysfs_func(root, "0000:00:02.0", &rp, 64, -1, NULL);
	make_sysfs_func(root, "0000:01:00.0", &ep, 64, -1, NULL);
	f = load_sysfs(root);
	assert_int_equal(acs_fabric_kernel_groups(f), ACS_KGROUPS_NONE);
	assert_int_equal(acs_fabric_unknown_count(f), 2);
	assert_false(acs_func_acs_known(acs_fabric_func(f, 0)));
	assert_int_equal(acs_groups_compute(&g, f, acs_policy_default()), 0);
	assert_int_equal(acs_groups_uncertain_count(g), acs_groups_count(g));
	acs_groups_free(g);
	acs_fabric_free(f);
}

/* The reader's edges: config as long as the file (256 bytes: one read,
 * no bisection), a group link and a driver link that lead nowhere are no
 * group and no driver (as realpath() had it), one group's type file for
 * both its members, BAR sizes from resource, reset methods; then a
 * resource line that is not three hex numbers is bad input naming it. */
static void test_sources_sysfs__files_and_links(void **state)
{
	char root[300], dev[400], cmd[4000];
	struct tcfg rp, ep, ep2;
	acs_fabric *f = NULL;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	size_t i;

	(void)state;
	snprintf(root, sizeof(root), "%s/sys-files", tdir());
	tcfg_make(&rp, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&rp, 0, 1, 1);
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	tcfg_make(&ep2, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	make_sysfs_func(root, "0000:00:02.0", &rp, 256, 5, "pcieport");
	make_sysfs_func(root, "0000:01:00.0", &ep, 4096, 6, NULL);
	make_sysfs_func(root, "0000:01:00.1", &ep2, 4096, 6, NULL);
	snprintf(dev, sizeof(dev), "%s/bus/pci/devices", root);
	snprintf(cmd, sizeof(cmd),
		 "printf 'DMA-FQ\\n' >%s/kernel/iommu_groups/6/type && rm -r %s/kernel/iommu_groups/5 && "
		 "ln -s ../../../../bus/pci/drivers/gone %s/0000:01:00.1/driver && "
		 "printf 'flr bus\\n' >%s/0000:01:00.0/reset_method && "
		 "printf '1\\n' >%s/0000:01:00.0/numa_node && : >%s/0000:01:00.1/numa_node && "
		 "printf '0x0000004000000000 0x0000004000ffffff 0x0000000000140204\\n"
		 "0x0000000000000000 0x0000000000000000 0x0000000000000000\\n' >%s/0000:01:00.0/resource",
		 root, root, dev, dev, dev, dev, dev);
	assert_int_equal(system(cmd), 0);
	f = load_sysfs(root);
	assert_int_equal(acs_fabric_count(f), 3);
	assert_int_equal(acs_fabric_func(f, 0)->cfg_len, 256);
	assert_int_equal(acs_fabric_func(f, 1)->cfg_len, 4096);
	assert_int_equal(acs_fabric_kernel_group(f, 0), -1);
	assert_string_equal(acs_fabric_func(f, 0)->driver, "pcieport");
	for (i = 1; i < 3; i++) {
		assert_int_equal(acs_fabric_kernel_group(f, i), 6);
		assert_non_null(acs_fabric_iommu_type(f, i));
		assert_string_equal(acs_fabric_iommu_type(f, i), "DMA-FQ");
		assert_null(acs_fabric_func(f, i)->driver);
	}
	assert_true(acs_fabric_func(f, 1)->bar_size[0] == 0x1000000);
	assert_true(acs_fabric_func(f, 1)->bar_size[1] == 0);
	assert_string_equal(acs_fabric_reset_methods(f, 1), "flr bus");
	assert_string_equal(acs_fabric_reset_methods(f, 2), "");
	/* numa_node: none -1, "1" 1, an empty file 0 (libpci's strtol) */
	assert_int_equal(acs_fabric_func(f, 0)->numa_node, -1);
	assert_int_equal(acs_fabric_func(f, 1)->numa_node, 1);
	assert_int_equal(acs_fabric_func(f, 2)->numa_node, 0);
	acs_fabric_free(f);
	f = NULL;
	snprintf(cmd, sizeof(cmd), "printf '0x0 0x0 0x0\\nnot hex\\n' >%s/0000:01:00.0/resource", dev);
	assert_int_equal(system(cmd), 0);
	o.path = root;
	assert_int_equal(acs_fabric_load(&f, &o), ACS_EPARSE);
	assert_null(f);
	assert_non_null(strstr(acs_error_last()->message, "0000:01:00.0/resource"));
}

static void test_sources_sysfs__missing_root(void **state)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	(void)state;
	o.path = "/nonexistent-acsctl";
	assert_int_equal(acs_fabric_load(&f, &o), ACS_ENOTFOUND);
	assert_non_null(strstr(acs_error_last()->message, "/nonexistent-acsctl/bus/pci"));
}

/* sysfs -> snapshot -> load keeps what the live source knew. */
static void test_sources_snapshot__round_trip(void **state)
{
	char root[300], path[300];
	struct tcfg rp, ep;
	acs_fabric *f, *g = NULL;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	FILE *out;

	(void)state;
	snprintf(root, sizeof(root), "%s/sys-snap", tdir());
	tcfg_make(&rp, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&rp, 0, 1, 1);
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	make_sysfs_func(root, "0000:00:02.0", &rp, 4096, 7, "pcieport");
	make_sysfs_func(root, "0000:01:00.0", &ep, 4096, 9, NULL);
	f = load_sysfs(root);
	snprintf(path, sizeof(path), "%s/snap.txt", tdir());
	out = fopen(path, "w");
	assert_int_equal(acs_snapshot_write(f, out), 0);
	fclose(out);
	o.kind = ACS_SOURCE_FILE;
	o.path = path;
	if (acs_fabric_load(&g, &o))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(acs_fabric_source_kind(g), ACS_SOURCE_SNAPSHOT);
	assert_int_equal(acs_fabric_count(g), 2);
	assert_int_equal(acs_fabric_kernel_groups(g), ACS_KGROUPS_PRESENT);
	assert_int_equal(acs_fabric_kernel_group(g, 0), 7);
	assert_int_equal(acs_fabric_kernel_group(g, 1), 9);
	assert_string_equal(acs_fabric_func(g, 0)->driver, "pcieport");
	assert_null(acs_fabric_func(g, 1)->driver);
	for (unsigned off = 0; off < 4096; off++)
		assert_int_equal(acs_func_cfg_byte(acs_fabric_func(f, 0), off),
				 acs_func_cfg_byte(acs_fabric_func(g, 0), off));
	assert_partition(g, "6.1", "00:02.0 | 01:00.0");
	acs_fabric_free(f);
	acs_fabric_free(g);
}

/* Issue 18: whose a snapshot is. DMI under the --sysfs root, the host name
 * beside it (ROOT/../proc), the time; the serial only when asked; each
 * PCIe function's link from its Link Status register. */
static void test_sources_snapshot__identity(void **state)
{
	static const char *const dmi[][2] = {
		{ "product_name", "Standard PC (Q35 + ICH9, 2009)" }, { "board_name", "Board X" },
		{ "bios_vendor", "SeaBIOS" }, { "bios_version", "1.16.2-debian-1.16.2-1" },
		{ "bios_date", "04/01/2014" }, { "product_serial", "SN-1234" },
	};
	static char text[65536];
	char base[300], root[400], path[600], cmd[3000];
	struct tcfg rp, ep;
	acs_fabric *f, *g = NULL;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	unsigned speed, width;
	size_t n;
	FILE *out;

	(void)state;
	snprintf(base, sizeof(base), "%s/id-host", tdir());
	snprintf(root, sizeof(root), "%s/sys", base);
	tcfg_make(&rp, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, 0x1d);
	tcfg_buses(&rp, 0, 1, 1);
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	ep.b[0x52] = 0x43;  /* Link Status: 8GT/s x4 */
	make_sysfs_func(root, "0000:00:02.0", &rp, 4096, 7, "pcieport");
	make_sysfs_func(root, "0000:01:00.0", &ep, 4096, 9, "nvme");
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/class/dmi/id %s/proc/sys/kernel && echo gpu-node-7 > "
		 "%s/proc/sys/kernel/hostname && echo 'vendor_id : GenuineIntel' > %s/proc/cpuinfo && "
		 "echo 6.12.0-test > %s/proc/sys/kernel/osrelease", root, base, base, base, base);
	assert_int_equal(system(cmd), 0);
	for (size_t k = 0; k < sizeof(dmi) / sizeof(dmi[0]); k++) {
		snprintf(path, sizeof(path), "%s/class/dmi/id/%s", root, dmi[k][0]);
		out = fopen(path, "w");
		assert_non_null(out);
		fprintf(out, "%s\n", dmi[k][1]);
		fclose(out);
	}
	/* the root port's config says link down: sysfs's attributes stand in */
	snprintf(cmd, sizeof(cmd), "echo '16.0 GT/s PCIe' > %s/bus/pci/devices/0000:00:02.0/current_link_speed && "
		 "echo 8 > %s/bus/pci/devices/0000:00:02.0/current_link_width", root, root);
	assert_int_equal(system(cmd), 0);
	f = load_sysfs(root);
	assert_true(acs_fabric_link(f, 0, &speed, &width));
	assert_int_equal(speed * 100 + width, 408);
	assert_string_equal(acs_fabric_host_fact(f, ACS_HOST_NAME), "gpu-node-7");
	assert_string_equal(acs_fabric_host_fact(f, ACS_HOST_PRODUCT), "Standard PC (Q35 + ICH9, 2009)");
	assert_string_equal(acs_fabric_host_fact(f, ACS_HOST_BIOS_VERSION), "1.16.2-debian-1.16.2-1");
	assert_string_equal(acs_fabric_host_fact(f, ACS_HOST_SERIAL), "SN-1234");
	assert_int_equal(strlen(acs_fabric_host_fact(f, ACS_HOST_TIME)), 20);
	assert_true(acs_func_link(acs_fabric_func(f, 1), &speed, &width));
	assert_int_equal(speed, 3);
	assert_int_equal(width, 4);
	assert_string_equal(acs_link_speed_name(speed), "8GT/s");
	assert_false(acs_func_link(acs_fabric_func(f, 0), &speed, &width));  /* link down */
	for (int serial = 0; serial < 2; serial++) {
		snprintf(path, sizeof(path), "%s/snap-id%d.txt", tdir(), serial);
		out = fopen(path, "w");
		assert_int_equal(acs_snapshot_write_opts(f, out, serial ? ACS_SNAPSHOT_SERIAL : 0), 0);
		fclose(out);
		out = fopen(path, "r");
		n = fread(text, 1, sizeof(text) - 1, out);
		text[n] = '\0';
		fclose(out);
		assert_non_null(strstr(text, "\n# hostname: gpu-node-7\n"));
		assert_non_null(strstr(text, "\n# bios-date: 04/01/2014\n"));
		assert_non_null(strstr(text, " driver=nvme"));
		assert_non_null(strstr(text, " link=8GT/s,x4"));
		assert_non_null(strstr(text, " link=16GT/s,x8"));
		assert_true(!strstr(text, "SN-1234") == !serial);
		o.kind = ACS_SOURCE_FILE;
		o.path = path;
		if (acs_fabric_load(&g, &o))
			fail_msg("%s", acs_error_last()->message);
		for (int k = 0; k < ACS_HOST_FACT_COUNT; k++)
			if (k != ACS_HOST_SERIAL || serial)
				assert_string_equal(acs_fabric_host_fact(g, k), acs_fabric_host_fact(f, k));
		if (!serial)
			assert_null(acs_fabric_host_fact(g, ACS_HOST_SERIAL));
		assert_true(acs_func_link(acs_fabric_func(g, 1), &speed, &width));
		assert_int_equal(speed * 100 + width, 304);
		assert_true(acs_fabric_link(g, 0, &speed, &width));
		assert_int_equal(speed * 100 + width, 408);
		assert_int_equal(acs_fabric_kernel_group(g, 1), 9);
		acs_fabric_free(g);
		g = NULL;
	}
	acs_fabric_free(f);
}

/* A command line longer than libpci's line limit survives in pieces. */
static void test_sources_snapshot__long_cmdline(void **state)
{
	char text[4096] = "# acsctl snapshot 1\n# kernel-release: 6.1.0-22-amd64\n"
			  "# cmdline: pci=config_acs=\n# cmdline+: 1101@0000:00:02.0 quiet\n"
			  "# iommu-groups: present\n\n";
	struct tcfg ep;
	acs_fabric *f = NULL;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;

	(void)state;
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	strcat(text, "0000:00:03.0 iommu_group=4 driver=nvme numa_node=1\n");
	for (unsigned off = 0; off < 256; off += 16) {
		char l[64];

		sprintf(l, "%02x:", off);
		strcat(text, l);
		for (unsigned k = 0; k < 16; k++) {
			sprintf(l, " %02x", ep.b[off + k]);
			strcat(text, l);
		}
		strcat(text, "\n");
	}
	o.kind = ACS_SOURCE_FILE;
	o.path = tdir_write("snap2.txt", text);
	if (acs_fabric_load(&f, &o))
		fail_msg("%s", acs_error_last()->message);
	assert_string_equal(acs_fabric_cmdline(f), "pci=config_acs=1101@0000:00:02.0 quiet");
	assert_string_equal(acs_fabric_kernel_release(f), "6.1.0-22-amd64");
	assert_int_equal(acs_fabric_func(f, 0)->numa_node, 1);
	assert_string_equal(acs_fabric_func(f, 0)->driver, "nvme");
	assert_int_equal(acs_fabric_kernel_group(f, 0), 4);
	acs_fabric_free(f);
	o.path = tdir_write("snap3.txt", "# acsctl snapshot 1\n0000:00:03.0 iommu_group\n");
	assert_int_equal(acs_fabric_load(&f, &o), ACS_EPARSE);
	assert_non_null(strstr(acs_error_last()->message, "snap3.txt:2"));
}

/* Found by fuzz/ (fuzz-parse-dump, ASan): a CardBus bridge (header type 2)
 * in lspci -x's 64 bytes had its subsystem IDs read at 0x40, past them. */
static void test_sources_dump__cardbus_64_bytes(void **state)
{
	static const char rows[] = "00: 80 10 76 04 07 00 00 02 00 00 07 06 00 a8 82 00\n"
				   "10: 00 00 00 00 00 00 00 02 00 02 05 b0 00 00 00 00\n"
				   "20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
				   "30: 00 00 00 00 00 00 00 00 00 00 00 00 ff 01 00 05\n";
	char text[1024];
	acs_fabric *f = NULL;

	(void)state;
	snprintf(text, sizeof(text), "00:01.0 CardBus bridge\n%s\n", rows);
	if (tload(tdir_write("cardbus.txt", text), ACS_SOURCE_DUMP, &f))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(acs_fabric_count(f), 1);
	assert_int_equal(acs_fabric_func(f, 0)->header_type, 2);
	assert_int_equal(acs_fabric_func(f, 0)->subsys_vendor, 0);
	acs_fabric_free(f);
	/* with lspci -xxx's 128 they are there */
	snprintf(text, sizeof(text), "00:01.0 CardBus bridge\n%s"
		 "40: 28 10 d4 01 00 00 00 00 00 00 00 00 00 00 00 00\n"
		 "50: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		 "60: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		 "70: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n\n", rows);
	if (tload(tdir_write("cardbus2.txt", text), ACS_SOURCE_DUMP, &f))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(acs_fabric_func(f, 0)->subsys_vendor, 0x1028);
	assert_int_equal(acs_fabric_func(f, 0)->subsys_device, 0x01d4);
	acs_fabric_free(f);
}

/* dump-hex.c reads what libpci's reader read: hex digits of either case,
 * a five-digit domain (VMD), functions whatever their order in the file. */
static void test_sources_dump__own_reader_as_libpci(void **state)
{
	static const char row0[] = "00: 86 80 C0 29 07 00 10 00 02 00 00 06 00 00 00 00\n";
	static const char row0l[] = "00: 86 80 c0 29 07 00 10 00 02 00 00 06 00 00 00 00\n";
	static const char zero[] = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";
	char text[4096];
	acs_fabric *f = NULL;

	(void)state;
	snprintf(text, sizeof(text), "10000:01:00.0 Host bridge\n%s10: %s20: %s30: %s\n"
		 "00:1f.7 Host bridge\n%s10: %s20: %s30: %s", row0, zero, zero, zero, row0l, zero, zero, zero);
	if (tload(tdir_write("hexcase.txt", text), ACS_SOURCE_DUMP, &f))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(acs_fabric_count(f), 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(acs_fabric_func(f, i)->vendor_id, 0x8086);
		assert_int_equal(acs_fabric_func(f, i)->device_id, 0x29c0);
	}
	assert_non_null(acs_fabric_find(f, 0x10000, 1, 0, 0));
	assert_non_null(acs_fabric_find(f, 0, 0x00, 0x1f, 7));
	acs_fabric_free(f);
	/* a byte that is no hex digit, in either place */
	snprintf(text, sizeof(text), "00:00.0 Host bridge\n00: 86 80 c0 2g 07 00 10 00 02 00 00 06 00 00 00 00\n"
		 "10: %s20: %s30: %s", zero, zero, zero);
	assert_int_not_equal(tload(tdir_write("hexbad.txt", text), ACS_SOURCE_DUMP, &f), 0);
	assert_non_null(strstr(acs_error_last()->message, "hexbad.txt:2: 00:00.0: config row 0x0: byte 3 is bad"));
}

/* Found by fuzz/ (fuzz-parse-topology, ASan): a conventional PCI function
 * with an "sriov" keeps 256 bytes of config space, and its VFs' count was
 * read at the extended capability before the bounds check. */
static void test_sources_topology__pci_device_sriov(void **state)
{
	acs_fabric *f = NULL;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;

	(void)state;
	o.kind = ACS_SOURCE_TOPOLOGY;
	o.path = tdir_write("pci-sriov.json", "{\"acsctl-topology\": 1, \"roots\": [{\"functions\": [\n"
			    " {\"slot\": \"00.0\", \"type\": \"host-bridge\", \"vendor\": \"1022\", \"device\": \"14d8\"},\n"
			    " {\"slot\": \"18.7\", \"type\": \"pci-device\", \"vendor\": \"1022\", "
			    "\"device\": \"14f0\", \"sriov\": \"060000\"}]}]}\n");
	if (!acs_fabric_load(&f, &o))
		acs_fabric_free(f);
}

/* Found by fuzz/ (fuzz-parse-snapshot, a leak): a device line naming its
 * driver twice kept the first copy; the last one counts, as for the other
 * keys, and the first is freed (ASan's leak check in make asan). */
static void test_sources_snapshot__driver_twice(void **state)
{
	static const char *const lines[] = { "0000:00:03.0 driver=first driver=nvme\n",
					     "0000:00:04.0 driver=first driver=-\n" };
	char text[4096] = "# acsctl snapshot 1\n";
	struct tcfg ep;
	acs_fabric *f = NULL;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;

	(void)state;
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	for (int d = 0; d < 2; d++) {
		strcat(text, lines[d]);
		append_rows(text, &ep, 64);
	}
	o.kind = ACS_SOURCE_SNAPSHOT;
	o.path = tdir_write("snap-driver.txt", text);
	if (acs_fabric_load(&f, &o))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(acs_fabric_count(f), 2);
	assert_string_equal(acs_fabric_func(f, 0)->driver, "nvme");
	assert_null(acs_fabric_func(f, 1)->driver);
	acs_fabric_free(f);
}

/* Found by fuzz/ (fuzz-input, 89% of its time in strlen): format detection
 * looked for a device line's dot with strchr(), past the line to the next
 * dot in the file, so a long file of lines without one was quadratic
 * (1 MiB: 6 s, 4 MiB: 3.5 minutes). 8 MiB: at once. */
static void test_sources_input__detect_lines_without_dots(void **state)
{
	size_t n = 8u << 20;
	char *text = malloc(n + 16);
	acs_fabric *f = NULL;
	acs_load_opts o = ACS_LOAD_OPTS_INIT;

	(void)state;
	assert_non_null(text);
	strcpy(text, "00:02.0 x\n");
	memset(text + strlen(text), '\n', n);
	text[n] = '\0';
	o.kind = ACS_SOURCE_FILE;
	o.path = tdir_write("nodots.txt", text);
	free(text);
	assert_int_equal(acs_fabric_load(&f, &o), ACS_EPARSE);
	assert_non_null(strstr(acs_error_last()->message, "nodots.txt:1: 0000:00:02.0"));
	/* a dot on the next line is no device line's */
	o.path = tdir_write("nodots2.txt", "abcde\n.1 x\n");
	assert_int_equal(acs_fabric_load(&f, &o), ACS_EPARSE);
	assert_non_null(strstr(acs_error_last()->message, "nodots2.txt: no PCI data"));
}

/* Found by fuzz/ (fuzz-input): a file holding only a UTF-8 byte-order mark
 * was read as an empty buffer, which every parser then got; it is empty. */
static void test_sources_input__bom_alone(void **state)
{
	static const int kinds[] = { ACS_SOURCE_FILE, ACS_SOURCE_DUMP, ACS_SOURCE_LSPCI,
				     ACS_SOURCE_SNAPSHOT, ACS_SOURCE_TOPOLOGY };
	const char *path = tdir_write("bom.txt", "\xef\xbb\xbf");
	acs_load_opts o = ACS_LOAD_OPTS_INIT;

	(void)state;
	o.path = path;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		acs_fabric *f = NULL;
		const char *msg;

		o.kind = kinds[i];
		assert_int_equal(acs_fabric_load(&f, &o), ACS_EPARSE);
		assert_null(f);
		msg = acs_error_last()->message;
		if (!strstr(msg, "bom.txt: empty"))
			fail_msg("kind %d: '%s'", kinds[i], msg);
	}
}

/* A regular file of 64 KiB or more is mapped, not copied (input.c): the
 * same bytes, the NUL after them also where the file ends on a page
 * boundary (a mapping ends there), a BOM taken off; a NUL past the first
 * 64 KiB refused by every reader (a dump's and a snapshot's line by line). */
static void test_sources_input__mapped(void **state)
{
	/* (page multiples and not; each past 64 KiB by more than the NUL) */
	static const size_t sizes[] = { 65536 + 4096, 70001, 131072 };
	static const int kinds[] = { ACS_SOURCE_FILE, ACS_SOURCE_DUMP, ACS_SOURCE_LSPCI, ACS_SOURCE_SNAPSHOT,
				     ACS_SOURCE_TOPOLOGY };
	const char *head = "00:02.0 x\n";

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int bom = 0; bom < 2; bom++) {
			size_t n = sizes[i];
			char *text = malloc(n + 1), name[32], *path;
			struct acs_input in;
			FILE *f;
			size_t skip = bom ? 3 : 0;

			assert_non_null(text);
			memset(text, '#', n);
			memcpy(text, "\xef\xbb\xbf", skip);
			memcpy(text + skip, head, strlen(head));
			for (size_t k = 80; k < n; k += 80)
				text[k] = '\n';
			text[n - 1] = '\n';
			text[n] = '\0';
			snprintf(name, sizeof(name), "big-%zu-%d.txt", n, bom);
			if (acs_input_read(&in, tdir_write(name, text), 0))
				fail_msg("%s: %s", name, acs_error_last()->message);
			assert_non_null(in.map);
			assert_int_equal(in.len, n - skip);
			assert_memory_equal(in.data, text + skip, n - skip);
			assert_int_equal(in.data[in.len], '\0');
			acs_input_free(&in);
			assert_null(in.map);
			text[n - 10] = '\0';
			snprintf(name, sizeof(name), "nul-%zu-%d.txt", n, bom);
			path = tdir_write(name, "");   /* (a string would stop at the NUL) */
			f = fopen(path, "wb");
			assert_non_null(f);
			assert_int_equal(fwrite(text, 1, n, f), n);
			assert_int_equal(fclose(f), 0);
			/* past the first 64 KiB the reader's to refuse (input.h) */
			assert_int_equal(acs_input_read(&in, path, 0), 0);
			assert_int_equal(acs_input_check_nul(&in), ACS_EPARSE);
			assert_non_null(strstr(acs_error_last()->message, "a NUL byte"));
			acs_input_free(&in);
			for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
				acs_fabric *fab = NULL;
				acs_load_opts o = ACS_LOAD_OPTS_INIT;

				o.kind = kinds[k];
				o.path = path;
				assert_int_equal(acs_fabric_load(&fab, &o), ACS_EPARSE);
				/* (a snapshot's reader stops at its first line) */
				if (kinds[k] != ACS_SOURCE_SNAPSHOT && !strstr(acs_error_last()->message, "a NUL byte"))
					fail_msg("kind %d: '%s'", kinds[k], acs_error_last()->message);
			}
			free(text);
		}
}

/* Real machines from pciutils' own test corpus load whole. */
static void test_sources_dump__pciutils_corpus(void **state)
{
	static const struct { const char *name; size_t n; } dumps[] = {
		{ "tree-asus-p6t6.lspci-xxxx.txt", 53 },
		{ "tree-fujitsu-p8010.lspci-xxxx.txt", 22 },
		{ "tree-fsl-p2020.lspci-xxxx.txt", 6 },
	};
	const char *root = getenv("ACSCTL_SHARED");

	(void)state;
	if (!root || access(root, R_OK) != 0) {
		print_message("skipped: ../shared is absent (no pciutils dumps)\n");
		skip();
	}
	for (size_t i = 0; i < 3; i++) {
		char path[512];
		acs_fabric *f = NULL;

		snprintf(path, sizeof(path), "%s/pciutils-dumps/%s", root, dumps[i].name);
		if (tload(path, ACS_SOURCE_DUMP, &f))
			fail_msg("%s", acs_error_last()->message);
		assert_int_equal(acs_fabric_count(f), dumps[i].n);
		acs_fabric_free(f);
	}
}

/* A snapshot of one endpoint whose header lines are head (after the magic). */
static const char *host_snapshot(const char *name, const char *head)
{
	static char text[8192];
	struct tcfg ep;

	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	snprintf(text, sizeof(text), "# acsctl snapshot 2\n%s\n0000:00:03.0 id=1b36:0010\n", head);
	append_rows(text, &ep, 64);
	strcat(text, "# end: 1 functions\n");
	return tdir_write(name, text);
}

static acs_fabric *load_file(const char *path)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	o.kind = ACS_SOURCE_FILE;
	o.path = path;
	if (acs_fabric_load(&f, &o))
		fail_msg("%s", acs_error_last()->message);
	return f;
}

/* The host facts of a snapshot's "# host:" line come back, and are
 * written again as they were read; without the line they are unknown;
 * keys of a newer acsctl are ignored. */
static void test_sources_snapshot__host_facts(void **state)
{
	acs_fabric *f, *g;
	char path[300], line[256] = "";
	FILE *out;

	(void)state;
	f = load_file(host_snapshot("host.txt", "# kernel-release: 6.1.0-22-amd64\n"
					       "# host: cpu_vendor=AuthenticAMD cpu_family=25 CONFIG_PCI_P2PDMA=y "
					       "later_key=x"));
	assert_string_equal(acs_fabric_cpu_vendor(f), "AuthenticAMD");
	assert_int_equal(acs_fabric_cpu_family(f), 25);
	assert_int_equal(acs_fabric_kernel_p2pdma(f), 1);
	snprintf(path, sizeof(path), "%s/host-again.txt", tdir());
	out = fopen(path, "w");
	assert_int_equal(acs_snapshot_write(f, out), 0);
	fclose(out);
	out = fopen(path, "r");
	while (fgets(line, sizeof(line), out) && strncmp(line, "# host:", 7) != 0)
		;
	fclose(out);
	assert_string_equal(line, "# host: cpu_vendor=AuthenticAMD cpu_family=25 CONFIG_PCI_P2PDMA=y\n");
	g = load_file(path);
	assert_string_equal(acs_fabric_cpu_vendor(g), "AuthenticAMD");
	assert_int_equal(acs_fabric_cpu_family(g), 25);
	assert_int_equal(acs_fabric_kernel_p2pdma(g), 1);
	acs_fabric_free(f);
	acs_fabric_free(g);

	/* a host without vendor_id (not x86), its kernel without P2PDMA */
	f = load_file(host_snapshot("host-arm.txt", "# host: cpu_vendor=- CONFIG_PCI_P2PDMA=n"));
	assert_string_equal(acs_fabric_cpu_vendor(f), "");
	assert_int_equal(acs_fabric_cpu_family(f), -1);
	assert_int_equal(acs_fabric_kernel_p2pdma(f), 0);
	acs_fabric_free(f);

	/* a snapshot written before the line existed */
	f = load_file(host_snapshot("host-none.txt", "# kernel-release: 6.1.0-22-amd64\n# iommu-groups: present"));
	assert_null(acs_fabric_cpu_vendor(f));
	assert_int_equal(acs_fabric_cpu_family(f), -1);
	assert_int_equal(acs_fabric_kernel_p2pdma(f), -1);
	snprintf(path, sizeof(path), "%s/host-none-again.txt", tdir());
	out = fopen(path, "w");
	assert_int_equal(acs_snapshot_write(f, out), 0);
	fclose(out);
	out = fopen(path, "r");
	while (fgets(line, sizeof(line), out))
		assert_int_not_equal(strncmp(line, "# host:", 7), 0);   /* nothing known, nothing written */
	fclose(out);
	acs_fabric_free(f);
}

/* A known key with a bad value is refused, naming the file and line. */
static void test_sources_snapshot__host_bad_value(void **state)
{
	static const char *const bad[] = { "# host: cpu_family=zen", "# host: CONFIG_PCI_P2PDMA=m",
					   "# host: cpu_vendor", "# host: cpu_family=-1" };
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	(void)state;
	o.kind = ACS_SOURCE_FILE;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		o.path = host_snapshot("host-bad.txt", bad[k]);
		assert_int_equal(acs_fabric_load(&f, &o), ACS_EPARSE);
		assert_null(f);
		if (!strstr(acs_error_last()->message, "host-bad.txt:2: host: "))
			fail_msg("'%s': %s", bad[k], acs_error_last()->message);
	}
}

/* A captured tree DIR named ".../sys" has its host facts beside it, in
 * DIR/../proc and DIR/../boot (the kernel's config for the release
 * proc/sys/kernel/osrelease names, else proc/config.gz); a tree without
 * them, or not named sys, leaves them unknown. */
static void test_sources_sysfs__host_facts_beside_tree(void **state)
{
	char root[300], cmd[1200];
	struct tcfg ep;
	acs_fabric *f;

	(void)state;
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	snprintf(root, sizeof(root), "%s/host-a/sys", tdir());
	make_sysfs_func(root, "0000:00:03.0", &ep, 4096, -1, NULL);
	snprintf(cmd, sizeof(cmd),
		 "cd %s/host-a && mkdir -p proc/sys/kernel boot && "
		 "printf 'processor\\t: 0\\nvendor_id\\t: AuthenticAMD\\ncpu family\\t: 25\\nmodel\\t\\t: 1\\n\\n"
		 "processor\\t: 1\\nvendor_id\\t: GenuineIntel\\n' >proc/cpuinfo && "
		 "echo 6.12.9-amd64 >proc/sys/kernel/osrelease && "
		 "printf '# CONFIG_PCI_P2PDMA_X is not set\\nCONFIG_PCI_P2PDMA=y\\n' >boot/config-6.12.9-amd64", tdir());
	assert_int_equal(system(cmd), 0);
	f = load_sysfs(root);
	assert_string_equal(acs_fabric_cpu_vendor(f), "AuthenticAMD");   /* the boot CPU's */
	assert_int_equal(acs_fabric_cpu_family(f), 25);
	assert_int_equal(acs_fabric_kernel_p2pdma(f), 1);
	assert_null(acs_fabric_kernel_release(f));   /* still not the running kernel */
	acs_fabric_free(f);

	/* no boot config for the release: proc/config.gz; cpuinfo without vendor_id */
	snprintf(root, sizeof(root), "%s/host-b/sys/", tdir());
	make_sysfs_func(root, "0000:00:03.0", &ep, 4096, -1, NULL);
	snprintf(cmd, sizeof(cmd),
		 "cd %s/host-b && mkdir -p proc && printf 'processor\\t: 0\\nCPU implementer\\t: 0x41\\n' >proc/cpuinfo && "
		 "printf '# CONFIG_PCI_P2PDMA is not set\\n' | gzip >proc/config.gz", tdir());
	assert_int_equal(system(cmd), 0);
	f = load_sysfs(root);
	assert_string_equal(acs_fabric_cpu_vendor(f), "");
	assert_int_equal(acs_fabric_cpu_family(f), -1);
	assert_int_equal(acs_fabric_kernel_p2pdma(f), 0);
	acs_fabric_free(f);

	/* a tree not named sys: nothing beside it is taken for its host */
	snprintf(root, sizeof(root), "%s/host-a/sys-copy", tdir());
	make_sysfs_func(root, "0000:00:03.0", &ep, 4096, -1, NULL);
	f = load_sysfs(root);
	assert_null(acs_fabric_cpu_vendor(f));
	assert_int_equal(acs_fabric_cpu_family(f), -1);
	assert_int_equal(acs_fabric_kernel_p2pdma(f), -1);
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_dump__loads_switch),
		cmocka_unit_test(test_sources_dump__missing_file),
		cmocka_unit_test(test_sources_dump__not_a_dump),
		cmocka_unit_test(test_sources_dump__malformed_hex),
		cmocka_unit_test(test_sources_dump__row_past_config_space),
		cmocka_unit_test(test_sources_dump__truncated),
		cmocka_unit_test(test_sources_dump__duplicate),
		cmocka_unit_test(test_sources_dump__loop),
		cmocka_unit_test(test_sources_dump__directory),
		cmocka_unit_test(test_sources_dump__long_line),
		cmocka_unit_test(test_sources_dump__pciutils_corpus),
		cmocka_unit_test(test_sources_input__mapped),
		cmocka_unit_test(test_sources_sysfs__root_reads),
		cmocka_unit_test(test_sources_sysfs__vmd_domain),
		cmocka_unit_test(test_sources_sysfs__without_root),
		cmocka_unit_test(test_sources_sysfs__missing_root),
		cmocka_unit_test(test_sources_sysfs__files_and_links),
		cmocka_unit_test(test_sources_snapshot__round_trip),
		cmocka_unit_test(test_sources_snapshot__identity),
		cmocka_unit_test(test_sources_snapshot__long_cmdline),
		cmocka_unit_test(test_sources_snapshot__driver_twice),
		cmocka_unit_test(test_sources_topology__pci_device_sriov),
		cmocka_unit_test(test_sources_dump__cardbus_64_bytes),
		cmocka_unit_test(test_sources_dump__own_reader_as_libpci),
		cmocka_unit_test(test_sources_input__bom_alone),
		cmocka_unit_test(test_sources_input__detect_lines_without_dots),
		cmocka_unit_test(test_sources_snapshot__host_facts),
		cmocka_unit_test(test_sources_snapshot__host_bad_value),
		cmocka_unit_test(test_sources_sysfs__host_facts_beside_tree),
	};

	return cmocka_run_group_tests_name("sources", tests, tdir_setup, tdir_teardown);
}
