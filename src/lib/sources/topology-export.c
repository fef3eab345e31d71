/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Any fabric as a topology file, written as a stream: one pass over the
 * tree with an explicit stack, so the output costs no memory however big
 * the fabric (a million functions write in seconds) and no recursion
 * follows its depth.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "sources/topology.h"

#define MAX_DEPTH 300

/* Text is gathered in one large block and written with one fwrite: a
 * printf or fputc per field, each taking the stream's lock, was most of
 * writing a million functions. */
struct writer {
	FILE *out;
	bool pretty;
	size_t n;
	char buf[1 << 16];
};

static void flush_buf(struct writer *w)
{
	if (w->n)
		fwrite(w->buf, 1, w->n, w->out);
	w->n = 0;
}

static void put(struct writer *w, const char *s, size_t len)
{
	if (w->n + len > sizeof(w->buf)) {
		flush_buf(w);
		if (len > sizeof(w->buf)) {
			fwrite(s, 1, len, w->out);
			return;
		}
	}
	memcpy(w->buf + w->n, s, len);
	w->n += len;
}

static void put_str(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_char(struct writer *w, char c)
{
	if (w->n == sizeof(w->buf))
		flush_buf(w);
	w->buf[w->n++] = c;
}

static void put_fmt(struct writer *w, const char *fmt, ...) ACS_PRINTF(2, 3);

static void put_fmt(struct writer *w, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len < sizeof(text)) {
		put(w, text, (size_t)len);
		return;
	}
	{   /* only an origin name this long */
		char *big = malloc((size_t)len + 1);

		if (!big)
			return;
		va_start(ap, fmt);
		vsnprintf(big, (size_t)len + 1, fmt, ap);
		va_end(ap);
		put(w, big, (size_t)len);
		free(big);
	}
}

/* digits lowercase hex digits of v, zero-padded (printf's %0Nx) */
static void put_hex(struct writer *w, uint32_t v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";
	char text[8];

	for (unsigned i = digits; i-- > 0; v >>= 4)
		text[i] = hex[v & 0xf];
	put(w, text, digits);
}

/* "KEY"SEP"HEX" with HEX digits long */
static void put_hex_field(struct writer *w, const char *key, const char *sep, uint32_t v, unsigned digits)
{
	put_char(w, '"');
	put_str(w, key);
	put_char(w, '"');
	put_str(w, sep);
	put_char(w, '"');
	put_hex(w, v, digits);
	put_char(w, '"');
}

/* "slot": "DD.F", (the function number is one decimal digit) */
static void put_fmt_slot(struct writer *w, const char *sep, const struct acs_func *fn)
{
	put_str(w, "\"slot\"");
	put_str(w, sep);
	put_char(w, '"');
	put_hex(w, fn->dev, 2);
	put_char(w, '.');
	put_char(w, (char)('0' + (fn->fn & 7)));
	put_str(w, "\",");
}

static void indent(struct writer *w, unsigned level)
{
	static const char spaces[] = "\n                                                                ";

	if (!w->pretty)
		return;
	level *= 2;
	put(w, spaces, 1);
	while (level) {
		unsigned k = level < sizeof(spaces) - 2 ? level : (unsigned)sizeof(spaces) - 2;

		put(w, spaces + 1, k);
		level -= k;
	}
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
static void write_bars(struct writer *w, const struct acs_func *fn, const char *key, unsigned reg,
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
		put_str(w, any ? ", " : ",");
		if (!any) {
			if (level)
				indent(w, level);
			put_fmt(w, "%s\"%s\"%s[ ", level ? "" : " ", key, sep);
		}
		any = true;
		put_fmt(w, "{ \"size\"%s\"%s\"%s%s%s%s%s%s }", sep, sz,
			is64 ? ", \"64bit\"" : "", is64 ? sep : "", is64 ? "true" : "",
			pref ? ", \"prefetch\"" : "", pref ? sep : "", pref ? "true" : "");
		i += is64;
	}
	if (any)
		put_str(w, " ]");
}

static const struct acs_topo_type *type_of(const struct acs_func *fn, const char **express);

