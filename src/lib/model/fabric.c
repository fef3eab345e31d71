/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fabric's indexes and topology checks. Functions are sorted by
 * (domain, bus, devfn), so the functions of one bus are contiguous: a bus
 * is a range, a bridge's children are the range of its secondary bus, and
 * every lookup is a binary search or an array read. All walks are
 * iterative: no recursion depth follows the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int find_bus(const acs_fabric *f, uint32_t domain, uint8_t number)
{
	size_t lo = 0, hi = f->nbuses;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct acs_bus *b = &f->buses[mid];

		if (b->domain == domain && b->number == number)
			return (int)mid;
		if (b->domain < domain || (b->domain == domain && b->number < number))
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool same_addr(const struct acs_func *a, const struct acs_func *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev &&
	       a->fn == b->fn;
}

static int build_buses(acs_fabric *f, const char *origin)
{
	size_t i, n = 0;

	f->buses = calloc(f->nfuncs, sizeof(*f->buses));
	if (!f->buses)
		return acs_error_nomem();
	for (i = 0; i < f->nfuncs; i++) {
		const struct acs_func *fn = &f->funcs[i];

		if (i && same_addr(fn, &f->funcs[i - 1]))
			return acs_error_func(ACS_EINVAL, origin, fn, "duplicate address");
		if (!n || f->buses[n - 1].domain != fn->domain ||
		    f->buses[n - 1].number != fn->bus) {
			f->buses[n].domain = fn->domain;
			f->buses[n].number = fn->bus;
			f->buses[n].self = -1;
			f->buses[n].first = (uint32_t)i;
			n++;
		}
		f->buses[n - 1].count++;
	}
	f->nbuses = n;
	return 0;
}

/* The kernel's slot scan marks every function of a slot that has more than
 * one function as multifunction (pci_scan_slot()), whatever function 0's
 * header type bit says. VFs are never scanned: they keep their header bit
 * (pci_iov_add_virtfn() sets them up alone). */
static void mark_multifunction(acs_fabric *f)
{
	size_t i = 0;

	while (i < f->nfuncs) {
		size_t j = i, scanned = 0;

		while (j < f->nfuncs && f->funcs[j].domain == f->funcs[i].domain &&
		       f->funcs[j].bus == f->funcs[i].bus &&
		       f->funcs[j].dev == f->funcs[i].dev)
			scanned += !f->funcs[j++].is_virtfn;
		if (scanned > 1)
			for (size_t k = i; k < j; k++)
				if (!f->funcs[k].is_virtfn)
					f->funcs[k].multifunction = true;
		i = j;
	}
}

/* Every VF's BARs have the sizes of its PF's VF BARs: sysfs knows them
 * from the VFs' resources, a topology from the PF. */
static void share_vf_bar_sizes(struct acs_func *pf, struct acs_func *vf)
{
	for (unsigned b = 0; b < 6; b++) {
		if (!pf->vf_bar_size[b])
			pf->vf_bar_size[b] = vf->bar_size[b];
		if (!vf->bar_size[b])
			vf->bar_size[b] = pf->vf_bar_size[b];
	}
}

/*
 * VFs from their PFs' SR-IOV capabilities: VF n of a PF at routing ID R is
 * at R + First VF Offset + n * VF Stride (pci_iov_virtfn_bus/devfn()). A
 * dump shows VFs with vendor and device ffff; the PF gives their IDs.
 */
static void identify_vfs(acs_fabric *f)
{
	for (size_t i = 0; i < f->nfuncs; i++) {
		const struct acs_func *pf = &f->funcs[i];
		unsigned rid = (unsigned)pf->bus << 8 | pf->dev << 3 | pf->fn;

		if (!pf->sriov_pos || pf->is_virtfn)
			continue;
		for (unsigned n = 0; n < pf->sriov_num_vfs; n++) {
			unsigned vf = rid + pf->sriov_offset + n * pf->sriov_stride;
			const struct acs_func *x;
			struct acs_func *v;

			if (vf > 0xffff)
				break;
			x = acs_fabric_find(f, pf->domain, (uint8_t)(vf >> 8),
					    (uint8_t)(vf >> 3 & 0x1f), (uint8_t)(vf & 7));
			if (!x || x == pf)
				continue;
			v = &f->funcs[x - f->funcs];
			v->is_virtfn = true;
			/* set up alone: only the header bit makes it multifunction */
			v->multifunction = (acs_func_cfg_byte(v, ACS_PCI_HEADER_TYPE) & ACS_PCI_HEADER_MULTIFUNCTION) != 0;
			f->physfn[x - f->funcs] = (int32_t)i;
			if (v->vendor_id == 0xffff) {
				v->vendor_id = pf->vendor_id;
				v->device_id = pf->sriov_vf_device;
			}
			share_vf_bar_sizes(&f->funcs[i], v);
		}
	}
}

/* A VF hangs below its PF's bridge; a bus of VFs alone is virtual. */
static void place_vfs(acs_fabric *f)
{
	for (size_t b = 0; b < f->nbuses; b++) {
		struct acs_bus *bus = &f->buses[b];
		bool only_vfs = bus->self < 0;

		for (uint32_t k = 0; only_vfs && k < bus->count; k++)
			only_vfs = f->funcs[bus->first + k].is_virtfn;
		bus->virtual_bus = only_vfs;
	}
	for (size_t i = 0; i < f->nfuncs; i++)
		if (f->physfn[i] >= 0)
			f->parent[i] = f->parent[f->physfn[i]];
}

/* A bridge with secondary and subordinate 0 was never given buses. */
static bool has_buses(const struct acs_func *fn)
{
	return fn->is_bridge && (fn->secondary || fn->subordinate);
}

static int link_bridges(acs_fabric *f, const char *origin)
{
	size_t i;

	for (i = 0; i < f->nfuncs; i++) {
		const struct acs_func *fn = &f->funcs[i];
		int b;

		f->child_bus[i] = -1;
		if (!has_buses(fn))
			continue;
		if (fn->secondary <= fn->bus)
			return acs_error_func(ACS_EINVAL, origin, fn,
				"secondary bus %02x is not above the bridge's own bus %02x",
				fn->secondary, fn->bus);
		if (fn->subordinate < fn->secondary)
			return acs_error_func(ACS_EINVAL, origin, fn,
				"subordinate bus %02x is below secondary bus %02x",
				fn->subordinate, fn->secondary);
		b = find_bus(f, fn->domain, fn->secondary);
		if (b < 0)
			continue; /* nothing behind it */
		if (f->buses[b].self >= 0) {
			char other[ACS_ADDR_MAX];

			return acs_error_func(ACS_EINVAL, origin, fn,
				"secondary bus %02x is also claimed by %s",
				fn->secondary,
				acs_func_addr(&f->funcs[f->buses[b].self], other,
					      sizeof(other)));
		}
		f->buses[b].self = (int32_t)i;
		f->child_bus[i] = b;
	}
	for (i = 0; i < f->nbuses; i++) {
		const struct acs_bus *bus = &f->buses[i];

		for (uint32_t k = 0; k < bus->count; k++)
			f->parent[bus->first + k] = bus->self;
	}
	return 0;
}

/*
 * Bus ranges must nest: a bridge's [secondary, subordinate] lies inside
 * its parent's, and the ranges of bridges on one bus do not meet. Bridges
 * come in (bus, devfn) order, so a parent is always seen before its
 * children; in a sound tree the last bridge to claim a bus number below a
 * bridge is that bridge's parent, so anything else is an overlap.
 */
static int check_domain_ranges(acs_fabric *f, size_t first, size_t end,
			       size_t *bus_i, const char *origin)
{
	int32_t owner[256];
	size_t i;

	for (int k = 0; k < 256; k++)
		owner[k] = -1;
	for (i = first; i < end; i++) {
		const struct acs_func *fn = &f->funcs[i];
		int32_t p = f->parent[i];

		if (!has_buses(fn))
			continue;
		if (p >= 0) {
			const struct acs_func *pf = &f->funcs[p];

			if (fn->secondary <= pf->secondary ||
			    fn->subordinate > pf->subordinate)
				return acs_error_func(ACS_EINVAL, origin, fn,
					"buses %02x-%02x do not fit inside those of its parent bridge (%02x-%02x)",
					fn->secondary, fn->subordinate,
					pf->secondary, pf->subordinate);
		}
		for (unsigned b = fn->secondary; b <= fn->subordinate; b++) {
			char other[ACS_ADDR_MAX];

			if (owner[b] != p && owner[b] >= 0)
				return acs_error_func(ACS_EINVAL, origin, fn,
					"buses %02x-%02x overlap those of %s",
					fn->secondary, fn->subordinate,
					acs_func_addr(&f->funcs[owner[b]], other,
						      sizeof(other)));
			owner[b] = (int32_t)i;
		}
	}
	/* A root bus inside some bridge's range was reached by no bridge. */
	for (; *bus_i < f->nbuses && f->buses[*bus_i].domain == f->funcs[first].domain;
	     (*bus_i)++) {
		const struct acs_bus *bus = &f->buses[*bus_i];

		if (bus->self < 0 && !bus->virtual_bus && owner[bus->number] >= 0) {
			const struct acs_func *br = &f->funcs[owner[bus->number]];

			return acs_error_func(ACS_EINVAL, origin, &f->funcs[bus->first],
				"bus %02x lies inside the buses of bridge %02x:%02x.%u (%02x-%02x) but no bridge leads to it",
				bus->number, br->bus, br->dev, br->fn,
				br->secondary, br->subordinate);
		}
	}
	return 0;
}

static int check_ranges(acs_fabric *f, const char *origin)
{
	size_t first = 0, bus_i = 0;

	while (first < f->nfuncs) {
		size_t end = first + 1;
		int rc;

		while (end < f->nfuncs && f->funcs[end].domain == f->funcs[first].domain)
			end++;
		rc = check_domain_ranges(f, first, end, &bus_i, origin);
		if (rc)
			return rc;
		first = end;
	}
	return 0;
}

/*
 * The order the kernel adds devices to the PCI bus, which is the order
 * its IOMMU driver probes them and allocates groups in: each root bus as
 * pci_scan_child_bus() finds it (every device of a bus, then each
 * bridge's bus below in turn, depth first), the root buses in the order
 * firmware lists their host bridges (ACPI's namespace order), VFs last
 * (they appear when sriov_numvfs is written, after boot).
 *
 * Firmware's order of the host bridges is in no dump or lspci text: where
 * the kernel's own group numbers are known (sysfs, a snapshot, lspci -vv
 * with its "IOMMU group:" lines) the root buses go in the order of the
 * lowest number below each, which is the order the kernel probed them;
 * otherwise in (domain, number) order, and with several root buses the
 * numbers are uncertain (acs_fabric_root_order()).
 */
struct root_seg {
	uint32_t start, len;      /* into the order */
	int32_t key;              /* lowest kernel group below, INT32_MAX none */
	uint32_t rank;            /* position in (domain, number) order */
};

static int seg_cmp(const void *pa, const void *pb)
{
	const struct root_seg *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static void add_bus(acs_fabric *f, uint32_t bus, size_t *n, int32_t *key)
{
	for (uint32_t k = 0; k < f->buses[bus].count; k++) {
		uint32_t i = f->buses[bus].first + k;

		if (f->funcs[i].is_virtfn)
			continue;
		f->kernel_order[(*n)++] = i;
		if (f->kernel_group[i] >= 0 && f->kernel_group[i] < *key)
			*key = f->kernel_group[i];
	}
}

static int build_kernel_order(acs_fabric *f)
{
	struct frame { uint32_t bus, next; } *stack;
	struct root_seg *segs;
	uint32_t *tmp = NULL;
	size_t depth = 0, n = 0, r, nsegs = 0;
	bool keyed = f->kgroups == ACS_KGROUPS_PRESENT;

	f->kernel_order = malloc((f->nfuncs + 1) * sizeof(*f->kernel_order));
	stack = malloc((f->nbuses + 1) * sizeof(*stack));
	segs = malloc((f->nbuses + 1) * sizeof(*segs));
	if (!f->kernel_order || !stack || !segs) {
		free(stack);
		free(segs);
		return acs_error_nomem();
	}
	for (r = 0; r < f->nbuses; r++) {
		struct root_seg *sg;

		if (f->buses[r].self >= 0 || f->buses[r].virtual_bus)
			continue;
		sg = &segs[nsegs];
		*sg = (struct root_seg){ (uint32_t)n, 0, INT32_MAX, (uint32_t)nsegs };
		nsegs++;
		stack[depth++] = (struct frame){ (uint32_t)r, 0 };
		add_bus(f, (uint32_t)r, &n, &sg->key);
		while (depth) {
			struct frame *top = &stack[depth - 1];
			const struct acs_bus *bus = &f->buses[top->bus];
			int32_t child = -1;

			while (top->next < bus->count && child < 0)
				child = f->child_bus[bus->first + top->next++];
			if (child < 0) {
				depth--;
				continue;
			}
			stack[depth++] = (struct frame){ (uint32_t)child, 0 };
			add_bus(f, (uint32_t)child, &n, &sg->key);
		}
		sg->len = (uint32_t)n - sg->start;
	}
	f->root_order = nsegs > 1 ? ACS_ROOT_ORDER_ASSUMED : ACS_ROOT_ORDER_ONE;
	if (nsegs > 1 && keyed) {
		size_t m = 0;

		tmp = malloc((n + 1) * sizeof(*tmp));
		if (!tmp) {
			free(stack);
			free(segs);
			return acs_error_nomem();
		}
		qsort(segs, nsegs, sizeof(*segs), seg_cmp);
		for (size_t k = 0; k < nsegs; k++) {
			memcpy(tmp + m, f->kernel_order + segs[k].start, segs[k].len * sizeof(*tmp));
			m += segs[k].len;
		}
		memcpy(f->kernel_order, tmp, n * sizeof(*tmp));
		/* every root bus with a group of the kernel's is placed by it;
		 * one without any keeps its place in bus order after them */
		f->root_order = segs[nsegs - 2].key != INT32_MAX ? ACS_ROOT_ORDER_KERNEL : ACS_ROOT_ORDER_ASSUMED;
	}
	/* VFs appear when sriov_numvfs is written, after boot: last. */
	for (size_t i = 0; i < f->nfuncs; i++)
		if (f->funcs[i].is_virtfn)
			f->kernel_order[n++] = (uint32_t)i;
	free(tmp);
	free(segs);
	free(stack);
	return 0;
}

int acs_fabric__index(acs_fabric *f, const char *origin)
{
	int rc;

	f->parent = malloc(f->nfuncs * sizeof(*f->parent));
	f->child_bus = malloc(f->nfuncs * sizeof(*f->child_bus));
	f->physfn = malloc(f->nfuncs * sizeof(*f->physfn));
	if (!f->parent || !f->child_bus || !f->physfn)
		return acs_error_nomem();
	for (size_t i = 0; i < f->nfuncs; i++)
		f->physfn[i] = -1;
	rc = build_buses(f, origin);
	if (rc)
		return rc;
	identify_vfs(f);
	mark_multifunction(f);
	rc = link_bridges(f, origin);
	if (rc)
		return rc;
	place_vfs(f);
	rc = check_ranges(f, origin);
	if (rc)
		return rc;
	return build_kernel_order(f);
}

void acs_fabric_free(acs_fabric *f)
{
	size_t i;

	if (!f)
		return;
	/* views hold it: the last of it and them frees it */
	if (__atomic_fetch_sub(&f->holders, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (f->base) {   /* a view: the rest is its base's */
		for (i = 0; i < f->nview_cfgs; i++)
			free(f->view_cfgs[i]);
		free(f->view_cfgs);
		if (f->funcs != f->base->funcs)
			free(f->funcs);
		acs_fabric_free(f->base);
		free(f);
		return;
	}
	for (i = 0; f->cfgs && i < f->nfuncs; i++)
		free(f->cfgs[i]);
	for (i = 0; f->drivers && i < f->nfuncs; i++)
		free(f->drivers[i]);
	for (i = 0; f->vpd && i < f->nfuncs; i++)
		free(f->vpd[i].data);
	for (i = 0; f->assign && i < f->nfuncs; i++) {
		free(f->assign[i].reset);
		free(f->assign[i].iommu_type);
	}
	free(f->assign);
	free(f->vpd);
	free(f->cfgs);
	free(f->drivers);
	free(f->link);
	free(f->funcs);
	free(f->parent);
	free(f->physfn);
	free(f->child_bus);
	free(f->buses);
	free(f->kernel_order);
	free(f->kernel_group);
	free(f->origin);
	free(f->kernel_release);
	free(f->cmdline);
	acs_host_facts_free(&f->host);
	free(f->vmd);
	for (size_t w = 0; w < f->nwarnings; w++)
		free(f->warnings[w]);
	free(f->warnings);
	free(f);
}

size_t acs_fabric_count(const acs_fabric *f)
{
	return f->nfuncs;
}

const struct acs_func *acs_fabric_func(const acs_fabric *f, size_t i)
{
	return i < f->nfuncs ? &f->funcs[i] : NULL;
}

size_t acs_fabric_index(const acs_fabric *f, const struct acs_func *fn)
{
	return (size_t)(fn - f->funcs);
}

const struct acs_func *acs_fabric_find(const acs_fabric *f, uint32_t domain,
				       uint8_t bus, uint8_t dev, uint8_t fn)
{
	int b = find_bus(f, domain, bus);
	const struct acs_bus *bp;
	size_t lo, hi;
	unsigned devfn = (unsigned)dev << 3 | fn;

	if (b < 0)
		return NULL;
	bp = &f->buses[b];
	lo = bp->first;
	hi = bp->first + bp->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		unsigned m = (unsigned)f->funcs[mid].dev << 3 | f->funcs[mid].fn;

		if (m == devfn)
			return &f->funcs[mid];
		if (m < devfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct acs_func *acs_fabric_physfn(const acs_fabric *f,
					 const struct acs_func *fn)
{
	int32_t p = f->physfn[fn - f->funcs];

	return p >= 0 ? &f->funcs[p] : NULL;
}

const struct acs_func *acs_fabric_parent(const acs_fabric *f,
					 const struct acs_func *fn)
{
	int32_t p = f->parent[fn - f->funcs];

	return p >= 0 ? &f->funcs[p] : NULL;
}

size_t acs_fabric_children(const acs_fabric *f, const struct acs_func *bridge,
			   size_t *first)
{
	int32_t b = f->child_bus[bridge - f->funcs];

	if (b < 0) {
		*first = 0;
		return 0;
	}
	*first = f->buses[b].first;
	return f->buses[b].count;
}

const uint32_t *acs_fabric_kernel_order(const acs_fabric *f)
{
	return f->kernel_order;
}

int acs_fabric_root_order(const acs_fabric *f)
{
	return f->root_order;
}

const char *acs_fabric_origin(const acs_fabric *f)
{
	return f->origin;
}

int acs_fabric_source_kind(const acs_fabric *f)
{
	return f->kind;
}

const char *acs_fabric_kernel_release(const acs_fabric *f)
{
	return f->kernel_release;
}

size_t acs_fabric_warnings(const acs_fabric *f, const char *const **list)
{
	*list = (const char *const *)f->warnings;
	return f->nwarnings;
}

const char *acs_fabric_cmdline(const acs_fabric *f)
{
	return f->cmdline;
}

static const char *const host_fact_keys[ACS_HOST_FACT_COUNT] = {
	"hostname", "time", "dmi-product", "dmi-board", "bios-vendor", "bios-version", "bios-date", "serial",
};

const char *acs_host_fact_key(int which)
{
	return which >= 0 && which < ACS_HOST_FACT_COUNT ? host_fact_keys[which] : NULL;
}

const char *acs_fabric_host_fact(const acs_fabric *f, int which)
{
	return which >= 0 && which < ACS_HOST_FACT_COUNT ? f->host.fact[which] : NULL;
}

static const char *const link_speeds[] = { NULL, "2.5GT/s", "5GT/s", "8GT/s", "16GT/s", "32GT/s", "64GT/s" };

const char *acs_link_speed_name(unsigned speed)
{
	return speed < sizeof(link_speeds) / sizeof(link_speeds[0]) ? link_speeds[speed] : NULL;
}

bool acs_func_link(const struct acs_func *fn, unsigned *speed, unsigned *width)
{
	unsigned pos = fn->pcie_pos, st;

	/* integrated endpoints and event collectors have no link */
	if (!pos || fn->pcie_type == ACS_PCIE_RC_END || fn->pcie_type == ACS_PCIE_RC_EC || fn->is_virtfn ||
	    !(fn->known & ACS_KNOWN_CAPS) || pos + 0x14 > fn->cfg_len)
		return false;
	st = acs_func_cfg_byte(fn, pos + 0x12) | (unsigned)acs_func_cfg_byte(fn, pos + 0x13) << 8;
	if (!(st & 0xf) || !((st >> 4) & 0x3f))
		return false;  /* link down, or a register that says nothing */
	*speed = st & 0xf;
	*width = (st >> 4) & 0x3f;
	return true;
}

bool acs_func_link_cap(const struct acs_func *fn, unsigned *speed, unsigned *width)
{
	unsigned pos = fn->pcie_pos, cap;

	if (!pos || fn->pcie_type == ACS_PCIE_RC_END || fn->pcie_type == ACS_PCIE_RC_EC || fn->is_virtfn ||
	    !(fn->known & ACS_KNOWN_CAPS) || pos + ACS_PCI_EXP_LNKCAP + 2 > fn->cfg_len)
		return false;
	cap = acs_func_cfg_byte(fn, pos + ACS_PCI_EXP_LNKCAP) |
	      (unsigned)acs_func_cfg_byte(fn, pos + ACS_PCI_EXP_LNKCAP + 1) << 8;
	if (!(cap & ACS_PCI_EXP_LNK_SPEED) || !((cap & ACS_PCI_EXP_LNK_WIDTH) >> ACS_PCI_EXP_LNK_WIDTH_SHIFT))
		return false;
	*speed = cap & ACS_PCI_EXP_LNK_SPEED;
	*width = (cap & ACS_PCI_EXP_LNK_WIDTH) >> ACS_PCI_EXP_LNK_WIDTH_SHIFT;
	return true;
}

bool acs_fabric_link(const acs_fabric *f, size_t i, unsigned *speed, unsigned *width)
{
	if (i >= f->nfuncs)
		return false;
	if (acs_func_link(&f->funcs[i], speed, width))
		return true;
	if (!f->link || !(f->link[i] >> 8) || !(f->link[i] & 0xff))
		return false;
	*speed = f->link[i] >> 8;
	*width = f->link[i] & 0xff;
	return true;
}

const char *acs_fabric_reset_methods(const acs_fabric *f, size_t i)
{
	return f->assign && i < f->nfuncs ? f->assign[i].reset : NULL;
}

const char *acs_fabric_iommu_type(const acs_fabric *f, size_t i)
{
	return f->assign && i < f->nfuncs ? f->assign[i].iommu_type : NULL;
}

int acs_fabric_irq_remapping(const acs_fabric *f, const char **basis)
{
	if (basis)
		*basis = f->host.irq_remap_basis;
	return f->host.irq_remap;
}

unsigned acs_link_speed_code(const char *s)
{
	static const char *const gts[] = { NULL, "2.5", "5", "8", "16", "32", "64" };
	char *end;
	double v = strtod(s, &end);

	for (unsigned k = 1; k < sizeof(gts) / sizeof(gts[0]); k++)
		if (end != s && v == strtod(gts[k], NULL))
			return k;
	return 0;
}

const char *acs_fabric_cpu_vendor(const acs_fabric *f)
{
	return f->host.cpu_vendor;
}

int acs_fabric_cpu_family(const acs_fabric *f)
{
	return f->host.cpu_family;
}

int acs_fabric_kernel_p2pdma(const acs_fabric *f)
{
	return f->host.p2pdma;
}

int acs_fabric_kernel_groups(const acs_fabric *f)
{
	return f->kgroups;
}

int acs_fabric_kernel_group(const acs_fabric *f, size_t i)
{
	return i < f->nfuncs ? f->kernel_group[i] : -1;
}

size_t acs_fabric_unknown_count(const acs_fabric *f)
{
	return f->unknown;
}
