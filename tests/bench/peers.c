/* SPDX-License-Identifier: BSD-3-Clause */
#include "peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "ds_build.h"
#include "ds_classify.h"
#include "ds_cookie_engine.h"
#include "ds_wire.h"
#include "mac_floor.h"

enum { CHECK_EVERY = 256 };

_Static_assert((int)PEER_PADDED_MAX == (int)MAC_FLOOR_CBC_MAX, "padded inputs as mac_floor.h lays them out");

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
peer_inputs_make(struct peer_inputs *in, const struct frame_set *set)
{
	size_t i;

	memset(in, 0, sizeof(*in));
	in->count = set->count;
	in->payload = calloc(set->count, sizeof(*in->payload));
	in->payload_len = calloc(set->count, sizeof(*in->payload_len));
	in->mac_input = calloc(set->count, sizeof(*in->mac_input));
	in->mac_input_len = calloc(set->count, sizeof(*in->mac_input_len));
	in->client_data = calloc(set->count, sizeof(*in->client_data));
	in->client_data_len = calloc(set->count, sizeof(*in->client_data_len));
	in->padded = calloc(set->count, sizeof(*in->padded));
	in->padded_len = calloc(set->count, sizeof(*in->padded_len));
	if (in->payload == NULL || in->payload_len == NULL || in->mac_input == NULL || in->mac_input_len == NULL ||
	    in->client_data == NULL || in->client_data_len == NULL || in->padded == NULL || in->padded_len == NULL)
		return -1;
	for (i = 0; i < set->count; i++) {
		const uint8_t *frame = frame_set_frame(set, i);
		struct ds_cookie_request req;
		struct ds_frame_info info;

		ds_classify(frame, set->len[i], NULL, &info);
		if (!ds_outcome_is_client_hello(info.outcome))
			return -1;
		ds_cookie_request_from_frame(&req, frame, &info);
		in->payload[i] = frame + info.dtls_offset;
		in->payload_len[i] = (uint16_t)info.dtls_len;
		in->mac_input_len[i] = ds_cookie_input(&req, in->mac_input[i]);
		in->client_data_len[i] = ds_cookie_gnutls_client_data(&req, in->client_data[i]);
		in->padded_len[i] = mac_floor_cbc_pad(in->mac_input[i], in->mac_input_len[i], in->padded[i]);
	}
	return 0;
}

void
peer_inputs_free(struct peer_inputs *in)
{
	free(in->payload);
	free(in->payload_len);
	free(in->mac_input);
	free(in->mac_input_len);
	free(in->client_data);
	free(in->client_data_len);
	free(in->padded);
	free(in->padded_len);
	memset(in, 0, sizeof(*in));
}

/* Call @p one on packets in turn until @p seconds have passed; returns ns per packet. */
static double
time_packets(void (*one)(void *ctx, size_t i), void *ctx, size_t count, double seconds, uint64_t *packets)
{
	const double t0 = now_s();
	size_t i = 0;
	uint64_t n = 0;
	double t;

	do {
		unsigned k;

		for (k = 0; k < CHECK_EVERY; k++) {
			one(ctx, i);
			i = i + 1 == count ? 0 : i + 1;
		}
		n += CHECK_EVERY;
		t = now_s() - t0;
	} while (t < seconds);
	*packets = n;
	return t * 1e9 / (double)n;
}

/* ---- raw ipsec-mb ---- */

int
peer_ipsec_mb(const struct peer_inputs *in, const char *arch, const struct peer_cookie_key *k, unsigned burst,
	      double seconds, struct peer_result *res)
{
	static struct mac_floor floor;
	IMB_MGR *mgr = mac_floor_manager(arch);
	const double t0 = now_s();
	size_t start = 0;
	uint64_t n = 0, done = 0;
	double t;

	const bool cbc = k->mode == DS_COOKIE_AES_CMAC;

	if (mgr == NULL || in->count < burst)
		return -1;
	if (cbc)
		mac_floor_cbc_prepare(&floor, mgr, k->key);
	else
		mac_floor_hmac_prepare(&floor, mgr, k->mode == DS_COOKIE_HMAC_SHA1, k->key, sizeof(k->key));
	do {
		unsigned rep;

		for (rep = 0; rep < CHECK_EVERY / 8; rep++) {
			done += cbc ? mac_floor_cbc_burst(&floor, in->padded + start, in->padded_len + start, burst)
				    : mac_floor_hmac_burst(&floor, in->mac_input + start, in->mac_input_len + start, burst);
			n += burst;
			start = start + 2 * burst > in->count ? 0 : start + burst;
		}
		t = now_s() - t0;
	} while (t < seconds);
	free_mb_mgr(mgr);
	*res = (struct peer_result){ .ns_per_packet = t * 1e9 / (double)n, .packets = n, .answered = done };
	return done == n ? 0 : -1;
}

