/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Retry offload in the worker (docs/quic-retry.md): Initials of a challenged service must carry a
 * valid shared-state Retry token; those that do make a verified flow and go inside unchanged, those
 * without one are answered in place by a Retry, and later packets (Handshake, 0-RTT, short headers)
 * pass on the flow, like DTLS records. Same per-prefix reply limit and challenge rules as HVRs.
 */
#include "worker_burst.h"

#include <string.h>

#include <rte_ethdev.h>

#include "ds_config.h"
#include "ds_pktmbuf.h"
#include "ds_quic_token.h"
#include "ds_ratelimit.h"

_Static_assert(DS_QUIC_TOKEN_VERDICT_COUNT == 8, "one counter per token verdict below");

static const enum ds_action by_verdict[DS_QUIC_TOKEN_VERDICT_COUNT] = {
	[DS_QUIC_TOKEN_VALID] = DS_ACT_QUIC_TOKEN_VALID,
	[DS_QUIC_TOKEN_NOT_RETRY] = DS_ACT_QUIC_TOKEN_NOT_RETRY,
	[DS_QUIC_TOKEN_MALFORMED] = DS_ACT_QUIC_TOKEN_MALFORMED,
	[DS_QUIC_TOKEN_UNKNOWN_KEY] = DS_ACT_QUIC_TOKEN_UNKNOWN_KEY,
	[DS_QUIC_TOKEN_BAD_TAG] = DS_ACT_QUIC_TOKEN_BAD_TAG,
	[DS_QUIC_TOKEN_EXPIRED] = DS_ACT_QUIC_TOKEN_EXPIRED,
	[DS_QUIC_TOKEN_BAD_CONTENT] = DS_ACT_QUIC_TOKEN_BAD_CONTENT,
	[DS_QUIC_TOKEN_WRONG_PORT] = DS_ACT_QUIC_TOKEN_WRONG_PORT,
};

/* A reply goes to the datagram's source: a spoofed flood aims it at a victim, so it is rationed. */
static bool
reply_allowed(struct ds_worker *w, const uint8_t *frame, const struct ds_frame_info *info, uint64_t now)
{
	return w->hvr_limit == NULL || ds_ratelimit_allow(w->hvr_limit, ds_frame_src_addr(frame, info), info->ip_version, now);
}

void
quic_classified(struct ds_worker *w, struct outside_burst *b, uint16_t i, struct rte_mbuf *m, bool challenged,
		uint64_t now)
{
	const struct ds_frame_info *info = &b->info[i];
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);

	if (w->fast.fate[info->outcome] == DS_FATE_QUIC_INITIAL) {
		/* Tokens are checked even for a quiet service: a valid one makes the flow that keeps the
		 * connection going once the service is challenged. */
		if (!challenged && info->quic_token_len == 0)
			to_inside(w, b, m, info, DS_ACT_FORWARDED_UNCHALLENGED);
		else
			b->quic[b->n_quic++] = i;
		return;
	}
	/* Another version: a quiet service's server answers it; a challenged one's by policy. */
	if (!challenged) {
		to_inside(w, b, m, info, DS_ACT_FORWARDED_UNCHALLENGED);
		return;
	}
	/* RFC 9000 §6.1: Version Negotiation only for datagrams of an Initial's size. */
	if (w->fast.quic_other[info->service] == DS_QUIC_OTHER_DROP || info->dtls_len < DS_QUIC_MIN_DATAGRAM ||
	    !reply_allowed(w, frame, info, now) ||
	    ds_pktmbuf_write_version_negotiation(m, info, w->fast.tx_offloads[DS_PORT_OUTSIDE]) != DS_RETRY_WRITTEN) {
		drop(w, b, m, DS_ACT_DROPPED_QUIC_OTHER_VERSION);
		return;
	}
	answer(w, b, m, DS_ACT_QUIC_VN_SENT);
}

/* The token's bearer as the token binds it: client address and port, and the DCID it must have got. */
static void
bearer_of(const uint8_t *frame, const struct ds_frame_info *info, struct ds_quic_token_fields *f)
{
	f->ip_version = info->ip_version;
	memset(f->client_addr, 0, sizeof(f->client_addr));
	memcpy(f->client_addr, ds_frame_src_addr(frame, info), info->ip_version == 4 ? 4 : 16);
	f->client_port = info->src_port;
	f->rscid_len = info->quic_dcid_len;
	memcpy(f->rscid, ds_frame_quic_dcid(frame, info), info->quic_dcid_len);
}

