/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/synth.h
 * @brief Seeded synthetic fabrics of any size, for tests and benchmarks:
 * PCI domains of root ports, switches (nested), multifunction endpoints,
 * SR-IOV PFs, PCIe-to-PCI bridges, and a mix of ACS settings.
 */
#ifndef ACSCTL_SYNTH_H
#define ACSCTL_SYNTH_H

#include <stdint.h>

#include "acsctl/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACS_SYNTH_OPTS_VERSION 1

typedef struct acs_synth_opts {
	unsigned int version;   /**< ACS_SYNTH_OPTS_VERSION */
	uint64_t functions;     /**< how many functions to make (at least 1) */
	uint64_t seed;          /**< the same seed gives the same fabric */
} acs_synth_opts;

#define ACS_SYNTH_OPTS_INIT { ACS_SYNTH_OPTS_VERSION, 1000, 1 }

/**
 * Generate a fabric of exactly opts->functions functions.
 * @param out receives it; free with acs_fabric_free().
 */
int acs_fabric_synth(acs_fabric **out, const acs_synth_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
