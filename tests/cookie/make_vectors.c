/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Print the test vectors of docs/cookie-format.md, computed by the independent reference (OpenSSL's
 * EVP_MAC, layouts written from the spec), never by lib/cookie. test_cookie_doc checks the document's
 * vectors against both. Regenerate with: build-release/tests/cookie/make_vectors
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ds_cookie.h"
#include "reference_mac.h"

struct spec {
	enum ds_cookie_mode mode;
	unsigned ip_version, cookie_len;
	const char *client, *server;
	uint16_t client_port, server_port;
	uint64_t unix_ms;
	unsigned period_s;
};

static const struct spec specs[] = {
	{ DS_COOKIE_HMAC_SHA256, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60 },
	{ DS_COOKIE_HMAC_SHA256, 6, 32, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000059999ULL, 60 },
	{ DS_COOKIE_HMAC_SHA256, 4, 8, "203.0.113.200", "198.51.100.7", 1, 5684, 1795000060000ULL, 60 },
	{ DS_COOKIE_HMAC_SHA1, 4, 21, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60 },
	{ DS_COOKIE_HMAC_SHA1, 6, 8, "fe80::1", "fe80::2", 65535, 443, 1795000000000ULL, 3600 },
	{ DS_COOKIE_AES_CMAC, 4, 17, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60 },
	{ DS_COOKIE_AES_CMAC, 6, 16, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000000000ULL, 1 },
	{ DS_COOKIE_GNUTLS, 4, 16, "192.0.2.1", "198.51.100.7", 51234, 4433, 1795000000000ULL, 60 },
	{ DS_COOKIE_GNUTLS, 6, 16, "2001:db8::1", "2001:db8:ffff::4433", 40000, 4433, 1795000000000ULL, 60 },
};

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
	uint8_t master[32], random[32];
	size_t i, k;

	for (k = 0; k < sizeof(master); k++)
		master[k] = (uint8_t)k;
	for (k = 0; k < sizeof(random); k++)
		random[k] = (uint8_t)(0xa0 + k);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct spec *s = &specs[i];
		const int af = s->ip_version == 4 ? AF_INET : AF_INET6;
		uint8_t caddr[16], saddr[16], key[32], input[128], cookie[32];
		struct ds_cookie_request req = {
			.client_addr = caddr, .server_addr = saddr, .client_random = random,
			.client_port = s->client_port, .server_port = s->server_port,
			.ip_version = (uint8_t)s->ip_version,
		};
		const uint64_t epoch = s->unix_ms / 1000 / s->period_s;
		size_t n;

		inet_pton(af, s->client, caddr);
		inet_pton(af, s->server, saddr);
		reference_epoch_key(ref, master, sizeof(master), epoch, key);
		reference_cookie(ref, s->mode, key, epoch, &req, s->cookie_len, cookie);
		n = s->mode == DS_COOKIE_GNUTLS ? reference_sockaddr(&req, input) : reference_input(&req, input);
		printf("```text\n");
		printf("%-15s%zu\n", "vector", i + 1);
		printf("%-15s%s\n", "format", ds_cookie_mode_name(s->mode));
		hex("master", master, sizeof(master));
		printf("%-15s%u\n", "period", s->period_s);
		printf("%-15s%llu\n", "unix_ms", (unsigned long long)s->unix_ms);
		printf("%-15s%llu\n", "epoch", (unsigned long long)epoch);
		printf("%-15s%s\n", "client", s->client);
		printf("%-15s%u\n", "client_port", s->client_port);
		printf("%-15s%s\n", "server", s->server);
		printf("%-15s%u\n", "server_port", s->server_port);
		hex("client_random", random, sizeof(random));
		hex("k_epoch", key, sizeof(key));
		hex(s->mode == DS_COOKIE_GNUTLS ? "client_data" : "mac_input", input, n);
		printf("%-15s%u\n", "cookie_len", s->cookie_len);
		hex("cookie", cookie, s->cookie_len);
		printf("```\n\n");
	}
	reference_mac_destroy(ref);
	return 0;
}
