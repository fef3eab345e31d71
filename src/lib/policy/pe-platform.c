/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PE platforms: the facts of each host bridge (PHB) that PE assignment,
 * SR-IOV, the segment checks and BAR placement read: its PE count and
 * reserved PE, its M32 and M64 windows and their segments, the M64 BARs
 * its kernel uses; and `--phb` overrides of them. Data about the
 * platform and its firmware, so it lives with the kernel policy: the PE
 * files in analysis/ call in here and nothing here calls them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acsctl/pe-platform.h"
#include "internal.h"

static const acs_platform platforms[] = {
	/* p7ioc: 128 PEs, a 1 GiB M32 window in 128 segments */
	{ "p7ioc", "p7ioc", 128, 127, 1ull << 30, 128, 1, { 0 }, 0, { 0 }, { { 0 } } },
	{ "phb3", "PHB3", 256, 255, 2ull << 30, 256, 1, { 0 }, 0, { 0 }, { { 0 } } },
	{ "phb4", "PHB4", 256, 255, 2ull << 30, 256, 1, { 0 }, 0, { 0 }, { { 0 } } },
	/* QEMU's machines as Linux numbers them: one domain per PHB; a second
	 * chip (-smp 2,cores=1) continues at domain 4 (powernv8: 3 is skipped)
	 * or 6. M64 (64 GiB per PHB on powernv8, 256 GiB on powernv9) at the
	 * bases the kernel logs ("MEM ..."); on powernv9 the first PHB of each
	 * PEC has 512 PEs (4 MiB M32 segments), the others 256. */
	{ "powernv8", "PHB3", 256, 255, 2ull << 30, 256, 3, { 0 }, 0x1000000000ull,
	  { 0x0003d00000000000ull, 0x0003d01000000000ull, 0x0003d02000000000ull, 0,
	    0x0003d04000000000ull, 0x0003d05000000000ull, 0x0003d06000000000ull }, { { 0 } } },
	{ "powernv9", "PHB4", 256, 255, 2ull << 30, 256, 6,
	  { 512, 256, 256, 512, 256, 256, 512, 256, 256, 512, 256, 256 }, 0x4000000000ull,
	  { 0x0006000000000000ull, 0x0006004000000000ull, 0x0006008000000000ull,
	    0x0006020000000000ull, 0x0006024000000000ull, 0x0006028000000000ull,
	    0x0006040000000000ull, 0x0006044000000000ull, 0x0006048000000000ull,
	    0x0006060000000000ull, 0x0006064000000000ull, 0x0006068000000000ull }, { { 0 } } },
};

const acs_platform *acs_platform_find(const char *name)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (name && strcmp(platforms[i].name, name) == 0)
			return &platforms[i];
	acs_error_set(ACS_EINVAL, "unknown platform '%s' (known: p7ioc, phb3, phb4, powernv8, powernv9)",
		      name ? name : "");
	return NULL;
}

unsigned acs_platform_pes(const acs_platform *p, uint32_t domain)
{
	return domain < ACS_PE_MAX_PHBS && p->phb_pes[domain] ? p->phb_pes[domain] : p->npes;
}

bool acs_platform_has_m64(const acs_platform *p)
{
	/* PHB3 and PHB4 have M64 windows (Linux uses none on p7ioc) */
	return strcmp(p->phb, "p7ioc") != 0;
}

bool acs_platform_m64_bars(const acs_platform *p, uint32_t domain, unsigned *first, unsigned *last)
{
	if (!acs_platform_has_m64(p))
		return false;
	if (domain < ACS_PE_MAX_PHBS && p->phb_m64_bars[domain][1]) {
		*first = p->phb_m64_bars[domain][0];
		*last = p->phb_m64_bars[domain][1];
		return true;
	}
	/* as QEMU's PHB3 and PHB4 report them (skiboot: "M64 #0..15", "#1..31") */
	*first = strcmp(p->phb, "PHB3") == 0 ? 0 : 1;
	*last = *first && acs_platform_pes(p, domain) >= 512 ? 31 : 15;
	return true;
}

uint64_t acs_pe_segment_size(const acs_platform *p, uint32_t domain, bool m64)
{
	if (!m64)
		return p->m32_size / acs_platform_pes(p, domain);
	if (domain >= ACS_PE_MAX_PHBS || !p->phb_m64_base[domain])
		return 0;
	return p->m64_size / acs_platform_pes(p, domain);
}

