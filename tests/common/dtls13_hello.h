/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_DTLS13_HELLO_H
#define DS_TEST_DTLS13_HELLO_H

/**
 * @file
 * DTLS 1.3 ClientHellos built from RFC 9147 / RFC 8446 structures, since no DTLS 1.3 client ships in
 * Debian 12 (OpenSSL 3.0, GnuTLS 3.7, Mbed TLS 2.28 and wolfSSL 5.5 as Debian builds it have none):
 * legacy_version DTLS 1.2, empty legacy_session_id and legacy_cookie, TLS 1.3 cipher suites, and the
 * extensions a DTLS 1.3 client sends (supported_versions, supported_groups, signature_algorithms,
 * key_share).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Which versions supported_versions lists (none: the extension is left out). */
enum dtls13_versions { VERSIONS_NONE, VERSIONS_13, VERSIONS_13_12, VERSIONS_12 };

struct dtls13_hello_spec {
	enum dtls13_versions versions;
	unsigned key_share_len;   /**< bytes of the one key exchange (32 x25519; 1216 ML-KEM-768 + x25519) */
	bool key_share_first;     /**< key_share before supported_versions */
	unsigned fragment_at;     /**< 0: whole; else the first datagram's fragment holds this many body bytes */
	uint8_t cookie_len;       /**< legacy_cookie (0 for a first ClientHello) */
};

enum { DTLS13_HELLO_MAX = 2048 };

/**
 * The first datagram (one record) of such a ClientHello: the whole message, or its first fragment.
 *
 * @return
 *   Its length (at most DTLS13_HELLO_MAX).
 */
size_t dtls13_hello(uint8_t *out, const struct dtls13_hello_spec *spec);

#endif /* DS_TEST_DTLS13_HELLO_H */
