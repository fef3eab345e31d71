/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/acsctl.h
 * @brief libacsctl: PCIe ACS, IOMMU groups and P2P, predicted from a
 * fabric as a given Linux kernel would see it.
 */
#ifndef ACSCTL_ACSCTL_H
#define ACSCTL_ACSCTL_H

#include "acsctl/error.h"
#include "acsctl/fabric.h"
#include "acsctl/policy.h"
#include "acsctl/groups.h"
#include "acsctl/snapshot.h"
#include "acsctl/topology.h"
#include "acsctl/synth.h"
#include "acsctl/boot.h"
#include "acsctl/explain.h"
#include "acsctl/p2p.h"
#include "acsctl/audit.h"
#include "acsctl/unknown.h"
#include "acsctl/plan.h"
#include "acsctl/live.h"
#include "acsctl/whatif.h"
#include "acsctl/diff.h"
#include "acsctl/vfio.h"
#include "acsctl/apply.h"
#include "acsctl/pe.h"
#include "acsctl/bars.h"
#include "acsctl/rdma-topo.h"

#endif
