/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_OUTCOME_H
#define DS_OUTCOME_H

/**
 * @file
 * Every outcome of classifying a frame, from one X-macro so that the enum, the counter names and the
 * documentation can never disagree.
 *
 * Columns: enum suffix, counter name (`<stage>_<reason>`), whether the frame is malformed (a drop reason
 * in every deployment), one line for operators. Rows are ordered by the layer that decides them.
 * Well-formed outcomes (malformed = 0) say what the frame is; the data plane decides its fate.
 */

#include <stdbool.h>

#define DS_OUTCOME_LIST(X) \
	/* well-formed */ \
	X(DTLS_CLIENT_HELLO, "dtls_client_hello", 0, \
		"ClientHello (or its first fragment) without a cookie") \
	X(DTLS_CLIENT_HELLO_COOKIE, "dtls_client_hello_cookie", 0, \
		"ClientHello (or its first fragment) carrying a cookie") \
	X(DTLS_HELLO_FRAGMENT, "dtls_hello_fragment", 0, \
		"later fragment of a ClientHello (fragment_offset > 0)") \
	X(DTLS_RECORD, "dtls_record", 0, \
		"well-formed DTLS records that are not a ClientHello") \
	X(QUIC_INITIAL, "quic_initial", 0, \
		"QUIC v1/v2 Initial without a token") \
	X(QUIC_INITIAL_TOKEN, "quic_initial_token", 0, \
		"QUIC v1/v2 Initial carrying a token") \
	X(QUIC_LONG_HEADER, "quic_long_header", 0, \
		"QUIC v1/v2 0-RTT or Handshake packet") \
	X(QUIC_SHORT_HEADER, "quic_short_header", 0, \
		"QUIC short-header (1-RTT) packet") \
	X(QUIC_OTHER_VERSION, "quic_other_version", 0, \
		"QUIC long header of a version other than 1 and 2") \
	X(UDP_NOT_SERVICE, "udp_not_service", 0, \
		"UDP to an address and port that is not a protected service") \
	X(IP_NOT_UDP, "ip_not_udp", 0, \
		"IPv4 or IPv6 carrying another protocol (TCP, ICMP, ...)") \
	X(ETH_NOT_IP, "eth_not_ip", 0, \
		"Ethernet frame that carries neither IPv4 nor IPv6 (ARP, LLDP, ...)") \
	/* link layer */ \
	X(ETH_TRUNCATED, "eth_truncated", 1, \
		"frame shorter than an Ethernet header") \
	X(VLAN_TRUNCATED, "vlan_truncated", 1, \
		"frame ends inside a VLAN tag") \
	X(VLAN_TOO_MANY, "vlan_too_many", 1, \
		"more than two stacked VLAN tags") \
	/* IPv4 */ \
	X(IPV4_TRUNCATED, "ipv4_truncated", 1, \
		"frame ends inside the IPv4 header") \
	X(IPV4_BAD_VERSION, "ipv4_bad_version", 1, \
		"ethertype IPv4 but version field is not 4") \
	X(IPV4_BAD_HEADER_LENGTH, "ipv4_bad_header_length", 1, \
		"IHL below 5") \
	X(IPV4_BAD_TOTAL_LENGTH, "ipv4_bad_total_length", 1, \
		"total length shorter than the header or longer than the frame") \
	X(IPV4_BAD_CHECKSUM, "ipv4_bad_checksum", 1, \
		"header checksum flagged bad by the NIC (mbuf path only)") \
	X(IPV4_OPTIONS, "ipv4_options", 1, \
		"UDP in an IPv4 packet with options") \
	X(IPV4_FRAGMENT, "ipv4_fragment", 1, \
		"UDP in a fragmented IPv4 packet (MF set or offset > 0)") \
	X(IPV4_MARTIAN_SOURCE, "ipv4_martian_source", 1, \
		"source in 0.0.0.0/8 or 224.0.0.0/3: nobody to answer") \
	X(IPV4_MARTIAN_DESTINATION, "ipv4_martian_destination", 1, \
		"destination in 0.0.0.0/8 or 224.0.0.0/3") \
	/* IPv6 */ \
	X(IPV6_TRUNCATED, "ipv6_truncated", 1, \
		"frame ends inside the IPv6 header") \
	X(IPV6_BAD_VERSION, "ipv6_bad_version", 1, \
		"ethertype IPv6 but version field is not 6") \
	X(IPV6_BAD_PAYLOAD_LENGTH, "ipv6_bad_payload_length", 1, \
		"payload length longer than the frame") \
	X(IPV6_EXTENSION_HEADER, "ipv6_extension_header", 1, \
		"extension header between IPv6 and UDP") \
	X(IPV6_MARTIAN_SOURCE, "ipv6_martian_source", 1, \
		"source :: or multicast: nobody to answer") \
	X(IPV6_MARTIAN_DESTINATION, "ipv6_martian_destination", 1, \
		"destination :: or multicast") \
	/* UDP */ \
	X(UDP_TRUNCATED, "udp_truncated", 1, \
		"IP payload shorter than a UDP header") \
	X(UDP_BAD_LENGTH, "udp_bad_length", 1, \
		"UDP length differs from the IP payload length") \
	X(UDP_BAD_CHECKSUM, "udp_bad_checksum", 1, \
		"UDP checksum flagged bad by the NIC (mbuf path only)") \
	X(UDP_BAD_SOURCE_PORT, "udp_bad_source_port", 1, \
		"source port 0: nobody to answer") \
	/* DTLS record layer */ \
	X(DTLS_HEADER_TRUNCATED, "dtls_header_truncated", 1, \
		"datagram or leftover shorter than a record header") \
	X(DTLS_BAD_CONTENT_TYPE, "dtls_bad_content_type", 1, \
		"record content type unknown to DTLS 1.0-1.3") \
	X(DTLS_BAD_VERSION, "dtls_bad_version", 1, \
		"record version neither 0xFEFF nor 0xFEFD") \
	X(DTLS_RECORD_TRUNCATED, "dtls_record_truncated", 1, \
		"record length runs past the end of the datagram") \
	X(DTLS_TRAILING_BYTES, "dtls_trailing_bytes", 1, \
		"bytes after the last record too short for another record") \
	X(DTLS_TOO_MANY_RECORDS, "dtls_too_many_records", 1, \
		"more records in one datagram than any peer sends") \
	X(DTLS_HELLO_NOT_ALONE, "dtls_hello_not_alone", 1, \
		"ClientHello record followed by more bytes in the datagram") \
	X(DTLS_HELLO_BAD_EPOCH, "dtls_hello_bad_epoch", 1, \
		"plaintext ClientHello in a record with epoch != 0") \
	/* DTLS handshake layer */ \
	X(HS_HEADER_TRUNCATED, "hs_header_truncated", 1, \
		"handshake record shorter than a handshake header") \
	X(HS_FRAGMENT_TRUNCATED, "hs_fragment_truncated", 1, \
		"fragment_length runs past the end of the record") \
	X(HS_TRAILING_BYTES, "hs_trailing_bytes", 1, \
		"bytes after the ClientHello fragment inside its record") \
	X(HS_BAD_FRAGMENT, "hs_bad_fragment", 1, \
		"fragment_offset + fragment_length beyond the message length") \
	/* ClientHello body */ \
	X(CH_TRUNCATED, "ch_truncated", 1, \
		"ClientHello ends before its cookie does") \
	X(CH_BAD_VERSION, "ch_bad_version", 1, \
		"client_version neither 0xFEFF nor 0xFEFD") \
	X(CH_SESSION_ID_TOO_LONG, "ch_session_id_too_long", 1, \
		"session_id longer than 32 bytes") \
	X(CH_COOKIE_TOO_LONG, "ch_cookie_too_long", 1, \
		"cookie longer than 32 bytes") \
	/* QUIC (to a service whose protocol is quic) */ \
	X(QUIC_EMPTY, "quic_empty", 1, \
		"empty UDP payload to a QUIC service") \
	X(QUIC_HEADER_TRUNCATED, "quic_header_truncated", 1, \
		"long header ends before its connection IDs") \
	X(QUIC_BAD_CID_LENGTH, "quic_bad_cid_length", 1, \
		"v1/v2 connection ID longer than 20 bytes") \
	X(QUIC_VERSION_NEGOTIATION, "quic_version_negotiation", 1, \
		"Version Negotiation packet sent to a server") \
	X(QUIC_CLIENT_RETRY, "quic_client_retry", 1, \
		"Retry packet sent to a server") \
	X(QUIC_INITIAL_TOO_SMALL, "quic_initial_too_small", 1, \
		"Initial in a datagram under 1200 bytes (RFC 9000 §14.1)") \
	X(QUIC_INITIAL_SHORT_DCID, "quic_initial_short_dcid", 1, \
		"tokenless Initial whose DCID is under 8 bytes (RFC 9000 §7.2)") \
	X(QUIC_INITIAL_TRUNCATED, "quic_initial_truncated", 1, \
		"Initial's token or length field runs past the datagram") \
	/* mbuf wrappers */ \
	X(MBUF_MULTI_SEGMENT, "mbuf_multi_segment", 1, \
		"frame spread over chained mbufs (mbuf path only)")

