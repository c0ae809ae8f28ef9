/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BUILD_H
#define DS_BUILD_H

/**
 * @file
 * Making frames rather than reading them: for the traffic generator and the tests. Not on the data
 * path.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_classify.h"

/** The addresses of a frame to build. */
struct ds_frame_addrs {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t ip_version;  /**< 4 or 6 */
	uint8_t src_ip[16];  /**< IPv4 in the first 4 bytes */
	uint8_t dst_ip[16];
	uint16_t src_port;   /**< host order */
	uint16_t dst_port;
};

/**
 * Ethernet + IPv4 (TTL 64, DF) or IPv6 (hop limit 64) + UDP around a payload, checksums computed.
 *
 * @return
 *   Frame length, or 0 when @p cap is too small.
 */
size_t ds_frame_build(uint8_t *out, size_t cap, const struct ds_frame_addrs *a, const uint8_t *payload,
		      size_t payload_len);

/**
 * A ClientHello carrying @p cookie, made from another ClientHello's UDP payload (classified with
 * ds_classify_dtls()): the cookie replaced, the record, handshake and fragment lengths adjusted, every
 * other byte kept. With @p second_flight the record sequence number and message_seq become 1, as in a
 * client's answer to a HelloVerifyRequest.
 *
 * @return
 *   Length written to @p out, or 0 (not a ClientHello, cookie too long, @p cap too small).
 */
size_t ds_hello_with_cookie(const uint8_t *payload, const struct ds_frame_info *info, const uint8_t *cookie,
			    unsigned cookie_len, int second_flight, uint8_t *out, size_t cap);

#endif /* DS_BUILD_H */
