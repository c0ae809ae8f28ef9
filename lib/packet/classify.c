/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_classify.h"

#include <stdbool.h>

#include "ds_wire.h"
#include "hello_versions.h"
#include "quic.h"
#include "server_hello.h"

/*
 * Peers pack a whole flight into one datagram (OpenSSL: ServerHello, Certificate, ServerKeyExchange,
 * ServerHelloDone = 4 records); nothing legitimate comes close to this many.
 */
enum { MAX_RECORDS_PER_DATAGRAM = 32 };

/* Which way a datagram goes: to a protected service (from the outside) or from one (from the inside). */
enum direction { TO_SERVICE, FROM_SERVICE };

static bool
dtls_version_known(uint16_t version)
{
	return version == DS_DTLS_VERSION_1_0 || version == DS_DTLS_VERSION_1_2;
}

static bool
ipv4_martian(const uint8_t *addr)
{
	/* 0.0.0.0/8 is "this network"; 224.0.0.0/3 is multicast, reserved and broadcast. */
	return addr[0] == 0 || addr[0] >= 224;
}

static bool
ipv6_martian(const uint8_t *addr)
{
	unsigned i;
	uint8_t any = 0;

	if (addr[0] == 0xFF)
		return true;
	for (i = 0; i < DS_IPV6_ADDR_LEN; i++)
		any |= addr[i];
	return any == 0;
}

static bool
ipv6_extension_header(uint8_t next_header)
{
	switch (next_header) {
	case 0:   /* hop-by-hop options */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 50:  /* ESP */
	case 51:  /* AH */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253: /* experimental */
	case 254:
		return true;
	default:
		return false;
	}
}

/*
 * Where the cipher suites and compression methods after the cookie are, when the fragment holds both
 * whole (the wolfssl cookie format covers them, docs/cookie-format.md), and whether the extensions
 * after them offer DTLS 1.3 (docs/dtls13.md). Never an outcome of its own: a ClientHello that does
 * not show them is judged as before.
 */
static void
note_suites(const uint8_t *body, uint32_t frag_len, uint32_t at, struct ds_frame_info *info)
{
	uint32_t suites_len, compression_len;

	/* Until the versions are seen, a fragment may offer DTLS 1.3. */
	info->dtls13 = info->first_fragment ? DS_DTLS13_UNKNOWN : DS_DTLS13_NOT_OFFERED;
	if (frag_len - at < 2)
		return;
	suites_len = ds_load_be16(body + at);
	at += 2;
	if (suites_len == 0 || suites_len % 2 != 0 || frag_len - at < suites_len + 1)
		return;
	compression_len = body[at + suites_len];
	if (compression_len == 0 || frag_len - (at + suites_len + 1) < compression_len)
		return;
	info->suites_offset = info->body_offset + at;
	info->suites_len = (uint16_t)suites_len;
	info->compression_len = (uint8_t)compression_len;
	at += suites_len + 1 + compression_len;
	info->dtls13 = ds_hello_dtls13_offer(body + at, frag_len - at, !info->first_fragment);
}

/*
 * The ClientHello handshake message: header, then the body up to and including the cookie (and,
 * for the wolfssl format, where its cipher suites and compression methods are).
 * @p rec_len is the record length, already checked to fit in the datagram.
 */
static enum ds_outcome
parse_client_hello(const uint8_t *frame, uint32_t hs_offset, uint32_t rec_len,
		   struct ds_frame_info *info)
{
	const uint8_t *hs = frame + hs_offset;
	const uint8_t *body = hs + DS_DTLS_HS_HDR_LEN;
	uint32_t msg_len, frag_offset, frag_len, sid_len, cookie_len, before_cookie;

