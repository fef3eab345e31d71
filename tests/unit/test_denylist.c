/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apply --unbind's denylist (actions/denylist.c) on fake /proc and /sys
 * trees: the PCI functions under /, /usr, /boot/efi and swap, through
 * partitions, device-mapper, md, btrfs's anonymous device, a swap file
 * and NVMe multipath. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "acsctl/error.h"
#include "actions/denylist.h"

static char root[256];

/* mkdir -p ROOT/PATH */
static void mkdirs(const char *path)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", root, path);
	for (char *s = p + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

/* ROOT/PATH holding TEXT (its directory made) */
static void put(const char *path, const char *fmt, ...)
{
	char p[1024], dir[1024];
	va_list ap;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	snprintf(p, sizeof(p), "%s/%s", root, path);
	assert_non_null(f = fopen(p, "w"));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

/* ROOT/LINK -> ROOT/sys/TARGET, relative as sysfs has them */
static void link_to(const char *link, const char *target)
{
	char l[1024], t[1024], dir[1024];
	int up = 0;

	snprintf(dir, sizeof(dir), "%s", link);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	for (const char *s = link; *s; s++)
		up += *s == '/';
	up--;   /* TARGET is relative to sys/ */
	t[0] = '\0';
	while (up--)
		strcat(t, "../");
	strcat(t, target);
	snprintf(l, sizeof(l), "%s/%s", root, link);
	assert_int_equal(symlink(t, l), 0);
}

/* a block device: its directory under sys/devices, /sys/class/block/NAME
 * and /sys/dev/block/MAJMIN */
static void block(const char *devpath, const char *majmin, bool partition)
{
	char p[512];
	const char *name = strrchr(devpath, '/') + 1;

	mkdirs(devpath);
	if (partition) {
		snprintf(p, sizeof(p), "%s/partition", devpath);
		put(p, "1\n");
	}
	snprintf(p, sizeof(p), "sys/class/block/%s", name);
	link_to(p, devpath + 4);
	snprintf(p, sizeof(p), "sys/dev/block/%s", majmin);
	link_to(p, devpath + 4);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "%s/acsctl-deny-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(root));
	mkdirs("sys/devices");
	mkdirs("proc/self");
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static struct acs_denylist *load(void)
{
	char sys[512], proc[512];
	struct acs_denylist *d;

	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	assert_int_equal(acs_denylist_load(&d, sys, proc), 0);
	assert_non_null(d);
	return d;
}

#define NVME "sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0/nvme/nvme0/nvme0n1"

/* / on an NVMe partition: the controller and its root port */
static void test_denylist__root_on_nvme(void **state)
{
	struct acs_denylist *d;

	(void)state;
	block(NVME "/nvme0n1p2", "259:2", true);
	mkdirs("sys/devices/pci0000:00/0000:00:1c.0/0000:04:00.0");
	put("proc/self/mountinfo",
	    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
	    "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
	    "24 22 0:22 / /tmp rw shared:13 - tmpfs tmpfs rw\n");
	d = load();
	assert_string_equal(acs_denylist_holds(d, "0000:03:00.0"), "/ (/dev/nvme0n1p2)");
	assert_non_null(acs_denylist_holds(d, "0000:00:1d.0"));
	assert_non_null(acs_denylist_holds(d, "0000:03:00.0"));
	assert_null(acs_denylist_holds(d, "0000:04:00.0"));
	assert_int_equal(acs_denylist_count(d), 2);
	acs_denylist_free(d);
}

/* btrfs reports an anonymous 0:N: its source /dev/mapper/NAME is found by
 * dm/name, and dm-0's slave, a SATA partition, names the AHCI controller */
static void test_denylist__btrfs_on_dm(void **state)
{
	struct acs_denylist *d;

	(void)state;
	block("sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda3", "8:3", true);
	block("sys/devices/virtual/block/dm-0", "254:0", false);
	put("sys/devices/virtual/block/dm-0/dm/name", "vg-root\n");
	link_to("sys/devices/virtual/block/dm-0/slaves/sda3",
		"devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda3");
	put("proc/self/mountinfo", "22 1 0:35 /@rootfs / rw,relatime shared:1 - btrfs /dev/mapper/vg-root rw,subvol=/@rootfs\n");
	d = load();
	assert_string_equal(acs_denylist_holds(d, "0000:00:17.0"), "/ (/dev/mapper/vg-root)");
	assert_int_equal(acs_denylist_count(d), 1);
	acs_denylist_free(d);
}

/* md RAID 1 over two disks on two controllers: both are held */
static void test_denylist__md_raid(void **state)
{
	struct acs_denylist *d;

	(void)state;
	block("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p1", "259:1", true);
	block("sys/devices/pci0000:00/0000:00:01.1/0000:02:00.0/nvme/nvme1/nvme1n1/nvme1n1p1", "259:3", true);
	block("sys/devices/virtual/block/md0", "9:0", false);
	block("sys/devices/virtual/block/md0/md0p1", "259:9", true);
	link_to("sys/devices/virtual/block/md0/slaves/nvme0n1p1",
		"devices/pci0000:00/0000:00:01.0/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
	link_to("sys/devices/virtual/block/md0/slaves/nvme1n1p1",
		"devices/pci0000:00/0000:00:01.1/0000:02:00.0/nvme/nvme1/nvme1n1/nvme1n1p1");
	put("proc/self/mountinfo", "22 1 259:9 / /boot rw - ext4 /dev/md0p1 rw\n");
	d = load();
	assert_string_equal(acs_denylist_holds(d, "0000:01:00.0"), "/boot (/dev/md0p1)");
	assert_string_equal(acs_denylist_holds(d, "0000:02:00.0"), "/boot (/dev/md0p1)");
	acs_denylist_free(d);
}

/* swap: a partition by name (dm-1 over sdb2) and a file on /var (its
 * name escaped as /proc/swaps writes it), found by its mount */
static void test_denylist__swap(void **state)
{
	struct acs_denylist *d;

	(void)state;
	block("sys/devices/pci0000:00/0000:00:1c.0/0000:05:00.0/host1/target1:0:0/1:0:0:0/block/sdb/sdb2", "8:18", true);
	block("sys/devices/virtual/block/dm-1", "254:1", false);
	link_to("sys/devices/virtual/block/dm-1/slaves/sdb2",
		"devices/pci0000:00/0000:00:1c.0/0000:05:00.0/host1/target1:0:0/1:0:0:0/block/sdb/sdb2");
	block("sys/devices/pci0000:00/0000:00:1c.1/0000:06:00.0/nvme/nvme2/nvme2n1", "259:7", false);
	put("proc/self/mountinfo",
	    "22 1 0:30 / / rw - overlay overlay rw\n"
	    "30 22 259:7 / /var rw - xfs /dev/nvme2n1 rw\n"
	    "31 22 0:40 / /var/tmp rw - tmpfs tmpfs rw\n");
	put("proc/swaps",
	    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	    "/dev/dm-1                               partition\t1000\t\t0\t\t-2\n"
	    "/var/swap\\040file                       file\t\t1000\t\t0\t\t-3\n");
	d = load();
	assert_string_equal(acs_denylist_holds(d, "0000:05:00.0"), "swap /dev/dm-1");
	assert_string_equal(acs_denylist_holds(d, "0000:06:00.0"), "swap /var/swap file");
	assert_null(acs_denylist_holds(d, "0000:00:17.0"));
	acs_denylist_free(d);
}

/* /boot/efi on a USB stick: the xHCI controller */
static void test_denylist__efi_on_usb(void **state)
{
	struct acs_denylist *d;

	(void)state;
	block("sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdc/sdc1", "8:33", true);
	put("proc/self/mountinfo", "40 22 8:33 / /boot/efi rw - vfat /dev/sdc1 rw\n");
	d = load();
	assert_string_equal(acs_denylist_holds(d, "0000:00:14.0"), "/boot/efi (/dev/sdc1)");
	acs_denylist_free(d);
}

/* NVMe multipath: the disk lives under nvme-subsystem, which links to
 * its controllers; a VMD domain has five hex digits */
static void test_denylist__nvme_multipath(void **state)
{
	struct acs_denylist *d;

	(void)state;
	mkdirs("sys/devices/pci0000:00/0000:00:0e.0/pci10000:e0/10000:e1:00.0/nvme/nvme1");
	mkdirs("sys/class/nvme-subsystem");
	block("sys/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1/nvme1n1p1", "259:5", true);
	link_to("sys/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1",
		"devices/pci0000:00/0000:00:0e.0/pci10000:e0/10000:e1:00.0/nvme/nvme1");
	link_to("sys/devices/virtual/nvme-subsystem/nvme-subsys1/subsystem", "class/nvme-subsystem");
	put("proc/self/mountinfo", "22 1 259:5 / /usr ro - ext4 /dev/nvme1n1p1 ro\n");
	d = load();
	assert_string_equal(acs_denylist_holds(d, "10000:e1:00.0"), "/usr (/dev/nvme1n1p1)");
	assert_non_null(acs_denylist_holds(d, "0000:00:0e.0"));
	assert_int_equal(acs_denylist_count(d), 2);
	acs_denylist_free(d);
}

/* what is no block device holds nothing; a mount elsewhere is not held */
static void test_denylist__nothing_held(void **state)
{
	struct acs_denylist *d;

	(void)state;
	block("sys/devices/pci0000:00/0000:00:1c.0/0000:05:00.0/nvme/nvme0/nvme0n1", "259:0", false);
	put("proc/self/mountinfo",
	    "22 1 0:19 / / rw - nfs server:/export rw\n"
	    "30 22 259:0 / /srv rw - ext4 /dev/nvme0n1 rw\n");
	d = load();
	assert_int_equal(acs_denylist_count(d), 0);
	assert_null(acs_denylist_holds(d, "0000:05:00.0"));
	acs_denylist_free(d);
}

/* no mountinfo: nothing is known to be safe, and that is an error */
static void test_denylist__no_proc(void **state)
{
	char sys[512], proc[512];
	struct acs_denylist *d = (struct acs_denylist *)1;

	(void)state;
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/no-proc", root);
	assert_int_equal(acs_denylist_load(&d, sys, proc), ACS_ENOTFOUND);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_denylist__root_on_nvme, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denylist__btrfs_on_dm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denylist__md_raid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denylist__swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denylist__efi_on_usb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denylist__nvme_multipath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denylist__nothing_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denylist__no_proc, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
