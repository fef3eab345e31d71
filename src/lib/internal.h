/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Library-private declarations: the fabric's real layout and the builder
 * every source fills. */
#ifndef ACSCTL_INTERNAL_H
#define ACSCTL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/acsctl.h"
#include "model/regs.h"

#if defined(__GNUC__)
#define ACS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ACS_PRINTF(a, b)
#endif

int acs_error_set(int code, const char *fmt, ...) ACS_PRINTF(2, 3);
/* Put "prefix: " before the current message, keep the code. */
int acs_error_prefix(const char *fmt, ...) ACS_PRINTF(1, 2);
int acs_error_nomem(void);
/* "ORIGIN: ADDRESS: what", ADDRESS the function's (decoding, topology
 * checks). */
int acs_error_func(int code, const char *origin, const struct acs_func *fn,
		   const char *fmt, ...) ACS_PRINTF(4, 5);

/* A bus: the functions on it are contiguous in the sorted function array. */
struct acs_bus {
	uint32_t domain;
	uint8_t number;
	int32_t self;      /* index of the bridge above it, -1 for a root bus */
	bool virtual_bus;  /* holds only VFs: no bridge, not a root */
	uint32_t first;    /* first function on this bus */
	uint32_t count;
};

/* What the source knows of the host beyond its PCI functions (fabric.h's
 * host facts): unknown unless it read the running host, or a snapshot or
 * captured tree that carries them. */
struct acs_host_facts {
	char *cpu_vendor;         /* vendor_id, "" none (not x86), NULL unknown; owned */
	int cpu_family;           /* "cpu family", -1 unknown or none */
	int p2pdma;               /* CONFIG_PCI_P2PDMA: 1 set, 0 not, -1 unknown */
	char *fact[ACS_HOST_FACT_COUNT]; /* enum acs_host_fact: NULL unknown; owned */
	int irq_remap;            /* interrupt remapping: 1 on, 0 off, -1 unknown */
	char *irq_remap_basis;    /* what said so ("/proc/interrupts"), owned; NULL with -1 */
};

/* A PCI domain the Intel VMD driver (drivers/pci/controller/vmd.c) created
 * behind a VMD endpoint: its functions reach the IOMMU with the
 * endpoint's requester ID. */
struct acs_vmd {
	uint32_t domain;          /* the VMD's domain (10000 and up, as vmd.c numbers them) */
	uint32_t ep_domain;       /* the VMD endpoint's address */
	uint8_t ep_bus, ep_dev, ep_fn;
	int32_t ep;               /* fabric: the endpoint's index (builder: unused) */
};

struct acs_fabric {
	struct acs_func *funcs;   /* sorted by (domain, bus, devfn) */
	size_t nfuncs;
	uint8_t **cfgs;           /* per function, owned */
	int32_t *parent;          /* per function: bridge index or -1 */
	int32_t *physfn;          /* per function: its PF's index, or -1 */
	int32_t *child_bus;       /* per function: index into buses or -1 */
	struct acs_bus *buses;    /* sorted by (domain, number) */
	size_t nbuses;
	uint32_t *kernel_order;
	int root_order;           /* enum acs_root_order */
	int32_t *kernel_group;    /* per function, -1 when none */
	int kgroups;              /* enum acs_kernel_groups */
	int kind;                 /* enum acs_source_kind */
	size_t unknown;           /* functions whose ACS state is unknown */
	char *origin;
	char *kernel_release;
	char *cmdline;
	char **drivers;           /* per function, owned, may be NULL */
	uint16_t *link;           /* per function: speed << 8 | width the source
				     gave besides config space (sysfs), 0 none */
	char **warnings;          /* what the source read but doubts, owned */
	size_t nwarnings;
	struct acs_host_facts host;
	struct acs_vmd *vmd;      /* PCI domains behind an Intel VMD endpoint */
	size_t nvmd;
	/* per function, owned; NULL when the source read no VPD (rdma_topo
	 * dumps carry it: src-rdma-topo.c) */
	struct acs_vpd { uint8_t *data; size_t len; } *vpd;
	/* per function, owned; NULL when the source read neither (all
	 * unknown): what device assignment needs beside the driver */
	struct acs_assign_facts {
		char *reset;       /* reset_method's words ("flr bus"), "" none, NULL unknown */
		char *iommu_type;  /* the group's default domain type ("DMA-FQ"), NULL unknown */
	} *assign;
	/* a view (acs_fabric__view_with_acs_ctrl()): every array is base's
	 * but funcs, when it differs from base's, and the config bytes of
	 * the functions it changed (view_cfgs) */
	struct acs_fabric *base;
	uint8_t **view_cfgs;
	size_t nview_cfgs;
	/* the views that hold this fabric: acs_fabric_free() frees it only
	 * once it and they are all freed (atomic) */
	unsigned holders;
};

