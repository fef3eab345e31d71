/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lspci -x / -xxx / -xxxx hex dumps, read by libpci's dump method. */
#include <errno.h>
#include <pci/pci.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sources/libpci.h"
#include "sources/sources.h"

static int dump_load(struct acs_builder *b, const char *path)
{
	struct acs_libpci_opts o = {
		.method = PCI_ACCESS_DUMP,
		.param = "dump.name",
		.value = path,
	};
	struct stat st;
	FILE *f;

	if (!path || !*path)
		return acs_error_set(ACS_EINVAL, "no dump file given");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return acs_error_set(ACS_EINVAL, "%s: is a directory, not a dump file", path);
	/* Checked here so a missing file gets its own code and a plain message. */
	f = fopen(path, "r");
	if (!f)
		return acs_error_set(errno == ENOENT ? ACS_ENOTFOUND : ACS_EPERM,
				     "%s: %s", path, strerror(errno));
	fclose(f);
	return acs_libpci_read(b, &o);
}

const struct acs_source_ops acs_source_dump = {
	.kind = ACS_SOURCE_DUMP,
	.name = "dump",
	.load = dump_load,
};
