/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_RATELIMIT_H
#define DS_RATELIMIT_H

/**
 * @file
 * A token bucket per address prefix, per worker. The scrubber keeps two such tables: HVRs per
 * destination prefix (a spoofed flood aimed at one victim gets at most `rate` HVRs per second, after
 * a first `burst`, back to the victim's prefix, whatever the number of spoofed addresses in it), and
 * the bad-cookie allowance per source prefix of the automatic blocklist (a source over it is reported
 * for listing).
 *
 * Each prefix has a token bucket kept as its theoretical arrival time (GCRA: one 64-bit TSC value,
 * exact with no refill arithmetic). Prefixes live in a fixed table of 4-entry buckets made at start
 * (an entry is 16 bytes: the prefix's keyed hash and its time, a bucket one cache line):
 * no allocation, bounded memory. A prefix not in its bucket takes the slot of an idle prefix (its
 * bucket already full again, so forgetting it changes nothing), else the least loaded one, which
 * starts over with a full bucket: recycling can only give a victim a burst more, never block a
 * prefix that is under its limit.
 *
 * The bucket is chosen by SipHash-2-4 of the prefix under a key drawn at random at each start, as
 * WireGuard's ratelimiter does: an attacker cannot learn which prefixes share a bucket, so cannot
 * fill a victim's bucket to have its state recycled again and again, and what one run taught him is
 * worthless after a restart.
 *
 * The table is one block: ds_ratelimit_size() bytes, 64-byte aligned, that the caller may allocate
 * itself (on the worker's NUMA socket) and hand to ds_ratelimit_init(); ds_ratelimit_create() does
 * the same with the C library's allocator.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Settings. */
struct ds_ratelimit_params {
	uint32_t rate;          /**< events per second per prefix (> 0) */
	uint32_t burst;         /**< events a quiet prefix may get at once (>= 1) */
	uint8_t ipv4_prefix;    /**< 8..32 */
	uint8_t ipv6_prefix;    /**< 16..128 */
	uint32_t entries;       /**< prefixes tracked, a power of two >= 64 */
	uint64_t tsc_hz;        /**< clock of the @p now arguments (>= rate) */
	uint8_t key[16];        /**< SipHash key choosing the buckets: secret, drawn at random at each start */
};

struct ds_ratelimit;

/**
 * Bytes of the one block a table takes: the table itself and its buckets.
 *
 * @param p  the settings
 * @return the size for ds_ratelimit_init(), or 0 when the settings are out of range
 */
size_t ds_ratelimit_size(const struct ds_ratelimit_params *p);

/**
 * Make a table in memory the caller allocated (rte_zmalloc_socket() on the worker's socket, say).
 * The memory is zeroed here; the caller frees it after the last use, and nothing else needs freeing.
 *
 * @param mem  ds_ratelimit_size(p) bytes, 64-byte aligned
 * @param p    the settings; the key is copied
 * @return the table (at @p mem), or NULL when the settings are out of range or @p mem is NULL or
 *         not 64-byte aligned
 */
struct ds_ratelimit *ds_ratelimit_init(void *mem, const struct ds_ratelimit_params *p);

/**
 * ds_ratelimit_init() into a block from aligned_alloc(): the only allocation.
 *
 * @param p  the settings
 * @return the table, or NULL when out of memory or the settings are out of range
 */
struct ds_ratelimit *ds_ratelimit_create(const struct ds_ratelimit_params *p);

/**
 * A new rate and burst (a reload) for every prefix from now on; the table, its prefixes and their
 * state stay. Only from the thread that owns the table, as every other call.
 * @param rl      the table
 * @param rate    events per second per prefix (> 0)
 * @param burst   events a quiet prefix may get at once (>= 1)
 * @param tsc_hz  the table's clock (>= rate)
 * @return 0, or -1 (nothing changed) when out of range
 */
int ds_ratelimit_retune(struct ds_ratelimit *rl, uint32_t rate, uint32_t burst, uint64_t tsc_hz);

/**
 * Wipe the key and free a table made by ds_ratelimit_create() (not one from ds_ratelimit_init()).
 *
 * @param rl  the table, or NULL
 */
void ds_ratelimit_free(struct ds_ratelimit *rl);

/**
 * May one more event (an HVR, a bad cookie) go to @p addr's prefix at TSC @p now? Consumes a token
 * when it may.
 *
 * @param rl          the table
 * @param addr        4 or 16 bytes, by @p ip_version
 * @param ip_version  4, or anything else for IPv6
 * @param now         the current time on the table's clock
 * @return true when the prefix is under its limit
 */
bool ds_ratelimit_allow(struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version, uint64_t now);

/** Where a prefix's state is: found once, used later. */
struct ds_ratelimit_ref {
	void *bucket;               /**< the prefix's bucket, being fetched */
	uint64_t tag;               /**< the prefix's keyed hash, marked with its IP version */
};

/**
 * Find @p addr's prefix in the table and start fetching its slots: a flood from many prefixes misses
 * the cache on every lookup, so the worker locates a burst's prefixes before its MACs compute and
 * decides with ds_ratelimit_allow_ref() after.
 *
 * @param rl          the table
 * @param addr        4 or 16 bytes, by @p ip_version
 * @param ip_version  4, or anything else for IPv6
 * @param ref         filled for ds_ratelimit_allow_ref()
 */
void ds_ratelimit_locate(const struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version,
			 struct ds_ratelimit_ref *ref);

/**
 * ds_ratelimit_locate() for @p n addresses at once (a burst's): the keyed hashes of a burst computed
 * side by side, then every bucket fetched. refs[i] is what ds_ratelimit_locate() would give.
 *
 * @param addrs        n addresses (4 or 16 bytes by @p ip_versions)
 * @param ip_versions  n versions, 4 or 6
 * @param refs         n references, filled for ds_ratelimit_allow_ref()
 */
void ds_ratelimit_locate_burst(const struct ds_ratelimit *rl, const uint8_t *const *addrs, const uint8_t *ip_versions,
			       unsigned n, struct ds_ratelimit_ref *refs);

/**
 * ds_ratelimit_allow() for a located prefix.
 *
 * @param rl   the table @p ref was located in
 * @param ref  from ds_ratelimit_locate()
 * @param now  the current time on the table's clock
 * @return true when the prefix is under its limit
 */
bool ds_ratelimit_allow_ref(struct ds_ratelimit *rl, const struct ds_ratelimit_ref *ref, uint64_t now);

/**
 * Prefixes whose state was recycled while they were still limited (table too small for the attack).
 *
 * @param rl  the table
 * @return the count since the table was made
 */
uint64_t ds_ratelimit_evictions(const struct ds_ratelimit *rl);

/**
 * The bucket @p addr's prefix falls in, for tests and diagnostics: it reveals the key's placement,
 * so it must never reach telemetry, logs or anything an attacker can read.
 *
 * @param rl          the table
 * @param addr        4 or 16 bytes, by @p ip_version
 * @param ip_version  4, or anything else for IPv6
 * @return the bucket's index, below entries / 4
 */
uint32_t ds_ratelimit_bucket_of(const struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version);

#endif /* DS_RATELIMIT_H */