	if (rec_len < DS_DTLS_HS_HDR_LEN)
		return DS_OUT_HS_HEADER_TRUNCATED;
	msg_len = ds_load_be24(hs + 1);
	frag_offset = ds_load_be24(hs + 6);
	frag_len = ds_load_be24(hs + 9);
	/* The record length was checked against the datagram; fragment_length is only a claim. */
	if (frag_len > rec_len - DS_DTLS_HS_HDR_LEN)
		return DS_OUT_HS_FRAGMENT_TRUNCATED;
	/* A second message after a ClientHello: no client sends that in its first flight. */
	if (frag_len < rec_len - DS_DTLS_HS_HDR_LEN)
		return DS_OUT_HS_TRAILING_BYTES;
	/* 24-bit fields, so the sum cannot overflow. */
	if (frag_offset + frag_len > msg_len)
		return DS_OUT_HS_BAD_FRAGMENT;
	/* Only the first fragment holds the cookie; later ones belong to verified flows or nobody. */
	if (frag_offset != 0)
		return DS_OUT_DTLS_HELLO_FRAGMENT;
	info->first_fragment = frag_len < msg_len;
	info->body_offset = hs_offset + DS_DTLS_HS_HDR_LEN;

	/* From here every read is checked against frag_len, which fits in the record. */
	if (frag_len < DS_CH_MIN_BODY_LEN)
		return DS_OUT_CH_TRUNCATED;
	if (!dtls_version_known(ds_load_be16(body)))
		return DS_OUT_CH_BAD_VERSION;
	sid_len = body[DS_CH_SESSION_ID_LEN_OFFSET];
	if (sid_len > DS_DTLS_SESSION_ID_MAX)
		return DS_OUT_CH_SESSION_ID_TOO_LONG;
	before_cookie = DS_CH_MIN_BODY_LEN + sid_len + 1;
	/* The cookie length byte itself must be inside the fragment. */
	if (frag_len < before_cookie)
		return DS_OUT_CH_TRUNCATED;
	cookie_len = body[before_cookie - 1];
	if (cookie_len > DS_COOKIE_MAX_LEN)
		return DS_OUT_CH_COOKIE_TOO_LONG;
	if (frag_len - before_cookie < cookie_len)
		return DS_OUT_CH_TRUNCATED;
	info->session_id_len = (uint8_t)sid_len;
	info->cookie_len = (uint8_t)cookie_len;
	info->cookie_offset = info->body_offset + before_cookie;
	note_suites(body, frag_len, before_cookie + cookie_len, info);
	return cookie_len == 0 ? DS_OUT_DTLS_CLIENT_HELLO : DS_OUT_DTLS_CLIENT_HELLO_COOKIE;
}

/*
 * A handshake record of a non-zero epoch is ciphertext; it is a misplaced plaintext ClientHello only
 * if its header is a complete, self-consistent ClientHello header, which random bytes match with
 * odds of about 2^-88.
 */
static bool
plaintext_client_hello(const uint8_t *hs, uint32_t rec_len)
{
	uint32_t body_len;

	if (rec_len < DS_DTLS_HS_HDR_LEN + DS_CH_MIN_BODY_LEN || hs[0] != DS_DTLS_HS_CLIENT_HELLO)
		return false;
	body_len = rec_len - DS_DTLS_HS_HDR_LEN;
	return ds_load_be24(hs + 1) == body_len && ds_load_be24(hs + 6) == 0 &&
	       ds_load_be24(hs + 9) == body_len && dtls_version_known(ds_load_be16(hs + 12));
}

/*
 * One record header at @p rec with @p left bytes to the end of the datagram. On success returns
 * DS_OUT_DTLS_RECORD and the bytes the record takes.
 */
