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
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy-internal.h"

#define REDIR (ACS_RR | ACS_CR | ACS_EC)

struct acs_boot {
	acs_fabric *fabric;
	acs_policy *owned;         /* with override */
	const acs_policy *policy;
	struct acs_lines notes;
};

struct params {
	char *disable;             /* disable_acs_redir= value */
	char *config;              /* config_acs= value */
	bool noats;
	bool override;
	struct acs_override o;
};

#define note(b, ...) acs_lines_add(&(b)->notes, __VA_ARGS__)

static bool looks_like_device(const char *s)
{
	unsigned a, c, d;

	return strncmp(s, "pci:", 4) == 0 || sscanf(s, "%x:%x.%x", &a, &c, &d) == 3 ||
	       sscanf(s, "%*x:%x:%x.%x", &a, &c, &d) == 3;
}

static int set_param(acs_boot *b, char **slot, const char *name, const char *value)
{
	if (*slot)
		note(b, "pci=%s given twice: the kernel keeps the last one", name);
	free(*slot);
	*slot = acs_strdup(value);
	return *slot ? 0 : acs_error_nomem();
}

static int pci_option(acs_boot *b, struct params *p, const char *opt)
{
	if (strncmp(opt, "disable_acs_redir=", 18) == 0)
		return set_param(b, &p->disable, "disable_acs_redir", opt + 18);
	if (strncmp(opt, "config_acs=", 11) == 0) {
		if (b->policy->version < ACS_KV(6, 11))
			return note(b, "pci=config_acs= first appeared in Linux 6.11: %s ignores it (\"PCI: Unknown option\")",
				    b->policy->name);
		return set_param(b, &p->config, "config_acs", opt + 11);
	}
	if (strcmp(opt, "noats") == 0) {
		p->noats = true;
		return 0;
	}
	if (looks_like_device(opt))
		return note(b, "'%s' follows a ',' and the kernel reads it as another pci= option, not a device: separate devices with ';'",
			    opt);
	return 0;
}

static int override_option(acs_boot *b, struct params *p, char *value)
{
	char *save = NULL;

	p->override = true;
	for (char *w = strtok_r(value, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		unsigned v, d;

		if (strcmp(w, "downstream") == 0) {
			p->o.downstream = true;
		} else if (strcmp(w, "multifunction") == 0) {
			p->o.multifunction = true;
		} else if (sscanf(w, "id:%x:%x", &v, &d) == 2 && v <= 0xffff && d <= 0xffff) {
			if (p->o.nids == sizeof(p->o.ids) / sizeof(p->o.ids[0]))
				return acs_error_set(ACS_EPARSE, "pcie_acs_override: too many ids");
			p->o.ids[p->o.nids].vendor = (uint16_t)v;
			p->o.ids[p->o.nids++].device = (uint16_t)d;
		} else {
			return acs_error_set(ACS_EPARSE,
				"pcie_acs_override: '%s' is none of downstream, multifunction, id:vvvv:dddd", w);
		}
	}
	return 0;
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
		} else if (strncmp(w, "pcie_acs_override=", 18) == 0) {
			rc = override_option(b, p, w + 18);
		}
	}
	free(copy);
	return rc;
}

/* One entry's flags, right to left from bit 0: '0' clears, '1' sets, 'x'
 * leaves the bit to firmware. */
static int parse_flags(const char *flags, size_t len, uint16_t *mask, uint16_t *set,
		       const char *param)
{
	unsigned shift = 0;

	*mask = *set = 0;
	for (size_t i = len; i-- > 0; shift++) {
		char c = flags[i];

		if (c != '0' && c != '1' && c != 'x' && c != 'X')
			return acs_error_set(ACS_EPARSE,
				"pci=%s: invalid ACS flags '%.*s': only 0, 1 and x (the kernel ignores this parameter)",
				param, (int)len, flags);
		if (c == 'x' || c == 'X')
			continue;
		if (shift > 6)
			return acs_error_set(ACS_EPARSE,
				"pci=%s: ACS flags '%.*s' set bits above DirectTrans (bit 6): the kernel refuses them",
				param, (int)len, flags);
		*mask |= (uint16_t)(1u << shift);
		if (c == '1')
			*set |= (uint16_t)(1u << shift);
	}
	return 0;
}