/*
 * The builder collects raw functions from a source; acs_builder_finish()
 * decodes them, checks the topology and returns the immutable fabric.
 */
struct acs_raw_func {
	uint32_t domain;
	uint8_t bus, dev, fn;
	uint16_t cfg_len;
	uint16_t cfg_stored;  /* bytes allocated in cfg; the rest reads 0 */
	uint8_t *cfg;
	char *driver;
	int kernel_group;   /* -1 when none */
	bool has_driver;
	/* Sources that rebuild config space from text set what they really
	 * knew (enum acs_known); 0 means "judge by cfg_len". */
	uint32_t known_mask;
	int32_t numa_node;  /* -1 when none */
	uint64_t bar_size[6]; /* from sysfs; 0 unknown */
	uint64_t vf_bar_size[6]; /* PFs: one VF's BAR sizes; 0 unknown */
	/* rdma_topo dumps: the VPD as sysfs gave it, carried to the fabric
	 * (not modelled) for acs_rdma_topo_write(); NULL none */
	uint8_t *vpd;
	size_t vpd_len;
	uint8_t link_speed, link_width; /* sysfs current_link_*, a snapshot's link=; 0 unknown */
	/* sysfs reset_method (a snapshot's reset=): its words, "" none,
	 * NULL unknown; owned */
	char *reset;
	/* its IOMMU group's type file (a snapshot's iommu_type=), NULL unknown; owned */
	char *iommu_type;
};

struct acs_builder {
	struct acs_raw_func *raw;
	size_t n, cap;
	char *origin;        /* used in every error: "FILE" or "sysfs DIR" */
	int kind;
	int kgroups;
	char *kernel_release;
	char *cmdline;
	char **warnings;
	size_t nwarnings;
	struct acs_host_facts host;
	struct acs_vmd *vmd;
	size_t nvmd;
};

int acs_builder_init(struct acs_builder *b, int kind, const char *origin);
/* Copies cfg. len may be anything from 0 to 4096. */
int acs_builder_add(struct acs_builder *b, uint32_t domain, uint8_t bus,
		    uint8_t dev, uint8_t fn, const uint8_t *cfg, size_t len);
/* Room for more functions at once: a source that knows how many it
 * adds spares the array's growing copies (1M functions: 170 MiB each). */
int acs_builder_reserve(struct acs_builder *b, size_t more);
struct acs_raw_func *acs_builder_last(struct acs_builder *b);
/* The VFs of raw function pf from its SR-IOV capability (model/edit.c). */
int acs_builder_add_vfs(struct acs_builder *b, size_t pf, unsigned sriov_pos,
			unsigned pcie_pos);
int acs_builder_set_release(struct acs_builder *b, const char *release);
int acs_builder_set_cmdline(struct acs_builder *b, const char *cmdline);
/* The host's CPU vendor (NULL: unknown, "": none); copied. */
int acs_builder_set_cpu_vendor(struct acs_builder *b, const char *vendor);
/* A host fact (enum acs_host_fact; NULL: unknown); copied, trimmed of
 * trailing white space, newlines made spaces. */
