/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-echo-openssl: a DTLS 1.2 echo server behind dtls-scrubber. OpenSSL's DTLSv1_listen runs the
 * cookie exchange with callbacks that make and verify the scrubber's own cookies through lib/cookie
 * (same master secret), so the ClientHello the scrubber forwards, carrying the scrubber's cookie, is
 * accepted as it is, and the ServerHello gets the message_seq the client expects (DESIGN §2).
 *
 *   dtls-echo-openssl --listen ADDR:PORT --secret FILE [--cookie-format F] [--cookie-len N]
 *                     [--key-period S]
 *
 * The address must be the service's own (not a wildcard): cookies bind it. A self-signed P-256
 * certificate is made at start. One thread per client; each echoes what it reads until the client
 * closes or stays silent for 30 s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_secret.h"

enum { DATAGRAM_MAX = 4096, IDLE_SECONDS = 30 };

/* The cookie side of the server: keys, one engine, the datagram DTLSv1_listen is looking at. */
static struct {
	struct ds_keyring *keyring;
	struct ds_cookie_engine *engine;
	unsigned reader;
	struct sockaddr_storage local;
	struct sockaddr_storage peer;   /* of the datagram below; requests point into it */
	uint8_t datagram[DATAGRAM_MAX];
	int datagram_len;
} cookies;

/*
 * A filter BIO in front of the listening socket that remembers the last datagram read: OpenSSL's
 * cookie callbacks get only the cookie, and the scrubber's cookie also binds the client random.
 */
static int
remember_read(BIO *b, char *buf, int len)
{
	int n = BIO_read(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	if (n > 0 && n <= DATAGRAM_MAX) {
		memcpy(cookies.datagram, buf, (size_t)n);
		cookies.datagram_len = n;
	}
	return n;
}

static int
remember_write(BIO *b, const char *buf, int len)
{
	int n = BIO_write(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	return n;
}

static long
remember_ctrl(BIO *b, int cmd, long larg, void *parg)
{
	return BIO_ctrl(BIO_next(b), cmd, larg, parg);
}

static int
remember_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *
remember_method(void)
{
	static BIO_METHOD *m;

	if (m == NULL) {
		m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_FILTER, "remember last datagram");
		BIO_meth_set_create(m, remember_create);
		BIO_meth_set_read(m, remember_read);
		BIO_meth_set_write(m, remember_write);
		BIO_meth_set_ctrl(m, remember_ctrl);
	}
	return m;
}

/* The request the scrubber's cookie is about: the remembered ClientHello, the peer, our address. */
static int
current_request(SSL *ssl, struct ds_cookie_request *req, const unsigned char *cookie, unsigned cookie_len)
{
	struct sockaddr_storage *peer = &cookies.peer;
	struct ds_frame_info info;
	BIO_ADDR *addr = BIO_ADDR_new();
	size_t alen;
	int rc = -1;

	memset(peer, 0, sizeof(*peer));
	if (addr != NULL && BIO_dgram_get_peer(SSL_get_rbio(ssl), addr) > 0) {
		peer->ss_family = (sa_family_t)BIO_ADDR_family(addr);
		if (peer->ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)peer;

			BIO_ADDR_rawaddress(addr, &sin->sin_addr, &alen);
			sin->sin_port = BIO_ADDR_rawport(addr);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)peer;

			BIO_ADDR_rawaddress(addr, &sin6->sin6_addr, &alen);
			sin6->sin6_port = BIO_ADDR_rawport(addr);
		}
		/* The request points into cookies.peer and cookies.datagram, which outlive this call. */
		if (ds_classify_dtls(cookies.datagram, (size_t)cookies.datagram_len, &info) >= 0 &&
		    ds_cookie_request_from_datagram(req, cookies.datagram, &info, (struct sockaddr *)peer,
						    (struct sockaddr *)&cookies.local) == 0) {
			req->cookie = cookie;
			req->cookie_len = (uint8_t)cookie_len;
			rc = 0;
		}
	}
	BIO_ADDR_free(addr);
	return rc;
}

