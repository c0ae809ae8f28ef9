/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-echo-openssl: an OpenSSL DTLS 1.2 echo server behind dtls-scrubber, using libdtlscookie so that
 * DTLSv1_listen() accepts the scrubber's cookie (the three lines marked "libdtlscookie").
 *
 *   dtls-echo-openssl --listen ADDR:PORT [--mode verify|trust] [--secret FILE]
 *                     [--cookie-format F] [--cookie-len N] [--key-period S] [--clock-skew-ms MS]
 *                     [--keepalive MS]
 *
 * verify (default) checks each cookie with the master secret the scrubbers share; trust accepts any
 * cookie of the right shape (the network must guarantee that only the scrubber reaches this server).
 * ADDR is the service's own address (no wildcard: cookies bind it). A self-signed P-256 certificate is
 * made at start; each client gets a socket and a thread that echo until it leaves or is silent 30 s.
 * --keepalive MS also sends the line "keepalive" to a client silent for MS, as VPN and media servers
 * do: a scrubber that did not see the session begin learns the flow from such a record.
 */
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtlscookie-openssl.h"
#include "udp.h"

struct client {
	SSL *ssl;
	int fd;
	char name[80];
};

/* A throwaway identity: the demo and the tests check the cookie exchange, not the PKI. */
static int
self_signed(SSL_CTX *ctx)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *name;
	int ok;

	if (key == NULL || cert == NULL)
		return -1;
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
	X509_set_pubkey(cert, key);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"dtls-echo", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	ok = X509_sign(cert, key, EVP_sha256()) > 0 && SSL_CTX_use_certificate(ctx, cert) == 1 &&
	     SSL_CTX_use_PrivateKey(ctx, key) == 1;
	X509_free(cert);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

enum { IDLE_MS = 30000 };

static int keepalive_ms; /* 0: speak only when spoken to */

/* Until the client gets the next record: MS of silence sends a keepalive; 0 when it is gone. */
static int
wait_for_client(struct client *c)
{
	static const char line[] = "keepalive\n";
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int silent_ms = 0;

	if (keepalive_ms == 0 || SSL_pending(c->ssl) > 0)
		return 1;
	while (silent_ms < IDLE_MS) {
		const int rc = poll(&p, 1, keepalive_ms);

		if (rc != 0)
			return 1; /* a datagram, or an error SSL_read will report */
		if (SSL_write(c->ssl, line, sizeof(line) - 1) != (int)sizeof(line) - 1)
			return 0;
		silent_ms += keepalive_ms;
	}
	return 0;
}

static void *
serve_client(void *arg)
{
	struct client *c = arg;
	char buf[4096];
	int n, total = 0;

	if (SSL_accept(c->ssl) == 1) {
		printf("handshake with %s completed (%s)\n", c->name, SSL_get_cipher(c->ssl));
		fflush(stdout);
		while (wait_for_client(c) && (n = SSL_read(c->ssl, buf, sizeof(buf))) > 0 && SSL_write(c->ssl, buf, n) == n)
			total += n;
		printf("client %s gone after %d bytes echoed\n", c->name, total);
		SSL_shutdown(c->ssl);
	} else {
		printf("handshake with %s failed\n", c->name);
	}
	fflush(stdout);
	SSL_free(c->ssl);
	close(c->fd);
	free(c);
	return NULL;
}

