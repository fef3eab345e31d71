/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sysfs tree, live or captured: the functions of DIR/bus/pci/devices,
 * and what only the kernel knows (its IOMMU groups, drivers, release)
 * from the same root; the host facts (fabric.h: the CPU,
 * the kernel's P2PDMA) from /proc and /boot beside it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "sources/sources.h"

/* /sys/kernel/iommu_groups exists even with the IOMMU off; empty means off. */
static int iommu_state(const char *root)
{
	char path[4200];
	struct dirent *e;
	DIR *d;
	int state = ACS_KGROUPS_NONE;

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", root);
	d = opendir(path);
	if (!d)
		return ACS_KGROUPS_NONE;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			state = ACS_KGROUPS_PRESENT;
	closedir(d);
	return state;
}

static int read_cmdline(struct acs_builder *b)
{
	char line[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	int rc = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		rc = acs_builder_set_cmdline(b, line);
	}
	fclose(f);
	return rc;
}

/* What follows "key<spaces>:" on a /proc/cpuinfo line, trimmed; NULL
 * when the line is not key's. */
static char *cpuinfo_value(char *line, const char *key)
{
	size_t n = strlen(key), end;
	char *v;

	if (strncmp(line, key, n) != 0 || !strchr(" \t:", line[n]))
		return NULL;
	v = strchr(line + n, ':');
	if (!v)
		return NULL;
	for (v++; *v == ' ' || *v == '\t'; v++)
		;
	end = strcspn(v, "\n");
	while (end && (v[end - 1] == ' ' || v[end - 1] == '\t'))
		end--;
	v[end] = '\0';
	return v;
}

/* The first CPU's vendor_id and family (cpu_supports_p2pdma() looks at
 * the boot CPU). A cpuinfo without vendor_id is a host that has none (not
 * x86): vendor "". No cpuinfo: unknown. */
static int read_cpu(struct acs_builder *b, const char *fsroot)
{
	char path[4200], line[512], vendor[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/cpuinfo", fsroot);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f) && line[0] != '\n') {
		char *v;

		if ((v = cpuinfo_value(line, "vendor_id")) && !vendor[0]) {
			snprintf(vendor, sizeof(vendor), "%s", v);
			/* one word in a snapshot: "  Shanghai  " is trimmed, inner blanks go */
			for (char *p = vendor; *p; p++)
				if (*p == ' ' || *p == '\t' || *p == '=')
					*p = '_';
		} else if ((v = cpuinfo_value(line, "cpu family")) && b->host.cpu_family < 0) {
			char *end;
			long fam = strtol(v, &end, 10);

			if (end != v && !*end && fam >= 0 && fam < 0x10000)
				b->host.cpu_family = (int)fam;
		}
	}
	fclose(f);
	return acs_builder_set_cpu_vendor(b, vendor);
}

/* CONFIG_PCI_P2PDMA in a kernel config (plain or gzip): 1 set, 0 not,
 * -1 when the file cannot be read. */
static int config_p2pdma(const char *path)
{
	char line[512];
	gzFile z = gzopen(path, "rb");
	int set = 0;

	if (!z)
		return -1;
	while (gzgets(z, line, sizeof(line)))
		if (strncmp(line, "CONFIG_PCI_P2PDMA=y", 19) == 0 && strchr("\n", line[19]))
			set = 1;
	gzclose(z);
	return set;
}

/* The host facts of the root fsroot ("" for this host): /proc/cpuinfo, and
 * the kernel's config as /boot/config-RELEASE or /proc/config.gz. */
static int read_host(struct acs_builder *b, const char *fsroot, const char *release)
{
	char path[4200];
	int rc = read_cpu(b, fsroot);

	if (release && !strchr(release, '/')) {
		snprintf(path, sizeof(path), "%s/boot/config-%s", fsroot, release);
		b->host.p2pdma = config_p2pdma(path);
	}
	if (b->host.p2pdma < 0) {
		snprintf(path, sizeof(path), "%s/proc/config.gz", fsroot);
		b->host.p2pdma = config_p2pdma(path);
	}
	return rc;
}

/* The first line of a small file, trimmed; false where it cannot be read
 * or is empty. */
static bool read_first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0';
}

