/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
address_len(unsigned ip_version)
{
	return ip_version == 4 ? DS_IPV4_ADDR_LEN : DS_IPV6_ADDR_LEN;
}

static bool
port_listed(const struct ds_service_set *set, uint16_t port)
{
	return (set->port_bits[port / 64] >> (port % 64)) & 1;
}

static bool
service_equal(const struct ds_service *a, const struct ds_service *b)
{
	if (a->ip_version != b->ip_version || a->any_address != b->any_address || a->port != b->port)
		return false;
	return a->any_address || memcmp(a->addr, b->addr, address_len(a->ip_version)) == 0;
}

void
ds_service_set_init(struct ds_service_set *set)
{
	memset(set, 0, sizeof(*set));
}

int
ds_service_set_add(struct ds_service_set *set, const struct ds_service *svc)
{
	uint32_t i;

	if (svc->port == 0)
		return -EINVAL;
	if (svc->ip_version != 4 && svc->ip_version != 6 && !(svc->ip_version == 0 && svc->any_address))
		return -EINVAL;
	for (i = 0; i < set->count; i++)
		if (service_equal(&set->entries[i], svc))
			return -EEXIST;
	if (set->count == DS_SERVICE_MAX)
		return -ENOSPC;
	set->entries[set->count++] = *svc;
	set->port_bits[svc->port / 64] |= UINT64_C(1) << (svc->port % 64);
	return 0;
}

/* Fixed-size compares the compiler turns into one or two loads: no memcmp() call per packet. */
static inline bool
same_address(const uint8_t *a, const uint8_t *b, unsigned ip_version)
{
	uint64_t x[2], y[2];
	uint32_t u, v;

	if (ip_version == 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		return u == v;
	}
	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

int
ds_service_set_find(const struct ds_service_set *set, unsigned ip_version, const uint8_t *dst_addr,
		    uint16_t port)
{
	uint32_t i;

	if (!port_listed(set, port))
		return -1;
	for (i = 0; i < set->count; i++) {
		const struct ds_service *svc = &set->entries[i];

		if (svc->port != port)
			continue;
		if (svc->ip_version != 0 && svc->ip_version != ip_version)
			continue;
		if (svc->any_address || same_address(svc->addr, dst_addr, ip_version))
			return (int)i;
	}
	return -1;
}

static int
parse_port(const char *text, uint16_t *port)
{
	char *end;
	unsigned long value;

	/* strtoul accepts signs and spaces; a port is digits only. */
	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || value == 0 || value > 65535)
		return -EINVAL;
	*port = (uint16_t)value;
	return 0;
}

/* 0.0.0.0 and :: can never be a destination, so they spell "any address of this family". */
static int
finish_address(struct ds_service *svc, int pton_result)
{
	static const uint8_t zero[DS_IPV6_ADDR_LEN];

	if (pton_result != 1)
		return -EINVAL;
	svc->any_address = memcmp(svc->addr, zero, address_len(svc->ip_version)) == 0;
	return 0;
}

int
ds_service_parse(const char *text, struct ds_service *svc)
{
	char host[DS_SERVICE_TEXT_MAX];
	const char *colon = strrchr(text, ':');
	size_t host_len;

	memset(svc, 0, sizeof(*svc));
	if (colon == NULL || parse_port(colon + 1, &svc->port) != 0)
		return -EINVAL;
	host_len = (size_t)(colon - text);
	if (host_len == 0 || host_len >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, host_len);
	host[host_len] = '\0';

	if (strcmp(host, "*") == 0) {
		svc->any_address = true;
		return 0;
	}
	if (host[0] == '[') {
		/* Brackets are the only way to put a port after an IPv6 address. */
		if (host_len < 3 || host[host_len - 1] != ']')
			return -EINVAL;
		host[host_len - 1] = '\0';
		svc->ip_version = 6;
		return finish_address(svc, inet_pton(AF_INET6, host + 1, svc->addr));
	}
	svc->ip_version = 4;
	return finish_address(svc, inet_pton(AF_INET, host, svc->addr));
}

char *
ds_service_format(const struct ds_service *svc, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if (svc->any_address && svc->ip_version == 0)
		snprintf(buf, len, "*:%u", svc->port);
	else if (svc->any_address)
		snprintf(buf, len, svc->ip_version == 4 ? "0.0.0.0:%u" : "[::]:%u", svc->port);
	else if (svc->ip_version == 4)
		snprintf(buf, len, "%s:%u", inet_ntop(AF_INET, svc->addr, addr, sizeof(addr)), svc->port);
	else
		snprintf(buf, len, "[%s]:%u", inet_ntop(AF_INET6, svc->addr, addr, sizeof(addr)), svc->port);
	return buf;
}
