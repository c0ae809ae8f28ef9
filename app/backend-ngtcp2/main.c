/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quic-h3-ngtcp2: an HTTP/3 server (ngtcp2, nghttp3, GnuTLS) behind dtls-scrubber's QUIC Retry
 * offload. An Initial bearing a Retry token of the appliance's (checked with libdtlscookie, the lines
 * marked "libdtlscookie") starts a connection whose transport parameters name the ODCID sealed in the
 * token and the Retry's SCID, so the client accepts the handshake that the appliance's Retry began.
 *
 *   quic-h3-ngtcp2 --listen ADDR:PORT --secret FILE [--key-period S] [--clock-skew-ms MS] [--retry]
 *
 * ADDR is the service's address, or 0.0.0.0 / [::] (dual-stack). Without --retry, Initials without a
 * token are served at once; with it, they are answered with a Retry of our own carrying a token of
 * the same shared format (any appliance or backend with the secret accepts it). Every request is
 * answered "200" with one line. A self-signed certificate is made at start.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "dtlscookie.h"
#include "options.h"
#include "self_signed.h"
#include "server.h"
#include "udp.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Every datagram waiting on the socket. */
static void
drain_socket(struct qs_server *s)
{
	static uint8_t buf[QS_DATAGRAM_MAX];
	struct sockaddr_storage remote, local;
	ssize_t n;

	/* The destination of each datagram is the source of our answers, and the path ngtcp2 knows. */
	while ((n = dtlscookie_recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT, &remote, &local)) >= 0) /* libdtlscookie */
		if (n > 0)
			qs_endpoint_datagram(s, buf, (size_t)n, &remote, &local);
}

static void
serve(struct qs_server *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	unsigned i;

	while (!stop) {
		if (poll(&p, 1, qs_endpoint_timers(s)) > 0)
			drain_socket(s);
	}
	for (i = 0; i < QS_CONNS_MAX; i++)
		if (s->conns[i] != NULL) {
			qs_conn_close(s->conns[i]);
			qs_conn_free(s->conns[i]);
		}
}

int
main(int argc, char **argv)
{
	static struct qs_server s;
	struct example_options o;
	char err[512];
	int rc;

	if ((rc = example_options_parse(argc, argv, 1u << DTLSCOOKIE_VERIFY, EXAMPLE_RETRY, &o)) != 0)
		return rc;
	s.dc = dtlscookie_new(&o.cookie, err, sizeof(err)); /* libdtlscookie */
	if (s.dc == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	s.retry = o.retry;
	qs_random(s.reset_secret, sizeof(s.reset_secret));
	s.fd = udp_listen(&o.listen, o.listen_len);
	if (gnutls_global_init() < 0 || example_self_signed(&s.credentials, "quic-h3-ngtcp2") != 0 || s.fd < 0 ||
	    dtlscookie_socket_setup(s.fd) != 0) { /* libdtlscookie */
		perror(o.listen_text);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("quic-h3-ngtcp2: listening on %s (Retry %s)\n", o.listen_text, s.retry ? "on" : "off");
	fflush(stdout);
	serve(&s);
	gnutls_certificate_free_credentials(s.credentials);
	dtlscookie_free(s.dc);
	printf("quic-h3-ngtcp2: stopped\n");
	return 0;
}