/** What a frame is, or the first thing wrong with it. */
enum ds_outcome {
#define DS_OUTCOME_ENUM(suffix, name, malformed, help) DS_OUT_##suffix,
	DS_OUTCOME_LIST(DS_OUTCOME_ENUM)
#undef DS_OUTCOME_ENUM
	DS_OUT_COUNT
};

/**
 * Counter name of an outcome, such as "dtls_record_truncated".
 *
 * @param outcome
 *   Any value; out-of-range values give "invalid".
 * @return
 *   A static string.
 */
const char *ds_outcome_name(enum ds_outcome outcome);

/**
 * One-line description of an outcome for operators (telemetry help, docs).
 *
 * @return
 *   A static string; "invalid" for out-of-range values.
 */
const char *ds_outcome_help(enum ds_outcome outcome);

/**
 * Whether an outcome is a malformed frame (dropped in every deployment) rather than a shape the data
 * plane acts on.
 */
bool ds_outcome_is_malformed(enum ds_outcome outcome);

/** Whether an outcome is a ClientHello that carries its cookie field (with or without a cookie). */
static inline bool
ds_outcome_is_client_hello(enum ds_outcome outcome)
{
	return outcome == DS_OUT_DTLS_CLIENT_HELLO || outcome == DS_OUT_DTLS_CLIENT_HELLO_COOKIE;
}

/** Whether an outcome is a frame to a protected service (its info names the service): they come first. */
static inline bool
ds_outcome_is_service(enum ds_outcome outcome)
{
	return outcome < DS_OUT_UDP_NOT_SERVICE;
}

/** Whether an outcome is a QUIC Initial (with or without a token). */
static inline bool
ds_outcome_is_quic_initial(enum ds_outcome outcome)
{
	return outcome == DS_OUT_QUIC_INITIAL || outcome == DS_OUT_QUIC_INITIAL_TOKEN;
}

#endif /* DS_OUTCOME_H */
