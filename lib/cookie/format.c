/* SPDX-License-Identifier: BSD-3-Clause */
/* Cookie parameters, names, and the exact bytes each format covers. */
#include "ds_cookie.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *const mode_names[DS_COOKIE_MODE_COUNT] = {
	[DS_COOKIE_HMAC_SHA256] = "hmac-sha256",
	[DS_COOKIE_HMAC_SHA1] = "hmac-sha1",
	[DS_COOKIE_AES_CMAC] = "aes-cmac",
	[DS_COOKIE_GNUTLS] = "gnutls",
	[DS_COOKIE_WOLFSSL] = "wolfssl",
};

static const char *const verdict_names[] = {
#define DS_COOKIE_VERDICT_NAME(suffix, name, help) [DS_COOKIE_##suffix] = name,
	DS_COOKIE_VERDICT_LIST(DS_COOKIE_VERDICT_NAME)
#undef DS_COOKIE_VERDICT_NAME
};

_Static_assert(sizeof(verdict_names) / sizeof(verdict_names[0]) == DS_COOKIE_VERDICT_COUNT,
	       "one name per verdict");

void
ds_cookie_params_default(struct ds_cookie_params *p)
{
	p->mode = DS_COOKIE_HMAC_SHA256;
	p->cookie_len = DS_COOKIE_DEFAULT_LEN;
	p->period_s = DS_COOKIE_DEFAULT_PERIOD_S;
	p->skew_ms = DS_COOKIE_DEFAULT_SKEW_MS;
}

unsigned
ds_cookie_max_len(enum ds_cookie_mode mode)
{
	switch (mode) {
	case DS_COOKIE_HMAC_SHA256:
		return DS_COOKIE_MAX_LEN; /* 1 + 31 of the 32 MAC bytes: clients refuse more */
	case DS_COOKIE_HMAC_SHA1:
		return 1 + 20;
	case DS_COOKIE_AES_CMAC:
		return 1 + 16;
	case DS_COOKIE_WOLFSSL:
		return DS_COOKIE_WOLFSSL_LEN;
	default:
		return DS_COOKIE_GNUTLS_LEN;
	}
}

bool
ds_cookie_has_key_id(enum ds_cookie_mode mode)
{
	return mode != DS_COOKIE_GNUTLS && mode != DS_COOKIE_WOLFSSL;
}

unsigned
ds_cookie_min_len(enum ds_cookie_mode mode)
{
	switch (mode) {
	case DS_COOKIE_GNUTLS:
		return DS_COOKIE_GNUTLS_LEN;
	case DS_COOKIE_WOLFSSL:
		return DS_COOKIE_WOLFSSL_LEN;
	default:
		return DS_COOKIE_MIN_LEN;
	}
}

int
ds_cookie_params_check(const struct ds_cookie_params *p, char *err, size_t err_len)
{
	if ((unsigned)p->mode >= DS_COOKIE_MODE_COUNT) {
		snprintf(err, err_len, "unknown cookie mode %d", (int)p->mode);
		return -EINVAL;
	}
	if (p->cookie_len < ds_cookie_min_len(p->mode) || p->cookie_len > ds_cookie_max_len(p->mode)) {
		snprintf(err, err_len, "cookie length %u out of range for %s (expected %u..%u)",
			 p->cookie_len, mode_names[p->mode], ds_cookie_min_len(p->mode),
			 ds_cookie_max_len(p->mode));
		return -EINVAL;
	}
	if (p->period_s < 1 || p->period_s > DS_COOKIE_MAX_PERIOD_S) {
		snprintf(err, err_len, "key period %u s out of range (expected 1..%d)", p->period_s,
			 DS_COOKIE_MAX_PERIOD_S);
		return -EINVAL;
	}
	/* A skew as long as the period would accept two future epochs' worth of cookies. */
	if ((uint64_t)p->skew_ms * 2 > (uint64_t)p->period_s * 1000) {
		snprintf(err, err_len, "clock skew %u ms too large for a %u s period (at most half)",
			 p->skew_ms, p->period_s);
		return -EINVAL;
	}
	return 0;
}

const char *
ds_cookie_mode_name(enum ds_cookie_mode mode)
{
	return (unsigned)mode < DS_COOKIE_MODE_COUNT ? mode_names[mode] : "invalid";
}

int
ds_cookie_mode_parse(const char *name)
{
	int i;

	for (i = 0; i < DS_COOKIE_MODE_COUNT; i++)
		if (strcmp(name, mode_names[i]) == 0)
			return i;
	return -1;
}

const char *
ds_cookie_verdict_name(enum ds_cookie_verdict verdict)
{
	return (unsigned)verdict < DS_COOKIE_VERDICT_COUNT ? verdict_names[verdict] : "invalid";
}

void
ds_cookie_request_hello_fields(struct ds_cookie_request *req, const uint8_t *base, const struct ds_frame_info *info)
{
	req->hello_body = info->suites_offset != 0 ? base + info->body_offset : NULL;
	req->suites_at = (uint16_t)(info->suites_offset - info->body_offset);
	req->suites_len = info->suites_len;
	req->compression_len = info->compression_len;
	req->session_id_len = info->session_id_len;
}

void
ds_cookie_request_from_frame(struct ds_cookie_request *req, const uint8_t *frame,
			     const struct ds_frame_info *info)
{
	req->client_addr = ds_frame_src_addr(frame, info);
	req->server_addr = ds_frame_dst_addr(frame, info);
	req->client_random = ds_frame_client_random(frame, info);
	req->cookie = info->cookie_len != 0 ? frame + info->cookie_offset : NULL;
	req->client_port = info->src_port;
	req->server_port = info->dst_port;
	req->ip_version = info->ip_version;
	req->cookie_len = info->cookie_len;
	ds_cookie_request_hello_fields(req, frame, info);
}

