/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine against an independent implementation of docs/cookie-format.md (reference_mac.c, every
 * MAC by OpenSSL's EVP_MAC): for every format and every cookie length it allows, 100 000 random
 * requests (IPv4 and IPv6 alternating, random addresses, ports and client randoms) must get the same
 * cookie from both. Key derivation is checked on its own first.
 *
 * The worker's one-pass path (inputs staged while classifying, ds_cookie_engine_run_staged()) must
 * decide exactly as ds_cookie_engine_run(): no cookie, a current cookie, the previous epoch's (a
 * second job per request, its message copied from the staged row), a forged one, in every format.
 */
#include <stdlib.h>
#include <string.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "reference_mac.h"
#include "tap.h"

enum { VECTORS = 100000 };

static void
check_mode(struct ds_cookie_engine *e, struct reference_mac *ref, enum ds_cookie_mode mode,
	   struct stored_request *reqs, uint8_t (*expect)[DS_COOKIE_MAX_LEN])
{
	const unsigned period = 60;
	const uint64_t epoch = 29000000 + (uint64_t)mode * 1000 + fixture_rand() % 1000;
	struct ds_secret master;
	uint8_t key[32], ours[32];
	unsigned len, i;

	fixture_secret(&master, 32 + fixture_rand() % 33);
	reference_epoch_key(ref, master.bytes, master.len, epoch, key);
	ds_cookie_epoch_key(&master, epoch, ours);
	tap_check(memcmp(key, ours, 32) == 0, "%s: K_epoch for a %zu-byte master secret equals OpenSSL's",
		  ds_cookie_mode_name(mode), master.len);
	for (i = 0; i < VECTORS; i++) {
		fixture_request(&reqs[i], i % 2 ? 6 : 4);
		reference_cookie(ref, mode, key, epoch, &reqs[i].req, ds_cookie_max_len(mode), expect[i]);
	}
	for (len = ds_cookie_min_len(mode); len <= ds_cookie_max_len(mode); len++) {
		struct ds_keyring *kr = fixture_keyring(mode, len, period, 2000, &master,
							fixture_time(epoch, period, 1234));
		const struct ds_cookie_keyset *ks;
		uint8_t cookies[DS_COOKIE_BURST_MAX][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict verdicts[DS_COOKIE_BURST_MAX];
		struct ds_cookie_request burst[DS_COOKIE_BURST_MAX];
		unsigned done, k, wrong = 0, first_wrong = 0;

		ks = ds_keyring_current(kr);
		for (done = 0; done < VECTORS; done += DS_COOKIE_BURST_MAX) {
			const unsigned n = VECTORS - done < DS_COOKIE_BURST_MAX ? VECTORS - done : DS_COOKIE_BURST_MAX;

			for (k = 0; k < n; k++)
				burst[k] = reqs[done + k].req;
			ds_cookie_engine_run(e, ks, burst, n, cookies, verdicts);
			for (k = 0; k < n; k++) {
				if (memcmp(cookies[k], expect[done + k], len) != 0 || verdicts[k] != DS_COOKIE_ABSENT) {
					if (wrong++ == 0)
						first_wrong = done + k;
				}
			}
		}
		tap_check(wrong == 0, "%s, %u-byte cookies: %d random vectors agree with OpenSSL (%u differ, "
			  "first at %u)", ds_cookie_mode_name(mode), len, VECTORS, wrong, first_wrong);
		ds_keyring_destroy(kr);
	}
}

enum { STAGED = 20000 };

/* One burst through the staged path: each input written first, as the worker does while classifying. */
static void
run_staged(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks, const struct ds_cookie_request *req,
	   unsigned n, uint8_t (*cookies)[DS_COOKIE_MAX_LEN], enum ds_cookie_verdict *verdicts)
{
	unsigned k;

	for (k = 0; k < n; k++)
		ds_cookie_engine_stage(e, ds_cookie_keyset_params(ks)->mode, k, &req[k]);
	ds_cookie_engine_run_staged(e, ks, req, n, cookies, verdicts);
}

static void
check_staged(struct ds_cookie_engine *e, enum ds_cookie_mode mode, struct stored_request *reqs)
{
	static const enum ds_cookie_verdict expected[4] = { DS_COOKIE_ABSENT, DS_COOKIE_VALID, DS_COOKIE_VALID,
							    DS_COOKIE_BAD_MAC };
	const unsigned period = 60, len = ds_cookie_max_len(mode);
	const uint64_t epoch = 31000000 + (uint64_t)mode;
	struct ds_secret master;
	struct ds_keyring *now, *before;
	uint8_t cookies[2][DS_COOKIE_BURST_MAX][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdicts[2][DS_COOKIE_BURST_MAX];
	struct ds_cookie_request burst[DS_COOKIE_BURST_MAX];
	unsigned done, k, differ = 0, unexpected = 0;

	fixture_secret(&master, 32);
	now = fixture_keyring(mode, len, period, 2000, &master, fixture_time(epoch, period, 30000));
	before = fixture_keyring(mode, len, period, 2000, &master, fixture_time(epoch - 1, period, 30000));
	/* Request i presents: nothing, this epoch's cookie, the last epoch's, the last epoch's forged. */
	for (k = 0; k < STAGED; k++) {
		uint8_t made[1][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict v;

		fixture_request(&reqs[k], k % 2 ? 6 : 4);
		if (k % 4 == 0)
			continue;
		ds_cookie_engine_run(e, ds_keyring_current(k % 4 == 1 ? now : before), &reqs[k].req, 1, made, &v);
		if (k % 4 == 3)
			made[0][len - 1] ^= 0x01;
		fixture_present(&reqs[k], made[0], len);
	}
	for (done = 0; done < STAGED; done += DS_COOKIE_BURST_MAX) {
		const unsigned n = STAGED - done < DS_COOKIE_BURST_MAX ? STAGED - done : DS_COOKIE_BURST_MAX;

		for (k = 0; k < n; k++)
			burst[k] = reqs[done + k].req;
		ds_cookie_engine_run(e, ds_keyring_current(now), burst, n, cookies[0], verdicts[0]);
		run_staged(e, ds_keyring_current(now), burst, n, cookies[1], verdicts[1]);
		for (k = 0; k < n; k++) {
			differ += verdicts[0][k] != verdicts[1][k] || memcmp(cookies[0][k], cookies[1][k], len) != 0;
			unexpected += verdicts[1][k] != expected[(done + k) % 4];
		}
	}
	tap_check(differ == 0 && unexpected == 0,
		  "%s: %d requests staged while classified decide as unstaged (%u differ); none, current, "
		  "previous epoch, forged cookies judged right (%u wrong)", ds_cookie_mode_name(mode), STAGED, differ,
		  unexpected);
	/* Inputs staged for another format are made again, not MACed as they lie. */
	for (k = 0; k < DS_COOKIE_BURST_MAX; k++) {
		burst[k] = reqs[k].req;
		ds_cookie_engine_stage(e, (enum ds_cookie_mode)((mode + 1) % DS_COOKIE_MODE_COUNT), k, &burst[k]);
	}
	ds_cookie_engine_run_staged(e, ds_keyring_current(now), burst, DS_COOKIE_BURST_MAX, cookies[1], verdicts[1]);
	ds_cookie_engine_run(e, ds_keyring_current(now), burst, DS_COOKIE_BURST_MAX, cookies[0], verdicts[0]);
	for (k = 0, differ = 0; k < DS_COOKIE_BURST_MAX; k++)
		differ += verdicts[0][k] != verdicts[1][k] || memcmp(cookies[0][k], cookies[1][k], len) != 0;
	tap_check(differ == 0, "%s: inputs staged for %s are made again in this format (%u differ)",
		  ds_cookie_mode_name(mode), ds_cookie_mode_name((enum ds_cookie_mode)((mode + 1) % DS_COOKIE_MODE_COUNT)),
		  differ);
	ds_keyring_destroy(now);
	ds_keyring_destroy(before);
}

int
main(void)
{
	char err[256];
	struct ds_cookie_engine *e = ds_cookie_engine_create(err, sizeof(err));
	struct reference_mac *ref = reference_mac_create();
	struct stored_request *reqs = calloc(VECTORS, sizeof(*reqs));
	uint8_t (*expect)[DS_COOKIE_MAX_LEN] = calloc(VECTORS, sizeof(*expect));
	int mode;

	if (e == NULL)
		tap_bail("engine: %s", err);
	if (reqs == NULL || expect == NULL)
		tap_bail("out of memory");
	tap_diag("ipsec-mb code path: %s", ds_cookie_engine_arch(e));
	for (mode = 0; mode < DS_COOKIE_MODE_COUNT; mode++)
		check_mode(e, ref, (enum ds_cookie_mode)mode, reqs, expect);
	for (mode = 0; mode < DS_COOKIE_MODE_COUNT; mode++)
		check_staged(e, (enum ds_cookie_mode)mode, reqs);
	tap_check(ds_cookie_engine_errors(e) == 0, "ipsec-mb completed every job (%llu errors)",
		  (unsigned long long)ds_cookie_engine_errors(e));
	free(reqs);
	free(expect);
	reference_mac_destroy(ref);
	ds_cookie_engine_destroy(e);
	return tap_done();
}
