/* SPDX-License-Identifier: BSD-3-Clause */
#include "hvr_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ds_checksum.h"
#include "ds_hvr.h"
#include "ds_wire.h"

static bool
fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return false;
}

#define RULE(cond, ...) \
	do { \
		if (!(cond)) \
			return fail(why, why_len, __VA_ARGS__); \
	} while (0)

static bool
check_ip(const uint8_t *request, const struct ds_frame_info *req, const uint8_t *reply,
	 uint32_t udp_len, unsigned flags, char *why, size_t why_len)
{
	const uint8_t *rq = request + req->l3_offset, *rp = reply + req->l3_offset;

	if (req->ip_version == 4) {
		RULE(rp[0] == 0x45, "IPv4 version/IHL 0x%02x", rp[0]);
		RULE(ds_load_be16(rp + 2) == DS_IPV4_HDR_LEN + udp_len, "IPv4 total length %u",
		     ds_load_be16(rp + 2));
		RULE((ds_load_be16(rp + 6) & (DS_IPV4_FLAG_MF | DS_IPV4_FRAG_OFFSET_MASK)) == 0,
		     "IPv4 reply fragmented");
		RULE(rp[8] == DS_REPLY_TTL && rp[9] == DS_IPPROTO_UDP, "IPv4 TTL %u protocol %u", rp[8],
		     rp[9]);
		RULE(memcmp(rp + 12, rq + 16, 4) == 0 && memcmp(rp + 16, rq + 12, 4) == 0,
		     "IPv4 addresses not swapped");
		if (flags & DS_HVR_OFFLOAD_IPV4_CKSUM)
			RULE(ds_load_be16(rp + 10) == 0, "IPv4 checksum not left to the NIC");
		else
			RULE(ds_cksum_fold(ds_cksum_add(0, rp, DS_IPV4_HDR_LEN)) == 0xFFFF,
			     "IPv4 header checksum wrong");
		return true;
	}
	RULE(rp[0] >> 4 == 6, "IPv6 version %u", rp[0] >> 4);
	RULE(ds_load_be16(rp + 4) == udp_len, "IPv6 payload length %u", ds_load_be16(rp + 4));
	RULE(rp[6] == DS_IPPROTO_UDP && rp[7] == DS_REPLY_TTL, "IPv6 next header %u hop limit %u",
	     rp[6], rp[7]);
	RULE(memcmp(rp + 8, rq + 24, 16) == 0 && memcmp(rp + 24, rq + 8, 16) == 0,
	     "IPv6 addresses not swapped");
	return true;
}

static bool
check_udp(const uint8_t *request, const struct ds_frame_info *req, const uint8_t *reply,
	  uint32_t udp_len, unsigned flags, char *why, size_t why_len)
{
	const uint8_t *rq = request + req->l4_offset, *rp = reply + req->l4_offset;
	const uint8_t *ip = reply + req->l3_offset;
	uint64_t sum;

	RULE(memcmp(rp, rq + 2, 2) == 0 && memcmp(rp + 2, rq, 2) == 0, "UDP ports not swapped");
	RULE(ds_load_be16(rp + 4) == udp_len, "UDP length %u, expected %u", ds_load_be16(rp + 4),
	     udp_len);
	sum = ds_udp_pseudo_sum(ip, req->ip_version, udp_len);
	if (flags & DS_HVR_OFFLOAD_UDP_CKSUM) {
		RULE(ds_load_be16(rp + 6) == ds_cksum_fold(sum),
		     "UDP checksum field is not the pseudo-header sum the NIC expects");
		return true;
	}
	RULE(ds_load_be16(rp + 6) != 0, "UDP checksum missing");
	RULE(ds_cksum_fold(ds_cksum_add(sum, rp, udp_len)) == 0xFFFF, "UDP checksum wrong");
	return true;
}