/* ---- OpenSSL DTLSv1_listen on memory BIOs ---- */

struct openssl_peer {
	const struct peer_inputs *in;
	const struct peer_cookie_key *key;
	EVP_MAC_CTX *mac;
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;
	BIO_ADDR *client;
	size_t current;
	uint64_t answered, accepted, failed;
};

static struct openssl_peer *openssl_current;

/* The appliance's cookie for the ClientHello being listened to: key_id, then the MAC truncated. */
static void
openssl_cookie(struct openssl_peer *p, uint8_t *cookie)
{
	uint8_t tag[64];

	openssl_mac(p->mac, p->in->mac_input[p->current], p->in->mac_input_len[p->current], tag);
	cookie[0] = p->key->key_id;
	memcpy(cookie + 1, tag, p->key->cookie_len - 1);
}

static int
openssl_generate_cb(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	(void)ssl;
	openssl_cookie(openssl_current, cookie);
	*len = openssl_current->key->cookie_len;
	return 1;
}

static int
openssl_verify_cb(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	uint8_t expected[DS_COOKIE_MAX_LEN];

	(void)ssl;
	if (len != openssl_current->key->cookie_len)
		return 0;
	openssl_cookie(openssl_current, expected);
	return CRYPTO_memcmp(expected, cookie, len) == 0;
}

static void
openssl_one(void *arg, size_t i)
{
	struct openssl_peer *p = arg;
	int rc;

	p->current = i;
	BIO_write(p->rbio, p->in->payload[i], p->in->payload_len[i]);
	rc = DTLSv1_listen(p->ssl, p->client);
	if (rc == 1) {
		p->accepted++;
		SSL_clear(p->ssl);
	} else if (rc == 0 && BIO_ctrl_pending(p->wbio) > 0) {
		p->answered++;
	} else {
		p->failed++;
	}
	(void)BIO_reset(p->wbio);
	(void)BIO_reset(p->rbio);
}

int
peer_openssl_listen(const struct peer_inputs *in, const struct peer_cookie_key *k, double seconds,
		    struct peer_result *res)
{
	struct openssl_peer p = { .in = in, .key = k };

	p.mac = openssl_mac_ctx(k->mode, k->key);
	p.ctx = SSL_CTX_new(DTLS_server_method());
	if (p.ctx == NULL)
		return -1;
	SSL_CTX_set_options(p.ctx, SSL_OP_COOKIE_EXCHANGE);
	SSL_CTX_set_cookie_generate_cb(p.ctx, openssl_generate_cb);
	SSL_CTX_set_cookie_verify_cb(p.ctx, openssl_verify_cb);
	p.ssl = SSL_new(p.ctx);
	p.rbio = BIO_new(BIO_s_mem());
	p.wbio = BIO_new(BIO_s_mem());
	p.client = BIO_ADDR_new();
	if (p.ssl == NULL || p.rbio == NULL || p.wbio == NULL || p.client == NULL)
		return -1;
	/* An empty read BIO says "try again", as a non-blocking socket would. */
	BIO_set_mem_eof_return(p.rbio, -1);
	SSL_set_bio(p.ssl, p.rbio, p.wbio);
	openssl_current = &p;
	res->ns_per_packet = time_packets(openssl_one, &p, in->count, seconds, &res->packets);
	res->answered = p.answered;
	res->accepted = p.accepted;
	openssl_current = NULL;
	BIO_ADDR_free(p.client);
	SSL_free(p.ssl);
	SSL_CTX_free(p.ctx);
	EVP_MAC_CTX_free(p.mac);
	return p.failed == 0 ? 0 : -1;
}

