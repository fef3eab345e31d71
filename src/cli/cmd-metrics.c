/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl metrics [-o FILE] [--expect FILE]: the fabric's state in the
 * Prometheus text exposition format, for node_exporter's textfile
 * collector (doc/metrics.md: the names are a contract). -o FILE is
 * written whole or not at all (output.c: a temporary beside it, renamed
 * over it); without -o the text goes to standard output.
 *
 * Everything is computed before anything is written. A source that cannot
 * be read whole, an --expect file that cannot, or anything else that fails
 * gives a file that says so: acsctl_info, the run's timestamp and
 * acsctl_run_errors 1, none of the fabric's metrics (a previous run's
 * values never stay behind looking current), and exit status 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

/* acsctl apply's boot unit reads it; the host's own, so only for /sys */
#define DEFAULT_EXPECT "/etc/acsctl/acs.conf"
/* pairs of peers whose P2PDMA verdict is counted at most (each a walk up
 * and down the tree): past it acsctl_p2p_pairs is left out, with a
 * comment saying why */
#define MAX_P2P_PAIRS 10000000ull

struct metrics {
	const struct cli *c;
	acs_groups *groups;
	acs_audit *audit;
	size_t unsafe, unknown;      /* audit findings */
	int mismatch;                /* 1, 0, or -1: left out */
	const char *mismatch_why;    /* why it is left out */
	size_t npeers;
	unsigned long long pairs[4]; /* by enum acs_p2p_map */
	bool pairs_counted;
	const char *expect;          /* the acs.conf compared, or NULL */
	struct acs_ctrl_change *changes;
	size_t nchanges;
};

