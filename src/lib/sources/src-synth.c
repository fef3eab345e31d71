/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Synthetic fabrics. A small deterministic generator (xorshift64*) lays out
 * PCI domains one after another: a host bridge, root ports (some
 * multifunction), and below each a device, a switch (up to two levels), or
 * a PCIe-to-PCI bridge, until the function budget is spent. Nesting depth
 * is a constant of the generator, never of its input.
 */
#include <stdlib.h>
#include <string.h>

#include "model/cfgsynth.h"
#include "sources/sources.h"

#define MAX_SWITCH_LEVELS 2
#define LAST_BUS 0xf0          /* leave room for the deepest subtree */

struct gen {
	struct acs_builder *b;
	struct acs_cfgsynth s;
	uint64_t rng;
	uint64_t left;
	unsigned switch_ports;     /* 0: 2 to 8 at random */
	uint32_t domain;
	unsigned next_bus;
};

static uint64_t next_rand(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dull;
}

/* true with probability pct/100 */
static bool chance(struct gen *g, unsigned pct)
{
	return next_rand(g) % 100 < pct;
}

static unsigned between(struct gen *g, unsigned lo, unsigned hi)
{
	return lo + (unsigned)(next_rand(g) % (hi - lo + 1));
}

static uint16_t port_acs_ctrl(struct gen *g, unsigned pct_on)
{
	if (!chance(g, pct_on))
		return 0;
	/* now and then a port with redirect off, as P2P setups leave them */
	return chance(g, 15) ? ACS_SV | ACS_UF : ACS_SV | ACS_RR | ACS_CR | ACS_UF;
}

/* Adds one function; returns its builder index, or -1 when out of budget
 * or on error (rc tells). */
static long add(struct gen *g, uint8_t bus, uint8_t dev, uint8_t fn, int *rc)
{
	if (!g->left || *rc)
		return -1;
	*rc = acs_builder_add(g->b, g->domain, bus, dev, fn, g->s.b,
			      acs_rd16(g->s.b, ACS_PCI_STATUS) & ACS_PCI_STATUS_CAP_LIST ? ACS_CFG_EXT : ACS_CFG_STD);
	if (*rc)
		return -1;
	g->left--;
	return (long)g->b->n - 1;
}

static long add_bridge(struct gen *g, int type, uint8_t bus, uint8_t dev,
		       uint8_t fn, bool mf, int acs_ctrl, int *rc)
{
	uint8_t sec = (uint8_t)g->next_bus++;

	acs_cfgsynth_init(&g->s, type == ACS_PCIE_NONE ? 0x1b36 : 0x8086,
			  type == ACS_PCIE_ROOT_PORT ? 0x2030 :
			  type == ACS_PCIE_UPSTREAM ? 0x2031 :
			  type == ACS_PCIE_DOWNSTREAM ? 0x2032 : 0x0001,
			  0x060400, ACS_PCI_HEADER_TYPE_BRIDGE, mf);
	if (type != ACS_PCIE_NONE)
		acs_cfgsynth_pcie(&g->s, 0, type);
	if (acs_ctrl >= 0)
		acs_cfgsynth_acs(&g->s, 0, 0x005f, (uint16_t)acs_ctrl);
	acs_cfgsynth_buses(&g->s, bus, sec, sec);
	return add(g, bus, dev, fn, rc);
}

static void close_bridge(struct gen *g, long idx)
{
	if (idx >= 0)
		g->b->raw[idx].cfg[ACS_PCI_SUBORDINATE_BUS] = (uint8_t)(g->next_bus - 1);
}

static void endpoints(struct gen *g, uint8_t bus, int *rc)
{
	unsigned nfn = chance(g, 25) ? between(g, 2, 8) : 1;
	bool mf_acs = chance(g, 30);
	bool pf = nfn == 1 && chance(g, 20);

	for (unsigned fn = 0; fn < nfn; fn++) {
		acs_cfgsynth_init(&g->s, 0x15b3, 0x1019, 0x020000, 0, nfn > 1 && fn == 0);
		acs_cfgsynth_pcie(&g->s, 0, ACS_PCIE_ENDPOINT);
		if (nfn > 1 && mf_acs)
			acs_cfgsynth_acs(&g->s, 0, 0x005f, ACS_SV | ACS_RR | ACS_CR | ACS_UF);
		if (chance(g, 30))
			acs_cfgsynth_ats(&g->s, 0);
		if (pf)
			acs_cfgsynth_sriov(&g->s, 0, (uint16_t)between(g, 8, 64), 0, 1, 1, 0x101a);
		add(g, bus, 0, (uint8_t)fn, rc);
	}
}

