/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_LOG_H
#define DS_LOG_H

/*
 * The control plane's events, one line each, through DPDK's log (stdout and syslog, with the level
 * --log-level sets: `--log-level dtls_scrubber:debug`). Never on a worker's per-packet path, never a
 * secret.
 *
 *   DS_LOG(NOTICE, "challenge: service %u challenged", s);
 */

#include <inttypes.h>

#include <rte_log.h>

extern int ds_logtype;

#define DS_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, ds_logtype, "dtls-scrubber: " fmt "\n", ##__VA_ARGS__)

#endif /* DS_LOG_H */
