/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl whatif CHANGE...: a copy of the fabric with other ACS control
 * bits, and what that changes: groups merged or split, P2P pairs gained or
 * lost, audit findings gained or lost. The loaded fabric is not modified.
 * The library compares (acs_whatif_run()); this file builds the two
 * fabrics from the command line and prints the result.
 *
 * CHANGE is DEV:BITS or `switch` DEV:BITS (DEV the switch's upstream port:
 * every downstream port of it), BITS a comma list of +/- tokens in
 * lspci's words or short names: ReqRedir- RR- CR+ SV+ ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

static const struct { const char *lspci, *brief; unsigned bit; } tokens[] = {
	{ "SrcValid", "SV", ACS_SV }, { "TransBlk", "TB", ACS_TB },
	{ "ReqRedir", "RR", ACS_RR }, { "CmpltRedir", "CR", ACS_CR },
	{ "UpstreamFwd", "UF", ACS_UF }, { "EgressCtrl", "EC", ACS_EC },
	{ "DirectTrans", "DT", ACS_DT },
};

static int parse_bits(const char *where, const char *s, unsigned *set, unsigned *clear)
{
	char *copy = strdup(s), *save = NULL;

	*set = *clear = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(t);
		unsigned bit = 0;

		if (n < 2 || (t[n - 1] != '+' && t[n - 1] != '-')) {
			fprintf(stderr, "acsctl: %s'%s' needs + or - at the end\n", where, t);
			free(copy);
			return -1;
		}
		for (size_t k = 0; k < sizeof(tokens) / sizeof(tokens[0]); k++)
			if ((strlen(tokens[k].lspci) == n - 1 && !strncmp(t, tokens[k].lspci, n - 1)) ||
			    (strlen(tokens[k].brief) == n - 1 && !strncmp(t, tokens[k].brief, n - 1)))
				bit = tokens[k].bit;
		if (!bit) {
			fprintf(stderr, "acsctl: %sunknown ACS bit '%.*s' (SV TB RR CR UF EC DT or lspci's names)\n",
				where, (int)(n - 1), t);
			free(copy);
			return -1;
		}
		if (t[n - 1] == '+')
			*set |= bit;
		else
			*clear |= bit;
	}
	free(copy);
	return 0;
}

static const struct acs_func *find(const struct cli *c, const char *s, size_t len)
{
	long i = cli_find_device(c, s, len);

	return i < 0 ? NULL : acs_fabric_func(c->fabric, (size_t)i);
}

static int add_change(struct acs_ctrl_change *ch, size_t *n, const struct cli *c, const char *where,
		      const struct acs_func *f, unsigned set, unsigned clear)
{
	char addr[32];

	if (!f->acs_pos) {
		fprintf(stderr, "acsctl: %s%s%s%s\n", where, acs_func_addr(f, addr, sizeof(addr)),
			acs_func_acs_known(f) ? " has no ACS capability" : ": ",
			acs_func_acs_known(f) ? "" : acs_unknown_why(f));
		return -1;
	}
	ch[(*n)++] = (struct acs_ctrl_change){ acs_fabric_index(c->fabric, f),
		(uint16_t)(((f->acs_ctrl | set) & ~clear) & (f->acs_cap & 0x7f)) };
	return 0;
}

