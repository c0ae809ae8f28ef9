/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dtlscookie-wolfssl.h"
#include "ds_keyring.h"
#include "internal.h"

/*
 * The accepted epoch whose key makes the ClientHello's cookie, into @p key; else the current epoch's.
 * 1 when one did, 0 when not.
 */
static int
key_of(struct dtlscookie *dc, const struct ds_cookie_request *req, const uint8_t *input, unsigned input_len,
       uint8_t key[DS_COOKIE_EPOCH_KEY_LEN])
{
	uint64_t epochs[MAX_EPOCH_KEYS];
	const unsigned n = dck_epoch_keys(dc, epochs);
	unsigned k;

	for (k = 0; k < n && req->cookie_len == DS_COOKIE_WOLFSSL_LEN && input_len != 0; k++) {
		uint8_t mac[32];

		if (ds_cookie_epoch_key(&dc->master, epochs[k], key) != 0 ||
		    ds_hmac_sha256(key, DS_COOKIE_EPOCH_KEY_LEN, input, input_len, mac) != 0)
			break;
		if (ds_ct_memneq(mac, req->cookie, sizeof(mac)) == 0)
			return 1;
	}
	ds_cookie_epoch_key(&dc->master, epochs[0], key);
	return 0;
}

int
dtlscookie_wolfssl_set_client(struct dtlscookie *dc, WOLFSSL *ssl, const struct sockaddr *client,
			      const struct sockaddr *server, const void *datagram, size_t len)
{
	struct sockaddr_storage addrs[2];
	struct ds_cookie_request req;
	uint8_t input[DS_COOKIE_WOLFSSL_INPUT_MAX], peer[28], key[DS_COOKIE_EPOCH_KEY_LEN];
	unsigned input_len;
	int good;

	if (dc == NULL || ssl == NULL || dc->params.mode != DS_COOKIE_WOLFSSL ||
	    dck_request_of(client, server, datagram, len, addrs, &req) != 0)
		return -1;
	input_len = ds_cookie_wolfssl_input(&req, input);
	good = key_of(dc, &req, input, input_len, key);
	/* wolfSSL hashes the peer it is given: the canonical sockaddr, as the scrubbers do. (Its cookie
	 * secret setter returns 0 on success, unlike the rest of its API.) */
	if (wolfSSL_dtls_set_peer(ssl, peer, ds_cookie_gnutls_client_data(&req, peer)) != WOLFSSL_SUCCESS ||
	    wolfSSL_DTLS_SetCookieSecret(ssl, key, sizeof(key)) != 0)
		good = -1;
	ds_secret_wipe(key, sizeof(key));
	return good;
}
