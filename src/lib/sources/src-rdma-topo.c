/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rdma_topo's dumps (doc/rdma-topo-dump.md): rdma-core's `rdma_topo dump`
 * writes a JSON list, one object per function, with what sysfs holds of
 * it: "realpath" (its sysfs path, so the tree), "config" and "vpd" (zlib,
 * then base64), "modalias", "iommu_group", "numa_node", "subsystems".
 * Read here into a fabric (the kernel's groups included), and written by
 * acs_rdma_topo_write(). Facts from rdma_topo; none of its code.
 */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "acsctl/groups.h"
#include "acsctl/rdma-topo.h"
#include "sources/sources.h"

#define CONFIG_MAX 4096     /* config space */
#define VPD_MAX 32768       /* VPD's address space (15 bits) */

/* ---- base64 and zlib, both ways ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* Strict base64 (what Python's b64encode writes): the alphabet, then at
 * most two '=' to a multiple of four. *out malloc'd. */
static int b64_decode(const char *s, size_t len, uint8_t **out, size_t *outlen, char *why, size_t whylen)
{
	size_t pad = 0, n = 0;
	uint8_t *buf;
	uint32_t acc = 0;

	if (len % 4) {
		snprintf(why, whylen, "bad base64: %zu characters, not a multiple of 4", len);
		return -1;
	}
	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	if (!(buf = malloc(len / 4 * 3 + 1)))
		return acs_error_nomem();
	for (size_t i = 0; i < len - pad; i++) {
		int v = b64_value(s[i]);

		if (v < 0) {
			free(buf);
			snprintf(why, whylen, "bad base64: character %zu is %s", i + 1,
				 s[i] == '=' ? "'=' before the end" : "not in base64's alphabet");
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			buf[n++] = (uint8_t)(acc >> 16);
			buf[n++] = (uint8_t)(acc >> 8);
			buf[n++] = (uint8_t)acc;
		}
	}
	if (pad == 1) {
		buf[n++] = (uint8_t)(acc >> 10);
		buf[n++] = (uint8_t)(acc >> 2);
	} else if (pad == 2) {
		buf[n++] = (uint8_t)(acc >> 4);
	}
	*out = buf;
	*outlen = n;
	return 0;
}

/* One zlib stream, whole, its output at most max bytes. */
static int z_decode(const uint8_t *in, size_t len, size_t max, uint8_t **out, size_t *outlen,
		    char *why, size_t whylen)
{
	z_stream z = { 0 };
	uint8_t *buf = malloc(max + 1);
	int zrc;

	if (!buf)
		return acs_error_nomem();
	if (inflateInit(&z) != Z_OK) {
		free(buf);
		return acs_error_nomem();
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)(max + 1);
	zrc = inflate(&z, Z_FINISH);
	*outlen = z.total_out;
	if (zrc == Z_STREAM_END && z.avail_in)
		snprintf(why, whylen, "%u bytes after the zlib stream's end", z.avail_in);
	else if (zrc == Z_STREAM_END)
		why[0] = '\0';
	else if (*outlen > max)
		snprintf(why, whylen, "over %zu bytes once inflated", max);
	else if (zrc == Z_BUF_ERROR)
		snprintf(why, whylen, "the zlib stream is cut short (%zu bytes inflated)", *outlen);
	else
		snprintf(why, whylen, "bad zlib data (%s)", z.msg ? z.msg : "inflate failed");
	inflateEnd(&z);
	if (why[0]) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* ---- reading ---- */

struct item {
	const struct acs_input *in;
	size_t index, count;
	char bdf[16];
	int line;           /* where its realpath is, 0 unknown */
};

static int item_error(const struct item *it, const char *fmt, ...) ACS_PRINTF(2, 3);

static int item_error(const struct item *it, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (it->line)
		return acs_error_set(ACS_EPARSE, "%s:%d: item %zu of %zu%s%s: %s", it->in->name, it->line,
				     it->index + 1, it->count, it->bdf[0] ? " " : "", it->bdf, what);
	return acs_error_set(ACS_EPARSE, "%s: item %zu of %zu%s%s: %s", it->in->name, it->index + 1,
			     it->count, it->bdf[0] ? " " : "", it->bdf, what);
}

/* Where the errors' place is looked for: the items' realpaths come in
 * file order, so one pass over the file finds them all. */
struct cursor {
	size_t pos;
	int line;
	bool lost;          /* a realpath not found as written (escapes): no more lines */
};

/* The line of the next "needle" from the cursor on, 0 when not found. */
static int line_of(const struct acs_input *in, const char *needle, struct cursor *cur)
{
	size_t n = strlen(needle);
	int line = cur->line;

	for (size_t i = cur->pos; !cur->lost && i + n + 1 < in->len; i++) {
		if (in->data[i] == '\n')
			line++;
		else if (in->data[i] == '"' && memcmp(in->data + i + 1, needle, n) == 0 && in->data[i + 1 + n] == '"') {
			cur->pos = i + n + 2;
			cur->line = line;
			return line;
		}
	}
	cur->lost = true;
	return 0;
}

static const char *type_name(json_object *o)
{
	return o ? json_type_to_name(json_object_get_type(o)) : "null";
}

/* A string member: required, or NULL when absent or null. */
static int get_string(const struct item *it, json_object *obj, const char *key, bool required,
		      const char **out, size_t *len)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || !v) {
		if (required)
			return item_error(it, "no \"%s\" (rdma_topo requires it)", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return item_error(it, "\"%s\" is %s, not a string", key, type_name(v));
	*out = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return 0;
}

/* An integer member, or null/absent: *out = -1, *present false. */
static int get_int(const struct item *it, json_object *obj, const char *key, long lo, long hi, int *out,
		   bool *present)
{
	json_object *v = NULL;
	int64_t x;

	*out = -1;
	*present = false;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return item_error(it, "\"%s\" is %s, not an integer or null", key, type_name(v));
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < lo || x > hi)
		return item_error(it, "\"%s\" is %lld, not from %ld to %ld", key, (long long)x, lo, hi);
	*out = (int)x;
	*present = true;
	return 0;
}

/* base64 of zlib, at most max bytes once decoded; NULL when absent/null. */
static int get_encoded(const struct item *it, json_object *obj, const char *key, size_t max, uint8_t **out,
		       size_t *outlen, bool required)
{
	const char *s;
	size_t len = 0, zlen = 0;
	uint8_t *z = NULL;
	char why[160];
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((rc = get_string(it, obj, key, required, &s, &len)) || !s)
		return rc;
	why[0] = '\0';
	if ((rc = b64_decode(s, len, &z, &zlen, why, sizeof(why))))
		return rc < -1 || !why[0] ? rc : item_error(it, "\"%s\": %s", key, why);
	rc = z_decode(z, zlen, max, out, outlen, why, sizeof(why));
	free(z);
	if (rc)
		return why[0] ? item_error(it, "\"%s\": %s", key, why) : rc;
	return 0;
}

static bool parse_bdf(const char *s, unsigned *dom, unsigned *bus, unsigned *dev, unsigned *fn)
{
	/* rdma_topo's BDF_RE: hex domain (here 1 to 8 digits), two-digit bus
	 * and device, one-digit function; nothing else */
	size_t d = strspn(s, "0123456789abcdefABCDEF"), len = strlen(s);
	const char *h = "0123456789abcdefABCDEF";

	if (d < 1 || d > 8 || len != d + 8 || s[d] != ':' || s[d + 3] != ':' || s[d + 6] != '.' ||
	    strspn(s + d + 1, h) < 2 || strspn(s + d + 4, h) < 2 || strspn(s + d + 7, h) < 1)
		return false;
	if (sscanf(s, "%x:%x:%x.%x", dom, bus, dev, fn) != 4)
		return false;
	return *dev < 32 && *fn < 8;
}

/* What the realpath's directory says is above the function: a bridge's
 * address, or the root bus "pciDDDD:BB". */
struct placed {
	unsigned dom, bus, dev, fn;
	bool under_root;
	unsigned up[4];     /* the bridge above, when !under_root */
	int line;
	size_t index;
};

static int parse_realpath(const struct item *it, const char *path, struct placed *p)
{
	const char *base = strrchr(path, '/');
	const char *up_end = base, *up;
	char upname[64];
	unsigned rd, rb;
	char tail;

	if (!base || !parse_bdf(base + 1, &p->dom, &p->bus, &p->dev, &p->fn))
		return item_error(it, "\"realpath\" '%s' does not end in a PCI address (DDDD:BB:DD.F)", path);
	up = up_end;
	while (up > path && up[-1] != '/')
		up--;
	if (up_end - up <= 0 || (size_t)(up_end - up) >= sizeof(upname))
		return item_error(it, "\"realpath\" '%s': no directory above the function", path);
	memcpy(upname, up, (size_t)(up_end - up));
	upname[up_end - up] = '\0';
	if (sscanf(upname, "pci%x:%x%c", &rd, &rb, &tail) == 2) {
		p->under_root = true;
		if (rd != p->dom)
			return item_error(it, "\"realpath\" '%s' puts domain %04x under root bus %s", path, p->dom,
					  upname);
		return 0;
	}
	p->under_root = false;
	if (!parse_bdf(upname, &p->up[0], &p->up[1], &p->up[2], &p->up[3]))
		return item_error(it, "\"realpath\" '%s': above the function is '%s', neither a PCI address nor "
				  "a root bus (pciDDDD:BB)", path, upname);
	return 0;
}

static int read_item(struct acs_builder *b, struct item *it, json_object *obj, struct placed *p, bool *grouped,
		     struct cursor *from)
{
	const char *realpath, *modalias;
	size_t len, cfglen = 0, vpdlen = 0;
	uint8_t *cfg = NULL, *vpd = NULL;
	json_object *sub = NULL;
	int group, numa, rc;
	bool has;

	if (!json_object_is_type(obj, json_type_object))
		return item_error(it, "%s, not an object", type_name(obj));
	if ((rc = get_string(it, obj, "realpath", true, &realpath, &len)))
		return rc;
	it->line = line_of(it->in, realpath, from);
	snprintf(it->bdf, sizeof(it->bdf), "%.12s", strrchr(realpath, '/') ? strrchr(realpath, '/') + 1 : realpath);
	if ((rc = parse_realpath(it, realpath, p)))
		return rc;
	p->line = it->line;
	if ((rc = get_string(it, obj, "modalias", true, &modalias, &len)))
		return rc;
	if (strncmp(modalias, "pci:v", 5) != 0)
		return item_error(it, "\"modalias\" '%.40s' is not a PCI modalias (pci:v...)", modalias);
	if ((rc = get_int(it, obj, "iommu_group", 0, 0x7fffffff, &group, &has)))
		return rc;
	*grouped |= has;
	if ((rc = get_int(it, obj, "numa_node", -1, 0xffff, &numa, &has)))
		return rc;
	if (json_object_object_get_ex(obj, "subsystems", &sub) && sub && !json_object_is_type(sub, json_type_object))
		return item_error(it, "\"subsystems\" is %s, not an object or null", type_name(sub));
	if ((rc = get_encoded(it, obj, "vpd", VPD_MAX, &vpd, &vpdlen, false)))
		return rc;
	if ((rc = get_encoded(it, obj, "config", CONFIG_MAX, &cfg, &cfglen, true)))
		return rc;
	if (cfglen < 64) {
		free(vpd);
		free(cfg);
		return item_error(it, "\"config\" holds %zu bytes, less than the 64-byte header", cfglen);
	}
	{
		unsigned mv, md;

		if (sscanf(modalias, "pci:v%8Xd%8X", &mv, &md) != 2 || mv > 0xffff || md > 0xffff) {
			free(cfg);
			free(vpd);
			return item_error(it, "\"modalias\" '%.40s' is not a PCI modalias (pci:vVVVVVVVdDDDDDDDD...)",
					  modalias);
		}
		/* a VF's config space reads ffff for its IDs; sysfs (and so the
		 * modalias) has them */
		if (cfg[0] == 0xff && cfg[1] == 0xff && cfg[2] == 0xff && cfg[3] == 0xff) {
			cfg[0] = (uint8_t)mv;
			cfg[1] = (uint8_t)(mv >> 8);
			cfg[2] = (uint8_t)md;
			cfg[3] = (uint8_t)(md >> 8);
		}
		if (mv != (unsigned)(cfg[0] | cfg[1] << 8) || md != (unsigned)(cfg[2] | cfg[3] << 8)) {
			free(vpd);
			rc = item_error(it, "\"modalias\" '%.40s' names another device than its config space "
					"(%02x%02x:%02x%02x)", modalias, cfg[1], cfg[0], cfg[3], cfg[2]);
			free(cfg);
			return rc;
		}
	}
	rc = acs_builder_add(b, p->dom, (uint8_t)p->bus, (uint8_t)p->dev, (uint8_t)p->fn, cfg, cfglen);
	free(cfg);
	if (rc) {
		free(vpd);
		return rc;
	}
	/* carried, not modelled: for acs_rdma_topo_write() */
	acs_builder_last(b)->vpd = vpd;
	acs_builder_last(b)->vpd_len = vpdlen;
	acs_builder_last(b)->kernel_group = group;
	acs_builder_last(b)->numa_node = numa;
	return 0;
}

static int placed_cmp(const void *pa, const void *pb)
{
	const struct placed *a = pa, *b = pb;
	unsigned ka[4] = { a->dom, a->bus, a->dev, a->fn }, kb[4] = { b->dom, b->bus, b->dev, b->fn };

	for (int k = 0; k < 4; k++)
		if (ka[k] != kb[k])
			return ka[k] < kb[k] ? -1 : 1;
	return 0;
}

/* The tree the realpaths draw against the one the bus numbers give (the
 * fabric is built from the bus numbers): a bridge above must be a bridge
 * whose buses hold the function's; one absent from the file is a warning
 * (rdma_topo dump leaves some classes out). */
static int check_tree(struct acs_builder *b, const struct acs_input *in, struct placed *p, size_t n)
{
	size_t missing = 0;
	char first[16] = "";

	qsort(p, n, sizeof(*p), placed_cmp);
	for (size_t i = 0; i + 1 < n; i++)
		if (!placed_cmp(&p[i], &p[i + 1]))
			return acs_error_set(ACS_EPARSE, "%s:%d: %04x:%02x:%02x.%x a second time (first at line %d)",
					     in->name, p[i + 1].line, p[i].dom, p[i].bus, p[i].dev, p[i].fn, p[i].line);
	for (size_t i = 0; i < n; i++) {
		struct placed key = { p[i].up[0], p[i].up[1], p[i].up[2], p[i].up[3], false, { 0 }, 0, 0 }, *up;
		const struct acs_raw_func *r;
		unsigned sec, sub;

		if (p[i].under_root)
			continue;
		up = bsearch(&key, p, n, sizeof(*p), placed_cmp);
		if (!up) {
			if (!missing++)
				snprintf(first, sizeof(first), "%04x:%02x:%02x.%x", key.dom, key.bus, key.dev, key.fn);
			continue;
		}
		r = &b->raw[up->index];
		sec = r->cfg_stored > 0x1a ? r->cfg[0x19] : 0;
		sub = r->cfg_stored > 0x1a ? r->cfg[0x1a] : 0;
		if (r->cfg_stored <= 0x1a || (r->cfg[0x0e] & 0x7f) != 1 || p[i].bus < sec || p[i].bus > sub)
			return acs_error_set(ACS_EPARSE, "%s:%d: the realpath puts %04x:%02x:%02x.%x under %04x:%02x:%02x.%x, "
					     "which is not a bridge to its bus %02x (config space: buses %02x-%02x)",
					     in->name, p[i].line, p[i].dom, p[i].bus, p[i].dev, p[i].fn, key.dom, key.bus,
					     key.dev, key.fn, p[i].bus, sec, sub);
	}
	if (missing)
		return acs_builder_warn(b, "%s: %zu functions' realpaths name a bridge the file does not hold "
					"(the first %s): its ACS state is UNKNOWN", in->name, missing, first);
	return 0;
}

/* rdma_topo dump leaves out ISA bridges, host bridges, system
 * peripherals and instrumentation (its dump_ignored classes): a
 * multifunction slot may miss functions, and its IOMMU group with them.
 * Said once, where it shows: a slot without function 0, or whose
 * function 0 says it is multifunction and is alone in the file. */
static int check_slots(struct acs_builder *b, const struct acs_input *in)
{
	size_t slots = 0;
	char first[16] = "";

	for (size_t i = 0, j; i < b->n; i = j) {
		const struct acs_raw_func *r = &b->raw[i];
		bool multi = r->cfg_stored > 0x0e && (r->cfg[0x0e] & 0x80);

		for (j = i + 1; j < b->n && b->raw[j].domain == r->domain && b->raw[j].bus == r->bus &&
				b->raw[j].dev == r->dev; j++)
			;
		/* (the raw functions are in file order, a slot's together
		 * where the file keeps them so, as rdma_topo's sorted dump does) */
		if (r->fn == 0 && (!multi || j - i > 1))
			continue;
		if (!slots++)
			snprintf(first, sizeof(first), "%04x:%02x:%02x", r->domain, r->bus, r->dev);
	}
	if (slots)
		return acs_builder_warn(b, "%s: rdma_topo dump leaves out host and ISA bridges, system peripherals "
					"and instrumentation: %zu multifunction slots (the first %s) lack functions "
					"in this file, whose IOMMU groups may hold them", in->name, slots, first);
	return 0;
}

static int rdma_topo_load(struct acs_builder *b, const char *path, struct acs_input *in)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	json_object *root = NULL;
	struct placed *p = NULL;
	bool grouped = false;
	struct cursor from = { 0, 1, false };
	size_t n, end;
	int rc = 0;

	(void)path;
	if (!tok)
		return acs_error_nomem();
	if (in->len > 0x7fffffff) {
		json_tokener_free(tok);
		return acs_error_set(ACS_EPARSE, "%s: an rdma_topo dump over 2 GiB", in->name);
	}
	root = json_tokener_parse_ex(tok, in->data, (int)in->len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t off = json_tokener_get_parse_end(tok);
		int line = 1;

		for (size_t k = 0; k < off && k < in->len; k++)
			line += in->data[k] == '\n';
		rc = acs_error_set(ACS_EPARSE, "%s:%d: not an rdma_topo dump: %s", in->name, line,
				   e == json_tokener_continue ? "the JSON ends early (cut short?)" :
				   json_tokener_error_desc(e));
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	while (end < in->len && isspace((unsigned char)in->data[end]))
		end++;
	if (end < in->len) {
		rc = acs_error_set(ACS_EPARSE, "%s: text after the JSON list (at byte %zu)", in->name, end);
		goto out;
	}
	if (!json_object_is_type(root, json_type_array)) {
		rc = acs_error_set(ACS_EPARSE, "%s: an rdma_topo dump is a JSON list, not %s", in->name,
				   type_name(root));
		goto out;
	}
	n = json_object_array_length(root);
	if (!n) {
		rc = acs_error_set(ACS_EPARSE, "%s: an empty rdma_topo dump (no functions)", in->name);
		goto out;
	}
	if (!(p = calloc(n, sizeof(*p)))) {
		rc = acs_error_nomem();
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		struct item it = { in, i, n, "", 0 };

		p[i].index = b->n;
		rc = read_item(b, &it, json_object_array_get_idx(root, i), &p[i], &grouped, &from);
	}
	if (!rc)
		rc = check_tree(b, in, p, n);
	if (!rc)
		rc = check_slots(b, in);
	/* iommu_group null everywhere: the dump cannot say whether the IOMMU
	 * was off or the groups unread, so UNKNOWN */
	b->kgroups = grouped ? ACS_KGROUPS_PRESENT : ACS_KGROUPS_UNKNOWN;
out:
	free(p);
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

const struct acs_source_ops acs_source_rdma_topo = {
	.kind = ACS_SOURCE_RDMA_TOPO,
	.name = "rdma-topo",
	.load = rdma_topo_load,
};

/* ---- writing ---- */

static void put_b64(FILE *out, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);

		fputc(b64[v >> 18 & 63], out);
		fputc(b64[v >> 12 & 63], out);
		fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', out);
		fputc(i + 2 < n ? b64[v & 63] : '=', out);
	}
}

