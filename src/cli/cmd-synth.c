/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acsctl synth: a seeded synthetic fabric, as a topology or a dump. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (!*s || *end || errno || s[0] == '-') {
		fprintf(stderr, "acsctl synth: %s '%s' is not a number\n", opt, s);
		return -1;
	}
	return 0;
}

int cmd_synth(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "functions", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'S' },
		{ "switch-ports", required_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	acs_synth_opts o = ACS_SYNTH_OPTS_INIT;
	const char *format = "topo", *name = "-";
	acs_fabric *f = NULL;
	struct cli_output out;
	uint64_t ports;
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc + 1, argv - 1, "o:jm", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (parse_u64("--functions", optarg, &o.functions))
				return EXIT_BAD_INPUT;
			break;
		case 'S':
			if (parse_u64("--seed", optarg, &o.seed))
				return EXIT_BAD_INPUT;
			break;
		case 'P':
			if (parse_u64("--switch-ports", optarg, &ports))
				return EXIT_BAD_INPUT;
			if (!ports || ports > 256) {
				fprintf(stderr, "acsctl synth: --switch-ports must be 1 to 256, not '%s'\n", optarg);
				return EXIT_BAD_INPUT;
			}
			o.switch_ports = (unsigned)ports;
			break;
		case 'T': format = optarg; break;
		case 'o': name = optarg; break;
		case 'j': c->json = true; break;
		case 'm': c->machine = true; break;
		default:
			fprintf(stderr, "usage: acsctl synth --functions N [--seed S] [--switch-ports N] [--format topo|dump] [-o FILE]\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (strcmp(format, "topo") != 0 && strcmp(format, "dump") != 0) {
		fprintf(stderr, "acsctl synth: --format must be topo or dump, not '%s'\n", format);
		return EXIT_BAD_INPUT;
	}
	if ((rc = cli_out_file_check(c, "synth", name)))
		return rc;
	if (acs_fabric_synth(&f, &o))
		return cli_error("synth");
	if ((rc = cli_output_open(&out, name))) {
		acs_fabric_free(f);
		return rc;
	}
	/* Big fabrics are for machines to read: no indentation. */
	rc = strcmp(format, "dump") == 0 ? acs_dump_write(f, out.f) :
	     acs_topology_write_ex(f, out.f, o.functions > 10000 ? ACS_TOPOLOGY_COMPACT : 0);
	if (rc)
		cli_error(name);
	rc = cli_out_written_fabric(c, "synth", strcmp(format, "dump") == 0 ? "lspci -xxxx dump" : "topology", name, f,
				    cli_output_close(&out, rc == 0));
	acs_fabric_free(f);
	return rc;
}
