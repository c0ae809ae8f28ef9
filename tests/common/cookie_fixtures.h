/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_COOKIE_FIXTURES_H
#define DS_TEST_COOKIE_FIXTURES_H

/**
 * @file
 * Random cookie requests and ready keyrings for the cookie tests (deterministic: a failure replays).
 */

#include <stdint.h>

#include "ds_cookie.h"
#include "ds_keyring.h"

/** A request with its own storage. */
struct stored_request {
	uint8_t client_addr[16];
	uint8_t server_addr[16];
	uint8_t random[32];
	uint8_t cookie[DS_COOKIE_MAX_LEN + 8];
	/* A ClientHello body for the wolfssl format: version, the random above, a random session_id,
	 * no cookie, 2..64 bytes of cipher suites, 1..4 compression methods. */
	uint8_t hello[160];
	struct ds_cookie_request req;
};

/** Deterministic pseudo-random numbers (xorshift64*). */
uint64_t fixture_rand(void);

/** Random bytes from fixture_rand(). */
void fixture_bytes(uint8_t *out, size_t len);

/** A random request of the given IP version (4 or 6), without a cookie. */
void fixture_request(struct stored_request *s, unsigned ip_version);

/** Give a stored request a presented cookie (copied). */
void fixture_present(struct stored_request *s, const uint8_t *cookie, unsigned len);

/** A random master secret of @p len bytes. */
void fixture_secret(struct ds_secret *secret, size_t len);

/** Unix time in ms, @p offset_ms into @p epoch for @p period_s. */
uint64_t fixture_time(uint64_t epoch, unsigned period_s, int64_t offset_ms);

/** A keyring or bail out. */
struct ds_keyring *fixture_keyring(enum ds_cookie_mode mode, unsigned cookie_len, unsigned period_s,
				   unsigned skew_ms, const struct ds_secret *master, uint64_t now_ms);

#endif /* DS_TEST_COOKIE_FIXTURES_H */
