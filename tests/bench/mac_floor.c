/* SPDX-License-Identifier: BSD-3-Clause */
#include "mac_floor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>

IMB_MGR *
mac_floor_manager(const char *arch)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr == NULL)
		return NULL;
	if (strcmp(arch, "avx512") == 0)
		init_mb_mgr_avx512(mgr);
	else if (strcmp(arch, "avx2") == 0)
		init_mb_mgr_avx2(mgr);
	else if (strcmp(arch, "avx") == 0)
		init_mb_mgr_avx(mgr);
	else
		init_mb_mgr_sse(mgr);
	return mgr;
}

void
mac_floor_hmac_prepare(struct mac_floor *c, IMB_MGR *mgr, bool sha1, const uint8_t *key, size_t key_len)
{
	uint8_t block[64];
	unsigned i;

	c->mgr = mgr;
	c->alg = sha1 ? IMB_AUTH_HMAC_SHA_1 : IMB_AUTH_HMAC_SHA_256;
	for (i = 0; i < 64; i++)
		block[i] = (uint8_t)((i < key_len ? key[i] : 0) ^ 0x36);
	if (sha1)
		IMB_SHA1_ONE_BLOCK(mgr, block, c->ipad);
	else
		IMB_SHA256_ONE_BLOCK(mgr, block, c->ipad);
	for (i = 0; i < 64; i++)
		block[i] = (uint8_t)((i < key_len ? key[i] : 0) ^ 0x5c);
	if (sha1)
		IMB_SHA1_ONE_BLOCK(mgr, block, c->opad);
	else
		IMB_SHA256_ONE_BLOCK(mgr, block, c->opad);
	for (i = 0; i < DS_COOKIE_BURST_MAX; i++) {
		IMB_JOB *job = &c->jobs[i];

		memset(job, 0, sizeof(*job));
		job->cipher_mode = IMB_CIPHER_NULL;
		job->chain_order = IMB_ORDER_HASH_CIPHER;
		job->hash_alg = c->alg;
		job->auth_tag_output = c->tags[i];
		job->auth_tag_output_len_in_bytes = sha1 ? 20 : 32;
		job->u.HMAC._hashed_auth_key_xor_ipad = c->ipad;
		job->u.HMAC._hashed_auth_key_xor_opad = c->opad;
	}
}

unsigned
mac_floor_hmac_burst(struct mac_floor *c, const uint8_t (*inputs)[DS_COOKIE_INPUT_MAX], const size_t *lens,
		     unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		c->jobs[i].src = inputs[i];
		c->jobs[i].msg_len_to_hash_in_bytes = lens[i];
	}
	return IMB_SUBMIT_HASH_BURST(c->mgr, c->jobs, n, c->alg);
}

void
mac_floor_cmac_prepare(struct mac_floor *c, IMB_MGR *mgr, const uint8_t *key)
{
	uint8_t dec[16 * 11] __attribute__((aligned(16)));

	c->mgr = mgr;
	IMB_AES_KEYEXP_128(mgr, key, c->expanded, dec);
	IMB_AES_CMAC_SUBKEY_GEN_128(mgr, c->expanded, c->k1, c->k2);
}

void
mac_floor_cbc_prepare(struct mac_floor *c, IMB_MGR *mgr, const uint8_t *key)
{
	static const uint8_t zero_iv[16] __attribute__((aligned(16)));
	unsigned i;

	mac_floor_cmac_prepare(c, mgr, key);
	for (i = 0; i < DS_COOKIE_BURST_MAX; i++) {
		IMB_JOB *job = &c->jobs[i];

		memset(job, 0, sizeof(*job));
		job->cipher_mode = IMB_CIPHER_CBC;
		job->cipher_direction = IMB_DIR_ENCRYPT;
		job->chain_order = IMB_ORDER_CIPHER_HASH;
		job->hash_alg = IMB_AUTH_NULL;
		job->key_len_in_bytes = IMB_KEY_128_BYTES;
		job->enc_keys = c->expanded;
		job->iv = zero_iv;
		job->iv_len_in_bytes = 16;
		job->dst = c->cbc_out[i];
	}
}

unsigned
mac_floor_cbc_burst(struct mac_floor *c, const uint8_t (*padded)[MAC_FLOOR_CBC_MAX], const size_t *lens, unsigned n)
{
	unsigned i, done = 0, chunk, start;

	for (i = 0; i < n; i++) {
		c->jobs[i].src = padded[i];
		c->jobs[i].msg_len_to_cipher_in_bytes = lens[i];
	}
	for (start = 0; start < n; start += chunk) {
		chunk = n - start < IMB_MAX_BURST_SIZE ? n - start : IMB_MAX_BURST_SIZE;
		done += IMB_SUBMIT_CIPHER_BURST(c->mgr, c->jobs + start, chunk, IMB_CIPHER_CBC, IMB_DIR_ENCRYPT,
						IMB_KEY_128_BYTES);
	}
	return done;
}

size_t
mac_floor_cbc_pad(const uint8_t *in, size_t len, uint8_t out[MAC_FLOOR_CBC_MAX])
{
	const size_t padded = len == 0 ? 16 : (len + 15) / 16 * 16;

	if (padded > MAC_FLOOR_CBC_MAX)
		return 0;
	memcpy(out, in, len);
	if (padded != len) {
		out[len] = 0x80;
		memset(out + len + 1, 0, padded - len - 1);
	}
	return padded;
}

EVP_MAC_CTX *
openssl_mac_ctx(enum ds_cookie_mode mode, const uint8_t *key)
{
	const bool cmac = mode == DS_COOKIE_AES_CMAC;
	EVP_MAC *m = EVP_MAC_fetch(NULL, cmac ? "CMAC" : "HMAC", NULL);
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(m);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(cmac ? OSSL_MAC_PARAM_CIPHER : OSSL_MAC_PARAM_DIGEST,
						 cmac ? "AES-128-CBC"
						      : mode == DS_COOKIE_HMAC_SHA256 ? "SHA256" : "SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	const size_t key_len = mode == DS_COOKIE_HMAC_SHA256 || mode == DS_COOKIE_HMAC_SHA1 ? 32 : 16;

	EVP_MAC_free(m);
	if (ctx == NULL || !EVP_MAC_CTX_set_params(ctx, params) || !EVP_MAC_init(ctx, key, key_len, NULL)) {
		fprintf(stderr, "OpenSSL EVP_MAC setup failed\n");
		exit(1);
	}
	return ctx;
}

size_t
openssl_mac(EVP_MAC_CTX *ctx, const uint8_t *in, size_t len, uint8_t tag[64])
{
	size_t out = 0;

	EVP_MAC_init(ctx, NULL, 0, NULL); /* NULL key: keep the key schedule */
	EVP_MAC_update(ctx, in, len);
	EVP_MAC_final(ctx, tag, &out, 64);
	return out;
}
