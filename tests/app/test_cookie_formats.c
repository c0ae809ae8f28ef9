/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every cookie format on the real worker (ring ports, data_path.c), IPv4 and IPv6, with clients made
 * from real ClientHellos (lib/traffic): 50 first ClientHellos get 50 HelloVerifyRequests whose cookie
 * has the format's length; the same clients' second ClientHellos, with cookies an engine made from the
 * appliance's keys, are forwarded and make 50 flows; a ClientHello with 600 more bytes of cipher suites
 * than the wolfssl format covers is answered in every format but wolfssl, which drops it
 * (dropped_cookie_input); a first fragment that ends before the cipher suites cannot show its versions
 * and is never answered with an HVR (taken as offering DTLS 1.3, docs/dtls13.md). The frame and flow
 * laws hold. TAP output.
 */
#include <stdio.h>
#include <string.h>

#include "data_path.h"
#include "frames.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_wire.h"
#include "hellos.h"
#include "tap.h"
#include "traffic_spec.h"

enum { CLIENTS = 50, LEGIT_BASE = 100 };

static struct hello hellos[HELLOS_MAX];

enum edit { AS_IT_IS, FIRST_FRAGMENT, LONG_SUITES, LONG_SUITES_BYTES = 600 };

/* The ClientHello of @p frame with 600 more bytes of cipher suites after its own. New length. */
static size_t
long_suites(uint8_t *frame, size_t len)
{
	struct frame_buf fb;
	struct ds_frame_info info;
	uint8_t more[LONG_SUITES_BYTES];
	const uint32_t hs_len_at = DS_DTLS_RECORD_HDR_LEN + 1, frag_len_at = DS_DTLS_RECORD_HDR_LEN + 9;
	unsigned i;

	for (i = 0; i < sizeof(more); i += 2)
		more[i] = 0xc0, more[i + 1] = (uint8_t)i;
	frame_set(&fb, frame, (uint32_t)len);
	if (!ds_outcome_is_client_hello(ds_classify(fb.data, fb.len, NULL, &info)) || info.suites_offset == 0)
		tap_bail("not a whole ClientHello");
	frame_insert(&fb, info.suites_offset + info.suites_len, more, sizeof(more));
	ds_store_be16(fb.data + info.suites_offset - 2, (uint16_t)(info.suites_len + sizeof(more)));
	ds_store_be24(fb.data + info.dtls_offset + hs_len_at, ds_load_be24(fb.data + info.dtls_offset + hs_len_at) +
								   (uint32_t)sizeof(more));
	ds_store_be24(fb.data + info.dtls_offset + frag_len_at,
		      ds_load_be24(fb.data + info.dtls_offset + frag_len_at) + (uint32_t)sizeof(more));
	ds_store_be16(fb.data + info.dtls_offset + 11, (uint16_t)(ds_load_be16(fb.data + info.dtls_offset + 11) + sizeof(more)));
	frame_fix_lengths(&fb, &info);
	memcpy(frame, fb.data, fb.len);
	return fb.len;
}

/*
 * The ClientHello of @p frame cut right after its cookie: a first fragment (RFC 6347 §4.2.3) whose
 * message goes on in another datagram, as clients with post-quantum key shares send. New length.
 */
static size_t
first_fragment(uint8_t *frame, size_t len)
{
	struct frame_buf fb;
	struct ds_frame_info info;
	uint32_t frag_len;

	frame_set(&fb, frame, (uint32_t)len);
	if (!ds_outcome_is_client_hello(ds_classify(fb.data, fb.len, NULL, &info)))
		tap_bail("not a ClientHello");
	frag_len = info.cookie_offset + info.cookie_len - info.body_offset;
	frame_remove(&fb, info.body_offset + frag_len, fb.len - (info.body_offset + frag_len));
	ds_store_be16(fb.data + info.dtls_offset + 11, (uint16_t)(DS_DTLS_HS_HDR_LEN + frag_len));
	ds_store_be24(fb.data + info.dtls_offset + DS_DTLS_RECORD_HDR_LEN + 9, frag_len);
	frame_fix_lengths(&fb, &info);
	memcpy(frame, fb.data, fb.len);
	return fb.len;
}

/* @p kind for every client through the outside port; what left by @p port, the last frame in @p last. */
static unsigned
send_all(struct data_path *dp, struct ds_traffic *t, enum ds_traffic_kind kind, enum edit edit,
	 enum ds_port_role port, uint8_t *last, size_t *last_len)
{
	static uint8_t frames[CLIENTS][DS_TRAFFIC_FRAME_MAX];
	const uint8_t *ptr[CLIENTS];
	size_t len[CLIENTS];
	struct rte_mbuf *m[DS_BURST];
	unsigned c, got, out = 0;

	for (c = 0; c < CLIENTS; c++) {
		len[c] = ds_traffic_frame(t, kind, c, frames[c], DS_TRAFFIC_FRAME_MAX);
		if (len[c] == 0)
			tap_bail("no %s frame", ds_traffic_kind_name(kind));
		if (edit == FIRST_FRAGMENT)
			len[c] = first_fragment(frames[c], len[c]);
		else if (edit == LONG_SUITES)
			len[c] = long_suites(frames[c], len[c]);
		ptr[c] = frames[c];
	}
	if (data_path_send(dp, DS_PORT_OUTSIDE, ptr, len, CLIENTS) != CLIENTS)
		tap_bail("frames could not be queued");
	data_path_run(dp);
	while ((got = data_path_take(dp, port, m, DS_BURST)) != 0) {
		*last_len = rte_pktmbuf_data_len(m[got - 1]);
		memcpy(last, rte_pktmbuf_mtod(m[got - 1], uint8_t *), *last_len);
		out += got;
		rte_pktmbuf_free_bulk(m, got);
	}
	data_path_drain(dp);
	return out;
}

