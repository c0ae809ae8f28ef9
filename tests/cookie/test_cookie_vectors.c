/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine against an independent implementation of docs/cookie-format.md (reference_mac.c, every
 * MAC by OpenSSL's EVP_MAC): for every format and every cookie length it allows, 100 000 random
 * requests (IPv4 and IPv6 alternating, random addresses, ports and client randoms) must get the same
 * cookie from both. Key derivation is checked on its own first.
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
	tap_check(ds_cookie_engine_errors(e) == 0, "ipsec-mb completed every job (%llu errors)",
		  (unsigned long long)ds_cookie_engine_errors(e));
	free(reqs);
	free(expect);
	reference_mac_destroy(ref);
	ds_cookie_engine_destroy(e);
	return tap_done();
}
