/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * When to challenge (lib/challenge), on a clock and counters the test moves: `always` challenges every
 * service from the start and never stops; `under-attack` starts passing, switches a service on within
 * one tick of a flood at its on_rate or above, not below it; stays on while the rate is above off_rate
 * (also through short pauses), switches off only after off_after of quiet; services are independent;
 * a counter that goes back or a tick with no time passed changes nothing.
 */
#include <string.h>

#include "ds_challenge.h"
#include "tap.h"

enum { TICK_MS = 100, ON = 1000, OFF = 400, AFTER_MS = 2000, SERVICES = 3 };

struct run {
	struct ds_challenge c;
	uint64_t totals[SERVICES];
	uint64_t now_ms;
	uint64_t mask;
};

static void
start(struct run *r, enum ds_challenge_mode mode)
{
	const struct ds_challenge_params p = { .mode = mode, .on_rate = ON, .off_rate = OFF, .off_after_ms = AFTER_MS };

	memset(r, 0, sizeof(*r));
	r->now_ms = 5000;
	ds_challenge_init(&r->c, &p, SERVICES, r->totals, r->now_ms);
	r->mask = r->c.mask;
}

/* @p ticks ticks with service @p s receiving @p per_s new ClientHellos per second (others none). */
static void
run_for(struct run *r, unsigned s, uint64_t per_s, unsigned ticks)
{
	unsigned t;

	for (t = 0; t < ticks; t++) {
		r->totals[s] += per_s * TICK_MS / 1000;
		r->now_ms += TICK_MS;
		r->mask = ds_challenge_update(&r->c, r->totals, r->now_ms);
	}
}

/* Ticks until service @p s switches to @p on at @p per_s, up to @p max (max + 1 when it never does). */
static unsigned
ticks_until(struct run *r, unsigned s, uint64_t per_s, bool on, unsigned max)
{
	unsigned t;

	for (t = 1; t <= max; t++) {
		run_for(r, s, per_s, 1);
		if (((r->mask >> s) & 1) == on)
			return t;
	}
	return max + 1;
}

static void
check_always(void)
{
	struct run r;

	start(&r, DS_CHALLENGE_ALWAYS);
	tap_check(r.mask == 7, "always: every service challenged from the start (mask %#llx)",
		  (unsigned long long)r.mask);
	run_for(&r, 0, 0, 100);
	run_for(&r, 1, 100000, 10);
	tap_check(r.mask == 7 && r.c.service[0].switched_off == 0,
		  "always: still every service after quiet and floods (mask %#llx)", (unsigned long long)r.mask);
}

static void
check_switching(void)
{
	struct run r;
	unsigned t;

	start(&r, DS_CHALLENGE_UNDER_ATTACK);
	tap_check(r.mask == 0, "under-attack: no service challenged at the start");
	/* Just under the threshold for a long time: never on. */
	t = ticks_until(&r, 0, ON - 100, true, 100);
	tap_check(t == 101, "900/s for 10 s with on_rate 1000: never challenged (rate %llu)",
		  (unsigned long long)r.c.service[0].rate);
	/* At the threshold: on within the second that fills the window. */
	t = ticks_until(&r, 0, ON, true, 20);
	tap_check(t <= 10, "1000/s: challenged after %u ticks (at most a window of 10)", t);
	/* Back to quiet: not before off_after, and right after it. */
	run_for(&r, 0, 0, 1);
	t = ticks_until(&r, 0, 0, false, 100);
	tap_check(t * TICK_MS + TICK_MS >= AFTER_MS && t * TICK_MS <= AFTER_MS + 1000 + TICK_MS,
		  "quiet: challenge ends %u ms later (off_after %u ms, plus the window draining)",
		  t * TICK_MS + TICK_MS, AFTER_MS);
	tap_check(r.c.service[0].switched_on == 1 && r.c.service[0].switched_off == 1,
		  "one switch on, one switch off counted");
	/* A flood ten times the threshold: on within one tick. */
	t = ticks_until(&r, 0, 10 * ON, true, 10);
	tap_check(t == 1, "10 000/s: challenged in %u tick(s)", t);
	/* Between off_rate and on_rate the state holds (hysteresis). */
	t = ticks_until(&r, 0, (ON + OFF) / 2, false, 100);
	tap_check(t == 101, "700/s (between off_rate and on_rate) for 10 s: still challenged");
}

