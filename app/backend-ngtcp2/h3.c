/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/3 of a connection (nghttp3): every request, whatever its method and path, is answered
 * "200" with one short line, which is all a client needs to show that the handshake and the
 * connection work end to end.
 */
#include <stdio.h>
#include <string.h>

#include "server.h"

static const char body[] = "hello from quic-h3-ngtcp2\n";

static nghttp3_ssize
read_body(nghttp3_conn *h3, int64_t stream_id, nghttp3_vec *vec, size_t veccnt, uint32_t *pflags,
	  void *conn_user_data, void *stream_user_data)
{
	(void)h3, (void)stream_id, (void)veccnt, (void)conn_user_data, (void)stream_user_data;
	vec[0].base = (uint8_t *)body;
	vec[0].len = sizeof(body) - 1;
	*pflags |= NGHTTP3_DATA_FLAG_EOF;
	return 1;
}

#define NV(name, value)                                                                                      \
	{ (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, sizeof(value) - 1, NGHTTP3_NV_FLAG_NONE }

/* The request is complete (its stream's FIN came): answer it. */
static int
end_stream(nghttp3_conn *h3, int64_t stream_id, void *conn_user_data, void *stream_user_data)
{
	static const nghttp3_data_reader reader = { read_body };
	struct qs_conn *c = conn_user_data;
	char length[16];
	nghttp3_nv headers[] = {
		NV(":status", "200"),
		NV("server", "quic-h3-ngtcp2"),
		NV("content-type", "text/plain"),
		NV("content-length", ""),
	};

	(void)stream_user_data;
	snprintf(length, sizeof(length), "%zu", sizeof(body) - 1);
	headers[3].value = (uint8_t *)length;
	headers[3].valuelen = strlen(length);
	printf("HTTP/3 request on stream %lld from %s answered\n", (long long)stream_id, c->name);
	fflush(stdout);
	return nghttp3_conn_submit_response(h3, stream_id, headers, sizeof(headers) / sizeof(headers[0]), &reader) ==
			       0
		       ? 0
		       : NGHTTP3_ERR_CALLBACK_FAILURE;
}

/* nghttp3 consumed stream bytes outside read_stream's count (e.g. of a closed stream): credit them. */
static int
deferred_consume(nghttp3_conn *h3, int64_t stream_id, size_t consumed, void *conn_user_data,
		 void *stream_user_data)
{
	struct qs_conn *c = conn_user_data;

	(void)h3, (void)stream_user_data;
	ngtcp2_conn_extend_max_stream_offset(c->q, stream_id, consumed);
	ngtcp2_conn_extend_max_offset(c->q, consumed);
	return 0;
}

static int
stop_sending(nghttp3_conn *h3, int64_t stream_id, uint64_t app_error_code, void *conn_user_data,
	     void *stream_user_data)
{
	(void)h3, (void)stream_user_data;
	ngtcp2_conn_shutdown_stream_read(((struct qs_conn *)conn_user_data)->q, stream_id, app_error_code);
	return 0;
}

static int
reset_stream(nghttp3_conn *h3, int64_t stream_id, uint64_t app_error_code, void *conn_user_data,
	     void *stream_user_data)
{
	(void)h3, (void)stream_user_data;
	ngtcp2_conn_shutdown_stream_write(((struct qs_conn *)conn_user_data)->q, stream_id, app_error_code);
	return 0;
}

/* HTTP/3 needs three unidirectional streams of ours: control, QPACK encoder and decoder. */
static int
bind_streams(struct qs_conn *c)
{
	int64_t control, encoder, decoder;

	if (ngtcp2_conn_get_streams_uni_left(c->q) < 3 || ngtcp2_conn_open_uni_stream(c->q, &control, NULL) != 0 ||
	    ngtcp2_conn_open_uni_stream(c->q, &encoder, NULL) != 0 ||
	    ngtcp2_conn_open_uni_stream(c->q, &decoder, NULL) != 0)
		return -1;
	return nghttp3_conn_bind_control_stream(c->h3, control) == 0 &&
			       nghttp3_conn_bind_qpack_streams(c->h3, encoder, decoder) == 0
		       ? 0
		       : -1;
}

int
qs_h3_start(struct qs_conn *c)
{
	nghttp3_callbacks cb = {
		.deferred_consume = deferred_consume,
		.end_stream = end_stream,
		.reset_stream = reset_stream,
		.stop_sending = stop_sending,
	};
	nghttp3_settings settings;

	if (c->h3 != NULL)
		return 0;
	nghttp3_settings_default(&settings);
	settings.qpack_max_dtable_capacity = 4096;
	settings.qpack_blocked_streams = 100;
	if (nghttp3_conn_server_new(&c->h3, &cb, &settings, NULL, c) != 0)
		return -1;
	nghttp3_conn_set_max_client_streams_bidi(c->h3, ngtcp2_conn_get_local_transport_params(c->q)->initial_max_streams_bidi);
	return bind_streams(c);
}
