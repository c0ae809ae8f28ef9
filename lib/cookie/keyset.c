/* SPDX-License-Identifier: BSD-3-Clause */
/* Key derivation and precomputation (docs/cookie-format.md §3). */
#include "keyset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HMAC_BLOCK = 64 };

/* ipsec-mb 1.3 has no automatic choice: take the widest code path the CPU runs. */
static int
choose_arch(IMB_MGR *mgr, char *err, size_t err_len)
{
	const uint64_t f = mgr->features;

	if ((f & IMB_CPUFLAGS_AVX512) == IMB_CPUFLAGS_AVX512)
		init_mb_mgr_avx512(mgr);
	else if ((f & IMB_CPUFLAGS_AVX2) == IMB_CPUFLAGS_AVX2)
		init_mb_mgr_avx2(mgr);
	else if ((f & IMB_CPUFLAGS_AVX) == IMB_CPUFLAGS_AVX)
		init_mb_mgr_avx(mgr);
	else if ((f & IMB_CPUFLAGS_SSE) == IMB_CPUFLAGS_SSE)
		init_mb_mgr_sse(mgr);
	else {
		snprintf(err, err_len, "ipsec-mb: this CPU lacks SSE4.2/AES-NI");
		return -1;
	}
	if (imb_get_errno(mgr) != 0) {
		snprintf(err, err_len, "ipsec-mb: %s", imb_get_strerror(imb_get_errno(mgr)));
		return -1;
	}
	return 0;
}

IMB_MGR *
imb_mgr_create(char *err, size_t err_len)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr == NULL) {
		snprintf(err, err_len, "ipsec-mb: cannot allocate a manager");
		return NULL;
	}
	if (choose_arch(mgr, err, err_len) != 0) {
		free_mb_mgr(mgr);
		return NULL;
	}
	return mgr;
}

IMB_MGR *
imb_mgr_init_in(void *mem, char *err, size_t err_len)
{
	IMB_MGR *mgr = imb_set_pointers_mb_mgr(mem, 0, 1);

	if (mgr == NULL) {
		snprintf(err, err_len, "ipsec-mb: cannot set up a manager in place");
		return NULL;
	}
	return choose_arch(mgr, err, err_len) == 0 ? mgr : NULL;
}

static void
pad_key(const uint8_t *key, size_t key_len, uint8_t pad, uint8_t block[HMAC_BLOCK])
{
	size_t i;

	memset(block, pad, HMAC_BLOCK);
	for (i = 0; i < key_len; i++)
		block[i] ^= key[i];
}

void
imb_hmac_states(IMB_MGR *mgr, bool sha1, const uint8_t *key, size_t key_len, uint8_t *ipad,
		uint8_t *opad)
{
	uint8_t block[HMAC_BLOCK];

	pad_key(key, key_len, 0x36, block);
	if (sha1)
		IMB_SHA1_ONE_BLOCK(mgr, block, ipad);
	else
		IMB_SHA256_ONE_BLOCK(mgr, block, ipad);
	pad_key(key, key_len, 0x5c, block);
	if (sha1)
		IMB_SHA1_ONE_BLOCK(mgr, block, opad);
	else
		IMB_SHA256_ONE_BLOCK(mgr, block, opad);
	ds_secret_wipe(block, sizeof(block));
}

/* HMAC in @p buf, which holds a key block and @p msg_len bytes (at least 32); the key parts are wiped. */
static void
hmac_in(IMB_MGR *mgr, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len, uint8_t *buf,
	uint8_t out[32])
{
	uint8_t inner[32];

	/* ipsec-mb hashes one contiguous message: the padded key block goes in front of a copy. */
	pad_key(key, key_len, 0x36, buf);
	memcpy(buf + HMAC_BLOCK, msg, msg_len);
	IMB_SHA256(mgr, buf, HMAC_BLOCK + msg_len, inner);
	pad_key(key, key_len, 0x5c, buf);
	memcpy(buf + HMAC_BLOCK, inner, sizeof(inner));
	IMB_SHA256(mgr, buf, HMAC_BLOCK + sizeof(inner), out);
	ds_secret_wipe(buf, HMAC_BLOCK + sizeof(inner));
	ds_secret_wipe(inner, sizeof(inner));
}

