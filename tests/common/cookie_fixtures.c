/* SPDX-License-Identifier: BSD-3-Clause */
#include "cookie_fixtures.h"

#include <string.h>

#include "tap.h"

static uint64_t state = 0x2545F4914F6CDD1DULL;

uint64_t
fixture_rand(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1DULL;
}

void
fixture_bytes(uint8_t *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)(fixture_rand() >> 56);
}

/* The ClientHello body behind the request's random, with random vectors the wolfssl format covers. */
static void
fixture_hello(struct stored_request *s)
{
	const unsigned sid = (unsigned)(fixture_rand() % 33), suites = 2 * (unsigned)(1 + fixture_rand() % 32),
		       compression = (unsigned)(1 + fixture_rand() % 4);
	uint8_t *p = s->hello;

	*p++ = 0xfe;
	*p++ = 0xfd;
	memcpy(p, s->random, 32);
	p += 32;
	*p++ = (uint8_t)sid;
	fixture_bytes(p, sid);
	p += sid;
	*p++ = 0; /* no cookie */
	*p++ = 0;
	*p++ = (uint8_t)suites;
	s->req.suites_at = (uint16_t)(p - s->hello);
	fixture_bytes(p, suites);
	p += suites;
	*p++ = (uint8_t)compression;
	fixture_bytes(p, compression);
	s->req.hello_body = s->hello;
	s->req.session_id_len = (uint8_t)sid;
	s->req.suites_len = (uint16_t)suites;
	s->req.compression_len = (uint8_t)compression;
}

void
fixture_request(struct stored_request *s, unsigned ip_version)
{
	memset(s, 0, sizeof(*s));
	fixture_bytes(s->client_addr, sizeof(s->client_addr));
	fixture_bytes(s->server_addr, sizeof(s->server_addr));
	fixture_bytes(s->random, sizeof(s->random));
	s->req.client_addr = s->client_addr;
	s->req.server_addr = s->server_addr;
	s->req.client_random = s->random;
	s->req.client_port = (uint16_t)(1 + fixture_rand() % 65535);
	s->req.server_port = (uint16_t)(1 + fixture_rand() % 65535);
	s->req.ip_version = (uint8_t)ip_version;
	fixture_hello(s);
}

void
fixture_present(struct stored_request *s, const uint8_t *cookie, unsigned len)
{
	if (len > sizeof(s->cookie))
		tap_bail("fixture_present: %u-byte cookie", len);
	memcpy(s->cookie, cookie, len);
	s->req.cookie = s->cookie;
	s->req.cookie_len = (uint8_t)len;
}

void
fixture_secret(struct ds_secret *secret, size_t len)
{
	memset(secret, 0, sizeof(*secret));
	fixture_bytes(secret->bytes, len);
	secret->len = len;
}

uint64_t
fixture_time(uint64_t epoch, unsigned period_s, int64_t offset_ms)
{
	return (uint64_t)((int64_t)(epoch * period_s * 1000) + offset_ms);
}

struct ds_keyring *
fixture_keyring(enum ds_cookie_mode mode, unsigned cookie_len, unsigned period_s, unsigned skew_ms,
		const struct ds_secret *master, uint64_t now_ms)
{
	struct ds_cookie_params p = { .mode = mode, .cookie_len = cookie_len, .period_s = period_s,
				      .skew_ms = skew_ms };
	char err[256];
	struct ds_keyring *kr = ds_keyring_create(&p, master, now_ms, err, sizeof(err));

	if (kr == NULL)
		tap_bail("keyring: %s", err);
	return kr;
}
