/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_SIPHASH_H
#define DS_SIPHASH_H

/**
 * @file
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed hash for
 * tables indexed by attacker-chosen input. Without the key, an attacker cannot tell which inputs
 * share a bucket, so cannot pile them onto a victim's. Pure C, no DPDK.
 *
 * ds_siphash_2u64() is inline because the rate limiter calls it once per packet; ds_siphash() is
 * the general form that the tests hold it to.
 */

#include <stddef.h>
#include <stdint.h>

/** A 128-bit key as the two little-endian words the algorithm works on. */
struct ds_siphash_key {
	uint64_t k0; /**< key bytes 0..7, little-endian */
	uint64_t k1; /**< key bytes 8..15, little-endian */
};

/**
 * Load a key from its 16 bytes (the order of the paper's test vectors and of OpenSSL's "SIPHASH").
 *
 * @param key    the key to fill
 * @param bytes  16 secret bytes, drawn at random by the caller
 */
void ds_siphash_key_from_bytes(struct ds_siphash_key *key, const uint8_t bytes[16]);

/**
 * SipHash-2-4 of @p len bytes.
 *
 * @param key   the key
 * @param data  the message (may be NULL when @p len is 0)
 * @param len   its length in bytes
 * @return the 64-bit result; its little-endian bytes are what the paper and OpenSSL print
 */
uint64_t ds_siphash(const struct ds_siphash_key *key, const void *data, size_t len);

/* The algorithm's state and round, for the inline form below: not part of the API. */
struct ds_siphash_state_ {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t
ds_siphash_rotl_(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

static inline void
ds_siphash_round_(struct ds_siphash_state_ *s)
{
	s->v0 += s->v1;
	s->v1 = ds_siphash_rotl_(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ds_siphash_rotl_(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ds_siphash_rotl_(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ds_siphash_rotl_(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ds_siphash_rotl_(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ds_siphash_rotl_(s->v2, 32);
}

/* "somepseudorandomlygeneratedbytes", as four big-endian words, xored with the key. */
static inline struct ds_siphash_state_
ds_siphash_start_(const struct ds_siphash_key *key)
{
	return (struct ds_siphash_state_){
		.v0 = key->k0 ^ UINT64_C(0x736f6d6570736575),
		.v1 = key->k1 ^ UINT64_C(0x646f72616e646f6d),
		.v2 = key->k0 ^ UINT64_C(0x6c7967656e657261),
		.v3 = key->k1 ^ UINT64_C(0x7465646279746573),
	};
}

/* One message word through the 2 compression rounds. */
static inline void
ds_siphash_absorb_(struct ds_siphash_state_ *s, uint64_t m)
{
	s->v3 ^= m;
	ds_siphash_round_(s);
	ds_siphash_round_(s);
	s->v0 ^= m;
}

/* The 4 finalisation rounds, after the last block has been absorbed. */
static inline uint64_t
ds_siphash_finish_(struct ds_siphash_state_ *s)
{
	s->v2 ^= 0xff;
	ds_siphash_round_(s);
	ds_siphash_round_(s);
	ds_siphash_round_(s);
	ds_siphash_round_(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/**
 * ds_siphash() of the 16 bytes @p a ‖ @p b, each word little-endian: the same value, without the
 * byte loop (two words of message and one length block, all known at compile time).
 *
 * @param key  the key
 * @param a    message bytes 0..7
 * @param b    message bytes 8..15
 * @return ds_siphash(key, le64(a) ‖ le64(b), 16)
 */
static inline uint64_t
ds_siphash_2u64(const struct ds_siphash_key *key, uint64_t a, uint64_t b)
{
	struct ds_siphash_state_ s = ds_siphash_start_(key);

	ds_siphash_absorb_(&s, a);
	ds_siphash_absorb_(&s, b);
	/* The last block of a 16-byte message holds no data bytes, only the length. */
	ds_siphash_absorb_(&s, (uint64_t)16 << 56);
	return ds_siphash_finish_(&s);
}

#endif /* DS_SIPHASH_H */
