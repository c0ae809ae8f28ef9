/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libdtlscookie through its public API, in each mode, on real ClientHellos (IPv4 and IPv6): cookies it
 * makes are accepted, the appliance's cookies are accepted, and forged cookies, cookies of another
 * client address or port or of another server are refused; trust mode judges the shape only; the
 * GnuTLS helpers agree with GnuTLS's own cookie functions; bad settings are refused with a reason.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cookie_fixtures.h"
#include "ds_build.h"
#include "ds_cookie_engine.h"
#include "dtlscookie-gnutls.h"
#include "dtlscookie-openssl.h"
#include "hellos.h"
#include "tap.h"

static char secret_path[] = "/tmp/ds-dtlscookie-XXXXXX";

/* A ClientHello's payload and the sockaddrs of its client and server. */
struct hello_io {
	const char *label;
	const uint8_t *payload;
	size_t len;
	struct sockaddr_storage client, server;
};

static void
to_sockaddr(unsigned version, const uint8_t *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (version == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
	}
}

static void
hello_io_from(const struct hello *h, struct hello_io *io)
{
	io->label = h->label;
	io->payload = h->fb.data + h->info.dtls_offset;
	io->len = h->info.dtls_len;
	to_sockaddr(h->info.ip_version, ds_frame_src_addr(h->fb.data, &h->info), h->info.src_port, &io->client);
	to_sockaddr(h->info.ip_version, ds_frame_dst_addr(h->fb.data, &h->info), h->info.dst_port, &io->server);
}

/* The payload with @p cookie: what the client sends after an HVR. */
static size_t
with_cookie(const struct hello_io *io, const uint8_t *cookie, unsigned len, uint8_t *out)
{
	struct ds_frame_info info;

	ds_classify_dtls(io->payload, io->len, &info);
	return ds_hello_with_cookie(io->payload, &info, cookie, len, 1, out, 4096);
}

static struct sockaddr *
sa(struct sockaddr_storage *ss)
{
	return (struct sockaddr *)ss;
}

/* Another client: the last address byte or the port changed. */
static struct sockaddr_storage
moved(const struct sockaddr_storage *in, bool port)
{
	struct sockaddr_storage out = *in;

	if (out.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out;

		if (port)
			sin->sin_port ^= htons(1);
		else
			((uint8_t *)&sin->sin_addr)[3] ^= 1;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out;

		if (port)
			sin6->sin6_port ^= htons(1);
		else
			sin6->sin6_addr.s6_addr[15] ^= 1;
	}
	return out;
}

static void
check_verify_mode(struct dtlscookie *dc, struct hello_io *io, const struct ds_cookie_keyset *appliance_keys,
		  struct ds_cookie_engine *engine, struct tap_group *g)
{
	uint8_t cookie[32], ch2[4096];
	unsigned len = 0;
	size_t n;
	struct sockaddr_storage other_addr = moved(&io->client, false), other_port = moved(&io->client, true);
	struct sockaddr_storage other_server = moved(&io->server, false);
	struct ds_frame_info info;
	struct ds_cookie_request req;
	uint8_t engine_cookie[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict v;

	tap_sub(g, dtlscookie_make(dc, sa(&io->client), sa(&io->server), io->payload, io->len, cookie, &len) == 0 &&
			   len == 16, "%s: make", io->label);
	n = with_cookie(io, cookie, len, ch2);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 1, "%s: own cookie refused", io->label);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), io->payload, io->len) == 0,
		"%s: no cookie accepted", io->label);
	tap_sub(g, dtlscookie_verify(dc, sa(&other_addr), sa(&io->server), ch2, n) == 0,
		"%s: accepted from another client address", io->label);
	tap_sub(g, dtlscookie_verify(dc, sa(&other_port), sa(&io->server), ch2, n) == 0,
		"%s: accepted from another client port", io->label);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&other_server), ch2, n) == 0,
		"%s: accepted for another server", io->label);
	cookie[7] ^= 0x20;
	n = with_cookie(io, cookie, len, ch2);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 0, "%s: forged accepted", io->label);
	/* The appliance's own cookie for this client. */
	ds_classify_dtls(io->payload, io->len, &info);
	ds_cookie_request_from_datagram(&req, io->payload, &info, sa(&io->client), sa(&io->server));
	ds_cookie_engine_run(engine, appliance_keys, &req, 1, engine_cookie, &v);
	n = with_cookie(io, engine_cookie[0], 16, ch2);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 1,
		"%s: the appliance's cookie refused", io->label);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, 12) == -1,
		"%s: a cut datagram is not a ClientHello", io->label);
}

