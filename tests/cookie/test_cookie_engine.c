/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the engine accepts and refuses, format by format: its own cookies for the same client
 * (current and previous epoch, the next one inside the clock-skew window, in both directions), and
 * nothing else: a changed client address, port, server, random; a flipped bit anywhere; a wrong
 * key_id; a shorter or longer cookie; an epoch too old. Calls of every size up to a burst, and calls
 * of several bursts, with mixed verdicts give exactly what single calls give.
 */
#include <stdlib.h>
#include <string.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "tap.h"

enum { PERIOD = 10, SKEW_MS = 2000, EPOCH = 170000000 };

static struct ds_cookie_engine *engine;
static struct ds_secret master;

/* One request through the engine with the key set of a keyring at @p now_ms. */
static enum ds_cookie_verdict
run_one(enum ds_cookie_mode mode, unsigned len, uint64_t now_ms, const struct ds_cookie_request *req,
	uint8_t *cookie_out)
{
	struct ds_keyring *kr = fixture_keyring(mode, len, PERIOD, SKEW_MS, &master, now_ms);
	const struct ds_cookie_keyset *ks = ds_keyring_current(kr);
	uint8_t cookies[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict v;

	ds_cookie_engine_run(engine, ks, req, 1, cookies, &v);
	if (cookie_out != NULL)
		memcpy(cookie_out, cookies[0], len);
	ds_keyring_destroy(kr);
	return v;
}

/* A cookie made at @p made_ms, presented at @p checked_ms. */
static enum ds_cookie_verdict
made_then_checked(enum ds_cookie_mode mode, unsigned len, uint64_t made_ms, uint64_t checked_ms)
{
	struct stored_request s;
	uint8_t cookie[DS_COOKIE_MAX_LEN];

	fixture_request(&s, 4);
	run_one(mode, len, made_ms, &s.req, cookie);
	fixture_present(&s, cookie, len);
	return run_one(mode, len, checked_ms, &s.req, NULL);
}

static void
check_time_window(enum ds_cookie_mode mode, unsigned len)
{
	const char *name = ds_cookie_mode_name(mode);
	/* For the gnutls and wolfssl formats an unknown epoch looks like any wrong MAC: they carry no key_id. */
	const enum ds_cookie_verdict stale = ds_cookie_has_key_id(mode) ? DS_COOKIE_UNKNOWN_KEY : DS_COOKIE_BAD_MAC;
	struct {
		const char *what;
		int64_t made, checked; /* ms offsets from the start of EPOCH */
		enum ds_cookie_verdict expect;
	} cases[] = {
		{ "same epoch", 100, 9000, DS_COOKIE_VALID },
		{ "made at the end of epoch e, checked early in e+1", 9999, 10001, DS_COOKIE_VALID },
		{ "made in e, checked at the end of e+1", 0, 19999, DS_COOKIE_VALID },
		{ "made in e, checked in e+2", 5000, 20000, stale },
		{ "made in e, checked in e+5", 5000, 55000, stale },
		{ "made by a clock 1.9 s ahead (e+1), checked 1.9 s before e+1", 10000, 8100, DS_COOKIE_VALID },
		{ "made by a clock 2.1 s ahead (e+1), checked 2.1 s before e+1", 10000, 7900, stale },
		{ "made by a clock 3 s behind (e), checked 3 s into e+1", 9999, 13000, DS_COOKIE_VALID },
		{ "made in e+2 by a clock far ahead, checked in e", 20000, 9999, stale },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ds_cookie_verdict got = made_then_checked(mode, len, fixture_time(EPOCH, PERIOD, cases[i].made),
							       fixture_time(EPOCH, PERIOD, cases[i].checked));

		tap_check(got == cases[i].expect, "%s: %s: %s (got %s)", name, cases[i].what,
			  ds_cookie_verdict_name(cases[i].expect), ds_cookie_verdict_name(got));
	}
}

/* Every bit of a good cookie flipped in turn, and every field of the request changed in turn. */
static void
check_tampering(enum ds_cookie_mode mode, unsigned len)
{
	const uint64_t now = fixture_time(EPOCH, PERIOD, 4000);
	struct tap_group g = { 0 };
	struct stored_request s, t;
	uint8_t cookie[DS_COOKIE_MAX_LEN + 1] = { 0 }, bad[DS_COOKIE_MAX_LEN + 1];
	unsigned bit, field, v;

	for (v = 4; v <= 6; v += 2) {
		fixture_request(&s, v);
		run_one(mode, len, now, &s.req, cookie);
		fixture_present(&s, cookie, len);
		tap_sub(&g, run_one(mode, len, now, &s.req, NULL) == DS_COOKIE_VALID, "IPv%u: own cookie refused", v);
		for (bit = 0; bit < len * 8; bit++) {
			enum ds_cookie_verdict got, want;

			t = s;
			memcpy(bad, cookie, len);
			bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			fixture_present(&t, bad, len);
			got = run_one(mode, len, now, &t.req, NULL);
			/* A flipped key_id names an epoch nobody accepts, unless it names the previous one. */
			want = DS_COOKIE_BAD_MAC;
			if (ds_cookie_has_key_id(mode) && bit < 8 && bad[0] != (uint8_t)(EPOCH - 1))
				want = DS_COOKIE_UNKNOWN_KEY;
			tap_sub(&g, got == want, "IPv%u, bit %u flipped: want %s, got %s", v, bit,
				ds_cookie_verdict_name(want), ds_cookie_verdict_name(got));
		}
		for (field = 0; field < 5; field++) {
			t = s;
			t.req.cookie = t.cookie;
			switch (field) {
			case 0: t.client_addr[v == 4 ? 3 : 15] ^= 1; break;
			case 1: t.req.client_port ^= 1; break;
			case 2: t.server_addr[0] ^= 0x80; break;
			case 3: t.req.server_port ^= 0x100; break;
			default: t.random[31] ^= 1; break;
			}
			t.req.client_addr = t.client_addr;
			t.req.server_addr = t.server_addr;
			t.req.client_random = t.random;
			/* GnuTLS's layout covers the client's address and port only; wolfSSL's also the random. */
			if ((mode == DS_COOKIE_GNUTLS && field >= 2) || (mode == DS_COOKIE_WOLFSSL && (field == 2 || field == 3)))
				continue;
			tap_sub(&g, run_one(mode, len, now, &t.req, NULL) == DS_COOKIE_BAD_MAC,
				"IPv%u: cookie accepted for another request (field %u changed)", v, field);
		}
		for (bit = 0; bit < 2; bit++) {
			t = s;
			fixture_present(&t, cookie, bit == 0 ? len - 1 : len + 1);
			tap_sub(&g, run_one(mode, len, now, &t.req, NULL) == DS_COOKIE_BAD_LENGTH,
				"IPv%u: a cookie of %u bytes is not cookie_bad_length", v, t.req.cookie_len);
		}
	}
	tap_group_done(&g, "%s, %u-byte cookies: every flipped bit, changed field, shorter or longer cookie "
		       "is refused", ds_cookie_mode_name(mode), len);
}

/*
 * Calls of 1..64 requests, and longer ones that the engine splits into bursts (up to 3 bursts and a
 * piece), mixing every verdict, give the same results as one request at a time. The caller's arrays
 * are exactly as long as the call: a write past them is a sanitizer report.
 */
enum { LONGEST_CALL = 3 * DS_COOKIE_BURST_MAX + 5 };

static unsigned
call_length(unsigned step)
{
	static const unsigned longer[] = { DS_COOKIE_BURST_MAX + 1, 2 * DS_COOKIE_BURST_MAX - 1,
					   2 * DS_COOKIE_BURST_MAX, 2 * DS_COOKIE_BURST_MAX + 1, LONGEST_CALL };

	return step < DS_COOKIE_BURST_MAX ? step + 1 : longer[step - DS_COOKIE_BURST_MAX];
}

static void
check_bursts(enum ds_cookie_mode mode, unsigned len)
{
	const uint64_t now = fixture_time(EPOCH, PERIOD, 9500); /* inside the skew window: 3 keys */
	struct ds_keyring *kr = fixture_keyring(mode, len, PERIOD, SKEW_MS, &master, now);
	struct ds_keyring *prev = fixture_keyring(mode, len, PERIOD, SKEW_MS, &master, now - PERIOD * 1000);
	struct ds_keyring *next = fixture_keyring(mode, len, PERIOD, SKEW_MS, &master, now + PERIOD * 1000);
	const struct ds_cookie_keyset *ks = ds_keyring_current(kr);
	const struct ds_cookie_keyset *ks_prev = ds_keyring_current(prev);
	const struct ds_cookie_keyset *ks_next = ds_keyring_current(next);
	static struct stored_request reqs[LONGEST_CALL];
	uint8_t single_cookie[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict single;
	struct tap_group g = { 0 };
	unsigned seen[DS_COOKIE_VERDICT_COUNT] = { 0 };
	unsigned step, n, i;

	for (step = 0; step < DS_COOKIE_BURST_MAX + 5; step++) {
		struct ds_cookie_request *burst;
		uint8_t(*cookies)[DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict *verdicts;

		n = call_length(step);
		burst = malloc(n * sizeof(*burst));
		cookies = malloc(n * sizeof(*cookies));
		verdicts = malloc(n * sizeof(*verdicts));
		if (burst == NULL || cookies == NULL || verdicts == NULL)
			tap_bail("out of memory");
		for (i = 0; i < n; i++) {
			uint8_t c[1][DS_COOKIE_MAX_LEN];
			enum ds_cookie_verdict unused;
			const unsigned kind = (unsigned)(fixture_rand() % 7);

			fixture_request(&reqs[i], fixture_rand() % 2 ? 4 : 6);
			/* 0: none, 1: current, 2: previous epoch, 3: next epoch, 4: bad MAC, 5: wrong length,
			 * 6: unknown key. */
			if (kind == 0)
				continue;
			ds_cookie_engine_run(engine, kind == 2 ? ks_prev : kind == 3 ? ks_next : ks, &reqs[i].req, 1, c,
					     &unused);
			if (kind == 4)
				c[0][len - 1] ^= 0x40;
			if (kind == 6 && ds_cookie_has_key_id(mode))
				c[0][0] ^= 0x55;
			fixture_present(&reqs[i], c[0], kind == 5 ? len - 1 : len);
		}
		for (i = 0; i < n; i++)
			burst[i] = reqs[i].req;
		ds_cookie_engine_run(engine, ks, burst, n, cookies, verdicts);
		for (i = 0; i < n; i++) {
			ds_cookie_engine_run(engine, ks, &reqs[i].req, 1, single_cookie, &single);
			seen[verdicts[i]]++;
			tap_sub(&g, single == verdicts[i] && memcmp(single_cookie[0], cookies[i], len) == 0,
				"step %u: call of %u, request %u: call says %s, alone %s", step, n, i,
				ds_cookie_verdict_name(verdicts[i]), ds_cookie_verdict_name(single));
		}
		free(burst);
		free(cookies);
		free(verdicts);
	}
	for (i = 0; i < DS_COOKIE_VERDICT_COUNT; i++)
		tap_sub(&g, seen[i] > 0 || (!ds_cookie_has_key_id(mode) && i == DS_COOKIE_UNKNOWN_KEY),
			"no request got %s", ds_cookie_verdict_name((enum ds_cookie_verdict)i));
	tap_group_done(&g, "%s, %u-byte cookies: calls of 1..%u requests (up to %u bursts) with mixed verdicts "
		       "equal single calls", ds_cookie_mode_name(mode), len, LONGEST_CALL,
		       (LONGEST_CALL + DS_COOKIE_BURST_MAX - 1) / DS_COOKIE_BURST_MAX);
	ds_keyring_destroy(kr);
	ds_keyring_destroy(prev);
	ds_keyring_destroy(next);
}

static void
check_params(void)
{
	static const struct {
		struct ds_cookie_params p;
		int ok;
	} cases[] = {
		{ { DS_COOKIE_HMAC_SHA256, 16, 60, 2000 }, 1 },
		{ { DS_COOKIE_HMAC_SHA256, 8, 60, 2000 }, 1 },
		{ { DS_COOKIE_HMAC_SHA256, 32, 60, 2000 }, 1 },
		{ { DS_COOKIE_HMAC_SHA256, 7, 60, 2000 }, 0 },
		{ { DS_COOKIE_HMAC_SHA256, 33, 60, 2000 }, 0 },
		{ { DS_COOKIE_HMAC_SHA1, 21, 60, 2000 }, 1 },
		{ { DS_COOKIE_HMAC_SHA1, 22, 60, 2000 }, 0 },
		{ { DS_COOKIE_AES_CMAC, 17, 60, 2000 }, 1 },
		{ { DS_COOKIE_AES_CMAC, 18, 60, 2000 }, 0 },
		{ { DS_COOKIE_GNUTLS, 16, 60, 2000 }, 1 },
		{ { DS_COOKIE_GNUTLS, 15, 60, 2000 }, 0 },
		{ { DS_COOKIE_HMAC_SHA256, 16, 0, 0 }, 0 },
		{ { DS_COOKIE_HMAC_SHA256, 16, 86401, 0 }, 0 },
		{ { DS_COOKIE_HMAC_SHA256, 16, 4, 2000 }, 1 },
		{ { DS_COOKIE_HMAC_SHA256, 16, 4, 2001 }, 0 },
		{ { (enum ds_cookie_mode)9, 16, 60, 2000 }, 0 },
	};
	struct tap_group g = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[200] = "";
		int rc = ds_cookie_params_check(&cases[i].p, err, sizeof(err));

		tap_sub(&g, (rc == 0) == cases[i].ok && (rc == 0 || err[0] != '\0'),
			"step %zu: %s, %u bytes, %u s, %u ms: rc %d (%s)", i,
			ds_cookie_mode_name(cases[i].p.mode), cases[i].p.cookie_len, cases[i].p.period_s,
			cases[i].p.skew_ms, rc, err);
	}
	tap_group_done(&g, "parameters out of range are refused with a reason, the rest accepted");
}

int
main(void)
{
	static const unsigned lens[DS_COOKIE_MODE_COUNT][2] = {
		[DS_COOKIE_HMAC_SHA256] = { 8, 32 }, [DS_COOKIE_HMAC_SHA1] = { 8, 21 },
		[DS_COOKIE_AES_CMAC] = { 8, 17 }, [DS_COOKIE_GNUTLS] = { 16, 16 }, [DS_COOKIE_WOLFSSL] = { 32, 32 },
	};
	char err[256];
	int mode;

	engine = ds_cookie_engine_create(err, sizeof(err));
	if (engine == NULL)
		tap_bail("engine: %s", err);
	fixture_secret(&master, 32);
	check_params();
	for (mode = 0; mode < DS_COOKIE_MODE_COUNT; mode++) {
		check_time_window((enum ds_cookie_mode)mode, lens[mode][1]);
		check_tampering((enum ds_cookie_mode)mode, lens[mode][0]);
		if (lens[mode][1] != lens[mode][0])
			check_tampering((enum ds_cookie_mode)mode, lens[mode][1]);
		check_bursts((enum ds_cookie_mode)mode, lens[mode][0] > 16 ? lens[mode][0] : 16);
	}
	tap_check(ds_cookie_engine_errors(engine) == 0, "ipsec-mb completed every job");
	ds_cookie_engine_destroy(engine);
	return tap_done();
}
