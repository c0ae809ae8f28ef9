/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-echo-wolfssl: a wolfSSL DTLS 1.2 echo server behind dtls-scrubber configured with
 * `format: wolfssl`. wolfSSL checks cookies itself; libdtlscookie hands it the peer and the epoch key the
 * scrubbers used (the lines marked "libdtlscookie"), so the ClientHello the scrubber forwards passes.
 *
 *   dtls-echo-wolfssl --listen ADDR:PORT --secret FILE --cert PEM --key PEM [--key-period S]
 *                     [--clock-skew-ms MS]
 *
 * ADDR is the service's address, or 0.0.0.0 / [::] (dual-stack). Debian's wolfSSL cannot make a
 * certificate, hence --cert and --key. Each datagram of the listening socket is judged there: a
 * ClientHello with a good cookie gets a socket and a thread of its own that echo until the client
 * leaves or is silent 30 s; wolfSSL answers any other ClientHello with its HelloVerifyRequest (in the
 * scrubbers' format) from the listening socket.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "dtlscookie-wolfssl.h"
#include "options.h"
#include "udp.h"

static WOLFSSL_CTX *ctx;

struct client {
	struct example_peer io; /* first: the listening loop fills it */
	WOLFSSL *ssl;
};

static int
client_send(WOLFSSL *ssl, char *buf, int len, void *arg)
{
	const ssize_t n = example_peer_send(arg, buf, (size_t)len);

	(void)ssl;
	return n < 0 ? WOLFSSL_CBIO_ERR_GENERAL : (int)n;
}

/* Waiting as long as wolfSSL's retransmission timer says while it handshakes. */
static int
client_recv(WOLFSSL *ssl, char *buf, int len, void *arg)
{
	const int timer_s = wolfSSL_is_init_finished(ssl) ? 0 : wolfSSL_dtls_get_current_timeout(ssl);
	const ssize_t n = example_peer_recv(arg, buf, (size_t)len, timer_s > 0 ? (unsigned)timer_s * 1000 : 0);

	if (n == 0)
		return ((struct example_peer *)arg)->listening ? WOLFSSL_CBIO_ERR_WANT_READ : WOLFSSL_CBIO_ERR_TIMEOUT;
	return n < 0 ? WOLFSSL_CBIO_ERR_GENERAL : (int)n;
}

static void *
session_new(struct dtlscookie *dc, const struct sockaddr_storage *peer, const struct sockaddr_storage *to,
	    const uint8_t *hello, size_t len)
{
	struct client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if ((c->ssl = wolfSSL_new(ctx)) == NULL ||
	    dtlscookie_wolfssl_set_client(dc, c->ssl, (const struct sockaddr *)peer,            /* libdtlscookie */
					  (const struct sockaddr *)to, hello, len) < 0) {
		wolfSSL_free(c->ssl);
		free(c);
		return NULL;
	}
	wolfSSL_SSLSetIORecv(c->ssl, client_recv);
	wolfSSL_SSLSetIOSend(c->ssl, client_send);
	wolfSSL_SetIOReadCtx(c->ssl, &c->io);
	wolfSSL_SetIOWriteCtx(c->ssl, &c->io);
	return c;
}

static void
session_free(void *session)
{
	struct client *c = session;

	wolfSSL_free(c->ssl);
	free(c);
}

static void
handshake(void *session)
{
	wolfSSL_accept(((struct client *)session)->ssl);
}

static void *
serve(void *session)
{
	struct client *c = session;
	char buf[EXAMPLE_DATAGRAM_MAX];
	int n, total = 0;

	if (wolfSSL_accept(c->ssl) == WOLFSSL_SUCCESS) {
		printf("handshake with %s completed (%s)\n", c->io.name, wolfSSL_get_cipher(c->ssl));
		fflush(stdout);
		while ((n = wolfSSL_read(c->ssl, buf, sizeof(buf))) > 0 && wolfSSL_write(c->ssl, buf, n) == n)
			total += n;
		printf("client %s gone after %d bytes echoed\n", c->io.name, total);
		wolfSSL_shutdown(c->ssl);
	} else {
		printf("handshake with %s failed: error %d\n", c->io.name, wolfSSL_get_error(c->ssl, 0));
	}
	fflush(stdout);
	return NULL;
}

static const struct example_stack wolfssl_stack = {
	.session_new = session_new,
	.handshake = handshake,
	.serve = serve,
	.session_free = session_free,
};

int
main(int argc, char **argv)
{
	struct example_options o;
	struct dtlscookie *dc;
	char err[512];
	int status, fd;

	if ((status = example_options_parse(argc, argv, 1u << DTLSCOOKIE_VERIFY, EXAMPLE_CERT_FILES, &o)) != 0)
		return status;
	o.cookie.format = "wolfssl";
	dc = dtlscookie_new(&o.cookie, err, sizeof(err));                              /* libdtlscookie */
	if (dc == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	fd = udp_listen(&o.listen, o.listen_len);
	if (wolfSSL_Init() != WOLFSSL_SUCCESS || (ctx = wolfSSL_CTX_new(wolfDTLSv1_2_server_method())) == NULL ||
	    wolfSSL_CTX_use_certificate_file(ctx, o.cert_file, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_PrivateKey_file(ctx, o.key_file, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS || fd < 0 ||
	    dtlscookie_socket_setup(fd) != 0) {                                             /* libdtlscookie */
		fprintf(stderr, "%s: cannot set up wolfSSL (%s, %s) or the socket\n", o.listen_text, o.cert_file,
			o.key_file);
		return 1;
	}
	printf("dtls-echo-wolfssl: listening on %s, verify mode, wolfssl format\n", o.listen_text);
	fflush(stdout);
	for (;;)
		example_take_datagram(dc, fd, &wolfssl_stack);
}