int cli_parse_changes(const struct cli *c, const char *where, int argc, char **argv,
		      struct acs_ctrl_change *ch, size_t *n)
{
	*n = 0;
	for (int i = 0; i < argc; i++) {
		bool sw = strcmp(argv[i], "switch") == 0;
		const char *arg = sw ? (i + 1 < argc ? argv[++i] : "") : argv[i];
		const char *colon = strrchr(arg, ':');
		const struct acs_func *f;
		unsigned set, clear;

		if (!colon)
			goto bad;
		if (parse_bits(where, colon + 1, &set, &clear))
			return EXIT_BAD_INPUT;
		f = find(c, arg, (size_t)(colon - arg));
		if (!f)
			goto bad;
		if (!sw) {
			if (add_change(ch, n, c, where, f, set, clear))
				return EXIT_BAD_INPUT;
			continue;
		}
		if (f->pcie_type != ACS_PCIE_UPSTREAM) {
			fprintf(stderr, "acsctl: %sswitch %s: not a switch upstream port\n", where, arg);
			return EXIT_BAD_INPUT;
		}
		{
			size_t first, k = acs_fabric_children(c->fabric, f, &first);

			for (size_t j = 0; j < k; j++)
				if (add_change(ch, n, c, where, acs_fabric_func(c->fabric, first + j), set, clear))
					return EXIT_BAD_INPUT;
		}
		continue;
bad:
		fprintf(stderr, "acsctl: %s'%s' is not DEV:BITS (e.g. 0000:02:00.0:RR-,CR-)\n", where, arg);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static const char *addr_of(const acs_fabric *f, size_t i, char *buf, size_t size)
{
	return acs_func_addr(acs_fabric_func(f, i), buf, size);
}

static const char *map_word(int m)
{
	return m == ACS_P2P_BUS_ADDR ? "bus_addr" : m == ACS_P2P_THRU_HOST_BRIDGE ?
	       "thru_host_bridge" : "not_supported";
}

static const char *reach_key(unsigned r)
{
	return r == (ACS_WHATIF_REACH_A_TO_B | ACS_WHATIF_REACH_B_TO_A) ? "direct" :
	       r == ACS_WHATIF_REACH_A_TO_B ? "a_to_b" : r == ACS_WHATIF_REACH_B_TO_A ? "b_to_a" :
	       "via_root_complex";
}

/* Text's words: as before where both ways agree. */
static const char *reach_text(unsigned r, const char *a, const char *b, char *buf, size_t size)
{
	if (r == (ACS_WHATIF_REACH_A_TO_B | ACS_WHATIF_REACH_B_TO_A))
		return "direct";
	if (!r)
		return "via root complex";
	snprintf(buf, size, "direct from %s only", r == ACS_WHATIF_REACH_A_TO_B ? a : b);
	return buf;
}

static const char *kind_key(int kind)
{
	return kind == ACS_FINDING_UNSAFE ? "unsafe" : kind == ACS_FINDING_UNKNOWN ? "unknown" : "conservative";
}

/* A list of members as one line of addresses (text, and JSON's old arrays
 * of lines): every member, however many. */
static char *members_line(const acs_fabric *f, const uint32_t *v, size_t n)
{
	size_t size = 32 * n + 1, used = 0;
	char *s = malloc(size), addr[32];

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t k = 0; k < n; k++)
		used += (size_t)snprintf(s + used, size - used, "%s%s", k ? " " : "", addr_of(f, v[k], addr, sizeof(addr)));
	return s;
}

static void addr_list(int when, const acs_fabric *f, const char *key, const uint32_t *v, size_t n)
{
	char addr[32];

	out_array_open(when, key);
	for (size_t i = 0; i < n; i++)
		out_str(when, NULL, NULL, addr_of(f, v[i], addr, sizeof(addr)));
	out_array_close(when);
}

static int int32_cmp(const void *pa, const void *pb)
{
	int32_t x = *(const int32_t *)pa, y = *(const int32_t *)pb;

	return x < y ? -1 : x > y;
}

/* The other side's groups a change's members lie in, each once. */
static void other_groups(const acs_partition_change *ch, const char *key)
{
	int32_t *v = malloc((ch->count + 1) * sizeof(*v));

	out_array_open(OUT_DATA, key);
	if (v) {
		memcpy(v, ch->other, ch->count * sizeof(*v));
		qsort(v, ch->count, sizeof(*v), int32_cmp);
		for (size_t k = 0; k < ch->count; k++)
			if (v[k] >= 0 && (k == 0 || v[k] != v[k - 1]))
				out_uint(OUT_DATA, NULL, NULL, (unsigned long long)v[k]);
	}
	free(v);
	out_array_close(OUT_DATA);
}

struct view {
	const acs_whatif *w;
	const acs_fabric *f[2];
	size_t said;            /* differences shown: none says "no change" */
};

/* What changed in the groups, gathered once for text and for data. */
struct group_changes {
	const acs_partition_change *ch;
	size_t n;
	const uint32_t *moved, *added, *removed;
	size_t nmoved, nadded, nremoved;
	const acs_groups *g[2];
};

static const struct { int kind; const char *key; int side; } group_kinds[] = {
	{ ACS_PARTITION_MERGED, "merged", ACS_WHATIF_AFTER },
	{ ACS_PARTITION_SPLIT, "split", ACS_WHATIF_BEFORE },
};

/* Text's lines, and the line arrays JSON has always carried
 * ("merged", "split", "added"). */
static void print_groups_lines(struct view *v, const struct group_changes *c)
{
	char addr[32];

	for (size_t k = 0; k < 2; k++) {
		bool any = false;

		for (size_t i = 0; i < c->n; i++)
			any |= c->ch[i].kind == group_kinds[k].kind;
		if (!any)
			continue;
		out_array_open(OUT_JSON, group_kinds[k].key);
		for (size_t i = 0; i < c->n; i++) {
			char *line;

			if (c->ch[i].kind != group_kinds[k].kind)
				continue;
			line = members_line(v->f[group_kinds[k].side], c->ch[i].funcs, c->ch[i].count);
			out_str(OUT_TEXT | OUT_JSON, NULL, group_kinds[k].side ? "merged: %s\n" : "split: %s\n", line);
			free(line);
			v->said++;
		}
		out_array_close(OUT_JSON);
	}
	if (c->nadded) {
		out_array_open(OUT_JSON, "added");
		for (size_t i = 0; i < c->nadded; i++) {
			char text[96];

			snprintf(text, sizeof(text), "%s in group %zu", addr_of(v->f[1], c->added[i], addr, sizeof(addr)),
				 acs_groups_of(c->g[1], c->added[i]));
			out_str(OUT_TEXT | OUT_JSON, NULL, "added: %s\n", text);
			v->said++;
		}
		out_array_close(OUT_JSON);
	}
	for (size_t i = 0; i < c->nremoved; i++, v->said++)
		out_text("removed: %s\n", addr_of(v->f[0], c->removed[i], addr, sizeof(addr)));
	for (size_t i = 0; i < c->nmoved; i++) {
		long b = acs_whatif_map(v->w, ACS_WHATIF_AFTER, c->moved[i]);

		out_text("moved: %s from group %zu to group %zu\n", addr_of(v->f[1], c->moved[i], addr, sizeof(addr)),
			 acs_groups_of(c->g[0], (size_t)b), acs_groups_of(c->g[1], c->moved[i]));
	}

}

/* The same in the data: each change with its groups on either side. */
static void print_groups_data(struct view *v, const struct group_changes *c)
{
	char addr[32];

	out_object_open(OUT_DATA, "groups");
	out_uint(OUT_DATA, "before", NULL, acs_groups_count(c->g[0]));
	out_uint(OUT_DATA, "after", NULL, acs_groups_count(c->g[1]));
	out_uint(OUT_DATA, "unchanged", NULL, acs_whatif_groups_unchanged(v->w));
	for (size_t k = 0; k < 2; k++) {
		int side = group_kinds[k].side;

		out_array_open(OUT_DATA, group_kinds[k].key);
		for (size_t i = 0; i < c->n; i++) {
			if (c->ch[i].kind != group_kinds[k].kind)
				continue;
			out_object_open(OUT_DATA, NULL);
			out_uint(OUT_DATA, "group", NULL, (unsigned long long)c->ch[i].group);
			addr_list(OUT_DATA, v->f[side], "devices", c->ch[i].funcs, c->ch[i].count);
			other_groups(&c->ch[i], side ? "from" : "into");
			out_object_close(OUT_DATA);
		}
		out_array_close(OUT_DATA);
	}
	out_array_open(OUT_DATA, "moved");
	for (size_t i = 0; i < c->nmoved; i++) {
		long b = acs_whatif_map(v->w, ACS_WHATIF_AFTER, c->moved[i]);

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "device", NULL, addr_of(v->f[1], c->moved[i], addr, sizeof(addr)));
		out_uint(OUT_DATA, "group_before", NULL, acs_groups_of(c->g[0], (size_t)b));
		out_uint(OUT_DATA, "group_after", NULL, acs_groups_of(c->g[1], c->moved[i]));
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	out_array_open(OUT_DATA, "added");
	for (size_t i = 0; i < c->nadded; i++) {
		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "device", NULL, addr_of(v->f[1], c->added[i], addr, sizeof(addr)));
		if (acs_groups_of(c->g[1], c->added[i]) == ACS_NO_GROUP)
			out_null(OUT_DATA, "group", NULL);
		else
			out_uint(OUT_DATA, "group", NULL, acs_groups_of(c->g[1], c->added[i]));
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	addr_list(OUT_DATA, v->f[0], "removed", c->removed, c->nremoved);
	out_object_close(OUT_DATA);
}

static void print_groups(struct view *v)
{
	struct group_changes c = {
		.g = { acs_whatif_groups(v->w, 0), acs_whatif_groups(v->w, 1) },
	};

	c.n = acs_whatif_group_changes(v->w, &c.ch);
	c.nmoved = acs_whatif_moved(v->w, &c.moved);
	c.nadded = acs_whatif_only(v->w, ACS_WHATIF_AFTER, &c.added);
	c.nremoved = acs_whatif_only(v->w, ACS_WHATIF_BEFORE, &c.removed);
	print_groups_lines(v, &c);
	print_groups_data(v, &c);
}

/* The peer functions of i's group on side s outside i's own device. */
static size_t shares_with(const acs_whatif *w, int s, size_t i, uint32_t *out)
{
	const acs_fabric *f = acs_whatif_fabric(w, s);
	const acs_groups *g = acs_whatif_groups(w, s);
	const struct acs_func *fn = acs_fabric_func(f, i);
	const uint32_t *m;
	size_t n = acs_groups_members(g, acs_groups_of(g, i), &m), k = 0;

	for (size_t j = 0; j < n; j++) {
		const struct acs_func *o = acs_fabric_func(f, m[j]);

		if (cli_is_peer(o) && (o->domain != fn->domain || o->bus != fn->bus || o->dev != fn->dev))
			out[k++] = m[j];
	}
	return k;
}

/*
 * Passthrough: the functions alone in their group (but for bridges and
 * their own device's functions) on one side only. Lost first: a VM given
 * such a function before can no longer have it alone after.
 */
static void print_passthrough(struct view *v)
{
	static const char *const key[2] = { "lost", "gained" };
	size_t n0 = acs_fabric_count(v->f[0]), n1 = acs_fabric_count(v->f[1]);
	uint32_t *with = malloc((n0 > n1 ? n0 : n1) * sizeof(*with) + sizeof(*with));

	out_object_open(OUT_DATA, "passthrough");
	for (int k = 0; k < 2; k++) {
		int alone = k ? ACS_WHATIF_AFTER : ACS_WHATIF_BEFORE, shared = !alone;
		const uint32_t *fs;
		size_t n = acs_whatif_isolation(v->w, alone, &fs);

		out_array_open(OUT_DATA, key[k]);
		for (size_t i = 0; with && i < n; i++) {
			size_t a = fs[i], b = (size_t)acs_whatif_map(v->w, ACS_WHATIF_AFTER, a);
			size_t side_i = shared ? a : b, nw = shares_with(v->w, shared, side_i, with);
			size_t gb = acs_groups_of(acs_whatif_groups(v->w, 0), b);
			size_t ga = acs_groups_of(acs_whatif_groups(v->w, 1), a);
			char addr[32], *line = members_line(v->f[shared], with, nw);

			if (k == 0)
				out_text("passthrough_lost: %s alone in group %zu before, in group %zu after with %s\n",
					 addr_of(v->f[1], a, addr, sizeof(addr)), gb, ga, line ? line : "");
			else
				out_text("passthrough_gained: %s alone in group %zu after, in group %zu before with %s\n",
					 addr_of(v->f[1], a, addr, sizeof(addr)), ga, gb, line ? line : "");
			free(line);
			out_object_open(OUT_DATA, NULL);
			out_str(OUT_DATA, "device", NULL, addr_of(v->f[1], a, addr, sizeof(addr)));
			out_uint(OUT_DATA, "group_before", NULL, gb);
			out_uint(OUT_DATA, "group_after", NULL, ga);
			addr_list(OUT_DATA, v->f[shared], "shared_with", with, nw);
			out_object_close(OUT_DATA);
		}
		out_array_close(OUT_DATA);
	}
	out_object_close(OUT_DATA);
	free(with);
}

/* "A B: P2PDMA before -> after, hardware before -> after" */
static const char *pair_line(const struct view *v, const acs_whatif_pair *pr, char *text, size_t size)
{
	char a[32], b[32], r0[64], r1[64];

	addr_of(v->f[1], pr->a, a, sizeof(a));
	addr_of(v->f[1], pr->b, b, sizeof(b));
	snprintf(text, size, "%s %s: P2PDMA %s -> %s, hardware %s -> %s%s", a, b, map_word(pr->map[0]),
		 map_word(pr->map[1]), reach_text(pr->reach[0], a, b, r0, sizeof(r0)),
		 reach_text(pr->reach[1], a, b, r1, sizeof(r1)),
		 pr->unknown ? " (a port on the way was not read: the worse case)" : "");
	return text;
}

static void print_p2p(struct view *v)
{
	const acs_whatif_pair *pr;
	acs_whatif_p2p_stats st;
	size_t n = acs_whatif_p2p(v->w, &pr, &st);

	/* text: one line a pair, in pair order; JSON's old arrays the same
	 * lines, gained then lost */
	for (size_t i = 0; i < n; i++) {
		char text[400];

		out_text("%s: %s\n", pr[i].gained ? "p2p_gained" : "p2p_lost", pair_line(v, &pr[i], text, sizeof(text)));
	}
	v->said += (size_t)st.changed;
	if (st.truncated)
		out_text("p2p: the first %zu of %llu changes listed (-v lists all)\n", n,
			 (unsigned long long)st.changed);
	for (int gained = 1; gained >= 0; gained--) {
		bool any = false;

		for (size_t i = 0; i < n; i++)
			any |= pr[i].gained == gained;
		if (!any)
			continue;
		out_array_open(OUT_JSON, gained ? "p2p_gained" : "p2p_lost");
		for (size_t i = 0; i < n; i++) {
			char text[400];

			if (pr[i].gained == gained)
				out_str(OUT_JSON, NULL, NULL, pair_line(v, &pr[i], text, sizeof(text)));
		}
		out_array_close(OUT_JSON);
	}
	out_object_open(OUT_DATA, "p2p");
	out_uint(OUT_DATA, "peers", NULL, st.peers);
	out_uint(OUT_DATA, "pairs", NULL, st.pairs);
	out_uint(OUT_DATA, "routed", NULL, st.routed);
	out_uint(OUT_DATA, "changed", NULL, st.changed);
	out_uint(OUT_DATA, "gained", NULL, st.gained);
	out_uint(OUT_DATA, "lost", NULL, st.lost);
	out_uint(OUT_DATA, "listed", NULL, n);
	out_bool(OUT_DATA, "truncated", NULL, st.truncated);
	out_array_open(OUT_DATA, "changes");
	for (size_t i = 0; i < n; i++) {
		char addr[32];

		out_object_open(OUT_DATA, NULL);
		out_str(OUT_DATA, "a", NULL, addr_of(v->f[1], pr[i].a, addr, sizeof(addr)));
		out_str(OUT_DATA, "b", NULL, addr_of(v->f[1], pr[i].b, addr, sizeof(addr)));
		out_str(OUT_DATA, "change", NULL, pr[i].gained ? "gained" : "lost");
		out_str(OUT_DATA, "map_before", NULL, map_word(pr[i].map[0]));
		out_str(OUT_DATA, "map_after", NULL, map_word(pr[i].map[1]));
		out_int(OUT_DATA, "distance_before", NULL, pr[i].distance[0]);
		out_int(OUT_DATA, "distance_after", NULL, pr[i].distance[1]);
		out_str(OUT_DATA, "hardware_before", NULL, reach_key(pr[i].reach[0]));
		out_str(OUT_DATA, "hardware_after", NULL, reach_key(pr[i].reach[1]));
		out_bool(OUT_DATA, "unknown", NULL, pr[i].unknown);
		out_object_close(OUT_DATA);
	}
	out_array_close(OUT_DATA);
	out_object_close(OUT_DATA);
}

/* k[] slot of a finding's kind; 0 for a kind this file does not know */
static int kind_slot(int kind)
{
	return kind == ACS_FINDING_UNSAFE || kind == ACS_FINDING_CONSERVATIVE || kind == ACS_FINDING_UNKNOWN ? kind : 0;
}

static void finding_counts(const acs_audit *a, const char *key)
{
	size_t k[4] = { 0, 0, 0, 0 };

	for (size_t i = 0; i < acs_audit_count(a); i++)
		k[kind_slot(acs_audit_at(a, i)->kind)]++;
	out_object_open(OUT_DATA, key);
	out_uint(OUT_DATA, "unsafe", NULL, k[ACS_FINDING_UNSAFE]);
	out_uint(OUT_DATA, "conservative", NULL, k[ACS_FINDING_CONSERVATIVE]);
	out_uint(OUT_DATA, "unknown", NULL, k[ACS_FINDING_UNKNOWN]);
	out_object_close(OUT_DATA);
}

/* Audit: text and JSON's old lines "audit_new", "audit_resolved" (kind and
 * devices), the data's "audit" with each finding whole. */
static void print_audit(struct view *v)
{
	static const char *const line_key[2] = { "audit_resolved", "audit_new" };
	static const char *const data_key[2] = { "resolved", "new" };

	for (int s = 1; s >= 0; s--) {
		const acs_audit *a = acs_whatif_audit(v->w, s);
		const size_t *idx;
		size_t n = acs_whatif_audit_diff(v->w, s, &idx);

		if (!n)
			continue;
		out_array_open(OUT_JSON, line_key[s]);
		for (size_t i = 0; i < n; i++) {
			const acs_finding *fd = acs_audit_at(a, idx[i]);
			char *devs = members_line(v->f[s], fd->devices, fd->ndevices), *line;

			line = devs ? malloc(strlen(devs) + 16) : NULL;
			if (line) {
				sprintf(line, "%s%s%s", kind_key(fd->kind), fd->ndevices ? " " : "", devs);
				out_str(OUT_TEXT | OUT_JSON, NULL, s ? "audit_new: %s\n" : "audit_resolved: %s\n", line);
			}
			free(line);
			free(devs);
			v->said++;
		}
		out_array_close(OUT_JSON);
	}
	out_object_open(OUT_DATA, "audit");
	finding_counts(acs_whatif_audit(v->w, 0), "before");
	finding_counts(acs_whatif_audit(v->w, 1), "after");
	for (int s = 1; s >= 0; s--) {
		const acs_audit *a = acs_whatif_audit(v->w, s);
		const size_t *idx;
		size_t n = acs_whatif_audit_diff(v->w, s, &idx);

		out_array_open(OUT_DATA, data_key[s]);
		for (size_t i = 0; i < n; i++) {
			const acs_finding *fd = acs_audit_at(a, idx[i]);

			out_object_open(OUT_DATA, NULL);
			out_str(OUT_DATA, "kind", NULL, kind_key(fd->kind));
			addr_list(OUT_DATA, v->f[s], "devices", fd->devices, fd->ndevices);
			addr_list(OUT_DATA, v->f[s], "via", fd->via, fd->nvia);
			out_str(OUT_DATA, "reason", NULL, fd->reason);
			out_object_close(OUT_DATA);
		}
		out_array_close(OUT_DATA);
	}
	out_object_close(OUT_DATA);
}

/* What was compared, a line a part (text; the data has it in "groups",
 * "p2p" and "audit"). */
static void print_summary(const struct view *v)
{
	acs_whatif_p2p_stats st;
	const acs_whatif_pair *pr;
	size_t k[2][4] = { { 0 } };

	acs_whatif_p2p(v->w, &pr, &st);
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < acs_audit_count(acs_whatif_audit(v->w, s)); i++)
			k[s][kind_slot(acs_audit_at(acs_whatif_audit(v->w, s), i)->kind)]++;
	out_text("groups: %zu before, %zu after, %zu unchanged\n", acs_groups_count(acs_whatif_groups(v->w, 0)),
		 acs_groups_count(acs_whatif_groups(v->w, 1)), acs_whatif_groups_unchanged(v->w));
	out_text("p2p: %llu pairs of %zu peers, %llu routed again (the others pass nothing that changed), "
		 "%llu changed (%llu gained, %llu lost)\n", (unsigned long long)st.pairs, st.peers,
		 (unsigned long long)st.routed, (unsigned long long)st.changed, (unsigned long long)st.gained,
		 (unsigned long long)st.lost);
	out_text("audit: before %zu unsafe, %zu conservative, %zu unknown; after %zu unsafe, %zu conservative, "
		 "%zu unknown\n", k[0][ACS_FINDING_UNSAFE], k[0][ACS_FINDING_CONSERVATIVE], k[0][ACS_FINDING_UNKNOWN],
		 k[1][ACS_FINDING_UNSAFE], k[1][ACS_FINDING_CONSERVATIVE], k[1][ACS_FINDING_UNKNOWN]);
}

