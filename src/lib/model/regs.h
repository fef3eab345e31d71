/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config-space registers: offsets, capability IDs and bits, as pciutils'
 * lib/header.h and the kernel's pci_regs.h name them, with ACS_ before
 * the name (libpci's own PCI_* names come in with <pci/pci.h> in the
 * files that use libpci). Every offset and bit the library reads or
 * writes is named here; the ACS control bits themselves (ACS_SV ..
 * ACS_DT) are public, in acsctl/fabric.h. Offsets in a capability are
 * from its start (the position its list gives).
 */
#ifndef ACSCTL_MODEL_REGS_H
#define ACSCTL_MODEL_REGS_H

#include "acsctl/fabric.h"

/* Config space sizes: the header (lspci -x), the standard space (-xxx)
 * and the extended one (-xxxx). */
#define ACS_CFG_HEADER 64
#define ACS_CFG_STD 256
#define ACS_CFG_EXT 4096

/* The header, every type */
#define ACS_PCI_VENDOR_ID 0x00
#define ACS_PCI_DEVICE_ID 0x02
#define ACS_PCI_STATUS 0x06
#define  ACS_PCI_STATUS_CAP_LIST 0x10
#define ACS_PCI_CLASS_REVISION 0x08       /* 32 bits: the class code above the revision */
#define ACS_PCI_REVISION_ID 0x08
#define ACS_PCI_CLASS_PROG 0x09           /* prog-if, sub-class, base class */
#define ACS_PCI_HEADER_TYPE 0x0e
#define  ACS_PCI_HEADER_TYPE_MASK 0x7f
#define  ACS_PCI_HEADER_MULTIFUNCTION 0x80
#define  ACS_PCI_HEADER_TYPE_NORMAL 0
#define  ACS_PCI_HEADER_TYPE_BRIDGE 1
#define  ACS_PCI_HEADER_TYPE_CARDBUS 2
#define ACS_PCI_BASE_ADDRESS_0 0x10       /* six BARs (type 0), two (type 1) */
#define  ACS_PCI_BASE_ADDRESS_SPACE_IO 0x01
#define  ACS_PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define  ACS_PCI_BASE_ADDRESS_MEM_TYPE_1M 0x02
#define  ACS_PCI_BASE_ADDRESS_MEM_TYPE_64 0x04
#define  ACS_PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define  ACS_PCI_BASE_ADDRESS_MEM_FLAGS 0x0fu   /* what is not address in a memory BAR */
#define  ACS_PCI_BASE_ADDRESS_IO_FLAGS 0x03u    /* ... in an I/O BAR */
/* the BARs of a header type: 6, 2, none */
#define ACS_PCI_NUM_BARS(header_type) \
	((header_type) == ACS_PCI_HEADER_TYPE_NORMAL ? 6u : (header_type) == ACS_PCI_HEADER_TYPE_BRIDGE ? 2u : 0u)
#define ACS_PCI_CAPABILITY_LIST 0x34      /* types 0 and 1 */

/* Type 0 */
#define ACS_PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define ACS_PCI_SUBSYSTEM_ID 0x2e

/* Type 1: PCI-to-PCI bridges */
#define ACS_PCI_PRIMARY_BUS 0x18
#define ACS_PCI_SECONDARY_BUS 0x19
#define ACS_PCI_SUBORDINATE_BUS 0x1a
#define ACS_PCI_SEC_LATENCY_TIMER 0x1b
#define ACS_PCI_MEMORY_BASE 0x20          /* 16 bits: address 31:20 in 15:4 */
#define ACS_PCI_MEMORY_LIMIT 0x22
#define  ACS_PCI_MEMORY_RANGE_MASK 0xfff0u
#define ACS_PCI_PREF_MEMORY_BASE 0x24
#define ACS_PCI_PREF_MEMORY_LIMIT 0x26
#define  ACS_PCI_PREF_RANGE_TYPE_MASK 0x0fu
#define  ACS_PCI_PREF_RANGE_TYPE_64 0x01u
#define ACS_PCI_PREF_BASE_UPPER32 0x28
#define ACS_PCI_PREF_LIMIT_UPPER32 0x2c

/* Type 2: CardBus bridges */
#define ACS_PCI_CB_CAPABILITY_LIST 0x14
#define ACS_PCI_CB_SUBSYSTEM_VENDOR_ID 0x40
#define ACS_PCI_CB_SUBSYSTEM_ID 0x42

