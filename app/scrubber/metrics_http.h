/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_METRICS_HTTP_H
#define DS_METRICS_HTTP_H

/**
 * @file
 * The Prometheus endpoint (metrics.listen): GET /metrics served by libmicrohttpd's own polling
 * thread, created from the main lcore so that it shares the main lcore's CPU and never a worker's.
 * The workers' counters are read with relaxed loads at each scrape; what needs DPDK calls or the
 * control plane's state (port statistics, challenge, key epoch) is copied by the main loop once per
 * tick with ds_metrics_http_tick() and read by the HTTP thread under a mutex.
 */

#include <stddef.h>

#include "control.h"

struct ds_metrics_http;

/**
 * Bind metrics.listen and start serving.
 *
 * @param c
 *   The control plane's view of the workers; it must outlive the server (ds_metrics_http_stop()).
 * @param out
 *   The server, or NULL when the configuration has no metrics section.
 * @param err
 *   On failure: "metrics.listen ADDRESS: what went wrong".
 * @return
 *   0 (also when there is nothing to start), or -1.
 */
int ds_metrics_http_start(const struct ds_control *c, struct ds_metrics_http **out, char *err, size_t err_len);

/** On the main lcore, once per tick: copy what only the control plane knows for the next scrapes. NULL: nothing. */
void ds_metrics_http_tick(struct ds_metrics_http *m, const struct ds_control *c);

/** Stop serving, wait for the HTTP thread, free everything. NULL: nothing. */
void ds_metrics_http_stop(struct ds_metrics_http *m);

#endif /* DS_METRICS_HTTP_H */
