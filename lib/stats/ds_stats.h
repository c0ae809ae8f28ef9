/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_STATS_H
#define DS_STATS_H

/**
 * @file
 * The appliance's counters: what each frame was (classifier outcomes), what was done with it
 * (actions), why the HVR writer refused (its results). One cache-aligned block per worker, written
 * only by that worker, summed by the control plane on demand. Never reset.
 *
 * Every frame received on the outside port is counted by exactly one outcome and by exactly one of
 * the "fate" actions (third column of DS_ACTION_LIST), so that rx_outside equals their sum at all
 * times (ds_stats_conserved()).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ds_hvr.h"
#include "ds_outcome.h"
#include "ds_service.h"

/* Columns: enum suffix, counter name, is a fate of an outside frame, help. */
#define DS_ACTION_LIST(X) \
	X(RX_OUTSIDE, "rx_outside", 0, "frames received on the outside port") \
	X(HVR_SENT, "hvr_sent", 1, "ClientHellos answered with a HelloVerifyRequest") \
	X(FORWARDED_CH2, "forwarded_ch2", 1, "ClientHellos with a valid cookie, forwarded inside") \
	X(FORWARDED_VERIFIED, "forwarded_verified", 1, "records of verified flows, forwarded inside") \
	X(FORWARDED_POLICY, "forwarded_policy", 1, "traffic to no protected service, passed by policy") \
	X(FORWARDED_UNCHALLENGED, "forwarded_unchallenged", 1, \
	  "ClientHellos without a cookie passed to a service not under attack (challenge: under-attack)") \
	X(DROPPED_UNVERIFIED, "dropped_unverified", 1, "DTLS records of flows that never showed a valid cookie") \
	X(DROPPED_POLICY, "dropped_policy", 1, "traffic dropped by a pass/drop policy") \
	X(DROPPED_MALFORMED, "dropped_malformed", 1, "malformed frames (the outcome counters say why)") \
	X(DROPPED_HVR_REFUSED, "dropped_hvr_refused", 1, "ClientHellos the HVR writer refused to answer") \
	X(FORWARDED_DTLS13, "forwarded_dtls13", 1, \
	  "ClientHellos offering DTLS 1.3 passed to a pass-limited service, within the per-prefix rate") \
	X(DROPPED_DTLS13, "dropped_dtls13", 1, \
	  "ClientHellos offering DTLS 1.3 dropped by the service's policy (drop, or hvr-downgrade for DTLS 1.3 alone)") \
	X(DROPPED_DTLS13_RATE_LIMITED, "dropped_dtls13_rate_limited", 1, \
	  "ClientHellos offering DTLS 1.3 over the per-prefix rate of a pass-limited service") \
	X(CH_DTLS13_WITH_DTLS12, "ch_dtls13_with_dtls12", 0, "ClientHellos offering DTLS 1.3 and DTLS 1.2") \
	X(CH_DTLS13_ONLY, "ch_dtls13_only", 0, "ClientHellos offering DTLS 1.3 alone") \
	X(CH_DTLS13_UNKNOWN, "ch_dtls13_unknown", 0, \
	  "first fragments of ClientHellos that end before supported_versions: taken as offering DTLS 1.3 alone") \
	X(DROPPED_COOKIE_INPUT, "dropped_cookie_input", 1, \
	  "ClientHellos with more than the cookie format covers (wolfssl: over 512 bytes of cipher suites)") \
	X(DROPPED_BLOCKLIST, "dropped_blocklist", 1, "frames from a blocklisted source prefix, dropped before any work") \
	X(DROPPED_HVR_RATE_LIMITED, "dropped_hvr_rate_limited", 1, \
	  "ClientHellos left unanswered: their source prefix had all its HVRs for now (hvr_rate_limit)") \
	X(DROPPED_TTL_EXPIRED, "dropped_ttl_expired", 1, "routed mode: TTL or hop limit exhausted") \
	X(QUIC_RETRY_SENT, "quic_retry_sent", 1, "QUIC Initials answered with a Retry carrying a token") \
	X(FORWARDED_QUIC_TOKEN, "forwarded_quic_token", 1, \
	  "QUIC Initials with a valid Retry token, forwarded inside (their flow made or refreshed)") \
	X(DROPPED_QUIC_BAD_TOKEN, "dropped_quic_bad_token", 1, \
	  "QUIC Initials of a challenged service whose Retry token failed (quic_token_* say why)") \
	X(DROPPED_RETRY_RATE_LIMITED, "dropped_retry_rate_limited", 1, \
	  "QUIC Initials left unanswered: their source prefix had all its replies for now (hvr_rate_limit)") \
	X(DROPPED_RETRY_REFUSED, "dropped_retry_refused", 1, "QUIC Initials the Retry writer refused to answer") \
	X(QUIC_VN_SENT, "quic_vn_sent", 1, "QUIC long headers of other versions answered with Version Negotiation") \
	X(DROPPED_QUIC_OTHER_VERSION, "dropped_quic_other_version", 1, \
	  "QUIC long headers of other versions dropped: by policy, under 1200 bytes, or over the reply rate") \
	X(QUIC_TOKEN_VALID, "quic_token_valid", 0, "Initial tokens good for their client, port and connection ID") \
	X(QUIC_TOKEN_NOT_RETRY, "quic_token_not_retry", 0, \
	  "Initial tokens of another kind (NEW_TOKEN or foreign): treated as no token") \
	X(QUIC_TOKEN_MALFORMED, "quic_token_malformed", 0, "Retry tokens of an impossible length") \
	X(QUIC_TOKEN_UNKNOWN_KEY, "quic_token_unknown_key", 0, "Retry tokens of an epoch no longer accepted") \
	X(QUIC_TOKEN_BAD_TAG, "quic_token_bad_tag", 0, "Retry tokens forged, or for another client address") \
	X(QUIC_TOKEN_EXPIRED, "quic_token_expired", 0, "Retry tokens past their expiry (two seconds of grace)") \
	X(QUIC_TOKEN_BAD_CONTENT, "quic_token_bad_content", 0, \
	  "Retry tokens whose sealed RSCID is not the Initial's DCID, or whose lengths are impossible") \
	X(QUIC_TOKEN_WRONG_PORT, "quic_token_wrong_port", 0, "Retry tokens sealed for another source port") \
	X(CH1_NO_COOKIE, "ch1_no_cookie", 0, "ClientHellos without a cookie") \
	X(CH2_VALID, "ch2_valid", 0, "ClientHellos whose cookie is valid") \
	X(CH2_BAD_COOKIE, "ch2_bad_cookie", 0, "ClientHellos whose cookie has a wrong MAC or length") \
	X(CH2_EXPIRED_KEY, "ch2_expired_key", 0, "ClientHellos whose cookie names an epoch no longer accepted") \
	X(RX_INSIDE, "rx_inside", 0, "frames received on the inside port") \
	X(FORWARDED_OUTSIDE, "forwarded_outside", 0, "frames from the inside port, forwarded out") \
	X(DROPPED_INSIDE, "dropped_inside", 0, "frames from the inside port dropped (TTL, non-IP policy)") \
	X(TX_FULL, "tx_full", 0, "frames the NIC did not take, freed") \
	X(FLOW_INSERTED, "flow_inserted", 0, "verified flows created by a valid cookie") \
	X(FLOW_REFRESHED, "flow_refreshed", 0, "valid cookies from flows already verified") \
	X(FLOW_LEARNED_INSIDE, "flow_learned_inside", 0, \
	  "verified flows created by a service's encrypted record toward its client (a session the box did not see begin)") \
	X(FLOW_REFRESHED_INSIDE, "flow_refreshed_inside", 0, "encrypted records of services toward flows already verified") \
	X(FLOW_LOADED, "flow_loaded", 0, "verified flows restored from flows.state_file at start") \
	X(FLOW_CID_LEARNED, "flow_cid_learned", 0, \
	  "connection IDs (RFC 9146) keyed from a verified client's tls12_cid record, to follow an address change") \
	X(FLOW_CID_MATCHED, "flow_cid_matched", 0, \
	  "records of an unknown address forwarded because their connection ID belongs to a verified client") \
	X(FLOW_EXPIRED, "flow_expired", 0, "verified flows removed after their idle timeout") \
	X(FLOW_TABLE_FULL, "flow_table_full", 0, \
	  "flows that did not fit (a valid cookie's CH2 or a service's record is forwarded anyway)") \
	X(COOKIE_ENGINE_ERRORS, "cookie_engine_errors", 0, "MAC jobs ipsec-mb failed (their cookies refused)") \
	X(BAD_COOKIE_SOURCE_REPORTED, "bad_cookie_source_reported", 0, \
	  "sources over their bad-cookie allowance, reported to the control plane for auto_blocklist") \
	X(BAD_COOKIE_REPORT_LOST, "bad_cookie_report_lost", 0, \
	  "such reports that found the control plane's queue full (the source reports again)") \
	X(CAPTURE_SAMPLED, "capture_sampled", 0, "dropped frames copied for the drop capture (capture.sample_every)") \
	X(CAPTURE_LOST, "capture_lost", 0, \
	  "dropped frames sampled but not copied: capture pool or queue full (the capture is bounded)") \
	X(TO_KERNEL, "to_kernel", 1, \
	  "outside frames for the appliance itself (ARP, ND, to a control address) handed to its kernel interface") \
	X(DROPPED_KERNEL_RATE, "dropped_kernel_rate", 1, \
	  "outside frames for the kernel interface over ports.outside.kernel_rate, or its queue full") \
	X(INSIDE_TO_KERNEL, "inside_to_kernel", 0, \
	  "inside frames for the appliance itself handed to the inside kernel interface") \
	X(FROM_KERNEL, "from_kernel", 0, "frames the kernel interfaces sent, out of their data ports") \
	X(GRE_DECAPSULATED, "gre_decapsulated", 0, \
	  "GRE packets to a control address whose inner packet was scrubbed (counted by its own outcome)") \
	X(TUNNEL_ENCAPSULATED, "tunnel_encapsulated", 0, "frames sent to their service's site through its GRE tunnel") \
	X(DROPPED_TUNNEL_MTU, "dropped_tunnel_mtu", 1, \
	  "frames too long for their service's tunnel at ports.inside.mtu (or no headroom to encapsulate)") \
	X(VLAN_RETAGGED, "vlan_retagged", 0, "frames whose 802.1Q tag was added, changed or removed for their port")