static enum ds_outcome
check_record(const uint8_t *rec, uint32_t left, uint32_t *record_size)
{
	uint8_t type;
	uint32_t rec_len;

	/* Even the smallest DTLS 1.3 ciphertext record (2-byte header, type, 16-byte tag) is longer. */
	if (left < DS_DTLS_RECORD_HDR_LEN)
		return DS_OUT_DTLS_HEADER_TRUNCATED;
	type = rec[0];
	/* DTLS 1.3 unified header: its length field is optional, so the record may run to the end. */
	if ((type & DS_DTLS_UNIFIED_HDR_MASK) == DS_DTLS_UNIFIED_HDR_BITS) {
		*record_size = left;
		return DS_OUT_DTLS_RECORD;
	}
	if (type < DS_DTLS_CT_CHANGE_CIPHER_SPEC || type > DS_DTLS_CT_ACK)
		return DS_OUT_DTLS_BAD_CONTENT_TYPE;
	if (!dtls_version_known(ds_load_be16(rec + 1)))
		return DS_OUT_DTLS_BAD_VERSION;
	/* RFC 9146: a connection ID of negotiated length sits before the length field. */
	if (type == DS_DTLS_CT_TLS12_CID) {
		*record_size = left;
		return DS_OUT_DTLS_RECORD;
	}
	rec_len = ds_load_be16(rec + 11);
	if (rec_len > left - DS_DTLS_RECORD_HDR_LEN)
		return DS_OUT_DTLS_RECORD_TRUNCATED;
	*record_size = DS_DTLS_RECORD_HDR_LEN + rec_len;
	return DS_OUT_DTLS_RECORD;
}

static enum ds_outcome
parse_dtls(const uint8_t *frame, struct ds_frame_info *info)
{
	const uint8_t *rec = frame + info->dtls_offset;
	const uint32_t len = info->dtls_len;
	uint32_t used, next, records;
	enum ds_outcome out;

	out = check_record(rec, len, &used);
	if (out != DS_OUT_DTLS_RECORD)
		return out;
	/* used > header: the handshake type byte is inside the record. */
	if (rec[0] == DS_DTLS_CT_HANDSHAKE && used > DS_DTLS_RECORD_HDR_LEN &&
	    rec[DS_DTLS_RECORD_HDR_LEN] == DS_DTLS_HS_CLIENT_HELLO) {
		if (ds_load_be16(rec + 3) == 0) {
			if (used != len)
				return DS_OUT_DTLS_HELLO_NOT_ALONE;
			return parse_client_hello(frame, info->dtls_offset + DS_DTLS_RECORD_HDR_LEN,
						  used - DS_DTLS_RECORD_HDR_LEN, info);
		}
		if (plaintext_client_hello(rec + DS_DTLS_RECORD_HDR_LEN, used - DS_DTLS_RECORD_HDR_LEN))
			return DS_OUT_DTLS_HELLO_BAD_EPOCH;
	}
	for (records = 1; used < len; records++) {
		if (records == MAX_RECORDS_PER_DATAGRAM)
			return DS_OUT_DTLS_TOO_MANY_RECORDS;
		out = check_record(rec + used, len - used, &next);
		if (out == DS_OUT_DTLS_HEADER_TRUNCATED)
			return DS_OUT_DTLS_TRAILING_BYTES;
		if (out != DS_OUT_DTLS_RECORD)
			return out;
		used += next;
	}
	return DS_OUT_DTLS_RECORD;
}

/*
 * Whether a record a service sent proves a session with the client it goes to: only an encrypted
 * record does, since a server sends one only after a handshake with an address it verified (by cookie).
 * Epoch 0 (ServerHello, HelloVerifyRequest, a ChangeCipherSpec) proves nothing: a server answers a
 * spoofed ClientHello too. A DTLS 1.3 record whose epoch bits say 2 is the handshake epoch (RFC 9147
 * §6.1), which a server without a cookie exchange sends to a spoofed address as well: not a proof.
 */
static bool
record_proves_session(const uint8_t *rec)
{
	if ((rec[0] & DS_DTLS_UNIFIED_HDR_MASK) == DS_DTLS_UNIFIED_HDR_BITS)
		return (rec[0] & DS_DTLS_UNIFIED_EPOCH_MASK) != DS_DTLS13_EPOCH_HANDSHAKE;
	return ds_load_be16(rec + 3) != 0;
}

