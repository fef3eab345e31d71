/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/unknown.h
 * @brief What a verdict depends on that the source could not read: the
 * functions whose ACS state (or whether they are ports at all) is unknown
 * and that decide whether devices share a group, reach each other, or get
 * the kernel's P2PDMA. A verdict that depends on one is unknown, never ok.
 */
#ifndef ACSCTL_UNKNOWN_H
#define ACSCTL_UNKNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acsctl/fabric.h"
#include "acsctl/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The questions a verdict asks of a device or a pair; or them together. */
enum acs_unknown_question {
	ACS_UNKNOWN_GROUP = 0x1,   /**< which group a is in (and b: whether they share it) */
	ACS_UNKNOWN_REACH = 0x2,   /**< whether a and b reach each other below the root
				        complex (acs_route_reach()) */
	ACS_UNKNOWN_P2PDMA = 0x4,  /**< the kernel's P2PDMA verdict for a and b (the
				        redirect bits on its path) */
};

/** A set of functions whose unread state a verdict depends on. */
typedef struct acs_unknown acs_unknown;

/**
 * An empty set for questions about this fabric under this policy (quirks
 * answer for some devices whatever was read). Both must outlive the set.
 * @param out receives the set, freed with acs_unknown_free(); NULL on failure.
 * @return 0 or ACS_ENOMEM.
 */
int acs_unknown_new(acs_unknown **out, const acs_fabric *fabric, const acs_policy *policy);

/**
 * Add the unread functions the questions about a (and b, when b >= 0)
 * depend on. ACS_UNKNOWN_GROUP: the bridges on each one's way to the root
 * (pci_acs_path_enabled()), itself and the functions of its slot where
 * they are multifunction; ACS_UNKNOWN_REACH: the ports where their paths
 * meet below the root complex, and the bridge whose bus joins them when
 * its type is unknown (it may be a conventional bus); ACS_UNKNOWN_P2PDMA:
 * the functions on the kernel's P2PDMA path between them.
 * @return whether any was found for these questions (already in the set
 *         or not).
 */
bool acs_unknown_add(acs_unknown *set, int questions, size_t a, long b);

/** Number of functions in the set. */
size_t acs_unknown_count(const acs_unknown *set);

/**
 * The functions of the set, in address order.
 * @return their number; *list is borrowed from the set until it changes.
 */
size_t acs_unknown_list(acs_unknown *set, const uint32_t **list);

/** Empty the set (in the time of its size, not the fabric's). */
void acs_unknown_clear(acs_unknown *set);

/** Free a set; NULL is accepted. */
void acs_unknown_free(acs_unknown *set);

/** What was not read of a function, in words ("its ACS state was not
 * read", "not known to be a port: its capabilities were not read"). */
const char *acs_unknown_why(const struct acs_func *fn);

/** How to read what is missing from this fabric's kind of source, in
 * words: run as root, `lspci -xxxx` or `lspci -vvv` as root, ... */
const char *acs_unknown_advice(const acs_fabric *fabric);

#ifdef __cplusplus
}
#endif
#endif
