/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ds_classify.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "internal.h"

static int
params_from(const struct dtlscookie_options *opt, struct ds_cookie_params *p, char *err, size_t err_len)
{
	int format;

	ds_cookie_params_default(p);
	if (opt->mode == DTLSCOOKIE_GNUTLS) {
		p->mode = DS_COOKIE_GNUTLS;
		p->cookie_len = DS_COOKIE_GNUTLS_LEN;
	} else if (opt->format != NULL) {
		format = ds_cookie_mode_parse(opt->format);
		if (format < 0 || format == DS_COOKIE_GNUTLS) {
			snprintf(err, err_len,
				 "cookie format '%s' unknown (hmac-sha256, hmac-sha1, aes-cmac or wolfssl; gnutls is a mode)",
				 opt->format);
			return -1;
		}
		/* wolfSSL checks the MAC itself: there is no shape-only check to trust it with. */
		if (format == DS_COOKIE_WOLFSSL && opt->mode == DTLSCOOKIE_TRUST) {
			snprintf(err, err_len, "the wolfssl format needs verify mode (wolfSSL recomputes the cookie)");
			return -1;
		}
		p->mode = (enum ds_cookie_mode)format;
		if (format == DS_COOKIE_WOLFSSL)
			p->cookie_len = DS_COOKIE_WOLFSSL_LEN;
	}
	if (opt->cookie_len != 0)
		p->cookie_len = opt->cookie_len;
	if (opt->key_period_s != 0)
		p->period_s = opt->key_period_s;
	if (opt->clock_skew_ms != 0)
		p->skew_ms = opt->clock_skew_ms < 0 ? 0 : (unsigned)opt->clock_skew_ms;
	return ds_cookie_params_check(p, err, err_len) == 0 ? 0 : -1;
}

