/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Explanations follow pci_device_group() step by step (DMA aliases, the
 * walk up to the first isolating path, the multifunction slot) and say in
 * words what each step found. The change that separates two functions is
 * searched over the ports that could hold ACS on their paths: each alone,
 * fewest bits first, then all of them together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_CAND 64

struct acs_explain {
	size_t group[2];
	bool shared, possible;
	struct acs_lines facts;
	struct acs_ctrl_change *changes;
	size_t nchanges;
};

static const char *const bit_names[] = {
	"SrcValid", "TransBlk", "ReqRedir", "CmpltRedir", "UpstreamFwd",
	"EgressCtrl", "DirectTrans",
};

#define fact(e, ...) acs_lines_add(&(e)->facts, __VA_ARGS__)

static char *bits(unsigned v, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 7; i++)
		if (v & (1u << i))
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used ? " " : "", bit_names[i]);
	return buf;
}

static const char *name(const struct acs_func *fn, char *buf)
{
	char addr[ACS_ADDR_MAX];

	sprintf(buf, "%s (%s)", acs_func_addr(fn, addr, sizeof(addr)),
		acs_pcie_type_name(fn->pcie_type));
	return buf;
}

/* Required bits the function should enforce but does not. */
static unsigned missing_bits(const struct acs_func *fn)
{
	return ACS_REQ_FLAGS & fn->acs_cap & ~fn->acs_ctrl;
}

/* Why pci_acs_enabled() says no for fn, in words. */
static int why_not(acs_explain *e, const acs_policy *p, const struct acs_func *fn,
		   const char *lead)
{
	char n[64], b[96];
	const char *quirk = NULL;

	name(fn, n);
	if (acs_policy_quirk(p, fn, ACS_REQ_FLAGS, &quirk) == ACS_NO)
		return fact(e, "%s%s is not isolated: the kernel quirk %s says so", lead, n, quirk);
	if (!acs_func_acs_known(fn))
		return fact(e, "%s%s: its ACS state is unknown (extended config space not read): taken as not isolating", lead, n);
	if (fn->pcie_type == ACS_PCIE_NONE)
		return fact(e, "%s%s is conventional PCI: everything on its bus can reach everything else", lead, n);
	if (fn->pcie_type == ACS_PCIE_PCI_BRIDGE || fn->pcie_type == ACS_PCIE_PCIE_BRIDGE)
		return fact(e, "%s%s bridges to conventional PCI, which the kernel never counts as isolating", lead, n);
	if (fn->pcie_type == ACS_PCIE_RC_EC)
		return fact(e, "%s%s is a root complex event collector, which never counts as isolating", lead, n);
	if (!fn->acs_pos)
		return fact(e, "%s%s has no ACS capability%s", lead, n,
			    fn->multifunction ? " and is part of a multifunction device" : "");
	return fact(e, "%s%s does not enforce %s (ACSCtl 0x%04x)", lead, n,
		    bits(missing_bits(fn), b, sizeof(b)), fn->acs_ctrl);
}

/* The first function on fn's path to the root that is not isolated. */
static const struct acs_func *path_breaker(const acs_fabric *f, const acs_policy *p,
					   const struct acs_func *fn)
{
	for (; fn; fn = acs_fabric_parent(f, fn))
		if (acs_policy_acs_enabled(p, f, fn, ACS_REQ_FLAGS) != ACS_YES)
			return fn;
	return NULL;
}

