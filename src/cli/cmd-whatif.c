/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl whatif CHANGE...: a copy of the fabric with other ACS control
 * bits, and what that changes: groups merged or split, P2P pairs gained or
 * lost, audit findings gained or lost. The loaded fabric is not modified.
 *
 * CHANGE is DEV:BITS or `switch` DEV:BITS (DEV the switch's upstream port:
 * every downstream port of it), BITS a comma list of +/- tokens in
 * lspci's words or short names: ReqRedir- RR- CR+ SV+ ...
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

struct diff_out {
	json_object *root;
	bool json;
	size_t count;
	uint8_t *unknown;       /* per function of after: an audit verdict depends on it, unread */
};

static void line(struct diff_out *d, const char *key, const char *text)
{
	d->count++;
	if (d->json) {
		json_object *arr;

		if (!json_object_object_get_ex(d->root, key, &arr)) {
			arr = json_object_new_array();
			json_object_object_add(d->root, key, arr);
		}
		json_object_array_add(arr, json_object_new_string(text));
	} else {
		printf("%s: %s\n", key, text);
	}
}

/* before: the fabric as loaded, judged by the policy given (no boot);
 * after: booted with --cmdline (pcie_acs_override included), --vfs and the
 * changes, judged by the booted policy. One policy for both would hide an
 * override: it changes beliefs, not the fabric. */
struct pair_view {
	const struct cli *c;
	const acs_fabric *before, *after;
	const acs_policy *pbefore, *pafter;
	int32_t *to_before;     /* after index -> before index, -1: new */
	int32_t *to_after;      /* before index -> after index, -1: gone */
};

static void group_text(const acs_fabric *f, const uint32_t *m, size_t n, char *text, size_t size)
{
	text[0] = '\0';
	for (size_t k = 0; k < n && strlen(text) + 40 < size; k++) {
		char addr[32];

		snprintf(text + strlen(text), size - strlen(text), "%s%s", k ? " " : "",
			 acs_func_addr(acs_fabric_func(f, m[k]), addr, sizeof(addr)));
	}
}

/* A group of one side whose members lie in several groups of the other. */
static void diff_groups(const struct pair_view *v, struct diff_out *d)
{
	acs_groups *gb = NULL, *ga = NULL;

	acs_groups_compute(&gb, v->before, v->pbefore);
	acs_groups_compute(&ga, v->after, v->pafter);
	for (int side = 0; gb && ga && side < 2; side++) {
		acs_groups *whole = side ? gb : ga, *other = side ? ga : gb;
		const acs_fabric *wf = side ? v->before : v->after;
		const int32_t *map = side ? v->to_after : v->to_before;

		for (size_t id = 0; id < acs_groups_count(whole); id++) {
			const uint32_t *m;
			size_t n = acs_groups_members(whole, id, &m);
			long first = -1;
			bool differs = false;
			char text[1024];

			for (size_t k = 0; k < n; k++) {
				long o = map[m[k]] < 0 ? -1 : (long)acs_groups_of(other, (size_t)map[m[k]]);

				if (o < 0)
					continue;
				if (first < 0)
					first = o;
				differs |= o != first;
			}
			if (!differs)
				continue;
			group_text(wf, m, n, text, sizeof(text));
			line(d, side ? "split" : "merged", text);
		}
	}
	for (size_t i = 0; ga && i < acs_fabric_count(v->after); i++)
		if (v->to_before[i] < 0) {
			char addr[32], text[96];

			snprintf(text, sizeof(text), "%s in group %zu",
				 acs_func_addr(acs_fabric_func(v->after, i), addr, sizeof(addr)),
				 acs_groups_of(ga, i));
			line(d, "added", text);
		}
	acs_groups_free(gb);
	acs_groups_free(ga);
}

static const char *map_word(int m)
{
	return m == ACS_P2P_BUS_ADDR ? "bus_addr" : m == ACS_P2P_THRU_HOST_BRIDGE ?
	       "thru_host_bridge" : "not_supported";
}

static void diff_p2p(const struct pair_view *v, struct diff_out *d)
{
	size_t n = acs_fabric_count(v->after), seen = 0;
	const struct cli *c = v->c;

	for (size_t i = 0; i < n; i++) {
		if (v->to_before[i] < 0 || !cli_is_peer(acs_fabric_func(v->after, i)))
			continue;
		for (size_t j = i + 1; j < n && seen < 2000000; j++, seen++) {
			struct acs_p2pdma p0, p1;
			struct acs_reach r0, r1;
			size_t bi = (size_t)v->to_before[i], bj;
			char a[32], b[32], text[256];

			if (v->to_before[j] < 0 || !cli_is_peer(acs_fabric_func(v->after, j)))
				continue;
			bj = (size_t)v->to_before[j];
			acs_p2pdma_distance(v->before, v->pbefore, c->cpu, bi, bj, &p0);
			acs_p2pdma_distance(v->after, v->pafter, c->cpu, i, j, &p1);
			acs_route_reach(v->before, v->pbefore, bi, bj, &r0);
			acs_route_reach(v->after, v->pafter, i, j, &r1);
			if (p0.map == p1.map && r0.direct == r1.direct)
				continue;
			snprintf(text, sizeof(text), "%s %s: P2PDMA %s -> %s, hardware %s -> %s",
				 acs_func_addr(acs_fabric_func(v->after, i), a, sizeof(a)),
				 acs_func_addr(acs_fabric_func(v->after, j), b, sizeof(b)),
				 map_word(p0.map), map_word(p1.map),
				 r0.direct ? "direct" : "via root complex",
				 r1.direct ? "direct" : "via root complex");
			line(d, (p1.map == ACS_P2P_BUS_ADDR && p0.map != ACS_P2P_BUS_ADDR) ||
				(r1.direct && !r0.direct) ? "p2p_gained" : "p2p_lost", text);
		}
	}
}

