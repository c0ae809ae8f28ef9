/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The top-talkers summary (lib/topk, Space-Saving): exact while it holds every prefix; under a stream
 * of many light prefixes it still holds every heavy one, with counts that are upper bounds no more than
 * their error above the truth; merging two workers' summaries adds them up; prefixes are masked and
 * printed as operators write them.
 */
#include <stdlib.h>
#include <string.h>

#include "ds_topk.h"
#include "tap.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1Dull;
}

static void
v4(uint8_t out[4], uint32_t a)
{
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = (uint8_t)a;
}

static void
add(struct ds_topk *t, uint8_t version, const uint8_t *addr, unsigned len, uint64_t weight)
{
	struct ds_prefix p;

	ds_prefix_of(addr, version, len, &p);
	ds_topk_add(t, &p, weight);
}

static const struct ds_topk_entry *
held(const struct ds_topk *t, const char *text)
{
	uint32_t i;

	for (i = 0; i < t->n; i++) {
		char buf[DS_TOPK_TEXT_MAX];

		ds_prefix_format(&t->e[i].prefix, buf, sizeof(buf));
		if (strcmp(buf, text) == 0)
			return &t->e[i];
	}
	return NULL;
}

static void
check_exact(void)
{
	struct ds_topk t;
	uint8_t a[4];
	uint32_t i;
	bool exact = true;

	ds_topk_reset(&t);
	for (i = 0; i < 20 * 1000; i++) {
		v4(a, 0xC6120000u | (i % 20) << 8 | (i & 0xFF)); /* 198.18.X.Y: 20 /24s, hosts varying */
		add(&t, 4, a, 24, 1);
	}
	ds_topk_sort(&t);
	for (i = 0; i < t.n; i++)
		exact &= t.e[i].count == 1000 && t.e[i].error == 0;
	tap_check(t.n == 20 && exact && t.total == 20000 && held(&t, "198.18.7.0/24") != NULL,
		  "20 prefixes of 1000 events each: all held, exact, masked to /24 (%u held, total %llu)", t.n,
		  (unsigned long long)t.total);
}

static void
check_heavy_among_noise(void)
{
	/* 3 heavy /24s (10 %, 5 %, 2 %) among 100 000 events of random light prefixes. */
	static const char *const heavy_text[3] = { "203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24" };
	static const uint32_t heavy_addr[3] = { 0xCB007100u, 0xC6336400u, 0xC0000200u };
	static const unsigned heavy_pct[3] = { 10, 5, 2 };
	struct ds_topk t;
	uint64_t truth[3] = { 0 };
	uint8_t a[4];
	unsigned i, h;
	bool all = true, bounded = true, ordered;

	ds_topk_reset(&t);
	for (i = 0; i < 100000; i++) {
		const unsigned r = (unsigned)(rnd() % 100);
		unsigned cum = 0;
		bool counted = false;

		for (h = 0; h < 3 && !counted; h++) {
			cum += heavy_pct[h];
			if (r < cum) {
				v4(a, heavy_addr[h] | (uint32_t)(rnd() & 0xFF));
				truth[h]++;
				counted = true;
			}
		}
		if (!counted)
			v4(a, (uint32_t)rnd());
		add(&t, 4, a, 24, 1);
	}
	ds_topk_sort(&t);
	for (h = 0; h < 3; h++) {
		const struct ds_topk_entry *e = held(&t, heavy_text[h]);

		all &= e != NULL;
		bounded &= e != NULL && e->count >= truth[h] && e->count - e->error <= truth[h];
	}
	ordered = t.n >= 3 && held(&t, heavy_text[0]) == &t.e[0];
	tap_check(all && bounded && ordered && t.total == 100000,
		  "3 heavy prefixes (10 %%, 5 %%, 2 %%) among 100 000 events of random sources: all held, counts "
		  "bounded (count - error <= truth <= count), the heaviest first (true %llu, %llu, %llu)",
		  (unsigned long long)truth[0], (unsigned long long)truth[1], (unsigned long long)truth[2]);
}

static void
check_merge_and_ipv6(void)
{
	struct ds_topk a, b;
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t v4a[4] = { 10, 1, 2, 3 };
	const struct ds_topk_entry *e6, *e4;

	ds_topk_reset(&a);
	ds_topk_reset(&b);
	add(&a, 6, v6, 56, 300);
	add(&a, 4, v4a, 24, 100);
	v6[15] = 9; /* the same /56 */
	add(&b, 6, v6, 56, 200);
	add(&b, 4, v4a, 32, 50); /* another length: another prefix */
	ds_topk_merge(&a, &b);
	ds_topk_sort(&a);
	e6 = held(&a, "2001:db8:1234:5600::/56");
	e4 = held(&a, "10.1.2.0/24");
	tap_check(e6 != NULL && e6->count == 500 && e4 != NULL && e4->count == 100 && held(&a, "10.1.2.3/32") != NULL &&
			  a.total == 650 && a.n == 3,
		  "two workers' summaries merge: the same /56 adds up (500), a /32 and a /24 stay apart, total 650");
}

int
main(void)
{
	check_exact();
	check_heavy_among_noise();
	check_merge_and_ipv6();
	return tap_done();
}
