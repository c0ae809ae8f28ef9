/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_traffic.h"

#include <stdio.h>
#include <string.h>

#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_wire.h"

enum { DEFAULT_DATA_LEN = 64, GARBAGE_LEN = 64 };

static const char *const kind_names[] = {
	[DS_TRAFFIC_CH1] = "ch1",
	[DS_TRAFFIC_CH2] = "ch2",
	[DS_TRAFFIC_DATA] = "data",
	[DS_TRAFFIC_GARBAGE] = "garbage",
	[DS_TRAFFIC_RAW] = "raw",
	[DS_TRAFFIC_REPLY] = "reply",
};

int
ds_traffic_kind_parse(const char *name)
{
	unsigned k;

	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (strcmp(name, kind_names[k]) == 0)
			return (int)k;
	return -1;
}

const char *
ds_traffic_kind_name(enum ds_traffic_kind kind)
{
	return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "invalid";
}

/* xorshift64*: reproducible from the seed, good enough for addresses and filler bytes. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(0x2545F4914F6CDD1D);
}

static void
fill_random(uint64_t *state, uint8_t *p, size_t len)
{
	while (len > 0) {
		const uint64_t r = next_random(state);
		const size_t n = len < 8 ? len : 8;

		memcpy(p, &r, n);
		p += n;
		len -= n;
	}
}

int
ds_traffic_init(struct ds_traffic *t, const struct ds_traffic_spec *spec, char *err, size_t err_len)
{
	memset(t, 0, sizeof(*t));
	t->spec = *spec;
	if (t->spec.data_len == 0)
		t->spec.data_len = DEFAULT_DATA_LEN;
	if (spec->ip_version != 4 && spec->ip_version != 6) {
		snprintf(err, err_len, "IP version %u: expected 4 or 6", spec->ip_version);
		return -1;
	}
	if (spec->sources == 0) {
		snprintf(err, err_len, "no sources");
		return -1;
	}
	if ((spec->hello == NULL && spec->raw == NULL) || spec->hello_len > DS_TRAFFIC_FRAME_MAX) {
		snprintf(err, err_len, "no ClientHello template");
		return -1;
	}
	/* Without a ClientHello, only raw frames can be made: the ClientHello kinds come out empty. */
	t->hello_info.outcome = DS_OUT_UDP_NOT_SERVICE;
	if (spec->hello != NULL)
		ds_classify_dtls(spec->hello, spec->hello_len, &t->hello_info);
	if (spec->hello != NULL && !ds_outcome_is_client_hello(t->hello_info.outcome)) {
		snprintf(err, err_len, "the template is no ClientHello (%s)", ds_outcome_name(t->hello_info.outcome));
		return -1;
	}
	/* Zero would stop xorshift forever. */
	t->rng = spec->seed != 0 ? spec->seed : UINT64_C(0x853c49e6748fea9b);
	return 0;
}

uint64_t
ds_traffic_next_source(struct ds_traffic *t)
{
	if (t->spec.random_sources)
		return next_random(&t->rng) % t->spec.sources;
	return t->next_in_turn++ % t->spec.sources;
}

void
ds_traffic_addrs(const struct ds_traffic *t, uint64_t source, struct ds_frame_addrs *a)
{
	const unsigned alen = t->spec.ip_version == 4 ? DS_IPV4_ADDR_LEN : DS_IPV6_ADDR_LEN;
	uint8_t *low;
	uint32_t v;

	memset(a, 0, sizeof(*a));
	a->ip_version = t->spec.ip_version;
	memcpy(a->src_mac, t->spec.src_mac, 6);
	memcpy(a->dst_mac, t->spec.dst_mac, 6);
	memcpy(a->src_ip, t->spec.src_base, alen);
	memcpy(a->dst_ip, t->spec.dst_ip, alen);
	low = a->src_ip + alen - 4;
	v = ((uint32_t)low[0] << 24 | (uint32_t)low[1] << 16 | (uint32_t)low[2] << 8 | low[3]) + (uint32_t)source;
	low[0] = (uint8_t)(v >> 24);
	low[1] = (uint8_t)(v >> 16);
	low[2] = (uint8_t)(v >> 8);
	low[3] = (uint8_t)v;
	/* Ports spread over 1024..65023 so that sources sharing an address (beyond 2^32) still differ. */
	a->src_port = t->spec.src_port ? t->spec.src_port
				       : (uint16_t)(1024 + (source / (UINT64_C(1) << 32) + source * 7919) % 64000);
	a->dst_port = t->spec.dst_port;
}

