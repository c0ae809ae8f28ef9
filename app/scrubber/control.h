/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_CONTROL_H
#define DS_CONTROL_H

/* What the main lcore shows of the workers: live line, final summary, JSON file, DPDK telemetry. */

#include <stdint.h>

#include "auto_blocklist.h"
#include "ds_challenge.h"
#include "ds_config.h"
#include "ds_stats.h"
#include "talkers.h"

struct ds_health;

struct ds_control {
	const struct ds_config *cfg;
	const struct ds_stats *const *blocks; /* one per worker */
	unsigned n_workers;
	uint16_t port_ids[DS_PORT_COUNT];
	uint64_t start_ms;
	uint64_t last_ms;
	uint64_t cookie_epoch;          /* kept current by the main loop, read by telemetry */
	const struct ds_challenge *challenge;       /* which services are challenged, and why */
	const struct ds_auto_blocklist *auto_block; /* NULL when off */
	struct ds_talkers *talkers;     /* top talkers merged by the main lcore (talkers.h) */
	const struct ds_health *health; /* the health check (health.h); NULL before it exists */
	struct ds_stats last;           /* totals at the previous live line, for rates */
};

/* One line of live counters with rates since the previous line. */
void ds_control_print_line(struct ds_control *c, uint64_t now_ms);

/* Every non-zero counter, grouped, and the conservation check. */
void ds_control_print_summary(const struct ds_control *c, uint64_t now_ms);

/* The same as JSON (totals and per worker); returns 0 or -errno. */
int ds_control_write_json(const struct ds_control *c, const char *path, uint64_t now_ms);

/* /dtls_scrubber/stats, /dtls_scrubber/config and /dtls_scrubber/challenge; returns 0 or a negative errno. */
int ds_control_register_telemetry(struct ds_control *c);

#endif /* DS_CONTROL_H */
