/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/live.h
 * @brief Whether an ACS change can be made correct on a running system:
 * the devices below the changed ports are removed and rescanned, so the
 * kernel rebuilds their groups, while the ports and everything else keep
 * the groups they have. The change is refused when that gives other groups
 * than booting with it would.
 */
#ifndef ACSCTL_LIVE_H
#define ACSCTL_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/groups.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct acs_live acs_live;

/**
 * Compare the live procedure with a boot for the changes. The groups that
 * stay are the kernel's own when the source knows them, else predicted.
 * @param out receives the result, freed with acs_live_free().
 */
int acs_live_compute(acs_live **out, const acs_fabric *fabric, const acs_policy *policy,
		     const struct acs_ctrl_change *changes, size_t n);
/** Whether the live procedure gives the groups a boot would. */
bool acs_live_possible(const acs_live *l);
/** Functions removed and rescanned (below the changed ports), deepest first. */
size_t acs_live_affected(const acs_live *l, const uint32_t **funcs);
/** The fabric after the change (borrowed). */
const acs_fabric *acs_live_fabric(const acs_live *l);
/** The groups after the live procedure (borrowed). */
const acs_groups *acs_live_groups(const acs_live *l);
/** Why it is refused, one line each. */
size_t acs_live_reasons(const acs_live *l, const char *const **lines);
void acs_live_free(acs_live *l);

#ifdef __cplusplus
}
#endif
#endif
