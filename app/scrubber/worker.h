/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_WORKER_H
#define DS_WORKER_H

/*
 * A worker lcore: its queues, its flow table, its cookie engine, its counters. Everything it touches
 * per packet is its own or in the view the control plane publishes (view.h); what it needs of the
 * configuration is copied into it at creation, so it never reads struct ds_config.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "ds_burst.h"
#include "ds_config.h"
#include "ds_local.h"
#include "ds_outcome.h"
#include "ds_service.h"
#include "ds_stats.h"
#include "talkers.h"

struct ds_cookie_engine;
struct ds_flow_table;
struct ds_ratelimit;
struct ds_view_publisher;
struct rte_mempool;
struct rte_ring;

/** What happens to a frame of an outcome, the policies resolved: one table lookup per frame. */
enum ds_frame_fate {
	DS_FATE_MALFORMED,    /**< dropped, dropped_malformed */
	DS_FATE_POLICY_PASS,  /**< forwarded by a pass policy */
	DS_FATE_POLICY_DROP,  /**< dropped by a drop policy */
	DS_FATE_HELLO,        /**< a ClientHello without a cookie: HVR, or passed when unchallenged */
	DS_FATE_HELLO_COOKIE, /**< a ClientHello with a cookie: checked */
	DS_FATE_RECORD,       /**< any other DTLS record or QUIC packet: passes on a verified flow only */
	DS_FATE_QUIC_INITIAL, /**< a QUIC Initial: token checked, or a Retry, or passed when unchallenged */
	DS_FATE_QUIC_OTHER_VERSION, /**< a QUIC long header of another version: by the service's policy */
	DS_FATE_LOCAL,        /**< maybe for the appliance itself (worker_local.c); else the fallback fate */
};

/** The configuration as the fast path needs it: set when the worker is made, changed by reloads in its own thread. */
struct ds_worker_fast {
	uint8_t fate[DS_OUT_COUNT];                    /**< enum ds_frame_fate by outcome */
	uint8_t local_fallback[DS_OUT_COUNT];          /**< DS_FATE_LOCAL frames not for the appliance: this fate */
	bool routed;                                   /**< rewrite addresses and spend a hop */
	bool drop_non_ip_inside;                       /**< routed: non-IP frames from the servers */
	enum ds_cookie_mode cookie_mode;               /**< the format: which ClientHellos it can cover */
	uint8_t dtls13[DS_SERVICE_MAX];                /**< enum ds_dtls13_policy by service */
	uint8_t quic_other[DS_SERVICE_MAX];            /**< enum ds_quic_other_policy by service */
	uint16_t port[DS_PORT_COUNT];                  /**< DPDK port ids */
	uint16_t queue;                                /**< this worker's queue on both ports */
	uint64_t tx_offloads[DS_PORT_COUNT];           /**< checksum offloads the HVR writer may use */
	struct rte_ether_addr port_mac[DS_PORT_COUNT]; /**< our own, the source of routed frames */
	struct rte_ether_addr next_hop[DS_PORT_COUNT]; /**< routed: where frames leaving each port go */
	/* The appliance as a host on its networks (worker_local.c): none of it costs a frame of a service. */
	bool kernel[DS_PORT_COUNT];                    /**< the port has a kernel interface */
	struct ds_local_addrs local[DS_PORT_COUNT];    /**< ... and these control addresses */
	uint64_t kernel_interval[DS_PORT_COUNT];       /**< TSC cycles per frame this worker may give the kernel */
	uint16_t vlan[DS_PORT_COUNT];                  /**< 802.1Q ID of frames leaving each port; 0 = untagged */
	bool retag;                                    /**< the ports' VLANs differ: frames crossing are retagged */
	uint16_t mtu[DS_PORT_COUNT];                   /**< IP bytes a port carries: tunnels are checked against it */
};

/** The rate at which a worker hands frames to a kernel interface: a virtual-time bucket per port. */
struct ds_kernel_bucket {
	uint64_t next[DS_PORT_COUNT]; /* theoretical arrival time of the next frame (TSC) */
};

