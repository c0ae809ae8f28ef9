/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_FLOW_STATE_H
#define DS_FLOW_STATE_H

/**
 * @file
 * The flow state file (flows.state_file): the verified flows of every worker, written at a clean stop
 * and read at the next start, so that a restart does not cut sessions off. Layout in
 * docs/state-file.md: a 64-byte header, 64 bytes per flow, HMAC-SHA256 over both under a key derived
 * from the master secret. Pure functions over memory: no I/O, no DPDK.
 *
 * The file is untrusted input: ds_flow_state_check() checks every byte before anything is used, and
 * refuses the whole file on the first fault.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_flow.h"

/** Sizes of the parts of the file. */
enum ds_flow_state_sizes {
	DS_FLOW_STATE_HEADER = 64,
	DS_FLOW_STATE_RECORD = 64,
	DS_FLOW_STATE_MAC = 32,
	DS_FLOW_STATE_VERSION = 1,
};

/** Label of the file's MAC key: HMAC-SHA256(master secret, label). */
#define DS_FLOW_STATE_KEY_LABEL "dtls-scrubber flow state v1"

/** What the header says. */
struct ds_flow_state_meta {
	uint32_t n_workers;       /**< workers of the appliance that wrote it (a flow belongs to one) */
	uint64_t written_ms;      /**< Unix time of writing, ms */
	uint64_t idle_timeout_ms; /**< flows.idle_timeout of the writer */
	uint64_t count;           /**< flows recorded */
};

/** One flow. */
struct ds_flow_state_entry {
	struct ds_flow_key key;
	uint32_t worker;       /**< index of the worker whose table held it */
	uint32_t idle_left_ms; /**< time it had left before its idle timeout when written */
};

/** Bytes of a file of @p count flows. */
size_t ds_flow_state_size(uint64_t count);

/** Write the header into a file buffer of ds_flow_state_size(m->count) bytes. */
void ds_flow_state_write_header(uint8_t *file, const struct ds_flow_state_meta *m);

/** Write flow @p i. */
void ds_flow_state_write_entry(uint8_t *file, uint64_t i, const struct ds_flow_state_entry *e);

/**
 * Append the MAC (the last DS_FLOW_STATE_MAC bytes of the buffer) once header and flows are written.
 *
 * @return
 *   0, or a negative errno from the MAC.
 */
int ds_flow_state_seal(uint8_t *file, size_t len, const uint8_t key[32]);

/**
 * Check a whole file before any of it is used: size, magic, version, MAC, age, worker count and every
 * flow (family, zero padding, ports, worker, idle time, flows per worker within @p capacity).
 *
 * @param n_workers
 *   Workers now: a file of another count is refused (RSS would put its flows on other workers).
 * @param capacity
 *   Flows each worker's table holds now.
 * @param now_ms
 *   Unix time now.
 * @param err
 *   Why it is refused, for the operator.
 * @return
 *   0 with @p m filled, or -1.
 */
int ds_flow_state_check(const uint8_t *file, size_t len, const uint8_t key[32], uint32_t n_workers,
			uint32_t capacity, uint64_t now_ms, struct ds_flow_state_meta *m, char *err, size_t err_len);

/** Read flow @p i of a checked file. */
void ds_flow_state_read_entry(const uint8_t *file, uint64_t i, struct ds_flow_state_entry *e);

#endif /* DS_FLOW_STATE_H */