/* After DTLSv1_listen: the verified ClientHello stays buffered in ssl; the client gets a socket. */
static void
start_client(SSL *ssl, const struct sockaddr_storage *local, socklen_t len, const BIO_ADDR *peer)
{
	struct sockaddr_storage ss = { .ss_family = local->ss_family };
	struct client *c = calloc(1, sizeof(*c));
	pthread_t thread;
	size_t alen;
	BIO *bio;

	if (ss.ss_family == AF_INET) {
		BIO_ADDR_rawaddress(peer, &((struct sockaddr_in *)&ss)->sin_addr, &alen);
		((struct sockaddr_in *)&ss)->sin_port = BIO_ADDR_rawport(peer);
	} else {
		BIO_ADDR_rawaddress(peer, &((struct sockaddr_in6 *)&ss)->sin6_addr, &alen);
		((struct sockaddr_in6 *)&ss)->sin6_port = BIO_ADDR_rawport(peer);
	}
	if (c == NULL || (c->fd = udp_client_socket(local, len, (struct sockaddr *)&ss)) < 0) {
		perror("client socket");
		free(c);
		SSL_free(ssl);
		return;
	}
	bio = BIO_new_dgram(c->fd, BIO_NOCLOSE);
	BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, (void *)peer);
	SSL_set_bio(ssl, bio, bio);
	SSL_clear_options(ssl, SSL_OP_COOKIE_EXCHANGE);
	c->ssl = ssl;
	udp_name((struct sockaddr *)&ss, c->name, sizeof(c->name));
	if (pthread_create(&thread, NULL, serve_client, c) == 0)
		pthread_detach(thread);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },  { "mode", required_argument, NULL, 'm' },
		{ "secret", required_argument, NULL, 's' },  { "cookie-format", required_argument, NULL, 'f' },
		{ "cookie-len", required_argument, NULL, 'n' }, { "key-period", required_argument, NULL, 'p' },
		{ "clock-skew-ms", required_argument, NULL, 'k' }, { "keepalive", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct dtlscookie_options opt = { .mode = DTLSCOOKIE_VERIFY };
	struct sockaddr_storage local;
	socklen_t local_len = 0;
	const char *listen_at = NULL;
	struct dtlscookie *dc;
	char err[512];
	SSL_CTX *ctx;
	int o, fd;

	while ((o = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (o) {
		case 'l': listen_at = optarg; break;
		case 'm': opt.mode = strcmp(optarg, "trust") == 0 ? DTLSCOOKIE_TRUST : DTLSCOOKIE_VERIFY; break;
		case 's': opt.secret_file = optarg; break;
		case 'f': opt.format = optarg; break;
		case 'n': opt.cookie_len = (unsigned)atoi(optarg); break;
		case 'p': opt.key_period_s = (unsigned)atoi(optarg); break;
		case 'k': opt.clock_skew_ms = atoi(optarg) == 0 ? -1 : atoi(optarg); break;
		case 'a': keepalive_ms = atoi(optarg) > 0 ? atoi(optarg) : 0; break;
		default: return 2;
		}
	}
	if (listen_at == NULL || udp_parse_address(listen_at, &local, &local_len) != 0) {
		fprintf(stderr, "usage: %s --listen ADDR:PORT [--mode verify|trust] [--secret FILE] "
			"[--cookie-format F] [--cookie-len N] [--key-period S] [--clock-skew-ms MS] [--keepalive MS]\n",
			argv[0]);
		return 2;
	}
	dc = dtlscookie_new(&opt, err, sizeof(err));                               /* libdtlscookie */
	if (dc == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(DTLS_server_method());
	fd = udp_listen(&local, local_len);
	if (ctx == NULL || self_signed(ctx) != 0 || fd < 0 || dtlscookie_openssl_attach(dc, ctx) != 0) { /* libdtlscookie */
		ERR_print_errors_fp(stderr);
		perror(listen_at);
		return 1;
	}
	printf("dtls-echo-openssl: listening on %s, %s mode\n", listen_at, opt.mode == DTLSCOOKIE_TRUST ? "trust" : "verify");
	fflush(stdout);
	for (;;) {
		SSL *ssl = SSL_new(ctx);
		BIO *bio = dtlscookie_openssl_bio(dc, fd, (struct sockaddr *)&local);  /* libdtlscookie */
		BIO_ADDR *peer = BIO_ADDR_new();
		int rc;

		SSL_set_bio(ssl, bio, bio);
		SSL_set_options(ssl, SSL_OP_COOKIE_EXCHANGE);
		/* The socket wakes every 200 ms: DTLSv1_listen returns 0 then, and keys follow the clock. */
		while ((rc = DTLSv1_listen(ssl, peer)) == 0)
			;
		if (rc > 0) {
			start_client(ssl, &local, local_len, peer);
		} else {
			ERR_clear_error();
			SSL_free(ssl);
		}
		BIO_ADDR_free(peer);
	}
}
