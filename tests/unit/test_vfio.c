/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acs_vfio_compute(): the readiness rules of acsctl vfio (issue 19 item
 * 2) on fabrics built by hand: bindings, bridges by kernel version,
 * resets, the IOMMU, interrupt remapping, the VM lines, and the facts
 * through a snapshot and back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfab.h"

/* What one test changes in the standard fabric: a root port 00:02.0 with
 * a two-function endpoint 01:00.0/.1 below it, all in kernel group 5 (as
 * without ACS), and a host bridge 00:00.0 alone in group 0. */
struct world {
	const char *port_driver;   /* "pcieport" */
	const char *ep_driver[2];  /* "vfio-pci" */
	const char *ep_reset[2];   /* "flr" */
	const char *host_bridge_driver;
	int host_bridge_group;     /* 0 */
	int ep1_group;             /* 5 */
	int kgroups;               /* ACS_KGROUPS_PRESENT */
	int irq_remap;             /* 1 */
	const char *cpu_vendor;    /* "GenuineIntel" */
	bool no_drivers;           /* a source without drivers (a dump) */
	bool no_assign_facts;      /* one without resets and group types */
};

static const struct world READY = {
	"pcieport", { "vfio-pci", "vfio-pci" }, { "flr", "flr" }, NULL, 0, 5, ACS_KGROUPS_PRESENT, 1, "GenuineIntel",
	false, false,
};

static void set(struct tfab *t, const char *driver, int group, const char *reset, const struct world *w)
{
	struct acs_raw_func *r = acs_builder_last(&t->b);

	r->has_driver = !w->no_drivers;
	r->driver = driver && !w->no_drivers ? strdup(driver) : NULL;
	r->kernel_group = w->kgroups == ACS_KGROUPS_PRESENT ? group : -1;
	if (!w->no_assign_facts) {
		r->reset = reset ? strdup(reset) : NULL;
		r->iommu_type = w->kgroups == ACS_KGROUPS_PRESENT ? strdup("DMA-FQ") : NULL;
	}
}

static acs_fabric *build(const struct world *w)
{
	struct tfab t;
	struct tcfg hb;

	tfab_begin(&t);
	tcfg_make(&hb, 0x8086, 0x29c0, 0x060000, ACS_PCIE_NONE, false, false, NO_ACS);
	tfab_add(&t, "00:00.0", &hb);
	set(&t, w->host_bridge_driver, w->host_bridge_group, NULL, w);
	tfab_root_port(&t, "00:02.0", 1, 1, NO_ACS, false);
	set(&t, w->port_driver, 5, NULL, w);
	tfab_endpoint(&t, "01:00.0", true, NO_ACS);
	set(&t, w->ep_driver[0], 5, w->ep_reset[0], w);
	tfab_endpoint(&t, "01:00.1", true, NO_ACS);
	set(&t, w->ep_driver[1], w->ep1_group, w->ep_reset[1], w);
	t.b.kgroups = w->kgroups;
	assert_int_equal(acs_builder_set_irq_remap(&t.b, w->irq_remap, "test"), 0);
	assert_int_equal(acs_builder_set_cpu_vendor(&t.b, w->cpu_vendor), 0);
	return tfab_end(&t);
}

static acs_vfio *judge(const struct world *w, const char *kernel, long device, long group)
{
	acs_fabric *f = build(w);
	acs_vfio *v = NULL;

	if (acs_vfio_compute(&v, f, acs_policy_find(kernel), device, group))
		fail_msg("%s", acs_error_last()->message);
	acs_fabric_free(f);  /* the result owns its strings */
	return v;
}

/* The one issue of a kind, failing where there is none or several. */
static const acs_vfio_issue *issue(const acs_vfio *v, int kind)
{
	const acs_vfio_issue *is, *found = NULL;
	size_t n = acs_vfio_issues(v, &is);

	for (size_t k = 0; k < n; k++)
		if (is[k].kind == kind) {
			assert_null(found);
			found = &is[k];
		}
	assert_non_null(found);
	return found;
}

static void test_vfio__ready(void **state)
{
	acs_vfio *v = judge(&READY, "6.12", 3, -1);  /* 01:00.1 */
	const acs_vfio_member *m;
	const acs_vfio_issue *is;
	const char *const *px;
	const char *type;
	bool kernel;

	(void)state;
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_READY);
	assert_int_equal(acs_vfio_group(v, &kernel), 5);
	assert_true(kernel);
	assert_int_equal(acs_vfio_iommu(v, &type), ACS_VFIO_IOMMU_ON);
	assert_string_equal(type, "DMA-FQ");
	assert_int_equal(acs_vfio_members(v, &m), 3);
	assert_int_equal(m[0].role, ACS_VFIO_HOST_SIDE);
	assert_int_equal(m[0].binding, ACS_VFIO_BIND_PORT);
	assert_int_equal(m[1].binding, ACS_VFIO_BIND_VFIO);
	assert_string_equal(m[2].reset, "flr");
	assert_int_equal(acs_vfio_issues(v, &is), 0);
	assert_int_equal(acs_vfio_proxmox(v, &px), 1);
	assert_string_equal(px[0], "hostpci0: 0000:01:00");
	assert_non_null(strstr(acs_vfio_libvirt(v), "<address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>"));
	assert_null(strstr(acs_vfio_libvirt(v), "bus='0x00'"));  /* the port stays */
	acs_vfio_free(v);
}