int
ds_cookie_request_from_datagram(struct ds_cookie_request *req, const uint8_t *payload,
				const struct ds_frame_info *info, const struct sockaddr *client,
				const struct sockaddr *server)
{
	if (!ds_outcome_is_client_hello(info->outcome) || client->sa_family != server->sa_family)
		return -EINVAL;
	if (client->sa_family == AF_INET) {
		const struct sockaddr_in *c = (const struct sockaddr_in *)client, *s = (const struct sockaddr_in *)server;

		req->client_addr = (const uint8_t *)&c->sin_addr;
		req->server_addr = (const uint8_t *)&s->sin_addr;
		req->client_port = ntohs(c->sin_port);
		req->server_port = ntohs(s->sin_port);
		req->ip_version = 4;
	} else if (client->sa_family == AF_INET6) {
		const struct sockaddr_in6 *c = (const struct sockaddr_in6 *)client,
					  *s = (const struct sockaddr_in6 *)server;

		req->client_addr = (const uint8_t *)&c->sin6_addr;
		req->server_addr = (const uint8_t *)&s->sin6_addr;
		req->client_port = ntohs(c->sin6_port);
		req->server_port = ntohs(s->sin6_port);
		req->ip_version = 6;
	} else {
		return -EINVAL;
	}
	req->client_random = payload + info->body_offset + DS_CH_RANDOM_OFFSET;
	req->cookie = info->cookie_len != 0 ? payload + info->cookie_offset : NULL;
	req->cookie_len = info->cookie_len;
	ds_cookie_request_hello_fields(req, payload, info);
	return 0;
}

unsigned
ds_cookie_input(const struct ds_cookie_request *req, uint8_t *out)
{
	/* Fixed-size copies per family: this runs for every ClientHello. */
	if (req->ip_version == 4) {
		memcpy(out, req->client_addr, DS_IPV4_ADDR_LEN);
		ds_store_be16(out + 4, req->client_port);
		memcpy(out + 6, req->server_addr, DS_IPV4_ADDR_LEN);
		ds_store_be16(out + 10, req->server_port);
		memcpy(out + 12, req->client_random, DS_DTLS_RANDOM_LEN);
		return DS_COOKIE_INPUT_V4_LEN;
	}
	memcpy(out, req->client_addr, DS_IPV6_ADDR_LEN);
	ds_store_be16(out + 16, req->client_port);
	memcpy(out + 18, req->server_addr, DS_IPV6_ADDR_LEN);
	ds_store_be16(out + 34, req->server_port);
	memcpy(out + 36, req->client_random, DS_DTLS_RANDOM_LEN);
	return DS_COOKIE_INPUT_V6_LEN;
}

unsigned
ds_cookie_gnutls_client_data(const struct ds_cookie_request *req, uint8_t *out)
{
	/* Built field by field: the family is in host order, the rest in network order. */
	if (req->ip_version == 4) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(req->client_port);
		memcpy(&sin.sin_addr, req->client_addr, DS_IPV4_ADDR_LEN);
		memcpy(out, &sin, sizeof(sin));
		return sizeof(sin);
	} else {
		struct sockaddr_in6 sin6;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(req->client_port);
		memcpy(&sin6.sin6_addr, req->client_addr, DS_IPV6_ADDR_LEN);
		memcpy(out, &sin6, sizeof(sin6));
		return sizeof(sin6);
	}
}

bool
ds_cookie_frame_covered(enum ds_cookie_mode mode, const struct ds_frame_info *info)
{
	return mode != DS_COOKIE_WOLFSSL ||
	       (info->suites_offset != 0 && info->suites_len <= DS_COOKIE_WOLFSSL_SUITES_MAX &&
		info->compression_len <= DS_COOKIE_WOLFSSL_COMPRESSION_MAX);
}

unsigned
ds_cookie_wolfssl_input(const struct ds_cookie_request *req, uint8_t *out)
{
	const uint8_t *body = req->hello_body;
	unsigned n;

	if (body == NULL || req->suites_len > DS_COOKIE_WOLFSSL_SUITES_MAX ||
	    req->compression_len > DS_COOKIE_WOLFSSL_COMPRESSION_MAX || req->session_id_len > DS_DTLS_SESSION_ID_MAX)
		return 0;
	n = ds_cookie_gnutls_client_data(req, out);
	/* The vectors without their length bytes. */
	memcpy(out + n, body, 2);
	memcpy(out + n + 2, req->client_random, DS_DTLS_RANDOM_LEN);
	n += 2 + DS_DTLS_RANDOM_LEN;
	memcpy(out + n, body + DS_CH_MIN_BODY_LEN, req->session_id_len);
	n += req->session_id_len;
	memcpy(out + n, body + req->suites_at, req->suites_len);
	n += req->suites_len;
	memcpy(out + n, body + req->suites_at + req->suites_len + 1, req->compression_len);
	return n + req->compression_len;
}

int
ds_ct_memneq(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	uint64_t diff = 0, wx, wy;
	size_t i = 0;

	/* Eight bytes at a time, then the tail; every byte is always read and folded in. */
	for (; i + 8 <= len; i += 8) {
		memcpy(&wx, x + i, 8);
		memcpy(&wy, y + i, 8);
		diff |= wx ^ wy;
		/* Hide the accumulator from the optimiser: no early exit once it is non-zero. */
		__asm__ volatile("" : "+r"(diff));
	}
	for (; i < len; i++) {
		diff |= (uint64_t)(x[i] ^ y[i]);
		__asm__ volatile("" : "+r"(diff));
	}
	return diff != 0;
}