static int explain_one(acs_explain *e, const acs_fabric *f, const acs_policy *p,
		       const acs_groups *g, size_t idx)
{
	const struct acs_func *fn = acs_fabric_func(f, idx), *pdev, *br;
	uint32_t aliases[600];
	size_t na;
	bool unsure = false;
	char n[64], m[64];
	int rc = 0;
	const char *quirk = NULL;

	na = acs_policy_dma_aliases(p, f, idx, aliases, 600, &unsure);
	if (na > 600)
		na = 600;
	if (acs_groups_of(g, idx) == ACS_NO_GROUP) {
		const char *why = NULL;

		acs_policy_iommu_excludes(p, f, fn, &why);
		return fact(e, "%s is in no group: the IOMMU does not manage it (%s)", name(fn, n),
			    why ? why : "the platform gives it none");
	}
	rc = fact(e, "%s is in group %zu", name(fn, n), acs_groups_of(g, idx));
	for (size_t k = 1; !rc && k < na; k++)
		rc = fact(e, "its DMA reaches the IOMMU with the requester ID of %s, so it goes where that bridge goes",
			  name(acs_fabric_func(f, aliases[k]), m));
	pdev = acs_fabric_func(f, aliases[na - 1]);
	for (br = acs_fabric_parent(f, pdev); !rc && br; br = acs_fabric_parent(f, br)) {
		const struct acs_func *bad = path_breaker(f, p, br);

		if (!bad) {
			rc = fact(e, "%s and every port above it enforce SrcValid ReqRedir CmpltRedir UpstreamFwd: the group is decided below it",
				  name(br, n));
			break;
		}
		rc = why_not(e, p, bad, bad == br ? "" : "above the next bridge, ");
		if (!rc)
			rc = fact(e, "so %s joins the group of %s", name(pdev, n), name(br, m));
		pdev = br;
	}
	if (rc)
		return rc;
	if (acs_policy_quirk(p, pdev, ACS_REQ_FLAGS, &quirk) == ACS_YES)
		rc = fact(e, "the kernel quirk %s counts %s as isolated", quirk, name(pdev, n));
	if (!rc && pdev->multifunction &&
	    acs_policy_acs_enabled(p, f, pdev, ACS_REQ_FLAGS) != ACS_YES) {
		rc = why_not(e, p, pdev, "in a multifunction slot, ");
		if (!rc)
			rc = fact(e, "so functions of slot %02x:%02x without ACS share a group",
				  pdev->bus, pdev->dev);
	}
	return rc;
}

/* Ports (and functions) with an ACS capability on the paths of a and b
 * that do not enforce everything the kernel asks. */
static size_t candidates(const acs_fabric *f, size_t a, size_t b, size_t *out)
{
	size_t n = 0;
	const size_t ends[2] = { a, b };

	for (int k = 0; k < 2; k++) {
		for (const struct acs_func *fn = acs_fabric_func(f, ends[k]); fn;
		     fn = acs_fabric_parent(f, fn)) {
			size_t i = acs_fabric_index(f, fn);
			bool seen = false;

			if (!fn->acs_pos || !missing_bits(fn))
				continue;
			for (size_t j = 0; j < n; j++)
				seen |= out[j] == i;
			if (!seen && n < MAX_CAND)
				out[n++] = i;
		}
	}
	return n;
}

static int separates(const acs_fabric *f, const acs_policy *p, size_t a, size_t b,
		     const struct acs_ctrl_change *ch, size_t n, bool *yes)
{
	acs_fabric *w = NULL;
	acs_groups *g = NULL;
	int rc = acs_fabric_with_acs_ctrl(&w, f, ch, n);

	if (!rc)
		rc = acs_groups_compute(&g, w, p);
	if (!rc)
		*yes = acs_groups_of(g, a) != acs_groups_of(g, b);
	acs_groups_free(g);
	acs_fabric_free(w);
	return rc;
}

static int popcount(unsigned v)
{
	int c = 0;

	for (; v; v &= v - 1)
		c++;
	return c;
}

/* Whether their groups depend on state that was not read: then "no
 * setting separates them" is not proven. */
static bool unread_between(const acs_fabric *f, const acs_policy *p, size_t a, size_t b)
{
	acs_unknown *u = NULL;
	bool any;

	if (acs_unknown_new(&u, f, p))
		return true;   /* out of memory: claim nothing */
	any = acs_unknown_add(u, ACS_UNKNOWN_GROUP, a, (long)b);
	acs_unknown_free(u);
	return any;
}

