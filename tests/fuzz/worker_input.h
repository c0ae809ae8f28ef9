/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_FUZZ_WORKER_INPUT_H
#define DS_FUZZ_WORKER_INPUT_H

/*
 * What fuzz_worker reads, and what its seeds are made of (make_corpus --worker).
 *
 * Input: frames one after the other, each as
 *   control (1 byte: bit 0 = arrives at the inside port, bit 1 = the routed appliance, else inline)
 *   length  (2 bytes, big endian; cut to what is left)
 *   bytes
 * The appliance protects 10.0.0.2:4433 and [fd00::2]:4433 and blocklists 198.18.0.0/15 and
 * 2001:db8:bad::/48; the legitimate clients 0..FUZZ_FLOWS-1 of fuzz_legit_spec() are verified flows
 * before the first input.
 */

#include <string.h>

#include "ds_traffic.h"
#include "hellos.h"

enum { FUZZ_FLOWS = 64, FUZZ_CTRL_INSIDE = 1, FUZZ_CTRL_ROUTED = 2 };

#define FUZZ_SERVICES \
	"services:\n  - \"10.0.0.2:4433\"\n  - \"[fd00::2]:4433\"\ncookie:\n  secret_file: cookie.secret\n" \
	"blocklist:\n  - 198.18.0.0/15\n  - \"2001:db8:bad::/48\"\n"

/* Legitimate clients (IPv4 source @p ip_version 4 or 6) built on a real ClientHello. */
static inline void
fuzz_legit_spec(struct ds_traffic_spec *spec, const struct hello *h, unsigned ip_version)
{
	static const uint8_t dst4[16] = { 10, 0, 0, 2 }, dst6[16] = { 0xfd, 0, [15] = 2 };

	memset(spec, 0, sizeof(*spec));
	spec->hello = h->fb.data + h->info.dtls_offset;
	spec->hello_len = h->info.dtls_len;
	spec->ip_version = (uint8_t)ip_version;
	spec->src_base[0] = ip_version == 4 ? 100 : 0x20;
	spec->src_base[1] = ip_version == 4 ? 0 : 100;
	spec->sources = FUZZ_FLOWS;
	memcpy(spec->dst_ip, ip_version == 4 ? dst4 : dst6, 16);
	spec->dst_port = 4433;
	memcpy(spec->src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(spec->dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	spec->seed = 7;
}

#endif /* DS_FUZZ_WORKER_INPUT_H */
