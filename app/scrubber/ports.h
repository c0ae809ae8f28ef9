/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_PORTS_H
#define DS_PORTS_H

/*
 * The two ports: found by name, one RX and one TX queue per worker (worker N owns queue N on both),
 * symmetric RSS so that both directions of a flow reach the same worker, offloads when offered.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "ds_config.h"

struct ds_ports {
	uint16_t id[DS_PORT_COUNT];
	uint64_t tx_offloads[DS_PORT_COUNT]; /* checksum offloads enabled (HVRs use them) */
	struct rte_ether_addr mac[DS_PORT_COUNT];
	bool rss[DS_PORT_COUNT];             /* the port hashes flows with the symmetric key */
	bool started[DS_PORT_COUNT];
	bool link_known[DS_PORT_COUNT], link_up[DS_PORT_COUNT]; /* as last logged */
	char driver[DS_PORT_COUNT][64];
};

/*
 * Configure and start both ports for cfg->n_workers queue pairs each.
 * Returns 0, or -1 with a reason in @p err (port missing, too few queues, several workers on a port
 * without RSS unless its configuration says `rss: driver`, driver refusal); nothing is left started.
 */
int ds_ports_start(const struct ds_config *cfg, struct rte_mempool *pool, struct ds_ports *ports, char *err,
		   size_t err_len);

/* Log each port's link state when it changes (the first call logs it as it is). */
void ds_ports_watch_links(struct ds_ports *ports);

/* Stop and close the ports that were started. */
void ds_ports_stop(const struct ds_ports *ports);

#endif /* DS_PORTS_H */