/* Whose fabric this is: DMI (ROOT/class/dmi/id, so a --sysfs tree carries
 * its own), the host name (FSROOT/proc/sys/kernel/hostname, "" for this
 * host) and the time it was read. */
static int read_identity(struct acs_builder *b, const char *root, const char *fsroot)
{
	static const struct { int which; const char *file; } dmi[] = {
		{ ACS_HOST_PRODUCT, "product_name" }, { ACS_HOST_BOARD, "board_name" },
		{ ACS_HOST_BIOS_VENDOR, "bios_vendor" }, { ACS_HOST_BIOS_VERSION, "bios_version" },
		{ ACS_HOST_BIOS_DATE, "bios_date" }, { ACS_HOST_SERIAL, "product_serial" },
	};
	char path[4400], value[256];
	time_t now = time(NULL);
	struct tm tm;
	int rc = 0;

	for (size_t k = 0; !rc && k < sizeof(dmi) / sizeof(dmi[0]); k++) {
		snprintf(path, sizeof(path), "%s/class/dmi/id/%s", root, dmi[k].file);
		if (read_first_line(path, value, sizeof(value)))
			rc = acs_builder_set_host_fact(b, dmi[k].which, value);
	}
	if (fsroot) {
		snprintf(path, sizeof(path), "%s/proc/sys/kernel/hostname", fsroot);
		if (!rc && read_first_line(path, value, sizeof(value)))
			rc = acs_builder_set_host_fact(b, ACS_HOST_NAME, value);
	}
	if (!rc && gmtime_r(&now, &tm) && strftime(value, sizeof(value), "%Y-%m-%dT%H:%M:%SZ", &tm))
		rc = acs_builder_set_host_fact(b, ACS_HOST_TIME, value);
	return rc;
}

/* A captured tree DIR carries host facts when it is the "sys" of a root
 * that has them too (DIR/../proc/cpuinfo): a capture of a whole root, or
 * a container's bind mounts of the host's /sys and /proc side by side. */
static int read_tree_host(struct acs_builder *b, const char *root)
{
	char fsroot[4200], path[4300], release[256] = "";
	size_t n = strlen(root);
	FILE *f;
	int rc;

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n < 3 || strncmp(root + n - 3, "sys", 3) != 0 || (n > 3 && root[n - 4] != '/') ||
	    n - 3 >= sizeof(fsroot))
		return read_identity(b, root, NULL);
	memcpy(fsroot, root, n - 3);
	fsroot[n - 3] = '\0';
	if (!fsroot[0])
		snprintf(fsroot, sizeof(fsroot), ".");
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", fsroot);
	if (access(path, R_OK) != 0)
		return read_identity(b, root, NULL);
	if ((rc = read_identity(b, root, fsroot)))
		return rc;
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease", fsroot);
	if ((f = fopen(path, "r"))) {
		if (!fgets(release, sizeof(release), f))
			release[0] = '\0';
		release[strcspn(release, "\n")] = '\0';
		fclose(f);
	}
	return read_host(b, fsroot, release[0] ? release : NULL);
}

/*
 * The functions themselves: DIR/bus/pci/devices read directly, each
 * function's directory opened once and its files read relative to it.
 * What libpci's sysfs method gave, read the way it reads it, at a cost a
 * live host notices: config space once (libpci's reads cannot say how
 * long the file is, so its length was found by bisection: a dozen reads
 * of real config space a function without root, two with), the group and
 * driver links read, not resolved component by component (realpath()),
 * and no access() before an open.
 */

/* Up to size bytes of the file name below dir; -1 where it cannot be
 * opened (errno kept). A short read is the file's end, as it is for a
 * regular file and a sysfs attribute (whose show() fills one page at
 * once; config space comes in one read up to what the reader may see,
 * 64 bytes without root): one read a file, not two. */
static ssize_t read_at(int dir, const char *name, void *buf, size_t size)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < size) {
		size_t want = size - got;
		ssize_t n = read(fd, (char *)buf + got, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if ((size_t)n < want)
			break;  /* the end */
	}
	close(fd);
	return (ssize_t)got;
}

/* The first line of a small file below dir as fgets(buf, size) reads it
 * (newline kept); false where it cannot be opened or is empty. */
