/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What apply --unbind must never unbind: the PCI functions that hold the
 * root file system, /usr, the boot disk's /boot, /boot/efi or /efi, and
 * every active swap. A mount names its block device by MAJ:MIN
 * (PROC/self/mountinfo: SYSFS/dev/block/MAJ:MIN) or, where that is no
 * block device (btrfs), by its source (/dev/NAME, /dev/mapper/NAME). The
 * device's path in SYSFS/devices names its PCI ancestors; device-mapper
 * and md are followed through slaves/, NVMe multipath (a disk under
 * /sys/devices/virtual/nvme-subsystem) through the controllers its
 * subsystem links to. Everything is read from the two roots given, so
 * tests run on fake trees.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "actions/denylist.h"
#include "internal.h"

#define MAX_DEPTH 8          /* dm on md on partitions: a few levels */
#define MAX_ENTRIES 256

struct entry {
	char addr[ACS_ADDR_MAX];
	char what[256];
};

struct acs_denylist {
	struct entry *v;
	size_t n;
	char sysroot[PATH_MAX];  /* realpath of the sysfs root */
	char sysfs[PATH_MAX];    /* as given */
};

struct mount {
	char point[PATH_MAX];
	char majmin[32];
	char source[PATH_MAX];
};

/* DDDD:BB:DD.F, the domain 4 to 8 hex digits (VMD domains have 5) */
static bool is_pci_addr(const char *s, size_t len)
{
	size_t dom = 0;

	while (dom < len && isxdigit((unsigned char)s[dom]))
		dom++;
	if (dom < 4 || dom > 8 || len != dom + 8)
		return false;
	s += dom;
	return s[0] == ':' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2]) &&
	       s[3] == ':' && isxdigit((unsigned char)s[4]) && isxdigit((unsigned char)s[5]) &&
	       s[6] == '.' && s[7] >= '0' && s[7] <= '7';
}

static void add(struct acs_denylist *d, const char *addr, size_t len, const char *what)
{
	char a[ACS_ADDR_MAX];

	snprintf(a, sizeof(a), "%.*s", (int)len, addr);
	for (size_t i = 0; a[i]; i++)
		a[i] = (char)tolower((unsigned char)a[i]);
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].addr, a) == 0)
			return;   /* the first reason stays */
	if (d->n >= MAX_ENTRIES)
		return;
	snprintf(d->v[d->n].addr, sizeof(d->v[d->n].addr), "%s", a);
	snprintf(d->v[d->n].what, sizeof(d->v[d->n].what), "%s", what);
	d->n++;
}

/* Every PCI function on the way to REAL (a resolved path under the sysfs
 * root): how many. */
static size_t pci_ancestors(struct acs_denylist *d, const char *real, const char *what)
{
	size_t root = strlen(d->sysroot), found = 0;
	const char *p = real;

	if (strncmp(real, d->sysroot, root) == 0 && (real[root] == '/' || !real[root]))
		p = real + root;
	while (*p) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len && is_pci_addr(p, len)) {
			add(d, p, len, what);
			found++;
		}
		p += len;
	}
	return found;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static size_t resolve(struct acs_denylist *d, const char *path, const char *what, int depth);

/* The block devices listed in DIR/slaves (device-mapper, md): each one's. */
static size_t slaves(struct acs_denylist *d, const char *dir, const char *what, int depth)
{
	char path[PATH_MAX * 2 + 300];
	DIR *s;
	struct dirent *e;
	size_t found = 0;

	snprintf(path, sizeof(path), "%s/slaves", dir);
	if (!(s = opendir(path)))
		return 0;
	while ((e = readdir(s))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/class/block/%s", d->sysfs, e->d_name);
		found += resolve(d, path, what, depth + 1);
	}
	closedir(s);
	return found;
}

/* A disk with no PCI function above it whose parent links to devices that
 * have one: NVMe multipath's nvme-subsysN links to its controllers. */
