/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory BARs and bridge windows, decoded from config space. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "internal.h"

size_t acs_func_mem_bars(const struct acs_func *fn, acs_bar out[6])
{
	unsigned nbars = ACS_PCI_NUM_BARS(fn->header_type);
	size_t n = 0;

	for (unsigned i = 0; i < nbars; i++) {
		uint32_t lo = acs_func_cfg32(fn, ACS_PCI_BASE_ADDRESS_0 + 4 * i);
		acs_bar b = { .index = (uint8_t)i, .prefetch = (lo & ACS_PCI_BASE_ADDRESS_MEM_PREFETCH) != 0 };

		if (lo & ACS_PCI_BASE_ADDRESS_SPACE_IO)
			continue;
		b.start = lo & ~(uint64_t)ACS_PCI_BASE_ADDRESS_MEM_FLAGS;
		if ((lo & ACS_PCI_BASE_ADDRESS_MEM_TYPE_MASK) == ACS_PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 < nbars) {
			b.is64 = true;
			b.start |= (uint64_t)acs_func_cfg32(fn, ACS_PCI_BASE_ADDRESS_0 + 4 * ++i) << 32;
		}
		/* the size where the source knew it (sysfs, a topology) */
		b.end = fn->bar_size[b.index] ? b.start + fn->bar_size[b.index] - 1 : b.start;
		if (b.start)
			out[n++] = b;
	}
	return n;
}

size_t acs_func_vf_bars(const struct acs_func *pf, acs_bar out[6])
{
	size_t n = 0;

	if (!pf->sriov_pos || pf->is_virtfn)
		return 0;
	for (unsigned i = 0; i < 6; i++) {
		unsigned off = pf->sriov_pos + ACS_PCI_SRIOV_BAR + 4 * i;
		uint32_t lo = acs_func_cfg32(pf, off);
		acs_bar b = { .index = (uint8_t)i, .prefetch = (lo & ACS_PCI_BASE_ADDRESS_MEM_PREFETCH) != 0 };

		/* a register reading 0 may be an unassigned 32-bit BAR: only
		 * its size (where the source gave it) tells */
		if (!lo && !pf->vf_bar_size[i])
			continue;
		b.start = lo & ~(uint64_t)ACS_PCI_BASE_ADDRESS_MEM_FLAGS;
		if ((lo & ACS_PCI_BASE_ADDRESS_MEM_TYPE_MASK) == ACS_PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 < 6) {
			b.is64 = true;
			b.start |= (uint64_t)acs_func_cfg32(pf, off + 4) << 32;
			i++;
		}
		b.end = pf->vf_bar_size[b.index] ? b.start + pf->vf_bar_size[b.index] - 1 : b.start;
		out[n++] = b;
	}
	return n;
}

size_t acs_func_bridge_windows(const struct acs_func *fn, acs_bar out[2])
{
	size_t n = 0;
	uint32_t mem, pref;
	acs_bar w = { 0 };

	if (fn->header_type != ACS_PCI_HEADER_TYPE_BRIDGE)
		return 0;
	/* base and limit: address bits 31:20 in 15:4, the limit's 19:0 set */
	mem = acs_func_cfg32(fn, ACS_PCI_MEMORY_BASE);
	w.start = (uint64_t)(mem & ACS_PCI_MEMORY_RANGE_MASK) << 16;
	w.end = (uint64_t)(mem >> 16 & ACS_PCI_MEMORY_RANGE_MASK) << 16 | 0xfffff;
	if (w.start <= w.end)
		out[n++] = w;
	pref = acs_func_cfg32(fn, ACS_PCI_PREF_MEMORY_BASE);
	w = (acs_bar){ .index = 1, .prefetch = true,
		       .is64 = (pref & ACS_PCI_PREF_RANGE_TYPE_MASK) == ACS_PCI_PREF_RANGE_TYPE_64 };
	w.start = (uint64_t)(pref & ACS_PCI_MEMORY_RANGE_MASK) << 16;
	w.end = (uint64_t)(pref >> 16 & ACS_PCI_MEMORY_RANGE_MASK) << 16 | 0xfffff;
	if (w.is64) {
		w.start |= (uint64_t)acs_func_cfg32(fn, ACS_PCI_PREF_BASE_UPPER32) << 32;
		w.end |= (uint64_t)acs_func_cfg32(fn, ACS_PCI_PREF_LIMIT_UPPER32) << 32;
	}
	if (w.start <= w.end)
		out[n++] = w;
	return n;
}

bool acs_func_window_holds(const struct acs_func *bridge, uint64_t addr)
{
	acs_bar w[2];
	size_t n = acs_func_bridge_windows(bridge, w);

	for (size_t i = 0; i < n; i++)
		if (addr >= w[i].start && addr <= w[i].end)
			return true;
	return false;
}

/* "16K", "256M", "2G", "0x1000": sizes and addresses in topologies and --phb */
bool acs_parse_size(const char *s, size_t len, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long v;
	int shift = 0;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (end == buf || errno)
		return false;
	if (*end) {
		const char *u = strchr("KMGT", *end);

		if (!u || end[1])
			return false;
		shift = 10 * (int)(u - "KMGT" + 1);
	}
	if (shift && v > (~0ull >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}
