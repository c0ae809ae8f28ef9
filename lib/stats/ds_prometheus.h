/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_PROMETHEUS_H
#define DS_PROMETHEUS_H

/**
 * @file
 * The appliance's counters in the Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE`
 * before each family, every counter of the X-macros as `dtls_scrubber_<counter>_total{worker="N"}`,
 * and what only the control plane knows (key epoch, challenge state, port statistics) from a snapshot
 * the main lcore takes. Pure C, no DPDK: the HTTP server, the unit test and anything else that wants
 * the text call the same writer.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ds_service.h"
#include "ds_stats.h"

/** Limits of an exposition. */
enum ds_prometheus_limits {
	DS_PROMETHEUS_MAX_PORTS = 4,     /**< ports an exposition describes */
	DS_PROMETHEUS_LABEL_MAX = 64,    /**< longest port or service label value, with its NUL */
	DS_PROMETHEUS_TALKER_KINDS = 3,  /**< kinds of top talkers */
	DS_PROMETHEUS_TALKERS = 10,      /**< prefixes shown per kind */
};

/** One of the heaviest source prefixes of a kind in the last window. */
struct ds_prometheus_talker {
	char prefix[DS_PROMETHEUS_LABEL_MAX]; /**< "198.51.100.0/24": the `prefix` label */
	uint64_t estimate;                    /**< its events in the window, estimated (an upper bound) */
};

/** The top talkers of one kind ("answered", "bad_cookie", "dropped"). */
struct ds_prometheus_talkers {
	char kind[DS_PROMETHEUS_LABEL_MAX];   /**< the `kind` label; "" = not shown */
	unsigned n;
	struct ds_prometheus_talker talker[DS_PROMETHEUS_TALKERS];
};

/** One protected service, as the control plane last saw it. */
struct ds_prometheus_service {
	char name[DS_PROMETHEUS_LABEL_MAX]; /**< "ADDR:PORT": the `service` label */
	bool challenged;                    /**< its ClientHellos without a cookie are answered now */
	uint64_t switched_on;               /**< times challenging started (challenge: under-attack) */
	uint64_t switched_off;              /**< times it stopped */
};

/** What a NIC counted for one port. */
struct ds_prometheus_port {
	char role[DS_PROMETHEUS_LABEL_MAX]; /**< "outside" or "inside": the `port` label */
	uint64_t rx_packets;                /**< frames received */
	uint64_t rx_missed;                 /**< frames the NIC dropped for want of room in a queue */
	uint64_t rx_errors;                 /**< erroneous frames received */
	uint64_t rx_nombuf;                 /**< receive failures for want of an mbuf */
	uint64_t tx_packets;                /**< frames sent */
	uint64_t tx_errors;                 /**< frames the NIC failed to send */
};

/**
 * What the workers' counters do not hold: copied by the main lcore once per tick, because reading it
 * needs DPDK calls or the control plane's own state.
 */
struct ds_prometheus_state {
	uint64_t tsc_hz;     /**< TSC frequency, to turn busy cycles into seconds */
	uint64_t key_epoch;  /**< epoch of the cookie key that makes cookies now */
	uint64_t flow_capacity; /**< verified flows each worker's table holds (flows.capacity); 0 = not shown */
	bool health_known;   /**< the health check ran: healthy and announced are shown */
	bool healthy;        /**< every worker polling, links up, keys current (app/scrubber/health.c) */
	bool announced;      /**< the announce routes are in their kernel table */
	unsigned n_services; /**< entries of service[] in use */
	struct ds_prometheus_service service[DS_SERVICE_MAX];
	unsigned n_ports;    /**< entries of port[] in use */
	struct ds_prometheus_port port[DS_PROMETHEUS_MAX_PORTS];
	unsigned talkers_window_s;  /**< length of the top talkers' window; 0 = none shown */
	struct ds_prometheus_talkers talkers[DS_PROMETHEUS_TALKER_KINDS];
};

/**
 * Write the whole exposition.
 *
 * @param f
 *   Where the text goes (a socket's buffer, a memory stream, a file).
 * @param workers
 *   One snapshot per worker (ds_stats_sum() of a single block reads one with relaxed loads).
 * @param n_workers
 *   Entries of @p workers: the `worker` label runs from 0 to n_workers - 1.
 * @param st
 *   The control plane's snapshot; its service[] is in the order of the workers' service_hellos[].
 * @return
 *   0, or -EIO when @p f reports an error.
 */
int ds_prometheus_write(FILE *f, const struct ds_stats *workers, unsigned n_workers,
			const struct ds_prometheus_state *st);

/**
 * Write a label value escaped as the format wants it: backslash, double quote and line feed as
 * `\\`, `\"` and `\n`, everything else as it is.
 */
void ds_prometheus_write_label_value(FILE *f, const char *value);

/** Content-Type of the exposition, for an HTTP server. */
#define DS_PROMETHEUS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif /* DS_PROMETHEUS_H */
