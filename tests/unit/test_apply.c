/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply and rollback against a fake sysfs tree (issue 14): the journal is
 * untrusted input, the lock keeps a second run out, the journal is never
 * written through a link. The tree is a plain directory, so every test
 * but the first lets the library take it for sysfs.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tfab.h"
#include "acsctl/apply.h"

#define PORT "0000:00:02.0"
#define EP "0000:01:00.0"

/* One test's world: T/sys (the tree), T/run (the journal's directory). */
struct world {
	char top[300], sys[320], run[320], journal[360];
};

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	assert_int_equal(system(cmd), 0);
}

static void shf(const char *fmt, ...) ACS_PRINTF(1, 2);

static void shf(const char *fmt, ...)
{
	char cmd[2000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void put_func(const char *sys, const char *addr, const struct tcfg *c)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sys, addr);
	sh("mkdir -p %s %s", path, "");
	strcat(path, "/config");
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(c->b, 1, c->len, f), c->len);
	fclose(f);
}

/* A root port at 00:02.0 (ACS control ctrl, capability 0x005f at 0x100)
 * over an endpoint, each in its own kernel group. */
static void world_make(struct world *w, const char *name, int ctrl)
{
	struct tcfg rp, ep;

	snprintf(w->top, sizeof(w->top), "%s/%s", tdir(), name);
	snprintf(w->sys, sizeof(w->sys), "%s/sys", w->top);
	snprintf(w->run, sizeof(w->run), "%s/run", w->top);
	snprintf(w->journal, sizeof(w->journal), "%s/journal.json", w->run);
	tcfg_make(&rp, 0x1b36, 0x000c, 0x060400, ACS_PCIE_ROOT_PORT, true, false, ctrl);
	tcfg_buses(&rp, 0, 1, 1);
	tcfg_make(&ep, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, false, NO_ACS);
	put_func(w->sys, PORT, &rp);
	put_func(w->sys, EP, &ep);
	sh("mkdir -p %s/kernel/iommu_groups/1/devices %s/kernel/iommu_groups/2/devices", w->sys, w->sys);
	sh("ln -s ../../../../kernel/iommu_groups/1 %s/bus/pci/devices/" PORT "/iommu_group%s", w->sys, "");
	sh("ln -s ../../../../kernel/iommu_groups/2 %s/bus/pci/devices/" EP "/iommu_group%s", w->sys, "");
	sh("mkdir -p %s && chmod 700 %s", w->run, w->run);
}

static void world_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

/* A journal for the port: changes and drivers as given (JSON). */
static void journal(const struct world *w, const char *changes, const char *drivers)
{
	char text[2000];

	snprintf(text, sizeof(text), "{\"acsctl-journal\":1,\"sysfs\":\"%s\",\"time\":0,"
		 "\"changes\":%s,\"drivers\":%s}\n", w->sys, changes, drivers);
	world_file(w->journal, text);
}

static uint16_t cfg_word(const struct world *w, const char *addr, unsigned pos)
{
	char path[600];
	uint8_t b[2] = { 0, 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", w->sys, addr);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)pos, SEEK_SET), 0);
	assert_int_equal(fread(b, 1, 2, f), 2);
	fclose(f);
	return (uint16_t)(b[0] | b[1] << 8);
}

static int rollback(const struct world *w)
{
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;

	o.sysfs = w->sys;
	o.journal = w->journal;
	o.dry_run = false;
	return acs_apply_rollback(&o);
}

#define assert_refused(rc, text) do {                                              \
		assert_int_not_equal((rc), 0);                                     \
		if (!strstr(acs_error_last()->message, (text)))                    \
			fail_msg("no \"%s\" in: %s", (text), acs_error_last()->message); \
	} while (0)

/* Refused, and nothing changed: the port's header and ACS control are as
 * they were, the journal is still there. */
