/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What-ifs: a copy of a fabric with changed ACS control values. The
 * original is never touched. The copy is whole (O(n)), which keeps one
 * owner per buffer; the topology is rebuilt by the same code as a load.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int acs_fabric_with_acs_ctrl(acs_fabric **out, const acs_fabric *f,
			     const struct acs_ctrl_change *changes, size_t n)
{
	struct acs_builder b;
	int rc;

	*out = NULL;
	rc = acs_builder_init(&b, f->kind, f->origin);
	if (rc)
		return rc;
	b.kgroups = f->kgroups;
	rc = acs_builder_set_release(&b, f->kernel_release);
	if (!rc)
		rc = acs_builder_set_cmdline(&b, f->cmdline);
	for (size_t i = 0; !rc && i < f->nfuncs; i++) {
		const struct acs_func *fn = &f->funcs[i];
		struct acs_raw_func *r;

		rc = acs_builder_add(&b, fn->domain, fn->bus, fn->dev, fn->fn,
				     fn->cfg, fn->cfg_stored < fn->cfg_len ?
				     fn->cfg_stored : fn->cfg_len);
		if (rc)
			break;
		r = acs_builder_last(&b);
		r->cfg_len = fn->cfg_len;
		r->kernel_group = f->kernel_group[i];
		r->numa_node = fn->numa_node;
		r->has_driver = (fn->known & ACS_KNOWN_DRIVER) != 0;
		r->known_mask = fn->known | ACS_KNOWN_DRIVER;
		if (fn->driver && !(r->driver = acs_strdup(fn->driver)))
			rc = acs_error_nomem();
	}
	for (size_t k = 0; !rc && k < n; k++) {
		const struct acs_func *fn;
		struct acs_raw_func *r;
		unsigned need;
		char addr[32];

		if (changes[k].index >= f->nfuncs) {
			rc = acs_error_set(ACS_EINVAL, "what-if: no function %zu", changes[k].index);
			break;
		}
		fn = &f->funcs[changes[k].index];
		r = &b.raw[changes[k].index];
		need = fn->acs_pos + 8u;
		if (!fn->acs_pos) {
			rc = acs_error_set(ACS_EINVAL, "%s: no ACS capability to change",
					   acs_func_addr(fn, addr, sizeof(addr)));
			break;
		}
		if (need > r->cfg_stored) {
			uint8_t *cfg = realloc(r->cfg, need);

			if (!cfg) {
				rc = acs_error_nomem();
				break;
			}
			memset(cfg + r->cfg_stored, 0, need - r->cfg_stored);
			r->cfg = cfg;
			r->cfg_stored = (uint16_t)need;
		}
		r->cfg[fn->acs_pos + 6] = (uint8_t)changes[k].ctrl;
		r->cfg[fn->acs_pos + 7] = (uint8_t)(changes[k].ctrl >> 8);
	}
	if (rc) {
		acs_builder_cleanup(&b);
		return rc;
	}
	return acs_builder_finish(out, &b);
}
