/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libacsctl-groups: the IOMMU groups of a fabric, through the public API
 * of libacsctl alone.
 *
 *   cc libacsctl-groups.c $(pkg-config --cflags --libs acsctl) -o libacsctl-groups
 *   ./libacsctl-groups FILE [KERNEL]
 *
 * FILE is any file acsctl -F reads (an lspci dump or text, a snapshot, a
 * topology); KERNEL a version ("6.12"). Without KERNEL the policy is that
 * of the kernel the source recorded, else acs_policy_default(), as acsctl
 * picks it.
 * Prints "GROUP ADDRESS" per function, " ?" after an uncertain group: the
 * lines of `acsctl -F FILE groups -m`.
 */
#include <stdio.h>

#include <acsctl/acsctl.h>

static int fail(const char *what)
{
	fprintf(stderr, "libacsctl-groups: %s: %s\n", what, acs_error_last()->message);
	return 1;
}

int main(int argc, char **argv)
{
	acs_load_opts opts = ACS_LOAD_OPTS_INIT;
	acs_fabric *fabric = NULL;
	acs_groups *groups = NULL;
	const acs_policy *policy;
	const char *kernel;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FILE [KERNEL]\n", argv[0]);
		return 2;
	}
	opts.kind = ACS_SOURCE_FILE;   /* told apart by content */
	opts.path = argv[1];
	if (acs_fabric_load(&fabric, &opts) < 0)
		return fail(argv[1]);

	kernel = argc > 2 ? argv[2] : acs_fabric_kernel_release(fabric);
	policy = kernel ? acs_policy_find(kernel) : NULL;
	if (!policy && argc < 3)        /* none recorded, or no version */
		policy = acs_policy_default();
	if (!policy) {
		acs_fabric_free(fabric);
		return fail(kernel);
	}
	if (acs_groups_compute(&groups, fabric, policy) < 0) {
		acs_fabric_free(fabric);
		return fail("groups");
	}

	for (size_t id = 0; id < acs_groups_count(groups); id++) {
		const uint32_t *members;
		size_t n = acs_groups_members(groups, id, &members);

		for (size_t k = 0; k < n; k++) {
			char addr[32];

			printf("%zu %s%s\n", id,
			       acs_func_addr(acs_fabric_func(fabric, members[k]), addr, sizeof(addr)),
			       acs_groups_uncertain(groups, id) ? " ?" : "");
		}
	}
	acs_groups_free(groups);
	acs_fabric_free(fabric);
	return 0;
}
