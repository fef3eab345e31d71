/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/pe-platform.h
 * @brief PE platforms (IBM POWER host bridges: p7ioc, PHB3, PHB4): each
 * PHB's PE count, its M32 and M64 windows and their segments, the M64
 * BARs its kernel uses, and `--phb` overrides of those facts.
 */
#ifndef ACSCTL_PE_PLATFORM_H
#define ACSCTL_PE_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** PCI domains a platform table describes (QEMU: two chips). */
#define ACS_PE_MAX_PHBS 12

/** The most PEs a PHB may have (PHB4 has 512; room to spare). */
#define ACS_PE_MAX_PES 4096

/** The M32 window's bus address: where powernv firmware places it. */
#define ACS_PE_M32_BASE 0x80000000ull

/** A PE platform: its host bridges' PE and MMIO facts. */
typedef struct acs_platform {
	const char *name;       /**< "powernv9" */
	const char *phb;        /**< "p7ioc", "PHB3", "PHB4" */
	unsigned npes;          /**< PEs per PHB */
	unsigned reserved_pe;   /**< the PE firmware keeps */
	uint64_t m32_size;      /**< 32-bit MMIO window per PHB */
	unsigned m32_segments;  /**< it is cut into this many equal segments */
	unsigned nphbs;         /**< host bridges (PCI domains) */
	unsigned phb_pes[ACS_PE_MAX_PHBS]; /**< per PHB (domain) when they differ, else 0 */
	uint64_t m64_size;      /**< 64-bit window per PHB, npes segments */
	uint64_t phb_m64_base[ACS_PE_MAX_PHBS]; /**< its base per PHB (bus = CPU address), 0 unknown */
	uint8_t phb_m64_bars[ACS_PE_MAX_PHBS][2]; /**< M64 BARs a PHB's kernel uses, first and
						      last (the default window); 0, 0: the PHB's own */
} acs_platform;

/** A platform by name: p7ioc, phb3, phb4, powernv8, powernv9; NULL with
 * an error listing the names. */
const acs_platform *acs_platform_find(const char *name);

/**
 * Override a platform's facts (`--phb`): "[DOMAIN:]KEY=VALUE[,KEY=VALUE]"
 * with pes=N, reserved=N|last (every PHB), m32=SIZE, m64=SIZE (every PHB,
 * no DOMAIN), m64-base=ADDRESS (one DOMAIN), m64-bars=FIRST-LAST (the M64
 * BARs the kernel logs, the last the default window; one PHB or every
 * one). Sizes as "2G", "256M".
 * @return 0, or an error naming the bad part.
 */
int acs_platform_override(acs_platform *platform, const char *spec);

/** The PEs of the PHB that is PCI domain `domain`. */
unsigned acs_platform_pes(const acs_platform *platform, uint32_t domain);

/** Whether the platform's PHBs have M64 windows (all but p7ioc). */
bool acs_platform_has_m64(const acs_platform *platform);

/**
 * The M64 BARs (memory BAR table entries) of a PHB as its kernel logs them
 * ("M64 #1..31"): the last maps the default window, the others are free
 * for SR-IOV. PHB3: #0..15; PHB4: #1..31 where it has 512 PEs, else
 * #1..15. @return false where SR-IOV has none (p7ioc).
 */
bool acs_platform_m64_bars(const acs_platform *platform, uint32_t domain, unsigned *first,
			   unsigned *last);

/** The segment size of a PHB's M32 (m64 false) or M64 window; 0 unknown. */
uint64_t acs_pe_segment_size(const acs_platform *platform, uint32_t domain, bool m64);

#ifdef __cplusplus
}
#endif
#endif
