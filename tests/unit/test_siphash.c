/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (lib/siphash) against the paper and against OpenSSL:
 *
 *  a. the known answers: the paper's Appendix A example, and OpenSSL giving the same for it;
 *  b. 100 000 random keys and messages of 0..64 bytes (every tail length, up to eight blocks)
 *     against OpenSSL 3's EVP_MAC "SIPHASH";
 *  c. ds_siphash_2u64() against ds_siphash() of the same 16 bytes, random words and edge values.
 *
 * The random inputs come from a fixed seed, printed, so a failure can be replayed.
 */
#include <inttypes.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "ds_siphash.h"
#include "tap.h"

enum { RANDOM_ROUNDS = 100000, MAX_MSG = 64, MAX_REPORTED = 5 };

static const uint64_t SEED = UINT64_C(0x5eed0f51fa5a2024);

/* Known answers: key bytes 00 01 .. 0f, message bytes 00 01 .. len-1. */
static const struct {
	const char *what;
	size_t len;
	uint64_t expected;
} kats[] = {
	{ "SipHash paper, Appendix A (15-byte message)", 15, UINT64_C(0xa129ca6149be45e5) },
};

/* splitmix64: a small generator whose whole state is one word, so a seed replays a run exactly. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ z >> 30) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ z >> 27) * UINT64_C(0x94d049bb133111eb);
	return z ^ z >> 31;
}

static void
fill_random(uint64_t *state, uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)next_random(state);
}

static void
store_le64(uint8_t *p, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static EVP_MAC_CTX *
openssl_siphash_new(void)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;

	EVP_MAC_free(m);
	if (ctx == NULL)
		tap_bail("OpenSSL: no SIPHASH MAC");
	return ctx;
}

/*
 * OpenSSL's SipHash, 64-bit output. Its default output is 128 bits (SipHash-128), so the size is set
 * at every init. EVP_MAC_final() writes the 64-bit result as its 8 little-endian bytes (the order of
 * the paper's test vectors: a129ca6149be45e5 comes out as e5 45 be 49 61 ca 29 a1), which is why our
 * value is compared as its little-endian bytes; check a.1.2 holds OpenSSL to that order on the paper's
 * example.
 */
static void
openssl_siphash(EVP_MAC_CTX *ctx, const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t out[8])
{
	size_t size = 8, out_len = 0;
	const OSSL_PARAM params[] = {
		OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
		OSSL_PARAM_construct_end(),
	};

	if (!EVP_MAC_init(ctx, key, 16, params) || !EVP_MAC_update(ctx, msg, len) ||
	    !EVP_MAC_final(ctx, out, &out_len, 8) || out_len != 8)
		tap_bail("OpenSSL EVP_MAC SIPHASH failed");
}

/* @p b as 16 hex digits in byte order, for failure messages. */
static const char *
hex8(const uint8_t b[8], char out[17])
{
	unsigned i;

	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return out;
}

static void
sequence(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)i;
}

static void
check_known_answers(EVP_MAC_CTX *ctx)
{
	uint8_t key_bytes[16], msg[MAX_MSG], out[8], expected_bytes[8];
	struct ds_siphash_key key;
	size_t step;

	sequence(key_bytes, sizeof(key_bytes));
	ds_siphash_key_from_bytes(&key, key_bytes);
	for (step = 0; step < sizeof(kats) / sizeof(kats[0]); step++) {
		uint64_t got;

		sequence(msg, kats[step].len);
		got = ds_siphash(&key, msg, kats[step].len);
		tap_check(got == kats[step].expected, "a.%zu.1: %s: 0x%016" PRIx64 " (expected 0x%016" PRIx64 ")",
			  step + 1, kats[step].what, got, kats[step].expected);
		openssl_siphash(ctx, key_bytes, msg, kats[step].len, out);
		store_le64(expected_bytes, kats[step].expected);
		tap_check(memcmp(out, expected_bytes, 8) == 0,
			  "a.%zu.2: %s: OpenSSL gives the value's little-endian bytes (%02x %02x .. %02x)", step + 1,
			  kats[step].what, out[0], out[1], out[7]);
	}
}

static void
check_against_openssl(EVP_MAC_CTX *ctx)
{
	struct tap_group g = { 0 };
	uint64_t state = SEED;
	uint8_t key_bytes[16], msg[MAX_MSG], out[8], ours[8];
	char ours_hex[17], out_hex[17];
	unsigned step, lengths_seen = 0;
	bool seen[MAX_MSG + 1] = { false };

	for (step = 1; step <= RANDOM_ROUNDS && g.failures < MAX_REPORTED; step++) {
		const size_t len = next_random(&state) % (MAX_MSG + 1);
		struct ds_siphash_key key;

		fill_random(&state, key_bytes, sizeof(key_bytes));
		fill_random(&state, msg, len);
		ds_siphash_key_from_bytes(&key, key_bytes);
		store_le64(ours, ds_siphash(&key, msg, len));
		openssl_siphash(ctx, key_bytes, msg, len, out);
		tap_sub(&g, memcmp(ours, out, 8) == 0, "b.%u: %zu-byte message: bytes %s, OpenSSL %s", step, len,
			hex8(ours, ours_hex), hex8(out, out_hex));
		lengths_seen += !seen[len];
		seen[len] = true;
	}
	tap_group_done(&g, "b: %u random keys and messages (seed 0x%016" PRIx64 ") agree with OpenSSL", RANDOM_ROUNDS,
		       SEED);
	tap_check(lengths_seen == MAX_MSG + 1, "b: every length 0..%u was tried (%u of %u)", MAX_MSG, lengths_seen,
		  MAX_MSG + 1);
}

static void
check_2u64(void)
{
	static const uint64_t edges[][2] = {
		{ 0, 0 },
		{ UINT64_MAX, UINT64_MAX },
		{ 1, 0 },
		{ 0, UINT64_C(1) << 63 },
		{ UINT64_C(0x0001020304050607), UINT64_C(0x08090a0b0c0d0e0f) },
	};
	struct tap_group g = { 0 };
	uint64_t state = SEED ^ 0x2;
	unsigned step;

	for (step = 1; step <= RANDOM_ROUNDS && g.failures < MAX_REPORTED; step++) {
		const size_t n_edges = sizeof(edges) / sizeof(edges[0]);
		uint8_t key_bytes[16], msg[16];
		struct ds_siphash_key key;
		uint64_t a, b, got, want;

		fill_random(&state, key_bytes, sizeof(key_bytes));
		ds_siphash_key_from_bytes(&key, key_bytes);
		/* The first rows are the edges, each under a random key; then random words. */
		a = step <= n_edges ? edges[step - 1][0] : next_random(&state);
		b = step <= n_edges ? edges[step - 1][1] : next_random(&state);
		store_le64(msg, a);
		store_le64(msg + 8, b);
		got = ds_siphash_2u64(&key, a, b);
		want = ds_siphash(&key, msg, sizeof(msg));
		tap_sub(&g, got == want,
			"c.%u: a 0x%016" PRIx64 " b 0x%016" PRIx64 ": 0x%016" PRIx64 ", over the bytes 0x%016" PRIx64,
			step, a, b, got, want);
	}
	tap_group_done(&g, "c: ds_siphash_2u64 equals ds_siphash over the 16 little-endian bytes (%u inputs)",
		       RANDOM_ROUNDS);
}

int
main(void)
{
	EVP_MAC_CTX *ctx = openssl_siphash_new();

	check_known_answers(ctx);
	check_against_openssl(ctx);
	check_2u64();
	EVP_MAC_CTX_free(ctx);
	return tap_done();
}