/*
 * A plaintext ServerHello asking for a connection ID: the CID its client's tls12_cid records will
 * carry, and its length, which their header does not say (RFC 9146 §4). Not a proof of anything.
 */
static void
note_server_cid(const uint8_t *rec, uint32_t rec_offset, uint32_t size, struct ds_frame_info *info)
{
	uint32_t offset = 0;
	int cid_len;

	if (rec[0] != DS_DTLS_CT_HANDSHAKE || ds_load_be16(rec + 3) != 0 || size <= DS_DTLS_RECORD_HDR_LEN)
		return;
	cid_len = ds_server_hello_cid(rec + DS_DTLS_RECORD_HDR_LEN, size - DS_DTLS_RECORD_HDR_LEN, &offset);
	if (cid_len >= 0) {
		info->has_server_cid = 1;
		info->server_cid_len = (uint8_t)cid_len;
		info->server_cid_offset = rec_offset + DS_DTLS_RECORD_HDR_LEN + offset;
	}
}

/* Every record of a datagram a service sent; a session proof counts only if the whole datagram is DTLS. */
static enum ds_outcome
parse_service_records(const uint8_t *frame, struct ds_frame_info *info)
{
	const uint8_t *rec = frame + info->dtls_offset;
	const uint32_t len = info->dtls_len;
	uint32_t used = 0, size, records;
	enum ds_outcome out;

	for (records = 0; used < len || records == 0; records++) {
		if (records == MAX_RECORDS_PER_DATAGRAM)
			return DS_OUT_DTLS_TOO_MANY_RECORDS;
		out = check_record(rec + used, len - used, &size);
		if (out == DS_OUT_DTLS_HEADER_TRUNCATED && records != 0)
			return DS_OUT_DTLS_TRAILING_BYTES;
		if (out != DS_OUT_DTLS_RECORD)
			return out;
		info->session_proof |= record_proves_session(rec + used);
		note_server_cid(rec + used, info->dtls_offset + used, size, info);
		used += size;
	}
	return DS_OUT_DTLS_RECORD;
}

static enum ds_outcome
parse_udp(const uint8_t *frame, uint32_t ip_payload_len, const struct ds_service_set *services,
	  enum direction dir, struct ds_frame_info *info)
{
	const uint8_t *udp = frame + info->l4_offset;
	const uint8_t *service_addr;
	uint16_t service_port, client_port;
	int service = 0;

	if (ip_payload_len < DS_UDP_HDR_LEN)
		return DS_OUT_UDP_TRUNCATED;
	/* Bytes after the UDP length would be answered by nobody and hide data from the checksum. */
	if (ds_load_be16(udp + 4) != ip_payload_len)
		return DS_OUT_UDP_BAD_LENGTH;
	info->src_port = ds_load_be16(udp);
	info->dst_port = ds_load_be16(udp + 2);
	service_addr = dir == TO_SERVICE ? ds_frame_dst_addr(frame, info) : ds_frame_src_addr(frame, info);
	service_port = dir == TO_SERVICE ? info->dst_port : info->src_port;
	client_port = dir == TO_SERVICE ? info->src_port : info->dst_port;
	/* No service listens on port 0, not even when every port is protected. */
	if (service_port == 0 ||
	    (services != NULL &&
	     (service = ds_service_set_find(services, info->ip_version, service_addr, service_port)) < 0))
		return DS_OUT_UDP_NOT_SERVICE;
	info->service = (uint8_t)service;
	if (client_port == 0)
		return DS_OUT_UDP_BAD_SOURCE_PORT;
	info->dtls_offset = info->l4_offset + DS_UDP_HDR_LEN;
	info->dtls_len = ip_payload_len - DS_UDP_HDR_LEN;
	if (services != NULL && services->entries[service].protocol == DS_PROTO_QUIC)
		return dir == TO_SERVICE ? quic_parse_to_service(frame, info) : quic_parse_from_service(frame, info);
	return dir == TO_SERVICE ? parse_dtls(frame, info) : parse_service_records(frame, info);
}

