/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The QUIC crypto the Retry service rests on, against published numbers and an independent library:
 * the Retry Integrity Tags of RFC 9001 Appendix A.4 (v1) and RFC 9369 Appendix A.4 (v2), the
 * shared-state token test vector of draft-ietf-quic-retry-offload, and OpenSSL's AES-128-GCM opening
 * tokens sealed by the engine under random inputs. Then every way a token must fail.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_quic_token.h"
#include "tap.h"

static struct ds_cookie_engine *engine;

static size_t
unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		unsigned byte;

		sscanf(hex, "%2x", &byte);
		out[n++] = (uint8_t)byte;
	}
	return n;
}

/* RFC 9001 A.4 / RFC 9369 A.4: ODCID 8394c8f03e515708, the Retry of each version with its tag. */
static void
check_retry_tags(void)
{
	static const struct {
		uint32_t version;
		const char *retry;
	} vectors[] = {
		{ DS_QUIC_VERSION_1, "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba" },
		{ DS_QUIC_VERSION_2, "cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d955543665dcc7b6" },
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		uint8_t pseudo[128], tag[DS_QUIC_TAG_LEN];
		size_t n;

		pseudo[0] = 8;
		unhex("8394c8f03e515708", pseudo + 1);
		n = 9 + unhex(vectors[i].retry, pseudo + 9);
		tap_check(ds_quic_retry_tag(engine, vectors[i].version, pseudo, n - DS_QUIC_TAG_LEN, tag) == 0 &&
				  memcmp(tag, pseudo + n - DS_QUIC_TAG_LEN, DS_QUIC_TAG_LEN) == 0,
			  "Retry Integrity Tag of %s's Appendix A.4 vector reproduced", i == 0 ? "RFC 9001" : "RFC 9369");
	}
	tap_check(ds_quic_retry_tag(engine, 0xff00001d, (const uint8_t *)"x", 1, (uint8_t[16]){ 0 }) == -1,
		  "no tag for a draft version");
}

