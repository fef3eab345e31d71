/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel versions acsctl models, oldest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy-internal.h"

static const struct acs_policy policies[] = {
	{ "6.1", ACS_KV(6, 1), NULL },
	{ "6.12", ACS_KV(6, 12), NULL },
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
