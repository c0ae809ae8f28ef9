/* SPDX-License-Identifier: BSD-3-Clause */
/* Protected-service text parsing and destination matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "ds_service.h"
#include "tap.h"

static void
check_parse(void)
{
	static const struct {
		const char *text;
		int rc;
		unsigned ip_version;
		bool any;
		uint16_t port;
	} cases[] = {
		{ "192.0.2.10:4433", 0, 4, false, 4433 },
		{ "[2001:db8::1]:4433", 0, 6, false, 4433 },
		{ "*:5684", 0, 0, true, 5684 },
		{ "0.0.0.0:443", 0, 4, true, 443 },
		{ "[::]:443", 0, 6, true, 443 },
		{ "192.0.2.10:65535", 0, 4, false, 65535 },
		{ "192.0.2.10:0", -EINVAL, 0, false, 0 },
		{ "192.0.2.10:65536", -EINVAL, 0, false, 0 },
		{ "192.0.2.10:-1", -EINVAL, 0, false, 0 },
		{ "192.0.2.10: 44", -EINVAL, 0, false, 0 },
		{ "192.0.2.10:44x", -EINVAL, 0, false, 0 },
		{ "192.0.2.10", -EINVAL, 0, false, 0 },
		{ "192.0.2.256:1", -EINVAL, 0, false, 0 },
		{ "2001:db8::1:4433", -EINVAL, 0, false, 0 },
		{ "[2001:db8::1:4433", -EINVAL, 0, false, 0 },
		{ "[]:4433", -EINVAL, 0, false, 0 },
		{ ":4433", -EINVAL, 0, false, 0 },
		{ "", -EINVAL, 0, false, 0 },
		{ "host.example:4433", -EINVAL, 0, false, 0 },
		{ "[192.0.2.1]:4433", -EINVAL, 0, false, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ds_service svc;
		int rc = ds_service_parse(cases[i].text, &svc);

		tap_check(rc == cases[i].rc &&
			  (rc != 0 || (svc.ip_version == cases[i].ip_version &&
				       svc.any_address == cases[i].any && svc.port == cases[i].port)),
			  "step %zu: parse \"%s\" -> rc %d (got %d, v%u any %d port %u)", i, cases[i].text,
			  cases[i].rc, rc, svc.ip_version, svc.any_address, svc.port);
	}
}

static void
add(struct ds_service_set *set, const char *text, int want, unsigned step)
{
	struct ds_service svc;
	int rc = ds_service_parse(text, &svc);

	if (rc == 0)
		rc = ds_service_set_add(set, &svc);
	tap_check(rc == want, "step %u: add %s -> %d (got %d)", step, text, want, rc);
}

static void
check_match(void)
{
	static const struct {
		unsigned ip_version;
		const char *addr;
		uint16_t port;
		bool match;
	} cases[] = {
		{ 4, "192.0.2.10", 4433, true },    /* exact IPv4 service */
		{ 4, "192.0.2.11", 4433, false },   /* other address, same port */
		{ 4, "192.0.2.10", 4434, false },   /* same address, other port */
		{ 6, "2001:db8::1", 4433, true },   /* exact IPv6 service */
		{ 6, "2001:db8::2", 4433, false },
		{ 4, "198.51.100.7", 5684, true },  /* "*:5684" takes both families */
		{ 6, "2001:db8::99", 5684, true },
		{ 4, "203.0.113.1", 443, true },    /* "0.0.0.0:443" is IPv4 only */
		{ 6, "2001:db8::1", 443, false },
		{ 6, "2001:db8::1", 8443, true },   /* "[::]:8443" is IPv6 only */
		{ 4, "203.0.113.1", 8443, false },
		{ 4, "192.0.2.10", 1, false },
	};
	struct ds_service_set set;
	size_t i;
	unsigned step = 100;

	ds_service_set_init(&set);
	add(&set, "192.0.2.10:4433", 0, step++);
	add(&set, "[2001:db8::1]:4433", 0, step++);
	add(&set, "*:5684", 0, step++);
	add(&set, "0.0.0.0:443", 0, step++);
	add(&set, "[::]:8443", 0, step++);
	add(&set, "192.0.2.10:4433", -EEXIST, step++);
	add(&set, "*:5684", -EEXIST, step++);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t addr[16] = { 0 };

		inet_pton(cases[i].ip_version == 4 ? AF_INET : AF_INET6, cases[i].addr, addr);
		tap_check(ds_service_set_match(&set, cases[i].ip_version, addr, cases[i].port) ==
				  cases[i].match,
			  "step %zu: %s port %u %s", i, cases[i].addr, cases[i].port,
			  cases[i].match ? "protected" : "not protected");
	}
}

static void
check_capacity(void)
{
	struct ds_service_set set;
	struct ds_service svc = { .any_address = true };
	int rc = 0;
	unsigned i;

	ds_service_set_init(&set);
	for (i = 1; i <= DS_SERVICE_MAX && rc == 0; i++) {
		svc.port = (uint16_t)i;
		rc = ds_service_set_add(&set, &svc);
	}
	tap_check(rc == 0 && set.count == DS_SERVICE_MAX, "a set holds %d services", DS_SERVICE_MAX);
	svc.port = 9999;
	tap_check(ds_service_set_add(&set, &svc) == -ENOSPC, "service %d is refused with -ENOSPC",
		  DS_SERVICE_MAX + 1);
	tap_check(!ds_service_set_match(&set, 4, (const uint8_t *)"\x01\x02\x03\x04", 9999),
		  "a refused service is not matched");
	svc.port = 0;
	tap_check(ds_service_set_add(&set, &svc) == -EINVAL, "port 0 is refused with -EINVAL");
}

int
main(void)
{
	check_parse();
	check_match();
	check_capacity();
	return tap_done();
}
