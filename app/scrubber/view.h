/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_VIEW_H
#define DS_VIEW_H

/**
 * @file
 * What the control plane publishes to the workers, as one immutable snapshot: the cookie keys in
 * force, the blocklist, which services to challenge (and, later, the reloadable configuration).
 *
 * Every change builds a new view from the current one and publishes it with one atomic pointer store;
 * a worker loads the pointer once per loop and reports a quiescent state at the end of the loop (DPDK
 * RCU QSBR, one reader id per worker). A replaced view, and the blocklist it alone held, are freed once
 * every online worker has finished a loop since. Writers (the main lcore, the telemetry thread) are
 * serialised by a mutex the workers never touch.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "ds_local.h"
#include "ds_outcome.h"
#include "ds_service.h"

struct ds_blocklist;
struct ds_cookie_keyset;

/** Limits of the publisher. */
enum ds_view_limits {
	DS_VIEW_RETIRED_MAX = 64, /**< replaced views waiting for their readers; more is -EBUSY */
};

/**
 * What a reload changes in the workers' own copies and tables: each worker applies it in its own
 * thread when it sees a new serial (it is the only writer of what it changes).
 */
struct ds_live_settings {
	uint64_t serial;                     /**< +1 per reload that changed these (0: as made) */
	struct ds_service_set services;      /**< the services, in the configuration's order */
	uint8_t fate[DS_OUT_COUNT];          /**< enum ds_frame_fate by outcome: the policies */
	uint8_t local_fallback[DS_OUT_COUNT]; /**< DS_FATE_LOCAL outcomes not for the appliance: their policy */
	bool drop_non_ip_inside;             /**< routed: policy.non_ip for frames from the servers */
	uint8_t dtls13[DS_SERVICE_MAX];      /**< enum ds_dtls13_policy by service */
	uint8_t quic_other[DS_SERVICE_MAX];  /**< enum ds_quic_other_policy by service */
	uint32_t hvr_rate, hvr_burst;        /**< hvr_rate_limit.per_prefix and burst (with its table) */
	uint32_t bad_rate, bad_burst;        /**< auto_blocklist.forgive_per_s and bad_cookies (when on) */
	uint32_t flow_idle_s;                /**< flows.idle_timeout */
	struct ds_tunnel tunnel[DS_SERVICE_MAX]; /**< per service: GRE toward its site */
	uint8_t next_hop[2][6];              /**< routed: each port's next hop MAC (configured, or resolved) */
};

/** One published snapshot. Never changed once published. */
struct ds_worker_view {
	const struct ds_cookie_keyset *keys;  /**< cookie keys in force (in this view's own memory) */
	const struct ds_blocklist *blocklist; /**< sources dropped before any work; NULL = none */
	uint64_t challenge;                   /**< bit s: challenge new ClientHellos of service s */
	uint32_t capture_every;               /**< sample 1 in N dropped frames for the capture; 0 = off */
	struct ds_live_settings live;         /**< the last reload's settings; serial 0 before one */
	uint64_t generation;                  /**< 1 for the first view, +1 per publication */
} __attribute__((aligned(64)));

/** A replaced view (and its blocklist, when the new view has another), freed after its grace period. */
struct ds_view_retired {
	struct ds_worker_view *view;
	struct ds_blocklist *blocklist;
	uint64_t token;
};

/** The publisher: the current view and what waits for reclamation. */
struct ds_view_publisher {
	struct ds_worker_view *current;   /**< workers: ds_view_get() once per loop */
	struct rte_rcu_qsbr *qsbr;        /**< reader id = worker index */
	unsigned n_readers;
	int socket;                       /**< where views are allocated */
	struct ds_view_retired retired[DS_VIEW_RETIRED_MAX];
	unsigned n_retired;
	uint64_t published;               /**< views published since init */
	uint64_t busy;                    /**< publications refused: every retired slot still in use */
	pthread_mutex_t lock;
};

/** A change: the fields marked are replaced, the others carried over from the current view. */
struct ds_view_change {
	const struct ds_cookie_keyset *keys; /**< copied; NULL = keep */
	bool set_blocklist;
	struct ds_blocklist *blocklist;      /**< the publisher owns it from now on (NULL = empty list) */
	bool set_challenge;
	uint64_t challenge;
	bool set_capture;
	uint32_t capture_every;
	const struct ds_live_settings *live; /**< a reload's settings (copied; non-NULL: published) */
};

/**
 * Set up for @p n_readers workers (ids 0..n_readers-1, registered, offline until they go online) and
 * publish the first view: @p keys copied, @p blocklist owned from now on, even on failure (may be
 * NULL), @p challenge the first challenge mask.
 *
 * @return
 *   0, or -1 with the reason in @p err (out of memory).
 */
int ds_view_init(struct ds_view_publisher *pub, unsigned n_readers, int socket,
		 const struct ds_cookie_keyset *keys, struct ds_blocklist *blocklist, uint64_t challenge, char *err,
		 size_t err_len);

/**
 * Publish a view that differs from the current one by @p change. Never blocks on the workers.
 *
 * @return
 *   1 when published (a blocklist passed in is the publisher's now); 0 when the change differs in
 *   nothing from the current view (nothing published); -EBUSY when DS_VIEW_RETIRED_MAX replaced views
 *   still wait for a worker, or -ENOMEM: nothing published, a blocklist passed in stays the caller's.
 */
int ds_view_publish(struct ds_view_publisher *pub, const struct ds_view_change *change);

/** Free the replaced views every online worker has moved past (the control plane's tick). */
void ds_view_reclaim(struct ds_view_publisher *pub);

/** Reader @p id starts (or resumes) reading; from now on it holds back what it may hold. */
void ds_view_reader_online(struct ds_view_publisher *pub, unsigned id);

/** Reader @p id stops reading (worker exit): it holds nothing back any more. */
void ds_view_reader_offline(struct ds_view_publisher *pub, unsigned id);

/** Free every view and the blocklist in force (no reader may be online). */
void ds_view_free(struct ds_view_publisher *pub);

/** Fast path, once per loop: the view in force. */
static inline const struct ds_worker_view *
ds_view_get(const struct ds_view_publisher *pub)
{
	return __atomic_load_n(&pub->current, __ATOMIC_ACQUIRE);
}

/** Fast path, at the end of each loop: this worker holds no view any more. */
static inline void
ds_view_quiescent(struct ds_view_publisher *pub, unsigned id)
{
	rte_rcu_qsbr_quiescent(pub->qsbr, id);
}

#endif /* DS_VIEW_H */
