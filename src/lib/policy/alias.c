/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DMA requester-ID aliases: pci_for_each_dma_alias() (drivers/pci/search.c)
 * and pci_devs_are_dma_aliases() (drivers/pci/pci.c).
 */
#include "policy/policy-internal.h"

size_t acs_policy_dma_aliases(const acs_policy *policy,
			      const acs_fabric *fabric, size_t index,
			      uint32_t *out, size_t max, bool *uncertain)
{
	const struct acs_func *fn = acs_fabric_func(fabric, index);
	const struct acs_func *br;
	size_t n = 0;

	(void)policy;
	if (n < max)
		out[n] = (uint32_t)index;
	n++;
	for (br = acs_fabric_parent(fabric, fn); br;
	     br = acs_fabric_parent(fabric, br)) {
		if (!(br->known & ACS_KNOWN_CAPS))
			*uncertain = true;
		/* PCIe ports forward the requester ID unchanged, and so, as
		 * far as the kernel goes, does a PCIe bridge of any other
		 * type. A PCIe-to-PCI bridge takes ownership of transactions
		 * (secondary bus, devfn 0); a PCI-to-PCIe bridge and a
		 * conventional one use their own ID. Either way the bridge is
		 * the alias visited. */
		if (br->pcie_type != ACS_PCIE_NONE &&
		    br->pcie_type != ACS_PCIE_PCI_BRIDGE &&
		    br->pcie_type != ACS_PCIE_PCIE_BRIDGE)
			continue;
		if (n < max)
			out[n] = (uint32_t)acs_fabric_index(fabric, br);
		n++;
	}
	return n;
}

bool acs_policy_devs_alias(const acs_policy *policy, const acs_fabric *fabric,
			   size_t a, size_t b)
{
	/* Only quirked devices carry alias masks or a separate DMA device;
	 * without one, two functions never alias each other. */
	(void)policy;
	(void)fabric;
	(void)a;
	(void)b;
	return false;
}