static bool
check_dtls(const uint8_t *request, const struct ds_frame_info *req, const uint8_t *reply,
	   const uint8_t *cookie, unsigned cookie_len, char *why, size_t why_len)
{
	const uint8_t *rq = request + req->dtls_offset, *rec = reply + req->dtls_offset;
	const uint8_t *hs = rec + DS_DTLS_RECORD_HDR_LEN, *body = hs + DS_DTLS_HS_HDR_LEN;

	RULE(rec[0] == DS_DTLS_CT_HANDSHAKE, "record content type %u", rec[0]);
	RULE(ds_load_be16(rec + 1) == DS_DTLS_VERSION_1_0, "record version 0x%04x",
	     ds_load_be16(rec + 1));
	RULE(ds_load_be16(rec + 3) == 0, "record epoch %u", ds_load_be16(rec + 3));
	RULE(memcmp(rec + 5, rq + 5, 6) == 0, "record sequence number not the ClientHello's");
	RULE(ds_load_be16(rec + 11) == DS_DTLS_HS_HDR_LEN + 3 + cookie_len, "record length %u",
	     ds_load_be16(rec + 11));
	RULE(hs[0] == DS_DTLS_HS_HELLO_VERIFY_REQUEST, "handshake type %u", hs[0]);
	RULE(ds_load_be24(hs + 1) == 3 + cookie_len, "handshake length %u", ds_load_be24(hs + 1));
	RULE(memcmp(hs + 4, rq + DS_DTLS_RECORD_HDR_LEN + 4, 2) == 0,
	     "message_seq not the ClientHello's");
	RULE(ds_load_be24(hs + 6) == 0, "fragment_offset %u", ds_load_be24(hs + 6));
	RULE(ds_load_be24(hs + 9) == 3 + cookie_len, "fragment_length %u", ds_load_be24(hs + 9));
	RULE(ds_load_be16(body) == DS_DTLS_VERSION_1_0, "server_version 0x%04x", ds_load_be16(body));
	RULE(body[2] == cookie_len, "cookie length %u, expected %u", body[2], cookie_len);
	RULE(memcmp(body + 3, cookie, cookie_len) == 0, "cookie bytes differ");
	return true;
}

bool
hvr_rules_check(const uint8_t *request, const struct ds_frame_info *req, const uint8_t *reply,
		uint32_t reply_len, const uint8_t *cookie, unsigned cookie_len, unsigned flags,
		char *why, size_t why_len)
{
	const uint32_t hvr_len = DS_HVR_FIXED_LEN + cookie_len;
	const uint32_t udp_len = DS_UDP_HDR_LEN + hvr_len;
	struct ds_frame_info again;

	RULE(reply_len == req->dtls_offset + hvr_len, "reply frame length %u, expected %u", reply_len,
	     req->dtls_offset + hvr_len);
	RULE(hvr_len <= req->dtls_len, "reply payload %u larger than the ClientHello's %u", hvr_len,
	     req->dtls_len);
	RULE(memcmp(reply, request + DS_ETH_ADDR_LEN, DS_ETH_ADDR_LEN) == 0 &&
	     memcmp(reply + DS_ETH_ADDR_LEN, request, DS_ETH_ADDR_LEN) == 0,
	     "Ethernet addresses not swapped");
	RULE(memcmp(reply + 12, request + 12, req->l3_offset - 12) == 0,
	     "VLAN tags or ethertype changed");
	if (!check_ip(request, req, reply, udp_len, flags, why, why_len) ||
	    !check_udp(request, req, reply, udp_len, flags, why, why_len) ||
	    !check_dtls(request, req, reply, cookie, cookie_len, why, why_len))
		return false;
	/* The reply is a well-formed DTLS handshake record that is no ClientHello. */
	RULE(ds_classify(reply, reply_len, NULL, &again) == DS_OUT_DTLS_RECORD,
	     "reply classifies as %s", ds_outcome_name(again.outcome));
	return true;
}
