/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_PUBLISHED_BLOCKLIST_H
#define DS_PUBLISHED_BLOCKLIST_H

/*
 * The blocklist the workers read, changed while they run: every change builds a new immutable list
 * and publishes it in a new worker view (view.h), which frees the list it replaced once every worker
 * has moved past it. Changes come from the control plane only (main lcore, telemetry thread),
 * serialised by a mutex the workers never touch.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_blocklist.h"
#include "view.h"

struct ds_published_blocklist {
	struct ds_view_publisher *view; /* where the list goes */
	const struct ds_blocklist *current; /* the list published last (the view owns it); NULL = empty */
	uint64_t changes;
	pthread_mutex_t lock;
};

/*
 * The list a configuration starts with (@p n prefixes), to hand to ds_view_init(); NULL with nothing
 * listed. Returns 0, or -1 with a reason in @p err.
 */
int ds_published_blocklist_first(const struct ds_prefix *list, size_t n, struct ds_blocklist **out, char *err,
				 size_t err_len);

/* Start changing the list of @p view (its first view holds the configuration's list). */
void ds_published_blocklist_init(struct ds_published_blocklist *pb, struct ds_view_publisher *view);

/* Add (@p add true) or remove a prefix. Returns 1 when the list changed, 0 when it already was so,
 * -1 when out of memory or the workers are too far behind (err says so). */
int ds_published_blocklist_change(struct ds_published_blocklist *pb, const struct ds_prefix *p, bool add,
				  char *err, size_t err_len);

/*
 * Several changes, one new list: add @p add (added[i] says whether add[i] was new; may be NULL) and
 * remove @p del. Returns how many prefixes changed (0: nothing published), or -1 when out of memory or
 * when the view could not be published (nothing changed then).
 * Removing is a linear search per listed prefix: meant for a control tick's few changes.
 */
int ds_published_blocklist_update(struct ds_published_blocklist *pb, const struct ds_prefix *add, size_t n_add,
				  bool *added, const struct ds_prefix *del, size_t n_del, char *err, size_t err_len);

/* Calls @p fn for each listed prefix, under the lock (a consistent view). */
void ds_published_blocklist_foreach(struct ds_published_blocklist *pb,
				    void (*fn)(void *arg, const struct ds_prefix *p), void *arg);

/* Forget the publisher (the view frees the lists). */
void ds_published_blocklist_free(struct ds_published_blocklist *pb);

#endif /* DS_PUBLISHED_BLOCKLIST_H */
