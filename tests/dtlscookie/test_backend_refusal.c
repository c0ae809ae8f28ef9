/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The example backends on their own, with no appliance in front (traffic that bypassed the scrubber):
 * a second ClientHello is sent straight to them with a cookie that is valid, forged, or valid for
 * another client address, or without a cookie. Verify-mode and GnuTLS-compatible backends must go on
 * with the handshake (ServerHello) only for the valid cookie and answer everything else with a
 * HelloVerifyRequest; a trust-mode backend takes any well-shaped cookie, which is why only the
 * scrubber may reach it. Runs in a network namespace of its own.
 *
 *   test_backend_refusal ECHO_OPENSSL ECHO_GNUTLS ECHO_MBEDTLS ECHO_WOLFSSL
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ds_build.h"
#include "ds_wire.h"
#include "dtlscookie.h"
#include "hellos.h"
#include "process.h"
#include "tap.h"

enum cookie_kind { VALID, FORGED, OTHER_ADDRESS, NONE, KIND_COUNT };

static const char *const kind_names[KIND_COUNT] = { "a valid cookie", "a forged cookie",
						     "a cookie made for another address", "no cookie" };

struct backend {
	const char *name;
	const char *listen;  /**< where it binds: an address, or 0.0.0.0 / [::] */
	const char *connect; /**< where the client sends */
	enum dtlscookie_mode mode;
	const char *format;  /**< the cookie format, NULL for the mode's default */
	int expect[KIND_COUNT]; /**< handshake type of the answer: 2 ServerHello, 3 HelloVerifyRequest */
};

static char secret_path[] = "/tmp/ds-refusal-XXXXXX";
/* wolfSSL cannot make a certificate: one from the openssl command, as an operator would. */
static char cert_dir[] = "/tmp/ds-refusal-cert-XXXXXX";
static char cert_path[64], key_path[64];

static void
parse(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon = strrchr(text, ':');

	memset(ss, 0, sizeof(*ss));
	snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, host + 1, &s6->sin6_addr);
		s6->sin6_port = htons((uint16_t)atoi(colon + 1));
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, host, &s4->sin_addr);
		s4->sin_port = htons((uint16_t)atoi(colon + 1));
		*len = sizeof(*s4);
	}
}

static void
make_certificate(void)
{
	char cmd[512];

	if (mkdtemp(cert_dir) == NULL)
		tap_bail("cannot make %s", cert_dir);
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", cert_dir);
	snprintf(key_path, sizeof(key_path), "%s/key.pem", cert_dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=refusal -days 1 "
		 "-keyout %s -out %s 2>/dev/null", key_path, cert_path);
	if (system(cmd) != 0)
		tap_bail("openssl could not make a certificate");
}

/* Wait (at most 10 s) until @p path holds @p text: the backend says it listens. */
static bool
log_says(const char *path, const char *text)
{
	char buf[4096];
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		FILE *f = fopen(path, "r");
		size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f != NULL)
			fclose(f);
		buf[n] = '\0';
		if (strstr(buf, text) != NULL)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/* The handshake type of the first answer on @p fd, or -1 after 3 s of silence. */
static int
answer_type(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t reply[4096];

	if (poll(&p, 1, 3000) == 1 && recv(fd, reply, sizeof(reply), 0) > DS_DTLS_RECORD_HDR_LEN &&
	    reply[0] == DS_DTLS_CT_HANDSHAKE)
		return reply[DS_DTLS_RECORD_HDR_LEN];
	return -1;
}

