/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Any fabric as a topology file. Functions go in the kernel's order, which
 * puts every bridge before its children, so each object is attached to its
 * parent's "children" as it is made: no recursion over the tree.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "sources/topology.h"

static json_object *hex(unsigned v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", width, v);
	return json_object_new_string(buf);
}

static json_object *func_object(const struct acs_func *fn,
				const struct acs_topo_type *t)
{
	json_object *o = json_object_new_object();
	char slot[8];

	snprintf(slot, sizeof(slot), "%02x.%u", fn->dev, fn->fn);
	json_object_object_add(o, "slot", json_object_new_string(slot));
	json_object_object_add(o, "type", json_object_new_string(t->name));
	json_object_object_add(o, "vendor", hex(fn->vendor_id, 4));
	json_object_object_add(o, "device", hex(fn->device_id, 4));
	json_object_object_add(o, "class", hex(fn->class_code, 6));
	if (fn->cfg[0x0e] & 0x80)
		json_object_object_add(o, "multifunction", json_object_new_boolean(1));
	if (fn->acs_pos) {
		json_object *acs = json_object_new_object();

		json_object_object_add(acs, "cap", hex(fn->acs_cap, 4));
		json_object_object_add(acs, "ctrl", hex(fn->acs_ctrl, 4));
		json_object_object_add(o, "acs", acs);
	}
	if (fn->ats_pos)
		json_object_object_add(o, "ats", json_object_new_boolean(1));
	if (fn->sriov_pos) {
		json_object *s = json_object_new_object();

		json_object_object_add(s, "total_vfs", json_object_new_int(fn->sriov_total_vfs));
		json_object_object_add(s, "num_vfs", json_object_new_int(fn->sriov_num_vfs));
		json_object_object_add(s, "vf_offset", json_object_new_int(fn->sriov_offset));
		json_object_object_add(s, "vf_stride", json_object_new_int(fn->sriov_stride));
		json_object_object_add(s, "vf_device", hex(fn->sriov_vf_device, 4));
		json_object_object_add(o, "sriov", s);
	}
	if (fn->is_bridge) {
		json_object_object_add(o, "secondary", hex(fn->secondary, 2));
		json_object_object_add(o, "subordinate", hex(fn->subordinate, 2));
	}
	return o;
}

static json_object *root_object(const struct acs_func *fn, json_object **funcs)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "domain", hex(fn->domain, 4));
	json_object_object_add(r, "bus", hex(fn->bus, 2));
	*funcs = json_object_new_array();
	json_object_object_add(r, "functions", *funcs);
	return r;
}

static int build(const acs_fabric *f, json_object *roots)
{
	size_t n = acs_fabric_count(f);
	const uint32_t *order = acs_fabric_kernel_order(f);
	json_object **obj = calloc(n ? n : 1, sizeof(*obj));
	json_object *root_funcs = NULL;
	const struct acs_func *root_first = NULL;
	char addr[32];

	if (!obj)
		return acs_error_nomem();
	for (size_t k = 0; k < n; k++) {
		const struct acs_func *fn = acs_fabric_func(f, order[k]);
		const struct acs_func *p = acs_fabric_parent(f, fn);
		const struct acs_topo_type *t = acs_topo_type_of(fn);
		json_object *children;

		if (!acs_func_acs_known(fn) || !t) {
			free(obj);
			return acs_error_set(ACS_EUNKNOWN,
				"%s: %s: its %s cannot be described (config space incomplete)",
				acs_fabric_origin(f), acs_func_addr(fn, addr, sizeof(addr)),
				t ? "ACS state" : "kind");
		}
		obj[order[k]] = func_object(fn, t);
		if (p) {
			json_object *po = obj[acs_fabric_index(f, p)];

			if (!json_object_object_get_ex(po, "children", &children)) {
				children = json_object_new_array();
				json_object_object_add(po, "children", children);
			}
			json_object_array_add(children, obj[order[k]]);
			continue;
		}
		if (!root_first || root_first->domain != fn->domain || root_first->bus != fn->bus) {
			root_first = fn;
			json_object_array_add(roots, root_object(fn, &root_funcs));
		}
		json_object_array_add(root_funcs, obj[order[k]]);
	}
	free(obj);
	return 0;
}

int acs_topology_write(const acs_fabric *f, FILE *out)
{
	return acs_topology_write_ex(f, out, 0);
}

int acs_topology_write_ex(const acs_fabric *f, FILE *out, unsigned flags)
{
	json_object *doc = json_object_new_object();
	json_object *roots = json_object_new_array();
	int rc;

	json_object_object_add(doc, "acsctl-topology", json_object_new_int(ACS_TOPOLOGY_VERSION));
	json_object_object_add(doc, "source", json_object_new_string(acs_fabric_origin(f)));
	json_object_object_add(doc, "roots", roots);
	rc = build(f, roots);
	if (!rc) {
		int style = flags & ACS_TOPOLOGY_COMPACT ? JSON_C_TO_STRING_PLAIN :
			    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;

		fputs(json_object_to_json_string_ext(doc, style | JSON_C_TO_STRING_NOSLASHESCAPE),
		      out);
		fputc('\n', out);
		if (fflush(out) || ferror(out))
			rc = acs_error_set(ACS_ERROR, "writing the topology: %s", strerror(errno));
	}
	json_object_put(doc);
	return rc;
}
