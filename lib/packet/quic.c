/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC headers, as far as a Retry service reads them: the version-independent long header (RFC 8999
 * §5.1), and for v1/v2 the packet type and an Initial's token and length (RFC 9000 §17.2.2). Nothing
 * is decrypted; every length is checked against the datagram before it is used.
 */
#include "quic.h"

#include "ds_wire.h"

/* RFC 9000 §16: a variable-length integer at p[0..left); its size, or 0 when it runs past the end. */
static unsigned
read_varint(const uint8_t *p, uint32_t left, uint64_t *value)
{
	const unsigned size = 1u << (p[0] >> 6);
	uint64_t v;
	unsigned i;

	if (left < size)
		return 0;
	v = p[0] & 0x3F;
	for (i = 1; i < size; i++)
		v = v << 8 | p[i];
	*value = v;
	return size;
}

/* The long packet type in v1 numbering (RFC 9369 §3.2: v2 adds one to each). */
static enum ds_quic_packet_type
packet_type(uint8_t first, uint32_t version)
{
	const unsigned bits = (first >> DS_QUIC_TYPE_SHIFT) & 3;

	return (enum ds_quic_packet_type)(version == DS_QUIC_VERSION_2 ? (bits + 3) & 3 : bits);
}

/* Token and Length of an Initial (the rest is protected); the datagram is at least 1200 bytes. */
static enum ds_outcome
parse_initial(const uint8_t *pkt, uint32_t len, uint32_t at, struct ds_frame_info *info)
{
	uint64_t token_len, payload_len;
	unsigned size;

	if (at >= len || (size = read_varint(pkt + at, len - at, &token_len)) == 0 || token_len > len - at - size)
		return DS_OUT_QUIC_INITIAL_TRUNCATED;
	at += size;
	info->quic_token_offset = info->dtls_offset + at;
	info->quic_token_len = (uint16_t)token_len;
	at += (uint32_t)token_len;
	if (at >= len || (size = read_varint(pkt + at, len - at, &payload_len)) == 0 ||
	    payload_len > len - at - size)
		return DS_OUT_QUIC_INITIAL_TRUNCATED;
	if (token_len != 0)
		return DS_OUT_QUIC_INITIAL_TOKEN;
	/* A client's first DCID is unpredictable and at least 8 bytes; servers discard shorter ones. */
	return info->quic_dcid_len < DS_QUIC_MIN_INITIAL_DCID ? DS_OUT_QUIC_INITIAL_SHORT_DCID : DS_OUT_QUIC_INITIAL;
}

/* First byte, version and both connection IDs of a long header; the offset after them, or 0. */
static uint32_t
parse_long_header(const uint8_t *pkt, uint32_t len, struct ds_frame_info *info, enum ds_outcome *out)
{
	uint32_t at;

	if (len < DS_QUIC_LONG_HDR_MIN) {
		*out = DS_OUT_QUIC_HEADER_TRUNCATED;
		return 0;
	}
	info->quic_version = ds_load_be32(pkt + 1);
	info->quic_dcid_len = pkt[5];
	at = DS_QUIC_DCID_OFFSET + info->quic_dcid_len;
	if (at >= len) {
		*out = DS_OUT_QUIC_HEADER_TRUNCATED;
		return 0;
	}
	info->quic_scid_len = pkt[at];
	at += 1 + info->quic_scid_len;
	if (at > len) {
		*out = DS_OUT_QUIC_HEADER_TRUNCATED;
		return 0;
	}
	return at;
}

enum ds_outcome
quic_parse_to_service(const uint8_t *frame, struct ds_frame_info *info)
{
	const uint8_t *pkt = frame + info->dtls_offset;
	const uint32_t len = info->dtls_len;
	enum ds_outcome out = DS_OUT_QUIC_HEADER_TRUNCATED;
	uint32_t at;

	if (len == 0)
		return DS_OUT_QUIC_EMPTY;
	/* Short header: its DCID length is the server's secret; only a flow can vouch for it. */
	if (!(pkt[0] & DS_QUIC_FORM_LONG))
		return DS_OUT_QUIC_SHORT_HEADER;
	at = parse_long_header(pkt, len, info, &out);
	if (at == 0)
		return out;
	if (info->quic_version == 0)
		return DS_OUT_QUIC_VERSION_NEGOTIATION;
	if (info->quic_version != DS_QUIC_VERSION_1 && info->quic_version != DS_QUIC_VERSION_2)
		return DS_OUT_QUIC_OTHER_VERSION;
	if (info->quic_dcid_len > DS_QUIC_CID_MAX || info->quic_scid_len > DS_QUIC_CID_MAX)
		return DS_OUT_QUIC_BAD_CID_LENGTH;
	switch (packet_type(pkt[0], info->quic_version)) {
	case DS_QUIC_INITIAL:
		if (len < DS_QUIC_MIN_DATAGRAM)
			return DS_OUT_QUIC_INITIAL_TOO_SMALL;
		return parse_initial(pkt, len, at, info);
	case DS_QUIC_RETRY:
		return DS_OUT_QUIC_CLIENT_RETRY;
	default:
		return DS_OUT_QUIC_LONG_HEADER;
	}
}

enum ds_outcome
quic_parse_from_service(const uint8_t *frame, struct ds_frame_info *info)
{
	const uint8_t *pkt = frame + info->dtls_offset;

	if (info->dtls_len == 0)
		return DS_OUT_QUIC_EMPTY;
	if (pkt[0] & DS_QUIC_FORM_LONG)
		return DS_OUT_QUIC_LONG_HEADER;
	info->session_proof = 1;
	return DS_OUT_QUIC_SHORT_HEADER;
}
