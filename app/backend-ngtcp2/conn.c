/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One ngtcp2 server connection: created with the transport parameters RFC 9000 §7.3 asks of a server
 * that sent (or whose scrubber sent) a Retry, fed datagrams, written out, timed out, closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "udp.h"

static void
rand_cb(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *ctx)
{
	(void)ctx;
	qs_random(dest, len);
}

/* Each connection ID we hand out must lead back here, or the client's next packets are lost. */
static int
new_cid_cb(ngtcp2_conn *q, ngtcp2_cid *cid, uint8_t *token, size_t cidlen, void *user_data)
{
	struct qs_conn *c = user_data;

	(void)q;
	if (c->n_cids == QS_CIDS_MAX)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	qs_random(cid->data, cidlen);
	cid->datalen = cidlen;
	if (ngtcp2_crypto_generate_stateless_reset_token(token, c->srv->reset_secret, sizeof(c->srv->reset_secret),
							 cid) != 0)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	c->cids[c->n_cids++] = *cid;
	return 0;
}

static int
remove_cid_cb(ngtcp2_conn *q, const ngtcp2_cid *cid, void *user_data)
{
	struct qs_conn *c = user_data;
	unsigned i;

	(void)q;
	for (i = 0; i < c->n_cids; i++)
		if (ngtcp2_cid_eq(&c->cids[i], cid)) {
			c->cids[i] = c->cids[--c->n_cids];
			break;
		}
	return 0;
}

static int
handshake_completed_cb(ngtcp2_conn *q, void *user_data)
{
	struct qs_conn *c = user_data;

	(void)q;
	printf("handshake with %s completed (%s)\n", c->name, c->via_retry ? "after a Retry" : "no Retry");
	fflush(stdout);
	return qs_h3_start(c) == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

static void
callbacks(ngtcp2_callbacks *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
	cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
	cb->encrypt = ngtcp2_crypto_encrypt_cb;
	cb->decrypt = ngtcp2_crypto_decrypt_cb;
	cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
	cb->update_key = ngtcp2_crypto_update_key_cb;
	cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
	cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
	cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
	cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
	cb->rand = rand_cb;
	cb->get_new_connection_id = new_cid_cb;
	cb->remove_connection_id = remove_cid_cb;
	cb->handshake_completed = handshake_completed_cb;
	qs_h3_callbacks(cb);
}

/* RFC 9000 §7.3: after a Retry, original_dcid is the client's first DCID and retry_scid the Retry's SCID. */
static void
transport_params(ngtcp2_transport_params *p, const struct qs_accept *a, const struct qs_server *s,
		 const ngtcp2_cid *scid)
{
	ngtcp2_transport_params_default(p);
	p->initial_max_stream_data_bidi_local = 256 * 1024;
	p->initial_max_stream_data_bidi_remote = 256 * 1024;
	p->initial_max_stream_data_uni = 256 * 1024;
	p->initial_max_data = 1024 * 1024;
	p->initial_max_streams_bidi = 100;
	p->initial_max_streams_uni = 3;
	p->max_idle_timeout = 30 * NGTCP2_SECONDS;
	p->stateless_reset_token_present = 1;
	ngtcp2_crypto_generate_stateless_reset_token(p->stateless_reset_token, s->reset_secret,
						     sizeof(s->reset_secret), scid);
	p->original_dcid = *a->odcid;
	if (a->retried) {
		p->retry_scid = a->hd->dcid;
		p->retry_scid_present = 1;
	}
}

void
qs_path_of(ngtcp2_path *path, const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	path->local.addr = (ngtcp2_sockaddr *)local;
	path->local.addrlen = local->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	path->remote.addr = (ngtcp2_sockaddr *)remote;
	path->remote.addrlen = remote->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	path->user_data = NULL;
}

struct qs_conn *
qs_conn_new(struct qs_server *s, const struct qs_accept *a)
{
	struct qs_conn *c = calloc(1, sizeof(*c));
	ngtcp2_callbacks cb;
	ngtcp2_settings settings;
	ngtcp2_transport_params params;
	ngtcp2_path path;
	ngtcp2_cid scid = { .datalen = QS_SCID_LEN };

	if (c == NULL)
		return NULL;
	c->srv = s;
	c->local = *a->local;
	c->remote = *a->remote;
	c->via_retry = a->retried;
	ngtcp2_connection_close_error_default(&c->ccerr);
	udp_name((const struct sockaddr *)&c->remote, c->name, sizeof(c->name));
	qs_random(scid.data, scid.datalen);
	/* Retransmitted Initials still carry the client's DCID; everything later carries ours. */
	c->cids[c->n_cids++] = scid;
	c->cids[c->n_cids++] = a->hd->dcid;
	callbacks(&cb);
	ngtcp2_settings_default(&settings);
	settings.initial_ts = qs_now();
	settings.max_tx_udp_payload_size = QS_PKT_MAX;
	transport_params(&params, a, s, &scid);
	qs_path_of(&path, &c->local, &c->remote);
	if (ngtcp2_conn_server_new(&c->q, &a->hd->scid, &scid, &path, a->hd->version, &cb, &settings, &params, NULL,
				   c) != 0 ||
	    qs_tls_session(c) != 0) {
		printf("cannot set up a connection for %s\n", c->name);
		qs_conn_free(c);
		return NULL;
	}
	return c;
}
