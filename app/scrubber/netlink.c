/* SPDX-License-Identifier: BSD-3-Clause */
#include "netlink.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

enum { REQUEST_MAX = 256, ANSWER_MAX = 4096 };

struct request {
	struct nlmsghdr h;
	union {
		struct ifaddrmsg ifa;
		struct rtmsg rt;
		struct ndmsg nd;
	} body;
	uint8_t attrs[REQUEST_MAX];
};

int
ds_netlink_open(void)
{
	const struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	/* The kernel always answers; a second is a bound on the control loop, not an expectation. */
	const struct timeval wait = { .tv_sec = 1 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)&local, sizeof(local)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) != 0) {
		const int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

void
ds_netlink_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void
add_attr(struct request *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((uint8_t *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Send a request asking for an acknowledgement; the kernel's error code (0 = done). */
static int
transact(int fd, struct request *r)
{
	static uint32_t seq;
	uint8_t answer[ANSWER_MAX];
	ssize_t n;

	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = ++seq;
	if (send(fd, r, r->h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *h;

		n = recv(fd, answer, sizeof(answer), 0);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		for (h = (const struct nlmsghdr *)answer; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EPROTO;
			return ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

int
ds_netlink_neighbour(int fd, unsigned ifindex, unsigned ip_version, const uint8_t *addr, uint8_t mac[6])
{
	static uint32_t seq = 1u << 30;
	uint8_t answer[ANSWER_MAX];
	struct request r;
	ssize_t n;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r.h.nlmsg_type = RTM_GETNEIGH;
	r.h.nlmsg_flags = NLM_F_REQUEST;
	r.h.nlmsg_seq = ++seq;
	r.body.nd.ndm_family = ip_version == 4 ? AF_INET : AF_INET6;
	r.body.nd.ndm_ifindex = (int)ifindex;
	add_attr(&r, NDA_DST, addr, ip_version == 4 ? 4 : 16);
	if (send(fd, &r, r.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *h;

		n = recv(fd, answer, sizeof(answer), 0);
		if (n < 0)
			return -errno;
		for (h = (const struct nlmsghdr *)answer; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct ndmsg *nd = NLMSG_DATA(h);
			const struct rtattr *a;
			int left;

			if (h->nlmsg_seq != r.h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))
					       ? ((const struct nlmsgerr *)NLMSG_DATA(h))->error
					       : -EPROTO;
			if (h->nlmsg_type != RTM_NEWNEIGH || h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
				return -EPROTO;
			if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
				return -EAGAIN;
			left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
			for (a = (const struct rtattr *)((const uint8_t *)nd + NLMSG_ALIGN(sizeof(*nd))); RTA_OK(a, left);
			     a = RTA_NEXT(a, left))
				if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
					memcpy(mac, RTA_DATA(a), 6);
					return 0;
				}
			return -EAGAIN;
		}
	}
}

int
ds_netlink_add_address(int fd, unsigned ifindex, unsigned ip_version, const uint8_t *addr, unsigned prefix_len)
{
	struct request r;
	const size_t len = ip_version == 4 ? 4 : 16;
	const uint32_t flags = IFA_F_NODAD;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = RTM_NEWADDR;
	r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	r.body.ifa.ifa_family = ip_version == 4 ? AF_INET : AF_INET6;
	r.body.ifa.ifa_prefixlen = (unsigned char)prefix_len;
	r.body.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r.body.ifa.ifa_index = ifindex;
	add_attr(&r, IFA_LOCAL, addr, len);
	add_attr(&r, IFA_ADDRESS, addr, len);
	if (ip_version == 6)
		add_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
	return transact(fd, &r);
}

int
ds_netlink_route(int fd, bool add, uint32_t table, const struct ds_prefix *p, unsigned ifindex)
{
	struct request r;
	const uint32_t oif = ifindex;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	r.h.nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	r.body.rt.rtm_family = p->ip_version == 4 ? AF_INET : AF_INET6;
	r.body.rt.rtm_dst_len = p->len;
	r.body.rt.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	r.body.rt.rtm_protocol = RTPROT_STATIC;
	r.body.rt.rtm_scope = RT_SCOPE_LINK;
	r.body.rt.rtm_type = RTN_UNICAST;
	add_attr(&r, RTA_DST, p->addr, p->ip_version == 4 ? 4 : 16);
	add_attr(&r, RTA_TABLE, &table, sizeof(table));
	add_attr(&r, RTA_OIF, &oif, sizeof(oif));
	return transact(fd, &r);
}