static void assert_untouched(const struct world *w, uint16_t ctrl)
{
	assert_int_equal(cfg_word(w, PORT, 0x04), 0x0000);   /* Command */
	assert_int_equal(cfg_word(w, PORT, 0x106), ctrl);
	assert_int_equal(access(w->journal, F_OK), 0);
}

#define GOOD "[{\"device\":\"" PORT "\",\"acs_pos\":256,\"ctrl_before\":29,\"ctrl_after\":0}]"

static void test_apply_rollback__only_real_sysfs(void **state)
{
	struct world w;

	(void)state;
	acs_apply__test_any_sysfs(false);
	world_make(&w, "real", 0);
	journal(&w, GOOD, "[]");
	assert_refused(rollback(&w), "not the kernel's sysfs");
	assert_untouched(&w, 0);
	acs_apply__test_any_sysfs(true);
}

static void test_apply_rollback__restores(void **state)
{
	struct world w;

	(void)state;
	world_make(&w, "good", 0);
	sh("touch %s/bus/pci/devices/" PORT "/rescan%s", w.sys, "");
	journal(&w, GOOD, "[]");
	if (rollback(&w))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(cfg_word(&w, PORT, 0x106), 0x1d);
	assert_int_not_equal(access(w.journal, F_OK), 0);
}

/* Rollback removes every device below the port, however many: it kept
 * only the first 1,024. 1,100 here (buses 01-05), each with its remove. */
static void test_apply_rollback__many_below(void **state)
{
	struct world w;
	size_t removed = 0;

	(void)state;
	world_make(&w, "many", 0);
	sh("touch %s/bus/pci/devices/" PORT "/rescan%s", w.sys, "");
	shf("cd %s/bus/pci/devices && n=0; for b in 01 02 03 04 05; do "
	    "for d in $(seq 0 31); do for f in 0 1 2 3 4 5 6 7; do [ $n -lt 1100 ] || break 3; "
	    "a=$(printf '0000:%%s:%%02x.%%d' $b $d $f); mkdir -p $a " PORT "/$a && : > $a/remove; "
	    "n=$((n+1)); done; done; done", w.sys);
	journal(&w, GOOD, "[]");
	if (rollback(&w))
		fail_msg("%s", acs_error_last()->message);
	for (unsigned k = 0; k < 1100; k++) {
		char path[700];
		FILE *f;
		int ch;

		snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:%02x:%02x.%u/remove", w.sys, 1 + k / 256,
			 k / 8 % 32, k % 8);
		f = fopen(path, "r");
		assert_non_null(f);
		ch = fgetc(f);
		fclose(f);
		removed += ch == '1';
	}
	assert_int_equal(removed, 1100);
}

/* acs_pos -2 made rollback write the Command register (-2 + 6 = 4). */
static void test_apply_rollback__acs_pos(void **state)
{
	static const char *const bad[] = { "-2", "4", "258", "4092", "\"256\"", "256.0", "null" };
	char ch[300];
	struct world w;

	(void)state;
	world_make(&w, "pos", 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ch, sizeof(ch), "[{\"device\":\"" PORT "\",\"acs_pos\":%s,\"ctrl_before\":29,\"ctrl_after\":0}]", bad[i]);
		journal(&w, ch, "[]");
		assert_refused(rollback(&w), "\"acs_pos\" is not an extended capability offset");
		assert_untouched(&w, 0);
	}
}

/* In range and aligned, but no ACS header there: not this device. */
static void test_apply_rollback__no_acs_there(void **state)
{
	struct world w;

	(void)state;
	world_make(&w, "noacs", 0);
	journal(&w, "[{\"device\":\"" PORT "\",\"acs_pos\":320,\"ctrl_before\":29,\"ctrl_after\":0}]", "[]");
	assert_refused(rollback(&w), PORT ": no ACS capability at 0x140");
	assert_untouched(&w, 0);
}

/* A driver name "../../../../victimdir" left sysfs and wrote, through a
 * link, over another file. */
