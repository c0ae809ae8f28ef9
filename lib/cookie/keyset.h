/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_COOKIE_KEYSET_H
#define DS_COOKIE_KEYSET_H

/*
 * Inside lib/cookie only: the precomputed keys of the epochs a keyring accepts, and the ipsec-mb
 * helpers that build them.
 */

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "ds_cookie.h"
#include "ds_secret.h"

enum { KEYSET_MAX_KEYS = 3 };

/* One epoch's key, in the form ipsec-mb jobs point at: no per-packet key work. */
struct epoch_key {
	alignas(64) uint8_t ipad[32];  /* HMAC inner state after the padded key block */
	alignas(32) uint8_t opad[32];  /* HMAC outer state */
	alignas(16) uint32_t cmac_expanded[4 * 11];
	alignas(16) uint8_t cmac_k1[16];
	alignas(16) uint8_t cmac_k2[16];
	alignas(64) struct gcm_key_data token_gcm; /* QUIC Retry tokens of this epoch (ds_quic_token.h) */
	uint8_t token_iv[12];
	uint64_t epoch;
	uint8_t key_id;
};

/* What readers get from the keyring; never changed while published. */
struct ds_cookie_keyset {
	uint64_t generation;
	struct ds_cookie_params params;
	unsigned n_keys;                          /* 2, or 3 inside the clock-skew window */
	struct epoch_key keys[KEYSET_MAX_KEYS];   /* [0] current, [1] previous, [2] next */
	/* A master rotation's other secret: the same epochs' keys, accepted, never used to make cookies. */
	bool has_also;
	struct epoch_key also[KEYSET_MAX_KEYS];
};

/* Label of the key derivation (docs/cookie-format.md §3). */
#define DS_COOKIE_KDF_LABEL "dtls-scrubber cookie v1"

/* HMAC-SHA256 for keys and messages up to one block, with ipsec-mb's one-shot SHA-256. */
void imb_hmac_sha256(IMB_MGR *mgr, const uint8_t *key, size_t key_len, const uint8_t *msg,
		     size_t msg_len, uint8_t out[32]);

/* The same for a message of any length (a file, not a packet: it allocates). 0 or -ENOMEM. */
int imb_hmac_sha256_any(IMB_MGR *mgr, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
			uint8_t out[32]);

/* HMAC inner and outer states of a key (<= 64 bytes) for SHA-1 (20-byte states) or SHA-256. */
void imb_hmac_states(IMB_MGR *mgr, bool sha1, const uint8_t *key, size_t key_len, uint8_t *ipad,
		     uint8_t *opad);

/* K_epoch = HMAC-SHA256(master, label ‖ epoch as 8 big-endian bytes). */
void keyset_derive(IMB_MGR *mgr, const struct ds_secret *master, uint64_t epoch,
		   uint8_t key[DS_COOKIE_EPOCH_KEY_LEN]);

/* Derive K_epoch and precompute what @p mode needs. */
void keyset_fill_key(struct epoch_key *k, IMB_MGR *mgr, const struct ds_secret *master,
		     enum ds_cookie_mode mode, uint64_t epoch);

/* The QUIC token key and IV of an epoch, from its K_epoch (docs/quic-retry.md §2). */
void keyset_fill_token_key(struct epoch_key *k, IMB_MGR *mgr, const uint8_t epoch_key[DS_COOKIE_EPOCH_KEY_LEN]);

/* Fill a whole key set for @p epoch (and the next one when @p with_next); with the same epochs of
 * @p also (NULL: none) for a master rotation. */
void keyset_build(struct ds_cookie_keyset *ks, IMB_MGR *mgr, const struct ds_secret *master,
		  const struct ds_secret *also, const struct ds_cookie_params *params, uint64_t epoch,
		  bool with_next, uint64_t generation);

/* An ipsec-mb manager for the best code path this CPU runs; NULL with a reason in err. */
IMB_MGR *imb_mgr_create(char *err, size_t err_len);

/* The same in memory of the caller's (imb_get_mb_mgr_size() bytes, 64-byte aligned); nothing to free. */
IMB_MGR *imb_mgr_init_in(void *mem, char *err, size_t err_len);

#endif /* DS_COOKIE_KEYSET_H */
