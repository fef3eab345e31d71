/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read a source file once, whole: plain, gzip, xz or zstd; bounded. */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "sources/input.h"
#include "sources/sources.h"

/* Enough to tell PCI data from anything else: lspci prints a device
 * address, a snapshot its magic and a topology its '{' in the first line. */
#define SNIFF_BYTES 65536u
#define CHUNK 65536u
#define XZ_MEMLIMIT (256ull << 20)
/* Regular files from this size on are mapped, not copied: the parsers
 * read the page cache itself (a fleet of 6 MB snapshots spent a third of
 * its time in the kernel copying them into fresh pages) */
#define MAP_MIN (64u << 10)

struct reader {
	struct acs_input *in;
	int fd;
	uint64_t limit;
	size_t cap;
	bool sniffed;
	/* raw bytes read ahead to look for a compression magic */
	unsigned char head[8];
	size_t head_len, head_used;
};

static int read_error(const struct reader *r, int err)
{
	return acs_error_set(ACS_EPARSE, "%s: read failed: %s", r->in->name, strerror(err));
}

/* Up to len raw bytes: the read-ahead first, then the file. 0 at its end. */
static ssize_t raw_read(struct reader *r, void *buf, size_t len)
{
	ssize_t got;

	if (r->head_used < r->head_len) {
		size_t n = r->head_len - r->head_used;

		n = n < len ? n : len;
		memcpy(buf, r->head + r->head_used, n);
		r->head_used += n;
		return (ssize_t)n;
	}
	do
		got = read(r->fd, buf, len);
	while (got < 0 && errno == EINTR);
	return got < 0 ? read_error(r, errno) : got;
}

