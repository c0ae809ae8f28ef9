/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_NEIGHBOURS_H
#define DS_NEIGHBOURS_H

/*
 * Routed ports whose next hop is given as an address (`next_hop`): its MAC comes from the port's kernel
 * interface's neighbour table, which the kernel fills by ARP or neighbour discovery through the
 * exception path. The main lcore asks every tick; while the kernel has no usable entry it provokes one
 * (a zero-length UDP datagram to the next hop's discard port, out of the kernel interface) once a
 * second. A MAC once learned is kept until the kernel knows another.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_config.h"

/* One port's next hop given by address. */
struct ds_next_hop {
	bool wanted;            /* the port's next hop is an address */
	bool known;             /* its MAC was learned */
	unsigned ifindex;       /* the port's kernel interface */
	char ifname[16];
	uint8_t ip_version;
	uint8_t addr[16];
	uint8_t mac[6];
	uint64_t next_probe_ms; /* when to provoke a resolution again */
};

struct ds_neighbours {
	bool ready;             /* ds_neighbours_init() ran */
	int nl;                 /* route socket; -1 when no port needs one */
	struct ds_next_hop port[DS_PORT_COUNT];
};

/* @p ifindex: each port's kernel interface (0 = none). 0, or -1 with a reason in @p err. */
int ds_neighbours_init(struct ds_neighbours *n, const struct ds_config *cfg, const unsigned ifindex[DS_PORT_COUNT],
		       char *err, size_t err_len);

/* Once per tick: bit r set when port r's next hop MAC is new (first learned, or changed). */
unsigned ds_neighbours_tick(struct ds_neighbours *n, uint64_t now_ms);

/* "" when every next hop given by address is known, else which is not (for the health check). */
void ds_neighbours_missing(const struct ds_neighbours *n, char *why, size_t len);

void ds_neighbours_free(struct ds_neighbours *n);

#endif /* DS_NEIGHBOURS_H */
