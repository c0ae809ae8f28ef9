/* SPDX-License-Identifier: BSD-3-Clause */
/* Between ngtcp2 and nghttp3: stream data up, flow-control credit and acknowledgements down. */
#include "server.h"

/* An nghttp3 error closes the connection with the HTTP/3 error code it stands for. */
static int
h3_failed(struct qs_conn *c, int rc)
{
	ngtcp2_connection_close_error_set_application_error(&c->ccerr, nghttp3_err_infer_quic_app_error_code(rc),
							     NULL, 0);
	return NGTCP2_ERR_CALLBACK_FAILURE;
}

static int
recv_stream_data(ngtcp2_conn *q, uint32_t flags, int64_t stream_id, uint64_t offset, const uint8_t *data,
		 size_t len, void *user_data, void *stream_user_data)
{
	struct qs_conn *c = user_data;
	nghttp3_ssize used;

	(void)offset, (void)stream_user_data;
	/* 1-RTT data may be read in the datagram whose Handshake packet completes the handshake. */
	if (qs_h3_start(c) != 0)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	used = nghttp3_conn_read_stream(c->h3, stream_id, data, len, flags & NGTCP2_STREAM_DATA_FLAG_FIN);
	if (used < 0)
		return h3_failed(c, (int)used);
	ngtcp2_conn_extend_max_stream_offset(q, stream_id, (uint64_t)used);
	ngtcp2_conn_extend_max_offset(q, (uint64_t)used);
	return 0;
}

static int
acked_stream_data_offset(ngtcp2_conn *q, int64_t stream_id, uint64_t offset, uint64_t len, void *user_data,
			 void *stream_user_data)
{
	struct qs_conn *c = user_data;
	int rc;

	(void)q, (void)offset, (void)stream_user_data;
	if (c->h3 != NULL && (rc = nghttp3_conn_add_ack_offset(c->h3, stream_id, len)) != 0)
		return h3_failed(c, rc);
	return 0;
}

static int
stream_close(ngtcp2_conn *q, uint32_t flags, int64_t stream_id, uint64_t app_error_code, void *user_data,
	     void *stream_user_data)
{
	struct qs_conn *c = user_data;
	int rc;

	(void)stream_user_data;
	if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET))
		app_error_code = NGHTTP3_H3_NO_ERROR;
	if (c->h3 == NULL)
		return 0;
	rc = nghttp3_conn_close_stream(c->h3, stream_id, app_error_code);
	if (rc != 0 && rc != NGHTTP3_ERR_STREAM_NOT_FOUND)
		return h3_failed(c, rc);
	/* A finished request makes room for the next one (client-initiated bidirectional: low bits 00). */
	if ((stream_id & 0x3) == 0)
		ngtcp2_conn_extend_max_streams_bidi(q, 1);
	return 0;
}

static int
stream_reset(ngtcp2_conn *q, int64_t stream_id, uint64_t final_size, uint64_t app_error_code, void *user_data,
	     void *stream_user_data)
{
	struct qs_conn *c = user_data;

	(void)q, (void)final_size, (void)app_error_code, (void)stream_user_data;
	if (c->h3 != NULL && nghttp3_conn_shutdown_stream_read(c->h3, stream_id) != 0)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	return 0;
}

static int
stream_stop_sending(ngtcp2_conn *q, int64_t stream_id, uint64_t app_error_code, void *user_data,
		    void *stream_user_data)
{
	return stream_reset(q, stream_id, 0, app_error_code, user_data, stream_user_data);
}

static int
extend_max_stream_data(ngtcp2_conn *q, int64_t stream_id, uint64_t max_data, void *user_data,
		       void *stream_user_data)
{
	struct qs_conn *c = user_data;

	(void)q, (void)max_data, (void)stream_user_data;
	if (c->h3 != NULL && nghttp3_conn_unblock_stream(c->h3, stream_id) != 0)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	return 0;
}

static int
extend_max_remote_streams_bidi(ngtcp2_conn *q, uint64_t max_streams, void *user_data)
{
	struct qs_conn *c = user_data;

	(void)q;
	if (c->h3 != NULL)
		nghttp3_conn_set_max_client_streams_bidi(c->h3, max_streams);
	return 0;
}

void
qs_h3_callbacks(ngtcp2_callbacks *cb)
{
	cb->recv_stream_data = recv_stream_data;
	cb->acked_stream_data_offset = acked_stream_data_offset;
	cb->stream_close = stream_close;
	cb->stream_reset = stream_reset;
	cb->stream_stop_sending = stream_stop_sending;
	cb->extend_max_stream_data = extend_max_stream_data;
	cb->extend_max_remote_streams_bidi = extend_max_remote_streams_bidi;
}

ngtcp2_ssize
qs_h3_pending(struct qs_conn *c, int64_t *stream_id, int *fin, ngtcp2_vec *vec, size_t n)
{
	nghttp3_ssize got;

	if (c->h3 == NULL || ngtcp2_conn_get_max_data_left(c->q) == 0)
		return 0;
	/* nghttp3_vec and ngtcp2_vec are the same pair (base, len), as ngtcp2's own examples rely on. */
	got = nghttp3_conn_writev_stream(c->h3, stream_id, fin, (nghttp3_vec *)vec, n);
	if (got < 0) {
		h3_failed(c, (int)got);
		return -1;
	}
	return got;
}
