/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libdtlscookie's QUIC Retry tokens through the public API (dtlscookie-quic.h): tokens it makes are
 * accepted for their client, port and DCID only (IPv4 and IPv6); IPv4-mapped clients are their IPv4
 * selves; tokens sealed by the appliance's own code (lib/cookie, a keyring of the same master secret)
 * are accepted and the library's tokens open there; bad arguments and trust mode are refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_quic_token.h"
#include "dtlscookie-quic.h"
#include "tap.h"

static char secret_path[] = "/tmp/ds-dtlscookie-quic-XXXXXX";
static const char secret_text[] = "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f\n";

static const uint8_t odcid[] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08, 0x11 };
static const uint8_t rscid[] = { 0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb5 };

static struct sockaddr_storage
client_of(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	} else {
		tap_bail("bad address %s", addr);
	}
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

/* Check @p token as an Initial from @p client to @p dcid would; 1 also needs the right ODCID back. */
static int
check(struct dtlscookie *dc, const struct sockaddr_storage *client, const uint8_t *dcid, size_t dcid_len,
      const uint8_t *token, size_t len, const char **reason)
{
	uint8_t got[DTLSCOOKIE_QUIC_CID_MAX];
	size_t got_len = sizeof(got);
	int rc = dtlscookie_quic_token_check_reason(dc, (const struct sockaddr *)client, dcid, dcid_len, token, len,
						    got, &got_len, reason);

	if (rc == 1 && (got_len != sizeof(odcid) || memcmp(got, odcid, got_len) != 0))
		return 2;
	return rc;
}

static size_t
make(struct dtlscookie *dc, const struct sockaddr_storage *client, uint8_t token[DTLSCOOKIE_QUIC_TOKEN_MAX])
{
	size_t len = DTLSCOOKIE_QUIC_TOKEN_MAX;

	if (dtlscookie_quic_token_make(dc, SA(*client), odcid, sizeof(odcid), rscid, sizeof(rscid), token, &len) != 0)
		tap_bail("dtlscookie_quic_token_make failed");
	return len;
}

/* Made for one client, checked as another Initial: the verdict each change must get. */
static void
check_round_trips(struct dtlscookie *dc, const char *addr, const char *other_addr)
{
	const struct sockaddr_storage me = client_of(addr, 40001);
	const struct sockaddr_storage moved = client_of(other_addr, 40001), port = client_of(addr, 40002);
	const uint8_t other_dcid[] = { 0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb6 };
	uint8_t token[DTLSCOOKIE_QUIC_TOKEN_MAX], flipped[DTLSCOOKIE_QUIC_TOKEN_MAX];
	const size_t len = make(dc, &me, token);
	const struct {
		const char *what;
		const struct sockaddr_storage *client;
		const uint8_t *dcid;
		size_t dcid_len;
		const uint8_t *token;
		size_t len;
		int rc;
		const char *reason;
	} cases[] = {
		{ "its own client, port and DCID", &me, rscid, sizeof(rscid), token, len, 1, "quic_token_valid" },
		{ "another client address", &moved, rscid, sizeof(rscid), token, len, 0, "quic_token_bad_tag" },
		{ "another client port", &port, rscid, sizeof(rscid), token, len, 0, "quic_token_wrong_port" },
		{ "another DCID", &me, other_dcid, sizeof(other_dcid), token, len, 0, "quic_token_bad_content" },
		{ "a DCID one byte short", &me, rscid, sizeof(rscid) - 1, token, len, 0, "quic_token_bad_content" },
		{ "a flipped bit", &me, rscid, sizeof(rscid), flipped, len, 0, "quic_token_bad_tag" },
		{ "a truncated token", &me, rscid, sizeof(rscid), token, len - 1, 0, "quic_token_bad_tag" },
		{ "no token", &me, rscid, sizeof(rscid), token, 0, 0, "quic_token_not_retry" },
	};
	size_t i;

	memcpy(flipped, token, len);
	flipped[len / 2] ^= 0x04;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *reason = NULL;
		const int rc = check(dc, cases[i].client, cases[i].dcid, cases[i].dcid_len, cases[i].token, cases[i].len,
				     &reason);

		tap_check(rc == cases[i].rc && reason != NULL && strcmp(reason, cases[i].reason) == 0,
			  "step %zu, %s: a token made for %s, checked with %s: %d %s (expected %d %s)", i + 1, addr,
			  addr, cases[i].what, rc, reason, cases[i].rc, cases[i].reason);
	}
}

/* A dual-stack socket sees IPv4 clients as ::ffff:a.b.c.d: the same client as the IPv4 socket's. */
static void
check_mapped(struct dtlscookie *dc)
{
	const struct sockaddr_storage v4 = client_of("192.0.2.7", 5353), mapped = client_of("::ffff:192.0.2.7", 5353);
	const struct sockaddr_storage other = client_of("::ffff:192.0.2.8", 5353);
	uint8_t a[DTLSCOOKIE_QUIC_TOKEN_MAX], b[DTLSCOOKIE_QUIC_TOKEN_MAX];
	const size_t a_len = make(dc, &v4, a), b_len = make(dc, &mapped, b);

	tap_check(check(dc, &mapped, rscid, sizeof(rscid), a, a_len, NULL) == 1 &&
			  check(dc, &v4, rscid, sizeof(rscid), b, b_len, NULL) == 1,
		  "IPv4-mapped: a token for 192.0.2.7 is good from ::ffff:192.0.2.7 and the other way round");
	tap_check(check(dc, &other, rscid, sizeof(rscid), a, a_len, NULL) == 0,
		  "IPv4-mapped: another mapped client is refused");
}