static void test_apply_rollback__driver_name(void **state)
{
	static const char *const bad[] = { "../../../../victimdir", "a/b", "vfio.pci", "", "x y" };
	char drv[300], victim[400];
	struct world w;
	FILE *f;
	char got[16] = "";

	(void)state;
	world_make(&w, "drv", 0);
	sh("touch %s/bus/pci/devices/" PORT "/rescan %s/bus/pci/devices/" PORT "/driver_override", w.sys, w.sys);
	sh("mkdir -p %s/victimdir && echo keep >%s/victimfile", w.top, w.top);
	sh("ln -s ../victimfile %s/victimdir/bind%s", w.top, "");
	snprintf(victim, sizeof(victim), "%s/victimfile", w.top);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(drv, sizeof(drv), "[{\"device\":\"" EP "\",\"driver\":\"%s\"}]", bad[i]);
		journal(&w, GOOD, drv);
		assert_refused(rollback(&w), "\"driver\" is not a driver's name");
		assert_untouched(&w, 0);
	}
	f = fopen(victim, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, "keep\n");
}

/* An unparsable address left bus/device/function uninitialised. */
static void test_apply_rollback__address(void **state)
{
	static const char *const bad[] = { "zz", "0000:00:20.0", "0000:00:02.8", "0000:00:02.0/..",
					   "00:02.0", "0000:000:02.0", "0000:00:02.0 ", "../../x" };
	char ch[300];
	struct world w;

	(void)state;
	world_make(&w, "addr", 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ch, sizeof(ch), "[{\"device\":\"%s\",\"acs_pos\":256,\"ctrl_before\":29,\"ctrl_after\":0}]", bad[i]);
		journal(&w, ch, "[]");
		assert_refused(rollback(&w), "\"device\" is not an address");
		assert_untouched(&w, 0);
		snprintf(ch, sizeof(ch), "[{\"device\":\"%s\",\"driver\":\"nvme\"}]", bad[i]);
		journal(&w, GOOD, ch);
		assert_refused(rollback(&w), "\"device\" is not an address");
		assert_untouched(&w, 0);
	}
}

/* What apply left is not there: someone changed it since. */
static void test_apply_rollback__changed_since(void **state)
{
	struct world w;

	(void)state;
	world_make(&w, "since", 0x11);
	journal(&w, GOOD, "[]");
	assert_refused(rollback(&w), PORT ": ACS control is 0x0011, not 0x0000 as apply left it");
	assert_untouched(&w, 0x11);
}

static void test_apply_rollback__bits_outside_capability(void **state)
{
	struct world w;

	(void)state;
	world_make(&w, "bits", 0);
	journal(&w, "[{\"device\":\"" PORT "\",\"acs_pos\":256,\"ctrl_before\":255,\"ctrl_after\":0}]", "[]");
	assert_refused(rollback(&w), "changes ACS bits 0x00a0 the capability (0x005f) does not have");
	assert_untouched(&w, 0);
	journal(&w, "[{\"device\":\"" PORT "\",\"acs_pos\":256,\"ctrl_before\":65536,\"ctrl_after\":0}]", "[]");
	assert_refused(rollback(&w), "not 16-bit values");
	assert_untouched(&w, 0);
}

static void test_apply_rollback__shape(void **state)
{
	static const char *const bad[] = { "[5]", "5", "[{}]", "[null]" };
	struct world w;

	(void)state;
	world_make(&w, "shape", 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		journal(&w, bad[i], "[]");
		assert_int_not_equal(rollback(&w), 0);
		assert_untouched(&w, 0);
	}
	journal(&w, "[" GOOD "]", "[]");
	assert_int_not_equal(rollback(&w), 0);
	world_file(w.journal, "{\"acsctl-journal\":1,\"changes\":[],\"drivers\":[]}");
	assert_refused(rollback(&w), "written for sysfs (none)");
	journal(&w, "[{\"device\":\"" PORT "\",\"acs_pos\":256,\"ctrl_before\":29,\"ctrl_after\":0},"
		    "{\"device\":\"" PORT "\",\"acs_pos\":256,\"ctrl_before\":0,\"ctrl_after\":29}]", "[]");
	assert_refused(rollback(&w), "names a port a second time");
	assert_untouched(&w, 0);
}

