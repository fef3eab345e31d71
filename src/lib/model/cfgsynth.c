/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "model/cfgsynth.h"

void acs_cfgsynth_init(struct acs_cfgsynth *s, uint16_t vendor, uint16_t device,
		       uint32_t class_code, uint8_t header_type, bool multifunction)
{
	memset(s, 0, sizeof(*s));
	acs_cfg_put16(s->b, ACS_PCI_VENDOR_ID, vendor);
	acs_cfg_put16(s->b, ACS_PCI_DEVICE_ID, device);
	s->b[ACS_PCI_CLASS_PROG] = (uint8_t)class_code;
	s->b[ACS_PCI_CLASS_PROG + 1] = (uint8_t)(class_code >> 8);
	s->b[ACS_PCI_CLASS_PROG + 2] = (uint8_t)(class_code >> 16);
	s->b[ACS_PCI_HEADER_TYPE] = (uint8_t)(header_type | (multifunction ? ACS_PCI_HEADER_MULTIFUNCTION : 0));
	s->std_next = ACS_CFG_HEADER;
	s->ext_next = ACS_CFG_STD;
}

void acs_cfgsynth_buses(struct acs_cfgsynth *s, uint8_t primary,
			uint8_t secondary, uint8_t subordinate)
{
	s->b[ACS_PCI_PRIMARY_BUS] = primary;
	s->b[ACS_PCI_SECONDARY_BUS] = secondary;
	s->b[ACS_PCI_SUBORDINATE_BUS] = subordinate;
}

unsigned acs_cfgsynth_cap(struct acs_cfgsynth *s, unsigned pos, uint8_t id,
			  unsigned size)
{
	if (!pos)
		pos = s->std_next;
	pos &= ~3u;
	if (pos < ACS_CFG_HEADER || pos + size > ACS_CFG_STD)
		return 0;
	s->b[pos + ACS_PCI_CAP_LIST_ID] = id;
	s->b[pos + ACS_PCI_CAP_LIST_NEXT] = 0;
	if (s->std_last)
		s->b[s->std_last + ACS_PCI_CAP_LIST_NEXT] = (uint8_t)pos;
	else    /* CardBus bridges keep the list pointer elsewhere */
		s->b[(s->b[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_TYPE_MASK) == ACS_PCI_HEADER_TYPE_CARDBUS ?
		     ACS_PCI_CB_CAPABILITY_LIST : ACS_PCI_CAPABILITY_LIST] = (uint8_t)pos;
	s->b[ACS_PCI_STATUS] |= ACS_PCI_STATUS_CAP_LIST;
	s->std_last = pos;
	if (pos + size > s->std_next)
		s->std_next = (pos + size + 3) & ~3u;
	return pos;
}

unsigned acs_cfgsynth_ext_ver(struct acs_cfgsynth *s, unsigned pos, uint16_t id,
			      unsigned version, unsigned size)
{
	if (!pos)
		pos = s->ext_next;
	pos &= ~3u;
	if (pos < ACS_CFG_STD || pos + size > ACS_CFG_EXT)
		return 0;
	if (!s->ext_last && pos != ACS_CFG_STD) {
		/* The list starts at 0x100: a null header there leads on. */
		acs_cfg_put32(s->b, ACS_CFG_STD, ACS_PCI_EXT_CAP_HEADER(0, 1, pos));
		s->ext_last = ACS_CFG_STD;
	}
	acs_cfg_put32(s->b, pos, ACS_PCI_EXT_CAP_HEADER(id, version, 0));
	if (s->ext_last && s->ext_last != pos) {
		uint32_t prev = acs_rd32(s->b, s->ext_last);

		acs_cfg_put32(s->b, s->ext_last, ACS_PCI_EXT_CAP_HEADER(ACS_PCI_EXT_CAP_ID(prev),
									  ACS_PCI_EXT_CAP_VER(prev), pos));
	}
	s->ext_last = pos;
	if (pos + size > s->ext_next)
		s->ext_next = (pos + size + 3) & ~3u;
	return pos;
}

unsigned acs_cfgsynth_ext(struct acs_cfgsynth *s, unsigned pos, uint16_t id,
			  unsigned size)
{
	return acs_cfgsynth_ext_ver(s, pos, id, 1, size);
}

unsigned acs_cfgsynth_pcie(struct acs_cfgsynth *s, unsigned pos, int type)
{
	pos = acs_cfgsynth_cap(s, pos, ACS_PCI_CAP_ID_EXP, ACS_PCI_EXP_SIZEOF);
	if (pos)
		acs_cfg_put16(s->b, pos + ACS_PCI_EXP_FLAGS,
			      (uint16_t)(2 | (unsigned)type << ACS_PCI_EXP_FLAGS_TYPE_SHIFT));
	return pos;
}

unsigned acs_cfgsynth_acs(struct acs_cfgsynth *s, unsigned pos, uint16_t cap,
			  uint16_t ctrl)
{
	unsigned vec = cap >> ACS_PCI_ACS_EGRESS_BITS_SHIFT;
	/* the egress control vector follows when EC is implemented; a size
	 * field of 0 means 256 bits */
	unsigned size = ACS_PCI_ACS_SIZEOF + ((cap & ACS_EC) ? ((vec ? vec : 256) + 31) / 32 * 4 : 0);

	pos = acs_cfgsynth_ext(s, pos, ACS_PCI_EXT_CAP_ID_ACS, size);
	if (pos) {
		acs_cfg_put16(s->b, pos + ACS_PCI_ACS_CAP, cap);
		acs_cfg_put16(s->b, pos + ACS_PCI_ACS_CTRL, ctrl);
	}
	return pos;
}

unsigned acs_cfgsynth_ats(struct acs_cfgsynth *s, unsigned pos)
{
	return acs_cfgsynth_ext(s, pos, ACS_PCI_EXT_CAP_ID_ATS, ACS_PCI_ATS_SIZEOF);
}

unsigned acs_cfgsynth_sriov(struct acs_cfgsynth *s, unsigned pos,
			    uint16_t total_vfs, uint16_t num_vfs, uint16_t offset,
			    uint16_t stride, uint16_t vf_device)
{
	pos = acs_cfgsynth_ext(s, pos, ACS_PCI_EXT_CAP_ID_SRIOV, ACS_PCI_SRIOV_SIZEOF);
	if (pos) {
		acs_cfg_put16(s->b, pos + ACS_PCI_SRIOV_INITIAL_VF, total_vfs);
		acs_cfg_put16(s->b, pos + ACS_PCI_SRIOV_TOTAL_VF, total_vfs);
		acs_cfg_put16(s->b, pos + ACS_PCI_SRIOV_NUM_VF, num_vfs);
		acs_cfg_put16(s->b, pos + ACS_PCI_SRIOV_VF_OFFSET, offset);
		acs_cfg_put16(s->b, pos + ACS_PCI_SRIOV_VF_STRIDE, stride);
		acs_cfg_put16(s->b, pos + ACS_PCI_SRIOV_VF_DID, vf_device);
	}
	return pos;
}
