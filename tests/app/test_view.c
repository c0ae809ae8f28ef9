/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one view the control plane publishes to the workers (app/scrubber/view.h), on DPDK RCU:
 *   - a replaced view is freed only once every online reader reported a quiescent state after it; a
 *     reader that stops reporting holds back reclamation (and, after DS_VIEW_RETIRED_MAX changes,
 *     publication: -EBUSY, nothing lost), an offline one holds back nothing;
 *   - a change carries over what it does not replace (keys, blocklist, challenge mask);
 *   - hammer: reader threads use views continuously (make a cookie with the view's keys, check it,
 *     look up the view's blocklist) while the control plane publishes new keys and blocklists as fast
 *     as it can; a reader never sees a view change under it, every cookie verifies with the keys it
 *     was made with, and (under ASan) no freed view or blocklist is ever read.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>

#include "cookie_fixtures.h"
#include "data_path.h"
#include "ds_blocklist.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "tap.h"
#include "view.h"

enum { PERIOD = 10, SKEW_MS = 2000, EPOCH = 170000000, READERS = 2, HAMMER_SECONDS = 3, MIN_CHANGES = 200 };

static struct ds_secret master;

static struct ds_keyring *
keyring_at(uint64_t epoch)
{
	return fixture_keyring(DS_COOKIE_HMAC_SHA256, 16, PERIOD, SKEW_MS, &master, fixture_time(epoch, PERIOD, 0));
}

/* A list of one prefix, 198.51.<n>.0/24, to tell lists apart. */
static struct ds_blocklist *
one_prefix(unsigned n)
{
	struct ds_prefix p;
	char text[32], err[64];

	snprintf(text, sizeof(text), "198.51.%u.0/24", n & 0xFF);
	if (ds_prefix_parse(text, &p, err, sizeof(err)) != 0)
		tap_bail("prefix %s: %s", text, err);
	return ds_blocklist_build(&p, 1);
}

static void
check_carry_over(void)
{
	struct ds_keyring *kr = keyring_at(EPOCH);
	struct ds_view_publisher pub;
	const struct ds_worker_view *v;
	char err[128];
	int rc;

	if (ds_view_init(&pub, 1, SOCKET_ID_ANY, ds_keyring_current(kr), one_prefix(1), 5, err, sizeof(err)) != 0)
		tap_bail("view: %s", err);
	v = ds_view_get(&pub);
	tap_check(v->generation == 1 && v->challenge == 5 && ds_cookie_keyset_epoch(v->keys) == EPOCH &&
			  v->blocklist != NULL && ds_blocklist_count(v->blocklist) == 1,
		  "step 1: the first view holds the keys, blocklist and challenge mask it was given");
	rc = ds_view_publish(&pub, &(struct ds_view_change){ .set_challenge = true, .challenge = 5 });
	tap_check(rc == 0 && ds_view_get(&pub) == v, "step 2: a change that changes nothing publishes nothing");
	ds_keyring_update(kr, fixture_time(EPOCH + 1, PERIOD, 0));
	rc = ds_view_publish(&pub, &(struct ds_view_change){ .keys = ds_keyring_current(kr) });
	v = ds_view_get(&pub);
	tap_check(rc == 1 && v->generation == 2 && ds_cookie_keyset_epoch(v->keys) == EPOCH + 1 && v->challenge == 5 &&
			  v->blocklist != NULL && ds_blocklist_count(v->blocklist) == 1,
		  "step 3: new keys carry the blocklist and the challenge mask over");
	rc = ds_view_publish(&pub, &(struct ds_view_change){ .set_blocklist = true, .blocklist = NULL,
							      .set_challenge = true, .challenge = 0 });
	v = ds_view_get(&pub);
	tap_check(rc == 1 && v->generation == 3 && v->blocklist == NULL && v->challenge == 0 &&
			  ds_cookie_keyset_epoch(v->keys) == EPOCH + 1,
		  "step 4: an emptied blocklist and a new mask carry the keys over");
	ds_view_free(&pub);
	ds_keyring_destroy(kr);
}

/* Reader 0 online and silent, reader 1 offline: what waits, what is refused, what is freed. */
static void
check_reclamation(void)
{
	struct ds_keyring *kr = keyring_at(EPOCH);
	struct ds_view_publisher pub;
	char err[128];
	unsigned k, published = 0;
	int rc = 1;

	if (ds_view_init(&pub, 2, SOCKET_ID_ANY, ds_keyring_current(kr), NULL, 0, err, sizeof(err)) != 0)
		tap_bail("view: %s", err);
	ds_view_reader_online(&pub, 0);
	for (k = 1; rc == 1 && k <= DS_VIEW_RETIRED_MAX + 5; k++) {
		struct ds_blocklist *list = one_prefix(k);

		rc = ds_view_publish(&pub, &(struct ds_view_change){ .set_blocklist = true, .blocklist = list });
		published += rc == 1;
		if (rc != 1)
			ds_blocklist_free(list); /* refused: still ours */
	}
	tap_check(rc == -EBUSY && published == DS_VIEW_RETIRED_MAX && pub.n_retired == DS_VIEW_RETIRED_MAX &&
			  pub.busy == 1,
		  "a reader that never reports holds back every replaced view: %d changes published, then -EBUSY "
		  "(got %u, rc %d)", DS_VIEW_RETIRED_MAX, published, rc);
	ds_view_quiescent(&pub, 0);
	ds_view_reclaim(&pub);
	tap_check(pub.n_retired == 0, "one quiescent state of that reader, and all %d are freed", DS_VIEW_RETIRED_MAX);
	ds_view_reader_offline(&pub, 0);
	for (k = 0, published = 0; k < 3 * DS_VIEW_RETIRED_MAX; k++)
		published += ds_view_publish(&pub, &(struct ds_view_change){ .set_challenge = true, .challenge = k + 1 }) == 1;
	tap_check(published == 3 * DS_VIEW_RETIRED_MAX && pub.n_retired <= 1,
		  "with every reader offline nothing is held back (%u changes, %u waiting)", published, pub.n_retired);
	ds_view_free(&pub);
	ds_keyring_destroy(kr);
}

struct hammer {
	struct ds_view_publisher pub;
	_Atomic bool stop;
	_Atomic unsigned next_id;
	_Atomic unsigned long loops, torn, bad_cookies;
};

static void *
reader_thread(void *arg)
{
	struct hammer *h = arg;
	const unsigned id = atomic_fetch_add(&h->next_id, 1);
	char err[200];
	struct ds_cookie_engine *e = ds_cookie_engine_create(err, sizeof(err));
	struct stored_request s;

	if (e == NULL)
		tap_bail("reader thread: %s", err);
	fixture_request(&s, 4);
	ds_view_reader_online(&h->pub, id);
	while (!atomic_load(&h->stop)) {
		/* A worker's loop: one view, used throughout, then a quiescent state. */
		const struct ds_worker_view *v = ds_view_get(&h->pub);
		const uint64_t g = v->generation, epoch = ds_cookie_keyset_epoch(v->keys);
		const size_t listed = v->blocklist != NULL ? ds_blocklist_count(v->blocklist) : 0;
		uint8_t cookies[1][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict verdict;
		struct stored_request t = s;

		ds_cookie_engine_run(e, v->keys, &s.req, 1, cookies, &verdict);
		fixture_present(&t, cookies[0], 16);
		ds_cookie_engine_run(e, v->keys, &t.req, 1, cookies, &verdict);
		if (verdict != DS_COOKIE_VALID || cookies[0][0] != (uint8_t)epoch)
			atomic_fetch_add(&h->bad_cookies, 1);
		if (v->generation != g || ds_cookie_keyset_epoch(v->keys) != epoch ||
		    (v->blocklist != NULL ? ds_blocklist_count(v->blocklist) : 0) != listed)
			atomic_fetch_add(&h->torn, 1);
		ds_view_quiescent(&h->pub, id);
		atomic_fetch_add(&h->loops, 1);
	}
	ds_view_reader_offline(&h->pub, id);
	ds_cookie_engine_destroy(e);
	return NULL;
}

static void
check_hammer(void)
{
	static struct hammer h;
	struct ds_keyring *kr = keyring_at(EPOCH);
	pthread_t threads[READERS];
	unsigned long changes = 0, busy = 0, k;
	const time_t deadline = time(NULL) + HAMMER_SECONDS;
	char err[128];
	unsigned i;

	if (ds_view_init(&h.pub, READERS, SOCKET_ID_ANY, ds_keyring_current(kr), NULL, 0, err, sizeof(err)) != 0)
		tap_bail("view: %s", err);
	for (i = 0; i < READERS; i++)
		pthread_create(&threads[i], NULL, reader_thread, &h);
	/* Every change a new key epoch or a new blocklist: the control plane publishes as fast as it can. */
	for (k = 1; time(NULL) < deadline; k++) {
		struct ds_view_change c = { 0 };
		struct ds_blocklist *list = NULL;
		int rc;

		if (k % 2 == 0) {
			ds_keyring_update(kr, fixture_time(EPOCH + k, PERIOD, 0));
			c.keys = ds_keyring_current(kr);
		} else {
			c.set_blocklist = true;
			c.blocklist = list = one_prefix((unsigned)k);
		}
		rc = ds_view_publish(&h.pub, &c);
		changes += rc == 1;
		busy += rc == -EBUSY;
		if (rc != 1) {
			ds_blocklist_free(list);
			/* Two cores, three threads: let the readers move on. */
			sched_yield();
		}
		ds_view_reclaim(&h.pub);
	}
	atomic_store(&h.stop, true);
	for (i = 0; i < READERS; i++)
		pthread_join(threads[i], NULL);
	tap_diag("%lu views published (%lu refused while readers were behind), %lu reader loops", changes, busy,
		 atomic_load(&h.loops));
	tap_check(changes >= MIN_CHANGES && atomic_load(&h.loops) >= 100 * MIN_CHANGES,
		  "%lu changes in %d s under %d busy readers (at least %d needed for the test to mean something)",
		  changes, HAMMER_SECONDS, READERS, MIN_CHANGES);
	tap_check(atomic_load(&h.torn) == 0, "no reader saw its view change under it (%lu did)", atomic_load(&h.torn));
	tap_check(atomic_load(&h.bad_cookies) == 0, "every cookie made with a view's keys verified with them (%lu did not)",
		  atomic_load(&h.bad_cookies));
	ds_view_reclaim(&h.pub);
	tap_check(h.pub.n_retired == 0, "readers offline: every replaced view freed (%u left)", h.pub.n_retired);
	ds_view_free(&h.pub);
	ds_keyring_destroy(kr);
}

int
main(int argc, char **argv)
{
	(void)argc;
	data_path_eal(argv[0], 256);
	fixture_secret(&master, 48);
	check_carry_over();
	check_reclamation();
	check_hammer();
	rte_eal_cleanup();
	return tap_done();
}
