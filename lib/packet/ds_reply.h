/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_REPLY_H
#define DS_REPLY_H

/**
 * @file
 * The outer headers of a reply written in place over the datagram it answers (HelloVerifyRequest, QUIC
 * Retry, Version Negotiation): Ethernet addresses, IP addresses and UDP ports swapped, VLAN tags kept,
 * lengths and checksums rewritten. The caller has already written the new UDP payload.
 */

#include <stdint.h>

#include "ds_classify.h"

/** Checksums left to the NIC. */
enum ds_reply_flags {
	/** IPv4 header checksum field set to 0 for the NIC to fill. */
	DS_REPLY_OFFLOAD_IPV4_CKSUM = 1 << 0,
	/** UDP checksum field holds the pseudo-header sum, as DPDK's UDP checksum offload expects. */
	DS_REPLY_OFFLOAD_UDP_CKSUM = 1 << 1,
};

/**
 * Turn the headers of a classified UDP frame around.
 *
 * @param frame
 *   The frame ds_classify() classified into @p info; its UDP payload is already the reply's.
 * @param payload_len
 *   Length of the reply's UDP payload (at most info->dtls_len).
 * @param payload_sum
 *   ds_cksum_add(0, payload, payload_len), or an equal ones' complement sum.
 * @param flags
 *   Zero or more of enum ds_reply_flags.
 * @return
 *   Length of the reply frame, from the Ethernet header to the end of the UDP payload.
 */
uint32_t ds_reply_write_headers(uint8_t *frame, const struct ds_frame_info *info, uint32_t payload_len,
				uint64_t payload_sum, unsigned flags);

/** Ones' complement sum of the four 16-bit words of @p w (headers built in registers). */
static inline uint64_t
ds_reply_sum16(uint64_t w)
{
	return (w >> 48) + (w >> 32 & 0xFFFF) + (w >> 16 & 0xFFFF) + (w & 0xFFFF);
}

#endif /* DS_REPLY_H */
