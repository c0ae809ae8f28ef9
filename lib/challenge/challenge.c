/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_challenge.h"

#include <string.h>

/* Fields the telemetry thread reads while the control loop writes them: relaxed atomics, never torn. */
#define PUBLISH(field, value) __atomic_store_n(&(field), (value), __ATOMIC_RELAXED)

static uint64_t
all_services(unsigned n)
{
	return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

void
ds_challenge_init(struct ds_challenge *c, const struct ds_challenge_params *p, unsigned n_services,
		  const uint64_t *totals, uint64_t now_ms)
{
	unsigned s;

	memset(c, 0, sizeof(*c));
	c->params = *p;
	c->n_services = n_services > DS_SERVICE_MAX ? DS_SERVICE_MAX : n_services;
	c->last_ms = now_ms;
	for (s = 0; s < c->n_services; s++) {
		c->service[s].last_total = totals != NULL ? totals[s] : 0;
		c->service[s].challenging = p->mode == DS_CHALLENGE_ALWAYS;
	}
	c->mask = p->mode == DS_CHALLENGE_ALWAYS ? all_services(c->n_services) : 0;
}

/* ClientHellos per second over the newest slots that make up to one second. */
static uint64_t
measure(const struct ds_challenge *c, const struct ds_challenge_service *svc)
{
	uint64_t count = 0, span = 0;
	unsigned k;

	for (k = 1; k <= DS_CHALLENGE_SLOTS && span < DS_CHALLENGE_WINDOW_MS; k++) {
		const unsigned i = (c->slot + DS_CHALLENGE_SLOTS - k) % DS_CHALLENGE_SLOTS;

		count += svc->count[i];
		span += svc->span_ms[i];
	}
	return span == 0 ? 0 : count * 1000 / span;
}

static void
switch_service(struct ds_challenge_service *svc, uint64_t rate, const struct ds_challenge_params *p,
	       uint64_t now_ms)
{
	if (!svc->challenging) {
		if (rate >= p->on_rate) {
			PUBLISH(svc->challenging, true);
			PUBLISH(svc->switched_on, svc->switched_on + 1);
			svc->quiet_since_ms = 0;
		}
		return;
	}
	if (rate >= p->off_rate) {
		svc->quiet_since_ms = 0;
		return;
	}
	/* 0 means "not quiet": a quiet spell that starts at time 0 starts at 1 ms instead. */
	if (svc->quiet_since_ms == 0)
		svc->quiet_since_ms = now_ms != 0 ? now_ms : 1;
	if (now_ms - svc->quiet_since_ms >= p->off_after_ms) {
		PUBLISH(svc->challenging, false);
		PUBLISH(svc->switched_off, svc->switched_off + 1);
		svc->quiet_since_ms = 0;
	}
}

uint64_t
ds_challenge_update(struct ds_challenge *c, const uint64_t *totals, uint64_t now_ms)
{
	const uint64_t span = now_ms > c->last_ms ? now_ms - c->last_ms : 0;
	uint64_t mask = 0;
	unsigned s;

	/* Two updates within the same millisecond measure nothing: wait for time to pass. */
	if (span == 0)
		return c->mask;
	for (s = 0; s < c->n_services; s++) {
		struct ds_challenge_service *svc = &c->service[s];
		/* A counter never goes back; if one did (a worker's block reset), count nothing. */
		const uint64_t delta = totals[s] >= svc->last_total ? totals[s] - svc->last_total : 0;

		svc->last_total = totals[s];
		svc->count[c->slot] = delta;
		svc->span_ms[c->slot] = span;
	}
	c->slot = (c->slot + 1) % DS_CHALLENGE_SLOTS;
	c->last_ms = now_ms;
	for (s = 0; s < c->n_services; s++) {
		struct ds_challenge_service *svc = &c->service[s];
		const uint64_t rate = measure(c, svc);

		PUBLISH(svc->rate, rate);
		if (c->params.mode == DS_CHALLENGE_UNDER_ATTACK)
			switch_service(svc, rate, &c->params, now_ms);
		if (svc->challenging)
			mask |= UINT64_C(1) << s;
	}
	PUBLISH(c->mask, mask);
	return mask;
}

const char *
ds_challenge_mode_name(enum ds_challenge_mode mode)
{
	return mode == DS_CHALLENGE_UNDER_ATTACK ? "under-attack" : "always";
}