/* draft-ietf-quic-retry-offload, "Shared State Retry Token Test Vectors". */
static void
check_draft_token(void)
{
	struct ds_quic_token_key key = { .sequence = 0 };
	struct ds_quic_token_fields f = { .ip_version = 4, .client_port = 0x1a0a, .expiry_s = 0x60c7bf4d };
	struct ds_quic_token_fields bearer, got;
	uint8_t unique[12], token[DS_QUIC_TOKEN_MAX], expect[DS_QUIC_TOKEN_MAX];
	unsigned n;
	size_t e = 0;

	unhex("30313233343536373839303132333435", key.key);
	unhex("313233343536373839303132", key.iv);
	unhex("59ef316b70575e793e1a8782", unique);
	f.odcid_len = (uint8_t)unhex("0c3817b544ca1c94313bba41757547eec937", f.odcid);
	f.rscid_len = (uint8_t)unhex("0301e770d24b3b13070dd5c2a9264307", f.rscid);
	memcpy(f.client_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	n = ds_quic_token_seal_with(engine, &key, &f, unique, token);
	expect[e++] = 0x00;
	e += unhex("59ef316b70575e793e1a8782", expect + e);
	e += unhex("7d38b274aa4427c7a1557c3fa666945931defc65da387a83855196a7cb73caac1e28e5346fd76868de94f8b62294",
		   expect + e);
	e += unhex("f91174fdd711543a32d5e959867f9c22", expect + e);
	tap_check(n == e && memcmp(token, expect, e) == 0, "the draft's token vector reproduced byte for byte (%u bytes)",
		  n);
	bearer = f;
	bearer.odcid_len = 0;
	tap_check(ds_quic_token_open_with(engine, &key, expect, e, &bearer, 0x60c7bf4d, &got) == DS_QUIC_TOKEN_VALID &&
			  got.odcid_len == f.odcid_len && memcmp(got.odcid, f.odcid, f.odcid_len) == 0,
		  "the draft's token opens and gives back its ODCID");
}

/* docs/quic-retry.md §4: tokens of the documented key schedule (computed there with Python's
 * cryptography package from the page alone). */
static void
check_doc_vectors(void)
{
	static const char *const expect[2] = {
		"40a0a1a2a3a4a5a6a7a8a9aaab75eed0ad6bfed40fa9d3594e0dbdfc5022899caa04f5062399057993ba83f06f9152e9512b1"
		"ccb9d87c4623ac972b644",
		"40a0a1a2a3a4a5a6a7a8a9aaab75eed0ad6bfed40fa9d3594e0dbdfc5022899caa04f5062399057993ba83f06fa0a83c7cf13"
		"935a969e27ce5e3789bdf",
	};
	struct ds_secret master = { .len = 32 };
	struct ds_keyring *kr;
	unsigned i, v;

	for (i = 0; i < 32; i++)
		master.bytes[i] = (uint8_t)i;
	kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, 60, 2000, &master, fixture_time(29000000, 60, 0));
	for (v = 0; v < 2; v++) {
		struct ds_quic_token_fields f = { .ip_version = v == 0 ? 4 : 6, .client_port = 50000,
						  .expiry_s = 29000000ull * 60 + 10 };
		uint8_t unique[12], token[DS_QUIC_TOKEN_MAX], want[DS_QUIC_TOKEN_MAX];
		size_t n = unhex(expect[v], want);
		unsigned len;

		for (i = 0; i < 12; i++)
			unique[i] = (uint8_t)(0xa0 + i);
		if (v == 0)
			memcpy(f.client_addr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
		else
			unhex("20010db8000000000000000000000001", f.client_addr);
		f.odcid_len = (uint8_t)unhex("8394c8f03e515708", f.odcid);
		f.rscid_len = 12;
		memcpy(f.rscid, unique, 12);
		len = ds_quic_token_seal(engine, ds_keyring_current(kr), &f, unique, token);
		tap_check(len == n && memcmp(token, want, n) == 0, "docs/quic-retry.md vector, IPv%u: token reproduced",
			  f.ip_version);
	}
	ds_keyring_destroy(kr);
}

/* OpenSSL, knowing only the wire format, opens what the engine sealed. */
static bool
openssl_opens(const struct ds_quic_token_key *key, const uint8_t *token, unsigned len,
	      const struct ds_quic_token_fields *f)
{
	uint8_t aad[29] = { 0 }, nonce[12], body[64];
	const unsigned body_len = len - 1 - 12 - 16;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int out = 0, fin = 0, i;
	bool ok;

	memcpy(aad, f->client_addr, f->ip_version == 4 ? 4 : 16);
	memcpy(aad + 16, token + 1, 12);
	aad[28] = token[0];
	for (i = 0; i < 12; i++)
		nonce[i] = key->iv[i] ^ token[1 + i];
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, key->key, nonce) == 1 &&
	     EVP_DecryptUpdate(ctx, NULL, &out, aad, sizeof(aad)) == 1 &&
	     EVP_DecryptUpdate(ctx, body, &out, token + 13, (int)body_len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(token + len - 16)) == 1 &&
	     EVP_DecryptFinal_ex(ctx, body + out, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok && body[0] == f->odcid_len && body[1] == f->rscid_len &&
	       (unsigned)(body[2] << 8 | body[3]) == f->client_port && memcmp(body + 4, f->odcid, f->odcid_len) == 0 &&
	       memcmp(body + 4 + f->odcid_len, f->rscid, f->rscid_len) == 0;
}

static void
random_fields(struct ds_quic_token_fields *f)
{
	uint8_t r[8];

	RAND_bytes(r, sizeof(r));
	memset(f, 0, sizeof(*f));
	f->ip_version = r[0] & 1 ? 6 : 4;
	RAND_bytes(f->client_addr, f->ip_version == 4 ? 4 : 16);
	f->client_port = (uint16_t)(r[1] << 8 | r[2]);
	f->odcid_len = (uint8_t)(8 + r[3] % 13);
	f->rscid_len = (uint8_t)(r[4] % 21);
	RAND_bytes(f->odcid, f->odcid_len);
	RAND_bytes(f->rscid, DS_QUIC_CID_MAX);
	f->expiry_s = 1700000000u + r[5];
}

static void
check_against_openssl(void)
{
	struct tap_group g = { 0 };
	unsigned i, opened = 0, n = 20000;

	for (i = 0; i < n; i++) {
		struct ds_quic_token_key key;
		struct ds_quic_token_fields f;
		uint8_t unique[12], token[DS_QUIC_TOKEN_MAX];
		unsigned len;

		RAND_bytes(key.key, sizeof(key.key));
		RAND_bytes(key.iv, sizeof(key.iv));
		RAND_bytes(unique, sizeof(unique));
		key.sequence = (uint8_t)(i & 0x7F);
		random_fields(&f);
		len = ds_quic_token_seal_with(engine, &key, &f, unique, token);
		opened += len == (unsigned)DS_QUIC_TOKEN_OVERHEAD + f.odcid_len + f.rscid_len && openssl_opens(&key, token, len, &f);
	}
	tap_sub(&g, opened == n, "%u of %u random tokens (v4 and v6, CIDs of every length) opened by OpenSSL", opened, n);
	tap_group_done(&g, "tokens are standard AES-128-GCM");
}

/* Every way a token is refused, from one good token of the current epoch. */
static void
check_refusals(void)
{
	struct ds_secret master;
	struct ds_keyring *kr;
	const struct ds_cookie_keyset *ks;
	const uint64_t now = 29000000ull * 60;
	struct ds_quic_token_fields f, b;
	uint8_t unique[12] = { 1, 2, 3 }, token[DS_QUIC_TOKEN_MAX], t[DS_QUIC_TOKEN_MAX];
	unsigned len;

	fixture_secret(&master, 32);
	kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, 60, 2000, &master, fixture_time(29000000, 60, 0));
	ks = ds_keyring_current(kr);
	random_fields(&f);
	f.ip_version = 4;
	f.expiry_s = now + DS_QUIC_TOKEN_LIFETIME_S;
	len = ds_quic_token_seal(engine, ks, &f, unique, token);
	b = f;
	tap_check(ds_quic_token_open(engine, ks, token, len, &b, now, NULL) == DS_QUIC_TOKEN_VALID, "good token valid");
	tap_check(ds_quic_token_open(engine, ks, token, len, &b, f.expiry_s + DS_QUIC_TOKEN_GRACE_S, NULL) ==
			  DS_QUIC_TOKEN_VALID,
		  "valid up to two seconds past its expiry (clock skew)");
	tap_check(ds_quic_token_open(engine, ks, token, len, &b, f.expiry_s + DS_QUIC_TOKEN_GRACE_S + 1, NULL) ==
			  DS_QUIC_TOKEN_EXPIRED,
		  "expired after that");
	b.client_addr[3] ^= 1;
	tap_check(ds_quic_token_open(engine, ks, token, len, &b, now, NULL) == DS_QUIC_TOKEN_BAD_TAG,
		  "another client address: bad tag");
	b = f;
	b.client_port ^= 1;
	tap_check(ds_quic_token_open(engine, ks, token, len, &b, now, NULL) == DS_QUIC_TOKEN_WRONG_PORT, "another port");
	b = f;
	b.rscid[0] ^= 1;
	tap_check(f.rscid_len == 0 ||
			  ds_quic_token_open(engine, ks, token, len, &b, now, NULL) == DS_QUIC_TOKEN_BAD_CONTENT,
		  "an Initial whose DCID is not the Retry's SCID");
	b = f;
	memcpy(t, token, len);
	t[len / 2] ^= 0x10;
	tap_check(ds_quic_token_open(engine, ks, t, len, &b, now, NULL) == DS_QUIC_TOKEN_BAD_TAG, "a flipped bit");
	t[len / 2] ^= 0x10;
	t[0] = (uint8_t)((t[0] + 5) & 0x7F);
	tap_check(ds_quic_token_open(engine, ks, t, len, &b, now, NULL) == DS_QUIC_TOKEN_UNKNOWN_KEY,
		  "an epoch no longer accepted");
	t[0] = token[0] | DS_QUIC_TOKEN_NEW_TOKEN_TYPE;
	tap_check(ds_quic_token_open(engine, ks, t, len, &b, now, NULL) == DS_QUIC_TOKEN_NOT_RETRY,
		  "a NEW_TOKEN token is not a Retry token");
	tap_check(ds_quic_token_open(engine, ks, token, 20, &b, now, NULL) == DS_QUIC_TOKEN_MALFORMED &&
			  ds_quic_token_open(engine, ks, token, DS_QUIC_TOKEN_MAX + 1, &b, now, NULL) ==
				  DS_QUIC_TOKEN_MALFORMED,
		  "impossible lengths");
	ds_keyring_destroy(kr);
}

int
main(void)
{
	char err[128];

	engine = ds_cookie_engine_create(err, sizeof(err));
	if (engine == NULL)
		tap_bail("engine: %s", err);
	check_retry_tags();
	check_draft_token();
	check_doc_vectors();
	check_against_openssl();
	check_refusals();
	ds_cookie_engine_destroy(engine);
	return tap_done();
}
