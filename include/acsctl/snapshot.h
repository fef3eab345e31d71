/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/snapshot.h
 * @brief One file that holds what acsctl reads from a live host, so that a
 * bug report is one file and analyses on it behave as on the host.
 * The format (doc/snapshot.md) is an `lspci -xxxx` dump with facts added
 * on each device line, so `lspci -F` reads it too.
 */
#ifndef ACSCTL_SNAPSHOT_H
#define ACSCTL_SNAPSHOT_H

#include <stdio.h>

#include "acsctl/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Write a fabric as a snapshot.
 * @return 0, or a negative enum acs_error_code (a write error).
 */
int acs_snapshot_write(const acs_fabric *fabric, FILE *out);

/** acs_snapshot_write_opts() flags. */
enum acs_snapshot_flags {
	ACS_SNAPSHOT_SERIAL = 1,  /**< keep the host's serial number (ACS_HOST_SERIAL) */
};

/**
 * acs_snapshot_write() with flags (enum acs_snapshot_flags): without
 * ACS_SNAPSHOT_SERIAL the serial number is left out.
 */
int acs_snapshot_write_opts(const acs_fabric *fabric, FILE *out, unsigned flags);

/**
 * Write a fabric as a plain `lspci -xxxx` dump (what config space the
 * fabric holds: 4096 bytes for PCIe functions read as root).
 * @return 0, or a negative enum acs_error_code (a write error).
 */
int acs_dump_write(const acs_fabric *fabric, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