static void
check_trust_mode(struct dtlscookie *dc, struct hello_io *io, struct tap_group *g)
{
	uint8_t cookie[32], ch2[4096];
	unsigned len = 0;
	size_t n;

	tap_sub(g, dtlscookie_make(dc, sa(&io->client), sa(&io->server), io->payload, io->len, cookie, &len) == 0 &&
			   len == 16, "%s: make", io->label);
	n = with_cookie(io, cookie, len, ch2);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 1, "%s: shape refused", io->label);
	/* Random bytes after a current key_id pass: trust mode checks the shape, the scrubber the MAC. */
	memset(cookie + 1, 0x5a, 15);
	n = with_cookie(io, cookie, 16, ch2);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 1, "%s: shape refused", io->label);
	n = with_cookie(io, cookie, 15, ch2);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 0, "%s: short cookie accepted",
		io->label);
	cookie[0] = (uint8_t)(cookie[0] + 100);
	n = with_cookie(io, cookie, 16, ch2);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 0,
		"%s: key_id of an epoch long gone accepted", io->label);
}

static uint8_t hvr_sent[512];
static size_t hvr_len;

static ssize_t
capture_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	(void)ptr;
	memcpy(hvr_sent, data, len < sizeof(hvr_sent) ? len : sizeof(hvr_sent));
	hvr_len = len;
	return (ssize_t)len;
}

static void
check_gnutls_mode(struct dtlscookie *dc, struct hello_io *io, struct tap_group *g)
{
	uint8_t cookie[32], ch2[4096];
	unsigned len = 0;
	gnutls_dtls_prestate_st prestate;
	struct sockaddr_storage other = moved(&io->client, false);
	const socklen_t sl = io->client.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	size_t n;

	memset(&prestate, 0, sizeof(prestate));
	tap_sub(g, dtlscookie_gnutls_send(dc, sa(&io->client), sl, &prestate, NULL, capture_push) >= 0 && hvr_len > 16,
		"%s: gnutls_send", io->label);
	tap_sub(g, dtlscookie_make(dc, sa(&io->client), sa(&io->server), io->payload, io->len, cookie, &len) == 0 &&
			   len == 16 && memcmp(cookie, hvr_sent + hvr_len - 16, 16) == 0,
		"%s: dtlscookie_make differs from the cookie GnuTLS sent", io->label);
	n = with_cookie(io, cookie, len, ch2);
	tap_sub(g, dtlscookie_gnutls_verify(dc, sa(&io->client), sl, ch2, n, &prestate) == 0,
		"%s: gnutls_verify refuses it", io->label);
	tap_sub(g, dtlscookie_verify(dc, sa(&io->client), sa(&io->server), ch2, n) == 1,
		"%s: dtlscookie_verify refuses it", io->label);
	tap_sub(g, dtlscookie_gnutls_verify(dc, sa(&other), sl, ch2, n, &prestate) < 0,
		"%s: accepted from another address", io->label);
	cookie[3] ^= 1;
	n = with_cookie(io, cookie, len, ch2);
	tap_sub(g, dtlscookie_gnutls_verify(dc, sa(&io->client), sl, ch2, n, &prestate) < 0, "%s: forged accepted",
		io->label);
}

