/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_ROUTE_H
#define DS_ROUTE_H

/**
 * @file
 * What routed mode does to a frame it forwards: new Ethernet addresses (ours as source, the next
 * hop's as destination) and one hop less of TTL or hop limit, with the IPv4 header checksum updated
 * incrementally (RFC 1624). The UDP checksum does not cover the TTL and stays valid.
 */

#include <stddef.h>
#include <stdint.h>

/** What ds_route_rewrite() did. */
enum ds_route_result {
	DS_ROUTE_FORWARD,     /**< rewritten, ready to send */
	DS_ROUTE_TTL_EXPIRED, /**< TTL or hop limit was 1 or 0: drop (frame untouched) */
};

/**
 * Rewrite a frame for the next hop.
 *
 * @param l3_offset
 *   IP header offset, from ds_classify() or ds_frame_l3().
 * @param ip_version
 *   4 or 6; 0 for frames without IP (only the addresses change).
 */
enum ds_route_result ds_route_rewrite(uint8_t *frame, uint32_t l3_offset, unsigned ip_version,
				      const uint8_t src_mac[6], const uint8_t dst_mac[6]);

#endif /* DS_ROUTE_H */