static bool first_line_at(int dir, const char *name, char *buf, size_t size)
{
	ssize_t n = read_at(dir, name, buf, size - 1);
	char *nl;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')))
		nl[1] = '\0';
	return true;
}

/* The last component a link below dir names, where the link leads
 * somewhere (a dangling link is no link, as realpath() had it): the
 * group's number, the driver's name. */
static bool link_name_at(int dir, const char *name, char *buf, size_t size)
{
	char target[4096], *end, *last;
	ssize_t n = readlinkat(dir, name, target, sizeof(target) - 1);

	if (n <= 0)
		return false;
	target[n] = '\0';
	for (end = target + n; end > target + 1 && end[-1] == '/'; end--)
		end[-1] = '\0';
	last = strrchr(target, '/');
	last = last ? last + 1 : target;
	if (!*last || strlen(last) >= size || faccessat(dir, name, F_OK, 0) != 0)
		return false;
	memcpy(buf, last, strlen(last) + 1);
	return true;
}

/* current_link_speed ("8.0 GT/s PCIe") and current_link_width: what a
 * reader without root (64 bytes of config space) still gets. */
static void read_link_at(int dir, struct acs_raw_func *raw)
{
	char speed[64], width[64];
	unsigned s, w;

	if (!first_line_at(dir, "current_link_speed", speed, sizeof(speed)))
		return;
	s = acs_link_speed_code(speed);
	if (!first_line_at(dir, "current_link_width", width, sizeof(width)))
		return;
	w = (unsigned)strtoul(width, NULL, 10);
	if (s && w && w <= 32) {
		raw->link_speed = (uint8_t)s;
		raw->link_width = (uint8_t)w;
	}
}

/* A resource line's start and end: the first two of three hex numbers,
 * as sscanf("%llx %llx %llx") takes them (blanks before each, 0x or not)
 * at a fraction of its cost. */
static bool hex3(const char *line, unsigned long long *start, unsigned long long *end)
{
	unsigned long long v[3];
	const char *p = line;

	for (int k = 0; k < 3; k++) {
		char *after;

		v[k] = strtoull(p, &after, 16);
		if (after == p)
			return false;
		p = after;
	}
	*start = v[0];
	*end = v[1];
	return true;
}

/* The six BARs' sizes from the resource file ("start end flags" a line,
 * the kernel's view); a line that is not three hex numbers is bad input.
 * No file: sizes unknown. */
static int read_bars_at(int dir, const char *path, struct acs_raw_func *raw, const char *origin)
{
	char text[4096], *line = text;
	ssize_t n = read_at(dir, "resource", text, sizeof(text) - 1);

	if (n < 0)
		return 0;
	text[n] = '\0';
	for (int i = 0; i < 18 && *line; i++) {
		unsigned long long start, end;
		char *next = strchr(line, '\n');

		if (next)
			*next = '\0';
		if (!hex3(line, &start, &end))
			return acs_error_set(ACS_EPARSE, "%s: Syntax error in %s/resource", origin, path);
		if (i < 6)
			raw->bar_size[i] = end > start ? end - start + 1 : 0;
		if (!next)
			break;
		line = next + 1;
	}
	return 0;
}

/* reset_method's words as the kernel lists them, "" where the file is
 * there and empty (5.15 on: no reset method), "reset" where only the
 * older `reset` file is (a reset, unnamed); NULL neither file (kept only
 * where the tree is known to carry them, read_functions()). */
static int read_reset_at(int dir, struct acs_raw_func *raw, bool *carried)
{
	char buf[256];
	const char *value = NULL;
	ssize_t n = read_at(dir, "reset_method", buf, sizeof(buf) - 1);

	if (n >= 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		value = buf;
	} else if (errno != ENOENT) {
		value = "";  /* there, unreadable: as an empty one */
	} else if (faccessat(dir, "reset", F_OK, 0) == 0) {
		value = "reset";
	}
	*carried |= value != NULL;
	if (!(raw->reset = acs_strdup(value ? value : "")))
		return acs_error_nomem();
	return 0;
}