void
imb_hmac_sha256(IMB_MGR *mgr, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
		uint8_t out[32])
{
	uint8_t buf[HMAC_BLOCK + HMAC_BLOCK];

	hmac_in(mgr, key, key_len, msg, msg_len, buf, out);
	ds_secret_wipe(buf, sizeof(buf));
}

int
imb_hmac_sha256_any(IMB_MGR *mgr, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
		    uint8_t out[32])
{
	uint8_t *buf;

	if (msg_len <= HMAC_BLOCK) {
		imb_hmac_sha256(mgr, key, key_len, msg, msg_len, out);
		return 0;
	}
	if ((buf = malloc(HMAC_BLOCK + msg_len)) == NULL)
		return -ENOMEM;
	hmac_in(mgr, key, key_len, msg, msg_len, buf, out);
	free(buf);
	return 0;
}

void
keyset_derive(IMB_MGR *mgr, const struct ds_secret *master, uint64_t epoch,
	      uint8_t key[DS_COOKIE_EPOCH_KEY_LEN])
{
	uint8_t msg[sizeof(DS_COOKIE_KDF_LABEL) - 1 + 8];
	unsigned i;

	memcpy(msg, DS_COOKIE_KDF_LABEL, sizeof(DS_COOKIE_KDF_LABEL) - 1);
	for (i = 0; i < 8; i++)
		msg[sizeof(DS_COOKIE_KDF_LABEL) - 1 + i] = (uint8_t)(epoch >> (56 - 8 * i));
	imb_hmac_sha256(mgr, master->bytes, master->len, msg, sizeof(msg), key);
}

void
keyset_fill_key(struct epoch_key *k, IMB_MGR *mgr, const struct ds_secret *master,
		enum ds_cookie_mode mode, uint64_t epoch)
{
	uint8_t key[DS_COOKIE_EPOCH_KEY_LEN];
	uint8_t unused_dec[16 * 11] __attribute__((aligned(16)));

	memset(k, 0, sizeof(*k));
	keyset_derive(mgr, master, epoch, key);
	k->epoch = epoch;
	k->key_id = (uint8_t)epoch;
	keyset_fill_token_key(k, mgr, key);
	switch (mode) {
	case DS_COOKIE_HMAC_SHA256:
	case DS_COOKIE_WOLFSSL:
		/* wolfSSL servers are given the whole K_epoch as their cookie secret. */
		imb_hmac_states(mgr, false, key, sizeof(key), k->ipad, k->opad);
		break;
	case DS_COOKIE_HMAC_SHA1:
		imb_hmac_states(mgr, true, key, sizeof(key), k->ipad, k->opad);
		break;
	case DS_COOKIE_GNUTLS:
		/* GnuTLS servers are given a 16-byte key: the first half of K_epoch. */
		imb_hmac_states(mgr, true, key, 16, k->ipad, k->opad);
		break;
	default:
		IMB_AES_KEYEXP_128(mgr, key, k->cmac_expanded, unused_dec);
		IMB_AES_CMAC_SUBKEY_GEN_128(mgr, k->cmac_expanded, k->cmac_k1, k->cmac_k2);
		ds_secret_wipe(unused_dec, sizeof(unused_dec));
		break;
	}
	ds_secret_wipe(key, sizeof(key));
}

void
keyset_build(struct ds_cookie_keyset *ks, IMB_MGR *mgr, const struct ds_secret *master,
	     const struct ds_secret *also, const struct ds_cookie_params *params, uint64_t epoch, bool with_next,
	     uint64_t generation)
{
	const uint64_t epochs[KEYSET_MAX_KEYS] = { epoch, epoch - 1, epoch + 1 };
	unsigned k;

	ks->generation = generation;
	ks->params = *params;
	ks->n_keys = with_next ? 3 : 2;
	ks->has_also = also != NULL;
	for (k = 0; k < KEYSET_MAX_KEYS; k++) {
		if (k < ks->n_keys)
			keyset_fill_key(&ks->keys[k], mgr, master, params->mode, epochs[k]);
		else
			ds_secret_wipe(&ks->keys[k], sizeof(ks->keys[k]));
		if (also != NULL && k < ks->n_keys)
			keyset_fill_key(&ks->also[k], mgr, also, params->mode, epochs[k]);
		else
			ds_secret_wipe(&ks->also[k], sizeof(ks->also[k]));
	}
}
