/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_DATA_PATH_H
#define DS_TEST_DATA_PATH_H

/**
 * @file
 * The appliance's real worker, driven step by step on the calling thread for tests and fuzzers: both
 * ports are DPDK ring devices whose rings the test fills and empties, so every frame the worker sends
 * can be inspected, and a full TX ring is one the test does not empty.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ds_config.h"
#include "ds_stats.h"
#include "ports.h"
#include "workers.h"

struct ds_keyring;

enum { DATA_PATH_MONOTONIC_START = 1000000 };

struct data_path {
	struct ds_config cfg;
	struct rte_mempool *pool;
	struct rte_ring *rx[DS_PORT_COUNT]; /**< frames arriving at each port */
	struct rte_ring *tx[DS_PORT_COUNT]; /**< frames each port sent */
	struct ds_ports ports;
	struct ds_keyring *keyring;
	uint64_t unix_ms;      /**< the control plane's clocks (ds_clock): the test moves them, then ticks */
	uint64_t monotonic_ms;
	struct ds_workers workers;
	struct ds_worker *worker;
	volatile bool quit;
	bool ports_started;
	char dir[64];
};

/** The EAL for these tests: no hugepages, no PCI, @p mem_mb of memory. Bails out on failure. */
void data_path_eal(const char *prog, unsigned mem_mb);

/**
 * Build one worker from a configuration: "lcores", "mode" and "ports" are written here, @p rest gives
 * the other sections; `cookie.secret_file: cookie.secret` names a fresh random secret. @p tx_ring
 * entries per TX ring (a power of two), @p mbufs in the pool. The control plane's clocks start at the
 * real Unix time and at DATA_PATH_MONOTONIC_START ms, and move only when the test says so.
 *
 * @return 0, or -1 with the reason in @p err.
 */
int data_path_open(struct data_path *dp, const char *mode, const char *rest, unsigned tx_ring, unsigned mbufs,
		   char *err, size_t err_len);

/** data_path_open() with more keys for each port (@p port_extra: YAML lines indented for ports.<role>). */
int data_path_open_ports(struct data_path *dp, const char *mode, const char *const port_extra[DS_PORT_COUNT],
			 const char *rest, unsigned tx_ring, unsigned mbufs, char *err, size_t err_len);

/** data_path_open(), or bail out of the test with the reason. */
void data_path_open_or_bail(struct data_path *dp, const char *mode, const char *rest, unsigned tx_ring,
			    unsigned mbufs);

/** The frame law and the flow law hold on the worker's counters (ds_stats_conserved, ds_stats_flows_conserved). */
bool data_path_laws_hold(const struct data_path *dp);

/** Set the control plane's clocks and run one tick of it (keys, challenge, automatic blocklist). */
void data_path_tick(struct data_path *dp, uint64_t unix_ms, uint64_t monotonic_ms);

/** Stop and free everything open built (also after a failed open). */
void data_path_close(struct data_path *dp);

/** Copy frames into mbufs arriving at @p port. Returns how many were queued. */
unsigned data_path_send(struct data_path *dp, enum ds_port_role port, const uint8_t *const *frames,
			const size_t *lens, unsigned n);

/** Run the worker until both RX rings are empty and every frame received met its fate. */
void data_path_run(struct data_path *dp);

/** Take up to @p max frames that @p port sent. */
unsigned data_path_take(struct data_path *dp, enum ds_port_role port, struct rte_mbuf **out, unsigned max);

/**
 * Send @p n frames in at @p port, run the worker, and count (then free) what left by the other port;
 * every other frame is freed too. Bails out if the frames cannot be queued.
 */
unsigned data_path_pass(struct data_path *dp, enum ds_port_role port, const uint8_t *const *frames,
			const size_t *lens, unsigned n);

/** Free every frame the ports sent. */
void data_path_drain(struct data_path *dp);

/** The worker's counters. */
const struct ds_stats *data_path_stats(const struct data_path *dp);

/** Mbufs not in the pool (in rings, in the worker, or leaked). */
unsigned data_path_mbufs_in_use(const struct data_path *dp);

#endif /* DS_TEST_DATA_PATH_H */
