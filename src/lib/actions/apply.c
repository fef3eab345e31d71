/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every config-space write acsctl makes is here. The order is what makes a
 * live change correct (see analysis/live.c): journal first (fsync'd), then
 * unbind, remove what is below each changed port (deepest first), write
 * the ports' ACS control through libpci and read it back, rescan the
 * ports, wait for every device, check the kernel's groups, rebind. Any
 * failure from the first write on restores the recorded values the same
 * way. ACSCTL_FAULT=STEP[:kill] (tests only) fails or kills at a step.
 *
 * Everything rollback reads is untrusted: the journal's fields are
 * matched against their grammar and confirmed against the live capability
 * before any write, and only the kernel's own sysfs is written through.
 * One lock (flock on "lock" beside the journal) keeps two applies, or an
 * apply and a rollback, from interleaving.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pci/pci.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "actions/denylist.h"
#include "internal.h"
#include "sources/libpci.h"

#define DEFAULT_JOURNAL "/run/acsctl/journal.json"
#define RESCAN_WAIT_MS 10000
#define SYSFS_MAGIC 0x62656572
/* A journal holds a line per changed port and per unbound driver. */
#define JOURNAL_MAX_BYTES (1u << 20)
#define JOURNAL_MAX_ENTRIES 4096
#define DRIVER_NAME_MAX 63

struct change {
	char addr[ACS_ADDR_MAX];
	unsigned acs_pos;
	uint16_t before, after, cap;
};

struct bound {
	char addr[ACS_ADDR_MAX];
	char driver[DRIVER_NAME_MAX + 1];
	bool pinned;              /* driver_override named the driver */
};

struct job {
	const acs_apply_opts *o;
	const char *sysfs, *journal;
	char dir[4200];           /* the journal's directory */
	const char *base;         /* the journal's name in it */
	int dirfd, lockfd;        /* -1 until opened */
	struct change *ch;
	size_t nch;
	char (*affected)[ACS_ADDR_MAX];     /* deepest first */
	size_t naff;
	struct bound *drv;
	size_t ndrv;
};

static void say(const struct job *j, const char *fmt, ...) ACS_PRINTF(2, 3);

static void say(const struct job *j, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!j->o->step)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	j->o->step(j->o->ctx, line);
}

/* The first failure of steps that all run, kept while later ones set
 * their own. */
struct first_error {
	int rc;
	char msg[sizeof(acs_error_last()->message)];
};

static void first_note(struct first_error *f, int rc)
{
	if (rc && !f->rc) {
		f->rc = rc;
		snprintf(f->msg, sizeof(f->msg), "%s", acs_error_last()->message);
	}
}

/* ACSCTL_FAULT=STEP fails the step, STEP:kill kills the process there,
 * STEP:stop stops it there (SIGSTOP, holding the lock: a second apply
 * meets it). The step "lockdown" fails every config write after the probe
 * as a kernel under lockdown does. Only in test builds (meson
 * -Dfault_injection=true); a release ignores it. */
