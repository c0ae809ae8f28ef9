/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_WORKERS_H
#define DS_WORKERS_H

/*
 * The workers of one configuration and the control plane's side of them: one worker per worker
 * lcore (its queue pair, flow table, cookie engine and counter block, all on its NUMA socket), and
 * the one view they read (view.h) with what changes it: key epochs, the blocklist, challenge mode.
 * The appliance, the benchmark and the tests build them the same way.
 */

#include <stdbool.h>
#include <stddef.h>

#include "auto_blocklist.h"
#include "clock.h"
#include "ds_challenge.h"
#include "ds_config.h"
#include "ports.h"
#include "published_blocklist.h"
#include "talkers.h"
#include "view.h"
#include "worker.h"

struct ds_keyring;

struct ds_workers {
	struct ds_worker **worker;               /* n of them, each on its lcore's socket */
	const struct ds_stats **stats;           /* worker i writes *stats[i] */
	unsigned n;
	struct ds_keyring *keyring;              /* the caller's; the control plane rotates it */
	struct ds_clock clock;
	struct ds_view_publisher view;           /* what the workers read */
	bool view_ready;
	bool keys_pending;                       /* a new key set still to publish (workers were behind) */
	uint64_t epoch_said;                     /* the key epoch of the last key_epoch event */
	struct ds_published_blocklist blocklist; /* starts as the configuration's; changed at run time */
	struct ds_challenge challenge;           /* its mask goes into the view when it changes */
	struct rte_ring **reports;               /* per worker: sources over their bad-cookie allowance */
	unsigned n_reports;
	struct ds_auto_blocklist *auto_block;    /* NULL when auto_blocklist is off */
	struct ds_live_settings *live;           /* the workers' reloadable settings, as last made */
	struct ds_worker_talkers **talker_blocks; /* each worker's top-talker summaries */
	struct ds_talkers talkers;               /* their last windows, merged on the main lcore */
	uint64_t talkers_seen;                   /* windows merged so far (sum over workers) */
	bool live_pending;                       /* ... still to publish (workers were behind) */
};

/*
 * Build cfg->n_workers workers on started ports, and the first view with @p keyring's keys and the
 * configuration's blocklist. @p clock NULL means ds_clock_real.
 * Returns 0, or -1 with a reason in @p err (out of memory, flow table, cookie engine); what was built
 * is freed by ds_workers_free() either way.
 */
int ds_workers_create(struct ds_workers *ws, const struct ds_config *cfg, const struct ds_ports *ports,
		      struct ds_keyring *keyring, const struct ds_clock *clock, const volatile bool *quit,
		      char *err, size_t err_len);

/*
 * The control plane's periodic work (main lcore, every tick): a new key set when the epoch changes;
 * the rate of new ClientHellos per service and which to challenge; automatic blocklist entries in and
 * out; each change published in a new view; replaced views freed once the workers moved past them.
 */
void ds_workers_tick(struct ds_workers *ws);

/*
 * A reload (main lcore): @p cfg's services, policies, rate limits, flow timeout and challenge settings
 * to the workers through the view, and the keyring's key set again (its masters may have changed).
 * What cannot change live was refused before (ds_config_frozen_diff()).
 */
void ds_workers_reload(struct ds_workers *ws, const struct ds_config *cfg);

/* A routed port's next hop MAC, resolved (neighbours.h): to the workers through the view. */
void ds_workers_set_next_hop(struct ds_workers *ws, enum ds_port_role role, const uint8_t mac[6]);

/* Launch every worker on its lcore (they run until *quit). */
void ds_workers_launch(const struct ds_workers *ws);

/* Free what ds_workers_create() built (after the workers returned). */
void ds_workers_free(struct ds_workers *ws);

#endif /* DS_WORKERS_H */