static size_t parent_links(struct acs_denylist *d, const char *disk, const char *what)
{
	static const char *const skip[] = { "subsystem", "driver", "firmware_node", "iommu", "iommu_group", "of_node" };
	char parent[PATH_MAX + 16], path[PATH_MAX + 300], real[PATH_MAX];
	char *slash;
	DIR *p;
	struct dirent *e;
	size_t found = 0;

	snprintf(parent, sizeof(parent), "%s", disk);
	if (!(slash = strrchr(parent, '/')) || slash == parent)
		return 0;
	*slash = '\0';
	if (!(p = opendir(parent)))
		return 0;
	while ((e = readdir(p))) {
		struct stat st;
		bool skipped = false;

		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			skipped |= strcmp(e->d_name, skip[i]) == 0;
		snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		if (skipped || e->d_name[0] == '.' || lstat(path, &st) != 0 || !S_ISLNK(st.st_mode) ||
		    !realpath(path, real))
			continue;
		found += pci_ancestors(d, real, what);
	}
	closedir(p);
	return found;
}

/* PATH: a block device's directory in sysfs (a link is followed). */
static size_t resolve(struct acs_denylist *d, const char *path, const char *what, int depth)
{
	char real[PATH_MAX], disk[PATH_MAX + 16], part[PATH_MAX + 16], *slash;
	struct stat st;
	size_t found;

	if (depth > MAX_DEPTH || !realpath(path, real))
		return 0;
	found = pci_ancestors(d, real, what);
	/* a partition: its disk is the directory above */
	snprintf(disk, sizeof(disk), "%s", real);
	snprintf(part, sizeof(part), "%s/partition", real);
	if (stat(part, &st) == 0 && (slash = strrchr(disk, '/')) && slash != disk)
		*slash = '\0';
	found += slaves(d, real, what, depth);
	if (strcmp(disk, real) != 0)
		found += slaves(d, disk, what, depth);
	if (!found)
		found += parent_links(d, disk, what);
	return found;
}

/* /proc's octal escapes (\040 a space) undone in place */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* A mount's block device: SYSFS/dev/block/MAJ:MIN, else its /dev source. */
static size_t resolve_mount(struct acs_denylist *d, const struct mount *m, const char *what)
{
	char path[PATH_MAX * 2 + 64];
	const char *name;

	snprintf(path, sizeof(path), "%s/dev/block/%s", d->sysfs, m->majmin);
	if (is_dir(path))
		return resolve(d, path, what, 0);
	if (strncmp(m->source, "/dev/", 5) != 0)
		return 0;   /* tmpfs, NFS, overlay, ZFS: no block device */
	name = strrchr(m->source, '/') + 1;
	if (strncmp(m->source, "/dev/mapper/", 12) == 0) {
		/* device-mapper names its devices in dm-N/dm/name */
		DIR *b;
		struct dirent *e;
		size_t found = 0;

		snprintf(path, sizeof(path), "%s/class/block", d->sysfs);
		if (!(b = opendir(path)))
			return 0;
		while ((e = readdir(b))) {
			char dmname[256] = "";
			FILE *f;

			if (strncmp(e->d_name, "dm-", 3) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/class/block/%s/dm/name", d->sysfs, e->d_name);
			if (!(f = fopen(path, "r")))
				continue;
			if (fgets(dmname, sizeof(dmname), f))
				dmname[strcspn(dmname, "\n")] = '\0';
			fclose(f);
			if (strcmp(dmname, name) == 0) {
				snprintf(path, sizeof(path), "%s/class/block/%s", d->sysfs, e->d_name);
				found += resolve(d, path, what, 0);
			}
		}
		closedir(b);
		return found;
	}
	snprintf(path, sizeof(path), "%s/class/block/%s", d->sysfs, name);
	return resolve(d, path, what, 0);
}

static int read_mounts(const char *proc, struct mount **out, size_t *n)
{
	char path[PATH_MAX + 32], *line = NULL;
	size_t cap = 0, size = 0;
	struct mount *v = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/self/mountinfo", proc);
	if (!(f = fopen(path, "r")))
		return acs_error_set(ACS_ENOTFOUND, "%s: %s: cannot tell which devices hold / and swap", path,
				     strerror(errno));
	*n = 0;
	while (getline(&line, &size, f) > 0) {
		char majmin[32], point[PATH_MAX], fstype[256], source[PATH_MAX];
		const char *tail = strstr(line, " - ");

		/* ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER */
		if (!tail || sscanf(line, "%*s %*s %31s %*s %4095s", majmin, point) != 2 ||
		    sscanf(tail, " - %255s %4095s", fstype, source) != 2)
			continue;
		if (*n == cap) {
			struct mount *w = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!w) {
				free(v);
				free(line);
				fclose(f);
				return acs_error_nomem();
			}
			v = w;
		}
		unescape(point);
		unescape(source);
		snprintf(v[*n].point, sizeof(v[*n].point), "%s", point);
		snprintf(v[*n].majmin, sizeof(v[*n].majmin), "%s", majmin);
		snprintf(v[*n].source, sizeof(v[*n].source), "%s", source);
		(*n)++;
	}
	free(line);
	fclose(f);
	*out = v;
	return 0;
}