static void
check_pauses_and_services(void)
{
	struct run r;
	unsigned i;
	bool stayed = true;

	start(&r, DS_CHALLENGE_UNDER_ATTACK);
	run_for(&r, 1, 5 * ON, 5);
	tap_check(r.mask == 2, "a flood on service 1 challenges service 1 only (mask %#llx)",
		  (unsigned long long)r.mask);
	/* Pulses: 1 s of flood, 1 s of silence; the silences are shorter than off_after. */
	for (i = 0; i < 10; i++) {
		run_for(&r, 1, 5 * ON, 10);
		stayed &= (r.mask >> 1) & 1;
		run_for(&r, 1, 0, 10);
		stayed &= (r.mask >> 1) & 1;
	}
	tap_check(stayed && r.c.service[1].switched_off == 0,
		  "a pulsing flood (1 s on, 1 s off) keeps the service challenged throughout");
	run_for(&r, 2, 2 * ON, 10);
	tap_check(r.mask == 6, "a second service under attack joins it (mask %#llx)", (unsigned long long)r.mask);
	run_for(&r, 0, 0, 60);
	tap_check(r.mask == 0, "six quiet seconds: every service passes again (mask %#llx)",
		  (unsigned long long)r.mask);
}

static void
check_odd_input(void)
{
	struct run r;
	uint64_t before;

	start(&r, DS_CHALLENGE_UNDER_ATTACK);
	run_for(&r, 0, 100, 20);
	/* A counter that goes back (a worker's block reset) counts nothing, it does not wrap. */
	r.totals[0] = 0;
	r.now_ms += TICK_MS;
	r.mask = ds_challenge_update(&r.c, r.totals, r.now_ms);
	tap_check(r.mask == 0 && r.c.service[0].rate < ON, "a counter going back does not switch (rate %llu)",
		  (unsigned long long)r.c.service[0].rate);
	/* No time passed: nothing measured, even with a huge jump. */
	before = r.c.service[0].rate;
	r.totals[0] += 1000000;
	r.mask = ds_challenge_update(&r.c, r.totals, r.now_ms);
	tap_check(r.mask == 0 && r.c.service[0].rate == before, "an update with no time passed changes nothing");
	/* The jump is counted at the next real tick, as it should: it happened. */
	r.now_ms += TICK_MS;
	r.mask = ds_challenge_update(&r.c, r.totals, r.now_ms);
	tap_check(r.mask == 1, "and counts at the next tick");
	/* A tick that comes late (control thread stalled) measures over the time that passed. */
	start(&r, DS_CHALLENGE_UNDER_ATTACK);
	r.totals[0] += ON * 3;
	r.now_ms += 5000;
	r.mask = ds_challenge_update(&r.c, r.totals, r.now_ms);
	tap_check(r.mask == 0 && r.c.service[0].rate == ON * 3 / 5,
		  "3000 ClientHellos over a 5 s stall are 600/s, not a flood (rate %llu)",
		  (unsigned long long)r.c.service[0].rate);
	tap_check(strcmp(ds_challenge_mode_name(DS_CHALLENGE_UNDER_ATTACK), "under-attack") == 0 &&
			  strcmp(ds_challenge_mode_name(DS_CHALLENGE_ALWAYS), "always") == 0,
		  "mode names as the configuration spells them");
}

int
main(void)
{
	check_always();
	check_switching();
	check_pauses_and_services();
	check_odd_input();
	return tap_done();
}
