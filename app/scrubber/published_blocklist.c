/* SPDX-License-Identifier: BSD-3-Clause */
#include "published_blocklist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

int
ds_published_blocklist_init(struct ds_published_blocklist *pb, const struct ds_prefix *list, size_t n,
			    unsigned n_readers, char *err, size_t err_len)
{
	const size_t size = rte_rcu_qsbr_get_memsize(n_readers);

	memset(pb, 0, sizeof(*pb));
	pthread_mutex_init(&pb->lock, NULL);
	pb->qsbr = rte_zmalloc("ds_blocklist_rcu", size, RTE_CACHE_LINE_SIZE);
	if (pb->qsbr == NULL || rte_rcu_qsbr_init(pb->qsbr, n_readers) != 0) {
		snprintf(err, err_len, "blocklist: out of memory for %u readers", n_readers);
		return -1;
	}
	if (n != 0 && (pb->current = ds_blocklist_build(list, n)) == NULL) {
		snprintf(err, err_len, "blocklist: out of memory for %zu prefixes", n);
		return -1;
	}
	return 0;
}

/* Free the list replaced last time once every reader has moved on (wait for it when @p wait). */
static void
reclaim(struct ds_published_blocklist *pb, bool wait)
{
	if (pb->retired != NULL && rte_rcu_qsbr_check(pb->qsbr, pb->retired_token, wait) == 1) {
		ds_blocklist_free(pb->retired);
		pb->retired = NULL;
	}
}

int
ds_published_blocklist_update(struct ds_published_blocklist *pb, const struct ds_prefix *add, size_t n_add,
			      bool *added, const struct ds_prefix *del, size_t n_del, char *err, size_t err_len)
{
	const struct ds_blocklist *old;
	struct ds_prefix *list;
	struct ds_blocklist *next;
	size_t n, i, kept = 0, changed = 0;

	pthread_mutex_lock(&pb->lock);
	old = pb->current;
	n = old != NULL ? ds_blocklist_count(old) : 0;
	list = malloc((n + n_add + 1) * sizeof(*list));
	if (list == NULL) {
		pthread_mutex_unlock(&pb->lock);
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct ds_prefix *e = ds_blocklist_entry(old, i);

		if (ds_prefix_listed(del, n_del, e))
			changed++;
		else
			list[kept++] = *e;
	}
	for (i = 0; i < n_add; i++) {
		const bool is_new = !ds_prefix_listed(list, kept, &add[i]);

		if (added != NULL)
			added[i] = is_new;
		if (is_new) {
			list[kept++] = add[i];
			changed++;
		}
	}
	if (changed == 0) {
		free(list);
		pthread_mutex_unlock(&pb->lock);
		return 0;
	}
	next = kept != 0 ? ds_blocklist_build(list, kept) : NULL;
	free(list);
	if (kept != 0 && next == NULL) {
		pthread_mutex_unlock(&pb->lock);
		snprintf(err, err_len, "out of memory for %zu prefixes", kept);
		if (added != NULL)
			memset(added, 0, n_add * sizeof(*added));
		return -1;
	}
	/* At most one list waits for its readers: a second change soon after waits for the first. */
	reclaim(pb, true);
	__atomic_store_n(&pb->current, next, __ATOMIC_RELEASE);
	pb->retired = (struct ds_blocklist *)old;
	pb->retired_token = rte_rcu_qsbr_start(pb->qsbr);
	pb->changes++;
	reclaim(pb, false);
	pthread_mutex_unlock(&pb->lock);
	return (int)(changed > INT32_MAX ? INT32_MAX : changed);
}

int
ds_published_blocklist_change(struct ds_published_blocklist *pb, const struct ds_prefix *p, bool add,
			      char *err, size_t err_len)
{
	const int rc = add ? ds_published_blocklist_update(pb, p, 1, NULL, NULL, 0, err, err_len)
			   : ds_published_blocklist_update(pb, NULL, 0, NULL, p, 1, err, err_len);

	return rc > 0 ? 1 : rc;
}

void
ds_published_blocklist_reader_online(struct ds_published_blocklist *pb, unsigned id)
{
	rte_rcu_qsbr_thread_register(pb->qsbr, id);
	rte_rcu_qsbr_thread_online(pb->qsbr, id);
}

void
ds_published_blocklist_reader_offline(struct ds_published_blocklist *pb, unsigned id)
{
	rte_rcu_qsbr_thread_offline(pb->qsbr, id);
	rte_rcu_qsbr_thread_unregister(pb->qsbr, id);
}

void
ds_published_blocklist_foreach(struct ds_published_blocklist *pb,
			       void (*fn)(void *arg, const struct ds_prefix *p), void *arg)
{
	size_t i;

	pthread_mutex_lock(&pb->lock);
	for (i = 0; pb->current != NULL && i < ds_blocklist_count(pb->current); i++)
		fn(arg, ds_blocklist_entry(pb->current, i));
	pthread_mutex_unlock(&pb->lock);
}

void
ds_published_blocklist_free(struct ds_published_blocklist *pb)
{
	ds_blocklist_free(pb->current);
	ds_blocklist_free(pb->retired);
	rte_free(pb->qsbr);
	pb->current = pb->retired = NULL;
	pb->qsbr = NULL;
	pthread_mutex_destroy(&pb->lock);
}
