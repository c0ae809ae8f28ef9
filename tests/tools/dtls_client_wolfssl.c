/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DTLS 1.2 client on wolfSSL, as the tests use `openssl s_client` and `gnutls-cli`: Debian ships
 * wolfSSL without its example programs. It connects (answering HelloVerifyRequests as wolfSSL does),
 * then sends each line of standard input as one record and prints what comes back, until standard
 * input ends. The server's certificate is not checked: the tests check the cookie exchange.
 *
 *   dtls_client_wolfssl HOST PORT
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { LINE_MAX_BYTES = 4096 };

/* A UDP socket connected to HOST PORT; -1 on error. */
static int
connect_to(const char *host, const char *port)
{
	const struct addrinfo hints = { .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	int fd;

	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Everything the server sent, to standard output; false once the session is over. */
static bool
print_records(WOLFSSL *ssl)
{
	char buf[LINE_MAX_BYTES];
	int n;

	do {
		n = wolfSSL_read(ssl, buf, sizeof(buf));
		if (n > 0)
			fwrite(buf, 1, (size_t)n, stdout);
	} while (n > 0 && wolfSSL_pending(ssl) > 0);
	fflush(stdout);
	return n > 0 || wolfSSL_get_error(ssl, n) == WOLFSSL_ERROR_WANT_READ;
}

int
main(int argc, char **argv)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .events = POLLIN } };
	char line[LINE_MAX_BYTES];
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
		return 2;
	}
	if ((fd = connect_to(argv[1], argv[2])) < 0 || wolfSSL_Init() != WOLFSSL_SUCCESS ||
	    (ctx = wolfSSL_CTX_new(wolfDTLSv1_2_client_method())) == NULL) {
		fprintf(stderr, "cannot set up wolfSSL or reach %s port %s\n", argv[1], argv[2]);
		return 1;
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
	ssl = wolfSSL_new(ctx);
	if (ssl == NULL || wolfSSL_set_dtls_fd_connected(ssl, fd) != WOLFSSL_SUCCESS ||
	    wolfSSL_connect(ssl) != WOLFSSL_SUCCESS) {
		fprintf(stderr, "handshake failed: error %d\n", ssl ? wolfSSL_get_error(ssl, 0) : 0);
		return 1;
	}
	fprintf(stderr, "handshake done: %s\n", wolfSSL_get_cipher(ssl));
	/* Reads follow poll(): never a wait on an empty socket. */
	wolfSSL_dtls_set_using_nonblock(ssl, 1);
	p[1].fd = fd;
	for (;;) {
		if (poll(p, 2, -1) < 0)
			break;
		if ((p[1].revents & POLLIN) && !print_records(ssl))
			break;
		if (p[0].revents & (POLLIN | POLLHUP)) {
			if (fgets(line, sizeof(line), stdin) == NULL || wolfSSL_write(ssl, line, (int)strlen(line)) < 0)
				break;
		}
	}
	wolfSSL_shutdown(ssl);
	wolfSSL_free(ssl);
	wolfSSL_CTX_free(ctx);
	wolfSSL_Cleanup();
	close(fd);
	return 0;
}