/* whatif --kernel-to, --cmdline-to: what the other side is. */
static void print_to(const struct cli *c)
{
	const struct cli *to = c->to;
	const char *kernel = acs_policy_warning(to->policy);

	if (out_wants(OUT_TEXT)) {
		out_text("# after: kernel policy: %s (%s)\n", acs_policy_name(to->policy), to->policy_why);
		if (to->boot)
			out_text("# after: booted with: %s\n", to->cmdline && *to->cmdline ? to->cmdline : "(no parameters)");
	}
	out_object_open(OUT_DATA, "to");
	out_str(OUT_DATA, "kernel", NULL, acs_policy_name(to->policy));
	out_str(OUT_DATA, "kernel_from", NULL, to->policy_why);
	out_str(OUT_DATA, "cmdline", NULL, to->boot ? (to->cmdline ? to->cmdline : "") : NULL);
	out_array_open(OUT_DATA, "warnings");
	if (kernel && c->kernel_to)
		cli_out_warning("kernel", NULL, kernel);
	cli_out_boot_warnings(to->boot);
	out_array_close(OUT_DATA);
	out_object_close(OUT_DATA);
}

static void print_whatif(const struct cli *c, const acs_whatif *w, int status)
{
	struct view v = { w, { acs_whatif_fabric(w, 0), acs_whatif_fabric(w, 1) }, 0 };
	const acs_partition_change *ch;
	size_t nchanges = acs_whatif_group_changes(w, &ch);
	const uint32_t *unk;
	size_t nunk = acs_whatif_unknown(w, &unk);

	cli_out_header(c);
	if (c->to)
		print_to(c);
	print_groups(&v);
	print_passthrough(&v);
	print_p2p(&v);
	print_audit(&v);
	if (!v.said)
		out_text("no change: the same groups, P2P and audit\n");
	print_summary(&v);
	if (c->to && nchanges && status != EXIT_CHECK_FAILED)
		out_text("UNCERTAIN: the groups that differ depend on ACS state that was not read (UNKNOWN lines)\n");
	if (c->to && status == EXIT_CHECK_FAILED) {
		const uint32_t *lost;
		size_t n = nchanges, split = 0, nlost = acs_whatif_isolation(w, ACS_WHATIF_BEFORE, &lost);

		for (size_t i = 0; i < n; i++)
			split += ch[i].kind == ACS_PARTITION_SPLIT;
		out_text("CHANGED: the groups differ: %zu split, %zu merged; %zu function%s alone in %s group "
			 "before share%s one after\n", split, n - split, nlost, nlost == 1 ? "" : "s",
			 nlost == 1 ? "its" : "their", nlost == 1 ? "s" : "");
	}
	cli_out_verdict(c, status, unk, nunk);
}

