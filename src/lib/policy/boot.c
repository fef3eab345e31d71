/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot parameters that change ACS, as pci_enable_acs() applies them
 * (drivers/pci/pci.c), per kernel version:
 * - every version: the kernel enables SV, RR, CR, UF where the capability
 *   has them (pci_std_enable_acs), TB too with pci=noats;
 * - before 6.11: pci=disable_acs_redir= then clears RR, CR and EC of the
 *   ACS control the kernel just wrote;
 * - 6.11 and later (__pci_config_acs): disable_acs_redir= and config_acs=
 *   compute the control from the FIRMWARE's value: bits a parameter does
 *   not set come from firmware, not from the kernel's enabling. So
 *   disable_acs_redir also drops SV and UF where firmware left them off
 *   (measured in the VM: 0x001d becomes 0x0000 on 6.12, 0x0011 on 6.1).
 * pci= options are split at ',' by pci_setup(), so device lists can only
 * use ';'. A later pci=...= replaces an earlier one.
 *
 * Intel Sunrise Point / Union Point root ports (acs_quirk_intel_spt()) keep
 * their ACS control in the dword at capability + 8, and the kernel writes
 * it through quirks, in every modelled version (drivers/pci/quirks.c,
 * pci_dev_acs_ops[]):
 * - pci_quirk_enable_intel_spt_pch_acs() replaces pci_std_enable_acs():
 *   SV, RR, CR, UF where the capability dword has them, never TB (not even
 *   with pci=noats), ORed into the dword as it was;
 * - pci_quirk_disable_intel_spt_pch_acs_redir() replaces the standard
 *   redirect clearing: RR, CR and EC cleared in that dword, after the
 *   enabling. Before 6.11 pci_disable_acs_redir() calls it for a port
 *   disable_acs_redir= names; from 6.11 (47c8846a49ba "PCI: Extend ACS
 *   configurability") __pci_config_acs() calls it for a port either
 *   disable_acs_redir= or config_acs= names, and returns: config_acs='s
 *   flags are never applied there, and what the enabling set (SV, UF)
 *   stays, the firmware's value plays no part.
 * The standard control word (capability + 6, the capability's upper half
 * on these ports) is left as it was: before 6.11 nothing writes it; from
 * 6.11 pci_enable_acs() writes back the value it read.
 *
 * The kernel is lenient: it boots with any value, says what it cannot
 * read (or nothing), and keeps what it read before that. So a malformed
 * value is never an error here: it becomes a warning that names the part
 * the kernel ignores, and the simulation does what the kernel does with
 * the rest (pinned by tests/fixtures/vm-boot, whose dmesg.txt holds the
 * kernel's own words).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy-internal.h"

#define REDIR (ACS_RR | ACS_CR | ACS_EC)
#define OVERRIDE_SLOTS 16         /* NUM_ACS_IDS of the patch; it fills 15 */

struct warning {
	char *param, *ignored, *message;
};

struct acs_boot {
	acs_fabric *fabric;
	acs_policy *owned;         /* with override */
	const acs_policy *policy;
	const acs_policy *base;    /* as given */
	struct acs_lines notes;
	struct warning *warnings;
	size_t nwarnings;
};

struct params {
	char *disable;             /* disable_acs_redir= value */
	char *config;              /* config_acs= value */
	bool noats;
	struct acs_override o;
};

#define note(b, ...) acs_lines_add(&(b)->notes, __VA_ARGS__)

/* One warning per distinct message: the kernel walks every device through
 * the same value, and its messages are per boot (_once) or per device. */
static int warn(acs_boot *b, const char *param, const char *ignored, size_t len,
		const char *fmt, ...) ACS_PRINTF(5, 6);

static int warn(acs_boot *b, const char *param, const char *ignored, size_t len,
		const char *fmt, ...)
{
	char text[768], line[1024];
	struct warning *w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s", param, text);
	for (size_t i = 0; i < b->nwarnings; i++)
		if (strcmp(b->warnings[i].message, line) == 0)
			return 0;
	w = realloc(b->warnings, (b->nwarnings + 1) * sizeof(*w));
	if (!w)
		return acs_error_nomem();
	b->warnings = w;
	w += b->nwarnings;
	w->param = acs_strdup(param);
	w->ignored = strndup(ignored, len);
	w->message = acs_strdup(line);
	if (!w->param || !w->ignored || !w->message) {
		free(w->param);
		free(w->ignored);
		free(w->message);
		return acs_error_nomem();
	}
	b->nwarnings++;
	return 0;
}

static bool looks_like_device(const char *s)
{
	unsigned a, c, d;

	return strncmp(s, "pci:", 4) == 0 || sscanf(s, "%x:%x.%x", &a, &c, &d) == 3 ||
	       sscanf(s, "%*x:%x:%x.%x", &a, &c, &d) == 3;
}

static int set_param(acs_boot *b, char **slot, const char *name, const char *value)
{
	if (*slot) {
		int rc = warn(b, name, *slot, strlen(*slot),
			      "given twice: the kernel keeps the last one and ignores '%s'", *slot);

		if (rc)
			return rc;
	}
	free(*slot);
	*slot = acs_strdup(value);
	return *slot ? 0 : acs_error_nomem();
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* pci_setup(): options it does not know are printed and skipped. */
static int unknown_option(acs_boot *b, const char *opt, const char *why)
{
	return warn(b, "pci", opt, strlen(opt),
		    "the kernel does not know the option '%s'%s and ignores it (\"PCI: Unknown option `%s'\")",
		    opt, why, opt);
}

static int pci_option(acs_boot *b, struct params *p, const char *opt)
{
	if (starts(opt, "disable_acs_redir="))
		return set_param(b, &p->disable, "pci=disable_acs_redir", opt + 18);
	if (starts(opt, "config_acs=")) {
		if (!acs_policy_has_config_acs(b->policy))
			return unknown_option(b, opt, " (config_acs= first appeared in Linux 6.11)");
		return set_param(b, &p->config, "pci=config_acs", opt + 11);
	}
	/* strncmp(str, "noats", 5): anything that starts so (seen in the VM:
	 * pci=noats=1 disables ATS) */
	if (starts(opt, "noats")) {
		p->noats = true;
		if (strcmp(opt, "noats") == 0)
			return 0;
		return warn(b, "pci", opt, strlen(opt),
			    "'%s' is read as noats: the kernel compares only the first 5 characters "
			    "(\"PCIe: ATS is disabled\")", opt);
	}
	/* near misses of the options modelled here: the user meant one */
	if (starts(opt, "disable_acs_redir") || starts(opt, "config_acs"))
		return unknown_option(b, opt, "");
	if (looks_like_device(opt))
		return warn(b, "pci", opt, strlen(opt),
			    "'%s' follows a ',' and the kernel reads it as another pci= option, not a device "
			    "(\"PCI: Unknown option\"): separate devices with ';'", opt);
	return 0;
}

/* kstrtol(s, 16, &v): an optional sign, an optional 0x, hex digits, an
 * optional newline, and nothing else. */
static bool kstrtol16(const char *s, long *out)
{
	bool neg = *s == '-';
	unsigned long v = 0;
	const char *d;

	s += neg;
	if (!neg && *s == '+')
		s++;
	if (s[0] == '0' && tolower((unsigned char)s[1]) == 'x')
		s += 2;
	for (d = s; isxdigit((unsigned char)*d); d++)
		v = v * 16 + (unsigned long)(isdigit((unsigned char)*d) ? *d - '0' : tolower((unsigned char)*d) - 'a' + 10);
	if (d == s || (*d == '\n' ? d[1] : *d))
		return false;
	*out = neg ? -(long)v : (long)v;
	return true;
}

#define OVR "pcie_acs_override"

/* An id: word as the patch reads it: 4 characters per number (snprintf
 * into char[5]), and the device after the next ':', wherever it is. */
static int override_id(acs_boot *b, struct acs_override *o, const char **sp)
{
	const char *s = *sp, *word = s;
	char opt[5], canon[16];
	long v, d;
	size_t len = strcspn(word, ",");

	if (o->nids >= OVERRIDE_SLOTS - 1)
		return warn(b, OVR, word, len, "'%.*s': the patch has room for %d ids and ignores this one "
			    "(\"Out of PCIe ACS override slots (%d)\")", (int)len, word, OVERRIDE_SLOTS - 1, OVERRIDE_SLOTS);
	s += 3;
	snprintf(opt, sizeof(opt), "%s", s);
	if (!kstrtol16(opt, &v))
		goto bad_number;
	s += strcspn(s, ":");
	if (*s != ':') {
		/* the search for ':' ran to the end, past any ',' */
		*sp = s;
		return warn(b, OVR, word, (size_t)(s - word), "'%.*s' has no ':' and device ID after the vendor: "
			    "the patch ignores it and all that follows (\"PCIe ACS invalid ID\")",
			    (int)(s - word), word);
	}
	s++;
	snprintf(opt, sizeof(opt), "%s", s);
	if (!kstrtol16(opt, &d))
		goto bad_number;
	*sp = s;
	o->ids[o->nids].vendor = (uint16_t)v;
	o->ids[o->nids++].device = (uint16_t)d;
	snprintf(canon, sizeof(canon), "id:%04x:%04x", (unsigned)(uint16_t)v, (unsigned)(uint16_t)d);
	if (strlen(canon) != len || strncasecmp(canon, word, len) != 0)
		return warn(b, OVR, word, (size_t)(s - word) + strcspn(s, ","),
			    "'%.*s' is read as %s (4 characters per number, the device after the next ':')",
			    (int)((size_t)(s - word) + strcspn(s, ",")), word, canon);
	return 0;
bad_number:
	*sp = s;
	return warn(b, OVR, word, len, "'%.*s': '%s' is not a 4-digit hex number: the patch ignores the id "
		    "(\"PCIe ACS ID parse error -22\")", (int)len, word, opt);
}

/* pcie_acs_override_setup() of the out-of-tree patch, step by step: words
 * match by prefix, words it does not know are skipped without a message,
 * and every occurrence of the parameter adds to the earlier ones. */
static int override_option(acs_boot *b, struct params *p, const char *value)
{
	struct acs_override *o = &p->o;
	const char *s = value;
	int rc = 0;

	while (!rc && *s) {
		size_t len = strcspn(s, ",");

		if (starts(s, "downstream"))
			o->downstream = true;
		if (starts(s, "multifunction"))
			o->multifunction = true;
		if (starts(s, "id:"))
			rc = override_id(b, o, &s);
		else if ((starts(s, "downstream") && len != 10) || (starts(s, "multifunction") && len != 13))
			rc = warn(b, OVR, s, len, "'%.*s' is read as %s (the patch compares only the word's start)",
				  (int)len, s, starts(s, "downstream") ? "downstream" : "multifunction");
		else if (!starts(s, "downstream") && !starts(s, "multifunction"))
			rc = warn(b, OVR, s, len, "'%.*s' is none of downstream, multifunction, id:vvvv:dddd: "
				  "the patch ignores it without a message", (int)len, s);
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	return rc;
}

static bool overridden(const struct params *p)
{
	return p->o.downstream || p->o.multifunction || p->o.nids;
}

/* Words as the kernel's next_arg() splits them: spaces, "quoted" values. */
static int parse_cmdline(acs_boot *b, struct params *p, const char *cmdline)
{
	char *copy = acs_strdup(cmdline ? cmdline : ""), *s = copy;
	int rc = 0;

	if (!copy)
		return acs_error_nomem();
	while (!rc && *s) {
		char *w, *save = NULL;
		bool quoted = false;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		w = s;
		for (; *s && (quoted || !isspace((unsigned char)*s)); s++)
			if (*s == '"')
				quoted = !quoted;
		if (*s)
			*s++ = '\0';
		for (char *q = w, *o = w;; q++) {   /* drop the quotes */
			if (*q != '"')
				*o++ = *q;
			if (!*q)
				break;
		}
		if (strncmp(w, "pci=", 4) == 0) {
			for (char *opt = strtok_r(w + 4, ",", &save); !rc && opt;
			     opt = strtok_r(NULL, ",", &save))
				rc = pci_option(b, p, opt);
		} else if (strncmp(w, OVR "=", strlen(OVR "=")) == 0) {
			rc = override_option(b, p, w + strlen(OVR "="));
		} else if (strcmp(w, "pcie_acs_override") == 0) {
			/* an early_param without '=' gets NULL: -EINVAL */
			rc = warn(b, "pcie_acs_override", w, strlen(w), "has no '=': the patch ignores it "
				  "(\"Malformed early option 'pcie_acs_override'\")");
		}
	}
	free(copy);
	return rc;
}

/* One function against one parameter's value. */
struct walk {
	acs_boot *b;
	const acs_fabric *f;
	const struct acs_func *fn;
	const char *param;         /* "pci=config_acs=" */
	const char *value;
	bool flags;                /* config_acs: FLAGS@ before each device */
	bool quiet;                /* the kernel does not walk this function */
};

struct match {
	bool hit;
	uint16_t mask, set;
	const char *entry, *end;   /* the entry that named the function */
};

/* What the kernel prints when pci_dev_str_match() fails. */
static void parse_message(const struct walk *w, char *buf, size_t size)
{
	if (!acs_policy_has_config_acs(w->b->policy))
		snprintf(buf, size, "PCI: Can't parse disable_acs_redir parameter: %s", w->value);
	else
		snprintf(buf, size, "PCI: Can't parse ACS command line parameter");
}

/* The walk ends at entry: it and all after it name nothing. */
static int stop(const struct walk *w, const char *entry, const char *why, const char *kmsg)
{
	size_t len = strcspn(entry, ";");
	char what[320], said[640];

	if (w->quiet)
		return 0;
	if (len)
		snprintf(what, sizeof(what), "'%.*s'", (int)len, entry);
	else
		snprintf(what, sizeof(what), "an empty entry (';;')");
	if (kmsg)
		snprintf(said, sizeof(said), "dmesg: \"%s\"", kmsg);
	else
		snprintf(said, sizeof(said), "it prints nothing");
	return warn(w->b, w->param, entry, strlen(entry), "%s%s: the kernel ignores %s%s (%s)",
		    what, why, entry[len] ? "it and all that follows" : "it",
		    entry == w->value ? "" : "; devices named before it are still configured", said);
}

/* FLAGS before '@', right to left from bit 0: '0' clears, '1' sets, 'x'
 * leaves the bit to firmware. mask is a u16 in the kernel: a '1' past
 * bit 15 is lost, and one between bits 7 and 15 is refused. */
static int read_flags(const struct walk *w, const char *p, const char *at, const char *entry,
		      struct match *m, bool *ok)
{
	unsigned shift = 0;
	char why[160];

	*ok = false;
	m->mask = m->set = 0;
	for (const char *c = at; c-- > p; shift++) {
		uint16_t bit = (uint16_t)(1u << (shift & 31));

		if (*c == 'x' || *c == 'X')
			continue;
		if (*c != '0' && *c != '1') {
			snprintf(why, sizeof(why), ": its ACS flags '%.*s' hold '%c' (only 0, 1 and x)",
				 (int)(at - p), p, *c);
			return stop(w, entry, why, "Invalid ACS flags... Ignoring");
		}
		m->mask |= bit;
		m->set |= *c == '1' ? bit : 0;
	}
	if (m->mask & ~ACS_PCI_ACS_FLAGS) {
		snprintf(why, sizeof(why), ": its ACS flags '%.*s' set bits above DirectTrans (bit 6)",
			 (int)(at - p), p);
		return stop(w, entry, why, "Invalid ACS flags specified");
	}
	*ok = true;
	return 0;
}

static unsigned devfn(unsigned slot, unsigned func)
{
	return (slot & 0x1f) << 3 | (func & 7);   /* PCI_DEVFN() */
}

static int devfn_wrap(const struct walk *w, const char *entry, size_t len, unsigned slot, unsigned func)
{
	if ((slot <= 0x1f && func <= 7) || w->quiet)
		return 0;
	return warn(w->b, w->param, entry, len, "'%.*s': device %x.%x is read as %02x.%x "
		    "(PCI_DEVFN keeps 5 bits of the device, 3 of the function)",
		    (int)len, entry, slot, func, slot & 0x1f, func & 7);
}

/* pci_dev_str_match_path(): "[dddd:]bb:dd.f[/dd.f]..." naming the
 * function through the bridges above it, checked from the right; an
 * element that does not name the function ends the check, so a bad
 * element further left is an error only for functions that reach it. */
static int match_path(const struct walk *w, const char *p, const char **end, int *res)
{
	const struct acs_func *fn = w->fn;
	size_t len = strcspn(p, ";");
	char *buf = strndup(p, len), *slash, c;
	unsigned seg = 0, bus, slot, func;
	int rc = 0;

	*end = p + len;
	*res = -1;
	if (!buf)
		return acs_error_nomem();
	while ((slash = strrchr(buf, '/'))) {
		if (sscanf(slash, "/%x.%x%c", &slot, &func, &c) != 2) {
			*res = fn == w->fn ? -1 : -2;
			goto done;
		}
		rc = devfn_wrap(w, p, len, slot, func);
		if (rc || devfn(fn->dev, fn->fn) != devfn(slot, func) || !(fn = acs_fabric_parent(w->f, fn))) {
			*res = 0;
			goto done;
		}
		*slash = '\0';
	}
	if (sscanf(buf, "%x:%x:%x.%x%c", &seg, &bus, &slot, &func, &c) != 4) {
		seg = 0;
		if (sscanf(buf, "%x:%x.%x%c", &bus, &slot, &func, &c) != 3) {
			*res = fn == w->fn ? -1 : -2;
			goto done;
		}
	}
	rc = devfn_wrap(w, p, len, slot, func);
	*res = fn->domain == seg && fn->bus == bus && devfn(fn->dev, fn->fn) == devfn(slot, func);
done:
	free(buf);
	return rc;
}

/* pci_dev_str_match(): *res 1 when p names the function, 0 when not, -1
 * when the kernel cannot parse it, -2 when it cannot parse the left part
 * of a path whose right part it matched (so only for some functions);
 * *end is where it goes on reading. */
static int str_match(const struct walk *w, const char *p, const char **end, int *res)
{
	unsigned short v, d, sv = 0, sd = 0;
	const struct acs_func *fn = w->fn;
	int n = 0;

	if (strncmp(p, "pci:", 4) != 0)
		return match_path(w, p, end, res);
	p += 4;
	*end = p;
	*res = -1;
	if (sscanf(p, "%hx:%hx:%hx:%hx%n", &v, &d, &sv, &sd, &n) != 4) {
		sv = sd = 0;
		if (sscanf(p, "%hx:%hx%n", &v, &d, &n) != 2)
			return 0;
	}
	*end = p + n;
	/* 0 matches anything */
	*res = (!v || v == fn->vendor_id) && (!d || d == fn->device_id) &&
	       (!sv || sv == fn->subsys_vendor) && (!sd || sd == fn->subsys_device);
	return 0;
}

/*
 * __pci_config_acs() (6.11 and later) and pci_disable_acs_redir()
 * (before): the entries, in order, until one names the function. A
 * malformed entry ends the walk for every function that reaches it.
 */
static int walk_from(const struct walk *w, const char *p, struct match *m)
{
	char kmsg[600];
	int rc;

	m->hit = false;
	while (*p) {
		const char *entry = p, *next;
		int res;

		m->mask = REDIR;
		m->set = 0;
		if (w->flags) {
			/* strstr(): the next '@', in this entry or a later one */
			const char *at = strchr(p, '@');
			bool ok;

			if (!at)
				return stop(w, entry, " (no FLAGS@ before the device)", "ACS Flags missing");
			rc = read_flags(w, p, at, entry, m, &ok);
			if (rc || !ok)
				return rc;
			if (at == p && !w->quiet)
				rc = warn(w->b, w->param, entry, strcspn(entry, ";"),
					  "'%.*s' has no flags before '@': the kernel sets what it names to the firmware's ACS control",
					  (int)strcspn(entry, ";"), entry);
			if (rc)
				return rc;
			p = at + 1;
		}
		rc = str_match(w, p, &next, &res);
		if (rc)
			return rc;
		if (res < 0) {
			parse_message(w, kmsg, sizeof(kmsg));
			if (res == -1)
				return stop(w, entry, " (not a device: DDDD:BB:DD.F, BB:DD.F, a /DD.F path, or pci:VVVV:DDDD)", kmsg);
			return w->quiet ? 0 :
			       warn(w->b, w->param, entry, strlen(entry), "'%.*s': the kernel reads a path from the right and "
				    "cannot parse its left part for the functions its right part names: for them it ignores "
				    "this entry and all that follows, the others read on (dmesg: \"%s\")",
				    (int)strcspn(entry, ";"), entry, kmsg);
		}
		if (res == 1) {
			*m = (struct match){ true, m->mask, m->set, entry, next };
			return 0;
		}
		if (*next != ';' && *next != ',')
			return *next ? stop(w, next, " (it follows the IDs in an entry)", NULL) : 0;
		p = next + 1;
	}
	return 0;
}

/* The first entry that names a function wins; a later one for the same
 * function, with other flags, is ignored for it. */
static int walk(const struct walk *w, struct match *m)
{
	struct walk later = *w;
	struct match again;
	char addr[ACS_ADDR_MAX];
	int rc = walk_from(w, w->value, m);

	if (rc || !m->hit || (*m->end != ';' && *m->end != ',') || w->quiet)
		return rc;
	later.quiet = true;
	rc = walk_from(&later, m->end + 1, &again);
	if (rc || !again.hit || (again.mask == m->mask && again.set == m->set))
		return rc;
	return warn(w->b, w->param, again.entry, strcspn(again.entry, ";"),
		    "'%.*s' names %s again: the kernel takes the first entry that names it ('%.*s') and ignores this one for it",
		    (int)strcspn(again.entry, ";"), again.entry, acs_func_addr(w->fn, addr, sizeof(addr)),
		    (int)strcspn(m->entry, ";"), m->entry);
}

static uint16_t firmware_ctrl(const acs_fabric *f, const struct acs_func *fn,
			      const acs_boot_opts *o)
{
	size_t i = acs_fabric_index(f, fn);

	for (size_t k = 0; k < o->nfirmware; k++)
		if (o->firmware[k].index == i)
			return o->firmware[k].ctrl;
	return 0;
}

/* Does each parameter name fn, and with which flags? From 6.11 the kernel
 * walks only functions with an ACS capability (pci_enable_acs() returns
 * before): the others are walked here for the note, without warnings. */
static int named(acs_boot *b, const acs_fabric *f, const struct acs_func *fn,
		 const struct params *p, struct match *dis, struct match *cfg)
{
	bool quiet = acs_policy_has_config_acs(b->policy) && !fn->acs_pos;
	struct walk w = { b, f, fn, "pci=disable_acs_redir", p->disable, false, quiet };
	int rc = 0;

	dis->hit = cfg->hit = false;
	if (p->disable)
		rc = walk(&w, dis);
	w.param = "pci=config_acs";
	w.value = p->config;
	w.flags = true;
	if (!rc && p->config)
		rc = walk(&w, cfg);
	return rc;
}

static int kernel_ctrl(acs_boot *b, const acs_fabric *f, const struct acs_func *fn,
		       const struct params *p, const acs_boot_opts *o, uint16_t *ctrl)
{
	uint16_t fw = firmware_ctrl(f, fn, o);
	struct match dis, cfg;
	char addr[ACS_ADDR_MAX];
	int rc = named(b, f, fn, p, &dis, &cfg);

	/* pci_std_enable_acs(): the IOMMU asked for ACS (pci_request_acs),
	 * with the capability as the kernel holds it (from 7.0 without SV on
	 * IDT switches) */
	uint16_t cap = acs_quirk_acs_cap(b->policy, fn);

	*ctrl = fw | (cap & (ACS_SV | ACS_RR | ACS_CR | ACS_UF));
	if (p->noats)
		*ctrl |= cap & ACS_TB;
	if (rc)
		return rc;
	acs_func_addr(fn, addr, sizeof(addr));
	if ((dis.hit || cfg.hit) && !fn->acs_pos)
		return note(b, "%s: named by a boot parameter but has no ACS capability: nothing changes%s",
			    addr, !acs_policy_has_config_acs(b->policy) ? " (the kernel warns)" : "");
	if (!acs_policy_has_config_acs(b->policy)) {
		if (dis.hit)
			*ctrl &= (uint16_t)~REDIR;
		return 0;
	}
	if (dis.hit)
		*ctrl = fw & (uint16_t)~REDIR;
	if (cfg.hit)
		*ctrl = (uint16_t)((fw & ~cfg.mask) | (cfg.set & cfg.mask));
	if (dis.hit || (cfg.hit && (cfg.mask & ACS_PCI_ACS_FLAGS) != ACS_PCI_ACS_FLAGS))
		rc = note(b, "%s: ACS control 0x%04x: bits the parameter leaves open take the firmware's value, assumed 0x%04x%s",
			  addr, *ctrl, fw, o->nfirmware ? "" : " (give --firmware-acs DEV=0x.. if firmware sets ACS)");
	return rc;
}

/* The Intel SPT control dword: capability + 8 (INTEL_SPT_ACS_CTRL). */
static unsigned spt_ctrl_off(const struct acs_func *fn)
{
	return fn->acs_pos + ACS_PCI_ACS_CAP + 4;
}

static bool spt_port(const struct acs_func *fn)
{
	return fn->acs_pos && acs_quirk_intel_spt(fn);
}

/* What the SPT quirks leave in the control dword's low half. */
static int spt_ctrl(acs_boot *b, const acs_fabric *f, const struct acs_func *fn,
		    const struct params *p, const acs_boot_opts *o, uint16_t *ctrl)
{
	uint16_t cap = (uint16_t)acs_func_cfg32(fn, fn->acs_pos + ACS_PCI_ACS_CAP);
	struct match dis, cfg;
	char addr[ACS_ADDR_MAX];
	int rc = named(b, f, fn, p, &dis, &cfg);

	*ctrl = (uint16_t)(firmware_ctrl(f, fn, o) | (cap & (ACS_SV | ACS_RR | ACS_CR | ACS_UF)));
	if (rc || (!dis.hit && !cfg.hit))
		return rc;
	*ctrl &= (uint16_t)~REDIR;
	acs_func_addr(fn, addr, sizeof(addr));
	rc = note(b, "%s: Intel SPT root port: its ACS control is the dword at capability+8; "
		  "pci_quirk_disable_intel_spt_pch_acs_redir() clears ReqRedir, CmpltRedir, EgressCtrl "
		  "there after the enabling: 0x%04x", addr, (unsigned)(*ctrl & cap & ACS_PCI_ACS_FLAGS));
	if (!rc && cfg.hit)
		rc = note(b, "%s: pci=config_acs names an Intel SPT root port: the kernel runs the SPT "
			  "redirect quirk in its place and ignores the flags given", addr);
	return rc;
}

/* What the port holds afterwards: enable bits of features the capability
 * lacks are hardwired to 0 (PCIe ACS control register), so a write of
 * 1111111 to a port without EgressCtrl reads back 0x5f (seen in the VM). */
static int boot_ctrl(acs_boot *b, const acs_fabric *f, const struct acs_func *fn,
		     const struct params *p, const acs_boot_opts *o, uint16_t *ctrl)
{
	int rc = kernel_ctrl(b, f, fn, p, o, ctrl);

	*ctrl &= fn->acs_cap & ACS_PCI_ACS_FLAGS;
	return rc;
}

static int with_override(acs_boot *b, const struct params *p)
{
	b->owned = acs_policy__with_override(b->policy, &p->o);
	if (!b->owned)
		return acs_error_nomem();
	b->policy = b->owned;
	return note(b, "pcie_acs_override is an out-of-tree patch: the groups it gives are not real isolation");
}

static int simulate(acs_boot *b, const acs_fabric *f, const acs_boot_opts *o)
{
	struct params p = { 0 };
	struct acs_ctrl_change *ch = NULL;
	struct acs_cfg16_write *spt = NULL;
	size_t n = 0, nspt = 0;
	int rc = parse_cmdline(b, &p, o->cmdline);

	if (!rc) {
		ch = malloc((acs_fabric_count(f) + 1) * sizeof(*ch));
		spt = malloc((acs_fabric_count(f) + 1) * sizeof(*spt));
	}
	if (!rc && (!ch || !spt))
		rc = acs_error_nomem();
	for (size_t i = 0; !rc && i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		uint16_t ctrl;

		if (!acs_func_acs_known(fn))
			continue;
		if (spt_port(fn)) {
			char addr[ACS_ADDR_MAX];
			uint16_t cap = (uint16_t)acs_func_cfg32(fn, fn->acs_pos + ACS_PCI_ACS_CAP);

			/* the quirk's dword is beyond what the source read
			 * (lspci text, a short dump): left as it is */
			if (fn->cfg_len < spt_ctrl_off(fn) + 4) {
				rc = note(b, "%s: Intel SPT root port whose ACS control (capability+8) "
					  "the source lacks: the boot's writes there are not simulated",
					  acs_func_addr(fn, addr, sizeof(addr)));
				continue;
			}
			rc = spt_ctrl(b, f, fn, &p, o, &ctrl);
			if (!rc)
				spt[nspt++] = (struct acs_cfg16_write){ i, spt_ctrl_off(fn),
					(uint16_t)((acs_func_cfg16(fn, spt_ctrl_off(fn)) & ~ACS_PCI_ACS_FLAGS) |
						   (ctrl & cap & ACS_PCI_ACS_FLAGS)) };
			continue;
		}
		rc = boot_ctrl(b, f, fn, &p, o, &ctrl);
		if (!rc && fn->acs_pos)
			ch[n++] = (struct acs_ctrl_change){ i, ctrl };
	}
	if (!rc)
		rc = acs_fabric_with_acs_ctrl(&b->fabric, f, ch, n);
	if (!rc && nspt) {
		acs_fabric *with_spt;

		rc = acs_fabric__with_cfg16(&with_spt, b->fabric, spt, nspt);
		if (!rc) {
			acs_fabric_free(b->fabric);
			b->fabric = with_spt;
		}
	}
	if (!rc && overridden(&p))
		rc = with_override(b, &p);
	free(ch);
	free(spt);
	free(p.disable);
	free(p.config);
	return rc;
}

int acs_boot_simulate(acs_boot **out, const acs_fabric *f, const acs_policy *policy,
		      const acs_boot_opts *o)
{
	acs_boot *b;
	int rc;

	*out = NULL;
	if (!o || o->version != ACS_BOOT_OPTS_VERSION)
		return acs_error_set(ACS_EINVAL, "acs_boot_opts: unsupported version");
	b = calloc(1, sizeof(*b));
	if (!b)
		return acs_error_nomem();
	b->policy = b->base = policy;
	rc = simulate(b, f, o);
	if (rc) {
		acs_boot_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

const acs_fabric *acs_boot_fabric(const acs_boot *b)
{
	return b->fabric;
}

const acs_policy *acs_boot_policy(const acs_boot *b)
{
	return b->policy;
}

const acs_policy *acs_boot_base_policy(const acs_boot *b)
{
	return b->base;
}

bool acs_boot_overridden(const acs_boot *b)
{
	return b->owned != NULL;
}

size_t acs_boot_notes(const acs_boot *b, const char *const **notes)
{
	*notes = (const char *const *)b->notes.v;
	return b->notes.n;
}

size_t acs_boot_warning_count(const acs_boot *b)
{
	return b->nwarnings;
}

int acs_boot_warning_at(const acs_boot *b, size_t i, acs_boot_warning *out)
{
	if (i >= b->nwarnings)
		return acs_error_set(ACS_EINVAL, "boot warning %zu of %zu", i, b->nwarnings);
	out->param = b->warnings[i].param;
	out->ignored = b->warnings[i].ignored;
	out->message = b->warnings[i].message;
	return 0;
}

void acs_boot_free(acs_boot *b)
{
	if (!b)
		return;
	acs_fabric_free(b->fabric);
	free(b->owned);
	acs_lines_free(&b->notes);
	for (size_t i = 0; i < b->nwarnings; i++) {
		free(b->warnings[i].param);
		free(b->warnings[i].ignored);
		free(b->warnings[i].message);
	}
	free(b->warnings);
	free(b);
}

/* --- the parameters that make ACS changes at boot, and where to put them --- */

char *acs_boot_config_acs_flags(uint16_t ctrl, char *buf)
{
	for (int b = 6; b >= 0; b--)
		buf[6 - b] = ctrl & (1u << b) ? '1' : '0';
	buf[7] = '\0';
	return buf;
}

int acs_boot_param(char **out, int kind, const acs_fabric *f, const struct acs_ctrl_change *ch, size_t n)
{
	const char *name = kind == ACS_BOOT_CONFIG_ACS ? "pci=config_acs=" :
			   kind == ACS_BOOT_DISABLE_ACS_REDIR ? "pci=disable_acs_redir=" : NULL;
	size_t used;
	char *s;

	*out = NULL;
	if (!name || !n)
		return acs_error_set(ACS_EINVAL, "boot parameter: %s", name ? "no changes" : "unknown kind");
	for (size_t i = 0; i < n; i++)
		if (ch[i].index >= acs_fabric_count(f))
			return acs_error_set(ACS_EINVAL, "boot parameter: no function %zu", ch[i].index);
	/* "0010001@" and a full address, and ';', per change */
	s = malloc(strlen(name) + 48 * n + 1);
	if (!s)
		return acs_error_nomem();
	used = (size_t)sprintf(s, "%s", name);
	for (size_t i = 0; i < n; i++) {
		char flags[8], addr[32];

		acs_func_addr(acs_fabric_func(f, ch[i].index), addr, sizeof(addr));
		if (kind == ACS_BOOT_CONFIG_ACS)
			used += (size_t)sprintf(s + used, "%s%s@%s", i ? ";" : "",
						acs_boot_config_acs_flags(ch[i].ctrl, flags), addr);
		else
			used += (size_t)sprintf(s + used, "%s%s", i ? ";" : "", addr);
	}
	*out = s;
	return 0;
}

const char *acs_boot_loader_file(int loader)
{
	return loader == ACS_BOOT_LOADER_GRUB ? "/etc/default/grub.d/acsctl.cfg" :
	       loader == ACS_BOOT_LOADER_KERNEL_INSTALL ? "/etc/kernel/cmdline" : NULL;
}

int acs_boot_loader_line(char **out, int loader, const char *param)
{
	const char *value;
	size_t len;
	char *s;

	*out = NULL;
	if (!acs_boot_loader_file(loader))
		return acs_error_set(ACS_EINVAL, "boot loader %d: unknown", loader);
	/* /etc/default/grub is shell: nothing the shell or GRUB would read
	 * otherwise than as written */
	if (!param || !*param || param[strcspn(param, " \t\n\"'$`\\")])
		return acs_error_set(ACS_EINVAL, "boot parameter '%s': empty, or a space, quote, '$', '`' or "
				     "backslash in it", param ? param : "");
	len = strlen(param);
	if (loader == ACS_BOOT_LOADER_KERNEL_INSTALL) {
		*out = acs_strdup(param);
		return *out ? 0 : acs_error_nomem();
	}
	/* pci=config_acs=VALUE: the value quoted, after the option's '=';
	 * a parameter of one '=' has its value quoted after that one */
	value = strchr(param, '=');
	if (value && strchr(value + 1, '='))
		value = strchr(value + 1, '=');
	value = value ? value + 1 : param + len;
	s = malloc(len + 80);
	if (!s)
		return acs_error_nomem();
	sprintf(s, "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX %.*s\\\"%s\\\"\"", (int)(value - param), param, value);
	*out = s;
	return 0;
}