/* "capabilities" or "acs": "unknown" for what the source could not read,
 * so that the topology stays as uncertain as its source. */
static void unread_fields(struct writer *w, const struct acs_func *fn, const char *express,
			  unsigned level)
{
	const char *sep = w->pretty ? ": " : ":";

	if (express) {
		put_char(w, ',');
		indent(w, level);
		put_fmt(w, "\"express\"%s\"%s\"", sep, express);
	}
	if (!(fn->known & ACS_KNOWN_CAPS)) {
		put_char(w, ',');
		indent(w, level);
		put_fmt(w, "\"capabilities\"%s\"unknown\"", sep);
	} else if (!acs_func_acs_known(fn)) {
		put_char(w, ',');
		indent(w, level);
		put_fmt(w, "\"acs\"%s\"unknown\"", sep);
	}
}

/* "link" where config space has both Link Status and Link Capabilities
 * (the reader takes a missing max as the negotiated link), "numa_node"
 * where the source knew it. */
static void link_fields(struct writer *w, const struct acs_func *fn, unsigned level)
{
	const char *sep = w->pretty ? ": " : ":";
	unsigned speed, width, max_speed, max_width;

	if (acs_func_link(fn, &speed, &width) && acs_func_link_cap(fn, &max_speed, &max_width) &&
	    acs_link_speed_name(speed) && acs_link_speed_name(max_speed) && speed <= max_speed && width <= max_width &&
	    max_width <= 32) {
		put_char(w, ',');
		indent(w, level);
		put_fmt(w, "\"link\"%s{ \"speed\"%s\"%s\", \"width\"%s%u, \"max_speed\"%s\"%s\", \"max_width\"%s%u }",
			sep, sep, acs_link_speed_name(speed), sep, width, sep, acs_link_speed_name(max_speed), sep,
			max_width);
	}
	if (fn->numa_node >= 0) {
		put_char(w, ',');
		indent(w, level);
		put_fmt(w, "\"numa_node\"%s%d", sep, fn->numa_node);
	}
}

