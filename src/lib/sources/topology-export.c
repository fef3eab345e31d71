/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Any fabric as a topology file, written as a stream: one pass over the
 * tree with an explicit stack, so the output costs no memory however big
 * the fabric (a million functions write in seconds) and no recursion
 * follows its depth.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "sources/topology.h"

#define MAX_DEPTH 300

struct writer {
	FILE *out;
	bool pretty;
};

static void indent(const struct writer *w, unsigned level)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (unsigned i = 0; i < level; i++)
		fputs("  ", w->out);
}

/* "key": value pairs of one function, after its opening brace */
static void size_text(uint64_t sz, char *buf, size_t len)
{
	static const char unit[] = "KMGT";
	int u = -1;

	while (u < 3 && sz >= 1024 && !(sz & 1023)) {
		sz >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)sz);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)sz, unit[u]);
}

/* BARs of known size (sysfs, or a topology): the nslots registers at
 * cfg offset reg, as "KEY": [ ... ] after a comma; nothing when none. */
static void write_bars(const struct writer *w, const struct acs_func *fn, const char *key, unsigned reg,
		       unsigned nslots, const uint64_t size[6], unsigned level, const char *sep)
{
	bool any = false;

	for (unsigned i = 0; i < nslots; i++) {
		uint8_t lo = acs_func_cfg_byte(fn, reg + 4 * i);
		bool is64 = (lo & ACS_PCI_BASE_ADDRESS_MEM_TYPE_MASK) == ACS_PCI_BASE_ADDRESS_MEM_TYPE_64;
		bool pref = (lo & ACS_PCI_BASE_ADDRESS_MEM_PREFETCH) != 0;
		char sz[32];

		if (!size[i] || (lo & ACS_PCI_BASE_ADDRESS_SPACE_IO) || size[i] < 16 || (size[i] & (size[i] - 1)))
			continue;
		size_text(size[i], sz, sizeof(sz));
		fputs(any ? ", " : ",", w->out);
		if (!any) {
			if (level)
				indent(w, level);
			fprintf(w->out, "%s\"%s\"%s[ ", level ? "" : " ", key, sep);
		}
		any = true;
		fprintf(w->out, "{ \"size\"%s\"%s\"%s%s%s%s%s%s }", sep, sz,
			is64 ? ", \"64bit\"" : "", is64 ? sep : "", is64 ? "true" : "",
			pref ? ", \"prefetch\"" : "", pref ? sep : "", pref ? "true" : "");
		i += is64;
	}
	if (any)
		fputs(" ]", w->out);
}

static const struct acs_topo_type *type_of(const struct acs_func *fn, const char **express);

/* "capabilities" or "acs": "unknown" for what the source could not read,
 * so that the topology stays as uncertain as its source. */
static void unread_fields(const struct writer *w, const struct acs_func *fn, const char *express,
			  unsigned level)
{
	const char *sep = w->pretty ? ": " : ":";

	if (express) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"express\"%s\"%s\"", sep, express);
	}
	if (!(fn->known & ACS_KNOWN_CAPS)) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"capabilities\"%s\"unknown\"", sep);
	} else if (!acs_func_acs_known(fn)) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"acs\"%s\"unknown\"", sep);
	}
}

/* "link" where config space has both Link Status and Link Capabilities
 * (the reader takes a missing max as the negotiated link), "numa_node"
 * where the source knew it. */
static void link_fields(const struct writer *w, const struct acs_func *fn, unsigned level)
{
	const char *sep = w->pretty ? ": " : ":";
	unsigned speed, width, max_speed, max_width;

	if (acs_func_link(fn, &speed, &width) && acs_func_link_cap(fn, &max_speed, &max_width) &&
	    acs_link_speed_name(speed) && acs_link_speed_name(max_speed) && speed <= max_speed && width <= max_width &&
	    max_width <= 32) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"link\"%s{ \"speed\"%s\"%s\", \"width\"%s%u, \"max_speed\"%s\"%s\", \"max_width\"%s%u }",
			sep, sep, acs_link_speed_name(speed), sep, width, sep, acs_link_speed_name(max_speed), sep,
			max_width);
	}
	if (fn->numa_node >= 0) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"numa_node\"%s%d", sep, fn->numa_node);
	}
}

