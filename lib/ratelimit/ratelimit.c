/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_ratelimit.h"

#include <stdlib.h>
#include <string.h>

#include "ds_siphash.h"

enum { WAYS = 4, LINE = 64 };

/*
 * One prefix: its tag and its theoretical arrival time. The tag is the prefix's keyed hash (its lowest
 * bit the family), not the prefix itself: sixteen bytes an entry put a bucket of four in one cache
 * line, one miss per located prefix instead of two. Two prefixes of a bucket with the same 63-bit hash
 * would share an allowance; the key is secret and drawn at each start, so nobody can aim for that.
 */
struct entry {
	uint64_t tag;
	uint64_t tat;   /* 0: free */
};

struct bucket {
	struct entry e[WAYS];
} __attribute__((aligned(LINE)));

_Static_assert(sizeof(struct bucket) == LINE, "a bucket is one cache line");

/*
 * The buckets follow the header in the same block: one allocation the caller can place on its socket,
 * and no pointer to load before the bucket's address is known. The bucket type's alignment pads the
 * header to a whole cache line, so the buckets start on one.
 */
struct ds_ratelimit {
	struct ds_siphash_key key;
	uint64_t interval;   /* TSC ticks per event */
	uint64_t tolerance;  /* interval * (burst - 1): how far ahead of now a prefix may run */
	uint64_t evictions;
	uint32_t mask;       /* buckets - 1 */
	uint8_t v4_bits, v6_bits;
	struct bucket buckets[];
};

_Static_assert(sizeof(struct ds_ratelimit) % LINE == 0, "buckets start on a cache line");

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
	if (!params_ok(p))
		return 0;
	return sizeof(struct ds_ratelimit) + (size_t)(p->entries / WAYS) * sizeof(struct bucket);
}

struct ds_ratelimit *
ds_ratelimit_init(void *mem, const struct ds_ratelimit_params *p)
{
	const size_t size = ds_ratelimit_size(p);
	struct ds_ratelimit *rl = mem;

	/* A misaligned block would spread each bucket over two cache lines: a second miss per lookup. */
	if (size == 0 || mem == NULL || (uintptr_t)mem % LINE != 0)
		return NULL;
	memset(rl, 0, size);
	ds_siphash_key_from_bytes(&rl->key, p->key);
	rl->interval = p->tsc_hz / p->rate;
	rl->tolerance = rl->interval * (p->burst - 1);
	rl->mask = p->entries / WAYS - 1;
	rl->v4_bits = p->ipv4_prefix;
	rl->v6_bits = p->ipv6_prefix;
	return rl;
}

int
ds_ratelimit_retune(struct ds_ratelimit *rl, uint32_t rate, uint32_t burst, uint64_t tsc_hz)
{
	if (rate == 0 || burst == 0 || tsc_hz < rate)
		return -1;
	rl->interval = tsc_hz / rate;
	rl->tolerance = rl->interval * (burst - 1);
	return 0;
}

struct ds_ratelimit *
ds_ratelimit_create(const struct ds_ratelimit_params *p)
{
	const size_t size = ds_ratelimit_size(p);
	void *mem;

	if (size == 0)
		return NULL;
	/* size is a whole number of cache lines, as aligned_alloc() requires of its alignment. */
	mem = aligned_alloc(LINE, size);
	if (mem == NULL)
		return NULL;
	return ds_ratelimit_init(mem, p);
}

void
ds_ratelimit_free(struct ds_ratelimit *rl)
{
	if (rl == NULL)
		return;
	/* A key seen after exit would tell which prefixes shared buckets in this run. */
	explicit_bzero(&rl->key, sizeof(rl->key));
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

/*
 * IPv4 and IPv6 prefixes must be different messages, or each IPv4 prefix would share its bucket with
 * one IPv6 prefix under every key. An IPv6 prefix of at most 127 bits leaves the last bit of lo clear,
 * so IPv4 (whose lo is 0) hashes with lo = 1. Only at /128 does each IPv4 prefix share its input with
 * one IPv6 address (hi = the IPv4 prefix, lo = 1: inside the reserved ::/32), and even then the two
 * keep separate entries, which compare the family.
 */
static uint64_t
hash_of(const struct ds_ratelimit *rl, unsigned ip_version, uint64_t hi, uint64_t lo)
{
	return ds_siphash_2u64(&rl->key, hi, ip_version == 4 ? 1 : lo);
}

/* The entry's tag: the hash, its lowest bit replaced by the family (an IPv4 prefix and the one IPv6
 * /128 that hashes alike keep apart). */
static uint64_t
tag_of(uint64_t hash, unsigned ip_version)
{
	return (hash & ~UINT64_C(1)) | (ip_version != 4);
}

static void
point_at(const struct ds_ratelimit *rl, uint64_t hash, unsigned ip_version, struct ds_ratelimit_ref *ref)
{
	const struct bucket *b = &rl->buckets[(uint32_t)hash & rl->mask];

	__builtin_prefetch(b, 1);
	/* Locating only reads the table; allow_ref(), given it writable, updates the bucket. */
	ref->bucket = (void *)b;
	ref->tag = tag_of(hash, ip_version);
}

uint32_t
ds_ratelimit_bucket_of(const struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version)
{
	uint64_t hi, lo;

	prefix_key(rl, addr, ip_version, &hi, &lo);
	return (uint32_t)hash_of(rl, ip_version, hi, lo) & rl->mask;
}

void
ds_ratelimit_locate(const struct ds_ratelimit *rl, const uint8_t *addr, unsigned ip_version,
		    struct ds_ratelimit_ref *ref)
{
	uint64_t hi, lo;

	prefix_key(rl, addr, ip_version, &hi, &lo);
	point_at(rl, hash_of(rl, ip_version, hi, lo), ip_version, ref);
}

void
ds_ratelimit_locate_burst(const struct ds_ratelimit *rl, const uint8_t *const *addrs, const uint8_t *ip_versions,
			  unsigned n, struct ds_ratelimit_ref *refs)
{
	enum { CHUNK = 16 };
	uint64_t hi[CHUNK], lo[CHUNK], h[CHUNK];
	unsigned done, chunk, i;

	for (done = 0; done < n; done += chunk) {
		chunk = n - done < CHUNK ? n - done : CHUNK;
		for (i = 0; i < chunk; i++) {
			prefix_key(rl, addrs[done + i], ip_versions[done + i], &hi[i], &lo[i]);
			lo[i] = ip_versions[done + i] == 4 ? 1 : lo[i];
		}
		/* Independent hashes in a plain loop: the compiler runs them side by side in vector lanes. */
		for (i = 0; i < chunk; i++)
			h[i] = ds_siphash_2u64(&rl->key, hi[i], lo[i]);
		for (i = 0; i < chunk; i++)
			point_at(rl, h[i], ip_versions[done + i], &refs[done + i]);
	}
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

		if (x->tag == ref->tag && x->tat != 0)
			e = x;
		/* A free or idle slot is the best one to take; else the one furthest behind its limit. */
		victim = x->tat < victim->tat ? x : victim;
	}
	if (e == NULL) {
		if (victim->tat > now)
			rl->evictions++;
		victim->tag = ref->tag;
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
