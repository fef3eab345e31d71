/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What-ifs: a copy of a fabric with changed ACS control values. The
 * original is never touched. The copy is whole (O(n)), which keeps one
 * owner per buffer; the topology is rebuilt by the same code as a load.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model/cfgsynth.h"

/* Every function of f into a new builder, as f holds it. */
static int copy_fabric(struct acs_builder *bp, const acs_fabric *f)
{
	struct acs_builder b;
	int rc = acs_builder_init(&b, f->kind, f->origin);

	if (rc)
		return rc;
	b.kgroups = f->kgroups;
	rc = acs_builder_set_release(&b, f->kernel_release);
	if (!rc)
		rc = acs_builder_set_cmdline(&b, f->cmdline);
	if (!rc)
		rc = acs_builder_set_cpu_vendor(&b, f->host.cpu_vendor);
	b.host.cpu_family = f->host.cpu_family;
	b.host.p2pdma = f->host.p2pdma;
	if (!rc)
		rc = acs_builder_set_irq_remap(&b, f->host.irq_remap, f->host.irq_remap_basis);
	for (int k = 0; !rc && k < ACS_HOST_FACT_COUNT; k++)
		rc = acs_builder_set_host_fact(&b, k, f->host.fact[k]);
	for (size_t k = 0; !rc && k < f->nvmd; k++)
		rc = acs_builder_add_vmd(&b, f->vmd[k].domain, f->vmd[k].ep_domain,
					 f->vmd[k].ep_bus, f->vmd[k].ep_dev, f->vmd[k].ep_fn);
	for (size_t i = 0; !rc && i < f->nfuncs; i++) {
		const struct acs_func *fn = &f->funcs[i];
		struct acs_raw_func *r;

		rc = acs_builder_add(&b, fn->domain, fn->bus, fn->dev, fn->fn,
				     fn->cfg, fn->cfg_stored < fn->cfg_len ?
				     fn->cfg_stored : fn->cfg_len);
		if (rc)
			break;
		r = acs_builder_last(&b);
		r->cfg_len = fn->cfg_len;
		r->kernel_group = f->kernel_group[i];
		r->numa_node = fn->numa_node;
		r->link_speed = (uint8_t)(f->link ? f->link[i] >> 8 : 0);
		r->link_width = (uint8_t)(f->link ? f->link[i] & 0xff : 0);
		r->has_driver = (fn->known & ACS_KNOWN_DRIVER) != 0;
		r->known_mask = fn->known | ACS_KNOWN_DRIVER;
		if (fn->driver && !(r->driver = acs_strdup(fn->driver)))
			rc = acs_error_nomem();
		if (!rc && f->assign && f->assign[i].reset && !(r->reset = acs_strdup(f->assign[i].reset)))
			rc = acs_error_nomem();
		if (!rc && f->assign && f->assign[i].iommu_type &&
		    !(r->iommu_type = acs_strdup(f->assign[i].iommu_type)))
			rc = acs_error_nomem();
	}
	if (rc)
		acs_builder_cleanup(&b);
	else
		*bp = b;
	return rc;
}

static int set_cfg16(struct acs_raw_func *r, unsigned off, uint16_t v)
{
	if (off + 2 > r->cfg_stored) {
		uint8_t *cfg = realloc(r->cfg, off + 2);

		if (!cfg)
			return acs_error_nomem();
		memset(cfg + r->cfg_stored, 0, off + 2 - r->cfg_stored);
		r->cfg = cfg;
		r->cfg_stored = (uint16_t)(off + 2);
	}
	acs_cfg_put16(r->cfg, off, v);
	return 0;
}

int acs_fabric_with_acs_ctrl(acs_fabric **out, const acs_fabric *f,
			     const struct acs_ctrl_change *changes, size_t n)
{
	struct acs_builder b;
	int rc;

	*out = NULL;
	rc = copy_fabric(&b, f);
	for (size_t k = 0; !rc && k < n; k++) {
		const struct acs_func *fn;
		struct acs_raw_func *r;
		char addr[ACS_ADDR_MAX];

		if (changes[k].index >= f->nfuncs) {
			rc = acs_error_set(ACS_EINVAL, "what-if: no function %zu", changes[k].index);
			break;
		}
		fn = &f->funcs[changes[k].index];
		r = &b.raw[changes[k].index];
		if (!fn->acs_pos) {
			rc = acs_error_set(ACS_EINVAL, "%s: no ACS capability to change",
					   acs_func_addr(fn, addr, sizeof(addr)));
			break;
		}
		rc = set_cfg16(r, fn->acs_pos + ACS_PCI_ACS_CTRL, changes[k].ctrl);
	}
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}

/* A changed function's own config bytes, ctrl at its ACS control word:
 * its record points to them, the view owns them. */