static const char *size_text(uint64_t n, char *buf, size_t len)
{
	if (n % (1ull << 30) == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(n >> 30));
	else if (n % (1ull << 20) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	return buf;
}

static int over_limit(const struct reader *r)
{
	char t[32];

	return acs_error_set(ACS_EPARSE, "%s: more than %s%s (the input limit; acsctl --max-input SIZE "
			     "raises it)", r->in->name, size_text(r->limit, t, sizeof(t)),
			     r->in->compression ? " once decompressed" : "");
}

/* The length of a UTF-8 byte-order mark at the start of data[0..n), which
 * drop_bom() takes off later: detection looks past it. */
static size_t bom(const struct acs_input *in, size_t n)
{
	return n >= 3 && memcmp(in->data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

int acs_input_nul_error(const struct acs_input *in, const char *nul)
{
	return acs_error_set(ACS_EPARSE, "%s:%lu: a NUL byte: binary data, not PCI text",
			     in->name, acs_input_line(in, (size_t)(nul - in->data)));
}

int acs_input_check_nul(const struct acs_input *in)
{
	const char *nul = memchr(in->data, '\0', in->len);

	return nul ? acs_input_nul_error(in, nul) : 0;
}

/*
 * What the first bytes say about the rest: text with a NUL byte is no PCI
 * data (/dev/zero, a binary), and text with no device line, snapshot
 * magic or JSON object in its first 64 KiB (`yes |`) is not either. Both
 * fail at once, before an endless input is read to the limit.
 */
static int sniff(struct reader *r, bool at_end)
{
	const struct acs_input *in = r->in;
	size_t n = in->len < SNIFF_BYTES ? in->len : SNIFF_BYTES;
	const unsigned char *d = (const unsigned char *)in->data;
	/* (a NUL past the first 64 KiB is the reader's to find:
	 * acs_input_check_nul(), or its own check of each line) */
	const char *nul = memchr(in->data, '\0', n);

	if (r->sniffed || (!at_end && in->len < SNIFF_BYTES))
		return 0;
	r->sniffed = true;
	if (n >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff)))
		return acs_error_set(ACS_EPARSE, "%s: UTF-16 text; acsctl reads ASCII or UTF-8 "
				     "(iconv -f UTF-16 -t UTF-8 converts it)", in->name);
	if (nul)
		return acs_input_nul_error(in, nul);
	if (!at_end && !acs_source_detect(in->data + bom(in, n), n - bom(in, n)))
		return acs_error_set(ACS_EPARSE, "%s: no PCI data in its first %u KiB (not lspci "
				     "output, an acsctl snapshot or a topology)", in->name,
				     SNIFF_BYTES / 1024);
	return 0;
}

/*
 * Room for len more bytes and the NUL after them; callers fill what room
 * there is, so a buffer with a page or more free is left as it is (a
 * small file is one allocation, never grown and copied).
 */
static int reserve(struct reader *r, size_t len)
{
	struct acs_input *in = r->in;
	size_t want;

	if (r->limit && in->len + len > r->limit)
		len = (size_t)(r->limit - in->len) + 1;  /* one byte past tells */
	want = in->len + (len < 4096 ? len : 4096) + 1;
	if (want <= r->cap)
		return 0;
	want = in->len + len + 1;
	size_t cap = r->cap ? r->cap : CHUNK + 1;

	while (cap < want)
		cap *= 2;
	char *p = realloc(in->data, cap);

	if (!p)
		return acs_error_nomem();
	in->data = p;
	r->cap = cap;
	return 0;
}

/* After len new content bytes: NUL-terminate, bound, look at the start. */
static int grew(struct reader *r, size_t len)
{
	struct acs_input *in = r->in;

	in->len += len;
	in->data[in->len] = '\0';
	if (r->limit && in->len > r->limit)
		return over_limit(r);
	return sniff(r, false);
}

static int read_plain(struct reader *r)
{
	for (;;) {
		ssize_t got;
		int rc = reserve(r, CHUNK);

		if (rc)
			return rc;
		got = raw_read(r, r->in->data + r->in->len, r->cap - r->in->len - 1);
		if (got < 0)
			return (int)got;
		if (got == 0)
			return 0;
		if ((rc = grew(r, (size_t)got)))
			return rc;
	}
}

static int cut_short(const struct reader *r)
{
	return acs_error_set(ACS_EPARSE, "%s: %s data cut short (the compressed file ends early)",
			     r->in->name, r->in->compression);
}

static int corrupt(const struct reader *r, const char *why)
{
	return acs_error_set(ACS_EPARSE, "%s: corrupt %s data%s%s", r->in->name,
			     r->in->compression, why ? ": " : "", why ? why : "");
}

/* Raw input for a decoder: more when it has used what it had. */
static int refill(struct reader *r, unsigned char *raw, size_t *avail, bool *eof)
{
	ssize_t got;

	if (*avail || *eof)
		return 0;
	got = raw_read(r, raw, CHUNK);
	if (got < 0)
		return (int)got;
	*avail = (size_t)got;
	*eof = got == 0;
	return 0;
}

/* gzip, members one after another as gzip -c a b > c makes them. */
static int read_gzip(struct reader *r)
{
	unsigned char raw[CHUNK];
	z_stream z = { 0 };
	size_t avail = 0;
	bool eof = false;
	int zrc = Z_OK, rc = 0;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return acs_error_nomem();
	while (!rc) {
		size_t out;

		if (!z.avail_in && (rc = refill(r, raw, &avail, &eof)))
			break;
		if (!z.avail_in && avail) {
			z.next_in = raw;
			z.avail_in = (uInt)avail;
		}
		if (zrc == Z_STREAM_END) {
			if (!z.avail_in)
				break;  /* the last member ended with the file */
			if (inflateReset(&z) != Z_OK) {
				rc = corrupt(r, NULL);
				break;
			}
		}
		if ((rc = reserve(r, CHUNK)))
			break;
		z.next_out = (Bytef *)r->in->data + r->in->len;
		z.avail_out = (uInt)(r->cap - r->in->len - 1);
		zrc = inflate(&z, Z_NO_FLUSH);
		out = (size_t)((char *)z.next_out - (r->in->data + r->in->len));
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			rc = zrc == Z_MEM_ERROR ? acs_error_nomem() : corrupt(r, z.msg);
		else if (!(rc = grew(r, out)) && eof && !out && zrc != Z_STREAM_END)
			rc = cut_short(r);
		avail = z.avail_in;
	}
	inflateEnd(&z);
	return rc;
}

static int read_xz(struct reader *r)
{
	unsigned char raw[CHUNK];
	lzma_stream s = LZMA_STREAM_INIT;
	size_t avail = 0;
	bool eof = false;
	int rc = 0;

	/* a few bytes of xz may ask for a dictionary of gigabytes: bounded as
	 * xz -d's own default is, whatever --max-input says */
	if (lzma_stream_decoder(&s, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
		return acs_error_nomem();
	while (!rc) {
		lzma_ret lr;

		if (!s.avail_in && (rc = refill(r, raw, &avail, &eof)))
			break;
		if (!s.avail_in && avail) {
			s.next_in = raw;
			s.avail_in = avail;
		}
		if ((rc = reserve(r, CHUNK)))
			break;
		s.next_out = (uint8_t *)r->in->data + r->in->len;
		s.avail_out = r->cap - r->in->len - 1;
		lr = lzma_code(&s, eof ? LZMA_FINISH : LZMA_RUN);
		rc = grew(r, (size_t)((char *)s.next_out - (r->in->data + r->in->len)));
		avail = s.avail_in;
		if (rc || lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_BUF_ERROR && eof)
			rc = cut_short(r);
		else if (lr == LZMA_MEM_ERROR)
			rc = acs_error_nomem();
		else if (lr == LZMA_MEMLIMIT_ERROR)
			rc = corrupt(r, "it asks for more than 256 MiB to decompress");
		else if (lr != LZMA_OK && lr != LZMA_BUF_ERROR)
			rc = corrupt(r, NULL);
	}
	lzma_end(&s);
	return rc;
}

/* A frame's window is allocated before a byte comes out. One larger than
 * the whole output allowed buys nothing, so it follows the input limit: never
 * below the 8 MiB of zstd -19, never above the 128 MiB zstd itself allows. */
static int zstd_window_log(uint64_t limit)
{
	int log = 23;

	while (log < 27 && (!limit || (1ull << log) < limit))
		log++;
	return log;
}

static int zstd_failed(struct reader *r, size_t zr)
{
	if (ZSTD_getErrorCode(zr) != ZSTD_error_frameParameter_windowTooLarge)
		return corrupt(r, ZSTD_getErrorName(zr));
	return corrupt(r, r->limit && zstd_window_log(r->limit) < 27 ?
		       "a frame asks for a window larger than the input limit (--max-input SIZE raises it)" :
		       "a frame asks for a window larger than zstd's own limit of 128 MiB");
}

static int read_zstd(struct reader *r)
{
	unsigned char raw[CHUNK];
	ZSTD_DCtx *z = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { raw, 0, 0 };
	size_t zr = 1, avail = 0;  /* zr 0: at a frame's end, all flushed */
	bool eof = false;
	int rc = 0;

	if (!z)
		return acs_error_nomem();
	if (ZSTD_isError(ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, zstd_window_log(r->limit)))) {
		ZSTD_freeDCtx(z);
		return acs_error_nomem();
	}
	while (!rc) {
		if (ib.pos == ib.size && !eof) {
			avail = 0;
			if ((rc = refill(r, raw, &avail, &eof)))
				break;
			ib.size = avail;
			ib.pos = 0;
		}
		/* (called again at a frame's end it would ask for the next) */
		if (eof && zr == 0)
			break;
		if ((rc = reserve(r, CHUNK)))
			break;
		ZSTD_outBuffer ob = { r->in->data + r->in->len, r->cap - r->in->len - 1, 0 };

		zr = ZSTD_decompressStream(z, &ob, &ib);
		if (ZSTD_isError(zr))
			rc = zstd_failed(r, zr);
		else if (!(rc = grew(r, ob.pos)) && eof && !ob.pos && zr)
			rc = cut_short(r);
	}
	ZSTD_freeDCtx(z);
	return rc;
}

static int read_head(struct reader *r)
{
	while (r->head_len < sizeof(r->head)) {
		ssize_t got;

		do
			got = read(r->fd, r->head + r->head_len, sizeof(r->head) - r->head_len);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			return read_error(r, errno);
		if (got == 0)
			break;
		r->head_len += (size_t)got;
	}
	return 0;
}

/* Told by magic bytes, never by the name: a pipe has none. */
static int read_content(struct reader *r)
{
	static const struct {
		const char *name;
		unsigned char magic[6];
		size_t len;
		int (*read)(struct reader *r);
	} formats[] = {
		{ "gzip", { 0x1f, 0x8b }, 2, read_gzip },
		{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, read_xz },
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, read_zstd },
	};
	int rc = read_head(r);

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (r->head_len >= formats[i].len &&
		    memcmp(r->head, formats[i].magic, formats[i].len) == 0) {
			r->in->compression = formats[i].name;
			return formats[i].read(r);
		}
	return read_plain(r);
}

static int open_input(struct acs_input *in, const char *name, uint64_t limit)
{
	struct stat st;
	int fd = strcmp(name, "-") == 0 ? dup(STDIN_FILENO) : open(name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return acs_error_set(errno == ENOENT ? ACS_ENOTFOUND : ACS_EPERM, "%s: %s",
				     strcmp(name, "-") == 0 ? "standard input" : name, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return acs_error_set(ACS_EINVAL, "%s: is a directory, not a file", name);
	}
	/* a sparse 2 GiB file is refused before a byte of it is read */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && limit && (uint64_t)st.st_size > limit) {
		char t[32];

		close(fd);
		return acs_error_set(ACS_EPARSE, "%s: %lld bytes, more than %s (the input limit; "
				     "acsctl --max-input SIZE raises it)", name,
				     (long long)st.st_size, size_text(limit, t, sizeof(t)));
	}
	return fd;
}

/* A UTF-8 byte-order mark, as editors on other systems write it. */
static void drop_bom(struct acs_input *in)
{
	if (in->len >= 3 && memcmp(in->data, "\xef\xbb\xbf", 3) == 0) {
		if (in->map)
			in->data += 3;   /* (the mapping is unmapped from in->map) */
		else
			memmove(in->data, in->data + 3, in->len - 3 + 1);
		in->len -= 3;
	}
}

/* Whether the first bytes are a compression's magic (read_content's). */
static bool compressed(const char *d, size_t n)
{
	return (n >= 2 && memcmp(d, "\x1f\x8b", 2) == 0) || (n >= 6 && memcmp(d, "\xfd" "7zXZ\0", 6) == 0) ||
	       (n >= 4 && memcmp(d, "\x28\xb5\x2f\xfd", 4) == 0);
}

/*
 * A plain regular file of MAP_MIN bytes or more, mapped whole: private
 * (a parser that writes to its buffer writes to its own copy of a page)
 * and one page longer than the file where it ends on a page boundary, so
 * that the NUL after the content is there as read() gives it (the rest of
 * a file's last page reads as zeros). 1: not mapped (a pipe, a small or
 * compressed file, no room): read it.
 */
static int map_plain(struct reader *r, int fd)
{
	struct acs_input *in = r->in;
	struct stat st;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size, total;
	char *base;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)MAP_MIN ||
	    (uint64_t)st.st_size >= SIZE_MAX - page)
		return 1;
	size = (size_t)st.st_size;
	total = (size + 1 + page - 1) / page * page;
	base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return 1;
	if (mmap(base, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    compressed(base, size)) {
		munmap(base, total);
		return 1;
	}
#ifdef ACSCTL_FAULT_INJECTION
	/* ACSCTL_FAULT=map:cut: the file cut to nothing once mapped, as
	 * another writer may; the next touch of the mapping is SIGBUS, which
	 * the CLI turns into its one line (tests/cli/cli.sh) */
	if (getenv("ACSCTL_FAULT") && strcmp(getenv("ACSCTL_FAULT"), "map:cut") == 0)
		(void)!truncate(r->in->name, 0);
#endif
#ifdef MADV_POPULATE_READ
	/* every page at once rather than a fault each few (Linux 5.14 on;
	 * readable only, so that no page is copied: elsewhere it fails and
	 * the pages fault in as read) */
	madvise(base, size, MADV_POPULATE_READ);
#endif
	in->data = in->map = base;
	in->map_len = total;
	in->len = size;
	return sniff(r, false);
}

