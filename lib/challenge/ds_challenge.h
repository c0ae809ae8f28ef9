/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_CHALLENGE_H
#define DS_CHALLENGE_H

/**
 * @file
 * When to challenge: `always` answers every ClientHello without a cookie with an HVR; `under-attack`
 * passes them to the backend (which runs the cookie exchange itself, in the scrubber's format) while
 * the rate of new ClientHellos to a service stays low, and challenges that service from the moment its
 * rate reaches `on_rate` until it has stayed under `off_rate` for `off_after_ms` (hysteresis: a flood
 * that pauses for a moment does not get through in the pause).
 *
 * The rate of a service is what its ClientHellos counted over the last second, in slots of one control
 * tick (the last DS_CHALLENGE_SLOTS updates): a flood ten times the threshold switches within one tick.
 * Pure C, no DPDK: the control plane feeds it the workers' counters and publishes the mask it returns.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ds_service.h"

_Static_assert(DS_SERVICE_MAX <= 64, "one bit per service in a challenge mask");

/** Modes. */
enum ds_challenge_mode {
	DS_CHALLENGE_ALWAYS,       /**< every ClientHello without a cookie gets an HVR (the default) */
	DS_CHALLENGE_UNDER_ATTACK, /**< only while the service's rate of new ClientHellos is high */
	DS_CHALLENGE_MODE_COUNT
};

/** Limits. */
enum ds_challenge_limits {
	DS_CHALLENGE_SLOTS = 10,       /**< updates the rate is measured over */
	DS_CHALLENGE_WINDOW_MS = 1000, /**< the longest span those slots may cover */
};

/** Settings. */
struct ds_challenge_params {
	enum ds_challenge_mode mode;
	uint32_t on_rate;      /**< ClientHellos per second to one service that start challenging */
	uint32_t off_rate;     /**< ... and under which it stops, once it stayed under for off_after_ms */
	uint32_t off_after_ms;
};

/** One service's state. */
struct ds_challenge_service {
	uint64_t last_total;                  /**< its counter at the previous update */
	uint64_t count[DS_CHALLENGE_SLOTS];   /**< ClientHellos of each of the last updates */
	uint64_t span_ms[DS_CHALLENGE_SLOTS]; /**< how long each of those updates covered */
	uint64_t quiet_since_ms;              /**< since when it has been under off_rate; 0 = it is not */
	uint64_t rate;                        /**< ClientHellos per second, as last measured */
	uint64_t switched_on;                 /**< times challenging started */
	uint64_t switched_off;                /**< times it stopped */
	bool challenging;
};

/** The state of every service. */
struct ds_challenge {
	struct ds_challenge_params params;
	unsigned n_services;
	unsigned slot;                 /**< next slot to write */
	uint64_t last_ms;
	uint64_t mask;                 /**< bit s set: service s is challenged */
	struct ds_challenge_service service[DS_SERVICE_MAX];
};

/**
 * Start: `always` challenges every service from the first packet; `under-attack` none until a rate
 * says so.
 *
 * @param totals
 *   The services' ClientHello counters now (they only grow), or NULL when they start at 0.
 */
void ds_challenge_init(struct ds_challenge *c, const struct ds_challenge_params *p, unsigned n_services,
		       const uint64_t *totals, uint64_t now_ms);

/**
 * Measure each service's rate from its counter and switch where a threshold says so.
 *
 * @param totals
 *   n_services counters of ClientHellos without a cookie, summed over the workers.
 * @return
 *   The mask the workers must use (bit s: challenge service s).
 */
uint64_t ds_challenge_update(struct ds_challenge *c, const uint64_t *totals, uint64_t now_ms);

/** "always" / "under-attack". */
const char *ds_challenge_mode_name(enum ds_challenge_mode mode);

#endif /* DS_CHALLENGE_H */
