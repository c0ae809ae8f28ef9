/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classify every frame of the real captures in two ways:
 *  1. against a table written from the captures' README (frame 1 CH1, 2 HVR, 3 CH2, then the rest of
 *     the handshake), for the two files we know;
 *  2. against tshark's own dissection, for every frame of every capture in the folder, so a capture
 *     added later is checked without editing this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ds_classify.h"
#include "ds_wire.h"
#include "tap.h"
#include "tshark.h"

struct known_frame {
	const char *file;
	unsigned frame;              /**< 1-based, as tshark numbers them */
	enum ds_outcome any;         /**< with every UDP datagram treated as DTLS */
	enum ds_outcome service;     /**< with only the server's port protected */
	unsigned cookie_len;
};

static const uint16_t server_port[] = { 5556, 4433 }; /* gnutls-serv, openssl s_server */

static const struct known_frame known[] = {
	{ "gnutls_dtls12.pcap", 1, DS_OUT_DTLS_CLIENT_HELLO, DS_OUT_DTLS_CLIENT_HELLO, 0 },
	{ "gnutls_dtls12.pcap", 2, DS_OUT_DTLS_RECORD, DS_OUT_UDP_NOT_SERVICE, 0 },
	{ "gnutls_dtls12.pcap", 3, DS_OUT_DTLS_CLIENT_HELLO_COOKIE, DS_OUT_DTLS_CLIENT_HELLO_COOKIE, 16 },
	{ "gnutls_dtls12.pcap", 4, DS_OUT_DTLS_RECORD, DS_OUT_UDP_NOT_SERVICE, 0 },
	{ "gnutls_dtls12.pcap", 9, DS_OUT_DTLS_RECORD, DS_OUT_DTLS_RECORD, 0 },
	{ "gnutls_dtls12.pcap", 12, DS_OUT_DTLS_RECORD, DS_OUT_UDP_NOT_SERVICE, 0 },
	{ "gnutls_dtls12.pcap", 13, DS_OUT_DTLS_RECORD, DS_OUT_DTLS_RECORD, 0 },
	{ "ossl_dtls12.pcap", 1, DS_OUT_DTLS_CLIENT_HELLO, DS_OUT_DTLS_CLIENT_HELLO, 0 },
	{ "ossl_dtls12.pcap", 2, DS_OUT_DTLS_RECORD, DS_OUT_UDP_NOT_SERVICE, 0 },
	{ "ossl_dtls12.pcap", 3, DS_OUT_DTLS_CLIENT_HELLO_COOKIE, DS_OUT_DTLS_CLIENT_HELLO_COOKIE, 20 },
	{ "ossl_dtls12.pcap", 4, DS_OUT_DTLS_RECORD, DS_OUT_UDP_NOT_SERVICE, 0 },
	{ "ossl_dtls12.pcap", 5, DS_OUT_DTLS_RECORD, DS_OUT_DTLS_RECORD, 0 },
	{ "ossl_dtls12.pcap", 7, DS_OUT_DTLS_RECORD, DS_OUT_DTLS_RECORD, 0 },
};

static void
check_known_frames(const char *path, const struct capture *cap)
{
	const char *name = capture_basename(path);
	struct ds_service_set services;
	struct ds_service svc = { .any_address = true };
	struct ds_frame_info info;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct known_frame *k = &known[i];
		const struct capture_frame *f;
		enum ds_outcome any, service;

		if (strcmp(k->file, name) != 0)
			continue;
		if (!tap_check(k->frame <= cap->count, "step %zu: %s has frame %u", i, name, k->frame))
			continue;
		f = &cap->frames[k->frame - 1];
		svc.port = server_port[strcmp(name, "ossl_dtls12.pcap") == 0];
		ds_service_set_init(&services);
		ds_service_set_add(&services, &svc);
		service = ds_classify(f->data, f->len, &services, &info);
		any = ds_classify(f->data, f->len, NULL, &info);
		tap_check(any == k->any && service == k->service && info.cookie_len == k->cookie_len,
			  "step %zu: %s frame %u is %s / %s with a %u-byte cookie (got %s / %s, %u)", i,
			  name, k->frame, ds_outcome_name(k->any), ds_outcome_name(k->service),
			  k->cookie_len, ds_outcome_name(any), ds_outcome_name(service), info.cookie_len);
	}
}

enum tshark_col {
	COL_PROTOCOLS, COL_UDP_SRCPORT, COL_CONTENT_TYPE, COL_EPOCH, COL_HS_TYPE, COL_FRAG_OFFSET,
	COL_SID_LEN, COL_COOKIE_LEN, COL_COOKIE, COL_RANDOM, COL_SUITES_LEN, COL_COMP_LEN, COL_COUNT
};

