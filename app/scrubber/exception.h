/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EXCEPTION_H
#define DS_EXCEPTION_H

/*
 * The exception path: per data port with `kernel_interface`, a kernel interface (DPDK's net_tap) with
 * the port's MAC and control addresses, so the kernel answers ARP and neighbour discovery, ping, and
 * runs BGP for the appliance. Workers hand it frames through one SP/SC ring each (rate-limited on
 * their side); a control thread writes them to the taps and reads what the kernel sends, which worker 0
 * transmits on its own queue of the data port (a ring from the thread): no worker queue is shared.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ds_config.h"
#include "ports.h"

struct ds_workers;
struct rte_mempool;
struct rte_ring;

struct ds_exception {
	bool enabled;                              /* some port has a kernel interface */
	bool has[DS_PORT_COUNT];                   /* ... this one */
	uint16_t tap[DS_PORT_COUNT];               /* its DPDK port */
	uint16_t data_port[DS_PORT_COUNT];
	uint16_t vlan[DS_PORT_COUNT];              /* the data port's tag: off toward the kernel, on from it */
	char ifname[DS_PORT_COUNT][16];
	unsigned ifindex[DS_PORT_COUNT];
	unsigned n_workers;
	struct rte_ring **to_kernel;               /* per worker */
	struct rte_ring *from_kernel[DS_PORT_COUNT]; /* to worker 0 */
	pthread_t thread;
	bool running;
	volatile bool stop;
	/* Counters of the thread (relaxed atomics; the workers count the rest). */
	uint64_t to_tap[DS_PORT_COUNT];            /* frames written to the kernel interface */
	uint64_t tap_refused[DS_PORT_COUNT];       /* ... that it did not take */
	uint64_t from_tap[DS_PORT_COUNT];          /* frames the kernel sent */
	uint64_t from_tap_lost[DS_PORT_COUNT];     /* ... that found worker 0's ring full */
};

/*
 * Create the kernel interfaces of @p cfg's ports (started, up, with the ports' MACs and control
 * addresses) and the rings. Nothing when no port has one. 0, or -1 with a reason in @p err.
 */
int ds_exception_create(struct ds_exception *ex, const struct ds_config *cfg, const struct ds_ports *ports,
			struct rte_mempool *pool, char *err, size_t err_len);

/* Give the workers their rings (before they are launched). */
void ds_exception_attach(struct ds_exception *ex, struct ds_workers *ws);

/* Start the thread. 0 or -errno. */
int ds_exception_start(struct ds_exception *ex);

/* Stop the thread (after the workers returned), the kernel interfaces, and free what is left. */
void ds_exception_free(struct ds_exception *ex);

/* /dtls_scrubber/kernel: the interfaces and the thread's counters. 0 or -errno. */
int ds_exception_register_telemetry(struct ds_exception *ex);

/* Extra mbufs the pool needs for the exception path of @p cfg. */
unsigned ds_exception_pool_need(const struct ds_config *cfg);

#endif /* DS_EXCEPTION_H */
