/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Peer-to-peer routes. A request from A to B's memory climbs from A until
 * the first place that can send it down towards B: a switch's internal bus
 * (the downstream port it entered by decides, by its ACS Request Redirect
 * and Egress Control), a conventional PCI bus (everything on it hears
 * everything), or a multifunction device (the function's own ACS). What
 * climbs to the root complex is translated by the IOMMU there.
 */
#include <string.h>

#include "internal.h"
#include "policy/policy-internal.h"

#define MAX_DEPTH 300

/* A function and its bridges up to the root bus: chain[0] = fn. */
static size_t chain_up(const acs_fabric *f, size_t i, uint32_t *chain)
{
	const struct acs_func *fn = acs_fabric_func(f, i);
	size_t n = 0;

	for (; fn && n < MAX_DEPTH; fn = acs_fabric_parent(f, fn))
		chain[n++] = (uint32_t)acs_fabric_index(f, fn);
	return n;
}

static bool same_device(const struct acs_func *x, const struct acs_func *y)
{
	return x->domain == y->domain && x->bus == y->bus && x->dev == y->dev;
}

/* The routing ID of a function of the device, or its PF for a VF. */
static const struct acs_func *device_of(const acs_fabric *f, const struct acs_func *fn)
{
	const struct acs_func *pf = acs_fabric_physfn(f, fn);

	return pf ? pf : fn;
}

/* Port Number (Link Capabilities 31:24): what the egress vector indexes. */
static unsigned port_number(const struct acs_func *fn)
{
	unsigned off = fn->pcie_pos + ACS_PCI_EXP_LNKCAP + ACS_PCI_EXP_LNKCAP_PN_BYTE;

	return fn->pcie_pos ? acs_func_cfg_byte(fn, off) : fn->fn;
}

bool acs_egress_blocks(const struct acs_func *in, const struct acs_func *out)
{
	unsigned bit;

	if (!in->acs_pos || !(in->acs_ctrl & ACS_EC) || !(in->acs_cap & ACS_EC))
		return false;
	bit = port_number(out);
	if (bit >= (in->acs_egress_bits ? in->acs_egress_bits : 256u))
		return false;
	return acs_func_cfg_byte(in, in->acs_pos + ACS_PCI_ACS_EGRESS_CTL_V + bit / 8) & (1u << (bit % 8));
}

/* What a TLP of a kind meets at the port it enters the switch by:
 * requests its ReqRedir and Egress Control, completions its CmpltRedir. */
enum tlp { TLP_REQUEST, TLP_COMPLETION };

static void reach_through(const acs_fabric *f, const acs_policy *p,
			  const struct acs_func *in, const struct acs_func *out,
			  const struct acs_func *a, long turn, enum tlp kind, struct acs_reach *r)
{
	/* a route is hardware: pcie_acs_override changes what the kernel
	 * believes of a port, not where the port sends peer requests */
	struct acs_policy hw = *p;
	uint16_t bit = kind == TLP_REQUEST ? ACS_RR : ACS_CR;
	bool egress = kind == TLP_REQUEST && acs_egress_blocks(in, out);
	int redir;

	hw.override = NULL;
	redir = acs_policy_acs_enabled(&hw, f, in, bit);

	r->turn = turn;
	r->ingress = (long)acs_fabric_index(f, in);
	if (redir == ACS_MAYBE) {
		/* the worse case: a verdict built on it says unknown */
		r->direct = r->translated = r->unknown = true;
		r->missing = bit;
		r->why = kind == TLP_REQUEST ?
			 "the ACS state of the port it enters by was not read: taken as not redirecting" :
			 "the ACS state of the port they enter by was not read: taken as not redirecting";
		return;
	}
	if (redir == ACS_YES && !egress) {
		r->direct = false;
		r->why = kind == TLP_REQUEST ? "the port it enters by redirects peer requests upstream (ReqRedir+)" :
					       "the port they enter by redirects completions upstream (CmpltRedir+)";
	} else if (egress) {
		r->direct = false;
		r->why = "egress control on the port it enters by blocks the target port";
	} else {
		r->direct = true;
		r->missing = in->acs_pos ? (uint16_t)(bit & ~in->acs_ctrl) : bit;
		if (kind == TLP_COMPLETION)
			r->why = in->acs_pos ? "the port they enter by does not redirect completions (CmpltRedir-)" :
					       "the port they enter by has no ACS: completions go straight across";
		else
			r->why = in->acs_pos ? "the port it enters by does not redirect peer requests (ReqRedir-)" :
					       "the port it enters by has no ACS: peer requests go straight across";
	}
	/* Direct Translated P2P lets ATS-translated requests across anyway. */
	r->translated = r->direct || (kind == TLP_REQUEST && a->ats_pos && in->acs_pos && (in->acs_ctrl & ACS_DT));
}

/* A function with no ACS capability (its extended space read) in a
 * device where another function has one. A device's functions that do
 * peer-to-peer among themselves implement ACS; the kernel, too, takes
 * the functions with ACS as closed to it (get_pci_function_alias_group()
 * groups it only with functions that lack ACS). Where no function has
 * ACS, nothing says they do not reach each other. */
static bool closed_function(const acs_fabric *f, const struct acs_func *x)
{
	const struct acs_func *d = device_of(f, x);
	size_t i = acs_fabric_index(f, d), n = acs_fabric_count(f);

	if (x->acs_pos || !(x->known & ACS_KNOWN_EXT))
		return false;
	while (i > 0 && same_device(acs_fabric_func(f, i - 1), d))
		i--;
	for (; i < n && same_device(acs_fabric_func(f, i), d); i++)
		if (acs_fabric_func(f, i)->acs_pos)
			return true;
	return false;
}

/* A TLP from a to b: requests to b's memory by address, completions to b
 * by ID; both climb to the same meeting point. */
static void route(const acs_fabric *f, const acs_policy *p, size_t ia, size_t ib, enum tlp kind,
		  struct acs_reach *r)
{
	uint32_t ca[MAX_DEPTH], cb[MAX_DEPTH];
	size_t na = chain_up(f, ia, ca), nb = chain_up(f, ib, cb);
	const struct acs_func *a = acs_fabric_func(f, ia);
	const struct acs_func *x, *y, *top_a, *top_b;

	memset(r, 0, sizeof(*r));
	r->turn = r->ingress = -1;
	/* Strip the common part of the two chains from the top. */
	while (na > 0 && nb > 0 && ca[na - 1] == cb[nb - 1]) {
		na--;
		nb--;
	}
	if (na == 0 || nb == 0) {
		r->why = "one is a bridge above the other";
		return;
	}
	/* x, y: the ancestors-or-selves of a and b on their meeting bus */
	x = acs_fabric_func(f, ca[na - 1]);
	y = acs_fabric_func(f, cb[nb - 1]);
	top_a = acs_fabric_parent(f, x);   /* the same for both, or NULL */
	top_b = acs_fabric_parent(f, y);
	if (top_a != top_b || x->domain != y->domain || x->bus != y->bus) {
		r->why = "their paths meet only in the root complex, where the IOMMU translates";
		return;
	}
	if (same_device(device_of(f, x), device_of(f, y))) {
		if (closed_function(f, x)) {
			r->turn = r->ingress = (long)acs_fabric_index(f, x);
			r->why = "a function without ACS in a device whose other functions have it: it does no peer-to-peer inside the device (PCIe 6.12.1.2), and the kernel groups it only with functions that lack ACS";
			return;
		}
		reach_through(f, p, x, y, a, (long)acs_fabric_index(f, x), kind, r);
		if (r->direct && !r->unknown && kind == TLP_REQUEST)
			r->why = x->acs_pos ? "functions of one device: the requesting function does not redirect (ReqRedir-)" :
					      "functions of one device without ACS: they may reach each other inside it";
		return;
	}
	if (top_a && !(top_a->known & ACS_KNOWN_CAPS)) {
		/* a switch or a bridge to conventional PCI: either way the
		 * worse case is that the TLP turns here */
		r->direct = r->translated = r->unknown = true;
		r->turn = (long)acs_fabric_index(f, top_a);
		r->ingress = (long)acs_fabric_index(f, x);
		r->missing = kind == TLP_REQUEST ? ACS_RR : ACS_CR;
		r->why = "the bridge above both was not read (a switch, or a bus of conventional PCI): taken as letting requests across";
		return;
	}
	if (top_a && (top_a->pcie_type == ACS_PCIE_NONE || top_a->pcie_type == ACS_PCIE_PCI_BRIDGE ||
		      top_a->pcie_type == ACS_PCIE_PCIE_BRIDGE)) {
		r->direct = r->translated = true;
		r->turn = (long)acs_fabric_index(f, top_a);
		r->ingress = r->turn;
		r->missing = kind == TLP_REQUEST ? ACS_RR : ACS_CR;
		r->why = "they share a conventional PCI bus: every device on it hears every request";
		return;
	}
	if (top_a && top_a->pcie_type == ACS_PCIE_UPSTREAM) {
		reach_through(f, p, x, y, a, (long)acs_fabric_index(f, top_a), kind, r);
		return;
	}
	/* Separate devices on a root bus: the root complex routes, the IOMMU
	 * translates. */
	r->why = "their paths meet only in the root complex, where the IOMMU translates";
}

void acs_route_reach(const acs_fabric *f, const acs_policy *p, size_t ia, size_t ib,
		     struct acs_reach *r)
{
	route(f, p, ia, ib, TLP_REQUEST, r);
}

void acs_route_completions(const acs_fabric *f, const acs_policy *p, size_t completer, size_t requester,
			   struct acs_reach *r)
{
	route(f, p, completer, requester, TLP_COMPLETION, r);
	r->translated = false;
}

static bool has_redir(const struct acs_func *fn)
{
	/* pci_bridge_has_acs_redir() */
	return fn->acs_pos && (fn->acs_ctrl & (ACS_RR | ACS_CR | ACS_EC));
}

/* pci_host_bridge_dev(): the first device of the root bus, when it is 00.0
 * or a root port. */
static const struct acs_func *host_bridge_dev(const acs_fabric *f, size_t i)
{
	const struct acs_func *fn = device_of(f, acs_fabric_func(f, i)), *first;

	while (acs_fabric_parent(f, fn))
		fn = acs_fabric_parent(f, fn);
	first = fn;
	while (acs_fabric_index(f, first) > 0) {
		const struct acs_func *prev = acs_fabric_func(f, acs_fabric_index(f, first) - 1);

		if (prev->domain != fn->domain || prev->bus != fn->bus)
			break;
		first = prev;
	}
	if ((first->dev == 0 && first->fn == 0) || first->pcie_type == ACS_PCIE_ROOT_PORT)
		return first;
	return NULL;
}

static bool host_allowed(const acs_fabric *f, const acs_policy *p, size_t a, size_t b)
{
	const struct acs_func *ha = host_bridge_dev(f, a), *hb = host_bridge_dev(f, b);
	const struct acs_func *ra = device_of(f, acs_fabric_func(f, a));
	const struct acs_func *rb = device_of(f, acs_fabric_func(f, b));
	bool same;

	while (acs_fabric_parent(f, ra))
		ra = acs_fabric_parent(f, ra);
	while (acs_fabric_parent(f, rb))
		rb = acs_fabric_parent(f, rb);
	same = ra->domain == rb->domain && ra->bus == rb->bus;
	if (!ha || !hb)
		return false;
	if (same)
		return acs_policy__p2pdma_host_allowed(p, ha->vendor_id, ha->device_id, true);
	return acs_policy__p2pdma_host_allowed(p, ha->vendor_id, ha->device_id, false) &&
	       acs_policy__p2pdma_host_allowed(p, hb->vendor_id, hb->device_id, false);
}

/* pci_upstream_bridge(): the PF's, for a VF. */
static const struct acs_func *upstream(const acs_fabric *f, const struct acs_func *fn)
{
	return acs_fabric_parent(f, fn);
}

void acs_p2pdma_distance(const acs_fabric *f, const acs_policy *p, int cpu,
			 size_t provider, size_t client, struct acs_p2pdma *out)
{
	const struct acs_func *a = acs_fabric_func(f, provider), *b = acs_fabric_func(f, client);
	const struct acs_func *bb = NULL;
	int dist_a = 0, dist_b = 0;

	memset(out, 0, sizeof(*out));
	/* calc_map_type_and_dist(): climb from the provider; at each step
	 * look for the same bridge on the client's way up */
	for (; a; a = upstream(f, a), dist_a++) {
		dist_b = 0;
		if (has_redir(a) && out->nredirect < ACS_P2P_MAX_PATH)
			out->redirect[out->nredirect++] = (uint32_t)acs_fabric_index(f, a);
		if (out->npath < ACS_P2P_MAX_PATH)
			out->path[out->npath++] = (uint32_t)acs_fabric_index(f, a);
		for (bb = b; bb; bb = upstream(f, bb), dist_b++)
			if (bb == a)
				break;
		if (bb == a)
			break;
	}
	out->distance = dist_a + dist_b;
	if (a) {
		/* common upstream a: the client's side, below a */
		uint32_t down[ACS_P2P_MAX_PATH];
		size_t nd = 0;

		out->common_upstream = true;
		for (bb = b; bb && bb != a; bb = upstream(f, bb)) {
			if (has_redir(bb) && out->nredirect < ACS_P2P_MAX_PATH)
				out->redirect[out->nredirect++] = (uint32_t)acs_fabric_index(f, bb);
			if (nd < ACS_P2P_MAX_PATH)
				down[nd++] = (uint32_t)acs_fabric_index(f, bb);
		}
		while (nd && out->npath < ACS_P2P_MAX_PATH)
			out->path[out->npath++] = down[--nd];
		if (!out->nredirect) {
			out->map = ACS_P2P_BUS_ADDR;
			return;
		}
	} else {
		uint32_t down[ACS_P2P_MAX_PATH];
		size_t nd = 0;

		for (bb = b; bb; bb = upstream(f, bb))
			if (nd < ACS_P2P_MAX_PATH)
				down[nd++] = (uint32_t)acs_fabric_index(f, bb);
		while (nd && out->npath < ACS_P2P_MAX_PATH)
			out->path[out->npath++] = down[--nd];
	}
	out->map = cpu == ACS_P2P_CPU_AMD_ZEN || host_allowed(f, p, provider, client) ?
		   ACS_P2P_THRU_HOST_BRIDGE : ACS_P2P_NOT_SUPPORTED;
}

/* One hop in nvidia-smi's count: a switch once, by its upstream port
 * (its downstream ports are inside it), or a bridge to conventional PCI.
 * A root port is the host bridge's own; a bridge whose type was not read
 * counts, the worse case. */
static bool counts_as_bridge(const struct acs_func *fn)
{
	return fn->is_bridge && fn->pcie_type != ACS_PCIE_DOWNSTREAM && fn->pcie_type != ACS_PCIE_ROOT_PORT;
}

/* The hops of chain[1..n-1]: what lies between a function (chain[0]) and
 * the bus where the two paths meet. */
static unsigned hops_below(const acs_fabric *f, const uint32_t *chain, size_t n)
{
	unsigned hops = 0;

	for (size_t k = 1; k < n; k++)
		hops += counts_as_bridge(acs_fabric_func(f, chain[k]));
	return hops;
}

/* Between root buses: the functions' NUMA nodes tell NODE from SYS. */
static int class_between_roots(const struct acs_func *a, const struct acs_func *b)
{
	if (a->numa_node < 0 || b->numa_node < 0)
		return ACS_P2P_CLASS_XHB;
	return a->numa_node == b->numa_node ? ACS_P2P_CLASS_NODE : ACS_P2P_CLASS_SYS;
}

int acs_p2p_class(const acs_fabric *f, size_t ia, size_t ib)
{
	uint32_t ca[MAX_DEPTH], cb[MAX_DEPTH];
	size_t na, nb, ta, tb;
	const struct acs_func *x, *y, *meet;
	unsigned hops;

	if (ia == ib)
		return ACS_P2P_CLASS_SELF;
	ta = na = chain_up(f, ia, ca);
	tb = nb = chain_up(f, ib, cb);
	while (na > 0 && nb > 0 && ca[na - 1] == cb[nb - 1]) {
		na--;
		nb--;
	}
	if (na == 0 || nb == 0) {
		/* one is a bridge above the other: what lies between */
		hops = na ? hops_below(f, ca, na) : hops_below(f, cb, nb);
		return hops <= 1 ? ACS_P2P_CLASS_PIX : ACS_P2P_CLASS_PXB;
	}
	x = acs_fabric_func(f, ca[na - 1]);
	y = acs_fabric_func(f, cb[nb - 1]);
	meet = acs_fabric_parent(f, x);   /* the bridge over both, or NULL */
	hops = hops_below(f, ca, na) + hops_below(f, cb, nb);
	if (!meet) {
		/* both on root buses: one device's functions meet inside it */
		const struct acs_func *ra = acs_fabric_func(f, ca[ta - 1]), *rb = acs_fabric_func(f, cb[tb - 1]);

		if (ra->domain != rb->domain || ra->bus != rb->bus)
			return class_between_roots(acs_fabric_func(f, ia), acs_fabric_func(f, ib));
		if (!same_device(device_of(f, x), device_of(f, y)))
			return ACS_P2P_CLASS_PHB;
	} else {
		hops += counts_as_bridge(meet);
	}
	return hops <= 1 ? ACS_P2P_CLASS_PIX : ACS_P2P_CLASS_PXB;
}

const char *acs_p2p_class_name(int cls)
{
	static const char *const names[] = { NULL, "X", "PIX", "PXB", "PHB", "NODE", "SYS", "XHB" };

	return cls > 0 && cls < (int)(sizeof(names) / sizeof(names[0])) ? names[cls] : NULL;
}

/* cpu_supports_p2pdma() (drivers/pci/p2pdma.c): on x86, AMD from family
 * 0x17 (Zen) on; the kernel checks X86_VENDOR_AMD alone. */
int acs_p2p_cpu(const acs_fabric *f)
{
	const char *vendor = acs_fabric_cpu_vendor(f);

	if (!vendor)
		return ACS_P2P_CPU_UNKNOWN;
	if (strcmp(vendor, "AuthenticAMD") != 0)
		return ACS_P2P_CPU_OTHER;
	/* an AMD CPU whose family was not read: the verdict would be a guess */
	if (acs_fabric_cpu_family(f) < 0)
		return ACS_P2P_CPU_UNKNOWN;
	return acs_fabric_cpu_family(f) >= 0x17 ? ACS_P2P_CPU_AMD_ZEN : ACS_P2P_CPU_OTHER;
}

bool acs_p2pdma_built(const acs_fabric *f, const acs_policy *p, int *from)
{
	int host = acs_fabric_kernel_p2pdma(f);

	if (from)
		*from = host >= 0 ? ACS_P2PDMA_FROM_HOST : ACS_P2PDMA_FROM_POLICY;
	return host >= 0 ? host == 1 : acs_policy_p2pdma_built(p);
}