static void test_apply_rollback__journal_not_ours(void **state)
{
	char other[400];
	struct world w;

	(void)state;
	world_make(&w, "link", 0);
	snprintf(other, sizeof(other), "%s/elsewhere.json", w.top);
	journal(&w, GOOD, "[]");
	assert_int_equal(rename(w.journal, other), 0);
	assert_int_equal(symlink(other, w.journal), 0);
	assert_int_not_equal(rollback(&w), 0);
	assert_int_equal(cfg_word(&w, PORT, 0x106), 0);
	assert_int_equal(unlink(w.journal), 0);
	journal(&w, GOOD, "[]");
	assert_int_equal(chmod(w.journal, 0622), 0);
	assert_refused(rollback(&w), "not a journal acsctl wrote");
	assert_untouched(&w, 0);
}

static void test_apply_rollback__directory_checked(void **state)
{
	struct world w;

	(void)state;
	world_make(&w, "dir", 0);
	journal(&w, GOOD, "[]");
	assert_int_equal(chmod(w.run, 0770), 0);
	assert_refused(rollback(&w), "writable by group or others (mode 0770)");
	assert_untouched(&w, 0);
	assert_int_equal(chmod(w.run, 01777), 0);
	assert_refused(rollback(&w), "writable by group or others (mode 1777)");
	assert_untouched(&w, 0);
	if (geteuid() == 0) {
		assert_int_equal(chmod(w.run, 0700), 0);
		assert_int_equal(chown(w.run, 65534, 65534), 0);
		assert_refused(rollback(&w), "owned by uid 65534, not root");
		assert_untouched(&w, 0);
	}
}

/* A second run while one holds the lock changes nothing. */
static int hold_lock(const struct world *w)
{
	char path[400];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", w->run);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "4242\n", 5, 0), 5);
	return fd;
}

static void test_apply_rollback__locked(void **state)
{
	struct world w;
	int fd;

	(void)state;
	world_make(&w, "lock", 0);
	journal(&w, GOOD, "[]");
	fd = hold_lock(&w);
	assert_refused(rollback(&w), "another acsctl apply is running (pid 4242)");
	assert_untouched(&w, 0);
	close(fd);
}

/* The fabric of the tree, as if it were this host's live sysfs. */
static acs_fabric *live_fabric(const struct world *w)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;
	acs_fabric *f = NULL;

	o.path = w->sys;
	if (acs_fabric_load(&f, &o))
		fail_msg("%s", acs_error_last()->message);
	f->kernel_release = strdup("6.12.0");
	return f;
}

static int apply(const struct world *w, const acs_fabric *f, uint16_t ctrl)
{
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;
	struct acs_ctrl_change ch = { 0, ctrl };

	o.sysfs = w->sys;
	o.journal = w->journal;
	o.dry_run = false;
	return acs_apply(f, acs_policy_default(), &ch, 1, &o);
}

static void test_apply_apply__locked(void **state)
{
	struct world w;
	acs_fabric *f;
	int fd;

	(void)state;
	world_make(&w, "applylock", 0x1d);
	f = live_fabric(&w);
	fd = hold_lock(&w);
	assert_refused(apply(&w, f, 0), "another acsctl apply is running (pid 4242)");
	assert_int_equal(cfg_word(&w, PORT, 0x106), 0x1d);
	assert_int_not_equal(access(w.journal, F_OK), 0);
	close(fd);
	acs_fabric_free(f);
}

/* The journal's temporary was opened O_TRUNC through whatever was there;
 * now it is made exclusively, 0600, and a link there is not followed.
 * Apply fails at unbind and its restore at rescan (no rescan file), so
 * the journal stays: it records what rollback expects to find, and
 * rollback, once the tree can rescan, takes it. */
