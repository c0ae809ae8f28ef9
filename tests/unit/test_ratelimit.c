/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-prefix HVR rate limit (lib/ratelimit) on a clock the test moves: a burst, then exactly the
 * rate, for any number of addresses inside one prefix; other prefixes (IPv4 and IPv6, at the
 * configured lengths) unaffected; idle prefixes recycled without loss; a table far smaller than the
 * attack stays within its memory and never blocks a prefix under its limit; bad settings refused.
 */
#include <string.h>

#include "ds_ratelimit.h"
#include "tap.h"

enum { HZ = 1000000, RATE = 100, BURST = 20 };

static struct ds_ratelimit_params
params(uint32_t entries)
{
	return (struct ds_ratelimit_params){ .rate = RATE, .burst = BURST, .ipv4_prefix = 24, .ipv6_prefix = 56,
					     .entries = entries, .tsc_hz = HZ, .seed = 12345 };
}

static void
v4(uint8_t *a, unsigned net, unsigned host)
{
	a[0] = 198;
	a[1] = (uint8_t)(net >> 8);
	a[2] = (uint8_t)net;
	a[3] = (uint8_t)host;
}

/* HVRs allowed to prefix @p net over @p seconds of a flood at @p pps from every host of it. */
static unsigned
flood(struct ds_ratelimit *rl, unsigned net, uint64_t *now, unsigned seconds, unsigned pps)
{
	unsigned i, allowed = 0;
	uint8_t a[4];

	for (i = 0; i < seconds * pps; i++) {
		v4(a, net, i % 254 + 1);
		*now += HZ / pps;
		allowed += ds_ratelimit_allow(rl, a, 4, *now);
	}
	return allowed;
}

static void
check_rate(void)
{
	struct ds_ratelimit_params p = params(1024);
	struct ds_ratelimit *rl = ds_ratelimit_create(&p);
	uint64_t now = 1;
	uint8_t a[4], b[16];
	unsigned allowed, other = 0, i;

	if (rl == NULL)
		tap_bail("ds_ratelimit_create failed");
	/* 10 s at 10 000 HVRs/s spoofing all of 198.0.7.0/24: the burst, then 100 per second. */
	allowed = flood(rl, 7, &now, 10, 10000);
	tap_check(allowed >= 10 * RATE + BURST - 1 && allowed <= 10 * RATE + BURST,
		  "a /24 flooded at 10 000/s for 10 s gets %u HVRs (burst %u + %u/s)", allowed, BURST, RATE);
	/* Meanwhile its neighbours are untouched: one HVR each to 198.0.8.x, 198.0.6.x. */
	v4(a, 8, 1);
	other += ds_ratelimit_allow(rl, a, 4, now);
	v4(a, 6, 200);
	other += ds_ratelimit_allow(rl, a, 4, now);
	tap_check(other == 2, "the /24s beside it still get their HVRs");
	/* IPv6: a /56 is one prefix, the next /56 another. */
	memset(b, 0, sizeof(b));
	b[0] = 0x20;
	b[1] = 0x01;
	for (i = 0, allowed = 0; i < 1000; i++) {
		b[7] = (uint8_t)i; /* inside the /56: byte 7 is past its 56 bits */
		b[15] = (uint8_t)(i * 7);
		allowed += ds_ratelimit_allow(rl, b, 6, now);
	}
	b[6] = 1;
	tap_check(allowed == BURST && ds_ratelimit_allow(rl, b, 6, now),
		  "1000 addresses of one IPv6 /56 share one bucket (%u allowed at once); the next /56 has its own",
		  allowed);
	/* After a quiet second the prefix has its rate back, not more than the burst. */
	now += HZ;
	v4(a, 7, 9);
	for (i = 0, allowed = 0; i < 1000; i++)
		allowed += ds_ratelimit_allow(rl, a, 4, now);
	tap_check(allowed == BURST, "after a quiet second the flooded /24 gets a burst again (%u), no more", allowed);
	ds_ratelimit_free(rl);
}

static void
check_small_table(void)
{
	struct ds_ratelimit_params p = params(64);
	struct ds_ratelimit *rl = ds_ratelimit_create(&p);
	uint64_t now = 1;
	uint8_t a[4];
	unsigned net, i, refused_quiet = 0, allowed_flooded = 0;

	/* 4 096 prefixes through a table of 64: each one sends one HVR, so none is over its limit. */
	for (net = 0; net < 4096; net++) {
		v4(a, net, 1);
		now += 10;
		refused_quiet += !ds_ratelimit_allow(rl, a, 4, now);
	}
	tap_check(refused_quiet == 0 && ds_ratelimit_size(&p) < 4096,
		  "4096 prefixes through a table of 64 (%zu bytes): none under its limit is refused",
		  ds_ratelimit_size(&p));
	/* One flooded prefix among them still meets its limit between other prefixes' HVRs. */
	for (i = 0; i < 100000; i++) {
		now += HZ / 10000;
		v4(a, 5000, 1);
		allowed_flooded += ds_ratelimit_allow(rl, a, 4, now);
		v4(a, i % 4096, 2);
		ds_ratelimit_allow(rl, a, 4, now);
	}
	tap_check(allowed_flooded <= 10 * RATE + BURST + ds_ratelimit_evictions(rl) * BURST,
		  "a flooded /24 among 4096 others: %u HVRs in 10 s, at most the rate plus one burst per recycling "
		  "(%lu recycled while limited)", allowed_flooded, (unsigned long)ds_ratelimit_evictions(rl));
	ds_ratelimit_free(rl);
}

static void
check_params(void)
{
	struct ds_ratelimit_params p = params(1000);
	unsigned refused = 0;

	refused += ds_ratelimit_create(&p) == NULL; /* not a power of two */
	p = params(1024);
	p.rate = 0;
	refused += ds_ratelimit_create(&p) == NULL;
	p = params(1024);
	p.ipv4_prefix = 33;
	refused += ds_ratelimit_create(&p) == NULL;
	p = params(1024);
	p.ipv6_prefix = 8;
	refused += ds_ratelimit_create(&p) == NULL;
	p = params(1024);
	p.burst = 0;
	refused += ds_ratelimit_create(&p) == NULL;
	tap_check(refused == 5, "out-of-range settings are refused (%u of 5)", refused);
}

int
main(void)
{
	check_rate();
	check_small_table();
	check_params();
	return tap_done();
}
