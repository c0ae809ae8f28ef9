/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_HEALTH_H
#define DS_HEALTH_H

/*
 * Whether the appliance can scrub (every worker polling, both links up, the cookie keys of the clock's
 * epoch in force, next hops given by address resolved), said in telemetry and events, and acted on: while healthy, the announce.prefixes
 * routes sit in kernel table announce.table through the outside kernel interface, for BIRD or FRR to
 * announce over BGP; unhealthy or stopping, they are taken out. A crash takes the interface and so the
 * routes with it: the daemon withdraws as soon as the kernel tells it, or its peer at the hold time.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ds_config.h"

struct ds_neighbours;
struct ds_workers;
struct ds_ports;

struct ds_health {
	struct ds_announce_config announce;
	unsigned ifindex;         /* the outside kernel interface, the routes' device */
	int nl;                   /* route socket; -1 without announce */
	bool healthy;
	bool announced;           /* the routes are in the table */
	bool stopping;            /* withdrawn for good: the appliance is stopping */
	bool drained;             /* the operator withdrew the routes (/dtls_scrubber/drain): telemetry thread writes */
	char reason[160];         /* why not healthy ("" when healthy) */
	uint64_t last_heartbeat[DS_CONFIG_MAX_LCORES]; /* each worker's, at the previous check */
	uint64_t changes;         /* healthy <-> unhealthy */
};

/* 0, or -1 with a reason (the route socket). @p ifindex: the outside kernel interface (0 = none). */
int ds_health_init(struct ds_health *h, const struct ds_config *cfg, unsigned ifindex, char *err, size_t err_len);

/* Once per control tick: judge, then announce or withdraw. */
void ds_health_tick(struct ds_health *h, const struct ds_workers *ws, const struct ds_ports *ports,
		    const struct ds_neighbours *next_hops);

/* The appliance is stopping: withdraw now and never announce again. */
void ds_health_stop(struct ds_health *h);

void ds_health_free(struct ds_health *h);

/* /dtls_scrubber/health, and /dtls_scrubber/drain on|off (routes out for maintenance). 0 or -errno. */
int ds_health_register_telemetry(struct ds_health *h);

#endif /* DS_HEALTH_H */
