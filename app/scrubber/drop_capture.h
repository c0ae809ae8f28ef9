/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_DROP_CAPTURE_H
#define DS_DROP_CAPTURE_H

/*
 * The drop capture, control side (docs/operations.md): the frames the workers sampled (worker_capture.c)
 * go into a pcapng file with their fate and classifier outcome as each packet's comment, until the
 * file reaches capture.max_mb. Sampling is switched at run time through the workers' view
 * (/dtls_scrubber/capture,N in telemetry).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ds_config.h"
#include "workers.h"

struct ds_capture {
	FILE *f;                  /* NULL: no capture configured, or the file could not be written */
	char path[DS_CONFIG_PATH_MAX];
	uint64_t max_bytes, bytes;
	uint64_t written;         /* frames in the file */
	uint64_t refused_full;    /* frames left out once the file was full */
	bool full;
	struct ds_workers *workers;
	const struct ds_service_set *services; /* the running configuration's (reloads change it on this thread) */
};

/* Open the file (truncated) and set sampling to capture.sample_every; 0, or -1 with the reason. */
int ds_capture_open(struct ds_capture *c, const struct ds_config *cfg, struct ds_workers *ws, char *err, size_t err_len);

/* Main loop, every tick: what the workers queued, into the file (at most a bounded number per tick). */
void ds_capture_drain(struct ds_capture *c);

/* Switch sampling (1 in @p every dropped frames, 0 = off) for every worker. 0, or a negative errno. */
int ds_capture_set(struct ds_capture *c, uint32_t every);

/* Drain what is left and close the file. */
void ds_capture_close(struct ds_capture *c);

/* /dtls_scrubber/capture (state) and /dtls_scrubber/capture_set,N; 0 or a negative errno. */
int ds_capture_register_telemetry(struct ds_capture *c);

#endif /* DS_DROP_CAPTURE_H */
