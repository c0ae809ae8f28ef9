/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_CLASSIFY_H
#define DS_CLASSIFY_H

/**
 * @file
 * Classify one Ethernet frame: what it is for the scrubber, or the first thing wrong with it.
 *
 * A pure function over (bytes, length): no allocation, no side effects, no read outside
 * [frame, frame + len). It walks Ethernet, up to two VLAN tags, IPv4 or IPv6, UDP, the DTLS record
 * layer and, for a ClientHello, the handshake header and the body up to and including the cookie; for a
 * QUIC service, the long header up to an Initial's token and length (lib/packet/quic.c).
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_outcome.h"
#include "ds_service.h"

/** Where things are in a classified frame. Offsets count from the first byte of the frame. */
struct ds_frame_info {
	enum ds_outcome outcome; /**< same value ds_classify() returned */
	uint32_t l3_offset;      /**< IP header (after Ethernet and VLAN tags) */
	uint32_t l4_offset;      /**< UDP header */
	uint32_t dtls_offset;    /**< UDP payload: the first DTLS record */
	uint32_t dtls_len;       /**< UDP payload length; the IP packet ends at dtls_offset + dtls_len */
	uint32_t body_offset;    /**< ClientHello body (client_version) */
	uint32_t cookie_offset;  /**< first cookie byte; the cookie length byte is just before it */
	uint16_t src_port;       /**< UDP source port, host order */
	uint16_t dst_port;       /**< UDP destination port, host order */
	uint8_t ip_version;      /**< 4 or 6 once the IP header was read, else 0 */
	uint8_t vlan_count;      /**< VLAN tags before the IP header */
	uint8_t session_id_len;  /**< ClientHello session_id length */
	uint8_t cookie_len;      /**< ClientHello cookie length (0 = no cookie) */
	uint8_t first_fragment;  /**< ClientHello is the first fragment of a longer message */
	uint8_t service;         /**< index of the protected service in its set (0 without a set) */
	uint32_t suites_offset;  /**< ClientHello cipher_suites (after their length), 0 when not in the datagram */
	uint16_t suites_len;     /**< ... their length in bytes */
	uint8_t compression_len; /**< ... and of the compression methods right after them */
	uint8_t dtls13;          /**< ClientHello: enum ds_dtls13_offer */
	uint8_t session_proof;   /**< ds_classify_reply(): a record is encrypted, so a session exists */
	uint8_t has_server_cid;  /**< ds_classify_reply(): a ServerHello with a connection_id extension */
	uint8_t server_cid_len;  /**< ... the length of the CID its client will send (RFC 9146) */
	uint32_t server_cid_offset; /**< ... and where that CID is in the frame */
	/* QUIC long headers (to a QUIC service): the DCID is at dtls_offset + DS_QUIC_DCID_OFFSET, the SCID
	 * right after it and its length byte. */
	uint32_t quic_version;      /**< wire version of a long header */
	uint32_t quic_token_offset; /**< Initial: first token byte */
	uint16_t quic_token_len;    /**< Initial: token length (0 = none) */
	uint8_t quic_dcid_len;      /**< long header: DCID length */
	uint8_t quic_scid_len;      /**< long header: SCID length */
};

/** What a ClientHello's supported_versions extension (RFC 8446 §4.2.1, RFC 9147 §5.3) offers. */
enum ds_dtls13_offer {
	DS_DTLS13_NOT_OFFERED, /**< no extension, or DTLS 1.2 and older only */
	DS_DTLS13_WITH_DTLS12, /**< DTLS 1.3 and DTLS 1.2 (or 1.0): an HVR downgrades it */
	DS_DTLS13_ONLY,        /**< DTLS 1.3 alone: an HVR would end its handshake */
	DS_DTLS13_UNKNOWN,     /**< a first fragment that ends before supported_versions */
};

/**
 * Classify a frame.
 *
 * Fields of @p info are valid up to the layer that decided the outcome: addresses and ports once UDP
 * was reached, ClientHello offsets only for ClientHello outcomes.
 *
 * @param frame
 *   First byte of the Ethernet header.
 * @param len
 *   Bytes readable at @p frame; Ethernet padding after the IP packet is ignored.
 * @param services
 *   Protected services; NULL treats every UDP datagram (but those to port 0) as DTLS to a
 *   protected service.
 * @param info
 *   Filled with offsets and facts.
 * @return
 *   The outcome, also stored in info->outcome.
 */
enum ds_outcome ds_classify(const uint8_t *frame, size_t len, const struct ds_service_set *services,
			    struct ds_frame_info *info);

/**
 * Classify a frame a protected service sends toward a client (received on the inside port): the service
 * is matched on the source address and port, every DTLS record header is checked, and
 * info->session_proof tells whether one of them is encrypted (DTLS 1.0/1.2 epoch >= 1, a tls12_cid
 * record, a DTLS 1.3 record of an epoch other than the handshake's), which only a session can produce.
 * Epoch-0 records (ServerHello, HelloVerifyRequest) never are.
 *
 * @return
 *   DS_OUT_DTLS_RECORD when every record header is sound (session_proof is 0 for anything else), or the
 *   first thing wrong, with the outcomes of ds_classify() (DS_OUT_UDP_NOT_SERVICE: not from a service).
 */
enum ds_outcome ds_classify_reply(const uint8_t *frame, size_t len, const struct ds_service_set *services,
				  struct ds_frame_info *info);

/**
 * Classify a UDP payload alone, as a server's socket receives it (for backends): the DTLS and
 * ClientHello checks of ds_classify(), offsets counted from the payload's first byte (dtls_offset 0).
 *
 * @return
 *   A DTLS-layer outcome, also stored in info->outcome.
 */
enum ds_outcome ds_classify_dtls(const uint8_t *payload, size_t len, struct ds_frame_info *info);

/**
 * Just find the IP header: for frames that are only forwarded (routed mode needs the TTL).
 *
 * @param l3_offset
 *   Set to the IP header's offset when found.
 * @return
 *   4 or 6 when a whole fixed IP header of the version the ethertype announces is there, else 0.
 */
unsigned ds_frame_l3(const uint8_t *frame, size_t len, uint32_t *l3_offset);

/** Source address of a classified IP frame (4 or 16 bytes, network order). */
static inline const uint8_t *
ds_frame_src_addr(const uint8_t *frame, const struct ds_frame_info *info)
{
	return frame + info->l3_offset + (info->ip_version == 4 ? 12 : 8);
}

/** Destination address of a classified IP frame (4 or 16 bytes, network order). */
static inline const uint8_t *
ds_frame_dst_addr(const uint8_t *frame, const struct ds_frame_info *info)
{
	return frame + info->l3_offset + (info->ip_version == 4 ? 16 : 24);
}

/** Destination connection ID of a classified QUIC long header. */
static inline const uint8_t *
ds_frame_quic_dcid(const uint8_t *frame, const struct ds_frame_info *info)
{
	return frame + info->dtls_offset + DS_QUIC_DCID_OFFSET;
}

/** Source connection ID of a classified QUIC long header. */
static inline const uint8_t *
ds_frame_quic_scid(const uint8_t *frame, const struct ds_frame_info *info)
{
	return frame + info->dtls_offset + DS_QUIC_DCID_OFFSET + info->quic_dcid_len + 1;
}

/** The 32-byte client random of a classified ClientHello. */
static inline const uint8_t *
ds_frame_client_random(const uint8_t *frame, const struct ds_frame_info *info)
{
	return frame + info->body_offset + DS_CH_RANDOM_OFFSET;
}

#endif /* DS_CLASSIFY_H */
