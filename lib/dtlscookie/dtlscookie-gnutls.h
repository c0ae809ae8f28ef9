/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DTLSCOOKIE_GNUTLS_H
#define DTLSCOOKIE_GNUTLS_H

/**
 * @file
 * libdtlscookie for GnuTLS servers (mode DTLSCOOKIE_GNUTLS): gnutls_dtls_cookie_verify() and
 * gnutls_dtls_cookie_send() with the keys of the epochs the scrubbers accept.
 *
 *     if (dtlscookie_gnutls_verify(dc, &cli, cli_len, buf, n, &prestate) < 0) {
 *             dtlscookie_gnutls_send(dc, &cli, cli_len, &prestate, ptr, push);
 *             continue;
 *     }
 *     ... gnutls_init(...); gnutls_dtls_prestate_set(session, &prestate); handshake.
 */

#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>

#include "dtlscookie.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * gnutls_dtls_cookie_verify() against the key of every accepted epoch.
 *
 * @param client
 *   The client's sockaddr exactly as recvfrom() filled it (the cookie covers these bytes).
 * @return
 *   0 with @p prestate filled when the cookie is good, a negative GnuTLS error otherwise.
 */
int dtlscookie_gnutls_verify(struct dtlscookie *dc, const struct sockaddr *client, socklen_t client_len,
			     void *msg, size_t msg_len, gnutls_dtls_prestate_st *prestate);

/** gnutls_dtls_cookie_send() with the current epoch's key. */
int dtlscookie_gnutls_send(struct dtlscookie *dc, const struct sockaddr *client, socklen_t client_len,
			   gnutls_dtls_prestate_st *prestate, gnutls_transport_ptr_t ptr, gnutls_push_func push);

#ifdef __cplusplus
}
#endif

#endif /* DTLSCOOKIE_GNUTLS_H */
