/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-written topologies (doc/topology.md): JSON with comments, a tree of
 * root buses and functions. Config space is written for each function, so
 * every analysis runs on the same model as for a real host. The tree is
 * walked with an explicit stack: its depth never becomes ours.
 */
#include <errno.h>
#include <limits.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/cfgsynth.h"
#include "sources/sources.h"
#include "sources/topology.h"

#define MAX_NEST 300
#define PATH_MAX_LEN 200

const struct acs_topo_type acs_topo_types[] = {
	{ "host-bridge", ACS_PCIE_NONE, false, 0x8086, 0x29c0, 0x060000 },
	{ "root-port", ACS_PCIE_ROOT_PORT, true, 0x1b36, 0x000c, 0x060400 },
	{ "upstream-port", ACS_PCIE_UPSTREAM, true, 0x104c, 0x8232, 0x060400 },
	{ "downstream-port", ACS_PCIE_DOWNSTREAM, true, 0x104c, 0x8233, 0x060400 },
	{ "endpoint", ACS_PCIE_ENDPOINT, false, 0x1b36, 0x0010, 0x010802 },
	{ "legacy-endpoint", ACS_PCIE_LEG_END, false, 0x1b36, 0x0010, 0x010802 },
	{ "rc-endpoint", ACS_PCIE_RC_END, false, 0x8086, 0x0000, 0x088000 },
	{ "rc-event-collector", ACS_PCIE_RC_EC, false, 0x8086, 0x0000, 0x080700 },
	{ "pcie-to-pci-bridge", ACS_PCIE_PCI_BRIDGE, true, 0x1b36, 0x000e, 0x060400 },
	{ "pci-to-pcie-bridge", ACS_PCIE_PCIE_BRIDGE, true, 0x1b36, 0x000e, 0x060400 },
	{ "pci-bridge", ACS_PCIE_NONE, true, 0x1b36, 0x0001, 0x060400 },
	{ "pci-device", ACS_PCIE_NONE, false, 0x8086, 0x100e, 0x020000 },
};

const size_t acs_topo_ntypes = sizeof(acs_topo_types) / sizeof(acs_topo_types[0]);

const struct acs_topo_type *acs_topo_type_of(const struct acs_func *fn)
{
	for (size_t i = 0; i < acs_topo_ntypes; i++) {
		const struct acs_topo_type *t = &acs_topo_types[i];

		if (t->pcie_type != fn->pcie_type || t->bridge != fn->is_bridge)
			continue;
		/* conventional non-bridges: host bridge by class, else device */
		if (t->pcie_type == ACS_PCIE_NONE && !t->bridge &&
		    (strcmp(t->name, "host-bridge") == 0) != (fn->class_code >> 8 == 0x0600))
			continue;
		return t;
	}
	return NULL;
}

struct frame {
	json_object *array;    /* functions on one bus (the tree reader) */
	size_t next;
	size_t rec_next, rec_left;  /* the stream reader: its next record, how many left */
	uint32_t domain;
	uint8_t bus;
	long bridge;           /* raw index of the bridge above, -1 at a root */
	int subordinate;       /* given in the file, or -1 */
	char path[PATH_MAX_LEN];
};

/* The stream reader's scan: one function object of the text, where its
 * "children": [...] is, and how many records its subtree holds. */
struct rec {
	uint32_t start, end;          /* '{' and '}' */
	uint32_t ch_open, ch_close;   /* "children"'s '[' and ']', 0 when none */
	uint32_t nsub;                /* records of its subtree, itself included */
	uint32_t nchild;
};

struct rootrec {
	uint32_t fopen, fclose;       /* "functions"'s '[' and ']', 0 when none */
	uint32_t first, count;        /* its first record, how many elements */
};

struct reader {
	struct acs_builder *b;
	const char *file;
	/* the stream reader: NULL recs in the tree reader */
	const char *text;
	struct rec *recs;
	size_t nrecs;
	struct rootrec *roots;
	size_t nroots;
	long cur;                     /* the record add_function() is given */
	struct json_tokener *tok;
	char *buf;                    /* one function's text, children as [] */
	struct acs_cfgsynth synth;    /* one function's config space, reused */
	size_t bufcap;
	unsigned next_bus[0x10000];  /* per domain: next free bus number */
	struct { uint32_t domain; unsigned next; } high[64];  /* domains 10000 and up (VMD) */
	size_t nhigh;
	struct frame stack[MAX_NEST];
	size_t depth;
};

static int bad(struct reader *r, const char *path, const char *fmt, ...)
	ACS_PRINTF(3, 4);

static int bad(struct reader *r, const char *path, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return acs_error_set(ACS_EPARSE, "%s: %s: %s", r->file, path, what);
}

/* A hex field: "8086", 0x8086 is not JSON, numbers are taken as given. */
static int get_hex(struct reader *r, json_object *o, const char *key,
		   const char *path, uint32_t max, uint32_t *out, bool *present)
{
	json_object *v;
	const char *s;
	char *end;
	unsigned long x;

	*present = json_object_object_get_ex(o, key, &v) && v;
	if (!*present)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i < 0 || (uint64_t)i > max)
			return bad(r, path, "%s out of range", key);
		*out = (uint32_t)i;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(r, path, "%s must be a hex string", key);
	s = json_object_get_string(v);
	errno = 0;
	x = strtoul(s, &end, 16);
	if (!*s || *end || errno || x > max)
		return bad(r, path, "%s '%s' is not a hex value up to %x", key, s, max);
	*out = (uint32_t)x;
	return 0;
}

static int parse_slot(struct reader *r, json_object *o, const char *path,
		      unsigned *dev, unsigned *fn)
{
	json_object *v;
	char tail;

	if (!json_object_object_get_ex(o, "slot", &v) || !json_object_is_type(v, json_type_string))
		return bad(r, path, "needs \"slot\": \"DD.F\"");
	if (sscanf(json_object_get_string(v), "%x.%u%c", dev, fn, &tail) != 2 ||
	    *dev > 0x1f || *fn > 7)
		return bad(r, path, "slot '%s' is not DD.F", json_object_get_string(v));
	return 0;
}

static const struct acs_topo_type *parse_type(struct reader *r, json_object *o,
					      const char *path)
{
	json_object *v;
	const char *name;

	if (!json_object_object_get_ex(o, "type", &v) || !json_object_is_type(v, json_type_string)) {
		bad(r, path, "needs a \"type\"");
		return NULL;
	}
	name = json_object_get_string(v);
	for (size_t i = 0; i < acs_topo_ntypes; i++)
		if (strcmp(acs_topo_types[i].name, name) == 0)
			return &acs_topo_types[i];
	bad(r, path, "unknown type '%s'", name);
	return NULL;
}

/* "express": "root-port": a PCI Express capability whose port type is
 * not the one its type implies (Intel's DMI host bridges say Root Port). */
static int parse_express(struct reader *r, json_object *o, const char *path,
			 const struct acs_topo_type *t, int *pcie_type)
{
	json_object *v;
	const char *name;

	*pcie_type = t->pcie_type;
	if (!json_object_object_get_ex(o, "express", &v) || !v)
		return 0;
	name = json_object_get_string(v);
	for (size_t i = 0; json_object_is_type(v, json_type_string) && i < acs_topo_ntypes; i++)
		if (acs_topo_types[i].pcie_type != ACS_PCIE_NONE &&
		    strcmp(acs_topo_types[i].name, name) == 0) {
			*pcie_type = acs_topo_types[i].pcie_type;
			return 0;
		}
	return bad(r, path, "\"express\": '%s' is not a PCI Express type (root-port, endpoint, ...)",
		   name ? name : "");
}

/* "capabilities": "unknown" (only the 64-byte header was read) or "acs":
 * "unknown" (no extended config space): the bytes the function keeps. */
static int parse_read(struct reader *r, json_object *o, const char *path, unsigned *len)
{
	json_object *v;

	if (json_object_object_get_ex(o, "capabilities", &v) && v) {
		if (!json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), "unknown") != 0)
			return bad(r, path, "\"capabilities\" can only be \"unknown\"");
		*len = 64;
	} else if (json_object_object_get_ex(o, "acs", &v) && json_object_is_type(v, json_type_string)) {
		if (strcmp(json_object_get_string(v), "unknown") != 0)
			return bad(r, path, "\"acs\" must be an object or \"unknown\"");
		*len = ACS_CFG_STD;
	}
	if (*len < ACS_CFG_EXT && (json_object_object_get_ex(o, "ats", &v) ||
				   json_object_object_get_ex(o, "sriov", &v)))
		return bad(r, path, "ats and sriov are extended capabilities: not with %s unknown",
			   *len == 64 ? "capabilities" : "acs");
	return 0;
}

