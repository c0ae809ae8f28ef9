/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_CHECKSUM_H
#define DS_CHECKSUM_H

/**
 * @file
 * Internet checksums (RFC 1071) over big-endian byte buffers of any alignment.
 */

#include <stddef.h>
#include <stdint.h>

/**
 * Add a buffer, read as big-endian 16-bit words (a last odd byte padded with zero), to a running sum.
 */
uint64_t ds_cksum_add(uint64_t sum, const uint8_t *buf, size_t len);

/** Fold a running sum to 16 bits, not complemented. */
uint16_t ds_cksum_fold(uint64_t sum);

/**
 * Sum of the UDP pseudo-header (addresses, protocol, length) of an IPv4 or IPv6 packet.
 *
 * @param ip
 *   IP header; addresses are read from it.
 * @param ip_version
 *   4 or 6.
 * @param udp_len
 *   UDP length (header + payload).
 */
uint64_t ds_udp_pseudo_sum(const uint8_t *ip, unsigned ip_version, uint32_t udp_len);

/** Value to store in the header checksum field of a 20-byte IPv4 header (field read as zero). */
uint16_t ds_ipv4_header_cksum(const uint8_t *ip);

/**
 * Value to store in the UDP checksum field (field read as zero; 0 is sent as 0xFFFF, RFC 768).
 *
 * @param ip
 *   IP header (for the pseudo-header).
 * @param udp
 *   UDP header followed by @p udp_len - 8 payload bytes.
 */
uint16_t ds_udp_cksum(const uint8_t *ip, unsigned ip_version, const uint8_t *udp, uint32_t udp_len);

#endif /* DS_CHECKSUM_H */
