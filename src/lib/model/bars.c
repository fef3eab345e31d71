/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory BARs and bridge windows, decoded from config space. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/bars.h"
#include "internal.h"

static uint32_t cfg32(const struct acs_func *fn, unsigned off)
{
	return (uint32_t)acs_func_cfg_byte(fn, off) | (uint32_t)acs_func_cfg_byte(fn, off + 1) << 8 |
	       (uint32_t)acs_func_cfg_byte(fn, off + 2) << 16 | (uint32_t)acs_func_cfg_byte(fn, off + 3) << 24;
}

size_t acs_func_mem_bars(const struct acs_func *fn, acs_bar out[6])
{
	unsigned nbars = fn->header_type == 0 ? 6 : fn->header_type == 1 ? 2 : 0;
	size_t n = 0;

	for (unsigned i = 0; i < nbars; i++) {
		uint32_t lo = cfg32(fn, 0x10 + 4 * i);
		acs_bar b = { .index = (uint8_t)i, .prefetch = (lo & 0x8) != 0 };

		if (lo & 0x1)
			continue;  /* I/O */
		b.start = lo & ~0xfull;
		if ((lo & 0x6) == 0x4 && i + 1 < nbars) {
			b.is64 = true;
			b.start |= (uint64_t)cfg32(fn, 0x10 + 4 * ++i) << 32;
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
		unsigned off = pf->sriov_pos + 0x24u + 4 * i;
		uint32_t lo = cfg32(pf, off);
		acs_bar b = { .index = (uint8_t)i, .prefetch = (lo & 0x8) != 0 };

		/* a register reading 0 may be an unassigned 32-bit BAR: only
		 * its size (where the source gave it) tells */
		if (!lo && !pf->vf_bar_size[i])
			continue;
		b.start = lo & ~0xfull;
		if ((lo & 0x6) == 0x4 && i + 1 < 6) {
			b.is64 = true;
			b.start |= (uint64_t)cfg32(pf, off + 4) << 32;
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

	if (fn->header_type != 1)
		return 0;
	mem = cfg32(fn, 0x20);
	w.start = (uint64_t)(mem & 0xfff0) << 16;
	w.end = (uint64_t)(mem >> 16 & 0xfff0) << 16 | 0xfffff;
	if (w.start <= w.end)
		out[n++] = w;
	pref = cfg32(fn, 0x24);
	w = (acs_bar){ .index = 1, .prefetch = true, .is64 = (pref & 0xf) == 1 };
	w.start = (uint64_t)(pref & 0xfff0) << 16;
	w.end = (uint64_t)(pref >> 16 & 0xfff0) << 16 | 0xfffff;
	if (w.is64) {
		w.start |= (uint64_t)cfg32(fn, 0x28) << 32;
		w.end |= (uint64_t)cfg32(fn, 0x2c) << 32;
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