/* What sysfs knows of one function beyond its config space. */
static int read_extras_at(int dir, const char *path, struct acs_raw_func *raw, const char *origin,
			  bool *carried)
{
	char value[1024];
	ssize_t n;
	int rc;

	raw->has_driver = true;
	if (dir < 0)
		return 0;
	/* an empty file reads as node 0, as libpci's strtol() had it */
	if ((n = read_at(dir, "numa_node", value, sizeof(value) - 1)) >= 0) {
		value[n] = '\0';
		raw->numa_node = (int32_t)strtol(value, NULL, 0);
	}
	if (link_name_at(dir, "iommu_group", value, sizeof(value)))
		raw->kernel_group = atoi(value);
	if (link_name_at(dir, "driver", value, sizeof(value)) && !(raw->driver = acs_strdup(value)))
		return acs_error_nomem();
	read_link_at(dir, raw);
	if ((rc = read_bars_at(dir, path, raw, origin)))
		return rc;
	return read_reset_at(dir, raw, carried);
}

static int add_function(struct acs_builder *b, const char *devices, const char *name, bool *carried)
{
	uint8_t cfg[ACS_CFG_EXT];
	char path[4400];
	unsigned dom, bus, dev, fn;
	ssize_t len = -1;
	int dir, rc;

	if (sscanf(name, "%x:%x:%x.%u", &dom, &bus, &dev, &fn) < 4)
		return acs_error_set(ACS_EPARSE, "%s: sysfs_scan: Couldn't parse entry name %s", b->origin, name);
	if (dom > 0x7fffffff)
		return acs_error_set(ACS_EPARSE, "%s: sysfs_scan: Invalid domain %x", b->origin, dom);
	snprintf(path, sizeof(path), "%s/%s", devices, name);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0)
		len = read_at(dir, "config", cfg, sizeof(cfg));
	rc = acs_builder_add(b, dom, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn, cfg, len > 0 ? (size_t)len : 0);
	if (!rc)
		rc = read_extras_at(dir, path, acs_builder_last(b), b->origin, carried);
	if (dir >= 0)
		close(dir);
	return rc;
}

/* The names in DIR/bus/pci/devices, in the order libpci listed them (the
 * directory's, last first), so everything after reads alike. */
static int list_functions(const char *devices, const char *origin, char ***names, size_t *count)
{
	struct dirent *e;
	size_t n = 0, cap = 0;
	char **list = NULL;
	DIR *d = opendir(devices);

	if (!d)
		return acs_error_set(ACS_EPARSE, "%s: Cannot open %s", origin, devices);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **more = realloc(list, (cap = cap ? cap * 2 : 256) * sizeof(*list));

			if (!more)
				break;
			list = more;
		}
		if (!(list[n] = acs_strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (e) {
		while (n)
			free(list[--n]);
		free(list);
		return acs_error_nomem();
	}
	*names = list;
	*count = n;
	return 0;
}

/* Every function, its extras, its reset methods: a captured tree where
 * no function has a reset file did not carry them (unknown, not "none"). */
static int read_functions(struct acs_builder *b, const char *root, bool live)
{
	char devices[4200], **names = NULL;
	size_t n = 0, first = b->n;
	bool carried = live;
	int rc;

	snprintf(devices, sizeof(devices), "%s/bus/pci/devices", root);
	if ((rc = list_functions(devices, b->origin, &names, &n)))
		return rc;
	for (size_t k = n; !rc && k > 0; k--)
		rc = add_function(b, devices, names[k - 1], &carried);
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	free(names);
	for (size_t i = first; !rc && !carried && i < b->n; i++) {
		free(b->raw[i].reset);
		b->raw[i].reset = NULL;
	}
	return rc;
}

/*
 * Domains the Intel VMD driver created: their host bridge's directory
 * (pciDDDDD:BB) lies below the VMD endpoint's own, so a function's
 * devices link reads .../0000:00:0e.0/pci10000:e0/10000:e0:06.0.
 */
static int read_vmd(struct acs_builder *b, const char *root)
{
	uint32_t seen[64];
	size_t nseen = 0;

	for (size_t i = 0; i < b->n && nseen < sizeof(seen) / sizeof(seen[0]); i++) {
		const struct acs_raw_func *r = &b->raw[i];
		char path[4300], link[4096], host[32], *h, *prev;
		unsigned d, bus, dev, fn;
		char tail;
		ssize_t len;
		bool known = false;

		if (r->domain < 0x10000)
			continue;
		for (size_t k = 0; k < nseen; k++)
			known |= seen[k] == r->domain;
		if (known)
			continue;
		seen[nseen++] = r->domain;
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%04x:%02x:%02x.%x", root,
			 r->domain, r->bus, r->dev, r->fn);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		snprintf(host, sizeof(host), "/pci%04x:", r->domain);
		if (!(h = strstr(link, host)))
			continue;
		*h = '\0';
		prev = strrchr(link, '/');
		prev = prev ? prev + 1 : link;
		if (sscanf(prev, "%x:%x:%x.%x%c", &d, &bus, &dev, &fn, &tail) != 4 ||
		    bus > 0xff || dev > 0x1f || fn > 7 || d == r->domain)
			continue;
		/* only an endpoint the source read: a filtered capture keeps loading */
		for (size_t k = 0; k < b->n; k++)
			if (b->raw[k].domain == d && b->raw[k].bus == bus && b->raw[k].dev == dev &&
			    b->raw[k].fn == fn) {
				int rc = acs_builder_add_vmd(b, r->domain, d, (uint8_t)bus, (uint8_t)dev,
							     (uint8_t)fn);

				if (rc)
					return rc;
				break;
			}
	}
	return 0;
}