/** What the appliance did. */
enum ds_action {
#define DS_ACTION_ENUM(suffix, name, fate, help) DS_ACT_##suffix,
	DS_ACTION_LIST(DS_ACTION_ENUM)
#undef DS_ACTION_ENUM
	DS_ACT_COUNT
};

/** One worker's counters. */
struct ds_stats {
	uint64_t action[DS_ACT_COUNT];
	uint64_t outcome[DS_OUT_COUNT];
	uint64_t hvr[DS_HVR_RESULT_COUNT];
	uint64_t service_hellos[DS_SERVICE_MAX]; /**< ClientHellos without a cookie, per protected service */
	uint64_t flows_active; /**< a gauge, not a counter: flows in the worker's table now */
	uint64_t busy_cycles;  /**< TSC cycles of the worker's loops that received frames (its load) */
} __attribute__((aligned(64)));

/**
 * Add to a counter of the worker's own block. One writer per block: a relaxed store is enough, and
 * the control plane's relaxed loads never see a torn value.
 */
#define DS_STATS_ADD(counter, n) \
	__atomic_store_n(&(counter), __atomic_load_n(&(counter), __ATOMIC_RELAXED) + (n), __ATOMIC_RELAXED)

/** Counter name of an action; "invalid" when out of range. */
const char *ds_action_name(enum ds_action action);

