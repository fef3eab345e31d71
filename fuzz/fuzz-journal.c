/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for apply's journal (src/lib/actions/apply.c), what
 * acsctl apply --rollback trusts to write config space and bind drivers
 * as root: the parse alone (acs_journal__parse(), rollback's checks of
 * every field, for sysfs "/sys"), then the same bytes as a file through
 * acs_apply_status() (apply --status). Neither may crash, hang or leak;
 * an accepted journal holds at most 4096 changes and 4096 drivers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acsctl/acsctl.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), path[64];
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;
	size_t nch, ndrv;
	int fd;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!acs_journal__parse(text, "/sys", &nch, &ndrv) && (nch > 4096 || ndrv > 4096))
		abort();
	free(text);

	/* --status reads through the reader that decompresses (up to
	 * 1 MiB): gzip, xz and zstd are fuzz-input's */
	if ((size >= 2 && memcmp(data, "\x1f\x8b", 2) == 0) ||
	    (size >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0) ||
	    (size >= 4 && memcmp(data, "\x28\xb5\x2f\xfd", 4) == 0))
		return 0;
	fd = memfd_create("acsctl-fuzz", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		o.journal = path;
		free(acs_apply_status(&o));
	}
	close(fd);
	return 0;
}
