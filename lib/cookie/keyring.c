/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_keyring.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyset.h"

/* A reader that holds nothing: it never delays reuse. */
#define READER_OFFLINE UINT64_MAX

struct reader {
	alignas(64) _Atomic uint64_t seen; /* generation of the set it acquired last */
};

struct ds_keyring {
	_Atomic(struct ds_cookie_keyset *) current;
	struct ds_cookie_keyset *slots;   /* DS_KEYRING_SLOTS, cache-aligned */
	uint64_t next_generation;
	unsigned n_readers;
	struct ds_cookie_params params;
	struct ds_secret master;
	IMB_MGR *mgr;
	struct reader readers[DS_KEYRING_MAX_READERS];
};

static uint64_t
epoch_at(const struct ds_cookie_params *p, uint64_t now_ms)
{
	return now_ms / ((uint64_t)p->period_s * 1000);
}

/* Inside the skew window, a peer whose clock runs ahead may already issue the next epoch's cookies. */
static bool
next_accepted_at(const struct ds_cookie_params *p, uint64_t now_ms)
{
	const uint64_t period_ms = (uint64_t)p->period_s * 1000;

	return now_ms + p->skew_ms >= (epoch_at(p, now_ms) + 1) * period_ms;
}

/* A slot may be rebuilt once no reader can still be reading it. */
static bool
slot_free(struct ds_keyring *kr, const struct ds_cookie_keyset *slot)
{
	unsigned i;

	if (slot == atomic_load(&kr->current))
		return false;
	if (slot->generation == 0)
		return true; /* never published: nobody can hold it */
	for (i = 0; i < kr->n_readers; i++)
		if (atomic_load(&kr->readers[i].seen) <= slot->generation)
			return false;
	return true;
}

static void
publish(struct ds_keyring *kr, struct ds_cookie_keyset *slot, uint64_t now_ms)
{
	keyset_build(slot, kr->mgr, &kr->master, &kr->params, epoch_at(&kr->params, now_ms),
		     next_accepted_at(&kr->params, now_ms), kr->next_generation++);
	/* Everything written above is visible to a reader that loads this pointer. */
	atomic_store(&kr->current, slot);
}

struct ds_keyring *
ds_keyring_create(const struct ds_cookie_params *params, const struct ds_secret *master,
		  uint64_t now_ms, char *err, size_t err_len)
{
	struct ds_keyring *kr;
	void *slots;

	if (ds_cookie_params_check(params, err, err_len) != 0)
		return NULL;
	if (master->len < DS_SECRET_MIN_LEN || master->len > DS_SECRET_MAX_LEN) {
		snprintf(err, err_len, "master secret of %zu bytes (expected %d..%d)", master->len,
			 DS_SECRET_MIN_LEN, DS_SECRET_MAX_LEN);
		return NULL;
	}
	kr = aligned_alloc(64, sizeof(*kr));
	if (kr == NULL || posix_memalign(&slots, 64, DS_KEYRING_SLOTS * sizeof(*kr->slots)) != 0) {
		snprintf(err, err_len, "out of memory");
		free(kr);
		return NULL;
	}
	memset(kr, 0, sizeof(*kr));
	memset(slots, 0, DS_KEYRING_SLOTS * sizeof(*kr->slots));
	kr->slots = slots;
	kr->params = *params;
	kr->master = *master;
	kr->next_generation = 1;
	kr->mgr = imb_mgr_create(err, err_len);
	if (kr->mgr == NULL) {
		ds_keyring_destroy(kr);
		return NULL;
	}
	publish(kr, &kr->slots[0], now_ms);
	return kr;
}

void
ds_keyring_destroy(struct ds_keyring *kr)
{
	if (kr == NULL)
		return;
	if (kr->mgr != NULL)
		free_mb_mgr(kr->mgr);
	ds_secret_wipe(kr->slots, DS_KEYRING_SLOTS * sizeof(*kr->slots));
	free(kr->slots);
	ds_secret_wipe(&kr->master, sizeof(kr->master));
	free(kr);
}

int
ds_keyring_update(struct ds_keyring *kr, uint64_t now_ms)
{
	const struct ds_cookie_keyset *cur = atomic_load(&kr->current);
	unsigned i;

	if (cur->keys[0].epoch == epoch_at(&kr->params, now_ms) &&
	    (cur->n_keys == 3) == next_accepted_at(&kr->params, now_ms))
		return 0;
	for (i = 0; i < DS_KEYRING_SLOTS; i++) {
		if (slot_free(kr, &kr->slots[i])) {
			publish(kr, &kr->slots[i], now_ms);
			return 1;
		}
	}
	return -EBUSY;
}

int
ds_keyring_reader_register(struct ds_keyring *kr)
{
	if (kr->n_readers == DS_KEYRING_MAX_READERS)
		return -ENOSPC;
	/* Seen 0 holds every slot until the first acquire: the worker may start reading any time. */
	atomic_store(&kr->readers[kr->n_readers].seen, 0);
	return (int)kr->n_readers++;
}

void
ds_keyring_reader_offline(struct ds_keyring *kr, unsigned reader)
{
	atomic_store(&kr->readers[reader].seen, READER_OFFLINE);
}

const struct ds_cookie_keyset *
ds_keyring_acquire(struct ds_keyring *kr, unsigned reader)
{
	/*
	 * Sequentially consistent on both sides: if the control plane reads our old generation after
	 * publishing, our load below is ordered after its publication and returns the new set.
	 */
	const struct ds_cookie_keyset *ks = atomic_load(&kr->current);

	atomic_store(&kr->readers[reader].seen, ks->generation);
	return ks;
}

uint64_t
ds_keyring_clock_ms(void)
{
	struct timespec ts;

	/* Real time, not monotonic: appliances and backends on different hosts must agree on epochs. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
ds_cookie_keyset_epoch(const struct ds_cookie_keyset *ks)
{
	return ks->keys[0].epoch;
}

bool
ds_cookie_keyset_accepts_next(const struct ds_cookie_keyset *ks)
{
	return ks->n_keys == 3;
}

uint64_t
ds_cookie_keyset_generation(const struct ds_cookie_keyset *ks)
{
	return ks->generation;
}

const struct ds_cookie_params *
ds_cookie_keyset_params(const struct ds_cookie_keyset *ks)
{
	return &ks->params;
}

int
ds_cookie_epoch_key(const struct ds_secret *master, uint64_t epoch, uint8_t key[DS_COOKIE_EPOCH_KEY_LEN])
{
	char err[128];
	IMB_MGR *mgr = imb_mgr_create(err, sizeof(err));

	if (mgr == NULL)
		return -ENOTSUP;
	keyset_derive(mgr, master, epoch, key);
	free_mb_mgr(mgr);
	return 0;
}
