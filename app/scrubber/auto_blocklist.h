/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_AUTO_BLOCKLIST_H
#define DS_AUTO_BLOCKLIST_H

/*
 * Sources listed automatically after repeated bad cookies (auto_blocklist in the configuration).
 * Each worker keeps a bad-cookie allowance per source prefix (lib/ratelimit: `bad_cookies` at once,
 * `forgive_per_s` given back each second) and puts a source that exceeds it on its own report ring
 * (single producer, single consumer: no lock). The control plane drains the rings each tick, lists the
 * new prefixes in one blocklist change, and removes each again after `duration` seconds.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ds_blocklist.h"
#include "ds_config.h"
#include "published_blocklist.h"

struct rte_ring;

/* What a worker reports: the source address of a bad cookie over the allowance. */
struct ds_source_report {
	uint8_t ip_version;
	uint8_t pad[3];
	uint8_t addr[16];
};

enum { DS_SOURCE_REPORT_RING = 1024, DS_AUTO_BATCH = 1024 };

struct ds_auto_entry {
	struct ds_prefix prefix;
	uint64_t expires_ms;
};

struct ds_auto_blocklist {
	const struct ds_config *cfg;
	struct ds_published_blocklist *published;
	struct rte_ring *const *rings;  /* one per worker */
	unsigned n_rings;
	struct ds_auto_entry *entries;  /* listed by us, oldest first; max_listed of them */
	unsigned n_entries;
	pthread_mutex_t lock;           /* entries: the control loop changes them, telemetry lists them */
	/* One tick's changes. */
	struct ds_prefix add[DS_AUTO_BATCH], del[DS_AUTO_BATCH];
	bool added[DS_AUTO_BATCH];
	/* Counters, read by telemetry while the control loop writes them (relaxed atomics). */
	uint64_t listed;                /* prefixes listed */
	uint64_t expired;               /* prefixes removed after their duration */
	uint64_t full;                  /* reports refused: max_listed entries already */
	uint64_t failed;                /* changes refused for lack of memory */
};

/* Start (nothing listed). Returns 0, or -1 when out of memory. */
int ds_auto_blocklist_init(struct ds_auto_blocklist *ab, const struct ds_config *cfg,
			   struct ds_published_blocklist *published, struct rte_ring *const *rings, unsigned n_rings);

/* Drain the workers' reports, list what is new, remove what expired: at most one blocklist change. */
void ds_auto_blocklist_poll(struct ds_auto_blocklist *ab, uint64_t now_ms);

/* Calls @p fn for each automatic entry with the milliseconds it has left. */
void ds_auto_blocklist_foreach(struct ds_auto_blocklist *ab, uint64_t now_ms,
			       void (*fn)(void *arg, const struct ds_prefix *p, uint64_t left_ms), void *arg);

void ds_auto_blocklist_free(struct ds_auto_blocklist *ab);

#endif /* DS_AUTO_BLOCKLIST_H */
