/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path, run to completion (DESIGN §3): rx burst → classify → verified-flow lookup in bulk →
 * one MAC burst for every ClientHello → act (HVR in place back out / forward / drop with a reason) →
 * one tx burst per port. No allocation, lock, system call or log line per packet.
 */
#include "worker.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "ds_blocklist.h"
#include "ds_cookie_engine.h"
#include "ds_flow.h"
#include "ds_keyring.h"
#include "ds_pktmbuf.h"
#include "ds_ratelimit.h"
#include "ds_route.h"
#include "auto_blocklist.h"
#include "view.h"
#include "worker_burst.h"

enum { EXPIRE_BUDGET = 16, PREFETCH_AHEAD = 4, PREFETCH_BYTES = 512 };

_Static_assert((int)DS_BURST <= (int)DS_COOKIE_BURST_MAX, "a burst's ClientHellos are one MAC burst");
_Static_assert(DS_SERVICE_MAX <= 64, "services seen in a burst are marked in one 64-bit mask");

/*
 * The two lines holding every header up to the ClientHello's cookie, asked for with the intent to write:
 * most frames of a flood become HVRs in place, and a line fetched for reading would be fetched again
 * for ownership at the first store.
 */
static inline void
prefetch_headers(const struct rte_mbuf *m)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	const unsigned len = rte_pktmbuf_data_len(m);
	unsigned line;

	/* rte_prefetch0_write() is still experimental in DPDK 22.11: the builtin it wraps. */
	__builtin_prefetch(frame, 1, 3);
	__builtin_prefetch(frame + RTE_CACHE_LINE_SIZE, 1, 3);
	/* A ClientHello is read to its extensions (supported_versions): the lines after the headers too. */
	for (line = 2 * RTE_CACHE_LINE_SIZE; line < len && line < PREFETCH_BYTES; line += RTE_CACHE_LINE_SIZE)
		__builtin_prefetch(frame + line, 0, 3);
}

/*
 * A ClientHello offering DTLS 1.3, by its service's policy (docs/dtls13.md): true when it met its fate
 * here, false when it goes on as a DTLS 1.2 ClientHello (HVR or cookie check). A ClientHello that
 * offers DTLS 1.3 alone never gets an HVR: the client would have to abort.
 */
static bool
dtls13_met_fate(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf *m, const struct ds_frame_info *info,
		const uint8_t *frame, bool challenged, uint64_t now)
{
	static const enum ds_action by_offer[] = {
		[DS_DTLS13_WITH_DTLS12] = DS_ACT_CH_DTLS13_WITH_DTLS12,
		[DS_DTLS13_ONLY] = DS_ACT_CH_DTLS13_ONLY,
		[DS_DTLS13_UNKNOWN] = DS_ACT_CH_DTLS13_UNKNOWN,
	};
	const enum ds_dtls13_policy policy = (enum ds_dtls13_policy)w->fast.dtls13[info->service];

	count(w, by_offer[info->dtls13]);
	if (policy == DS_DTLS13_DROP) {
		drop(w, b, m, DS_ACT_DROPPED_DTLS13);
		return true;
	}
	/* A client that also offers DTLS 1.2 can take an HVR; one answering an HVR has its cookie checked. */
	if (info->dtls13 == DS_DTLS13_WITH_DTLS12 && (policy == DS_DTLS13_HVR_DOWNGRADE || info->cookie_len != 0))
		return false;
	/* A quiet service's backend answers for itself, as for every ClientHello. */
	if (!challenged)
		to_inside(w, b, m, info, DS_ACT_FORWARDED_UNCHALLENGED);
	else if (policy == DS_DTLS13_HVR_DOWNGRADE)
		drop(w, b, m, DS_ACT_DROPPED_DTLS13);
	/* pass-limited: the server runs its own stateless HelloRetryRequest exchange. */
	else if (w->hvr_limit == NULL || ds_ratelimit_allow(w->hvr_limit, ds_frame_src_addr(frame, info), info->ip_version, now))
		to_inside(w, b, m, info, DS_ACT_FORWARDED_DTLS13);
	else
		drop(w, b, m, DS_ACT_DROPPED_DTLS13_RATE_LIMITED);
	return true;
}

