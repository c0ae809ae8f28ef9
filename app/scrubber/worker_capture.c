/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture, worker side (docs/operations.md): 1 in capture.sample_every dropped or answered frames
 * (HVRs, Retries, Version Negotiations as sent) is copied (its first DS_CAPTURE_SNAPLEN bytes, from a pool of the worker's own) and queued for the
 * control plane with its fate, which writes them to a pcapng file. Bounded: when the pool or the queue
 * is full, the sample is lost and counted, never waited for.
 */
#include "worker_burst.h"

#include <rte_mbuf.h>
#include <rte_ring.h>

void
worker_capture(struct ds_worker *w, struct rte_mbuf *const *frames, const uint8_t *fates, uint16_t n_frames,
	       uint32_t every)
{
	struct rte_mbuf *copies[DS_BURST];
	unsigned n = 0, k, sent;

	for (k = 0; k < n_frames; k++) {
		struct rte_mbuf *c;

		if (++w->capture_count < every)
			continue;
		w->capture_count = 0;
		c = rte_pktmbuf_copy(frames[k], w->capture_pool, 0, DS_CAPTURE_SNAPLEN);
		if (c == NULL) {
			count(w, DS_ACT_CAPTURE_LOST);
			continue;
		}
		/* The fate and the frame's whole length travel in the copy (hash.usr is free on this path). */
		c->hash.usr = (uint32_t)fates[k] | rte_pktmbuf_pkt_len(frames[k]) << 8;
		copies[n++] = c;
	}
	if (n == 0)
		return;
	sent = rte_ring_sp_enqueue_burst(w->captured, (void **)copies, n, NULL);
	DS_STATS_ADD(w->stats->action[DS_ACT_CAPTURE_SAMPLED], sent);
	if (sent < n) {
		DS_STATS_ADD(w->stats->action[DS_ACT_CAPTURE_LOST], n - sent);
		rte_pktmbuf_free_bulk(copies + sent, n - sent);
	}
}
