/* SPDX-License-Identifier: BSD-3-Clause */
#include "self_signed.h"

#include <gnutls/x509.h>
#include <stdio.h>
#include <time.h>

int
example_self_signed(gnutls_certificate_credentials_t *credentials, const char *cn)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	const time_t now = time(NULL);
	const unsigned char serial = 1;
	char dn[128];
	int rc;

	if (gnutls_x509_privkey_init(&key) < 0 || gnutls_x509_crt_init(&crt) < 0)
		return -1;
	snprintf(dn, sizeof(dn), "CN=%s", cn);
	rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (rc == 0)
		rc = gnutls_x509_crt_set_version(crt, 3) | gnutls_x509_crt_set_serial(crt, &serial, 1) |
		     gnutls_x509_crt_set_activation_time(crt, now) |
		     gnutls_x509_crt_set_expiration_time(crt, now + 86400) |
		     gnutls_x509_crt_set_dn(crt, dn, NULL) | gnutls_x509_crt_set_key(crt, key);
	if (rc == 0)
		rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
	if (rc == 0)
		rc = gnutls_certificate_allocate_credentials(credentials);
	if (rc == 0)
		rc = gnutls_certificate_set_x509_key(*credentials, &crt, 1, key);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc < 0 ? -1 : 0;
}
