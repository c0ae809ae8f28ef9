/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance's worker, driven burst by burst on DPDK ring ports (data_path.c), against traffic
 * made from every real ClientHello of the captures:
 *   - hostile traffic (spoofed CH1s, CH2s with forged cookies, records of flows never verified,
 *     garbage, and all of them with random bytes changed): after every burst the counters conserve,
 *     no reply is larger than the frame it answers, nothing reaches the inside port, no flow exists;
 *   - legitimate clients in a flood: each CH2 makes exactly one flow, its records follow it inside;
 *   - a flood of 10^7 spoofed ClientHellos from more than 10^6 sources: one HVR each, 0 flows, 0
 *     frames inside, every mbuf back in the pool, resident memory flat;
 *   - a full flow table: verified clients still reach the server, later records of flows that did
 *     not fit are dropped and counted, flows already there keep working;
 *   - full TX rings on both ports: counted, no mbuf lost;
 *   - a blocklist from the configuration and changed while running;
 *   - challenge mode under-attack on a clock the test moves: new ClientHellos pass while a service is
 *     quiet, are challenged from the tick its rate reaches on_rate, pass again after off_after of
 *     quiet; handshakes whose cookie came before a switch complete after it, both ways; a passed
 *     ClientHello never opens a flow;
 *   - automatic blocklist: a source over its bad-cookie allowance is listed at the next tick and
 *     dropped from then on, sources under it are not, the entry leaves after its duration;
 *   - key rotation at every step of a flood: clients answering an HVR one epoch later all pass, one
 *     answering two epochs later is refused.
 * TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_path.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_secret.h"
#include "ds_build.h"
#include "ds_traffic.h"
#include "published_blocklist.h"
#include "ds_wire.h"
#include "hellos.h"
#include "traffic_spec.h"
#include "worker.h"
#include "tap.h"

enum { FLOOD = 10 * 1000 * 1000, FLOOD_SOURCES_BITS = 24, SPOOFED_BASE = 20, LEGIT_BASE = 100 };

static const char services[] = "services:\n  - \"10.0.0.2:4433\"\n  - \"[fd00::2]:4433\"\n"
			       "cookie:\n  secret_file: cookie.secret\n";

static struct hello hellos[HELLOS_MAX];
static size_t n_hellos;

/* A frame of each kind, and what one frame was when it was sent. */
struct batch {
	uint8_t frames[DS_BURST][DS_TRAFFIC_FRAME_MAX];
	const uint8_t *ptr[DS_BURST];
	size_t len[DS_BURST];
	unsigned n;
};

static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
spec_for(struct ds_traffic_spec *spec, const struct hello *h, unsigned ip_version, uint8_t base, uint64_t sources,
	 uint64_t seed)
{
	traffic_spec(spec, h, ip_version, base, sources, true, seed);
}

static void
send_batch(struct data_path *dp, struct batch *b)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		b->ptr[i] = b->frames[i];
	if (data_path_send(dp, DS_PORT_OUTSIDE, b->ptr, b->len, b->n) != b->n)
		tap_bail("frames could not be queued");
	data_path_run(dp);
}

/* Take the HVRs of a batch: the largest reply over the request it answers (by length). */
static long
largest_growth(struct data_path *dp, const struct batch *b, unsigned *n_out)
{
	struct rte_mbuf *m[DS_BURST * 2];
	size_t biggest_request = 0;
	long growth = -100000;
	unsigned i, n;

	for (i = 0; i < b->n; i++)
		if (b->len[i] > biggest_request)
			biggest_request = b->len[i];
	n = data_path_take(dp, DS_PORT_OUTSIDE, m, DS_BURST * 2);
	for (i = 0; i < n; i++) {
		/* In place: the reply's mbuf is its request's; its data never moves to a larger buffer. */
		const long g = (long)rte_pktmbuf_pkt_len(m[i]) - (long)biggest_request;

		if (g > growth)
			growth = g;
	}
	rte_pktmbuf_free_bulk(m, n);
	*n_out = n;
	return growth;
}

/* Keys of another secret, as a forger would have, the data path's cookie format: and an engine. */
static const struct ds_cookie_keyset *
forger_keys(const struct data_path *dp, struct ds_keyring **forger, struct ds_cookie_engine **engine)
{
	const char *forged_hex = "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";
	struct ds_secret forged_secret;
	char err[256];

	if (ds_secret_parse(forged_hex, strlen(forged_hex), &forged_secret, err, sizeof(err)) != 0 ||
	    (*forger = ds_keyring_create(&dp->cfg.cookie, &forged_secret, ds_keyring_clock_ms(), err, sizeof(err))) ==
		    NULL ||
	    (*engine = ds_cookie_engine_create(err, sizeof(err))) == NULL)
		tap_bail("forger: %s", err);
	return ds_keyring_current(*forger);
}

