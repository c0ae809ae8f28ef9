/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-scrubber-selfcheck: the packet core and the cookie engine on DPDK mbufs, fed from a capture
 * through the net_pcap poll-mode driver. Every frame is classified; the ClientHellos of each burst get
 * their cookies made and checked in one MAC burst; every ClientHello without a valid cookie is
 * rewritten in place into its HelloVerifyRequest and sent to the output capture. A window on the data
 * path for operators (replay your own captures) and for the demo, until the appliance replays them.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_pktmbuf.h"
#include "ds_secret.h"

enum { BURST = 32, POOL_SIZE = 8191, IDLE_MS = 200 };

struct totals {
	uint64_t frames;
	uint64_t outcomes[DS_OUT_COUNT];
	uint64_t verdicts[DS_COOKIE_VERDICT_COUNT];
	uint64_t hvr_results[DS_HVR_RESULT_COUNT];
	uint64_t hello_bytes; /* UDP payload bytes of the ClientHellos answered */
	uint64_t hvr_bytes;   /* UDP payload bytes of the HVRs sent */
	uint64_t tx_dropped;
};

struct selfcheck {
	struct ds_service_set services;
	bool any_service;
	bool quiet;
	uint16_t port;
	struct ds_keyring *keyring;
	unsigned reader;
	struct ds_cookie_engine *engine;
	struct totals t;
};

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [options] IN.pcap OUT.pcap\n"
		"  Classify every frame of IN.pcap, check the cookies of its ClientHellos, and write the\n"
		"  HelloVerifyRequest answering each ClientHello without a valid cookie to OUT.pcap.\n"
		"  --service ADDR:PORT   protected service (repeatable); default: every UDP port\n"
		"  --secret FILE         master secret (hex, mode 0600); default: a random one for this run\n"
		"  --cookie-format NAME  hmac-sha256 (default), hmac-sha1, aes-cmac or gnutls\n"
		"  --cookie-len N        cookie length with its key_id (default 16)\n"
		"  --quiet               no line per frame, only the totals\n",
		prog);
}

