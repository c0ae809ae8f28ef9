/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClientHellos offering DTLS 1.3 on the real worker (ring ports, data_path.c), under each service
 * policy (docs/dtls13.md), IPv4 and IPv6, with ClientHellos built from RFC 9147 structures
 * (tests/common/dtls13_hello.c):
 *   - a ClientHello offering DTLS 1.3 alone, or a first fragment ending before supported_versions, is
 *     never answered with an HVR: dropped (hvr-downgrade, drop) or passed (pass-limited);
 *   - one offering DTLS 1.3 and 1.2 gets an HVR under hvr-downgrade, is passed under pass-limited,
 *     dropped under drop; a DTLS 1.2 ClientHello gets its HVR under every policy;
 *   - pass-limited passes at most the per-prefix rate: 1 000 from one /24 with a burst of 100 and
 *     1 per second pass 100 (plus what the clock refills while the test runs);
 *   - a quiet service of a challenge: under-attack appliance passes them all, unchallenged;
 *   - the frame and flow laws hold, every mbuf returns.
 * TAP output.
 */
#include <stdio.h>
#include <string.h>

#include "data_path.h"
#include "ds_build.h"
#include "dtls13_hello.h"
#include "tap.h"

enum { CLIENTS = 50, FLOOD = 1000 };

static const char *const policy_names[] = { "hvr-downgrade", "pass-limited", "drop" };

/* @p n ClientHellos of @p spec from one /24 (100.(64+salt).0.x) or /56 (2001:db8:salt::x), each from its own
 * port; how many went inside. */
static unsigned
send_hellos(struct data_path *dp, unsigned v, const struct dtls13_hello_spec *spec, unsigned n, unsigned salt)
{
	static uint8_t frames[FLOOD][DTLS13_HELLO_MAX + 64];
	const uint8_t *ptr[FLOOD];
	size_t len[FLOOD];
	uint8_t payload[DTLS13_HELLO_MAX];
	const size_t payload_len = dtls13_hello(payload, spec);
	unsigned i;

	for (i = 0; i < n; i++) {
		struct ds_frame_addrs a = { .src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
					    .ip_version = (uint8_t)v, .src_port = (uint16_t)(20000 + i), .dst_port = 4433 };

		if (v == 4) {
			memcpy(a.src_ip, (const uint8_t[]){ 100, (uint8_t)(64 + salt), 0, (uint8_t)i }, 4);
			memcpy(a.dst_ip, (const uint8_t[]){ 10, 0, 0, 2 }, 4);
		} else {
			memcpy(a.src_ip, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, (uint8_t)salt }, 6);
			a.src_ip[15] = (uint8_t)i;
			a.dst_ip[0] = 0xfd, a.dst_ip[15] = 2;
		}
		len[i] = ds_frame_build(frames[i], sizeof(frames[i]), &a, payload, payload_len);
		if (len[i] == 0)
			tap_bail("cannot build a frame");
		ptr[i] = frames[i];
	}
	return data_path_pass(dp, DS_PORT_OUTSIDE, ptr, len, n);
}

/* What the worker did with the last batch: counters after minus before. */
struct delta {
	uint64_t hvr, forwarded13, unchallenged, dropped13, limited;
};

static struct delta
run(struct data_path *dp, unsigned v, const struct dtls13_hello_spec *spec, unsigned n, unsigned salt)
{
	const struct ds_stats *s = data_path_stats(dp);
	const struct delta before = { s->action[DS_ACT_HVR_SENT], s->action[DS_ACT_FORWARDED_DTLS13],
				      s->action[DS_ACT_FORWARDED_UNCHALLENGED], s->action[DS_ACT_DROPPED_DTLS13],
				      s->action[DS_ACT_DROPPED_DTLS13_RATE_LIMITED] };

	send_hellos(dp, v, spec, n, salt);
	return (struct delta){ s->action[DS_ACT_HVR_SENT] - before.hvr,
			       s->action[DS_ACT_FORWARDED_DTLS13] - before.forwarded13,
			       s->action[DS_ACT_FORWARDED_UNCHALLENGED] - before.unchallenged,
			       s->action[DS_ACT_DROPPED_DTLS13] - before.dropped13,
			       s->action[DS_ACT_DROPPED_DTLS13_RATE_LIMITED] - before.limited };
}

static void
open_with(struct data_path *dp, const char *policy, const char *extra)
{
	char rest[512];

	snprintf(rest, sizeof(rest),
		 "services:\n  - address: \"10.0.0.2:4433\"\n    dtls13: %s\n  - address: \"[fd00::2]:4433\"\n"
		 "    dtls13: %s\ncookie:\n  secret_file: cookie.secret\n%s",
		 policy, policy, extra);
	data_path_open_or_bail(dp, "inline", rest, 4096, 8192);
}