/* @p in (IPv4) as a dual-stack socket reports it: the IPv4-mapped IPv6 address ::ffff:a.b.c.d. */
static struct sockaddr_storage
mapped(const struct sockaddr_storage *in)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)in;
	struct sockaddr_storage out;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out;

	memset(&out, 0, sizeof(out));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = sin->sin_port;
	sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(sin6->sin6_addr.s6_addr + 12, &sin->sin_addr, 4);
	return out;
}

/* IPv4 clients of a dual-stack server: mapped addresses are the IPv4 addresses they carry. */
static void
check_mapped(struct dtlscookie *verify, struct dtlscookie *gnutls, struct hello_io *io, struct tap_group *g)
{
	struct sockaddr_storage client = mapped(&io->client), server = mapped(&io->server);
	struct sockaddr_storage other = mapped(&io->client);
	uint8_t cookie[32], ch2[4096];
	gnutls_dtls_prestate_st prestate;
	unsigned len = 0;
	size_t n;

	((struct sockaddr_in6 *)&other)->sin6_addr.s6_addr[15] ^= 1;
	dtlscookie_make(verify, sa(&io->client), sa(&io->server), io->payload, io->len, cookie, &len);
	n = with_cookie(io, cookie, len, ch2);
	tap_sub(g, dtlscookie_verify(verify, sa(&client), sa(&server), ch2, n) == 1,
		"%s: the IPv4 cookie refused for the mapped addresses", io->label);
	tap_sub(g, dtlscookie_verify(verify, sa(&client), sa(&io->server), ch2, n) == 1,
		"%s: a mapped client with the IPv4 server address refused", io->label);
	tap_sub(g, dtlscookie_verify(verify, sa(&other), sa(&server), ch2, n) == 0,
		"%s: accepted for another mapped client", io->label);
	dtlscookie_make(gnutls, sa(&io->client), sa(&io->server), io->payload, io->len, cookie, &len);
	n = with_cookie(io, cookie, len, ch2);
	memset(&prestate, 0, sizeof(prestate));
	tap_sub(g, dtlscookie_gnutls_verify(gnutls, sa(&client), sizeof(struct sockaddr_in6), ch2, n, &prestate) == 0,
		"%s: gnutls mode refuses the mapped client's IPv4 cookie", io->label);
	tap_sub(g, dtlscookie_gnutls_send(gnutls, sa(&client), sizeof(struct sockaddr_in6), &prestate, NULL,
					  capture_push) >= 0 &&
			   memcmp(hvr_sent + hvr_len - 16, cookie, 16) == 0,
		"%s: gnutls mode sends the mapped client another cookie than its IPv4 one", io->label);
}

/* A master rotation on a server: cookies of the old master pass only while it is accepted too. */
static void
check_rotation(enum dtlscookie_mode mode, struct hello *hellos, size_t n, const char *new_path)
{
	const char *name = mode == DTLSCOOKIE_GNUTLS ? "gnutls mode" : "verify mode";
	struct dtlscookie *old = dtlscookie_new(&(struct dtlscookie_options){ .mode = mode, .secret_file = secret_path },
						NULL, 0);
	struct dtlscookie *rotating = dtlscookie_new(&(struct dtlscookie_options){ .mode = mode, .secret_file = new_path },
						     NULL, 0);
	struct tap_group g = { 0 };
	char err[512];
	size_t i;

	if (old == NULL || rotating == NULL)
		tap_bail("rotation setup");
	for (i = 0; i < n; i++) {
		struct hello_io io;
		uint8_t cookie[64], ch2[4096];
		unsigned len = sizeof(cookie);
		size_t m;

		hello_io_from(&hellos[i], &io);
		dtlscookie_make(old, sa(&io.client), sa(&io.server), io.payload, io.len, cookie, &len);
		m = with_cookie(&io, cookie, len, ch2);
		dtlscookie_set_secrets(rotating, new_path, NULL, err, sizeof(err));
		tap_sub(&g, dtlscookie_verify(rotating, sa(&io.client), sa(&io.server), ch2, m) == 0,
			"%s: the old master's cookie accepted by the new master alone", io.label);
		tap_sub(&g, dtlscookie_set_secrets(rotating, new_path, secret_path, err, sizeof(err)) == 0 &&
				    dtlscookie_verify(rotating, sa(&io.client), sa(&io.server), ch2, m) == 1,
			"%s: the old master's cookie refused while both are accepted (%s)", io.label, err);
		len = sizeof(cookie);
		dtlscookie_make(rotating, sa(&io.client), sa(&io.server), io.payload, io.len, cookie, &len);
		m = with_cookie(&io, cookie, len, ch2);
		tap_sub(&g, dtlscookie_verify(old, sa(&io.client), sa(&io.server), ch2, m) == 0,
			"%s: a server accepting both made its cookie with the old master", io.label);
		dtlscookie_set_secrets(rotating, new_path, NULL, err, sizeof(err));
		tap_sub(&g, dtlscookie_verify(rotating, sa(&io.client), sa(&io.server), ch2, m) == 1,
			"%s: its cookie refused under the new master alone", io.label);
	}
	tap_group_done(&g, "%s, master rotation by dtlscookie_set_secrets(): the old master's cookies pass only while "
		       "it is accepted too; new cookies come from the new master", name);
	dtlscookie_free(old);
	dtlscookie_free(rotating);
}

