/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key rotation: what gets published when, slot reuse held back by readers, and a hammer test: reader
 * threads use key sets continuously while the control plane rotates as fast as they let it (for a few
 * seconds; it is bounded by the readers' scheduling on a 2-core machine); a reader must
 * never see a set change under it (a torn or recycled set) and every cookie it makes with a set must
 * verify with that same set.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "tap.h"

enum { PERIOD = 10, SKEW_MS = 2000, EPOCH = 170000000, READERS = 2, HAMMER_SECONDS = 3, MIN_ROTATIONS = 200 };

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
	int reader = ds_keyring_reader_register(kr);
	uint64_t generation = ds_cookie_keyset_generation(ds_keyring_acquire(kr, (unsigned)reader));
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int rc = ds_keyring_update(kr, fixture_time(EPOCH, PERIOD, steps[i].at_ms));
		const struct ds_cookie_keyset *ks = ds_keyring_acquire(kr, (unsigned)reader);
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

/* A reader that never acquires again holds its set; rotation stops short of it, then goes on. */
static void
check_slot_reuse(void)
{
	struct ds_keyring *kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &master,
						fixture_time(EPOCH, PERIOD, 0));
	int slow = ds_keyring_reader_register(kr);
	const struct ds_cookie_keyset *held = ds_keyring_acquire(kr, (unsigned)slow);
	const uint64_t held_generation = ds_cookie_keyset_generation(held);
	int rc = 1, published = 0;
	unsigned k;

	for (k = 1; rc == 1 && k < 10; k++) {
		rc = ds_keyring_update(kr, fixture_time(EPOCH + k, PERIOD, 0));
		published += rc == 1;
	}
	tap_check(rc == -EBUSY && published == DS_KEYRING_SLOTS - 1,
		  "with one reader holding a set, %d rotations succeed, then -EBUSY (got %d, rc %d)",
		  DS_KEYRING_SLOTS - 1, published, rc);
	tap_check(ds_cookie_keyset_generation(held) == held_generation &&
			  ds_cookie_keyset_epoch(held) == EPOCH,
		  "the held set was never touched");
	ds_keyring_acquire(kr, (unsigned)slow);
	tap_check(ds_keyring_update(kr, fixture_time(EPOCH + k, PERIOD, 0)) == 1,
		  "after the reader acquires again, rotation goes on");
	ds_keyring_reader_offline(kr, (unsigned)slow);
	for (rc = 1, published = 0; rc == 1 && published < 10; k++) {
		rc = ds_keyring_update(kr, fixture_time(EPOCH + k + 1, PERIOD, 0));
		published += rc == 1;
	}
	tap_check(published == 10, "an offline reader holds nothing back (%d rotations)", published);
	ds_keyring_destroy(kr);
}

struct hammer {
	struct ds_keyring *kr;
	_Atomic bool stop;
	_Atomic unsigned long bursts, torn, bad_cookies;
};

static void *
reader_thread(void *arg)
{
	struct hammer *h = arg;
	char err[200];
	struct ds_cookie_engine *e = ds_cookie_engine_create(err, sizeof(err));
	int reader = ds_keyring_reader_register(h->kr);
	struct stored_request s;

	if (e == NULL || reader < 0)
		tap_bail("reader thread: %s", e == NULL ? err : "no reader slot");
	fixture_request(&s, 4);
	while (!atomic_load(&h->stop)) {
		const struct ds_cookie_keyset *ks = ds_keyring_acquire(h->kr, (unsigned)reader);
		const uint64_t g = ds_cookie_keyset_generation(ks), epoch = ds_cookie_keyset_epoch(ks);
		uint8_t cookies[1][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict v;
		struct stored_request t = s;

		/* A burst's work: make a cookie, then check it, with the same set. */
		ds_cookie_engine_run(e, ks, &s.req, 1, cookies, &v);
		fixture_present(&t, cookies[0], 16);
		ds_cookie_engine_run(e, ks, &t.req, 1, cookies, &v);
		if (v != DS_COOKIE_VALID || cookies[0][0] != (uint8_t)epoch)
			atomic_fetch_add(&h->bad_cookies, 1);
		if (ds_cookie_keyset_generation(ks) != g || ds_cookie_keyset_epoch(ks) != epoch)
			atomic_fetch_add(&h->torn, 1);
		atomic_fetch_add(&h->bursts, 1);
	}
	ds_keyring_reader_offline(h->kr, (unsigned)reader);
	ds_cookie_engine_destroy(e);
	return NULL;
}

static void
check_hammer(void)
{
	static struct hammer h;
	pthread_t threads[READERS];
	unsigned long rotations = 0, busy = 0, k;
	const time_t deadline = time(NULL) + HAMMER_SECONDS;
	unsigned i;

	/* Keys rotate every simulated epoch: the control plane publishes as fast as it can. */
	h.kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &master, fixture_time(EPOCH, PERIOD, 0));
	for (i = 0; i < READERS; i++)
		pthread_create(&threads[i], NULL, reader_thread, &h);
	for (k = 0; time(NULL) < deadline; k++) {
		int rc = ds_keyring_update(h.kr, fixture_time(EPOCH + rotations + 1, PERIOD, 0));

		rotations += rc == 1;
		busy += rc == -EBUSY;
		/* Two cores, three threads: let the readers move on to the new set. */
		if (rc == -EBUSY)
			sched_yield();
	}
	atomic_store(&h.stop, true);
	for (i = 0; i < READERS; i++)
		pthread_join(threads[i], NULL);
	tap_diag("%lu rotations (%lu deferred while readers held every spare slot), %lu reader bursts",
		 rotations, busy, atomic_load(&h.bursts));
	tap_check(rotations >= MIN_ROTATIONS && atomic_load(&h.bursts) >= 100 * MIN_ROTATIONS,
		  "%lu rotations in %d s under %d busy readers (at least %d needed for the test to mean "
		  "something)", rotations, HAMMER_SECONDS, READERS, MIN_ROTATIONS);
	tap_check(atomic_load(&h.torn) == 0, "no reader saw a key set change under it (%lu did)",
		  atomic_load(&h.torn));
	tap_check(atomic_load(&h.bad_cookies) == 0,
		  "every cookie made with a set verified with that set (%lu did not)", atomic_load(&h.bad_cookies));
	ds_keyring_destroy(h.kr);
}

int
main(void)
{
	fixture_secret(&master, 48);
	check_publication();
	check_slot_reuse();
	check_hammer();
	return tap_done();
}
