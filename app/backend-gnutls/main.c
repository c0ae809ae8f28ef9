/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-echo-gnutls: a GnuTLS DTLS echo server behind dtls-scrubber configured with `format: gnutls`.
 * GnuTLS's own cookie API runs the exchange; libdtlscookie gives it the keys the scrubbers use (the
 * lines marked "libdtlscookie"), so the ClientHello the scrubber forwards is accepted as it is and
 * gnutls_dtls_prestate_set() makes the ServerHello carry the message_seq the client expects.
 *
 *   dtls-echo-gnutls --listen ADDR:PORT --secret FILE [--key-period S] [--clock-skew-ms MS]
 *
 * ADDR is the service's address, or 0.0.0.0 / [::] (dual-stack). A self-signed P-256 certificate is
 * made at start; each client gets a socket and a thread that echo until it leaves or is silent 30 s.
 */
#include <gnutls/gnutls.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dtlscookie-gnutls.h"
#include "options.h"
#include "secrets.h"
#include "self_signed.h"
#include "udp.h"

enum { DATAGRAM_MAX = 4096, MTU = 1400 };

static gnutls_certificate_credentials_t credentials;

/* Where an HVR goes: sent from the listening socket, no session yet. */
struct hvr_target {
	int fd;
	const struct sockaddr *to;
	socklen_t to_len;
};

static ssize_t
push_hvr(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	const struct hvr_target *t = ptr;

	return sendto(t->fd, data, len, 0, t->to, t->to_len);
}

struct client {
	gnutls_session_t session;
	int fd;
	uint8_t first[DATAGRAM_MAX]; /* the verified ClientHello, read from the listening socket */
	ssize_t first_len;
	char name[80];
};

/* GnuTLS reads the verified ClientHello first, then the client's own socket. */
static ssize_t
client_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct client *c = ptr;
	ssize_t n = c->first_len;

	if (n > 0) {
		if ((size_t)n > len)
			n = (ssize_t)len;
		memcpy(buf, c->first, (size_t)n);
		c->first_len = 0;
		return n;
	}
	return recv(c->fd, buf, len, 0);
}

static int
client_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct client *c = ptr;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	return c->first_len > 0 ? 1 : poll(&p, 1, (int)ms);
}

static ssize_t
client_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	return send(((struct client *)ptr)->fd, data, len, 0);
}

static void *
serve_client(void *arg)
{
	struct client *c = arg;
	char buf[DATAGRAM_MAX];
	ssize_t n;
	int rc, total = 0;

	do
		rc = gnutls_handshake(c->session);
	while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
	if (rc == 0) {
		printf("handshake with %s completed (%s)\n", c->name, gnutls_protocol_get_name(gnutls_protocol_get_version(c->session)));
		fflush(stdout);
		while ((n = gnutls_record_recv(c->session, buf, sizeof(buf))) > 0 &&
		       gnutls_record_send(c->session, buf, (size_t)n) == n)
			total += (int)n;
		printf("client %s gone after %d bytes echoed\n", c->name, total);
		gnutls_bye(c->session, GNUTLS_SHUT_WR);
	} else {
		printf("handshake with %s failed: %s\n", c->name, gnutls_strerror(rc));
	}
	fflush(stdout);
	gnutls_deinit(c->session);
	close(c->fd);
	free(c);
	return NULL;
}

static void
start_client(const struct sockaddr_storage *local, const struct sockaddr *peer, gnutls_dtls_prestate_st *prestate,
	     const uint8_t *hello, ssize_t hello_len)
{
	struct client *c = calloc(1, sizeof(*c));
	pthread_t thread;

	if (c == NULL || (c->fd = udp_client_socket(local, peer)) < 0) {
		perror("client socket");
		free(c);
		return;
	}
	memcpy(c->first, hello, (size_t)hello_len);
	c->first_len = hello_len;
	udp_name(peer, c->name, sizeof(c->name));
	gnutls_init(&c->session, GNUTLS_SERVER | GNUTLS_DATAGRAM);
	gnutls_priority_set_direct(c->session, "NORMAL", NULL);
	gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, credentials);
	gnutls_dtls_prestate_set(c->session, prestate);
	gnutls_dtls_set_mtu(c->session, MTU);
	gnutls_transport_set_ptr(c->session, c);
	gnutls_transport_set_pull_function(c->session, client_pull);
	gnutls_transport_set_pull_timeout_function(c->session, client_pull_timeout);
	gnutls_transport_set_push_function(c->session, client_push);
	if (pthread_create(&thread, NULL, serve_client, c) == 0)
		pthread_detach(thread);
}

int
main(int argc, char **argv)
{
	struct example_options o;
	struct dtlscookie *dc;
	char err[512];
	uint8_t buf[DATAGRAM_MAX];
	int rc, fd;

	if ((rc = example_options_parse(argc, argv, 1u << DTLSCOOKIE_GNUTLS, 0, &o)) != 0)
		return rc;
	dc = dtlscookie_new(&o.cookie, err, sizeof(err));                  /* libdtlscookie */
	if (dc == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (example_secrets_follow(dc, &o) != 0) /* SIGHUP: the secret files again (a rotation) */
		return 1;
	fd = udp_listen(&o.listen, o.listen_len);
	if (gnutls_global_init() < 0 || example_self_signed(&credentials, "dtls-echo") != 0 || fd < 0 || dtlscookie_socket_setup(fd) != 0) { /* libdtlscookie */
		perror(o.listen_text);
		return 1;
	}
	printf("dtls-echo-gnutls: listening on %s\n", o.listen_text);
	fflush(stdout);
	for (;;) {
		struct sockaddr_storage peer, to;
		const socklen_t peer_len = sizeof(peer);
		gnutls_dtls_prestate_st prestate;
		/* The datagram, who sent it, and (on a wildcard socket) the address it was sent to. */
		ssize_t n = dtlscookie_recv(fd, buf, sizeof(buf), MSG_PEEK, &peer, &to);              /* libdtlscookie */

		if (n <= 0)
			continue;
		memset(&prestate, 0, sizeof(prestate));
		if (dtlscookie_gnutls_verify(dc, (struct sockaddr *)&peer, peer_len, buf, (size_t)n,   /* libdtlscookie */
					     &prestate) < 0) {
			struct hvr_target t = { fd, (struct sockaddr *)&peer, udp_len(&peer) };

			dtlscookie_gnutls_send(dc, (struct sockaddr *)&peer, peer_len, &prestate, &t, push_hvr); /* libdtlscookie */
			recv(fd, buf, sizeof(buf), 0);
			continue;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0)
			start_client(&to, (struct sockaddr *)&peer, &prestate, buf, n);
	}
}
