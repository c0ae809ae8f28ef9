/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_reply.h"

#include <string.h>

#include "ds_checksum.h"
#include "ds_wire.h"

/*
 * Every header is built in registers from values read before the first store, then written a word at
 * a time, and the checksums are summed from the same words: no load ever waits for bytes just stored
 * (a load spanning several fresh narrow stores is not forwarded from the store buffer), and a flood's
 * reply costs a handful of stores instead of dozens (RFC 1624's arithmetic, applied whole).
 */

static void
swap_ethernet(uint8_t *frame)
{
	uint8_t dst[DS_ETH_ADDR_LEN], src[DS_ETH_ADDR_LEN];

	memcpy(dst, frame, DS_ETH_ADDR_LEN);
	memcpy(src, frame + DS_ETH_ADDR_LEN, DS_ETH_ADDR_LEN);
	memcpy(frame, src, DS_ETH_ADDR_LEN);
	memcpy(frame + DS_ETH_ADDR_LEN, dst, DS_ETH_ADDR_LEN);
}

/* Swap the addresses; returns their sum (the same either way round). */
static uint64_t
swap_addresses(uint8_t *src, uint8_t *dst, size_t len)
{
	uint8_t a[DS_IPV6_ADDR_LEN], b[DS_IPV6_ADDR_LEN];

	memcpy(a, src, len);
	memcpy(b, dst, len);
	memcpy(src, b, len);
	memcpy(dst, a, len);
	return ds_cksum_add(ds_cksum_add(0, a, len), b, len);
}

/* The classifier let no options through: the header is these twenty bytes. */
static uint64_t
write_ipv4(uint8_t *ip, uint32_t udp_len, unsigned flags)
{
	/* Keep version, IHL and DSCP; drop ECN: this reply takes no part in congestion control. */
	const uint64_t w0 = (ds_load_be64(ip) & UINT64_C(0xFFFC) << 48) | (uint64_t)(DS_IPV4_HDR_LEN + udp_len) << 32 |
			    0 << 16 /* ID: an atomic datagram's means nothing (RFC 6864) */ | DS_IPV4_FLAG_DF;
	const uint32_t ttl_proto = (uint32_t)DS_REPLY_TTL << 8 | DS_IPPROTO_UDP;
	const uint64_t addr_sum = swap_addresses(ip + 12, ip + 16, DS_IPV4_ADDR_LEN);
	const uint16_t cksum = flags & DS_REPLY_OFFLOAD_IPV4_CKSUM
				       ? 0
				       : (uint16_t)~ds_cksum_fold(ds_reply_sum16(w0) + ttl_proto + addr_sum);

	ds_store_be64(ip, w0);
	ds_store_be32(ip + 8, ttl_proto << 16 | cksum);
	return addr_sum;
}

static uint64_t
write_ipv6(uint8_t *ip, uint32_t udp_len)
{
	/* Keep version and DSCP; clear ECN and the flow label, which are the client's. */
	const uint64_t w0 = (ds_load_be64(ip) & UINT64_C(0xFFC0) << 48) | (uint64_t)udp_len << 16 |
			    (uint64_t)DS_IPPROTO_UDP << 8 | DS_REPLY_TTL;

	ds_store_be64(ip, w0);
	return swap_addresses(ip + 8, ip + 24, DS_IPV6_ADDR_LEN);
}

/* Ports swapped, the new length, and the checksum of pseudo-header, header and @p payload_sum. */
static void
write_udp(uint8_t *udp, uint32_t udp_len, uint64_t addr_sum, uint64_t payload_sum, unsigned flags)
{
	const uint64_t ports = ds_load_be64(udp) >> 32;
	const uint64_t w = (ports & 0xFFFF) << 48 | (ports >> 16) << 32 | (uint64_t)udp_len << 16;
	const uint64_t pseudo = addr_sum + DS_IPPROTO_UDP + udp_len;
	uint16_t cksum;

	if (flags & DS_REPLY_OFFLOAD_UDP_CKSUM) {
		/* The NIC finishes it: the field holds the pseudo-header sum, as DPDK's offload expects. */
		cksum = ds_cksum_fold(pseudo);
	} else {
		cksum = (uint16_t)~ds_cksum_fold(pseudo + ds_reply_sum16(w) + payload_sum);
		/* 0 means "no checksum" on the wire (and is illegal for IPv6). */
		if (cksum == 0)
			cksum = 0xFFFF;
	}
	ds_store_be64(udp, w | cksum);
}

uint32_t
ds_reply_write_headers(uint8_t *frame, const struct ds_frame_info *info, uint32_t payload_len,
		       uint64_t payload_sum, unsigned flags)
{
	uint8_t *ip = frame + info->l3_offset;
	const uint32_t udp_len = DS_UDP_HDR_LEN + payload_len;
	const uint64_t addr_sum = info->ip_version == 4 ? write_ipv4(ip, udp_len, flags) : write_ipv6(ip, udp_len);

	swap_ethernet(frame);
	write_udp(frame + info->l4_offset, udp_len, addr_sum, payload_sum, flags);
	return info->dtls_offset + payload_len;
}
