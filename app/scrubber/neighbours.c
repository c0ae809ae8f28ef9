/* SPDX-License-Identifier: BSD-3-Clause */
#include "neighbours.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "netlink.h"

enum { PROBE_EVERY_MS = 1000, DISCARD_PORT = 9 };

int
ds_neighbours_init(struct ds_neighbours *n, const struct ds_config *cfg, const unsigned ifindex[DS_PORT_COUNT],
		   char *err, size_t err_len)
{
	bool any = false;
	unsigned r;

	memset(n, 0, sizeof(*n));
	n->ready = true;
	n->nl = -1;
	for (r = 0; r < DS_PORT_COUNT; r++) {
		const struct ds_port_config *pc = &cfg->ports[r];

		if (cfg->mode != DS_MODE_ROUTED || pc->next_hop_ip_version == 0)
			continue;
		n->port[r].wanted = any = true;
		n->port[r].ifindex = ifindex[r];
		snprintf(n->port[r].ifname, sizeof(n->port[r].ifname), "%s", pc->kernel_interface);
		n->port[r].ip_version = pc->next_hop_ip_version;
		memcpy(n->port[r].addr, pc->next_hop_ip, 16);
	}
	if (!any)
		return 0;
	n->nl = ds_netlink_open();
	if (n->nl < 0) {
		snprintf(err, err_len, "next hops: no route socket: %s", strerror(-n->nl));
		return -1;
	}
	return 0;
}

/* Make the kernel resolve the next hop: any datagram to it out of the interface starts ARP or ND. */
static void
provoke(unsigned version, const uint8_t *addr, const char *ifname)
{
	const int fd = socket(version == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_port = htons(DISCARD_PORT) };
	struct sockaddr_in to4 = { .sin_family = AF_INET, .sin_port = htons(DISCARD_PORT) };

	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) == 0) {
		if (version == 4) {
			memcpy(&to4.sin_addr, addr, 4);
			(void)sendto(fd, "", 0, MSG_DONTWAIT, (const struct sockaddr *)&to4, sizeof(to4));
		} else {
			memcpy(&to6.sin6_addr, addr, 16);
			(void)sendto(fd, "", 0, MSG_DONTWAIT, (const struct sockaddr *)&to6, sizeof(to6));
		}
	}
	close(fd);
}

unsigned
ds_neighbours_tick(struct ds_neighbours *n, uint64_t now_ms)
{
	unsigned changed = 0, r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		struct ds_next_hop *p = &n->port[r];
		char addr[INET6_ADDRSTRLEN];
		uint8_t mac[6];

		if (!p->wanted)
			continue;
		if (ds_netlink_neighbour(n->nl, p->ifindex, p->ip_version, p->addr, mac) != 0) {
			if (now_ms >= p->next_probe_ms) {
				provoke(p->ip_version, p->addr, p->ifname);
				p->next_probe_ms = now_ms + PROBE_EVERY_MS;
			}
			continue;
		}
		if (p->known && memcmp(mac, p->mac, 6) == 0)
			continue;
		memcpy(p->mac, mac, 6);
		p->known = true;
		changed |= 1u << r;
		inet_ntop(p->ip_version == 4 ? AF_INET : AF_INET6, p->addr, addr, sizeof(addr));
		DS_LOG(NOTICE, "port %s: next hop %s is at %02x:%02x:%02x:%02x:%02x:%02x", ds_port_role_name((enum ds_port_role)r),
		       addr, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		ds_event(DS_EVENT_NOTICE, "next_hop", "\"port\":\"%s\",\"address\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\"",
			 ds_port_role_name((enum ds_port_role)r), addr, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	}
	return changed;
}

void
ds_neighbours_missing(const struct ds_neighbours *n, char *why, size_t len)
{
	unsigned r;

	why[0] = '\0';
	for (r = 0; r < DS_PORT_COUNT; r++) {
		char addr[INET6_ADDRSTRLEN];

		if (!n->port[r].wanted || n->port[r].known)
			continue;
		inet_ntop(n->port[r].ip_version == 4 ? AF_INET : AF_INET6, n->port[r].addr, addr, sizeof(addr));
		snprintf(why, len, "port %s: next hop %s not resolved", ds_port_role_name((enum ds_port_role)r), addr);
		return;
	}
}

void
ds_neighbours_free(struct ds_neighbours *n)
{
	if (!n->ready)
		return; /* a start that failed before it */
	ds_netlink_close(n->nl);
	n->nl = -1;
	n->ready = false;
}
