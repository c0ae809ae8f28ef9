/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark (not a test): ns per cookie for the engine at bursts of 1, 8, 32 and 64, for every format,
 * next to what the same work costs, in the same run, on the same inputs:
 *   raw ipsec-mb  the MAC jobs alone, prepared in advance, one ipsec-mb burst call (the floor);
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
raw_cmac_burst(void *arg, unsigned start, unsigned burst)
{
	mac_floor_cmac_burst(arg, inputs + start, input_len + start, burst);
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
	static struct mac_floor raw_ctx;
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
		fprintf(csv, "format,path,burst,engine_ns,raw_ipsec_mb_ns,openssl_ns\n");
	fixture_secret(&master, 32);
	for (i = 0; i < POOL; i++) {
		fixture_request(&pool[i], i % 4 == 3 ? 6 : 4);
		input_len[i] = ds_cookie_input(&pool[i].req, inputs[i]);
	}
	printf("ipsec-mb %s, code path %s; ns per cookie (lower is better), best of %d interleaved rounds of "
	       "%.2f s\n\n", IMB_VERSION_STR, ds_cookie_engine_arch(e), ROUNDS, seconds_per_cell);
	printf("%-12s %-7s %5s  %9s %9s %9s  %10s %12s\n", "format", "path", "burst", "engine", "raw imb",
	       "openssl", "engine/raw", "openssl/eng");
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
		if (mode == DS_COOKIE_AES_CMAC)
			mac_floor_cmac_prepare(&raw_ctx, raw, key);
		else
			mac_floor_hmac_prepare(&raw_ctx, raw, mode != DS_COOKIE_HMAC_SHA256, key,
					       mode == DS_COOKIE_GNUTLS ? 16 : 32);
		ossl = openssl_mac_ctx((enum ds_cookie_mode)mode, key);
		for (verify = 0; verify <= 1; verify++) {
			for (b = 0; b < sizeof(bursts) / sizeof(bursts[0]); b++) {
				const unsigned burst = bursts[b];
				struct engine_ctx ec = { .e = e, .ks = ks, .verify = verify };
				double eng = 1e18, rawns = 1e18, osslns = 1e18;
				int round;

				/* Interleaved rounds, best of each: a noisy neighbour hits all three alike. */
				for (round = 0; round < ROUNDS; round++) {
					eng = min(eng, time_bursts(engine_burst, &ec, burst));
					rawns = min(rawns, time_bursts(mode == DS_COOKIE_AES_CMAC ? raw_cmac_burst
												  : raw_hmac_burst,
								       &raw_ctx, burst));
					osslns = min(osslns, time_bursts(openssl_burst, ossl, burst));
				}

				printf("%-12s %-7s %5u  %9.1f %9.1f %9.1f  %9.2fx %11.1fx\n",
				       ds_cookie_mode_name((enum ds_cookie_mode)mode), verify ? "verify" : "make", burst,
				       eng, rawns, osslns, eng / rawns, osslns / eng);
				if (csv)
					fprintf(csv, "%s,%s,%u,%.2f,%.2f,%.2f\n",
						ds_cookie_mode_name((enum ds_cookie_mode)mode), verify ? "verify" : "make",
						burst, eng, rawns, osslns);
			}
		}
		EVP_MAC_CTX_free(ossl);
		ds_keyring_destroy(kr);
	}
	if (csv)
		fclose(csv);
	printf("\nengine/raw: cost of the whole cookie (input layout, key lookup, verification, copy) over the "
	       "bare ipsec-mb call\nopenssl/eng: how many times faster than OpenSSL EVP_MAC with a reused "
	       "context\n");
	free_mb_mgr(raw);
	ds_cookie_engine_destroy(e);
	return 0;
}
