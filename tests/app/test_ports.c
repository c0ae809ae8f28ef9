/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Both directions of a flow on one worker, and no start half-configured:
 *   - the symmetric RSS key hashes every UDP 4-tuple and its mirror (server to client) alike, IPv4 and
 *     IPv6 (DPDK's software Toeplitz, the NIC's function); a random key does not (the control);
 *   - redirection tables of different sizes send each hash to the same queue on both ports;
 *   - two workers on ports without RSS are refused with a message naming the port and RSS, unless
 *     the configuration says `rss: driver`; the refusal comes before either port is configured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_thash.h>

#include "data_path.h"
#include "ports.h"
#include "rss.h"
#include "secret_file.h"
#include "tap.h"

enum { KEY_LEN = 40, TUPLES = 20000, QUEUES = 2 };

/* A UDP 4-tuple as rte_softrss() takes it: address words, then source port << 16 | destination port. */
static uint32_t
hash_tuple(const uint32_t *src, const uint32_t *dst, unsigned words, uint16_t sport, uint16_t dport,
	   const uint8_t *key)
{
	uint32_t t[9];
	unsigned i;

	for (i = 0; i < words; i++) {
		t[i] = src[i];
		t[words + i] = dst[i];
	}
	t[2 * words] = (uint32_t)sport << 16 | dport;
	return rte_softrss(t, 2 * words + 1, key);
}

/* How many of TUPLES random flows hash like their mirror under @p key. */
static unsigned
mirrored_alike(const uint8_t *key, unsigned words)
{
	unsigned n, i, same = 0;

	for (n = 0; n < TUPLES; n++) {
		uint32_t a[4], b[4];
		const uint16_t pa = (uint16_t)rte_rand(), pb = (uint16_t)rte_rand();

		for (i = 0; i < words; i++) {
			a[i] = (uint32_t)rte_rand();
			b[i] = (uint32_t)rte_rand();
		}
		same += hash_tuple(a, b, words, pa, pb, key) == hash_tuple(b, a, words, pb, pa, key);
	}
	return same;
}

static void
check_symmetric_key(void)
{
	uint8_t key[KEY_LEN], control[KEY_LEN];
	unsigned i, v4, v6;

	ds_rss_symmetric_key(key, sizeof(key));
	for (i = 0; i < sizeof(control); i++)
		control[i] = (uint8_t)rte_rand();
	v4 = mirrored_alike(key, 1);
	v6 = mirrored_alike(key, 4);
	tap_check(v4 == TUPLES && v6 == TUPLES,
		  "symmetric key: %u of %d IPv4 and %u of %d IPv6 UDP flows hash like their mirror", v4, TUPLES, v6,
		  TUPLES);
	v4 = mirrored_alike(control, 1);
	v6 = mirrored_alike(control, 4);
	tap_check(v4 < TUPLES / 100 && v6 < TUPLES / 100,
		  "control: under a random key only %u (IPv4) and %u (IPv6) of %d do", v4, v6, TUPLES);
}

static void
check_reta(void)
{
	static const unsigned sizes[][2] = { { 128, 128 }, { 128, 512 }, { 64, 512 }, { 512, 64 } };
	struct tap_group g = { 0 };
	unsigned s, n, h;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		const unsigned a = sizes[s][0], b = sizes[s][1], common = a < b ? a : b;

		for (n = 1; n <= 5; n++) {
			unsigned differ = 0;

			for (h = 0; h < 1 << 16; h++)
				differ += ds_rss_reta_queue(h % a, common, n) != ds_rss_reta_queue(h % b, common, n) ||
					  ds_rss_reta_queue(h % a, common, n) >= n;
			tap_sub(&g, differ == 0, "step %u: tables of %u and %u entries, %u queues: %u hashes differ", s, a,
				b, n, differ);
		}
	}
	tap_group_done(&g, "redirection tables of different sizes send every hash to the same queue on both ports");
}