int acs_builder_set_host_fact(struct acs_builder *b, int which, const char *value);
/* Interrupt remapping (1 on, 0 off, -1 unknown) and what said so; copied. */
int acs_builder_set_irq_remap(struct acs_builder *b, int on, const char *basis);
/* Free the host facts' strings. */
void acs_host_facts_free(struct acs_host_facts *h);
/* Something the source read but cannot vouch for (a file that may have
 * been cut where its format cannot tell): the fabric keeps it, the CLI
 * prints it. */
int acs_builder_warn(struct acs_builder *b, const char *fmt, ...) ACS_PRINTF(2, 3);
/* Domain `domain` is behind the VMD endpoint ep_domain:ep_bus:ep_dev.ep_fn
 * (acs_builder_finish() checks that the endpoint is there). */
int acs_builder_add_vmd(struct acs_builder *b, uint32_t domain, uint32_t ep_domain,
			uint8_t ep_bus, uint8_t ep_dev, uint8_t ep_fn);
/* The VMD endpoint whose domain fn is in (its index), or -1. */
long acs_fabric__vmd_owner(const acs_fabric *f, const struct acs_func *fn);
/* Consumes the builder whatever the result. */
int acs_builder_finish(acs_fabric **out, struct acs_builder *b);
void acs_builder_cleanup(struct acs_builder *b);

/* Decoding of one function's config space (model/decode.c). */
int acs_decode_func(struct acs_func *out, const struct acs_raw_func *raw,
		    const char *origin);

/* Topology checks and indexes (model/fabric.c). */
int acs_fabric__index(acs_fabric *f, const char *origin);

