/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "talloc.h"

/* the window w holds BAR i: w is on the way from i's window up to 0 */
bool talloc_holds(const uint32_t *parent, uint32_t w, uint32_t from)
{
	for (unsigned depth = 0; depth < 300; depth++, from = parent[from]) {
		if (from == w)
			return true;
		if (!from)
			return false;
	}
	fail_msg("window %u: its parents loop", (unsigned)from);
	return false;
}

/* A BAR inside the range a bridge window must decode (its BARs',
 * lowest to highest, in window units) that is not below that bridge: no
 * bridge settings can route both. @return the BAR, or -1. */
long talloc_misrouted(const acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, const uint32_t *parent,
		      size_t nw, uint32_t *where)
{
	const uint64_t unit = ACS_PE_BRIDGE_WINDOW_UNIT;

	for (uint32_t w = 1; w < nw; w++) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (size_t i = 0; i < n; i++)
			if (a->offset[i] != UINT64_MAX && talloc_holds(parent, w, d[i].window)) {
				lo = a->offset[i] < lo ? a->offset[i] : lo;
				hi = a->offset[i] + d[i].size > hi ? a->offset[i] + d[i].size : hi;
			}
		if (lo == UINT64_MAX)
			continue;
		lo &= ~(unit - 1);
		hi = (hi + unit - 1) & ~(unit - 1);
		for (size_t i = 0; i < n; i++)
			if (a->offset[i] != UINT64_MAX && a->offset[i] < hi && a->offset[i] + d[i].size > lo &&
			    !talloc_holds(parent, w, d[i].window)) {
				*where = w;
				return (long)i;
			}
	}
	return -1;
}

/* An allocation the bridges can decode, inside the windows the allocator
 * reports; no segment holds two PEs; every BAR aligned. */
void talloc_assert_decodes(const acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n,
				  const uint32_t *parent, uint64_t seg)
{
	uint32_t w = 0;
	long bad = talloc_misrouted(a, d, n, parent, a->nwindows, &w);

	if (bad >= 0)
		fail_msg("BAR %ld at 0x%llx lies in window %u, not its own", bad,
			 (unsigned long long)a->offset[bad], (unsigned)w);
	for (size_t i = 0; i < n; i++) {
		if (a->offset[i] == UINT64_MAX)
			continue;
		assert_int_equal(a->offset[i] % d[i].size, 0);
		for (size_t j = 0; j < n; j++)
			if (j != i && a->offset[j] != UINT64_MAX && d[i].pe != d[j].pe)
				assert_true((a->offset[i] + d[i].size - 1) / seg < a->offset[j] / seg ||
					    (a->offset[j] + d[j].size - 1) / seg < a->offset[i] / seg);
		for (uint32_t v = d[i].window; v; v = parent[v]) {
			assert_true(a->window_start[v] <= a->offset[i]);
			assert_true(a->offset[i] + d[i].size - 1 <= a->window_end[v]);
			assert_int_equal(a->window_start[v] % ACS_PE_BRIDGE_WINDOW_UNIT, 0);
			assert_int_equal((a->window_end[v] + 1) % ACS_PE_BRIDGE_WINDOW_UNIT, 0);
		}
	}
}

