/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel version as a policy. Nothing here is chosen from a list of
 * versions: the quirk, alias and boot tables say in which mainline release
 * each rule first appeared, was removed, and from which series on the
 * stable team backported it; a version keeps the rules those bounds give.
 *
 * What a version string means:
 *
 *   "6.10", "linux-6.10"   the series as its newest stable release has it:
 *                          mainline 6.10 and every backport the 6.10.y
 *                          series took before it ended. "linux-6.10"
 *                          is a source tree's name, as often a 6.10.y
 *                          branch's as the 6.10 tarball's: the series.
 *   "6.10.14"              a stable point release: the same as the series.
 *                          The tables record which series took a backport,
 *                          not at which point release, so an early point
 *                          release (6.1.5 against a rule of 6.13) is taken
 *                          to have backports it may not have had yet.
 *   "6.10.0", "7.3-rc4",   a mainline release or release candidate: only
 *   "7.3.0-rc4"            the rules of mainline up to 6.10 (7.3); stable
 *                          backports are never in a .0 or an -rc.
 *   "6.8.0-45-generic",    a distribution build numbered X.Y.0-ABI (Ubuntu,
 *   "6.1.0-22-amd64"       Debian): taken as the series, since Debian and
 *                          Ubuntu follow the stable releases; noted in
 *                          acs_policy_note().
 *   "5.13.19-6-pve",       a distribution build of a point release: that
 *   "6.12.57+deb12-amd64"  point release (5.13.19).
 *
 * The sources compared with acsctl's tables: CodeLinaro's late 5.4.y,
 * Debian's 5.10.262, 6.1.192, 6.12.117 and 7.2.13, and mainline 7.3-rc7.
 * A version outside 5.4 .. 7.3-rc7 still gets a policy, with a warning
 * (acs_policy_warning()) saying what was assumed.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy-internal.h"

/* The modelled range: the oldest kernel the tables know ("since" of
 * ACS_KV_OLDEST means "before 5.4"), the newest whose source was compared. */
#define OLDEST ACS_KV(5, 4)
#define OLDEST_NAME "5.4"
#define NEWEST ACS_KV(7, 3)
#define NEWEST_RC 7u
#define NEWEST_NAME "7.3-rc7"

/* The newest mainline release: the default where nothing says which. */
static const struct acs_policy newest_release = {
	.name = "7.2", .version = ACS_KV(7, 2), .backports = true,
	.stable_until = ACS_KV(7, 3),   /* series_end(): not long-term */
};

/* A version as written: "6.10.14-200.fc40.x86_64" is 6.10, patch 14. */
struct kver {
	unsigned major, minor, patch, rc;   /* rc 0: not a release candidate */
	bool has_patch;                     /* "6.10.0", not "6.10" */
	bool suffix;                        /* a build's name after - or + */
};

/* A decimal number no bigger than max, digits only (no sign, no space). */
static int number(const char **s, unsigned long max, unsigned *out)
{
	unsigned long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
	}
	*out = (unsigned)v;
	*s = p;
	return 0;
}

/* The name a build appends (-22-amd64, +deb12-amd64, .el9): printable,
 * no spaces, so that a typo or a second word is refused. */
static bool build_suffix(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._+~-", *s)))
			return false;
	return true;
}

/*
 * [linux-]MAJOR.MINOR[.PATCH][-rcN][(-|+)BUILD]. The bounds refuse what
 * no kernel was numbered (99999.1) without refusing old or future ones.
 */
static int parse_version(const char *s, struct kver *v)
{
	memset(v, 0, sizeof(*v));
	if (strncmp(s, "linux-", 6) == 0)
		s += 6;
	if (number(&s, 99, &v->major) || v->major == 0 || *s++ != '.' ||
	    number(&s, 255, &v->minor))
		return -1;
	if (*s == '.') {
		s++;
		if (number(&s, 9999, &v->patch))
			return -1;
		v->has_patch = true;
	}
	if (strncmp(s, "-rc", 3) == 0) {
		s += 3;
		if (number(&s, 99, &v->rc) || v->rc == 0)
			return -1;
	}
	if (!*s || strcmp(s, "+") == 0)   /* "+": a git build of that tag */
		return 0;
	if ((*s != '-' && *s != '+') || !build_suffix(s + 1))
		return -1;
	v->suffix = true;
	return 0;
}

