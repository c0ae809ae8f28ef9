/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BENCH_RIG_H
#define DS_BENCH_RIG_H

/*
 * The appliance's own workers (app/scrubber: ds_workers_create, ds_worker_main) fed through DPDK
 * virtual devices, no kernel: the outside port is a ring PMD whose RX rings are preloaded with a round of
 * frames per worker and whose TX rings collect the HelloVerifyRequests; the inside port is net_null
 * (no-rx), which frees what is forwarded as a NIC's TX completion would. The load comes from the
 * workers' own busy-cycle counter: only loops that received frames count.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "ds_config.h"
#include "ds_stats.h"
#include "frame_set.h"
#include "ports.h"
#include "workers.h"

enum { RIG_MAX_WORKERS = 8 };

struct rig {
	struct ds_config cfg;
	struct ds_keyring *keyring;
	struct rte_mempool *pool;
	struct rte_ring *feed[RIG_MAX_WORKERS];
	struct rte_ring *sink[RIG_MAX_WORKERS];
	struct rte_mbuf **staging[RIG_MAX_WORKERS];
	struct ds_ports ports;
	struct ds_workers workers;
	volatile bool quit;
	bool running;
	bool ports_started;
	bool cold;                 /* frames staged in memory, not in the shared cache */
	unsigned round;            /* frames per worker per round */
};

/* What a run measured for one worker. */
struct rig_result {
	uint64_t packets;
	uint64_t busy_cycles;
	uint64_t rounds;
	struct ds_stats delta;     /* counters over the measured rounds */
};

/* Before rte_eal_init() (which pins this thread to the main lcore): load the configuration. */
int rig_configure(struct rig *r, const char *config_path, unsigned n_workers, char *err, size_t err_len);

/* After rte_eal_init(): make the ports and workers (not yet launched). */
int rig_open(struct rig *r, unsigned round, char *err, size_t err_len);

/* Launch the workers (they poll until rig_halt()). */
void rig_launch(struct rig *r);

/* Stop the workers and wait for them. */
void rig_halt(struct rig *r);

/*
 * Feed each worker its own frame set, round after round, frames in turn from @p cursor[w]; measure for
 * at least @p seconds of worker busy time (0: exactly one round, not measured). Returns 0, or -1 when a
 * round did not complete (a worker stuck or frames lost: said in @p err).
 */
int rig_run(struct rig *r, struct frame_set *const *sets, size_t *cursor, double seconds,
	    struct rig_result *per_worker, char *err, size_t err_len);

/* Free everything. */
void rig_close(struct rig *r);

#endif