/* Stage 1: classify every frame, sort them into ClientHellos, flow-bound records, and the rest. */
static void
classify_burst(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts, uint16_t n,
	       const struct ds_blocklist *blocked, uint64_t challenge, uint64_t now)
{
	const uint8_t *const fate = w->fast.fate;
	uint16_t hellos[DS_SERVICE_MAX];
	uint64_t hello_services = 0;
	uint16_t i;

	/* Usually in cache already (prefetch_next); a burst that came alone gets them a few ahead. */
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		prefetch_headers(pkts[i]);
	for (i = 0; i < n; i++) {
		struct ds_frame_info *info = &b->info[i];
		struct rte_mbuf *m = pkts[i];
		const uint8_t *frame;
		uint8_t f;

		if (i + PREFETCH_AHEAD < n)
			prefetch_headers(pkts[i + PREFETCH_AHEAD]);
		ds_pktmbuf_classify(m, &w->services, info);
		f = fate[info->outcome];
		/* Not a service's: maybe the appliance's own (to the kernel), or a GRE tunnel to open. */
		if (unlikely(f == DS_FATE_LOCAL)) {
			if (worker_local_outside(w, b, m, info, now))
				continue;
			f = fate[info->outcome] == DS_FATE_LOCAL ? w->fast.local_fallback[info->outcome] : fate[info->outcome];
		}
		frame = rte_pktmbuf_mtod(m, const uint8_t *);
		DS_STATS_ADD(w->stats->outcome[info->outcome], 1);
		/* A blocked source costs its classification and nothing more. */
		if (blocked != NULL && info->ip_version != 0 &&
		    ds_blocklist_match(blocked, frame + info->l3_offset + (info->ip_version == 4 ? 12 : 8),
				       info->ip_version)) {
			drop(w, b, m, DS_ACT_DROPPED_BLOCKLIST);
			continue;
		}
		switch ((enum ds_frame_fate)f) {
		case DS_FATE_HELLO:
			/* The rate that decides whether to challenge counts every new ClientHello, passed or not
			 * (summed on the stack: one counter update per service and burst). */
			hellos[info->service] = (hello_services >> info->service) & 1 ? hellos[info->service] + 1 : 1;
			hello_services |= UINT64_C(1) << info->service;
			if (info->dtls13 != DS_DTLS13_NOT_OFFERED &&
			    dtls13_met_fate(w, b, m, info, frame, (challenge >> info->service) & 1, now))
				break;
			if (!((challenge >> info->service) & 1)) {
				/* The backend runs the cookie exchange itself, in our format: its cookie makes the flow. */
				count(w, DS_ACT_CH1_NO_COOKIE);
				to_inside(w, b, m, info, DS_ACT_FORWARDED_UNCHALLENGED);
				break;
			}
			/* fall through */
		case DS_FATE_HELLO_COOKIE:
			if (f == DS_FATE_HELLO_COOKIE && info->dtls13 != DS_DTLS13_NOT_OFFERED &&
			    dtls13_met_fate(w, b, m, info, frame, (challenge >> info->service) & 1, now))
				break;
			if (!ds_cookie_frame_covered(w->fast.cookie_mode, info)) {
				drop(w, b, m, DS_ACT_DROPPED_COOKIE_INPUT);
				break;
			}
			ds_cookie_request_from_frame(&b->req[b->n_hello], frame, info);
			/* The MAC input is written now, while the frame is in the cache: no second pass. */
			ds_cookie_engine_stage(w->engine, w->fast.cookie_mode, b->n_hello, &b->req[b->n_hello]);
			b->hello[b->n_hello++] = i;
			break;
		case DS_FATE_QUIC_INITIAL:
			/* New connections count toward the service's challenge rate, as ClientHellos do. */
			if (info->quic_token_len == 0) {
				hellos[info->service] = (hello_services >> info->service) & 1 ? hellos[info->service] + 1 : 1;
				hello_services |= UINT64_C(1) << info->service;
			}
			/* fall through */
		case DS_FATE_QUIC_OTHER_VERSION:
			quic_classified(w, b, i, m, (challenge >> info->service) & 1, now);
			break;
		case DS_FATE_RECORD:
			ds_flow_key_from_frame(&b->keys[b->n_record], frame, info);
			b->key_ptr[b->n_record] = &b->keys[b->n_record];
			b->record[b->n_record++] = i;
			break;
		case DS_FATE_POLICY_PASS:
			to_inside(w, b, m, info, DS_ACT_FORWARDED_POLICY);
			break;
		case DS_FATE_POLICY_DROP:
			drop(w, b, m, DS_ACT_DROPPED_POLICY);
			break;
		default:
			drop(w, b, m, DS_ACT_DROPPED_MALFORMED);
			break;
		}
	}
	while (hello_services != 0) {
		const unsigned svc = (unsigned)__builtin_ctzll(hello_services);

		DS_STATS_ADD(w->stats->service_hellos[svc], hellos[svc]);
		hello_services &= hello_services - 1;
	}
}