static void
check_backend(const struct backend *b, const struct hello *h, const char *binary)
{
	int open_fds[KIND_COUNT];
	char log[] = "/tmp/ds-refusal-log-XXXXXX", mode_arg[16];
	char *argv[14];
	struct child server;
	struct sockaddr_storage srv, client;
	socklen_t srv_len;
	struct dtlscookie *dc;
	const uint8_t *ch1 = h->fb.data + h->info.dtls_offset;
	struct ds_frame_info info;
	char err[256];
	int fd = mkstemp(log), k, argc = 0;

	close(fd);
	parse(b->connect, &srv, &srv_len);
	snprintf(mode_arg, sizeof(mode_arg), "%s", b->mode == DTLSCOOKIE_TRUST ? "trust" : "verify");
	argv[argc++] = (char *)binary;
	argv[argc++] = "--listen";
	argv[argc++] = (char *)b->listen;
	if (b->mode == DTLSCOOKIE_TRUST) {
		argv[argc++] = "--mode";
		argv[argc++] = mode_arg;
	} else {
		argv[argc++] = "--secret";
		argv[argc++] = secret_path;
	}
	if (b->format != NULL) {
		argv[argc++] = "--cert";
		argv[argc++] = cert_path;
		argv[argc++] = "--key";
		argv[argc++] = key_path;
	}
	argv[argc] = NULL;
	child_start(&server, argv, log);
	if (!log_says(log, "listening"))
		tap_bail("%s on %s did not start", b->name, b->listen);
	dc = dtlscookie_new(&(struct dtlscookie_options){ .mode = b->mode, .secret_file = secret_path,
							   .format = b->format },
			    err, sizeof(err));
	if (dc == NULL)
		tap_bail("%s", err);
	ds_classify_dtls(ch1, h->info.dtls_len, &info);
	for (k = 0; k < KIND_COUNT; k++) {
		uint8_t cookie[32], ch2[4096];
		unsigned len = 0;
		size_t n;
		int got;
		struct sockaddr_storage who;

		/* A fresh client socket: connect() picks its address and port, the cookie is made for them
		 * (or for another address). */
		int s = socket(srv.ss_family, SOCK_DGRAM, 0);
		socklen_t clen = sizeof(client);

		if (s < 0 || connect(s, (struct sockaddr *)&srv, srv_len) != 0 ||
		    getsockname(s, (struct sockaddr *)&client, &clen) != 0)
			tap_bail("client socket");
		who = client;
		if (k == OTHER_ADDRESS) {
			if (who.ss_family == AF_INET)
				((struct sockaddr_in *)&who)->sin_addr.s_addr ^= htonl(1);
			else
				((struct sockaddr_in6 *)&who)->sin6_addr.s6_addr[15] ^= 2;
		}
		dtlscookie_make(dc, (struct sockaddr *)&who, (struct sockaddr *)&srv, ch1, h->info.dtls_len, cookie, &len);
		if (k == FORGED)
			cookie[len - 1] ^= 0x40;
		n = k == NONE ? ds_hello_with_cookie(ch1, &info, NULL, 0, 0, ch2, sizeof(ch2))
			      : ds_hello_with_cookie(ch1, &info, cookie, len, 1, ch2, sizeof(ch2));
		got = send(s, ch2, n, 0) == (ssize_t)n ? answer_type(s) : -1;
		/* Kept open until the backend is stopped: a new socket on the same port would take the
		 * retransmissions of a handshake the backend began with an earlier one. */
		open_fds[k] = s;
		tap_check(got == b->expect[k], "%s, %s, %s: answered with %s (handshake type %d)", b->name,
			  h->label, kind_names[k], b->expect[k] == 2 ? "a ServerHello" : "a HelloVerifyRequest", got);
	}
	dtlscookie_free(dc);
	child_stop(&server);
	for (k = 0; k < KIND_COUNT; k++)
		close(open_fds[k]);
	unlink(log);
}

