/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/rdma-topo.h
 * @brief rdma-core's `rdma_topo dump` format (doc/rdma-topo-dump.md): a
 * JSON list, one object per function, with its sysfs path, config space
 * and VPD (zlib, then base64), modalias, IOMMU group and NUMA node.
 * acs_fabric_load() reads it (ACS_SOURCE_RDMA_TOPO, or detected);
 * acs_rdma_topo_write() writes it, for `rdma_topo -F` to read.
 */
#ifndef ACSCTL_RDMA_TOPO_H
#define ACSCTL_RDMA_TOPO_H

#include <stdio.h>

#include "acsctl/fabric.h"
#include "acsctl/groups.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Write a fabric as an rdma_topo dump: every function (rdma_topo's own
 * dump leaves some classes out), "iommu_group" the kernel's group where
 * the fabric has the kernel's groups; where it has none, the group
 * `predicted` gives (may be NULL: null then), counted in *npredicted
 * (may be NULL). "vpd" where the source had it (an rdma_topo dump:
 * carried, not modelled), "subsystems" null.
 * @return 0, or a negative enum acs_error_code (a write error).
 */
int acs_rdma_topo_write(const acs_fabric *fabric, const acs_groups *predicted, FILE *out,
			size_t *npredicted);

#ifdef __cplusplus
}
#endif
#endif
