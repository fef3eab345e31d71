/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/topology.h
 * @brief Write any fabric as a hand-editable topology (doc/topology.md);
 * loading it back gives the same model and the same groups.
 */
#ifndef ACSCTL_TOPOLOGY_H
#define ACSCTL_TOPOLOGY_H

#include <stdio.h>

#include "acsctl/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Write a fabric as a topology file.
 * @return 0, or a negative enum acs_error_code: a function the format cannot
 *         describe (its ACS state unknown) or a write error.
 */
int acs_topology_write(const acs_fabric *fabric, FILE *out);

/** Flags of acs_topology_write_ex(). */
enum acs_topology_flags {
	ACS_TOPOLOGY_COMPACT = 1,  /**< one line, no indentation: for big files */
};

/** acs_topology_write() with enum acs_topology_flags. */
int acs_topology_write_ex(const acs_fabric *fabric, FILE *out, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
