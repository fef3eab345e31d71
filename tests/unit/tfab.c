/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/cfgsynth.h"
#include "tfab.h"

void tcfg_make(struct tcfg *c, uint16_t vendor, uint16_t device, uint32_t cls,
	       int pcie_type, bool bridge, bool mf, int acs_ctrl)
{
	memset(c, 0, sizeof(*c));
	c->len = pcie_type == ACS_PCIE_NONE ? 256 : 4096;
	acs_cfg_put16(c->b, 0x00, vendor);
	acs_cfg_put16(c->b, 0x02, device);
	c->b[0x09] = (uint8_t)cls;
	c->b[0x0a] = (uint8_t)(cls >> 8);
	c->b[0x0b] = (uint8_t)(cls >> 16);
	c->b[0x0e] = (uint8_t)((bridge ? 1 : 0) | (mf ? 0x80 : 0));
	if (pcie_type == ACS_PCIE_NONE)
		return;
	acs_cfg_put16(c->b, 0x06, 0x10);         /* capability list */
	c->b[0x34] = 0x40;
	c->b[0x40] = 0x10;                       /* PCI Express */
	c->b[0x41] = 0x00;
	acs_cfg_put16(c->b, 0x42, (uint16_t)(2 | pcie_type << 4));
	if (acs_ctrl == NO_ACS)
		return;
	acs_cfg_put16(c->b, 0x100, 0x000d);      /* ACS, version 1, last */
	c->b[0x102] = 0x01;
	acs_cfg_put16(c->b, 0x104, 0x005f);      /* SV TB RR CR UF DT */
	acs_cfg_put16(c->b, 0x106, (uint16_t)acs_ctrl);
}

void tcfg_buses(struct tcfg *c, uint8_t pri, uint8_t sec, uint8_t sub)
{
	c->b[0x18] = pri;
	c->b[0x19] = sec;
	c->b[0x1a] = sub;
}

void tfab_begin(struct tfab *t)
{
	assert_int_equal(acs_builder_init(&t->b, ACS_SOURCE_DUMP, "test"), 0);
}

static void parse_addr(const char *s, unsigned *dom, unsigned *bus,
		       unsigned *dev, unsigned *fn)
{
	*dom = 0;
	if (sscanf(s, "%x:%x:%x.%u", dom, bus, dev, fn) != 4) {
		*dom = 0;
		assert_int_equal(sscanf(s, "%x:%x.%u", bus, dev, fn), 3);
	}
}

const struct acs_func *tfab_func(const acs_fabric *f, const char *addr)
{
	unsigned dom, bus, dev, fn;
	const struct acs_func *x;

	parse_addr(addr, &dom, &bus, &dev, &fn);
	x = acs_fabric_find(f, dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
	if (!x)
		fail_msg("no function %s", addr);
	return x;
}

size_t tfab_idx(const acs_fabric *f, const char *addr)
{
	return acs_fabric_index(f, tfab_func(f, addr));
}

void tfab_add(struct tfab *t, const char *addr, const struct tcfg *c)
{
	unsigned dom, bus, dev, fn;

	parse_addr(addr, &dom, &bus, &dev, &fn);
	assert_int_equal(acs_builder_add(&t->b, dom, (uint8_t)bus, (uint8_t)dev,
					 (uint8_t)fn, c->b, c->len), 0);
}

static void add_bridge(struct tfab *t, const char *addr, int type, uint8_t sec,
		       uint8_t sub, int acs, bool mf)
{
	struct tcfg c;
	unsigned dom, bus, dev, fn;

	parse_addr(addr, &dom, &bus, &dev, &fn);
	tcfg_make(&c, 0x1b36, 0x000c, 0x060400, type, true, mf, acs);
	tcfg_buses(&c, (uint8_t)bus, sec, sub);
	tfab_add(t, addr, &c);
}

void tfab_root_port(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub,
		    int acs_ctrl, bool mf)
{
	add_bridge(t, addr, ACS_PCIE_ROOT_PORT, sec, sub, acs_ctrl, mf);
}

void tfab_downstream(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub,
		     int acs_ctrl)
{
	add_bridge(t, addr, ACS_PCIE_DOWNSTREAM, sec, sub, acs_ctrl, false);
}

void tfab_upstream(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub)
{
	add_bridge(t, addr, ACS_PCIE_UPSTREAM, sec, sub, NO_ACS, false);
}

void tfab_pcie_to_pci(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub)
{
	add_bridge(t, addr, ACS_PCIE_PCI_BRIDGE, sec, sub, NO_ACS, false);
}

void tfab_pci_bridge(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub)
{
	add_bridge(t, addr, ACS_PCIE_NONE, sec, sub, NO_ACS, false);
}

void tfab_endpoint(struct tfab *t, const char *addr, bool mf, int acs_ctrl)
{
	struct tcfg c;

	tcfg_make(&c, 0x1b36, 0x0010, 0x010802, ACS_PCIE_ENDPOINT, false, mf, acs_ctrl);
	tfab_add(t, addr, &c);
}

void tfab_pci_device(struct tfab *t, const char *addr, bool mf)
{
	struct tcfg c;

	tcfg_make(&c, 0x8086, 0x100e, 0x020000, ACS_PCIE_NONE, false, mf, NO_ACS);
	tfab_add(t, addr, &c);
}

int tfab_end_rc(struct tfab *t, acs_fabric **out)
{
	return acs_builder_finish(out, &t->b);
}

acs_fabric *tfab_end(struct tfab *t)
{
	acs_fabric *f = NULL;
	int rc = tfab_end_rc(t, &f);

	if (rc)
		fail_msg("fabric: %s", acs_error_last()->message);
	return f;
}

int tstr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the words of each group, then the groups. */
static char *canon_groups(char **groups, size_t n)
{
	size_t total = 1;
	char *out;

	qsort(groups, n, sizeof(*groups), tstr_cmp);
	for (size_t i = 0; i < n; i++)
		total += strlen(groups[i]) + 3;
	out = calloc(1, total);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " | ");
		strcat(out, groups[i]);
		free(groups[i]);
	}
	free(groups);
	return out;
}