static void func_fields(const struct writer *w, const struct acs_func *fn, unsigned level)
{
	const char *sep = w->pretty ? ": " : ":";
	const char *express;
	const struct acs_topo_type *t = type_of(fn, &express);

	indent(w, level);
	fprintf(w->out, "\"slot\"%s\"%02x.%u\",", sep, fn->dev, fn->fn);
	indent(w, level);
	fprintf(w->out, "\"type\"%s\"%s\",", sep, t->name);
	indent(w, level);
	fprintf(w->out, "\"vendor\"%s\"%04x\",", sep, fn->vendor_id);
	indent(w, level);
	fprintf(w->out, "\"device\"%s\"%04x\",", sep, fn->device_id);
	indent(w, level);
	fprintf(w->out, "\"class\"%s\"%06x\"", sep, fn->class_code);
	if (fn->cfg[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_MULTIFUNCTION) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"multifunction\"%strue", sep);
	}
	unread_fields(w, fn, express, level);
	if (fn->acs_pos) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"acs\"%s{ \"cap\"%s\"%04x\", \"ctrl\"%s\"%04x\" }", sep, sep,
			fn->acs_cap, sep, fn->acs_ctrl);
	}
	if (fn->ats_pos) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"ats\"%strue", sep);
	}
	if (fn->sriov_pos) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"sriov\"%s{ \"total_vfs\"%s%u, \"num_vfs\"%s%u, \"vf_offset\"%s%u, "
			"\"vf_stride\"%s%u, \"vf_device\"%s\"%04x\"", sep, sep, fn->sriov_total_vfs,
			sep, fn->sriov_num_vfs, sep, fn->sriov_offset, sep, fn->sriov_stride, sep,
			fn->sriov_vf_device);
		write_bars(w, fn, "bars", fn->sriov_pos + ACS_PCI_SRIOV_BAR, 6, fn->vf_bar_size, 0, sep);
		fputs(" }", w->out);
	}
	write_bars(w, fn, "bars", ACS_PCI_BASE_ADDRESS_0, ACS_PCI_NUM_BARS(fn->header_type), fn->bar_size,
		   level, sep);
	link_fields(w, fn, level);
	if (fn->is_bridge) {
		fputc(',', w->out);
		indent(w, level);
		fprintf(w->out, "\"secondary\"%s\"%02x\",", sep, fn->secondary);
		indent(w, level);
		fprintf(w->out, "\"subordinate\"%s\"%02x\"", sep, fn->subordinate);
	}
}

/* The type a function is written as: its own, or, where its PCI Express
 * port type is not the one its header implies (a host bridge whose
 * capability says Root Port), the conventional type with "express". */
static const struct acs_topo_type *type_of(const struct acs_func *fn, const char **express)
{
	const struct acs_topo_type *t = acs_topo_type_of(fn);
	struct acs_func plain = *fn;

	*express = NULL;
	if (t)
		return t;
	plain.pcie_type = ACS_PCIE_NONE;
	for (size_t i = 0; i < acs_topo_ntypes; i++)
		if (acs_topo_types[i].pcie_type == fn->pcie_type)
			*express = acs_topo_types[i].name;
	return *express ? acs_topo_type_of(&plain) : NULL;
}

static int check_describable(const acs_fabric *f)
{
	char addr[ACS_ADDR_MAX];
	const char *express;

	for (size_t i = 0; i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);

		if (!type_of(fn, &express))
			return acs_error_set(ACS_EINVAL, "%s: %s: PCI Express port type %d has no "
					     "name in a topology", acs_fabric_origin(f),
					     acs_func_addr(fn, addr, sizeof(addr)), fn->pcie_type);
	}
	return 0;
}

/* The functions of one bus, VFs left out (their PF's SR-IOV capability
 * brings them back), each followed by its subtree. */
