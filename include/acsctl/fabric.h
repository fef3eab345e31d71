/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/fabric.h
 * @brief The fabric: every PCI function of a host with what its config space
 * says, and the tree the bridges make. Built once by a source, read-only
 * afterwards.
 */
#ifndef ACSCTL_FABRIC_H
#define ACSCTL_FABRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** PCI Express device/port type (PCI_EXP_FLAGS_TYPE), or ACS_PCIE_NONE. */
enum acs_pcie_type {
	ACS_PCIE_NONE = -1,       /**< conventional PCI / PCI-X, or unknown */
	ACS_PCIE_ENDPOINT = 0x0,
	ACS_PCIE_LEG_END = 0x1,
	ACS_PCIE_ROOT_PORT = 0x4,
	ACS_PCIE_UPSTREAM = 0x5,
	ACS_PCIE_DOWNSTREAM = 0x6,
	ACS_PCIE_PCI_BRIDGE = 0x7,   /**< PCIe to PCI/PCI-X bridge */
	ACS_PCIE_PCIE_BRIDGE = 0x8,  /**< PCI/PCI-X to PCIe bridge */
	ACS_PCIE_RC_END = 0x9,       /**< root complex integrated endpoint */
	ACS_PCIE_RC_EC = 0xa,        /**< root complex event collector */
};

/** ACS capability and control bits (PCI_ACS_CAP_* / PCI_ACS_CTRL_*). */
enum acs_bits {
	ACS_SV = 0x0001,  /**< Source Validation (SrcValid) */
	ACS_TB = 0x0002,  /**< Translation Blocking (TransBlk) */
	ACS_RR = 0x0004,  /**< P2P Request Redirect (ReqRedir) */
	ACS_CR = 0x0008,  /**< P2P Completion Redirect (CmpltRedir) */
	ACS_UF = 0x0010,  /**< Upstream Forwarding (UpstreamFwd) */
	ACS_EC = 0x0020,  /**< P2P Egress Control (EgressCtrl) */
	ACS_DT = 0x0040,  /**< Direct Translated P2P (DirectTrans) */
};

/** What a function's source could read; a bit clear means "unknown". */
enum acs_known {
	ACS_KNOWN_HEADER = 0x01,   /**< the 64-byte header */
	ACS_KNOWN_CAPS = 0x02,     /**< the whole standard capability list */
	ACS_KNOWN_EXT = 0x04,      /**< extended config space (ACS, ATS, SR-IOV) */
	ACS_KNOWN_DRIVER = 0x08,   /**< driver binding */
};

/**
 * One PCI function. Fields are filled from config space when the source
 * has it; `known` says which parts could be read, so "unknown" is never
 * mistaken for zero.
 */
struct acs_func {
	uint32_t domain;
	uint8_t bus, dev, fn;
	uint8_t header_type;       /**< without the multifunction bit */
	uint16_t vendor_id, device_id;
	uint16_t subsys_vendor, subsys_device; /**< 0 when none */
	uint32_t class_code;       /**< base << 16 | sub << 8 | prog-if */
	uint8_t revision;
	bool multifunction;        /**< as the kernel's slot scan sets it */
	bool is_bridge;            /**< type 1 header with a secondary bus */
	int8_t pcie_type;          /**< enum acs_pcie_type */
	uint8_t primary, secondary, subordinate;  /**< bridges only */
	uint16_t pcie_pos;         /**< PCI Express capability offset or 0 */
	uint16_t acs_pos;          /**< ACS extended capability offset or 0 */
	uint16_t acs_cap, acs_ctrl;
	uint8_t acs_egress_bits;   /**< egress control vector size */
	uint16_t ats_pos;          /**< ATS extended capability offset or 0 */
	uint16_t sriov_pos;        /**< SR-IOV extended capability offset or 0 */
	uint16_t sriov_total_vfs, sriov_num_vfs;
	uint16_t sriov_offset, sriov_stride;  /**< First VF Offset, VF Stride */
	uint16_t sriov_vf_device;  /**< VF Device ID */
	bool is_virtfn;            /**< an SR-IOV VF, found from its PF */
	uint32_t known;            /**< enum acs_known */
	uint16_t cfg_len;          /**< bytes of config space the source had */
	uint16_t cfg_stored;       /**< bytes kept in cfg: the rest of cfg_len
				        was zero and reads as zero */
	const uint8_t *cfg;        /**< the bytes; owned by the fabric */
	const char *driver;        /**< bound driver, NULL when none/unknown */
	int32_t numa_node;         /**< NUMA node, -1 when none or unknown */
	uint64_t bar_size[6];      /**< BAR sizes (sysfs); 0 where unknown: config space has none */
	uint64_t vf_bar_size[6];   /**< PFs: one VF's size of each VF BAR (from a VF's sysfs
				        resources, a topology); 0 unknown */
};