/* The CID key of record k of the burst, when its service gave out CIDs this worker can key. */
static bool
cid_key(const struct ds_worker *w, const struct outside_burst *b, struct rte_mbuf **pkts, uint16_t k,
	struct ds_flow_key *key)
{
	const uint16_t i = b->record[k];
	const unsigned svc = b->info[i].service;

	return ((w->cid_services >> svc) & 1) &&
	       ds_flow_key_from_cid(key, rte_pktmbuf_mtod(pkts[i], const uint8_t *), &b->info[i],
				    w->service_cid[svc] - 1u);
}

/*
 * Connection IDs (RFC 9146): every tls12_cid record's CID is looked up, which keeps the CID flows of
 * talking clients fresh; a record from an address with no flow passes if its CID has one, which is
 * how a client whose NAT rebound its address keeps its session. Returns the records passed by CID.
 */
static void
follow_cids(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts, const bool *found, bool *by_cid,
	    uint64_t now)
{
	struct ds_flow_key keys[DS_BURST];
	const struct ds_flow_key *ask[DS_BURST];
	uint16_t asked[DS_BURST], n_ask = 0, k;
	bool hits[DS_BURST];

	for (k = 0; k < b->n_record; k++) {
		if (!cid_key(w, b, pkts, k, &keys[n_ask]))
			continue;
		asked[n_ask] = k;
		ask[n_ask] = &keys[n_ask];
		n_ask++;
	}
	if (n_ask == 0)
		return;
	ds_flow_lookup_bulk(w->flows, ask, n_ask, now, hits);
	for (k = 0; k < n_ask; k++)
		by_cid[asked[k]] = hits[k] && !found[asked[k]];
}

/* Stage 3: records pass only for flows that showed a valid cookie or that their service vouched for. */
static void
check_records(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts, uint64_t now)
{
	bool found[DS_BURST], by_cid[DS_BURST];
	uint16_t k;

	if (b->n_record == 0)
		return;
	ds_flow_lookup_bulk(w->flows, b->key_ptr, b->n_record, now, found);
	memset(by_cid, 0, b->n_record * sizeof(by_cid[0]));
	if (w->cid_services != 0)
		follow_cids(w, b, pkts, found, by_cid, now);
	for (k = 0; k < b->n_record; k++) {
		const uint16_t i = b->record[k];

		if (found[k] || by_cid[k]) {
			if (by_cid[k])
				count(w, DS_ACT_FLOW_CID_MATCHED);
			to_inside(w, b, pkts[i], &b->info[i], DS_ACT_FORWARDED_VERIFIED);
		} else {
			drop(w, b, pkts[i], DS_ACT_DROPPED_UNVERIFIED);
		}
	}
}

static void
count_verdict(struct ds_worker *w, enum ds_cookie_verdict v)
{
	static const enum ds_action by_verdict[DS_COOKIE_VERDICT_COUNT] = {
		[DS_COOKIE_ABSENT] = DS_ACT_CH1_NO_COOKIE,
		[DS_COOKIE_VALID] = DS_ACT_CH2_VALID,
		[DS_COOKIE_BAD_LENGTH] = DS_ACT_CH2_BAD_COOKIE,
		[DS_COOKIE_UNKNOWN_KEY] = DS_ACT_CH2_EXPIRED_KEY,
		[DS_COOKIE_BAD_MAC] = DS_ACT_CH2_BAD_COOKIE,
	};

	count(w, by_verdict[v]);
}

