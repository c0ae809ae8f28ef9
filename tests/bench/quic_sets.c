/* SPDX-License-Identifier: BSD-3-Clause */
#include "quic_sets.h"

#include <string.h>
#include <time.h>

#include "capture.h"
#include "ds_classify.h"
#include "ds_quic_token.h"
#include "ds_retry.h"

enum { RAW_INPUTS = 4096, ODCID_LEN = 18, SCID_LEN = 17 };

size_t
quic_load_initial(const char *path, uint8_t *payload, size_t cap)
{
	struct capture c;
	size_t i, len = 0;

	capture_load(path, &c);
	for (i = 0; i < c.count && len == 0; i++) {
		struct ds_frame_info info;
		const uint8_t *p;

		ds_classify(c.frames[i].data, c.frames[i].len, NULL, &info);
		p = c.frames[i].data + info.dtls_offset;
		/* A long header of version 1 whose type bits say Initial, in a datagram of 1200 bytes or more. */
		if (info.dtls_offset != 0 && info.dtls_len >= DS_QUIC_MIN_DATAGRAM && info.dtls_len <= cap &&
		    (p[0] & 0xF0) == 0xC0 && p[1] == 0 && p[2] == 0 && p[3] == 0 && p[4] == 1) {
			memcpy(payload, p, info.dtls_len);
			len = info.dtls_len;
		}
	}
	capture_free(&c);
	return len;
}

int
quic_fill_initials(struct frame_set *s, size_t count, struct ds_traffic *t)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (frame_set_put(s, i, t, DS_TRAFFIC_RAW, ds_traffic_next_source(t)) != 0)
			return -1;
	return 0;
}

static uint64_t
unix_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/*
 * The client's second Initial: its first byte and version, DCID = @p rscid, its SCID, the token (a
 * two-byte length), a two-byte Length, and the rest of the original packet as protected payload, the
 * datagram kept at the original's size. Returns its length, or 0.
 */
static size_t
with_token(const uint8_t *initial, size_t len, const uint8_t *rscid, const uint8_t *token, unsigned token_len,
	   uint8_t *out)
{
	const size_t scid_at = 6 + initial[5], body_at = scid_at + 1 + initial[scid_at] + 1 /* empty token */ + 2;
	size_t n = 0, rest;

	out[n++] = initial[0];
	memcpy(out + n, initial + 1, 4), n += 4;
	out[n++] = DS_RETRY_SCID_LEN;
	memcpy(out + n, rscid, DS_RETRY_SCID_LEN), n += DS_RETRY_SCID_LEN;
	memcpy(out + n, initial + scid_at, 1 + initial[scid_at]), n += 1 + initial[scid_at];
	out[n++] = (uint8_t)(0x40 | token_len >> 8);
	out[n++] = (uint8_t)token_len;
	memcpy(out + n, token, token_len), n += token_len;
	if (n + 2 >= len || body_at >= len)
		return 0;
	rest = len - n - 2;
	out[n++] = (uint8_t)(0x40 | rest >> 8);
	out[n++] = (uint8_t)rest;
	memcpy(out + n, initial + body_at, len - body_at < rest ? len - body_at : rest);
	return len;
}