static void
check_format(const char *format, unsigned v, const struct hello *h)
{
	char rest[256], err[256];
	struct data_path dp;
	struct ds_traffic t;
	struct ds_traffic_spec spec;
	struct ds_cookie_engine *engine = ds_cookie_engine_create(err, sizeof(err));
	struct ds_frame_info info;
	const struct ds_stats *s;
	uint8_t last[DS_TRAFFIC_FRAME_MAX];
	size_t last_len = 0;
	unsigned out, want_len;
	const bool wolfssl = strcmp(format, "wolfssl") == 0;

	snprintf(rest, sizeof(rest),
		 "services:\n  - \"10.0.0.2:4433\"\n  - \"[fd00::2]:4433\"\ncookie:\n  secret_file: cookie.secret\n"
		 "  format: %s\n", format);
	data_path_open_or_bail(&dp, "inline", rest, 4096, 8192);
	s = data_path_stats(&dp);
	want_len = ds_cookie_keyset_params(ds_keyring_current(dp.keyring))->cookie_len;
	traffic_spec(&spec, h, v, LEGIT_BASE, CLIENTS, false, 5 + v);
	spec.engine = engine;
	spec.keyset = ds_keyring_current(dp.keyring);
	if (engine == NULL || ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
		tap_bail("%s", err);
	out = send_all(&dp, &t, DS_TRAFFIC_CH1, AS_IT_IS, DS_PORT_OUTSIDE, last, &last_len);
	ds_classify(last, last_len, NULL, &info);
	tap_check(out == CLIENTS && s->action[DS_ACT_HVR_SENT] == CLIENTS && info.outcome == DS_OUT_DTLS_RECORD &&
			  last_len > info.dtls_offset + DS_HVR_FIXED_LEN &&
			  last[info.dtls_offset + DS_HVR_FIXED_LEN - 1] == want_len,
		  "%s, IPv%u (%s): %u HelloVerifyRequests with %u-byte cookies", format, v, h->label, out, want_len);
	out = send_all(&dp, &t, DS_TRAFFIC_CH2, AS_IT_IS, DS_PORT_INSIDE, last, &last_len);
	tap_check(out == CLIENTS && s->action[DS_ACT_FORWARDED_CH2] == CLIENTS &&
			  s->action[DS_ACT_FLOW_INSERTED] == CLIENTS && s->action[DS_ACT_CH2_VALID] == CLIENTS,
		  "%s, IPv%u: the second ClientHellos with the format's cookies are forwarded, %u flows", format, v,
		  CLIENTS);
	out = send_all(&dp, &t, DS_TRAFFIC_CH1, LONG_SUITES, DS_PORT_OUTSIDE, last, &last_len);
	tap_check(wolfssl ? out == 0 && s->action[DS_ACT_DROPPED_COOKIE_INPUT] == CLIENTS
			  : out == CLIENTS && s->action[DS_ACT_DROPPED_COOKIE_INPUT] == 0,
		  "%s, IPv%u: ClientHellos with %u more bytes of cipher suites are %s", format, v, LONG_SUITES_BYTES,
		  wolfssl ? "dropped (dropped_cookie_input): more than the format covers" : "answered");
	out = send_all(&dp, &t, DS_TRAFFIC_CH1, FIRST_FRAGMENT, DS_PORT_OUTSIDE, last, &last_len);
	tap_check(out == 0 && s->action[DS_ACT_DROPPED_DTLS13] == CLIENTS && s->action[DS_ACT_CH_DTLS13_UNKNOWN] == CLIENTS,
		  "%s, IPv%u: first fragments ending before their cipher suites get no HVR (dtls13 unknown, dropped)",
		  format, v);
	tap_check(data_path_laws_hold(&dp) && data_path_mbufs_in_use(&dp) == 0, "%s, IPv%u: laws hold, mbufs back",
		  format, v);
	ds_cookie_engine_destroy(engine);
	data_path_close(&dp);
}

int
main(int argc, char **argv)
{
	static const char *const formats[] = { "hmac-sha256", "hmac-sha1", "aes-cmac", "gnutls", "wolfssl" };
	const size_t n = hellos_load(hellos, HELLOS_MAX, false);
	size_t f, i;
	unsigned v;

	(void)argc;
	data_path_eal(argv[0], 1024);
	for (f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		for (v = 4; v <= 6; v += 2) {
			/* A real ClientHello of that family, whole in its datagram. */
			for (i = 0; i < n && (hellos[i].info.ip_version != v || hellos[i].info.first_fragment); i++)
				;
			if (i == n)
				tap_bail("no IPv%u ClientHello in the captures", v);
			check_format(formats[f], v, &hellos[i]);
		}
	}
	rte_eal_cleanup();
	return tap_done();
}
