/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every config-space write acsctl makes is here. The order is what makes a
 * live change correct (see analysis/live.c): journal first (fsync'd), then
 * unbind, remove what is below each changed port (deepest first), write
 * the ports' ACS control through libpci and read it back, rescan the
 * ports, wait for every device, check the kernel's groups, rebind. Any
 * failure from the first write on restores the recorded values the same
 * way. ACSCTL_FAULT=STEP[:kill] (tests only) fails or kills at a step.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "actions/denylist.h"
#include "internal.h"
#include "sources/libpci.h"

#define DEFAULT_JOURNAL "/run/acsctl/journal.json"
#define RESCAN_WAIT_MS 10000

struct change {
	char addr[32];
	unsigned acs_pos;
	uint16_t before, after, cap;
};

struct bound {
	char addr[32];
	char driver[64];
};

struct job {
	const acs_apply_opts *o;
	const char *sysfs, *journal;
	struct change *ch;
	size_t nch;
	char (*affected)[32];     /* deepest first */
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

/* ACSCTL_FAULT=STEP fails the step, STEP:kill kills the process there.
 * Only in test builds (meson -Dfault_injection=true); a release ignores it. */
static int fault(const char *step)
{
#ifdef ACSCTL_FAULT_INJECTION
	const char *f = getenv("ACSCTL_FAULT");
	size_t n = strlen(step);

	if (!f || strncmp(f, step, n) != 0 || (f[n] && f[n] != ':'))
		return 0;
	if (strcmp(f + n, ":kill") == 0)
		raise(SIGKILL);
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

/* --- the journal --- */

static int journal_write(const struct job *j)
{
	json_object *doc = json_object_new_object(), *ch = json_object_new_array();
	json_object *drv = json_object_new_array();
	char tmp[4200], dir[4200], *slash;
	const char *text;
	int fd, rc = 0;

	json_object_object_add(doc, "acsctl-journal", json_object_new_int(1));
	json_object_object_add(doc, "sysfs", json_object_new_string(j->sysfs));
	json_object_object_add(doc, "time", json_object_new_int64((int64_t)time(NULL)));
	for (size_t i = 0; i < j->nch; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(j->ch[i].addr));
		json_object_object_add(o, "acs_pos", json_object_new_int((int)j->ch[i].acs_pos));
		json_object_object_add(o, "ctrl_before", json_object_new_int(j->ch[i].before));
		json_object_object_add(o, "ctrl_after", json_object_new_int(j->ch[i].after));
		json_object_array_add(ch, o);
	}
	json_object_object_add(doc, "changes", ch);
	for (size_t i = 0; i < j->ndrv; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(j->drv[i].addr));
		json_object_object_add(o, "driver", json_object_new_string(j->drv[i].driver));
		json_object_array_add(drv, o);
	}
	json_object_object_add(doc, "drivers", drv);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	snprintf(dir, sizeof(dir), "%s", j->journal);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		/* mkdir -p */
		for (char *s = dir + 1; *s; s++)
			if (*s == '/') {
				*s = '\0';
				mkdir(dir, 0755);
				*s = '/';
			}
		mkdir(dir, 0700);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", j->journal);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) != 0)
		rc = acs_error_set(ACS_EPERM, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (!rc && rename(tmp, j->journal) != 0)
		rc = acs_error_set(ACS_EPERM, "%s: %s", j->journal, strerror(errno));
	if (!rc && slash && (fd = open(dir, O_RDONLY)) >= 0) {
		fsync(fd);
		close(fd);
	}
	json_object_put(doc);
	return rc;
}

static int journal_read(struct job *j, json_object **doc)
{
	json_object *ch, *drv, *v;

	*doc = json_object_from_file(j->journal);
	if (!*doc)
		return acs_error_set(ACS_ENOTFOUND, "%s: no journal", j->journal);
	if (!json_object_object_get_ex(*doc, "changes", &ch) ||
	    !json_object_object_get_ex(*doc, "drivers", &drv))
		return acs_error_set(ACS_EPARSE, "%s: not an acsctl journal", j->journal);
	j->nch = json_object_array_length(ch);
	j->ndrv = json_object_array_length(drv);
	j->ch = calloc(j->nch + 1, sizeof(*j->ch));
	j->drv = calloc(j->ndrv + 1, sizeof(*j->drv));
	if (!j->ch || !j->drv)
		return acs_error_nomem();
	for (size_t i = 0; i < j->nch; i++) {
		json_object *o = json_object_array_get_idx(ch, i);

		if (json_object_object_get_ex(o, "device", &v))
			snprintf(j->ch[i].addr, sizeof(j->ch[i].addr), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(o, "acs_pos", &v))
			j->ch[i].acs_pos = (unsigned)json_object_get_int(v);
		if (json_object_object_get_ex(o, "ctrl_before", &v))
			j->ch[i].before = (uint16_t)json_object_get_int(v);
		if (json_object_object_get_ex(o, "ctrl_after", &v))
			j->ch[i].after = (uint16_t)json_object_get_int(v);
	}
	for (size_t i = 0; i < j->ndrv; i++) {
		json_object *o = json_object_array_get_idx(drv, i);

		if (json_object_object_get_ex(o, "device", &v))
			snprintf(j->drv[i].addr, sizeof(j->drv[i].addr), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(o, "driver", &v))
			snprintf(j->drv[i].driver, sizeof(j->drv[i].driver), "%s", json_object_get_string(v));
	}
	return 0;
}

/* --- config space through libpci --- */

struct write_ctx {
	const struct job *j;
	bool restore;
};

static int write_each(struct pci_access *pacc, void *ctx)
{
	const struct write_ctx *w = ctx;
	int rc = 0;

	for (size_t i = 0; !rc && i < w->j->nch; i++) {
		const struct change *c = &w->j->ch[i];
		unsigned dom, bus, dev, fn;
		uint16_t want = w->restore ? c->before : c->after, got;
		uint8_t le[2] = { (uint8_t)want, (uint8_t)(want >> 8) };
		struct pci_dev *d;

		sscanf(c->addr, "%x:%x:%x.%u", &dom, &bus, &dev, &fn);
		d = pci_get_dev(pacc, (int)dom, (int)bus, (int)dev, (int)fn);
		if (!pci_write_block(d, (int)c->acs_pos + 6, le, 2)) {
			rc = acs_error_set(ACS_EPERM, "%s: writing ACS control failed (root?)", c->addr);
		} else if ((got = pci_read_word(d, (int)c->acs_pos + 6)) != want) {
			rc = acs_error_set(ACS_ERROR, "%s: ACS control reads 0x%04x after writing 0x%04x",
					   c->addr, got, want);
		} else {
			say(w->j, "write %s ACSCtl 0x%04x (read back)", c->addr, want);
		}
		pci_free_dev(d);
	}
	return rc;
}

/* Write each port's ACS control to `after` (or `before`) and read it back. */
static int write_ctrl(const struct job *j, bool restore)
{
	char path[4200];
	struct acs_libpci_opts o = { PCI_ACCESS_SYS_BUS_PCI, "sysfs.path", path, false };
	struct write_ctx w = { j, restore };

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

/* A rescanned device is new to the kernel: a driver that matched it by
 * driver_override or new_id does not match again by itself, so the
 * driver is named in driver_override for the bind and cleared after. */
static int bind_one(const struct job *j, const struct bound *b)
{
	char path[4200], now[64];
	int rc;

	bound_to(j, b->addr, now, sizeof(now));
	if (strcmp(now, b->driver) == 0)
		return 0;   /* the kernel bound it on rescan */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", j->sysfs, b->addr);
	write_file(path, b->driver);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/bind", j->sysfs, b->driver);
	rc = write_file(path, b->addr);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", j->sysfs, b->addr);
	write_file(path, "\n");
	bound_to(j, b->addr, now, sizeof(now));
	if (strcmp(now, b->driver) == 0)
		return 0;
	return rc ? rc : acs_error_set(ACS_ERROR, "%s: not bound to %s again", b->addr, b->driver);
}

static int set_drivers(const struct job *j, bool bind)
{
	char path[4200];
	int rc = 0;

	for (size_t i = 0; i < j->ndrv; i++) {
		say(j, "%s %s %s %s", bind ? "bind" : "unbind", j->drv[i].addr, bind ? "to" : "from", j->drv[i].driver);
		if (j->o->dry_run)
			continue;
		if (bind) {
			if (bind_one(j, &j->drv[i]) && !rc)
				rc = acs_error_last()->code;
			continue;
		}
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver/unbind", j->sysfs, j->drv[i].addr);
		if (write_file(path, j->drv[i].addr) && !rc)
			rc = acs_error_last()->code;
	}
	return rc;
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
			char x[32];

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

/* Put back what the journal says, the same careful way. */
static int restore(const struct job *j)
{
	int rc = remove_below(j);

	if (!rc)
		rc = j->o->dry_run ? 0 : write_ctrl(j, true);
	if (!rc)
		rc = rescan(j);
	if (set_drivers(j, true) && !rc)
		rc = acs_error_last()->code;
	if (!rc && !j->o->dry_run)
		unlink(j->journal);
	return rc;
}

/* --- refusals, before anything is touched --- */

static bool vfio_group_open(const char *group)
{
	char want[64], link[4200], target[300];
	DIR *d = opendir("/proc");
	struct dirent *p;
	bool open = false;

	if (!d)
		return false;
	snprintf(want, sizeof(want), "/dev/vfio/%s", group);
	while (!open && (p = readdir(d))) {
		DIR *fds;
		struct dirent *e;

		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(link, sizeof(link), "/proc/%s/fd", p->d_name);
		if (!(fds = opendir(link)))
			continue;
		while (!open && (e = readdir(fds))) {
			ssize_t n;

			snprintf(link, sizeof(link), "/proc/%s/fd/%s", p->d_name, e->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				open = strcmp(target, want) == 0;
			}
		}
		closedir(fds);
	}
	closedir(d);
	return open;
}

/* --unbind never unbinds what /, /usr, /boot, /boot/efi or a swap is on
 * (actions/denylist.c); when that cannot be read, nothing is unbound. */
static bool unbind_denied(const struct job *j, const char *addr, struct acs_lines *why)
{
	struct acs_denylist *deny;
	const char *what;
	bool denied = true;

	if (acs_denylist_load(&deny, j->sysfs, "/proc"))
		acs_lines_add(why, "%s: not unbound: %s", addr, acs_error_last()->message);
	else if ((what = acs_denylist_holds(deny, addr)))
		acs_lines_add(why, "%s: holds %s: --unbind never unbinds it", addr, what);
	else
		denied = false;
	acs_denylist_free(deny);
	return denied;
}

static int refusals(struct job *j, const acs_fabric *f, const acs_live *live, struct acs_lines *why)
{
	const uint32_t *aff;
	size_t n = acs_live_affected(live, &aff);
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(f, aff[k]);
		char addr[32];

		acs_func_addr(fn, addr, sizeof(addr));
		snprintf(j->affected[j->naff++], 32, "%s", addr);
		if (!fn->driver || strcmp(fn->driver, "pcieport") == 0)
			continue;
		if (strcmp(fn->driver, "vfio-pci") == 0 && acs_fabric_kernel_group(f, aff[k]) >= 0) {
			char g[16];

			snprintf(g, sizeof(g), "%d", acs_fabric_kernel_group(f, aff[k]));
			if (vfio_group_open(g)) {
				rc = acs_lines_add(why, "%s: its VFIO group %s is open (a running guest?): never touched live", addr, g);
				continue;
			}
		}
		if (!j->o->unbind) {
			rc = acs_lines_add(why, "%s: bound to %s (give --unbind to unbind and rebind it)", addr, fn->driver);
			continue;
		}
		if (unbind_denied(j, addr, why))
			continue;
		snprintf(j->drv[j->ndrv].addr, sizeof(j->drv[j->ndrv].addr), "%s", addr);
		snprintf(j->drv[j->ndrv].driver, sizeof(j->drv[j->ndrv].driver), "%s", fn->driver);
		j->ndrv++;
	}
	return rc;
}

static void job_free(struct job *j)
{
	free(j->ch);
	free(j->affected);
	free(j->drv);
}

int acs_apply(const acs_fabric *f, const acs_policy *p, const struct acs_ctrl_change *changes,
	      size_t n, const acs_apply_opts *o)
{
	struct job j = { o, o->sysfs ? o->sysfs : "/sys", o->journal ? o->journal : DEFAULT_JOURNAL,
			 NULL, 0, NULL, 0, NULL, 0 };
	struct acs_lines why = { NULL, 0 };
	acs_live *live = NULL;
	const char *step = "";
	int rc;

	if (acs_fabric_source_kind(f) != ACS_SOURCE_SYSFS || !acs_fabric_kernel_release(f))
		return acs_error_set(ACS_EINVAL, "%s: apply needs this host's live sysfs, not a dump or snapshot",
				     acs_fabric_origin(f));
	if (exists(j.journal))
		return acs_error_set(ACS_EINVAL, "%s: a change is pending: acsctl apply --rollback (or --status)", j.journal);
	rc = acs_live_compute(&live, f, p, changes, n);
	if (rc)
		return rc;
	j.ch = calloc(n + 1, sizeof(*j.ch));
	j.affected = calloc(acs_fabric_count(f) + 1, sizeof(*j.affected));
	j.drv = calloc(acs_fabric_count(f) + 1, sizeof(*j.drv));
	if (!j.ch || !j.affected || !j.drv) {
		rc = acs_error_nomem();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(f, changes[i].index);

		acs_func_addr(fn, j.ch[i].addr, sizeof(j.ch[i].addr));
		j.ch[i].acs_pos = fn->acs_pos;
		j.ch[i].before = fn->acs_ctrl;
		j.ch[i].after = changes[i].ctrl;
		j.ch[i].cap = fn->acs_cap;
	}
	j.nch = n;
	if (!acs_live_possible(live)) {
		const char *const *lines;
		size_t k = acs_live_reasons(live, &lines);

		for (size_t i = 0; i < k; i++)
			acs_lines_add(&why, "%s", lines[i]);
	}
	refusals(&j, f, live, &why);
	if (why.n) {
		for (size_t i = 0; i < why.n; i++)
			say(&j, "refused: %s", why.v[i]);
		rc = acs_error_set(ACS_EINVAL, "refused: %s", why.v[0]);
		goto done;
	}
	step = "journal";
	say(&j, "journal %s: %zu ports, %zu devices below, %zu drivers", j.journal, j.nch, j.naff, j.ndrv);
	if ((rc = fault(step)) || (!o->dry_run && (rc = journal_write(&j))))
		goto done;
	step = "unbind";
	if ((rc = fault(step)) || (rc = set_drivers(&j, false)))
		goto undo;
	step = "remove";
	if ((rc = fault(step)) || (rc = remove_below(&j)))
		goto undo;
	step = "write";
	if ((rc = fault(step)))
		goto undo;
	if (o->dry_run)
		for (size_t i = 0; i < j.nch; i++)
			say(&j, "write %s ACSCtl 0x%04x -> 0x%04x", j.ch[i].addr, j.ch[i].before, j.ch[i].after);
	else if ((rc = write_ctrl(&j, false)))
		goto undo;
	step = "rescan";
	if ((rc = fault(step)) || (rc = rescan(&j)))
		goto undo;
	step = "verify";
	if ((rc = fault(step)) || (!o->dry_run && (rc = verify(&j, live, f))))
		goto undo;
	step = "rebind";
	if ((rc = fault(step)) || (rc = set_drivers(&j, true)))
		goto undo;
	if (!o->dry_run)
		unlink(j.journal);
	goto done;
undo:
	{
		char msg[sizeof(acs_error_last()->message)];

		snprintf(msg, sizeof(msg), "%s", acs_error_last()->message);
		say(&j, "FAIL at %s: %s; restoring", step, msg);
		if (restore(&j))
			say(&j, "restore failed too: %s (acsctl apply --rollback)", acs_error_last()->message);
		rc = acs_error_set(ACS_ERROR, "FAIL at %s: %s (original ACS restored)", step, msg);
	}
done:
	acs_lines_free(&why);
	acs_live_free(live);
	job_free(&j);
	return rc;
}

int acs_apply_rollback(const acs_apply_opts *o)
{
	struct job j = { o, o->sysfs ? o->sysfs : "/sys", o->journal ? o->journal : DEFAULT_JOURNAL,
			 NULL, 0, NULL, 0, NULL, 0 };
	json_object *doc = NULL;
	char path[4200];
	int rc = journal_read(&j, &doc);

	if (!rc) {
		/* what is below each port goes, whatever is there now */
		j.affected = calloc(1024, sizeof(*j.affected));
		if (!j.affected)
			rc = acs_error_nomem();
		for (size_t i = 0; !rc && i < j.nch; i++) {
			DIR *d;
			struct dirent *e;

			snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", j.sysfs, j.ch[i].addr);
			if (!(d = opendir(path)))
				continue;
			while ((e = readdir(d)) && j.naff < 1024)
				if (strlen(e->d_name) == 12 && e->d_name[4] == ':' && e->d_name[7] == ':')
					snprintf(j.affected[j.naff++], 32, "%s", e->d_name);
			closedir(d);
		}
	}
	if (!rc) {
		say(&j, "rollback from %s: %zu ports", j.journal, j.nch);
		rc = restore(&j);
	}
	json_object_put(doc);
	job_free(&j);
	return rc;
}

char *acs_apply_status(const acs_apply_opts *o)
{
	const char *path = o->journal ? o->journal : DEFAULT_JOURNAL;
	json_object *doc = json_object_from_file(path);
	char *text;

	if (!doc) {
		acs_error_set(ACS_ENOTFOUND, "%s: no pending change", path);
		return NULL;
	}
	text = acs_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
	json_object_put(doc);
	return text;
}
