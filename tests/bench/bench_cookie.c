/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark (not a test): ns per cookie for the engine at bursts of 1, 8, 32 and 64, for every format,
 * next to what the same work costs, in the same run, on the same inputs:
 *   raw HMAC      HMAC jobs alone (SHA-1 for the SHA-1 formats, else SHA-256), prepared in advance, one
 *                 IMB_SUBMIT_HASH_BURST: the floor of the HMAC formats;
 *   raw CBC       AES-128-CBC over the same inputs already padded to whole blocks, one
 *                 IMB_SUBMIT_CIPHER_BURST: the floor of aes-cmac, which the engine computes that way;
 *   OpenSSL       EVP_MAC with a reused context, one cookie at a time (what a library server pays).
 * Prints a table with ratios; --csv FILE also writes the figures.
 *
 *   bench_cookie [--seconds S] [--csv FILE] [--format NAME]
 */
#include <getopt.h>
#include <stdalign.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <intel-ipsec-mb.h>

#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "mac_floor.h"
#include "reference_mac.h"

enum { POOL = 4096, ROUNDS = 5 };

static double seconds_per_cell = 0.05; /* per round */
static struct stored_request pool[POOL];
static uint8_t inputs[POOL][DS_COOKIE_INPUT_MAX];
static size_t input_len[POOL];
static uint8_t padded[POOL][MAC_FLOOR_CBC_MAX]; /* the same inputs in whole AES blocks */
static size_t padded_len[POOL];