/* the segment an address is in, or -1 outside that window */
long acs_pe_addr_segment(const acs_platform *p, uint32_t domain, uint64_t addr, bool m64)
{
	uint64_t seg = acs_pe_segment_size(p, domain, m64);
	uint64_t base = m64 ? (domain < ACS_PE_MAX_PHBS ? p->phb_m64_base[domain] : 0) : ACS_PE_M32_BASE;

	if (!seg || addr < base || addr - base >= seg * acs_platform_pes(p, domain))
		return -1;
	return (long)((addr - base) / seg);
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* m64-bars=FIRST-LAST (as the kernel logs "M64 #1..15"): one PHB or all */
static bool m64_bars(acs_platform *p, long dom, const char *v, size_t len)
{
	char buf[16], *end;
	unsigned long first, last;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, v, len);
	buf[len] = 0;
	first = strtoul(buf, &end, 10);
	if (end == buf || (*end != '-' && *end != '.'))
		return false;
	end += end[0] == '.' && end[1] == '.' ? 2 : 1;
	last = strtoul(v = end, &end, 10);
	if (end == v || *end || first >= last || last > 63)
		return false;
	for (long d = dom < 0 ? 0 : dom; d < (dom < 0 ? ACS_PE_MAX_PHBS : dom + 1); d++) {
		p->phb_m64_bars[d][0] = (uint8_t)first;
		p->phb_m64_bars[d][1] = (uint8_t)last;
	}
	return true;
}

static int override_one(acs_platform *p, long dom, const char *kv, size_t len)
{
	const char *eq = memchr(kv, '=', len);
	size_t klen = eq ? (size_t)(eq - kv) : len;
	uint64_t v = 0;
	bool num;

	if (!eq)
		return acs_error_set(ACS_EINVAL, "--phb: '%.*s' is not KEY=VALUE", (int)len, kv);
	num = acs_parse_size(eq + 1, len - klen - 1, &v);
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(kv, k, klen) == 0)
	/* PE counts are powers of two (a window splits into equal segments
	 * of a power-of-two size); a reserved PE that was the last stays the
	 * last, whichever comes first of pes= and reserved= */
	if (KEY("pes") && num && v >= 2 && v <= ACS_PE_MAX_PES && power_of_two(v) &&
	    (dom >= 0 || p->reserved_pe == p->npes - 1 || p->reserved_pe < v)) {
		if (dom >= 0) {
			p->phb_pes[dom] = (unsigned)v;
		} else {
			if (p->reserved_pe == p->npes - 1)
				p->reserved_pe = (unsigned)v - 1;
			p->npes = (unsigned)v;
			memset(p->phb_pes, 0, sizeof(p->phb_pes));
		}
	} else if (KEY("reserved") && dom < 0 && len - klen - 1 == 4 && memcmp(eq + 1, "last", 4) == 0) {
		p->reserved_pe = p->npes - 1;
	} else if (KEY("reserved") && dom < 0 && num && v < p->npes) {
		p->reserved_pe = (unsigned)v;
	} else if (KEY("m32") && dom < 0 && num && power_of_two(v) && v >= (1ull << 20) && v <= (1ull << 32)) {
		p->m32_size = v;
	} else if (KEY("m64") && dom < 0 && num && power_of_two(v) && v >= (1ull << 20)) {
		p->m64_size = v;
	} else if (KEY("m64-base") && dom >= 0 && num) {
		p->phb_m64_base[dom] = v;
	} else if (KEY("m64-bars") && m64_bars(p, dom, eq + 1, len - klen - 1)) {
		/* set */
	} else {
		return acs_error_set(ACS_EINVAL, "--phb: bad '%.*s' (pes=2..%d a power of two, reserved=N|last, "
				     "m32=1M..4G, m64=SIZE from 1M, powers of two, "
				     "for every PHB; pes=N, m64-base=ADDRESS with DOMAIN:; m64-bars=FIRST-LAST)", (int)len, kv,
				     ACS_PE_MAX_PES);
	}
#undef KEY
	return 0;
}

int acs_platform_override(acs_platform *p, const char *spec)
{
	const char *colon = strchr(spec, ':'), *eq = strchr(spec, '='), *at = spec;
	long dom = -1;

	/* "0004:pes=512": a domain, in hex as lspci writes it */
	if (colon && (!eq || colon < eq)) {
		char *end;

		errno = 0;
		dom = strtol(spec, &end, 16);
		if (end != colon || errno || dom < 0 || dom >= ACS_PE_MAX_PHBS)
			return acs_error_set(ACS_EINVAL, "--phb %s: the domain must be 0 to %x", spec,
					     ACS_PE_MAX_PHBS - 1);
		at = colon + 1;
	}
	if (!*at)
		return acs_error_set(ACS_EINVAL, "--phb %s: nothing to set", spec);
	while (*at) {
		size_t len = strcspn(at, ",");
		int rc = override_one(p, dom, at, len);

		if (rc)
			return rc;
		at += len + (at[len] == ',');
	}
	return 0;
}
