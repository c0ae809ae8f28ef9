/* SPDX-License-Identifier: BSD-3-Clause */
#include "events.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static struct {
	pthread_mutex_t lock;
	unsigned rate;
	double tokens;
	uint64_t last_ms;
	uint64_t emitted, suppressed, unsaid; /* unsaid: held back since the last events_suppressed */
	bool journal;                         /* stdout is the journal: "<N>" prefixes */
	FILE *out;                            /* NULL until init: stdout */
} ev = { .lock = PTHREAD_MUTEX_INITIALIZER, .rate = DS_EVENTS_DEFAULT_RATE, .tokens = DS_EVENTS_DEFAULT_RATE };

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* systemd sets JOURNAL_STREAM to the device and inode of the journal stream it connected stdout to. */
static bool
stdout_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(fileno(stdout), &st) == 0 &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
ds_events_init(unsigned rate, FILE *out)
{
	pthread_mutex_lock(&ev.lock);
	ev.rate = rate != 0 ? rate : DS_EVENTS_DEFAULT_RATE;
	ev.tokens = ev.rate;
	ev.last_ms = mono_ms();
	ev.out = out;
	ev.journal = out == NULL && stdout_is_journal();
	pthread_mutex_unlock(&ev.lock);
}

void
ds_events_set_rate(unsigned rate)
{
	pthread_mutex_lock(&ev.lock);
	ev.rate = rate != 0 ? rate : DS_EVENTS_DEFAULT_RATE;
	if (ev.tokens > ev.rate)
		ev.tokens = ev.rate;
	pthread_mutex_unlock(&ev.lock);
}

const char *
ds_event_quote(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (len < 3)
		return "\"\"";
	buf[n++] = '"';
	for (; *s != '\0' && n + 8 < len; s++) {
		const unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, len - n, "\\%c", c);
		else if (c < 0x20 || c == 0x7F)
			n += (size_t)snprintf(buf + n, len - n, "\\u%04x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

static void
write_line(enum ds_event_priority priority, const char *name, const char *members)
{
	FILE *f = ev.out != NULL ? ev.out : stdout;
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (ev.journal)
		fprintf(f, "<%d>", (int)priority);
	fprintf(f, "{\"time\":\"%s.%03ldZ\",\"event\":\"%s\"%s%s}\n", when, ts.tv_nsec / 1000000, name,
		members[0] != '\0' ? "," : "", members);
	fflush(f);
	ev.emitted++;
}

/* The token bucket: refilled by the time since the last event, at most one second's worth. */
static bool
take_token(uint64_t now_ms)
{
	ev.tokens += (double)(now_ms - ev.last_ms) * ev.rate / 1000.0;
	if (ev.tokens > ev.rate)
		ev.tokens = ev.rate;
	ev.last_ms = now_ms;
	if (ev.tokens < 1.0)
		return false;
	ev.tokens -= 1.0;
	return true;
}

/* What was held back, said once there is room again. */
static void
say_suppressed(void)
{
	char n[48];

	snprintf(n, sizeof(n), "\"count\":%llu", (unsigned long long)ev.unsaid);
	write_line(DS_EVENT_WARNING, "events_suppressed", n);
	ev.unsaid = 0;
}

void
ds_events_tick(void)
{
	pthread_mutex_lock(&ev.lock);
	if (ev.unsaid != 0 && take_token(mono_ms()))
		say_suppressed();
	pthread_mutex_unlock(&ev.lock);
}

void
ds_event(enum ds_event_priority priority, const char *name, const char *fmt, ...)
{
	char members[DS_EVENT_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(members, sizeof(members), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ev.lock);
	if (!take_token(mono_ms())) {
		ev.suppressed++;
		ev.unsaid++;
	} else {
		if (ev.unsaid != 0)
			say_suppressed();
		write_line(priority, name, members);
	}
	pthread_mutex_unlock(&ev.lock);
}

void
ds_events_counts(uint64_t *emitted, uint64_t *suppressed)
{
	pthread_mutex_lock(&ev.lock);
	*emitted = ev.emitted;
	*suppressed = ev.suppressed;
	pthread_mutex_unlock(&ev.lock);
}
