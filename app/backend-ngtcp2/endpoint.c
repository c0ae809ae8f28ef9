/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every datagram of the socket: to its connection by connection ID, or, for a client Initial of no
 * connection, through the token decision (admission.c) to a new connection. The connection table is
 * a small array: this is an example server, not a load balancer.
 */
#include <stdio.h>
#include <string.h>

#include "admission.h"
#include "server.h"

static struct qs_conn **
find(struct qs_server *s, const uint8_t *cid, size_t cid_len)
{
	unsigned i, k;

	for (i = 0; i < QS_CONNS_MAX; i++) {
		struct qs_conn *c = s->conns[i];

		for (k = 0; c != NULL && k < c->n_cids; k++)
			if (c->cids[k].datalen == cid_len && memcmp(c->cids[k].data, cid, cid_len) == 0)
				return &s->conns[i];
	}
	return NULL;
}

static struct qs_conn **
free_slot(struct qs_server *s)
{
	unsigned i;

	for (i = 0; i < QS_CONNS_MAX; i++)
		if (s->conns[i] == NULL)
			return &s->conns[i];
	return NULL;
}

static void
drop(struct qs_conn **slot)
{
	qs_conn_free(*slot);
	*slot = NULL;
}

/* A client Initial of no connection we know. */
static void
accept_initial(struct qs_server *s, const uint8_t *data, size_t len, const struct sockaddr_storage *remote,
	       const struct sockaddr_storage *local)
{
	ngtcp2_pkt_hd hd;
	ngtcp2_cid odcid;
	struct qs_accept a = { .hd = &hd, .odcid = &odcid, .local = local, .remote = remote };
	struct qs_conn **slot = free_slot(s);

	/* ngtcp2_accept refuses what cannot start a connection: short headers, small Initials, 0-RTT. */
	if (ngtcp2_accept(&hd, data, len) != 0 || hd.type != NGTCP2_PKT_INITIAL)
		return;
	if (slot == NULL) {
		printf("connection table full: Initial from a new client dropped\n");
		return;
	}
	if (qs_admit(s, &hd, remote, local, &odcid, &a.retried) != QS_ADMIT_SERVE)
		return;
	*slot = qs_conn_new(s, &a);
	if (*slot != NULL && qs_conn_read(*slot, data, len, local, remote) != 0)
		drop(slot);
}

void
qs_endpoint_datagram(struct qs_server *s, const uint8_t *data, size_t len, const struct sockaddr_storage *remote,
		     const struct sockaddr_storage *local)
{
	ngtcp2_version_cid vc;
	struct qs_conn **slot;

	/* Short headers carry our connection IDs, all QS_SCID_LEN long. */
	if (ngtcp2_pkt_decode_version_cid(&vc, data, len, QS_SCID_LEN) != 0)
		return;
	slot = find(s, vc.dcid, vc.dcidlen);
	if (slot == NULL) {
		accept_initial(s, data, len, remote, local);
		return;
	}
	if (qs_conn_read(*slot, data, len, local, remote) != 0)
		drop(slot);
}

int
qs_endpoint_timers(struct qs_server *s)
{
	const ngtcp2_tstamp now = qs_now();
	ngtcp2_tstamp next = UINT64_MAX;
	unsigned i;

	for (i = 0; i < QS_CONNS_MAX; i++) {
		struct qs_conn *c = s->conns[i];
		ngtcp2_tstamp at;

		if (c == NULL)
			continue;
		at = ngtcp2_conn_get_expiry(c->q);
		if (at <= now && qs_conn_expired(c) != 0) {
			drop(&s->conns[i]);
			continue;
		}
		at = ngtcp2_conn_get_expiry(c->q);
		if (at < next)
			next = at;
	}
	if (next == UINT64_MAX)
		return -1;
	/* A second at most: a connection's timers never run late by more than a poll's wait. */
	return next <= now ? 0 : (int)((next - now) / NGTCP2_MILLISECONDS > 1000 ? 1000 : (next - now) / NGTCP2_MILLISECONDS + 1);
}
