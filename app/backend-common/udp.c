/* SPDX-License-Identifier: BSD-3-Clause */
#include "udp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ds_service.h"

int
udp_parse_address(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	struct ds_service svc;

	memset(ss, 0, sizeof(*ss));
	/* "*:PORT" names no family: a server binds 0.0.0.0 or [::]. */
	if (ds_service_parse(text, &svc) != 0 || svc.ip_version == 0)
		return -1;
	if (svc.ip_version == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(svc.port);
		memcpy(&sin->sin_addr, svc.addr, 4);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(svc.port);
		memcpy(&sin6->sin6_addr, svc.addr, 16);
		*len = sizeof(*sin6);
	}
	return 0;
}

static int
reusable_socket(int family)
{
	const int one = 1;
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
udp_listen(const struct sockaddr_storage *addr, socklen_t len)
{
	const struct timeval tick = { .tv_usec = 200 * 1000 };
	const int zero = 0;
	int fd = reusable_socket(addr->ss_family);

	/* [::] takes IPv4 clients too, whatever net.ipv6.bindv6only says. */
	if (fd >= 0 && addr->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0) {
		close(fd);
		return -1;
	}
	if (fd < 0 || bind(fd, (const struct sockaddr *)addr, len) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

socklen_t
udp_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

int
udp_client_socket(const struct sockaddr_storage *local, const struct sockaddr *client)
{
	/* A connected socket wins over the listening one for this client's datagrams. */
	const struct timeval idle = { .tv_sec = 30 };
	const socklen_t len = udp_len(local);
	int fd = reusable_socket(local->ss_family);

	if (fd < 0 || bind(fd, (const struct sockaddr *)local, len) != 0 || connect(fd, client, len) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

const char *
udp_name(const struct sockaddr *sa, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof(addr));
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof(addr));
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	}
	snprintf(buf, len, "%s port %u", addr, port);
	return buf;
}
