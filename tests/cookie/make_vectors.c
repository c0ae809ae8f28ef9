/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Print the test vectors of docs/cookie-format.md, computed by the independent reference (OpenSSL's
 * EVP_MAC, layouts written from the spec), never by lib/cookie. test_cookie_doc checks the document's
 * vectors against both. Regenerate with: build-release/tests/cookie/make_vectors
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ds_cookie.h"
#include "reference_mac.h"

struct spec {
	enum ds_cookie_mode mode;
	unsigned ip_version, cookie_len;
	const char *client, *server; /**< as written in the vector (IPv4-mapped IPv6 allowed, §2) */
	uint16_t client_port, server_port;
	uint64_t unix_ms;
	unsigned period_s;
	size_t master_len;           /**< 32, or 64 (the longest master) */
	uint64_t verified_at_ms;     /**< acceptance vectors (§5): when a verifier judges the cookie; 0 = none */
	unsigned skew_ms;
	const char *session_id, *cipher_suites, *compression; /**< wolfssl format: ClientHello fields (hex) */
};

static size_t unhex(const char *text, uint8_t *out);

/* Unix ms inside epoch @p e of 60 s, @p ms into it. */
#define AT(e, ms) ((uint64_t)(e) * 60000 + (ms))
/* An epoch whose key_id is 255: the next one wraps to 0. */
enum { WRAP_EPOCH = 29916671 };