static void test_apply_apply__journal(void **state)
{
	char victim[400], tmp[400], text[4096] = "";
	struct world w;
	struct stat st;
	acs_fabric *f;
	FILE *jf;

	(void)state;
#ifndef ACSCTL_FAULT_INJECTION
	skip();   /* needs ACSCTL_FAULT: meson -Dfault_injection=true (make check) */
#endif
	world_make(&w, "journal", 0x1d);
	f = live_fabric(&w);
	snprintf(victim, sizeof(victim), "%s/victim", w.top);
	snprintf(tmp, sizeof(tmp), "%s.tmp", w.journal);
	world_file(victim, "keep\n");
	assert_int_equal(symlink(victim, tmp), 0);
	setenv("ACSCTL_FAULT", "unbind", 1);
	assert_refused(apply(&w, f, 0), "FAIL at unbind");
	unsetenv("ACSCTL_FAULT");
	/* the restore's own error (no rescan file), not the message written
	 * over itself: "... restore failed too: FAIL at unbind: ..." */
	assert_non_null(strstr(acs_error_last()->message, "restore failed too: "));
	assert_null(strstr(acs_error_last()->message, "restore failed too: FAIL"));
	jf = fopen(victim, "r");
	assert_non_null(fgets(text, sizeof(text), jf));
	fclose(jf);
	assert_string_equal(text, "keep\n");
	assert_int_equal(lstat(w.journal, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	jf = fopen(w.journal, "r");
	assert_true(fread(text, 1, sizeof(text) - 1, jf) > 0);
	fclose(jf);
	assert_non_null(strstr(text, "\"ctrl_after\":0"));
	assert_int_equal(lstat(tmp, &st), -1);
	/* the restore wrote 0x1d back before it failed: rollback accepts it */
	assert_int_equal(cfg_word(&w, PORT, 0x106), 0x1d);
	sh("touch %s/bus/pci/devices/" PORT "/rescan%s", w.sys, "");
	if (rollback(&w))
		fail_msg("%s", acs_error_last()->message);
	assert_int_equal(cfg_word(&w, PORT, 0x106), 0x1d);
	assert_int_not_equal(access(w.journal, F_OK), 0);
	acs_fabric_free(f);
}

/* --- issue 14, items 3 and 4: before the first change, and the restore --- */

static void file_put(const struct world *w, const char *rel, const char *text)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", w->top, rel);
	world_file(path, text);
}

static void file_get(const struct world *w, const char *rel, char *out, size_t size)
{
	char path[700];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", w->top, rel);
	if ((f = fopen(path, "r"))) {
		n = fread(out, 1, size - 1, f);
		fclose(f);
	}
	out[n] = '\0';
}

/* The files the kernel's sysfs has for a change: the port's rescan, the
 * endpoint's remove, each empty until written. */
static void world_files(const struct world *w)
{
	file_put(w, "sys/bus/pci/devices/" PORT "/rescan", "");
	file_put(w, "sys/bus/pci/devices/" EP "/remove", "");
}

/* The endpoint bound to DRV, a member of its group 2; processes' files
 * under T/proc (a root on tmpfs for the denylist). */
static void world_driver(const struct world *w, const char *drv)
{
	shf("mkdir -p %s/bus/pci/drivers/%s && touch %s/bus/pci/drivers/%s/bind %s/bus/pci/drivers/%s/unbind",
	    w->sys, drv, w->sys, drv, w->sys, drv);
	shf("ln -s ../../drivers/%s %s/bus/pci/devices/" EP "/driver", drv, w->sys);
	shf("ln -s ../../../../bus/pci/devices/" EP " %s/kernel/iommu_groups/2/devices/" EP, w->sys);
	shf("mkdir -p %s/proc/self", w->top);
	file_put(w, "proc/self/mountinfo", "22 1 0:20 / / rw - tmpfs none rw\n");
	file_put(w, "sys/bus/pci/devices/" EP "/driver_override", "(null)\n");
}

/* Process PID holds NODE open as its fd 3. */
static void world_holds(const struct world *w, int pid, const char *node)
{
	shf("mkdir -p %s/proc/%d/fd && ln -sfn %s %s/proc/%d/fd/3", w->top, pid, node, w->top, pid);
}

struct seen {
	const struct world *w;
	const char *on;                   /* a step line starting so ... */
	void (*then)(const struct world *w);   /* ... runs this, once */
	char lines[4096];
};

static void on_step(void *ctx, const char *line)
{
	struct seen *s = ctx;

	strncat(s->lines, line, sizeof(s->lines) - strlen(s->lines) - 2);
	strcat(s->lines, "\n");
	if (s->on && s->then && strncmp(line, s->on, strlen(s->on)) == 0) {
		s->then(s->w);
		s->then = NULL;
	}
}

static int apply_seen(const struct world *w, const acs_fabric *f, uint16_t ctrl, bool unbind, struct seen *s)
{
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;
	struct acs_ctrl_change ch = { 0, ctrl };
	char proc[400];
	int rc;

	snprintf(proc, sizeof(proc), "%s/proc", w->top);
	acs_apply__test_proc(proc);
	o.sysfs = w->sys;
	o.journal = w->journal;
	o.dry_run = false;
	o.unbind = unbind;
	o.step = on_step;
	o.ctx = s;
	rc = acs_apply(f, acs_policy_default(), &ch, 1, &o);
	acs_apply__test_proc(NULL);
	return rc;
}

/* Refused before the first change: ACS control as it was, no journal,
 * nothing removed or unbound. */
static void assert_nothing_done(const struct world *w, uint16_t ctrl)
{
	char text[64];

	assert_int_equal(cfg_word(w, PORT, 0x106), ctrl);
	assert_int_not_equal(access(w->journal, F_OK), 0);
	file_get(w, "sys/bus/pci/devices/" EP "/remove", text, sizeof(text));
	assert_string_equal(text, "");
	file_get(w, "sys/bus/pci/devices/" PORT "/rescan", text, sizeof(text));
	assert_string_equal(text, "");
}

/* A port named twice (acs.conf or the command line: 00:02.0:RR-
 * 00:02.0:CR-, or a switch and one of its ports) went into the journal
 * twice, which rollback refuses ("names a port a second time"): an apply
 * cut short could not be rolled back. Refused before anything now. */
static void test_apply_apply__port_twice(void **state)
{
	acs_apply_opts o = ACS_APPLY_OPTS_INIT;
	struct acs_ctrl_change ch[2] = { { 0, 0x1c }, { 0, 0 } };
	struct world w;
	acs_fabric *f;

	(void)state;
	world_make(&w, "applytwice", 0x1d);
	f = live_fabric(&w);
	o.sysfs = w.sys;
	o.journal = w.journal;
	o.dry_run = false;
	assert_refused(acs_apply(f, acs_policy_default(), ch, 2, &o), PORT ": changed twice");
	assert_nothing_done(&w, 0x1d);
	acs_fabric_free(f);
}


/* Under lockdown the kernel refuses config writes through sysfs: apply
 * used to remove the devices first and fail at its write. */
static void test_apply_apply__lockdown(void **state)
{
	struct seen s = { 0 };
	struct world w;
	acs_fabric *f;

	(void)state;
	world_make(&w, "lockdown", 0x1d);
	world_files(&w);
	shf("mkdir -p %s/kernel/security", w.sys);
	file_put(&w, "sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	f = live_fabric(&w);
	assert_refused(apply_seen(&w, f, 0, false, &s), "kernel lockdown is [integrity]");
	assert_nothing_done(&w, 0x1d);
	file_put(&w, "sys/kernel/security/lockdown", "none integrity [confidentiality]\n");
	assert_refused(apply_seen(&w, f, 0, false, &s), "kernel lockdown is [confidentiality]");
	assert_nothing_done(&w, 0x1d);
	acs_fabric_free(f);
}

/* The port's config file turns into /dev/full once the devices are
 * removed: every write fails (ENOSPC) and reads give 0, so the write and
 * the restore's write both fail. The devices must come back anyway. */
static void config_breaks(const struct world *w)
{
	shf("ln -sfn /dev/full %s/bus/pci/devices/" PORT "/config", w->sys);
}

static void test_apply_apply__restore_rescans(void **state)
{
	struct seen s = { 0 };
	struct world w;
	char text[64];
	acs_fabric *f;

	(void)state;
	world_make(&w, "restore", 0x1d);
	world_files(&w);
	f = live_fabric(&w);
	s.w = &w;
	s.on = "remove ";
	s.then = config_breaks;
	assert_refused(apply_seen(&w, f, 0, false, &s), "FAIL at write");
	assert_non_null(strstr(acs_error_last()->message, "restore failed too"));
	file_get(&w, "sys/bus/pci/devices/" PORT "/rescan", text, sizeof(text));
	assert_string_equal(text, "1");
	assert_int_equal(access(w.journal, F_OK), 0);   /* for --rollback */
	acs_fabric_free(f);
}

/* Lockdown engaged after the probe: the write is refused, so is the
 * restore's, but the port still reads its old value: restored, rescanned. */
static void test_apply_apply__lockdown_after_probe(void **state)
{
	struct seen s = { 0 };
	struct world w;
	char text[64];
	acs_fabric *f;

	(void)state;
#ifndef ACSCTL_FAULT_INJECTION
	skip();
#endif
	world_make(&w, "lockdown2", 0x1d);
	world_files(&w);
	f = live_fabric(&w);
	setenv("ACSCTL_FAULT", "lockdown", 1);
	assert_refused(apply_seen(&w, f, 0, false, &s), "FAIL at write");
	unsetenv("ACSCTL_FAULT");
	assert_non_null(strstr(acs_error_last()->message, "(original ACS restored)"));
	assert_non_null(strstr(s.lines, "probe: wrote back " PORT " ACSCtl 0x001d (read back)"));
	assert_non_null(strstr(s.lines, "but it reads 0x001d already"));
	file_get(&w, "sys/bus/pci/devices/" PORT "/rescan", text, sizeof(text));
	assert_string_equal(text, "1");
	assert_int_equal(cfg_word(&w, PORT, 0x106), 0x1d);
	assert_int_not_equal(access(w.journal, F_OK), 0);
	acs_fabric_free(f);
}

/* A variant driver (not "vfio-pci") whose group a guest holds open. */
static void test_apply_vfio__variant_driver(void **state)
{
	struct seen s = { 0 };
	struct world w;
	acs_fabric *f;

	(void)state;
	world_make(&w, "variant", 0x1d);
	world_files(&w);
	world_driver(&w, "mlx5_vfio_pci");
	world_holds(&w, 100, "/dev/vfio/2");
	f = live_fabric(&w);
	assert_refused(apply_seen(&w, f, 0, true, &s), EP ": its VFIO group 2 is open (pid 100");
	assert_nothing_done(&w, 0x1d);
	acs_fabric_free(f);
}

/* The iommufd cdev of a group member, not the group, is held open. */
static void test_apply_vfio__iommufd_cdev(void **state)
{
	struct seen s = { 0 };
	struct world w;
	acs_fabric *f;

	(void)state;
	world_make(&w, "cdev", 0x1d);
	world_files(&w);
	world_driver(&w, "vfio-pci");
	shf("mkdir -p %s/bus/pci/devices/" EP "/vfio-dev/vfio0", w.sys);
	world_holds(&w, 101, "/dev/vfio/devices/vfio0");
	f = live_fabric(&w);
	assert_refused(apply_seen(&w, f, 0, true, &s), EP ": its VFIO device /dev/vfio/devices/vfio0 (group 2) is open (pid 101");
	assert_nothing_done(&w, 0x1d);
	acs_fabric_free(f);
}

/* Root's DAC override off or on again (a no-op for others): as root
 * nothing else makes a directory unreadable. */
static void dac_override(bool on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint32_t bits = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);

	if (geteuid() != 0)
		return;
	assert_int_equal(syscall(SYS_capget, &h, d), 0);
	d[0].effective = on ? d[0].effective | (bits & d[0].permitted) : d[0].effective & ~bits;
	assert_int_equal(syscall(SYS_capset, &h, d), 0);
}

/* A process whose open files cannot be read could hold the group. */
static void test_apply_vfio__unreadable(void **state)
{
	struct seen s = { 0 };
	struct world w;
	acs_fabric *f;
	int rc;

	(void)state;
	world_make(&w, "eacces", 0x1d);
	world_files(&w);
	world_driver(&w, "vfio-pci");
	world_holds(&w, 102, "/dev/null");
	shf("chmod 000 %s/proc/102/fd", w.top);
	f = live_fabric(&w);
	dac_override(false);
	rc = apply_seen(&w, f, 0, true, &s);
	dac_override(true);
	assert_refused(rc, "pid 102: cannot read");
	assert_non_null(strstr(acs_error_last()->message, "Permission denied"));
	assert_nothing_done(&w, 0x1d);
	shf("chmod 700 %s/proc/102/fd", w.top);
	acs_fabric_free(f);
}

/* A guest that opens the group after the first look, before the unbind. */
static void guest_starts(const struct world *w)
{
	world_holds(w, 103, "/dev/vfio/2");
}

static void test_apply_vfio__again_before_unbind(void **state)
{
	struct seen s = { 0 };
	struct world w;
	char text[64];
	acs_fabric *f;

	(void)state;
	world_make(&w, "recheck", 0x1d);
	world_files(&w);
	world_driver(&w, "vfio-pci");
	f = live_fabric(&w);
	s.w = &w;
	s.on = "journal ";
	s.then = guest_starts;
	assert_refused(apply_seen(&w, f, 0, true, &s), "its VFIO group 2 is open (pid 103");
	assert_non_null(strstr(acs_error_last()->message, "right before the unbind"));
	assert_nothing_done(&w, 0x1d);
	file_get(&w, "sys/bus/pci/drivers/vfio-pci/unbind", text, sizeof(text));
	assert_string_equal(text, "");
	acs_fabric_free(f);
}

static int group_setup(void **state)
{
	acs_apply__test_any_sysfs(true);
	return tdir_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_rollback__only_real_sysfs),
		cmocka_unit_test(test_apply_rollback__restores),
		cmocka_unit_test(test_apply_rollback__many_below),
		cmocka_unit_test(test_apply_rollback__acs_pos),
		cmocka_unit_test(test_apply_rollback__no_acs_there),
		cmocka_unit_test(test_apply_rollback__driver_name),
		cmocka_unit_test(test_apply_rollback__address),
		cmocka_unit_test(test_apply_rollback__changed_since),
		cmocka_unit_test(test_apply_rollback__bits_outside_capability),
		cmocka_unit_test(test_apply_rollback__shape),
		cmocka_unit_test(test_apply_rollback__journal_not_ours),
		cmocka_unit_test(test_apply_rollback__directory_checked),
		cmocka_unit_test(test_apply_rollback__locked),
		cmocka_unit_test(test_apply_apply__locked),
		cmocka_unit_test(test_apply_apply__journal),
		cmocka_unit_test(test_apply_apply__lockdown),
		cmocka_unit_test(test_apply_apply__port_twice),
		cmocka_unit_test(test_apply_apply__restore_rescans),
		cmocka_unit_test(test_apply_apply__lockdown_after_probe),
		cmocka_unit_test(test_apply_vfio__variant_driver),
		cmocka_unit_test(test_apply_vfio__iommufd_cdev),
		cmocka_unit_test(test_apply_vfio__unreadable),
		cmocka_unit_test(test_apply_vfio__again_before_unbind),
	};

	return cmocka_run_group_tests(tests, group_setup, tdir_teardown);
}