static bool get_bool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int add_acs(struct reader *r, struct acs_cfgsynth *s, json_object *o,
		   const char *path)
{
	json_object *acs;
	uint32_t cap = 0x005f, ctrl;
	bool has;
	int rc;

	if (!json_object_object_get_ex(o, "acs", &acs) || !acs ||
	    json_object_is_type(acs, json_type_string))   /* "unknown": parse_read() */
		return 0;
	if (!json_object_is_type(acs, json_type_object))
		return bad(r, path, "\"acs\" must be an object");
	rc = get_hex(r, acs, "cap", path, 0xffff, &cap, &has);
	/* Unless given, control holds what Linux enables at boot. */
	ctrl = cap & (ACS_SV | ACS_RR | ACS_CR | ACS_UF);
	if (!rc)
		rc = get_hex(r, acs, "ctrl", path, 0xffff, &ctrl, &has);
	if (!rc && !acs_cfgsynth_acs(s, 0, (uint16_t)cap, (uint16_t)ctrl))
		rc = bad(r, path, "no room for the ACS capability");
	return rc;
}

/* One of "link"'s speeds ("8GT/s", "16"): its Link Status code. */
static int link_speed(struct reader *r, json_object *link, const char *key, const char *path, unsigned *code)
{
	json_object *v;

	if (!json_object_object_get_ex(link, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string) || !(*code = acs_link_speed_code(json_object_get_string(v))))
		return bad(r, path, "link %s must be a speed: \"2.5GT/s\" to \"64GT/s\"", key);
	return 0;
}

static int link_width(struct reader *r, json_object *link, const char *key, const char *path, unsigned *width)
{
	json_object *v;
	int64_t w;

	if (!json_object_object_get_ex(link, key, &v) || !v)
		return 0;
	w = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || w < 1 || w > 32)
		return bad(r, path, "link %s must be a number of lanes, 1 to 32", key);
	*width = (unsigned)w;
	return 0;
}

/* "link": { "speed": "8GT/s", "width": 8, "max_speed": "16GT/s",
 * "max_width": 16 }: the negotiated link in Link Status and what the
 * function can do in Link Capabilities (the same when not given). */
static int add_link(struct reader *r, struct acs_cfgsynth *s, json_object *o, unsigned pcie_pos, const char *path)
{
	json_object *link;
	unsigned speed = 0, width = 0, max_speed, max_width;
	int rc;

	if (!json_object_object_get_ex(o, "link", &link) || !link)
		return 0;
	if (!pcie_pos)
		return bad(r, path, "\"link\": only a PCI Express function has one");
	if (!json_object_is_type(link, json_type_object))
		return bad(r, path, "\"link\" must be an object");
	if ((rc = link_speed(r, link, "speed", path, &speed)) || (rc = link_width(r, link, "width", path, &width)))
		return rc;
	if (!speed || !width)
		return bad(r, path, "\"link\" needs speed and width");
	max_speed = speed;
	max_width = width;
	if ((rc = link_speed(r, link, "max_speed", path, &max_speed)) ||
	    (rc = link_width(r, link, "max_width", path, &max_width)))
		return rc;
	if (max_speed < speed || max_width < width)
		return bad(r, path, "link: the negotiated link is above max_speed or max_width");
	acs_cfg_put16(s->b, pcie_pos + ACS_PCI_EXP_LNKCAP,
		      (uint16_t)(max_speed | max_width << ACS_PCI_EXP_LNK_WIDTH_SHIFT));
	acs_cfg_put16(s->b, pcie_pos + ACS_PCI_EXP_LNKSTA, (uint16_t)(speed | width << ACS_PCI_EXP_LNK_WIDTH_SHIFT));
	return 0;
}

/* "numa_node": N (sysfs numa_node; -1 none), beside config space. */
static int get_numa(struct reader *r, json_object *o, const char *path, int32_t *node)
{
	json_object *v;
	int64_t n;

	*node = -1;
	if (!json_object_object_get_ex(o, "numa_node", &v) || !v)
		return 0;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n < -1 || n > 0xffff)
		return bad(r, path, "numa_node must be a number, -1 to 65535");
	*node = (int32_t)n;
	return 0;
}

/* "bars": [ { "size": "16M", "prefetch": true, "64bit": true }, ... ]:
 * unassigned BARs (start 0) of these sizes, in BAR order, written as
 * nslots registers at cfg offset reg (the header's BARs, or the SR-IOV
 * capability's VF BARs). */
static int parse_bars(struct reader *r, struct acs_cfgsynth *s, json_object *bars, const char *path,
		      const char *what, unsigned reg, unsigned nslots, uint64_t size[6])
{
	json_object *b, *v;
	unsigned slot = 0;

	if (!json_object_is_type(bars, json_type_array))
		return bad(r, path, "\"%s\" must be an array", what);
	for (size_t i = 0; i < json_object_array_length(bars); i++) {
		bool is64, pref;
		uint64_t sz;
		const char *text;

		b = json_object_array_get_idx(bars, i);
		text = json_object_is_type(b, json_type_object) && json_object_object_get_ex(b, "size", &v) &&
		       json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
		if (!text || !acs_parse_size(text, strlen(text), &sz) || sz < 16 || (sz & (sz - 1)))
			return bad(r, path, "%s[%zu]: needs \"size\", a power of two of at least 16 bytes "
				   "(\"16K\", \"256M\", \"2G\")", what, i);
		is64 = get_bool(b, "64bit");
		pref = get_bool(b, "prefetch");
		if (!is64 && sz > (1ull << 31))
			return bad(r, path, "%s[%zu]: a 32-bit BAR of more than 2G", what, i);
		if (slot + (is64 ? 2 : 1) > nslots)
			return bad(r, path, "%s[%zu]: more BARs than there are registers (%u)", what, i, nslots);
		s->b[reg + 4 * slot] = (uint8_t)((is64 ? ACS_PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) |
						 (pref ? ACS_PCI_BASE_ADDRESS_MEM_PREFETCH : 0));
		size[slot] = sz;
		slot += is64 ? 2 : 1;
	}
	return 0;
}

static int add_bars(struct reader *r, struct acs_cfgsynth *s, json_object *o, const char *path,
		    bool bridge, uint64_t size[6])
{
	json_object *bars;

	if (!json_object_object_get_ex(o, "bars", &bars) || !bars)
		return 0;
	return parse_bars(r, s, bars, path, "bars", ACS_PCI_BASE_ADDRESS_0,
			  ACS_PCI_NUM_BARS(bridge ? ACS_PCI_HEADER_TYPE_BRIDGE : ACS_PCI_HEADER_TYPE_NORMAL), size);
}

static int add_sriov(struct reader *r, struct acs_cfgsynth *s, json_object *o,
		     const char *path, unsigned *pos, uint64_t vf_bar_size[6])
{
	json_object *sr, *v;
	int total = 0, num = 0, offset = 1, stride = 1;
	uint32_t vf_device = acs_rd16(s->b, ACS_PCI_DEVICE_ID);
	bool has;
	int rc;

	if (!json_object_object_get_ex(o, "sriov", &sr) || !sr)
		return 0;
	if (json_object_object_get_ex(sr, "total_vfs", &v))
		total = json_object_get_int(v);
	if (json_object_object_get_ex(sr, "num_vfs", &v))
		num = json_object_get_int(v);
	if (json_object_object_get_ex(sr, "vf_offset", &v))
		offset = json_object_get_int(v);
	if (json_object_object_get_ex(sr, "vf_stride", &v))
		stride = json_object_get_int(v);
	if ((rc = get_hex(r, sr, "vf_device", path, 0xffff, &vf_device, &has)))
		return rc;
	if (total < 0 || total > 0xffff || num < 0 || num > total)
		return bad(r, path, "sriov needs 0 <= num_vfs <= total_vfs <= 65535");
	if (offset < 0 || offset > 0xffff || stride < 0 || stride > 0xffff)
		return bad(r, path, "sriov vf_offset and vf_stride must be 0 to 65535");
	*pos = acs_cfgsynth_sriov(s, 0, (uint16_t)total, (uint16_t)num, (uint16_t)offset,
				  (uint16_t)stride, (uint16_t)vf_device);
	if (!*pos)
		return bad(r, path, "no room for the SR-IOV capability");
	/* one VF's BARs, in the capability's VF BAR registers */
	if (json_object_object_get_ex(sr, "bars", &v) && v)
		return parse_bars(r, s, v, path, "sriov bars", *pos + ACS_PCI_SRIOV_BAR, 6, vf_bar_size);
	return 0;
}

