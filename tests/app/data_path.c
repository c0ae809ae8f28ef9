/* SPDX-License-Identifier: BSD-3-Clause */
#include "data_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "ds_keyring.h"
#include "events.h"
#include "secret_file.h"
#include "tap.h"
#include "worker.h"

enum { RX_RING = 4096 };

void
data_path_eal(const char *prog, unsigned mem_mb)
{
	char mem[16];
	/*
	 * One lcore, the caller's thread, left free to run on CPUs 0 and 1: the configuration loader
	 * checks that the worker CPU it is given (1) is one this process may use.
	 */
	char *argv[] = { (char *)prog, "--lcores", "0@(0,1)", "--no-huge", "-m", mem, "--no-pci", "--no-shconf",
			 "--no-telemetry", "--log-level", "*:error", NULL };

	snprintf(mem, sizeof(mem), "%u", mem_mb);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		tap_bail("rte_eal_init: %s", rte_strerror(rte_errno));
	/* The appliance's JSON events (links, keys, challenge) go to stderr: stdout is the TAP stream. */
	ds_events_init(0, stderr);
}

/* A configuration file and a random secret in a private folder. */
static int
write_config(struct data_path *dp, unsigned id, const char *mode, const char *const port_extra[DS_PORT_COUNT],
	     const char *rest, char *path, size_t path_len)
{
	FILE *f;

	snprintf(dp->dir, sizeof(dp->dir), "/tmp/ds-data-path-XXXXXX");
	if (mkdtemp(dp->dir) == NULL || secret_file_write(dp->dir) != 0)
		return -1;
	snprintf(path, path_len, "%s/data-path.yaml", dp->dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "lcores:\n  main: 0\n  workers: [1]\nmode: %s\nports:\n", mode);
	fprintf(f, "  outside:\n    device: net_ring_dp%u_outside\n", id);
	if (strcmp(mode, "routed") == 0)
		fprintf(f, "    next_hop_mac: \"02:00:00:00:00:01\"\n");
	fprintf(f, "%s", port_extra[DS_PORT_OUTSIDE]);
	fprintf(f, "  inside:\n    device: net_ring_dp%u_inside\n", id);
	if (strcmp(mode, "routed") == 0)
		fprintf(f, "    next_hop_mac: \"02:00:00:00:00:02\"\n");
	fprintf(f, "%s", port_extra[DS_PORT_INSIDE]);
	fprintf(f, "%s", rest);
	return fclose(f);
}