static enum ds_outcome
parse_ipv4(const uint8_t *frame, size_t len, const struct ds_service_set *services, enum direction dir,
	   struct ds_frame_info *info)
{
	const uint8_t *ip = frame + info->l3_offset;
	const size_t avail = len - info->l3_offset;
	uint32_t hdr_len, total_len;

	if (avail < DS_IPV4_HDR_LEN)
		return DS_OUT_IPV4_TRUNCATED;
	if (ip[0] >> 4 != 4)
		return DS_OUT_IPV4_BAD_VERSION;
	hdr_len = (uint32_t)(ip[0] & 0x0F) * 4;
	if (hdr_len < DS_IPV4_HDR_LEN)
		return DS_OUT_IPV4_BAD_HEADER_LENGTH;
	/* Shorter than the frame is Ethernet padding; longer means bytes that never arrived. */
	total_len = ds_load_be16(ip + 2);
	if (total_len < hdr_len || total_len > avail)
		return DS_OUT_IPV4_BAD_TOTAL_LENGTH;
	info->ip_version = 4;
	if (ip[9] != DS_IPPROTO_UDP)
		return DS_OUT_IP_NOT_UDP;
	if (hdr_len != DS_IPV4_HDR_LEN)
		return DS_OUT_IPV4_OPTIONS;
	if (ds_load_be16(ip + 6) & (DS_IPV4_FLAG_MF | DS_IPV4_FRAG_OFFSET_MASK))
		return DS_OUT_IPV4_FRAGMENT;
	if (ipv4_martian(ip + 12))
		return DS_OUT_IPV4_MARTIAN_SOURCE;
	if (ipv4_martian(ip + 16))
		return DS_OUT_IPV4_MARTIAN_DESTINATION;
	info->l4_offset = info->l3_offset + DS_IPV4_HDR_LEN;
	return parse_udp(frame, total_len - DS_IPV4_HDR_LEN, services, dir, info);
}

static enum ds_outcome
parse_ipv6(const uint8_t *frame, size_t len, const struct ds_service_set *services, enum direction dir,
	   struct ds_frame_info *info)
{
	const uint8_t *ip = frame + info->l3_offset;
	const size_t avail = len - info->l3_offset;
	uint32_t payload_len;

	if (avail < DS_IPV6_HDR_LEN)
		return DS_OUT_IPV6_TRUNCATED;
	if (ip[0] >> 4 != 6)
		return DS_OUT_IPV6_BAD_VERSION;
	payload_len = ds_load_be16(ip + 4);
	if (payload_len > avail - DS_IPV6_HDR_LEN)
		return DS_OUT_IPV6_BAD_PAYLOAD_LENGTH;
	info->ip_version = 6;
	/* Walking extension chains is where parsers go wrong; real DTLS clients never send them. */
	if (ipv6_extension_header(ip[6]))
		return DS_OUT_IPV6_EXTENSION_HEADER;
	if (ip[6] != DS_IPPROTO_UDP)
		return DS_OUT_IP_NOT_UDP;
	if (ipv6_martian(ip + 8))
		return DS_OUT_IPV6_MARTIAN_SOURCE;
	if (ipv6_martian(ip + 24))
		return DS_OUT_IPV6_MARTIAN_DESTINATION;
	info->l4_offset = info->l3_offset + DS_IPV6_HDR_LEN;
	return parse_udp(frame, payload_len, services, dir, info);
}

