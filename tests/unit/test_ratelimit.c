/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-prefix token buckets (lib/ratelimit) on a clock the test moves: a burst, then exactly the
 * rate, for any number of addresses inside one prefix; other prefixes (IPv4 and IPv6, at the
 * configured lengths) unaffected; idle prefixes recycled without loss; a table far smaller than the
 * attack stays within its memory and never blocks a prefix under its limit; bad settings refused.
 *
 * The table in the caller's memory (ds_ratelimit_init) decides exactly as one from
 * ds_ratelimit_create. The buckets are a keyed PRF of the prefix: two runs (two random keys) place
 * the same prefixes differently, one key always the same way, and prefixes an attacker found
 * colliding in one run spread out in the next.
 */
#include <stdlib.h>
#include <string.h>

#include "ds_ratelimit.h"
#include "tap.h"

enum { HZ = 1000000, RATE = 100, BURST = 20 };

/*
 * Keys as three starts would draw them (16 bytes from /dev/urandom each, written down once so that
 * a failure replays). The other tests use the first.
 */
static const uint8_t run_keys[][16] = {
	{ 0x52, 0x66, 0x14, 0xb9, 0x5b, 0x53, 0x82, 0x8d, 0xd8, 0xee, 0x25, 0x3c, 0x79, 0x38, 0x25, 0xf3 },
	{ 0xb0, 0xda, 0xb6, 0x6f, 0x1f, 0xf2, 0xfb, 0xb7, 0xb1, 0xd7, 0x68, 0xf4, 0x2f, 0x53, 0xe0, 0x5e },
	{ 0xf8, 0xed, 0x45, 0xae, 0x23, 0x62, 0xde, 0xab, 0x9d, 0xf2, 0xd0, 0xbf, 0xa4, 0x87, 0x20, 0x91 },
};

/* Two runs: the key of each, and a bit of the second flipped (to show a near key is no help). */
static const struct {
	const char *what;
	unsigned a, b;
	unsigned flip_bit; /* 0: none; else bit flip_bit - 1 of key b */
} runs[] = {
	{ "two random keys", 0, 1, 0 },
	{ "two other random keys", 1, 2, 0 },
	{ "keys one bit apart", 0, 0, 1 },
	{ "keys one bit apart, in the last byte", 2, 2, 128 },
};

static struct ds_ratelimit_params
params_keyed(uint32_t entries, const uint8_t key[16])
{
	struct ds_ratelimit_params p = { .rate = RATE, .burst = BURST, .ipv4_prefix = 24, .ipv6_prefix = 56,
					 .entries = entries, .tsc_hz = HZ };

	memcpy(p.key, key, sizeof(p.key));
	return p;
}

static struct ds_ratelimit_params
params(uint32_t entries)
{
	return params_keyed(entries, run_keys[0]);
}

static struct ds_ratelimit *
create_or_bail(const struct ds_ratelimit_params *p)
{
	struct ds_ratelimit *rl = ds_ratelimit_create(p);

	if (rl == NULL)
		tap_bail("ds_ratelimit_create failed");
	return rl;
}

static void
v4(uint8_t *a, unsigned net, unsigned host)
{
	a[0] = 198;
	a[1] = (uint8_t)(net >> 8);
	a[2] = (uint8_t)net;
	a[3] = (uint8_t)host;
}

/* 2001:db8:NNNN:NN00::/56 for @p net < 2^24, with host bits past the /56 set to show they are ignored. */
static void
v6(uint8_t *a, unsigned net)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = (uint8_t)(net >> 16);
	a[5] = (uint8_t)(net >> 8);
	a[6] = (uint8_t)net;
	a[7] = 0x5a;
	a[15] = 1;
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
	struct ds_ratelimit *rl = create_or_bail(&p);
	uint64_t now = 1;
	uint8_t a[4], b[16];
	unsigned allowed, other = 0, i;

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

/* What the first table did in crowd(), and where the others decided differently. */
struct crowd_result {
	unsigned refused_quiet;
	unsigned allowed_flooded;
	unsigned disagreements;
};

/* One HVR to IPv4 @p a through each of @p n tables: the first one's verdict; others that differ counted. */
static bool
allow_all(struct ds_ratelimit *const *rl, unsigned n, const uint8_t *a, uint64_t now, struct crowd_result *r)
{
	const bool first = ds_ratelimit_allow(rl[0], a, 4, now);
	unsigned t;

	for (t = 1; t < n; t++)
		r->disagreements += ds_ratelimit_allow(rl[t], a, 4, now) != first;
	return first;
}

