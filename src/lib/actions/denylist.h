/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI functions the running system lives on: the controllers behind
 * the block devices of /, /usr, /boot, /boot/efi and /efi (from
 * PROC/self/mountinfo) and of every active swap (PROC/swaps), followed
 * through device-mapper, md and NVMe multipath to the PCI functions above
 * them in SYSFS/devices. apply --unbind never unbinds one of them.
 */
#ifndef ACSCTL_ACTIONS_DENYLIST_H
#define ACSCTL_ACTIONS_DENYLIST_H

#include <stddef.h>

struct acs_denylist;

/* Read the mounts and swaps under PROC ("/proc") and the devices under
 * SYSFS ("/sys"). A mount or swap that is no block device (tmpfs, NFS,
 * overlay, ZFS) holds no PCI function. Fails (ACS_ENOTFOUND) only when
 * PROC/self/mountinfo cannot be read: then nothing is known to be safe. */
int acs_denylist_load(struct acs_denylist **out, const char *sysfs, const char *proc);

/* What the function ADDR ("0000:03:00.0") holds, e.g. "/ (nvme0n1p2)" or
 * "swap /dev/dm-1 (sda3)", or NULL when it holds none of them. */
const char *acs_denylist_holds(const struct acs_denylist *d, const char *addr);

/* How many functions are listed; the i-th one's address and what it holds. */
size_t acs_denylist_count(const struct acs_denylist *d);
const char *acs_denylist_addr(const struct acs_denylist *d, size_t i, const char **what);

void acs_denylist_free(struct acs_denylist *d);

#endif