static int fault(const char *step)
{
#ifdef ACSCTL_FAULT_INJECTION
	const char *f = getenv("ACSCTL_FAULT");
	size_t n = strlen(step);

	if (!f || strncmp(f, step, n) != 0 || (f[n] && f[n] != ':'))
		return 0;
	if (strcmp(f + n, ":kill") == 0)
		raise(SIGKILL);
	if (strcmp(f + n, ":stop") == 0) {
		raise(SIGSTOP);
		return 0;
	}
	return acs_error_set(ACS_ERROR, "fault injected at %s", step);
#else
	(void)step;
	return 0;
#endif
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t w;

	if (fd < 0)
		return acs_error_set(errno == ENOENT ? ACS_ENOTFOUND : ACS_EPERM, "%s: %s", path, strerror(errno));
	w = write(fd, text, strlen(text));
	close(fd);
	if (w != (ssize_t)strlen(text))
		return acs_error_set(ACS_ERROR, "%s: %s", path, strerror(errno));
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* --- grammar of what the journal may name --- */

static bool hex_run(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdefABCDEF") >= n;
}

/* DDDD:BB:DD.F as the kernel names it (a VMD domain has up to 8 digits),
 * device 0-1f, function 0-7: nothing else can reach a path. */
static bool addr_ok(const char *s)
{
	size_t d = strspn(s, "0123456789abcdefABCDEF");

	if (d < 4 || d > 8 || s[d] != ':')
		return false;
	s += d + 1;
	return hex_run(s, 2) && s[2] == ':' && hex_run(s + 3, 2) && s[5] == '.' &&
	       s[6] >= '0' && s[6] <= '7' && s[7] == '\0' && strtoul(s + 3, NULL, 16) <= 0x1f;
}

/* A kernel driver's name: letters, digits, '_' and '-'; never a path. */
static bool driver_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= DRIVER_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* --- the real sysfs, the journal's directory, the lock --- */

static bool any_sysfs;   /* unit tests only: acs_apply__test_any_sysfs */
static const char *proc_root = "/proc";   /* acs_apply__test_proc */

void acs_apply__test_any_sysfs(bool on)
{
	any_sysfs = on;
}

void acs_apply__test_proc(const char *proc)
{
	proc_root = proc ? proc : "/proc";
}

/* Apply and rollback write what a tree's files say into hardware: only
 * the kernel's own sysfs is believed, by filesystem type (a copy, or any
 * directory given as --sysfs, is not). */
static int real_sysfs(const char *root)
{
	char path[4200];
	struct statfs s;

	if (any_sysfs)
		return 0;
	snprintf(path, sizeof(path), "%s/bus/pci", root);
	if (statfs(path, &s) != 0)
		return acs_error_set(errno == ENOENT ? ACS_ENOTFOUND : ACS_EPERM, "%s: %s", path, strerror(errno));
	if ((unsigned long)s.f_type != SYSFS_MAGIC)
		return acs_error_set(ACS_EINVAL, "%s: not the kernel's sysfs (filesystem type 0x%lx): "
				     "apply and rollback write only through the real /sys", path,
				     (unsigned long)s.f_type);
	return 0;
}

/* Whoever may write the journal's directory steers rollback's writes: it
 * must be ours (root's) and closed to group and others. Opened once; the
 * journal, its temporary and the lock are reached through this fd only.
 * create: apply makes it (0700) when missing. */
static int jdir_open(struct job *j, bool create)
{
	char *slash;
	struct stat st;

	snprintf(j->dir, sizeof(j->dir), "%s", j->journal);
	slash = strrchr(j->dir, '/');
	j->base = slash ? j->journal + (slash - j->dir) + 1 : j->journal;
	if (!*j->base)
		return acs_error_set(ACS_EINVAL, "%s: the journal needs a file name", j->journal);
	if (!slash)
		snprintf(j->dir, sizeof(j->dir), ".");
	else if (slash == j->dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (create && slash && slash != j->dir) {
		for (char *s = j->dir + 1; *s; s++)   /* mkdir -p */
			if (*s == '/') {
				*s = '\0';
				mkdir(j->dir, 0755);
				*s = '/';
			}
		mkdir(j->dir, 0700);
	}
	j->dirfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (j->dirfd < 0)
		return acs_error_set(errno == ENOENT ? ACS_ENOTFOUND : ACS_EPERM, "%s: %s%s", j->dir, strerror(errno),
				     errno == ELOOP || errno == ENOTDIR ? " (the journal's directory may not be a symbolic link)" : "");
	if (fstat(j->dirfd, &st) != 0)
		return acs_error_set(ACS_EPERM, "%s: %s", j->dir, strerror(errno));
	if (st.st_uid != geteuid())
		return acs_error_set(ACS_EPERM, "%s: the journal's directory is owned by uid %u, not %s: refused",
				     j->dir, (unsigned)st.st_uid, geteuid() == 0 ? "root" : "this user");
	if (st.st_mode & 022)
		return acs_error_set(ACS_EPERM, "%s: the journal's directory is writable by group or others (mode %04o): refused",
				     j->dir, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* The pid a running apply wrote into the lock, or 0. */
static long lock_holder(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return pid > 0 && (*end == '\n' || !*end) ? pid : 0;
}

/* One apply or rollback at a time: a second one is refused before it
 * looks at the journal (the check "no journal yet" is only true once). */
static int lock_take(struct job *j)
{
	char pid[24];
	int fd = openat(j->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return acs_error_set(ACS_EPERM, "%s/lock: %s", j->dir, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		long holder = errno == EWOULDBLOCK ? lock_holder(fd) : 0;
		int err = errno;

		close(fd);
		if (err != EWOULDBLOCK)
			return acs_error_set(ACS_EPERM, "%s/lock: %s", j->dir, strerror(err));
		if (holder)
			return acs_error_set(ACS_EINVAL, "another acsctl apply is running (pid %ld): %s/lock is held",
					     holder, j->dir);
		return acs_error_set(ACS_EINVAL, "another acsctl apply is running: %s/lock is held", j->dir);
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid)) {
		close(fd);
		return acs_error_set(ACS_EPERM, "%s/lock: %s", j->dir, strerror(errno));
	}
	j->lockfd = fd;
	return 0;
}

/* The directory checked and the lock held: what apply and rollback do
 * before they read or write the journal. */
static int guard(struct job *j, bool create)
{
	int rc = real_sysfs(j->sysfs);

	if (!rc)
		rc = jdir_open(j, create);
	if (!rc)
		rc = lock_take(j);
	return rc;
}

/* --- the journal --- */

static int journal_put(const struct job *j, const char *text);

static int journal_write(const struct job *j)
{
	json_object *doc = json_object_new_object(), *ch = json_object_new_array();
	json_object *drv = json_object_new_array();
	const char *text;
	int rc;

	json_object_object_add(doc, "acsctl-journal", json_object_new_int(1));
	json_object_object_add(doc, "sysfs", json_object_new_string(j->sysfs));
	json_object_object_add(doc, "time", json_object_new_int64((int64_t)time(NULL)));
	for (size_t i = 0; i < j->nch; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(j->ch[i].addr));
		json_object_object_add(o, "acs_pos", json_object_new_int((int)j->ch[i].acs_pos));
		json_object_object_add(o, "ctrl_before", json_object_new_int(j->ch[i].before));
		/* what rollback expects to find: anything else is refused */
		json_object_object_add(o, "ctrl_after", json_object_new_int(j->ch[i].after));
		json_object_array_add(ch, o);
	}
	json_object_object_add(doc, "changes", ch);
	for (size_t i = 0; i < j->ndrv; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(j->drv[i].addr));
		json_object_object_add(o, "driver", json_object_new_string(j->drv[i].driver));
		/* rollback pins it again: a rescanned device has lost its override */
		json_object_object_add(o, "pinned", json_object_new_boolean(j->drv[i].pinned));
		json_object_array_add(drv, o);
	}
	json_object_object_add(doc, "drivers", drv);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	rc = journal_put(j, text);
	json_object_put(doc);
	return rc;
}

/* The journal appears whole (a temporary, fsync, rename) and never
 * through a link: the temporary is created exclusively, 0600. A leftover
 * one is ours (the directory is checked, the lock held): it goes first. */
static int journal_put(const struct job *j, const char *text)
{
	char tmp[4200];
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", j->base);
	if (unlinkat(j->dirfd, tmp, 0) != 0 && errno != ENOENT)
		return acs_error_set(ACS_EPERM, "%s/%s: %s", j->dir, tmp, strerror(errno));
	fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) != 0)
		rc = acs_error_set(ACS_EPERM, "%s/%s: %s", j->dir, tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (!rc && renameat(j->dirfd, tmp, j->dirfd, j->base) != 0)
		rc = acs_error_set(ACS_EPERM, "%s: %s", j->journal, strerror(errno));
	if (rc)
		unlinkat(j->dirfd, tmp, 0);
	else
		fsync(j->dirfd);
	return rc;
}

/* The journal's text, bounded, from a plain file of ours that no one else
 * may write; never through a link. */
static int journal_text(const struct job *j, char **out)
{
	int fd = openat(j->dirfd, j->base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT ? acs_error_set(ACS_ENOTFOUND, "%s: no journal", j->journal) :
		       acs_error_set(ACS_EPERM, "%s: %s", j->journal, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    st.st_size > JOURNAL_MAX_BYTES) {
		close(fd);
		return acs_error_set(ACS_EPERM, "%s: not a journal acsctl wrote (a plain file of %s, mode 0600, under %u bytes): refused",
				     j->journal, geteuid() == 0 ? "root's" : "this user's", JOURNAL_MAX_BYTES);
	}
	*out = malloc((size_t)st.st_size + 1);
	if (!*out) {
		close(fd);
		return acs_error_nomem();
	}
	n = read(fd, *out, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*out);
		*out = NULL;
		return acs_error_set(ACS_EPERM, "%s: cannot read it", j->journal);
	}
	(*out)[n] = '\0';
	return 0;
}

/* An integer member within [lo, hi]. */
static bool int_member(json_object *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= lo && *out <= hi;
}

static const char *str_member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int journal_bad(const struct job *j, const char *what, size_t i, const char *why)
{
	return acs_error_set(ACS_EPARSE, "%s: %s[%zu]: %s: refused, nothing restored", j->journal, what, i, why);
}

/* One change: a port by its address, its ACS capability's offset (within
 * the extended space, dword aligned), the values before and after. */
static int journal_change(struct job *j, size_t i, json_object *o)
{
	struct change *c = &j->ch[i];
	const char *dev = json_object_is_type(o, json_type_object) ? str_member(o, "device") : NULL;
	int64_t pos, before, after;

	if (!dev || !addr_ok(dev))
		return journal_bad(j, "changes", i, "\"device\" is not an address DDDD:BB:DD.F");
	if (!int_member(o, "acs_pos", ACS_CFG_STD, ACS_CFG_EXT - ACS_PCI_ACS_SIZEOF, &pos) || pos % 4)
		return journal_bad(j, "changes", i, "\"acs_pos\" is not an extended capability offset (0x100-0xff8, 4-aligned)");
	if (!int_member(o, "ctrl_before", 0, 0xffff, &before) || !int_member(o, "ctrl_after", 0, 0xffff, &after))
		return journal_bad(j, "changes", i, "\"ctrl_before\" and \"ctrl_after\" are not 16-bit values");
	for (size_t k = 0; k < i; k++)
		if (strcmp(j->ch[k].addr, dev) == 0)
			return journal_bad(j, "changes", i, "names a port a second time");
	snprintf(c->addr, sizeof(c->addr), "%s", dev);
	c->acs_pos = (unsigned)pos;
	c->before = (uint16_t)before;
	c->after = (uint16_t)after;
	return 0;
}

static int journal_driver(struct job *j, size_t i, json_object *o)
{
	const char *dev = json_object_is_type(o, json_type_object) ? str_member(o, "device") : NULL;
	const char *drv = dev ? str_member(o, "driver") : NULL;
	json_object *pin = NULL;

	if (!dev || !addr_ok(dev))
		return journal_bad(j, "drivers", i, "\"device\" is not an address DDDD:BB:DD.F");
	if (!drv || !driver_ok(drv))
		return journal_bad(j, "drivers", i, "\"driver\" is not a driver's name ([A-Za-z0-9_-], 63 at most)");
	if (json_object_object_get_ex(o, "pinned", &pin) && !json_object_is_type(pin, json_type_boolean))
		return journal_bad(j, "drivers", i, "\"pinned\" is not true or false");
	j->drv[i].pinned = pin && json_object_get_boolean(pin);
	snprintf(j->drv[i].addr, sizeof(j->drv[i].addr), "%s", dev);
	snprintf(j->drv[i].driver, sizeof(j->drv[i].driver), "%s", drv);
	return 0;
}

/* The journal, as untrusted as any input that steers a write as root:
 * every field matched against its grammar, counts bounded, and written
 * for this sysfs tree. */
static int journal_parse(struct job *j, const char *text)
{
	json_object *doc = json_tokener_parse(text), *ch, *drv;
	const char *tree;
	int64_t version;
	int rc = 0;

	if (!json_object_is_type(doc, json_type_object) || !int_member(doc, "acsctl-journal", 1, 1, &version) ||
	    !json_object_object_get_ex(doc, "changes", &ch) || !json_object_is_type(ch, json_type_array) ||
	    !json_object_object_get_ex(doc, "drivers", &drv) || !json_object_is_type(drv, json_type_array) ||
	    json_object_array_length(ch) > JOURNAL_MAX_ENTRIES || json_object_array_length(drv) > JOURNAL_MAX_ENTRIES) {
		json_object_put(doc);
		return acs_error_set(ACS_EPARSE, "%s: not an acsctl journal: refused, nothing restored", j->journal);
	}
	tree = str_member(doc, "sysfs");
	if (!tree || strcmp(tree, j->sysfs) != 0) {
		rc = acs_error_set(ACS_EINVAL, "%s: written for sysfs %s, not %s: refused, nothing restored",
				   j->journal, tree ? tree : "(none)", j->sysfs);
		json_object_put(doc);
		return rc;
	}
	j->nch = json_object_array_length(ch);
	j->ndrv = json_object_array_length(drv);
	j->ch = calloc(j->nch + 1, sizeof(*j->ch));
	j->drv = calloc(j->ndrv + 1, sizeof(*j->drv));
	if (!j->ch || !j->drv)
		rc = acs_error_nomem();
	for (size_t i = 0; !rc && i < j->nch; i++)
		rc = journal_change(j, i, json_object_array_get_idx(ch, i));
	for (size_t i = 0; !rc && i < j->ndrv; i++)
		rc = journal_driver(j, i, json_object_array_get_idx(drv, i));
	json_object_put(doc);
	return rc;
}

static int journal_read(struct job *j)
{
	char *text;
	int rc = journal_text(j, &text);

	if (rc)
		return rc;
	rc = journal_parse(j, text);
	free(text);
	return rc;
}

/* --- config space through libpci --- */

enum write_what { WRITE_AFTER, WRITE_BEFORE, WRITE_PROBE };

struct write_ctx {
	const struct job *j;
	enum write_what what;
};

/* One port's ACS control written and read back; "" or why not. */
static void write_word(struct pci_dev *d, unsigned pos, uint16_t want, bool lockdown, char *why, size_t size)
{
	uint8_t le[2] = { (uint8_t)want, (uint8_t)(want >> 8) };
	uint16_t got;

	why[0] = '\0';
	errno = 0;
	if (lockdown)
		snprintf(why, size, "writing ACS control refused: Operation not permitted (fault injected: lockdown)");
	else if (!pci_write_block(d, (int)(pos + ACS_PCI_ACS_CTRL), le, 2))
		snprintf(why, size, "writing ACS control refused: %s", errno ? strerror(errno) : "libpci failed");
	else if ((got = pci_read_word(d, (int)(pos + ACS_PCI_ACS_CTRL))) != want)
		snprintf(why, size, "ACS control reads 0x%04x after writing 0x%04x", got, want);
}

/*
 * PROBE, before anything is removed: the control as it is now (it must
 * still be what the fabric said) written back and read back, so a kernel
 * that refuses config writes (lockdown without securityfs to say so, a
 * read-only config file) is found while every device is still there.
 * BEFORE, the restore: a port whose write is refused but that already
 * reads its old value (the first write was refused too) is restored.
 */
static int write_one(const struct write_ctx *w, struct pci_access *pacc, const struct change *c)
{
	unsigned dom, bus, dev, fn;
	uint16_t want = w->what == WRITE_AFTER ? c->after : c->before, now;
	bool lockdown = w->what != WRITE_PROBE && fault("lockdown");
	char why[160];
	struct pci_dev *d;
	int rc = 0;

	if (sscanf(c->addr, "%x:%x:%x.%u", &dom, &bus, &dev, &fn) != 4)
		return acs_error_set(ACS_EINVAL, "%s: not an address", c->addr);
	d = pci_get_dev(pacc, (int)dom, (int)bus, (int)dev, (int)fn);
	now = pci_read_word(d, (int)(c->acs_pos + ACS_PCI_ACS_CTRL));
	if (w->what == WRITE_PROBE && now != c->before) {
		pci_free_dev(d);
		return acs_error_set(ACS_EINVAL, "%s: ACS control reads 0x%04x, not 0x%04x as read before: changed since; nothing touched",
				     c->addr, now, c->before);
	}
	write_word(d, c->acs_pos, want, lockdown, why, sizeof(why));
	if (!why[0])
		say(w->j, "%s %s ACSCtl 0x%04x (read back)", w->what == WRITE_PROBE ? "probe: wrote back" : "write",
		    c->addr, want);
	else if (w->what == WRITE_PROBE)
		rc = acs_error_set(ACS_EPERM, "%s: %s: config-space writes do not work here (lockdown? not root?): apply refused before removing anything",
				   c->addr, why);
	else if (w->what == WRITE_BEFORE && (now = pci_read_word(d, (int)(c->acs_pos + ACS_PCI_ACS_CTRL))) == want)
		say(w->j, "write %s ACSCtl 0x%04x: %s, but it reads 0x%04x already", c->addr, want, why, now);
	else
		rc = acs_error_set(ACS_EPERM, "%s: %s", c->addr, why);
	pci_free_dev(d);
	return rc;
}

/* Every port is tried, even after one failed (a restore puts back all it
 * can); the first failure is returned. */
static int write_each(struct pci_access *pacc, void *ctx)
{
	const struct write_ctx *w = ctx;
	int rc = 0;
	char first[sizeof(acs_error_last()->message)] = "";

	for (size_t i = 0; i < w->j->nch; i++) {
		if (!write_one(w, pacc, &w->j->ch[i]) || rc)
			continue;
		rc = acs_error_last()->code;
		snprintf(first, sizeof(first), "%s", acs_error_last()->message);
		if (w->what != WRITE_BEFORE)
			break;
	}
	return rc ? acs_error_set(rc, "%s", first) : 0;
}

/*
 * Before rollback writes anything: each port is there, an ACS capability
 * header is at the journal's offset, and its control is what apply wrote
 * (or, killed before the write, what it found). The value restored keeps
 * the bits outside the capability as they are now.
 */
static int confirm_each(struct pci_access *pacc, void *ctx)
{
	struct job *j = ctx;
	char path[4200];

	for (size_t i = 0; i < j->nch; i++) {
		struct change *c = &j->ch[i];
		unsigned dom, bus, dev, fn;
		uint32_t hdr;
		uint16_t cap, now, mask;
		struct pci_dev *d;

		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", j->sysfs, c->addr);
		if (!exists(path))
			return acs_error_set(ACS_ENOTFOUND, "%s: not present (echo 1 > /sys/bus/pci/rescan, then roll back): refused, nothing restored",
					     c->addr);
		if (sscanf(c->addr, "%x:%x:%x.%u", &dom, &bus, &dev, &fn) != 4)
			return acs_error_set(ACS_EINVAL, "%s: not an address", c->addr);
		d = pci_get_dev(pacc, (int)dom, (int)bus, (int)dev, (int)fn);
		hdr = pci_read_long(d, (int)c->acs_pos);
		cap = pci_read_word(d, (int)(c->acs_pos + ACS_PCI_ACS_CAP));
		now = pci_read_word(d, (int)(c->acs_pos + ACS_PCI_ACS_CTRL));
		pci_free_dev(d);
		if (ACS_PCI_EXT_CAP_ID(hdr) != ACS_PCI_EXT_CAP_ID_ACS)
			return acs_error_set(ACS_EINVAL, "%s: no ACS capability at 0x%03x (header 0x%08x): the journal does not fit this device: refused, nothing restored",
					     c->addr, c->acs_pos, hdr);
		mask = cap & ACS_PCI_ACS_FLAGS;   /* bits 15:7 of the control are not apply's */
		if ((c->before ^ c->after) & ~mask)
			return acs_error_set(ACS_EINVAL, "%s: the journal changes ACS bits 0x%04x the capability (0x%04x) does not have: refused, nothing restored",
					     c->addr, (unsigned)((c->before ^ c->after) & ~mask), cap);
		if (now != c->after && now != c->before)
			return acs_error_set(ACS_EINVAL, "%s: ACS control is 0x%04x, not 0x%04x as apply left it (nor 0x%04x as before): changed since; refused, nothing restored",
					     c->addr, now, c->after, c->before);
		c->cap = cap;
		c->before = (uint16_t)((now & ~mask) | (c->before & mask));
	}
	return 0;
}

static int confirm_live(struct job *j)
{
	char path[4200];
	struct acs_libpci_opts o = { PCI_ACCESS_SYS_BUS_PCI, "sysfs.path", path };

	snprintf(path, sizeof(path), "%s/bus/pci", j->sysfs);
	return acs_libpci_run(&o, "libpci", confirm_each, j);
}

/* Write each port's ACS control (after, before, or as it is) and read it back. */
static int write_ctrl(const struct job *j, enum write_what what)
{
	char path[4200];
	struct acs_libpci_opts o = { PCI_ACCESS_SYS_BUS_PCI, "sysfs.path", path };
	struct write_ctx w = { j, what };

	snprintf(path, sizeof(path), "%s/bus/pci", j->sysfs);
	return acs_libpci_run(&o, "libpci", write_each, &w);
}

/* --- remove, rescan, drivers --- */

static int remove_below(const struct job *j)
{
	char path[4200];

	for (size_t i = 0; i < j->naff; i++) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/remove", j->sysfs, j->affected[i]);
		if (!exists(path))
			continue;   /* gone with a bridge above it */
		say(j, "remove %s", j->affected[i]);
		if (!j->o->dry_run && write_file(path, "1"))
			return acs_error_last()->code;
	}
	return 0;
}