/* Hostile traffic: nothing of it may pass or make state, and every burst conserves. */
static void
check_hostile(void)
{
	static struct batch b;
	static const enum ds_traffic_kind kinds[] = { DS_TRAFFIC_CH1, DS_TRAFFIC_CH2, DS_TRAFFIC_DATA,
						      DS_TRAFFIC_GARBAGE };
	struct data_path dp;
	struct ds_keyring *forger;
	const struct ds_cookie_keyset *forged;
	struct ds_cookie_engine *engine;
	char err[256];
	uint64_t rng = 0x9E3779B97F4A7C15ull, frames = 0, inside = 0, replies = 0;
	unsigned conserved_bursts = 0, bursts = 0, larger = 0, h, v, round;

	data_path_open_or_bail(&dp, "inline", services, 4096, 8192);
	forged = forger_keys(&dp, &forger, &engine);
	for (h = 0; h < n_hellos; h++) {
		for (v = 4; v <= 6; v += 2) {
			struct ds_traffic_spec spec;
			struct ds_traffic t;

			spec_for(&spec, &hellos[h], v, SPOOFED_BASE, 1 << 20, h * 7 + v);
			spec.engine = engine;
			spec.keyset = forged;
			if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
				tap_bail("%s: %s", hellos[h].label, err);
			for (round = 0; round < 40; round++) {
				const struct ds_stats *s = data_path_stats(&dp);
				unsigned i, n_out;
				long growth;

				b.n = 1 + (unsigned)(rng_next(&rng) % DS_BURST);
				for (i = 0; i < b.n; i++) {
					const enum ds_traffic_kind k = kinds[rng_next(&rng) % 4];

					b.len[i] = ds_traffic_frame(&t, k, ds_traffic_next_source(&t), b.frames[i],
								    DS_TRAFFIC_FRAME_MAX);
					if (b.len[i] == 0)
						tap_bail("%s: no %s frame", hellos[h].label, ds_traffic_kind_name(k));
					/* Half the rounds: a few bytes of the DTLS payload changed at random. */
					if (round % 2 == 1 && rng_next(&rng) % 2 == 0) {
						const size_t first = v == 4 ? 42 : 62;
						unsigned c;

						for (c = 0; c < 1 + rng_next(&rng) % 4; c++)
							b.frames[i][first + rng_next(&rng) % (b.len[i] - first)] ^=
								(uint8_t)(1 + rng_next(&rng) % 255);
					}
				}
				send_batch(&dp, &b);
				frames += b.n;
				bursts++;
				conserved_bursts += ds_stats_conserved(s);
				growth = largest_growth(&dp, &b, &n_out);
				larger += growth > 0;
				replies += n_out;
				{
					struct rte_mbuf *m[DS_BURST];
					unsigned got = data_path_take(&dp, DS_PORT_INSIDE, m, DS_BURST);

					inside += got;
					rte_pktmbuf_free_bulk(m, got);
				}
			}
		}
	}
	{
		const struct ds_stats *s = data_path_stats(&dp);

		tap_check(conserved_bursts == bursts, "hostile traffic: counters conserve after each of %u bursts "
			  "(%lu frames from %zu ClientHellos, IPv4 and IPv6)", bursts, (unsigned long)frames, n_hellos);
		tap_check(larger == 0 && replies == s->action[DS_ACT_HVR_SENT],
			  "hostile traffic: none of %lu replies is larger than the largest frame of its burst",
			  (unsigned long)replies);
		tap_check(inside == 0 && s->action[DS_ACT_FORWARDED_CH2] + s->action[DS_ACT_FORWARDED_VERIFIED] == 0,
			  "hostile traffic: nothing reaches the inside port (%lu forged CH2s refused, %lu records of "
			  "unverified flows dropped)", (unsigned long)s->action[DS_ACT_CH2_BAD_COOKIE],
			  (unsigned long)s->action[DS_ACT_DROPPED_UNVERIFIED]);
		tap_check(s->action[DS_ACT_FLOW_INSERTED] == 0 && s->flows_active == 0,
			  "hostile traffic: no flow is created without a valid cookie");
	}
	data_path_drain(&dp);
	tap_check(data_path_mbufs_in_use(&dp) == 0, "hostile traffic: every mbuf is back in the pool");
	ds_cookie_engine_destroy(engine);
	ds_keyring_destroy(forger);
	data_path_close(&dp);
}

