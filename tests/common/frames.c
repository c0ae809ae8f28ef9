/* SPDX-License-Identifier: BSD-3-Clause */
#include "frames.h"

#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ds_checksum.h"
#include "ds_wire.h"
#include "tap.h"

void
frame_set(struct frame_buf *fb, const uint8_t *data, uint32_t len)
{
	if (len > FRAME_MAX)
		tap_bail("frame of %u bytes does not fit the test buffer", len);
	memcpy(fb->data, data, len);
	fb->len = len;
}

void
frame_insert(struct frame_buf *fb, uint32_t offset, const uint8_t *bytes, uint32_t n)
{
	if (offset > fb->len || fb->len + n > FRAME_MAX)
		tap_bail("frame_insert(%u, %u) outside a %u-byte frame", offset, n, fb->len);
	memmove(fb->data + offset + n, fb->data + offset, fb->len - offset);
	if (bytes != NULL)
		memcpy(fb->data + offset, bytes, n);
	else
		memset(fb->data + offset, 0, n);
	fb->len += n;
}

void
frame_remove(struct frame_buf *fb, uint32_t offset, uint32_t n)
{
	if (offset + n > fb->len)
		tap_bail("frame_remove(%u, %u) outside a %u-byte frame", offset, n, fb->len);
	memmove(fb->data + offset, fb->data + offset + n, fb->len - offset - n);
	fb->len -= n;
}

void
frame_add_vlan(struct frame_buf *fb, uint16_t tpid, uint16_t tci)
{
	uint8_t tag[DS_VLAN_TAG_LEN];

	ds_store_be16(tag, tpid);
	ds_store_be16(tag + 2, tci);
	frame_insert(fb, 2 * DS_ETH_ADDR_LEN, tag, sizeof(tag));
}

void
frame_fix_udp_cksum(struct frame_buf *fb, const struct ds_frame_info *info)
{
	uint8_t *udp = fb->data + info->l4_offset;

	ds_store_be16(udp + 6, 0);
	ds_store_be16(udp + 6, ds_udp_cksum(fb->data + info->l3_offset, info->ip_version, udp,
					    ds_load_be16(udp + 4)));
}

void
frame_fix_lengths(struct frame_buf *fb, const struct ds_frame_info *info)
{
	uint8_t *ip = fb->data + info->l3_offset;
	const uint32_t udp_len = fb->len - info->l4_offset;

	ds_store_be16(fb->data + info->l4_offset + 4, (uint16_t)udp_len);
	if (info->ip_version == 4) {
		ds_store_be16(ip + 2, (uint16_t)(fb->len - info->l3_offset));
		ds_store_be16(ip + 10, 0);
		ds_store_be16(ip + 10, ds_ipv4_header_cksum(ip));
	} else {
		ds_store_be16(ip + 4, (uint16_t)udp_len);
	}
}

/* Shift every offset after the IP header when the header changes size. */
static void
move_offsets(struct ds_frame_info *info, int by)
{
	info->l4_offset = (uint32_t)((int)info->l4_offset + by);
	info->dtls_offset = (uint32_t)((int)info->dtls_offset + by);
	if (info->body_offset != 0)
		info->body_offset = (uint32_t)((int)info->body_offset + by);
	if (info->cookie_offset != 0)
		info->cookie_offset = (uint32_t)((int)info->cookie_offset + by);
}

static void
build_ipv6(uint8_t *ip6, const uint8_t *ip4, uint32_t udp_len)
{
	const uint8_t prefix[12] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(ip6, 0, DS_IPV6_HDR_LEN);
	ip6[0] = 0x60;
	ds_store_be16(ip6 + 4, (uint16_t)udp_len);
	ip6[6] = DS_IPPROTO_UDP;
	ip6[7] = ip4[8];
	memcpy(ip6 + 8, prefix, sizeof(prefix));
	memcpy(ip6 + 20, ip4 + 12, DS_IPV4_ADDR_LEN);
	memcpy(ip6 + 24, prefix, sizeof(prefix));
	memcpy(ip6 + 36, ip4 + 16, DS_IPV4_ADDR_LEN);
}

static void
build_ipv4(uint8_t *ip4, const uint8_t *ip6, uint32_t udp_len)
{
	memset(ip4, 0, DS_IPV4_HDR_LEN);
	ip4[0] = 0x45;
	ds_store_be16(ip4 + 2, (uint16_t)(DS_IPV4_HDR_LEN + udp_len));
	ds_store_be16(ip4 + 6, DS_IPV4_FLAG_DF);
	ip4[8] = ip6[7];
	ip4[9] = DS_IPPROTO_UDP;
	/* 198.18.0.0/15 (benchmarking) keeps the last two bytes of each IPv6 address. */
	ip4[12] = 198, ip4[13] = 18, ip4[14] = ip6[22], ip4[15] = ip6[23];
	ip4[16] = 198, ip4[17] = 18, ip4[18] = ip6[38], ip4[19] = ip6[39];
	ds_store_be16(ip4 + 10, ds_ipv4_header_cksum(ip4));
}

unsigned
frame_rewrap_other_family(struct frame_buf *fb, struct ds_frame_info *info)
{
	const uint32_t udp_len = info->dtls_offset + info->dtls_len - info->l4_offset;
	const bool to_v6 = info->ip_version == 4;
	const uint32_t old_len = to_v6 ? DS_IPV4_HDR_LEN : DS_IPV6_HDR_LEN;
	const uint32_t new_len = to_v6 ? DS_IPV6_HDR_LEN : DS_IPV4_HDR_LEN;
	uint8_t header[DS_IPV6_HDR_LEN];

	if (info->ip_version != 4 && info->ip_version != 6)
		tap_bail("frame_rewrap_other_family needs an IP frame");
	if (to_v6)
		build_ipv6(header, fb->data + info->l3_offset, udp_len);
	else
		build_ipv4(header, fb->data + info->l3_offset, udp_len);
	/* Drop Ethernet padding, swap the IP header, fix the ethertype. */
	fb->len = info->dtls_offset + info->dtls_len;
	frame_remove(fb, info->l3_offset, old_len);
	frame_insert(fb, info->l3_offset, header, new_len);
	ds_store_be16(fb->data + info->l3_offset - 2, to_v6 ? DS_ETHERTYPE_IPV6 : DS_ETHERTYPE_IPV4);
	info->ip_version = to_v6 ? 6 : 4;
	move_offsets(info, (int)new_len - (int)old_len);
	frame_fix_udp_cksum(fb, info);
	return info->ip_version;
}

typedef enum ds_outcome (*classifier)(const uint8_t *frame, size_t len, const struct ds_service_set *services,
				       struct ds_frame_info *info);

static enum ds_outcome
classify_copy(classifier fn, const struct frame_buf *fb, const struct ds_service_set *services,
	      struct ds_frame_info *info)
{
	uint8_t *copy = frame_dup(fb->data, fb->len);
	enum ds_outcome outcome = fn(copy, fb->len, services, info);

	free(copy);
	return outcome;
}

enum ds_outcome
frame_classify(const struct frame_buf *fb, const struct ds_service_set *services,
	       struct ds_frame_info *info)
{
	return classify_copy(ds_classify, fb, services, info);
}

enum ds_outcome
frame_classify_reply(const struct frame_buf *fb, const struct ds_service_set *services,
		     struct ds_frame_info *info)
{
	return classify_copy(ds_classify_reply, fb, services, info);
}
