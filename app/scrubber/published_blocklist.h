/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_PUBLISHED_BLOCKLIST_H
#define DS_PUBLISHED_BLOCKLIST_H

/*
 * The blocklist the workers read, changed while they run: every change builds a new list and
 * publishes it with one atomic pointer store; the list it replaced is freed once every worker has
 * finished a loop since (DPDK RCU, quiescent state reported once per loop). Changes come from the
 * control plane only (main lcore, telemetry thread), serialised by a mutex the workers never touch.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "ds_blocklist.h"

struct ds_published_blocklist {
	struct ds_blocklist *current;  /* workers: __atomic_load_n(ACQUIRE) once per loop; NULL = empty */
	struct rte_rcu_qsbr *qsbr;
	struct ds_blocklist *retired;  /* replaced, freed when retired_token is reached */
	uint64_t retired_token;
	uint64_t changes;
	pthread_mutex_t lock;
};

/*
 * Start with @p n prefixes (a configuration's), for @p n_readers workers whose reader ids are
 * 0..n_readers-1. Returns 0, or -1 with a reason in @p err.
 */
int ds_published_blocklist_init(struct ds_published_blocklist *pb, const struct ds_prefix *list, size_t n,
				unsigned n_readers, char *err, size_t err_len);

/* Add (@p add true) or remove a prefix. Returns 1 when the list changed, 0 when it already was so,
 * -1 when out of memory (err says so). */
int ds_published_blocklist_change(struct ds_published_blocklist *pb, const struct ds_prefix *p, bool add,
				  char *err, size_t err_len);

/*
 * Several changes, one new list: add @p add (added[i] says whether add[i] was new; may be NULL) and
 * remove @p del. Returns how many prefixes changed (0: nothing published), or -1 when out of memory.
 * Removing is a linear search per listed prefix: meant for a control tick's few changes.
 */
int ds_published_blocklist_update(struct ds_published_blocklist *pb, const struct ds_prefix *add, size_t n_add,
				  bool *added, const struct ds_prefix *del, size_t n_del, char *err, size_t err_len);

/* Reader side: register reader @p id (online), report a quiescent state, go offline. */
void ds_published_blocklist_reader_online(struct ds_published_blocklist *pb, unsigned id);
void ds_published_blocklist_reader_offline(struct ds_published_blocklist *pb, unsigned id);

static inline const struct ds_blocklist *
ds_published_blocklist_get(const struct ds_published_blocklist *pb)
{
	return __atomic_load_n(&pb->current, __ATOMIC_ACQUIRE);
}

static inline void
ds_published_blocklist_quiescent(struct ds_published_blocklist *pb, unsigned id)
{
	rte_rcu_qsbr_quiescent(pb->qsbr, id);
}

/* Calls @p fn for each listed prefix, under the lock (a consistent view). */
void ds_published_blocklist_foreach(struct ds_published_blocklist *pb,
				    void (*fn)(void *arg, const struct ds_prefix *p), void *arg);

/* Free everything (workers stopped). */
void ds_published_blocklist_free(struct ds_published_blocklist *pb);

#endif /* DS_PUBLISHED_BLOCKLIST_H */
