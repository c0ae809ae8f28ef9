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
};

/* A manager on the code path the engine runs (ds_cookie_engine_arch()); NULL when out of memory. */
IMB_MGR *mac_floor_manager(const char *arch);

/* HMAC-SHA256 (or -SHA1) jobs with @p key, ready for mac_floor_hmac_burst(). */
void mac_floor_hmac_prepare(struct mac_floor *c, IMB_MGR *mgr, bool sha1, const uint8_t *key, size_t key_len);

/* @p n MACs (n <= DS_COOKIE_BURST_MAX) in one IMB_SUBMIT_HASH_BURST; returns the jobs completed. */
unsigned mac_floor_hmac_burst(struct mac_floor *c, const uint8_t (*inputs)[DS_COOKIE_INPUT_MAX],
			      const size_t *lens, unsigned n);

/* AES-CMAC with a 16-byte @p key: no hash-burst call in ipsec-mb 1.3, the job API's burst calls. */
void mac_floor_cmac_prepare(struct mac_floor *c, IMB_MGR *mgr, const uint8_t *key);
void mac_floor_cmac_burst(struct mac_floor *c, const uint8_t (*inputs)[DS_COOKIE_INPUT_MAX],
			  const size_t *lens, unsigned n);

/* An EVP_MAC context for a cookie format's MAC under @p key (exits when OpenSSL refuses). */
EVP_MAC_CTX *openssl_mac_ctx(enum ds_cookie_mode mode, const uint8_t *key);

/* One MAC with the context's key (re-initialised with a NULL key: the key schedule is kept). */
size_t openssl_mac(EVP_MAC_CTX *ctx, const uint8_t *in, size_t len, uint8_t tag[64]);

#endif
