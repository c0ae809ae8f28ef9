/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BENCH_FRAME_SET_H
#define DS_BENCH_FRAME_SET_H

/* Frames made in advance for the benchmark: fixed stride, replayed in turn. */

#include <stddef.h>
#include <stdint.h>

#include "ds_traffic.h"

struct frame_set {
	uint8_t *bytes;     /* count * stride */
	uint16_t *len;
	size_t count;
	size_t stride;
};

/* Room for @p count frames of up to @p max_len bytes; -1 when out of memory. */
int frame_set_alloc(struct frame_set *s, size_t count, size_t max_len);

void frame_set_free(struct frame_set *s);

static inline const uint8_t *
frame_set_frame(const struct frame_set *s, size_t i)
{
	return s->bytes + i * s->stride;
}

/* Frame @p i of a kind from source @p source; -1 when it cannot be made or does not fit. */
int frame_set_put(struct frame_set *s, size_t i, struct ds_traffic *t, enum ds_traffic_kind kind,
		  uint64_t source);

/* Fill the whole set with frames of a mix. */
int frame_set_fill_mix(struct frame_set *s, struct ds_traffic_mix *m);

#endif
