/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BLOCKLIST_TELEMETRY_H
#define DS_BLOCKLIST_TELEMETRY_H

/*
 * The blocklist through DPDK telemetry, changed while the workers run (scripts/blocklist wraps it):
 *   /dtls_scrubber/blocklist              the listed prefixes
 *   /dtls_scrubber/blocklist_add,PREFIX   add one
 *   /dtls_scrubber/blocklist_del,PREFIX   remove one
 *   /dtls_scrubber/auto_blocklist         what auto_blocklist listed, and for how long yet
 */

#include <stdint.h>

#include "auto_blocklist.h"
#include "clock.h"
#include "published_blocklist.h"

/*
 * Register the commands for @p pb and @p ab (NULL when auto_blocklist is off; one per process);
 * @p clock is the automatic entries' clock (the workers': it must outlive telemetry). Returns 0 or a negative errno.
 */
int ds_blocklist_telemetry_register(struct ds_published_blocklist *pb, struct ds_auto_blocklist *ab,
				    const struct ds_clock *clock);

#endif /* DS_BLOCKLIST_TELEMETRY_H */
