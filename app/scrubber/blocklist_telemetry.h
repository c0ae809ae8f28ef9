/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BLOCKLIST_TELEMETRY_H
#define DS_BLOCKLIST_TELEMETRY_H

/*
 * The blocklist through DPDK telemetry, changed while the workers run (scripts/blocklist wraps it):
 *   /dtls_scrubber/blocklist              the listed prefixes
 *   /dtls_scrubber/blocklist_add,PREFIX   add one
 *   /dtls_scrubber/blocklist_del,PREFIX   remove one
 */

#include "published_blocklist.h"

/* Register the commands for @p pb (one per process). Returns 0 or a negative errno. */
int ds_blocklist_telemetry_register(struct ds_published_blocklist *pb);

#endif /* DS_BLOCKLIST_TELEMETRY_H */
