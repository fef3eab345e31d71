/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks on BAR allocations (acs_pe_allocate_tree()) for the unit tests. */
#ifndef ACSCTL_TALLOC_H
#define ACSCTL_TALLOC_H

#include <stdbool.h>

#include "acsctl/pe.h"

/* window w holds BARs of window from: w is on the way from there to 0 */
bool talloc_holds(const uint32_t *parent, uint32_t w, uint32_t from);

/* A BAR inside the range a bridge window must decode that is not below
 * that bridge. @return the BAR (*where: the window), or -1. */
long talloc_misrouted(const acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, const uint32_t *parent,
		      size_t nw, uint32_t *where);

/* decodable: no BAR misrouted, each inside the windows reported for it,
 * windows in bridge units, no segment of two PEs, BARs aligned */
void talloc_assert_decodes(const acs_pe_alloc *a, const acs_pe_bar_demand *d, size_t n, const uint32_t *parent,
			   uint64_t seg);

#endif
