/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/bars.h
 * @brief Memory BARs and bridge windows as config space holds them (bus
 * addresses). Sizes are not in config space (the kernel learns them by
 * writing all ones), so a BAR is known by its start only.
 */
#ifndef ACSCTL_BARS_H
#define ACSCTL_BARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A memory BAR, or a bridge window. */
typedef struct acs_bar {
	uint8_t index;          /**< BAR number (0-5), or 0 memory / 1 prefetchable window */
	bool is64, prefetch;
	uint64_t start;
	uint64_t end;           /**< inclusive; for a BAR of unknown size == start */
} acs_bar;

/** The assigned memory BARs of a function (I/O BARs and BARs at 0 left
 * out). @return how many were written to out (at most 6). */
size_t acs_func_mem_bars(const struct acs_func *fn, acs_bar out[6]);

/** The VF BARs of an SR-IOV PF (its capability's VF BAR0-5, VF 0's
 * place; VFs' own BAR registers read 0), assigned or not: start 0 where
 * unassigned, end the last byte of one VF's BAR where the source gave its
 * size. @return how many (0-6). */
size_t acs_func_vf_bars(const struct acs_func *pf, acs_bar out[6]);

/** The open memory windows of a bridge (memory, then prefetchable).
 * @return how many (0-2). */
size_t acs_func_bridge_windows(const struct acs_func *fn, acs_bar out[2]);

/** Whether an address lies in one of a bridge's windows. */
bool acs_func_window_holds(const struct acs_func *bridge, uint64_t addr);

#ifdef __cplusplus
}
#endif

#endif
