/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Retry tokens and Retry Integrity Tags with ipsec-mb's AES-128-GCM (docs/quic-retry.md). The
 * body layout and associated data are those of the published test vector of
 * draft-ietf-quic-retry-offload (its appendix), so that anyone can check an implementation against it.
 */
#include "ds_quic_token.h"

#include <string.h>

#include "ds_cookie.h"
#include "engine_internal.h"
#include "keyset.h"

static const char *const verdict_names[] = {
#define DS_QUIC_TOKEN_VERDICT_NAME(suffix, name, help) [DS_QUIC_TOKEN_##suffix] = name,
	DS_QUIC_TOKEN_VERDICT_LIST(DS_QUIC_TOKEN_VERDICT_NAME)
#undef DS_QUIC_TOKEN_VERDICT_NAME
};

static const char *const verdict_helps[] = {
#define DS_QUIC_TOKEN_VERDICT_HELP(suffix, name, help) [DS_QUIC_TOKEN_##suffix] = help,
	DS_QUIC_TOKEN_VERDICT_LIST(DS_QUIC_TOKEN_VERDICT_HELP)
#undef DS_QUIC_TOKEN_VERDICT_HELP
};

const char *
ds_quic_token_verdict_name(enum ds_quic_token_verdict v)
{
	return (unsigned)v < DS_QUIC_TOKEN_VERDICT_COUNT ? verdict_names[v] : "invalid";
}

const char *
ds_quic_token_verdict_help(enum ds_quic_token_verdict v)
{
	return (unsigned)v < DS_QUIC_TOKEN_VERDICT_COUNT ? verdict_helps[v] : "invalid";
}

/* Label of the token key derivation from K_epoch (docs/quic-retry.md §2). */
#define TOKEN_KDF_LABEL "dtls-scrubber quic token v1"

enum { AAD_LEN = 16 + DS_QUIC_TOKEN_UNIQUE_LEN + 1, BODY_MAX = DS_QUIC_TOKEN_BODY_FIXED + 2 * DS_QUIC_CID_MAX };

void
keyset_fill_token_key(struct epoch_key *k, IMB_MGR *mgr, const uint8_t epoch_key[DS_COOKIE_EPOCH_KEY_LEN])
{
	uint8_t derived[32];

	imb_hmac_sha256(mgr, epoch_key, DS_COOKIE_EPOCH_KEY_LEN, (const uint8_t *)TOKEN_KDF_LABEL,
			sizeof(TOKEN_KDF_LABEL) - 1, derived);
	IMB_AES128_GCM_PRE(mgr, derived, &k->token_gcm);
	memcpy(k->token_iv, derived + DS_QUIC_TOKEN_KEY_LEN, DS_QUIC_TOKEN_IV_LEN);
	ds_secret_wipe(derived, sizeof(derived));
}

/* The associated data: client address as 16 bytes, unique token number, key byte. */
static void
make_aad(uint8_t aad[AAD_LEN], const struct ds_quic_token_fields *f, const uint8_t *unique, uint8_t key_byte)
{
	memset(aad, 0, 16);
	memcpy(aad, f->client_addr, f->ip_version == 4 ? 4 : 16);
	memcpy(aad + 16, unique, DS_QUIC_TOKEN_UNIQUE_LEN);
	aad[AAD_LEN - 1] = key_byte;
}

static void
make_nonce(uint8_t nonce[DS_QUIC_TOKEN_IV_LEN], const uint8_t *iv, const uint8_t *unique)
{
	unsigned i;

	for (i = 0; i < DS_QUIC_TOKEN_IV_LEN; i++)
		nonce[i] = iv[i] ^ unique[i];
}

static unsigned
seal(IMB_MGR *mgr, const struct gcm_key_data *gcm, const uint8_t *iv, uint8_t key_byte,
     const struct ds_quic_token_fields *f, const uint8_t *unique, uint8_t *token)
{
	uint8_t body[BODY_MAX], aad[AAD_LEN], nonce[DS_QUIC_TOKEN_IV_LEN];
	struct gcm_context_data ctx;
	unsigned n = 0, i;

	body[n++] = f->odcid_len;
	body[n++] = f->rscid_len;
	body[n++] = (uint8_t)(f->client_port >> 8);
	body[n++] = (uint8_t)f->client_port;
	memcpy(body + n, f->odcid, f->odcid_len);
	n += f->odcid_len;
	memcpy(body + n, f->rscid, f->rscid_len);
	n += f->rscid_len;
	for (i = 0; i < 8; i++)
		body[n++] = (uint8_t)(f->expiry_s >> (56 - 8 * i));
	make_aad(aad, f, unique, key_byte);
	make_nonce(nonce, iv, unique);
	token[0] = key_byte;
	memcpy(token + 1, unique, DS_QUIC_TOKEN_UNIQUE_LEN);
	IMB_AES128_GCM_ENC(mgr, gcm, &ctx, token + 1 + DS_QUIC_TOKEN_UNIQUE_LEN, body, n, nonce, aad, AAD_LEN,
			   token + 1 + DS_QUIC_TOKEN_UNIQUE_LEN + n, DS_QUIC_TAG_LEN);
	return 1 + DS_QUIC_TOKEN_UNIQUE_LEN + n + DS_QUIC_TAG_LEN;
}

