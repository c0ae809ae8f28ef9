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
#include "traffic_spec.h"

enum { FUZZ_FLOWS = 64, FUZZ_CTRL_INSIDE = 1, FUZZ_CTRL_ROUTED = 2 };

#define FUZZ_SERVICES FUZZ_SERVICES_WITH("services:\n  - \"10.0.0.2:4433\"\n")
/* The same, the IPv4 service given as @p v4 (a list entry with its own keys). */
#define FUZZ_SERVICES_WITH(v4) \
	v4 "  - \"[fd00::2]:4433\"\ncookie:\n  secret_file: cookie.secret\n" \
	"blocklist:\n  - 198.18.0.0/15\n  - \"2001:db8:bad::/48\"\n"

/* Legitimate clients (IPv4 source @p ip_version 4 or 6) built on a real ClientHello. */
static inline void
fuzz_legit_spec(struct ds_traffic_spec *spec, const struct hello *h, unsigned ip_version)
{
	traffic_spec(spec, h, ip_version, 100, FUZZ_FLOWS, false, 7);
}

#endif /* DS_FUZZ_WORKER_INPUT_H */
