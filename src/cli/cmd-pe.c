/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl pe: the PE table of a PE platform. */
#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"

int cmd_pe(struct cli *c, int argc, char **argv)
{
	acs_pe_table *t = NULL;
	char addr[32];

	(void)argv;
	if (argc) {
		fprintf(stderr, "usage: acsctl --platform NAME pe\n");
		return EXIT_BAD_INPUT;
	}
	if (!c->platform) {
		fprintf(stderr, "acsctl pe: give --platform (p7ioc, phb3, phb4, powernv8, powernv9)\n");
		return EXIT_BAD_INPUT;
	}
	if (acs_pe_assign(&t, c->fabric, c->platform, c->pe_policy ? c->pe_policy : ACS_PE_BUS))
		return cli_error("pe");
	if (c->json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();
		char phb[8];

		json_object_object_add(root, "platform", json_object_new_string(c->platform->name));
		for (size_t i = 0; i < acs_pe_count(t); i++) {
			const acs_pe *pe = acs_pe_at(t, i);
			json_object *o = json_object_new_object(), *d = json_object_new_array();

			snprintf(phb, sizeof(phb), "%04x", pe->domain);
			json_object_object_add(o, "phb", json_object_new_string(phb));
			json_object_object_add(o, "pe", json_object_new_int((int)pe->number));
			json_object_object_add(o, "buses", json_object_new_string(
				(snprintf(addr, sizeof(addr), "%02x-%02x", pe->bus_first, pe->bus_last), addr)));
			for (size_t k = 0; k < pe->ndevices; k++)
				json_object_array_add(d, json_object_new_string(
					acs_func_addr(acs_fabric_func(c->fabric, pe->devices[k]), addr, sizeof(addr))));
			json_object_object_add(o, "devices", d);
			json_object_object_add(o, "dma", json_object_new_boolean(pe->dma));
			/* segments need the BARs' sizes, which acsctl does not read yet */
			json_object_object_add(o, "m32_segments", NULL);
			json_object_array_add(arr, o);
		}
		json_object_object_add(root, "pes", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		cli_note_header(c, stdout);
		for (size_t i = 0; i < acs_pe_count(t); i++) {
			const acs_pe *pe = acs_pe_at(t, i);

			if (pe->bus_first == pe->bus_last)
				printf("PHB %04x PE#%-3u bus %02x%s:", pe->domain, pe->number, pe->bus_first,
				       pe->dma ? "" : " (bridges only: no IOMMU group)");
			else
				printf("PHB %04x PE#%-3u buses %02x-%02x%s:", pe->domain, pe->number, pe->bus_first,
				       pe->bus_last, pe->dma ? "" : " (bridges only: no IOMMU group)");
			for (size_t k = 0; k < pe->ndevices; k++)
				printf(" %s", acs_func_addr(acs_fabric_func(c->fabric, pe->devices[k]), addr, sizeof(addr)));
			printf("\n");
		}
	}
	acs_pe_free(t);
	return EXIT_OK;
}
