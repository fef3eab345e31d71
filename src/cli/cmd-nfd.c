/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl nfd [-o FILE] [--expire-after DURATION]: a few node labels for
 * node-feature-discovery's local feature source, a file in
 * /etc/kubernetes/node-feature-discovery/features.d/ (doc/nfd.md: the
 * labels are a contract). NFD reads every file of that directory but dot
 * files, a line "NAME=VALUE" a label, '#' a comment and "# +expiry-time="
 * a directive; so -o FILE is written through a dot-file temporary beside
 * it (output.c) and renamed over it, and no comment starts with "# +".
 *
 * Each label is a fact or "unknown": a value that could sound safe is
 * never given for something the source did not read. A source that cannot
 * be read whole gives a file whose every label is unknown (the previous
 * run's values never stay behind looking current) and exit status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* NFD's own namespace: allowed by every nfd-master, and its garbage
 * collector removes the labels with the node's NFD objects */
#define LABEL_PREFIX "feature.node.kubernetes.io/acsctl-"
/* pairs of GPU, NIC and NVMe functions asked at most (each a walk up and
 * down the tree, both ways): past it the P2P labels are unknown */
#define MAX_PAIRS 1000000ull

enum nfd_label { L_ISOLATION, L_P2P_DIRECT, L_P2PDMA_DIRECT, L_AUDIT, L_COUNT };

static const char *const label_names[L_COUNT] = {
	[L_ISOLATION] = "acs-isolation",
	[L_P2P_DIRECT] = "p2p-direct",
	[L_P2PDMA_DIRECT] = "p2pdma-direct",
	[L_AUDIT] = "audit",
};

struct nfd {
	const struct cli *c;
	const char *value[L_COUNT];
	size_t ndevs;                 /* GPU, NIC and NVMe functions */
	unsigned long long npairs;    /* their pairs, of different devices */
	acs_unknown *unk;
};

/* Functions of one device go to a VM together and may reach each other
 * inside it: one device is one slot's functions, a VF alone. */
static bool same_device(const struct acs_func *a, const struct acs_func *b)
{
	return !a->is_virtfn && !b->is_virtfn && a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

/* isolated: no group holds endpoints of two devices; shared: a group the
 * source proves does; unknown: only groups formed on ACS not read do (an
 * uncertain group is the largest the unread ACS allows, so one device
 * alone in it is alone whatever that ACS holds). */
static const char *isolation(const acs_fabric *f, const acs_groups *g)
{
	bool unknown = false;

	for (size_t id = 0; id < acs_groups_count(g); id++) {
		const uint32_t *m;
		size_t n = acs_groups_members(g, id, &m);
		long first = -1;
		bool shared = false;

		for (size_t k = 0; k < n && !shared; k++) {
			const struct acs_func *fn = acs_fabric_func(f, m[k]);

			if (!cli_is_peer(fn))
				continue;
			if (first < 0)
				first = m[k];
			else
				shared = !same_device(acs_fabric_func(f, (size_t)first), fn);
		}
		if (shared && !acs_groups_uncertain(g, id))
			return "shared";
		unknown |= shared;
	}
	return unknown ? "unknown" : "isolated";
}

/* GPUs and other display controllers, processing accelerators, network
 * controllers (Ethernet, InfiniBand), NVMe and other NVM controllers;
 * physical functions (a VF's path is its PF's). */
static bool p2p_device(const struct acs_func *fn)
{
	unsigned base = fn->class_code >> 16, sub = (fn->class_code >> 8) & 0xff;

	if (!cli_is_peer(fn) || fn->is_virtfn)
		return false;
	return base == 0x03 || base == 0x12 || base == 0x02 || (base == 0x01 && sub == 0x08);
}

/* true where proven, else unknown where a question was not answered,
 * else false */
static const char *tri(bool proven, bool unknown)
{
	return proven ? "true" : unknown ? "unknown" : "false";
}

/* Whether some pair of the devices has a direct path: the hardware's
 * (requests of either one to the other turn below the root complex) and
 * the kernel's P2PDMA verdict (bus_addr: through a common switch). */
static void p2p(struct nfd *d, const size_t *devs)
{
	const struct cli *c = d->c;
	int cpu = c->cpu ? c->cpu : acs_p2p_cpu(c->fabric);
	bool hw = false, hw_unknown = false, dma = false, dma_unknown = false;

	for (size_t i = 0; i < d->ndevs; i++)
		for (size_t j = i + 1; j < d->ndevs; j++)
			if (!same_device(acs_fabric_func(c->fabric, devs[i]), acs_fabric_func(c->fabric, devs[j])))
				d->npairs++;
	if (d->npairs > MAX_PAIRS) {
		d->value[L_P2P_DIRECT] = d->value[L_P2PDMA_DIRECT] = "unknown";
		return;
	}
	for (size_t i = 0; i < d->ndevs && !(hw && dma); i++)
		for (size_t j = i + 1; j < d->ndevs && !(hw && dma); j++) {
			size_t a = devs[i], b = devs[j];
			struct acs_reach r;
			struct acs_p2pdma v;

			if (same_device(acs_fabric_func(c->fabric, a), acs_fabric_func(c->fabric, b)))
				continue;
			for (int way = 0; way < 2; way++) {
				acs_route_reach(c->fabric, c->policy, way ? b : a, way ? a : b, &r);
				/* an unknown route's `direct` is the worse case, not a fact */
				hw |= r.direct && !r.unknown;
				hw_unknown |= r.unknown;
			}
			acs_p2pdma_distance(c->fabric, c->policy, cpu, a, b, &v);
			acs_unknown_clear(d->unk);
			if (acs_unknown_add(d->unk, ACS_UNKNOWN_P2PDMA, a, (long)b))
				dma_unknown = true;
			else
				dma |= v.map == ACS_P2P_BUS_ADDR;
		}
	d->value[L_P2P_DIRECT] = tri(hw, hw_unknown);
	d->value[L_P2PDMA_DIRECT] = tri(dma, dma_unknown);
}

/* ok only where every verdict is proven; a proven unsafe finding beats
 * the unknown ones, as in acsctl audit's exit status */
static const char *audit(const acs_audit *a)
{
	if (acs_audit_issue_count(a))
		return "unsafe";
	for (size_t i = 0; i < acs_audit_count(a); i++)
		if (acs_audit_at(a, i)->kind == ACS_FINDING_UNKNOWN)
			return "unknown";
	return "ok";
}

static int compute(struct nfd *d)
{
	const struct cli *c = d->c;
	size_t n = acs_fabric_count(c->fabric);
	size_t *devs = malloc((n + 1) * sizeof(*devs));
	acs_groups *groups = NULL;
	acs_audit *au = NULL;
	int rc = -1;

	if (!devs || acs_unknown_new(&d->unk, c->fabric, c->policy) ||
	    acs_groups_compute(&groups, c->fabric, c->policy) ||
	    acs_audit_run(&au, c->fabric, c->policy, acs_policy_hardware(c->policy)))
		goto done;
	for (size_t i = 0; i < n; i++)
		if (p2p_device(acs_fabric_func(c->fabric, i)))
			devs[d->ndevs++] = i;
	d->value[L_ISOLATION] = isolation(c->fabric, groups);
	p2p(d, devs);
	d->value[L_AUDIT] = audit(au);
	rc = 0;
done:
	acs_audit_free(au);
	acs_groups_free(groups);
	acs_unknown_free(d->unk);
	free(devs);
	return rc ? cli_error("nfd") : 0;
}

/* A name in a comment: a newline in it would start a line NFD reads. */
static void comment_text(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void header(FILE *f, const struct cli *c, time_t now)
{
	fputs("# acsctl nfd: node labels for node-feature-discovery (doc/nfd.md)\n", f);
	if (c->fabric) {
		fputs("# source: ", f);
		comment_text(f, acs_fabric_origin(c->fabric));
		fprintf(f, " (%zu functions), kernel policy %s\n", acs_fabric_count(c->fabric),
			c->policy ? acs_policy_name(c->policy) : "none");
	}
	if (c->expire_after) {
		time_t until = now + (time_t)c->expire_after;
		struct tm tm;
		char when[32];

		gmtime_r(&until, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "# +expiry-time=%s\n", when);
	}
}

static void labels(FILE *f, const char *const value[L_COUNT])
{
	for (int k = 0; k < L_COUNT; k++)
		fprintf(f, LABEL_PREFIX "%s=%s\n", label_names[k], value[k]);
}

static void write_labels(FILE *f, const struct nfd *d, time_t now)
{
	const acs_fabric *fab = d->c->fabric;

	header(f, d->c, now);
	if (acs_fabric_unknown_count(fab))
		fprintf(f, "# %zu functions' ACS was not read (not root, lspci -x, <access denied>): what depends "
			"on it is unknown\n", acs_fabric_unknown_count(fab));
	fprintf(f, "# %zu GPU, NIC and NVMe functions, %llu pairs of different devices%s\n", d->ndevs, d->npairs,
		d->npairs > MAX_PAIRS ? ": too many to ask, the P2P labels are unknown" : "");
	labels(f, d->value);
}

static void write_failed(FILE *f, const struct cli *c, time_t now)
{
	const char *unknown[L_COUNT];

	for (int k = 0; k < L_COUNT; k++)
		unknown[k] = "unknown";
	header(f, c, now);
	fputs("# the source could not be read: every label is unknown\n", f);
	labels(f, unknown);
}

int cli_nfd_failed(const struct cli *c, int status)
{
	const char *name = c->output ? c->output : "-";
	struct cli_output out;

	if (cli_out_file_check(c, "nfd", name) || cli_output_open_hidden(&out, name))
		return EXIT_BAD_INPUT;
	write_failed(out.f, c, time(NULL));
	cli_output_close(&out, true);
	return status ? status : EXIT_BAD_INPUT;
}

int cmd_nfd(struct cli *c, int argc, char **argv)
{
	struct nfd d = { .c = c };
	struct cli_output out;
	const char *name = c->output ? c->output : "-";
	time_t now = time(NULL);
	int rc;

	if (argc > 0) {
		fprintf(stderr, "acsctl nfd: unexpected argument '%s' (the file is -o FILE)\n", argv[0]);
		return EXIT_BAD_INPUT;
	}
	if ((rc = cli_out_file_check(c, "nfd", name)))
		return rc;
	if (compute(&d))
		return cli_nfd_failed(c, EXIT_BAD_INPUT);
	if ((rc = cli_output_open_hidden(&out, name)))
		return rc;
	write_labels(out.f, &d, now);
	return cli_out_written(c, "nfd", "NFD feature file", name, cli_output_close(&out, true));
}
