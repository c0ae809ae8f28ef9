/* SPDX-License-Identifier: BSD-3-Clause */
/* A connection's datagrams in and out, its timers, its end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* The connection is over: say why once, unless it is already closing or draining. */
void
qs_conn_close(struct qs_conn *c)
{
	uint8_t buf[QS_PKT_MAX];
	ngtcp2_path_storage ps;
	ngtcp2_pkt_info pi;
	ngtcp2_ssize n;

	if (ngtcp2_conn_is_in_closing_period(c->q) || ngtcp2_conn_is_in_draining_period(c->q))
		return;
	ngtcp2_path_storage_zero(&ps);
	n = ngtcp2_conn_write_connection_close(c->q, &ps.path, &pi, buf, sizeof(buf), &c->ccerr, qs_now());
	if (n > 0)
		qs_send(c->srv->fd, buf, (size_t)n, ps.path.local.addr, ps.path.remote.addr);
}

int
qs_conn_read(struct qs_conn *c, const uint8_t *data, size_t len, const struct sockaddr_storage *local,
	     const struct sockaddr_storage *remote)
{
	ngtcp2_path path;
	const ngtcp2_pkt_info pi = { 0 };
	int rc;

	qs_path_of(&path, local, remote);
	rc = ngtcp2_conn_read_pkt(c->q, &path, &pi, data, len, qs_now());
	if (rc == 0)
		return qs_conn_write(c);
	if (rc != NGTCP2_ERR_DRAINING) {
		printf("connection with %s failed: %s\n", c->name, ngtcp2_strerror(rc));
		fflush(stdout);
		if (c->ccerr.error_code == 0 && c->ccerr.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT)
			ngtcp2_connection_close_error_set_transport_error_liberr(&c->ccerr, rc, NULL, 0);
		qs_conn_close(c);
	}
	return -1;
}

/* Hand ngtcp2's verdict on the stream data it was offered back to nghttp3. 1: write again, 0: go on. */
static int
stream_write_result(struct qs_conn *c, ngtcp2_ssize n, int64_t stream_id, ngtcp2_ssize taken)
{
	if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED) {
		nghttp3_conn_block_stream(c->h3, stream_id);
		return 1;
	}
	if (n == NGTCP2_ERR_STREAM_SHUT_WR) {
		nghttp3_conn_shutdown_stream_write(c->h3, stream_id);
		return 1;
	}
	if (taken >= 0 && nghttp3_conn_add_write_offset(c->h3, stream_id, (size_t)taken) != 0)
		return -1;
	return n == NGTCP2_ERR_WRITE_MORE;
}

int
qs_conn_write(struct qs_conn *c)
{
	uint8_t buf[QS_PKT_MAX];
	ngtcp2_path_storage ps;
	ngtcp2_pkt_info pi;
	const ngtcp2_tstamp now = qs_now();

	ngtcp2_path_storage_zero(&ps);
	for (;;) {
		ngtcp2_vec vec[16];
		int64_t stream_id = -1;
		int fin = 0, more;
		ngtcp2_ssize taken = -1, nvec = qs_h3_pending(c, &stream_id, &fin, vec, 16), n;

		if (nvec < 0)
			return -1;
		n = ngtcp2_conn_writev_stream(c->q, &ps.path, &pi, buf, sizeof(buf), &taken,
					      NGTCP2_WRITE_STREAM_FLAG_MORE | (fin ? NGTCP2_WRITE_STREAM_FLAG_FIN : 0),
					      stream_id, vec, (size_t)nvec, now);
		/* Without stream data, only a packet or nothing is a good answer. */
		if (n < 0 && (stream_id < 0 || (n != NGTCP2_ERR_STREAM_DATA_BLOCKED && n != NGTCP2_ERR_STREAM_SHUT_WR &&
						 n != NGTCP2_ERR_WRITE_MORE))) {
			ngtcp2_connection_close_error_set_transport_error_liberr(&c->ccerr, (int)n, NULL, 0);
			qs_conn_close(c);
			return -1;
		}
		more = stream_id >= 0 ? stream_write_result(c, n, stream_id, taken) : 0;
		if (more < 0)
			return -1;
		if (more)
			continue;
		if (n == 0)
			break;
		qs_send(c->srv->fd, buf, (size_t)n, ps.path.local.addr, ps.path.remote.addr);
	}
	ngtcp2_conn_update_pkt_tx_time(c->q, now);
	return 0;
}

int
qs_conn_expired(struct qs_conn *c)
{
	int rc = ngtcp2_conn_handle_expiry(c->q, qs_now());

	if (rc != 0) {
		/* Idle timeout: leave silently (RFC 9000 §10.1); closing and draining periods end here too. */
		if (rc != NGTCP2_ERR_IDLE_CLOSE)
			printf("connection with %s ended: %s\n", c->name, ngtcp2_strerror(rc));
		fflush(stdout);
		return -1;
	}
	if (ngtcp2_conn_is_in_closing_period(c->q) || ngtcp2_conn_is_in_draining_period(c->q))
		return -1;
	return qs_conn_write(c);
}

void
qs_conn_free(struct qs_conn *c)
{
	if (c == NULL)
		return;
	printf("connection with %s closed\n", c->name);
	fflush(stdout);
	if (c->h3 != NULL)
		nghttp3_conn_del(c->h3);
	if (c->q != NULL)
		ngtcp2_conn_del(c->q);
	if (c->tls != NULL)
		gnutls_deinit(c->tls);
	free(c);
}
