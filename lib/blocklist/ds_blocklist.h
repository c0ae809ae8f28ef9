/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BLOCKLIST_H
#define DS_BLOCKLIST_H

/**
 * @file
 * Source prefixes dropped before any work. A blocklist is built once and never changed: the control
 * plane builds a new one for every change and publishes it by pointer swap (app/scrubber), so the
 * workers read it without locks.
 *
 * Lookup: for each prefix length present in the list (longest first), the masked address is searched
 * in the sorted prefixes of that length: a few binary searches in a small array.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** One prefix: an address with its host bits zero, and its length. */
struct ds_prefix {
	uint8_t ip_version;  /**< 4 or 6 */
	uint8_t len;         /**< 0..32 or 0..128 */
	uint8_t addr[16];    /**< IPv4 in the first 4 bytes */
};

enum { DS_PREFIX_TEXT_MAX = 64, DS_BLOCKLIST_MAX = 1 << 20 };

/**
 * Parse "198.51.100.0/24", "2001:db8::/32", or a bare address (a /32 or /128).
 *
 * @return 0, or -1 with the reason in @p err (not an address, length out of range, host bits set).
 */
int ds_prefix_parse(const char *text, struct ds_prefix *p, char *err, size_t err_len);

/** The prefix of length @p len (clamped to the family's width) holding @p addr (4 or 16 bytes). */
void ds_prefix_of(const uint8_t *addr, unsigned ip_version, unsigned len, struct ds_prefix *p);

/** "198.51.100.0/24" */
void ds_prefix_format(const struct ds_prefix *p, char *out, size_t out_len);

/** Whether two prefixes are the same. */
bool ds_prefix_equal(const struct ds_prefix *a, const struct ds_prefix *b);

/** Whether @p p is one of the @p n prefixes of @p list (a linear search: for short lists). */
bool ds_prefix_listed(const struct ds_prefix *list, size_t n, const struct ds_prefix *p);

struct ds_blocklist;

/** Build a blocklist of @p n prefixes (duplicates kept once). NULL when out of memory or n too large. */
struct ds_blocklist *ds_blocklist_build(const struct ds_prefix *list, size_t n);

void ds_blocklist_free(struct ds_blocklist *bl);

/** Whether @p addr (4 or 16 bytes by @p ip_version) is inside a listed prefix. */
bool ds_blocklist_match(const struct ds_blocklist *bl, const uint8_t *addr, unsigned ip_version);

/** How many prefixes; the @p i-th of them (sorted). */
size_t ds_blocklist_count(const struct ds_blocklist *bl);
const struct ds_prefix *ds_blocklist_entry(const struct ds_blocklist *bl, size_t i);

#endif /* DS_BLOCKLIST_H */