static void func_fields(struct writer *w, const struct acs_func *fn, unsigned level)
{
	const char *sep = w->pretty ? ": " : ":";
	const char *express;
	const struct acs_topo_type *t = type_of(fn, &express);

	indent(w, level);
	put_fmt_slot(w, sep, fn);
	indent(w, level);
	put_str(w, "\"type\"");
	put_str(w, sep);
	put_char(w, '"');
	put_str(w, t->name);
	put_str(w, "\",");
	indent(w, level);
	put_hex_field(w, "vendor", sep, fn->vendor_id, 4);
	put_char(w, ',');
	indent(w, level);
	put_hex_field(w, "device", sep, fn->device_id, 4);
	put_char(w, ',');
	indent(w, level);
	put_hex_field(w, "class", sep, fn->class_code, 6);
	if (fn->cfg[ACS_PCI_HEADER_TYPE] & ACS_PCI_HEADER_MULTIFUNCTION) {
		put_char(w, ',');
		indent(w, level);
		put_str(w, "\"multifunction\"");
		put_str(w, sep);
		put_str(w, "true");
	}
	unread_fields(w, fn, express, level);
	if (fn->acs_pos) {
		put_char(w, ',');
		indent(w, level);
		put_str(w, "\"acs\"");
		put_str(w, sep);
		put_str(w, "{ ");
		put_hex_field(w, "cap", sep, fn->acs_cap, 4);
		put_str(w, ", ");
		put_hex_field(w, "ctrl", sep, fn->acs_ctrl, 4);
		put_str(w, " }");
	}
	if (fn->ats_pos) {
		put_char(w, ',');
		indent(w, level);
		put_str(w, "\"ats\"");
		put_str(w, sep);
		put_str(w, "true");
	}
	if (fn->sriov_pos) {
		put_char(w, ',');
		indent(w, level);
		put_fmt(w, "\"sriov\"%s{ \"total_vfs\"%s%u, \"num_vfs\"%s%u, \"vf_offset\"%s%u, "
			"\"vf_stride\"%s%u, \"vf_device\"%s\"%04x\"", sep, sep, fn->sriov_total_vfs,
			sep, fn->sriov_num_vfs, sep, fn->sriov_offset, sep, fn->sriov_stride, sep,
			fn->sriov_vf_device);
		write_bars(w, fn, "bars", fn->sriov_pos + ACS_PCI_SRIOV_BAR, 6, fn->vf_bar_size, 0, sep);
		put_str(w, " }");
	}
	write_bars(w, fn, "bars", ACS_PCI_BASE_ADDRESS_0, ACS_PCI_NUM_BARS(fn->header_type), fn->bar_size,
		   level, sep);
	link_fields(w, fn, level);
	if (fn->is_bridge) {
		put_char(w, ',');
		indent(w, level);
		put_hex_field(w, "secondary", sep, fn->secondary, 2);
		put_char(w, ',');
		indent(w, level);
		put_hex_field(w, "subordinate", sep, fn->subordinate, 2);
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
static void write_bus(struct writer *w, const acs_fabric *f, size_t first,
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
				put_char(w, ']');
				indent(w, lv - 2);
				put_char(w, '}');
			}
			continue;
		}
		fn = acs_fabric_func(f, top->next++);
		if (fn->is_virtfn)
			continue;
		if (top->any)
			put_char(w, ',');
		top->any = true;
		indent(w, top->level);
		put_char(w, '{');
		func_fields(w, fn, top->level + 1);
		n = acs_fabric_children(f, fn, &cfirst);
		if (!n || depth == MAX_DEPTH) {
			indent(w, top->level);
			put_char(w, '}');
			continue;
		}
		put_char(w, ',');
		indent(w, top->level + 1);
		put_str(w, w->pretty ? "\"children\": [" : "\"children\":[");
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
	struct writer *w;
	json_object *origin;
	size_t i = 0, n = acs_fabric_count(f);
	bool first_root = true;
	int rc = check_describable(f);

	if (rc)
		return rc;
	if (!(w = malloc(sizeof(*w))))
		return acs_error_nomem();
	w->out = out;
	w->pretty = !(flags & ACS_TOPOLOGY_COMPACT);
	w->n = 0;
	origin = json_object_new_string(acs_fabric_origin(f));
	put_fmt(w, "{");
	indent(w, 1);
	put_fmt(w, "\"acsctl-topology\":%s%d,", w->pretty ? " " : "", ACS_TOPOLOGY_VERSION);
	indent(w, 1);
	put_fmt(w, "\"source\":%s%s,", w->pretty ? " " : "",
		json_object_to_json_string_ext(origin, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(origin);
	indent(w, 1);
	put_fmt(w, "\"roots\":%s[", w->pretty ? " " : "");
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
		put_str(w, first_root ? "" : ",");
		first_root = false;
		indent(w, 2);
		put_char(w, '{');
		indent(w, 3);
		put_fmt(w, "\"domain\":%s\"%04x\",", w->pretty ? " " : "", r->domain);
		indent(w, 3);
		put_fmt(w, "\"bus\":%s\"%02x\",", w->pretty ? " " : "", r->bus);
		if (acs_fabric__vmd_owner(f, r) >= 0) {
			const struct acs_func *ep = acs_fabric_func(f, (size_t)acs_fabric__vmd_owner(f, r));

			indent(w, 3);
			put_fmt(w, "\"vmd\":%s\"%04x:%02x:%02x.%x\",", w->pretty ? " " : "",
				ep->domain, ep->bus, ep->dev, ep->fn);
		}
		indent(w, 3);
		put_fmt(w, "\"functions\":%s[", w->pretty ? " " : "");
		write_bus(w, f, i, end - i, 4);
		indent(w, 3);
		put_char(w, ']');
		indent(w, 2);
		put_char(w, '}');
		i = end;
	}
	indent(w, 1);
	put_char(w, ']');
	indent(w, 0);
	put_str(w, "}\n");
	flush_buf(w);
	free(w);
	if (fflush(out) || ferror(out))
		return acs_error_set(ACS_ERROR, "writing the topology: %s", strerror(errno));
	return 0;
}
