/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_QUIC_SERVER_H
#define DS_QUIC_SERVER_H

/*
 * quic-h3-ngtcp2, the example QUIC server: what its files share. endpoint.c takes each datagram
 * (token check, Retry, new connections), conn.c runs one ngtcp2 connection, h3.c its HTTP/3, tls.c
 * its GnuTLS session, send.c puts packets on the wire from the address the client wrote to.
 */

#include <gnutls/gnutls.h>
#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dtlscookie.h"

enum {
	QS_CONNS_MAX = 64,     /* an example: a fixed table, the oldest never evicted */
	QS_CIDS_MAX = 8,       /* connection IDs a connection answers to (ours, and the client's first) */
	QS_SCID_LEN = 18,      /* our connection IDs: short headers are parsed with this length */
	QS_PKT_MAX = 1452,     /* what we write into one datagram */
	QS_DATAGRAM_MAX = 65536,
};

struct qs_conn;

/** The server: one socket (dual-stack for [::]), its settings, its connections. */
struct qs_server {
	int fd;
	struct dtlscookie *dc;
	gnutls_certificate_credentials_t credentials;
	bool retry;                           /* answer token-less Initials with our own Retry */
	uint8_t reset_secret[32];             /* stateless reset tokens */
	struct qs_conn *conns[QS_CONNS_MAX];
};

/** One QUIC connection. */
struct qs_conn {
	struct qs_server *srv;
	ngtcp2_conn *q;
	gnutls_session_t tls;
	ngtcp2_crypto_conn_ref ref;
	nghttp3_conn *h3;
	ngtcp2_connection_close_error ccerr;
	ngtcp2_cid cids[QS_CIDS_MAX]; /* the IDs datagrams for this connection may carry */
	unsigned n_cids;
	struct sockaddr_storage local, remote;
	bool via_retry;               /* created from an Initial bearing a valid Retry token */
	char name[80];
};

/** What a new connection is made from. */
struct qs_accept {
	const ngtcp2_pkt_hd *hd;              /* the client's Initial */
	const ngtcp2_cid *odcid;              /* original DCID: from the token, else the Initial's DCID */
	bool retried;                         /* the token was valid: retry_scid = the Initial's DCID */
	const struct sockaddr_storage *local, *remote;
};

/** Monotonic time in ngtcp2's nanoseconds. */
ngtcp2_tstamp qs_now(void);

/** Random bytes (connection IDs, ngtcp2's rand callback); exits when the kernel has none. */
void qs_random(uint8_t *out, size_t len);

/** Hex of a connection ID, for the log. */
const char *qs_cid_hex(const ngtcp2_cid *cid, char *buf, size_t len);

/** Take one datagram that @p remote sent to @p local. */
void qs_endpoint_datagram(struct qs_server *s, const uint8_t *data, size_t len,
			  const struct sockaddr_storage *remote, const struct sockaddr_storage *local);

/** Run every connection's timers that are due; the poll timeout in ms until the next one (-1: none). */
int qs_endpoint_timers(struct qs_server *s);

/** A new connection, or NULL (logged). */
struct qs_conn *qs_conn_new(struct qs_server *s, const struct qs_accept *a);

/** Feed one datagram to the connection and send what it has to say; 0, or -1 when it is over. */
int qs_conn_read(struct qs_conn *c, const uint8_t *data, size_t len, const struct sockaddr_storage *local,
		 const struct sockaddr_storage *remote);

/** Send what the connection has to say; 0, or -1 when it is over. */
int qs_conn_write(struct qs_conn *c);

/** Its timers are due: 0, or -1 when it is over. */
int qs_conn_expired(struct qs_conn *c);

/** The ngtcp2 path of @p local and @p remote (pointing at them). */
void qs_path_of(ngtcp2_path *path, const struct sockaddr_storage *local, const struct sockaddr_storage *remote);

/** Free a connection (a CONNECTION_CLOSE is not sent: callers decide). */
void qs_conn_free(struct qs_conn *c);

/** Send a CONNECTION_CLOSE for @p c's close reason, if the connection may still send. */
void qs_conn_close(struct qs_conn *c);

/** A GnuTLS server session for @p c, ALPN h3, wired to ngtcp2. 0, or -1. */
int qs_tls_session(struct qs_conn *c);

/** The connection's HTTP/3 layer, once the handshake is done: 0, or -1. */
int qs_h3_start(struct qs_conn *c);

/** The ngtcp2 callbacks that feed nghttp3. */
void qs_h3_callbacks(ngtcp2_callbacks *cb);

/** The next stream data nghttp3 wants sent: how many vectors (0: none; -1: error). */
ngtcp2_ssize qs_h3_pending(struct qs_conn *c, int64_t *stream_id, int *fin, ngtcp2_vec *vec, size_t n);

/** Send @p len bytes from @p local to @p remote (IP_PKTINFO/IPV6_PKTINFO for a wildcard socket). */
void qs_send(int fd, const uint8_t *data, size_t len, const struct sockaddr *local, const struct sockaddr *remote);

#endif /* DS_QUIC_SERVER_H */
