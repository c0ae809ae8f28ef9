/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_WIRE_H
#define DS_WIRE_H

/**
 * @file
 * Wire constants and big-endian field access for Ethernet, IP, UDP and DTLS.
 *
 * Frames arrive at any alignment, so fields are read byte by byte; compilers turn these into single
 * loads plus a byte swap.
 */

#include <stdint.h>
#include <string.h>

/** Link layer. */
enum ds_eth_wire {
	DS_ETH_ADDR_LEN = 6,
	DS_ETH_HDR_LEN = 14,
	DS_VLAN_TAG_LEN = 4,
	DS_VLAN_MAX_TAGS = 2, /**< 802.1ad outer + 802.1Q inner; deeper stacks are refused */
	DS_ETHERTYPE_IPV4 = 0x0800,
	DS_ETHERTYPE_IPV6 = 0x86DD,
	DS_ETHERTYPE_VLAN = 0x8100,
	DS_ETHERTYPE_QINQ = 0x88A8,
};

/** Network and transport layers. */
enum ds_ip_wire {
	DS_IPV4_HDR_LEN = 20, /**< without options, the only form the scrubber answers */
	DS_IPV4_ADDR_LEN = 4,
	DS_IPV4_FLAG_DF = 0x4000,
	DS_IPV4_FLAG_MF = 0x2000,
	DS_IPV4_FRAG_OFFSET_MASK = 0x1FFF,
	DS_IPV6_HDR_LEN = 40,
	DS_IPV6_ADDR_LEN = 16,
	DS_IPPROTO_UDP = 17,
	DS_UDP_HDR_LEN = 8,
	DS_REPLY_TTL = 64, /**< TTL / hop limit of packets the scrubber originates */
};

/** DTLS record and handshake layers (RFC 6347 §4.1, §4.2.2; RFC 9147 §4). */
enum ds_dtls_wire {
	DS_DTLS_RECORD_HDR_LEN = 13, /**< type, version, epoch, 48-bit sequence, length */
	DS_DTLS_HS_HDR_LEN = 12,     /**< type, length, message_seq, fragment_offset, fragment_length */
	DS_DTLS_CT_CHANGE_CIPHER_SPEC = 20,
	DS_DTLS_CT_ALERT = 21,
	DS_DTLS_CT_HANDSHAKE = 22,
	DS_DTLS_CT_APPLICATION_DATA = 23,
	DS_DTLS_CT_HEARTBEAT = 24,
	DS_DTLS_CT_TLS12_CID = 25, /**< RFC 9146: header carries a connection ID of negotiated length */
	DS_DTLS_CT_ACK = 26,       /**< RFC 9147 */
	DS_DTLS_UNIFIED_HDR_MASK = 0xE0, /**< RFC 9147 §4: first byte 001xxxxx = DTLS 1.3 ciphertext */
	DS_DTLS_UNIFIED_HDR_BITS = 0x20,
	DS_DTLS_UNIFIED_EPOCH_MASK = 0x03, /**< RFC 9147 §4: the epoch's two low bits */
	DS_DTLS13_EPOCH_HANDSHAKE = 2,     /**< RFC 9147 §6.1: handshake messages after the ServerHello */
	DS_DTLS_VERSION_1_0 = 0xFEFF,
	DS_DTLS_VERSION_1_2 = 0xFEFD,
	DS_DTLS_VERSION_1_3 = 0xFEFC,  /**< RFC 9147 §5.3: only ever in supported_versions */
	DS_TLS_EXT_SUPPORTED_VERSIONS = 43,
	DS_DTLS_HS_CLIENT_HELLO = 1,
	DS_DTLS_HS_SERVER_HELLO = 2,
	DS_DTLS_HS_HELLO_VERIFY_REQUEST = 3,
	DS_TLS_EXT_CONNECTION_ID = 54, /**< RFC 9146 §3: the CID its sender wants to receive */
	DS_TLS12_CID_OFFSET = 11,      /**< tls12_cid record: the CID follows type, version, epoch, sequence */
	DS_TLS12_CID_FIXED_LEN = 13,   /**< tls12_cid record header without its CID: type .. seq, length */
	DS_DTLS_RANDOM_LEN = 32,
	DS_DTLS_SESSION_ID_MAX = 32,
	/** Offsets inside the ClientHello body. */
	DS_CH_RANDOM_OFFSET = 2,
	DS_CH_SESSION_ID_LEN_OFFSET = 34,
	DS_CH_MIN_BODY_LEN = 35, /**< client_version, random, session_id length byte */
	/** HVR payload without its cookie: record header, handshake header, version, cookie length. */
	DS_HVR_FIXED_LEN = DS_DTLS_RECORD_HDR_LEN + DS_DTLS_HS_HDR_LEN + 3,
};

/** QUIC packet headers (RFC 8999 invariants, RFC 9000 §17, RFC 9369 §3). */
enum ds_quic_wire {
	DS_QUIC_FORM_LONG = 0x80,        /**< first byte: long header */
	DS_QUIC_FIXED_BIT = 0x40,
	DS_QUIC_TYPE_SHIFT = 4,          /**< long packet type: bits 5..4 */
	DS_QUIC_LONG_HDR_MIN = 7,        /**< first byte, version, DCID length, SCID length */
	DS_QUIC_DCID_OFFSET = 6,         /**< after first byte, version and the DCID length */
	DS_QUIC_CID_MAX = 20,            /**< v1 and v2 connection IDs */
	DS_QUIC_MIN_INITIAL_DCID = 8,    /**< RFC 9000 §7.2: a client's first DCID */
	DS_QUIC_MIN_DATAGRAM = 1200,     /**< RFC 9000 §14.1: datagrams carrying a client Initial */
	DS_QUIC_TAG_LEN = 16,            /**< Retry Integrity Tag (RFC 9001 §5.8) */
};

/** QUIC versions the scrubber speaks (wire values). */
#define DS_QUIC_VERSION_1 UINT32_C(0x00000001)
#define DS_QUIC_VERSION_2 UINT32_C(0x6b3343cf)

/** Long packet types as v1 numbers them; v2 (RFC 9369 §3.2) rotates them by one. */
enum ds_quic_packet_type {
	DS_QUIC_INITIAL = 0,
	DS_QUIC_0RTT = 1,
	DS_QUIC_HANDSHAKE = 2,
	DS_QUIC_RETRY = 3,
};

/** Cookie sizes the scrubber accepts and sends. */
enum ds_cookie_limits {
	/** GnuTLS and wolfSSL clients refuse longer cookies although RFC 6347 allows 255. */
	DS_COOKIE_MAX_LEN = 32,
};

static inline uint16_t
ds_load_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
ds_load_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint64_t
ds_load_be48(const uint8_t *p)
{
	return (uint64_t)ds_load_be16(p) << 32 | (uint64_t)ds_load_be16(p + 2) << 16 | ds_load_be16(p + 4);
}

static inline void
ds_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
ds_store_be24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

/*
 * Whole-word loads and stores in network order: one memory access each where the byte-wise helpers
 * above make several (the HVR writer builds its headers from these).
 */
static inline uint64_t
ds_load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
ds_store_be64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, sizeof(v));
}

static inline void
ds_store_be32(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t
ds_load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

#endif /* DS_WIRE_H */