static int
generate_cookie(SSL *ssl, unsigned char *cookie, unsigned int *cookie_len)
{
	const struct ds_cookie_keyset *ks = ds_keyring_acquire(cookies.keyring, cookies.reader);
	uint8_t out[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdict;
	struct ds_cookie_request req;

	if (current_request(ssl, &req, NULL, 0) != 0)
		return 0;
	/* A ClientHello that reached us without a cookie (scrubber failing open) gets the scrubber's. */
	ds_cookie_engine_run(cookies.engine, ks, &req, 1, out, &verdict);
	*cookie_len = ds_cookie_keyset_params(ks)->cookie_len;
	memcpy(cookie, out[0], *cookie_len);
	return 1;
}

static int
verify_cookie(SSL *ssl, const unsigned char *cookie, unsigned int cookie_len)
{
	const struct ds_cookie_keyset *ks = ds_keyring_acquire(cookies.keyring, cookies.reader);
	uint8_t out[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdict;
	struct ds_cookie_request req;

	if (cookie_len > DS_COOKIE_MAX_LEN || current_request(ssl, &req, cookie, cookie_len) != 0)
		return 0;
	ds_cookie_engine_run(cookies.engine, ks, &req, 1, out, &verdict);
	return verdict == DS_COOKIE_VALID;
}

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

struct client {
	SSL *ssl;
	char name[INET6_ADDRSTRLEN + 8];
};

static void *
serve_client(void *arg)
{
	struct client *c = arg;
	char buf[DATAGRAM_MAX];
	int n, total = 0;

	if (SSL_accept(c->ssl) != 1) {
		printf("handshake with %s failed\n", c->name);
		ERR_print_errors_fp(stdout);
		goto out;
	}
	printf("handshake with %s completed (%s)\n", c->name, SSL_get_cipher(c->ssl));
	fflush(stdout);
	while ((n = SSL_read(c->ssl, buf, sizeof(buf))) > 0) {
		if (SSL_write(c->ssl, buf, n) != n)
			break;
		total += n;
	}
	printf("client %s gone after %d bytes echoed\n", c->name, total);
	SSL_shutdown(c->ssl);
out:
	fflush(stdout);
	close(BIO_get_fd(SSL_get_rbio(c->ssl), NULL));
	SSL_free(c->ssl);
	free(c);
	return NULL;
}

/* After DTLSv1_listen: a socket of the client's own (same local address, connected), a thread. */
static void
accept_client(SSL *ssl, const struct sockaddr_storage *local, socklen_t local_len, BIO_ADDR *peer)
{
	struct sockaddr_storage ss;
	struct timeval idle = { .tv_sec = IDLE_SECONDS };
	struct client *c = calloc(1, sizeof(*c));
	const int one = 1;
	int fd = socket(local->ss_family, SOCK_DGRAM, 0);
	char *host = BIO_ADDR_hostname_string(peer, 1), *port = BIO_ADDR_service_string(peer, 1);
	pthread_t thread;
	BIO *bio;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = local->ss_family;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		size_t l;

		BIO_ADDR_rawaddress(peer, &sin->sin_addr, &l);
		sin->sin_port = BIO_ADDR_rawport(peer);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		size_t l;

		BIO_ADDR_rawaddress(peer, &sin6->sin6_addr, &l);
		sin6->sin6_port = BIO_ADDR_rawport(peer);
	}
	if (c == NULL || fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    bind(fd, (const struct sockaddr *)local, local_len) != 0 ||
	    connect(fd, (struct sockaddr *)&ss, local_len) != 0) {
		perror("client socket");
		if (fd >= 0)
			close(fd);
		free(c);
		SSL_free(ssl);
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	bio = BIO_new_dgram(fd, BIO_NOCLOSE);
	BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, peer);
	SSL_set_bio(ssl, bio, bio);
	c->ssl = ssl;
	snprintf(c->name, sizeof(c->name), "%s port %s", host ? host : "?", port ? port : "?");
	if (pthread_create(&thread, NULL, serve_client, c) == 0)
		pthread_detach(thread);
out:
	OPENSSL_free(host);
	OPENSSL_free(port);
}

static int
setup_cookies(const char *secret_path, const struct ds_cookie_params *params)
{
	struct ds_secret secret;
	char err[512];
	int reader;

	if (ds_secret_load(secret_path, &secret, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	cookies.keyring = ds_keyring_create(params, &secret, ds_keyring_clock_ms(), err, sizeof(err));
	ds_secret_wipe(&secret, sizeof(secret));
	if (cookies.keyring == NULL || (cookies.engine = ds_cookie_engine_create(err, sizeof(err))) == NULL) {
		fprintf(stderr, "cookies: %s\n", err);
		return -1;
	}
	reader = ds_keyring_reader_register(cookies.keyring);
	cookies.reader = (unsigned)reader;
	return reader < 0 ? -1 : 0;
}

static int
parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	struct ds_service svc;

	memset(ss, 0, sizeof(*ss));
	/* Cookies bind the server's address: a wildcard would not say which one the client used. */
	if (ds_service_parse(text, &svc) != 0 || svc.any_address)
		return -1;
	if (svc.ip_version == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(svc.port);
		memcpy(&sin->sin_addr, svc.addr, 4);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(svc.port);
		memcpy(&sin6->sin6_addr, svc.addr, 16);
		*len = sizeof(*sin6);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },   { "secret", required_argument, NULL, 's' },
		{ "cookie-format", required_argument, NULL, 'f' }, { "cookie-len", required_argument, NULL, 'n' },
		{ "key-period", required_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
	};
	struct ds_cookie_params params;
	const char *listen_at = NULL, *secret = NULL;
	socklen_t local_len = 0;
	SSL_CTX *ctx;
	int opt, fd, mode;
	const int one = 1;
	const struct timeval tick = { .tv_usec = 200 * 1000 };

	ds_cookie_params_default(&params);
	while ((opt = getopt_long(argc, argv, "l:s:f:n:p:", options, NULL)) != -1) {
		switch (opt) {
		case 'l': listen_at = optarg; break;
		case 's': secret = optarg; break;
		case 'f':
			mode = ds_cookie_mode_parse(optarg);
			params.mode = mode < 0 ? DS_COOKIE_MODE_COUNT : (enum ds_cookie_mode)mode;
			break;
		case 'n': params.cookie_len = (unsigned)atoi(optarg); break;
		case 'p': params.period_s = (unsigned)atoi(optarg); break;
		default: return 2;
		}
	}
	if (listen_at == NULL || secret == NULL || parse_listen(listen_at, &cookies.local, &local_len) != 0) {
		fprintf(stderr, "usage: %s --listen ADDR:PORT --secret FILE [--cookie-format F] [--cookie-len N] "
			"[--key-period S]\n  ADDR is the service's own address (no wildcard)\n", argv[0]);
		return 2;
	}
	if (setup_cookies(secret, &params) != 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(DTLS_server_method());
	if (ctx == NULL || self_signed(ctx) != 0) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	SSL_CTX_set_cookie_generate_cb(ctx, generate_cookie);
	SSL_CTX_set_cookie_verify_cb(ctx, verify_cookie);
	fd = socket(cookies.local.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&cookies.local, local_len) != 0) {
		perror(listen_at);
		return 1;
	}
	printf("dtls-echo-openssl: listening on %s, %s cookies of %u bytes\n", listen_at,
	       ds_cookie_mode_name(params.mode), params.cookie_len);
	fflush(stdout);
	/* Wake up now and then even without traffic: keys must follow the clock. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
	for (;;) {
		BIO *sock = BIO_new_dgram(fd, BIO_NOCLOSE), *filter = BIO_new(remember_method());
		SSL *ssl = SSL_new(ctx);
		BIO_ADDR *peer = BIO_ADDR_new();
		int rc;

		BIO_push(filter, sock);
		SSL_set_bio(ssl, filter, filter);
		SSL_set_options(ssl, SSL_OP_COOKIE_EXCHANGE);
		do {
			ds_keyring_update(cookies.keyring, ds_keyring_clock_ms());
			rc = DTLSv1_listen(ssl, peer);
		} while (rc == 0);
		if (rc < 0) {
			/* A datagram OpenSSL could not use: start over with a fresh SSL. */
			ERR_clear_error();
			SSL_free(ssl);
		} else {
			/* The verified ClientHello stays buffered in ssl; the client gets a socket of its own. */
			SSL_clear_options(ssl, SSL_OP_COOKIE_EXCHANGE);
			accept_client(ssl, &cookies.local, local_len, peer);
		}
		BIO_ADDR_free(peer);
	}
}