/* Little-endian readers over a config buffer; the caller checks bounds. */
static inline uint16_t acs_rd16(const uint8_t *p, unsigned off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static inline uint32_t acs_rd32(const uint8_t *p, unsigned off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
	       (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

/* The same over a function's config space: what was not stored reads 0. */
static inline uint16_t acs_func_cfg16(const struct acs_func *fn, unsigned off)
{
	return (uint16_t)(acs_func_cfg_byte(fn, off) | acs_func_cfg_byte(fn, off + 1) << 8);
}

static inline uint32_t acs_func_cfg32(const struct acs_func *fn, unsigned off)
{
	return (uint32_t)acs_func_cfg16(fn, off) | (uint32_t)acs_func_cfg16(fn, off + 2) << 16;
}

/* A function that takes part in P2P (plan.c, audit.c): not a bridge, not
 * a host bridge. */
static inline bool acs_func_is_peer(const struct acs_func *fn)
{
	return !fn->is_bridge && fn->class_code >> 8 != ACS_PCI_CLASS_BRIDGE_HOST;
}

/* Whether Egress Control on in (set, and its vector's bit for out's Port
 * Number set) blocks peer requests from in to out (analysis/p2p.c). */
bool acs_egress_blocks(const struct acs_func *in, const struct acs_func *out);

/* acs_audit_run() against g, the groups the policy predicts for f
 * (acs_groups_compute()), at the places scope marks (per function: a
 * switch's upstream port, a device's first function) and the routes'
 * findings alone: no issues, sites, stale or conservative findings. What
 * a plan's check of a candidate needs (analysis/audit.c, plan.c). */
struct acs_audit;
struct acs_groups;
int acs_audit_run_scoped(struct acs_audit **out, const acs_fabric *f, const struct acs_groups *g,
			 const acs_policy *hw, const uint8_t *scope);
/* acs_audit_run() against g, the groups the policy predicts for f, with
 * every finding but no issues or sites (acs_audit_issue_count() 0): what
 * acsctl plan's audit after prints (analysis/audit.c, plan-result.c). */
int acs_audit_run_findings(struct acs_audit **out, const acs_fabric *f, const struct acs_groups *g,
			   const acs_policy *hw);
/* The places (scope[i] = 1) whose findings ACS changes ch[0..nch-1] of f
 * can alter: at and below each changed slot, and its slots above
 * (analysis/plan.c; test_audit checks the rest are before's). */
struct acs_ctrl_change;
int acs_change_scope(const acs_fabric *f, const struct acs_ctrl_change *ch, size_t nch, uint8_t *scope);

/* acs_plan_compute_flags(), and where before_out is not NULL the
 * groups the policy predicts for the fabric before, where the plan
 * computed them (truthful plans; else NULL), the caller's to free
 * (analysis/plan.c, plan-result.c). */
struct acs_plan;
int acs_plan__compute(struct acs_plan **out, const acs_fabric *f, const acs_policy *p,
		      const struct acs_requirement *reqs, size_t nreqs, unsigned int flags,
		      struct acs_groups **before_out);

/* acs_whatif_run() with the P2P pairs alone (acs_whatif_p2p(); no
 * groups, isolation or audits): what a plan's opened pairs need
 * (analysis/whatif.c, plan-result.c). */
struct acs_whatif;
struct acs_whatif_opts;
int acs_whatif_run_p2p(struct acs_whatif **out, const acs_fabric *before, const acs_policy *before_policy,
		       const acs_fabric *after, const acs_policy *after_policy, const struct acs_whatif_opts *opts);

char *acs_strdup(const char *s);
/* The M32/M64 segment of a PHB that holds addr, -1 outside (policy/pe-platform.c). */
struct acs_platform;
long acs_pe_addr_segment(const struct acs_platform *p, uint32_t domain, uint64_t addr, bool m64);
/* A number with an optional K/M/G/T suffix, from len bytes of s. */
bool acs_parse_size(const char *s, size_t len, uint64_t *out);

/* A growable list of one-line messages (notes, facts, conflicts). */
struct acs_lines {
	char **v;
	size_t n;
};
int acs_lines_add(struct acs_lines *l, const char *fmt, ...) ACS_PRINTF(2, 3);
void acs_lines_free(struct acs_lines *l);

/* model/edit.c: a copy of f with 16-bit words written into config space. */
struct acs_cfg16_write {
	size_t index;          /* the function */
	unsigned offset;       /* byte offset in its config space */
	uint16_t value;
};
int acs_fabric__with_cfg16(acs_fabric **out, const acs_fabric *f,
			   const struct acs_cfg16_write *w, size_t n);
/*
 * model/edit.c: f with changed ACS control words, as
 * acs_fabric_with_acs_ctrl() makes it, but a view: it borrows f's arrays
 * and holds f (an acs_fabric_free() of f before the view's leaves f to
 * the view's), and owns only its functions' records, when there are
 * changes, and the config bytes of the changed functions. O(n) memcpy
 * where the copy rebuilds the fabric. Its kgroups may be set. Freed with
 * acs_fabric_free().
 */
int acs_fabric__view_with_acs_ctrl(acs_fabric **out, const acs_fabric *f,
				   const struct acs_ctrl_change *changes, size_t n);

/* policy/iommu.c: the rank of the IOMMU unit whose registration probes
 * fn (lower first); functions of one rank are probed in bus order. */
unsigned acs_policy__iommu_unit(const acs_policy *policy, const acs_fabric *fabric,
				const struct acs_func *fn);
/* policy/p2pdma.c: pci_p2pdma_whitelist[] of the policy's kernel */
bool acs_policy__p2pdma_host_allowed(const acs_policy *p, uint16_t vendor,
				     uint16_t device, bool same_host_bridge);
/* The commit that put vendor:device on the list ("" for an entry older
 * than every modelled kernel), or NULL when the policy's list lacks it. */
const char *acs_policy__p2pdma_host_commit(const acs_policy *p, uint16_t vendor,
					   uint16_t device);

/* Unit tests only (the CLI has no way to it): let apply and rollback run
 * on a sysfs tree that is not the kernel's (actions/apply.c). */
void acs_apply__test_any_sysfs(bool on);
/* ... and read processes' open files under PROC (NULL: "/proc"). */
void acs_apply__test_proc(const char *proc);
/* The journal's parse alone, over TEXT, as rollback does it for SYSFS
 * (fuzz/fuzz-journal.c): 0 and the counts of changes and drivers, or an
 * error set. */
int acs_journal__parse(const char *text, const char *sysfs, size_t *nch, size_t *ndrv);

#endif
