/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes through the classifier (both ways: to a service, and from one) and, for a
 * ClientHello, the HVR writer; for a QUIC Initial the Retry writer, for another QUIC version the
 * Version Negotiation writer; and the look for frames to the appliance itself (lib/packet/local.c) with
 * control addresses 10.0.0.1 and fd00::1: a GRE frame is opened (its inner packet then classified) and
 * re-encapsulated to its own length.
 *
 * Input layout: one control byte, then the frame. Control bit 0 protects only UDP port 4433 (DTLS) and
 * 443 (QUIC) (else every port is DTLS); bits 1-5 + 1 give the cookie length. Any broken invariant traps, so the fuzzer keeps
 * the input; ASan and UBSan report any bad access.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ds_classify.h"
#include "ds_cookie_engine.h"
#include "ds_hvr.h"
#include "ds_keyring.h"
#include "ds_local.h"
#include "ds_retry.h"
#include "ds_wire.h"
#include "hvr_rules.h"

static struct ds_service_set services;
static struct ds_cookie_engine *engine;
static struct ds_keyring *keyring;
static const struct ds_local_addrs control = {
	.n4 = 1, .n6 = 1, .v4 = { { 10, 0, 0, 1 } }, .v6 = { { 0xfd, 0, [15] = 1 } },
};


static void
require(int cond)
{
	if (!cond)
		__builtin_trap();
}

static void
check_offsets(const struct ds_frame_info *info, size_t len)
{
	require(info->l3_offset <= len && info->l4_offset <= len);
	if (info->dtls_offset != 0)
		require(info->dtls_offset + info->dtls_len <= len);
	if (ds_outcome_is_client_hello(info->outcome))
		require(info->cookie_len <= DS_COOKIE_MAX_LEN &&
			info->cookie_offset + info->cookie_len <= info->dtls_offset + info->dtls_len);
	if (ds_outcome_is_quic_initial(info->outcome))
		require(info->quic_token_offset + info->quic_token_len <= info->dtls_offset + info->dtls_len &&
			info->dtls_len >= DS_QUIC_MIN_DATAGRAM && info->quic_dcid_len <= DS_QUIC_CID_MAX);
	if (info->outcome == DS_OUT_QUIC_OTHER_VERSION || ds_outcome_is_quic_initial(info->outcome))
		require(info->dtls_offset + DS_QUIC_DCID_OFFSET + info->quic_dcid_len + 1u + info->quic_scid_len <=
			info->dtls_offset + info->dtls_len);
	require(info->dtls13 <= DS_DTLS13_UNKNOWN && (info->dtls13 == DS_DTLS13_NOT_OFFERED ||
						      ds_outcome_is_client_hello(info->outcome)));
	/* The cipher suites and compression methods the wolfssl format covers lie after the cookie. */
	if (info->suites_offset != 0)
		require(ds_outcome_is_client_hello(info->outcome) && info->suites_len != 0 && info->compression_len != 0 &&
			info->suites_offset >= info->cookie_offset + info->cookie_len + 2 &&
			info->suites_offset + info->suites_len + 1u + info->compression_len <=
				info->dtls_offset + info->dtls_len);
}

/* The same bytes read as a service's frame: a proof or a CID only in a datagram of well-formed records. */
static void
check_reply(const uint8_t *frame, size_t len, const struct ds_service_set *svc)
{
	struct ds_frame_info info;

	require((unsigned)ds_classify_reply(frame, len, svc, &info) < DS_OUT_COUNT);
	check_offsets(&info, len);
	require(info.outcome == DS_OUT_DTLS_RECORD || info.outcome == DS_OUT_QUIC_SHORT_HEADER ||
		(!info.session_proof && !info.has_server_cid));
	if (info.has_server_cid)
		require(info.server_cid_offset >= info.dtls_offset &&
			info.server_cid_offset + info.server_cid_len <= info.dtls_offset + info.dtls_len);
}