/** Where a fabric came from. */
enum acs_source_kind {
	ACS_SOURCE_SYSFS = 1,  /**< a live (or captured) sysfs tree, via libpci */
	ACS_SOURCE_DUMP = 2,   /**< an lspci -x/-xxx/-xxxx hex dump */
	ACS_SOURCE_LSPCI = 3,  /**< lspci -v/-vv/-vvv text (no hex) */
	ACS_SOURCE_FILE = 4,   /**< a file of any kind: detected by content */
	ACS_SOURCE_SNAPSHOT = 5, /**< an acsctl snapshot (doc/snapshot.md) */
	ACS_SOURCE_TOPOLOGY = 6, /**< a topology file (doc/topology.md) */
	ACS_SOURCE_RDMA_TOPO = 7, /**< an `rdma_topo dump` file (doc/rdma-topo-dump.md) */
};

/** What the source knows of the kernel's own IOMMU groups. */
enum acs_kernel_groups {
	ACS_KGROUPS_UNKNOWN = 0,  /**< the source cannot tell (a dump) */
	ACS_KGROUPS_NONE = 1,     /**< no groups: the IOMMU is off */
	ACS_KGROUPS_PRESENT = 2,  /**< the kernel formed groups */
};

typedef struct acs_fabric acs_fabric;

#define ACS_LOAD_OPTS_VERSION 2

/** What a file source reads at most by default: 1 GiB. */
#define ACS_LOAD_MAX_INPUT (1024ull << 20)

/** Options of acs_fabric_load(); start from ACS_LOAD_OPTS_INIT. */
typedef struct acs_load_opts {
	unsigned int version;      /**< ACS_LOAD_OPTS_VERSION */
	int kind;                  /**< enum acs_source_kind */
	/** sysfs root ("/sys" when NULL) or file: "-" is standard input; a
	 * pipe, FIFO or gzip, xz or zstd file is read like a plain file */
	const char *path;
	/** bytes a file may hold (decompressed); 0: no bound */
	unsigned long long max_input;
} acs_load_opts;

#define ACS_LOAD_OPTS_INIT { ACS_LOAD_OPTS_VERSION, ACS_SOURCE_SYSFS, NULL, ACS_LOAD_MAX_INPUT }

/**
 * Load a fabric from a source.
 * @param out receives the fabric; the caller frees it with acs_fabric_free().
 *        Left NULL on failure.
 * @return 0, or a negative enum acs_error_code with acs_error_last() naming
 *         the file and device at fault.
 */
int acs_fabric_load(acs_fabric **out, const acs_load_opts *opts);

/**
 * Read a file as -F does (whole, once; "-" is standard input; gzip, xz and
 * zstd decompressed; NUL bytes and UTF-16 refused), at most limit bytes (0:
 * no bound), for the other files a command reads (a plan). *data ends with
 * a NUL; the caller frees it.
 */
int acs_read_whole(const char *path, unsigned long long limit, char **data, size_t *len);

