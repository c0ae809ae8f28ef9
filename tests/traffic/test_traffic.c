/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic generator (lib/traffic) from every captured ClientHello: each kind of frame is what the
 * classifier and the cookie engine say it is, addresses follow the sources, second ClientHellos carry
 * cookies the engine accepts, mixes keep their ratio and their order (a client's CH2 before its data),
 * and a seed reproduces the same frames.
 */
#include <string.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_service.h"
#include "ds_traffic.h"
#include "ds_wire.h"
#include "hellos.h"
#include "tap.h"

static struct ds_cookie_engine *engine;
static const struct ds_cookie_keyset *keyset;

static struct ds_traffic_spec
spec_for(const struct hello *h, unsigned version)
{
	struct ds_traffic_spec s = {
		.hello = h->fb.data + h->info.dtls_offset, .hello_len = h->info.dtls_len, .ip_version = (uint8_t)version,
		.sources = 1000, .dst_port = 4433, .seed = 7, .engine = engine, .keyset = keyset,
		.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
	};

	if (version == 4) {
		memcpy(s.src_base, (uint8_t[]){ 198, 18, 0, 1 }, 4);
		memcpy(s.dst_ip, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	} else {
		memcpy(s.src_base, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 16);
		memcpy(s.dst_ip, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, 16);
	}
	return s;
}

/* Classify a made frame; the service is the spec's destination. */
static void
classify(const uint8_t *frame, size_t len, const struct ds_traffic_spec *s, struct ds_frame_info *info)
{
	static struct ds_service_set services;
	struct ds_service svc = { .ip_version = s->ip_version, .port = s->dst_port };

	memcpy(svc.addr, s->dst_ip, sizeof(svc.addr));
	ds_service_set_init(&services);
	ds_service_set_add(&services, &svc);
	ds_classify(frame, (uint32_t)len, &services, info);
}

/* Every byte of the template but the client random is kept in a CH1. */
static bool
same_but_random(const uint8_t *payload, const struct ds_traffic *t)
{
	const size_t random_at = t->hello_info.body_offset + DS_CH_RANDOM_OFFSET;

	return memcmp(payload, t->spec.hello, random_at) == 0 &&
	       memcmp(payload + random_at + DS_DTLS_RANDOM_LEN, t->spec.hello + random_at + DS_DTLS_RANDOM_LEN,
		      t->spec.hello_len - random_at - DS_DTLS_RANDOM_LEN) == 0 &&
	       memcmp(payload + random_at, t->spec.hello + random_at, DS_DTLS_RANDOM_LEN) != 0;
}

static void
check_kinds(const struct hello *h, unsigned version, struct tap_group *g)
{
	struct ds_traffic_spec spec = spec_for(h, version);
	struct ds_traffic t;
	uint8_t frame[DS_TRAFFIC_FRAME_MAX];
	struct ds_frame_info info;
	struct ds_frame_addrs a;
	char err[128];
	size_t len;
	const unsigned alen = version == 4 ? 4 : 16;

	if (!tap_sub(g, ds_traffic_init(&t, &spec, err, sizeof(err)) == 0, "%s v%u: init: %s", h->label, version,
		     err))
		return;
	len = ds_traffic_frame(&t, DS_TRAFFIC_CH1, 41, frame, sizeof(frame));
	classify(frame, len, &spec, &info);
	ds_traffic_addrs(&t, 41, &a);
	tap_sub(g, len != 0 && info.outcome == DS_OUT_DTLS_CLIENT_HELLO && info.ip_version == version &&
			   memcmp(ds_frame_src_addr(frame, &info), a.src_ip, alen) == 0 &&
			   ds_frame_src_addr(frame, &info)[alen - 1] == (uint8_t)(spec.src_base[alen - 1] + 41) &&
			   info.src_port == a.src_port && info.dst_port == 4433 &&
			   same_but_random(frame + info.dtls_offset, &t),
		"%s v%u: ch1 is the template from source 41 with a new random (%s)", h->label, version,
		ds_outcome_name(info.outcome));

	len = ds_traffic_frame(&t, DS_TRAFFIC_CH2, 42, frame, sizeof(frame));
	classify(frame, len, &spec, &info);
	{
		struct ds_cookie_request req;
		uint8_t cookies[1][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict v = DS_COOKIE_ABSENT;
		const uint8_t *rec = frame + info.dtls_offset;

		if (info.outcome == DS_OUT_DTLS_CLIENT_HELLO_COOKIE) {
			ds_cookie_request_from_frame(&req, frame, &info);
			ds_cookie_engine_run(engine, keyset, &req, 1, cookies, &v);
		}
		tap_sub(g, len != 0 && v == DS_COOKIE_VALID && ds_load_be48(rec + 5) == 1 &&
				   ds_load_be16(rec + DS_DTLS_RECORD_HDR_LEN + 4) == 1,
			"%s v%u: ch2 carries a cookie the engine accepts, record seq and message_seq 1 (%s, %s)",
			h->label, version, ds_outcome_name(info.outcome), ds_cookie_verdict_name(v));
	}

	len = ds_traffic_frame(&t, DS_TRAFFIC_DATA, 42, frame, sizeof(frame));
	classify(frame, len, &spec, &info);
	ds_traffic_addrs(&t, 42, &a);
	tap_sub(g, len != 0 && info.outcome == DS_OUT_DTLS_RECORD &&
			   frame[info.dtls_offset] == DS_DTLS_CT_APPLICATION_DATA &&
			   ds_load_be16(frame + info.dtls_offset + 3) == 1 && info.src_port == a.src_port &&
			   memcmp(ds_frame_src_addr(frame, &info), a.src_ip, alen) == 0,
		"%s v%u: data is an epoch-1 application_data record of source 42's flow (%s)", h->label, version,
		ds_outcome_name(info.outcome));

	len = ds_traffic_frame(&t, DS_TRAFFIC_GARBAGE, 43, frame, sizeof(frame));
	classify(frame, len, &spec, &info);
	tap_sub(g, len != 0 && info.outcome == DS_OUT_DTLS_BAD_CONTENT_TYPE,
		"%s v%u: garbage reaches the service and is not DTLS (%s)", h->label, version,
		ds_outcome_name(info.outcome));
}

static void
check_sources_and_seed(const struct hello *h)
{
	struct ds_traffic_spec spec = spec_for(h, 4);
	struct ds_traffic a, b;
	uint8_t fa[DS_TRAFFIC_FRAME_MAX], fb[DS_TRAFFIC_FRAME_MAX];
	char err[128];
	unsigned i, in_turn = 0, in_range = 0, same = 0, distinct_random = 0;
	uint64_t prev = UINT64_MAX;

	spec.sources = 10;
	ds_traffic_init(&a, &spec, err, sizeof(err));
	for (i = 0; i < 25; i++)
		in_turn += ds_traffic_next_source(&a) == i % 10;
	tap_check(in_turn == 25, "sources in turn wrap around after the last one");

	spec.random_sources = true;
	spec.sources = 1u << 20;
	ds_traffic_init(&a, &spec, err, sizeof(err));
	ds_traffic_init(&b, &spec, err, sizeof(err));
	for (i = 0; i < 1000; i++) {
		const uint64_t s = ds_traffic_next_source(&a);
		const size_t la = ds_traffic_frame(&a, DS_TRAFFIC_CH1, s, fa, sizeof(fa));
		const uint64_t s2 = ds_traffic_next_source(&b);
		const size_t lb = ds_traffic_frame(&b, DS_TRAFFIC_CH1, s2, fb, sizeof(fb));

		in_range += s < spec.sources;
		same += la == lb && s == s2 && memcmp(fa, fb, la) == 0;
		distinct_random += s != prev;
		prev = s;
	}
	tap_check(in_range == 1000 && distinct_random > 990, "random sources stay in range and vary");
	tap_check(same == 1000, "the same seed makes the same frames");
}

static void
check_mix(const struct hello *h)
{
	struct ds_traffic_spec attack_spec = spec_for(h, 4), legit_spec = spec_for(h, 4);
	struct ds_traffic attack, legit;
	struct ds_traffic_mix mix;
	static bool verified[64];
	uint8_t frame[DS_TRAFFIC_FRAME_MAX];
	unsigned i, n_attack = 0, n_ch2 = 0, n_data = 0, data_after_ch2 = 0, n = 20000;
	char err[128];

	attack_spec.random_sources = true;
	attack_spec.sources = 1u << 24;
	legit_spec.src_base[0] = 100;
	legit_spec.sources = 64;
	ds_traffic_init(&attack, &attack_spec, err, sizeof(err));
	ds_traffic_init(&legit, &legit_spec, err, sizeof(err));
	mix = (struct ds_traffic_mix){ .attack = &attack, .legit = &legit, .attack_ratio = 0.8 };
	for (i = 0; i < n; i++) {
		enum ds_traffic_kind kind;
		const size_t len = ds_traffic_mix_frame(&mix, frame, sizeof(frame), &kind);
		struct ds_frame_info info;
		const uint8_t *src;

		classify(frame, len, &attack_spec, &info);
		src = ds_frame_src_addr(frame, &info);
		if (kind == DS_TRAFFIC_CH1 && info.outcome == DS_OUT_DTLS_CLIENT_HELLO && src[0] != 100) {
			n_attack++;
		} else if (kind == DS_TRAFFIC_CH2 && info.outcome == DS_OUT_DTLS_CLIENT_HELLO_COOKIE && src[0] == 100) {
			n_ch2++;
			verified[(src[3] - 1) & 63] = true;
		} else if (kind == DS_TRAFFIC_DATA && info.outcome == DS_OUT_DTLS_RECORD && src[0] == 100) {
			n_data++;
			data_after_ch2 += verified[(src[3] - 1) & 63];
		}
	}
	tap_check(n_attack + n_ch2 + n_data == n, "a mix is made of attack CH1s, legit CH2s and legit records");
	tap_check(n_attack > n * 0.78 && n_attack < n * 0.82, "80 %% attack gives %u of %u", n_attack, n);
	tap_check(n_ch2 == 64 && data_after_ch2 == n_data,
		  "each legitimate client sends its CH2 once, before any of its records (%u CH2s)", n_ch2);
}

int
main(void)
{
	static struct hello hellos[HELLOS_MAX];
	const size_t n = hellos_load(hellos, HELLOS_MAX, false);
	struct ds_secret master;
	struct ds_keyring *kr;
	struct tap_group g = { 0 };
	char err[256];
	size_t i;

	if (n == 0)
		tap_bail("no captured ClientHello");
	fixture_secret(&master, 32);
	kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, 60, 2000, &master, ds_keyring_clock_ms());
	keyset = ds_keyring_current(kr);
	engine = ds_cookie_engine_create(err, sizeof(err));
	if (engine == NULL)
		tap_bail("%s", err);
	for (i = 0; i < n; i++) {
		check_kinds(&hellos[i], 4, &g);
		check_kinds(&hellos[i], 6, &g);
	}
	tap_group_done(&g, "every kind of frame from %zu captured ClientHellos, IPv4 and IPv6", n);
	check_sources_and_seed(&hellos[0]);
	check_mix(&hellos[0]);
	ds_cookie_engine_destroy(engine);
	ds_keyring_destroy(kr);
	return tap_done();
}