static int view_set_ctrl(acs_fabric *v, struct acs_func *fn, uint16_t ctrl)
{
	unsigned off = fn->acs_pos + ACS_PCI_ACS_CTRL;
	size_t len = fn->cfg_stored > off + 2 ? fn->cfg_stored : off + 2;
	uint8_t *cfg = calloc(len, 1);

	if (!cfg)
		return acs_error_nomem();
	if (fn->cfg_stored)
		memcpy(cfg, fn->cfg, fn->cfg_stored);
	acs_cfg_put16(cfg, off, ctrl);
	v->view_cfgs[v->nview_cfgs++] = cfg;
	fn->cfg = cfg;
	fn->cfg_stored = (uint16_t)len;
	fn->acs_ctrl = ctrl;
	return 0;
}

int acs_fabric__view_with_acs_ctrl(acs_fabric **out, const acs_fabric *f,
				   const struct acs_ctrl_change *changes, size_t n)
{
	acs_fabric *v = malloc(sizeof(*v));
	int rc = 0;

	*out = NULL;
	if (!v)
		return acs_error_nomem();
	*v = *f;
	/* held: the view's arrays are f's, whoever frees f first. The
	 * count is the one thing of f a view changes. */
	v->base = (acs_fabric *)f;
	__atomic_add_fetch(&v->base->holders, 1, __ATOMIC_RELAXED);
	v->holders = 0;
	v->view_cfgs = NULL;
	v->nview_cfgs = 0;
	if (n) {
		v->funcs = malloc(f->nfuncs * sizeof(*v->funcs));
		v->view_cfgs = calloc(n, sizeof(*v->view_cfgs));
		if (!v->funcs || !v->view_cfgs) {
			if (!v->funcs)
				v->funcs = f->funcs;   /* nothing of its own to free */
			acs_fabric_free(v);
			return acs_error_nomem();
		}
		memcpy(v->funcs, f->funcs, f->nfuncs * sizeof(*v->funcs));
	}
	for (size_t k = 0; !rc && k < n; k++) {
		char addr[ACS_ADDR_MAX];

		if (changes[k].index >= f->nfuncs)
			rc = acs_error_set(ACS_EINVAL, "what-if: no function %zu", changes[k].index);
		else if (!f->funcs[changes[k].index].acs_pos)
			rc = acs_error_set(ACS_EINVAL, "%s: no ACS capability to change",
					   acs_func_addr(&f->funcs[changes[k].index], addr, sizeof(addr)));
		else
			rc = view_set_ctrl(v, &v->funcs[changes[k].index], changes[k].ctrl);
	}
	if (rc) {
		acs_fabric_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* Words written into config space at any offset (the boot simulation's
 * Intel SPT control at ACS capability + 8). */
int acs_fabric__with_cfg16(acs_fabric **out, const acs_fabric *f,
			   const struct acs_cfg16_write *w, size_t n)
{
	struct acs_builder b;
	int rc;

	*out = NULL;
	rc = copy_fabric(&b, f);
	for (size_t k = 0; !rc && k < n; k++) {
		if (w[k].index >= f->nfuncs || w[k].offset + 2 > 4096) {
			rc = acs_error_set(ACS_EINVAL, "config write: no function %zu or offset 0x%x",
					   w[k].index, w[k].offset);
			break;
		}
		rc = set_cfg16(&b.raw[w[k].index], w[k].offset, w[k].value);
	}
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}

/* "What if N VFs were enabled": the PF's NumVFs set, and its VFs added. */
int acs_fabric_with_vfs(acs_fabric **out, const acs_fabric *f, size_t pf_index,
			unsigned num_vfs)
{
	const struct acs_func *pf = pf_index < f->nfuncs ? &f->funcs[pf_index] : NULL;
	struct acs_builder b;
	char addr[ACS_ADDR_MAX];
	int rc;

	*out = NULL;
	if (!pf || !pf->sriov_pos || pf->is_virtfn)
		return acs_error_set(ACS_EINVAL, "%s: not an SR-IOV PF",
				     pf ? acs_func_addr(pf, addr, sizeof(addr)) : "?");
	if (num_vfs > pf->sriov_total_vfs)
		return acs_error_set(ACS_EINVAL, "%s: has at most %u VFs, not %u",
				     acs_func_addr(pf, addr, sizeof(addr)), pf->sriov_total_vfs, num_vfs);
	if (num_vfs && !pf->sriov_stride && num_vfs > 1)
		return acs_error_set(ACS_EINVAL, "%s: VF Stride is 0", acs_func_addr(pf, addr, sizeof(addr)));
	rc = copy_fabric(&b, f);
	if (rc)
		return rc;
	/* drop the VFs the PF has now (the copy keeps f's order); the new
	 * ones replace them */
	{
		size_t w = 0;

		for (size_t i = 0; i < b.n; i++) {
			if (f->physfn[i] == (int32_t)pf_index) {
				free(b.raw[i].cfg);
				free(b.raw[i].driver);
				continue;
			}
			b.raw[w++] = b.raw[i];
		}
		b.n = w;
	}
	for (size_t i = 0; i < b.n; i++)
		if (b.raw[i].domain == pf->domain && b.raw[i].bus == pf->bus &&
		    b.raw[i].dev == pf->dev && b.raw[i].fn == pf->fn)
			rc = set_cfg16(&b.raw[i], pf->sriov_pos + ACS_PCI_SRIOV_NUM_VF, (uint16_t)num_vfs);
	for (size_t i = 0; !rc && i < b.n; i++)
		if (b.raw[i].domain == pf->domain && b.raw[i].bus == pf->bus &&
		    b.raw[i].dev == pf->dev && b.raw[i].fn == pf->fn) {
			rc = acs_builder_add_vfs(&b, i, pf->sriov_pos, pf->pcie_pos);
			break;
		}
	(void)addr;
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}

/*
 * The VFs of the PF at raw index `pf`, as its SR-IOV capability (NumVFs,
 * First VF Offset, VF Stride) places them: each reads ffff:ffff for its
 * IDs, carries the PF's PCIe capability and no ACS of its own.
 */
int acs_builder_add_vfs(struct acs_builder *b, size_t pf, unsigned sriov_pos,
			unsigned pcie_pos)
{
	const struct acs_raw_func *p = &b->raw[pf];
	uint8_t head[ACS_CFG_HEADER], pcie[ACS_PCI_EXP_SIZEOF] = { 0 };
	unsigned num, offset, stride;
	unsigned rid = (unsigned)p->bus << 8 | p->dev << 3 | p->fn;
	uint32_t domain = p->domain;
	int rc = 0;

	/* (a conventional PCI function keeps 256 bytes: no SR-IOV to read) */
	if (sriov_pos + ACS_PCI_SRIOV_VF_STRIDE + 2 > p->cfg_stored)
		return 0;
	num = acs_rd16(p->cfg, sriov_pos + ACS_PCI_SRIOV_NUM_VF);
	offset = acs_rd16(p->cfg, sriov_pos + ACS_PCI_SRIOV_VF_OFFSET);
	stride = acs_rd16(p->cfg, sriov_pos + ACS_PCI_SRIOV_VF_STRIDE);
	memcpy(head, p->cfg, ACS_CFG_HEADER);
	if (pcie_pos && pcie_pos + ACS_PCI_EXP_SIZEOF <= p->cfg_stored)
		memcpy(pcie, p->cfg + pcie_pos, ACS_PCI_EXP_SIZEOF);
	for (unsigned n = 0; !rc && n < num; n++) {
		unsigned vf = rid + offset + n * stride;
		uint8_t cfg[ACS_CFG_STD] = { 0 };

		if (vf > 0xffff || (n && !stride))
			return acs_error_set(ACS_EINVAL, "%04x:%02x:%02x.%u: VF %u has no place (offset %u, stride %u)",
					     domain, rid >> 8, rid >> 3 & 0x1f, rid & 7, n, offset, stride);
		memcpy(cfg, head, ACS_CFG_HEADER);
		acs_cfg_put16(cfg, ACS_PCI_VENDOR_ID, 0xffff);
		acs_cfg_put16(cfg, ACS_PCI_DEVICE_ID, 0xffff);
		/* a VF's BARs read 0: its PF's VF BARs place it */
		memset(cfg + ACS_PCI_BASE_ADDRESS_0, 0, 4 * ACS_PCI_NUM_BARS(ACS_PCI_HEADER_TYPE_NORMAL));
		cfg[ACS_PCI_HEADER_TYPE] = ACS_PCI_HEADER_TYPE_NORMAL;
		cfg[ACS_PCI_STATUS] = ACS_PCI_STATUS_CAP_LIST;
		/* the PF's PCIe capability, alone in the list */
		cfg[ACS_PCI_CAPABILITY_LIST] = ACS_CFG_HEADER;
		memcpy(cfg + ACS_CFG_HEADER, pcie, ACS_PCI_EXP_SIZEOF);
		cfg[ACS_CFG_HEADER + ACS_PCI_CAP_LIST_NEXT] = 0;
		rc = acs_builder_add(b, domain, (uint8_t)(vf >> 8), (uint8_t)(vf >> 3 & 0x1f),
				     (uint8_t)(vf & 7), cfg, ACS_CFG_STD);
		if (!rc)
			acs_builder_last(b)->cfg_len = ACS_CFG_EXT;
	}
	return rc;
}
