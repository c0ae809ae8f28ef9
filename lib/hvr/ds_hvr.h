/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_HVR_H
#define DS_HVR_H

/**
 * @file
 * Turn a classified ClientHello frame into the HelloVerifyRequest that answers it, in the same buffer.
 *
 * Wire rules (RFC 6347 §4.2.1, §4.1; DESIGN §5): record content type 22, version 0xFEFF, epoch 0, the
 * record sequence number of the ClientHello; handshake type 3 with the ClientHello's message_seq,
 * fragment_offset 0, fragment_length = length; body server_version 0xFEFF and the cookie. Ethernet
 * addresses, IP addresses and UDP ports are swapped, VLAN tags kept, lengths and checksums rewritten.
 * The reply is never larger than the ClientHello it answers.
 */

#include <stdint.h>

#include "ds_classify.h"
#include "ds_reply.h"

/** Results of ds_hvr_write(); the names are counter names. */
#define DS_HVR_RESULT_LIST(X) \
	X(WRITTEN, "hvr_written", "HelloVerifyRequest written in place") \
	X(NOT_CLIENT_HELLO, "hvr_not_client_hello", "frame was not classified as a ClientHello") \
	X(BAD_COOKIE_LENGTH, "hvr_bad_cookie_length", "cookie length outside 1..32") \
	X(WOULD_AMPLIFY, "hvr_would_amplify", "reply would be larger than the ClientHello")

/** What ds_hvr_write() did. */
enum ds_hvr_result {
#define DS_HVR_RESULT_ENUM(suffix, name, help) DS_HVR_##suffix,
	DS_HVR_RESULT_LIST(DS_HVR_RESULT_ENUM)
#undef DS_HVR_RESULT_ENUM
	DS_HVR_RESULT_COUNT
};

/** Checksums left to the NIC. */
enum ds_hvr_flags {
	/** IPv4 header checksum field set to 0 for the NIC to fill. */
	DS_HVR_OFFLOAD_IPV4_CKSUM = DS_REPLY_OFFLOAD_IPV4_CKSUM,
	/** UDP checksum field holds the pseudo-header sum, as DPDK's UDP checksum offload expects. */
	DS_HVR_OFFLOAD_UDP_CKSUM = DS_REPLY_OFFLOAD_UDP_CKSUM,
};

/**
 * Write the HelloVerifyRequest over the ClientHello it answers.
 *
 * On anything but DS_HVR_WRITTEN the frame is left untouched.
 *
 * @param frame
 *   The frame that ds_classify() classified into @p info.
 * @param info
 *   Classification of @p frame; its outcome must be a ClientHello.
 * @param cookie
 *   Cookie bytes; may point into @p frame (the ClientHello's own cookie).
 * @param cookie_len
 *   1 to DS_COOKIE_MAX_LEN.
 * @param flags
 *   Zero or more of enum ds_hvr_flags.
 * @param frame_len
 *   Set to the length of the reply frame (from the Ethernet header to the end of the UDP payload).
 * @return
 *   DS_HVR_WRITTEN, or why nothing was written.
 */
enum ds_hvr_result ds_hvr_write(uint8_t *frame, const struct ds_frame_info *info, const uint8_t *cookie,
				unsigned cookie_len, unsigned flags, uint32_t *frame_len);

/** Counter name of a result, such as "hvr_would_amplify"; "invalid" when out of range. */
const char *ds_hvr_result_name(enum ds_hvr_result result);

/** One line for operators about a result; "invalid" when out of range. */
const char *ds_hvr_result_help(enum ds_hvr_result result);

#endif /* DS_HVR_H */
