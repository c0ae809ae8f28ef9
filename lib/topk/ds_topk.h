/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TOPK_H
#define DS_TOPK_H

/**
 * @file
 * The heaviest source prefixes of a stream, in bounded memory: the Space-Saving summary (Metwally,
 * Agrawal, El Abbadi, "Efficient computation of frequent and top-k elements in data streams", 2005).
 * DS_TOPK_SIZE counters; a prefix not held takes the smallest counter's place and inherits its count,
 * so every count is an upper bound that exceeds the true one by at most that inherited part (`error`),
 * and any prefix with more than total/DS_TOPK_SIZE of the stream is held. One owner writes a summary;
 * summaries of several workers are merged by adding their counters.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_blocklist.h"

enum {
	DS_TOPK_SIZE = 32,       /**< counters per summary */
	DS_TOPK_TEXT_MAX = DS_PREFIX_TEXT_MAX,
};

/** One counted prefix. */
struct ds_topk_entry {
	uint64_t count;   /**< upper bound of its weight */
	uint64_t error;   /**< how much of count it may not have earned (inherited on entry) */
	struct ds_prefix prefix;
};

/** A summary. */
struct ds_topk {
	uint64_t total;   /**< weight added, held or not */
	uint32_t n;       /**< counters in use */
	struct ds_topk_entry e[DS_TOPK_SIZE];
};

/** Empty a summary. */
void ds_topk_reset(struct ds_topk *t);

/** Count @p weight for a prefix (ds_prefix_of() makes one of an address). */
void ds_topk_add(struct ds_topk *t, const struct ds_prefix *p, uint64_t weight);

/**
 * Add every counter of @p from to @p into (a merge of workers' summaries): prefixes both hold add up;
 * @p into keeps the DS_TOPK_SIZE largest, and what it cannot hold still counts in its total.
 */
void ds_topk_merge(struct ds_topk *into, const struct ds_topk *from);

/** Sort the counters, largest first. */
void ds_topk_sort(struct ds_topk *t);


#endif /* DS_TOPK_H */