/* may_map: the buffer may be a mapping (acs_input_free() releases it). */
static int input_read(struct acs_input *in, const char *name, uint64_t limit, bool may_map)
{
	struct reader r = { .in = in, .limit = limit };
	int rc = 1;

	memset(in, 0, sizeof(*in));
	in->memfd = -1;
	in->name = strcmp(name, "-") == 0 ? "<stdin>" : name;
	r.fd = open_input(in, name, limit);
	if (r.fd < 0)
		return r.fd;
	if (may_map)
		rc = map_plain(&r, r.fd);
	if (rc == 1)
		rc = read_content(&r);
	close(r.fd);
	if (!rc && !in->data)
		rc = reserve(&r, 0);
	if (!rc) {
		in->data[in->len] = '\0';
		rc = sniff(&r, true);
	}
	if (!rc)
		drop_bom(in);  /* before the test for nothing: a BOM alone is empty */
	if (!rc && in->len == 0)
		rc = acs_error_set(ACS_EPARSE, "%s: empty%s", in->name,
				   in->compression ? " once decompressed" : "");
	if (rc) {
		acs_input_free(in);
		return rc;
	}
	return 0;
}

int acs_input_read(struct acs_input *in, const char *name, uint64_t limit)
{
	return input_read(in, name, limit, true);
}