static void test_vfio__host_driver(void **state)
{
	struct world w = READY;
	const acs_vfio_issue *is;
	acs_vfio *v;

	(void)state;
	w.ep_driver[1] = "snd_hda_intel";
	v = judge(&w, "6.12", 2, -1);  /* asked by 01:00.0 */
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	is = issue(v, ACS_VFIO_ISSUE_DRIVER);
	assert_int_equal(is->verdict, ACS_VFIO_BLOCKED);
	assert_int_equal(is->member, 2);
	assert_string_equal(is->fix, "driverctl set-override 0000:01:00.1 vfio-pci");
	assert_non_null(strstr(is->text, "host driver snd_hda_intel"));
	assert_non_null(strstr(is->text, "must go to the same VM"));
	assert_non_null(strstr(is->at_boot, "vfio-pci.ids=1b36:0010"));
	assert_non_null(strstr(is->at_boot, "softdep snd_hda_intel pre: vfio-pci"));
	acs_vfio_free(v);
}

static void test_vfio__unbound_and_stub(void **state)
{
	struct world w = READY;
	const acs_vfio_member *m;
	acs_vfio *v;

	(void)state;
	w.ep_driver[0] = NULL;
	w.ep_driver[1] = "pci-stub";
	v = judge(&w, "6.12", -1, 5);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	acs_vfio_members(v, &m);
	assert_int_equal(m[1].binding, ACS_VFIO_BIND_NONE);
	assert_int_equal(m[2].binding, ACS_VFIO_BIND_STUB);
	assert_int_equal(m[1].verdict, ACS_VFIO_BLOCKED);
	assert_int_equal(m[0].verdict, ACS_VFIO_READY);
	acs_vfio_free(v);
}

static void test_vfio__reset(void **state)
{
	struct world w = READY;
	acs_vfio *v;

	(void)state;
	w.ep_reset[0] = "";  /* none */
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	assert_int_equal(issue(v, ACS_VFIO_ISSUE_RESET)->member, 1);
	acs_vfio_free(v);
	w.ep_reset[0] = NULL;  /* not read: unknown, never ready */
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_UNKNOWN);
	assert_int_equal(issue(v, ACS_VFIO_ISSUE_RESET)->verdict, ACS_VFIO_UNKNOWN);
	acs_vfio_free(v);
	/* a blocker beats what is unknown */
	w.ep_driver[1] = "nvme";
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	acs_vfio_free(v);
}

static void test_vfio__irq_remap(void **state)
{
	struct world w = READY;
	acs_vfio *v;

	(void)state;
	w.irq_remap = 0;
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	assert_non_null(strstr(issue(v, ACS_VFIO_ISSUE_IRQ_REMAP)->fix, "allow_unsafe_interrupts=1"));
	acs_vfio_free(v);
	w.irq_remap = -1;
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_UNKNOWN);
	acs_vfio_free(v);
	w.cpu_vendor = "";  /* not x86: the IOMMU isolates MSIs itself */
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_READY);
	acs_vfio_free(v);
}

static void test_vfio__iommu_off(void **state)
{
	struct world w = READY;
	const acs_vfio_issue *is;
	acs_vfio *v;
	bool kernel;

	(void)state;
	w.kgroups = ACS_KGROUPS_NONE;
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	assert_int_equal(acs_vfio_iommu(v, NULL), ACS_VFIO_IOMMU_OFF);
	is = issue(v, ACS_VFIO_ISSUE_IOMMU);
	assert_non_null(strstr(is->fix, "intel_iommu=on iommu=pt"));
	acs_vfio_group(v, &kernel);
	assert_false(kernel);  /* the prediction: no kernel groups */
	assert_int_equal(issue(v, ACS_VFIO_ISSUE_GROUP)->verdict, ACS_VFIO_READY);
	acs_vfio_free(v);
	w.kgroups = ACS_KGROUPS_UNKNOWN;
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_UNKNOWN);
	assert_int_equal(acs_vfio_iommu(v, NULL), ACS_VFIO_IOMMU_UNKNOWN);
	acs_vfio_free(v);
}

/* 5.19's DMA ownership: a port keeps pcieport, not another driver; before
 * 5.19 a bridge kept any driver. */
