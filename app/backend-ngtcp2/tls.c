/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GnuTLS side of a connection: TLS 1.3 only (QUIC), ngtcp2's crypto callbacks, and ALPN h3 made
 * mandatory: a client that speaks no HTTP/3 fails the handshake instead of hanging after it.
 */
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "server.h"

static const char priority[] = "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:"
			       "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CCM";

static ngtcp2_conn *
get_conn(ngtcp2_crypto_conn_ref *ref)
{
	return ((struct qs_conn *)ref->user_data)->q;
}

int
qs_tls_session(struct qs_conn *c)
{
	gnutls_datum_t alpn = { .data = (unsigned char *)"h3", .size = 2 };

	if (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_ENABLE_EARLY_DATA | GNUTLS_NO_END_OF_EARLY_DATA) != 0)
		return -1;
	c->ref.get_conn = get_conn;
	c->ref.user_data = c;
	gnutls_session_set_ptr(c->tls, &c->ref);
	if (gnutls_priority_set_direct(c->tls, priority, NULL) != 0 ||
	    ngtcp2_crypto_gnutls_configure_server_session(c->tls) != 0 ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, c->srv->credentials) != 0 ||
	    gnutls_alpn_set_protocols(c->tls, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0)
		return -1;
	ngtcp2_conn_set_tls_native_handle(c->q, c->tls);
	return 0;
}