static int rescan(const struct job *j)
{
	char path[4200];

	for (size_t i = 0; i < j->nch; i++) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/rescan", j->sysfs, j->ch[i].addr);
		say(j, "rescan %s", j->ch[i].addr);
		if (!j->o->dry_run && write_file(path, "1"))
			return acs_error_last()->code;
	}
	if (j->o->dry_run)
		return 0;
	for (int waited = 0; waited < RESCAN_WAIT_MS; waited += 50) {
		size_t back = 0;

		for (size_t i = 0; i < j->naff; i++) {
			snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", j->sysfs, j->affected[i]);
			back += exists(path);
		}
		if (back == j->naff) {
			say(j, "all %zu devices are back", back);
			return 0;
		}
		usleep(50000);
	}
	return acs_error_set(ACS_ERROR, "rescan: not every device came back within %d ms", RESCAN_WAIT_MS);
}

/* The driver a device is bound to now, or "" */
static void bound_to(const struct job *j, const char *addr, char *out, size_t size)
{
	char path[4200], target[4200];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", j->sysfs, addr);
	n = readlink(path, target, sizeof(target) - 1);
	out[0] = '\0';
	if (n > 0) {
		const char *base;

		target[n] = '\0';
		base = strrchr(target, '/');
		snprintf(out, size, "%.63s", base ? base + 1 : target);
	}
}

