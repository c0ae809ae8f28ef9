/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_keyring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyset.h"

/* Two slots built in turn: the set handed out last stays valid through the next update. */
enum { SLOTS = 2 };

struct ds_keyring {
	struct ds_cookie_keyset *slots;   /* SLOTS, cache-aligned */
	unsigned current;                 /* index of the set in force */
	uint64_t next_generation;
	struct ds_cookie_params params;
	struct ds_secret master;
	struct ds_secret also;            /* a rotation's other master: accepted, never used to make */
	bool has_also;
	IMB_MGR *mgr;
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

static void
build(struct ds_keyring *kr, unsigned slot, uint64_t now_ms)
{
	keyset_build(&kr->slots[slot], kr->mgr, &kr->master, kr->has_also ? &kr->also : NULL, &kr->params,
		     epoch_at(&kr->params, now_ms), next_accepted_at(&kr->params, now_ms), kr->next_generation++);
	kr->current = slot;
}

static bool
secret_length_ok(const struct ds_secret *s, char *err, size_t err_len)
{
	if (s->len >= DS_SECRET_MIN_LEN && s->len <= DS_SECRET_MAX_LEN)
		return true;
	snprintf(err, err_len, "master secret of %zu bytes (expected %d..%d)", s->len, DS_SECRET_MIN_LEN,
		 DS_SECRET_MAX_LEN);
	return false;
}

static bool
same_secret(const struct ds_secret *a, const struct ds_secret *b)
{
	return a->len == b->len && ds_ct_memneq(a->bytes, b->bytes, a->len) == 0;
}

struct ds_keyring *
ds_keyring_create(const struct ds_cookie_params *params, const struct ds_secret *master,
		  uint64_t now_ms, char *err, size_t err_len)
{
	struct ds_keyring *kr;
	void *slots;

	if (ds_cookie_params_check(params, err, err_len) != 0)
		return NULL;
	if (!secret_length_ok(master, err, err_len))
		return NULL;
	kr = calloc(1, sizeof(*kr));
	if (kr == NULL || posix_memalign(&slots, 64, SLOTS * sizeof(*kr->slots)) != 0) {
		snprintf(err, err_len, "out of memory");
		free(kr);
		return NULL;
	}
	memset(slots, 0, SLOTS * sizeof(*kr->slots));
	kr->slots = slots;
	kr->params = *params;
	kr->master = *master;
	kr->next_generation = 1;
	kr->mgr = imb_mgr_create(err, err_len);
	if (kr->mgr == NULL) {
		ds_keyring_destroy(kr);
		return NULL;
	}
	build(kr, 0, now_ms);
	return kr;
}

void
ds_keyring_destroy(struct ds_keyring *kr)
{
	if (kr == NULL)
		return;
	if (kr->mgr != NULL)
		free_mb_mgr(kr->mgr);
	ds_secret_wipe(kr->slots, SLOTS * sizeof(*kr->slots));
	free(kr->slots);
	ds_secret_wipe(&kr->master, sizeof(kr->master));
	ds_secret_wipe(&kr->also, sizeof(kr->also));
	free(kr);
}

int
ds_keyring_update(struct ds_keyring *kr, uint64_t now_ms)
{
	const struct ds_cookie_keyset *cur = &kr->slots[kr->current];

	if (cur->keys[0].epoch == epoch_at(&kr->params, now_ms) &&
	    (cur->n_keys == 3) == next_accepted_at(&kr->params, now_ms))
		return 0;
	build(kr, kr->current ^ 1, now_ms);
	return 1;
}

int
ds_keyring_set_masters(struct ds_keyring *kr, const struct ds_secret *master, const struct ds_secret *also,
		       uint64_t now_ms, char *err, size_t err_len)
{
	if (!secret_length_ok(master, err, err_len) || (also != NULL && !secret_length_ok(also, err, err_len)))
		return -1;
	if (also != NULL && same_secret(master, also)) {
		snprintf(err, err_len, "the accepted secret is the master secret itself");
		return -1;
	}
	if (same_secret(&kr->master, master) && kr->has_also == (also != NULL) &&
	    (also == NULL || same_secret(&kr->also, also)))
		return 0;
	kr->master = *master;
	ds_secret_wipe(&kr->also, sizeof(kr->also));
	kr->has_also = also != NULL;
	if (also != NULL)
		kr->also = *also;
	build(kr, kr->current ^ 1, now_ms);
	return 1;
}

bool
ds_keyring_accepts_also(const struct ds_keyring *kr)
{
	return kr->has_also;
}

const struct ds_cookie_keyset *
ds_keyring_current(const struct ds_keyring *kr)
{
	return &kr->slots[kr->current];
}

size_t
ds_cookie_keyset_size(void)
{
	return sizeof(struct ds_cookie_keyset);
}

void
ds_cookie_keyset_copy(struct ds_cookie_keyset *dst, const struct ds_cookie_keyset *src)
{
	memcpy(dst, src, sizeof(*dst));
}

void
ds_cookie_keyset_wipe(struct ds_cookie_keyset *ks)
{
	ds_secret_wipe(ks, sizeof(*ks));
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

void
ds_keyring_derive(const struct ds_keyring *kr, const char *label, uint8_t key[32])
{
	imb_hmac_sha256(kr->mgr, kr->master.bytes, kr->master.len, (const uint8_t *)label, strlen(label), key);
}

int
ds_hmac_sha256(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len, uint8_t out[32])
{
	char err[128];
	IMB_MGR *mgr = imb_mgr_create(err, sizeof(err));
	int rc;

	if (mgr == NULL)
		return -ENOTSUP;
	rc = imb_hmac_sha256_any(mgr, key, key_len, msg, msg_len, out);
	free_mb_mgr(mgr);
	return rc;
}
