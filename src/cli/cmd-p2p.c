/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acsctl p2p [DEV...]: for each pair, the kernel's P2PDMA verdict and the
 * hardware path; a matrix with a legend like `nvidia-smi topo -m`.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"

static const char *map_name(int map)
{
	return map == ACS_P2P_BUS_ADDR ? "bus_addr" :
	       map == ACS_P2P_THRU_HOST_BRIDGE ? "thru_host_bridge" : "not_supported";
}

/* What the verdicts on a pair depend on that was not read. */
#define PAIR_QUESTIONS (ACS_UNKNOWN_REACH | ACS_UNKNOWN_P2PDMA)

/* The matrix code of a pair (see the legend). */
static const char *cell(const struct acs_p2pdma *v, bool unknown, char *buf)
{
	const char *c = v->map == ACS_P2P_BUS_ADDR ? (v->distance <= 4 ? "PIX" : "PXB") :
			v->map == ACS_P2P_THRU_HOST_BRIDGE ? "PHB" : "NS";

	sprintf(buf, "%s%s%s", c, v->nredirect ? "*" : "", unknown ? "?" : "");
	return buf;
}

static int cpu_kind(const struct cli *c)
{
	FILE *f;
	char line[256];
	bool amd = false;
	int family = -1;

	if (acs_fabric_source_kind(c->fabric) != ACS_SOURCE_SYSFS ||
	    !acs_fabric_kernel_release(c->fabric) || !(f = fopen("/proc/cpuinfo", "r")))
		return ACS_P2P_CPU_UNKNOWN;
	while (fgets(line, sizeof(line), f) && family < 0) {
		if (strstr(line, "vendor_id") && strstr(line, "AuthenticAMD"))
			amd = true;
		if (strncmp(line, "cpu family", 10) == 0)
			sscanf(strchr(line, ':') + 1, "%d", &family);
	}
	fclose(f);
	return amd && family >= 0x17 ? ACS_P2P_CPU_AMD_ZEN : ACS_P2P_CPU_OTHER;
}

/* The running kernel's own config, when acsctl reads this host. */
static int running_p2pdma(const struct cli *c)
{
	char path[300], line[256];
	const char *rel = acs_fabric_kernel_release(c->fabric);
	FILE *f;
	int built = -1;

	if (acs_fabric_source_kind(c->fabric) != ACS_SOURCE_SYSFS || !rel)
		return -1;
	snprintf(path, sizeof(path), "/boot/config-%s", rel);
	if (!(f = fopen(path, "r")))
		return -1;
	built = 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "CONFIG_PCI_P2PDMA=y", 19) == 0)
			built = 1;
	fclose(f);
	return built;
}

static int select_devices(const struct cli *c, int argc, char **argv, size_t *devs, size_t *n)
{
	*n = 0;
	if (argc == 0) {
		for (size_t i = 0; i < acs_fabric_count(c->fabric); i++)
			if (cli_is_peer(acs_fabric_func(c->fabric, i)) &&
			    cli_selected(acs_fabric_func(c->fabric, i)))
				devs[(*n)++] = i;
		return 0;
	}
	for (int k = 0; k < argc; k++) {
		long i = cli_find_device(c, argv[k], strlen(argv[k]));

		if (i < 0) {
			fprintf(stderr, "acsctl p2p: no device '%s' in %s\n", argv[k],
				acs_fabric_origin(c->fabric));
			return EXIT_BAD_INPUT;
		}
		devs[(*n)++] = (size_t)i;
	}
	return 0;
}