static void write_bus(const struct writer *w, const acs_fabric *f, size_t first,
		      size_t count, unsigned level)
{
	struct frame { size_t next, end; unsigned level; bool any; } stack[MAX_DEPTH];
	size_t depth = 0;

	stack[depth++] = (struct frame){ first, first + count, level, false };
	while (depth) {
		struct frame *top = &stack[depth - 1];
		const struct acs_func *fn;
		size_t cfirst, n;

		if (top->next >= top->end) {
			unsigned lv = top->level;

			depth--;
			/* close the parent's children array and object */
			if (depth) {
				indent(w, lv - 1);
				fputc(']', w->out);
				indent(w, lv - 2);
				fputc('}', w->out);
			}
			continue;
		}
		fn = acs_fabric_func(f, top->next++);
		if (fn->is_virtfn)
			continue;
		if (top->any)
			fputc(',', w->out);
		top->any = true;
		indent(w, top->level);
		fputc('{', w->out);
		func_fields(w, fn, top->level + 1);
		n = acs_fabric_children(f, fn, &cfirst);
		if (!n || depth == MAX_DEPTH) {
			indent(w, top->level);
			fputc('}', w->out);
			continue;
		}
		fputc(',', w->out);
		indent(w, top->level + 1);
		fprintf(w->out, "\"children\"%s[", w->pretty ? ": " : ":");
		stack[depth] = (struct frame){ cfirst, cfirst + n, top->level + 2, false };
		depth++;
	}
}

int acs_topology_write(const acs_fabric *f, FILE *out)
{
	return acs_topology_write_ex(f, out, 0);
}

int acs_topology_write_ex(const acs_fabric *f, FILE *out, unsigned flags)
{
	struct writer w = { out, !(flags & ACS_TOPOLOGY_COMPACT) };
	json_object *origin;
	size_t i = 0, n = acs_fabric_count(f);
	bool first_root = true;
	int rc = check_describable(f);

	if (rc)
		return rc;
	origin = json_object_new_string(acs_fabric_origin(f));
	fprintf(out, "{");
	indent(&w, 1);
	fprintf(out, "\"acsctl-topology\":%s%d,", w.pretty ? " " : "", ACS_TOPOLOGY_VERSION);
	indent(&w, 1);
	fprintf(out, "\"source\":%s%s,", w.pretty ? " " : "",
		json_object_to_json_string_ext(origin, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(origin);
	indent(&w, 1);
	fprintf(out, "\"roots\":%s[", w.pretty ? " " : "");
	while (i < n) {
		const struct acs_func *r = acs_fabric_func(f, i);
		size_t end = i;

		while (end < n && acs_fabric_func(f, end)->domain == r->domain &&
		       acs_fabric_func(f, end)->bus == r->bus)
			end++;
		if (acs_fabric_parent(f, r) || r->is_virtfn) {
			i = end;   /* not a root bus (or one of VFs only) */
			continue;
		}
		fputs(first_root ? "" : ",", out);
		first_root = false;
		indent(&w, 2);
		fputc('{', out);
		indent(&w, 3);
		fprintf(out, "\"domain\":%s\"%04x\",", w.pretty ? " " : "", r->domain);
		indent(&w, 3);
		fprintf(out, "\"bus\":%s\"%02x\",", w.pretty ? " " : "", r->bus);
		if (acs_fabric__vmd_owner(f, r) >= 0) {
			const struct acs_func *ep = acs_fabric_func(f, (size_t)acs_fabric__vmd_owner(f, r));

			indent(&w, 3);
			fprintf(out, "\"vmd\":%s\"%04x:%02x:%02x.%x\",", w.pretty ? " " : "",
				ep->domain, ep->bus, ep->dev, ep->fn);
		}
		indent(&w, 3);
		fprintf(out, "\"functions\":%s[", w.pretty ? " " : "");
		write_bus(&w, f, i, end - i, 4);
		indent(&w, 3);
		fputc(']', out);
		indent(&w, 2);
		fputc('}', out);
		i = end;
	}
	indent(&w, 1);
	fputc(']', out);
	indent(&w, 0);
	fputs("}\n", out);
	if (fflush(out) || ferror(out))
		return acs_error_set(ACS_ERROR, "writing the topology: %s", strerror(errno));
	return 0;
}