/* The next free bus number of a domain; NULL past 64 domains of 10000 and
 * up. */
static unsigned *next_of(struct reader *r, uint32_t domain)
{
	if (domain < 0x10000)
		return &r->next_bus[domain];
	for (size_t k = 0; k < r->nhigh; k++)
		if (r->high[k].domain == domain)
			return &r->high[k].next;
	if (r->nhigh == sizeof(r->high) / sizeof(r->high[0]))
		return NULL;
	r->high[r->nhigh].domain = domain;
	r->high[r->nhigh].next = 0;
	return &r->high[r->nhigh++].next;
}

static int bus_below(struct reader *r, bool has, uint32_t v, uint32_t domain,
		     const char *path, uint8_t *sec);

/* The bus below a bridge: given, or the next free one of its domain. */
static int child_bus(struct reader *r, json_object *o, uint32_t domain,
		     const char *path, uint8_t *sec)
{
	uint32_t v;
	bool has;
	int rc = get_hex(r, o, "secondary", path, 0xff, &v, &has);

	return rc ? rc : bus_below(r, has, v, domain, path, sec);
}

/* The bus below a bridge: v where given (has), else the next free one. */
static int bus_below(struct reader *r, bool has, uint32_t v, uint32_t domain,
		     const char *path, uint8_t *sec)
{
	unsigned *next = next_of(r, domain);

	if (!has) {
		if (*next > 0xff)
			return bad(r, path, "out of bus numbers");
		v = *next;
	}
	if (v + 1 > *next)
		*next = v + 1;
	*sec = (uint8_t)v;
	return 0;
}

/* snprintf(out, size, "%s[%zu]", base, k) by hand: once a function */
static void element_path(char *out, size_t size, const char *base, size_t k)
{
	char num[24], *p = num + sizeof(num);
	size_t n = strlen(base), d;

	*--p = ']';
	do
		*--p = (char)('0' + k % 10);
	while (k /= 10);
	*--p = '[';
	d = (size_t)(num + sizeof(num) - p);
	if (n > size - 1)
		n = size - 1;
	memcpy(out, base, n);
	if (d > size - 1 - n)
		d = size - 1 - n;
	memcpy(out + n, p, d);
	out[n + d] = '\0';
}

/* snprintf(out, PATH_MAX_LEN, "%.150s.children", path) by hand */
static void children_path(char out[PATH_MAX_LEN], const char *path)
{
	size_t n = strnlen(path, 150);

	memcpy(out, path, n);
	memcpy(out + n, ".children", sizeof(".children"));
}

/* What both readers have made of one function once its config space is
 * written (r->synth): the rest is the same for both. */
struct built {
	const struct acs_topo_type *t;
	unsigned dev, fn, len;
	int pcie_type;
	unsigned pcie_pos, sriov_pos;
	uint8_t sec;
	bool has_sub;
	uint32_t sub;
	int32_t numa_node;
	const uint64_t *bar_size, *vf_bar_size;
	json_object *children;   /* the tree reader's */
};

/* The function into the builder, its VFs after it, and, for a bridge, the
 * frame its children are read in; rc: an error already met. */
static int add_built(struct reader *r, struct frame *at, const char *path, int rc,
		     const struct built *w)
{
	struct acs_cfgsynth *s = &r->synth;
	const struct acs_topo_type *t = w->t;
	long bridge_raw;

	if (!rc) {
		if (t->bridge)  /* an endpoint's bus number registers are its BAR2 */
			acs_cfgsynth_buses(s, at->bus, w->sec, w->sec);
		rc = acs_builder_add(r->b, at->domain, at->bus, (uint8_t)w->dev,
				     (uint8_t)w->fn, s->b,
				     w->pcie_type == ACS_PCIE_NONE && w->len > ACS_CFG_STD ? ACS_CFG_STD : w->len);
	}
	bridge_raw = (long)r->b->n - 1;
	if (!rc) {
		memcpy(r->b->raw[bridge_raw].bar_size, w->bar_size, sizeof(r->b->raw[0].bar_size));
		memcpy(r->b->raw[bridge_raw].vf_bar_size, w->vf_bar_size, sizeof(r->b->raw[0].vf_bar_size));
		r->b->raw[bridge_raw].numa_node = w->numa_node;
	}
	/* enabled VFs exist as functions: made from the PF's capability */
	if (!rc && w->sriov_pos)
		rc = acs_builder_add_vfs(r->b, r->b->n - 1, w->sriov_pos, w->pcie_pos);
	/* a VF is where its PF is (sysfs gives it the PF's numa_node) */
	for (size_t k = (size_t)bridge_raw + 1; !rc && k < r->b->n; k++)
		r->b->raw[k].numa_node = w->numa_node;
	if (rc && acs_error_last()->code == ACS_EINVAL && w->sriov_pos)
		rc = bad(r, path, "%s", acs_error_last()->message);
	if (rc || !t->bridge)
		return rc;
	if (r->depth == MAX_NEST)
		return bad(r, path, "nested deeper than %d levels", MAX_NEST);
	{
		struct frame *f = &r->stack[r->depth++];

		*f = (struct frame){ w->children, 0, 0, 0, at->domain, w->sec, bridge_raw,
				     w->has_sub ? (int)w->sub : -1, "" };
		if (r->recs) {   /* children: the records after this one */
			f->array = NULL;
			f->rec_next = (size_t)r->cur + 1;
			f->rec_left = r->recs[r->cur].nchild;
		}
		children_path(f->path, path);
	}
	return 0;
}

static int add_function(struct reader *r, json_object *o, struct frame *at,
			const char *path)
{
	struct acs_cfgsynth *s;
	const struct acs_topo_type *t;
	uint32_t vendor, device, cls, sub = 0;
	bool has_sub = false;
	unsigned sriov_pos = 0, pcie_pos = 0;
	uint64_t bar_size[6] = { 0 }, vf_bar_size[6] = { 0 };
	unsigned dev, fn, len = ACS_CFG_EXT;
	int pcie_type;
	bool has;
	json_object *children = NULL;
	uint8_t sec = 0;
	int32_t numa_node = -1;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(r, path, "a function must be an object");
	if ((rc = parse_slot(r, o, path, &dev, &fn)))
		return rc;
	if (!(t = parse_type(r, o, path)))
		return acs_error_last()->code;
	if ((rc = parse_express(r, o, path, t, &pcie_type)) || (rc = parse_read(r, o, path, &len)))
		return rc;
	vendor = t->vendor;
	device = t->device;
	cls = t->class_code;
	if ((rc = get_hex(r, o, "vendor", path, 0xffff, &vendor, &has)) ||
	    (rc = get_hex(r, o, "device", path, 0xffff, &device, &has)) ||
	    (rc = get_hex(r, o, "class", path, 0xffffff, &cls, &has)))
		return rc;
	if (json_object_object_get_ex(o, "children", &children) && children) {
		if (!t->bridge)
			return bad(r, path, "a %s has no children", t->name);
		if (!json_object_is_type(children, json_type_array))
			return bad(r, path, "\"children\" must be an array");
	}
	/* one buffer for every function: a 4 KiB malloc and free each, between
	 * the builder's small ones, left glibc searching its bins (1M
	 * functions: half the time in _int_malloc) */
	s = &r->synth;
	acs_cfgsynth_init(s, (uint16_t)vendor, (uint16_t)device, cls,
			  t->bridge ? ACS_PCI_HEADER_TYPE_BRIDGE : ACS_PCI_HEADER_TYPE_NORMAL,
			  get_bool(o, "multifunction"));
	if (pcie_type != ACS_PCIE_NONE && !(pcie_pos = acs_cfgsynth_pcie(s, 0, pcie_type)))
		rc = bad(r, path, "no room for the PCIe capability");
	if (!rc && pcie_type != ACS_PCIE_NONE)
		rc = add_acs(r, s, o, path);
	if (!rc)
		rc = add_link(r, s, o, pcie_pos, path);
	if (!rc)
		rc = get_numa(r, o, path, &numa_node);
	if (!rc && get_bool(o, "ats"))
		acs_cfgsynth_ats(s, 0);
	if (!rc)
		rc = add_sriov(r, s, o, path, &sriov_pos, vf_bar_size);
	if (!rc)
		rc = add_bars(r, s, o, path, t->bridge, bar_size);
	if (!rc && t->bridge)
		rc = child_bus(r, o, at->domain, path, &sec);
	if (!rc && t->bridge)
		rc = get_hex(r, o, "subordinate", path, 0xff, &sub, &has_sub);
	return add_built(r, at, path, rc, &(struct built){ t, dev, fn, len, pcie_type, pcie_pos, sriov_pos,
							  sec, has_sub, sub, numa_node, bar_size,
							  vf_bar_size, children });
}