static int find_change(acs_explain *e, const acs_fabric *f, const acs_policy *p,
		       size_t a, size_t b)
{
	size_t cand[MAX_CAND], n = candidates(f, a, b, cand);
	struct acs_ctrl_change all[MAX_CAND];
	int best = -1, best_bits = 99, rc = 0;
	bool yes = false;

	for (size_t k = 0; !rc && k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(f, cand[k]);
		struct acs_ctrl_change one = { cand[k], (uint16_t)(fn->acs_ctrl | missing_bits(fn)) };

		all[k] = one;
		rc = separates(f, p, a, b, &one, 1, &yes);
		if (!rc && yes && popcount(missing_bits(fn)) < best_bits) {
			best = (int)k;
			best_bits = popcount(missing_bits(fn));
		}
	}
	if (rc)
		return rc;
	if (best >= 0) {
		e->changes = malloc(sizeof(*e->changes));
		if (!e->changes)
			return acs_error_nomem();
		e->changes[0] = all[best];
		e->nchanges = 1;
		e->possible = true;
		return 0;
	}
	if (n > 1 && !(rc = separates(f, p, a, b, all, n, &yes)) && yes) {
		e->changes = malloc(n * sizeof(*e->changes));
		if (!e->changes)
			return acs_error_nomem();
		memcpy(e->changes, all, n * sizeof(*all));
		e->nchanges = n;
		e->possible = true;
		return 0;
	}
	if (rc)
		return rc;
	e->possible = false;
	if (unread_between(f, p, a, b))
		return fact(e, "no change to the ACS that was read separates them; whether one to the ports whose ACS was not read would is unknown");
	return fact(e, "no ACS setting separates them: between them lies a port without an ACS capability, a conventional PCI bus, a PCIe-to-PCI bridge or one multifunction device without ACS");
}

int acs_explain_compute(acs_explain **out, const acs_fabric *f, const acs_policy *p,
		size_t a, long b)
{
	acs_explain *e = calloc(1, sizeof(*e));
	acs_groups *g = NULL;
	int rc;

	*out = NULL;
	if (!e)
		return acs_error_nomem();
	rc = acs_groups_compute(&g, f, p);
	if (!rc) {
		e->group[0] = acs_groups_of(g, a);
		rc = explain_one(e, f, p, g, a);
	}
	if (!rc && b >= 0) {
		char n1[64], n2[64];

		e->group[1] = acs_groups_of(g, (size_t)b);
		e->shared = e->group[0] == e->group[1] && e->group[0] != ACS_NO_GROUP;
		rc = explain_one(e, f, p, g, (size_t)b);
		if (!rc)
			rc = fact(e, "%s and %s %s", name(acs_fabric_func(f, a), n1),
				  name(acs_fabric_func(f, (size_t)b), n2),
				  e->shared ? "share a group" :
				  e->group[0] == ACS_NO_GROUP || e->group[1] == ACS_NO_GROUP ? "share no group" :
				  "are in different groups");
		if (!rc && e->shared)
			rc = find_change(e, f, p, a, (size_t)b);
	}
	acs_groups_free(g);
	if (rc) {
		acs_explain_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

size_t acs_explain_group(const acs_explain *e, int which)
{
	return e->group[which ? 1 : 0];
}

size_t acs_explain_facts(const acs_explain *e, const char *const **facts)
{
	*facts = (const char *const *)e->facts.v;
	return e->facts.n;
}

bool acs_explain_shared(const acs_explain *e)
{
	return e->shared;
}

size_t acs_explain_change(const acs_explain *e, const struct acs_ctrl_change **changes,
			  bool *possible)
{
	*changes = e->changes;
	*possible = e->possible;
	return e->nchanges;
}

void acs_explain_free(acs_explain *e)
{
	if (!e)
		return;
	acs_lines_free(&e->facts);
	free(e->changes);
	free(e);
}
