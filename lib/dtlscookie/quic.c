/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Retry tokens for servers (dtlscookie-quic.h): lib/cookie's ds_quic_token_* under the context's
 * lock, with the client's address unmapped as everywhere else in the library, so that a token the
 * appliance made for an IPv4 client is accepted on a dual-stack socket and the other way round.
 */
#include "dtlscookie-quic.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>

#include "ds_keyring.h"
#include "ds_quic_token.h"
#include "internal.h"

_Static_assert((int)DTLSCOOKIE_QUIC_CID_MAX == (int)DS_QUIC_CID_MAX, "public CID limit is the wire's");
_Static_assert((int)DTLSCOOKIE_QUIC_ODCID_MIN == (int)DS_QUIC_MIN_INITIAL_DCID, "public ODCID minimum is RFC 9000's");
_Static_assert((int)DTLSCOOKIE_QUIC_TOKEN_MAX == (int)DS_QUIC_TOKEN_MAX, "public token size is the format's");
_Static_assert((int)DTLSCOOKIE_QUIC_TOKEN_LIFETIME_S == (int)DS_QUIC_TOKEN_LIFETIME_S, "public lifetime is the format's");

/* The client as tokens bind it: unmapped address, port. -1 for a family QUIC tokens cannot carry. */
static int
client_fields(const struct sockaddr *client, struct ds_quic_token_fields *f)
{
	struct sockaddr_storage unmapped;

	memset(f, 0, sizeof(*f));
	dck_unmap(client, &unmapped);
	if (unmapped.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&unmapped;

		f->ip_version = 4;
		f->client_port = ntohs(sin->sin_port);
		memcpy(f->client_addr, &sin->sin_addr, 4);
		return 0;
	}
	if (unmapped.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&unmapped;

		f->ip_version = 6;
		f->client_port = ntohs(sin6->sin6_port);
		memcpy(f->client_addr, &sin6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

/* Trust mode has no secret, hence no token keys and no engine. */
static int
has_keys(const struct dtlscookie *dc)
{
	return dc != NULL && dc->engine != NULL;
}

int
dtlscookie_quic_token_check_reason(struct dtlscookie *dc, const struct sockaddr *client, const uint8_t *dcid,
				   size_t dcid_len, const uint8_t *token, size_t token_len, uint8_t *odcid,
				   size_t *odcid_len, const char **reason)
{
	struct ds_quic_token_fields bearer, got;
	enum ds_quic_token_verdict v;

	if (reason != NULL)
		*reason = "bad_arguments";
	/* A DCID longer than 20 bytes is no v1/v2 Initial's; a NULL token with a length is a caller's bug. */
	if (!has_keys(dc) || client == NULL || dcid_len > DS_QUIC_CID_MAX || (dcid == NULL && dcid_len != 0) ||
	    (token == NULL && token_len != 0) || odcid == NULL || odcid_len == NULL ||
	    client_fields(client, &bearer) != 0)
		return -1;
	bearer.rscid_len = (uint8_t)dcid_len;
	if (dcid_len != 0)
		memcpy(bearer.rscid, dcid, dcid_len);
	pthread_mutex_lock(&dc->lock);
	v = ds_quic_token_open(dc->engine, dck_current_keys(dc), token, token_len, &bearer,
			       ds_keyring_clock_ms() / 1000, &got);
	pthread_mutex_unlock(&dc->lock);
	if (reason != NULL)
		*reason = ds_quic_token_verdict_name(v);
	if (v != DS_QUIC_TOKEN_VALID)
		return 0;
	if (*odcid_len < got.odcid_len) {
		if (reason != NULL)
			*reason = "bad_arguments";
		return -1;
	}
	memcpy(odcid, got.odcid, got.odcid_len);
	*odcid_len = got.odcid_len;
	return 1;
}

int
dtlscookie_quic_token_check(struct dtlscookie *dc, const struct sockaddr *client, const uint8_t *dcid,
			    size_t dcid_len, const uint8_t *token, size_t token_len, uint8_t *odcid, size_t *odcid_len)
{
	return dtlscookie_quic_token_check_reason(dc, client, dcid, dcid_len, token, token_len, odcid, odcid_len,
						  NULL);
}

int
dtlscookie_quic_token_make(struct dtlscookie *dc, const struct sockaddr *client, const uint8_t *odcid,
			   size_t odcid_len, const uint8_t *rscid, size_t rscid_len, uint8_t *token, size_t *token_len)
{
	struct ds_quic_token_fields f;
	uint8_t unique[DS_QUIC_TOKEN_UNIQUE_LEN];
	unsigned n;

	/* Checkers refuse ODCIDs under 8 bytes (RFC 9000 §7.2): never make a token that cannot be used. */
	if (!has_keys(dc) || client == NULL || odcid == NULL || odcid_len < DS_QUIC_MIN_INITIAL_DCID ||
	    odcid_len > DS_QUIC_CID_MAX || rscid_len > DS_QUIC_CID_MAX || (rscid == NULL && rscid_len != 0) ||
	    token == NULL || token_len == NULL ||
	    *token_len < (size_t)DS_QUIC_TOKEN_OVERHEAD + odcid_len + rscid_len || client_fields(client, &f) != 0)
		return -1;
	/* The unique token number is the GCM nonce's varying part: it must never repeat under one key. */
	if (getrandom(unique, sizeof(unique), 0) != (ssize_t)sizeof(unique))
		return -1;
	f.odcid_len = (uint8_t)odcid_len;
	memcpy(f.odcid, odcid, odcid_len);
	f.rscid_len = (uint8_t)rscid_len;
	if (rscid_len != 0)
		memcpy(f.rscid, rscid, rscid_len);
	pthread_mutex_lock(&dc->lock);
	f.expiry_s = ds_keyring_clock_ms() / 1000 + DS_QUIC_TOKEN_LIFETIME_S;
	n = ds_quic_token_seal(dc->engine, dck_current_keys(dc), &f, unique, token);
	pthread_mutex_unlock(&dc->lock);
	*token_len = n;
	return 0;
}
