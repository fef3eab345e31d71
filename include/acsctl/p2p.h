/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/p2p.h
 * @brief Peer-to-peer: where a request from one function to another's
 * memory turns around in the fabric (and whether the IOMMU sees it), and
 * the kernel's P2PDMA verdict (pci_p2pdma_distance()) for a policy.
 */
#ifndef ACSCTL_P2P_H
#define ACSCTL_P2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACS_P2P_MAX_PATH 520

/** How a request from a to b's memory travels, by the fabric's ACS. */
struct acs_reach {
	bool direct;          /**< turns around below the root complex: the
				   IOMMU never sees untranslated requests */
	bool translated;      /**< translated (ATS) requests go direct
				   (Direct Translated P2P), untranslated do not */
	long turn;            /**< where it turns: the upstream port or bridge
				   whose bus joins them, or the function that
				   holds both; -1: through the root complex */
	long ingress;         /**< the port (or function) whose ACS decides */
	uint16_t missing;     /**< ACS bits that would stop it (on ingress) */
	const char *why;      /**< in words */
	bool unknown;         /**< it depends on state the source could not
				   read (acs_unknown_add() names it): `direct`
				   is then the worse case, true */
};

/**
 * Route a request from function a to function b's memory, with the
 * hardware's ACS (the policy's quirks count: they are facts about devices;
 * an override does not).
 */
void acs_route_reach(const acs_fabric *fabric, const acs_policy *policy,
		     size_t a, size_t b, struct acs_reach *out);

/**
 * Route the completions function `completer` returns to `requester` (by
 * ID): they meet where requests between the two meet, and turn there
 * unless the port they enter by redirects them (CmpltRedir; Egress
 * Control is for requests). Completions turn by themselves: a request
 * the root complex sent back down is still answered directly unless
 * CmpltRedir is set. `translated` is false; `missing` is CR.
 */
void acs_route_completions(const acs_fabric *fabric, const acs_policy *policy,
			   size_t completer, size_t requester, struct acs_reach *out);

/**
 * Where two functions' paths meet, in `nvidia-smi topo -m`'s words: the
 * bus tree alone, whatever ACS does (acs_route_reach() says where ACS
 * sends a request up instead). A switch counts once, its upstream port
 * and downstream ports together; a bridge to conventional PCI counts as
 * one.
 */
enum acs_p2p_class {
	ACS_P2P_CLASS_SELF = 1,  /**< X: the same function */
	ACS_P2P_CLASS_PIX = 2,   /**< at most one switch (or bridge) between them */
	ACS_P2P_CLASS_PXB = 3,   /**< several switches, below the host bridge */
	ACS_P2P_CLASS_PHB = 4,   /**< through the host bridge of one root bus */
	ACS_P2P_CLASS_NODE = 5,  /**< between host bridges of one NUMA node */
	ACS_P2P_CLASS_SYS = 6,   /**< between NUMA nodes (QPI/UPI, Infinity Fabric) */
	ACS_P2P_CLASS_XHB = 7,   /**< between host bridges, a NUMA node not
				      known: NODE or SYS */
};

/**
 * The class of the path between functions a and b (enum acs_p2p_class).
 * NODE and SYS compare the functions' NUMA nodes (struct
 * acs_func.numa_node); where either is unknown it is XHB.
 */
int acs_p2p_class(const acs_fabric *fabric, size_t a, size_t b);

/** "PIX", "PHB", ...: nvidia-smi's code ("X" for SELF); NULL for none. */
const char *acs_p2p_class_name(int cls);

/** pci_p2pdma_map_type */
enum acs_p2p_map {
	ACS_P2P_BUS_ADDR = 1,          /**< through a common upstream switch */
	ACS_P2P_THRU_HOST_BRIDGE = 2,  /**< through the root complex, allowed */
	ACS_P2P_NOT_SUPPORTED = 3,
};

/** Whether the CPU is one the kernel trusts for P2P through the host
 * bridge (cpu_supports_p2pdma(): AMD Zen and later). */
enum acs_p2p_cpu {
	ACS_P2P_CPU_UNKNOWN = 0,   /**< taken as not trusted */
	ACS_P2P_CPU_AMD_ZEN = 1,
	ACS_P2P_CPU_OTHER = 2,
};

struct acs_p2pdma {
	int map;                             /**< enum acs_p2p_map */
	int distance;                        /**< as pci_p2pdma_distance() */
	size_t npath;                        /**< a, bridges up, bridges down, b */
	uint32_t path[ACS_P2P_MAX_PATH];
	bool common_upstream;                /**< they share an upstream bridge */
	size_t nredirect;                    /**< bridges with RR/CR/EC on the path */
	uint32_t redirect[ACS_P2P_MAX_PATH];
};

/**
 * calc_map_type_and_dist() of the policy's kernel for provider and client.
 */
void acs_p2pdma_distance(const acs_fabric *fabric, const acs_policy *policy,
			 int cpu, size_t provider, size_t client,
			 struct acs_p2pdma *out);

/** Whether Debian's build of this kernel has CONFIG_PCI_P2PDMA. */
bool acs_policy_p2pdma_built(const acs_policy *policy);

/**
 * The CPU of the fabric's host as cpu_supports_p2pdma() sees it, from the
 * host facts (acs_fabric_cpu_vendor()): AMD family 0x17 (Zen) or later,
 * another CPU, or ACS_P2P_CPU_UNKNOWN when the source did not read the
 * host's CPU (a dump, a snapshot without its `# host:` line).
 * @return enum acs_p2p_cpu
 */
int acs_p2p_cpu(const acs_fabric *fabric);

/** Where acs_p2pdma_built() took its answer from. */
enum acs_p2pdma_from {
	ACS_P2PDMA_FROM_HOST = 1,    /**< the running kernel's own config */
	ACS_P2PDMA_FROM_POLICY = 2,  /**< the kernel as Debian builds it */
};

/**
 * Whether the kernel has P2PDMA at all: the host's running kernel where
 * the fabric knows its config (acs_fabric_kernel_p2pdma()), else the
 * policy's kernel as Debian builds it.
 * @param from receives enum acs_p2pdma_from; may be NULL.
 */
bool acs_p2pdma_built(const acs_fabric *fabric, const acs_policy *policy, int *from);

#ifdef __cplusplus
}
#endif
#endif
