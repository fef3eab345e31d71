/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/vfio.h
 * @brief Whether an IOMMU group can be given to one VM now (acsctl vfio):
 * each member's binding and reset methods, the IOMMU and interrupt
 * remapping, what blocks it with the command that fixes each, and the
 * libvirt and Proxmox lines that give the group's endpoints to a VM.
 *
 * The rules are the kernel's: vfio_group_viable() (Linux 5.19 on: every
 * member's driver manages its own DMA, driver_managed_dma: vfio-pci and
 * its variants, pci-stub, pcieport, or no driver; before 5.19
 * vfio_dev_driver_allowed(): pci-stub, no driver, or any driver on a
 * bridge, whose header is not type 0), vfio_iommu_type1's refusal without
 * interrupt remapping (allow_unsafe_interrupts), and a reset between
 * guests. What the source did not read is unknown, never ready.
 */
#ifndef ACSCTL_VFIO_H
#define ACSCTL_VFIO_H

#include <stdbool.h>
#include <stddef.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A verdict: the group's, a member's, an issue's. */
enum acs_vfio_verdict {
	ACS_VFIO_READY = 0,    /**< nothing in the way (an issue: a note) */
	ACS_VFIO_BLOCKED = 1,  /**< something proven in the way */
	ACS_VFIO_UNKNOWN = 3,  /**< depends on what the source did not read */
};

/** What a member is bound to. */
enum acs_vfio_binding {
	ACS_VFIO_BIND_UNKNOWN = 0, /**< the source has no drivers (a dump) */
	ACS_VFIO_BIND_VFIO,        /**< vfio-pci or a variant driver (mlx5_vfio_pci ...) */
	ACS_VFIO_BIND_STUB,        /**< pci-stub */
	ACS_VFIO_BIND_NONE,        /**< no driver */
	ACS_VFIO_BIND_PORT,        /**< pcieport: manages no DMA (5.19's driver_managed_dma) */
	ACS_VFIO_BIND_HOST,        /**< any other driver: the host uses the device */
};

/** A member's part in the assignment. */
enum acs_vfio_role {
	ACS_VFIO_ENDPOINT = 1,   /**< goes to the VM (every type 0 function but host bridges) */
	ACS_VFIO_HOST_SIDE = 2,  /**< stays with the host: a bridge (header not type 0) or a host bridge */
};

/** One member of the group; strings owned by the result. */
typedef struct acs_vfio_member {
	size_t index;          /**< the function */
	int role;              /**< enum acs_vfio_role */
	int binding;           /**< enum acs_vfio_binding */
	const char *driver;    /**< the bound driver's name; NULL none or unknown */
	const char *reset;     /**< acs_fabric_reset_methods(): NULL unknown, "" none */
	int verdict;           /**< enum acs_vfio_verdict of this member alone */
} acs_vfio_member;

/** What an issue is about. */
enum acs_vfio_issue_kind {
	ACS_VFIO_ISSUE_IOMMU = 1,     /**< the IOMMU is off or not known */
	ACS_VFIO_ISSUE_IRQ_REMAP,     /**< interrupt remapping off or not known */
	ACS_VFIO_ISSUE_GROUP,         /**< the group is a prediction, or uncertain */
	ACS_VFIO_ISSUE_DRIVER,        /**< a member's binding */
	ACS_VFIO_ISSUE_RESET,         /**< an endpoint's reset methods */
	ACS_VFIO_ISSUE_NO_ENDPOINT,   /**< nothing in the group to assign */
};

/** Something in the way (or a note); strings owned by the result. */
typedef struct acs_vfio_issue {
	int kind;              /**< enum acs_vfio_issue_kind */
	int verdict;           /**< ACS_VFIO_BLOCKED, ACS_VFIO_UNKNOWN, or ACS_VFIO_READY for a note */
	long member;           /**< index into the members, -1 for the host or group */
	const char *text;      /**< one sentence */
	const char *fix;       /**< the command or setting that fixes it now; NULL none */
	const char *at_boot;   /**< the same made to last across boots; NULL none */
} acs_vfio_issue;

/** What the result knows of the IOMMU. */
enum acs_vfio_iommu {
	ACS_VFIO_IOMMU_UNKNOWN = 0,  /**< the source cannot tell (a dump, lspci text without groups) */
	ACS_VFIO_IOMMU_OFF,          /**< no IOMMU groups: the kernel's IOMMU is off */
	ACS_VFIO_IOMMU_ON,           /**< the kernel formed groups */
};

typedef struct acs_vfio acs_vfio;

/**
 * Judge one group: device's (>= 0), else the group numbered group (the
 * kernel's number where the source has the kernel's groups, otherwise
 * the predicted one, which the result says).
 * @param out the result, freed with acs_vfio_free(); NULL on failure.
 * @return 0; ACS_ENOTFOUND when no function has that group number;
 *         ACS_ENOMEM.
 */
int acs_vfio_compute(acs_vfio **out, const acs_fabric *fabric, const acs_policy *policy,
		     long device, long group);

/** Free a result; NULL is accepted. */
void acs_vfio_free(acs_vfio *v);

/** enum acs_vfio_verdict of the whole group: BLOCKED beats UNKNOWN beats READY. */
int acs_vfio_verdict(const acs_vfio *v);

/** The group's number; *kernel (may be NULL): whether it is the kernel's
 * own (false: acsctl's prediction, the kernel's groups not in the source). */
long acs_vfio_group(const acs_vfio *v, bool *kernel);

/** enum acs_vfio_iommu; *type (may be NULL): the group's default domain
 * type (acs_fabric_iommu_type()), NULL unknown; owned by the result. */
int acs_vfio_iommu(const acs_vfio *v, const char **type);

/** The members in address order. */
size_t acs_vfio_members(const acs_vfio *v, const acs_vfio_member **list);

/** Blockers, unknowns and notes, in the order a person fixes them: the
 * host first, then each member. */
size_t acs_vfio_issues(const acs_vfio *v, const acs_vfio_issue **list);

/** The libvirt domain XML for the group's endpoints: one
 * `<hostdev mode='subsystem' type='pci' managed='yes'>` element each,
 * newline-separated; "" when there is none. Owned by the result. */
const char *acs_vfio_libvirt(const acs_vfio *v);

/** The Proxmox VE lines (qm.conf) for the endpoints: `hostpciN: ADDR`, a
 * slot all of whose functions go along as `DDDD:BB:DD` (all functions),
 * else one line per function. Owned by the result. */
size_t acs_vfio_proxmox(const acs_vfio *v, const char *const **lines);

/** The name of a binding ("vfio", "pci-stub", "none", "pcieport", "host",
 * "unknown"), a role ("endpoint", "host-side"), an issue kind ("iommu",
 * "irq-remapping", "group", "driver", "reset", "no-endpoint") and a
 * verdict ("ready", "blocked", "unknown"), as -j and -m print them. */
const char *acs_vfio_binding_name(int binding);
const char *acs_vfio_role_name(int role);
const char *acs_vfio_issue_kind_name(int kind);
const char *acs_vfio_verdict_name(int verdict);

#ifdef __cplusplus
}
#endif
#endif
