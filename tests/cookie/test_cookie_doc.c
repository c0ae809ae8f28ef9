/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test vectors printed in docs/cookie-format.md, read from the document itself: the engine and
 * the independent reference must both reproduce every field (epoch, K_epoch, MAC input, cookie), and
 * the engine must accept the document's cookie. A vector edited by hand, or an engine that drifts from
 * the spec, fails here.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "reference_mac.h"
#include "tap.h"

enum { FIELD_MAX = 2100 };

struct vector {
	char format[32], client[64], server[64], verdict[16];
	unsigned long long unix_ms, epoch, verified_at_ms;
	unsigned period, client_port, server_port, cookie_len, number, skew_ms;
	uint8_t master[64], random[32], k_epoch[32], input[1024], cookie[32];
	uint8_t version[2], session_id[32], suites[512], compression[16];
	size_t master_len, input_len, session_id_len, suites_len, compression_len;
	unsigned fields;
};

static size_t
unhex(const char *text, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned byte;

	while (n < max && sscanf(text + 2 * n, "%2x", &byte) == 1)
		out[n++] = (uint8_t)byte;
	return n;
}

/* One "key   value" line of a vector block. */
static void
parse_line(struct vector *v, const char *line)
{
	char key[32], value[FIELD_MAX + 1];

	if (sscanf(line, "%31s %2100s", key, value) != 2)
		return;
	v->fields++;
#define NUM(k, dst) if (strcmp(key, k) == 0) { dst = strtoull(value, NULL, 10); return; }
#define STR(k, dst) if (strcmp(key, k) == 0) { snprintf(dst, sizeof(dst), "%.*s", (int)sizeof(dst) - 1, value); return; }
	NUM("vector", v->number)
	NUM("period", v->period)
	NUM("unix_ms", v->unix_ms)
	NUM("epoch", v->epoch)
	NUM("client_port", v->client_port)
	NUM("server_port", v->server_port)
	NUM("cookie_len", v->cookie_len)
	NUM("verified_at_ms", v->verified_at_ms)
	NUM("skew_ms", v->skew_ms)
	STR("verdict", v->verdict)
	STR("format", v->format)
	STR("client", v->client)
	STR("server", v->server)
#undef NUM
#undef STR
	if (strcmp(key, "master") == 0)
		v->master_len = unhex(value, v->master, sizeof(v->master));
	else if (strcmp(key, "client_random") == 0)
		unhex(value, v->random, sizeof(v->random));
	else if (strcmp(key, "k_epoch") == 0)
		unhex(value, v->k_epoch, sizeof(v->k_epoch));
	else if (strcmp(key, "mac_input") == 0 || strcmp(key, "client_data") == 0)
		v->input_len = unhex(value, v->input, sizeof(v->input));
	else if (strcmp(key, "cookie") == 0)
		unhex(value, v->cookie, sizeof(v->cookie));
	else if (strcmp(key, "client_version") == 0)
		unhex(value, v->version, sizeof(v->version));
	else if (strcmp(key, "session_id") == 0)
		v->session_id_len = strcmp(value, "-") == 0 ? 0 : unhex(value, v->session_id, sizeof(v->session_id));
	else if (strcmp(key, "cipher_suites") == 0)
		v->suites_len = unhex(value, v->suites, sizeof(v->suites));
	else if (strcmp(key, "compression") == 0)
		v->compression_len = unhex(value, v->compression, sizeof(v->compression));
	else
		v->fields--;
}

/* §2: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries. 0 if readable. */
static int
address(const char *text, unsigned *ip_version, uint8_t out[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (inet_pton(AF_INET, text, out) == 1) {
		*ip_version = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out) != 1)
		return -1;
	*ip_version = 6;
	if (memcmp(out, mapped, sizeof(mapped)) == 0) {
		memmove(out, out + 12, 4);
		*ip_version = 4;
	}
	return 0;
}

