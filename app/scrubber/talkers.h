/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TALKERS_H
#define DS_TALKERS_H

/*
 * Top talkers (docs/operations.md): the heaviest source prefixes among the ClientHellos and QUIC
 * Initials answered, the bad cookies, and the dropped frames, over windows of DS_TALKERS_WINDOW_S.
 * Each worker keeps a Space-Saving summary per kind (lib/topk) of 1 in DS_TALKERS_SAMPLE such events
 * and publishes it at the end of each window behind a sequence counter; the main lcore merges the
 * workers' windows for telemetry and Prometheus. The worker never waits and never allocates.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ds_topk.h"

enum ds_talk_kind {
	DS_TALK_ANSWERED,   /* a HelloVerifyRequest or a Retry went to it */
	DS_TALK_BAD_COOKIE, /* it presented a bad cookie (wrong MAC or length, expired key) */
	DS_TALK_DROPPED,    /* a frame of it was dropped, for any reason */
	DS_TALK_KINDS
};

enum {
	DS_TALKERS_SAMPLE = 8,        /* 1 in this many events of a kind is counted, with this weight */
	DS_TALKERS_WINDOW_S = 10,
	DS_TALKERS_IPV4_PREFIX = 24,  /* what a talker is */
	DS_TALKERS_IPV6_PREFIX = 56,
	DS_TALKERS_SHOWN = 10,        /* prefixes per kind in telemetry and Prometheus */
};

/* A worker's side: its own, in its own memory. */
struct ds_worker_talkers {
	struct ds_topk cur[DS_TALK_KINDS];
	uint32_t skip[DS_TALK_KINDS];
	uint64_t window_end;          /* TSC of the current window's end */
	uint64_t window_tsc;
	/* The last complete window, for the main lcore: seq is odd while it is written. */
	uint32_t seq;
	uint64_t published;           /* windows published */
	struct ds_topk pub[DS_TALK_KINDS];
};

/* The main lcore's merge of every worker's last window. */
struct ds_talkers {
	pthread_mutex_t lock;         /* the telemetry thread and the metrics snapshot read it */
	uint64_t windows;             /* merges made */
	struct ds_topk kind[DS_TALK_KINDS];
};

const char *ds_talk_kind_name(enum ds_talk_kind k);

/* Start a worker's summaries (@p now_tsc, @p tsc_hz: its clock). */
void ds_worker_talkers_init(struct ds_worker_talkers *t, uint64_t now_tsc, uint64_t tsc_hz);

/* Count a sampled event (its weight is the sampling rate). */
void ds_worker_talkers_count(struct ds_worker_talkers *t, enum ds_talk_kind kind, uint8_t ip_version,
			     const uint8_t *addr);

/* One event of @p kind from @p addr (4 or 16 bytes by @p ip_version). */
static inline void
ds_worker_talkers_note(struct ds_worker_talkers *t, enum ds_talk_kind kind, uint8_t ip_version, const uint8_t *addr)
{
	if (++t->skip[kind] < DS_TALKERS_SAMPLE)
		return;
	t->skip[kind] = 0;
	ds_worker_talkers_count(t, kind, ip_version, addr);
}

/* The source of an Ethernet frame (up to two VLAN tags), for the dropped kind; false when it has none. */
bool ds_talkers_frame_source(const uint8_t *frame, uint32_t len, uint8_t *ip_version, const uint8_t **addr);

/* Worker loop: publish the window when it ended. */
void ds_worker_talkers_tick(struct ds_worker_talkers *t, uint64_t now_tsc);

/* Main lcore: merge the workers' last windows when any published a new one. */
void ds_talkers_collect(struct ds_talkers *merged, struct ds_worker_talkers *const *workers, unsigned n,
			uint64_t *seen_published);

/* A copy of the merged summaries, largest first (any thread). */
void ds_talkers_get(struct ds_talkers *merged, struct ds_topk out[DS_TALK_KINDS]);

/* Register /dtls_scrubber/top_talkers. 0, or a negative errno. */
int ds_talkers_register_telemetry(struct ds_talkers *merged);

#endif /* DS_TALKERS_H */