static const char *const tshark_fields[COL_COUNT] = {
	[COL_PROTOCOLS] = "frame.protocols",
	[COL_UDP_SRCPORT] = "udp.srcport",
	[COL_CONTENT_TYPE] = "dtls.record.content_type",
	[COL_EPOCH] = "dtls.record.epoch",
	[COL_HS_TYPE] = "dtls.handshake.type",
	[COL_FRAG_OFFSET] = "dtls.handshake.fragment_offset",
	[COL_SID_LEN] = "dtls.handshake.session_id_length",
	[COL_COOKIE_LEN] = "dtls.handshake.cookie_length",
	[COL_COOKIE] = "dtls.handshake.cookie",
	[COL_RANDOM] = "dtls.handshake.random",
	[COL_SUITES_LEN] = "dtls.handshake.cipher_suites_length",
	[COL_COMP_LEN] = "dtls.handshake.comp_methods_length",
};

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* What tshark's dissection says the classifier must answer for one frame. */
static void
check_against_tshark(const char *name, size_t row, const struct capture_frame *f,
		     const struct tshark_table *t)
{
	struct ds_frame_info info;
	enum ds_outcome got = ds_classify(f->data, f->len, NULL, &info);
	const char *protocols = tshark_cell(t, row, COL_PROTOCOLS);
	long long content_type = tshark_number(tshark_cell(t, row, COL_CONTENT_TYPE));
	long long epoch = tshark_number(tshark_cell(t, row, COL_EPOCH));
	long long hs_type = tshark_number(tshark_cell(t, row, COL_HS_TYPE));
	char cookie[2 * DS_COOKIE_MAX_LEN + 1], random[2 * DS_DTLS_RANDOM_LEN + 1];

	if (strstr(protocols, ":dtls") == NULL) {
		tap_check(got != DS_OUT_DTLS_CLIENT_HELLO && got != DS_OUT_DTLS_CLIENT_HELLO_COOKIE,
			  "%s frame %zu: tshark sees no DTLS (%s); not a ClientHello (got %s)", name,
			  row + 1, protocols, ds_outcome_name(got));
		return;
	}
	if (content_type != DS_DTLS_CT_HANDSHAKE || epoch != 0 || hs_type != DS_DTLS_HS_CLIENT_HELLO) {
		tap_check(got == DS_OUT_DTLS_RECORD,
			  "%s frame %zu: tshark sees type %lld epoch %lld handshake %lld; dtls_record "
			  "(got %s)", name, row + 1, content_type, epoch, hs_type, ds_outcome_name(got));
		return;
	}
	if (tshark_number(tshark_cell(t, row, COL_FRAG_OFFSET)) > 0) {
		tap_check(got == DS_OUT_DTLS_HELLO_FRAGMENT, "%s frame %zu: later ClientHello fragment (got %s)",
			  name, row + 1, ds_outcome_name(got));
		return;
	}
	if (!tap_check(ds_outcome_is_client_hello(got), "%s frame %zu: tshark sees a ClientHello (got %s)",
		       name, row + 1, ds_outcome_name(got)))
		return;
	hex(f->data + info.cookie_offset, info.cookie_len, cookie);
	hex(ds_frame_client_random(f->data, &info), DS_DTLS_RANDOM_LEN, random);
	tap_check(tshark_number(tshark_cell(t, row, COL_COOKIE_LEN)) == info.cookie_len &&
		  strcmp(tshark_cell(t, row, COL_COOKIE), cookie) == 0 &&
		  tshark_number(tshark_cell(t, row, COL_SID_LEN)) == info.session_id_len &&
		  strcmp(tshark_cell(t, row, COL_RANDOM), random) == 0 &&
		  (got == DS_OUT_DTLS_CLIENT_HELLO) == (info.cookie_len == 0),
		  "%s frame %zu: cookie '%s' (%u bytes), session_id %u bytes and random agree with tshark "
		  "(tshark: '%s', %s, %s)", name, row + 1, cookie, info.cookie_len, info.session_id_len,
		  tshark_cell(t, row, COL_COOKIE), tshark_cell(t, row, COL_COOKIE_LEN),
		  tshark_cell(t, row, COL_SID_LEN));
	/* What the wolfssl format covers after the cookie, in a ClientHello whole in its datagram. */
	if (!info.first_fragment)
		tap_check(info.suites_offset != 0 && tshark_number(tshark_cell(t, row, COL_SUITES_LEN)) == info.suites_len &&
				  tshark_number(tshark_cell(t, row, COL_COMP_LEN)) == info.compression_len &&
				  info.dtls13 == DS_DTLS13_NOT_OFFERED,
			  "%s frame %zu: cipher suites (%u bytes) and compression methods (%u) agree with tshark "
			  "(%s, %s); no DTLS 1.3 offered (no Debian 12 client speaks it)", name, row + 1, info.suites_len,
			  info.compression_len,
			  tshark_cell(t, row, COL_SUITES_LEN), tshark_cell(t, row, COL_COMP_LEN));
}

int
main(void)
{
	size_t n, i, row;
	char **paths = capture_list(&n);

	for (i = 0; i < n; i++) {
		struct capture cap;
		struct tshark_table t;

		capture_load(paths[i], &cap);
		tap_check(cap.count > 0, "%s holds frames", capture_basename(paths[i]));
		check_known_frames(paths[i], &cap);
		if (tshark_read(paths[i], NULL, 0, tshark_fields, COL_COUNT, &t) != 0)
			tap_bail("tshark is needed for the cross-check");
		tap_check(t.rows == cap.count, "%s: tshark reads %zu frames, libpcap %zu",
			  capture_basename(paths[i]), t.rows, cap.count);
		for (row = 0; row < t.rows && row < cap.count; row++)
			check_against_tshark(capture_basename(paths[i]), row, &cap.frames[row], &t);
		tshark_free(&t);
		capture_free(&cap);
	}
	capture_list_free(paths);
	return tap_done();
}