static const struct spec specs[] = {
	{ DS_COOKIE_HMAC_SHA256, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 32, 0, 0 },
	{ DS_COOKIE_HMAC_SHA256, 6, 32, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000059999ULL, 60, 32, 0, 0 },
	{ DS_COOKIE_HMAC_SHA256, 4, 8, "203.0.113.200", "198.51.100.7", 1, 5684, 1795000060000ULL, 60, 32, 0, 0 },
	{ DS_COOKIE_HMAC_SHA1, 4, 21, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 32, 0, 0 },
	{ DS_COOKIE_HMAC_SHA1, 6, 8, "fe80::1", "fe80::2", 65535, 443, 1795000000000ULL, 3600, 32, 0, 0 },
	{ DS_COOKIE_AES_CMAC, 4, 17, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 32, 0, 0 },
	{ DS_COOKIE_AES_CMAC, 6, 16, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000000000ULL, 1, 32, 0, 0 },
	{ DS_COOKIE_GNUTLS, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 32, 0, 0 },
	{ DS_COOKIE_GNUTLS, 6, 16, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000000000ULL, 60, 32, 0, 0 },
	/* The longest master secret. */
	{ DS_COOKIE_HMAC_SHA256, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 64, 0, 0 },
	{ DS_COOKIE_AES_CMAC, 6, 16, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000000000ULL, 60, 64, 0, 0 },
	/* key_id 255, judged in the next epoch (key_id 0): e - 1, accepted; two epochs later, refused. */
	{ DS_COOKIE_HMAC_SHA256, 6, 16, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, AT(WRAP_EPOCH, 30000), 60, 32,
	  AT(WRAP_EPOCH + 1, 59999), 2000 },
	{ DS_COOKIE_HMAC_SHA256, 6, 16, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, AT(WRAP_EPOCH, 30000), 60, 32,
	  AT(WRAP_EPOCH + 2, 0), 2000 },
	/* Made by a clock ahead (epoch e + 1), judged in epoch e: from exactly skew before the boundary on. */
	{ DS_COOKIE_HMAC_SHA1, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, AT(WRAP_EPOCH + 1, 500), 60, 32,
	  AT(WRAP_EPOCH, 58000), 2000 },
	{ DS_COOKIE_HMAC_SHA1, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, AT(WRAP_EPOCH + 1, 500), 60, 32,
	  AT(WRAP_EPOCH, 57999), 2000 },
	{ DS_COOKIE_GNUTLS, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, AT(WRAP_EPOCH, 10), 60, 32,
	  AT(WRAP_EPOCH + 1, 10), 2000 },
	/* A dual-stack server sees IPv4 peers as IPv4-mapped IPv6 addresses: the same cookies as vectors 1 and 8. */
	{ DS_COOKIE_HMAC_SHA256, 4, 16, "::ffff:192.0.2.1", "::ffff:198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 32, 0, 0 },
	{ DS_COOKIE_GNUTLS, 4, 16, "::ffff:192.0.2.1", "::ffff:198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 32, 0, 0 },
	/* wolfSSL's own layout: the client's sockaddr and ClientHello fields, no key_id. */
	{ DS_COOKIE_WOLFSSL, 4, 32, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60, 32, 0, 0, "",
	  "c02bc02fc02cc030cca9cca8c013c009c014c00a009c009d002f0035", "00" },
	{ DS_COOKIE_WOLFSSL, 6, 32, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000000000ULL, 60, 32, 0, 0,
	  "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f", "c02b00ff", "00" },
	{ DS_COOKIE_WOLFSSL, 4, 32, "::ffff:192.0.2.1", "::ffff:198.51.100.7", 51234, 4433, AT(WRAP_EPOCH, 100), 60, 64,
	  AT(WRAP_EPOCH + 1, 100), 2000, "", "c02bc02fc02cc030cca9cca8c013c009c014c00a009c009d002f0035", "00" },
};

/* The ClientHello body of a wolfssl vector: version, random, its session_id, no cookie, its suites and
 * compression methods (lengths written here; the format covers the bytes without them). */
static void
hello_of(const struct spec *s, const uint8_t random[32], uint8_t *body, struct ds_cookie_request *req)
{
	uint8_t *p = body;
	size_t n;

	*p++ = 0xfe;
	*p++ = 0xfd;
	memcpy(p, random, 32);
	p += 32;
	n = unhex(s->session_id, p + 1);
	*p = (uint8_t)n;
	p += 1 + n;
	req->session_id_len = (uint8_t)n;
	*p++ = 0;
	n = unhex(s->cipher_suites, p + 2);
	p[0] = (uint8_t)(n >> 8);
	p[1] = (uint8_t)n;
	req->suites_at = (uint16_t)(p + 2 - body);
	req->suites_len = (uint16_t)n;
	p += 2 + n;
	n = unhex(s->compression, p + 1);
	*p = (uint8_t)n;
	req->compression_len = (uint8_t)n;
	req->hello_body = body;
}

/* An address as §2 reads it: an IPv4-mapped IPv6 address is the IPv4 address it carries. */
static void
address(unsigned ip_version, const char *text, uint8_t out[16])
{
	uint8_t v6[16];

	if (ip_version == 4 && strchr(text, ':') != NULL && inet_pton(AF_INET6, text, v6) == 1)
		memcpy(out, v6 + 12, 4);
	else
		inet_pton(ip_version == 4 ? AF_INET : AF_INET6, text, out);
}

/* §5 written out: is a cookie of epoch @p c accepted by a verifier at @p now_ms? */
static bool
accepted(uint64_t c, uint64_t now_ms, unsigned period_s, unsigned skew_ms)
{
	const uint64_t period_ms = (uint64_t)period_s * 1000, e = now_ms / period_ms;

	return c == e || c + 1 == e || (c == e + 1 && now_ms + skew_ms >= (e + 1) * period_ms);
}

static size_t
unhex(const char *text, uint8_t *out)
{
	size_t n = 0;
	unsigned byte;

	while (text[2 * n] != '\0' && sscanf(text + 2 * n, "%2x", &byte) == 1)
		out[n++] = (uint8_t)byte;
	return n;
}

static void
hex(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	printf("%-15s", label);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

int
main(void)
{
	struct reference_mac *ref = reference_mac_create();
	uint8_t master[64], random[32];
	size_t i, k;

	for (k = 0; k < sizeof(master); k++)
		master[k] = (uint8_t)k;
	for (k = 0; k < sizeof(random); k++)
		random[k] = (uint8_t)(0xa0 + k);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct spec *s = &specs[i];
		uint8_t caddr[16], saddr[16], key[32], input[1024], cookie[32], body[1024];
		struct ds_cookie_request req = {
			.client_addr = caddr, .server_addr = saddr, .client_random = random,
			.client_port = s->client_port, .server_port = s->server_port,
			.ip_version = (uint8_t)s->ip_version,
		};
		const uint64_t epoch = s->unix_ms / 1000 / s->period_s;
		size_t n;

		address(s->ip_version, s->client, caddr);
		address(s->ip_version, s->server, saddr);
		if (s->mode == DS_COOKIE_WOLFSSL)
			hello_of(s, random, body, &req);
		reference_epoch_key(ref, master, s->master_len, epoch, key);
		reference_cookie(ref, s->mode, key, epoch, &req, s->cookie_len, cookie);
		n = s->mode == DS_COOKIE_GNUTLS    ? reference_sockaddr(&req, input)
		    : s->mode == DS_COOKIE_WOLFSSL ? reference_wolfssl_input(&req, input)
						   : reference_input(&req, input);
		printf("```text\n");
		printf("%-15s%zu\n", "vector", i + 1);
		printf("%-15s%s\n", "format", ds_cookie_mode_name(s->mode));
		hex("master", master, s->master_len);
		printf("%-15s%u\n", "period", s->period_s);
		printf("%-15s%llu\n", "unix_ms", (unsigned long long)s->unix_ms);
		printf("%-15s%llu\n", "epoch", (unsigned long long)epoch);
		printf("%-15s%s\n", "client", s->client);
		printf("%-15s%u\n", "client_port", s->client_port);
		printf("%-15s%s\n", "server", s->server);
		printf("%-15s%u\n", "server_port", s->server_port);
		hex("client_random", random, sizeof(random));
		if (s->mode == DS_COOKIE_WOLFSSL) {
			printf("%-15s%s\n", "client_version", "fefd");
			printf("%-15s%s\n", "session_id", s->session_id[0] ? s->session_id : "-");
			printf("%-15s%s\n", "cipher_suites", s->cipher_suites);
			printf("%-15s%s\n", "compression", s->compression);
		}
		hex("k_epoch", key, sizeof(key));
		hex(s->mode == DS_COOKIE_GNUTLS ? "client_data" : "mac_input", input, n);
		printf("%-15s%u\n", "cookie_len", s->cookie_len);
		hex("cookie", cookie, s->cookie_len);
		if (s->verified_at_ms != 0) {
			printf("%-15s%llu\n", "verified_at_ms", (unsigned long long)s->verified_at_ms);
			printf("%-15s%u\n", "skew_ms", s->skew_ms);
			printf("%-15s%s\n", "verdict",
			       accepted(epoch, s->verified_at_ms, s->period_s, s->skew_ms) ? "accepted" : "refused");
		}
		printf("```\n\n");
	}
	reference_mac_destroy(ref);
	return 0;
}