/* "/sys/devices/pciDDDD:BB/…/DDDD:BB:DD.F": the bridges above, as sysfs
 * nests them; the root bus is the top one's. */
static int write_path(const acs_fabric *f, size_t i, FILE *out, int depth)
{
	const struct acs_func *fn = acs_fabric_func(f, i);
	int32_t up = f->parent[i];

	/* a VF sits beside its PF, under the PF's bridge */
	if (up < 0 && f->physfn[i] >= 0) {
		const struct acs_func *pf = acs_fabric_func(f, (size_t)f->physfn[i]);

		if ((up = f->parent[f->physfn[i]]) < 0) {
			fprintf(out, "/sys/devices/pci%04x:%02x/%04x:%02x:%02x.%x", pf->domain, pf->bus, fn->domain,
				fn->bus, fn->dev, fn->fn);
			return 0;
		}
	}

	if (depth > 256)
		return acs_error_set(ACS_ERROR, "rdma-topo: a loop above function %zu", i);
	if (up < 0) {
		fprintf(out, "/sys/devices/pci%04x:%02x", fn->domain, fn->bus);
	} else {
		int rc = write_path(f, (size_t)up, out, depth + 1);

		if (rc)
			return rc;
	}
	fprintf(out, "/%04x:%02x:%02x.%x", fn->domain, fn->bus, fn->dev, fn->fn);
	return 0;
}