int
quic_fill_token_initials(struct frame_set *s, size_t count, struct ds_traffic *t, const uint8_t *initial,
			 size_t initial_len, struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks)
{
	uint8_t payload[DS_TRAFFIC_FRAME_MAX], token[DS_QUIC_TOKEN_MAX];
	const uint64_t expiry = unix_s() + 3600;
	size_t i;

	for (i = 0; i < count; i++) {
		struct ds_quic_token_fields f = { .rscid_len = DS_RETRY_SCID_LEN, .expiry_s = expiry };
		struct ds_frame_addrs a;
		uint8_t unique[DS_QUIC_TOKEN_UNIQUE_LEN] = { 0xbe, 0x7c };
		size_t len, frame_len;
		unsigned token_len;

		ds_traffic_addrs(t, i, &a);
		memcpy(unique + 4, &i, sizeof(i));
		f.ip_version = a.ip_version;
		memcpy(f.client_addr, a.src_ip, a.ip_version == 4 ? 4 : 16);
		f.client_port = a.src_port;
		f.odcid_len = initial[5];
		memcpy(f.odcid, initial + 6, f.odcid_len);
		memcpy(f.rscid, unique, DS_RETRY_SCID_LEN);
		token_len = ds_quic_token_seal(e, ks, &f, unique, token);
		len = with_token(initial, initial_len, f.rscid, token, token_len, payload);
		frame_len = len == 0 ? 0 : ds_frame_build(s->bytes + i * s->stride, s->stride, &a, payload, len);
		if (frame_len == 0)
			return -1;
		s->len[i] = (uint16_t)frame_len;
	}
	return 0;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Inputs of a real Retry's sizes: 18-byte ODCID, 17-byte client SCID, 12-byte RSCID. */
static void
raw_fields(struct ds_quic_token_fields *f, size_t i)
{
	memset(f, 0, sizeof(*f));
	f->ip_version = 4;
	memcpy(f->client_addr, &i, 4);
	f->client_port = (uint16_t)(1024 + i);
	f->odcid_len = ODCID_LEN;
	memset(f->odcid, (int)i, ODCID_LEN);
	f->rscid_len = DS_RETRY_SCID_LEN;
	memcpy(f->rscid, &i, sizeof(i));
	f->expiry_s = unix_s() + 3600;
}

static struct ds_quic_token_fields raw[RAW_INPUTS];

double
quic_raw_retry_ns(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks, double seconds)
{
	/* The pseudo-packet the tag covers: ODCID, Retry header, the client's SCID, RSCID, then the token. */
	static uint8_t pseudo[RAW_INPUTS][256];
	const size_t at = 1 + ODCID_LEN + 7 + SCID_LEN + 1 + DS_RETRY_SCID_LEN;
	uint64_t done = 0;
	double start, elapsed;
	size_t i;

	for (i = 0; i < RAW_INPUTS; i++)
		raw_fields(&raw[i], i);
	start = now_ns();
	do {
		for (i = 0; i < RAW_INPUTS; i++, done++) {
			uint8_t unique[DS_QUIC_TOKEN_UNIQUE_LEN] = { 0 };
			unsigned n;

			memcpy(unique, &done, sizeof(done));
			n = ds_quic_token_seal(e, ks, &raw[i], unique, pseudo[i] + at);
			ds_quic_retry_tag(e, DS_QUIC_VERSION_1, pseudo[i], at + n, pseudo[i] + at + n);
		}
		elapsed = now_ns() - start;
	} while (elapsed < seconds * 1e9);
	return elapsed / (double)done;
}

double
quic_raw_open_ns(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks, double seconds)
{
	static uint8_t tokens[RAW_INPUTS][DS_QUIC_TOKEN_MAX];
	static unsigned lens[RAW_INPUTS];
	uint64_t done = 0, valid = 0;
	const uint64_t now = unix_s();
	double start, elapsed;
	size_t i;

	for (i = 0; i < RAW_INPUTS; i++) {
		uint8_t unique[DS_QUIC_TOKEN_UNIQUE_LEN] = { 0 };

		raw_fields(&raw[i], i);
		memcpy(unique, &i, sizeof(i));
		lens[i] = ds_quic_token_seal(e, ks, &raw[i], unique, tokens[i]);
	}
	start = now_ns();
	do {
		for (i = 0; i < RAW_INPUTS; i++, done++)
			valid += ds_quic_token_open(e, ks, tokens[i], lens[i], &raw[i], now, NULL) == DS_QUIC_TOKEN_VALID;
		elapsed = now_ns() - start;
	} while (elapsed < seconds * 1e9);
	return valid == done ? elapsed / (double)done : -1;
}