/* The mount a file is on: the longest mount point that is a prefix of it. */
static const struct mount *mount_of(const struct mount *m, size_t n, const char *file)
{
	const struct mount *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(m[i].point);

		if (strncmp(file, m[i].point, len) == 0 &&
		    (file[len] == '/' || !file[len] || (len == 1 && m[i].point[0] == '/')) &&
		    (!best || len >= best_len)) {
			best = &m[i];
			best_len = len;
		}
	}
	return best;
}

static void swaps(struct acs_denylist *d, const char *proc, const struct mount *m, size_t n)
{
	char path[PATH_MAX + 32], *line = NULL, what[PATH_MAX + 64];
	size_t size = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/swaps", proc);
	if (!(f = fopen(path, "r")))
		return;   /* no swap support: no swap */
	while (getline(&line, &size, f) > 0) {
		char file[PATH_MAX], type[64];

		/* Filename Type Size Used Priority */
		if (sscanf(line, "%4095s %63s", file, type) != 2 || strcmp(file, "Filename") == 0)
			continue;
		unescape(file);
		snprintf(what, sizeof(what), "swap %s", file);
		if (strcmp(type, "partition") == 0) {
			char dev[PATH_MAX * 3];

			snprintf(dev, sizeof(dev), "%s/class/block/%s", d->sysfs, strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
			resolve(d, dev, what, 0);
		} else {
			const struct mount *on = mount_of(m, n, file);

			if (on)
				resolve_mount(d, on, what);
		}
	}
	free(line);
	fclose(f);
}

int acs_denylist_load(struct acs_denylist **out, const char *sysfs, const char *proc)
{
	static const char *const held[] = { "/", "/usr", "/boot", "/boot/efi", "/efi" };
	struct acs_denylist *d = calloc(1, sizeof(*d));
	struct mount *m = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (!d || !(d->v = calloc(MAX_ENTRIES, sizeof(*d->v)))) {
		free(d);
		return acs_error_nomem();
	}
	snprintf(d->sysfs, sizeof(d->sysfs), "%s", sysfs);
	if (!realpath(sysfs, d->sysroot))
		snprintf(d->sysroot, sizeof(d->sysroot), "%s", sysfs);
	if ((rc = read_mounts(proc, &m, &n))) {
		acs_denylist_free(d);
		return rc;
	}
	for (size_t h = 0; h < sizeof(held) / sizeof(held[0]); h++)
		for (size_t i = 0; i < n; i++) {
			char what[PATH_MAX * 2 + 8];

			if (strcmp(m[i].point, held[h]) != 0)
				continue;
			snprintf(what, sizeof(what), "%s (%s)", m[i].point, m[i].source);
			resolve_mount(d, &m[i], what);
		}
	swaps(d, proc, m, n);
	free(m);
	*out = d;
	return 0;
}

const char *acs_denylist_holds(const struct acs_denylist *d, const char *addr)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (strcasecmp(d->v[i].addr, addr) == 0)
			return d->v[i].what;
	return NULL;
}

size_t acs_denylist_count(const struct acs_denylist *d)
{
	return d ? d->n : 0;
}

const char *acs_denylist_addr(const struct acs_denylist *d, size_t i, const char **what)
{
	if (!d || i >= d->n)
		return NULL;
	if (what)
		*what = d->v[i].what;
	return d->v[i].addr;
}

void acs_denylist_free(struct acs_denylist *d)
{
	if (!d)
		return;
	free(d->v);
	free(d);
}
