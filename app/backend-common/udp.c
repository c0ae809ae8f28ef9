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
	if (ds_service_parse(text, &svc) != 0 || svc.any_address)
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
	int fd = reusable_socket(addr->ss_family);

	if (fd < 0 || bind(fd, (const struct sockaddr *)addr, len) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int
udp_client_socket(const struct sockaddr_storage *local, socklen_t len, const struct sockaddr *client)
{
	/* A connected socket wins over the listening one for this client's datagrams. */
	const struct timeval idle = { .tv_sec = 30 };
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
