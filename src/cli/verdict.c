/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verdicts with three outcomes: ok, FAIL (proven), UNKNOWN (it depends on
 * state the source could not read). Every checking command says UNKNOWN
 * the same way: one line per function it depends on, one line on how to
 * read them, and in JSON "verdict" and "unknown_ports".
 */
#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"

int cli_verdict(bool failed, size_t nunknown)
{
	/* what is proven wrong stays wrong whatever the unread ports hold */
	if (failed)
		return EXIT_CHECK_FAILED;
	return nunknown ? EXIT_UNKNOWN : EXIT_OK;
}

void cli_print_unknown(const struct cli *c, const uint32_t *v, size_t n)
{
	char addr[32];

	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fn = acs_fabric_func(c->fabric, v[i]);

		printf("UNKNOWN %s [%s]: %s\n", acs_func_addr(fn, addr, sizeof(addr)),
		       fn->known & ACS_KNOWN_CAPS ? acs_pcie_type_name(fn->pcie_type) : "type not read",
		       acs_unknown_why(fn));
	}
	if (n)
		printf("UNKNOWN: the answer depends on %zu function%s not read: %s\n", n, n == 1 ? "" : "s",
		       acs_unknown_advice(c->fabric));
}

void cli_json_verdict(const struct cli *c, struct json_object *root, int status,
		      const uint32_t *v, size_t n)
{
	cli_boot_warnings_json(c, root);
	const char *word = status == EXIT_CHECK_FAILED ? "fail" : status == EXIT_UNKNOWN ? "unknown" : "ok";

	json_object_object_add(root, "verdict", json_object_new_string(word));
	json_object_object_add(root, "unknown_ports", cli_addr_list(c, v, n));
	if (n)
		json_object_object_add(root, "unknown_advice",
				       json_object_new_string(acs_unknown_advice(c->fabric)));
}