/*
 * Taking a device back after the rescan. What the kernel offers (6.1 and
 * 6.12, as pci_bus_add_device() in mainline): a rescanned PCI device is
 * attached by device_attach() within the rescan write itself, so
 * /sys/bus/pci/drivers_autoprobe does not stop that probe (it governs
 * driver loading and device_add()'s probe only; tests/vm shows nvme
 * binding a rescanned device with it at 0), and driver_override belongs
 * to the device, so it can be written only once the device exists, after
 * that probe. Turning autoprobe off would stop nothing here and, were
 * acsctl killed meanwhile, leave the whole bus without it. So the
 * robust way is explicit and immediate, before the groups are verified:
 * driver_override names the recorded driver first (from then on no other
 * driver matches, and the recorded one does whatever its ids), a driver
 * the kernel bound instead is unbound at once (and said), the bind goes
 * to that driver by name (drivers/NAME/bind: that one or an error), and
 * driver_override is left naming it when it was a pin before (a vfio-pci
 * device stays pinned), cleared otherwise.
 */
static int bind_one(const struct job *j, const struct bound *b, bool *evicted)
{
	char dev[4200], path[4300], now[64];
	int rc = 0;

	snprintf(dev, sizeof(dev), "%s/bus/pci/devices/%s", j->sysfs, b->addr);
	snprintf(path, sizeof(path), "%s/driver_override", dev);
	write_file(path, b->driver);
	bound_to(j, b->addr, now, sizeof(now));
	if (now[0] && strcmp(now, b->driver) != 0) {
		say(j, "%s: the kernel bound %s on rescan (a rescan probes every driver): unbound at once", b->addr, now);
		snprintf(path, sizeof(path), "%s/driver/unbind", dev);
		write_file(path, b->addr);
		bound_to(j, b->addr, now, sizeof(now));
		*evicted = true;
	}
	if (strcmp(now, b->driver) != 0) {
		snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/bind", j->sysfs, b->driver);
		rc = write_file(path, b->addr);
	}
	snprintf(path, sizeof(path), "%s/driver_override", dev);
	write_file(path, b->pinned ? b->driver : "\n");
	bound_to(j, b->addr, now, sizeof(now));
	if (strcmp(now, b->driver) == 0)
		return 0;
	return rc ? rc : acs_error_set(ACS_ERROR, "%s: not bound to %s again (bound to %s)", b->addr, b->driver,
				       now[0] ? now : "nothing");
}

