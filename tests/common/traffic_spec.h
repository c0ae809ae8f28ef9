/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_TRAFFIC_SPEC_H
#define DS_TEST_TRAFFIC_SPEC_H

/*
 * The traffic of the data-path tests and the worker fuzzer (lib/traffic): clients built on a real
 * ClientHello, toward the service 10.0.0.2:4433 or [fd00::2]:4433 that those tests protect.
 * Header only: its users link lib/traffic themselves.
 */

#include <stdbool.h>
#include <string.h>

#include "ds_traffic.h"
#include "hellos.h"

/*
 * Clients of IP version @p ip_version from source @p base (IPv4 base.0.x.y, IPv6 2000:base00::...),
 * @p sources of them, in turn or at random, made from ClientHello @p h.
 */
static inline void
traffic_spec(struct ds_traffic_spec *spec, const struct hello *h, unsigned ip_version, uint8_t base,
	     uint64_t sources, bool random_sources, uint64_t seed)
{
	static const uint8_t dst4[16] = { 10, 0, 0, 2 }, dst6[16] = { 0xfd, 0, [15] = 2 };

	memset(spec, 0, sizeof(*spec));
	spec->hello = h->fb.data + h->info.dtls_offset;
	spec->hello_len = h->info.dtls_len;
	spec->ip_version = (uint8_t)ip_version;
	spec->src_base[0] = ip_version == 4 ? base : 0x20;
	spec->src_base[1] = ip_version == 4 ? 0 : base;
	spec->sources = sources;
	spec->random_sources = random_sources;
	memcpy(spec->dst_ip, ip_version == 4 ? dst4 : dst6, 16);
	spec->dst_port = 4433;
	memcpy(spec->src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(spec->dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	spec->seed = seed;
}

#endif /* DS_TEST_TRAFFIC_SPEC_H */