/* A frame for the appliance: a GRE one opened in place must leave a whole IP packet's start behind. */
static void
check_local(uint8_t *frame, size_t len, const struct ds_service_set *svc)
{
	struct ds_gre_info gre;
	struct ds_frame_info info;
	uint32_t shift;

	if (ds_local_classify(frame, len, &control, &gre) != DS_LOCAL_GRE)
		return;
	require(gre.outer_l3 >= DS_ETH_HDR_LEN && gre.outer_l3 < gre.inner_l3 && gre.inner_l3 < len);
	shift = ds_gre_decap(frame, &gre);
	require(shift == gre.inner_l3 - gre.outer_l3);
	require(ds_load_be16(frame + shift + gre.outer_l3 - 2) == gre.inner_ethertype);
	require((unsigned)ds_classify(frame + shift, len - shift, svc, &info) < DS_OUT_COUNT);
	check_offsets(&info, len - shift);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_frame_info info;
	const struct ds_service_set *svc;
	uint8_t *frame, *request, cookie[DS_COOKIE_MAX_LEN];
	unsigned cookie_len, i;
	uint32_t reply_len = 0;
	size_t len;
	char why[256];

	if (size < 1)
		return 0;
	if (services.count == 0) {
		struct ds_service any = { .any_address = true, .port = 4433 };
		struct ds_service quic = { .any_address = true, .port = 443, .protocol = DS_PROTO_QUIC };
		struct ds_cookie_params params;
		struct ds_secret master = { .len = 32 };
		char err[128];

		ds_service_set_add(&services, &any);
		ds_service_set_add(&services, &quic);
		ds_cookie_params_default(&params);
		engine = ds_cookie_engine_create(err, sizeof(err));
		keyring = ds_keyring_create(&params, &master, ds_keyring_clock_ms(), err, sizeof(err));
		require(engine != NULL && keyring != NULL);
	}
	svc = data[0] & 1 ? &services : NULL;
	cookie_len = ((data[0] >> 1) & 0x1F) + 1;
	len = size - 1;
	/* Exactly len bytes on the heap: one byte more read is an ASan report. */
	frame = malloc(len ? len : 1);
	request = malloc(len ? len : 1);
	memcpy(frame, data + 1, len);
	memcpy(request, data + 1, len);

	check_local(frame, len, svc);
	memcpy(frame, request, len);
	require((unsigned)ds_classify(frame, len, svc, &info) < DS_OUT_COUNT);
	require(memcmp(frame, request, len) == 0);
	check_offsets(&info, len);
	check_reply(frame, len, svc);
	require(memcmp(frame, request, len) == 0);
	if (ds_outcome_is_client_hello(info.outcome)) {
		for (i = 0; i < cookie_len; i++)
			cookie[i] = (uint8_t)(i * 7 + cookie_len);
		require(ds_hvr_write(frame, &info, cookie, cookie_len, 0, &reply_len) == DS_HVR_WRITTEN);
		require(reply_len <= len);
		require(hvr_rules_check(request, &info, frame, reply_len, cookie, cookie_len, 0, why,
					sizeof(why)));
	}
	if (ds_outcome_is_quic_initial(info.outcome)) {
		const uint8_t unique[12] = { 1 };
		const enum ds_retry_result r = ds_retry_write(frame, &info, engine, ds_keyring_current(keyring), unique,
							      1700000000, 0, &reply_len);

		require(r == (info.quic_dcid_len < DS_QUIC_MIN_INITIAL_DCID ? DS_RETRY_BAD_DCID : DS_RETRY_WRITTEN));
		require(r != DS_RETRY_WRITTEN || (reply_len <= len && reply_len < info.dtls_offset + 200u));
	}
	if (info.outcome == DS_OUT_QUIC_OTHER_VERSION &&
	    ds_version_negotiation_write(frame, &info, 0, &reply_len) == DS_RETRY_WRITTEN)
		require(reply_len <= len);
	free(request);
	free(frame);
	return 0;
}