static void
check_settings(void)
{
	static const struct {
		const char *what;
		struct dtlscookie_options opt;
		const char *message;
	} cases[] = {
		{ "verify mode without a secret file", { .mode = DTLSCOOKIE_VERIFY }, "secret_file is required" },
		{ "a missing secret file", { .mode = DTLSCOOKIE_VERIFY, .secret_file = "/nonexistent/secret" },
		  "No such file" },
		{ "an unknown format", { .mode = DTLSCOOKIE_TRUST, .format = "md5" }, "cookie format 'md5' unknown" },
		{ "the wolfssl format in trust mode", { .mode = DTLSCOOKIE_TRUST, .format = "wolfssl" },
		  "the wolfssl format needs verify mode" },
		{ "a 40-byte cookie", { .mode = DTLSCOOKIE_TRUST, .cookie_len = 40 }, "cookie length 40 out of range" },
		{ "a skew of a whole period", { .mode = DTLSCOOKIE_TRUST, .key_period_s = 2, .clock_skew_ms = 2000 },
		  "too large" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512] = "";
		struct dtlscookie *dc = dtlscookie_new(&cases[i].opt, err, sizeof(err));

		tap_check(dc == NULL && strstr(err, cases[i].message) != NULL, "settings: %s refused (\"%s\")",
			  cases[i].what, err);
		dtlscookie_free(dc);
	}
}

