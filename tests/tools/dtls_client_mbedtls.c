/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DTLS 1.2 client on Mbed TLS, as the tests use `openssl s_client` and `gnutls-cli`: Debian ships
 * Mbed TLS without its example programs. It connects (answering HelloVerifyRequests as Mbed TLS does),
 * then sends each line of standard input as one record and prints what comes back, until standard
 * input ends; then it sends close_notify. The server's certificate is not checked: the tests check
 * the cookie exchange, not the PKI.
 *
 *   dtls_client_mbedtls HOST PORT
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/timing.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { LINE_MAX_BYTES = 4096, HANDSHAKE_MS = 10000 };

/* Everything the server sent, to standard output; false once the session is over. */
static bool
print_records(mbedtls_ssl_context *ssl)
{
	unsigned char buf[LINE_MAX_BYTES];
	int n;

	do {
		n = mbedtls_ssl_read(ssl, buf, sizeof(buf));
		if (n > 0)
			fwrite(buf, 1, (size_t)n, stdout);
	} while (n > 0 && mbedtls_ssl_get_bytes_avail(ssl) > 0);
	fflush(stdout);
	return n > 0 || n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_TIMEOUT;
}

/* Lines of standard input out, records in, until standard input ends or the session does. */
static void
talk(mbedtls_ssl_context *ssl, int fd)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
	char line[LINE_MAX_BYTES];

	for (;;) {
		if (poll(p, 2, -1) < 0)
			return;
		if ((p[1].revents & POLLIN) && !print_records(ssl))
			return;
		if (p[0].revents & (POLLIN | POLLHUP)) {
			if (fgets(line, sizeof(line), stdin) == NULL)
				return;
			if (mbedtls_ssl_write(ssl, (const unsigned char *)line, strlen(line)) < 0)
				return;
		}
	}
}

int
main(int argc, char **argv)
{
	static const char personal[] = "dtls_client_mbedtls";
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_timing_delay_context timer;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
		return 2;
	}
	mbedtls_net_init(&net);
	mbedtls_ssl_init(&ssl);
	mbedtls_ssl_config_init(&conf);
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)personal,
				  sizeof(personal) - 1) != 0 ||
	    mbedtls_net_connect(&net, argv[1], argv[2], MBEDTLS_NET_PROTO_UDP) != 0 ||
	    mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
		fprintf(stderr, "cannot set up Mbed TLS or reach %s port %s\n", argv[1], argv[2]);
		return 1;
	}
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_read_timeout(&conf, HANDSHAKE_MS);
	if (mbedtls_ssl_setup(&ssl, &conf) != 0)
		return 1;
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, mbedtls_net_recv_timeout);
	mbedtls_ssl_set_timer_cb(&ssl, &timer, mbedtls_timing_set_delay, mbedtls_timing_get_delay);
	do
		rc = mbedtls_ssl_handshake(&ssl);
	while (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (rc != 0) {
		char why[200];

		mbedtls_strerror(rc, why, sizeof(why));
		fprintf(stderr, "handshake failed: %s\n", why);
		return 1;
	}
	fprintf(stderr, "handshake done: %s\n", mbedtls_ssl_get_ciphersuite(&ssl));
	/* Reads in talk() follow poll(): a short timeout, never a wait on an empty socket. */
	mbedtls_ssl_conf_read_timeout(&conf, 1);
	talk(&ssl, net.fd);
	mbedtls_ssl_close_notify(&ssl);
	mbedtls_ssl_free(&ssl);
	mbedtls_ssl_config_free(&conf);
	mbedtls_net_free(&net);
	return 0;
}
