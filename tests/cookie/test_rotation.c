/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Master-secret rotation (docs/cookie-format.md §5): a keyring with a second, accepted master takes
 * the cookies and QUIC tokens of both, makes its own with the first only, and takes the old master's
 * no more once it is dropped. Every format with a MAC of the scrubber's, over bursts of random requests.
 */
#include <string.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_quic_token.h"
#include "tap.h"

enum { PERIOD = 10, SKEW_MS = 2000, EPOCH = 180000000, N = 64 };

static struct ds_secret old_master, new_master;
static struct ds_cookie_engine *engine;
static struct stored_request requests[N];

/* Cookies made by @p ks for every request (into the requests), as an HVR would carry them. */
static void
make_cookies(const struct ds_cookie_keyset *ks)
{
	static struct ds_cookie_request req[N];
	static uint8_t cookies[N][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdicts[N];
	unsigned i;

	for (i = 0; i < N; i++) {
		requests[i].req.cookie = NULL;
		requests[i].req.cookie_len = 0;
		req[i] = requests[i].req;
	}
	ds_cookie_engine_run(engine, ks, req, N, cookies, verdicts);
	for (i = 0; i < N; i++)
		fixture_present(&requests[i], cookies[i], ds_cookie_keyset_params(ks)->cookie_len);
}

/* How many of the requests' cookies @p ks takes. */
static unsigned
valid_under(const struct ds_cookie_keyset *ks)
{
	static struct ds_cookie_request req[N];
	static uint8_t cookies[N][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdicts[N];
	unsigned i, valid = 0;

	for (i = 0; i < N; i++)
		req[i] = requests[i].req;
	ds_cookie_engine_run(engine, ks, req, N, cookies, verdicts);
	for (i = 0; i < N; i++)
		valid += verdicts[i] == DS_COOKIE_VALID;
	return valid;
}

static void
check_format(enum ds_cookie_mode mode, unsigned len, int64_t at_ms, const char *when)
{
	const uint64_t now = fixture_time(EPOCH, PERIOD, at_ms), later = fixture_time(EPOCH + 1, PERIOD, 500);
	struct ds_keyring *old = fixture_keyring(mode, len, PERIOD, SKEW_MS, &old_master, now);
	struct ds_keyring *both = fixture_keyring(mode, len, PERIOD, SKEW_MS, &new_master, now);
	struct ds_keyring *fresh = fixture_keyring(mode, len, PERIOD, SKEW_MS, &new_master, now);
	char err[256];
	unsigned i;
	int rc;

	for (i = 0; i < N; i++)
		fixture_request(&requests[i], i % 2 ? 6 : 4);
	rc = ds_keyring_set_masters(both, &new_master, &old_master, now, err, sizeof(err));
	tap_check(rc == 1 && ds_keyring_accepts_also(both), "%s, %s: a second master builds a new key set (%d)",
		  ds_cookie_mode_name(mode), when, rc);
	make_cookies(ds_keyring_current(old));
	tap_check(valid_under(ds_keyring_current(old)) == N && valid_under(ds_keyring_current(fresh)) == 0 &&
			  valid_under(ds_keyring_current(both)) == N,
		  "%s, %s: the old master's cookies: valid under it, not under the new one alone, valid while both are "
		  "accepted", ds_cookie_mode_name(mode), when);
	make_cookies(ds_keyring_current(both));
	tap_check(valid_under(ds_keyring_current(fresh)) == N && valid_under(ds_keyring_current(old)) == 0,
		  "%s, %s: a keyring accepting both makes its cookies with the new master only",
		  ds_cookie_mode_name(mode), when);
	/* A cookie of neither master stays bad: flip one MAC byte of each. */
	for (i = 0; i < N; i++) {
		uint8_t c[DS_COOKIE_MAX_LEN];

		memcpy(c, requests[i].cookie, len);
		c[len - 1] ^= 0x5a;
		fixture_present(&requests[i], c, len);
	}
	tap_check(valid_under(ds_keyring_current(both)) == 0, "%s, %s: altered cookies refused under both masters",
		  ds_cookie_mode_name(mode), when);
	/* The rotation's end: the old master's cookies are refused again. */
	make_cookies(ds_keyring_current(old));
	rc = ds_keyring_set_masters(both, &new_master, NULL, now, err, sizeof(err));
	tap_check(rc == 1 && !ds_keyring_accepts_also(both) && valid_under(ds_keyring_current(both)) == 0,
		  "%s, %s: once the old master is dropped its cookies are refused (%d)", ds_cookie_mode_name(mode), when,
		  rc);
	/* Epochs go on with both masters: a cookie of the old master's epoch e still passes in e+1. */
	ds_keyring_set_masters(both, &new_master, &old_master, now, err, sizeof(err));
	ds_keyring_update(both, later);
	tap_check(valid_under(ds_keyring_current(both)) == N,
		  "%s, %s: the old master's cookies of the previous epoch pass after the epoch changes",
		  ds_cookie_mode_name(mode), when);
	ds_keyring_destroy(old);
	ds_keyring_destroy(both);
	ds_keyring_destroy(fresh);
}

static void
check_refusals(void)
{
	struct ds_keyring *kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &old_master,
						fixture_time(EPOCH, PERIOD, 0));
	const uint64_t gen = ds_cookie_keyset_generation(ds_keyring_current(kr));
	struct ds_secret shorty = old_master;
	char err[256] = "";

	shorty.len = DS_SECRET_MIN_LEN - 1;
	tap_check(ds_keyring_set_masters(kr, &old_master, NULL, fixture_time(EPOCH, PERIOD, 0), err, sizeof(err)) == 0,
		  "the same master again changes nothing");
	tap_check(ds_keyring_set_masters(kr, &new_master, &new_master, fixture_time(EPOCH, PERIOD, 0), err,
					 sizeof(err)) == -1 && strstr(err, "itself") != NULL,
		  "a second master equal to the first is refused (%s)", err);
	tap_check(ds_keyring_set_masters(kr, &new_master, &shorty, fixture_time(EPOCH, PERIOD, 0), err, sizeof(err)) ==
				  -1 &&
			  ds_cookie_keyset_generation(ds_keyring_current(kr)) == gen,
		  "a secret of the wrong length is refused and the key set stays (%s)", err);
	ds_keyring_destroy(kr);
}

/* QUIC Retry tokens sealed under the old master open while both are accepted, and only then. */
static void
check_quic_tokens(void)
{
	const uint64_t now = fixture_time(EPOCH, PERIOD, 3000);
	struct ds_keyring *old = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &old_master, now);
	struct ds_keyring *both = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &new_master, now);
	struct ds_quic_token_fields f = { .ip_version = 4, .odcid_len = 8, .rscid_len = DS_QUIC_TOKEN_UNIQUE_LEN,
					  .client_port = 40000, .expiry_s = now / 1000 + 10 };
	uint8_t token[DS_QUIC_TOKEN_MAX];
	struct ds_quic_token_fields out;
	enum ds_quic_token_verdict alone, accepted, dropped;
	char err[256];
	unsigned len;

	fixture_bytes(f.client_addr, 4);
	fixture_bytes(f.odcid, f.odcid_len);
	fixture_bytes(f.rscid, f.rscid_len);
	len = ds_quic_token_seal(engine, ds_keyring_current(old), &f, f.rscid, token);
	alone = ds_quic_token_open(engine, ds_keyring_current(both), token, len, &f, now / 1000, &out);
	ds_keyring_set_masters(both, &new_master, &old_master, now, err, sizeof(err));
	accepted = ds_quic_token_open(engine, ds_keyring_current(both), token, len, &f, now / 1000, &out);
	ds_keyring_set_masters(both, &new_master, NULL, now, err, sizeof(err));
	dropped = ds_quic_token_open(engine, ds_keyring_current(both), token, len, &f, now / 1000, &out);
	tap_check(alone == DS_QUIC_TOKEN_BAD_TAG && accepted == DS_QUIC_TOKEN_VALID && dropped == DS_QUIC_TOKEN_BAD_TAG,
		  "a Retry token of the old master: refused by the new alone (%d), valid while both are accepted (%d), "
		  "refused once the old is dropped (%d)", alone, accepted, dropped);
	ds_keyring_destroy(old);
	ds_keyring_destroy(both);
}

int
main(void)
{
	static const struct {
		enum ds_cookie_mode mode;
		unsigned len;
	} formats[] = {
		{ DS_COOKIE_HMAC_SHA256, 16 }, { DS_COOKIE_HMAC_SHA256, 32 }, { DS_COOKIE_HMAC_SHA1, 21 },
		{ DS_COOKIE_AES_CMAC, 17 },    { DS_COOKIE_GNUTLS, 16 },
	};
	char err[256];
	size_t i;

	fixture_secret(&old_master, 32);
	fixture_secret(&new_master, 64);
	engine = ds_cookie_engine_create(err, sizeof(err));
	if (engine == NULL)
		tap_bail("cookie engine: %s", err);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		check_format(formats[i].mode, formats[i].len, 3000, "mid-epoch");
		check_format(formats[i].mode, formats[i].len, PERIOD * 1000 - 500, "in the skew window");
	}
	check_refusals();
	check_quic_tokens();
	ds_cookie_engine_destroy(engine);
	return tap_done();
}
