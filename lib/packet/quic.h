/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_PACKET_QUIC_H
#define DS_PACKET_QUIC_H

/* Inside lib/packet only: the QUIC layer of the classifier (RFC 8999, RFC 9000 §17, RFC 9369). */

#include "ds_classify.h"

/* A datagram to a QUIC service (info->dtls_offset/dtls_len set): its first packet's header. */
enum ds_outcome quic_parse_to_service(const uint8_t *frame, struct ds_frame_info *info);

/*
 * A datagram a QUIC service sent: a short header (1-RTT) proves a session, as an encrypted DTLS record
 * does; long headers (Initial, Handshake, Retry, Version Negotiation) answer spoofed Initials too.
 */
enum ds_outcome quic_parse_from_service(const uint8_t *frame, struct ds_frame_info *info);

#endif /* DS_PACKET_QUIC_H */
