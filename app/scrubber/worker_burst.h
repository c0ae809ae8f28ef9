/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_WORKER_BURST_H
#define DS_WORKER_BURST_H

/*
 * Inside the worker only: one outside burst as its stages sort it (worker.c for DTLS, worker_quic.c
 * for QUIC), and the three ways a frame meets its fate: inside, dropped, or answered outside.
 */

#include <rte_mbuf.h>

#include "ds_classify.h"
#include "ds_cookie.h"
#include "ds_flow.h"
#include "ds_route.h"
#include "view.h"
#include "worker.h"

/* Where each frame of an outside burst goes. */
struct outside_burst {
	struct ds_frame_info info[DS_BURST];
	struct rte_mbuf *to_inside[DS_BURST];
	struct rte_mbuf *to_outside[DS_BURST];
	struct rte_mbuf *drop[DS_BURST];
	uint8_t drop_fate[DS_BURST];   /* enum ds_action of each dropped frame, for the drop capture */
	uint8_t outside_fate[DS_BURST]; /* ... and of each answer sent back (HVR, Retry, Version Negotiation) */
	uint16_t n_inside, n_outside, n_drop;
	/* ClientHellos: their requests, which frame each is */
	struct ds_cookie_request req[DS_BURST];
	uint16_t hello[DS_BURST];
	uint16_t n_hello;
	/* Other DTLS records and QUIC packets: their flow keys, which frame each is */
	struct ds_flow_key keys[DS_BURST];
	const struct ds_flow_key *key_ptr[DS_BURST];
	uint16_t record[DS_BURST];
	uint16_t n_record;
	/* QUIC Initials: which frame each is */
	uint16_t quic[DS_BURST];
	uint16_t n_quic;
};

static inline void
count(struct ds_worker *w, enum ds_action a)
{
	DS_STATS_ADD(w->stats->action[a], 1);
}

/* An answer written in place, back out of the outside port. */
static inline void
answer(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf *m, enum ds_action fate)
{
	count(w, fate);
	b->outside_fate[b->n_outside] = (uint8_t)fate;
	b->to_outside[b->n_outside++] = m;
}

/*
 * worker_local.c: a frame on its way inside gets its service's GRE tunnel and the inside port's VLAN
 * tag. False when it cannot be encapsulated (longer than the inside MTU allows, or no headroom).
 */
bool worker_to_site(struct ds_worker *w, struct rte_mbuf *m, const struct ds_frame_info *info);

/* A frame of fate DS_FATE_LOCAL: true when it met its fate (to the kernel, or over its rate); false when it
 * goes on as *info says: the inner packet of a GRE tunnel to us (classified again), or not ours at all. */
bool worker_local_outside(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf *m, struct ds_frame_info *info,
			  uint64_t now);

/* Inside frames for the appliance go to the kernel, GRE to us is decapsulated; returns the frames left in @p pkts. */
uint16_t worker_local_inside(struct ds_worker *w, struct rte_mbuf **pkts, uint16_t n, uint64_t now);

/* Frames from the inside leaving the outside port: the outside port's VLAN tag. */
void worker_retag_burst(struct ds_worker *w, struct rte_mbuf **pkts, uint16_t n, enum ds_port_role to);

/* Worker 0: what the kernel interfaces sent, out of their ports. */
void worker_from_kernel(struct ds_worker *w);

/* Forward toward the inside port; routed mode rewrites addresses and spends a hop. */
static inline void
to_inside(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf *m, const struct ds_frame_info *info,
	  enum ds_action fate)
{
	if (w->fast.routed &&
	    ds_route_rewrite(rte_pktmbuf_mtod(m, uint8_t *), info->l3_offset, info->ip_version,
			     w->fast.port_mac[DS_PORT_INSIDE].addr_bytes,
			     w->fast.next_hop[DS_PORT_INSIDE].addr_bytes) == DS_ROUTE_TTL_EXPIRED) {
		count(w, DS_ACT_DROPPED_TTL_EXPIRED);
		b->drop_fate[b->n_drop] = DS_ACT_DROPPED_TTL_EXPIRED;
		b->drop[b->n_drop++] = m;
		return;
	}
	/* A service's tunnel, or VLANs that differ between the ports: neither costs the others a frame. */
	if (unlikely((w->tunnel_services | w->fast.retag) != 0) && !worker_to_site(w, m, info)) {
		count(w, DS_ACT_DROPPED_TUNNEL_MTU);
		b->drop_fate[b->n_drop] = DS_ACT_DROPPED_TUNNEL_MTU;
		b->drop[b->n_drop++] = m;
		return;
	}
	count(w, fate);
	b->to_inside[b->n_inside++] = m;
}

static inline void
drop(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf *m, enum ds_action fate)
{
	count(w, fate);
	b->drop_fate[b->n_drop] = (uint8_t)fate;
	b->drop[b->n_drop++] = m;
}


_Static_assert(DS_ACT_COUNT <= 256, "a dropped frame's fate fits in a byte");

/* Valid cookies and tokens make (or refresh) flows, all of a burst in one bulk insert; their frames go inside. */
void worker_record_flows(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts, const uint16_t *valid,
			 uint16_t n_valid, uint64_t now, enum ds_action fate);

/*
 * A QUIC Initial or long header of another version (their fates in w->fast.fate), at classification:
 * Initials are queued in @p b for quic_check_initials(), other versions meet their fate here.
 */
void quic_classified(struct ds_worker *w, struct outside_burst *b, uint16_t i, struct rte_mbuf *m, bool challenged,
		     uint64_t now);

/* Stage 2b: the burst's QUIC Initials: tokens checked (valid ones make flows), the rest answered by Retry. */
void quic_check_initials(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts,
			 const struct ds_worker_view *v, uint64_t now);

/* After a burst, with its answers or drops still in hand: 1 in @p every of them copied, with its fate, for the capture. */
void worker_capture(struct ds_worker *w, struct rte_mbuf *const *frames, const uint8_t *fates, uint16_t n, uint32_t every);

#endif /* DS_WORKER_BURST_H */