/* The groups' default domain types (iommu_group_show_type()), each
 * group's file read once: the members share it (groups numbered past
 * GROUP_CACHE, which no kernel reaches, are read per member). */
#define GROUP_CACHE 65536
static int read_group_types(struct acs_builder *b, const char *root)
{
	char path[4300], value[64];
	int top = -1, rc = 0;
	char **type = NULL;
	bool *read = NULL;

	for (size_t i = 0; i < b->n; i++)
		if (b->raw[i].kernel_group > top && b->raw[i].kernel_group < GROUP_CACHE)
			top = b->raw[i].kernel_group;
	if (top >= 0 && (!(type = calloc((size_t)top + 1, sizeof(*type))) ||
			 !(read = calloc((size_t)top + 1, sizeof(*read)))))
		rc = acs_error_nomem();
	for (size_t i = 0; !rc && i < b->n; i++) {
		struct acs_raw_func *r = &b->raw[i];
		int g = r->kernel_group;

		if (g < 0)
			continue;
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/type", root, g);
		if (g > top) {
			if (read_first_line(path, value, sizeof(value)) && !(r->iommu_type = acs_strdup(value)))
				rc = acs_error_nomem();
			continue;
		}
		if (!read[g]) {
			read[g] = true;
			if (read_first_line(path, value, sizeof(value)) && !(type[g] = acs_strdup(value)))
				rc = acs_error_nomem();
		}
		if (!rc && type[g] && !(r->iommu_type = acs_strdup(type[g])))
			rc = acs_error_nomem();
	}
	for (int g = 0; type && g <= top; g++)
		free(type[g]);
	free(type);
	free(read);
	return rc;
}

/* Interrupt remapping from /proc/interrupts: remapped chips are named
 * "IR-..." (IR-PCI-MSI, IR-IO-APIC, 6.2's IR-PCI-MSIX-DDDD:BB:DD.F), on
 * Intel and AMD alike. 1 on, 0 chips without it, -1 no file or no chips. */
static int irq_remap_from_interrupts(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int state = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && state != 1) {
		if (strstr(line, " IR-"))
			state = 1;
		else if (strstr(line, "PCI-MSI") || strstr(line, "IO-APIC"))
			state = 0;
	}
	fclose(f);
	return state;
}

/* Intel VT-d: every DMAR unit's Extended Capability register has IR (bit
 * 3) where it can remap interrupts, and the kernel turns remapping on
 * only where all of them can (intel_irq_remapping_supported()). 1 all
 * can, 0 one cannot (*unit names it), -1 no Intel unit. AMD-Vi's sysfs
 * (amd-iommu/cap, amd-iommu/features: the EFR) says nothing of whether
 * remapping is on, so there only /proc/interrupts tells. */
