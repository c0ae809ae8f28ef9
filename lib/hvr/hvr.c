/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_hvr.h"

#include <string.h>

#include "ds_checksum.h"
#include "ds_reply.h"
#include "ds_wire.h"

struct result_row {
	const char *name;
	const char *help;
};

static const struct result_row result_rows[] = {
#define DS_HVR_RESULT_ROW(suffix, n, h) [DS_HVR_##suffix] = { .name = n, .help = h },
	DS_HVR_RESULT_LIST(DS_HVR_RESULT_ROW)
#undef DS_HVR_RESULT_ROW
};

_Static_assert(sizeof(result_rows) / sizeof(result_rows[0]) == DS_HVR_RESULT_COUNT,
	       "one row per result");

const char *
ds_hvr_result_name(enum ds_hvr_result result)
{
	return (unsigned)result < DS_HVR_RESULT_COUNT ? result_rows[result].name : "invalid";
}

const char *
ds_hvr_result_help(enum ds_hvr_result result)
{
	return (unsigned)result < DS_HVR_RESULT_COUNT ? result_rows[result].help : "invalid";
}

/*
 * The DTLS part (RFC 6347 §4.2.1): record header with the ClientHello's record sequence number,
 * handshake header with its message_seq, server_version and the cookie. Returns the bytes' sum.
 */
static uint64_t
write_dtls(uint8_t *rec, const uint8_t *cookie, unsigned cookie_len)
{
	const uint64_t seq = ds_load_be48(rec + 5);
	const uint64_t message_seq = ds_load_be16(rec + DS_DTLS_RECORD_HDR_LEN + 4);
	const uint64_t body_len = 3 + cookie_len, rec_len = DS_DTLS_HS_HDR_LEN + body_len;
	/* Every server sends its HVR as DTLS 1.0, whatever version it will settle on. */
	const uint64_t w0 = (uint64_t)DS_DTLS_CT_HANDSHAKE << 56 | (uint64_t)DS_DTLS_VERSION_1_0 << 40 |
			    0 << 24 /* epoch */ | seq >> 24;
	const uint64_t w1 = (seq & 0xFFFFFF) << 40 | rec_len << 24 | (uint64_t)DS_DTLS_HS_HELLO_VERIFY_REQUEST << 16 |
			    body_len >> 8; /* length: 0, high, ... */
	const uint64_t w2 = (body_len & 0xFF) << 56 | message_seq << 40 | 0 << 16 /* fragment_offset */ |
			    body_len >> 8; /* fragment_length: 0, high, ... */
	const uint32_t w3 = (uint32_t)(body_len & 0xFF) << 24 | (uint32_t)DS_DTLS_VERSION_1_0 << 8 | cookie_len;
	uint64_t sum = ds_reply_sum16(w0) + ds_reply_sum16(w1) + ds_reply_sum16(w2) + ds_reply_sum16(w3);

	/* The cookie starts on an even offset (28): its words follow on. */
	sum = ds_cksum_add(sum, cookie, cookie_len);
	ds_store_be64(rec, w0);
	ds_store_be64(rec + 8, w1);
	ds_store_be64(rec + 16, w2);
	ds_store_be32(rec + 24, w3);
	/* memmove: the cookie may be the ClientHello's own, further on in the same buffer. */
	memmove(rec + DS_HVR_FIXED_LEN, cookie, cookie_len);
	return sum;
}

enum ds_hvr_result
ds_hvr_write(uint8_t *frame, const struct ds_frame_info *info, const uint8_t *cookie,
	     unsigned cookie_len, unsigned flags, uint32_t *frame_len)
{
	uint32_t hvr_len;
	uint64_t payload_sum;

	if (!ds_outcome_is_client_hello(info->outcome))
		return DS_HVR_NOT_CLIENT_HELLO;
	if (cookie_len == 0 || cookie_len > DS_COOKIE_MAX_LEN)
		return DS_HVR_BAD_COOKIE_LENGTH;
	hvr_len = DS_HVR_FIXED_LEN + cookie_len;
	/* A ClientHello always outweighs its answer; refusing is the last guard against reflection. */
	if (hvr_len > info->dtls_len)
		return DS_HVR_WOULD_AMPLIFY;
	payload_sum = write_dtls(frame + info->dtls_offset, cookie, cookie_len);
	*frame_len = ds_reply_write_headers(frame, info, hvr_len, payload_sum, flags);
	return DS_HVR_WRITTEN;
}
