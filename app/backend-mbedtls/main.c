/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-echo-mbedtls: an Mbed TLS DTLS 1.2 echo server behind dtls-scrubber, using libdtlscookie so that
 * Mbed TLS accepts the scrubber's cookies (the lines marked "libdtlscookie").
 *
 *   dtls-echo-mbedtls --listen ADDR:PORT [--mode verify|trust] [--secret FILE]
 *                     [--cookie-format F] [--cookie-len N] [--key-period S] [--clock-skew-ms MS]
 *
 * ADDR is the service's address, or 0.0.0.0 / [::] (dual-stack). The listening socket's datagrams are
 * judged there: a ClientHello with a good cookie gets a socket and a thread of its own that echo until
 * the client leaves or is silent 30 s; any other ClientHello is answered with Mbed TLS's own
 * HelloVerifyRequest (in the scrubber's format) from the listening socket. A self-signed P-256
 * certificate is made at start.
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/timing.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "dtlscookie-mbedtls.h"
#include "options.h"
#include "secrets.h"
#include "udp.h"

static mbedtls_ssl_config conf;
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_x509_crt cert;
static mbedtls_pk_context key;

struct client {
	struct example_peer io; /* first: the listening loop fills it */
	mbedtls_ssl_context ssl;
	mbedtls_timing_delay_context timer;
};

static int
client_send(void *ctx, const unsigned char *buf, size_t len)
{
	const ssize_t n = example_peer_send(ctx, buf, len);

	return n < 0 ? MBEDTLS_ERR_NET_SEND_FAILED : (int)n;
}

static int
client_recv(void *ctx, unsigned char *buf, size_t len, uint32_t timeout_ms)
{
	const ssize_t n = example_peer_recv(ctx, buf, len, timeout_ms);

	if (n == 0)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	return n < 0 ? MBEDTLS_ERR_NET_RECV_FAILED : (int)n;
}

static void *
session_new(struct dtlscookie *dc, const struct sockaddr_storage *peer, const struct sockaddr_storage *to,
	    const uint8_t *hello, size_t len)
{
	struct client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	mbedtls_ssl_init(&c->ssl);
	if (mbedtls_ssl_setup(&c->ssl, &conf) != 0 ||
	    dtlscookie_mbedtls_set_client(dc, &c->ssl, (const struct sockaddr *)peer,          /* libdtlscookie */
					  (const struct sockaddr *)to, hello, len) != 0) {
		mbedtls_ssl_free(&c->ssl);
		free(c);
		return NULL;
	}
	mbedtls_ssl_set_bio(&c->ssl, &c->io, client_send, NULL, client_recv);
	mbedtls_ssl_set_timer_cb(&c->ssl, &c->timer, mbedtls_timing_set_delay, mbedtls_timing_get_delay);
	return c;
}

static void
session_free(void *session)
{
	struct client *c = session;

	mbedtls_ssl_free(&c->ssl);
	free(c);
}

static int
handshake_rc(struct client *c)
{
	int rc;

	do
		rc = mbedtls_ssl_handshake(&c->ssl);
	while (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE);
	return rc;
}

static void
handshake(void *session)
{
	handshake_rc(session);
}

static void *
serve(void *session)
{
	struct client *c = session;
	unsigned char buf[EXAMPLE_DATAGRAM_MAX];
	int n, total = 0;

	if (handshake_rc(c) == 0) {
		printf("handshake with %s completed (%s)\n", c->io.name, mbedtls_ssl_get_ciphersuite(&c->ssl));
		fflush(stdout);
		while ((n = mbedtls_ssl_read(&c->ssl, buf, sizeof(buf))) > 0 && mbedtls_ssl_write(&c->ssl, buf, (size_t)n) == n)
			total += n;
		printf("client %s gone after %d bytes echoed\n", c->io.name, total);
		mbedtls_ssl_close_notify(&c->ssl);
	} else {
		printf("handshake with %s failed\n", c->io.name);
	}
	fflush(stdout);
	return NULL;
}

static const struct example_stack mbedtls_stack = {
	.session_new = session_new,
	.handshake = handshake,
	.serve = serve,
	.session_free = session_free,
};

/* A throwaway identity: the demo and the tests check the cookie exchange, not the PKI. */
static int
self_signed(void)
{
	static unsigned char der[1024];
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	int n = -1;

	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&serial);
	if (mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0 &&
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg) == 0 &&
	    mbedtls_mpi_lset(&serial, 1) == 0 && mbedtls_x509write_crt_set_serial(&w, &serial) == 0 &&
	    mbedtls_x509write_crt_set_subject_name(&w, "CN=dtls-echo") == 0 &&
	    mbedtls_x509write_crt_set_issuer_name(&w, "CN=dtls-echo") == 0 &&
	    mbedtls_x509write_crt_set_validity(&w, "20250101000000", "20450101000000") == 0) {
		mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
		mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
		mbedtls_x509write_crt_set_subject_key(&w, &key);
		mbedtls_x509write_crt_set_issuer_key(&w, &key);
		/* The DER is written at the end of the buffer. */
		n = mbedtls_x509write_crt_der(&w, der, sizeof(der), mbedtls_ctr_drbg_random, &drbg);
	}
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&w);
	if (n <= 0 || mbedtls_x509_crt_parse_der(&cert, der + sizeof(der) - n, (size_t)n) != 0)
		return -1;
	return mbedtls_ssl_conf_own_cert(&conf, &cert, &key);
}

static int
setup_tls(struct dtlscookie *dc)
{
	static const char personal[] = "dtls-echo-mbedtls";

	mbedtls_ssl_config_init(&conf);
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_x509_crt_init(&cert);
	mbedtls_pk_init(&key);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)personal,
				  sizeof(personal) - 1) != 0 ||
	    mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0)
		return -1;
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_read_timeout(&conf, EXAMPLE_IDLE_MS);
	if (self_signed() != 0)
		return -1;
	return dtlscookie_mbedtls_setup(dc, &conf);                                    /* libdtlscookie */
}

int
main(int argc, char **argv)
{
	struct example_options o;
	struct dtlscookie *dc;
	char err[512];
	int rc, fd;

	if ((rc = example_options_parse(argc, argv, 1u << DTLSCOOKIE_VERIFY | 1u << DTLSCOOKIE_TRUST, 0, &o)) != 0)
		return rc;
	dc = dtlscookie_new(&o.cookie, err, sizeof(err));                              /* libdtlscookie */
	if (dc == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (example_secrets_follow(dc, &o) != 0) /* SIGHUP: the secret files again (a rotation) */
		return 1;
	fd = udp_listen(&o.listen, o.listen_len);
	if (setup_tls(dc) != 0 || fd < 0 || dtlscookie_socket_setup(fd) != 0) {        /* libdtlscookie */
		fprintf(stderr, "%s: cannot set up Mbed TLS or the socket\n", o.listen_text);
		return 1;
	}
	printf("dtls-echo-mbedtls: listening on %s, %s mode\n", o.listen_text, o.cookie.mode == DTLSCOOKIE_TRUST ? "trust" : "verify");
	fflush(stdout);
	for (;;)
		example_take_datagram(dc, fd, &mbedtls_stack);
}
