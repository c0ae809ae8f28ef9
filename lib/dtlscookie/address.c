/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses as cookies see them, whatever socket the server uses: IPv4 clients of a dual-stack socket
 * arrive as IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) and are IPv4 clients to the scrubber (the
 * cookie functions unmap them); a socket bound to a wildcard address learns each datagram's
 * destination from IP_PKTINFO / IPV6_PKTINFO.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

void
dck_unmap(const struct sockaddr *in, struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)in;

	memset(out, 0, sizeof(*out));
	if (in->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;

		sin->sin_family = AF_INET;
		sin->sin_port = in6->sin6_port;
		memcpy(&sin->sin_addr, in6->sin6_addr.s6_addr + 12, 4);
	} else if (in->sa_family == AF_INET6) {
		memcpy(out, in, sizeof(struct sockaddr_in6));
	} else if (in->sa_family == AF_INET) {
		memcpy(out, in, sizeof(struct sockaddr_in));
	} else {
		out->ss_family = in->sa_family;
	}
}

int
dtlscookie_socket_setup(int fd)
{
	const int one = 1;
	struct sockaddr_storage self;
	socklen_t len = sizeof(self);

	if (getsockname(fd, (struct sockaddr *)&self, &len) != 0)
		return -1;
	if (self.ss_family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	if (self.ss_family != AF_INET6)
		return -1;
	/* A dual-stack socket reports IPv4 datagrams' destinations as IPv4-mapped addresses. */
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
}

/* The destination in a received message's control data, with the socket's own port; 0 if found. */
static int
destination_of(struct msghdr *msg, const struct sockaddr_storage *self, struct sockaddr_storage *server)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && self->ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)server;
			struct in_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			memset(server, 0, sizeof(*server));
			sin->sin_family = AF_INET;
			sin->sin_addr = info.ipi_addr;
			sin->sin_port = ((const struct sockaddr_in *)self)->sin_port;
			return 0;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO && self->ss_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)server;
			struct in6_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			memset(server, 0, sizeof(*server));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = info.ipi6_addr;
			sin6->sin6_port = ((const struct sockaddr_in6 *)self)->sin6_port;
			return 0;
		}
	}
	return -1;
}

ssize_t
dtlscookie_recv(int fd, void *buf, size_t len, int flags, struct sockaddr_storage *client,
		struct sockaddr_storage *server)
{
	union {
		char space[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} control;
	struct sockaddr_storage from, self;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control.space, .msg_controllen = sizeof(control.space) };
	socklen_t self_len = sizeof(self);
	ssize_t n;

	memset(&from, 0, sizeof(from));
	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return n;
	if (getsockname(fd, (struct sockaddr *)&self, &self_len) != 0)
		return -1;
	/* Without control data (a socket bound to one address, or not set up) the bound address is it. */
	if (destination_of(&msg, &self, server) != 0)
		memcpy(server, &self, sizeof(self));
	if (msg.msg_namelen == 0 && getpeername(fd, (struct sockaddr *)&from, &(socklen_t){ sizeof(from) }) != 0)
		return -1;
	/* As the kernel gave them (mapped on a dual-stack socket), so that the server can answer; the
	 * cookie functions unmap. */
	memcpy(client, &from, sizeof(from));
	return n;
}
