/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_SAVED_FLOWS_H
#define DS_SAVED_FLOWS_H

/*
 * flows.state_file: every worker's verified flows written at a clean stop (atomically: a temporary file
 * renamed over the old one) and put back at the next start with the idle time they had left, so that a
 * restart does not cut sessions off. Format and checks: lib/flowstate, docs/state-file.md.
 */

#include <stddef.h>
#include <stdint.h>

#include "workers.h"

/* What a load did. */
struct ds_saved_flows_result {
	uint64_t in_file;   /* flows the file holds */
	uint64_t loaded;    /* put back into the workers' tables (counted as flow_loaded) */
	uint64_t idled_out; /* whose idle time ran out while the appliance was stopped */
};

/*
 * Write the workers' flows (stopped workers only) to @p path.
 * Returns 0 with the number written in @p written, or -1 with the reason in @p err.
 */
int ds_saved_flows_write(const struct ds_workers *ws, const char *path, const uint8_t key[32], uint64_t unix_ms,
			 uint32_t idle_timeout_s, uint64_t *written, char *err, size_t err_len);

/*
 * Put the flows of @p path back into the workers' tables (before they are launched). The whole file is
 * checked first: a file that is missing (-ENOENT), or refused (-EINVAL: truncated, stale, another
 * version, another master secret, another worker count, any bad record) leaves every table empty.
 * Returns 0, or the negative errno with the reason in @p err.
 */
int ds_saved_flows_read(struct ds_workers *ws, const char *path, const uint8_t key[32], uint64_t unix_ms,
			uint32_t capacity, struct ds_saved_flows_result *res, char *err, size_t err_len);

#endif /* DS_SAVED_FLOWS_H */