int
main(void)
{
	static struct hello hellos[HELLOS_MAX * 2];
	struct tap_group g = { 0 };
	struct ds_secret master;
	struct dtlscookie *verify, *trust, *gnutls;
	struct ds_keyring *kr;
	struct ds_cookie_engine *engine;
	char err[512], text[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	size_t n = hellos_load(hellos, HELLOS_MAX, false), i;
	int fd = mkstemp(secret_path);
	SSL_CTX *ctx = SSL_CTX_new(DTLS_server_method());

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
		tap_bail("cannot write the secret");
	n = hellos_add_other_family(hellos, n);
	ds_secret_parse(text, strlen(text), &master, err, sizeof(err));
	kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, 60, 2000, &master, ds_keyring_clock_ms());
	engine = ds_cookie_engine_create(err, sizeof(err));
	verify = dtlscookie_new(&(struct dtlscookie_options){ .secret_file = secret_path }, err, sizeof(err));
	trust = dtlscookie_new(&(struct dtlscookie_options){ .mode = DTLSCOOKIE_TRUST }, err, sizeof(err));
	gnutls = dtlscookie_new(&(struct dtlscookie_options){ .mode = DTLSCOOKIE_GNUTLS, .secret_file = secret_path },
				err, sizeof(err));
	if (kr == NULL || engine == NULL || verify == NULL || trust == NULL || gnutls == NULL)
		tap_bail("setup: %s", err);
	for (i = 0; i < n; i++) {
		struct hello_io io;

		hello_io_from(&hellos[i], &io);
		check_verify_mode(verify, &io, ds_keyring_current(kr), engine, &g);
	}
	tap_group_done(&g, "verify mode: its own and the appliance's cookies accepted; no cookie, forged cookies, "
		       "another client address or port, another server refused");
	for (i = 0; i < n; i++) {
		struct hello_io io;

		hello_io_from(&hellos[i], &io);
		check_trust_mode(trust, &io, &g);
	}
	tap_group_done(&g, "trust mode: any cookie of the configured length with a current key_id, nothing else");
	for (i = 0; i < n; i++) {
		struct hello_io io;

		hello_io_from(&hellos[i], &io);
		check_gnutls_mode(gnutls, &io, &g);
	}
	tap_group_done(&g, "gnutls mode: GnuTLS's cookie functions with the scrubbers' keys, forged and moved refused");
	for (i = 0; i < n; i++) {
		struct hello_io io;

		hello_io_from(&hellos[i], &io);
		if (io.client.ss_family == AF_INET)
			check_mapped(verify, gnutls, &io, &g);
	}
	tap_group_done(&g, "dual-stack sockets: IPv4-mapped client and server addresses take the IPv4 cookies "
		       "(verify and gnutls modes), another mapped client does not");
	tap_check(dtlscookie_openssl_attach(gnutls, ctx) == -1 && dtlscookie_openssl_bio(verify, 0, NULL) == NULL,
		  "the OpenSSL helpers refuse the gnutls mode and a missing server address");
	SSL_CTX_free(ctx);
	{
		char new_path[] = "/tmp/ds-dtlscookie-new-XXXXXX", newer[] = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\n";
		int nfd = mkstemp(new_path);
		struct dtlscookie *wolf = dtlscookie_new(&(struct dtlscookie_options){ .secret_file = secret_path,
										    .format = "wolfssl" }, err, sizeof(err));

		if (nfd < 0 || write(nfd, newer, strlen(newer)) != (ssize_t)strlen(newer) || close(nfd) != 0)
			tap_bail("cannot write the second secret");
		check_rotation(DTLSCOOKIE_VERIFY, hellos, n, new_path);
		check_rotation(DTLSCOOKIE_GNUTLS, hellos, n, new_path);
		tap_check(dtlscookie_set_secrets(verify, secret_path, secret_path, err, sizeof(err)) == -1 &&
				  strstr(err, "itself") != NULL,
			  "a second master equal to the first is refused (\"%s\")", err);
		tap_check(wolf != NULL && dtlscookie_set_secrets(wolf, secret_path, new_path, err, sizeof(err)) == -1 &&
				  strstr(err, "one secret") != NULL,
			  "the wolfssl format takes no second master (\"%s\")", err);
		chmod(new_path, 0644);
		tap_check(dtlscookie_set_secrets(verify, secret_path, new_path, err, sizeof(err)) == -1 &&
				  strstr(err, "0644") != NULL,
			  "a second secret that others can read is refused (\"%s\")", err);
		dtlscookie_free(wolf);
		unlink(new_path);
	}
	chmod(secret_path, 0644);
	tap_check(dtlscookie_new(&(struct dtlscookie_options){ .secret_file = secret_path }, err, sizeof(err)) == NULL &&
			  strstr(err, "mode 0644") != NULL && strstr(err, "0001020304") == NULL,
		  "settings: a secret others can read is refused, without quoting it (\"%s\")", err);
	check_settings();
	dtlscookie_free(verify);
	dtlscookie_free(trust);
	dtlscookie_free(gnutls);
	ds_cookie_engine_destroy(engine);
	ds_keyring_destroy(kr);
	unlink(secret_path);
	return tap_done();
}