/* The appliance's code and the library's: one format, one key schedule. */
static void
check_appliance_tokens(struct dtlscookie *dc)
{
	struct ds_secret master;
	struct ds_keyring *kr;
	struct ds_cookie_engine *engine;
	struct ds_quic_token_fields f = { .ip_version = 6, .client_port = 443 }, bearer;
	const struct sockaddr_storage client = client_of("2001:db8::5", 443);
	uint8_t unique[DS_QUIC_TOKEN_UNIQUE_LEN] = { 9, 8, 7 }, token[DS_QUIC_TOKEN_MAX], ours[DTLSCOOKIE_QUIC_TOKEN_MAX];
	char err[256];
	size_t len, ours_len;

	if (ds_secret_parse(secret_text, strlen(secret_text), &master, err, sizeof(err)) != 0 ||
	    (engine = ds_cookie_engine_create(err, sizeof(err))) == NULL)
		tap_bail("appliance side: %s", err);
	kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, 60, 2000, &master, ds_keyring_clock_ms());
	inet_pton(AF_INET6, "2001:db8::5", f.client_addr);
	memcpy(f.odcid, odcid, f.odcid_len = sizeof(odcid));
	memcpy(f.rscid, rscid, f.rscid_len = sizeof(rscid));
	f.expiry_s = ds_keyring_clock_ms() / 1000 + DS_QUIC_TOKEN_LIFETIME_S;
	len = ds_quic_token_seal(engine, ds_keyring_current(kr), &f, unique, token);
	tap_check(check(dc, &client, rscid, sizeof(rscid), token, len, NULL) == 1,
		  "a token sealed by ds_quic_token_seal under a keyring of the same master secret is accepted");
	ours_len = make(dc, &client, ours);
	bearer = f;
	bearer.odcid_len = 0;
	tap_check(ds_quic_token_open(engine, ds_keyring_current(kr), ours, ours_len, &bearer,
				     ds_keyring_clock_ms() / 1000, NULL) == DS_QUIC_TOKEN_VALID,
		  "a token the library made opens with ds_quic_token_open (the appliance accepts it)");
	ds_keyring_destroy(kr);
	ds_cookie_engine_destroy(engine);
}

static void
check_arguments(struct dtlscookie *dc, struct dtlscookie *trust)
{
	const struct sockaddr_storage v4 = client_of("192.0.2.7", 5353);
	struct sockaddr_un unix_client = { .sun_family = AF_UNIX };
	uint8_t token[DTLSCOOKIE_QUIC_TOKEN_MAX], out[DTLSCOOKIE_QUIC_CID_MAX];
	const size_t len = make(dc, &v4, token);
	size_t small = len - 1, room = DTLSCOOKIE_QUIC_TOKEN_MAX, out_len = 4;

	tap_check(dtlscookie_quic_token_make(dc, SA(v4), odcid, 7, rscid, sizeof(rscid), token, &room) == -1 &&
			  dtlscookie_quic_token_make(dc, SA(v4), odcid, sizeof(odcid), rscid, 21, token, &room) == -1 &&
			  dtlscookie_quic_token_make(dc, SA(v4), odcid, sizeof(odcid), rscid, sizeof(rscid), token,
						     &small) == -1 &&
			  dtlscookie_quic_token_make(dc, (struct sockaddr *)&unix_client, odcid, sizeof(odcid), rscid,
						     sizeof(rscid), token, &room) == -1,
		  "make refuses a 7-byte ODCID, a 21-byte RSCID, too little room and a non-IP client");
	tap_check(dtlscookie_quic_token_check(dc, SA(v4), rscid, 21, token, len, out, &room) == -1 &&
			  dtlscookie_quic_token_check(dc, SA(v4), rscid, sizeof(rscid), token, len, out, &out_len) == -1,
		  "check refuses a 21-byte DCID and too little room for the ODCID");
	room = DTLSCOOKIE_QUIC_TOKEN_MAX;
	tap_check(dtlscookie_quic_token_make(trust, SA(v4), odcid, sizeof(odcid), rscid, sizeof(rscid), token, &room) ==
				  -1 &&
			  dtlscookie_quic_token_check(trust, SA(v4), rscid, sizeof(rscid), token, len, out, &room) == -1,
		  "trust mode (no secret) neither makes nor checks tokens");
}

int
main(void)
{
	struct dtlscookie *verify, *gnutls, *trust;
	char err[512];
	int fd = mkstemp(secret_path);

	if (fd < 0 || write(fd, secret_text, strlen(secret_text)) != (ssize_t)strlen(secret_text) || close(fd) != 0)
		tap_bail("cannot write the secret");
	verify = dtlscookie_new(&(struct dtlscookie_options){ .secret_file = secret_path }, err, sizeof(err));
	gnutls = dtlscookie_new(&(struct dtlscookie_options){ .mode = DTLSCOOKIE_GNUTLS, .secret_file = secret_path },
				err, sizeof(err));
	trust = dtlscookie_new(&(struct dtlscookie_options){ .mode = DTLSCOOKIE_TRUST }, err, sizeof(err));
	unlink(secret_path);
	if (verify == NULL || gnutls == NULL || trust == NULL)
		tap_bail("setup: %s", err);
	check_round_trips(verify, "192.0.2.7", "192.0.2.8");
	check_round_trips(verify, "2001:db8::7", "2001:db8::8");
	check_round_trips(gnutls, "198.51.100.1", "198.51.100.2");
	check_mapped(verify);
	check_appliance_tokens(verify);
	check_arguments(verify, trust);
	dtlscookie_free(verify);
	dtlscookie_free(gnutls);
	dtlscookie_free(trust);
	return tap_done();
}