static int
start_port(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = { 0 };

	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

static uint64_t
unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
print_frame(const struct selfcheck *sc, const struct rte_mbuf *m, const struct ds_frame_info *info,
	    int verdict)
{
	printf("%6" PRIu64 "  %5u  IPv%u  %s", sc->t.frames, rte_pktmbuf_pkt_len(m), info->ip_version,
	       ds_outcome_name(info->outcome));
	if (verdict >= 0)
		printf("%*s%u-byte cookie: %s", 28 - (int)strlen(ds_outcome_name(info->outcome)), "",
		       info->cookie_len, ds_cookie_verdict_name((enum ds_cookie_verdict)verdict));
	putchar('\n');
}

/* One burst: classify, one MAC burst for every ClientHello, answer the ones without a valid cookie. */
static void
scrub_burst(struct selfcheck *sc, struct rte_mbuf **pkts, uint16_t n)
{
	const struct ds_cookie_keyset *ks = ds_keyring_acquire(sc->keyring, sc->reader);
	const unsigned cookie_len = ds_cookie_keyset_params(ks)->cookie_len;
	struct ds_frame_info info[BURST];
	struct ds_cookie_request req[BURST];
	uint8_t cookies[BURST][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdicts[BURST];
	uint16_t hello_of[BURST], n_hellos = 0, n_tx = 0, i, sent;
	struct rte_mbuf *tx[BURST];
	int verdict_of[BURST];

	for (i = 0; i < n; i++) {
		ds_pktmbuf_classify(pkts[i], sc->any_service ? NULL : &sc->services, &info[i]);
		verdict_of[i] = -1;
		if (ds_outcome_is_client_hello(info[i].outcome)) {
			ds_cookie_request_from_frame(&req[n_hellos], rte_pktmbuf_mtod(pkts[i], uint8_t *), &info[i]);
			hello_of[n_hellos++] = i;
		}
	}
	if (n_hellos > 0)
		ds_cookie_engine_run(sc->engine, ks, req, n_hellos, cookies, verdicts);
	for (i = 0; i < n_hellos; i++)
		verdict_of[hello_of[i]] = (int)verdicts[i];

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum ds_hvr_result r;
		unsigned h;

		sc->t.frames++;
		sc->t.outcomes[info[i].outcome]++;
		if (!sc->quiet)
			print_frame(sc, m, &info[i], verdict_of[i]);
		/* Frames that are no ClientHello, and ClientHellos with a valid cookie, would be forwarded. */
		if (verdict_of[i] < 0 || verdict_of[i] == DS_COOKIE_VALID) {
			if (verdict_of[i] >= 0)
				sc->t.verdicts[DS_COOKIE_VALID]++;
			rte_pktmbuf_free(m);
			continue;
		}
		sc->t.verdicts[verdict_of[i]]++;
		for (h = 0; hello_of[h] != i; h++)
			;
		r = ds_pktmbuf_write_hvr(m, &info[i], cookies[h], cookie_len, 0);
		sc->t.hvr_results[r]++;
		if (r != DS_HVR_WRITTEN) {
			rte_pktmbuf_free(m);
			continue;
		}
		sc->t.hello_bytes += info[i].dtls_len;
		sc->t.hvr_bytes += DS_HVR_FIXED_LEN + cookie_len;
		tx[n_tx++] = m;
	}
	sent = rte_eth_tx_burst(sc->port, 0, tx, n_tx);
	if (sent < n_tx) {
		sc->t.tx_dropped += n_tx - sent;
		rte_pktmbuf_free_bulk(tx + sent, n_tx - sent);
	}
}

static void
print_totals(const struct totals *t)
{
	unsigned i;

	printf("\n%" PRIu64 " frames\n", t->frames);
	for (i = 0; i < DS_OUT_COUNT; i++)
		if (t->outcomes[i] != 0)
			printf("  %-28s %8" PRIu64 "\n", ds_outcome_name((enum ds_outcome)i), t->outcomes[i]);
	for (i = 0; i < DS_COOKIE_VERDICT_COUNT; i++)
		if (t->verdicts[i] != 0)
			printf("  %-28s %8" PRIu64 "\n", ds_cookie_verdict_name((enum ds_cookie_verdict)i),
			       t->verdicts[i]);
	for (i = 0; i < DS_HVR_RESULT_COUNT; i++)
		if (t->hvr_results[i] != 0)
			printf("  %-28s %8" PRIu64 "\n", ds_hvr_result_name((enum ds_hvr_result)i),
			       t->hvr_results[i]);
	if (t->tx_dropped != 0)
		printf("  %-28s %8" PRIu64 "\n", "tx_dropped", t->tx_dropped);
	if (t->hello_bytes != 0)
		printf("reflection: %" PRIu64 " bytes of HVR for %" PRIu64
		       " bytes of ClientHello (ratio %.2f, never above 1)\n",
		       t->hvr_bytes, t->hello_bytes, (double)t->hvr_bytes / (double)t->hello_bytes);
}

/* The cookie engine and its keys, from a secret file or a random secret for this run. */
static int
setup_cookies(struct selfcheck *sc, const char *secret_path, const struct ds_cookie_params *params)
{
	struct ds_secret secret;
	char err[512];
	int reader;

	if (secret_path != NULL) {
		if (ds_secret_load(secret_path, &secret, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
	} else {
		secret.len = DS_SECRET_MIN_LEN;
		if (getrandom(secret.bytes, secret.len, 0) != (ssize_t)secret.len) {
			fprintf(stderr, "getrandom failed\n");
			return -1;
		}
	}
	sc->keyring = ds_keyring_create(params, &secret, unix_ms(), err, sizeof(err));
	ds_secret_wipe(&secret, sizeof(secret));
	if (sc->keyring == NULL || (sc->engine = ds_cookie_engine_create(err, sizeof(err))) == NULL) {
		fprintf(stderr, "cookies: %s\n", err);
		return -1;
	}
	reader = ds_keyring_reader_register(sc->keyring);
	sc->reader = (unsigned)reader;
	return reader < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "service", required_argument, NULL, 's' },
		{ "secret", required_argument, NULL, 'k' },
		{ "cookie-format", required_argument, NULL, 'f' },
		{ "cookie-len", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct selfcheck sc = { .any_service = true };
	struct ds_cookie_params params;
	const char *secret_path = NULL;
	char vdev[4096], err[256], *eal_argv[16];
	struct rte_mempool *pool;
	uint64_t idle_since;
	int opt, eal_argc = 0, mode;

	ds_service_set_init(&sc.services);
	ds_cookie_params_default(&params);
	while ((opt = getopt_long(argc, argv, "s:k:f:c:qh", options, NULL)) != -1) {
		struct ds_service svc;
		char *end;

		switch (opt) {
		case 's':
			if (ds_service_parse(optarg, &svc) != 0 || ds_service_set_add(&sc.services, &svc) != 0) {
				fprintf(stderr, "--service %s: not ADDR:PORT, [ADDR6]:PORT or *:PORT, or a "
					"duplicate\n", optarg);
				return 2;
			}
			sc.any_service = false;
			break;
		case 'k':
			secret_path = optarg;
			break;
		case 'f':
			mode = ds_cookie_mode_parse(optarg);
			if (mode < 0) {
				fprintf(stderr, "--cookie-format %s: expected hmac-sha256, hmac-sha1, aes-cmac or "
					"gnutls\n", optarg);
				return 2;
			}
			params.mode = (enum ds_cookie_mode)mode;
			break;
		case 'c':
			params.cookie_len = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0')
				params.cookie_len = 0;
			break;
		case 'q':
			sc.quiet = true;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (argc - optind != 2) {
		usage(argv[0]);
		return 2;
	}
	if (ds_cookie_params_check(&params, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (strchr(argv[optind], ',') != NULL || strchr(argv[optind + 1], ',') != NULL) {
		fprintf(stderr, "capture paths may not contain ',' (net_pcap device syntax)\n");
		return 2;
	}
	if (setup_cookies(&sc, secret_path, &params) != 0)
		return 1;
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,tx_pcap=%s", argv[optind], argv[optind + 1]);
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = "--no-huge";
	eal_argv[eal_argc++] = "-m";
	eal_argv[eal_argc++] = "256";
	eal_argv[eal_argc++] = "--no-pci";
	eal_argv[eal_argc++] = "--no-shconf";
	eal_argv[eal_argc++] = "--no-telemetry";
	eal_argv[eal_argc++] = "-l";
	eal_argv[eal_argc++] = "0";
	eal_argv[eal_argc++] = "--log-level=*:error";
	eal_argv[eal_argc++] = "--vdev";
	eal_argv[eal_argc++] = vdev;
	eal_argv[eal_argc] = NULL;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "DPDK EAL failed to start (is %s readable?)\n", argv[optind]);
		return 1;
	}
	pool = rte_pktmbuf_pool_create("selfcheck", POOL_SIZE, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL || rte_eth_dev_get_port_by_name("net_pcap0", &sc.port) != 0 ||
	    start_port(sc.port, pool) != 0) {
		fprintf(stderr, "cannot start the net_pcap port\n");
		return 1;
	}
	if (!sc.quiet)
		printf("cookies: %s, %u bytes, keys from %s, ipsec-mb %s\n\n frame  bytes  IP    outcome\n",
		       ds_cookie_mode_name(params.mode), params.cookie_len,
		       secret_path ? secret_path : "a random secret", ds_cookie_engine_arch(sc.engine));
	/* net_pcap has no end-of-file signal: the capture is done when nothing comes for a while. */
	idle_since = rte_get_timer_cycles();
	while (rte_get_timer_cycles() - idle_since < rte_get_timer_hz() / 1000 * IDLE_MS) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n = rte_eth_rx_burst(sc.port, 0, pkts, BURST);

		if (n == 0)
			continue;
		ds_keyring_update(sc.keyring, unix_ms());
		scrub_burst(&sc, pkts, n);
		idle_since = rte_get_timer_cycles();
	}
	print_totals(&sc.t);
	rte_eth_dev_stop(sc.port);
	rte_eth_dev_close(sc.port);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	ds_cookie_engine_destroy(sc.engine);
	ds_keyring_destroy(sc.keyring);
	return 0;
}