static void print_header(const struct cli *c, int cpu, int built)
{
	cli_note_header(c, stdout);
	if (built == 1)
		printf("# the running kernel has P2PDMA (CONFIG_PCI_P2PDMA=y)\n");
	else if (built == 0 || !acs_policy_p2pdma_built(c->policy))
		printf("# Linux %s %s no P2PDMA (CONFIG_PCI_P2PDMA is not set): the verdicts are what a kernel with it would say; GPU and RDMA drivers that do their own P2P follow the hardware path\n",
		       acs_policy_name(c->policy), built == 0 ? "here has" : "as Debian builds it has");
	printf("# hardware paths are reasoned port by port from ACS and the bus tree; bridge windows and BARs are not read\n");
	if (cpu == ACS_P2P_CPU_UNKNOWN)
		printf("# CPU unknown: taken as not one the kernel trusts for P2P through the host bridge (AMD Zen is)\n");
}

static void print_matrix(const struct cli *c, const size_t *devs, size_t n, int cpu, acs_unknown *unk)
{
	char addr[32], buf[16];

	printf("%-13s", "");
	for (size_t j = 0; j < n; j++)
		printf(" %-7zu", j);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *fi = acs_fabric_func(c->fabric, devs[i]);

		printf("%-13s", acs_func_addr(fi, addr, sizeof(addr)));
		for (size_t j = 0; j < n; j++) {
			struct acs_p2pdma v;

			if (i == j) {
				printf(" %-7s", "X");
				continue;
			}
			acs_p2pdma_distance(c->fabric, c->policy, cpu, devs[i], devs[j], &v);
			printf(" %-7s", cell(&v, acs_unknown_add(unk, PAIR_QUESTIONS, devs[i], (long)devs[j]), buf));
		}
		printf("  %zu\n", i);
	}
	printf("\nLegend (the kernel's P2PDMA verdict, provider = row, client = column):\n"
	       "  X    = self\n"
	       "  PIX  = direct through one switch (bus_addr, distance <= 4)\n"
	       "  PXB  = direct through several switches (bus_addr)\n"
	       "  PHB  = through the host bridge (thru_host_bridge)\n"
	       "  NS   = not supported: through a host bridge the kernel does not trust\n"
	       "  *    = ACS redirect on the path forces the detour (see acsctl p2p -v)\n"
	       "  ?    = depends on ACS state that was not read (UNKNOWN lines below)\n");
}

static void print_pairs(const struct cli *c, const size_t *devs, size_t n, int cpu, acs_unknown *unk)
{
	char a[32], b[32], p[32];

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			struct acs_p2pdma v;
			struct acs_reach r;

			acs_p2pdma_distance(c->fabric, c->policy, cpu, devs[i], devs[j], &v);
			acs_route_reach(c->fabric, c->policy, devs[i], devs[j], &r);
			printf("%s -> %s: %s, distance %d",
			       acs_func_addr(acs_fabric_func(c->fabric, devs[i]), a, sizeof(a)),
			       acs_func_addr(acs_fabric_func(c->fabric, devs[j]), b, sizeof(b)),
			       map_name(v.map), v.distance);
			for (size_t k = 0; k < v.nredirect; k++)
				printf("%s%s", k ? ", " : "; redirected by ",
				       acs_func_addr(acs_fabric_func(c->fabric, v.redirect[k]), p, sizeof(p)));
			printf("\n    hardware: %s: %s\n", r.unknown ? "unknown" : r.direct ? "direct" : "through the root complex",
			       r.why);
			if (acs_unknown_add(unk, PAIR_QUESTIONS, devs[i], (long)devs[j]))
				printf("    unknown: this pair depends on state that was not read (UNKNOWN lines below)\n");
		}
}