static int
make_ports(struct data_path *dp, unsigned id, unsigned tx_ring, char *err, size_t err_len)
{
	unsigned r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		const char *role = ds_port_role_name((enum ds_port_role)r);
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof(name), "dp%u_rx_%s", id, role);
		dp->rx[r] = rte_ring_create(name, RX_RING, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "dp%u_tx_%s", id, role);
		dp->tx[r] = rte_ring_create(name, tx_ring, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "dp%u_%s", id, role);
		if (dp->rx[r] == NULL || dp->tx[r] == NULL ||
		    rte_eth_from_rings(name, &dp->rx[r], 1, &dp->tx[r], 1, (unsigned)SOCKET_ID_ANY) < 0) {
			snprintf(err, err_len, "ring port %s: %s", name, rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

static uint64_t
test_unix_ms(void *arg)
{
	return ((const struct data_path *)arg)->unix_ms;
}

static uint64_t
test_monotonic_ms(void *arg)
{
	return ((const struct data_path *)arg)->monotonic_ms;
}

int
data_path_open(struct data_path *dp, const char *mode, const char *rest, unsigned tx_ring, unsigned mbufs,
	       char *err, size_t err_len)
{
	static const char *const none[DS_PORT_COUNT] = { "", "" };

	return data_path_open_ports(dp, mode, none, rest, tx_ring, mbufs, err, err_len);
}

int
data_path_open_ports(struct data_path *dp, const char *mode, const char *const port_extra[DS_PORT_COUNT],
		     const char *rest, unsigned tx_ring, unsigned mbufs, char *err, size_t err_len)
{
	static unsigned opened;
	const unsigned id = opened++;
	char path[256], name[RTE_MEMPOOL_NAMESIZE];

	memset(dp, 0, sizeof(*dp));
	if (write_config(dp, id, mode, port_extra, rest, path, sizeof(path)) != 0) {
		snprintf(err, err_len, "cannot write the configuration");
		return -1;
	}
	if (ds_config_load(path, &dp->cfg, err, err_len) != 0)
		return -1;
	snprintf(name, sizeof(name), "dp%u_mbufs", id);
	/* No per-lcore cache: the in-use count is exact, so a leak of one mbuf shows. */
	dp->pool = rte_pktmbuf_pool_create(name, mbufs, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (dp->pool == NULL) {
		snprintf(err, err_len, "mbuf pool: %s", rte_strerror(rte_errno));
		return -1;
	}
	if (make_ports(dp, id, tx_ring, err, err_len) != 0 ||
	    ds_ports_start(&dp->cfg, dp->pool, &dp->ports, err, err_len) != 0)
		return -1;
	dp->ports_started = true;
	dp->unix_ms = ds_keyring_clock_ms();
	dp->monotonic_ms = DATA_PATH_MONOTONIC_START;
	dp->keyring = ds_keyring_create(&dp->cfg.cookie, &dp->cfg.secret, dp->unix_ms, err, err_len);
	if (dp->keyring == NULL ||
	    ds_workers_create(&dp->workers, &dp->cfg, &dp->ports, dp->keyring,
			      &(struct ds_clock){ test_unix_ms, test_monotonic_ms, dp }, &dp->quit, err, err_len) != 0)
		return -1;
	dp->worker = dp->workers.worker[0];
	return 0;
}

void
data_path_tick(struct data_path *dp, uint64_t unix_ms, uint64_t monotonic_ms)
{
	dp->unix_ms = unix_ms;
	dp->monotonic_ms = monotonic_ms;
	ds_workers_tick(&dp->workers);
}

void
data_path_close(struct data_path *dp)
{
	char path[128];
	unsigned r;

	if (dp->ports_started)
		data_path_drain(dp);
	ds_workers_free(&dp->workers);
	if (dp->keyring != NULL)
		ds_keyring_destroy(dp->keyring);
	if (dp->ports_started)
		ds_ports_stop(&dp->ports);
	for (r = 0; r < DS_PORT_COUNT; r++) {
		rte_ring_free(dp->rx[r]);
		rte_ring_free(dp->tx[r]);
	}
	rte_mempool_free(dp->pool);
	ds_config_clear(&dp->cfg);
	if (dp->dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/cookie.secret", dp->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/data-path.yaml", dp->dir);
		unlink(path);
		rmdir(dp->dir);
	}
	memset(dp, 0, sizeof(*dp));
}

unsigned
data_path_send(struct data_path *dp, enum ds_port_role port, const uint8_t *const *frames, const size_t *lens,
	       unsigned n)
{
	unsigned i, queued = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
		char *data;

		if (m == NULL)
			break;
		data = lens[i] <= rte_pktmbuf_tailroom(m) ? rte_pktmbuf_append(m, (uint16_t)lens[i]) : NULL;
		if (data == NULL || rte_ring_enqueue(dp->rx[port], m) != 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		memcpy(data, frames[i], lens[i]);
		queued++;
	}
	return queued;
}

void
data_path_run(struct data_path *dp)
{
	while (ds_worker_poll(dp->worker) != 0 || rte_ring_count(dp->rx[DS_PORT_OUTSIDE]) != 0 ||
	       rte_ring_count(dp->rx[DS_PORT_INSIDE]) != 0)
		;
	ds_worker_flush(dp->worker);
}

unsigned
data_path_take(struct data_path *dp, enum ds_port_role port, struct rte_mbuf **out, unsigned max)
{
	return rte_ring_dequeue_burst(dp->tx[port], (void **)out, max, NULL);
}

void
data_path_drain(struct data_path *dp)
{
	struct rte_mbuf *m[256];
	unsigned r, n;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		while ((n = rte_ring_dequeue_burst(dp->tx[r], (void **)m, 256, NULL)) != 0)
			rte_pktmbuf_free_bulk(m, n);
		while ((n = rte_ring_dequeue_burst(dp->rx[r], (void **)m, 256, NULL)) != 0)
			rte_pktmbuf_free_bulk(m, n);
	}
}

const struct ds_stats *
data_path_stats(const struct data_path *dp)
{
	return dp->worker->stats;
}

unsigned
data_path_mbufs_in_use(const struct data_path *dp)
{
	return rte_mempool_in_use_count(dp->pool);
}

void
data_path_open_or_bail(struct data_path *dp, const char *mode, const char *rest, unsigned tx_ring, unsigned mbufs)
{
	char err[512];

	if (data_path_open(dp, mode, rest, tx_ring, mbufs, err, sizeof(err)) != 0)
		tap_bail("data path: %s", err);
}

bool
data_path_laws_hold(const struct data_path *dp)
{
	const struct ds_stats *s = data_path_stats(dp);

	return ds_stats_conserved(s) && ds_stats_flows_conserved(s);
}

unsigned
data_path_pass(struct data_path *dp, enum ds_port_role port, const uint8_t *const *frames, const size_t *lens,
	       unsigned n)
{
	const enum ds_port_role other = port == DS_PORT_INSIDE ? DS_PORT_OUTSIDE : DS_PORT_INSIDE;
	struct rte_mbuf *m[DS_BURST];
	unsigned got, out = 0;

	if (data_path_send(dp, port, frames, lens, n) != n)
		tap_bail("frames could not be queued");
	data_path_run(dp);
	while ((got = data_path_take(dp, other, m, DS_BURST)) != 0) {
		out += got;
		rte_pktmbuf_free_bulk(m, got);
	}
	data_path_drain(dp);
	return out;
}