FILE *acs_input_stream(const struct acs_input *in)
{
	FILE *f = fmemopen(in->data, in->len, "r");

	if (!f)
		acs_error_nomem();
	return f;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t put = write(fd, p, len);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		p += put;
		len -= (size_t)put;
	}
	return 0;
}

const char *acs_input_path(struct acs_input *in)
{
	if (in->memfd >= 0)
		return in->fdpath;
	in->memfd = memfd_create("acsctl-input", MFD_CLOEXEC);
	if (in->memfd < 0 || write_all(in->memfd, in->data, in->len) != 0) {
		acs_error_set(ACS_ERROR, "%s: cannot hold a copy for libpci: %s", in->name,
			      strerror(errno));
		if (in->memfd >= 0)
			close(in->memfd);
		in->memfd = -1;
		return NULL;
	}
	snprintf(in->fdpath, sizeof(in->fdpath), "/proc/self/fd/%d", in->memfd);
	if (access(in->fdpath, R_OK) != 0) {
		/* no /proc (a package build's chroot): a private temporary file */
		const char *dir = getenv("TMPDIR");

		close(in->memfd);
		snprintf(in->fdpath, sizeof(in->fdpath), "%s/acsctl-input-XXXXXX", dir && *dir ? dir : "/tmp");
		in->memfd = mkostemp(in->fdpath, O_CLOEXEC);
		if (in->memfd < 0 || write_all(in->memfd, in->data, in->len) != 0) {
			acs_error_set(ACS_ERROR, "%s: cannot hold a copy for libpci (no /proc): %s: %s", in->name,
				      in->fdpath, strerror(errno));
			if (in->memfd >= 0) {
				close(in->memfd);
				unlink(in->fdpath);
			}
			in->memfd = -1;
			return NULL;
		}
		in->tmpfile = 1;
	}
	return in->fdpath;
}

