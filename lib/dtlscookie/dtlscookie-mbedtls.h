/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DTLSCOOKIE_MBEDTLS_H
#define DTLSCOOKIE_MBEDTLS_H

/**
 * @file
 * libdtlscookie for Mbed TLS DTLS servers (2.28).
 *
 * Mbed TLS's cookie callbacks see the cookie and a "transport id" that the server sets for each client.
 * The library makes that id the cookie's whole MAC input (addresses, ports and the client random of
 * the ClientHello, docs/cookie-format.md §2), so Mbed TLS judges the scrubber's cookies in full:
 *
 *     dtlscookie_mbedtls_setup(dc, &conf);                 // instead of mbedtls_ssl_conf_dtls_cookies()
 *     ...
 *     n = dtlscookie_recv(fd, buf, sizeof(buf), MSG_PEEK, &client, &server);
 *     dtlscookie_mbedtls_set_client(dc, &ssl, (struct sockaddr *)&client, (struct sockaddr *)&server,
 *                                   buf, n);               // instead of mbedtls_ssl_set_client_transport_id()
 *
 * then mbedtls_ssl_handshake() as usual. Modes: verify and trust (the gnutls mode is GnuTLS's).
 */

#include <mbedtls/ssl.h>

#include "dtlscookie.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Install the cookie write and check callbacks on a DTLS server configuration.
 *
 * @return
 *   0, or -1 (gnutls mode, or a NULL argument).
 */
int dtlscookie_mbedtls_setup(struct dtlscookie *dc, mbedtls_ssl_config *conf);

/**
 * Before a new client's handshake: its transport id, from the ClientHello it sent (peek it, so that
 * Mbed TLS reads it next).
 *
 * @param client
 *   Where the datagram came from.
 * @param server
 *   The address it was sent to (dtlscookie_recv() tells it on a wildcard socket).
 * @return
 *   0, or -1 when the datagram is no ClientHello (the transport id is then left unset).
 */
int dtlscookie_mbedtls_set_client(struct dtlscookie *dc, mbedtls_ssl_context *ssl, const struct sockaddr *client,
				  const struct sockaddr *server, const void *datagram, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* DTLSCOOKIE_MBEDTLS_H */
