/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include "dtlscookie-gnutls.h"
#include "ds_secret.h"
#include "internal.h"

static int
usable(const struct dtlscookie *dc, const struct sockaddr *client, socklen_t client_len)
{
	return dc != NULL && dc->mode == DTLSCOOKIE_GNUTLS && client != NULL &&
	       ((client->sa_family == AF_INET && client_len >= sizeof(struct sockaddr_in)) ||
		(client->sa_family == AF_INET6 && client_len >= sizeof(struct sockaddr_in6)));
}

int
dtlscookie_gnutls_verify(struct dtlscookie *dc, const struct sockaddr *client, socklen_t client_len, void *msg,
			 size_t msg_len, gnutls_dtls_prestate_st *prestate)
{
	uint8_t keys[MAX_GNUTLS_KEYS][GNUTLS_KEY_LEN], client_data[28];
	unsigned n, k, data_len;
	int rc = GNUTLS_E_BAD_COOKIE;

	if (!usable(dc, client, client_len))
		return GNUTLS_E_INVALID_REQUEST;
	/* The bytes the scrubbers cover: address and port, flow label and scope zero. */
	data_len = dck_canonical_sockaddr(client, client_data);
	n = dck_gnutls_keys(dc, keys);
	for (k = 0; k < n && rc != 0; k++) {
		gnutls_datum_t key = { keys[k], GNUTLS_KEY_LEN };

		rc = gnutls_dtls_cookie_verify(&key, client_data, data_len, msg, msg_len, prestate);
	}
	ds_secret_wipe(keys, sizeof(keys));
	return rc;
}

int
dtlscookie_gnutls_send(struct dtlscookie *dc, const struct sockaddr *client, socklen_t client_len,
		       gnutls_dtls_prestate_st *prestate, gnutls_transport_ptr_t ptr, gnutls_push_func push)
{
	uint8_t keys[MAX_GNUTLS_KEYS][GNUTLS_KEY_LEN], client_data[28];
	gnutls_datum_t key = { keys[0], GNUTLS_KEY_LEN };
	unsigned data_len;
	int rc;

	if (!usable(dc, client, client_len))
		return GNUTLS_E_INVALID_REQUEST;
	data_len = dck_canonical_sockaddr(client, client_data);
	dck_gnutls_keys(dc, keys);
	rc = gnutls_dtls_cookie_send(&key, client_data, data_len, prestate, ptr, push);
	ds_secret_wipe(keys, sizeof(keys));
	return rc;
}