static void test_vfio__bridge_by_kernel(void **state)
{
	struct world w = READY;
	acs_vfio *v;

	(void)state;
	w.port_driver = "shpchp";
	v = judge(&w, "5.15", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_READY);
	acs_vfio_free(v);
	v = judge(&w, "6.1", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	assert_string_equal(issue(v, ACS_VFIO_ISSUE_DRIVER)->fix, "driverctl set-override 0000:00:02.0 pci-stub");
	acs_vfio_free(v);
	assert_false(acs_policy_vfio_dma_ownership(acs_policy_find("5.18")));
	assert_true(acs_policy_vfio_dma_ownership(acs_policy_find("5.19")));
}

/* A host bridge in the group stays with the host unbound; with a driver
 * of its own (type 0 header) it blocks on every kernel. */
static void test_vfio__host_bridge(void **state)
{
	struct world w = READY;
	const acs_vfio_member *m;
	acs_vfio *v;

	(void)state;
	w.host_bridge_group = 5;
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_members(v, &m), 4);
	assert_int_equal(m[0].role, ACS_VFIO_HOST_SIDE);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_READY);
	acs_vfio_free(v);
	w.host_bridge_driver = "ie31200_edac";
	v = judge(&w, "5.15", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	assert_int_equal(issue(v, ACS_VFIO_ISSUE_DRIVER)->member, 0);
	acs_vfio_free(v);
}

static void test_vfio__only_bridges(void **state)
{
	acs_vfio *v = judge(&READY, "6.12", 0, -1);  /* the host bridge, alone */

	(void)state;
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_BLOCKED);
	issue(v, ACS_VFIO_ISSUE_NO_ENDPOINT);
	acs_vfio_free(v);
}

/* One function of a multifunction slot: its own Proxmox line. */
static void test_vfio__proxmox_one_function(void **state)
{
	struct world w = READY;
	const char *const *px;
	acs_vfio *v;

	(void)state;
	w.ep1_group = 6;
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_proxmox(v, &px), 1);
	assert_string_equal(px[0], "hostpci0: 0000:01:00.0");
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_READY);
	acs_vfio_free(v);
}

static void test_vfio__unknowns(void **state)
{
	struct world w = READY;
	acs_fabric *f;
	acs_vfio *v;

	(void)state;
	w.no_drivers = true;
	v = judge(&w, "6.12", 2, -1);
	assert_int_equal(acs_vfio_verdict(v), ACS_VFIO_UNKNOWN);
	acs_vfio_free(v);
	f = build(&READY);
	assert_int_equal(acs_vfio_compute(&v, f, acs_policy_find("6.12"), -1, 42), ACS_ENOTFOUND);
	assert_null(v);
	assert_non_null(strstr(acs_error_last()->message, "no IOMMU group 42"));
	acs_fabric_free(f);
}

/* The new facts through a snapshot: written, read back the same; an old
 * snapshot without them reads them as unknown. */
static void test_vfio__snapshot(void **state)
{
	struct world w = READY;
	acs_fabric *f, *g;
	const char *basis;
	char path[600];
	FILE *out;

	(void)state;
	w.ep_reset[1] = "";
	f = build(&w);
	snprintf(path, sizeof(path), "%s/vfio-snap.txt", tdir());
	out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(acs_snapshot_write(f, out), 0);
	fclose(out);
	g = tload_ok(path, ACS_SOURCE_FILE);
	assert_string_equal(acs_fabric_reset_methods(g, 2), "flr");
	assert_string_equal(acs_fabric_reset_methods(g, 3), "");
	assert_null(acs_fabric_reset_methods(g, 0));
	assert_string_equal(acs_fabric_iommu_type(g, 2), "DMA-FQ");
	assert_int_equal(acs_fabric_irq_remapping(g, &basis), 1);
	assert_string_equal(basis, "snapshot: test");
	acs_fabric_free(g);
	acs_fabric_free(f);
	w.no_assign_facts = true;
	w.irq_remap = -1;
	f = build(&w);
	assert_null(acs_fabric_reset_methods(f, 2));
	assert_null(acs_fabric_iommu_type(f, 2));
	assert_int_equal(acs_fabric_irq_remapping(f, &basis), -1);
	assert_null(basis);
	acs_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vfio__ready),
		cmocka_unit_test(test_vfio__host_driver),
		cmocka_unit_test(test_vfio__unbound_and_stub),
		cmocka_unit_test(test_vfio__reset),
		cmocka_unit_test(test_vfio__irq_remap),
		cmocka_unit_test(test_vfio__iommu_off),
		cmocka_unit_test(test_vfio__bridge_by_kernel),
		cmocka_unit_test(test_vfio__host_bridge),
		cmocka_unit_test(test_vfio__only_bridges),
		cmocka_unit_test(test_vfio__proxmox_one_function),
		cmocka_unit_test(test_vfio__unknowns),
		cmocka_unit_test(test_vfio__snapshot),
	};

	return cmocka_run_group_tests(tests, tdir_setup, tdir_teardown);
}