/* A bridge's subordinate bus is known once its subtree is done. */
static void close_frame(struct reader *r, struct frame *f)
{
	struct acs_raw_func *br;
	unsigned last;

	if (f->bridge < 0)
		return;
	br = &r->b->raw[f->bridge];
	last = *next_of(r, f->domain) - 1;
	if (f->subordinate >= 0) {
		last = (unsigned)f->subordinate;
		if (*next_of(r, f->domain) <= last)
			*next_of(r, f->domain) = last + 1;
	}
	br->cfg[ACS_PCI_SUBORDINATE_BUS] = (uint8_t)last;
}

/* The stream reader: json-c's object of one text span, the span s[a..b)
 * with s[ca..cb) (an array the scan took apart) written as []; NULL when
 * json-c takes it for anything but one object ending where it ends. */
static json_object *span_object(struct reader *r, size_t a, size_t b, size_t ca, size_t cb)
{
	size_t n = ca ? (ca - a) + 2 + (b - cb) : b - a;
	json_object *o;

	if (n + 1 > r->bufcap) {
		size_t cap = n + 1 > 2 * r->bufcap ? n + 1 : 2 * r->bufcap;
		char *p = realloc(r->buf, cap);

		if (!p)
			return NULL;
		r->buf = p;
		r->bufcap = cap;
	}
	if (ca) {
		memcpy(r->buf, r->text + a, ca - a);
		memcpy(r->buf + (ca - a), "[]", 2);
		memcpy(r->buf + (ca - a) + 2, r->text + cb, b - cb);
	} else {
		memcpy(r->buf, r->text + a, n);
	}
	r->buf[n] = '\0';
	json_tokener_reset(r->tok);
	o = json_tokener_parse_ex(r->tok, r->buf, (int)n);
	if (o && (json_tokener_get_error(r->tok) != json_tokener_success ||
		  json_tokener_get_parse_end(r->tok) != n || !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/*
 * The stream reader's fast path: a function object of the members the
 * writer emits (acs_topology_write()), read straight from the text into
 * config space, without json-c's objects (1M functions: a third of the
 * time was json-c allocating, hashing and freeing about 20 blocks a
 * function). It takes only what it is sure of: double-quoted strings
 * without escapes, hex strings of up to 8 digits, plain integers, true
 * and false, the members below and nothing else, and only values the
 * tree reader would take without an error. Anything else (null, an
 * unknown member, "bars", "express", a value out of range) leaves the
 * function to json-c (add_function()), which reads it as it always did
 * and says what is wrong in the same words.
 */
bool acs_topology__fast = true;
_Thread_local size_t acs_topology__fast_count;

struct fast_fn {
	unsigned dev, fn;
	const struct acs_topo_type *t;
	uint32_t vendor, device, cls;
	bool multifunction, ats;
	bool has_acs, has_ctrl;
	uint32_t acs_cap, acs_ctrl;
	bool has_sec, has_sub;
	uint32_t sec, sub;
	int32_t numa_node;
	bool has_link;
	unsigned speed, width, max_speed, max_width;
	bool has_sriov, has_vf_device;
	long total, num, offset, stride;
	uint32_t vf_device;
};

struct cursor {
	const char *s;
	size_t i, end;
};

static size_t skip_space(const char *s, size_t i, size_t len);
static size_t string_end(const char *s, size_t i, size_t end, char quote);

/* c at the next character past space and comments; false at the end */
static bool fast_space(struct cursor *c)
{
	c->i = skip_space(c->s, c->i, c->end);
	return c->i < c->end;
}

static bool fast_char(struct cursor *c, char ch)
{
	if (!fast_space(c) || c->s[c->i] != ch)
		return false;
	c->i++;
	return true;
}

/* A string of printable ASCII without escapes: its text s[*at..*at+*len) */
static bool fast_string(struct cursor *c, const char **text, size_t *len)
{
	size_t a;

	if (!fast_char(c, '"'))
		return false;
	a = c->i;
	while (c->i < c->end && c->s[c->i] != '"') {
		unsigned char ch = (unsigned char)c->s[c->i];

		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			return false;
		c->i++;
	}
	if (c->i >= c->end)
		return false;
	*text = c->s + a;
	*len = c->i - a;
	c->i++;
	return true;
}

static int hex_digit(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	       ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* "1b36": 1 to 8 hex digits, at most max (get_hex() takes more forms) */
static bool fast_hex(struct cursor *c, uint32_t max, uint32_t *out)
{
	const char *t;
	size_t n;
	uint32_t v = 0;

	if (!fast_string(c, &t, &n) || n < 1 || n > 8)
		return false;
	for (size_t k = 0; k < n; k++) {
		int d = hex_digit(t[k]);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool word_char(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '.' || ch == '-' || ch == '+' || ch == '_';
}

/* An integer of 1 to 9 digits, no leading zero, from min to max */
static bool fast_int(struct cursor *c, long min, long max, long *out)
{
	bool neg;
	size_t a;
	long v = 0;

	if (!fast_space(c))
		return false;
	neg = c->s[c->i] == '-';
	c->i += neg;
	a = c->i;
	while (c->i < c->end && c->s[c->i] >= '0' && c->s[c->i] <= '9' && c->i - a < 10)
		v = v * 10 + (c->s[c->i++] - '0');
	if (c->i == a || c->i - a > 9 || (c->s[a] == '0' && c->i - a > 1) ||
	    (c->i < c->end && word_char(c->s[c->i])))
		return false;
	v = neg ? -v : v;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool fast_bool(struct cursor *c, bool *out)
{
	size_t n;

	if (!fast_space(c))
		return false;
	n = c->end - c->i;
	if (n >= 4 && !memcmp(c->s + c->i, "true", 4))
		*out = true, c->i += 4;
	else if (n >= 5 && !memcmp(c->s + c->i, "false", 5))
		*out = false, c->i += 5;
	else
		return false;
	return c->i >= c->end || !word_char(c->s[c->i]);
}

static bool key_eq(const char *k, size_t n, const char *name)
{
	return strlen(name) == n && !memcmp(k, name, n);
}

typedef bool fast_member_fn(struct cursor *c, const char *key, size_t n, void *arg);

/* An object: each member's value read by one(); false on anything else.
 * The scan already refused objects with a member named twice. */
static bool fast_object(struct cursor *c, fast_member_fn *one, void *arg)
{
	if (!fast_char(c, '{') || !fast_space(c))
		return false;
	if (c->s[c->i] == '}') {
		c->i++;
		return true;
	}
	for (;;) {
		const char *k;
		size_t n;

		if (!fast_string(c, &k, &n) || !fast_char(c, ':') || !one(c, k, n, arg) || !fast_space(c))
			return false;
		if (c->s[c->i] == '}') {
			c->i++;
			return true;
		}
		if (c->s[c->i] != ',')
			return false;
		c->i++;
	}
}

static bool fast_acs_member(struct cursor *c, const char *k, size_t n, void *arg)
{
	struct fast_fn *ff = arg;

	if (key_eq(k, n, "cap"))
		return fast_hex(c, 0xffff, &ff->acs_cap);
	if (key_eq(k, n, "ctrl"))
		return ff->has_ctrl = true, fast_hex(c, 0xffff, &ff->acs_ctrl);
	return false;
}

static bool fast_speed(struct cursor *c, unsigned *code)
{
	const char *t;
	size_t n;
	char text[16];

	if (!fast_string(c, &t, &n) || n >= sizeof(text))
		return false;
	memcpy(text, t, n);
	text[n] = '\0';
	return (*code = acs_link_speed_code(text)) != 0;
}

static bool fast_link_member(struct cursor *c, const char *k, size_t n, void *arg)
{
	struct fast_fn *ff = arg;
	long w;

	if (key_eq(k, n, "speed"))
		return fast_speed(c, &ff->speed);
	if (key_eq(k, n, "max_speed"))
		return fast_speed(c, &ff->max_speed);
	if (key_eq(k, n, "width") && fast_int(c, 1, 32, &w))
		return ff->width = (unsigned)w, true;
	if (key_eq(k, n, "max_width") && fast_int(c, 1, 32, &w))
		return ff->max_width = (unsigned)w, true;
	return false;
}

static bool fast_sriov_member(struct cursor *c, const char *k, size_t n, void *arg)
{
	struct fast_fn *ff = arg;

	if (key_eq(k, n, "total_vfs"))
		return fast_int(c, 0, 0xffff, &ff->total);
	if (key_eq(k, n, "num_vfs"))
		return fast_int(c, 0, 0xffff, &ff->num);
	if (key_eq(k, n, "vf_offset"))
		return fast_int(c, 0, 0xffff, &ff->offset);
	if (key_eq(k, n, "vf_stride"))
		return fast_int(c, 0, 0xffff, &ff->stride);
	if (key_eq(k, n, "vf_device"))
		return ff->has_vf_device = true, fast_hex(c, 0xffff, &ff->vf_device);
	return false;
}

static bool fast_slot(struct cursor *c, struct fast_fn *ff)
{
	const char *t;
	size_t n;
	int hi, lo;

	if (!fast_string(c, &t, &n) || n < 3 || n > 4 || t[n - 2] != '.' || t[n - 1] < '0' || t[n - 1] > '7')
		return false;
	hi = n == 4 ? hex_digit(t[0]) : 0;
	lo = hex_digit(t[n - 3]);
	if (hi < 0 || lo < 0 || (hi << 4 | lo) > 0x1f)
		return false;
	ff->dev = (unsigned)(hi << 4 | lo);
	ff->fn = (unsigned)(t[n - 1] - '0');
	return true;
}

static bool fast_type(struct cursor *c, struct fast_fn *ff)
{
	const char *t;
	size_t n;

	if (!fast_string(c, &t, &n))
		return false;
	for (size_t k = 0; k < acs_topo_ntypes; k++)
		if (key_eq(t, n, acs_topo_types[k].name)) {
			ff->t = &acs_topo_types[k];
			return true;
		}
	return false;
}

/* "children": [ ... ]: the scan knows where it ends */
static bool fast_children(struct cursor *c, const struct rec *rec)
{
	if (!fast_space(c) || c->s[c->i] != '[' || c->i != rec->ch_open)
		return false;
	c->i = (size_t)rec->ch_close + 1;
	return true;
}

struct fast_arg {
	struct fast_fn *ff;
	const struct rec *rec;
};

static bool fast_member(struct cursor *c, const char *k, size_t n, void *arg)
{
	struct fast_fn *ff = ((struct fast_arg *)arg)->ff;
	long v;

	switch (n ? k[0] : 0) {
	case 'a':
		if (key_eq(k, n, "acs"))
			return ff->has_acs = true, fast_object(c, fast_acs_member, ff);
		if (key_eq(k, n, "ats"))
			return fast_bool(c, &ff->ats);
		break;
	case 'c':
		if (key_eq(k, n, "class"))
			return fast_hex(c, 0xffffff, &ff->cls);
		if (key_eq(k, n, "children"))
			return fast_children(c, ((struct fast_arg *)arg)->rec);
		break;
	case 'd':
		if (key_eq(k, n, "device"))
			return fast_hex(c, 0xffff, &ff->device);
		break;
	case 'l':
		if (key_eq(k, n, "link"))
			return ff->has_link = true, fast_object(c, fast_link_member, ff);
		break;
	case 'm':
		if (key_eq(k, n, "multifunction"))
			return fast_bool(c, &ff->multifunction);
		break;
	case 'n':
		if (key_eq(k, n, "numa_node") && fast_int(c, -1, 0xffff, &v))
			return ff->numa_node = (int32_t)v, true;
		break;
	case 's':
		if (key_eq(k, n, "slot"))
			return fast_slot(c, ff);
		if (key_eq(k, n, "sriov"))
			return ff->has_sriov = true, fast_object(c, fast_sriov_member, ff);
		if (key_eq(k, n, "secondary"))
			return ff->has_sec = true, fast_hex(c, 0xff, &ff->sec);
		if (key_eq(k, n, "subordinate"))
			return ff->has_sub = true, fast_hex(c, 0xff, &ff->sub);
		break;
	case 't':
		if (key_eq(k, n, "type"))
			return fast_type(c, ff);
		break;
	case 'v':
		if (key_eq(k, n, "vendor"))
			return fast_hex(c, 0xffff, &ff->vendor);
		break;
	}
	return false;
}

/* Whether the tree reader takes the members read as they are, without an
 * error: only then is the function the fast path's. */
static bool fast_valid(const struct fast_fn *ff)
{
	const struct acs_topo_type *t = ff->t;

	if (!t || ff->dev > 0x1f)
		return false;
	if (ff->has_link && (t->pcie_type == ACS_PCIE_NONE || !ff->speed || !ff->width ||
			     (ff->max_speed && ff->max_speed < ff->speed) ||
			     (ff->max_width && ff->max_width < ff->width)))
		return false;
	if (ff->has_sriov && (ff->num > ff->total))
		return false;
	return true;
}

/* A function object of the text, or false where json-c must read it. */
static bool fast_read(struct reader *r, const struct rec *rec, struct fast_fn *ff)
{
	struct cursor c = { r->text, rec->start, (size_t)rec->end + 1 };
	struct fast_arg arg = { ff, rec };

	memset(ff, 0, sizeof(*ff));
	ff->dev = 0x100;   /* none yet */
	ff->vendor = ff->device = ff->cls = UINT32_MAX;
	ff->acs_cap = 0x005f;
	ff->numa_node = -1;
	ff->offset = ff->stride = 1;
	if (!fast_object(&c, fast_member, &arg) || c.i != c.end || !fast_valid(ff))
		return false;
	if (rec->ch_open && !ff->t->bridge)
		return false;   /* "a ... has no children": json-c says so */
	acs_topology__fast_count++;
	return true;
}

/* The same steps as add_function(), in its order (capabilities are laid
 * out in the order they are added), with values known to be good. */
static int add_fast(struct reader *r, const struct fast_fn *ff, struct frame *at, const char *path)
{
	struct acs_cfgsynth *s = &r->synth;
	const struct acs_topo_type *t = ff->t;
	static const uint64_t no_bars[6];
	unsigned pcie_pos = 0, sriov_pos = 0;
	int pcie_type = t->pcie_type;
	uint8_t sec = 0;
	int rc = 0;

	acs_cfgsynth_init(s, (uint16_t)(ff->vendor != UINT32_MAX ? ff->vendor : t->vendor),
			  (uint16_t)(ff->device != UINT32_MAX ? ff->device : t->device),
			  ff->cls != UINT32_MAX ? ff->cls : t->class_code,
			  t->bridge ? ACS_PCI_HEADER_TYPE_BRIDGE : ACS_PCI_HEADER_TYPE_NORMAL, ff->multifunction);
	if (pcie_type != ACS_PCIE_NONE && !(pcie_pos = acs_cfgsynth_pcie(s, 0, pcie_type)))
		rc = bad(r, path, "no room for the PCIe capability");
	if (!rc && pcie_type != ACS_PCIE_NONE && ff->has_acs) {
		/* unless given, control holds what Linux enables at boot */
		uint32_t ctrl = ff->has_ctrl ? ff->acs_ctrl : ff->acs_cap & (ACS_SV | ACS_RR | ACS_CR | ACS_UF);

		if (!acs_cfgsynth_acs(s, 0, (uint16_t)ff->acs_cap, (uint16_t)ctrl))
			rc = bad(r, path, "no room for the ACS capability");
	}
	if (!rc && ff->has_link) {
		unsigned max_speed = ff->max_speed ? ff->max_speed : ff->speed;
		unsigned max_width = ff->max_width ? ff->max_width : ff->width;

		acs_cfg_put16(s->b, pcie_pos + ACS_PCI_EXP_LNKCAP,
			      (uint16_t)(max_speed | max_width << ACS_PCI_EXP_LNK_WIDTH_SHIFT));
		acs_cfg_put16(s->b, pcie_pos + ACS_PCI_EXP_LNKSTA,
			      (uint16_t)(ff->speed | ff->width << ACS_PCI_EXP_LNK_WIDTH_SHIFT));
	}
	if (!rc && ff->ats)
		acs_cfgsynth_ats(s, 0);
	if (!rc && ff->has_sriov) {
		uint32_t vf_device = ff->has_vf_device ? ff->vf_device : acs_rd16(s->b, ACS_PCI_DEVICE_ID);

		sriov_pos = acs_cfgsynth_sriov(s, 0, (uint16_t)ff->total, (uint16_t)ff->num, (uint16_t)ff->offset,
					       (uint16_t)ff->stride, (uint16_t)vf_device);
		if (!sriov_pos)
			rc = bad(r, path, "no room for the SR-IOV capability");
	}
	if (!rc && t->bridge)
		rc = bus_below(r, ff->has_sec, ff->sec, at->domain, path, &sec);
	return add_built(r, at, path, rc, &(struct built){ t, ff->dev, ff->fn, ACS_CFG_EXT, pcie_type, pcie_pos,
							  sriov_pos, sec, ff->has_sub, ff->sub, ff->numa_node,
							  no_bars, no_bars, NULL });
}

static int walk(struct reader *r)
{
	while (r->depth) {
		struct frame *f = &r->stack[r->depth - 1];
		char path[PATH_MAX_LEN + 16];
		struct fast_fn ff;
		json_object *o;
		int rc;

		if (r->recs) {
			const struct rec *rec;

			if (!f->rec_left) {
				close_frame(r, f);
				r->depth--;
				continue;
			}
			rec = &r->recs[f->rec_next];
			r->cur = (long)f->rec_next;
			if (acs_topology__fast && fast_read(r, rec, &ff)) {
				o = NULL;
			} else if (!(o = span_object(r, rec->start, (size_t)rec->end + 1, rec->ch_open,
						    rec->ch_open ? (size_t)rec->ch_close + 1 : 0))) {
				return -1;   /* the tree reader says what */
			}
			f->rec_next += rec->nsub;
			f->rec_left--;
			element_path(path, sizeof(path), f->path, f->next);
			f->next++;
			rc = o ? add_function(r, o, f, path) : add_fast(r, &ff, f, path);
			json_object_put(o);
			if (rc)
				return rc;
			continue;
		}
		if (!f->array || f->next >= json_object_array_length(f->array)) {
			close_frame(r, f);
			r->depth--;
			continue;
		}
		o = json_object_array_get_idx(f->array, f->next);
		snprintf(path, sizeof(path), "%s[%zu]", f->path, f->next);
		f->next++;
		rc = add_function(r, o, f, path);
		if (rc)
			return rc;
	}
	return 0;
}

/* "vmd": "DDDD:BB:DD.F": the domain is one the Intel VMD driver created
 * behind that endpoint (vmd.c numbers them from 10000). */
static int vmd_of(struct reader *r, json_object *root, uint32_t domain, const char *path)
{
	json_object *v;
	unsigned d = 0, b, s, f;
	char tail;
	const char *str;

	if (!json_object_object_get_ex(root, "vmd", &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(r, path, "\"vmd\" must be the VMD endpoint's address, \"DDDD:BB:DD.F\"");
	str = json_object_get_string(v);
	if (!((sscanf(str, "%x:%x:%x.%x%c", &d, &b, &s, &f, &tail) == 4 && strchr(str, ':') != strrchr(str, ':')) ||
	      (sscanf(str, "%x:%x.%x%c", &b, &s, &f, &tail) == 3 && strchr(str, ':') == strrchr(str, ':'))) ||
	    b > 0xff || s > 0x1f || f > 7)
		return bad(r, path, "\"vmd\": '%s' is not an address (DDDD:BB:DD.F)", str);
	if (domain < 0x10000)
		return bad(r, path, "\"vmd\": domain %04x is not one the VMD driver creates (10000 and up)",
			   domain);
	return acs_builder_add_vmd(r->b, domain, d, (uint8_t)b, (uint8_t)s, (uint8_t)f);
}

static int add_root(struct reader *r, json_object *root, size_t i)
{
	char path[64];
	unsigned *next;
	uint32_t domain = 0, bus = 0;
	json_object *funcs;
	bool has;
	int rc;

	snprintf(path, sizeof(path), "roots[%zu]", i);
	if (!json_object_is_type(root, json_type_object))
		return bad(r, path, "a root must be an object");
	if ((rc = get_hex(r, root, "domain", path, 0xffffffff, &domain, &has)) ||
	    (rc = get_hex(r, root, "bus", path, 0xff, &bus, &has)))
		return rc;
	if (!json_object_object_get_ex(root, "functions", &funcs) ||
	    !json_object_is_type(funcs, json_type_array))
		return bad(r, path, "needs \"functions\": [...]");
	if ((rc = vmd_of(r, root, domain, path)))
		return rc;
	if (!(next = next_of(r, domain)))
		return bad(r, path, "more than 64 domains of 10000 and up");
	if (*next <= bus)
		*next = bus + 1;
	r->stack[0] = (struct frame){ funcs, 0, 0, 0, domain, (uint8_t)bus, -1, -1, "" };
	if (r->recs) {
		r->stack[0].array = NULL;
		r->stack[0].rec_next = r->roots[i].first;
		r->stack[0].rec_left = r->roots[i].count;
	}
	snprintf(r->stack[0].path, sizeof(r->stack[0].path), "%s.functions", path);
	r->depth = 1;
	return walk(r);
}

static void offset_to_line(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* json-c's error in words a person reads, for "FILE:LINE:COL: ...". */
static const char *json_what(enum json_tokener_error e)
{
	switch (e) {
	case json_tokener_continue:
		return "the file ends inside the JSON (an unclosed '{', '[' or string: cut short?)";
	case json_tokener_error_depth:
		return "nested too deep";
	case json_tokener_error_parse_eof:
		return "the file ends where a value was expected";
	case json_tokener_error_parse_null:
		return "expected null";
	case json_tokener_error_parse_boolean:
		return "expected true or false";
	case json_tokener_error_parse_number:
		return "a malformed number";
	case json_tokener_error_parse_array:
		return "expected ',' or ']' after an array element";
	case json_tokener_error_parse_object_key_name:
		return "expected a member name in double quotes";
	case json_tokener_error_parse_object_key_sep:
		return "expected ':' after a member name";
	case json_tokener_error_parse_object_value_sep:
		return "expected ',' or '}' after a member's value";
	case json_tokener_error_parse_string:
		return "a malformed string (bad escape or control character)";
	case json_tokener_error_parse_comment:
		return "a malformed comment";
	case json_tokener_error_parse_utf8_string:
		return "invalid UTF-8 in a string";
	default:
		return "expected a JSON value";
	}
}

static int json_error(const struct acs_input *in, size_t off, const char *what)
{
	int line, col;
	unsigned char ch = off < in->len ? (unsigned char)in->data[off] : 0;

	offset_to_line(in->data, off, &line, &col);
	if (ch > ' ' && ch < 0x7f)
		return acs_error_set(ACS_EPARSE, "%s:%d:%d: %s (at '%c')", in->name, line, col, what, ch);
	return acs_error_set(ACS_EPARSE, "%s:%d:%d: %s", in->name, line, col, what);
}

/* After the document only space and comments: a second document or a
 * stray '}' means the file is not what its author thinks. */
static size_t after_document(const char *s, size_t i, size_t len)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++;
		} else if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
			const char *nl = memchr(s + i, '\n', len - i);

			i = nl ? (size_t)(nl - s) : len;
		} else if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");

			if (!e)
				return i;
			i = (size_t)(e - s) + 2;
		} else {
			return i;
		}
	}
	return len;
}

/* A member name where the walk below found it: in object obj, s[0..len). */
struct member {
	size_t obj;
	const char *s;
	size_t len;
};

static int member_cmp(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	int c;

	if (a->obj != b->obj)
		return a->obj < b->obj ? -1 : 1;
	c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	if (c || a->len != b->len)
		return c ? c : a->len < b->len ? -1 : 1;
	return a->s < b->s ? -1 : a->s > b->s;   /* the first one first */
}

/* After the quote at s[i]: the offset of the quote that ends the string
 * (end or past it when none does). memchr, not a byte at a time: the
 * scan of a 1M-function topology spent a tenth of loading here. */
static size_t string_end(const char *s, size_t i, size_t end, char quote)
{
	while (i < end) {
		const char *q = memchr(s + i, quote, end - i);
		const char *esc;

		if (!q)
			return end;
		if (!(esc = memchr(s + i, '\\', (size_t)(q - s) - i)))
			return (size_t)(q - s);
		i = (size_t)(esc - s) + 2;   /* the escaped character is no quote */
	}
	return i;
}

#define JSON_DEPTH (2 * MAX_NEST + 16)

/* Every member name of the document s[0..end) (json-c took it as valid
 * JSON, its comments and single quotes included), numbered by object. */
static int collect_members(const char *s, size_t end, struct member **out, size_t *n)
{
	bool in_obj[JSON_DEPTH + 1] = { false }, want[JSON_DEPTH + 1] = { false };
	size_t id[JSON_DEPTH + 1] = { 0 }, objects = 0, cap = 0;
	int depth = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < end; i++) {
		char c = s[i];

		if (c == '/' && i + 1 < end && (s[i + 1] == '/' || s[i + 1] == '*')) {
			const char *e = s[i + 1] == '/' ? memchr(s + i, '\n', end - i) : strstr(s + i + 2, "*/");

			i = e ? (size_t)(e - s) + (s[i + 1] == '*') : end;
		} else if ((c == '{' || c == '[') && depth < JSON_DEPTH) {
			depth++;
			in_obj[depth] = want[depth] = c == '{';
			id[depth] = objects++;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		} else if (c == ',') {
			want[depth] = in_obj[depth];
		} else if (c == '"' || c == '\'') {
			size_t e = string_end(s, i + 1, end, c);

			if (want[depth]) {
				if (*n == cap) {
					struct member *m = realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof(*m));

					if (!m)
						return acs_error_nomem();
					*out = m;
				}
				(*out)[(*n)++] = (struct member){ id[depth], s + i + 1, e - i - 1 };
				want[depth] = false;
			}
			i = e;
		}
	}
	return 0;
}

/* A member named twice in one object: json-c keeps the last value, so a
 * second "roots" or "children" would silently drop the functions of the
 * first. */
static int duplicate_members(const struct acs_input *in, size_t end)
{
	struct member *m;
	size_t n;
	int rc = collect_members(in->data, end, &m, &n);

	if (rc)
		return rc;
	if (n)
		qsort(m, n, sizeof(*m), member_cmp);
	for (size_t k = 1; !rc && k < n; k++)
		if (m[k - 1].obj == m[k].obj && m[k - 1].len == m[k].len &&
		    memcmp(m[k - 1].s, m[k].s, m[k].len) == 0) {   /* m[k]: the later one */
			char what[160];

			snprintf(what, sizeof(what), "\"%.*s\" a second time in one object (JSON "
				 "keeps only the last, so the first would be lost)",
				 (int)(m[k].len < 60 ? m[k].len : 60), m[k].s);
			rc = json_error(in, (size_t)(m[k].s - in->data) - 1, what);
		}
	free(m);
	return rc;
}

/*
 * The stream reader. One scan over the text finds every function object
 * (an element of a root's "functions" or of a function's "children"), where
 * it ends and where its children are; json-c then reads each function
 * alone, its children written as [], and the document without the
 * functions. Only the functions of one bus path are ever held as objects,
 * never the whole document. The scan takes only what it is sure json-c
 * takes the same way (double-quoted strings, comments, no trailing comma,
 * no member named twice, no escape in a member name, no NUL); anything
 * else, and every error, goes to the tree reader below, which says what
 * is wrong exactly as it always did.
 */
enum { K_TOP, K_ROOTS, K_ROOT, K_FUNCS, K_FUNC, K_OBJ, K_ARR };
enum { S_FIRST, S_NEXT, S_AFTER };   /* after '{' or '[', after ',', after a value */

struct ctx {
	uint8_t kind, state;
	bool fn_root;        /* K_FUNCS: a root's "functions" (else "children") */
	uint32_t owner;      /* K_FUNCS: the root or record; K_FUNC, K_ROOT: its own */
	size_t mbase;        /* objects: where its member names start */
	int key;             /* objects: the member whose value comes next (K_*) */
};

struct scan {
	const char *s;
	size_t len;
	struct member *m;    /* member names of the open objects */
	size_t nm, mcap;
	struct ctx stack[JSON_DEPTH];
	size_t depth;
};

/* Space and comments from s[i]; SIZE_MAX on a '/' that opens no comment
 * or a comment that never ends. */
static size_t skip_space_from(const char *s, size_t i, size_t len)
{
	while (i < len) {
		char c = s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
		} else if (c == '/') {
			if (i + 1 < len && s[i + 1] == '/') {
				const char *nl = memchr(s + i, '\n', len - i);

				i = nl ? (size_t)(nl - s) : len;
			} else if (i + 1 < len && s[i + 1] == '*') {
				const char *e = memmem(s + i + 2, len - i - 2, "*/", 2);

				if (!e)
					return SIZE_MAX;
				i = (size_t)(e - s) + 2;
			} else {
				return SIZE_MAX;
			}
		} else {
			break;
		}
	}
	return i;
}

/* Compact text has no space at all: the common case without a call. */
static inline size_t skip_space(const char *s, size_t i, size_t len)
{
	if (i < len && (unsigned char)s[i] > ' ' && s[i] != '/')
		return i;
	return skip_space_from(s, i, len);
}

static bool has_duplicate(struct member *m, size_t n)
{
	if (n > 16) {
		qsort(m, n, sizeof(*m), member_cmp);
		for (size_t k = 1; k < n; k++)
			if (m[k - 1].len == m[k].len && !memcmp(m[k - 1].s, m[k].s, m[k].len))
				return true;
		return false;
	}
	for (size_t j = 0; j < n; j++)
		for (size_t k = j + 1; k < n; k++)
			if (m[j].len == m[k].len && !memcmp(m[j].s, m[k].s, m[k].len))
				return true;
	return false;
}

static bool key_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(s, name, len);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	{
		size_t c = *cap ? *cap * 2 : 1024;
		void *q;

		while (c < need)
			c *= 2;
		q = realloc(*p, c * size);
		if (!q)
			return -1;
		*p = q;
		*cap = c;
	}
	return 0;
}

/* The scan: 0, or -1 where the tree reader must read it. */
static int scan_text(struct reader *r, struct scan *sc, size_t *doc_end)
{
	const char *s = sc->s;
	size_t len = sc->len, i, rcap = 0, rootcap = 0;

	if (memchr(s, '\0', len))
		return -1;
	i = skip_space(s, 0, len);
	if (i >= len || s[i] != '{')
		return -1;
	sc->stack[0] = (struct ctx){ K_TOP, S_FIRST, false, 0, 0, K_OBJ };
	sc->depth = 1;
	i++;
	for (;;) {
		struct ctx *c = &sc->stack[sc->depth - 1];
		bool obj = c->kind == K_TOP || c->kind == K_ROOT || c->kind == K_FUNC || c->kind == K_OBJ;
		char ch;
		int kind;

		if ((i = skip_space(s, i, len)) >= len)
			return -1;
		ch = s[i];
		if (c->state == S_AFTER) {
			if (ch == ',') {
				c->state = S_NEXT;
				i++;
				continue;
			}
			if (ch != (obj ? '}' : ']'))
				return -1;
		}
		if (ch == (obj ? '}' : ']') && c->state != S_NEXT) {   /* closes c */
			if (obj) {
				/* an empty object ({}) may come before any member was kept */
				if (sc->nm > c->mbase && has_duplicate(sc->m + c->mbase, sc->nm - c->mbase))
					return -1;
				sc->nm = c->mbase;
			}
			if (c->kind == K_FUNC) {
				r->recs[c->owner].end = (uint32_t)i;
				r->recs[c->owner].nsub = (uint32_t)(r->nrecs - c->owner);
			} else if (c->kind == K_FUNCS) {
				if (c->fn_root)
					r->roots[c->owner].fclose = (uint32_t)i;
				else
					r->recs[c->owner].ch_close = (uint32_t)i;
			}
			i++;
			if (--sc->depth == 0)
				break;
			sc->stack[sc->depth - 1].state = S_AFTER;
			continue;
		}
		kind = K_ARR;
		if (obj) {   /* "name": */
			size_t e;

			if (ch != '"')
				return -1;
			e = string_end(s, i + 1, len, '"');
			if (e >= len || memchr(s + i + 1, '\\', e - i - 1))
				return -1;
			if (grow((void **)&sc->m, &sc->mcap, sc->nm + 1, sizeof(*sc->m)))
				return -1;
			sc->m[sc->nm++] = (struct member){ 0, s + i + 1, e - i - 1 };
			kind = c->kind == K_TOP && key_is(s + i + 1, e - i - 1, "roots") ? K_ROOTS :
			       c->kind == K_ROOT && key_is(s + i + 1, e - i - 1, "functions") ? K_FUNCS :
			       c->kind == K_FUNC && key_is(s + i + 1, e - i - 1, "children") ? K_FUNCS : K_ARR;
			if ((i = skip_space(s, e + 1, len)) >= len || s[i] != ':')
				return -1;
			if ((i = skip_space(s, i + 1, len)) >= len)
				return -1;
			ch = s[i];
		} else if (c->kind == K_ROOTS || c->kind == K_FUNCS) {
			if (ch != '{')
				return -1;
			kind = c->kind == K_ROOTS ? K_ROOT : K_FUNC;
		}
		c->state = S_AFTER;
		if (ch == '{' || ch == '[') {
			struct ctx n = { ch == '{' ? K_OBJ : K_ARR, S_FIRST, false, 0, sc->nm, 0 };

			if (sc->depth == JSON_DEPTH - 8)
				return -1;
			if (ch == '[' && kind == K_ROOTS) {
				n.kind = K_ROOTS;
			} else if (ch == '[' && kind == K_FUNCS) {
				n.kind = K_FUNCS;
				n.fn_root = c->kind == K_ROOT;
				n.owner = c->owner;
				if (n.fn_root) {
					r->roots[c->owner].fopen = (uint32_t)i;
					r->roots[c->owner].first = (uint32_t)r->nrecs;
				} else {
					r->recs[c->owner].ch_open = (uint32_t)i;
				}
			} else if (ch == '{' && kind == K_ROOT) {
				if (grow((void **)&r->roots, &rootcap, r->nroots + 1, sizeof(*r->roots)))
					return -1;
				n.kind = K_ROOT;
				n.owner = (uint32_t)r->nroots;
				r->roots[r->nroots++] = (struct rootrec){ 0, 0, 0, 0 };
			} else if (ch == '{' && kind == K_FUNC) {
				if (r->nrecs >= UINT32_MAX ||
				    grow((void **)&r->recs, &rcap, r->nrecs + 1, sizeof(*r->recs)))
					return -1;
				n.kind = K_FUNC;
				n.owner = (uint32_t)r->nrecs;
				r->recs[r->nrecs++] = (struct rec){ (uint32_t)i, 0, 0, 0, 0, 0 };
				if (c->fn_root)
					r->roots[c->owner].count++;
				else
					r->recs[c->owner].nchild++;
			}
			sc->stack[sc->depth++] = n;
			i++;
		} else if (ch == '"') {
			i = string_end(s, i + 1, len, '"');
			if (i >= len)
				return -1;
			i++;
		} else {   /* a number, true, false or null: json-c reads it */
			size_t a = i;

			while (i < len && (s[i] == '-' || s[i] == '+' || s[i] == '.' ||
					   (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
					   (s[i] >= 'A' && s[i] <= 'Z')))
				i++;
			if (i == a)
				return -1;
		}
	}
	if (skip_space(s, i, len) != len)
		return -1;
	*doc_end = i;
	return 0;
}

/* The document without its roots' functions, as json-c's tree. */
static json_object *skeleton(struct reader *r, size_t doc_end)
{
	size_t n = doc_end, at = 0, w = 0;
	char *buf;
	json_object *o;

	for (size_t k = 0; k < r->nroots; k++)
		if (r->roots[k].fopen)
			n -= r->roots[k].fclose + 1 - r->roots[k].fopen - 2;
	if (!(buf = malloc(n + 1)))
		return NULL;
	for (size_t k = 0; k < r->nroots; k++) {
		const struct rootrec *rr = &r->roots[k];

		if (!rr->fopen)
			continue;
		memcpy(buf + w, r->text + at, rr->fopen - at);
		w += rr->fopen - at;
		memcpy(buf + w, "[]", 2);
		w += 2;
		at = (size_t)rr->fclose + 1;
	}
	memcpy(buf + w, r->text + at, doc_end - at);
	w += doc_end - at;
	buf[w] = '\0';
	json_tokener_reset(r->tok);
	o = json_tokener_parse_ex(r->tok, buf, (int)w);
	if (o && (json_tokener_get_error(r->tok) != json_tokener_success ||
		  json_tokener_get_parse_end(r->tok) != w || !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	free(buf);
	return o;
}

/* 0 with the fabric's functions added, or nonzero where the tree reader
 * must read the text again (the caller takes back what was added). */
static int topology_stream(struct reader *r, const struct acs_input *in)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	json_object *doc = NULL, *v, *roots;
	size_t doc_end;
	int rc = -1;

	r->text = in->data;
	if (!sc)
		return -1;
	sc->s = in->data;
	sc->len = in->len;
	if (scan_text(r, sc, &doc_end) || !r->recs || acs_builder_reserve(r->b, r->nrecs))
		goto done;
	if (!(doc = skeleton(r, doc_end)))
		goto done;
	if (!json_object_object_get_ex(doc, "acsctl-topology", &v) ||
	    json_object_get_int(v) != ACS_TOPOLOGY_VERSION ||
	    !json_object_object_get_ex(doc, "roots", &roots) ||
	    !json_object_is_type(roots, json_type_array) ||
	    json_object_array_length(roots) != r->nroots)
		goto done;
	rc = 0;
	for (size_t i = 0; !rc && i < r->nroots; i++)
		rc = add_root(r, json_object_array_get_idx(roots, i), i);
done:
	json_object_put(doc);
	free(sc->m);
	free(sc);
	return rc;
}

static int topology_load_tree(struct acs_builder *b, const char *path, struct acs_input *in)
{
	struct reader *r;
	struct json_tokener *tok;
	json_object *doc = NULL, *v, *roots;
	const char *text = in->data;
	size_t len = in->len;
	int rc = 0;

	path = in->name;
	if (len > INT_MAX)
		return acs_error_set(ACS_EPARSE, "%s: over 2 GiB: too large for a topology", path);
	tok = json_tokener_new_ex(2 * MAX_NEST + 16);
	r = calloc(1, sizeof(*r));
	if (!tok || !r) {
		rc = acs_error_nomem();
		goto done;
	}
	r->b = b;
	r->file = path;
	doc = json_tokener_parse_ex(tok, text, (int)len);
	if (!doc || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		rc = json_error(in, e == json_tokener_continue ? len : json_tokener_get_parse_end(tok),
				json_what(e));
		goto done;
	}
	if (after_document(text, json_tokener_get_parse_end(tok), len) < len) {
		rc = json_error(in, after_document(text, json_tokener_get_parse_end(tok), len),
				"text after the end of the topology's '}'");
		goto done;
	}
	if ((rc = duplicate_members(in, json_tokener_get_parse_end(tok))))
		goto done;
	if (!json_object_object_get_ex(doc, "acsctl-topology", &v) ||
	    json_object_get_int(v) != ACS_TOPOLOGY_VERSION) {
		rc = acs_error_set(ACS_EPARSE, "%s: not an acsctl topology (needs \"acsctl-topology\": 1)", path);
		goto done;
	}
	if (!json_object_object_get_ex(doc, "roots", &roots) ||
	    !json_object_is_type(roots, json_type_array)) {
		rc = acs_error_set(ACS_EPARSE, "%s: needs \"roots\": [...]", path);
		goto done;
	}
	for (size_t i = 0; !rc && i < json_object_array_length(roots); i++)
		rc = add_root(r, json_object_array_get_idx(roots, i), i);
done:
	json_object_put(doc);
	if (tok)
		json_tokener_free(tok);
	free(r);
	return rc;
}

static int topology_load(struct acs_builder *b, const char *path, struct acs_input *in)
{
	struct reader *r;
	size_t n0 = b->n, nvmd0 = b->nvmd;
	int rc;

	if (in->len > INT_MAX)
		return acs_error_set(ACS_EPARSE, "%s: over 2 GiB: too large for a topology", in->name);
	r = calloc(1, sizeof(*r));
	if (!r)
		return acs_error_nomem();
	r->b = b;
	r->file = in->name;
	r->tok = json_tokener_new_ex(2 * MAX_NEST + 16);
	rc = r->tok ? topology_stream(r, in) : -1;
	if (r->tok)
		json_tokener_free(r->tok);
	free(r->recs);
	free(r->roots);
	free(r->buf);
	free(r);
	if (!rc)
		return 0;
	for (size_t i = n0; i < b->n; i++) {   /* take back what the stream added */
		free(b->raw[i].cfg);
		free(b->raw[i].driver);
	}
	b->n = n0;
	b->nvmd = nvmd0;
	return topology_load_tree(b, path, in);
}

const struct acs_source_ops acs_source_topology = {
	.kind = ACS_SOURCE_TOPOLOGY,
	.name = "topology",
	.load = topology_load,
};