/* A token number never used before by any worker with this key: random prefix, counter. */
static void
next_unique(struct ds_worker *w, uint8_t unique[DS_QUIC_TOKEN_UNIQUE_LEN])
{
	const uint32_t c = w->token_count++;

	if (w->token_count == 0)
		w->token_prefix++;
	memcpy(unique, &w->token_prefix, 8);
	unique[8] = (uint8_t)(c >> 24);
	unique[9] = (uint8_t)(c >> 16);
	unique[10] = (uint8_t)(c >> 8);
	unique[11] = (uint8_t)c;
}

static void
send_retry(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf *m, const struct ds_frame_info *info,
	   const struct ds_cookie_keyset *ks, struct ds_ratelimit_ref *limit, uint64_t now, uint64_t now_s)
{
	uint8_t unique[DS_QUIC_TOKEN_UNIQUE_LEN], source[16];

	if (w->hvr_limit != NULL && !ds_ratelimit_allow_ref(w->hvr_limit, limit, now)) {
		drop(w, b, m, DS_ACT_DROPPED_RETRY_RATE_LIMITED);
		return;
	}
	next_unique(w, unique);
	/* The Retry is written over the Initial, addresses swapped: its source, first. */
	memcpy(source, ds_frame_src_addr(rte_pktmbuf_mtod(m, const uint8_t *), info), info->ip_version == 4 ? 4 : 16);
	if (ds_pktmbuf_write_retry(m, info, w->engine, ks, unique, now_s, w->fast.tx_offloads[DS_PORT_OUTSIDE]) !=
	    DS_RETRY_WRITTEN) {
		drop(w, b, m, DS_ACT_DROPPED_RETRY_REFUSED);
		return;
	}
	ds_worker_talkers_note(&w->talkers, DS_TALK_ANSWERED, info->ip_version, source);
	answer(w, b, m, DS_ACT_QUIC_RETRY_SENT);
}

void
quic_check_initials(struct ds_worker *w, struct outside_burst *b, struct rte_mbuf **pkts,
		    const struct ds_worker_view *v, uint64_t now)
{
	const uint64_t now_s = (w->clock_unix_ms + (now - w->clock_tsc) / w->tsc_per_ms) / 1000;
	struct ds_ratelimit_ref limit[DS_BURST];
	uint16_t valid[DS_BURST], n_valid = 0, k;

	/* The reply limiter's slots of a flood's many prefixes are misses: fetched while the tokens compute. */
	if (w->hvr_limit != NULL) {
		const uint8_t *addrs[DS_BURST];
		uint8_t versions[DS_BURST];

		for (k = 0; k < b->n_quic; k++) {
			addrs[k] = ds_frame_src_addr(rte_pktmbuf_mtod(pkts[b->quic[k]], const uint8_t *), &b->info[b->quic[k]]);
			versions[k] = b->info[b->quic[k]].ip_version;
		}
		ds_ratelimit_locate_burst(w->hvr_limit, addrs, versions, b->n_quic, limit);
	}

	for (k = 0; k < b->n_quic; k++) {
		const uint16_t i = b->quic[k];
		const struct ds_frame_info *info = &b->info[i];
		const uint8_t *frame = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		const bool challenged = (v->challenge >> info->service) & 1;
		enum ds_quic_token_verdict verdict = DS_QUIC_TOKEN_NOT_RETRY;

		if (info->quic_token_len != 0) {
			struct ds_quic_token_fields bearer;

			bearer_of(frame, info, &bearer);
			verdict = ds_quic_token_open(w->engine, v->keys, frame + info->quic_token_offset, info->quic_token_len,
						     &bearer, now_s, NULL);
			count(w, by_verdict[verdict]);
			if (verdict != DS_QUIC_TOKEN_VALID && verdict != DS_QUIC_TOKEN_NOT_RETRY)
				ds_worker_talkers_note(&w->talkers, DS_TALK_BAD_COOKIE, info->ip_version,
						       ds_frame_src_addr(frame, info));
		}
		if (verdict == DS_QUIC_TOKEN_VALID)
			valid[n_valid++] = i;
		else if (!challenged)
			to_inside(w, b, pkts[i], info, DS_ACT_FORWARDED_UNCHALLENGED);
		/* The draft: a failed Retry token is never answered with another Retry. */
		else if (verdict != DS_QUIC_TOKEN_NOT_RETRY)
			drop(w, b, pkts[i], DS_ACT_DROPPED_QUIC_BAD_TOKEN);
		else
			send_retry(w, b, pkts[i], info, v->keys, &limit[k], now, now_s);
	}
	worker_record_flows(w, b, pkts, valid, n_valid, now, DS_ACT_FORWARDED_QUIC_TOKEN);
}