struct dtlscookie *
dtlscookie_new(const struct dtlscookie_options *opt, char *err, size_t err_len)
{
	static const struct dtlscookie_options defaults = { .mode = DTLSCOOKIE_VERIFY };
	struct dtlscookie *dc;
	struct ds_secret secret;

	if (opt == NULL)
		opt = &defaults;
	if (opt->mode != DTLSCOOKIE_VERIFY && opt->mode != DTLSCOOKIE_TRUST && opt->mode != DTLSCOOKIE_GNUTLS) {
		snprintf(err, err_len, "unknown mode %d", (int)opt->mode);
		return NULL;
	}
	dc = calloc(1, sizeof(*dc));
	if (dc == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	dc->mode = opt->mode;
	pthread_mutex_init(&dc->lock, NULL);
	if (params_from(opt, &dc->params, err, err_len) != 0)
		goto fail;
	if (opt->mode == DTLSCOOKIE_TRUST) {
		/* No secret here: the key ring only tells which epochs are in use; its keys are never used. */
		secret.len = DS_SECRET_MIN_LEN;
		if (getrandom(secret.bytes, secret.len, 0) != (ssize_t)secret.len) {
			snprintf(err, err_len, "getrandom failed");
			goto fail;
		}
	} else if (opt->secret_file == NULL) {
		snprintf(err, err_len, "secret_file is required in verify and gnutls modes");
		goto fail;
	} else if (ds_secret_load(opt->secret_file, &secret, err, err_len) != 0) {
		goto fail;
	}
	dc->keyring = ds_keyring_create(&dc->params, &secret, ds_keyring_clock_ms(), err, err_len);
	/* GnuTLS and wolfSSL servers are handed epoch keys: keep the master to derive them. */
	if (opt->mode == DTLSCOOKIE_GNUTLS || dc->params.mode == DS_COOKIE_WOLFSSL)
		dc->master = secret;
	ds_secret_wipe(&secret, sizeof(secret));
	if (dc->keyring == NULL)
		goto fail;
	if (opt->mode != DTLSCOOKIE_TRUST && (dc->engine = ds_cookie_engine_create(err, err_len)) == NULL)
		goto fail;
	return dc;
fail:
	dtlscookie_free(dc);
	return NULL;
}

void
dtlscookie_free(struct dtlscookie *dc)
{
	if (dc == NULL)
		return;
	ds_cookie_engine_destroy(dc->engine);
	ds_keyring_destroy(dc->keyring);
	pthread_mutex_destroy(&dc->lock);
	ds_secret_wipe(dc, sizeof(*dc));
	free(dc);
}

int
dtlscookie_set_secrets(struct dtlscookie *dc, const char *secret_file, const char *also_file, char *err,
		       size_t err_len)
{
	struct ds_secret master, also;
	int rc = -1;

	if (dc == NULL || secret_file == NULL || dc->mode == DTLSCOOKIE_TRUST || dc->params.mode == DS_COOKIE_WOLFSSL) {
		snprintf(err, err_len, "%s", dc != NULL && dc->params.mode == DS_COOKIE_WOLFSSL
						     ? "wolfSSL servers check cookies under one secret: no second master"
						     : "a secret file, in verify or gnutls mode, is required");
		return -1;
	}
	if (ds_secret_load(secret_file, &master, err, err_len) != 0)
		return -1;
	if (also_file != NULL && ds_secret_load(also_file, &also, err, err_len) != 0)
		goto out;
	pthread_mutex_lock(&dc->lock);
	rc = ds_keyring_set_masters(dc->keyring, &master, also_file != NULL ? &also : NULL, ds_keyring_clock_ms(),
				    err, err_len);
	if (rc >= 0) {
		dc->master = master;
		dc->has_also = also_file != NULL;
		ds_secret_wipe(&dc->also, sizeof(dc->also));
		if (dc->has_also)
			dc->also = also;
		dc->gnutls_n_keys = 0;
		/* Only GnuTLS's mode derives raw keys: the others keep no copy of the master. */
		if (dc->mode != DTLSCOOKIE_GNUTLS) {
			ds_secret_wipe(&dc->master, sizeof(dc->master));
			ds_secret_wipe(&dc->also, sizeof(dc->also));
		}
		rc = 0;
	}
	pthread_mutex_unlock(&dc->lock);
out:
	ds_secret_wipe(&master, sizeof(master));
	ds_secret_wipe(&also, sizeof(also));
	return rc;
}

enum dtlscookie_mode
dtlscookie_get_mode(const struct dtlscookie *dc)
{
	return dc->mode;
}

const struct ds_cookie_keyset *
dck_current_keys(struct dtlscookie *dc)
{
	ds_keyring_update(dc->keyring, ds_keyring_clock_ms());
	return ds_keyring_current(dc->keyring);
}

/* Trust mode: a cookie of the configured length whose key_id names an epoch in use. */
static int
trust_shape(struct dtlscookie *dc, const struct ds_cookie_request *req)
{
	const struct ds_cookie_keyset *ks = dck_current_keys(dc);
	const uint64_t e = ds_cookie_keyset_epoch(ks);
	const uint8_t id = req->cookie[0];

	if (req->cookie_len != dc->params.cookie_len)
		return 0;
	return id == (uint8_t)e || id == (uint8_t)(e - 1) || (ds_cookie_keyset_accepts_next(ks) && id == (uint8_t)(e + 1));
}

int
dck_request_of(const struct sockaddr *client, const struct sockaddr *server, const void *datagram, size_t len,
	       struct sockaddr_storage addrs[2], struct ds_cookie_request *req)
{
	struct ds_frame_info info;

	if (datagram == NULL || client == NULL || server == NULL)
		return -1;
	dck_unmap(client, &addrs[0]);
	dck_unmap(server, &addrs[1]);
	ds_classify_dtls(datagram, len, &info);
	return ds_cookie_request_from_datagram(req, datagram, &info, (struct sockaddr *)&addrs[0],
					       (struct sockaddr *)&addrs[1]) == 0
		       ? 0
		       : -1;
}

int
dck_verify_request(struct dtlscookie *dc, const struct ds_cookie_request *req)
{
	uint8_t cookies[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdict = DS_COOKIE_ABSENT;
	int ok;

	if (req->cookie == NULL)
		return 0;
	pthread_mutex_lock(&dc->lock);
	if (dc->mode == DTLSCOOKIE_TRUST) {
		ok = trust_shape(dc, req);
	} else {
		ds_cookie_engine_run(dc->engine, dck_current_keys(dc), req, 1, cookies, &verdict);
		ok = verdict == DS_COOKIE_VALID;
	}
	pthread_mutex_unlock(&dc->lock);
	return ok;
}

int
dck_make_request(struct dtlscookie *dc, const struct ds_cookie_request *req, unsigned char *cookie,
		 unsigned *cookie_len)
{
	uint8_t cookies[1][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdict;
	const struct ds_cookie_keyset *ks;
	int rc = 0;

	pthread_mutex_lock(&dc->lock);
	ks = dck_current_keys(dc);
	if (dc->mode == DTLSCOOKIE_TRUST) {
		/* Without the secret, the right shape: only the scrubber can judge it, and it will. */
		cookies[0][0] = (uint8_t)ds_cookie_keyset_epoch(ks);
		if (getrandom(cookies[0] + 1, dc->params.cookie_len - 1, 0) != (ssize_t)(dc->params.cookie_len - 1))
			rc = -1;
	} else {
		ds_cookie_engine_run(dc->engine, ks, req, 1, cookies, &verdict);
	}
	pthread_mutex_unlock(&dc->lock);
	memcpy(cookie, cookies[0], dc->params.cookie_len);
	*cookie_len = dc->params.cookie_len;
	return rc;
}

int
dtlscookie_verify(struct dtlscookie *dc, const struct sockaddr *client, const struct sockaddr *server,
		  const void *datagram, size_t len)
{
	struct sockaddr_storage addrs[2];
	struct ds_cookie_request req;

	if (dck_request_of(client, server, datagram, len, addrs, &req) != 0)
		return -1;
	return dck_verify_request(dc, &req);
}

int
dtlscookie_make(struct dtlscookie *dc, const struct sockaddr *client, const struct sockaddr *server,
		const void *datagram, size_t len, unsigned char *cookie, unsigned *cookie_len)
{
	struct sockaddr_storage addrs[2];
	struct ds_cookie_request req;

	if (dck_request_of(client, server, datagram, len, addrs, &req) != 0)
		return -1;
	return dck_make_request(dc, &req, cookie, cookie_len);
}

unsigned
dck_epoch_keys(struct dtlscookie *dc, uint64_t epochs[MAX_EPOCH_KEYS])
{
	const struct ds_cookie_keyset *ks;
	uint64_t e;
	unsigned n;

	pthread_mutex_lock(&dc->lock);
	ks = dck_current_keys(dc);
	e = ds_cookie_keyset_epoch(ks);
	n = ds_cookie_keyset_accepts_next(ks) ? 3 : 2;
	pthread_mutex_unlock(&dc->lock);
	epochs[0] = e;
	epochs[1] = e - 1;
	epochs[2] = e + 1;
	return n;
}

/* The first 16 bytes of K_epoch of each accepted epoch, under one master. */
static void
gnutls_keys_of(const struct ds_secret *master, const uint64_t *epochs, unsigned n, uint8_t (*out)[GNUTLS_KEY_LEN])
{
	unsigned k;

	for (k = 0; k < n; k++) {
		uint8_t full[DS_COOKIE_EPOCH_KEY_LEN];

		ds_cookie_epoch_key(master, epochs[k], full);
		memcpy(out[k], full, GNUTLS_KEY_LEN);
		ds_secret_wipe(full, sizeof(full));
	}
}

unsigned
dck_gnutls_keys(struct dtlscookie *dc, uint8_t keys[MAX_GNUTLS_KEYS][GNUTLS_KEY_LEN])
{
	const struct ds_cookie_keyset *ks;
	uint64_t e;
	unsigned n;

	pthread_mutex_lock(&dc->lock);
	ks = dck_current_keys(dc);
	e = ds_cookie_keyset_epoch(ks);
	n = ds_cookie_keyset_accepts_next(ks) ? 3 : 2;
	/* K_epoch derivations are cached per epoch: verification then costs GnuTLS's MACs only. */
	if (dc->gnutls_epoch != e || dc->gnutls_n_keys != n * (dc->has_also ? 2 : 1)) {
		const uint64_t epochs[MAX_EPOCH_KEYS] = { e, e - 1, e + 1 };

		gnutls_keys_of(&dc->master, epochs, n, dc->gnutls_keys);
		if (dc->has_also)
			gnutls_keys_of(&dc->also, epochs, n, dc->gnutls_keys + n);
		dc->gnutls_epoch = e;
		dc->gnutls_n_keys = n * (dc->has_also ? 2 : 1);
	}
	n = dc->gnutls_n_keys;
	memcpy(keys, dc->gnutls_keys, sizeof(dc->gnutls_keys));
	pthread_mutex_unlock(&dc->lock);
	return n;
}

unsigned
dck_canonical_sockaddr(const struct sockaddr *mapped, uint8_t *out)
{
	struct sockaddr_storage unmapped;
	const struct sockaddr *in = (const struct sockaddr *)&unmapped;
	struct ds_cookie_request req;

	dck_unmap(mapped, &unmapped);
	req = (struct ds_cookie_request){ .ip_version = in->sa_family == AF_INET ? 4 : 6 };

	if (in->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)in;

		req.client_addr = (const uint8_t *)&sin->sin_addr;
		req.client_port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)in;

		req.client_addr = (const uint8_t *)&sin6->sin6_addr;
		req.client_port = ntohs(sin6->sin6_port);
	}
	return ds_cookie_gnutls_client_data(&req, out);
}
