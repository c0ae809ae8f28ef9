/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-scrubber-selfcheck: the packet core on DPDK mbufs, fed from a capture through the net_pcap
 * poll-mode driver. Every frame is classified; every ClientHello without a cookie is rewritten in place
 * into its HelloVerifyRequest and sent to the output capture. A window on the data path, for operators
 * and for the demo, until the appliance itself replays captures.
 *
 * Cookies are random bytes for now: the cookie engine (keys, MACs) is a block of its own.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "ds_pktmbuf.h"

enum { BURST = 32, POOL_SIZE = 8191, IDLE_MS = 200, EAL_ARGS = 16 };

struct totals {
	uint64_t frames;
	uint64_t outcomes[DS_OUT_COUNT];
	uint64_t hvr_results[DS_HVR_RESULT_COUNT];
	uint64_t hello_bytes; /**< UDP payload bytes of the ClientHellos answered */
	uint64_t hvr_bytes;   /**< UDP payload bytes of the HVRs sent */
	uint64_t tx_dropped;
};

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--service ADDR:PORT]... [--cookie-len N] [--quiet] IN.pcap OUT.pcap\n"
		"  Classify every frame of IN.pcap with the packet core and write the HelloVerifyRequest\n"
		"  answering each ClientHello without a cookie to OUT.pcap.\n"
		"  --service      protected service (repeatable); default: every UDP port\n"
		"  --cookie-len   cookie length, 1..%d (default 16)\n"
		"  --quiet        no line per frame, only the totals\n",
		prog, DS_COOKIE_MAX_LEN);
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

static void
print_frame(uint64_t number, const struct rte_mbuf *m, const struct ds_frame_info *info)
{
	printf("%6" PRIu64 "  %5u  IPv%u  %s", number, rte_pktmbuf_pkt_len(m), info->ip_version,
	       ds_outcome_name(info->outcome));
	if (ds_outcome_is_client_hello(info->outcome))
		printf("%*scookie %u bytes%s", 28 - (int)strlen(ds_outcome_name(info->outcome)), "",
		       info->cookie_len, info->first_fragment ? ", first fragment" : "");
	putchar('\n');
}

/* One burst: classify everything, answer what asks for a cookie, send the answers. */
static void
scrub_burst(uint16_t port, struct rte_mbuf **pkts, uint16_t n, const struct ds_service_set *services,
	    unsigned cookie_len, bool quiet, struct totals *t)
{
	struct rte_mbuf *tx[BURST];
	uint16_t n_tx = 0, i, sent;

	for (i = 0; i < n; i++) {
		struct ds_frame_info info;
		uint8_t cookie[DS_COOKIE_MAX_LEN];
		enum ds_hvr_result r;
		unsigned k;

		ds_pktmbuf_classify(pkts[i], services, &info);
		t->frames++;
		t->outcomes[info.outcome]++;
		if (!quiet)
			print_frame(t->frames, pkts[i], &info);
		if (info.outcome != DS_OUT_DTLS_CLIENT_HELLO) {
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		for (k = 0; k < cookie_len; k++)
			cookie[k] = (uint8_t)rte_rand();
		r = ds_pktmbuf_write_hvr(pkts[i], &info, cookie, cookie_len, 0);
		t->hvr_results[r]++;
		if (r != DS_HVR_WRITTEN) {
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		t->hello_bytes += info.dtls_len;
		t->hvr_bytes += DS_HVR_FIXED_LEN + cookie_len;
		tx[n_tx++] = pkts[i];
	}
	sent = rte_eth_tx_burst(port, 0, tx, n_tx);
	if (sent < n_tx) {
		t->tx_dropped += n_tx - sent;
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

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "service", required_argument, NULL, 's' },
		{ "cookie-len", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ds_service_set services;
	struct totals t = { 0 };
	char vdev[4096], *eal_argv[EAL_ARGS];
	struct rte_mempool *pool;
	unsigned cookie_len = 16;
	bool any_service = true, quiet = false;
	uint64_t idle_since;
	uint16_t port;
	int opt, eal_argc = 0;

	ds_service_set_init(&services);
	while ((opt = getopt_long(argc, argv, "s:c:qh", options, NULL)) != -1) {
		struct ds_service svc;
		char *end;

		switch (opt) {
		case 's':
			if (ds_service_parse(optarg, &svc) != 0 || ds_service_set_add(&services, &svc) != 0) {
				fprintf(stderr, "--service %s: not ADDR:PORT, [ADDR6]:PORT or *:PORT, or a "
					"duplicate\n", optarg);
				return 2;
			}
			any_service = false;
			break;
		case 'c':
			cookie_len = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || cookie_len < 1 || cookie_len > DS_COOKIE_MAX_LEN) {
				fprintf(stderr, "--cookie-len %s: expected 1..%d\n", optarg, DS_COOKIE_MAX_LEN);
				return 2;
			}
			break;
		case 'q':
			quiet = true;
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
	if (strchr(argv[optind], ',') != NULL || strchr(argv[optind + 1], ',') != NULL) {
		fprintf(stderr, "capture paths may not contain ',' (net_pcap device syntax)\n");
		return 2;
	}
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
	if (pool == NULL || rte_eth_dev_get_port_by_name("net_pcap0", &port) != 0 ||
	    start_port(port, pool) != 0) {
		fprintf(stderr, "cannot start the net_pcap port\n");
		return 1;
	}
	if (!quiet)
		printf(" frame  bytes  IP    outcome\n");
	/* net_pcap has no end-of-file signal: the capture is done when nothing comes for a while. */
	idle_since = rte_get_timer_cycles();
	while (rte_get_timer_cycles() - idle_since < rte_get_timer_hz() / 1000 * IDLE_MS) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST);

		if (n == 0)
			continue;
		scrub_burst(port, pkts, n, any_service ? NULL : &services, cookie_len, quiet, &t);
		idle_since = rte_get_timer_cycles();
	}
	print_totals(&t);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
