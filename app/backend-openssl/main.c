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
 * ADDR is the service's address, or 0.0.0.0 / [::] (dual-stack): cookies bind the address each
 * datagram was sent to, which the library learns from the kernel. A self-signed P-256 certificate is
 * made at start; each client gets a socket and a thread that echo until it leaves or is silent 30 s.
 * --keepalive MS also sends the line "keepalive" to a client silent for MS, as VPN and media servers
 * do: a scrubber that did not see the session begin learns the flow from such a record.
 */
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
#include "options.h"
#include "secrets.h"
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

/*
 * After DTLSv1_listen: the verified ClientHello stays buffered in ssl; the client gets a socket bound
 * to the address it sent to (@p local: on a wildcard socket, that datagram's destination).
 */
static void
start_client(SSL *ssl, const struct sockaddr_storage *local, const BIO_ADDR *peer)
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
	if (c == NULL || (c->fd = udp_client_socket(local, (struct sockaddr *)&ss)) < 0) {
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
	struct example_options o;
	struct dtlscookie *dc;
	char err[512];
	SSL_CTX *ctx;
	int status, fd;

	if ((status = example_options_parse(argc, argv, 1u << DTLSCOOKIE_VERIFY | 1u << DTLSCOOKIE_TRUST, EXAMPLE_KEEPALIVE, &o)) != 0)
		return status;
	keepalive_ms = o.keepalive_ms;
	dc = dtlscookie_new(&o.cookie, err, sizeof(err));                          /* libdtlscookie */
	if (dc == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (example_secrets_follow(dc, &o) != 0) /* SIGHUP: the secret files again (a rotation) */
		return 1;
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(DTLS_server_method());
	fd = udp_listen(&o.listen, o.listen_len);
	if (ctx == NULL || self_signed(ctx) != 0 || fd < 0 || dtlscookie_openssl_attach(dc, ctx) != 0) { /* libdtlscookie */
		ERR_print_errors_fp(stderr);
		perror(o.listen_text);
		return 1;
	}
	printf("dtls-echo-openssl: listening on %s, %s mode\n", o.listen_text, o.cookie.mode == DTLSCOOKIE_TRUST ? "trust" : "verify");
	fflush(stdout);
	for (;;) {
		SSL *ssl = SSL_new(ctx);
		BIO *bio = dtlscookie_openssl_bio(dc, fd, (struct sockaddr *)&o.listen); /* libdtlscookie */
		BIO_ADDR *peer = BIO_ADDR_new();
		int rc;

		SSL_set_bio(ssl, bio, bio);
		SSL_set_options(ssl, SSL_OP_COOKIE_EXCHANGE);
		/* The socket wakes every 200 ms: DTLSv1_listen returns 0 then, and keys follow the clock. */
		while ((rc = DTLSv1_listen(ssl, peer)) == 0)
			;
		if (rc > 0) {
			struct sockaddr_storage to;

			if (dtlscookie_openssl_destination(bio, &to) != 0)                /* libdtlscookie */
				to = o.listen;
			start_client(ssl, &to, peer);
		} else {
			ERR_clear_error();
			SSL_free(ssl);
		}
		BIO_ADDR_free(peer);
	}
}
