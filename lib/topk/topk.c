/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_topk.h"

#include <stdlib.h>
#include <string.h>

void
ds_topk_reset(struct ds_topk *t)
{
	t->total = 0;
	t->n = 0;
}

static int
find(const struct ds_topk *t, const struct ds_prefix *p)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		if (ds_prefix_equal(&t->e[i].prefix, p))
			return (int)i;
	return -1;
}

/* Count @p weight, with @p error of it unearned, for @p p. */
static void
add_entry(struct ds_topk *t, const struct ds_prefix *p, uint64_t weight, uint64_t error)
{
	uint32_t i, min = 0;
	int at;

	t->total += weight;
	at = find(t, p);
	if (at >= 0) {
		t->e[at].count += weight;
		t->e[at].error += error;
		return;
	}
	if (t->n < DS_TOPK_SIZE) {
		t->e[t->n] = (struct ds_topk_entry){ .count = weight, .error = error, .prefix = *p };
		t->n++;
		return;
	}
	for (i = 1; i < t->n; i++)
		if (t->e[i].count < t->e[min].count)
			min = i;
	/* Space-Saving: the newcomer takes the smallest counter and what it had counted. */
	{
		const uint64_t inherited = t->e[min].count;

		t->e[min] = (struct ds_topk_entry){ .count = inherited + weight, .error = inherited + error, .prefix = *p };
	}
}

void
ds_topk_add(struct ds_topk *t, const struct ds_prefix *p, uint64_t weight)
{
	add_entry(t, p, weight, 0);
}

void
ds_topk_merge(struct ds_topk *into, const struct ds_topk *from)
{
	const uint64_t unheld = from->total;
	uint64_t held = 0;
	uint32_t i;

	for (i = 0; i < from->n; i++) {
		add_entry(into, &from->e[i].prefix, from->e[i].count, from->e[i].error);
		held += from->e[i].count;
	}
	/* Counts are upper bounds: what they hold can exceed the total; the total is the stream's. */
	into->total = into->total - held + unheld;
}

static int
by_count(const void *a, const void *b)
{
	const struct ds_topk_entry *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

void
ds_topk_sort(struct ds_topk *t)
{
	qsort(t->e, t->n, sizeof(t->e[0]), by_count);
}
