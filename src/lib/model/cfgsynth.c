/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "model/cfgsynth.h"

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

void acs_cfgsynth_init(struct acs_cfgsynth *s, uint16_t vendor, uint16_t device,
		       uint32_t class_code, uint8_t header_type, bool multifunction)
{
	memset(s, 0, sizeof(*s));
	put16(s->b, 0x00, vendor);
	put16(s->b, 0x02, device);
	s->b[0x09] = (uint8_t)class_code;
	s->b[0x0a] = (uint8_t)(class_code >> 8);
	s->b[0x0b] = (uint8_t)(class_code >> 16);
	s->b[0x0e] = (uint8_t)(header_type | (multifunction ? 0x80 : 0));
	s->std_next = 0x40;
	s->ext_next = ACS_CFG_STD;
}

void acs_cfgsynth_buses(struct acs_cfgsynth *s, uint8_t primary,
			uint8_t secondary, uint8_t subordinate)
{
	s->b[0x18] = primary;
	s->b[0x19] = secondary;
	s->b[0x1a] = subordinate;
}

unsigned acs_cfgsynth_cap(struct acs_cfgsynth *s, unsigned pos, uint8_t id,
			  unsigned size)
{
	if (!pos)
		pos = s->std_next;
	pos &= ~3u;
	if (pos < 0x40 || pos + size > ACS_CFG_STD)
		return 0;
	s->b[pos] = id;
	s->b[pos + 1] = 0;
	if (s->std_last)
		s->b[s->std_last + 1] = (uint8_t)pos;
	else    /* CardBus bridges keep the list pointer elsewhere */
		s->b[(s->b[0x0e] & 0x7f) == 2 ? 0x14 : 0x34] = (uint8_t)pos;
	s->b[0x06] |= 0x10;   /* PCI_STATUS_CAP_LIST */
	s->std_last = pos;
	if (pos + size > s->std_next)
		s->std_next = (pos + size + 3) & ~3u;
	return pos;
}

unsigned acs_cfgsynth_ext(struct acs_cfgsynth *s, unsigned pos, uint16_t id,
			  unsigned size)
{
	if (!pos)
		pos = s->ext_next;
	pos &= ~3u;
	if (pos < ACS_CFG_STD || pos + size > ACS_CFG_EXT)
		return 0;
	if (!s->ext_last && pos != ACS_CFG_STD) {
		/* The list starts at 0x100: a null header there leads on. */
		put32(s->b, ACS_CFG_STD, 0x00010000u | (uint32_t)pos << 20);
		s->ext_last = ACS_CFG_STD;
	}
	put32(s->b, pos, 0x00010000u | id);
	if (s->ext_last && s->ext_last != pos) {
		uint32_t prev = acs_rd32(s->b, s->ext_last) & 0x000fffffu;

		put32(s->b, s->ext_last, prev | (uint32_t)pos << 20);
	}
	s->ext_last = pos;
	if (pos + size > s->ext_next)
		s->ext_next = (pos + size + 3) & ~3u;
	return pos;
}

unsigned acs_cfgsynth_pcie(struct acs_cfgsynth *s, unsigned pos, int type)
{
	pos = acs_cfgsynth_cap(s, pos, 0x10, 0x3c);
	if (pos)
		put16(s->b, pos + 2, (uint16_t)(2 | (unsigned)type << 4));
	return pos;
}

unsigned acs_cfgsynth_acs(struct acs_cfgsynth *s, unsigned pos, uint16_t cap,
			  uint16_t ctrl)
{
	unsigned vec = cap >> 8;
	/* the egress control vector follows when EC is implemented; a size
	 * field of 0 means 256 bits */
	unsigned size = 8 + ((cap & ACS_EC) ? ((vec ? vec : 256) + 31) / 32 * 4 : 0);

	pos = acs_cfgsynth_ext(s, pos, 0x0d, size);
	if (pos) {
		put16(s->b, pos + 4, cap);
		put16(s->b, pos + 6, ctrl);
	}
	return pos;
}

unsigned acs_cfgsynth_ats(struct acs_cfgsynth *s, unsigned pos)
{
	return acs_cfgsynth_ext(s, pos, 0x0f, 8);
}

unsigned acs_cfgsynth_sriov(struct acs_cfgsynth *s, unsigned pos,
			    uint16_t total_vfs, uint16_t num_vfs, uint16_t offset,
			    uint16_t stride, uint16_t vf_device)
{
	pos = acs_cfgsynth_ext(s, pos, 0x10, 0x40);
	if (pos) {
		put16(s->b, pos + 0x0c, total_vfs);   /* initial VFs */
		put16(s->b, pos + 0x0e, total_vfs);
		put16(s->b, pos + 0x10, num_vfs);
		put16(s->b, pos + 0x14, offset);      /* First VF Offset */
		put16(s->b, pos + 0x16, stride);      /* VF Stride */
		put16(s->b, pos + 0x1a, vf_device);
	}
	return pos;
}