/* Groups that change whatever the unread ports hold: a change none of
 * whose groups, on either side, depends on ACS state not read. */
static size_t proven_changes(const acs_whatif *w)
{
	const acs_groups *g[2] = { acs_whatif_groups(w, ACS_WHATIF_BEFORE), acs_whatif_groups(w, ACS_WHATIF_AFTER) };
	const acs_partition_change *ch;
	size_t n = acs_whatif_group_changes(w, &ch), proven = 0;

	for (size_t i = 0; i < n; i++) {
		int side = ch[i].kind == ACS_PARTITION_SPLIT ? ACS_WHATIF_BEFORE : ACS_WHATIF_AFTER;
		bool sure = !acs_groups_uncertain(g[side], (size_t)ch[i].group);

		for (size_t k = 0; sure && k < ch[i].count; k++)
			if (ch[i].other[k] >= 0 && acs_groups_uncertain(g[!side], (size_t)ch[i].other[k]))
				sure = false;
		proven += sure;
	}
	return proven;
}

/* whatif --kernel-to, --cmdline-to: this side (--kernel, --cmdline, or
 * what the input records) against the other (main.c, prepare_to()), each
 * judged by its own kernel's policy. Exit 1 when the groups change. */
static int whatif_to(struct cli *c, int argc)
{
	acs_whatif_opts opts = ACS_WHATIF_OPTS_INIT;
	const acs_partition_change *ch;
	const uint32_t *unk;
	const char *rec;
	acs_whatif *w = NULL;
	int rc;

	if (argc) {
		fprintf(stderr, "acsctl: whatif --kernel-to/--cmdline-to compares two kernels or boots of the "
			"same input: give no ACS changes (DEV:BITS) with them\n");
		return EXIT_BAD_INPUT;
	}
	/* a host booted with ACS parameters: both sides are its state as
	 * read unless a command line is given to boot them with */
	if (!c->cmdline && !c->cmdline_to && (rec = acs_fabric_cmdline(c->loaded)) &&
	    (strstr(rec, "pcie_acs_override=") || strstr(rec, "disable_acs_redir=") || strstr(rec, "config_acs=") ||
	     strstr(rec, "noats")))
		fprintf(stderr, "acsctl: warning: %s was booted with ACS parameters (%s): both sides compare its ACS "
			"state as read; give --cmdline \"...\" to boot each kernel with them\n",
			acs_fabric_origin(c->loaded), rec);
	opts.cpu = c->cpu;
	opts.max_pairs = c->verbose ? SIZE_MAX : ACS_WHATIF_MAX_PAIRS;
	if (acs_whatif_run(&w, c->fabric, c->policy, c->to->fabric, c->to->policy, &opts))
		return cli_error("whatif");
	/* a change that rests on unread ports is unknown, not a change */
	rc = cli_verdict(proven_changes(w) > 0, acs_whatif_unknown(w, &unk));
	if (rc == EXIT_OK && acs_whatif_group_changes(w, &ch))
		rc = EXIT_UNKNOWN;
	cli_out_begin(c, "whatif");
	print_whatif(c, w, rc);
	acs_whatif_free(w);
	return out_end(rc);
}

