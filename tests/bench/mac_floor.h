/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BENCH_MAC_FLOOR_H
#define DS_BENCH_MAC_FLOOR_H

/*
 * The MAC alone, measured next to the cookie engine and the appliance: raw ipsec-mb (jobs prepared once,
 * per burst only pointing each job at its input, then one call: the floor), and OpenSSL EVP_MAC with a
 * reused context (what a library server pays per cookie).
 */

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>
#include <openssl/evp.h>

#include "ds_cookie.h"

/* An IPv6 cookie input padded to whole AES blocks. */
enum { MAC_FLOOR_CBC_MAX = 80 };

struct mac_floor {
	IMB_MGR *mgr;
	IMB_HASH_ALG alg;
	IMB_JOB jobs[DS_COOKIE_BURST_MAX];
	uint8_t tags[DS_COOKIE_BURST_MAX][32];
	alignas(64) uint8_t ipad[32];
	alignas(64) uint8_t opad[32];
	alignas(16) uint32_t expanded[4 * 11];
	alignas(16) uint8_t k1[16];
	alignas(16) uint8_t k2[16];
	alignas(64) uint8_t cbc_out[DS_COOKIE_BURST_MAX][MAC_FLOOR_CBC_MAX];
};

/* A manager on the code path the engine runs (ds_cookie_engine_arch()); NULL when out of memory. */
IMB_MGR *mac_floor_manager(const char *arch);

/* HMAC-SHA256 (or -SHA1) jobs with @p key, ready for mac_floor_hmac_burst(). */
void mac_floor_hmac_prepare(struct mac_floor *c, IMB_MGR *mgr, bool sha1, const uint8_t *key, size_t key_len);

/* @p n MACs (n <= DS_COOKIE_BURST_MAX) in one IMB_SUBMIT_HASH_BURST; returns the jobs completed. */
unsigned mac_floor_hmac_burst(struct mac_floor *c, const uint8_t (*inputs)[DS_COOKIE_INPUT_MAX],
			      const size_t *lens, unsigned n);

/* AES-128 key schedule and the CMAC subkeys of a 16-byte @p key. */
void mac_floor_cmac_prepare(struct mac_floor *c, IMB_MGR *mgr, const uint8_t *key);

/*
 * AES-CMAC's floor through the cipher burst (what the engine's aes-cmac format runs): AES-128-CBC with a
 * zero IV over inputs already padded to whole blocks (mac_floor_cbc_pad()), one IMB_SUBMIT_CIPHER_BURST.
 */
void mac_floor_cbc_prepare(struct mac_floor *c, IMB_MGR *mgr, const uint8_t *key);
unsigned mac_floor_cbc_burst(struct mac_floor *c, const uint8_t (*padded)[MAC_FLOOR_CBC_MAX], const size_t *lens,
			     unsigned n);

/* @p in padded with 10* to whole blocks (RFC 4493's padding, without the subkey); returns the length. */
size_t mac_floor_cbc_pad(const uint8_t *in, size_t len, uint8_t out[MAC_FLOOR_CBC_MAX]);

/* An EVP_MAC context for a cookie format's MAC under @p key (exits when OpenSSL refuses). */
EVP_MAC_CTX *openssl_mac_ctx(enum ds_cookie_mode mode, const uint8_t *key);

/* One MAC with the context's key (re-initialised with a NULL key: the key schedule is kept). */
size_t openssl_mac(EVP_MAC_CTX *ctx, const uint8_t *in, size_t len, uint8_t tag[64]);

#endif
