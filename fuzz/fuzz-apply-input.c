/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for what acsctl apply reads besides its command line
 * (src/cli/apply-input.c): a plan (FUZZ_PLAN: fuzz-plan, PLAN.json) or
 * acs.conf (fuzz-conf, --from FILE), on a fixed fabric loaded once: the
 * 6.12 kitchen-sink VM's dump (FUZZ_FABRIC, or $ACSCTL_FUZZ_FABRIC), which
 * has ports with ACS, a switch and functions without ACS. The CLI is
 * linked whole (its main() renamed). Besides crashes, hangs and leaks it
 * aborts where an accepted input breaks what apply relies on:
 *  - every change names a function of this fabric, at most once in a plan;
 *  - a plan has at most one change per function (ch's room);
 *  - every value lies within the function's ACS capability (bits 6:0).
 * Compressed plans are left to fuzz-input (the reader's). The parsers'
 * error lines go to /dev/null (the sanitizers' reports still
 * reach standard error); ACSCTL_FUZZ_VERBOSE=1 keeps them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cli cli;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	const char *path = getenv("ACSCTL_FUZZ_FABRIC");
	acs_fabric *f = NULL;

	o.kind = ACS_SOURCE_DUMP;
	o.path = path ? path : FUZZ_FABRIC;
	if (acs_fabric_load(&f, &o)) {
		fprintf(stderr, "fuzz: %s: %s\n", o.path, acs_error_last()->message);
		exit(2);
	}
	cli.fabric = cli.loaded = f;
	cli.policy = acs_policy_default();
	if (!getenv("ACSCTL_FUZZ_VERBOSE")) {
		FILE *null = fopen("/dev/null", "w");

		if (null)
			stderr = null;
	}
	return 0;
}

static void check(const struct acs_ctrl_change *ch, size_t n, bool once)
{
	size_t count = acs_fabric_count(cli.fabric);

	if (once && n > count)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn;

		if (ch[i].index >= count)
			abort();
		fn = acs_fabric_func(cli.fabric, ch[i].index);
		if (!fn->acs_pos || (ch[i].ctrl & ~(fn->acs_cap & 0x7f)))
			abort();
		for (size_t k = 0; once && k < i; k++)
			if (ch[k].index == ch[i].index)
				abort();
	}
}

#ifdef FUZZ_PLAN
/* gzip, xz, zstd: a plan is read through the reader that decompresses
 * (up to 16 MiB, most of the time spent in memset); fuzz-input has it */
static bool compressed(const uint8_t *data, size_t size)
{
	return (size >= 2 && memcmp(data, "\x1f\x8b", 2) == 0) ||
	       (size >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0) ||
	       (size >= 4 && memcmp(data, "\x28\xb5\x2f\xfd", 4) == 0);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* both read a path: a memfd gives the input one without the disk;
	 * acs.conf must be its owner's alone */
	int fd = memfd_create("acsctl-fuzz", 0);
	struct acs_ctrl_change *ch = NULL;
	char path[64];
	size_t n = 0;

#ifdef FUZZ_PLAN
	if (compressed(data, size)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
#endif
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
#ifdef FUZZ_PLAN
	/* cmd_apply's room for one argument */
	ch = calloc(acs_fabric_count(cli.fabric) + 1, sizeof(*ch));
	if (ch && !cli_plan_changes(&cli, path, ch, &n))
		check(ch, n, true);
#else
	ch = calloc(1, sizeof(*ch));
	if (ch && !cli_conf_changes(&cli, path, &ch, &n))
		check(ch, n, false);
#endif
	free(ch);
	close(fd);
	return 0;
}
