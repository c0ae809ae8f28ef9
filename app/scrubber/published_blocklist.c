/* SPDX-License-Identifier: BSD-3-Clause */
#include "published_blocklist.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int
ds_published_blocklist_first(const struct ds_prefix *list, size_t n, struct ds_blocklist **out, char *err,
			     size_t err_len)
{
	*out = NULL;
	if (n != 0 && (*out = ds_blocklist_build(list, n)) == NULL) {
		snprintf(err, err_len, "blocklist: out of memory for %zu prefixes", n);
		return -1;
	}
	return 0;
}

void
ds_published_blocklist_init(struct ds_published_blocklist *pb, struct ds_view_publisher *view)
{
	memset(pb, 0, sizeof(*pb));
	pthread_mutex_init(&pb->lock, NULL);
	pb->view = view;
	pb->current = view->current->blocklist;
}

int
ds_published_blocklist_update(struct ds_published_blocklist *pb, const struct ds_prefix *add, size_t n_add,
			      bool *added, const struct ds_prefix *del, size_t n_del, char *err, size_t err_len)
{
	const struct ds_blocklist *old;
	struct ds_prefix *list;
	struct ds_blocklist *next;
	size_t n, i, kept = 0, changed = 0;
	int rc;

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
	rc = ds_view_publish(pb->view, &(struct ds_view_change){ .set_blocklist = true, .blocklist = next });
	if (rc != 1) {
		pthread_mutex_unlock(&pb->lock);
		ds_blocklist_free(next);
		snprintf(err, err_len, "%s", rc == -EBUSY ? "the workers have not caught up with the last changes; "
			 "try again" : "out of memory");
		if (added != NULL)
			memset(added, 0, n_add * sizeof(*added));
		return -1;
	}
	pb->current = next;
	pb->changes++;
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
	pthread_mutex_destroy(&pb->lock);
	memset(pb, 0, sizeof(*pb));
}