/*
 * 4 096 prefixes sending one HVR each, then one /24 flooded at 10 000/s for 10 s between HVRs to
 * the others, through each of @p n tables in step: the verdicts of the first are counted, and any
 * other table's verdict that differs from it.
 */
static struct crowd_result
crowd(struct ds_ratelimit *const *rl, unsigned n)
{
	struct crowd_result r = { 0 };
	uint64_t now = 1;
	uint8_t a[4];
	unsigned net, i;

	for (net = 0; net < 4096; net++) {
		v4(a, net, 1);
		now += 10;
		r.refused_quiet += !allow_all(rl, n, a, now, &r);
	}
	for (i = 0; i < 100000; i++) {
		now += HZ / 10000;
		v4(a, 5000, 1);
		r.allowed_flooded += allow_all(rl, n, a, now, &r);
		v4(a, i % 4096, 2);
		allow_all(rl, n, a, now, &r);
	}
	return r;
}

static void
check_small_table(void)
{
	struct ds_ratelimit_params p = params(64);
	struct ds_ratelimit *rl = create_or_bail(&p);
	const struct crowd_result r = crowd(&rl, 1);

	/* Each of the 4 096 prefixes through a table of 64 sends one HVR, so none is over its limit. */
	tap_check(r.refused_quiet == 0 && ds_ratelimit_size(&p) < 4096,
		  "4096 prefixes through a table of 64 (%zu bytes): none under its limit is refused",
		  ds_ratelimit_size(&p));
	/* One flooded prefix among them still meets its limit between other prefixes' HVRs. */
	tap_check(r.allowed_flooded <= 10 * RATE + BURST + ds_ratelimit_evictions(rl) * BURST,
		  "a flooded /24 among 4096 others: %u HVRs in 10 s, at most the rate plus one burst per recycling "
		  "(%lu recycled while limited)", r.allowed_flooded, (unsigned long)ds_ratelimit_evictions(rl));
	ds_ratelimit_free(rl);
}

/* a: a table in the caller's memory, as the appliance makes them with rte_zmalloc_socket(). */
static void
check_init(void)
{
	const struct ds_ratelimit_params p = params(64);
	const size_t size = ds_ratelimit_size(&p);
	struct ds_ratelimit *rl[2];
	struct crowd_result r;
	uint8_t *mem;

	tap_check(size > 0 && size % 64 == 0,
		  "a.1: ds_ratelimit_size is one block of whole cache lines (%zu bytes for 64 entries)", size);
	mem = aligned_alloc(64, size);
	if (mem == NULL)
		tap_bail("out of memory");
	/* Garbage where the table goes: init must not rely on zeroed memory. */
	memset(mem, 0xa5, size);
	rl[0] = ds_ratelimit_init(mem, &p);
	rl[1] = create_or_bail(&p);
	tap_check(rl[0] == (struct ds_ratelimit *)mem, "a.2: ds_ratelimit_init makes the table at the memory given");
	if (rl[0] == NULL)
		tap_bail("ds_ratelimit_init failed");
	r = crowd(rl, 2);
	tap_check(r.disagreements == 0 && ds_ratelimit_evictions(rl[0]) == ds_ratelimit_evictions(rl[1]) &&
			  ds_ratelimit_evictions(rl[0]) > 0,
		  "a.3: in the caller's memory and from create, the same %u verdicts through a table of 64 "
		  "(%u differ), the same %lu recyclings", 4096 + 2 * 100000, r.disagreements,
		  (unsigned long)ds_ratelimit_evictions(rl[0]));
	tap_check(ds_ratelimit_init(mem + 8, &p) == NULL && ds_ratelimit_init(NULL, &p) == NULL,
		  "a.4: memory that is not 64-byte aligned, or none, is refused");
	ds_ratelimit_free(rl[1]);
	free(mem);
}