/*
 * A driver unbound in the middle of its probe may still act after: nvme's
 * reset work, failing, releases "the driver" of its device later, and by
 * then that is the one acsctl bound (seen in the 6.1 VM: vfio-pci gone
 * after "OK"). So after an eviction each device must stay bound to its
 * driver for SETTLE_MS, bound again when it drops off; else an error.
 */
#define SETTLE_MS 1000
#define SETTLE_MAX_MS 5000

static int drivers_settle(const struct job *j)
{
	char now[64];
	int stable = 0;
	bool evicted = false;

	for (int waited = 0; waited < SETTLE_MAX_MS; waited += 100) {
		bool all = true;

		for (size_t i = 0; i < j->ndrv; i++) {
			bound_to(j, j->drv[i].addr, now, sizeof(now));
			if (strcmp(now, j->drv[i].driver) == 0)
				continue;
			all = false;
			say(j, "%s: lost %s after the bind (bound to %s): bound again", j->drv[i].addr, j->drv[i].driver,
			    now[0] ? now : "nothing");
			bind_one(j, &j->drv[i], &evicted);
		}
		stable = all ? stable + 100 : 0;
		if (stable >= SETTLE_MS)
			return 0;
		usleep(100000);
	}
	return acs_error_set(ACS_ERROR, "drivers: a device does not stay bound to its driver within %d ms", SETTLE_MAX_MS);
}

static int set_drivers(const struct job *j, bool bind)
{
	char path[4200];
	struct first_error f = { 0, "" };
	bool evicted = false;

	for (size_t i = 0; i < j->ndrv; i++) {
		say(j, "%s %s %s %s", bind ? "bind" : "unbind", j->drv[i].addr, bind ? "to" : "from", j->drv[i].driver);
		if (j->o->dry_run)
			continue;
		if (bind) {
			first_note(&f, bind_one(j, &j->drv[i], &evicted));
			continue;
		}
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver/unbind", j->sysfs, j->drv[i].addr);
		first_note(&f, write_file(path, j->drv[i].addr));
	}
	if (evicted)
		first_note(&f, drivers_settle(j));
	return f.rc ? acs_error_set(f.rc, "%s", f.msg) : 0;
}

/* The kernel's groups now, as a partition, against the prediction. */
static int verify(const struct job *j, const acs_live *live, const acs_fabric *before)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *now = NULL;
	const acs_groups *want = acs_live_groups(live);
	const acs_fabric *after = acs_live_fabric(live);
	int rc;

	o.path = j->sysfs;
	rc = acs_fabric_load(&now, &o);
	if (rc)
		return rc;
	if (acs_fabric_count(now) != acs_fabric_count(after))
		rc = acs_error_set(ACS_ERROR, "verify: %zu functions now, %zu expected",
				   acs_fabric_count(now), acs_fabric_count(after));
	{
		/* the same partition: kernel group <-> predicted group, both ways */
		size_t n = acs_fabric_count(now), ng = acs_groups_count(want) + 1, nk = 0;
		long *k2p, *p2k;

		for (size_t i = 0; i < n; i++)
			if ((size_t)acs_fabric_kernel_group(now, i) + 1 > nk && acs_fabric_kernel_group(now, i) >= 0)
				nk = (size_t)acs_fabric_kernel_group(now, i) + 1;
		k2p = malloc((nk + 1) * sizeof(*k2p));
		p2k = malloc(ng * sizeof(*p2k));
		for (size_t i = 0; k2p && i <= nk; i++)
			k2p[i] = -1;
		for (size_t i = 0; p2k && i < ng; i++)
			p2k[i] = -1;
		for (size_t i = 0; !rc && k2p && p2k && i < n; i++) {
			int k = acs_fabric_kernel_group(now, i);
			long pg = (long)acs_groups_of(want, i);
			char x[ACS_ADDR_MAX];

			if (k < 0)
				continue;
			if (k2p[k] < 0)
				k2p[k] = pg;
			if (p2k[pg] < 0)
				p2k[pg] = k;
			if (k2p[k] != pg || p2k[pg] != k)
				rc = acs_error_set(ACS_ERROR, "verify: %s is in kernel group %d, not where the prediction puts it",
						   acs_func_addr(acs_fabric_func(now, i), x, sizeof(x)), k);
		}
		if (!k2p || !p2k)
			rc = acs_error_nomem();
		free(k2p);
		free(p2k);
	}
	if (!rc)
		say(j, "verify: /sys/kernel/iommu_groups equals the prediction");
	acs_fabric_free(now);
	(void)before;
	return rc;
}

/* Put back what the journal says, the same careful way. Every step runs
 * whatever failed before it: above all the rescan, or a failed write
 * (lockdown refuses them all) would leave the devices removed until the
 * next boot, and the boot unit would do it at every boot. The journal
 * goes only when all of it worked. */