/* Decrypt and authenticate; the body is only trusted once the tag matched. */
static enum ds_quic_token_verdict
open_body(IMB_MGR *mgr, const struct gcm_key_data *gcm, const uint8_t *iv, const uint8_t *token, size_t len,
	  const struct ds_quic_token_fields *bearer, uint8_t body[BODY_MAX])
{
	const size_t body_len = len - DS_QUIC_TOKEN_OVERHEAD + DS_QUIC_TOKEN_BODY_FIXED;
	uint8_t aad[AAD_LEN], nonce[DS_QUIC_TOKEN_IV_LEN], tag[DS_QUIC_TAG_LEN];
	struct gcm_context_data ctx;

	make_aad(aad, bearer, token + 1, token[0]);
	make_nonce(nonce, iv, token + 1);
	IMB_AES128_GCM_DEC(mgr, gcm, &ctx, body, token + 1 + DS_QUIC_TOKEN_UNIQUE_LEN, body_len, nonce, aad, AAD_LEN,
			   tag, DS_QUIC_TAG_LEN);
	if (ds_ct_memneq(tag, token + len - DS_QUIC_TAG_LEN, DS_QUIC_TAG_LEN))
		return DS_QUIC_TOKEN_BAD_TAG;
	return DS_QUIC_TOKEN_VALID;
}

/* The sealed fields against the datagram that bears them (draft §5.3's list). */
static enum ds_quic_token_verdict
check_body(const uint8_t *body, size_t body_len, const struct ds_quic_token_fields *bearer, uint64_t now_s,
	   struct ds_quic_token_fields *out)
{
	const unsigned odcil = body[0], rscil = body[1];
	uint64_t expiry = 0;
	unsigned i;

	if (odcil < DS_QUIC_MIN_INITIAL_DCID || odcil > DS_QUIC_CID_MAX || rscil > DS_QUIC_CID_MAX ||
	    DS_QUIC_TOKEN_BODY_FIXED + odcil + rscil != body_len || rscil != bearer->rscid_len ||
	    memcmp(body + 4 + odcil, bearer->rscid, rscil) != 0)
		return DS_QUIC_TOKEN_BAD_CONTENT;
	if ((unsigned)(body[2] << 8 | body[3]) != bearer->client_port)
		return DS_QUIC_TOKEN_WRONG_PORT;
	for (i = 0; i < 8; i++)
		expiry = expiry << 8 | body[4 + odcil + rscil + i];
	if (expiry + DS_QUIC_TOKEN_GRACE_S < now_s)
		return DS_QUIC_TOKEN_EXPIRED;
	if (out != NULL) {
		*out = *bearer;
		out->odcid_len = (uint8_t)odcil;
		memcpy(out->odcid, body + 4, odcil);
		out->expiry_s = expiry;
	}
	return DS_QUIC_TOKEN_VALID;
}

static enum ds_quic_token_verdict
token_shape(const uint8_t *token, size_t len)
{
	if (len == 0 || (token[0] & DS_QUIC_TOKEN_NEW_TOKEN_TYPE))
		return DS_QUIC_TOKEN_NOT_RETRY;
	if (len < DS_QUIC_TOKEN_OVERHEAD + DS_QUIC_MIN_INITIAL_DCID || len > DS_QUIC_TOKEN_MAX)
		return DS_QUIC_TOKEN_MALFORMED;
	return DS_QUIC_TOKEN_VALID;
}

static enum ds_quic_token_verdict
open_token(IMB_MGR *mgr, const struct gcm_key_data *gcm, const uint8_t *iv, const uint8_t *token, size_t len,
	   const struct ds_quic_token_fields *bearer, uint64_t now_s, struct ds_quic_token_fields *out)
{
	uint8_t body[BODY_MAX];
	enum ds_quic_token_verdict v = open_body(mgr, gcm, iv, token, len, bearer, body);

	if (v == DS_QUIC_TOKEN_VALID)
		v = check_body(body, len - DS_QUIC_TOKEN_OVERHEAD + DS_QUIC_TOKEN_BODY_FIXED, bearer, now_s, out);
	ds_secret_wipe(body, sizeof(body));
	return v;
}

