/* SPDX-License-Identifier: BSD-3-Clause */
#include "view.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "ds_blocklist.h"
#include "ds_keyring.h"

/* A view and its key set in one block: the keys are read with the view, and die with it. */
static struct ds_worker_view *
view_alloc(int socket)
{
	const size_t head = RTE_ALIGN_CEIL(sizeof(struct ds_worker_view), RTE_CACHE_LINE_SIZE);
	struct ds_worker_view *v = rte_zmalloc_socket("ds_view", head + ds_cookie_keyset_size(), RTE_CACHE_LINE_SIZE,
						      socket);

	if (v != NULL)
		v->keys = (const struct ds_cookie_keyset *)((const char *)v + head);
	return v;
}

static void
view_free(struct ds_worker_view *v)
{
	if (v == NULL)
		return;
	/* Epoch keys are secrets: nothing of them stays in freed memory. */
	ds_cookie_keyset_wipe((struct ds_cookie_keyset *)(uintptr_t)v->keys);
	rte_free(v);
}

int
ds_view_init(struct ds_view_publisher *pub, unsigned n_readers, int socket, const struct ds_cookie_keyset *keys,
	     struct ds_blocklist *blocklist, uint64_t challenge, char *err, size_t err_len)
{
	const size_t size = rte_rcu_qsbr_get_memsize(n_readers);
	unsigned i;

	memset(pub, 0, sizeof(*pub));
	pthread_mutex_init(&pub->lock, NULL);
	pub->socket = socket;
	pub->n_readers = n_readers;
	pub->qsbr = rte_zmalloc_socket("ds_view_rcu", size, RTE_CACHE_LINE_SIZE, socket);
	pub->current = view_alloc(socket);
	if (pub->qsbr == NULL || rte_rcu_qsbr_init(pub->qsbr, n_readers) != 0 || pub->current == NULL) {
		snprintf(err, err_len, "published view: out of memory for %u workers", n_readers);
		ds_view_free(pub);
		ds_blocklist_free(blocklist);
		return -1;
	}
	for (i = 0; i < n_readers; i++)
		rte_rcu_qsbr_thread_register(pub->qsbr, i);
	ds_cookie_keyset_copy((struct ds_cookie_keyset *)(uintptr_t)pub->current->keys, keys);
	pub->current->blocklist = blocklist;
	pub->current->challenge = challenge;
	pub->current->generation = 1;
	pub->published = 1;
	return 0;
}

/* Free, oldest first, what every online reader has moved past; a newer one cannot be done if an older is not. */
static void
reclaim(struct ds_view_publisher *pub)
{
	unsigned done = 0, i;

	while (done < pub->n_retired && rte_rcu_qsbr_check(pub->qsbr, pub->retired[done].token, false) == 1) {
		view_free(pub->retired[done].view);
		ds_blocklist_free(pub->retired[done].blocklist);
		done++;
	}
	for (i = done; i < pub->n_retired; i++)
		pub->retired[i - done] = pub->retired[i];
	pub->n_retired -= done;
}

static bool
changes_anything(const struct ds_worker_view *cur, const struct ds_view_change *c)
{
	return c->keys != NULL || (c->set_blocklist && c->blocklist != cur->blocklist) ||
	       (c->set_challenge && c->challenge != cur->challenge) ||
	       (c->set_capture && c->capture_every != cur->capture_every) || c->live != NULL;
}

int
ds_view_publish(struct ds_view_publisher *pub, const struct ds_view_change *change)
{
	struct ds_worker_view *cur, *next;
	struct ds_view_retired *r;

	pthread_mutex_lock(&pub->lock);
	cur = pub->current;
	if (!changes_anything(cur, change)) {
		pthread_mutex_unlock(&pub->lock);
		return 0;
	}
	reclaim(pub);
	if (pub->n_retired == DS_VIEW_RETIRED_MAX) {
		pub->busy++;
		pthread_mutex_unlock(&pub->lock);
		return -EBUSY;
	}
	next = view_alloc(pub->socket);
	if (next == NULL) {
		pthread_mutex_unlock(&pub->lock);
		return -ENOMEM;
	}
	ds_cookie_keyset_copy((struct ds_cookie_keyset *)(uintptr_t)next->keys,
			      change->keys != NULL ? change->keys : cur->keys);
	next->blocklist = change->set_blocklist ? change->blocklist : cur->blocklist;
	next->challenge = change->set_challenge ? change->challenge : cur->challenge;
	next->capture_every = change->set_capture ? change->capture_every : cur->capture_every;
	next->live = change->live != NULL ? *change->live : cur->live;
	next->live.serial = cur->live.serial + (change->live != NULL);
	next->generation = cur->generation + 1;
	/* Everything written above is visible to a worker that loads this pointer. */
	__atomic_store_n(&pub->current, next, __ATOMIC_RELEASE);
	r = &pub->retired[pub->n_retired++];
	r->view = cur;
	r->blocklist = next->blocklist != cur->blocklist ? (struct ds_blocklist *)(uintptr_t)cur->blocklist : NULL;
	r->token = rte_rcu_qsbr_start(pub->qsbr);
	pub->published++;
	pthread_mutex_unlock(&pub->lock);
	return 1;
}

void
ds_view_reclaim(struct ds_view_publisher *pub)
{
	pthread_mutex_lock(&pub->lock);
	reclaim(pub);
	pthread_mutex_unlock(&pub->lock);
}

void
ds_view_reader_online(struct ds_view_publisher *pub, unsigned id)
{
	rte_rcu_qsbr_thread_online(pub->qsbr, id);
}

void
ds_view_reader_offline(struct ds_view_publisher *pub, unsigned id)
{
	rte_rcu_qsbr_thread_offline(pub->qsbr, id);
}

void
ds_view_free(struct ds_view_publisher *pub)
{
	unsigned i;

	for (i = 0; i < pub->n_retired; i++) {
		view_free(pub->retired[i].view);
		ds_blocklist_free(pub->retired[i].blocklist);
	}
	if (pub->current != NULL) {
		ds_blocklist_free((struct ds_blocklist *)(uintptr_t)pub->current->blocklist);
		view_free(pub->current);
	}
	rte_free(pub->qsbr);
	pthread_mutex_destroy(&pub->lock);
	memset(pub, 0, sizeof(*pub));
}