/* Valid cookies and tokens make (or refresh) flows, all of a burst in one bulk insert; their frames go inside. */
void
worker_record_flows(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts, const uint16_t *valid,
		    uint16_t n_valid, uint64_t now, enum ds_action fate)
{
	static const enum ds_action by_insert[] = {
		[DS_FLOW_INSERTED] = DS_ACT_FLOW_INSERTED,
		[DS_FLOW_REFRESHED] = DS_ACT_FLOW_REFRESHED,
		[DS_FLOW_FULL] = DS_ACT_FLOW_TABLE_FULL,
	};
	struct ds_flow_key keys[DS_BURST];
	const struct ds_flow_key *key_ptr[DS_BURST];
	enum ds_flow_insert_result results[DS_BURST];
	uint16_t k;

	if (n_valid == 0)
		return;
	for (k = 0; k < n_valid; k++) {
		const uint16_t i = valid[k];

		ds_flow_key_from_frame(&keys[k], rte_pktmbuf_mtod(pkts[i], const uint8_t *), &b->info[i]);
		key_ptr[k] = &keys[k];
	}
	ds_flow_insert_bulk(w->flows, key_ptr, n_valid, now, results);
	for (k = 0; k < n_valid; k++) {
		/* A full table still lets the handshake through: only later records need the flow. */
		count(w, by_insert[results[k]]);
		to_inside(w, b, pkts[valid[k]], &b->info[valid[k]], fate);
	}
}

/*
 * A forged cookie costs its source part of an allowance; past it, the source is reported for the
 * automatic blocklist (and keeps being answered until the control plane lists it).
 */
static void
charge_bad_cookie(struct ds_worker *w, const struct ds_cookie_request *req, uint64_t now)
{
	struct ds_source_report rep;

	if (w->bad_cookies == NULL || ds_ratelimit_allow(w->bad_cookies, req->client_addr, req->ip_version, now))
		return;
	memset(&rep, 0, sizeof(rep));
	rep.ip_version = req->ip_version;
	memcpy(rep.addr, req->client_addr, req->ip_version == 4 ? 4 : 16);
	if (rte_ring_enqueue_elem(w->reports, &rep, sizeof(rep)) == 0)
		count(w, DS_ACT_BAD_COOKIE_SOURCE_REPORTED);
	else
		count(w, DS_ACT_BAD_COOKIE_REPORT_LOST);
}

/* Stage 2: one MAC burst for every ClientHello; valid cookies make flows, the rest get an HVR. */
static void
check_hellos(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts,
	     const struct ds_cookie_keyset *ks, uint64_t now)
{
	uint8_t cookies[DS_BURST][DS_COOKIE_MAX_LEN];
	enum ds_cookie_verdict verdicts[DS_BURST];
	struct ds_ratelimit_ref limit[DS_BURST];
	const unsigned cookie_len = ds_cookie_keyset_params(ks)->cookie_len;
	const uint64_t errors_before = ds_cookie_engine_errors(w->engine);
	uint16_t valid[DS_BURST], n_valid = 0, k;

	if (b->n_hello == 0)
		return;
	/* The limiter's slots of a flood's many prefixes are misses: fetched while the MACs compute. */
	if (w->hvr_limit != NULL) {
		const uint8_t *addrs[DS_BURST];
		uint8_t versions[DS_BURST];

		for (k = 0; k < b->n_hello; k++) {
			addrs[k] = b->req[k].client_addr;
			versions[k] = b->req[k].ip_version;
		}
		ds_ratelimit_locate_burst(w->hvr_limit, addrs, versions, b->n_hello, limit);
	}
	ds_cookie_engine_run_staged(w->engine, ks, b->req, b->n_hello, cookies, verdicts);
	if (ds_cookie_engine_errors(w->engine) != errors_before)
		DS_STATS_ADD(w->stats->action[DS_ACT_COOKIE_ENGINE_ERRORS],
			     ds_cookie_engine_errors(w->engine) - errors_before);
	for (k = 0; k < b->n_hello; k++) {
		const uint16_t i = b->hello[k];
		struct rte_mbuf *m = pkts[i];
		enum ds_hvr_result r;
		uint8_t source[16];

		count_verdict(w, verdicts[k]);
		if (verdicts[k] == DS_COOKIE_VALID) {
			valid[n_valid++] = i;
			continue;
		}
		if (verdicts[k] == DS_COOKIE_BAD_MAC || verdicts[k] == DS_COOKIE_BAD_LENGTH)
			charge_bad_cookie(w, &b->req[k], now);
		if (verdicts[k] != DS_COOKIE_ABSENT)
			ds_worker_talkers_note(&w->talkers, DS_TALK_BAD_COOKIE, b->req[k].ip_version, b->req[k].client_addr);
		/* The HVR goes to the ClientHello's source: a spoofed flood aims it at a victim. */
		if (w->hvr_limit != NULL && !ds_ratelimit_allow_ref(w->hvr_limit, &limit[k], now)) {
			drop(w, b, m, DS_ACT_DROPPED_HVR_RATE_LIMITED);
			continue;
		}
		/* The HVR is written over the ClientHello, addresses swapped: its source, first. */
		memcpy(source, b->req[k].client_addr, 16);
		r = ds_pktmbuf_write_hvr(m, &b->info[i], cookies[k], cookie_len, w->fast.tx_offloads[DS_PORT_OUTSIDE]);
		DS_STATS_ADD(w->stats->hvr[r], 1);
		if (r == DS_HVR_WRITTEN) {
			ds_worker_talkers_note(&w->talkers, DS_TALK_ANSWERED, b->req[k].ip_version, source);
			answer(w, b, m, DS_ACT_HVR_SENT);
		} else {
			drop(w, b, m, DS_ACT_DROPPED_HVR_REFUSED);
		}
	}
	worker_record_flows(w, b, pkts, valid, n_valid, now, DS_ACT_FORWARDED_CH2);
}

