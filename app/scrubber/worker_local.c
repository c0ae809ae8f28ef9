/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's side of the appliance as a host on its networks: frames for the appliance itself (ARP,
 * neighbour discovery, anything to a control address) to the exception path, GRE tunnels that end
 * here opened, clean frames put in their service's tunnel, VLAN tags set per port. Reached only by
 * frames that are not a protected service's (one fate lookup), or when tunnels or VLANs are set.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ds_pktmbuf.h"
#include "ds_wire.h"
#include "worker_burst.h"

enum { DEFAULT_MTU = 1500 };

/* The kernel interface's share of this worker, per port: a frame every kernel_interval cycles, a second's burst. */
static bool
kernel_take(struct ds_worker *w, enum ds_port_role role, struct rte_mbuf *m, uint64_t now)
{
	uint64_t *next = &w->kernel_bucket.next[role];
	const uint64_t interval = w->fast.kernel_interval[role], burst = rte_get_tsc_hz();

	if (*next > now + burst)
		return false;
	/* The exception thread needs to know which port's kernel interface the frame is for. */
	m->port = w->fast.port[role];
	if (rte_ring_sp_enqueue(w->to_kernel, m) != 0)
		return false;
	*next = (*next > now ? *next : now) + interval;
	return true;
}

bool
worker_local_outside(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf *m, struct ds_frame_info *info,
		     uint64_t now)
{
	struct ds_gre_info gre;

	switch (ds_local_classify(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				  &w->fast.local[DS_PORT_OUTSIDE], &gre)) {
	case DS_LOCAL_KERNEL:
		DS_STATS_ADD(w->stats->outcome[info->outcome], 1);
		if (kernel_take(w, DS_PORT_OUTSIDE, m, now))
			count(w, DS_ACT_TO_KERNEL);
		else
			drop(w, b, m, DS_ACT_DROPPED_KERNEL_RATE);
		return true;
	case DS_LOCAL_GRE:
		/* The inner packet is scrubbed as if it had come bare; it counts by its own outcome only. */
		rte_pktmbuf_adj(m, (uint16_t)ds_gre_decap(rte_pktmbuf_mtod(m, uint8_t *), &gre));
		count(w, DS_ACT_GRE_DECAPSULATED);
		ds_pktmbuf_classify(m, &w->services, info);
		return false;
	default:
		return false;
	}
}

uint16_t
worker_local_inside(struct ds_worker *w, struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	uint16_t kept = 0, i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct ds_gre_info gre;

		switch (ds_local_classify(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
					  &w->fast.local[DS_PORT_INSIDE], &gre)) {
		case DS_LOCAL_KERNEL:
			if (kernel_take(w, DS_PORT_INSIDE, m, now)) {
				count(w, DS_ACT_INSIDE_TO_KERNEL);
			} else {
				count(w, DS_ACT_DROPPED_INSIDE);
				rte_pktmbuf_free(m);
			}
			continue;
		case DS_LOCAL_GRE:
			rte_pktmbuf_adj(m, (uint16_t)ds_gre_decap(rte_pktmbuf_mtod(m, uint8_t *), &gre));
			count(w, DS_ACT_GRE_DECAPSULATED);
			break;
		default:
			break;
		}
		pkts[kept++] = m;
	}
	return kept;
}

/* Give a frame the VLAN tag of the port it leaves by (none when the port has none). */
static void
retag(struct ds_worker *w, struct rte_mbuf *m, enum ds_port_role to)
{
	const uint16_t want = w->fast.vlan[to];
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t vid;
	const bool tagged = ds_vlan_outer(frame, rte_pktmbuf_data_len(m), &vid);

	if (tagged ? want == vid : want == 0)
		return;
	if (tagged && want != 0) {
		/* Keep the priority bits. */
		ds_store_be16(frame + 2 * DS_ETH_ADDR_LEN + 2,
			      (uint16_t)((ds_load_be16(frame + 2 * DS_ETH_ADDR_LEN + 2) & 0xF000) | want));
	} else if (tagged) {
		ds_vlan_remove(frame);
		rte_pktmbuf_adj(m, DS_VLAN_TAG_LEN);
	} else {
		frame = (uint8_t *)rte_pktmbuf_prepend(m, DS_VLAN_TAG_LEN);
		if (frame == NULL)
			return; /* no headroom: never with the appliance's own pool */
		ds_vlan_insert(frame, want);
	}
	count(w, DS_ACT_VLAN_RETAGGED);
}

void
worker_retag_burst(struct ds_worker *w, struct rte_mbuf **pkts, uint16_t n, enum ds_port_role to)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		retag(w, pkts[i], to);
}

bool
worker_to_site(struct ds_worker *w, struct rte_mbuf *m, const struct ds_frame_info *info)
{
	if (ds_outcome_is_service(info->outcome) && ((w->tunnel_services >> info->service) & 1)) {
		const struct ds_tunnel *t = &w->tunnel[info->service];
		const uint32_t overhead = ds_gre_overhead(t);
		const uint32_t mtu = w->fast.mtu[DS_PORT_INSIDE] != 0 ? w->fast.mtu[DS_PORT_INSIDE] : DEFAULT_MTU;
		const uint32_t inner_len = info->dtls_offset + info->dtls_len - info->l3_offset;
		uint8_t *frame;

		if (inner_len + overhead > mtu || !rte_pktmbuf_is_contiguous(m) || rte_pktmbuf_headroom(m) < overhead)
			return false;
		/* Ethernet padding stays out of the tunnel. */
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - (info->l3_offset + inner_len)));
		frame = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)overhead);
		ds_gre_encap(frame, info->l3_offset, inner_len, info->ip_version, t);
		count(w, DS_ACT_TUNNEL_ENCAPSULATED);
	}
	if (w->fast.retag)
		retag(w, m, DS_PORT_INSIDE);
	return true;
}

void
worker_from_kernel(struct ds_worker *w)
{
	unsigned r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		struct rte_mbuf *pkts[DS_BURST];
		unsigned n, sent;

		if (w->from_kernel[r] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->from_kernel[r], (void **)pkts, DS_BURST, NULL);
		if (n == 0)
			continue;
		DS_STATS_ADD(w->stats->action[DS_ACT_FROM_KERNEL], n);
		sent = rte_eth_tx_burst(w->fast.port[r], w->fast.queue, pkts, (uint16_t)n);
		if (sent < n) {
			DS_STATS_ADD(w->stats->action[DS_ACT_TX_FULL], n - sent);
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		}
	}
}
