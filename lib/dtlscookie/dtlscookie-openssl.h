/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DTLSCOOKIE_OPENSSL_H
#define DTLSCOOKIE_OPENSSL_H

/**
 * @file
 * libdtlscookie for OpenSSL servers using DTLSv1_listen().
 *
 *     dc = dtlscookie_new(&(struct dtlscookie_options){ .secret_file = "/etc/dtls-scrubber/cookie.secret" },
 *                         err, sizeof(err));
 *     dtlscookie_openssl_attach(dc, ctx);                  // cookie callbacks on the SSL_CTX
 *     bio = dtlscookie_openssl_bio(dc, fd, &server_addr);  // instead of BIO_new_dgram(fd, BIO_NOCLOSE)
 *
 * then SSL_set_bio(ssl, bio, bio), SSL_OP_COOKIE_EXCHANGE and DTLSv1_listen() as usual.
 */

#include <openssl/ssl.h>

#include "dtlscookie.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Install cookie generate and verify callbacks on a DTLS server context. SSL objects of this context
 * must read through a BIO from dtlscookie_openssl_bio() while they listen.
 *
 * @return
 *   0, or -1.
 */
int dtlscookie_openssl_attach(struct dtlscookie *dc, SSL_CTX *ctx);

/**
 * A datagram BIO on the listening socket that shows the cookie callbacks the ClientHello being looked
 * at (OpenSSL's callbacks get only the cookie; the scrubber's cookie also covers the client random).
 *
 * @param fd
 *   The listening UDP socket (not closed when the BIO is freed), bound to one address or to a
 *   wildcard (0.0.0.0, or :: dual-stack): the BIO asks the kernel for each datagram's destination
 *   (dtlscookie_socket_setup()), which is the server address the cookies bind.
 * @param server
 *   The address the socket is bound to.
 * @return
 *   The BIO (free it with BIO_free_all, or let SSL_free do it), or NULL.
 */
BIO *dtlscookie_openssl_bio(struct dtlscookie *dc, int fd, const struct sockaddr *server);

/**
 * The address the last datagram read through such a BIO was sent to (on a wildcard socket, the one to
 * bind the client's own socket to, so that answers leave from the address the client knows).
 *
 * @return
 *   0, or -1 when @p bio is not such a BIO or has read nothing yet.
 */
int dtlscookie_openssl_destination(BIO *bio, struct sockaddr_storage *server);

#ifdef __cplusplus
}
#endif

#endif /* DTLSCOOKIE_OPENSSL_H */
