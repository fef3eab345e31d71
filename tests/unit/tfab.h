/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helpers: config spaces and fabrics built by hand. */
#ifndef ACSCTL_TEST_TFAB_H
#define ACSCTL_TEST_TFAB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#define NO_ACS -1

struct tcfg {
	uint8_t b[4096];
	unsigned len;
};

/* A function's config space: header, optional PCIe capability at 0x40 and
 * ACS at 0x100. pcie_type ACS_PCIE_NONE makes a conventional function. */
void tcfg_make(struct tcfg *c, uint16_t vendor, uint16_t device, uint32_t cls,
	       int pcie_type, bool bridge, bool mf, int acs_ctrl);
void tcfg_buses(struct tcfg *c, uint8_t pri, uint8_t sec, uint8_t sub);

/* A scratch directory for a test group: tdir_setup and tdir_teardown as
 * its group setup and teardown; tdir_write puts a file there and returns
 * its path (valid until the next call). */
const char *tdir(void);
int tdir_setup(void **state);
int tdir_teardown(void **state);
char *tdir_write(const char *name, const char *text);

/* A fabric under construction. */
struct tfab {
	struct acs_builder b;
};

void tfab_begin(struct tfab *t);
/* The function at addr ("bb:dd.f", "dddd:bb:dd.f"), failing the test
 * where there is none; its index. */
const struct acs_func *tfab_func(const acs_fabric *f, const char *addr);
size_t tfab_idx(const acs_fabric *f, const char *addr);
/* addr as "bb:dd.f" or "dddd:bb:dd.f" */
void tfab_add(struct tfab *t, const char *addr, const struct tcfg *c);
/* Shorthands; acs_ctrl NO_ACS for no capability, mf for multifunction. */
void tfab_root_port(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub,
		    int acs_ctrl, bool mf);
void tfab_downstream(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub,
		     int acs_ctrl);
void tfab_upstream(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub);
void tfab_endpoint(struct tfab *t, const char *addr, bool mf, int acs_ctrl);
void tfab_pci_device(struct tfab *t, const char *addr, bool mf);
void tfab_pcie_to_pci(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub);
void tfab_pci_bridge(struct tfab *t, const char *addr, uint8_t sec, uint8_t sub);
acs_fabric *tfab_end(struct tfab *t);
int tfab_end_rc(struct tfab *t, acs_fabric **out);

/* A file as the library loads it (kind: enum acs_source_kind): 0 or the
 * error; tload_ok() fails the test on an error. */
int tload(const char *path, int kind, acs_fabric **f);
acs_fabric *tload_ok(const char *path, int kind);
/* A whole file, NUL-terminated; *len (where len) its length. Fails the
 * test where it cannot be read. */
char *tread_file(const char *path, size_t *len);
/* strcmp() for qsort() over an array of char *. */
int tstr_cmp(const void *a, const void *b);
/* groups.txt ("GROUP ADDRESS" lines, as the VM captures have them) as the
 * canonical partition (tpartition_canon()); *addrs, where addrs, gets
 * " a b ... ": every address, without domain 0000. */
char *tgroups_file_partition(const char *path, char **addrs);
/* lspci -vv text with the kernel's groups put back: "\tIOMMU group: N"
 * where lspci 3.9 prints it (after the header and its Subsystem ...
 * NUMA node lines) for each device groups.txt names. *ndev: devices,
 * *nlines: lines put in. Freed by the caller. */
char *tlspci_with_groups(const char *text, const char *groups_path, size_t *ndev, size_t *nlines);

/* The partition of the predicted groups, canonical: members sorted, groups
 * sorted, " | " between groups, addresses without domain 0000. */
char *tgroups_partition(const acs_fabric *f, const char *kernel);
/* The same canonical form of a string like "00:01.0 01:00.0 | 00:00.0". */
char *tpartition_canon(const char *spec);

#define assert_partition(f, kernel, spec) do {                          \
		char *got_ = tgroups_partition((f), (kernel));          \
		char *want_ = tpartition_canon(spec);                   \
		assert_string_equal(got_, want_);                       \
		free(got_);                                             \
		free(want_);                                            \
	} while (0)

#endif
