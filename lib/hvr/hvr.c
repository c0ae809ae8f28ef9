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

static void
swap_bytes(uint8_t *a, uint8_t *b, size_t len)
{
	uint8_t tmp[DS_IPV6_ADDR_LEN];

	memcpy(tmp, a, len);
	memcpy(a, b, len);
	memcpy(b, tmp, len);
}

/* Record and handshake headers keep the ClientHello's record sequence number and message_seq. */
static void
write_dtls(uint8_t *rec, const uint8_t *cookie, unsigned cookie_len)
{
	uint8_t *hs = rec + DS_DTLS_RECORD_HDR_LEN;
	uint8_t *body = hs + DS_DTLS_HS_HDR_LEN;
	const uint32_t body_len = 3 + cookie_len;

	rec[0] = DS_DTLS_CT_HANDSHAKE;
	/* Every server sends its HVR as DTLS 1.0, whatever version it will settle on (RFC 6347 §4.2.1). */
	ds_store_be16(rec + 1, DS_DTLS_VERSION_1_0);
	ds_store_be16(rec + 3, 0);
	ds_store_be16(rec + 11, (uint16_t)(DS_DTLS_HS_HDR_LEN + body_len));
	hs[0] = DS_DTLS_HS_HELLO_VERIFY_REQUEST;
	ds_store_be24(hs + 1, body_len);
	ds_store_be24(hs + 6, 0);
	ds_store_be24(hs + 9, body_len);
	ds_store_be16(body, DS_DTLS_VERSION_1_0);
	body[2] = (uint8_t)cookie_len;
	/* memmove: the cookie may be the ClientHello's own, further on in the same buffer. */
	memmove(body + 3, cookie, cookie_len);
}

static void
write_ipv4(uint8_t *ip, uint32_t udp_len, unsigned flags)
{
	ip[1] &= 0xFC; /* keep DSCP, drop ECN: this reply does not take part in congestion control */
	ds_store_be16(ip + 2, (uint16_t)(DS_IPV4_HDR_LEN + udp_len));
	ds_store_be16(ip + 4, 0); /* atomic datagram: the ID means nothing (RFC 6864) */
	ds_store_be16(ip + 6, DS_IPV4_FLAG_DF);
	ip[8] = DS_REPLY_TTL;
	swap_bytes(ip + 12, ip + 16, DS_IPV4_ADDR_LEN);
	ds_store_be16(ip + 10, 0);
	if (!(flags & DS_HVR_OFFLOAD_IPV4_CKSUM))
		ds_store_be16(ip + 10, ds_ipv4_header_cksum(ip));
}

static void
write_ipv6(uint8_t *ip, uint32_t udp_len)
{
	/* Keep the traffic class's DSCP; clear ECN and the flow label, which are the client's. */
	ip[1] &= 0xC0;
	ip[2] = 0;
	ip[3] = 0;
	ds_store_be16(ip + 4, (uint16_t)udp_len);
	ip[7] = DS_REPLY_TTL;
	swap_bytes(ip + 8, ip + 24, DS_IPV6_ADDR_LEN);
}

static void
write_udp(uint8_t *ip, unsigned ip_version, uint8_t *udp, uint32_t udp_len, unsigned flags)
{
	uint16_t cksum;

	swap_bytes(udp, udp + 2, 2);
	ds_store_be16(udp + 4, (uint16_t)udp_len);
	ds_store_be16(udp + 6, 0);
	if (flags & DS_HVR_OFFLOAD_UDP_CKSUM)
		cksum = ds_cksum_fold(ds_udp_pseudo_sum(ip, ip_version, udp_len));
	else
		cksum = ds_udp_cksum(ip, ip_version, udp, udp_len);
	ds_store_be16(udp + 6, cksum);
}

enum ds_hvr_result
ds_hvr_write(uint8_t *frame, const struct ds_frame_info *info, const uint8_t *cookie,
	     unsigned cookie_len, unsigned flags, uint32_t *frame_len)
{
	uint8_t *ip = frame + info->l3_offset;
	uint32_t hvr_len, udp_len;

	if (!ds_outcome_is_client_hello(info->outcome))
		return DS_HVR_NOT_CLIENT_HELLO;
	if (cookie_len == 0 || cookie_len > DS_COOKIE_MAX_LEN)
		return DS_HVR_BAD_COOKIE_LENGTH;
	hvr_len = DS_HVR_FIXED_LEN + cookie_len;
	/* A ClientHello always outweighs its answer; refusing is the last guard against reflection. */
	if (hvr_len > info->dtls_len)
		return DS_HVR_WOULD_AMPLIFY;
	udp_len = DS_UDP_HDR_LEN + hvr_len;

	swap_bytes(frame, frame + DS_ETH_ADDR_LEN, DS_ETH_ADDR_LEN);
	write_dtls(frame + info->dtls_offset, cookie, cookie_len);
	if (info->ip_version == 4)
		write_ipv4(ip, udp_len, flags);
	else
		write_ipv6(ip, udp_len);
	write_udp(ip, info->ip_version, frame + info->l4_offset, udp_len, flags);
	*frame_len = info->dtls_offset + hvr_len;
	return DS_HVR_WRITTEN;
}