/* The template with a fresh client random; for CH2 also the source's cookie, as a second flight. */
static size_t
hello_payload(struct ds_traffic *t, const struct ds_frame_addrs *a, bool with_cookie, uint8_t *payload,
	      size_t cap)
{
	uint8_t first[DS_TRAFFIC_FRAME_MAX];
	struct ds_frame_info info;
	size_t len = ds_hello_with_cookie(t->spec.hello, &t->hello_info, NULL, 0, 0, first, sizeof(first));
	uint8_t *random;

	if (len == 0)
		return 0;
	ds_classify_dtls(first, len, &info);
	random = first + info.body_offset + DS_CH_RANDOM_OFFSET;
	fill_random(&t->rng, random, DS_DTLS_RANDOM_LEN);
	if (!with_cookie) {
		if (len > cap)
			return 0;
		memcpy(payload, first, len);
		return len;
	}
	{
		struct ds_cookie_request req = {
			.client_addr = a->src_ip, .server_addr = a->dst_ip, .client_random = random,
			.client_port = a->src_port, .server_port = a->dst_port, .ip_version = a->ip_version,
		};
		const unsigned cookie_len = ds_cookie_keyset_params(t->spec.keyset)->cookie_len;
		uint8_t cookie[1][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict verdict;

		/* The ClientHello fields the wolfssl format covers, from the first ClientHello itself. */
		ds_cookie_request_hello_fields(&req, first, &info);
		ds_cookie_engine_run(t->spec.engine, t->spec.keyset, &req, 1, cookie, &verdict);
		return ds_hello_with_cookie(first, &info, cookie[0], cookie_len, 1, payload, cap);
	}
}

/* An application_data record of epoch 1: header, then bytes as random as ciphertext. */
static size_t
data_payload(struct ds_traffic *t, uint8_t *payload, size_t cap)
{
	const size_t len = DS_DTLS_RECORD_HDR_LEN + t->spec.data_len;
	const uint64_t seq = ++t->data_seq;

	if (len > cap || t->spec.data_len > 16384)
		return 0;
	payload[0] = DS_DTLS_CT_APPLICATION_DATA;
	ds_store_be16(payload + 1, DS_DTLS_VERSION_1_2);
	ds_store_be16(payload + 3, 1);
	ds_store_be16(payload + 5, (uint16_t)(seq >> 32));
	ds_store_be16(payload + 7, (uint16_t)(seq >> 16));
	ds_store_be16(payload + 9, (uint16_t)seq);
	ds_store_be16(payload + 11, (uint16_t)t->spec.data_len);
	fill_random(&t->rng, payload + DS_DTLS_RECORD_HDR_LEN, t->spec.data_len);
	return len;
}

/* The other direction: what the service sends back to the source. */
static void
swap_ends(struct ds_frame_addrs *a)
{
	const struct ds_frame_addrs there = *a;

	memcpy(a->src_mac, there.dst_mac, sizeof(a->src_mac));
	memcpy(a->dst_mac, there.src_mac, sizeof(a->dst_mac));
	memcpy(a->src_ip, there.dst_ip, sizeof(a->src_ip));
	memcpy(a->dst_ip, there.src_ip, sizeof(a->dst_ip));
	a->src_port = there.dst_port;
	a->dst_port = there.src_port;
}

/* Not DTLS: the first byte is below every record content type. */
static size_t
garbage_payload(struct ds_traffic *t, uint8_t *payload, size_t cap)
{
	if (GARBAGE_LEN > cap)
		return 0;
	fill_random(&t->rng, payload, GARBAGE_LEN);
	payload[0] %= DS_DTLS_CT_CHANGE_CIPHER_SPEC;
	return GARBAGE_LEN;
}

size_t
ds_traffic_frame(struct ds_traffic *t, enum ds_traffic_kind kind, uint64_t source, uint8_t *out, size_t cap)
{
	uint8_t payload[DS_TRAFFIC_FRAME_MAX];
	struct ds_frame_addrs a;
	size_t len = 0;

	ds_traffic_addrs(t, source, &a);
	switch (kind) {
	case DS_TRAFFIC_CH1:
		len = hello_payload(t, &a, false, payload, sizeof(payload));
		break;
	case DS_TRAFFIC_CH2:
		if (t->spec.engine != NULL && t->spec.keyset != NULL)
			len = hello_payload(t, &a, true, payload, sizeof(payload));
		break;
	case DS_TRAFFIC_DATA:
		len = data_payload(t, payload, sizeof(payload));
		break;
	case DS_TRAFFIC_REPLY:
		swap_ends(&a);
		len = data_payload(t, payload, sizeof(payload));
		break;
	case DS_TRAFFIC_GARBAGE:
		len = garbage_payload(t, payload, sizeof(payload));
		break;
	case DS_TRAFFIC_RAW:
		if (t->spec.raw != NULL && t->spec.raw_len <= sizeof(payload)) {
			memcpy(payload, t->spec.raw, t->spec.raw_len);
			len = t->spec.raw_len;
		}
		break;
	case DS_TRAFFIC_KIND_COUNT:
		break;
	}
	return len == 0 ? 0 : ds_frame_build(out, cap, &a, payload, len);
}

size_t
ds_traffic_mix_frame(struct ds_traffic_mix *m, uint8_t *out, size_t cap, enum ds_traffic_kind *kind)
{
	enum ds_traffic_kind k;
	uint64_t source;
	double draw;

	if (m->rng == 0)
		m->rng = UINT64_C(0x9e3779b97f4a7c15);
	/* 53 random bits: finer than any ratio a mix needs. */
	draw = (double)(next_random(&m->rng) >> 11) / (double)(UINT64_C(1) << 53);
	if (draw < m->attack_ratio) {
		k = DS_TRAFFIC_CH1;
		source = ds_traffic_next_source(m->attack);
	} else {
		source = m->legit_frames % m->legit->spec.sources;
		k = m->legit_frames < m->legit->spec.sources ? DS_TRAFFIC_CH2 : DS_TRAFFIC_DATA;
		m->legit_frames++;
	}
	if (kind != NULL)
		*kind = k;
	return ds_traffic_frame(k == DS_TRAFFIC_CH1 ? m->attack : m->legit, k, source, out, cap);
}