int
main(int argc, char **argv)
{
	static struct hello hellos[HELLOS_MAX * 2];
	const struct backend backends[] = {
		{ "OpenSSL backend, verify mode", "127.0.0.1:4433", "127.0.0.1:4433", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "OpenSSL backend, verify mode", "[::1]:4433", "[::1]:4433", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "GnuTLS backend, gnutls mode", "127.0.0.1:4434", "127.0.0.1:4434", DTLSCOOKIE_GNUTLS, NULL, { 2, 3, 3, 3 } },
		{ "GnuTLS backend, gnutls mode", "[::1]:4434", "[::1]:4434", DTLSCOOKIE_GNUTLS, NULL, { 2, 3, 3, 3 } },
		{ "OpenSSL backend, trust mode (takes any shape)", "127.0.0.1:4435", "127.0.0.1:4435", DTLSCOOKIE_TRUST, NULL,
		  { 2, 2, 2, 3 } },
		{ "Mbed TLS backend, verify mode", "127.0.0.1:4440", "127.0.0.1:4440", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "Mbed TLS backend, verify mode", "[::1]:4440", "[::1]:4440", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "Mbed TLS backend, trust mode (takes any shape)", "127.0.0.1:4441", "127.0.0.1:4441", DTLSCOOKIE_TRUST, NULL,
		  { 2, 2, 2, 3 } },
		/* Wildcard and dual-stack sockets: the cookie binds the address the client sent to. */
		{ "OpenSSL backend on 0.0.0.0", "0.0.0.0:4436", "127.0.0.1:4436", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "OpenSSL backend on [::], IPv4 client", "[::]:4437", "127.0.0.1:4437", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "OpenSSL backend on [::], IPv6 client", "[::]:4437", "[::1]:4437", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "GnuTLS backend on 0.0.0.0", "0.0.0.0:4438", "127.0.0.1:4438", DTLSCOOKIE_GNUTLS, NULL, { 2, 3, 3, 3 } },
		{ "GnuTLS backend on [::], IPv4 client", "[::]:4439", "127.0.0.1:4439", DTLSCOOKIE_GNUTLS, NULL, { 2, 3, 3, 3 } },
		{ "GnuTLS backend on [::], IPv6 client", "[::]:4439", "[::1]:4439", DTLSCOOKIE_GNUTLS, NULL, { 2, 3, 3, 3 } },
		{ "Mbed TLS backend on 0.0.0.0", "0.0.0.0:4442", "127.0.0.1:4442", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "Mbed TLS backend on [::], IPv4 client", "[::]:4443", "127.0.0.1:4443", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "Mbed TLS backend on [::], IPv6 client", "[::]:4443", "[::1]:4443", DTLSCOOKIE_VERIFY, NULL, { 2, 3, 3, 3 } },
		{ "wolfSSL backend", "127.0.0.1:4444", "127.0.0.1:4444", DTLSCOOKIE_VERIFY, "wolfssl", { 2, 3, 3, 3 } },
		{ "wolfSSL backend", "[::1]:4444", "[::1]:4444", DTLSCOOKIE_VERIFY, "wolfssl", { 2, 3, 3, 3 } },
		{ "wolfSSL backend on [::], IPv4 client", "[::]:4445", "127.0.0.1:4445", DTLSCOOKIE_VERIFY, "wolfssl",
		  { 2, 3, 3, 3 } },
		{ "wolfSSL backend on [::], IPv6 client", "[::]:4445", "[::1]:4445", DTLSCOOKIE_VERIFY, "wolfssl",
		  { 2, 3, 3, 3 } },
	};
	const char text[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
	size_t n, i, k;
	int fd;

	if (argc != 5)
		tap_bail("usage: test_backend_refusal ECHO_OPENSSL ECHO_GNUTLS ECHO_MBEDTLS ECHO_WOLFSSL");
	n = hellos_add_other_family(hellos, hellos_load(hellos, HELLOS_MAX, false));
	process_private_loopback();
	fd = mkstemp(secret_path);
	if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1 || close(fd) != 0)
		tap_bail("cannot write the secret");
	make_certificate();
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		const unsigned want = strchr(backends[i].connect, '[') ? 6 : 4;

		const char *binary = strstr(backends[i].name, "GnuTLS")     ? argv[2]
				     : strstr(backends[i].name, "Mbed TLS") ? argv[3]
				     : strstr(backends[i].name, "wolfSSL")  ? argv[4]
									    : argv[1];

		/* Built without Mbed TLS or wolfSSL: their rows are said to be missing, not passed. */
		if (strcmp(binary, "none") == 0) {
			tap_check(false, "%s: not built (install libmbedtls-dev and libwolfssl-dev)", backends[i].name);
			continue;
		}
		/* One real ClientHello of the right family from the captures is enough per backend. */
		for (k = 0; k < n && hellos[k].info.ip_version != want; k++)
			;
		check_backend(&backends[i], &hellos[k], binary);
	}
	unlink(secret_path);
	unlink(cert_path);
	unlink(key_path);
	rmdir(cert_dir);
	return tap_done();
}
