/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_NETLINK_H
#define DS_NETLINK_H

/*
 * The few rtnetlink requests the control plane makes of the kernel (main lcore only, never a worker):
 * an address on a kernel interface, a route into a table of its own. Each waits for the kernel's answer.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ds_blocklist.h"

/* A route socket; -errno on failure. */
int ds_netlink_open(void);

void ds_netlink_close(int fd);

/* Put an address on an interface (IPv6 without duplicate address detection: the address is ours).
 * 0, or -errno (-EEXIST when it is there already). */
int ds_netlink_add_address(int fd, unsigned ifindex, unsigned ip_version, const uint8_t *addr, unsigned prefix_len);

/* Add (replacing) or delete the route of @p p through interface @p ifindex in table @p table. 0 or -errno. */
int ds_netlink_route(int fd, bool add, uint32_t table, const struct ds_prefix *p, unsigned ifindex);

/*
 * The link-layer address the kernel has for @p addr on interface @p ifindex. 0 with @p mac set when the
 * entry is usable (reachable, stale, delayed, probing, permanent); -EAGAIN while it is being resolved
 * or failed; -ENOENT when there is none; another -errno on error.
 */
int ds_netlink_neighbour(int fd, unsigned ifindex, unsigned ip_version, const uint8_t *addr, uint8_t mac[6]);

#endif /* DS_NETLINK_H */