/** Whether an action is one of the fates of an outside frame (the terms of the conservation law). */
bool ds_action_is_fate(enum ds_action action);

/** Add @p n worker blocks (each where its worker lives) into @p total (relaxed loads: blocks may be written meanwhile). */
void ds_stats_sum(const struct ds_stats *const *blocks, unsigned n, struct ds_stats *total);

/**
 * Whether the frame laws hold in a snapshot: rx_outside equals the sum of the fates, and rx_inside equals
 * forwarded_outside + dropped_inside + inside_to_kernel.
 */
bool ds_stats_conserved(const struct ds_stats *s);

/**
 * Whether the flow law holds (only for a worker at rest: the gauge is written once per loop):
 * flows_active = flow_inserted + flow_learned_inside + flow_loaded + flow_cid_learned - flow_expired.
 */
bool ds_stats_flows_conserved(const struct ds_stats *s);

/** Sum of the fates: what rx_outside must equal. */
uint64_t ds_stats_fates(const struct ds_stats *s);

/** Write every counter as JSON members ("name": value, ...) without braces. */
void ds_stats_json_members(FILE *f, const struct ds_stats *s, const char *indent);

/** How many counters there are: actions, outcomes and HVR results, in that order. */
#define DS_STATS_COUNTERS (DS_ACT_COUNT + DS_OUT_COUNT + DS_HVR_RESULT_COUNT)

/**
 * Name of counter @p i (0 <= i < DS_STATS_COUNTERS), in ds_stats_foreach()'s order.
 *
 * @return
 *   Such as "hvr_sent" or "udp_bad_length"; NULL past the last counter.
 */
const char *ds_stats_counter_name(unsigned i);

/** One line for operators about counter @p i (the X-macros' help column); NULL past the last counter. */
const char *ds_stats_counter_help(unsigned i);

/** Value of counter @p i in a block (a plain read: give it a snapshot); 0 past the last counter. */
uint64_t ds_stats_counter_value(const struct ds_stats *s, unsigned i);

/** Visit every counter (actions, outcomes, HVR results) by name; names are unique across the lists. */
void ds_stats_foreach(const struct ds_stats *s, void (*fn)(void *arg, const char *name, uint64_t value),
		      void *arg);

#endif /* DS_STATS_H */