/** Free a fabric; NULL is accepted. */
void acs_fabric_free(acs_fabric *fabric);

/** Number of functions. */
size_t acs_fabric_count(const acs_fabric *fabric);

/** Function i, 0 <= i < count, in (domain, bus, devfn) order. */
const struct acs_func *acs_fabric_func(const acs_fabric *fabric, size_t i);

/** Index of a function of this fabric. */
size_t acs_fabric_index(const acs_fabric *fabric, const struct acs_func *fn);

/** The function at an address, or NULL. O(log n). */
const struct acs_func *acs_fabric_find(const acs_fabric *fabric,
				       uint32_t domain, uint8_t bus,
				       uint8_t dev, uint8_t fn);

/** The PF of a VF, or NULL. O(1). */
const struct acs_func *acs_fabric_physfn(const acs_fabric *fabric,
					 const struct acs_func *fn);

/** The bridge whose secondary bus holds fn, or NULL on a root bus. For a
 * VF, the bridge above its PF: VFs on a bus of their own sit on a virtual
 * bus with no bridge, which the kernel's walks step over. O(1). */
const struct acs_func *acs_fabric_parent(const acs_fabric *fabric,
					 const struct acs_func *fn);

/**
 * The functions on a bridge's secondary bus: indices first .. first+count-1.
 * @return count (0 for a non-bridge or an empty bus). O(1).
 */
size_t acs_fabric_children(const acs_fabric *fabric,
			   const struct acs_func *bridge, size_t *first);

/**
 * Functions in the order the kernel adds them to the PCI bus
 * (pci_scan_child_bus(): every device of a bus, then each child bus in
 * turn, depth first; root buses in firmware's order where the source
 * shows it, acs_fabric_root_order(); VFs last), which is the order IOMMU
 * groups are allocated in.
 * @return an array of acs_fabric_count() indices, owned by the fabric.
 */
const uint32_t *acs_fabric_kernel_order(const acs_fabric *fabric);

/** How acs_fabric_kernel_order() knows the order of the root buses. */
enum acs_root_order {
	ACS_ROOT_ORDER_ONE = 1,      /**< one root bus: nothing to order */
	ACS_ROOT_ORDER_KERNEL = 2,   /**< several, in the order the kernel's own
					  group numbers show it probed them */
	ACS_ROOT_ORDER_ASSUMED = 3,  /**< several, in (domain, number) order:
					  firmware's order is not in the source,
					  so group numbers past the first root
					  bus are uncertain */
};

/** enum acs_root_order of acs_fabric_kernel_order(). */
int acs_fabric_root_order(const acs_fabric *fabric);

/** A short description of the source ("dump FILE", "sysfs /sys"). */
const char *acs_fabric_origin(const acs_fabric *fabric);

/** enum acs_source_kind of the source. */
int acs_fabric_source_kind(const acs_fabric *fabric);

/** The running kernel's release (uname -r) when the source knows it. */
const char *acs_fabric_kernel_release(const acs_fabric *fabric);

/**
 * What the source read but cannot vouch for, one sentence each naming the
 * file and line: lspci text whose last device has no blank line after it
 * (it may have been cut there). Points to the fabric's own strings.
 */
size_t acs_fabric_warnings(const acs_fabric *fabric, const char *const **list);

/** The running kernel's command line when the source knows it. */
const char *acs_fabric_cmdline(const acs_fabric *fabric);

/**
 * Host facts: what the kernel's P2PDMA decisions depend on besides the
 * PCI functions. A source knows them when it read the running host
 * (sysfs at /sys), a captured tree that carries them (DIR/../proc,
 * DIR/../boot beside a `--sysfs DIR` named ".../sys"), or a snapshot of
 * either (its `# host:` line, doc/snapshot.md); otherwise they are
 * unknown, never guessed.
 */
