/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_RATELIMIT_H
#define DS_RATELIMIT_H

/**
 * @file
 * HelloVerifyRequests per destination prefix, per worker: a spoofed flood aimed at one victim gets at
 * most `rate` HVRs per second (after a first `burst`) back to the victim's prefix, whatever the number
 * of spoofed addresses in it.
 *
 * Each prefix has a token bucket kept as its theoretical arrival time (GCRA: one 64-bit TSC value,
 * exact with no refill arithmetic). Prefixes live in a fixed table of 4-entry buckets made at start:
 * no allocation, bounded memory. A prefix not in its bucket takes the slot of an idle prefix (its
 * bucket already full again, so forgetting it changes nothing), else the least loaded one, which
 * starts over with a full bucket: recycling can only give a victim a burst more, never block a
 * prefix that is under its limit.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Settings. */
struct ds_ratelimit_params {
	uint32_t rate;          /**< HVRs per second per prefix (> 0) */
	uint32_t burst;         /**< HVRs a quiet prefix may get at once (>= 1) */
	uint8_t ipv4_prefix;    /**< 8..32 */
	uint8_t ipv6_prefix;    /**< 16..128 */
	uint32_t entries;       /**< prefixes tracked, a power of two >= 64 */
	uint64_t tsc_hz;        /**< clock of the @p now arguments */
	uint64_t seed;          /**< hash seed (random: prefixes an attacker cannot aim at one bucket) */
};

struct ds_ratelimit;

/** Build a table (the only allocation). NULL when out of memory or the parameters are out of range. */
struct ds_ratelimit *ds_ratelimit_create(const struct ds_ratelimit_params *p);

void ds_ratelimit_free(struct ds_ratelimit *rl);

/**
 * May one more HVR go to @p addr (4 or 16 bytes, by @p ip_version) at TSC @p now? Consumes a token
 * when it may.
 */
bool ds_ratelimit_allow(struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version, uint64_t now);

/** Where a prefix's state is: found once, used later. */
struct ds_ratelimit_ref {
	void *bucket;
	uint64_t hi, lo, family;
};

/**
 * Find @p addr's prefix in the table and start fetching its slots: a flood from many prefixes misses
 * the cache on every lookup, so the worker locates a burst's prefixes before its MACs compute and
 * decides with ds_ratelimit_allow_ref() after.
 */
void ds_ratelimit_locate(const struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version,
			 struct ds_ratelimit_ref *ref);

/** ds_ratelimit_allow() for a located prefix. */
bool ds_ratelimit_allow_ref(struct ds_ratelimit *rl, const struct ds_ratelimit_ref *ref, uint64_t now);

/** Prefixes whose state was recycled while they were still limited (table too small for the attack). */
uint64_t ds_ratelimit_evictions(const struct ds_ratelimit *rl);

/** Bytes the table takes. */
size_t ds_ratelimit_size(const struct ds_ratelimit_params *p);

#endif /* DS_RATELIMIT_H */