/* Subsystem IDs as the kernel's modalias has them: a type 0 header's, a
 * bridge's from its subsystem vendor capability (0x0d), else 0. */
static void subsystem_ids(const struct acs_func *fn, unsigned *sv, unsigned *sd)
{
	unsigned type = acs_func_cfg_byte(fn, 0x0e) & 0x7f, pos, guard = 0;

	*sv = *sd = 0;
	if (type == 0) {
		*sv = acs_func_cfg_byte(fn, 0x2c) | acs_func_cfg_byte(fn, 0x2d) << 8;
		*sd = acs_func_cfg_byte(fn, 0x2e) | acs_func_cfg_byte(fn, 0x2f) << 8;
		return;
	}
	if (type != 1 || !(acs_func_cfg_byte(fn, 0x06) & 0x10))
		return;
	for (pos = acs_func_cfg_byte(fn, 0x34) & 0xfc; pos >= 0x40 && guard++ < 48;
	     pos = acs_func_cfg_byte(fn, pos + 1) & 0xfc)
		if (acs_func_cfg_byte(fn, pos) == 0x0d) {
			*sv = acs_func_cfg_byte(fn, pos + 4) | acs_func_cfg_byte(fn, pos + 5) << 8;
			*sd = acs_func_cfg_byte(fn, pos + 6) | acs_func_cfg_byte(fn, pos + 7) << 8;
			return;
		}
}