/** The CPU vendor as the kernel names it (/proc/cpuinfo's vendor_id:
 * "AuthenticAMD", "GenuineIntel"); "" when the host's CPUs have none (not
 * x86); NULL when unknown. Owned by the fabric. */
const char *acs_fabric_cpu_vendor(const acs_fabric *fabric);

/** The CPU family (/proc/cpuinfo's "cpu family", x86), -1 when unknown or
 * none. */
int acs_fabric_cpu_family(const acs_fabric *fabric);

/** Whether the running kernel was built with CONFIG_PCI_P2PDMA (its
 * /boot/config-RELEASE or /proc/config.gz): 1 yes, 0 no, -1 unknown. */
int acs_fabric_kernel_p2pdma(const acs_fabric *fabric);

/** The host's identity, as a snapshot records it (doc/snapshot.md). */
enum acs_host_fact {
	ACS_HOST_NAME = 0,        /**< the host name (/proc/sys/kernel/hostname) */
	ACS_HOST_TIME,            /**< when it was read: UTC, RFC 3339 */
	ACS_HOST_PRODUCT,         /**< DMI product_name */
	ACS_HOST_BOARD,           /**< DMI board_name */
	ACS_HOST_BIOS_VENDOR,     /**< DMI bios_vendor */
	ACS_HOST_BIOS_VERSION,    /**< DMI bios_version */
	ACS_HOST_BIOS_DATE,       /**< DMI bios_date */
	ACS_HOST_SERIAL,          /**< DMI product_serial (root only; a snapshot
				       keeps it only with acsctl snapshot --serial) */
	ACS_HOST_FACT_COUNT
};

/** A host fact (enum acs_host_fact) the source knew, else NULL. Owned by
 * the fabric. */
const char *acs_fabric_host_fact(const acs_fabric *fabric, int which);

/** The snapshot header key of a host fact ("hostname", "bios-version"),
 * NULL past the end. */
const char *acs_host_fact_key(int which);

/**
 * A PCIe function's negotiated link, from its Link Status register:
 * speed as the register codes it (1 2.5GT/s, 2 5GT/s, 3 8GT/s, 4 16GT/s,
 * 5 32GT/s, 6 64GT/s) and width in lanes.
 * @return false where there is no link to read (conventional PCI, an
 * integrated endpoint, a VF, config space not read, a link down).
 */
bool acs_func_link(const struct acs_func *fn, unsigned *speed, unsigned *width);

/**
 * What a PCIe function's link can do, from its Link Capabilities register
 * (Max Link Speed, Maximum Link Width), coded as acs_func_link()'s. A
 * link below it is downgraded (lspci's word): a narrower slot, a riser,
 * a partner or a lane that trained lower.
 * @return false where config space does not hold it (as acs_func_link()).
 */
bool acs_func_link_cap(const struct acs_func *fn, unsigned *speed, unsigned *width);

/**
 * Function i's negotiated link: acs_func_link() where config space has it,
 * else what the source gave beside it (sysfs current_link_speed and
 * current_link_width, as a snapshot taken without root keeps them).
 */
bool acs_fabric_link(const acs_fabric *fabric, size_t i, unsigned *speed, unsigned *width);

/** The speed code of "8.0 GT/s PCIe", "8GT/s", "2.5": 0 when none. */
unsigned acs_link_speed_code(const char *s);

/** "8GT/s" for a Link Status speed code; NULL for a code it does not know. */
const char *acs_link_speed_name(unsigned speed);

/** enum acs_kernel_groups: whether the kernel's own groups are known. */
int acs_fabric_kernel_groups(const acs_fabric *fabric);

/** The kernel's group number of function i, or -1 when it has none. */
int acs_fabric_kernel_group(const acs_fabric *fabric, size_t i);

