/* SPDX-License-Identifier: BSD-3-Clause */
#include "frame_set.h"

#include <stdlib.h>

int
frame_set_alloc(struct frame_set *s, size_t count, size_t max_len)
{
	s->count = count;
	s->stride = (max_len + 63) & ~(size_t)63;
	s->bytes = malloc(count * s->stride);
	s->len = calloc(count, sizeof(*s->len));
	if (s->bytes == NULL || s->len == NULL) {
		frame_set_free(s);
		return -1;
	}
	return 0;
}

void
frame_set_free(struct frame_set *s)
{
	free(s->bytes);
	free(s->len);
	s->bytes = NULL;
	s->len = NULL;
	s->count = 0;
}

int
frame_set_put(struct frame_set *s, size_t i, struct ds_traffic *t, enum ds_traffic_kind kind, uint64_t source)
{
	const size_t len = ds_traffic_frame(t, kind, source, s->bytes + i * s->stride, s->stride);

	if (len == 0)
		return -1;
	s->len[i] = (uint16_t)len;
	return 0;
}

int
frame_set_fill_mix(struct frame_set *s, struct ds_traffic_mix *m)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		const size_t len = ds_traffic_mix_frame(m, s->bytes + i * s->stride, s->stride, NULL);

		if (len == 0)
			return -1;
		s->len[i] = (uint16_t)len;
	}
	return 0;
}