static int restore(const struct job *j)
{
	struct first_error f = { 0, "" };

	first_note(&f, remove_below(j));
	if (!j->o->dry_run)
		first_note(&f, write_ctrl(j, WRITE_BEFORE));
	first_note(&f, rescan(j));
	first_note(&f, set_drivers(j, true));
	if (f.rc)
		return acs_error_set(f.rc, "%s", f.msg);
	if (!j->o->dry_run)
		unlinkat(j->dirfd, j->base, 0);
	return 0;
}

/* --- refusals, before anything is touched --- */

/* Under kernel lockdown ("integrity" or "confidentiality") the kernel
 * refuses config-space writes through sysfs (LOCKDOWN_PCI_ACCESS): apply
 * would remove the devices and then fail its first write. Refused before
 * anything is touched, naming it. Without securityfs mounted there is
 * nothing to read: the probe write finds out. */
static int lockdown_check(const struct job *j)
{
	char path[4200], text[160], *open, *close;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernel/security/lockdown", j->sysfs);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	open = strchr(text, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close || strncmp(open, "[none]", 6) == 0)
		return 0;
	return acs_error_set(ACS_EPERM, "kernel lockdown is %.*s (%s): the kernel refuses config-space writes through sysfs: apply refused, nothing touched",
			     (int)(close - open + 1), open, path);
}

/*
 * The VFIO check: a guest's device is never touched live. What a process
 * may hold open is the group, /dev/vfio/G (noiommu-G without an IOMMU),
 * and, with iommufd, each device's cdev /dev/vfio/devices/vfioN (named by
 * DEV/vfio-dev/vfioN). Every group that holds a changed port or an
 * affected device is looked at, with all its members: a group is a VFIO
 * one when any member is bound to a vfio driver: a name with "vfio" in it
 * (vfio-pci, and variants such as mlx5_vfio_pci) or a vfio-dev child,
 * which every vfio driver's device has. Then every process's open files:
 * one that cannot be read (EACCES) could hold it, so that refuses too.
 */
struct vfio_watch {
	char node[64];
	char addr[ACS_ADDR_MAX];
	int group;
};

struct vfio_watches {
	struct vfio_watch *w;
	size_t n;
	int *seen;                /* groups looked at */
	size_t nseen;
};

static int watch_add(struct vfio_watches *v, const char *node, const char *addr, int group)
{
	struct vfio_watch *w = realloc(v->w, (v->n + 1) * sizeof(*w));

	if (!w)
		return acs_error_nomem();
	v->w = w;
	snprintf(w[v->n].node, sizeof(w[v->n].node), "%s", node);
	snprintf(w[v->n].addr, sizeof(w[v->n].addr), "%s", addr);
	w[v->n++].group = group;
	return 0;
}

/* DEV's driver is a vfio one; its cdevs are watched. dev: DEV's sysfs path. */
static bool vfio_dev(struct vfio_watches *v, const char *dev, const char *addr, int group)
{
	char path[4300], target[300], node[64];
	bool vfio = false;
	struct dirent *e;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "%s/driver", dev);
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		vfio = strstr(strrchr(target, '/') ? strrchr(target, '/') : target, "vfio") != NULL;
	}
	snprintf(path, sizeof(path), "%s/vfio-dev", dev);
	if (!(d = opendir(path)))
		return vfio;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "vfio", 4) == 0 && e->d_name[4] && strspn(e->d_name + 4, "0123456789") == strlen(e->d_name + 4)) {
			snprintf(node, sizeof(node), "/dev/vfio/devices/%.32s", e->d_name);
			watch_add(v, node, addr, group);
		}
	closedir(d);
	return true;
}

/* The group of ADDR, live (it may have changed since the fabric was read), or -1. */
static int group_of(const struct job *j, const char *addr)
{
	char path[4200], target[300];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", j->sysfs, addr);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	return *base && strspn(base, "0123456789") == strlen(base) && strlen(base) < 9 ? atoi(base) : -1;
}

static void watch_group(const struct job *j, struct vfio_watches *v, const char *addr)
{
	char path[4200], node[64];
	int g = group_of(j, addr), *seen;
	bool vfio;
	struct dirent *e;
	DIR *d;

	for (size_t i = 0; i < v->nseen; i++)
		if (v->seen[i] == g)
			return;
	if (g < 0 || !(seen = realloc(v->seen, (v->nseen + 1) * sizeof(*seen))))
		return;
	v->seen = seen;
	v->seen[v->nseen++] = g;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", j->sysfs, addr);
	vfio = vfio_dev(v, path, addr, g);
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices", j->sysfs, g);
	if ((d = opendir(path))) {
		while ((e = readdir(d)))
			if (addr_ok(e->d_name) && strcmp(e->d_name, addr) != 0) {
				char dev[4500];

				snprintf(dev, sizeof(dev), "%s/%s", path, e->d_name);
				vfio |= vfio_dev(v, dev, e->d_name, g);
			}
		closedir(d);
	}
	if (!vfio)
		return;
	snprintf(node, sizeof(node), "/dev/vfio/%d", g);
	watch_add(v, node, addr, g);
	snprintf(node, sizeof(node), "/dev/vfio/noiommu-%d", g);
	watch_add(v, node, addr, g);
}

/* One process's open files against the watches. */
static void proc_fds(const struct vfio_watches *v, const char *pid, struct acs_lines *why)
{
	char path[4200], link[4500], target[300];
	struct dirent *e;
	DIR *fds;

	snprintf(path, sizeof(path), "%s/%s/fd", proc_root, pid);
	if (!(fds = opendir(path))) {
		if (errno != ENOENT && errno != ESRCH)   /* not one that exited meanwhile */
			acs_lines_add(why, "pid %s: cannot read %s (%s): a VFIO group or device it holds open would go unseen: refused",
				      pid, path, strerror(errno));
		return;
	}
	while ((e = readdir(fds))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) < 0) {
			if (errno == ENOENT)
				continue;   /* closed meanwhile */
			acs_lines_add(why, "pid %s: cannot read %s (%s): a VFIO group or device it holds open would go unseen: refused",
				      pid, link, strerror(errno));
			break;
		}
		target[n] = '\0';
		for (size_t i = 0; i < v->n; i++) {
			const struct vfio_watch *w = &v->w[i];

			if (strcmp(target, w->node) != 0)
				continue;
			if (strncmp(w->node, "/dev/vfio/devices/", 18) == 0)
				acs_lines_add(why, "%s: its VFIO device %s (group %d) is open (pid %s; a running guest?): never touched live",
					      w->addr, w->node, w->group, pid);
			else
				acs_lines_add(why, "%s: its VFIO group %d is open (pid %s; a running guest?): never touched live",
					      w->addr, w->group, pid);
		}
	}
	closedir(fds);
}

/* Adds a line to why for each open VFIO group or device, or process that
 * cannot be seen; true when it added any. */
