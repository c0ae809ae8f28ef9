/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_RETRY_H
#define DS_RETRY_H

/**
 * @file
 * Turn a classified QUIC Initial into the Retry that answers it (RFC 9000 §17.2.5, RFC 9001 §5.8,
 * RFC 9369), or a long header of an unknown version into a Version Negotiation packet (RFC 9000
 * §17.2.1), in the same buffer. The client's SCID becomes the reply's DCID; a Retry carries a new SCID,
 * a shared-state token (ds_quic_token.h) and its integrity tag. Both replies are far smaller than the
 * 1200-byte datagram they answer: the writers refuse anything else.
 */

#include <stdint.h>

#include "ds_classify.h"
#include "ds_reply.h"

struct ds_cookie_engine;
struct ds_cookie_keyset;

/** Results of the writers; the names are counter names. */
#define DS_RETRY_RESULT_LIST(X) \
	X(WRITTEN, "retry_written", "Retry or Version Negotiation written in place") \
	X(NOT_INITIAL, "retry_not_initial", "frame was not classified as a QUIC Initial (or other version)") \
	X(WOULD_AMPLIFY, "retry_would_amplify", "reply would be larger than the datagram it answers") \
	X(BAD_DCID, "retry_bad_dcid", "Initial's DCID under 8 bytes: no token could ever carry it")

/** What a writer did. */
enum ds_retry_result {
#define DS_RETRY_RESULT_ENUM(suffix, name, help) DS_RETRY_##suffix,
	DS_RETRY_RESULT_LIST(DS_RETRY_RESULT_ENUM)
#undef DS_RETRY_RESULT_ENUM
	DS_RETRY_RESULT_COUNT
};

/** Length of the SCID a Retry gives the client to use as its next DCID. */
enum { DS_RETRY_SCID_LEN = 12 };

/**
 * Write the Retry over the Initial it answers; on anything but DS_RETRY_WRITTEN the frame is untouched.
 *
 * @param unique
 *   12 bytes never used before with the key set's current key: the token's nonce, and the Retry's SCID.
 * @param now_s
 *   Unix seconds: the token expires DS_QUIC_TOKEN_LIFETIME_S later.
 * @param flags
 *   Zero or more of enum ds_reply_flags.
 * @param frame_len
 *   Set to the reply frame's length.
 */
enum ds_retry_result ds_retry_write(uint8_t *frame, const struct ds_frame_info *info, struct ds_cookie_engine *e,
				    const struct ds_cookie_keyset *ks, const uint8_t *unique, uint64_t now_s,
				    unsigned flags, uint32_t *frame_len);

/** Write a Version Negotiation packet offering QUIC v1 and v2 over a long header of another version. */
enum ds_retry_result ds_version_negotiation_write(uint8_t *frame, const struct ds_frame_info *info, unsigned flags,
						  uint32_t *frame_len);

/** Counter name of a result; "invalid" when out of range. */
const char *ds_retry_result_name(enum ds_retry_result result);

#endif /* DS_RETRY_H */
