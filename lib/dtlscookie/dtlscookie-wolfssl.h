/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DTLSCOOKIE_WOLFSSL_H
#define DTLSCOOKIE_WOLFSSL_H

/**
 * @file
 * libdtlscookie for wolfSSL DTLS 1.2 servers (wolfSSL 5).
 *
 * wolfSSL checks cookies inside the library, against its own HMAC-SHA256 over the peer's sockaddr and
 * ClientHello fields under a secret the server sets. The scrubbers make exactly that cookie when
 * configured with `cookie: format: wolfssl`, with the epoch key K_epoch as the secret
 * (docs/cookie-format.md). Before wolfSSL reads a new client's ClientHello, this sets the peer wolfSSL
 * hashes and the secret of the epoch the cookie was made in:
 *
 *     dc = dtlscookie_new(&(struct dtlscookie_options){ .format = "wolfssl", .secret_file = ... }, ...);
 *     ...
 *     n = dtlscookie_recv(fd, buf, sizeof(buf), MSG_PEEK, &client, &server);
 *     dtlscookie_wolfssl_set_client(dc, ssl, (struct sockaddr *)&client, (struct sockaddr *)&server, buf, n);
 *     wolfSSL_accept(ssl);
 *
 * Verify mode only: wolfSSL always recomputes the MAC, so it needs the secret.
 */

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "dtlscookie.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Prepare @p ssl for the ClientHello @p datagram: wolfSSL_dtls_set_peer() with the client's canonical
 * sockaddr (the bytes the cookie covers) and wolfSSL_DTLS_SetCookieSecret() with the key of the
 * accepted epoch whose cookie the ClientHello carries, or the current epoch's (wolfSSL then answers
 * with a HelloVerifyRequest in the scrubbers' format).
 *
 * @return
 *   1 when the ClientHello's cookie is good (wolfSSL will go on with the handshake), 0 when wolfSSL
 *   will answer with a HelloVerifyRequest, -1 when the datagram is no ClientHello, @p dc is not of the
 *   wolfssl format, or wolfSSL refused a setting.
 */
int dtlscookie_wolfssl_set_client(struct dtlscookie *dc, WOLFSSL *ssl, const struct sockaddr *client,
				  const struct sockaddr *server, const void *datagram, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* DTLSCOOKIE_WOLFSSL_H */
