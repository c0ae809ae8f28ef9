/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_checksum.h"

#include <string.h>

#include "ds_wire.h"

uint64_t
ds_cksum_add(uint64_t sum, const uint8_t *buf, size_t len)
{
	/*
	 * Words in the host's byte order, eight bytes at a time, swapped once at the end: the ones'
	 * complement sum does not care about byte order (RFC 1071 §2(B)). The accumulator cannot overflow:
	 * each step adds less than 2^33, and a datagram is far below 2^30 steps.
	 */
	uint64_t acc = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, buf + i, 8);
		acc += (w & 0xFFFFFFFF) + (w >> 32);
	}
	for (; i + 2 <= len; i += 2) {
		uint16_t h;

		memcpy(&h, buf + i, 2);
		acc += h;
	}
	/* An odd last byte is the first byte of a word padded with zero. */
	if (i < len) {
		const uint8_t last[2] = { buf[i], 0 };
		uint16_t h;

		memcpy(&h, last, 2);
		acc += h;
	}
	acc = ds_cksum_fold(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc = (uint16_t)(acc << 8 | acc >> 8);
#endif
	return sum + acc;
}

uint16_t
ds_cksum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

uint64_t
ds_udp_pseudo_sum(const uint8_t *ip, unsigned ip_version, uint32_t udp_len)
{
	uint64_t sum = DS_IPPROTO_UDP + (uint64_t)udp_len;

	if (ip_version == 4)
		return ds_cksum_add(sum, ip + 12, 2 * DS_IPV4_ADDR_LEN);
	return ds_cksum_add(sum, ip + 8, 2 * DS_IPV6_ADDR_LEN);
}

uint16_t
ds_ipv4_header_cksum(const uint8_t *ip)
{
	/* Skip the checksum field itself (bytes 10-11). */
	uint64_t sum = ds_cksum_add(ds_cksum_add(0, ip, 10), ip + 12, DS_IPV4_HDR_LEN - 12);

	return (uint16_t)~ds_cksum_fold(sum);
}

uint16_t
ds_udp_cksum(const uint8_t *ip, unsigned ip_version, const uint8_t *udp, uint32_t udp_len)
{
	uint64_t sum = ds_udp_pseudo_sum(ip, ip_version, udp_len);
	uint16_t cksum;

	sum = ds_cksum_add(sum, udp, 6); /* ports and length; the checksum field counts as zero */
	sum = ds_cksum_add(sum, udp + DS_UDP_HDR_LEN, udp_len - DS_UDP_HDR_LEN);
	cksum = (uint16_t)~ds_cksum_fold(sum);
	/* 0 means "no checksum" on the wire (and is illegal for IPv6). */
	return cksum == 0 ? 0xFFFF : cksum;
}