static json_object *pair_json(const struct cli *c, size_t x, size_t y, int cpu, acs_unknown *one)
{
	json_object *o = json_object_new_object(), *path = json_object_new_array();
	json_object *red = json_object_new_array(), *hw = json_object_new_object();
	struct acs_p2pdma v;
	struct acs_reach r;
	char addr[32];

	acs_p2pdma_distance(c->fabric, c->policy, cpu, x, y, &v);
	acs_route_reach(c->fabric, c->policy, x, y, &r);
	json_object_object_add(o, "a", json_object_new_string(
		acs_func_addr(acs_fabric_func(c->fabric, x), addr, sizeof(addr))));
	json_object_object_add(o, "b", json_object_new_string(
		acs_func_addr(acs_fabric_func(c->fabric, y), addr, sizeof(addr))));
	json_object_object_add(o, "map", json_object_new_string(map_name(v.map)));
	json_object_object_add(o, "distance", json_object_new_int(v.distance));
	for (size_t k = 0; k < v.npath; k++)
		json_object_array_add(path, json_object_new_string(
			acs_func_addr(acs_fabric_func(c->fabric, v.path[k]), addr, sizeof(addr))));
	json_object_object_add(o, "path", path);
	for (size_t k = 0; k < v.nredirect; k++)
		json_object_array_add(red, json_object_new_string(
			acs_func_addr(acs_fabric_func(c->fabric, v.redirect[k]), addr, sizeof(addr))));
	json_object_object_add(o, "redirected_by", red);
	json_object_object_add(hw, "direct", json_object_new_boolean(r.direct));
	json_object_object_add(hw, "translated_direct", json_object_new_boolean(r.translated));
	json_object_object_add(hw, "turn", r.turn >= 0 ? json_object_new_string(
		acs_func_addr(acs_fabric_func(c->fabric, (size_t)r.turn), addr, sizeof(addr))) : NULL);
	json_object_object_add(hw, "why", json_object_new_string(r.why));
	json_object_object_add(hw, "unknown", json_object_new_boolean(r.unknown));
	json_object_object_add(o, "hardware", hw);
	{
		const uint32_t *uv;
		size_t nu;

		acs_unknown_clear(one);
		acs_unknown_add(one, PAIR_QUESTIONS, x, (long)y);
		nu = acs_unknown_list(one, &uv);
		json_object_object_add(o, "unknown", cli_addr_list(c, uv, nu));
	}
	return o;
}

int cmd_p2p(struct cli *c, int argc, char **argv)
{
	size_t *devs = malloc((acs_fabric_count(c->fabric) + (size_t)argc + 1) * sizeof(*devs));
	acs_unknown *unk = NULL, *one = NULL;
	const uint32_t *uv;
	size_t n, nu;
	int cpu, built, rc;

	if (!devs || acs_unknown_new(&unk, c->fabric, c->policy) || acs_unknown_new(&one, c->fabric, c->policy)) {
		free(devs);
		acs_unknown_free(unk);
		return cli_error("p2p");
	}
	rc = select_devices(c, argc, argv, devs, &n);
	if (rc)
		goto done;
	cpu = c->cpu ? c->cpu : cpu_kind(c);
	built = running_p2pdma(c);
	if (c->json) {
		json_object *root = json_object_new_object(), *pairs = json_object_new_array();

		json_object_object_add(root, "kernel", json_object_new_string(acs_policy_name(c->policy)));
		json_object_object_add(root, "p2pdma_built", json_object_new_boolean(
			built >= 0 ? built : acs_policy_p2pdma_built(c->policy)));
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++) {
				json_object_array_add(pairs, pair_json(c, devs[i], devs[j], cpu, one));
				acs_unknown_add(unk, PAIR_QUESTIONS, devs[i], (long)devs[j]);
			}
		json_object_object_add(root, "pairs", pairs);
		nu = acs_unknown_list(unk, &uv);
		rc = cli_verdict(false, nu);
		cli_json_verdict(c, root, rc, uv, nu);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		print_header(c, cpu, built);
		if (c->verbose)
			print_pairs(c, devs, n, cpu, unk);
		else
			print_matrix(c, devs, n, cpu, unk);
		nu = acs_unknown_list(unk, &uv);
		cli_print_unknown(c, uv, nu);
		rc = cli_verdict(false, nu);
	}
done:
	acs_unknown_free(unk);
	acs_unknown_free(one);
	free(devs);
	return rc;
}