/* ---- GnuTLS cookies in memory ---- */

struct gnutls_peer {
	const struct peer_inputs *in;
	const uint8_t **payload;
	const uint16_t *payload_len;
	gnutls_datum_t key;
	uint8_t out[512];
	size_t out_len;
	uint64_t answered, accepted;
};

static ssize_t
gnutls_push_to_memory(gnutls_transport_ptr_t ptr, const void *data, size_t size)
{
	struct gnutls_peer *p = ptr;

	if (size > sizeof(p->out))
		return -1;
	memcpy(p->out, data, size);
	p->out_len = size;
	return (ssize_t)size;
}

static void
gnutls_one(void *arg, size_t i)
{
	struct gnutls_peer *p = arg;
	gnutls_dtls_prestate_st prestate;

	memset(&prestate, 0, sizeof(prestate));
	/* GnuTLS's prototype lacks a const it never needs. */
	if (gnutls_dtls_cookie_verify(&p->key, p->in->client_data[i], p->in->client_data_len[i],
				      (void *)(uintptr_t)p->payload[i], p->payload_len[i], &prestate) == 0) {
		p->accepted++;
		return;
	}
	if (gnutls_dtls_cookie_send(&p->key, p->in->client_data[i], p->in->client_data_len[i], &prestate, p,
				    gnutls_push_to_memory) > 0)
		p->answered++;
}

/* Each ClientHello again, carrying the cookie GnuTLS's own HVR for it holds, as a second flight. */
static int
gnutls_second_flights(struct gnutls_peer *p, uint8_t **storage)
{
	const struct peer_inputs *in = p->in;
	const uint8_t **payload = calloc(in->count, sizeof(*payload));
	uint16_t *len = calloc(in->count, sizeof(*len));
	uint8_t *bytes = malloc(in->count * 2048);
	size_t i;

	if (payload == NULL || len == NULL || bytes == NULL)
		goto fail;
	for (i = 0; i < in->count; i++) {
		gnutls_dtls_prestate_st prestate = { 0 };
		struct ds_frame_info info;
		const uint8_t *hvr = p->out + DS_DTLS_RECORD_HDR_LEN + DS_DTLS_HS_HDR_LEN + 2;

		p->out_len = 0;
		gnutls_dtls_cookie_send(&p->key, in->client_data[i], in->client_data_len[i], &prestate, p,
					gnutls_push_to_memory);
		ds_classify_dtls(in->payload[i], in->payload_len[i], &info);
		if (p->out_len < (size_t)(hvr + 1 - p->out) || hvr + 1 + hvr[0] > p->out + p->out_len)
			goto fail;
		len[i] = (uint16_t)ds_hello_with_cookie(in->payload[i], &info, hvr + 1, hvr[0], 1, bytes + i * 2048,
							2048);
		payload[i] = bytes + i * 2048;
		if (len[i] == 0)
			goto fail;
	}
	p->payload = payload;
	p->payload_len = len;
	*storage = bytes;
	return 0;
fail:
	free(payload);
	free(len);
	free(bytes);
	return -1;
}

int
peer_gnutls_cookie(const struct peer_inputs *in, bool gnutls_cookies, double seconds, struct peer_result *res)
{
	struct gnutls_peer p = { .in = in, .payload = in->payload, .payload_len = in->payload_len };
	uint8_t *storage = NULL;
	int rc = 0;

	if (gnutls_key_generate(&p.key, GNUTLS_COOKIE_KEY_SIZE) != 0)
		return -1;
	if (gnutls_cookies && gnutls_second_flights(&p, &storage) != 0)
		rc = -1;
	if (rc == 0) {
		res->ns_per_packet = time_packets(gnutls_one, &p, in->count, seconds, &res->packets);
		res->answered = p.answered;
		res->accepted = p.accepted;
	}
	if (p.payload != in->payload) {
		free((void *)p.payload);
		free((void *)p.payload_len);
	}
	free(storage);
	gnutls_free(p.key.data);
	return rc;
}