static char *finding_key(const acs_fabric *f, const acs_finding *fd)
{
	char *s = malloc(64 * (fd->ndevices + 1) + 16), addr[32];

	strcpy(s, fd->kind == ACS_FINDING_UNSAFE ? "unsafe" : fd->kind == ACS_FINDING_UNKNOWN ? "unknown" :
	       "conservative");
	for (size_t i = 0; i < fd->ndevices; i++) {
		strcat(s, " ");
		strcat(s, acs_func_addr(acs_fabric_func(f, fd->devices[i]), addr, sizeof(addr)));
	}
	return s;
}

/* The unread functions either side's audit depends on, as after's. */
static void mark_unknown(const struct pair_view *v, struct diff_out *d, const acs_audit *a0,
			 const acs_audit *a1)
{
	const uint32_t *u;
	size_t n = a1 ? acs_audit_unknown(a1, &u) : 0;

	for (size_t i = 0; i < n; i++)
		d->unknown[u[i]] = 1;
	n = a0 ? acs_audit_unknown(a0, &u) : 0;
	for (size_t i = 0; i < n; i++)
		if (v->to_after[u[i]] >= 0)
			d->unknown[v->to_after[u[i]]] = 1;
}

static void diff_audit(const struct pair_view *v, struct diff_out *d)
{
	const acs_policy *hw = acs_policy_hardware(v->c->policy);
	acs_audit *a0 = NULL, *a1 = NULL;

	acs_audit_run(&a0, v->before, v->pbefore, hw);
	acs_audit_run(&a1, v->after, v->pafter, hw);
	for (int side = 0; side < 2; side++) {
		acs_audit *x = side ? a0 : a1, *y = side ? a1 : a0;
		const acs_fabric *fx = side ? v->before : v->after, *fy = side ? v->after : v->before;

		for (size_t i = 0; x && i < acs_audit_count(x); i++) {
			char *k = finding_key(fx, acs_audit_at(x, i));
			bool found = false;

			for (size_t j = 0; y && j < acs_audit_count(y) && !found; j++) {
				char *l = finding_key(fy, acs_audit_at(y, j));

				found = strcmp(k, l) == 0;
				free(l);
			}
			if (!found)
				line(d, side ? "audit_resolved" : "audit_new", k);
			free(k);
		}
	}
	mark_unknown(v, d, a0, a1);
	acs_audit_free(a0);
	acs_audit_free(a1);
}

static int map_fabrics(struct pair_view *v)
{
	size_t nb = acs_fabric_count(v->before), na = acs_fabric_count(v->after);

	v->to_before = malloc((na + 1) * sizeof(*v->to_before));
	v->to_after = malloc((nb + 1) * sizeof(*v->to_after));
	if (!v->to_before || !v->to_after)
		return -1;
	for (size_t i = 0; i < nb; i++)
		v->to_after[i] = -1;
	for (size_t i = 0; i < na; i++) {
		const struct acs_func *f = acs_fabric_func(v->after, i);
		const struct acs_func *b = acs_fabric_find(v->before, f->domain, f->bus, f->dev, f->fn);

		v->to_before[i] = b ? (int32_t)acs_fabric_index(v->before, b) : -1;
		if (b)
			v->to_after[acs_fabric_index(v->before, b)] = (int32_t)i;
	}
	return 0;
}

int cmd_whatif(struct cli *c, int argc, char **argv)
{
	struct acs_ctrl_change *ch = calloc((size_t)argc * acs_fabric_count(c->fabric) + 1, sizeof(*ch));
	struct pair_view v = { c, c->loaded, NULL, c->boot ? acs_boot_base_policy(c->boot) : c->policy,
			       c->policy, NULL, NULL };
	struct diff_out d = { NULL, c->json, 0, NULL };
	uint32_t *unk = NULL;
	size_t nunk = 0;
	acs_fabric *after = NULL;
	size_t n;
	int rc;

	if (!ch)
		return EXIT_BAD_INPUT;
	if (argc == 0 && c->fabric == c->loaded) {
		fprintf(stderr, "usage: acsctl whatif [--cmdline ...] [--vfs DEV=N] [switch] DEV:BITS...\n");
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
	v.after = after;
	d.unknown = calloc(acs_fabric_count(after) + 1, 1);
	unk = malloc((acs_fabric_count(after) + 1) * sizeof(*unk));
	if (!d.unknown || !unk || map_fabrics(&v)) {
		rc = EXIT_BAD_INPUT;
		goto done;
	}
	d.root = c->json ? json_object_new_object() : NULL;
	if (!c->json)
		cli_note_header(c, stdout);
	diff_groups(&v, &d);
	diff_p2p(&v, &d);
	diff_audit(&v, &d);
	for (size_t i = 0; i < acs_fabric_count(after); i++)
		if (d.unknown[i])
			unk[nunk++] = (uint32_t)i;
	rc = cli_verdict(false, nunk);
	if (c->json) {
		json_object_object_add(d.root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
		cli_json_verdict(c, d.root, rc, unk, nunk);
		puts(json_object_to_json_string_ext(d.root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(d.root);
	} else {
		if (!d.count)
			printf("no change: the same groups, P2P and audit\n");
		cli_print_unknown(c, unk, nunk);
	}
done:
	free(d.unknown);
	free(unk);
	free(v.to_before);
	free(v.to_after);
	acs_fabric_free(after);
	return rc;
}