static void
check_policy(unsigned p, unsigned v)
{
	const struct dtls13_hello_spec only = { .versions = VERSIONS_13, .key_share_len = 32 },
				       both = { .versions = VERSIONS_13_12, .key_share_len = 32 },
				       older = { .versions = VERSIONS_12, .key_share_len = 32 },
				       unknown = { .versions = VERSIONS_13_12, .key_share_len = 1216,
						   .key_share_first = true, .fragment_at = 400 };
	const char *name = policy_names[p];
	struct data_path dp;
	struct delta d;

	open_with(&dp, name, "");
	d = run(&dp, v, &only, CLIENTS, 1);
	tap_check(d.hvr == 0 && (p == 1 ? d.forwarded13 == CLIENTS : d.dropped13 == CLIENTS),
		  "%s, IPv%u: DTLS 1.3 alone: no HVR, %s", name, v, p == 1 ? "all passed" : "all dropped");
	d = run(&dp, v, &unknown, CLIENTS, 2);
	tap_check(d.hvr == 0 && (p == 1 ? d.forwarded13 == CLIENTS : d.dropped13 == CLIENTS),
		  "%s, IPv%u: first fragments ending before supported_versions: no HVR, %s", name, v,
		  p == 1 ? "all passed" : "all dropped");
	d = run(&dp, v, &both, CLIENTS, 3);
	tap_check(p == 0 ? d.hvr == CLIENTS : p == 1 ? d.forwarded13 == CLIENTS && d.hvr == 0 : d.dropped13 == CLIENTS,
		  "%s, IPv%u: DTLS 1.3 and 1.2: %s", name, v,
		  p == 0 ? "an HVR each (the client goes on in DTLS 1.2)" : p == 1 ? "all passed" : "all dropped");
	d = run(&dp, v, &older, CLIENTS, 4);
	tap_check(d.hvr == CLIENTS && d.dropped13 == 0 && d.forwarded13 == 0,
		  "%s, IPv%u: DTLS 1.2 ClientHellos get their HVR", name, v);
	tap_check(data_path_laws_hold(&dp) && data_path_mbufs_in_use(&dp) == 0, "%s, IPv%u: laws hold, mbufs back",
		  name, v);
	data_path_close(&dp);
}

int
main(int argc, char **argv)
{
	const struct dtls13_hello_spec only = { .versions = VERSIONS_13, .key_share_len = 32 };
	struct data_path dp;
	struct delta d;
	unsigned p, v;

	(void)argc;
	data_path_eal(argv[0], 1024);
	for (p = 0; p < 3; p++)
		for (v = 4; v <= 6; v += 2)
			check_policy(p, v);

	/* pass-limited at the per-prefix rate: a burst of 100, then 1 a second. */
	open_with(&dp, "pass-limited", "hvr_rate_limit:\n  per_prefix: 1\n  burst: 100\n");
	d = run(&dp, 4, &only, FLOOD, 5);
	tap_check(d.forwarded13 >= 100 && d.forwarded13 <= 110 && d.forwarded13 + d.limited == FLOOD && d.hvr == 0,
		  "pass-limited: %u DTLS 1.3 ClientHellos from one /24, burst 100 then 1/s: %lu passed, %lu dropped "
		  "(dropped_dtls13_rate_limited)", FLOOD, (unsigned long)d.forwarded13, (unsigned long)d.limited);
	tap_check(data_path_laws_hold(&dp), "pass-limited at the rate: laws hold");
	data_path_close(&dp);

	/* A quiet service when challenging only under attack: the backend sees them all. */
	open_with(&dp, "pass-limited", "challenge:\n  mode: under-attack\n  on_rate: 100000\n");
	d = run(&dp, 6, &only, CLIENTS, 6);
	tap_check(d.unchallenged == CLIENTS && d.hvr == 0 && data_path_laws_hold(&dp),
		  "pass-limited, service not challenged: all %u passed unchallenged", CLIENTS);
	data_path_close(&dp);
	open_with(&dp, "hvr-downgrade", "challenge:\n  mode: under-attack\n  on_rate: 100000\n");
	d = run(&dp, 4, &only, CLIENTS, 7);
	tap_check(d.unchallenged == CLIENTS && d.hvr == 0,
		  "hvr-downgrade, service not challenged: DTLS 1.3 alone passed unchallenged, no HVR");
	data_path_close(&dp);
	rte_eal_cleanup();
	return tap_done();
}