/* A label value as the exposition format takes it: \\ \" \n escaped. */
static void label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f), fputc(*s, f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void info(FILE *f, const struct cli *c)
{
	const char *kernel = c->fabric ? acs_fabric_kernel_release(c->fabric) : NULL;

	family(f, "acsctl_info", "gauge",
	       "acsctl's version, the kernel release the source records and the kernel policy predicted; always 1");
	fputs("acsctl_info{version=", f);
	label_value(f, ACSCTL_VERSION);
	fputs(",kernel=", f);
	label_value(f, kernel ? kernel : "");
	fputs(",policy=", f);
	label_value(f, c->policy ? acs_policy_name(c->policy) : "");
	fputs("} 1\n", f);
}

static void run_state(FILE *f, time_t now, int errors)
{
	family(f, "acsctl_last_run_timestamp_seconds", "gauge", "when acsctl metrics ran, in seconds since the epoch");
	fprintf(f, "acsctl_last_run_timestamp_seconds %lld\n", (long long)now);
	family(f, "acsctl_run_errors", "gauge",
	       "1 when this run failed (the source or --expect could not be read whole): no other metric of the fabric "
	       "is given; 0 otherwise");
	fprintf(f, "acsctl_run_errors %d\n", errors);
}

/* Whether the kernel's groups differ from the prediction for the ACS in
 * force, as groups --check says it: proven (1), equal (0), or left out
 * where the source has no kernel groups or the answer depends on ACS that
 * was not read. */
static int groups_mismatch(struct metrics *m)
{
	const struct cli *c = m->c;
	acs_group_check *chk;
	const uint32_t *v;
	bool proven = false, unknown = false;

	m->mismatch = -1;
	if (acs_fabric_kernel_groups(c->fabric) != ACS_KGROUPS_PRESENT) {
		m->mismatch_why = acs_fabric_kernel_groups(c->fabric) == ACS_KGROUPS_NONE ?
			"the kernel formed no IOMMU groups (the IOMMU is off)" :
			"the source does not have the kernel's groups";
		return 0;
	}
	if (acs_groups_check(&chk, m->groups, c->fabric))
		return -1;
	for (size_t i = 0; i < acs_group_check_count(chk); i++) {
		const acs_group_diff *d = acs_group_check_at(chk, i);
		bool uncertain = d->kind == ACS_DIFF_KERNEL_SPLITS && acs_groups_uncertain(m->groups, d->group);

		for (size_t k = 0; k < d->count; k++)
			uncertain |= d->kind == ACS_DIFF_KERNEL_MERGES && d->other[k] >= 0 &&
				     acs_groups_uncertain(m->groups, (size_t)d->other[k]);
		if (uncertain)
			unknown = true;
		else
			proven = true;
	}
	proven |= acs_group_check_one_side(chk, 1, &v) > 0;
	/* equal groups prove nothing where the prediction was a guess */
	for (size_t i = 0; !proven && i < acs_fabric_count(c->fabric); i++) {
		size_t g = acs_groups_of(m->groups, i);

		if (acs_fabric_kernel_group(c->fabric, i) >= 0 && g != ACS_NO_GROUP && acs_groups_uncertain(m->groups, g))
			unknown = true;
	}
	acs_group_check_free(chk);
	if (proven)
		m->mismatch = 1;
	else if (!unknown)
		m->mismatch = 0;
	else
		m->mismatch_why = "the comparison depends on ACS state that was not read";
	return 0;
}

/* The P2PDMA verdict of every unordered pair of peers (provider the one
 * first in address order, as acsctl p2p pairs them), counted by map type;
 * nothing is listed. */
static int p2p_pairs(struct metrics *m)
{
	const struct cli *c = m->c;
	size_t n = acs_fabric_count(c->fabric);
	size_t *peers = malloc((n + 1) * sizeof(*peers));
	int cpu = c->cpu ? c->cpu : acs_p2p_cpu(c->fabric);
	struct acs_p2pdma v;

	if (!peers)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (cli_is_peer(acs_fabric_func(c->fabric, i)))
			peers[m->npeers++] = i;
	m->pairs_counted = (unsigned long long)m->npeers * (m->npeers ? m->npeers - 1 : 0) / 2 <= MAX_P2P_PAIRS;
	for (size_t i = 0; m->pairs_counted && i < m->npeers; i++)
		for (size_t j = i + 1; j < m->npeers; j++) {
			acs_p2pdma_distance(c->fabric, c->policy, cpu, peers[i], peers[j], &v);
			m->pairs[v.map >= ACS_P2P_BUS_ADDR && v.map <= ACS_P2P_NOT_SUPPORTED ? v.map :
				 ACS_P2P_NOT_SUPPORTED]++;
		}
	free(peers);
	return 0;
}

/* --expect FILE, or /etc/acsctl/acs.conf where it exists and the source
 * is this host's /sys: the changes it asks for, as apply --from reads them. */
static int expected(struct metrics *m)
{
	const struct cli *c = m->c;
	struct stat st;

	m->expect = c->expect;
	if (!m->expect && !c->dump && !c->sysfs && stat(DEFAULT_EXPECT, &st) == 0)
		m->expect = DEFAULT_EXPECT;
	if (!m->expect)
		return 0;
	if (cli_conf_changes(c, m->expect, &m->changes, &m->nchanges))
		return -1;
	/* apply refuses it too: the boot unit would fail on such a file */
	for (size_t i = 0; i < m->nchanges; i++)
		for (size_t k = 0; k < i; k++)
			if (m->changes[k].index == m->changes[i].index) {
				char addr[ACS_ADDR_MAX];

				fprintf(stderr, "acsctl metrics: %s: %s changed twice: name each port once (as apply needs)\n",
					m->expect, acs_func_addr(acs_fabric_func(c->fabric, m->changes[i].index), addr,
								 sizeof(addr)));
				return -1;
			}
	return 0;
}

static int compute(struct metrics *m)
{
	const struct cli *c = m->c;

	if (expected(m))
		return -1;
	if (acs_groups_compute(&m->groups, c->fabric, c->policy) ||
	    acs_audit_run(&m->audit, c->fabric, c->policy, acs_policy_hardware(c->policy)) ||
	    groups_mismatch(m) || p2p_pairs(m))
		return cli_error("metrics");
	m->unsafe = acs_audit_issue_count(m->audit);
	for (size_t i = 0; i < acs_audit_count(m->audit); i++)
		m->unknown += acs_audit_at(m->audit, i)->kind == ACS_FINDING_UNKNOWN;
	return 0;
}

static void write_metrics(FILE *f, const struct metrics *m, time_t now)
{
	static const char *const maps[] = { NULL, "bus_addr", "thru_host_bridge", "not_supported" };
	const struct cli *c = m->c;
	const acs_fabric *fab = c->fabric;
	char addr[ACS_ADDR_MAX];
	bool any = false;

	info(f, c);
	family(f, "acsctl_functions", "gauge", "PCI functions read from the source");
	fprintf(f, "acsctl_functions %zu\n", acs_fabric_count(fab));
	family(f, "acsctl_functions_acs_unread", "gauge",
	       "functions whose extended config space (ACS) the source could not read (not root, lspci -x)");
	fprintf(f, "acsctl_functions_acs_unread %zu\n", acs_fabric_unknown_count(fab));
	family(f, "acsctl_iommu_groups", "gauge", "IOMMU groups the kernel policy forms from the ACS in force (prediction)");
	fprintf(f, "acsctl_iommu_groups %zu\n", acs_groups_count(m->groups));

	family(f, "acsctl_port_acs_ctrl", "gauge",
	       "the ACS control register of each function with an ACS capability that was read (ports, multifunction "
	       "devices; not VFs)");
	for (size_t i = 0; i < acs_fabric_count(fab); i++) {
		const struct acs_func *fn = acs_fabric_func(fab, i);

		if (!fn->acs_pos || fn->is_virtfn || !acs_func_acs_known(fn))
			continue;
		fprintf(f, "acsctl_port_acs_ctrl{device=\"%s\"} %u\n", acs_func_addr(fn, addr, sizeof(addr)),
			(unsigned)fn->acs_ctrl);
	}

	family(f, "acsctl_audit_findings", "gauge",
	       "acsctl audit: pairs of groups that reach each other without the IOMMU (unsafe), routes whose verdict "
	       "depends on state not read (unknown)");
	fprintf(f, "acsctl_audit_findings{verdict=\"unsafe\"} %zu\n", m->unsafe);
	fprintf(f, "acsctl_audit_findings{verdict=\"unknown\"} %zu\n", m->unknown);

	if (m->mismatch >= 0) {
		family(f, "acsctl_groups_check_mismatch", "gauge",
		       "1 where the kernel's IOMMU groups differ from the prediction for the ACS in force (ACS changed "
		       "after boot), else 0 (acsctl groups --check)");
		fprintf(f, "acsctl_groups_check_mismatch %d\n", m->mismatch);
	} else {
		fprintf(f, "# acsctl_groups_check_mismatch left out: %s\n", m->mismatch_why);
	}

	if (m->expect) {
		family(f, "acsctl_acs_drift", "gauge",
		       "1 where a function's ACS control differs from what the expected acs.conf asks, else 0");
		/* each function once (expected() saw to it), as acs.conf names them */
		for (size_t i = 0; i < m->nchanges; i++) {
			const struct acs_func *fn = acs_fabric_func(fab, m->changes[i].index);

			fprintf(f, "acsctl_acs_drift{device=\"%s\"} %d\n", acs_func_addr(fn, addr, sizeof(addr)),
				m->changes[i].ctrl != (fn->acs_ctrl & fn->acs_cap & 0x7f));
			any = true;
		}
		if (!any)
			fprintf(f, "# %s asks for no change\n", m->expect);
	}

	if (m->pairs_counted) {
		family(f, "acsctl_p2p_pairs", "gauge",
		       "unordered pairs of peer endpoints by the kernel's P2PDMA verdict (pci_p2pdma_distance's map type)");
		for (int k = ACS_P2P_BUS_ADDR; k <= ACS_P2P_NOT_SUPPORTED; k++)
			fprintf(f, "acsctl_p2p_pairs{map=\"%s\"} %llu\n", maps[k], m->pairs[k]);
	} else {
		fprintf(f, "# acsctl_p2p_pairs left out: %zu peers make more than %llu pairs\n", m->npeers,
			MAX_P2P_PAIRS);
	}
	run_state(f, now, 0);
}

/* Only the run's state: the fabric's metrics are not known. */
static void write_failed(FILE *f, const struct cli *c, time_t now)
{
	info(f, c);
	run_state(f, now, 1);
}

static int open_output(const struct cli *c, struct cli_output *out)
{
	int rc;

	if ((rc = cli_out_file_check(c, "metrics", c->output ? c->output : "-")))
		return rc;
	return cli_output_open(out, c->output ? c->output : "-");
}

int cli_metrics_failed(const struct cli *c, int status)
{
	struct cli_output out;

	if (open_output(c, &out))
		return EXIT_BAD_INPUT;
	write_failed(out.f, c, time(NULL));
	cli_output_close(&out, true);
	return status ? status : EXIT_BAD_INPUT;
}

int cmd_metrics(struct cli *c, int argc, char **argv)
{
	struct metrics m = { .c = c };
	struct cli_output out;
	const char *name = c->output ? c->output : "-";
	time_t now = time(NULL);
	int rc;

	if (argc > 0) {
		fprintf(stderr, "acsctl metrics: unexpected argument '%s' (the file is -o FILE)\n", argv[0]);
		return EXIT_BAD_INPUT;
	}
	if ((rc = cli_out_file_check(c, "metrics", name)))
		return rc;
	if (compute(&m)) {
		rc = cli_metrics_failed(c, EXIT_BAD_INPUT);
	} else if (!(rc = cli_output_open(&out, name))) {
		write_metrics(out.f, &m, now);
		rc = cli_out_written(c, "metrics", "Prometheus text", name, cli_output_close(&out, true));
	}
	free(m.changes);
	acs_audit_free(m.audit);
	acs_groups_free(m.groups);
	return rc;
}
