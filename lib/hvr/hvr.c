/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_hvr.h"

#include <string.h>

#include "ds_checksum.h"
#include "ds_wire.h"

static const char *const result_names[] = {
#define DS_HVR_RESULT_NAME(suffix, name, help) [DS_HVR_##suffix] = name,
	DS_HVR_RESULT_LIST(DS_HVR_RESULT_NAME)
#undef DS_HVR_RESULT_NAME
};

_Static_assert(sizeof(result_names) / sizeof(result_names[0]) == DS_HVR_RESULT_COUNT,
	       "one name per result");

const char *
ds_hvr_result_name(enum ds_hvr_result result)
{
	return (unsigned)result < DS_HVR_RESULT_COUNT ? result_names[result] : "invalid";
}

/*
 * Every header is built in registers from values read before the first store, then written a word at
 * a time, and the checksums are summed from the same words: no load ever waits for bytes just stored
 * (a load spanning several fresh narrow stores is not forwarded from the store buffer), and a flood's
 * reply costs a handful of stores instead of dozens (RFC 1624's arithmetic, applied whole).
 */

/* Ones' complement sum of the four 16-bit words of @p w. */
static inline uint64_t
sum16(uint64_t w)
{
	return (w >> 48) + (w >> 32 & 0xFFFF) + (w >> 16 & 0xFFFF) + (w & 0xFFFF);
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
	uint64_t sum = sum16(w0) + sum16(w1) + sum16(w2) + sum16(w3);

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
	const uint16_t cksum = flags & DS_HVR_OFFLOAD_IPV4_CKSUM
				       ? 0
				       : (uint16_t)~ds_cksum_fold(sum16(w0) + ttl_proto + addr_sum);

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

	if (flags & DS_HVR_OFFLOAD_UDP_CKSUM) {
		/* The NIC finishes it: the field holds the pseudo-header sum, as DPDK's offload expects. */
		cksum = ds_cksum_fold(pseudo);
	} else {
		cksum = (uint16_t)~ds_cksum_fold(pseudo + sum16(w) + payload_sum);
		/* 0 means "no checksum" on the wire (and is illegal for IPv6). */
		if (cksum == 0)
			cksum = 0xFFFF;
	}
	ds_store_be64(udp, w | cksum);
}

enum ds_hvr_result
ds_hvr_write(uint8_t *frame, const struct ds_frame_info *info, const uint8_t *cookie,
	     unsigned cookie_len, unsigned flags, uint32_t *frame_len)
{
	uint8_t *ip = frame + info->l3_offset;
	uint32_t hvr_len, udp_len;
	uint64_t addr_sum, payload_sum;

	if (!ds_outcome_is_client_hello(info->outcome))
		return DS_HVR_NOT_CLIENT_HELLO;
	if (cookie_len == 0 || cookie_len > DS_COOKIE_MAX_LEN)
		return DS_HVR_BAD_COOKIE_LENGTH;
	hvr_len = DS_HVR_FIXED_LEN + cookie_len;
	/* A ClientHello always outweighs its answer; refusing is the last guard against reflection. */
	if (hvr_len > info->dtls_len)
		return DS_HVR_WOULD_AMPLIFY;
	udp_len = DS_UDP_HDR_LEN + hvr_len;

	swap_ethernet(frame);
	payload_sum = write_dtls(frame + info->dtls_offset, cookie, cookie_len);
	addr_sum = info->ip_version == 4 ? write_ipv4(ip, udp_len, flags) : write_ipv6(ip, udp_len);
	write_udp(frame + info->l4_offset, udp_len, addr_sum, payload_sum, flags);
	*frame_len = info->dtls_offset + hvr_len;
	return DS_HVR_WRITTEN;
}
