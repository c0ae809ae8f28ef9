/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_CLOCK_H
#define DS_CLOCK_H

/*
 * The control plane's clocks, replaceable so that tests move time without touching internals: Unix
 * time for key epochs (every appliance and backend must agree on it) and a monotonic clock for
 * rates and expiries (challenge mode, automatic blocklist entries).
 */

#include <stdint.h>

struct ds_clock {
	uint64_t (*unix_ms)(void *arg);
	uint64_t (*monotonic_ms)(void *arg);
	void *arg;
};

/* The real clocks: CLOCK_REALTIME for epochs, the TSC for the rest. */
extern const struct ds_clock ds_clock_real;

static inline uint64_t
ds_clock_unix_ms(const struct ds_clock *c)
{
	return c->unix_ms(c->arg);
}

static inline uint64_t
ds_clock_monotonic_ms(const struct ds_clock *c)
{
	return c->monotonic_ms(c->arg);
}

#endif /* DS_CLOCK_H */