int cmd_whatif(struct cli *c, int argc, char **argv)
{
	struct acs_ctrl_change *ch = calloc((size_t)argc * acs_fabric_count(c->fabric) + 1, sizeof(*ch));
	/* before: the fabric as loaded, judged by the policy given (no boot);
	 * after: booted with --cmdline (pcie_acs_override included), --vfs and
	 * the changes, judged by the booted policy. One policy for both would
	 * hide an override: it changes beliefs, not the fabric. */
	const acs_policy *pbefore = c->boot ? acs_boot_base_policy(c->boot) : c->policy;
	acs_whatif_opts opts = ACS_WHATIF_OPTS_INIT;
	acs_fabric *after = NULL;
	acs_whatif *w = NULL;
	const uint32_t *unk;
	size_t n;
	int rc;

	if (!ch)
		return EXIT_BAD_INPUT;
	if (c->to) {
		free(ch);
		return whatif_to(c, argc);
	}
	if (argc == 0 && c->fabric == c->loaded) {
		fprintf(stderr, "usage: acsctl whatif [--cmdline ...] [--vfs DEV=N] [switch] DEV:BITS...\n"
			"       acsctl whatif --kernel-to VERSION [--cmdline-to ...]\n");
		free(ch);
		return EXIT_BAD_INPUT;
	}
	/* changes apply on top of --cmdline and --vfs; all is compared with
	 * the fabric as loaded */
	rc = cli_parse_changes(c, "", argc, argv, ch, &n);
	if (!rc && acs_fabric_with_acs_ctrl(&after, c->fabric, ch, n))
		rc = cli_error("whatif");
	free(ch);
	if (rc)
		return rc;
	opts.cpu = c->cpu;
	opts.max_pairs = c->verbose ? SIZE_MAX : ACS_WHATIF_MAX_PAIRS;
	if (acs_whatif_run(&w, c->loaded, pbefore, after, c->policy, &opts)) {
		rc = cli_error("whatif");
		acs_fabric_free(after);
		return rc;
	}
	rc = cli_verdict(false, acs_whatif_unknown(w, &unk));
	cli_out_begin(c, "whatif");
	print_whatif(c, w, rc);
	acs_whatif_free(w);
	acs_fabric_free(after);
	return out_end(rc);
}