/* Long-term series; those that ended, with the newest mainline release
 * whose changes they took (kernel.org's releases page, the series' last
 * stable release). 6.18 is taken as long-term. */
static const struct { unsigned series, until; } longterm[] = {
	{ ACS_KV(4, 4), ACS_KV(5, 16) },    /* 4.4.302, Feb 2022 */
	{ ACS_KV(4, 9), ACS_KV(6, 1) },     /* 4.9.337, Jan 2023 */
	{ ACS_KV(4, 14), ACS_KV(6, 7) },    /* 4.14.336, Jan 2024 */
	{ ACS_KV(4, 19), ACS_KV(6, 12) },   /* 4.19.325, Dec 2024 */
	{ ACS_KV(5, 4), ACS_KV(6, 18) },    /* 5.4.302, Dec 2025 */
	{ ACS_KV(5, 10), 0 }, { ACS_KV(5, 15), 0 }, { ACS_KV(6, 1), 0 },
	{ ACS_KV(6, 6), 0 }, { ACS_KV(6, 12), 0 }, { ACS_KV(6, 18), 0 },
};

/* The mainline release after v: the last minor of a major moves on. */
static unsigned next_release(unsigned v)
{
	static const unsigned last[] = {
		ACS_KV(2, 6), ACS_KV(3, 19), ACS_KV(4, 20), ACS_KV(5, 19), ACS_KV(6, 19),
	};

	for (size_t i = 0; i < sizeof(last) / sizeof(last[0]); i++)
		if (v == last[i])
			return ACS_KV((v >> 8) + 1, 0);
	return v + 1;
}

/*
 * The newest mainline release whose changes a series' stable releases
 * took (0: still maintained, no bound). A series that is not long-term
 * lives about one release cycle: 6.8.12, its last, took 6.9's fixes.
 */
static unsigned series_end(unsigned series)
{
	for (size_t i = 0; i < sizeof(longterm) / sizeof(longterm[0]); i++)
		if (longterm[i].series == series)
			return longterm[i].until;
	return next_release(series);
}

/* The policy a parsed version stands for, named as acsctl will print it. */
static void policy_of(struct acs_policy *p, const struct kver *v)
{
	memset(p, 0, sizeof(*p));
	p->version = ACS_KV(v->major, v->minor);
	p->stable_until = series_end(p->version);
	if (v->rc) {
		snprintf(p->name, sizeof(p->name), "%u.%u-rc%u", v->major, v->minor, v->rc);
	} else if (v->has_patch && v->patch) {
		snprintf(p->name, sizeof(p->name), "%u.%u.%u", v->major, v->minor, v->patch);
		p->backports = true;
	} else if (v->has_patch && !v->suffix) {
		snprintf(p->name, sizeof(p->name), "%u.%u.0", v->major, v->minor);
	} else {
		snprintf(p->name, sizeof(p->name), "%u.%u", v->major, v->minor);
		p->backports = true;
		if (v->has_patch)
			snprintf(p->note, sizeof(p->note),
				 "a distribution build of %u.%u.0, taken to carry "
				 "the %u.%u.y stable backports", v->major, v->minor,
				 v->major, v->minor);
	}
	if (p->version < OLDEST)
		snprintf(p->warning, sizeof(p->warning),
			 "Linux %s is older than %s, the oldest kernel acsctl "
			 "models: predicted with every quirk older than %s (it "
			 "may lack some)", p->name, OLDEST_NAME, OLDEST_NAME);
	else if (p->version > NEWEST || (p->version == NEWEST && (!v->rc || v->rc > NEWEST_RC)))
		snprintf(p->warning, sizeof(p->warning),
			 "Linux %s is newer than %s, the newest kernel acsctl "
			 "was compared with: predicted as that one behaves "
			 "(later kernel changes are not modelled)", p->name, NEWEST_NAME);
}