static void
check_params(void)
{
	/* Each row breaks one setting of params(1024). */
	static const struct {
		const char *what;
		uint32_t rate, burst, entries;
		uint8_t ipv4_prefix, ipv6_prefix;
		uint64_t tsc_hz;
	} bad[] = {
		{ "entries not a power of two", RATE, BURST, 1000, 24, 56, HZ },
		{ "entries below 64", RATE, BURST, 32, 24, 56, HZ },
		{ "rate 0", 0, BURST, 1024, 24, 56, HZ },
		{ "burst 0", RATE, 0, 1024, 24, 56, HZ },
		{ "IPv4 prefix past 32", RATE, BURST, 1024, 33, 56, HZ },
		{ "IPv4 prefix below 8", RATE, BURST, 1024, 7, 56, HZ },
		{ "IPv6 prefix below 16", RATE, BURST, 1024, 24, 8, HZ },
		{ "IPv6 prefix past 128", RATE, BURST, 1024, 24, 129, HZ },
		{ "clock slower than the rate", RATE, BURST, 1024, 24, 56, RATE - 1 },
	};
	struct ds_ratelimit_params p = params(1024);
	/* Room for the base table, which no row is larger than, so only the settings can make init refuse. */
	void *mem = aligned_alloc(64, ds_ratelimit_size(&p));
	unsigned step, refused = 0;

	if (mem == NULL)
		tap_bail("out of memory");
	for (step = 0; step < sizeof(bad) / sizeof(bad[0]); step++) {
		p = params(bad[step].entries);
		p.rate = bad[step].rate;
		p.burst = bad[step].burst;
		p.ipv4_prefix = bad[step].ipv4_prefix;
		p.ipv6_prefix = bad[step].ipv6_prefix;
		p.tsc_hz = bad[step].tsc_hz;
		if (ds_ratelimit_size(&p) == 0 && ds_ratelimit_create(&p) == NULL && ds_ratelimit_init(mem, &p) == NULL)
			refused++;
		else
			tap_diag("step %u: %s: accepted", step + 1, bad[step].what);
	}
	p = params(1024);
	tap_check(refused == sizeof(bad) / sizeof(bad[0]) && ds_ratelimit_init(mem, &p) != NULL,
		  "out-of-range settings are refused by size, create and init (%u of %zu); the base settings are not",
		  refused, sizeof(bad) / sizeof(bad[0]));
	free(mem);
}

/* A table of 1024 entries under run @p row's key a (@p side 0) or key b (@p side 1). */
static struct ds_ratelimit *
run_table(unsigned row, unsigned side)
{
	uint8_t key[16];
	struct ds_ratelimit_params p;

	memcpy(key, run_keys[side == 0 ? runs[row].a : runs[row].b], sizeof(key));
	if (side == 1 && runs[row].flip_bit != 0)
		key[(runs[row].flip_bit - 1) / 8] ^= (uint8_t)(1u << (runs[row].flip_bit - 1) % 8);
	p = params_keyed(1024, key);
	return create_or_bail(&p);
}

enum { PREFIXES = 1000 };

/* Prefix @p i of the 1000: IPv4 /24s and IPv6 /56s, half and half. */
static uint32_t
bucket_of_prefix(const struct ds_ratelimit *rl, unsigned i)
{
	uint8_t a[16];

	if (i % 2 == 0) {
		v4(a, i / 2, 1);
		return ds_ratelimit_bucket_of(rl, a, 4);
	}
	v6(a, i / 2);
	return ds_ratelimit_bucket_of(rl, a, 6);
}

/* b: two runs place the same prefixes differently; one key places them the same way every time. */
static void
check_placement(void)
{
	unsigned row, i;

	for (row = 0; row < sizeof(runs) / sizeof(runs[0]); row++) {
		struct ds_ratelimit *a = run_table(row, 0), *again = run_table(row, 0), *b = run_table(row, 1);
		unsigned moved = 0, same_key_moved = 0;

		for (i = 0; i < PREFIXES; i++) {
			const uint32_t where = bucket_of_prefix(a, i);

			moved += bucket_of_prefix(b, i) != where;
			same_key_moved += bucket_of_prefix(again, i) != where;
		}
		/* 256 buckets: a prefix stays put by chance once in 256, about 4 of the 1000. */
		tap_check(moved * 10 > PREFIXES * 9, "b.%u: %s: %u of %u prefixes land in another bucket", row + 1,
			  runs[row].what, moved, PREFIXES);
		tap_check(same_key_moved == 0, "b.%u: %s: the same key places all %u the same way (%u moved)", row + 1,
			  runs[row].what, PREFIXES, same_key_moved);
		ds_ratelimit_free(a);
		ds_ratelimit_free(again);
		ds_ratelimit_free(b);
	}
}

enum { AIMED = 8, BUCKETS = 1024 / 4 };

/*
 * The first AIMED IPv4 /24s that share a bucket under @p rl, as an attacker who learned the
 * placement of one run would pick them. False when none of the 65 536 do.
 */