static char *canon_words(char *words)
{
	char *list[600], *save = NULL, *w, *out;
	size_t n = 0, total = 1;

	for (w = strtok_r(words, " ", &save); w && n < 600; w = strtok_r(NULL, " ", &save))
		list[n++] = strncmp(w, "0000:", 5) == 0 ? w + 5 : w;
	qsort(list, n, sizeof(*list), tstr_cmp);
	for (size_t i = 0; i < n; i++)
		total += strlen(list[i]) + 1;
	out = calloc(1, total);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, list[i]);
	}
	return out;
}

char *tpartition_canon(const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *g;
	char **groups = calloc(1024, sizeof(*groups));
	size_t n = 0;

	for (g = strtok_r(copy, "|", &save); g && n < 1024; g = strtok_r(NULL, "|", &save))
		groups[n++] = canon_words(g);
	free(copy);
	return canon_groups(groups, n);
}

char *tgroups_partition(const acs_fabric *f, const char *kernel)
{
	const acs_policy *p = acs_policy_find(kernel);
	acs_groups *g = NULL;
	char **groups;
	size_t n;

	assert_non_null(p);
	assert_int_equal(acs_groups_compute(&g, f, p), 0);
	n = acs_groups_count(g);
	groups = calloc(n ? n : 1, sizeof(*groups));
	for (size_t id = 0; id < n; id++) {
		const uint32_t *m;
		size_t k = acs_groups_members(g, id, &m);
		char *words = calloc(k, 24);

		for (size_t j = 0; j < k; j++) {
			char addr[32];

			acs_func_addr(acs_fabric_func(f, m[j]), addr, sizeof(addr));
			if (j)
				strcat(words, " ");
			strcat(words, addr);
		}
		groups[id] = canon_words(words);
		free(words);
	}
	acs_groups_free(g);
	return canon_groups(groups, n);
}

static char scratch[] = "/tmp/acsctl-test-XXXXXX";

const char *tdir(void)
{
	return scratch;
}

int tdir_setup(void **state)
{
	(void)state;
	return mkdtemp(scratch) ? 0 : -1;
}

int tdir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
	return system(cmd);
}

