/* SPDX-License-Identifier: BSD-3-Clause */
#include "auto_blocklist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "events.h"
#include "log.h"

#define BUMP(counter, n) __atomic_store_n(&(counter), (counter) + (n), __ATOMIC_RELAXED)

int
ds_auto_blocklist_init(struct ds_auto_blocklist *ab, const struct ds_config *cfg,
		       struct ds_published_blocklist *published, struct rte_ring *const *rings, unsigned n_rings)
{
	memset(ab, 0, sizeof(*ab));
	ab->cfg = cfg;
	ab->published = published;
	ab->rings = rings;
	ab->n_rings = n_rings;
	pthread_mutex_init(&ab->lock, NULL);
	ab->entries = calloc(cfg->auto_blocklist.max_listed, sizeof(*ab->entries));
	return ab->entries != NULL ? 0 : -1;
}

static bool
tracked(const struct ds_auto_entry *entries, unsigned from, unsigned n, const struct ds_prefix *p)
{
	unsigned i;

	for (i = from; i < n; i++)
		if (ds_prefix_equal(&entries[i].prefix, p))
			return true;
	return false;
}

/* One line per tick with changes, whatever their number: a flood of forgers cannot flood the log. */
static void
log_changes(const struct ds_prefix *add, const bool *added, unsigned n_add, unsigned n_listed,
	    const struct ds_prefix *del, unsigned n_del)
{
	char first[DS_PREFIX_TEXT_MAX] = "", gone[DS_PREFIX_TEXT_MAX] = "";
	unsigned i;

	for (i = 0; i < n_add && first[0] == '\0'; i++)
		if (added[i])
			ds_prefix_format(&add[i], first, sizeof(first));
	if (n_del != 0)
		ds_prefix_format(&del[0], gone, sizeof(gone));
	if (n_listed != 0) {
		DS_LOG(NOTICE, "auto_blocklist: listed %u source prefix%s after repeated bad cookies (%s%s)", n_listed,
		       n_listed == 1 ? "" : "es", first, n_listed > 1 ? ", ..." : "");
		ds_event(DS_EVENT_NOTICE, "auto_blocklist_added", "\"count\":%u,\"first\":\"%s\"", n_listed, first);
	}
	if (n_del != 0) {
		DS_LOG(NOTICE, "auto_blocklist: %u entr%s expired (%s%s)", n_del, n_del == 1 ? "y" : "ies", gone,
		       n_del > 1 ? ", ..." : "");
		ds_event(DS_EVENT_NOTICE, "auto_blocklist_expired", "\"count\":%u,\"first\":\"%s\"", n_del, gone);
	}
}

void
ds_auto_blocklist_poll(struct ds_auto_blocklist *ab, uint64_t now_ms)
{
	struct ds_prefix *add = ab->add, *del = ab->del;
	bool *added = ab->added;
	struct ds_source_report reports[64];
	const unsigned max = ab->cfg->auto_blocklist.max_listed;
	unsigned n_add = 0, n_del = 0, n_full = 0, r, i, k;
	char err[128];
	int rc;

	/* Every entry lives as long as the others: the expired ones are the oldest, at the front. */
	while (n_del < ab->n_entries && n_del < DS_AUTO_BATCH && ab->entries[n_del].expires_ms <= now_ms) {
		del[n_del] = ab->entries[n_del].prefix;
		n_del++;
	}
	for (r = 0; r < ab->n_rings; r++) {
		unsigned got;

		while (n_add < DS_AUTO_BATCH &&
		       (got = rte_ring_dequeue_burst_elem(ab->rings[r], reports, sizeof(reports[0]),
							  RTE_MIN(64u, DS_AUTO_BATCH - n_add), NULL)) != 0) {
			for (i = 0; i < got; i++) {
				const struct ds_source_report *rep = &reports[i];
				struct ds_prefix p;

				ds_prefix_of(rep->addr, rep->ip_version,
					     rep->ip_version == 4 ? ab->cfg->auto_blocklist.ipv4_prefix
								  : ab->cfg->auto_blocklist.ipv6_prefix,
					     &p);
				/* Frames still in flight when it was listed report it again. */
				if (tracked(ab->entries, n_del, ab->n_entries, &p) || ds_prefix_listed(add, n_add, &p))
					continue;
				if (ab->n_entries - n_del + n_add >= max) {
					n_full++;
					continue;
				}
				add[n_add++] = p;
			}
		}
	}
	if (n_full != 0)
		BUMP(ab->full, n_full);
	if (n_add == 0 && n_del == 0)
		return;
	rc = ds_published_blocklist_update(ab->published, add, n_add, added, del, n_del, err, sizeof(err));
	if (rc < 0) {
		/* The expired stay listed and are tried again next tick; the sources will report again. */
		BUMP(ab->failed, 1);
		return;
	}
	pthread_mutex_lock(&ab->lock);
	memmove(ab->entries, ab->entries + n_del, (ab->n_entries - n_del) * sizeof(*ab->entries));
	ab->n_entries -= n_del;
	/* A prefix the operator had listed already stays the operator's: never expired by us. */
	for (k = 0, i = 0; i < n_add; i++)
		if (added[i]) {
			ab->entries[ab->n_entries++] = (struct ds_auto_entry){
				.prefix = add[i],
				.expires_ms = now_ms + (uint64_t)ab->cfg->auto_blocklist.duration_s * 1000,
			};
			k++;
		}
	pthread_mutex_unlock(&ab->lock);
	BUMP(ab->listed, k);
	BUMP(ab->expired, n_del);
	log_changes(add, added, n_add, k, del, n_del);
}

void
ds_auto_blocklist_foreach(struct ds_auto_blocklist *ab, uint64_t now_ms,
			  void (*fn)(void *arg, const struct ds_prefix *p, uint64_t left_ms), void *arg)
{
	unsigned i;

	pthread_mutex_lock(&ab->lock);
	for (i = 0; i < ab->n_entries; i++)
		fn(arg, &ab->entries[i].prefix,
		   ab->entries[i].expires_ms > now_ms ? ab->entries[i].expires_ms - now_ms : 0);
	pthread_mutex_unlock(&ab->lock);
}

void
ds_auto_blocklist_free(struct ds_auto_blocklist *ab)
{
	if (ab->entries != NULL)
		pthread_mutex_destroy(&ab->lock);
	free(ab->entries);
	ab->entries = NULL;
}