static double
min(double a, double b)
{
	return a < b ? a : b;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One timed unit of work: a burst of @p burst cookies starting at pool[start]. */
typedef void (*burst_fn)(void *ctx, unsigned start, unsigned burst);

/* Repeat @p fn over the pool until the time is up; returns ns per cookie. */
static double
time_bursts(burst_fn fn, void *ctx, unsigned burst)
{
	unsigned long cookies = 0;
	unsigned start = 0, rep;
	const double t0 = now_s();
	double t;

	do {
		for (rep = 0; rep < 64; rep++) {
			fn(ctx, start, burst);
			cookies += burst;
			start = (start + burst) % (POOL - DS_COOKIE_BURST_MAX);
		}
		t = now_s() - t0;
	} while (t < seconds_per_cell);
	return t * 1e9 / (double)cookies;
}

struct engine_ctx {
	struct ds_cookie_engine *e;
	const struct ds_cookie_keyset *ks;
	bool verify;
};

static void
engine_burst(void *arg, unsigned start, unsigned burst)
{
	struct engine_ctx *c = arg;
	struct ds_cookie_request reqs[DS_COOKIE_BURST_MAX];
	uint8_t cookies[DS_COOKIE_BURST_MAX][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdicts[DS_COOKIE_BURST_MAX];
	unsigned i;

	for (i = 0; i < burst; i++) {
		reqs[i] = pool[start + i].req;
		if (!c->verify) {
			reqs[i].cookie = NULL;
			reqs[i].cookie_len = 0;
		}
	}
	ds_cookie_engine_run(c->e, c->ks, reqs, burst, cookies, verdicts);
}

static void
raw_hmac_burst(void *arg, unsigned start, unsigned burst)
{
	mac_floor_hmac_burst(arg, inputs + start, input_len + start, burst);
}

static void
raw_cbc_burst(void *arg, unsigned start, unsigned burst)
{
	mac_floor_cbc_burst(arg, padded + start, padded_len + start, burst);
}

/* What a library server pays: OpenSSL EVP_MAC, context reused, one cookie at a time. */
static void
openssl_burst(void *arg, unsigned start, unsigned burst)
{
	uint8_t tag[64];
	unsigned i;

	for (i = 0; i < burst; i++)
		openssl_mac(arg, inputs[start + i], input_len[start + i], tag);
}

int
main(int argc, char **argv)
{
	static const unsigned bursts[] = { 1, 8, 32, 64 };
	static struct mac_floor hmac_ctx, cbc_ctx;
	static const struct option options[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "csv", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *csv_path = NULL;
	int only = -1;
	struct ds_secret master;
	struct ds_cookie_engine *e;
	IMB_MGR *raw;
	FILE *csv = NULL;
	char err[256];
	int opt, mode;
	size_t b, i;

	while ((opt = getopt_long(argc, argv, "s:c:f:", options, NULL)) != -1) {
		if (opt == 's')
			seconds_per_cell = atof(optarg);
		else if (opt == 'c')
			csv_path = optarg;
		else if (opt == 'f' && (only = ds_cookie_mode_parse(optarg)) >= 0)
			continue;
		else {
			fprintf(stderr, "usage: %s [--seconds S] [--csv FILE] [--format hmac-sha256|hmac-sha1|"
				"aes-cmac|gnutls]\n", argv[0]);
			return 2;
		}
	}
	e = ds_cookie_engine_create(err, sizeof(err));
	if (e == NULL || (raw = mac_floor_manager(ds_cookie_engine_arch(e))) == NULL) {
		fprintf(stderr, "engine: %s\n", err);
		return 1;
	}
	if (csv_path != NULL && (csv = fopen(csv_path, "w")) == NULL) {
		perror(csv_path);
		return 1;
	}
	if (csv)
		fprintf(csv, "format,path,burst,engine_ns,raw_hmac_ns,raw_cbc_ns,openssl_ns\n");
	fixture_secret(&master, 32);
	for (i = 0; i < POOL; i++) {
		fixture_request(&pool[i], i % 4 == 3 ? 6 : 4);
		input_len[i] = ds_cookie_input(&pool[i].req, inputs[i]);
	}
	printf("ipsec-mb %s, code path %s; ns per cookie (lower is better), best of %d interleaved rounds of "
	       "%.2f s\n\n", IMB_VERSION_STR, ds_cookie_engine_arch(e), ROUNDS, seconds_per_cell);
	printf("%-12s %-7s %5s  %9s %9s %9s %9s  %11s %12s\n", "format", "path", "burst", "engine", "raw hmac",
	       "raw cbc", "openssl", "engine/floor", "openssl/eng");
	for (mode = 0; mode < DS_COOKIE_MODE_COUNT; mode++) {
		/* The wolfssl format MACs ClientHello fields of any length, not the fixed inputs of this table. */
		if ((only >= 0 && mode != only) || mode == DS_COOKIE_WOLFSSL)
			continue;
		const unsigned len = mode == DS_COOKIE_GNUTLS ? 16 : 16;
		struct ds_keyring *kr = fixture_keyring((enum ds_cookie_mode)mode, len, 60, 2000, &master,
							1795000000000ULL);
		const struct ds_cookie_keyset *ks = ds_keyring_current(kr);
		uint8_t key[32];
		EVP_MAC_CTX *ossl;
		int verify;

		ds_cookie_epoch_key(&master, ds_cookie_keyset_epoch(ks), key);
		/* The raw and OpenSSL columns MAC the same bytes the engine does. */
		for (i = 0; i < POOL; i++) {
			uint8_t cookies[1][DS_COOKIE_MAX_LEN];
			enum ds_cookie_verdict v;

			input_len[i] = mode == DS_COOKIE_GNUTLS ? ds_cookie_gnutls_client_data(&pool[i].req, inputs[i])
							       : ds_cookie_input(&pool[i].req, inputs[i]);
			pool[i].req.cookie = NULL;
			pool[i].req.cookie_len = 0;
			ds_cookie_engine_run(e, ks, &pool[i].req, 1, cookies, &v);
			fixture_present(&pool[i], cookies[0], len);
		}
		for (i = 0; i < POOL; i++)
			padded_len[i] = mac_floor_cbc_pad(inputs[i], input_len[i], padded[i]);
		mac_floor_cbc_prepare(&cbc_ctx, raw, key);
		mac_floor_hmac_prepare(&hmac_ctx, raw, mode == DS_COOKIE_HMAC_SHA1 || mode == DS_COOKIE_GNUTLS, key,
				       mode == DS_COOKIE_GNUTLS ? 16 : 32);
		ossl = openssl_mac_ctx((enum ds_cookie_mode)mode, key);
		for (verify = 0; verify <= 1; verify++) {
			for (b = 0; b < sizeof(bursts) / sizeof(bursts[0]); b++) {
				const unsigned burst = bursts[b];
				struct engine_ctx ec = { .e = e, .ks = ks, .verify = verify };
				double eng = 1e18, hmacns = 1e18, cbcns = 1e18, osslns = 1e18, floor;
				int round;

				/* Interleaved rounds, best of each: a noisy neighbour hits all of them alike. */
				for (round = 0; round < ROUNDS; round++) {
					eng = min(eng, time_bursts(engine_burst, &ec, burst));
					hmacns = min(hmacns, time_bursts(raw_hmac_burst, &hmac_ctx, burst));
					cbcns = min(cbcns, time_bursts(raw_cbc_burst, &cbc_ctx, burst));
					osslns = min(osslns, time_bursts(openssl_burst, ossl, burst));
				}
				floor = mode == DS_COOKIE_AES_CMAC ? cbcns : hmacns;
				printf("%-12s %-7s %5u  %9.1f %9.1f %9.1f %9.1f  %10.2fx %11.1fx\n",
				       ds_cookie_mode_name((enum ds_cookie_mode)mode), verify ? "verify" : "make", burst,
				       eng, hmacns, cbcns, osslns, eng / floor, osslns / eng);
				if (csv)
					fprintf(csv, "%s,%s,%u,%.2f,%.2f,%.2f,%.2f\n",
						ds_cookie_mode_name((enum ds_cookie_mode)mode), verify ? "verify" : "make",
						burst, eng, hmacns, cbcns, osslns);
			}
		}
		EVP_MAC_CTX_free(ossl);
		ds_keyring_destroy(kr);
	}
	if (csv)
		fclose(csv);
	printf("\nengine/floor: cost of the whole cookie (input layout, key lookup, verification, copy) over the "
	       "bare ipsec-mb call of its format (raw cbc for aes-cmac, raw hmac for the others)\nopenssl/eng: how many times faster than OpenSSL EVP_MAC with a reused "
	       "context\n");
	free_mb_mgr(raw);
	ds_cookie_engine_destroy(e);
	return 0;
}
