/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dtlscookie-openssl.h"
#include "internal.h"

enum { DATAGRAM_MAX = 65536 };

/* What the filter BIO keeps: the datagram OpenSSL is looking at, who sent it and where to. */
struct remembered {
	struct dtlscookie *dc;
	int fd;
	struct sockaddr_storage server;
	struct sockaddr_storage peer;
	int len;
	uint8_t datagram[DATAGRAM_MAX];
};

static BIO_METHOD *method;
static int method_type;
static pthread_once_t method_once = PTHREAD_ONCE_INIT;

static int
filter_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
filter_destroy(BIO *b)
{
	free(BIO_get_data(b));
	BIO_set_data(b, NULL);
	return 1;
}

/* The datagram BIO below answers DTLSv1_listen()'s question of who sent it. */
static void
set_peer(BIO *dgram, const struct sockaddr_storage *peer)
{
	BIO_ADDR *addr = BIO_ADDR_new();

	if (addr == NULL)
		return;
	if (peer->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)peer;

		BIO_ADDR_rawmake(addr, AF_INET, &sin->sin_addr, sizeof(sin->sin_addr), sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)peer;

		BIO_ADDR_rawmake(addr, AF_INET6, &sin6->sin6_addr, sizeof(sin6->sin6_addr), sin6->sin6_port);
	}
	BIO_dgram_set_peer(dgram, addr);
	BIO_ADDR_free(addr);
}

/* Read from the socket itself: the kernel's packet info says where the datagram was sent. */
static int
filter_read(BIO *b, char *buf, int len)
{
	struct remembered *r = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (r == NULL || buf == NULL || len <= 0)
		return -1;
	n = dtlscookie_recv(r->fd, buf, (size_t)len, 0, &r->peer, &r->server);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_read(b);
		return -1;
	}
	set_peer(BIO_next(b), &r->peer);
	if (n <= DATAGRAM_MAX) {
		memcpy(r->datagram, buf, (size_t)n);
		r->len = (int)n;
	}
	return (int)n;
}

static int
filter_write(BIO *b, const char *buf, int len)
{
	int n = BIO_write(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	return n;
}

static long
filter_ctrl(BIO *b, int cmd, long larg, void *parg)
{
	return BIO_ctrl(BIO_next(b), cmd, larg, parg);
}

static void
make_method(void)
{
	method_type = BIO_get_new_index() | BIO_TYPE_FILTER;
	method = BIO_meth_new(method_type, "dtlscookie: remember the datagram");
	if (method == NULL)
		return;
	BIO_meth_set_create(method, filter_create);
	BIO_meth_set_destroy(method, filter_destroy);
	BIO_meth_set_read(method, filter_read);
	BIO_meth_set_write(method, filter_write);
	BIO_meth_set_ctrl(method, filter_ctrl);
}

/* What the SSL object's listening BIO remembers, or NULL when it is not ours. */
static struct remembered *
remembered_of(SSL *ssl)
{
	BIO *b = SSL_get_rbio(ssl);

	if (b == NULL || method == NULL || BIO_method_type(b) != method_type)
		return NULL;
	return BIO_get_data(b);
}

static int
verify_cb(SSL *ssl, const unsigned char *cookie, unsigned int cookie_len)
{
	struct remembered *r = remembered_of(ssl);

	(void)cookie;
	(void)cookie_len;
	/* Judge the datagram OpenSSL took the cookie from: it also holds the client random. */
	return r != NULL && dtlscookie_verify(r->dc, (struct sockaddr *)&r->peer, (struct sockaddr *)&r->server,
					      r->datagram, (size_t)r->len) == 1;
}

static int
generate_cb(SSL *ssl, unsigned char *cookie, unsigned int *cookie_len)
{
	struct remembered *r = remembered_of(ssl);

	return r != NULL && dtlscookie_make(r->dc, (struct sockaddr *)&r->peer, (struct sockaddr *)&r->server,
					    r->datagram, (size_t)r->len, cookie, cookie_len) == 0;
}

int
dtlscookie_openssl_attach(struct dtlscookie *dc, SSL_CTX *ctx)
{
	if (dc == NULL || ctx == NULL || dc->mode == DTLSCOOKIE_GNUTLS)
		return -1;
	pthread_once(&method_once, make_method);
	if (method == NULL)
		return -1;
	SSL_CTX_set_cookie_generate_cb(ctx, generate_cb);
	SSL_CTX_set_cookie_verify_cb(ctx, verify_cb);
	return 0;
}

BIO *
dtlscookie_openssl_bio(struct dtlscookie *dc, int fd, const struct sockaddr *server)
{
	struct remembered *r;
	BIO *filter, *sock;
	const size_t alen = server != NULL && server->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
									     : sizeof(struct sockaddr_in);

	if (dc == NULL || server == NULL || (server->sa_family != AF_INET && server->sa_family != AF_INET6) ||
	    dtlscookie_socket_setup(fd) != 0)
		return NULL;
	pthread_once(&method_once, make_method);
	r = calloc(1, sizeof(*r));
	filter = method ? BIO_new(method) : NULL;
	sock = BIO_new_dgram(fd, BIO_NOCLOSE);
	if (r == NULL || filter == NULL || sock == NULL) {
		free(r);
		BIO_free(filter);
		BIO_free(sock);
		return NULL;
	}
	r->dc = dc;
	r->fd = fd;
	memcpy(&r->server, server, alen);
	BIO_set_data(filter, r);
	return BIO_push(filter, sock);
}

int
dtlscookie_openssl_destination(BIO *bio, struct sockaddr_storage *server)
{
	const struct remembered *r;

	if (bio == NULL || method == NULL || BIO_method_type(bio) != method_type || (r = BIO_get_data(bio)) == NULL ||
	    r->len == 0)
		return -1;
	memcpy(server, &r->server, sizeof(*server));
	return 0;
}