struct ds_worker {
	struct ds_worker_fast fast;      /* written only by ds_worker_apply_live() once launched */
	/* The worker's own. */
	struct ds_cookie_engine *engine;
	struct ds_flow_table *flows;
	struct ds_ratelimit *hvr_limit;  /* HVRs per destination prefix; NULL = unlimited */
	struct ds_ratelimit *bad_cookies; /* bad-cookie allowance per source; NULL = auto_blocklist off */
	struct rte_ring *reports;        /* sources over that allowance, to the control plane */
	struct rte_ring *captured;       /* sampled dropped frames, to the control plane; NULL = no capture */
	struct rte_mempool *capture_pool; /* their copies (DS_CAPTURE_SNAPLEN bytes each) */
	uint32_t capture_count;          /* dropped frames since the last one sampled */
	struct ds_worker_talkers talkers; /* top talkers: this worker's summaries (talkers.h) */
	uint64_t live_serial;            /* the serial of the view's live settings this worker applied */
	struct ds_stats *stats;          /* this worker's block */
	struct ds_view_publisher *view;  /* keys, blocklist, challenge: loaded once per loop */
	unsigned reader;                 /* its reader id in the view's RCU */
	unsigned lcore;
	const volatile bool *quit;
	/* Loop state: outside frames are received one burst ahead of their processing. */
	struct rte_mbuf *outside[2][DS_BURST];
	uint16_t n_ahead, cur;
	uint64_t now;
	/* Unix time for QUIC token expiries, from the TSC: the TSC and the clock read together at creation. */
	uint64_t clock_tsc, clock_unix_ms, tsc_per_ms;
	/* Unique token numbers (the tokens' GCM nonces): a random prefix of this worker and start, a counter. */
	uint64_t token_prefix;
	uint32_t token_count;
	struct ds_service_set services;  /* a copy, on the worker's socket: every frame is matched */
	/* Per service, the length + 1 of the CIDs its clients send (RFC 9146), as its last ServerHello with
	 * a connection_id extension said; 0 = not seen. Learned by this worker from its own traffic. */
	uint16_t service_cid[DS_SERVICE_MAX];
	uint64_t cid_services;           /* services whose entry above is a usable CID length */
	/* The exception path (exception.c) and the tunnels toward the services' sites. */
	struct rte_ring *to_kernel;      /* frames for the kernel interfaces; NULL = none */
	struct rte_ring *from_kernel[DS_PORT_COUNT]; /* worker 0 only: what the kernel sends out of each port */
	struct ds_kernel_bucket kernel_bucket;
	struct ds_tunnel tunnel[DS_SERVICE_MAX]; /* per service, from the live settings */
	uint64_t tunnel_services;        /* services with a tunnel */
	uint64_t heartbeat;              /* the TSC at the last loop: the health check reads it */
} __attribute__((aligned(64)));

/* The drop capture: bytes kept of each sampled frame (whole frames but jumbo ones), copies in flight per worker. */
enum { DS_CAPTURE_SNAPLEN = 2048, DS_CAPTURE_RING = 1024, DS_CAPTURE_POOL = 2047 };

struct ds_live_settings;

/* A reload's settings (view.h), applied by the worker to its own copies and tables, in its own thread
 * (or before it runs). */
void ds_worker_apply_live(struct ds_worker *w, const struct ds_live_settings *s);

/* The worker loop (rte_eal_remote_launch entry point); returns when *quit becomes true. */
int ds_worker_main(void *arg);

/*
 * One turn of the loop, on the calling thread: process the burst received ahead, receive the next,
 * serve the inside port, expire a few flows. Returns how many frames it received. For tests and
 * fuzzers that drive a worker step by step; ds_worker_main() is this in a loop.
 */
uint16_t ds_worker_poll(struct ds_worker *w);

/* Process what ds_worker_poll() received ahead, so that every frame received met its fate. */
void ds_worker_flush(struct ds_worker *w);

/*
 * Service @p service gives its clients CIDs of @p cid_len bytes (RFC 9146): their tls12_cid records are
 * looked up by CID from now on. The worker calls it on each such ServerHello; the loader of saved flows
 * calls it for each CID flow it restores, before the worker runs.
 */
void ds_worker_note_service_cid(struct ds_worker *w, unsigned service, unsigned cid_len);

#endif /* DS_WORKER_H */