static int irq_remap_from_ecap(const char *root, char *unit, size_t size)
{
	char path[4400], value[64];
	struct dirent *e;
	DIR *d;
	int state = -1;

	snprintf(path, sizeof(path), "%s/class/iommu", root);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d))) {
		unsigned long long ecap;
		char *end;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/class/iommu/%s/intel-iommu/ecap", root, e->d_name);
		if (!read_first_line(path, value, sizeof(value)))
			continue;
		ecap = strtoull(value, &end, 16);
		if (end == value)
			continue;
		if (!(ecap & 0x8)) {
			snprintf(unit, size, "%s", e->d_name);
			state = 0;
		} else if (state < 0) {
			state = 1;
		}
	}
	closedir(d);
	return state;
}

/* Whether a command line turns remapping off (intremap=off). */
static bool cmdline_intremap_off(const char *cmdline)
{
	const char *p = cmdline;

	while (p && (p = strstr(p, "intremap=off"))) {
		if (p == cmdline || p[-1] == ' ')
			return true;
		p++;
	}
	return false;
}

/* proc: the root's /proc ("/proc" live; DIR/../proc beside a tree named
 * ".../sys"), NULL where there is none. */
static int read_irq_remap(struct acs_builder *b, const char *root, const char *proc)
{
	char path[4300], unit[256] = "";
	int ecap, st = -1;

	if (proc) {
		snprintf(path, sizeof(path), "%s/interrupts", proc);
		st = irq_remap_from_interrupts(path);
	}
	if (st >= 0)
		return acs_builder_set_irq_remap(b, st, st ? "/proc/interrupts: IR- interrupt chips"
						     : "/proc/interrupts: no IR- interrupt chip");
	ecap = irq_remap_from_ecap(root, unit, sizeof(unit));
	if (ecap == 0) {
		snprintf(path, sizeof(path), "ecap of %s: no IR bit", unit);
		return acs_builder_set_irq_remap(b, 0, path);
	}
	if (ecap == 1 && b->cmdline && cmdline_intremap_off(b->cmdline))
		return acs_builder_set_irq_remap(b, 0, "intremap=off on the command line");
	if (ecap == 1)
		return acs_builder_set_irq_remap(b, 1, "ecap IR bit of every DMAR unit");
	return 0;  /* AMD-Vi, or no IOMMU in sysfs: unknown */
}

/* The /proc beside a tree DIR named ".../sys", else NULL. */
static const char *tree_proc(const char *root, char *buf, size_t size)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n < 3 || strncmp(root + n - 3, "sys", 3) != 0 || (n > 3 && root[n - 4] != '/'))
		return NULL;
	snprintf(buf, size, "%.*sproc", (int)(n - 3), root);
	return buf;
}

static int sysfs_load(struct acs_builder *b, const char *root, struct acs_input *in)
{
	char pcipath[4200];
	struct utsname u;
	DIR *d;
	int rc;

	if (!root)
		root = "/sys";
	snprintf(pcipath, sizeof(pcipath), "%s/bus/pci", root);
	d = opendir(pcipath);
	if (!d)
		return acs_error_set(errno == ENOENT ? ACS_ENOTFOUND : ACS_EPERM,
				     "%s: %s", pcipath, strerror(errno));
	closedir(d);
	rc = read_functions(b, root, strcmp(root, "/sys") == 0);
	if (!rc)
		rc = read_vmd(b, root);
	if (rc)
		return rc;
	b->kgroups = iommu_state(root);
	rc = read_group_types(b, root);
	if (rc)
		return rc;
	/* Release and command line are known only for the running kernel. */
	if (strcmp(root, "/sys") != 0) {
		char proc[4300];

		rc = read_irq_remap(b, root, tree_proc(root, proc, sizeof(proc)));
		return rc ? rc : read_tree_host(b, root);
	}
	rc = read_cmdline(b);
	if (rc == 0)
		rc = read_irq_remap(b, root, "/proc");
	if (rc == 0 && uname(&u) == 0)
		rc = acs_builder_set_release(b, u.release);
	if (rc == 0)
		rc = read_host(b, "", b->kernel_release);
	if (rc == 0)
		rc = read_identity(b, root, "");
	return rc;
}

const struct acs_source_ops acs_source_sysfs = {
	.kind = ACS_SOURCE_SYSFS,
	.name = "sysfs",
	.load = sysfs_load,
};