/* pci_dev_str_match_path(): "[dddd:]bb:dd.f[/dd.f]..." naming the device
 * through the bridges above it; the last element is the device. */
static int match_path(const acs_fabric *f, const struct acs_func *fn,
		      const char *s, size_t len, const char *param, bool *hit)
{
	char buf[256], *slash, end;
	unsigned seg = 0, bus, slot, func;

	*hit = false;
	if (len >= sizeof(buf))
		return acs_error_set(ACS_EPARSE, "pci=%s: device '%.40s...' too long", param, s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	while ((slash = strrchr(buf, '/'))) {
		if (sscanf(slash, "/%x.%x%c", &slot, &func, &end) != 2 || slot > 0x1f || func > 7)
			return acs_error_set(ACS_EPARSE, "pci=%s: '%s' is not a /dd.f path element",
					     param, slash);
		if (!fn || fn->dev != slot || fn->fn != func)
			fn = NULL;
		else
			fn = acs_fabric_parent(f, fn);
		*slash = '\0';
	}
	if (sscanf(buf, "%x:%x:%x.%x%c", &seg, &bus, &slot, &func, &end) != 4) {
		seg = 0;
		if (sscanf(buf, "%x:%x.%x%c", &bus, &slot, &func, &end) != 3)
			return acs_error_set(ACS_EPARSE,
				"pci=%s: cannot parse device '%s' (DDDD:BB:DD.F, BB:DD.F, a /DD.F path, or pci:VVVV:DDDD)",
				param, buf);
	}
	*hit = fn && fn->domain == seg && fn->bus == bus && fn->dev == slot && fn->fn == func;
	return 0;
}

static int match_ids(const struct acs_func *fn, const char *s, size_t len,
		     const char *param, bool *hit)
{
	unsigned v, d, sv = 0, sd = 0;
	char buf[64], end;

	if (len >= sizeof(buf))
		return acs_error_set(ACS_EPARSE, "pci=%s: '%.40s' too long", param, s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "pci:%x:%x:%x:%x%c", &v, &d, &sv, &sd, &end) != 4) {
		sv = sd = 0;
		if (sscanf(buf, "pci:%x:%x%c", &v, &d, &end) != 2)
			return acs_error_set(ACS_EPARSE,
				"pci=%s: cannot parse '%s' (pci:VVVV:DDDD[:SSSS:SSSS])", param, buf);
	}
	/* 0 matches anything, as in pci_dev_str_match() */
	*hit = (!v || v == fn->vendor_id) && (!d || d == fn->device_id) &&
	       (!sv || sv == fn->subsys_vendor) && (!sd || sd == fn->subsys_device);
	return 0;
}

/*
 * Does parameter `value` name fn? Entries are separated by ';'; with flags,
 * each is FLAGS@DEVICE. The first entry that names fn wins. Every entry is
 * checked for syntax, so a bad parameter is an error whatever it names.
 */