static void
send_burst(struct ds_worker *w, enum ds_port_role role, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(w->fast.port[role], w->fast.queue, pkts, n);
	if (sent < n) {
		DS_STATS_ADD(w->stats->action[DS_ACT_TX_FULL], n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/*
 * The next burst's frames are fetched while this one's MACs are computed: SHA rounds keep the core
 * busy, not its memory, so the two overlap instead of following each other.
 */
static void
prefetch_next(struct rte_mbuf **next, uint16_t n_next)
{
	uint16_t i;

	for (i = 0; i < n_next; i++)
		prefetch_headers(next[i]);
}

/* Top talkers: the sources of 1 in DS_TALKERS_SAMPLE dropped frames (only those are parsed again). */
static inline void
note_dropped(struct ds_worker *w, const struct outside_burst *b)
{
	struct ds_worker_talkers *t = &w->talkers;
	const uint8_t *addr;
	uint8_t version;
	uint16_t k;

	for (k = 0; k < b->n_drop; k++) {
		if (++t->skip[DS_TALK_DROPPED] < DS_TALKERS_SAMPLE)
			continue;
		t->skip[DS_TALK_DROPPED] = 0;
		if (ds_talkers_frame_source(rte_pktmbuf_mtod(b->drop[k], const uint8_t *), rte_pktmbuf_data_len(b->drop[k]),
					    &version, &addr))
			ds_worker_talkers_count(t, DS_TALK_DROPPED, version, addr);
	}
}

static void
process_outside(struct ds_worker *w, struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **next,
		uint16_t n_next, const struct ds_worker_view *v, uint64_t now)
{
	struct outside_burst b;

	b.n_inside = b.n_outside = b.n_drop = b.n_hello = b.n_record = b.n_quic = 0;
	DS_STATS_ADD(w->stats->action[DS_ACT_RX_OUTSIDE], n);
	classify_burst(w, &b, pkts, n, v->blocklist, v->challenge, now);
	prefetch_next(next, n_next);
	/* Hellos first: a flow verified in this burst already lets its later records through. */
	check_hellos(w, &b, pkts, v->keys, now);
	if (b.n_quic != 0)
		quic_check_initials(w, &b, pkts, v, now);
	check_records(w, &b, pkts, now);
	send_burst(w, DS_PORT_INSIDE, b.to_inside, b.n_inside);
	/* The capture copies answers before the NIC owns them, drops before they are freed. */
	if (v->capture_every != 0 && w->captured != NULL && b.n_outside != 0)
		worker_capture(w, b.to_outside, b.outside_fate, b.n_outside, v->capture_every);
	send_burst(w, DS_PORT_OUTSIDE, b.to_outside, b.n_outside);
	if (b.n_drop != 0) {
		note_dropped(w, &b);
		if (v->capture_every != 0 && w->captured != NULL)
			worker_capture(w, b.drop, b.drop_fate, b.n_drop, v->capture_every);
		rte_pktmbuf_free_bulk(b.drop, b.n_drop);
	}
}

/* A service's ServerHello said how long the CIDs of its clients' records are: key them from now on. */
void
ds_worker_note_service_cid(struct ds_worker *w, unsigned service, unsigned cid_len)
{
	const uint64_t bit = UINT64_C(1) << service;

	w->service_cid[service] = (uint16_t)(cid_len + 1);
	if (cid_len != 0 && cid_len <= DS_FLOW_CID_MAX)
		w->cid_services |= bit;
	else
		w->cid_services &= ~bit;
}

/* What a burst from the inside teaches: flows its services vouch for, CIDs they hand out. */
struct inside_lessons {
	struct ds_flow_key proven[DS_BURST];   /* clients of encrypted records */
	const struct ds_flow_key *proven_ptr[DS_BURST];
	struct ds_flow_key cid[DS_BURST];      /* CIDs of ServerHellos ... */
	struct ds_flow_key cid_client[DS_BURST]; /* ... and the clients they went to */
	const struct ds_flow_key *cid_client_ptr[DS_BURST];
	uint16_t n_proven, n_cid;
};

/*
 * A CID a service gave a client whose address is verified gets its own flow (RFC 9146), so that the
 * client's records still pass after its address changes. CIDs sent to an address without a flow are
 * ignored: they prove nothing, and a client cannot choose them to fill the table.
 */
static void
learn_cids(struct ds_worker *w, struct inside_lessons *l, uint64_t now)
{
	const struct ds_flow_key *learn[DS_BURST];
	enum ds_flow_insert_result results[DS_BURST];
	bool verified[DS_BURST];
	uint16_t n_learn = 0, k;

	ds_flow_lookup_bulk(w->flows, l->cid_client_ptr, l->n_cid, now, verified);
	for (k = 0; k < l->n_cid; k++)
		if (verified[k])
			learn[n_learn++] = &l->cid[k];
	if (n_learn == 0)
		return;
	ds_flow_insert_bulk(w->flows, learn, n_learn, now, results);
	for (k = 0; k < n_learn; k++)
		if (results[k] != DS_FLOW_REFRESHED)
			count(w, results[k] == DS_FLOW_INSERTED ? DS_ACT_FLOW_CID_LEARNED : DS_ACT_FLOW_TABLE_FULL);
}

/*
 * A service's encrypted record shows that its client finished a handshake with it, verified by cookie
 * (the box's or the server's own): the client's flow is made or refreshed, all of a burst in one bulk
 * insert. Sessions that began before the box was on the path, or on another box, so carry on from the
 * server's next record. Symmetric RSS puts the client's own records on this worker's queue.
 */
static void
learn_flows(struct ds_worker *w, struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	static const enum ds_action by_insert[] = {
		[DS_FLOW_INSERTED] = DS_ACT_FLOW_LEARNED_INSIDE,
		[DS_FLOW_REFRESHED] = DS_ACT_FLOW_REFRESHED_INSIDE,
		[DS_FLOW_FULL] = DS_ACT_FLOW_TABLE_FULL,
	};
	struct inside_lessons l;
	enum ds_flow_insert_result results[DS_BURST];
	uint16_t i;

	l.n_proven = l.n_cid = 0;
	for (i = 0; i < n; i++) {
		const uint8_t *frame = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		struct ds_frame_info info;

		ds_pktmbuf_classify_reply(pkts[i], &w->services, &info);
		if (info.has_server_cid) {
			ds_worker_note_service_cid(w, info.service, info.server_cid_len);
			if (ds_flow_key_from_server_cid(&l.cid[l.n_cid], frame, &info)) {
				ds_flow_key_from_reply(&l.cid_client[l.n_cid], frame, &info);
				l.cid_client_ptr[l.n_cid] = &l.cid_client[l.n_cid];
				l.n_cid++;
			}
		}
		if (!info.session_proof)
			continue;
		ds_flow_key_from_reply(&l.proven[l.n_proven], frame, &info);
		l.proven_ptr[l.n_proven] = &l.proven[l.n_proven];
		l.n_proven++;
	}
	if (l.n_proven != 0) {
		ds_flow_insert_bulk(w->flows, l.proven_ptr, l.n_proven, now, results);
		for (i = 0; i < l.n_proven; i++)
			count(w, by_insert[results[i]]);
	}
	if (l.n_cid != 0)
		learn_cids(w, &l, now);
}

/* Servers' traffic goes out as it came; routed mode still spends a hop and rewrites addresses. */
static void
process_inside(struct ds_worker *w, struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	struct rte_mbuf *out[DS_BURST], *dropped[DS_BURST];
	uint16_t n_out = 0, n_drop = 0, i;

	DS_STATS_ADD(w->stats->action[DS_ACT_RX_INSIDE], n);
	if (w->fast.kernel[DS_PORT_INSIDE])
		n = worker_local_inside(w, pkts, n, now);
	learn_flows(w, pkts, n, now);
	if (!w->fast.routed) {
		if (w->fast.retag)
			worker_retag_burst(w, pkts, n, DS_PORT_OUTSIDE);
		DS_STATS_ADD(w->stats->action[DS_ACT_FORWARDED_OUTSIDE], n);
		send_burst(w, DS_PORT_OUTSIDE, pkts, n);
		return;
	}
	for (i = 0; i < n; i++) {
		uint8_t *frame = rte_pktmbuf_mtod(pkts[i], uint8_t *);
		uint32_t l3 = 0;
		const unsigned version = rte_pktmbuf_is_contiguous(pkts[i])
						 ? ds_frame_l3(frame, rte_pktmbuf_data_len(pkts[i]), &l3)
						 : 0;

		if ((version == 0 && w->fast.drop_non_ip_inside) ||
		    ds_route_rewrite(frame, l3, version, w->fast.port_mac[DS_PORT_OUTSIDE].addr_bytes,
				     w->fast.next_hop[DS_PORT_OUTSIDE].addr_bytes) == DS_ROUTE_TTL_EXPIRED)
			dropped[n_drop++] = pkts[i];
		else
			out[n_out++] = pkts[i];
	}
	if (w->fast.retag)
		worker_retag_burst(w, out, n_out, DS_PORT_OUTSIDE);
	DS_STATS_ADD(w->stats->action[DS_ACT_FORWARDED_OUTSIDE], n_out);
	DS_STATS_ADD(w->stats->action[DS_ACT_DROPPED_INSIDE], n_drop);
	send_burst(w, DS_PORT_OUTSIDE, out, n_out);
	if (n_drop != 0)
		rte_pktmbuf_free_bulk(dropped, n_drop);
}

/* Descriptors of a burst just received: where each frame is, needed before the frames themselves. */
static void
prefetch_descriptors(struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		rte_prefetch0(pkts[i]);
}

void
ds_worker_apply_live(struct ds_worker *w, const struct ds_live_settings *s)
{
	const uint64_t hz = rte_get_tsc_hz();
	uint16_t cid[DS_SERVICE_MAX] = { 0 };
	uint64_t cid_services = 0;
	unsigned i, j;

	/* Connection-ID lengths learned for a service stay with it when the list changes around it. */
	for (i = 0; i < s->services.count; i++)
		for (j = 0; j < w->services.count; j++)
			if (memcmp(&s->services.entries[i], &w->services.entries[j], sizeof(s->services.entries[i])) == 0) {
				cid[i] = w->service_cid[j];
				cid_services |= ((w->cid_services >> j) & 1) << i;
				break;
			}
	memcpy(w->service_cid, cid, sizeof(cid));
	w->cid_services = cid_services;
	w->services = s->services;
	memcpy(w->fast.fate, s->fate, sizeof(w->fast.fate));
	memcpy(w->fast.local_fallback, s->local_fallback, sizeof(w->fast.local_fallback));
	for (i = 0; i < DS_PORT_COUNT; i++)
		memcpy(w->fast.next_hop[i].addr_bytes, s->next_hop[i], RTE_ETHER_ADDR_LEN);
	memcpy(w->tunnel, s->tunnel, sizeof(w->tunnel));
	w->tunnel_services = 0;
	for (i = 0; i < s->services.count && i < DS_SERVICE_MAX; i++)
		w->tunnel_services |= (uint64_t)(s->tunnel[i].ip_version != 0) << i;
	w->fast.drop_non_ip_inside = s->drop_non_ip_inside;
	memcpy(w->fast.dtls13, s->dtls13, sizeof(w->fast.dtls13));
	memcpy(w->fast.quic_other, s->quic_other, sizeof(w->fast.quic_other));
	if (w->hvr_limit != NULL)
		ds_ratelimit_retune(w->hvr_limit, s->hvr_rate, s->hvr_burst, hz);
	if (w->bad_cookies != NULL)
		ds_ratelimit_retune(w->bad_cookies, s->bad_rate, s->bad_burst, hz);
	ds_flow_table_set_idle(w->flows, hz * s->flow_idle_s);
	w->live_serial = s->serial;
}

static inline uint16_t
poll_once(struct ds_worker *w)
{
	/* Once per loop: what the control plane published (keys, blocklist, challenge), and the time. */
	const struct ds_worker_view *v = ds_view_get(w->view);
	const uint16_t n_cur = w->n_ahead, cur = w->cur ^ 1, ahead = cur ^ 1;
	struct rte_mbuf *inside[DS_BURST];
	uint16_t n, got;
	uint64_t end;

	if (unlikely(v->live.serial != w->live_serial))
		ds_worker_apply_live(w, &v->live);
	w->cur = cur;
	w->n_ahead = rte_eth_rx_burst(w->fast.port[DS_PORT_OUTSIDE], w->fast.queue, w->outside[ahead], DS_BURST);
	got = w->n_ahead;
	prefetch_descriptors(w->outside[ahead], w->n_ahead);
	if (n_cur != 0)
		process_outside(w, w->outside[cur], n_cur, w->outside[ahead], w->n_ahead, v, w->now);
	n = rte_eth_rx_burst(w->fast.port[DS_PORT_INSIDE], w->fast.queue, inside, DS_BURST);
	if (n != 0)
		process_inside(w, inside, n, w->now);
	got += n;
	if (unlikely(w->from_kernel[DS_PORT_OUTSIDE] != NULL || w->from_kernel[DS_PORT_INSIDE] != NULL))
		worker_from_kernel(w);
	/* Idle flows leave a few at a time: never a stop-the-world scan. */
	DS_STATS_ADD(w->stats->action[DS_ACT_FLOW_EXPIRED], ds_flow_expire(w->flows, w->now, EXPIRE_BUDGET));
	__atomic_store_n(&w->stats->flows_active, ds_flow_count(w->flows), __ATOMIC_RELAXED);
	if (unlikely(w->now >= w->talkers.window_end))
		ds_worker_talkers_tick(&w->talkers, w->now);
	__atomic_store_n(&w->heartbeat, w->now, __ATOMIC_RELAXED);
	/* Done with this loop's view: a replaced one may be freed. */
	ds_view_quiescent(w->view, w->reader);
	/* The load: cycles of loops that had work; empty polls are the idle time. */
	end = rte_rdtsc();
	if ((got | n_cur) != 0)
		DS_STATS_ADD(w->stats->busy_cycles, end - w->now);
	w->now = end;
	return got;
}

uint16_t
ds_worker_poll(struct ds_worker *w)
{
	return poll_once(w);
}

void
ds_worker_flush(struct ds_worker *w)
{
	const uint16_t ahead = w->cur ^ 1;

	if (w->n_ahead != 0)
		process_outside(w, w->outside[ahead], w->n_ahead, NULL, 0, ds_view_get(w->view), w->now);
	w->n_ahead = 0;
}

int
ds_worker_main(void *arg)
{
	struct ds_worker *w = arg;

	w->n_ahead = 0;
	w->now = rte_rdtsc();
	ds_view_reader_online(w->view, w->reader);
	while (!*w->quit)
		poll_once(w);
	/* What was received ahead is still answered. */
	ds_worker_flush(w);
	ds_view_reader_offline(w->view, w->reader);
	return 0;
}
