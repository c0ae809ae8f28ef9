/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets leave from the address the client wrote to: on a socket bound to 0.0.0.0 or [::] the kernel
 * would otherwise pick a source by route, and the client would drop the answer as another peer's.
 */
#include <netinet/in.h>
#include <string.h>

#include "server.h"

void
qs_send(int fd, const uint8_t *data, size_t len, const struct sockaddr *local, const struct sockaddr *remote)
{
	union {
		char space[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_name = (void *)remote, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	memset(&control, 0, sizeof(control));
	msg.msg_namelen = remote->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	msg.msg_control = control.space;
	c = (struct cmsghdr *)control.space;
	if (local->sa_family == AF_INET) {
		struct in_pktinfo info = { .ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr };

		msg.msg_controllen = CMSG_SPACE(sizeof(info));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(info));
		memcpy(CMSG_DATA(c), &info, sizeof(info));
	} else {
		struct in6_pktinfo info = { .ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr };

		msg.msg_controllen = CMSG_SPACE(sizeof(info));
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(info));
		memcpy(CMSG_DATA(c), &info, sizeof(info));
	}
	/* A full socket buffer loses a packet: QUIC's loss recovery sends it again. */
	(void)sendmsg(fd, &msg, 0);
}