/* The wolfssl format's ClientHello body, from the vector's fields, behind @p req. */
static void
hello_of(const struct vector *v, uint8_t *body, struct ds_cookie_request *req)
{
	uint8_t *p = body;

	memcpy(p, v->version, 2);
	memcpy(p + 2, v->random, 32);
	p[34] = (uint8_t)v->session_id_len;
	memcpy(p + 35, v->session_id, v->session_id_len);
	p += 35 + v->session_id_len;
	*p++ = 0;
	*p++ = (uint8_t)(v->suites_len >> 8);
	*p++ = (uint8_t)v->suites_len;
	req->suites_at = (uint16_t)(p - body);
	memcpy(p, v->suites, v->suites_len);
	p += v->suites_len;
	*p++ = (uint8_t)v->compression_len;
	memcpy(p, v->compression, v->compression_len);
	req->hello_body = body;
	req->session_id_len = (uint8_t)v->session_id_len;
	req->suites_len = (uint16_t)v->suites_len;
	req->compression_len = (uint8_t)v->compression_len;
}

/* §5: the vector's cookie judged by a verifier at verified_at_ms with its skew. */
static const char *
judge(const struct vector *v, const struct ds_cookie_params *made, struct ds_cookie_request *req,
      struct ds_cookie_engine *e)
{
	struct ds_cookie_params p = *made;
	uint8_t cookies[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdict;
	struct ds_keyring *kr;
	struct ds_secret master = { .len = v->master_len };
	char err[200];

	p.skew_ms = v->skew_ms;
	memcpy(master.bytes, v->master, v->master_len);
	if ((kr = ds_keyring_create(&p, &master, v->verified_at_ms, err, sizeof(err))) == NULL)
		return "no key ring for the verifier";
	ds_cookie_engine_run(e, ds_keyring_current(kr), req, 1, cookies, &verdict);
	ds_keyring_destroy(kr);
	if (strcmp(v->verdict, verdict == DS_COOKIE_VALID ? "accepted" : "refused") != 0)
		return "the engine's verdict at verified_at_ms differs";
	return NULL;
}

static void
check_vector(const struct vector *v, struct ds_cookie_engine *e, struct reference_mac *ref)
{
	const int mode = ds_cookie_mode_parse(v->format);
	const unsigned required = mode == DS_COOKIE_WOLFSSL ? 19 : 15, acceptance = v->verified_at_ms != 0 ? 3 : 0;
	unsigned ip_version = 0, server_version = 0;
	struct ds_secret master = { .len = v->master_len };
	uint8_t caddr[16], saddr[16], key[32], input[1024], cookie[32], cookies[1][DS_COOKIE_MAX_LEN], body[1024];
	struct ds_cookie_request req = { .client_addr = caddr, .server_addr = saddr, .client_random = v->random,
					 .client_port = (uint16_t)v->client_port,
					 .server_port = (uint16_t)v->server_port };
	struct ds_cookie_params p = { .cookie_len = v->cookie_len, .period_s = v->period, .skew_ms = 0 };
	struct ds_keyring *kr;
	enum ds_cookie_verdict verdict;
	const char *verdict_why;
	char err[200], why[200] = "";
	size_t n;

	if (mode < 0 || v->fields != required + acceptance || address(v->client, &ip_version, caddr) != 0 ||
	    address(v->server, &server_version, saddr) != 0 || ip_version != server_version) {
		tap_check(false, "vector %u is complete and readable (%u fields)", v->number, v->fields);
		return;
	}
	req.ip_version = (uint8_t)ip_version;
	p.mode = (enum ds_cookie_mode)mode;
	memcpy(master.bytes, v->master, v->master_len);
	if (mode == DS_COOKIE_WOLFSSL)
		hello_of(v, body, &req);
	n = mode == DS_COOKIE_GNUTLS    ? ds_cookie_gnutls_client_data(&req, input)
	    : mode == DS_COOKIE_WOLFSSL ? ds_cookie_wolfssl_input(&req, input)
					: ds_cookie_input(&req, input);
	ds_cookie_epoch_key(&master, v->epoch, key);
	kr = ds_keyring_create(&p, &master, v->unix_ms, err, sizeof(err));
	if (kr == NULL)
		tap_bail("vector %u: %s", v->number, err);
	ds_cookie_engine_run(e, ds_keyring_current(kr), &req, 1,
			     cookies, &verdict);
	if (v->unix_ms / 1000 / v->period != v->epoch)
		snprintf(why, sizeof(why), "epoch is not floor(unix time / period)");
	else if (memcmp(key, v->k_epoch, 32) != 0)
		snprintf(why, sizeof(why), "engine's K_epoch differs");
	else if (n != v->input_len || memcmp(input, v->input, n) != 0)
		snprintf(why, sizeof(why), "engine's MAC input differs");
	else if (memcmp(cookies[0], v->cookie, v->cookie_len) != 0)
		snprintf(why, sizeof(why), "engine's cookie differs");
	if (why[0] == '\0') {
		reference_epoch_key(ref, v->master, v->master_len, v->epoch, key);
		reference_cookie(ref, p.mode, key, v->epoch, &req, v->cookie_len, cookie);
		if (memcmp(key, v->k_epoch, 32) != 0 || memcmp(cookie, v->cookie, v->cookie_len) != 0)
			snprintf(why, sizeof(why), "the OpenSSL reference disagrees with the document");
	}
	req.cookie = v->cookie;
	req.cookie_len = (uint8_t)v->cookie_len;
	ds_cookie_engine_run(e, ds_keyring_current(kr), &req, 1, cookies, &verdict);
	if (why[0] == '\0' && verdict != DS_COOKIE_VALID)
		snprintf(why, sizeof(why), "engine says %s", ds_cookie_verdict_name(verdict));
	if (why[0] == '\0' && acceptance != 0 && (verdict_why = judge(v, &p, &req, e)) != NULL)
		snprintf(why, sizeof(why), "%s", verdict_why);
	tap_check(why[0] == '\0', "vector %u (%s, IPv%u%s, %u bytes): engine and OpenSSL reproduce it, engine "
		  "accepts its cookie%s%s %s", v->number, v->format, ip_version, strchr(v->client, ':') && ip_version == 4
		  ? " mapped" : "", v->cookie_len, acceptance ? ", and at verified_at_ms says " : "", v->verdict, why);
	ds_keyring_destroy(kr);
}

int
main(void)
{
	const char *root = getenv("DS_SOURCE_ROOT");
	char path[4096], line[FIELD_MAX + 64], err[200];
	struct ds_cookie_engine *e = ds_cookie_engine_create(err, sizeof(err));
	struct reference_mac *ref = reference_mac_create();
	struct vector v;
	unsigned vectors = 0;
	bool in_block = false;
	FILE *f;

	if (root == NULL || e == NULL)
		tap_bail("DS_SOURCE_ROOT unset or engine failed: %s", e ? "" : err);
	snprintf(path, sizeof(path), "%s/docs/cookie-format.md", root);
	f = fopen(path, "r");
	if (f == NULL)
		tap_bail("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "```text", 7) == 0) {
			memset(&v, 0, sizeof(v));
			in_block = true;
		} else if (in_block && strncmp(line, "```", 3) == 0) {
			in_block = false;
			if (v.number != 0) {
				check_vector(&v, e, ref);
				vectors++;
			}
		} else if (in_block) {
			parse_line(&v, line);
		}
	}
	fclose(f);
	tap_check(vectors >= 21, "docs/cookie-format.md holds %u vectors (all formats, both IP versions, a 64-byte "
		  "master, key_id wrap, acceptance around epoch boundaries, IPv4-mapped addresses)", vectors);
	reference_mac_destroy(ref);
	ds_cookie_engine_destroy(e);
	return tap_done();
}
