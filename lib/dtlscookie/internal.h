/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DTLSCOOKIE_INTERNAL_H
#define DTLSCOOKIE_INTERNAL_H

/* Inside libdtlscookie only: dck_* names stay hidden (dtlscookie.map exports dtlscookie_* alone). */

#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <stdint.h>

#include "dtlscookie.h"
#include "ds_cookie.h"
#include "ds_secret.h"

struct ds_cookie_keyset;
struct ds_keyring;
struct ds_cookie_engine;

enum { GNUTLS_KEY_LEN = 16, MAX_EPOCH_KEYS = 3, MAX_GNUTLS_KEYS = 2 * MAX_EPOCH_KEYS };

struct dtlscookie {
	enum dtlscookie_mode mode;
	struct ds_cookie_params params;
	pthread_mutex_t lock;            /* the engine and the key ring are single-threaded */
	struct ds_keyring *keyring;      /* which epochs are accepted now (in trust mode only that) */
	struct ds_cookie_engine *engine; /* verify and gnutls modes */
	struct ds_secret master;         /* gnutls mode: GnuTLS wants the raw epoch keys */
	struct ds_secret also;           /* gnutls mode, during a rotation: the other master's */
	bool has_also;
	uint64_t gnutls_epoch;           /* epoch the cached keys below start at (0 = none yet) */
	unsigned gnutls_n_keys;          /* 0: to be derived again */
	uint8_t gnutls_keys[MAX_GNUTLS_KEYS][GNUTLS_KEY_LEN]; /* current, previous, next; then the other master's */
};

/* The key set in force now (the keyring brought up to date); call with the lock held. */
const struct ds_cookie_keyset *dck_current_keys(struct dtlscookie *dc);

/* The epochs accepted now, current first: 2, or 3 inside the skew window. */
unsigned dck_epoch_keys(struct dtlscookie *dc, uint64_t epochs[MAX_EPOCH_KEYS]);

/* gnutls mode: the 16-byte keys of the accepted epochs, current first (the master's, then during a
 * rotation the other master's). Returns how many. */
unsigned dck_gnutls_keys(struct dtlscookie *dc, uint8_t keys[MAX_GNUTLS_KEYS][GNUTLS_KEY_LEN]);

/*
 * The cookie request of a ClientHello datagram; the addresses, unmapped, go into @p addrs, which the
 * request points into. 0, or -1 when it is no ClientHello or the families differ.
 */
int dck_request_of(const struct sockaddr *client, const struct sockaddr *server, const void *datagram, size_t len,
		   struct sockaddr_storage addrs[2], struct ds_cookie_request *req);

/* 1 when the request's cookie is good in @p dc's mode, else 0. */
int dck_verify_request(struct dtlscookie *dc, const struct ds_cookie_request *req);

/* The cookie for a request in @p dc's mode; 0, or -1. */
int dck_make_request(struct dtlscookie *dc, const struct ds_cookie_request *req, unsigned char *cookie,
		     unsigned *cookie_len);

/* @p in with an IPv4-mapped IPv6 address turned into the IPv4 address it carries; others copied. */
void dck_unmap(const struct sockaddr *in, struct sockaddr_storage *out);

/* The sockaddr GnuTLS and the scrubber compute over: address and port only, the rest zero (unmapped). */
unsigned dck_canonical_sockaddr(const struct sockaddr *in, uint8_t *out);

#endif /* DTLSCOOKIE_INTERNAL_H */
