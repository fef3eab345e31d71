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

/* 2 added switch_ports; version 1 callers still get what they got */
#define ACS_SYNTH_OPTS_VERSION 2

typedef struct acs_synth_opts {
	unsigned int version;   /**< ACS_SYNTH_OPTS_VERSION */
	uint64_t functions;     /**< how many functions to make (at least 1) */
	uint64_t seed;          /**< the same seed gives the same fabric */
	/** downstream ports of every switch, 1 to 256 (more than 32 are
	 * multifunction: device p % 32, function p / 32), as far as a
	 * domain's buses last; 0: 2 to 8 at random (version 2) */
	unsigned int switch_ports;
} acs_synth_opts;

#define ACS_SYNTH_OPTS_INIT { ACS_SYNTH_OPTS_VERSION, 1000, 1, 0 }

/**
 * Generate a fabric of exactly opts->functions functions.
 * @param out receives it; free with acs_fabric_free().
 */
int acs_fabric_synth(acs_fabric **out, const acs_synth_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