/*
 * Every policy handed out, one per name and note, kept for the life of
 * the process so that callers never free one. Entries are immutable once
 * pushed; a race may push one twice, which costs a few bytes.
 */
struct cached {
	struct acs_policy policy;
	struct cached *next;
};

static _Atomic(struct cached *) cache;

static const acs_policy *interned(const struct acs_policy *p)
{
	struct cached *c;

	for (c = atomic_load(&cache); c; c = c->next)
		if (!strcmp(c->policy.name, p->name) && !strcmp(c->policy.note, p->note))
			return &c->policy;
	c = malloc(sizeof(*c));
	if (!c) {
		acs_error_nomem();
		return NULL;
	}
	c->policy = *p;
	c->next = atomic_load(&cache);
	while (!atomic_compare_exchange_weak(&cache, &c->next, c))
		;
	return &c->policy;
}

const acs_policy *acs_policy_find(const char *version)
{
	struct acs_policy p;
	struct kver v;

	if (!version || parse_version(version, &v) != 0) {
		acs_error_set(ACS_EINVAL,
			      "'%s' is not a kernel version (MAJOR.MINOR[.PATCH][-rcN], "
			      "or a release such as 6.8.0-45-generic; modelled: kernels %s to %s)",
			      version ? version : "", OLDEST_NAME, NEWEST_NAME);
		return NULL;
	}
	policy_of(&p, &v);
	if (!strcmp(p.name, newest_release.name) && !p.note[0])
		return &newest_release;
	return interned(&p);
}

const acs_policy *acs_policy_default(void)
{
	return &newest_release;
}

void acs_policy_range(const char **oldest, const char **newest)
{
	*oldest = OLDEST_NAME;
	*newest = NEWEST_NAME;
}

const char *acs_policy_name(const acs_policy *p)
{
	return p->name;
}

const char *acs_policy_note(const acs_policy *p)
{
	return p->note[0] ? p->note : NULL;
}

const char *acs_policy_warning(const acs_policy *p)
{
	return p->warning[0] ? p->warning : NULL;
}

bool acs_policy_has_config_acs(const acs_policy *p)
{
	return p->version >= ACS_KV(6, 11);
}

bool acs_policy_vfio_dma_ownership(const acs_policy *p)
{
	return p->version >= ACS_KV(5, 19);
}

const acs_policy *acs_policy_hardware(const acs_policy *p)
{
	return p->override ? p->hardware : p;
}

bool acs_policy_overridden(const acs_policy *p)
{
	return p->override != NULL;
}

bool acs_cmdline_has_acs_override(const char *cmdline)
{
	static const char param[] = "pcie_acs_override=";
	const char *p = cmdline;

	/* a parameter is a word of its own: foo_pcie_acs_override= is not it */
	while (p && (p = strstr(p, param))) {
		if (p == cmdline || p[-1] == ' ' || p[-1] == '\t')
			return true;
		p += sizeof(param) - 1;
	}
	return false;
}

bool acs_policy__has(const acs_policy *policy, unsigned since, unsigned until,
		     unsigned stable_from)
{
	unsigned v = policy->version;

	if (until && v >= until)
		return false;
	if (v >= since)
		return true;
	if (!policy->backports || !stable_from || v < stable_from)
		return false;
	return !policy->stable_until || since <= policy->stable_until;
}

acs_policy *acs_policy__with_override(const acs_policy *base,
				      const struct acs_override *o)
{
	struct {
		struct acs_policy p;
		struct acs_override o;
	} *both = malloc(sizeof(*both));

	if (!both)
		return NULL;
	both->p = *base;
	both->o = *o;
	both->p.override = &both->o;
	both->p.hardware = base->override ? base->hardware : base;
	return &both->p;
}