/* Class codes (base class and sub-class) */
#define ACS_PCI_CLASS_BRIDGE_HOST 0x0600
#define ACS_PCI_CLASS_SYSTEM_IOMMU 0x0806  /* PCI_CLASS_SYSTEM_IOMMU: an IOMMU's own function (AMD-Vi) */
#define ACS_PCI_CLASS_BRIDGE_PCI 0x0604
#define ACS_PCI_CLASS_BRIDGE_CARDBUS 0x0607
#define ACS_PCI_CLASS_BRIDGE_PCI_SEMI 0x0609  /* semi-transparent PCI-to-PCI */

/* Standard capabilities: an ID byte, then the next one's offset */
#define ACS_PCI_CAP_LIST_ID 0
#define ACS_PCI_CAP_LIST_NEXT 1
#define ACS_PCI_CAP_ID_SSVID 0x0d         /* bridge subsystem vendor/device IDs */
#define ACS_PCI_CAP_ID_EXP 0x10           /* PCI Express */
#define ACS_PCI_SSVID_VENDOR_ID 4
#define ACS_PCI_SSVID_DEVICE_ID 6

/* The PCI Express capability */
#define ACS_PCI_EXP_FLAGS 0x02
#define  ACS_PCI_EXP_FLAGS_VERS 0x000f
#define  ACS_PCI_EXP_FLAGS_TYPE_SHIFT 4   /* enum acs_pcie_type, 4 bits */
#define  ACS_PCI_EXP_FLAGS_SLOT 0x0100
#define  ACS_PCI_EXP_FLAGS_IRQ_SHIFT 9    /* interrupt message number, 5 bits */
#define ACS_PCI_EXP_LNKCAP 0x0c
#define  ACS_PCI_EXP_LNKCAP_PN_BYTE 3     /* Port Number: bits 31:24, its own byte */
#define ACS_PCI_EXP_LNKSTA 0x12
/* Link Capabilities and Link Status share the low bits' layout */
#define  ACS_PCI_EXP_LNK_SPEED 0x000f      /* Max / Current Link Speed */
#define  ACS_PCI_EXP_LNK_WIDTH 0x03f0      /* Maximum / Negotiated Link Width */
#define  ACS_PCI_EXP_LNK_WIDTH_SHIFT 4
#define ACS_PCI_EXP_SIZEOF 0x3c           /* the capability through Slot Status 2 */

/* Extended capabilities, from 0x100: a 32-bit header each */
#define ACS_PCI_EXT_CAP_ID(header) ((header) & 0xffffu)
#define ACS_PCI_EXT_CAP_VER(header) (((header) >> 16) & 0xfu)
#define ACS_PCI_EXT_CAP_NEXT(header) (((header) >> 20) & 0xffcu)
#define ACS_PCI_EXT_CAP_HEADER(id, ver, next) \
	((uint32_t)(id) | (uint32_t)((ver) & 0xfu) << 16 | (uint32_t)(next) << 20)
#define ACS_PCI_EXT_CAP_ID_ACS 0x0d
#define ACS_PCI_EXT_CAP_ID_ATS 0x0f
#define ACS_PCI_EXT_CAP_ID_SRIOV 0x10

/* Access Control Services */
#define ACS_PCI_ACS_CAP 0x04              /* the flags it has; bits 15:8 the egress vector's size */
#define  ACS_PCI_ACS_EGRESS_BITS_SHIFT 8  /* 0: 256 bits */
#define ACS_PCI_ACS_CTRL 0x06
/* the seven flags ACS defines (SV TB RR CR UF EC DT); bits 15:7 of the
 * control register are not ACS controls */
#define  ACS_PCI_ACS_FLAGS (ACS_SV | ACS_TB | ACS_RR | ACS_CR | ACS_UF | ACS_EC | ACS_DT)
#define ACS_PCI_ACS_EGRESS_CTL_V 0x08     /* the egress control vector, where EC is implemented */
#define ACS_PCI_ACS_SIZEOF 8              /* without the vector */

/* Address Translation Services */
#define ACS_PCI_ATS_CTRL 0x06
#define  ACS_PCI_ATS_CTRL_ENABLE 0x8000
#define ACS_PCI_ATS_SIZEOF 8

/* Single Root I/O Virtualization */
#define ACS_PCI_SRIOV_CTRL 0x08
#define ACS_PCI_SRIOV_INITIAL_VF 0x0c
#define ACS_PCI_SRIOV_TOTAL_VF 0x0e
#define ACS_PCI_SRIOV_NUM_VF 0x10
#define ACS_PCI_SRIOV_FUNC_LINK 0x12
#define ACS_PCI_SRIOV_VF_OFFSET 0x14
#define ACS_PCI_SRIOV_VF_STRIDE 0x16
#define ACS_PCI_SRIOV_VF_DID 0x1a
#define ACS_PCI_SRIOV_BAR 0x24            /* six VF BARs */
#define ACS_PCI_SRIOV_SIZEOF 0x40

#endif