static bool vfio_busy(const struct job *j, struct acs_lines *why)
{
	struct vfio_watches v = { NULL, 0, NULL, 0 };
	size_t before = why->n;
	struct dirent *p;
	DIR *d;

	for (size_t i = 0; i < j->nch; i++)
		watch_group(j, &v, j->ch[i].addr);
	for (size_t i = 0; i < j->naff; i++)
		watch_group(j, &v, j->affected[i]);
	if (v.n && !(d = opendir(proc_root)))
		acs_lines_add(why, "%s: %s: open VFIO groups cannot be seen: refused", proc_root, strerror(errno));
	else if (v.n) {
		while ((p = readdir(d)))
			if (p->d_name[0] >= '0' && p->d_name[0] <= '9')
				proc_fds(&v, p->d_name, why);
		closedir(d);
	}
	free(v.w);
	free(v.seen);
	return why->n > before;
}

/* What driver_override names ("" when nothing). */
static void override_of(const struct job *j, const char *addr, char *out, size_t size)
{
	char path[4200];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", j->sysfs, addr);
	if ((f = fopen(path, "re"))) {
		if (!fgets(out, (int)size, f))
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
	if (strcmp(out, "(null)") == 0)
		out[0] = '\0';
}

/* --unbind never unbinds what /, /usr, /boot, /boot/efi or a swap is on
 * (actions/denylist.c); when that cannot be read, nothing is unbound. */
static bool unbind_denied(const struct job *j, const char *addr, struct acs_lines *why)
{
	struct acs_denylist *deny;
	const char *what;
	bool denied = true;

	if (acs_denylist_load(&deny, j->sysfs, proc_root))
		acs_lines_add(why, "%s: not unbound: %s", addr, acs_error_last()->message);
	else if ((what = acs_denylist_holds(deny, addr)))
		acs_lines_add(why, "%s: holds %s: --unbind never unbinds it", addr, what);
	else
		denied = false;
	acs_denylist_free(deny);
	return denied;
}

/* A device that stays bound to no driver but pcieport, or is unbound and
 * bound again (--unbind): with the driver it had, and its pin. */
static void refuse_device(struct job *j, const struct acs_func *fn, const char *addr, struct acs_lines *why)
{
	char pin[DRIVER_NAME_MAX + 2];
	const char *drv = fn->driver ? fn->driver : "";

	override_of(j, addr, pin, sizeof(pin));
	if (pin[0] && strcmp(pin, drv) != 0) {   /* the rescan would drop the pin */
		acs_lines_add(why, "%s: driver_override names %s, but it is bound to %s: a rescan would lose that pin (bind it or clear driver_override)",
			      addr, pin, drv[0] ? drv : "nothing");
		return;
	}
	if (!drv[0] || strcmp(drv, "pcieport") == 0)
		return;
	if (!j->o->unbind)
		acs_lines_add(why, "%s: bound to %s (give --unbind to unbind and rebind it)", addr, drv);
	else if (!driver_ok(drv))   /* rollback would refuse it */
		acs_lines_add(why, "%s: bound to a driver whose name is no kernel driver's name", addr);
	else if (!unbind_denied(j, addr, why)) {
		struct bound *b = &j->drv[j->ndrv++];

		snprintf(b->addr, sizeof(b->addr), "%s", addr);
		snprintf(b->driver, sizeof(b->driver), "%s", drv);
		b->pinned = pin[0] != '\0';
	}
}

static void refusals(struct job *j, const acs_fabric *f, const acs_live *live, struct acs_lines *why)
{
	const uint32_t *aff;
	size_t n = acs_live_affected(live, &aff);

	for (size_t k = 0; k < n; k++)
		acs_func_addr(acs_fabric_func(f, aff[k]), j->affected[j->naff++], ACS_ADDR_MAX);
	vfio_busy(j, why);
	for (size_t k = 0; k < n; k++)
		refuse_device(j, acs_fabric_func(f, aff[k]), j->affected[k], why);
}

static void job_free(struct job *j)
{
	if (j->lockfd >= 0)
		close(j->lockfd);   /* releases the lock */
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->ch);
	free(j->affected);
	free(j->drv);
}

static void job_init(struct job *j, const acs_apply_opts *o)
{
	*j = (struct job){ .o = o, .sysfs = o->sysfs ? o->sysfs : "/sys",
			   .journal = o->journal ? o->journal : DEFAULT_JOURNAL, .dirfd = -1, .lockfd = -1 };
}

/* fuzz/fuzz-journal.c: the parse alone, over a string */
int acs_journal__parse(const char *text, const char *sysfs, size_t *nch, size_t *ndrv)
{
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;
	struct job j;
	int rc;

	o.sysfs = sysfs;
	o.journal = "journal";
	job_init(&j, &o);
	rc = journal_parse(&j, text);
	*nch = rc ? 0 : j.nch;
	*ndrv = rc ? 0 : j.ndrv;
	job_free(&j);
	return rc;
}

/* What is below each port goes, whatever is there now: the kernel's own
 * entries, by the address grammar. */
static int below_ports(struct job *j)
{
	char path[4200];
	size_t cap = 0;

	for (size_t i = 0; i < j->nch; i++) {
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", j->sysfs, j->ch[i].addr);
		if (!(d = opendir(path)))
			continue;
		while ((e = readdir(d))) {
			if (!addr_ok(e->d_name))
				continue;
			if (j->naff == cap) {
				size_t more = cap ? 2 * cap : 64;
				char (*v)[ACS_ADDR_MAX] = realloc(j->affected, more * sizeof(*v));

				if (!v) {
					closedir(d);
					return acs_error_nomem();
				}
				j->affected = v;
				cap = more;
			}
			/* (addr_ok: 16 characters at most) */
			snprintf(j->affected[j->naff++], ACS_ADDR_MAX, "%.*s", ACS_ADDR_MAX - 1, e->d_name);
		}
		closedir(d);
	}
	return 0;
}

/* Everything that may refuse, before the first change: the kernel's
 * lockdown, the live result, the devices (VFIO, drivers, pins), then a
 * config write that works, while every device is still there. */
static int preflight(struct job *j, const acs_fabric *f, const acs_live *live)
{
	struct acs_lines why = { NULL, 0 };
	int rc = 0;

	if (lockdown_check(j))
		acs_lines_add(&why, "%s", acs_error_last()->message);
	if (!acs_live_possible(live)) {
		const char *const *lines;
		size_t k = acs_live_reasons(live, &lines);

		for (size_t i = 0; i < k; i++)
			acs_lines_add(&why, "%s", lines[i]);
	}
	refusals(j, f, live, &why);
	for (size_t i = 0; !why.n && j->o->dry_run && i < j->nch; i++)
		say(j, "probe: write back %s ACSCtl 0x%04x and read it back", j->ch[i].addr, j->ch[i].before);
	if (!why.n && !j->o->dry_run && write_ctrl(j, WRITE_PROBE))
		acs_lines_add(&why, "%s", acs_error_last()->message);
	for (size_t i = 0; i < why.n; i++)
		say(j, "refused: %s", why.v[i]);
	if (why.n)
		rc = acs_error_set(ACS_EINVAL, "refused: %s", why.v[0]);
	acs_lines_free(&why);
	return rc;
}

