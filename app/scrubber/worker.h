/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_WORKER_H
#define DS_WORKER_H

/*
 * A worker lcore: its queues, its flow table, its cookie engine, its counters. Everything it touches
 * per packet is its own; the configuration and the key sets are read-only to it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "ds_config.h"
#include "ds_stats.h"

struct ds_keyring;
struct ds_cookie_engine;
struct ds_flow_table;
struct ds_ratelimit;
struct ds_published_blocklist;
struct rte_ring;

enum { DS_BURST = 64 };

struct ds_worker {
	/* Read-only once launched. */
	const struct ds_config *cfg;
	const struct ds_service_set *services;
	uint16_t port[DS_PORT_COUNT];
	uint16_t queue;
	uint64_t tx_offloads[DS_PORT_COUNT];
	struct rte_ether_addr port_mac[DS_PORT_COUNT];
	uint64_t flow_idle_ticks;
	unsigned lcore;
	unsigned reader;                 /* keyring reader id */
	/* The worker's own. */
	struct ds_keyring *keyring;
	struct ds_cookie_engine *engine;
	struct ds_flow_table *flows;
	struct ds_ratelimit *hvr_limit;  /* HVRs per destination prefix; NULL = unlimited */
	struct ds_published_blocklist *blocklist; /* read once per loop; reader id = queue */
	const uint64_t *challenge;       /* bit s: challenge service s (control plane's; read once per burst) */
	struct ds_ratelimit *bad_cookies; /* bad-cookie allowance per source; NULL = auto_blocklist off */
	struct rte_ring *reports;        /* sources over that allowance, to the control plane */
	struct ds_stats *stats;          /* this worker's block */
	const volatile bool *quit;
	/* Loop state: outside frames are received one burst ahead of their processing. */
	struct rte_mbuf *outside[2][DS_BURST];
	uint16_t n_ahead, cur;
	uint64_t now;
} __attribute__((aligned(64)));

/* The worker loop (rte_eal_remote_launch entry point); returns when *quit becomes true. */
int ds_worker_main(void *arg);

/*
 * One turn of the loop, on the calling thread: process the burst received ahead, receive the next,
 * serve the inside port, expire a few flows. Returns how many frames it received. For tests and
 * fuzzers that drive a worker step by step; ds_worker_main() is this in a loop.
 */
uint16_t ds_worker_poll(struct ds_worker *w);

/* Process what ds_worker_poll() received ahead, so that every frame received met its fate. */
void ds_worker_flush(struct ds_worker *w);

#endif /* DS_WORKER_H */
