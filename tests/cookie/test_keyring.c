/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key rotation: which key set is in force when (epochs, the skew window, clock jumps both ways), and
 * a set taken before an update still whole after it. How workers read sets while they rotate is the
 * appliance's published view: tests/app/test_view.c hammers that.
 */
#include "cookie_fixtures.h"
#include "ds_keyring.h"
#include "tap.h"

enum { PERIOD = 10, SKEW_MS = 2000, EPOCH = 170000000 };

static struct ds_secret master;

static void
check_publication(void)
{
	const struct {
		int64_t at_ms; /* from the start of EPOCH */
		int expect_rc;
		uint64_t epoch;
		bool next;
	} steps[] = {
		{ 0, 0, EPOCH, false },        /* created here: nothing to change */
		{ 5000, 0, EPOCH, false },
		{ 7999, 0, EPOCH, false },
		{ 8000, 1, EPOCH, true },      /* skew window opens 2 s before the boundary */
		{ 9999, 0, EPOCH, true },
		{ 10000, 1, EPOCH + 1, false },
		{ 10000, 0, EPOCH + 1, false },
		{ 45000, 1, EPOCH + 4, false }, /* a jump (suspend, NTP step): straight to the right epoch */
		{ 3000, 1, EPOCH, false },      /* and back, if the clock steps back */
	};
	struct ds_keyring *kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &master,
						fixture_time(EPOCH, PERIOD, 0));
	uint64_t generation = ds_cookie_keyset_generation(ds_keyring_current(kr));
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int rc = ds_keyring_update(kr, fixture_time(EPOCH, PERIOD, steps[i].at_ms));
		const struct ds_cookie_keyset *ks = ds_keyring_current(kr);
		const uint64_t g = ds_cookie_keyset_generation(ks);

		tap_check(rc == steps[i].expect_rc && ds_cookie_keyset_epoch(ks) == steps[i].epoch &&
				  ds_cookie_keyset_accepts_next(ks) == steps[i].next &&
				  g == generation + (uint64_t)rc,
			  "step %zu: at +%lld ms update says %d, epoch e%+lld, next epoch %s (got %d, e%+lld, "
			  "generation +%llu)", i, (long long)steps[i].at_ms, steps[i].expect_rc,
			  (long long)(steps[i].epoch - EPOCH), steps[i].next ? "accepted" : "refused", rc,
			  (long long)(ds_cookie_keyset_epoch(ks) - EPOCH), (unsigned long long)(g - generation));
		generation = g;
	}
	ds_keyring_destroy(kr);
}

/* A set taken before an update is still whole after it (the appliance copies it after the update). */
static void
check_previous_set(void)
{
	struct ds_keyring *kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &master,
						fixture_time(EPOCH, PERIOD, 0));
	const struct ds_cookie_keyset *before = ds_keyring_current(kr);
	const uint64_t generation = ds_cookie_keyset_generation(before);
	const struct ds_cookie_keyset *after;

	tap_check(ds_keyring_update(kr, fixture_time(EPOCH + 1, PERIOD, 0)) == 1, "the next epoch builds a new set");
	after = ds_keyring_current(kr);
	tap_check(after != before && ds_cookie_keyset_generation(before) == generation &&
			  ds_cookie_keyset_epoch(before) == EPOCH && ds_cookie_keyset_epoch(after) == EPOCH + 1,
		  "the set taken before the update is untouched by it (epoch e%+lld, new set e%+lld)",
		  (long long)(ds_cookie_keyset_epoch(before) - EPOCH), (long long)(ds_cookie_keyset_epoch(after) - EPOCH));
	ds_keyring_destroy(kr);
}

int
main(void)
{
	fixture_secret(&master, 48);
	check_publication();
	check_previous_set();
	return tap_done();
}
