/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verdicts with three outcomes: ok, FAIL (proven), UNKNOWN (it depends on
 * state the source could not read). Every checking command says UNKNOWN
 * the same way: one line per function it depends on, one line on how to
 * read them, and in JSON "verdict" and "unknown_ports".
 */
#include <stdio.h>

#include "cli.h"
#include "emit.h"

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

void cli_out_addrs(int when, const struct cli *c, const char *key, const uint32_t *v, size_t n)
{
	char addr[32];

	out_array_open(when & OUT_DATA, key);
	for (size_t i = 0; i < n; i++)
		out_str(when & OUT_DATA, NULL, NULL,
			acs_func_addr(acs_fabric_func(c->fabric, v[i]), addr, sizeof(addr)));
	out_array_close(when & OUT_DATA);
}

/* Text: the UNKNOWN lines; the data: the verdict and what it depends on. */
void cli_out_verdict(const struct cli *c, int status, const uint32_t *v, size_t n)
{
	const char *word = status == EXIT_CHECK_FAILED ? "fail" : status == EXIT_UNKNOWN ? "unknown" : "ok";

	if (out_wants(OUT_TEXT))
		cli_print_unknown(c, v, n);
	out_str(OUT_DATA, "verdict", NULL, word);
	cli_out_addrs(OUT_DATA, c, "unknown_ports", v, n);
	if (n)
		out_str(OUT_DATA, "unknown_advice", NULL, acs_unknown_advice(c->fabric));
}
