/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dtlscookie-openssl.h"
#include "internal.h"

enum { DATAGRAM_MAX = 65536 };

/* What the filter BIO keeps: the server's address and the datagram OpenSSL is looking at. */
struct remembered {
	struct dtlscookie *dc;
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

static int
filter_read(BIO *b, char *buf, int len)
{
	struct remembered *r = BIO_get_data(b);
	int n = BIO_read(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	if (r != NULL && n > 0 && n <= DATAGRAM_MAX) {
		memcpy(r->datagram, buf, (size_t)n);
		r->len = n;
	}
	return n;
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

/* The datagram and the peer of the SSL object's listening BIO, or NULL when it is not ours. */
static struct remembered *
remembered_of(SSL *ssl)
{
	BIO *b = SSL_get_rbio(ssl);
	struct remembered *r;
	BIO_ADDR *addr;
	size_t len;

	if (b == NULL || method == NULL || BIO_method_type(b) != method_type)
		return NULL;
	r = BIO_get_data(b);
	addr = BIO_ADDR_new();
	if (r == NULL || addr == NULL || BIO_dgram_get_peer(b, addr) <= 0) {
		BIO_ADDR_free(addr);
		return NULL;
	}
	memset(&r->peer, 0, sizeof(r->peer));
	r->peer.ss_family = (sa_family_t)BIO_ADDR_family(addr);
	if (r->peer.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&r->peer;

		BIO_ADDR_rawaddress(addr, &sin->sin_addr, &len);
		sin->sin_port = BIO_ADDR_rawport(addr);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&r->peer;

		BIO_ADDR_rawaddress(addr, &sin6->sin6_addr, &len);
		sin6->sin6_port = BIO_ADDR_rawport(addr);
	}
	BIO_ADDR_free(addr);
	return r;
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

	if (dc == NULL || server == NULL || (server->sa_family != AF_INET && server->sa_family != AF_INET6))
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
	memcpy(&r->server, server, alen);
	BIO_set_data(filter, r);
	return BIO_push(filter, sock);
}
