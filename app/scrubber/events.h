/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EVENTS_H
#define DS_EVENTS_H

/*
 * Events for machines: one JSON object per line on stdout, for log shippers and for the journal (under
 * systemd, stdout is the journal: each line then starts with a "<N>" priority prefix, which journald
 * reads as the entry's priority). docs/operations.md lists every event. Control plane only (main loop,
 * telemetry threads), never a worker, never a secret; rate-limited, so that a flood of changes (an
 * attacker filling the automatic blocklist) cannot flood the log: what is held back is counted, and
 * said in one events_suppressed event when events flow again.
 *
 *   ds_event(DS_EVENT_NOTICE, "challenge_on", "\"service\":%s,\"rate\":%" PRIu64, quoted, rate);
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** syslog priorities (the "<N>" prefix journald understands). */
enum ds_event_priority {
	DS_EVENT_ERR = 3,
	DS_EVENT_WARNING = 4,
	DS_EVENT_NOTICE = 5,
	DS_EVENT_INFO = 6,
};

enum {
	DS_EVENTS_DEFAULT_RATE = 20, /* events per second, and as many in a burst */
	DS_EVENT_TEXT_MAX = 1024,
};

/* Start events on @p out (NULL: stdout): at most @p rate per second with bursts of as many (0: the default). */
void ds_events_init(unsigned rate, FILE *out);

/*
 * One event: @p name and, after it, the JSON members @p fmt makes (without braces; "" for none).
 * Strings in them must come quoted and escaped by ds_event_quote().
 */
void ds_event(enum ds_event_priority priority, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* From the main loop: say what was held back once there is room, even if no event comes to carry it. */
void ds_events_tick(void);

/* A new rate (a reload), keeping where the output goes. */
void ds_events_set_rate(unsigned rate);

/* Events emitted and held back so far. */
void ds_events_counts(uint64_t *emitted, uint64_t *suppressed);

/* @p s as a JSON string, quotes included, into @p buf (cut at @p len). Returns @p buf. */
const char *ds_event_quote(const char *s, char *buf, size_t len);

#endif /* DS_EVENTS_H */
