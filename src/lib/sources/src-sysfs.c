/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sysfs tree, live or captured: functions through libpci's sysfs method
 * rooted at DIR/bus/pci, and what only the kernel knows (its IOMMU groups,
 * drivers, release) from the same root.
 */
#include <dirent.h>
#include <errno.h>
#include <pci/pci.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "sources/libpci.h"
#include "sources/sources.h"

/* /sys/kernel/iommu_groups exists even with the IOMMU off; empty means off. */
static int iommu_state(const char *root)
{
	char path[4200];
	struct dirent *e;
	DIR *d;
	int state = ACS_KGROUPS_NONE;

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", root);
	d = opendir(path);
	if (!d)
		return ACS_KGROUPS_NONE;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			state = ACS_KGROUPS_PRESENT;
	closedir(d);
	return state;
}

static int read_cmdline(struct acs_builder *b)
{
	char line[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	int rc = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		rc = acs_builder_set_cmdline(b, line);
	}
	fclose(f);
	return rc;
}

static int sysfs_load(struct acs_builder *b, const char *root, struct acs_input *in)
{
	char pcipath[4200];
	struct acs_libpci_opts o = {
		.method = PCI_ACCESS_SYS_BUS_PCI,
		.param = "sysfs.path",
		.value = pcipath,
		.sysfs_extras = true,
	};
	struct utsname u;
	DIR *d;
	int rc;

	if (!root)
		root = "/sys";
	snprintf(pcipath, sizeof(pcipath), "%s/bus/pci", root);
	d = opendir(pcipath);
	if (!d)
		return acs_error_set(errno == ENOENT ? ACS_ENOTFOUND : ACS_EPERM,
				     "%s: %s", pcipath, strerror(errno));
	closedir(d);
	rc = acs_libpci_read(b, &o, NULL);
	if (rc)
		return rc;
	b->kgroups = iommu_state(root);
	/* Release and command line are known only for the running kernel. */
	if (strcmp(root, "/sys") != 0)
		return 0;
	rc = read_cmdline(b);
	if (rc == 0 && uname(&u) == 0)
		rc = acs_builder_set_release(b, u.release);
	return rc;
}

const struct acs_source_ops acs_source_sysfs = {
	.kind = ACS_SOURCE_SYSFS,
	.name = "sysfs",
	.load = sysfs_load,
};
