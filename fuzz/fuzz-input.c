/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the reader every file source shares,
 * acs_input_read() (src/lib/sources/input.c): plain text, gzip, xz and
 * zstd by their magic bytes, under a 1 MiB limit so that a decompression
 * bomb costs at most that much. What it reads must hold what input.h
 * promises; anything else aborts, which libFuzzer reports as a finding:
 *  - refused: a negative code, one message line naming the file, no buffer;
 *  - read: NUL-terminated, within the limit, no NUL byte in the first
 *    64 KiB; plain text byte for byte (less a UTF-8 BOM);
 *  - acs_input_stream() and the file at acs_input_path() give the same bytes;
 *  - acs_input_line() counts the newlines before an offset;
 *  - the same bytes through a pipe on standard input ("-") read the same.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sources/input.h"
#include "sources/sources.h"

#define LIMIT (1u << 20)
#define SNIFF 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "fuzz-input: %s:%d: %s does not hold (%s)\n", \
				__FILE__, __LINE__, #cond, acs_error_last()->message); \
			abort();                                                 \
		}                                                                \
	} while (0)

static unsigned long newlines(const char *p, size_t len)
{
	unsigned long n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

/* All of a file descriptor, into a buffer of cap bytes; the length read. */
static size_t slurp(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t got;

	while (len < cap && (got = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)got;
	return len;
}

static void check_refused(int rc, struct acs_input *in)
{
	const acs_error *e = acs_error_last();

	CHECK(rc < 0);
	CHECK(e->code == rc);
	CHECK(e->message[0] != '\0');
	CHECK(strchr(e->message, '\n') == NULL);
	CHECK(in->data == NULL && in->len == 0 && in->memfd == -1);
}

static void check_read(struct acs_input *in, const uint8_t *raw, size_t size)
{
	size_t n = in->len < SNIFF ? in->len : SNIFF;
	char *back = malloc(in->len + 1);
	const char *path;
	FILE *f;
	int fd;

	CHECK(in->data != NULL && in->len > 0 && in->len <= LIMIT);
	CHECK(in->data[in->len] == '\0');
	CHECK(memchr(in->data, '\0', n) == NULL);
	if (!in->compression) {
		/* plain: the bytes as given, less a UTF-8 byte-order mark */
		size_t bom = size >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

		CHECK(in->len == size - bom && memcmp(in->data, raw + bom, in->len) == 0);
	}
	if (!back)
		return;
	/* the stream parsers read */
	f = acs_input_stream(in);
	CHECK(f != NULL);
	CHECK(fread(back, 1, in->len + 1, f) == in->len && memcmp(back, in->data, in->len) == 0);
	fclose(f);
	/* the path libpci's dump reader opens, twice: one memory file */
	path = acs_input_path(in);
	CHECK(path != NULL);
	CHECK(acs_input_path(in) == path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(slurp(fd, back, in->len + 1) == in->len && memcmp(back, in->data, in->len) == 0);
	close(fd);
	free(back);
	/* lines, for messages: offsets past the end count to the end */
	CHECK(acs_input_line(in, 0) == 1);
	CHECK(acs_input_line(in, in->len) == 1 + newlines(in->data, in->len));
	CHECK(acs_input_line(in, SIZE_MAX) == acs_input_line(in, in->len));
	CHECK(acs_input_line(in, in->len / 2) == 1 + newlines(in->data, in->len / 2));
	/* what load.c does next */
	(void)acs_source_detect(in->data, in->len);
}

/* The bytes as standard input from a pipe, as `zcat x | acsctl -F -`
 * gives them; only what fits in the pipe (no writer thread). */
static void through_pipe(const uint8_t *data, size_t size, int rc_file,
			 const struct acs_input *file)
{
	struct acs_input in;
	int p[2], saved, rc;

	if (pipe(p) != 0)
		return;
	if ((size_t)fcntl(p[1], F_GETPIPE_SZ) < size ||
	    (size && write(p[1], data, size) != (ssize_t)size)) {
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	saved = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	close(p[0]);
	rc = acs_input_read(&in, "-", LIMIT);
	dup2(saved, STDIN_FILENO);
	close(saved);
	CHECK(rc == rc_file);
	if (rc) {
		check_refused(rc, &in);
		return;
	}
	CHECK(strcmp(in.name, "<stdin>") == 0);
	CHECK(in.compression == file->compression);
	CHECK(in.len == file->len && memcmp(in.data, file->data, in.len) == 0);
	acs_input_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("acsctl-fuzz", 0);
	struct acs_input in;
	char path[64];
	int rc;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	acs_error_clear();
	rc = acs_input_read(&in, path, LIMIT);
	if (rc) {
		check_refused(rc, &in);
	} else {
		CHECK(strcmp(in.name, path) == 0);
		check_read(&in, data, size);
	}
	through_pipe(data, size, rc, &in);
	if (!rc)
		acs_input_free(&in);
	close(fd);
	return 0;
}
