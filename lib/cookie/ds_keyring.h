/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_KEYRING_H
#define DS_KEYRING_H

/**
 * @file
 * Cookie keys over time: K_epoch for epoch = floor(unix time / period), the current, previous and (near
 * the next boundary) next epoch, precomputed by the control plane and published to the workers with
 * one atomic pointer store.
 *
 * Readers never block and never see a half-built key set: a set is built in a slot no reader can
 * hold, then published. A slot is reused only after every registered reader has acquired a newer set
 * since (quiescent-state reclamation), so the control plane never frees what a worker still reads.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_cookie.h"
#include "ds_secret.h"

/** Limits of a keyring. */
enum ds_keyring_limits {
	DS_KEYRING_MAX_READERS = 128, /**< one per worker lcore */
	DS_KEYRING_SLOTS = 4,         /**< published + ones readers may still hold + one to build in */
};

struct ds_keyring;
struct ds_cookie_keyset;

/**
 * Create a keyring and publish the key set for @p now_ms.
 *
 * @param master
 *   Master secret; copied (and wiped on destroy).
 * @param now_ms
 *   Unix time in milliseconds.
 * @param err
 *   Why creation failed (bad parameters, ipsec-mb unavailable, out of memory).
 * @return
 *   The keyring, or NULL.
 */
struct ds_keyring *ds_keyring_create(const struct ds_cookie_params *params,
				     const struct ds_secret *master, uint64_t now_ms, char *err,
				     size_t err_len);

/** Wipe every key and the master secret, and free the keyring. */
void ds_keyring_destroy(struct ds_keyring *kr);

/**
 * Control plane, called often (every 100 ms is plenty): publish a new key set when the epoch changed
 * or the clock entered the skew window before the next epoch.
 *
 * @return
 *   1 when a new set was published, 0 when nothing had to change, -EBUSY when every spare slot is
 *   still held by a reader (try again later; the published set stays valid).
 */
int ds_keyring_update(struct ds_keyring *kr, uint64_t now_ms);

/**
 * Register a reader (a worker). It counts as holding the newest set until its first acquire.
 *
 * @return
 *   Reader id, or -ENOSPC.
 */
int ds_keyring_reader_register(struct ds_keyring *kr);

/** A reader stops reading (worker exit): it no longer holds back slot reuse. */
void ds_keyring_reader_offline(struct ds_keyring *kr, unsigned reader);

/**
 * Fast path, once per burst: the published key set. The set acquired by the previous call of this
 * reader may be reused by the control plane from now on.
 */
const struct ds_cookie_keyset *ds_keyring_acquire(struct ds_keyring *kr, unsigned reader);

/** The clock key epochs follow: Unix time in milliseconds (CLOCK_REALTIME). */
uint64_t ds_keyring_clock_ms(void);

/** Epoch whose key makes new cookies in a key set. */
uint64_t ds_cookie_keyset_epoch(const struct ds_cookie_keyset *ks);

/** Whether a key set accepts cookies of the next epoch (inside the clock-skew window). */
bool ds_cookie_keyset_accepts_next(const struct ds_cookie_keyset *ks);

/** Generation number of a key set (increases by one with every publication). */
uint64_t ds_cookie_keyset_generation(const struct ds_cookie_keyset *ks);

/** Parameters a key set was built with. */
const struct ds_cookie_params *ds_cookie_keyset_params(const struct ds_cookie_keyset *ks);

/**
 * K_epoch = HMAC-SHA256(master, "dtls-scrubber cookie v1" ‖ epoch as 8 big-endian bytes), for test
 * vectors and the backend library.
 *
 * @return
 *   0, or -ENOMEM / -ENOTSUP when ipsec-mb cannot run.
 */
int ds_cookie_epoch_key(const struct ds_secret *master, uint64_t epoch,
			uint8_t key[DS_COOKIE_EPOCH_KEY_LEN]);

#endif /* DS_KEYRING_H */
