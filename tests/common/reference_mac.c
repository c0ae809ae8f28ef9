/* SPDX-License-Identifier: BSD-3-Clause */
#include "reference_mac.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

struct reference_mac {
	EVP_MAC_CTX *hmac_sha256;
	EVP_MAC_CTX *hmac_sha1;
	EVP_MAC_CTX *cmac;
};

static EVP_MAC_CTX *
new_ctx(const char *mac, const char *param, const char *value)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, mac, NULL);
	EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(param, (char *)value, 0),
		OSSL_PARAM_construct_end(),
	};

	EVP_MAC_free(m);
	if (ctx == NULL || !EVP_MAC_CTX_set_params(ctx, params))
		tap_bail("OpenSSL: cannot set up %s", mac);
	return ctx;
}

struct reference_mac *
reference_mac_create(void)
{
	struct reference_mac *r = calloc(1, sizeof(*r));

	if (r == NULL)
		tap_bail("out of memory");
	r->hmac_sha256 = new_ctx("HMAC", OSSL_MAC_PARAM_DIGEST, "SHA256");
	r->hmac_sha1 = new_ctx("HMAC", OSSL_MAC_PARAM_DIGEST, "SHA1");
	r->cmac = new_ctx("CMAC", OSSL_MAC_PARAM_CIPHER, "AES-128-CBC");
	return r;
}

void
reference_mac_destroy(struct reference_mac *r)
{
	EVP_MAC_CTX_free(r->hmac_sha256);
	EVP_MAC_CTX_free(r->hmac_sha1);
	EVP_MAC_CTX_free(r->cmac);
	free(r);
}

static size_t
mac(EVP_MAC_CTX *ctx, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
    uint8_t *out)
{
	size_t len = 0;

	if (!EVP_MAC_init(ctx, key, key_len, NULL) || !EVP_MAC_update(ctx, msg, msg_len) ||
	    !EVP_MAC_final(ctx, out, &len, 64))
		tap_bail("OpenSSL EVP_MAC failed");
	return len;
}

void
reference_epoch_key(struct reference_mac *r, const uint8_t *master, size_t master_len, uint64_t epoch,
		    uint8_t key[32])
{
	static const char label[] = "dtls-scrubber cookie v1";
	uint8_t msg[sizeof(label) - 1 + 8];
	int i;

	memcpy(msg, label, sizeof(label) - 1);
	for (i = 0; i < 8; i++)
		msg[sizeof(label) - 1 + i] = (uint8_t)(epoch >> (56 - 8 * i));
	mac(r->hmac_sha256, master, master_len, msg, sizeof(msg), key);
}

size_t
reference_input(const struct ds_cookie_request *req, uint8_t *out)
{
	const size_t alen = req->ip_version == 4 ? 4 : 16;
	const uint16_t cport = htons(req->client_port), sport = htons(req->server_port);

	memcpy(out, req->client_addr, alen);
	memcpy(out + alen, &cport, 2);
	memcpy(out + alen + 2, req->server_addr, alen);
	memcpy(out + 2 * alen + 2, &sport, 2);
	memcpy(out + 2 * alen + 4, req->client_random, 32);
	return 2 * alen + 4 + 32;
}

size_t
reference_sockaddr(const struct ds_cookie_request *req, uint8_t *out)
{
	if (req->ip_version == 4) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(req->client_port) };

		memcpy(&sin.sin_addr, req->client_addr, 4);
		memcpy(out, &sin, sizeof(sin));
		return sizeof(sin);
	} else {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(req->client_port) };

		memcpy(&sin6.sin6_addr, req->client_addr, 16);
		memcpy(out, &sin6, sizeof(sin6));
		return sizeof(sin6);
	}
}

size_t
reference_wolfssl_input(const struct ds_cookie_request *req, uint8_t *out)
{
	const uint8_t *body = req->hello_body;
	size_t n = reference_sockaddr(req, out);
	const uint8_t *compression = body + req->suites_at + req->suites_len + 1;

	/* wolfSSL 5.5's CreateDtlsCookie(), field after field, as the document lists them. */
	memcpy(out + n, body, 2);
	n += 2;
	memcpy(out + n, req->client_random, 32);
	n += 32;
	memcpy(out + n, body + 35, req->session_id_len);
	n += req->session_id_len;
	memcpy(out + n, body + req->suites_at, req->suites_len);
	n += req->suites_len;
	memcpy(out + n, compression, req->compression_len);
	return n + req->compression_len;
}

void
reference_cookie(struct reference_mac *r, enum ds_cookie_mode mode, const uint8_t key[32],
		 uint64_t epoch, const struct ds_cookie_request *req, unsigned len, uint8_t *cookie)
{
	uint8_t input[1024], tag[64];
	size_t n;

	switch (mode) {
	case DS_COOKIE_WOLFSSL:
		n = reference_wolfssl_input(req, input);
		mac(r->hmac_sha256, key, 32, input, n, tag);
		memcpy(cookie, tag, len);
		return;
	case DS_COOKIE_GNUTLS:
		n = reference_sockaddr(req, input);
		mac(r->hmac_sha1, key, 16, input, n, tag);
		memcpy(cookie, tag, len);
		return;
	case DS_COOKIE_HMAC_SHA256:
		mac(r->hmac_sha256, key, 32, input, reference_input(req, input), tag);
		break;
	case DS_COOKIE_HMAC_SHA1:
		mac(r->hmac_sha1, key, 32, input, reference_input(req, input), tag);
		break;
	default:
		mac(r->cmac, key, 16, input, reference_input(req, input), tag);
		break;
	}
	cookie[0] = (uint8_t)epoch;
	memcpy(cookie + 1, tag, len - 1);
}
