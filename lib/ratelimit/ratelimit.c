/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_ratelimit.h"

#include <stdlib.h>
#include <string.h>

enum { WAYS = 4 };

/* One prefix: its family, its masked address and its theoretical arrival time. */
struct entry {
	uint64_t hi, lo;
	uint64_t tat;   /* 0: free */
	uint64_t family;
};

struct bucket {
	struct entry e[WAYS];
} __attribute__((aligned(64)));

struct ds_ratelimit {
	uint64_t interval;   /* TSC ticks per HVR */
	uint64_t tolerance;  /* interval * (burst - 1): how far ahead of now a prefix may run */
	uint64_t seed;
	uint64_t evictions;
	uint32_t mask;       /* buckets - 1 */
	uint8_t v4_bits, v6_bits;
	struct bucket *buckets;
};

static bool
params_ok(const struct ds_ratelimit_params *p)
{
	return p->rate > 0 && p->burst >= 1 && p->ipv4_prefix >= 8 && p->ipv4_prefix <= 32 &&
	       p->ipv6_prefix >= 16 && p->ipv6_prefix <= 128 && p->entries >= 64 &&
	       (p->entries & (p->entries - 1)) == 0 && p->tsc_hz >= p->rate;
}

size_t
ds_ratelimit_size(const struct ds_ratelimit_params *p)
{
	return sizeof(struct ds_ratelimit) + (size_t)(p->entries / WAYS) * sizeof(struct bucket);
}

struct ds_ratelimit *
ds_ratelimit_create(const struct ds_ratelimit_params *p)
{
	struct ds_ratelimit *rl;

	if (!params_ok(p))
		return NULL;
	rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return NULL;
	rl->buckets = aligned_alloc(64, (size_t)(p->entries / WAYS) * sizeof(struct bucket));
	if (rl->buckets == NULL) {
		free(rl);
		return NULL;
	}
	memset(rl->buckets, 0, (size_t)(p->entries / WAYS) * sizeof(struct bucket));
	rl->interval = p->tsc_hz / p->rate;
	rl->tolerance = rl->interval * (p->burst - 1);
	rl->seed = p->seed | 1;
	rl->mask = p->entries / WAYS - 1;
	rl->v4_bits = p->ipv4_prefix;
	rl->v6_bits = p->ipv6_prefix;
	return rl;
}

void
ds_ratelimit_free(struct ds_ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->buckets);
	free(rl);
}

uint64_t
ds_ratelimit_evictions(const struct ds_ratelimit *rl)
{
	return rl->evictions;
}

static uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The top @p bits of a 64-bit word (bits may be 0..64). */
static uint64_t
keep_top(uint64_t v, unsigned bits)
{
	return bits == 0 ? 0 : bits >= 64 ? v : v & ~(UINT64_MAX >> bits);
}

static void
prefix_key(const struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version, uint64_t *hi, uint64_t *lo)
{
	if (ip_version == 4) {
		const uint64_t a = (uint64_t)addr[0] << 24 | (uint64_t)addr[1] << 16 | (uint64_t)addr[2] << 8 | addr[3];

		*hi = a & (UINT64_C(0xFFFFFFFF) << (32 - rl->v4_bits)) & UINT64_C(0xFFFFFFFF);
		*lo = 0;
	} else {
		const unsigned bits = rl->v6_bits;

		*hi = keep_top(load_be64(addr), bits > 64 ? 64 : bits);
		*lo = keep_top(load_be64(addr + 8), bits > 64 ? bits - 64 : 0);
	}
}

static uint32_t
bucket_of(const struct ds_ratelimit *rl, uint64_t family, uint64_t hi, uint64_t lo)
{
	uint64_t h = (hi ^ (lo * 0x9E3779B97F4A7C15ull) ^ family) * rl->seed;

	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 32;
	return (uint32_t)h & rl->mask;
}

void
ds_ratelimit_locate(const struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version,
		    struct ds_ratelimit_ref *ref)
{
	struct bucket *b;

	prefix_key(rl, addr, ip_version, &ref->hi, &ref->lo);
	ref->family = ip_version;
	b = &rl->buckets[bucket_of(rl, ref->family, ref->hi, ref->lo)];
	__builtin_prefetch(b, 1);
	__builtin_prefetch((const char *)b + 64, 1);
	ref->bucket = b;
}

bool
ds_ratelimit_allow_ref(struct ds_ratelimit *rl, const struct ds_ratelimit_ref *ref, uint64_t now)
{
	struct bucket *b = ref->bucket;
	struct entry *e = NULL, *victim = &b->e[0];
	uint64_t tat;
	unsigned i;

	for (i = 0; i < WAYS; i++) {
		struct entry *x = &b->e[i];

		if (x->hi == ref->hi && x->lo == ref->lo && x->family == ref->family && x->tat != 0)
			e = x;
		/* A free or idle slot is the best one to take; else the one furthest behind its limit. */
		victim = x->tat < victim->tat ? x : victim;
	}
	if (e == NULL) {
		if (victim->tat > now)
			rl->evictions++;
		victim->hi = ref->hi;
		victim->lo = ref->lo;
		victim->family = ref->family;
		victim->tat = now;
		e = victim;
	}
	tat = e->tat > now ? e->tat : now;
	if (tat - now > rl->tolerance)
		return false;
	e->tat = tat + rl->interval;
	return true;
}

bool
ds_ratelimit_allow(struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version, uint64_t now)
{
	struct ds_ratelimit_ref ref;

	ds_ratelimit_locate(rl, addr, ip_version, &ref);
	return ds_ratelimit_allow_ref(rl, &ref, now);
}
