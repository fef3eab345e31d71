/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acs_fabric_load(): pick the source, fill a builder, freeze the fabric. */
#include <stdio.h>

#include "sources/sources.h"

static const struct acs_source_ops *const sources[] = {
	&acs_source_sysfs,
	&acs_source_dump,
};

int acs_fabric_load(acs_fabric **out, const acs_load_opts *opts)
{
	const struct acs_source_ops *ops = NULL;
	struct acs_builder b;
	char origin[300];
	int rc;

	*out = NULL;
	if (!opts || opts->version != ACS_LOAD_OPTS_VERSION)
		return acs_error_set(ACS_EINVAL, "acs_load_opts: unsupported version");
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (sources[i]->kind == opts->kind)
			ops = sources[i];
	if (!ops)
		return acs_error_set(ACS_EINVAL, "unknown source kind %d", opts->kind);
	if (opts->kind == ACS_SOURCE_SYSFS)
		snprintf(origin, sizeof(origin), "sysfs %s",
			 opts->path ? opts->path : "/sys");
	else
		snprintf(origin, sizeof(origin), "%s", opts->path ? opts->path : "");
	rc = acs_builder_init(&b, ops->kind, origin);
	if (rc)
		return rc;
	rc = ops->load(&b, opts->path);
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}
