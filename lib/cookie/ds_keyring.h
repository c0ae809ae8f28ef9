/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_KEYRING_H
#define DS_KEYRING_H

/**
 * @file
 * Cookie keys over time: K_epoch for epoch = floor(unix time / period), the current, previous and (near
 * the next boundary) next epoch, precomputed by their owner whenever the clock says so.
 *
 * A keyring has one owner (the appliance's control plane, a backend under its lock, a test) and no
 * readers of its own: the appliance copies each new key set into the view it publishes to its
 * workers (app/scrubber/view.h), so one publication mechanism serves keys, blocklist and challenge.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_cookie.h"
#include "ds_secret.h"

struct ds_keyring;
struct ds_cookie_keyset;

/**
 * Create a keyring and build the key set for @p now_ms.
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
 * Build a new key set when the epoch changed or the clock entered the skew window before the next
 * epoch (called often: every 100 ms is plenty).
 *
 * @return
 *   1 when ds_keyring_current() now returns a new set, 0 when nothing had to change.
 */
int ds_keyring_update(struct ds_keyring *kr, uint64_t now_ms);

/**
 * Change the master secret (a rotation, docs/cookie-format.md §5): new cookies are made with
 * @p master; cookies of @p also (NULL: none) are accepted too, for the epochs @p master's are. A new
 * key set is built at once, as by an update that returns 1.
 *
 * @return
 *   1 when the key set changed, 0 when the keyring already had these secrets, -1 (nothing changed)
 *   when a secret has the wrong length or @p also is @p master.
 */
int ds_keyring_set_masters(struct ds_keyring *kr, const struct ds_secret *master, const struct ds_secret *also,
			   uint64_t now_ms, char *err, size_t err_len);

/** Whether a second master's cookies are accepted now. */
bool ds_keyring_accepts_also(const struct ds_keyring *kr);

/**
 * The key set in force. The set stays valid until the second ds_keyring_update() after this call
 * that returns 1 (sets are built in turn in two slots), so a set taken before an update can still be
 * compared with the one after it.
 */
const struct ds_cookie_keyset *ds_keyring_current(const struct ds_keyring *kr);

/** Bytes of a key set, for a copy in memory of the caller's (ds_cookie_keyset_copy()). */
size_t ds_cookie_keyset_size(void);

/** Copy a key set (@p dst: ds_cookie_keyset_size() bytes, 64-byte aligned). */
void ds_cookie_keyset_copy(struct ds_cookie_keyset *dst, const struct ds_cookie_keyset *src);

/** Wipe a copied key set before its memory is freed. */
void ds_cookie_keyset_wipe(struct ds_cookie_keyset *ks);

/** The clock key epochs follow: Unix time in milliseconds (CLOCK_REALTIME). */
uint64_t ds_keyring_clock_ms(void);

/** Epoch whose key makes new cookies in a key set. */
uint64_t ds_cookie_keyset_epoch(const struct ds_cookie_keyset *ks);

/** Whether a key set accepts cookies of the next epoch (inside the clock-skew window). */
bool ds_cookie_keyset_accepts_next(const struct ds_cookie_keyset *ks);

/** Generation number of a key set (increases by one with every new set of its keyring). */
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

/**
 * A key for another use of the master secret: HMAC-SHA256(master, @p label), @p label at most 64
 * bytes. Appliances sharing the secret derive the same key.
 */
void ds_keyring_derive(const struct ds_keyring *kr, const char *label, uint8_t key[32]);

/**
 * HMAC-SHA256 of a message of any length with a key of at most 64 bytes, for files (it allocates and
 * sets up ipsec-mb: never per packet).
 *
 * @return
 *   0, or -ENOMEM / -ENOTSUP.
 */
int ds_hmac_sha256(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len, uint8_t out[32]);

#endif /* DS_KEYRING_H */
