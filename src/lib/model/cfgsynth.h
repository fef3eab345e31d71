/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config space written from a description (a topology file, lspci text):
 * the decoder then reads it like any other, so every source ends in the
 * same model.
 */
#ifndef ACSCTL_CFGSYNTH_H
#define ACSCTL_CFGSYNTH_H

#include "internal.h"

struct acs_cfgsynth {
	uint8_t b[ACS_CFG_EXT];
	unsigned std_last;   /* offset of the last standard capability, 0 none */
	unsigned ext_last;   /* offset of the last extended capability, 0 none */
	unsigned std_next;   /* where the next automatic capability goes */
	unsigned ext_next;
};

void acs_cfgsynth_init(struct acs_cfgsynth *s, uint16_t vendor, uint16_t device,
		       uint32_t class_code, uint8_t header_type, bool multifunction);
void acs_cfgsynth_buses(struct acs_cfgsynth *s, uint8_t primary,
			uint8_t secondary, uint8_t subordinate);
/* Append a capability at `pos` (0: the next free place); returns its
 * offset, or 0 when it does not fit. */
unsigned acs_cfgsynth_cap(struct acs_cfgsynth *s, unsigned pos, uint8_t id,
			  unsigned size);
unsigned acs_cfgsynth_ext(struct acs_cfgsynth *s, unsigned pos, uint16_t id,
			  unsigned size);
unsigned acs_cfgsynth_pcie(struct acs_cfgsynth *s, unsigned pos, int type);
unsigned acs_cfgsynth_acs(struct acs_cfgsynth *s, unsigned pos, uint16_t cap,
			  uint16_t ctrl);
unsigned acs_cfgsynth_ats(struct acs_cfgsynth *s, unsigned pos);
unsigned acs_cfgsynth_sriov(struct acs_cfgsynth *s, unsigned pos,
			    uint16_t total_vfs, uint16_t num_vfs, uint16_t offset,
			    uint16_t stride, uint16_t vf_device);

#endif