char *tdir_write(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

int tload(const char *path, int kind, acs_fabric **f)
{
	acs_load_opts o = ACS_LOAD_OPTS_INIT;

	o.kind = kind;
	o.path = path;
	return acs_fabric_load(f, &o);
}

acs_fabric *tload_ok(const char *path, int kind)
{
	acs_fabric *f = NULL;

	if (tload(path, kind, &f))
		fail_msg("%s: %s", path, acs_error_last()->message);
	return f;
}

char *tread_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s: cannot open", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

char *tgroups_file_partition(const char *path, char **addrs)
{
	char *text = tread_file(path, NULL), *save = NULL, *line, *spec, *canon;
	size_t len = strlen(text), n = 0, cap = 16;
	long *ids = malloc(cap * sizeof(*ids));
	char **members = malloc(cap * sizeof(*members));

	assert_true(ids && members);
	if (addrs) {
		*addrs = calloc(1, len + 2);
		strcat(*addrs, " ");
	}
	/* strtok_r cuts text: every line is shorter than the file */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long id;
		char addr[64];
		size_t k;

		if (sscanf(line, "%ld %63s", &id, addr) != 2)
			continue;
		for (k = 0; k < n && ids[k] != id; k++)
			;
		if (k == n) {
			if (n == cap) {
				cap *= 2;
				ids = realloc(ids, cap * sizeof(*ids));
				members = realloc(members, cap * sizeof(*members));
				assert_true(ids && members);
			}
			ids[n] = id;
			members[n++] = calloc(1, len + 2);
		}
		strcat(members[k], " ");
		strcat(members[k], addr);
		if (addrs) {
			strcat(*addrs, strncmp(addr, "0000:", 5) == 0 ? addr + 5 : addr);
			strcat(*addrs, " ");
		}
	}
	spec = calloc(1, len * 2 + 16);
	for (size_t k = 0; k < n; k++) {
		if (k)
			strcat(spec, " |");
		strcat(spec, members[k]);
		free(members[k]);
	}
	canon = tpartition_canon(spec);
	free(spec);
	free(members);
	free(ids);
	free(text);
	return canon;
}

/* The group of ADDR ("00:01.0" or "0000:00:01.0") in groups.txt's text,
 * -1 where it has none. */
static long group_in(const char *groups, const char *addr)
{
	char full[32];
	size_t n;

	snprintf(full, sizeof(full), strlen(addr) < 12 ? "0000:%s" : "%s", addr);
	n = strlen(full);
	for (const char *p = groups; p && *p; ) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');

		if (sp && (!nl || sp < nl) && strncmp(sp + 1, full, n) == 0 &&
		    (sp[1 + n] == '\n' || sp[1 + n] == '\0' || sp[1 + n] == ' '))
			return strtol(p, NULL, 10);
		p = nl ? nl + 1 : NULL;
	}
	return -1;
}

/* Lines lspci -vv prints between a device's header and its "IOMMU group:"
 * line (pciutils 3.9 lspci.c show_verbose()). */
static bool before_group_line(const char *line)
{
	static const char *const before[] = {
		"\tSubsystem:", "\tDeviceName:", "\tPhysical Slot:", "\tDevice tree node:",
		"\tControl:", "\tStatus:", "\tLatency:", "\tInterrupt:", "\tNUMA node:",
	};

	for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++)
		if (strncmp(line, before[k], strlen(before[k])) == 0)
			return true;
	return false;
}

char *tlspci_with_groups(const char *text, const char *groups_path, size_t *ndev, size_t *nlines)
{
	char *groups = tread_file(groups_path, NULL);
	size_t len = strlen(text), cap = len + len / 4 + 4096, o = 0;
	char *out = malloc(cap);
	long pending = -1;

	assert_non_null(out);
	*ndev = *nlines = 0;
	for (const char *p = text; *p; ) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		bool header = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f');

		if (pending >= 0 && !before_group_line(p)) {
			o += (size_t)snprintf(out + o, cap - o, "\tIOMMU group: %ld\n", pending);
			pending = -1;
			++*nlines;
		}
		if (header) {
			char addr[32];
			size_t k = strcspn(p, " \n");

			snprintf(addr, sizeof(addr), "%.*s", (int)(k < 31 ? k : 31), p);
			pending = group_in(groups, addr);
			++*ndev;
		}
		assert_true(o + n + 64 < cap);
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	if (pending >= 0) {
		if (o && out[o - 1] != '\n')
			out[o++] = '\n';
		o += (size_t)snprintf(out + o, cap - o, "\tIOMMU group: %ld\n", pending);
		++*nlines;
	}
	out[o] = '\0';
	free(groups);
	return out;
}
