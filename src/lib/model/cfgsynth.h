/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config space written from a description (a topology file, lspci text,
 * a synthetic fabric): the decoder then reads it like any other, so every
 * source ends in the same model. The one writer of config bytes outside
 * actions/apply.c (which writes the hardware's).
 */
#ifndef ACSCTL_CFGSYNTH_H
#define ACSCTL_CFGSYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* Little-endian writes into config bytes, as acs_rd16() and acs_rd32()
 * read them; the caller checks bounds. */
static inline void acs_cfg_put16(uint8_t *p, unsigned off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static inline void acs_cfg_put32(uint8_t *p, unsigned off, uint32_t v)
{
	acs_cfg_put16(p, off, (uint16_t)v);
	acs_cfg_put16(p, off + 2, (uint16_t)(v >> 16));
}

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
/* Append a capability at `pos` (0: the next free place), chained after
 * the last one; returns its offset, or 0 when it does not fit. */
unsigned acs_cfgsynth_cap(struct acs_cfgsynth *s, unsigned pos, uint8_t id,
			  unsigned size);
/* An extended one (version 1); the first not at 0x100 gets a null
 * header (version 1) there that leads on to it. */
unsigned acs_cfgsynth_ext(struct acs_cfgsynth *s, unsigned pos, uint16_t id,
			  unsigned size);
/* The same with its version (0..15) as given: a null header the caller
 * wants at 0x100 is appended first, as id 0 at 0x100. */
unsigned acs_cfgsynth_ext_ver(struct acs_cfgsynth *s, unsigned pos, uint16_t id,
			      unsigned version, unsigned size);
unsigned acs_cfgsynth_pcie(struct acs_cfgsynth *s, unsigned pos, int type);
unsigned acs_cfgsynth_acs(struct acs_cfgsynth *s, unsigned pos, uint16_t cap,
			  uint16_t ctrl);
unsigned acs_cfgsynth_ats(struct acs_cfgsynth *s, unsigned pos);
unsigned acs_cfgsynth_sriov(struct acs_cfgsynth *s, unsigned pos,
			    uint16_t total_vfs, uint16_t num_vfs, uint16_t offset,
			    uint16_t stride, uint16_t vf_device);

#endif