/* The VFIO check once more, right before the unbind (a guest may have
 * started since the first look). Nothing has changed but the journal. */
static int vfio_recheck(struct job *j)
{
	struct acs_lines why = { NULL, 0 };
	int rc = 0;

	if (!j->o->dry_run && vfio_busy(j, &why)) {
		for (size_t i = 0; i < why.n; i++)
			say(j, "refused: %s (seen right before the unbind)", why.v[i]);
		unlinkat(j->dirfd, j->base, 0);
		rc = acs_error_set(ACS_EINVAL, "refused: %s (seen right before the unbind; nothing changed)", why.v[0]);
	}
	acs_lines_free(&why);
	return rc;
}

/* The changes, in the order that makes them correct; the step that failed. */
static int change(struct job *j, const acs_live *live, const acs_fabric *f, const char **step)
{
	int rc;

	if ((rc = fault(*step = "unbind")) || (rc = set_drivers(j, false)))
		return rc;
	if ((rc = fault(*step = "remove")) || (rc = remove_below(j)) || (rc = fault(*step = "write")))
		return rc;
	for (size_t i = 0; j->o->dry_run && i < j->nch; i++)
		say(j, "write %s ACSCtl 0x%04x -> 0x%04x", j->ch[i].addr, j->ch[i].before, j->ch[i].after);
	if (!j->o->dry_run && (rc = write_ctrl(j, WRITE_AFTER)))
		return rc;
	if ((rc = fault(*step = "rescan")) || (rc = rescan(j)))
		return rc;
	/* at once: a driver the rescan bound instead goes before it settles */
	if ((rc = fault(*step = "rebind")) || (rc = set_drivers(j, true)))
		return rc;
	if ((rc = fault(*step = "verify")) || (!j->o->dry_run && (rc = verify(j, live, f))))
		return rc;
	return 0;
}

static int undo(struct job *j, const char *step)
{
	char msg[sizeof(acs_error_last()->message)], why[sizeof(msg)];

	snprintf(msg, sizeof(msg), "%s", acs_error_last()->message);
	say(j, "FAIL at %s: %s; restoring", step, msg);
	if (restore(j) == 0)
		return acs_error_set(ACS_ERROR, "FAIL at %s: %s (original ACS restored)", step, msg);
	/* a copy: the message is the buffer acs_error_set writes */
	snprintf(why, sizeof(why), "%s", acs_error_last()->message);
	say(j, "restore failed too: %s (acsctl apply --rollback)", why);
	return acs_error_set(ACS_ERROR, "FAIL at %s: %s; restore failed too: %s (acsctl apply --rollback)", step, msg,
			     why);
}

static int job_changes(struct job *j, const acs_fabric *f, const struct acs_ctrl_change *changes, size_t n)
{
	j->ch = calloc(n + 1, sizeof(*j->ch));
	j->affected = calloc(acs_fabric_count(f) + 1, sizeof(*j->affected));
	j->drv = calloc(acs_fabric_count(f) + 1, sizeof(*j->drv));
	if (!j->ch || !j->affected || !j->drv)
		return acs_error_nomem();
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, changes[i].index);

		acs_func_addr(fn, j->ch[i].addr, sizeof(j->ch[i].addr));
		/* rollback refuses a journal naming a port twice */
		for (size_t k = 0; k < i; k++)
			if (changes[k].index == changes[i].index)
				return acs_error_set(ACS_EINVAL, "%s: changed twice: name each port once", j->ch[i].addr);
		j->ch[i].acs_pos = fn->acs_pos;
		j->ch[i].before = fn->acs_ctrl;
		j->ch[i].after = changes[i].ctrl;
		j->ch[i].cap = fn->acs_cap;
	}
	j->nch = n;
	return 0;
}

int acs_apply(const acs_fabric *f, const acs_policy *p, const struct acs_ctrl_change *changes,
	      size_t n, const acs_apply_opts *o)
{
	struct job j;
	acs_live *live = NULL;
	const char *step = "journal";
	int rc;

	job_init(&j, o);
	if (acs_fabric_source_kind(f) != ACS_SOURCE_SYSFS || !acs_fabric_kernel_release(f))
		return acs_error_set(ACS_EINVAL, "%s: apply needs this host's live sysfs, not a dump or snapshot",
				     acs_fabric_origin(f));
	if (!o->dry_run && (rc = guard(&j, true)))
		goto done;
	if (o->dry_run ? exists(j.journal) : faccessat(j.dirfd, j.base, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = acs_error_set(ACS_EINVAL, "%s: a change is pending: acsctl apply --rollback (or --status)", j.journal);
		goto done;
	}
	if ((rc = acs_live_compute(&live, f, p, changes, n)) || (rc = job_changes(&j, f, changes, n)) ||
	    (rc = preflight(&j, f, live)))
		goto done;
	say(&j, "journal %s: %zu ports, %zu devices below, %zu drivers", j.journal, j.nch, j.naff, j.ndrv);
	if ((rc = fault(step)) || (!o->dry_run && (rc = journal_write(&j))) || (rc = vfio_recheck(&j)))
		goto done;
	if ((rc = change(&j, live, f, &step)))
		rc = undo(&j, step);
	else if (!o->dry_run)
		unlinkat(j.dirfd, j.base, 0);
done:
	acs_live_free(live);
	job_free(&j);
	return rc;
}

int acs_apply_rollback(const acs_apply_opts *o)
{
	struct job j;
	int rc;

	job_init(&j, o);
	rc = guard(&j, false);
	if (!rc)
		rc = journal_read(&j);
	if (!rc)
		rc = confirm_live(&j);
	if (!rc)
		rc = below_ports(&j);
	if (!rc) {
		say(&j, "rollback from %s: %zu ports", j.journal, j.nch);
		rc = restore(&j);
	}
	job_free(&j);
	return rc;
}

char *acs_apply_status(const acs_apply_opts *o)
{
	const char *path = o->journal ? o->journal : DEFAULT_JOURNAL;
	json_object *doc;
	char *text, *out;
	size_t len;

	if (acs_read_whole(path, JOURNAL_MAX_BYTES, &text, &len)) {
		if (acs_error_last()->code == ACS_ENOTFOUND)
			acs_error_set(ACS_ENOTFOUND, "%s: no pending change", path);
		return NULL;
	}
	doc = json_tokener_parse(text);
	free(text);
	if (!doc) {
		acs_error_set(ACS_EPARSE, "%s: not an acsctl journal", path);
		return NULL;
	}
	out = acs_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
	json_object_put(doc);
	return out;
}
