/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EXAMPLE_SELF_SIGNED_H
#define DS_EXAMPLE_SELF_SIGNED_H

/* A throwaway identity for the GnuTLS example servers: the demo and the tests check the cookie and
 * token exchanges, not the PKI. */

#include <gnutls/gnutls.h>

/* Credentials holding a fresh self-signed P-256 certificate for CN=@p cn, valid one day. 0, or -1. */
int example_self_signed(gnutls_certificate_credentials_t *credentials, const char *cn);

#endif /* DS_EXAMPLE_SELF_SIGNED_H */
