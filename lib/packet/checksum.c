/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_checksum.h"

#include "ds_wire.h"

uint64_t
ds_cksum_add(uint64_t sum, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += ds_load_be16(buf + i);
	if (len & 1)
		sum += (uint64_t)buf[len - 1] << 8;
	return sum;
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
