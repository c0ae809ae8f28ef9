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
mac_floor_cmac_burst(struct mac_floor *c, const uint8_t (*inputs)[DS_COOKIE_INPUT_MAX], const size_t *lens,
		     unsigned n)
{
	IMB_JOB *jobs[DS_COOKIE_BURST_MAX];
	unsigned got = IMB_GET_NEXT_BURST(c->mgr, n, jobs), i;

	for (i = 0; i < got; i++) {
		jobs[i]->cipher_mode = IMB_CIPHER_NULL;
		jobs[i]->cipher_direction = IMB_DIR_ENCRYPT;
		jobs[i]->chain_order = IMB_ORDER_HASH_CIPHER;
		jobs[i]->hash_alg = IMB_AUTH_AES_CMAC;
		jobs[i]->src = inputs[i];
		jobs[i]->hash_start_src_offset_in_bytes = 0;
		jobs[i]->msg_len_to_hash_in_bytes = lens[i];
		jobs[i]->auth_tag_output = c->tags[i];
		jobs[i]->auth_tag_output_len_in_bytes = 16;
		jobs[i]->u.CMAC._key_expanded = c->expanded;
		jobs[i]->u.CMAC._skey1 = c->k1;
		jobs[i]->u.CMAC._skey2 = c->k2;
	}
	IMB_SUBMIT_BURST(c->mgr, got, jobs);
	while (IMB_FLUSH_BURST(c->mgr, DS_COOKIE_BURST_MAX, jobs) > 0)
		;
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
