/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_RELOAD_H
#define DS_RELOAD_H

/*
 * Changing the configuration without a restart (SIGHUP, or the telemetry command
 * /dtls_scrubber/reload): the file is read and validated whole; a file with an error, or one that
 * changes what only a restart can (ds_config_frozen_diff()), is refused and nothing changes. Otherwise
 * services, policies, rate limits, flow timeout, challenge settings, blocklist, the master secrets,
 * event rate, live summary and capture limits apply at once, the workers' part through their view.
 * Everything here runs on the main lcore; the telemetry thread only asks and waits.
 */

#include <stdbool.h>
#include <stdint.h>

#include "drop_capture.h"
#include "ds_config.h"
#include "workers.h"

struct ds_reload {
	struct ds_config *running;   /* the configuration in force: updated in place */
	struct ds_workers *workers;
	struct ds_capture *capture;
	uint8_t *state_key;          /* flows.state_file's MAC key: follows the master secret */
	/* Requests and results, shared with the telemetry thread (atomics). */
	bool requested;
	uint64_t done;               /* reloads finished (applied or refused) */
	bool last_applied;
	char last_reason[1024];      /* what changed, or why it was refused; written before done moves */
};

/* Ask for a reload at the next tick (async-signal-safe: SIGHUP's handler calls it). */
void ds_reload_request(struct ds_reload *r);

/* Main loop: run a reload that was asked for. */
void ds_reload_poll(struct ds_reload *r);

/* Register /dtls_scrubber/reload (asks, waits for the result, says it). 0, or a negative errno. */
int ds_reload_register_telemetry(struct ds_reload *r);

#endif /* DS_RELOAD_H */