/**
 * What device assignment (acsctl vfio) needs beside the driver: the live
 * kernel's sysfs, or a snapshot of it, gives them; other sources do not.
 * The reset methods of function i as its sysfs `reset_method` lists them
 * ("flr bus"; Linux 5.15 on, where a function without the file has no
 * reset method): "" when it has none; "reset" on a kernel before 5.15
 * whose `reset` file says it has one without naming it; NULL when the
 * source did not read them. Owned by the fabric.
 */
const char *acs_fabric_reset_methods(const acs_fabric *fabric, size_t i);

/** The default domain type of function i's IOMMU group as
 * /sys/kernel/iommu_groups/N/type gives it ("DMA", "DMA-FQ", "identity",
 * "blocked", "unmanaged"; the file is in Linux 5.11 on), NULL when
 * unknown. Owned by the fabric. */
const char *acs_fabric_iommu_type(const acs_fabric *fabric, size_t i);

/** Interrupt remapping on the host: 1 on, 0 off, -1 unknown; *basis (may
 * be NULL) what said so ("/proc/interrupts", "ecap of dmar0"), owned by
 * the fabric, NULL when unknown. */
int acs_fabric_irq_remapping(const acs_fabric *fabric, const char **basis);

/** Number of functions whose ACS state (or caps) the source could not read. */
size_t acs_fabric_unknown_count(const acs_fabric *fabric);

/** Whether the ACS-relevant state of a function is known. */
bool acs_func_acs_known(const struct acs_func *fn);

/** One ACS control value to change in a what-if. */
struct acs_ctrl_change {
	size_t index;     /**< the function */
	uint16_t ctrl;    /**< its new ACS control register */
};

/**
 * A copy of a fabric whose functions carry the given ACS control values;
 * the original is left as it is.
 * @param out receives the copy, freed with acs_fabric_free().
 * @return 0, or ACS_EINVAL when a function has no ACS capability.
 */
int acs_fabric_with_acs_ctrl(acs_fabric **out, const acs_fabric *fabric,
			     const struct acs_ctrl_change *changes, size_t n);

/**
 * A copy of a fabric with `num_vfs` VFs enabled on the PF at `pf_index`
 * (the VFs it had are replaced).
 * @return 0, or ACS_EINVAL naming the PF (not a PF, too many VFs).
 */
int acs_fabric_with_vfs(acs_fabric **out, const acs_fabric *fabric,
			size_t pf_index, unsigned num_vfs);

/** Byte `off` of config space (0 <= off < cfg_len), stored or not. */
static inline uint8_t acs_func_cfg_byte(const struct acs_func *fn, unsigned off)
{
	return off < fn->cfg_stored ? fn->cfg[off] : 0;
}

/** Room for a function's address with its NUL: "0000:00:01.0", and up
 * to "ffffffff:ff:1f.7" (a VMD domain has 8 digits). */
#define ACS_ADDR_MAX 17

/** "0000:00:01.0" into buf (ACS_ADDR_MAX bytes); returns buf. */
char *acs_func_addr(const struct acs_func *fn, char *buf, size_t size);

/** A short name of a PCIe type ("Root Port", "Downstream Port", "PCI"). */
const char *acs_pcie_type_name(int pcie_type);

/**
 * The fabric in lspci -t's order (acsctl show, report): each root bus
 * (root() with its first function), then its functions depth first below
 * each bridge (func() with the function's index, its depth, 0 on a root
 * bus, and whether it is the last on its bus). A VF is listed below the
 * bridge above its PF. Deeper than ACS_TREE_MAX_DEPTH is not listed.
 * @return 0, or ACS_ENOMEM.
 */
#define ACS_TREE_MAX_DEPTH 260
struct acs_tree_visit {
	void (*root)(void *ctx, const struct acs_func *first);
	void (*func)(void *ctx, size_t index, size_t depth, bool last);
	void *ctx;
};
int acs_fabric_tree_walk(const acs_fabric *fabric, const struct acs_tree_visit *visit);

#ifdef __cplusplus
}
#endif
#endif