int acs_rdma_topo_write(const acs_fabric *f, const acs_groups *predicted, FILE *out, size_t *npredicted)
{
	uint8_t cfg[CONFIG_MAX];
	uint8_t *z = NULL;
	size_t count = acs_fabric_count(f), guessed = 0;
	uLongf zcap = compressBound(CONFIG_MAX);
	int rc = 0;

	if (!(z = malloc(zcap)))
		return acs_error_nomem();
	fputc('[', out);
	for (size_t i = 0; i < count && !rc; i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		unsigned sv, sd, len = fn->cfg_len < 64 ? 64 : fn->cfg_len;
		uLongf zlen = zcap;
		int g = acs_fabric_kernel_group(f, i);

		for (unsigned k = 0; k < len; k++)
			cfg[k] = acs_func_cfg_byte(fn, k);
		if (compress2(z, &zlen, cfg, len, Z_DEFAULT_COMPRESSION) != Z_OK) {
			rc = acs_error_set(ACS_ERROR, "rdma-topo: zlib failed");
			break;
		}
		fputs(i ? ",\n    {\n        \"realpath\": \"" : "\n    {\n        \"realpath\": \"", out);
		if ((rc = write_path(f, i, out, 0)))
			break;
		fputs("\",\n        \"config\": \"", out);
		put_b64(out, z, zlen);
		fputs("\",\n        \"iommu_group\": ", out);
		if (g < 0 && acs_fabric_kernel_groups(f) != ACS_KGROUPS_PRESENT && predicted &&
		    acs_groups_of(predicted, i) != ACS_NO_GROUP) {
			g = (int)acs_groups_of(predicted, i);
			guessed++;
		}
		if (g >= 0)
			fprintf(out, "%d", g);
		else
			fputs("null", out);
		subsystem_ids(fn, &sv, &sd);
		fprintf(out, ",\n        \"modalias\": \"pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\"",
			fn->vendor_id, fn->device_id, sv, sd, acs_func_cfg_byte(fn, 0x0b), acs_func_cfg_byte(fn, 0x0a),
			acs_func_cfg_byte(fn, 0x09));
		fprintf(out, ",\n        \"numa_node\": %d", fn->numa_node >= 0 ? fn->numa_node : -1);
		if (f->vpd && f->vpd[i].data) {
			uLongf vlen = compressBound(f->vpd[i].len);
			uint8_t *vz = malloc(vlen);

			if (!vz || compress2(vz, &vlen, f->vpd[i].data, f->vpd[i].len, Z_DEFAULT_COMPRESSION) != Z_OK) {
				free(vz);
				rc = vz ? acs_error_set(ACS_ERROR, "rdma-topo: zlib failed") : acs_error_nomem();
				break;
			}
			fputs(",\n        \"vpd\": \"", out);
			put_b64(out, vz, vlen);
			fputc('"', out);
			free(vz);
		}
		fputs(",\n        \"subsystems\": null\n    }", out);
	}
	free(z);
	if (rc)
		return rc;
	fputs(count ? "\n]\n" : "]\n", out);
	if (npredicted)
		*npredicted = guessed;
	if (fflush(out) || ferror(out))
		return acs_error_set(ACS_ERROR, "writing the rdma_topo dump: %s", strerror(errno));
	return 0;
}