unsigned
ds_quic_token_seal(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
		   const struct ds_quic_token_fields *f, const uint8_t *unique, uint8_t *token)
{
	const struct epoch_key *k = &ks->keys[0];

	return seal(engine_mgr(e), &k->token_gcm, k->token_iv, DS_QUIC_TOKEN_RETRY_TYPE | (k->epoch & 0x7F), f,
		    unique, token);
}

enum ds_quic_token_verdict
ds_quic_token_open(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks, const uint8_t *token, size_t len,
		   const struct ds_quic_token_fields *bearer, uint64_t now_s, struct ds_quic_token_fields *out)
{
	enum ds_quic_token_verdict v = token_shape(token, len);
	unsigned i;

	if (v != DS_QUIC_TOKEN_VALID)
		return v;
	/* The key sequence names the epoch: current, previous or (in the skew window) next. */
	for (i = 0; i < ks->n_keys; i++) {
		if ((ks->keys[i].epoch & 0x7F) != (token[0] & 0x7F))
			continue;
		v = open_token(engine_mgr(e), &ks->keys[i].token_gcm, ks->keys[i].token_iv, token, len, bearer,
			       now_s, out);
		/* During a master rotation, a token of the other master opens under its key of that epoch. */
		if (v == DS_QUIC_TOKEN_BAD_TAG && ks->has_also)
			v = open_token(engine_mgr(e), &ks->also[i].token_gcm, ks->also[i].token_iv, token, len,
				       bearer, now_s, out);
		return v;
	}
	return DS_QUIC_TOKEN_UNKNOWN_KEY;
}

unsigned
ds_quic_token_seal_with(struct ds_cookie_engine *e, const struct ds_quic_token_key *key,
			const struct ds_quic_token_fields *f, const uint8_t *unique, uint8_t *token)
{
	struct gcm_key_data gcm __attribute__((aligned(64)));
	unsigned n;

	IMB_AES128_GCM_PRE(engine_mgr(e), key->key, &gcm);
	n = seal(engine_mgr(e), &gcm, key->iv, DS_QUIC_TOKEN_RETRY_TYPE | (key->sequence & 0x7F), f, unique, token);
	ds_secret_wipe(&gcm, sizeof(gcm));
	return n;
}

enum ds_quic_token_verdict
ds_quic_token_open_with(struct ds_cookie_engine *e, const struct ds_quic_token_key *key, const uint8_t *token,
			size_t len, const struct ds_quic_token_fields *bearer, uint64_t now_s,
			struct ds_quic_token_fields *out)
{
	struct gcm_key_data gcm __attribute__((aligned(64)));
	enum ds_quic_token_verdict v = token_shape(token, len);

	if (v != DS_QUIC_TOKEN_VALID)
		return v;
	if ((token[0] & 0x7F) != (key->sequence & 0x7F))
		return DS_QUIC_TOKEN_UNKNOWN_KEY;
	IMB_AES128_GCM_PRE(engine_mgr(e), key->key, &gcm);
	v = open_token(engine_mgr(e), &gcm, key->iv, token, len, bearer, now_s, out);
	ds_secret_wipe(&gcm, sizeof(gcm));
	return v;
}

/* RFC 9001 §5.8 and RFC 9369 §3.3.3: fixed keys and nonces, public by design (tamper evidence only). */
static const uint8_t retry_key_v1[16] = { 0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
					  0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e };
static const uint8_t retry_nonce_v1[12] = { 0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb };
static const uint8_t retry_key_v2[16] = { 0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2,
					  0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc, 0x92 };
static const uint8_t retry_nonce_v2[12] = { 0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c, 0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a };

void
engine_prepare_retry_keys(IMB_MGR *mgr, struct gcm_key_data keys[2])
{
	IMB_AES128_GCM_PRE(mgr, retry_key_v1, &keys[0]);
	IMB_AES128_GCM_PRE(mgr, retry_key_v2, &keys[1]);
}

int
ds_quic_retry_tag(struct ds_cookie_engine *e, uint32_t version, const uint8_t *pseudo, size_t len,
		  uint8_t tag[DS_QUIC_TAG_LEN])
{
	struct gcm_context_data ctx;
	const unsigned v2 = version == DS_QUIC_VERSION_2;
	uint8_t none[16];

	if (version != DS_QUIC_VERSION_1 && !v2)
		return -1;
	/* An empty plaintext: the tag is GMAC over the pseudo-packet as associated data. */
	IMB_AES128_GCM_ENC(engine_mgr(e), engine_retry_key(e, v2), &ctx, none, none, 0, v2 ? retry_nonce_v2 : retry_nonce_v1,
			   pseudo, len, tag, DS_QUIC_TAG_LEN);
	return 0;
}