unsigned long acs_input_line(const struct acs_input *in, size_t offset)
{
	unsigned long line = 1;
	const char *p = in->data, *end = in->data + (offset < in->len ? offset : in->len);

	while ((p = memchr(p, '\n', (size_t)(end - p))))
		line++, p++;
	return line;
}

void acs_input_free(struct acs_input *in)
{
	if (in->memfd >= 0)
		close(in->memfd);
	if (in->tmpfile)
		unlink(in->fdpath);
	in->tmpfile = 0;
	if (in->map)
		munmap(in->map, in->map_len);
	else
		free(in->data);
	in->map = NULL;
	in->map_len = 0;
	in->data = NULL;
	in->len = 0;
	in->memfd = -1;
}

int acs_read_whole(const char *path, unsigned long long limit, char **data, size_t *len)
{
	struct acs_input in;
	/* the caller frees the buffer: never a mapping */
	int rc = input_read(&in, path, limit, false);

	*data = NULL;
	*len = 0;
	if (!rc && (rc = acs_input_check_nul(&in)))
		acs_input_free(&in);
	if (rc)
		return rc;
	if (in.memfd >= 0)
		close(in.memfd);
	if (in.tmpfile)
		unlink(in.fdpath);
	*data = in.data;
	*len = in.len;
	return 0;
}
