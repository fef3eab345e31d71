/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/pe.h
 * @brief Partitionable endpoints (IBM POWER host bridges: p7ioc, PHB3,
 * PHB4): where isolation comes from PEs, not ACS. One PCI domain per PHB.
 * This header brings in the four parts:
 * - acsctl/pe-platform.h: platforms, their PHBs' PE and MMIO facts, `--phb`
 * - acsctl/pe-assign.h: PE assignment, the PE table, SR-IOV, PE groups
 * - acsctl/pe-check.h: segments and isolation findings
 * - acsctl/pe-allocate.h: BAR placement in segmented windows
 */
#ifndef ACSCTL_PE_H
#define ACSCTL_PE_H

#include "acsctl/pe-platform.h"
#include "acsctl/pe-assign.h"
#include "acsctl/pe-check.h"
#include "acsctl/pe-allocate.h"

#endif