static bool
find_colliding(const struct ds_ratelimit *rl, unsigned nets[AIMED])
{
	static unsigned members[BUCKETS][AIMED];
	unsigned count[BUCKETS] = { 0 };
	unsigned net;
	uint8_t a[4];

	for (net = 0; net < 65536; net++) {
		uint32_t b;

		v4(a, net, 1);
		b = ds_ratelimit_bucket_of(rl, a, 4);
		if (b >= BUCKETS) /* an index past the table's 256 buckets */
			return false;
		members[b][count[b]++] = net;
		if (count[b] == AIMED) {
			memcpy(nets, members[b], sizeof(members[b]));
			return true;
		}
	}
	return false;
}

/* Round after round, each aimed prefix sends one HVR: return the recyclings of limited state. */
static uint64_t
hammer(struct ds_ratelimit *rl, const unsigned nets[AIMED])
{
	uint64_t now = 1;
	unsigned round, i;
	uint8_t a[4];

	for (round = 0; round < 1000; round++) {
		for (i = 0; i < AIMED; i++) {
			v4(a, nets[i], 1);
			now += HZ / 10000;
			ds_ratelimit_allow(rl, a, 4, now);
		}
	}
	return ds_ratelimit_evictions(rl);
}

/* c: prefixes found colliding in one run are no use to the attacker in the next. */
static void
check_aimed(void)
{
	unsigned row, i, j;

	for (row = 0; row < sizeof(runs) / sizeof(runs[0]); row++) {
		struct ds_ratelimit *a = run_table(row, 0), *b = run_table(row, 1);
		unsigned nets[AIMED], spread = 0;
		uint64_t recycled_a, recycled_b;

		if (!find_colliding(a, nets)) {
			tap_check(false, "c.%u: %s: %u /24s sharing a bucket under key a", row + 1, runs[row].what,
				  AIMED);
			ds_ratelimit_free(a);
			ds_ratelimit_free(b);
			continue;
		}
		/* Buckets under key b: count each prefix whose bucket no earlier one has. */
		for (i = 0; i < AIMED; i++) {
			uint8_t x[4], y[4];
			bool new_bucket = true;

			v4(x, nets[i], 1);
			for (j = 0; j < i; j++) {
				v4(y, nets[j], 1);
				new_bucket &= ds_ratelimit_bucket_of(b, x, 4) != ds_ratelimit_bucket_of(b, y, 4);
			}
			spread += new_bucket;
		}
		tap_check(spread >= 6,
			  "c.%u: %s: %u /24s sharing one bucket under key a spread over %u buckets under b", row + 1,
			  runs[row].what, AIMED, spread);
		/* What the collision buys: 8 prefixes in 4 ways recycle each other's limited state. */
		recycled_a = hammer(a, nets);
		recycled_b = hammer(b, nets);
		tap_check(recycled_a > 0 && recycled_b == 0,
			  "c.%u: %s: sending from them recycles limited state %lu times under a, %lu under b", row + 1,
			  runs[row].what, (unsigned long)recycled_a, (unsigned long)recycled_b);
		ds_ratelimit_free(a);
		ds_ratelimit_free(b);
	}
}

/* A burst located at once gives each address what locating it alone gives (bursts of 1..40, both families). */
static void
check_locate_burst(void)
{
	struct ds_ratelimit_params p = params(1024);
	struct ds_ratelimit *rl = ds_ratelimit_create(&p);
	static uint8_t addrs[40][16];
	const uint8_t *ptr[40];
	uint8_t versions[40];
	struct ds_ratelimit_ref burst[40], one;
	unsigned n, i, j, differ = 0;

	if (rl == NULL)
		tap_bail("ds_ratelimit_create failed");
	srand(7);
	for (n = 1; n <= 40; n++) {
		for (i = 0; i < n; i++) {
			versions[i] = rand() % 2 ? 4 : 6;
			for (j = 0; j < 16; j++)
				addrs[i][j] = (uint8_t)rand();
			ptr[i] = addrs[i];
		}
		ds_ratelimit_locate_burst(rl, ptr, versions, n, burst);
		for (i = 0; i < n; i++) {
			ds_ratelimit_locate(rl, ptr[i], versions[i], &one);
			differ += one.bucket != burst[i].bucket || one.tag != burst[i].tag;
		}
	}
	tap_check(differ == 0, "bursts of 1..40 prefixes located at once: every one as located alone (%u differ)", differ);
	ds_ratelimit_free(rl);
}

int
main(void)
{
	check_rate();
	check_small_table();
	check_init();
	check_params();
	check_placement();
	check_aimed();
	check_locate_burst();
	return tap_done();
}