/* Ethernet and VLAN tags: where the payload starts and what it is. */
static enum ds_outcome
parse_link(const uint8_t *frame, size_t len, struct ds_frame_info *info, uint16_t *ethertype)
{
	uint32_t offset = DS_ETH_HDR_LEN;

	if (len < DS_ETH_HDR_LEN)
		return DS_OUT_ETH_TRUNCATED;
	*ethertype = ds_load_be16(frame + 12);
	while (*ethertype == DS_ETHERTYPE_VLAN || *ethertype == DS_ETHERTYPE_QINQ) {
		if (info->vlan_count == DS_VLAN_MAX_TAGS)
			return DS_OUT_VLAN_TOO_MANY;
		if (len - offset < DS_VLAN_TAG_LEN)
			return DS_OUT_VLAN_TRUNCATED;
		*ethertype = ds_load_be16(frame + offset + 2);
		offset += DS_VLAN_TAG_LEN;
		info->vlan_count++;
	}
	info->l3_offset = offset;
	return DS_OUT_ETH_NOT_IP;
}

static enum ds_outcome
parse_frame(const uint8_t *frame, size_t len, const struct ds_service_set *services, enum direction dir,
	    struct ds_frame_info *info)
{
	uint16_t ethertype;
	enum ds_outcome out = parse_link(frame, len, info, &ethertype);

	if (out != DS_OUT_ETH_NOT_IP)
		return out;
	if (ethertype == DS_ETHERTYPE_IPV4)
		return parse_ipv4(frame, len, services, dir, info);
	if (ethertype == DS_ETHERTYPE_IPV6)
		return parse_ipv6(frame, len, services, dir, info);
	return DS_OUT_ETH_NOT_IP;
}

unsigned
ds_frame_l3(const uint8_t *frame, size_t len, uint32_t *l3_offset)
{
	struct ds_frame_info info = { 0 };
	uint16_t ethertype;
	unsigned version;

	if (parse_link(frame, len, &info, &ethertype) != DS_OUT_ETH_NOT_IP)
		return 0;
	version = ethertype == DS_ETHERTYPE_IPV4 ? 4 : ethertype == DS_ETHERTYPE_IPV6 ? 6 : 0;
	/* The whole fixed header must be there, and say the same version as the ethertype. */
	if (version == 0 || len - info.l3_offset < (version == 4 ? DS_IPV4_HDR_LEN : DS_IPV6_HDR_LEN) ||
	    frame[info.l3_offset] >> 4 != version)
		return 0;
	*l3_offset = info.l3_offset;
	return version;
}

enum ds_outcome
ds_classify(const uint8_t *frame, size_t len, const struct ds_service_set *services,
	    struct ds_frame_info *info)
{
	*info = (struct ds_frame_info){ 0 };
	info->outcome = parse_frame(frame, len, services, TO_SERVICE, info);
	return info->outcome;
}

enum ds_outcome
ds_classify_reply(const uint8_t *frame, size_t len, const struct ds_service_set *services,
		  struct ds_frame_info *info)
{
	*info = (struct ds_frame_info){ 0 };
	info->outcome = parse_frame(frame, len, services, FROM_SERVICE, info);
	if (info->outcome != DS_OUT_DTLS_RECORD && info->outcome != DS_OUT_QUIC_SHORT_HEADER) {
		info->session_proof = 0;
		info->has_server_cid = 0;
		info->server_cid_len = 0;
		info->server_cid_offset = 0;
	}
	return info->outcome;
}

enum ds_outcome
ds_classify_dtls(const uint8_t *payload, size_t len, struct ds_frame_info *info)
{
	*info = (struct ds_frame_info){ 0 };
	/* A UDP payload cannot be longer than this; refusing more keeps every offset in 32 bits. */
	if (len > 65535 - DS_UDP_HDR_LEN) {
		info->outcome = DS_OUT_UDP_BAD_LENGTH;
		return info->outcome;
	}
	info->dtls_len = (uint32_t)len;
	info->outcome = parse_dtls(payload, info);
	return info->outcome;
}
