/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_build.h"

#include <string.h>

#include "ds_checksum.h"
#include "ds_wire.h"

size_t
ds_frame_build(uint8_t *out, size_t cap, const struct ds_frame_addrs *a, const uint8_t *payload,
	       size_t payload_len)
{
	const size_t ip_len = a->ip_version == 4 ? DS_IPV4_HDR_LEN : DS_IPV6_HDR_LEN;
	const size_t udp_len = DS_UDP_HDR_LEN + payload_len;
	const size_t total = DS_ETH_HDR_LEN + ip_len + udp_len;
	uint8_t *ip = out + DS_ETH_HDR_LEN, *udp = ip + ip_len;

	if (total > cap || udp_len > 65535 - DS_IPV4_HDR_LEN)
		return 0;
	memcpy(out, a->dst_mac, 6);
	memcpy(out + 6, a->src_mac, 6);
	ds_store_be16(out + 12, a->ip_version == 4 ? DS_ETHERTYPE_IPV4 : DS_ETHERTYPE_IPV6);
	memset(ip, 0, ip_len);
	if (a->ip_version == 4) {
		ip[0] = 0x45;
		ds_store_be16(ip + 2, (uint16_t)(ip_len + udp_len));
		ds_store_be16(ip + 6, DS_IPV4_FLAG_DF);
		ip[8] = DS_REPLY_TTL;
		ip[9] = DS_IPPROTO_UDP;
		memcpy(ip + 12, a->src_ip, 4);
		memcpy(ip + 16, a->dst_ip, 4);
		ds_store_be16(ip + 10, ds_ipv4_header_cksum(ip));
	} else {
		ip[0] = 0x60;
		ds_store_be16(ip + 4, (uint16_t)udp_len);
		ip[6] = DS_IPPROTO_UDP;
		ip[7] = DS_REPLY_TTL;
		memcpy(ip + 8, a->src_ip, 16);
		memcpy(ip + 24, a->dst_ip, 16);
	}
	ds_store_be16(udp, a->src_port);
	ds_store_be16(udp + 2, a->dst_port);
	ds_store_be16(udp + 4, (uint16_t)udp_len);
	ds_store_be16(udp + 6, 0);
	memcpy(udp + DS_UDP_HDR_LEN, payload, payload_len);
	ds_store_be16(udp + 6, ds_udp_cksum(ip, a->ip_version, udp, (uint32_t)udp_len));
	return total;
}

size_t
ds_hello_with_cookie(const uint8_t *payload, const struct ds_frame_info *info, const uint8_t *cookie,
		     unsigned cookie_len, int second_flight, uint8_t *out, size_t cap)
{
	const size_t before = info->cookie_offset - info->dtls_offset - 1;
	const size_t after = info->dtls_len - before - 1 - info->cookie_len;
	const long delta = (long)cookie_len - (long)info->cookie_len;
	const uint8_t *rec = payload + info->dtls_offset;
	uint8_t *hs = out + DS_DTLS_RECORD_HDR_LEN;

	if (!ds_outcome_is_client_hello(info->outcome) || cookie_len > DS_COOKIE_MAX_LEN ||
	    before + 1 + cookie_len + after > cap)
		return 0;
	memcpy(out, rec, before);
	out[before] = (uint8_t)cookie_len;
	if (cookie_len != 0)
		memcpy(out + before + 1, cookie, cookie_len);
	memcpy(out + before + 1 + cookie_len, rec + before + 1 + info->cookie_len, after);
	ds_store_be16(out + 11, (uint16_t)(ds_load_be16(out + 11) + delta));
	ds_store_be24(hs + 1, (uint32_t)(ds_load_be24(hs + 1) + delta));
	ds_store_be24(hs + 9, (uint32_t)(ds_load_be24(hs + 9) + delta));
	if (second_flight) {
		memset(out + 5, 0, 5);
		out[10] = 1;
		ds_store_be16(hs + 4, 1);
	}
	return before + 1 + cookie_len + after;
}
