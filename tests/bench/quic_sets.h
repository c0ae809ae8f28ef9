/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BENCH_QUIC_SETS_H
#define DS_BENCH_QUIC_SETS_H

/*
 * The benchmark's QUIC traffic, from a real client's first Initial (tests/captures/quic/): that Initial
 * from random spoofed sources (each to get a Retry), and the Initial a client sends after the Retry,
 * with a token the appliance's own keys sealed for its source (each to be forwarded); and the raw
 * AES-128-GCM work of one Retry and of one token check, measured with ipsec-mb alone.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_traffic.h"
#include "frame_set.h"

struct ds_cookie_engine;
struct ds_cookie_keyset;

/* The UDP payload of the first QUIC Initial in a capture; 0 when there is none. */
size_t quic_load_initial(const char *path, uint8_t *payload, size_t cap);

/* @p count Initials from the spoofed sources of @p t (raw frames of the Initial). -1 on failure. */
int quic_fill_initials(struct frame_set *s, size_t count, struct ds_traffic *t);

/*
 * @p count Initials with valid tokens, one per source 0..count-1 of @p t, as a client sends them after
 * the appliance's Retry (DCID = the Retry's SCID). The tokens expire in an hour, so that a long run
 * never sees one expire. -1 on failure.
 */
int quic_fill_token_initials(struct frame_set *s, size_t count, struct ds_traffic *t, const uint8_t *initial,
			     size_t initial_len, struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks);

/* ns per Retry of ipsec-mb alone: a token sealed and a Retry Integrity Tag, over inputs of a Retry's sizes. */
double quic_raw_retry_ns(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks, double seconds);

/* ns per token check of ipsec-mb alone: one token opened and checked. */
double quic_raw_open_ns(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks, double seconds);

#endif
