/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acs_fabric_load(): pick the source, fill a builder, freeze the fabric. */
#include <stdio.h>
#include <string.h>

#include "sources/sources.h"

static const struct acs_source_ops *const sources[] = {
	&acs_source_sysfs,
	&acs_source_dump,
	&acs_source_lspci,
	&acs_source_snapshot,
	&acs_source_topology,
	&acs_source_rdma_topo,
};

static int detect(const struct acs_input *in, int *kind)
{
	if (*kind != ACS_SOURCE_FILE)
		return 0;
	*kind = acs_source_detect(in->data, in->len);
	if (!*kind)
		return acs_error_set(ACS_EPARSE, "%s: no PCI data (not lspci -x/-xxx/-xxxx or -v "
				     "output, an acsctl snapshot, a topology or an rdma_topo dump)", in->name);
	return 0;
}

static const struct acs_source_ops *source_of(int kind)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (sources[i]->kind == kind)
			return sources[i];
	return NULL;
}

static int load_with(acs_fabric **out, const acs_load_opts *opts, int kind,
		     struct acs_input *in)
{
	const struct acs_source_ops *ops = source_of(kind);
	struct acs_builder b;
	char origin[300];
	int rc;

	if (!ops)
		return acs_error_set(ACS_EINVAL, "unknown source kind %d", kind);
	if (kind == ACS_SOURCE_SYSFS)
		snprintf(origin, sizeof(origin), "sysfs %s", opts->path ? opts->path : "/sys");
	else
		snprintf(origin, sizeof(origin), "%s", in->name);
	rc = acs_builder_init(&b, ops->kind, origin);
	if (rc)
		return rc;
	rc = ops->load(&b, opts->path, in);
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}

int acs_fabric_load(acs_fabric **out, const acs_load_opts *opts)
{
	struct acs_input in = { .memfd = -1 };
	int rc, kind;

	*out = NULL;
	if (!opts || opts->version != ACS_LOAD_OPTS_VERSION)
		return acs_error_set(ACS_EINVAL, "acs_load_opts: unsupported version");
	kind = opts->kind;
	if (kind == ACS_SOURCE_SYSFS)
		return load_with(out, opts, kind, NULL);
	if (!opts->path || !*opts->path)
		return acs_error_set(ACS_EINVAL, "no file given");
	rc = acs_input_read(&in, opts->path, opts->max_input);
	if (!rc)
		rc = detect(&in, &kind);
	/* a dump's and a snapshot's reader check every line for a NUL; the
	 * others take the buffer as text that ends at one */
	if (!rc && kind != ACS_SOURCE_DUMP && kind != ACS_SOURCE_SNAPSHOT)
		rc = acs_input_check_nul(&in);
	if (!rc)
		rc = load_with(out, opts, kind, &in);
	acs_input_free(&in);
	return rc;
}
