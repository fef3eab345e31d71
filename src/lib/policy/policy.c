/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel versions acsctl models, oldest first. Each is the newest
 * stable release of its series (Debian's 5.10.262, 6.1.192, 6.12.117 and
 * 7.2.13 sources were compared), so it has the quirks that stable
 * backported to it while the series was maintained.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy-internal.h"

static const struct acs_policy policies[] = {
	/* 5.4.302 ended in Dec 2025: backports of mainline up to 6.18 */
	{ "5.4", ACS_KV(5, 4), ACS_KV(6, 18), NULL },
	{ "5.10", ACS_KV(5, 10), 0, NULL },
	{ "5.15", ACS_KV(5, 15), 0, NULL },
	{ "6.1", ACS_KV(6, 1), 0, NULL },
	{ "6.6", ACS_KV(6, 6), 0, NULL },
	/* 6.8.12 ended in May 2024: backports of mainline up to 6.9 */
	{ "6.8", ACS_KV(6, 8), ACS_KV(6, 9), NULL },
	{ "6.12", ACS_KV(6, 12), 0, NULL },
	/* the newest mainline release (7.3 was at rc7) */
	{ "7.2", ACS_KV(7, 2), 0, NULL },
};

#define NPOLICIES (sizeof(policies) / sizeof(policies[0]))

size_t acs_policy_count(void)
{
	return NPOLICIES;
}

const acs_policy *acs_policy_at(size_t i)
{
	return i < NPOLICIES ? &policies[i] : NULL;
}

const acs_policy *acs_policy_default(void)
{
	return &policies[NPOLICIES - 1];
}

const char *acs_policy_name(const acs_policy *p)
{
	return p->name;
}

bool acs_policy__has(const acs_policy *policy, unsigned since, unsigned until,
		     unsigned stable_from)
{
	unsigned v = policy->version;

	if (until && v >= until)
		return false;
	if (v >= since)
		return true;
	if (!stable_from || v < stable_from)
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
	return &both->p;
}

/* "6.1", "linux-6.1", "6.1.0-22-amd64", "6.12.57+deb12-amd64": major.minor. */
static int parse_version(const char *s, unsigned *out)
{
	unsigned long major, minor;
	char *end;

	if (strncmp(s, "linux-", 6) == 0)
		s += 6;
	major = strtoul(s, &end, 10);
	if (end == s || *end != '.' || major > 255)
		return -1;
	s = end + 1;
	minor = strtoul(s, &end, 10);
	if (end == s || minor > 255)
		return -1;
	if (*end && *end != '.' && *end != '-' && *end != '+')
		return -1;
	*out = ACS_KV(major, minor);
	return 0;
}

const acs_policy *acs_policy_nearest(const char *version, bool *exact)
{
	unsigned v;
	const acs_policy *best = &policies[0];

	*exact = false;
	if (!version || parse_version(version, &v) != 0)
		return acs_policy_find(version);
	for (size_t i = 0; i < NPOLICIES; i++)
		if (policies[i].version <= v)
			best = &policies[i];
	*exact = best->version == v;
	return best;
}

const acs_policy *acs_policy_find(const char *version)
{
	char known[128] = "";
	unsigned v;
	size_t i;

	if (version && parse_version(version, &v) == 0)
		for (i = 0; i < NPOLICIES; i++)
			if (policies[i].version == v)
				return &policies[i];
	for (i = 0; i < NPOLICIES; i++) {
		strncat(known, i ? ", " : "", sizeof(known) - strlen(known) - 1);
		strncat(known, policies[i].name, sizeof(known) - strlen(known) - 1);
	}
	acs_error_set(ACS_EINVAL, "unknown kernel version '%s' (known: %s)",
		      version ? version : "", known);
	return NULL;
}