static int param_match(const acs_fabric *f, const struct acs_func *fn,
		       const char *value, const char *param, bool with_flags,
		       bool *hit, uint16_t *mask, uint16_t *set)
{
	const char *p = value;

	*hit = false;
	while (*p) {
		const char *end = strchr(p, ';'), *dev = p;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		uint16_t m = 0, s = 0;
		bool h = false;
		int rc;

		if (with_flags) {
			const char *at = memchr(p, '@', len);

			if (!at)
				return acs_error_set(ACS_EPARSE,
					"pci=%s: '%.*s' has no FLAGS@ before the device", param, (int)len, p);
			rc = parse_flags(p, (size_t)(at - p), &m, &s, param);
			if (rc)
				return rc;
			dev = at + 1;
			len -= (size_t)(dev - p);
		}
		rc = strncmp(dev, "pci:", 4) == 0 ? match_ids(fn, dev, len, param, &h) :
		     match_path(f, fn, dev, len, param, &h);
		if (rc)
			return rc;
		if (h && !*hit) {
			*hit = true;
			*mask = m;
			*set = s;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
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

static int kernel_ctrl(acs_boot *b, const acs_fabric *f, const struct acs_func *fn,
		       const struct params *p, const acs_boot_opts *o, uint16_t *ctrl);

/* What the port holds afterwards: enable bits of features the capability
 * lacks are hardwired to 0 (PCIe ACS control register), so a write of
 * 1111111 to a port without EgressCtrl reads back 0x5f (seen in the VM). */
static int boot_ctrl(acs_boot *b, const acs_fabric *f, const struct acs_func *fn,
		     const struct params *p, const acs_boot_opts *o, uint16_t *ctrl)
{
	int rc = kernel_ctrl(b, f, fn, p, o, ctrl);

	*ctrl &= fn->acs_cap & 0x7f;
	return rc;
}

static int kernel_ctrl(acs_boot *b, const acs_fabric *f, const struct acs_func *fn,
		       const struct params *p, const acs_boot_opts *o, uint16_t *ctrl)
{
	uint16_t fw = firmware_ctrl(f, fn, o), mask = 0, set = 0;
	bool dis = false, cfg = false;
	char addr[32];
	int rc = 0;

	/* pci_std_enable_acs(): the IOMMU asked for ACS (pci_request_acs),
	 * with the capability as the kernel holds it (from 7.0 without SV on
	 * IDT switches) */
	uint16_t cap = acs_quirk_acs_cap(b->policy, fn);

	*ctrl = fw | (cap & (ACS_SV | ACS_RR | ACS_CR | ACS_UF));
	if (p->noats)
		*ctrl |= cap & ACS_TB;
	if (p->disable)
		rc = param_match(f, fn, p->disable, "disable_acs_redir", false, &dis, &mask, &set);
	if (!rc && p->config)
		rc = param_match(f, fn, p->config, "config_acs", true, &cfg, &mask, &set);
	if (rc)
		return rc;
	acs_func_addr(fn, addr, sizeof(addr));
	if ((dis || cfg) && !fn->acs_pos)
		return note(b, "%s: named by a boot parameter but has no ACS capability: nothing changes%s",
			    addr, b->policy->version < ACS_KV(6, 11) ? " (the kernel warns)" : "");
	if (b->policy->version < ACS_KV(6, 11)) {
		if (dis)
			*ctrl &= (uint16_t)~REDIR;
		return 0;
	}
	if (dis)
		*ctrl = fw & (uint16_t)~REDIR;
	if (cfg)
		*ctrl = (uint16_t)((fw & ~mask) | (set & mask));
	if (dis || (cfg && (mask & 0x7f) != 0x7f))
		rc = note(b, "%s: ACS control 0x%04x: bits the parameter leaves open take the firmware's value, assumed 0x%04x%s",
			  addr, *ctrl, fw, o->nfirmware ? "" : " (give --firmware-acs DEV=0x.. if firmware sets ACS)");
	return rc;
}

static int simulate(acs_boot *b, const acs_fabric *f, const acs_boot_opts *o)
{
	struct params p = { 0 };
	struct acs_ctrl_change *ch = NULL;
	size_t n = 0;
	int rc = parse_cmdline(b, &p, o->cmdline);

	if (!rc)
		ch = malloc((acs_fabric_count(f) + 1) * sizeof(*ch));
	if (!rc && !ch)
		rc = acs_error_nomem();
	for (size_t i = 0; !rc && i < acs_fabric_count(f); i++) {
		const struct acs_func *fn = acs_fabric_func(f, i);
		uint16_t ctrl;

		if (!acs_func_acs_known(fn))
			continue;
		rc = boot_ctrl(b, f, fn, &p, o, &ctrl);
		if (!rc && fn->acs_pos)
			ch[n++] = (struct acs_ctrl_change){ i, ctrl };
	}
	if (!rc)
		rc = acs_fabric_with_acs_ctrl(&b->fabric, f, ch, n);
	if (!rc && p.override) {
		b->owned = acs_policy__with_override(b->policy, &p.o);
		if (!b->owned)
			rc = acs_error_nomem();
		else
			b->policy = b->owned;
		if (!rc)
			rc = note(b, "pcie_acs_override is an out-of-tree patch: the groups it gives are not real isolation");
	}
	free(ch);
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
	b->policy = policy;
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

bool acs_boot_overridden(const acs_boot *b)
{
	return b->owned != NULL;
}

size_t acs_boot_notes(const acs_boot *b, const char *const **notes)
{
	*notes = (const char *const *)b->notes.v;
	return b->notes.n;
}

void acs_boot_free(acs_boot *b)
{
	if (!b)
		return;
	acs_fabric_free(b->fabric);
	free(b->owned);
	acs_lines_free(&b->notes);
	free(b);
}