static void conventional(struct gen *g, uint8_t bus, int *rc)
{
	unsigned n = between(g, 1, 4);

	for (unsigned d = 1; d <= n; d++) {
		acs_cfgsynth_init(&g->s, 0x8086, 0x100e, 0x020000, 0, false);
		add(g, bus, (uint8_t)d, 0, rc);
	}
}

static void below_port(struct gen *g, uint8_t bus, unsigned level, int *rc);

static void a_switch(struct gen *g, uint8_t bus, unsigned level, int *rc)
{
	long up = add_bridge(g, ACS_PCIE_UPSTREAM, bus, 0, 0, false, -1, rc);
	uint8_t inner = (uint8_t)(g->next_bus - 1);
	unsigned ports = g->switch_ports ? g->switch_ports : between(g, 2, 8);
	/* a bus holds 32 devices: past 32 ports, each device a few of them,
	 * numbered in the order the kernel enumerates (buses follow) */
	unsigned per_dev = (ports + 31) / 32;

	for (unsigned p = 0; p < ports && g->left && g->next_bus < LAST_BUS; p++) {
		long dp = add_bridge(g, ACS_PCIE_DOWNSTREAM, inner, (uint8_t)(p / per_dev), (uint8_t)(p % per_dev),
				     per_dev > 1 && p % per_dev == 0, chance(g, 85) ? port_acs_ctrl(g, 70) : -1, rc);

		if (dp < 0)
			break;
		below_port(g, (uint8_t)(g->next_bus - 1), level + 1, rc);
		close_bridge(g, dp);
	}
	close_bridge(g, up);
}

static void below_port(struct gen *g, uint8_t bus, unsigned level, int *rc)
{
	unsigned r = between(g, 0, 99);

	if (r < 20 && level < MAX_SWITCH_LEVELS) {
		a_switch(g, bus, level, rc);
	} else if (r < 27) {
		long br = add_bridge(g, ACS_PCIE_PCI_BRIDGE, bus, 0, 0, false, -1, rc);

		conventional(g, (uint8_t)(g->next_bus - 1), rc);
		close_bridge(g, br);
	} else {
		endpoints(g, bus, rc);
	}
}

static void one_domain(struct gen *g, int *rc)
{
	g->next_bus = 1;
	acs_cfgsynth_init(&g->s, 0x8086, 0x09a2, 0x060000, 0, false);
	add(g, 0, 0, 0, rc);
	for (unsigned slot = 1; slot < 32 && g->left && g->next_bus < LAST_BUS; slot++) {
		unsigned nfn = chance(g, 10) ? between(g, 2, 4) : 1;

		for (unsigned fn = 0; fn < nfn && g->left && g->next_bus < LAST_BUS; fn++) {
			long rp = add_bridge(g, ACS_PCIE_ROOT_PORT, 0, (uint8_t)slot,
					     (uint8_t)fn, nfn > 1 && fn == 0,
					     chance(g, 90) ? port_acs_ctrl(g, 85) : -1, rc);

			if (rp < 0)
				break;
			if (chance(g, 60))
				a_switch(g, (uint8_t)(g->next_bus - 1), 1, rc);
			else
				below_port(g, (uint8_t)(g->next_bus - 1), 1, rc);
			close_bridge(g, rp);
		}
	}
}

int acs_fabric_synth(acs_fabric **out, const acs_synth_opts *o)
{
	struct acs_builder b;
	struct gen *g;
	int rc = 0;

	*out = NULL;
	if (!o || (o->version != 1 && o->version != ACS_SYNTH_OPTS_VERSION))
		return acs_error_set(ACS_EINVAL, "acs_synth_opts: unsupported version");
	if (!o->functions || o->functions > 64ull * 1024 * 1024)
		return acs_error_set(ACS_EINVAL, "synth: --functions must be 1 to 67108864");
	if (o->version >= 2 && o->switch_ports > 256)
		return acs_error_set(ACS_EINVAL, "synth: --switch-ports must be 1 to 256");
	g = calloc(1, sizeof(*g));
	if (!g)
		return acs_error_nomem();
	rc = acs_builder_init(&b, ACS_SOURCE_TOPOLOGY, "synth");
	g->b = &b;
	g->rng = o->seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	g->left = o->functions;
	g->switch_ports = o->version >= 2 ? o->switch_ports : 0;
	while (!rc && g->left) {
		if (g->domain > 0xffff) {
			rc = acs_error_set(ACS_EINVAL, "synth: more functions than 65536 domains hold");
			break;
		}
		one_domain(g, &rc);
		g->domain++;
	}
	free(g);
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}
