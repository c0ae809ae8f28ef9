/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_WORKERS_H
#define DS_WORKERS_H

/*
 * The workers of one configuration: one per worker lcore, each with its queue pair, flow table, cookie
 * engine and counter block. The appliance and the benchmark build them the same way.
 */

#include <stdbool.h>
#include <stddef.h>

#include "auto_blocklist.h"
#include "ds_challenge.h"
#include "ds_config.h"
#include "ports.h"
#include "published_blocklist.h"
#include "worker.h"

struct ds_keyring;

struct ds_workers {
	struct ds_worker *worker;   /* n of them */
	struct ds_stats *stats;     /* n blocks, worker i writes stats[i] */
	unsigned n;
	struct ds_published_blocklist blocklist; /* starts as the configuration's; changed at run time */
	struct ds_challenge challenge;           /* its mask is what the workers read */
	struct rte_ring **reports;               /* per worker: sources over their bad-cookie allowance */
	unsigned n_reports;
	struct ds_auto_blocklist *auto_block;    /* NULL when auto_blocklist is off */
};

/*
 * Build cfg->n_workers workers on started ports. Each registers as a reader of @p keyring.
 * Returns 0, or -1 with a reason in @p err (out of memory, flow table, cookie engine); what was built
 * is freed by ds_workers_free() either way.
 */
int ds_workers_create(struct ds_workers *ws, const struct ds_config *cfg, const struct ds_ports *ports,
		      struct ds_keyring *keyring, const volatile bool *quit, char *err, size_t err_len);

/*
 * The control plane's periodic work on the workers (main lcore, every tick): measure the rate of new
 * ClientHellos per service and publish which to challenge; list and expire automatic blocklist entries.
 */
void ds_workers_tick(struct ds_workers *ws, uint64_t now_ms);

/* The clock ds_workers_tick() expects: milliseconds of the TSC. */
uint64_t ds_workers_clock_ms(void);

/* Launch every worker on its lcore (they run until *quit). */
void ds_workers_launch(const struct ds_workers *ws);

/* Free what ds_workers_create() built (after the workers returned). */
void ds_workers_free(struct ds_workers *ws);

#endif /* DS_WORKERS_H */
