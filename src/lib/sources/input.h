/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One reader for every file a source takes: regular files, pipes, FIFOs,
 * "-" for standard input, /dev/stdin, process substitution, and gzip, xz
 * or zstd files. The input is read once, whole, into one buffer that
 * format detection and every parser share, so a pipe gives byte for byte
 * what the file gives and nothing is lost to detection. A plain regular
 * file of 64 KiB or more is mapped rather than copied (private: writes to
 * the buffer stay ours); like any reader of a file, the run then sees a
 * change made to the file while it reads, and one cut shorter meanwhile
 * ends it with SIGBUS.
 */
#ifndef ACSCTL_INPUT_H
#define ACSCTL_INPUT_H

#include <stdio.h>

#include "internal.h"

/* What a source reads when nobody said otherwise (acs_load_opts). */
#define ACS_INPUT_DEFAULT_LIMIT (1024ull << 20)

struct acs_input {
	const char *name;         /* as the user gave it: every message's file */
	char *data;               /* the whole content, decompressed; NUL after it */
	size_t len;
	char *map;                /* the mapping data lies in, or NULL: malloc'd */
	size_t map_len;
	const char *compression;  /* "gzip", "xz", "zstd" or NULL */
	int memfd;                /* behind path(), -1 until asked for */
	char fdpath[4096];        /* /proc/self/fd/N, or without /proc a file: */
	int tmpfile;              /* fdpath is a temporary file to unlink */
};

/*
 * Read name ("-": standard input) whole. limit bounds the bytes kept
 * (after decompression; 0: no bound). Fails with one message naming the
 * file: missing, a directory, over the limit, no PCI data at its start,
 * a NUL byte in its first 64 KiB (past them: acs_input_check_nul()).
 */
int acs_input_read(struct acs_input *in, const char *name, uint64_t limit);

/*
 * A NUL byte in the content: acs_input_read() refuses one in the first
 * 64 KiB (binary data); past them it is for the reader to refuse, with
 * acs_input_check_nul() over the whole buffer (what takes it as a C
 * string), or line by line where each line is checked anyway (dumps and
 * snapshots: a fleet of 6 MB snapshots spent a tenth of its time in a
 * whole-file scan). Both give "FILE:LINE: a NUL byte" and ACS_EPARSE.
 */
int acs_input_check_nul(const struct acs_input *in);
int acs_input_nul_error(const struct acs_input *in, const char *nul);

/* A stream over the buffer for parsers that read lines; fclose() it. */
FILE *acs_input_stream(const struct acs_input *in);

/*
 * A path that opens to the same bytes, for libpci's dump reader, which
 * takes a file name: a memory file, never the input again (it may be a
 * pipe, or have changed since).
 */
const char *acs_input_path(struct acs_input *in);

/* The 1-based line of a byte offset, for messages. */
unsigned long acs_input_line(const struct acs_input *in, size_t offset);

void acs_input_free(struct acs_input *in);

#endif