/* Legitimate clients among spoofed ones: one flow per client, their records follow. */
static void
check_legit_in_flood(void)
{
	static struct batch b;
	struct data_path dp;
	struct ds_traffic attack, legit;
	struct ds_traffic_spec as, ls;
	struct ds_traffic_mix mix;
	struct ds_cookie_engine *engine;
	char err[256];
	uint64_t counts[5] = { 0 }, inside = 0;
	unsigned i, k;

	data_path_open_or_bail(&dp, "inline", services, 4096, 8192);
	if ((engine = ds_cookie_engine_create(err, sizeof(err))) == NULL)
		tap_bail("engine: %s", err);
	spec_for(&as, &hellos[0], 4, SPOOFED_BASE, 1 << 20, 11);
	spec_for(&ls, &hellos[0], 4, LEGIT_BASE, 500, 12);
	ls.random_sources = false;
	ls.engine = engine;
	ls.keyset = ds_keyring_current(dp.keyring);
	if (ds_traffic_init(&attack, &as, err, sizeof(err)) != 0 || ds_traffic_init(&legit, &ls, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	mix = (struct ds_traffic_mix){ .attack = &attack, .legit = &legit, .attack_ratio = 0.8, .rng = 5 };
	for (k = 0; k < 200; k++) {
		struct rte_mbuf *m[DS_BURST];
		unsigned got;

		b.n = DS_BURST;
		for (i = 0; i < b.n; i++) {
			enum ds_traffic_kind kind;

			b.len[i] = ds_traffic_mix_frame(&mix, b.frames[i], DS_TRAFFIC_FRAME_MAX, &kind);
			counts[kind]++;
		}
		send_batch(&dp, &b);
		got = data_path_take(&dp, DS_PORT_INSIDE, m, DS_BURST);
		inside += got;
		rte_pktmbuf_free_bulk(m, got);
		data_path_drain(&dp);
	}
	{
		const struct ds_stats *s = data_path_stats(&dp);
		const uint64_t clients = counts[DS_TRAFFIC_CH2] < 500 ? counts[DS_TRAFFIC_CH2] : 500;

		tap_check(s->action[DS_ACT_HVR_SENT] == counts[DS_TRAFFIC_CH1] &&
				  s->action[DS_ACT_FORWARDED_CH2] == counts[DS_TRAFFIC_CH2] &&
				  s->action[DS_ACT_FORWARDED_VERIFIED] == counts[DS_TRAFFIC_DATA] &&
				  inside == counts[DS_TRAFFIC_CH2] + counts[DS_TRAFFIC_DATA] && ds_stats_conserved(s),
			  "legit in a flood: %lu spoofed CH1s answered, %lu CH2s and %lu records of verified flows "
			  "forwarded, nothing else inside", (unsigned long)counts[DS_TRAFFIC_CH1],
			  (unsigned long)counts[DS_TRAFFIC_CH2], (unsigned long)counts[DS_TRAFFIC_DATA]);
		tap_check(s->action[DS_ACT_FLOW_INSERTED] == clients && s->flows_active == clients,
			  "legit in a flood: exactly one flow per verified client (%lu)", (unsigned long)clients);
	}
	ds_cookie_engine_destroy(engine);
	data_path_close(&dp);
}

static long
resident_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb;
}

/* 10^7 spoofed ClientHellos from random sources of a /8: one HVR each and nothing else. */
static void
check_flood(void)
{
	static struct batch b;
	static uint8_t seen[(1u << FLOOD_SOURCES_BITS) / 8];
	struct data_path dp;
	struct ds_traffic t;
	struct ds_traffic_spec spec;
	char err[256];
	uint64_t sent = 0, distinct = 0;
	long rss_warm = 0, rss_end;

	data_path_open_or_bail(&dp, "inline", services, 4096, 8192);
	spec_for(&spec, &hellos[0], 4, SPOOFED_BASE, 1u << FLOOD_SOURCES_BITS, 99);
	if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	while (sent < FLOOD) {
		unsigned i;

		b.n = DS_BURST;
		for (i = 0; i < b.n; i++) {
			const uint64_t src = ds_traffic_next_source(&t);

			distinct += !(seen[src / 8] & (1u << (src % 8)));
			seen[src / 8] |= (uint8_t)(1u << (src % 8));
			b.len[i] = ds_traffic_frame(&t, DS_TRAFFIC_CH1, src, b.frames[i], DS_TRAFFIC_FRAME_MAX);
		}
		send_batch(&dp, &b);
		data_path_drain(&dp);
		sent += b.n;
		if (sent == (FLOOD / 10 / DS_BURST) * DS_BURST)
			rss_warm = resident_kb();
	}
	rss_end = resident_kb();
	{
		const struct ds_stats *s = data_path_stats(&dp);

		tap_check(s->action[DS_ACT_HVR_SENT] == sent && s->action[DS_ACT_RX_OUTSIDE] == sent &&
				  distinct > 1000000,
			  "flood: %lu spoofed ClientHellos from %lu sources, one HVR each", (unsigned long)sent,
			  (unsigned long)distinct);
		tap_check(s->flows_active == 0 && s->action[DS_ACT_FLOW_INSERTED] == 0 &&
				  s->action[DS_ACT_FORWARDED_CH2] + s->action[DS_ACT_FORWARDED_VERIFIED] +
						  s->action[DS_ACT_FORWARDED_POLICY] == 0,
			  "flood: 0 flows, 0 frames inside");
	}
	tap_check(data_path_mbufs_in_use(&dp) == 0, "flood: every mbuf back in the pool");
	tap_check(rss_warm > 0 && rss_end - rss_warm < 1024,
		  "flood: resident memory flat over the last 9/10 of the flood (%ld kB -> %ld kB)", rss_warm, rss_end);
	data_path_close(&dp);
}

/* Client i of a legitimate range: its CH2 (valid cookie) or a data record, in @p out. */
static size_t
legit_frame(struct ds_traffic *t, enum ds_traffic_kind kind, uint64_t i, uint8_t *out)
{
	return ds_traffic_frame(t, kind, i, out, DS_TRAFFIC_FRAME_MAX);
}

static void
send_clients(struct data_path *dp, struct ds_traffic *t, enum ds_traffic_kind kind, uint64_t first, uint64_t n)
{
	static struct batch b;
	uint64_t i = first;

	while (i < first + n) {
		for (b.n = 0; b.n < DS_BURST && i < first + n; b.n++, i++)
			b.len[b.n] = legit_frame(t, kind, i, b.frames[b.n]);
		send_batch(dp, &b);
		data_path_drain(dp);
	}
}

/* Clients in turn from the legitimate range whose CH2s carry the data path's own cookies. */
static struct ds_cookie_engine *
legit_clients(struct data_path *dp, unsigned ip_version, uint64_t seed, struct ds_traffic *t)
{
	struct ds_traffic_spec spec;
	struct ds_cookie_engine *engine;
	char err[256];

	if ((engine = ds_cookie_engine_create(err, sizeof(err))) == NULL)
		tap_bail("engine: %s", err);
	spec_for(&spec, &hellos[0], ip_version, LEGIT_BASE, 1 << 16, seed);
	spec.random_sources = false;
	spec.engine = engine;
	spec.keyset = ds_keyring_current(dp->keyring);
	if (ds_traffic_init(t, &spec, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	return engine;
}

/* A full flow table: the handshake still passes, records of flows that did not fit are refused. */
static void
check_table_full(void)
{
	struct data_path dp;
	struct ds_traffic t;
	struct ds_cookie_engine *engine;
	char rest[512];
	const struct ds_stats *s;
	uint64_t fit, verified_before, unverified_before;

	snprintf(rest, sizeof(rest), "%sflows:\n  capacity: 1024\n", services);
	data_path_open_or_bail(&dp, "inline", rest, 4096, 8192);
	engine = legit_clients(&dp, 6, 3, &t);
	s = data_path_stats(&dp);
	send_clients(&dp, &t, DS_TRAFFIC_CH2, 0, 1300);
	fit = s->action[DS_ACT_FLOW_INSERTED];
	tap_check(s->action[DS_ACT_FORWARDED_CH2] == 1300 && fit >= 1024 * 9 / 10 && fit <= 1024 &&
			  s->action[DS_ACT_FLOW_TABLE_FULL] == 1300 - fit && s->flows_active == fit,
		  "full flow table: all 1300 verified CH2s forwarded, %lu flows fit a table of 1024, %lu counted as "
		  "flow_table_full", (unsigned long)fit, (unsigned long)s->action[DS_ACT_FLOW_TABLE_FULL]);
	verified_before = s->action[DS_ACT_FORWARDED_VERIFIED];
	unverified_before = s->action[DS_ACT_DROPPED_UNVERIFIED];
	send_clients(&dp, &t, DS_TRAFFIC_DATA, 0, 1300);
	tap_check(s->action[DS_ACT_FORWARDED_VERIFIED] - verified_before +
				  (s->action[DS_ACT_DROPPED_UNVERIFIED] - unverified_before) ==
			  1300 &&
			  s->action[DS_ACT_FORWARDED_VERIFIED] - verified_before == fit && ds_stats_conserved(s),
		  "full flow table: records of the %lu flows in the table pass, the other %lu are dropped unverified",
		  (unsigned long)fit, (unsigned long)(1300 - fit));
	tap_check(data_path_mbufs_in_use(&dp) == 0, "full flow table: every mbuf back in the pool");
	ds_cookie_engine_destroy(engine);
	data_path_close(&dp);
}

static void
blocklist_change(struct data_path *dp, const char *text, bool add)
{
	struct ds_prefix p;
	char err[256];

	if (ds_prefix_parse(text, &p, err, sizeof(err)) != 0 ||
	    ds_published_blocklist_change(&dp->workers.blocklist, &p, add, err, sizeof(err)) != 1)
		tap_bail("blocklist %s %s: %s", add ? "add" : "del", text, err);
	data_path_run(dp); /* the worker moves on to the new list */
}

/* Sources on the blocklist are dropped before any work; changes while running spare everyone else. */
static void
check_blocklist(void)
{
	struct data_path dp;
	struct ds_traffic t;
	struct ds_cookie_engine *engine;
	const struct ds_stats *s;
	char rest[512];
	uint64_t verified, blocked, unverified;

	snprintf(rest, sizeof(rest), "%sblocklist:\n  - \"100.0.0.0/26\"\n", services);
	data_path_open_or_bail(&dp, "inline", rest, 4096, 8192);
	engine = legit_clients(&dp, 4, 31, &t);
	s = data_path_stats(&dp);
	/* Clients 0..255 are 100.0.0.0..255: the first 64 are listed in the configuration. */
	send_clients(&dp, &t, DS_TRAFFIC_CH2, 0, 256);
	tap_check(s->action[DS_ACT_DROPPED_BLOCKLIST] == 64 && s->action[DS_ACT_FORWARDED_CH2] == 192 &&
			  s->action[DS_ACT_FLOW_INSERTED] == 192 && s->action[DS_ACT_CH2_VALID] == 192,
		  "blocklist from the configuration: 64 listed sources dropped before their cookies were even "
		  "checked, 192 others verified");
	blocklist_change(&dp, "100.0.0.128/25", true);
	verified = s->action[DS_ACT_FORWARDED_VERIFIED];
	blocked = s->action[DS_ACT_DROPPED_BLOCKLIST];
	send_clients(&dp, &t, DS_TRAFFIC_DATA, 0, 256);
	tap_check(s->action[DS_ACT_FORWARDED_VERIFIED] - verified == 64 &&
			  s->action[DS_ACT_DROPPED_BLOCKLIST] - blocked == 192 && ds_stats_conserved(s),
		  "a prefix added while running: its 128 verified flows are cut off at once, the 64 unlisted "
		  "clients lose nothing");
	blocklist_change(&dp, "100.0.0.0/26", false);
	verified = s->action[DS_ACT_FORWARDED_VERIFIED];
	blocked = s->action[DS_ACT_DROPPED_BLOCKLIST];
	unverified = s->action[DS_ACT_DROPPED_UNVERIFIED];
	send_clients(&dp, &t, DS_TRAFFIC_DATA, 0, 256);
	tap_check(s->action[DS_ACT_DROPPED_UNVERIFIED] - unverified == 64 &&
			  s->action[DS_ACT_FORWARDED_VERIFIED] - verified == 64 &&
			  s->action[DS_ACT_DROPPED_BLOCKLIST] - blocked == 128 && ds_stats_conserved(s),
		  "a prefix removed while running: its sources are treated as anyone (no flow: dropped "
		  "unverified), the rest unchanged");
	tap_check(dp.workers.blocklist.changes == 2 && data_path_mbufs_in_use(&dp) == 0,
		  "blocklist: two changes published, every mbuf back in the pool");
	ds_cookie_engine_destroy(engine);
	data_path_close(&dp);
}

/* Frames of kind @p kind from clients first..first+n-1, then one control tick at @p *now_ms + step. */
static void
send_and_tick(struct data_path *dp, struct ds_traffic *t, enum ds_traffic_kind kind, uint64_t first, uint64_t n,
	      uint64_t *now_ms, uint64_t step_ms)
{
	if (n != 0)
		send_clients(dp, t, kind, first, n);
	*now_ms += step_ms;
	data_path_tick(dp, dp->unix_ms, *now_ms);
}

/* What the workers see: the challenge mask of the view in force. */
static bool
challenged(const struct data_path *dp)
{
	return ds_view_get(&dp->workers.view)->challenge & 1;
}

/*
 * under-attack: on_rate 1000/s, off_rate 500/s, off_after 1 s, ticks of 100 ms. Clients' CH2s carry
 * cookies of the data path's keys, as those of a backend running libdtlscookie with the same secret.
 */
static void
check_challenge(void)
{
	struct data_path dp;
	struct ds_traffic t;
	struct ds_cookie_engine *engine;
	const struct ds_stats *s;
	char rest[512];
	uint64_t now = DATA_PATH_MONOTONIC_START, hvr, passed, ch2, flows;
	unsigned k;
	bool stayed = true;

	snprintf(rest, sizeof(rest),
		 "%schallenge:\n  mode: under-attack\n  on_rate: 1000\n  off_rate: 500\n  off_after: 1\n", services);
	data_path_open_or_bail(&dp, "inline", rest, 4096, 8192);
	engine = legit_clients(&dp, 4, 41, &t);
	s = data_path_stats(&dp);
	/* 1 s at 800/s: under on_rate, every ClientHello passes to the backend. */
	for (k = 0; k < 10; k++) {
		send_and_tick(&dp, &t, DS_TRAFFIC_CH1, k * 80, 80, &now, 100);
		stayed &= !challenged(&dp);
	}
	tap_check(stayed && s->action[DS_ACT_FORWARDED_UNCHALLENGED] == 800 && s->action[DS_ACT_HVR_SENT] == 0 &&
			  s->action[DS_ACT_CH1_NO_COOKIE] == 800 && s->service_hellos[0] == 800 && ds_stats_conserved(s),
		  "under-attack, 800 new ClientHellos/s (on_rate 1000): all 800 passed to the backend, no HVR");
	/* Those clients got the backend's HVR; 300 more in one tick make the last second's rate 1 020/s. */
	send_and_tick(&dp, &t, DS_TRAFFIC_CH1, 800, 300, &now, 100);
	tap_check(challenged(&dp) && dp.workers.challenge.service[0].switched_on == 1 &&
			  s->action[DS_ACT_FORWARDED_UNCHALLENGED] == 1100,
		  "the tick that brings the last second to 1 020 new ClientHellos switches challenging on (rate %lu)",
		  (unsigned long)dp.workers.challenge.service[0].rate);
	hvr = s->action[DS_ACT_HVR_SENT];
	send_and_tick(&dp, &t, DS_TRAFFIC_CH1, 2000, 200, &now, 100);
	tap_check(s->action[DS_ACT_HVR_SENT] - hvr == 200 && s->action[DS_ACT_FORWARDED_UNCHALLENGED] == 1100,
		  "challenging: the next 200 new ClientHellos are answered with HVRs, none passed");
	/* Handshakes that started before the switch: their CH2s (backend's cookies) complete now. */
	ch2 = s->action[DS_ACT_FORWARDED_CH2];
	send_clients(&dp, &t, DS_TRAFFIC_CH2, 0, 1100);
	send_clients(&dp, &t, DS_TRAFFIC_DATA, 0, 1100);
	tap_check(s->action[DS_ACT_FORWARDED_CH2] - ch2 == 1100 && s->action[DS_ACT_FLOW_INSERTED] == 1100 &&
			  s->action[DS_ACT_FORWARDED_VERIFIED] == 1100,
		  "switch on: the 1 100 handshakes begun before it complete after it (CH2 forwarded, flow made, "
		  "records pass)");
	/* A flood that stops: still challenging within off_after, then passing again. */
	for (k = 0; k < 5; k++)
		send_and_tick(&dp, &t, DS_TRAFFIC_CH1, 3000 + k * 300, 300, &now, 100);
	for (k = 0, stayed = true; k < 12; k++) {
		send_and_tick(&dp, &t, DS_TRAFFIC_CH1, 0, 0, &now, 100);
		stayed &= challenged(&dp);
	}
	tap_check(stayed, "1.2 s after the flood stopped: still challenging (off_after 1 s after the rate fell)");
	for (k = 0; k < 10 && challenged(&dp); k++)
		send_and_tick(&dp, &t, DS_TRAFFIC_CH1, 0, 0, &now, 100);
	tap_check(!challenged(&dp) && dp.workers.challenge.service[0].switched_off == 1,
		  "then challenging switches off (%u ticks later)", k);
	/* Handshakes that started during the attack (our HVRs to clients 2000..2199) complete after it. */
	ch2 = s->action[DS_ACT_FORWARDED_CH2];
	flows = s->action[DS_ACT_FLOW_INSERTED];
	send_clients(&dp, &t, DS_TRAFFIC_CH2, 2000, 200);
	tap_check(s->action[DS_ACT_FORWARDED_CH2] - ch2 == 200 && s->action[DS_ACT_FLOW_INSERTED] - flows == 200,
		  "switch off: the 200 handshakes begun under challenge complete after it");
	/* Passing never opens a flow: records of clients whose ClientHello was passed but never showed a
	 * valid cookie are dropped. */
	passed = s->action[DS_ACT_FORWARDED_UNCHALLENGED];
	send_clients(&dp, &t, DS_TRAFFIC_CH1, 5000, 100);
	send_clients(&dp, &t, DS_TRAFFIC_DATA, 5000, 100);
	tap_check(s->action[DS_ACT_FORWARDED_UNCHALLENGED] - passed == 100 &&
			  s->action[DS_ACT_DROPPED_UNVERIFIED] == 100 && s->flows_active == 1300 && ds_stats_conserved(s),
		  "passing again: 100 ClientHellos passed, their records (no cookie shown) dropped unverified");
	tap_check(data_path_mbufs_in_use(&dp) == 0, "challenge: every mbuf back in the pool");
	ds_cookie_engine_destroy(engine);
	data_path_close(&dp);
}

/* bad_cookies 4, forgive_per_s 1, duration 5 s: forged cookies from one source get it listed. */
static void
check_auto_blocklist(void)
{
	struct data_path dp;
	struct ds_traffic t;
	struct ds_traffic_spec spec;
	struct ds_keyring *forger;
	struct ds_cookie_engine *engine;
	const struct ds_stats *s;
	char rest[512], err[256];
	uint64_t now = DATA_PATH_MONOTONIC_START, blocked, k;

	snprintf(rest, sizeof(rest),
		 "%sauto_blocklist:\n  bad_cookies: 4\n  forgive_per_s: 1\n  duration: 5\n", services);
	data_path_open_or_bail(&dp, "inline", rest, 4096, 8192);
	spec_for(&spec, &hellos[0], 4, LEGIT_BASE, 1 << 16, 43);
	spec.random_sources = false;
	spec.keyset = forger_keys(&dp, &forger, &engine);
	spec.engine = engine;
	if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	s = data_path_stats(&dp);
	/* Sources 0..99 send 3 forged cookies each (under the allowance); source 7 then 20 more. */
	for (k = 0; k < 3; k++)
		send_and_tick(&dp, &t, DS_TRAFFIC_CH2, 0, 100, &now, 100);
	tap_check(s->action[DS_ACT_CH2_BAD_COOKIE] == 300 && s->action[DS_ACT_BAD_COOKIE_SOURCE_REPORTED] == 0 &&
			  dp.workers.auto_block->listed == 0 && s->action[DS_ACT_HVR_SENT] == 300,
		  "3 bad cookies from each of 100 sources (allowance 4): answered, nobody reported");
	for (k = 0; k < 20; k++)
		send_clients(&dp, &t, DS_TRAFFIC_CH2, 7, 1);
	send_and_tick(&dp, &t, DS_TRAFFIC_CH2, 0, 0, &now, 100);
	tap_check(s->action[DS_ACT_BAD_COOKIE_SOURCE_REPORTED] >= 18 && dp.workers.auto_block->listed == 1 &&
			  dp.workers.auto_block->n_entries == 1 &&
			  ds_blocklist_match(ds_view_get(&dp.workers.view)->blocklist,
					     (const uint8_t *)"\x64\x00\x00\x07", 4),
		  "20 more from source 7: reported %lu times, listed once (100.0.0.7/32) at the next tick",
		  (unsigned long)s->action[DS_ACT_BAD_COOKIE_SOURCE_REPORTED]);
	data_path_run(&dp);
	blocked = s->action[DS_ACT_DROPPED_BLOCKLIST];
	send_clients(&dp, &t, DS_TRAFFIC_CH2, 0, 100);
	tap_check(s->action[DS_ACT_DROPPED_BLOCKLIST] - blocked == 1 && dp.workers.auto_block->listed == 1 &&
			  ds_stats_conserved(s),
		  "from then on source 7 is dropped before any work; the 99 others are answered as before");
	for (k = 0; k < 49; k++)
		send_and_tick(&dp, &t, DS_TRAFFIC_CH2, 0, 0, &now, 100);
	tap_check(dp.workers.auto_block->n_entries == 1, "4.9 s after it was listed, source 7 still is");
	send_and_tick(&dp, &t, DS_TRAFFIC_CH2, 0, 0, &now, 100);
	tap_check(dp.workers.auto_block->n_entries == 0 && dp.workers.auto_block->expired == 1 &&
			  ds_view_get(&dp.workers.view)->blocklist == NULL,
		  "after its duration (5 s) the entry is gone from the blocklist");
	tap_check(data_path_mbufs_in_use(&dp) == 0, "auto blocklist: every mbuf back in the pool");
	ds_keyring_destroy(forger);
	ds_cookie_engine_destroy(engine);
	data_path_close(&dp);
}

/* TX rings nobody empties: what does not fit is counted and freed. */
static void
check_tx_full(void)
{
	static struct batch b;
	struct data_path dp;
	struct ds_traffic t;
	struct ds_cookie_engine *engine;
	const struct ds_stats *s;
	unsigned k, i;

	data_path_open_or_bail(&dp, "inline", services, 64, 4096);
	engine = legit_clients(&dp, 4, 8, &t);
	s = data_path_stats(&dp);
	/* 1 024 frames, whatever the build's burst. */
	for (k = 0; k < 1024 / DS_BURST; k++) {
		b.n = DS_BURST;
		for (i = 0; i < b.n; i++)
			b.len[i] = legit_frame(&t, i % 2 ? DS_TRAFFIC_CH2 : DS_TRAFFIC_CH1, k * DS_BURST + i, b.frames[i]);
		send_batch(&dp, &b);
	}
	/* Each ring holds 63 frames: 512 HVRs and 512 CH2s were sent, 2 x 63 fit. */
	tap_check(s->action[DS_ACT_TX_FULL] == 2 * (512 - 63) && s->action[DS_ACT_HVR_SENT] == 512 &&
			  s->action[DS_ACT_FORWARDED_CH2] == 512 && ds_stats_conserved(s),
		  "full TX rings: %lu frames the ports did not take are counted as tx_full",
		  (unsigned long)s->action[DS_ACT_TX_FULL]);
	tap_check(data_path_mbufs_in_use(&dp) == 2 * 63, "full TX rings: only the frames in the rings are out of "
		  "the pool (%u)", data_path_mbufs_in_use(&dp));
	data_path_drain(&dp);
	tap_check(data_path_mbufs_in_use(&dp) == 0, "full TX rings: after they are emptied, every mbuf is back");
	ds_cookie_engine_destroy(engine);
	data_path_close(&dp);
}

/* One control tick at Unix time @p now_ms: 1 when it published a new key set to the worker. */
static unsigned
rotate(struct data_path *dp, uint64_t now_ms)
{
	const uint64_t before = ds_cookie_keyset_generation(ds_keyring_current(dp->keyring));
	const uint64_t published = dp->workers.view.published;

	data_path_tick(dp, now_ms, dp->monotonic_ms);
	return ds_cookie_keyset_generation(ds_keyring_current(dp->keyring)) != before &&
	       dp->workers.view.published == published + 1 &&
	       ds_cookie_keyset_epoch(ds_view_get(&dp->workers.view)->keys) ==
		       ds_cookie_keyset_epoch(ds_keyring_current(dp->keyring));
}

/* The cookie of an HVR (IPv4, untagged) to a legitimate client, and which client it is. */
static int
hvr_cookie(const struct rte_mbuf *m, uint64_t *client, uint8_t *cookie, unsigned *cookie_len)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *hvr = f + 42 + DS_DTLS_RECORD_HDR_LEN + DS_DTLS_HS_HDR_LEN;

	if (rte_pktmbuf_data_len(m) < 42 + 28 || f[14 + 16] != LEGIT_BASE)
		return -1;
	*client = (uint64_t)f[31] << 16 | (uint64_t)f[32] << 8 | f[33];
	*cookie_len = hvr[2];
	if (*cookie_len > DS_COOKIE_MAX_LEN || 42u + 28 + *cookie_len > rte_pktmbuf_data_len(m))
		return -1;
	memcpy(cookie, hvr + 3, *cookie_len);
	return 0;
}

/* A client's answer to an HVR: its first ClientHello with the cookie, as a second flight. */
static size_t
second_hello(struct ds_traffic *t, uint64_t client, const uint8_t *ch1, size_t ch1_len, const uint8_t *cookie,
	     unsigned cookie_len, uint8_t *out)
{
	uint8_t payload[DS_TRAFFIC_FRAME_MAX];
	struct ds_frame_info info;
	struct ds_frame_addrs a;
	size_t len;

	ds_classify_dtls(ch1 + 42, ch1_len - 42, &info);
	len = ds_hello_with_cookie(ch1 + 42, &info, cookie, cookie_len, 1, payload, sizeof(payload));
	ds_traffic_addrs(t, client, &a);
	return len == 0 ? 0 : ds_frame_build(out, DS_TRAFFIC_FRAME_MAX, &a, payload, len);
}

enum { ROTATION_ROUNDS = 50, ROTATION_CLIENTS = 16 };

/* Answer each HVR to a client in @p clients (their CH1s) with its second ClientHello into @p b. */
static unsigned
answer_hvrs(struct data_path *dp, struct ds_traffic *ct, const struct batch *clients, uint64_t first,
	    struct batch *b)
{
	struct rte_mbuf *m[DS_BURST];
	unsigned n = data_path_take(dp, DS_PORT_OUTSIDE, m, DS_BURST), i, answered = 0;

	for (i = 0; i < n; i++) {
		uint8_t cookie[DS_COOKIE_MAX_LEN];
		unsigned cookie_len;
		uint64_t c;

		if (hvr_cookie(m[i], &c, cookie, &cookie_len) != 0 || c < first || c >= first + clients->n)
			continue;
		b->len[b->n] = second_hello(ct, c, clients->frames[c - first], clients->len[c - first], cookie,
					    cookie_len, b->frames[b->n]);
		b->n += b->len[b->n] != 0;
		answered++;
	}
	rte_pktmbuf_free_bulk(m, n);
	return answered;
}

/* Fill the rest of a batch with spoofed ClientHellos. */
static void
add_flood(struct batch *b, struct ds_traffic *ft)
{
	for (; b->n < DS_BURST; b->n++)
		b->len[b->n] = ds_traffic_frame(ft, DS_TRAFFIC_CH1, ds_traffic_next_source(ft), b->frames[b->n],
						DS_TRAFFIC_FRAME_MAX);
}

/*
 * Keys rotate at every step of a flood (1 s epochs, the clock moved one epoch per step): a client's
 * second ClientHello always arrives one epoch after its cookie was made, among spoofed ones.
 */
static void
check_rotation_under_load(void)
{
	static struct batch clients, b;
	struct data_path dp;
	struct ds_traffic ct, ft;
	struct ds_traffic_spec cs, fs;
	char err[256];
	char rest[512];
	const struct ds_stats *s;
	uint64_t now, inside = 0, hvrs = 0;
	unsigned rotations = 0, r, late;

	snprintf(rest, sizeof(rest), "services:\n  - \"10.0.0.2:4433\"\ncookie:\n  secret_file: cookie.secret\n"
		 "  key_period: 1\n  clock_skew_ms: 0\n");
	data_path_open_or_bail(&dp, "inline", rest, 4096, 8192);
	now = dp.unix_ms;
	s = data_path_stats(&dp);
	spec_for(&cs, &hellos[0], 4, LEGIT_BASE, 1 << 16, 21);
	cs.random_sources = false;
	spec_for(&fs, &hellos[0], 4, SPOOFED_BASE, 1 << 24, 22);
	if (ds_traffic_init(&ct, &cs, err, sizeof(err)) != 0 || ds_traffic_init(&ft, &fs, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	for (r = 0; r < ROTATION_ROUNDS; r++) {
		struct rte_mbuf *m[DS_BURST];
		unsigned got;

		rotations += rotate(&dp, now += 1000);
		for (clients.n = b.n = 0; clients.n < ROTATION_CLIENTS; clients.n++, b.n++) {
			clients.len[clients.n] = ds_traffic_frame(&ct, DS_TRAFFIC_CH1, r * ROTATION_CLIENTS + clients.n,
								  clients.frames[clients.n], DS_TRAFFIC_FRAME_MAX);
			memcpy(b.frames[b.n], clients.frames[clients.n], clients.len[clients.n]);
			b.len[b.n] = clients.len[clients.n];
		}
		add_flood(&b, &ft);
		send_batch(&dp, &b);
		b.n = 0;
		hvrs += answer_hvrs(&dp, &ct, &clients, r * ROTATION_CLIENTS, &b);
		data_path_drain(&dp);
		rotations += rotate(&dp, now += 1000);
		add_flood(&b, &ft);
		send_batch(&dp, &b);
		got = data_path_take(&dp, DS_PORT_INSIDE, m, DS_BURST);
		inside += got;
		rte_pktmbuf_free_bulk(m, got);
		data_path_drain(&dp);
	}
	tap_check(rotations == 2 * ROTATION_ROUNDS && hvrs == ROTATION_ROUNDS * ROTATION_CLIENTS,
		  "rotation under load: %u key sets published during a flood of %lu spoofed ClientHellos; %lu HVRs "
		  "to real clients", rotations, (unsigned long)(s->action[DS_ACT_CH1_NO_COOKIE] - hvrs),
		  (unsigned long)hvrs);
	tap_check(inside == hvrs && s->action[DS_ACT_FORWARDED_CH2] == hvrs &&
			  s->action[DS_ACT_CH2_BAD_COOKIE] + s->action[DS_ACT_CH2_EXPIRED_KEY] == 0,
		  "rotation under load: 0 handshakes lost: every one of %lu second ClientHellos, each one epoch "
		  "after its cookie, reached the server", (unsigned long)hvrs);
	/* The control: one more client answers two epochs late, and is refused. */
	clients.n = 1;
	clients.len[0] = ds_traffic_frame(&ct, DS_TRAFFIC_CH1, 60000, clients.frames[0], DS_TRAFFIC_FRAME_MAX);
	memcpy(b.frames[0], clients.frames[0], clients.len[0]);
	b.len[0] = clients.len[0];
	b.n = 1;
	send_batch(&dp, &b);
	b.n = 0;
	late = answer_hvrs(&dp, &ct, &clients, 60000, &b);
	rotate(&dp, now += 1000);
	rotate(&dp, now += 1000);
	send_batch(&dp, &b);
	tap_check(late == 1 && s->action[DS_ACT_CH2_EXPIRED_KEY] == 1 && s->action[DS_ACT_FORWARDED_CH2] == hvrs,
		  "rotation under load: a cookie two epochs old is refused (ch2_expired_key)");
	data_path_drain(&dp);
	tap_check(data_path_mbufs_in_use(&dp) == 0, "rotation under load: every mbuf back in the pool");
	data_path_close(&dp);
}

int
main(int argc, char **argv)
{
	(void)argc;
	data_path_eal(argv[0], 1024);
	n_hellos = hellos_load(hellos, HELLOS_MAX, false);
	check_hostile();
	check_legit_in_flood();
	check_table_full();
	check_tx_full();
	check_rotation_under_load();
	check_blocklist();
	check_challenge();
	check_auto_blocklist();
	check_flood();
	rte_eal_cleanup();
	return tap_done();
}