/* Ring ports of QUEUES queue pairs: DPDK's ring PMD offers no RSS. */
static void
make_ring_ports(unsigned id)
{
	struct rte_ring *rx[QUEUES], *tx[QUEUES];
	unsigned r, q;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		const char *role = ds_port_role_name((enum ds_port_role)r);
		char name[RTE_RING_NAMESIZE];

		for (q = 0; q < QUEUES; q++) {
			snprintf(name, sizeof(name), "pt%u_rx_%s_%u", id, role, q);
			rx[q] = rte_ring_create(name, 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
			snprintf(name, sizeof(name), "pt%u_tx_%s_%u", id, role, q);
			tx[q] = rte_ring_create(name, 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (rx[q] == NULL || tx[q] == NULL)
				tap_bail("ring %s", name);
		}
		snprintf(name, sizeof(name), "pt%u_%s", id, role);
		if (rte_eth_from_rings(name, rx, QUEUES, tx, QUEUES, (unsigned)SOCKET_ID_ANY) < 0)
			tap_bail("ring port %s", name);
	}
}

/* Start the ports of a configuration with @p rss on both, as if it listed two workers. */
static int
start_two_workers(unsigned id, const char *rss, struct ds_ports *ports, char *err, size_t err_len)
{
	struct ds_config cfg;
	struct rte_mempool *pool;
	char dir[] = "/tmp/ds-ports-XXXXXX", path[128], name[32];
	FILE *f;
	int rc;

	if (mkdtemp(dir) == NULL || secret_file_write(dir) != 0)
		tap_bail("cannot write a secret");
	snprintf(path, sizeof(path), "%s/ports.yaml", dir);
	f = fopen(path, "w");
	if (f == NULL)
		tap_bail("cannot write %s", path);
	fprintf(f, "lcores:\n  main: 0\n  workers: [1]\nports:\n  outside:\n    device: net_ring_pt%u_outside\n%s"
		   "  inside:\n    device: net_ring_pt%u_inside\n%sservices:\n  - \"10.0.0.2:4433\"\n"
		   "cookie:\n  secret_file: cookie.secret\n", id, rss, id, rss);
	fclose(f);
	if (ds_config_load(path, &cfg, err, err_len) != 0)
		tap_bail("config: %s", err);
	/* The loader refuses CPUs this 2-core machine lacks: two workers are set here, as the benchmark does. */
	cfg.n_workers = 2;
	cfg.workers[1] = 2;
	snprintf(name, sizeof(name), "pt%u_mbufs", id);
	pool = rte_pktmbuf_pool_create(name, 4096, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		tap_bail("mbuf pool");
	make_ring_ports(id);
	rc = ds_ports_start(&cfg, pool, ports, err, err_len);
	ds_config_clear(&cfg);
	snprintf(path, sizeof(path), "%s/cookie.secret", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ports.yaml", dir);
	unlink(path);
	rmdir(dir);
	return rc;
}

static void
check_refusal(void)
{
	struct ds_ports ports;
	char err[512] = "";
	int rc;

	rc = start_two_workers(0, "", &ports, err, sizeof(err));
	tap_check(rc == -1 && strstr(err, "port outside") != NULL && strstr(err, "RSS") != NULL &&
			  strstr(err, "rss: driver") != NULL,
		  "two workers on ports without RSS: refused, naming the port and RSS (%s)", err);
	tap_check(!ports.started[DS_PORT_OUTSIDE] && !ports.started[DS_PORT_INSIDE],
		  "refused before either port was configured or started");
	rc = start_two_workers(1, "    rss: driver\n", &ports, err, sizeof(err));
	tap_check(rc == 0 && !ports.rss[DS_PORT_OUTSIDE] && !ports.rss[DS_PORT_INSIDE],
		  "the same with rss: driver on both ports: started, the driver's distribution trusted (%s)",
		  rc == 0 ? "ok" : err);
	if (rc == 0)
		ds_ports_stop(&ports);
}

int
main(int argc, char **argv)
{
	(void)argc;
	data_path_eal(argv[0], 256);
	check_symmetric_key();
	check_reta();
	check_refusal();
	rte_eal_cleanup();
	return tap_done();
}
