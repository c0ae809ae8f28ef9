/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Properties over a few hundred thousand random edits of real frames (deterministic seed, so a
 * failure replays): whatever the bytes, the classifier returns a known outcome with offsets inside the
 * frame, does not write to its input and answers the same twice; a frame it calls a ClientHello is
 * answered by an HVR that follows every rule and is never larger than the request. Each frame is
 * classified from a buffer of exactly its length, so ASan turns any overread into a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ds_hvr.h"
#include "ds_wire.h"
#include "frames.h"
#include "hvr_rules.h"
#include "tap.h"

enum { ITERATIONS = 2000000, MAX_SEEDS = 256 };

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t
rng(void)
{
	/* xorshift64*: fast, and the seed above makes every run the same. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Offsets at which edits hurt most: the length, type and version fields of every layer. */
static uint32_t
interesting_offset(const struct ds_frame_info *in, uint32_t len)
{
	const uint32_t spots[] = {
		12, in->l3_offset, in->l3_offset + 2, in->l3_offset + 4, in->l3_offset + 6,
		in->l3_offset + 9, in->l4_offset + 4, in->dtls_offset, in->dtls_offset + 1,
		in->dtls_offset + 3, in->dtls_offset + 11, in->dtls_offset + 13, in->dtls_offset + 14,
		in->dtls_offset + 19, in->dtls_offset + 22, in->body_offset,
		in->body_offset + DS_CH_SESSION_ID_LEN_OFFSET, in->cookie_offset - 1,
	};
	uint32_t at = spots[rng() % (sizeof(spots) / sizeof(spots[0]))];

	return at < len ? at : rng() % (len ? len : 1);
}

static void
mutate(struct frame_buf *fb, const struct ds_frame_info *in)
{
	unsigned edits = 1 + rng() % 4, i;

	for (i = 0; i < edits; i++) {
		uint32_t at = fb->len ? (rng() & 1 ? interesting_offset(in, fb->len) : rng() % fb->len) : 0;
		static const uint8_t edges[] = { 0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x20, 0x16 };

		switch (rng() % 6) {
		case 0: /* random byte */
			if (fb->len)
				fb->data[at] = (uint8_t)rng();
			break;
		case 1: /* edge value */
			if (fb->len)
				fb->data[at] = edges[rng() % sizeof(edges)];
			break;
		case 2: /* cut */
			fb->len = fb->len ? rng() % fb->len : 0;
			break;
		case 3: /* insert */
			if (fb->len + 8 < FRAME_MAX)
				frame_insert(fb, at, NULL, 1 + rng() % 8);
			break;
		case 4: /* remove */
			if (fb->len > at + 1)
				frame_remove(fb, at, 1 + rng() % (fb->len - at - 1 < 8 ? fb->len - at - 1 : 8));
			break;
		default: /* lengths that agree with the edits, so deeper layers get reached */
			if (in->dtls_offset != 0 && fb->len > in->dtls_offset)
				frame_fix_lengths(fb, in);
			break;
		}
	}
}

struct tally {
	unsigned long bad_outcome, offsets, input_written, unstable, hvr_rules, hvr_larger, hvrs;
	unsigned long seen[DS_OUT_COUNT];
};

static bool
offsets_inside(const struct ds_frame_info *info, uint32_t len)
{
	if (info->l3_offset > len || info->l4_offset > len)
		return false;
	if (info->dtls_offset != 0 && info->dtls_offset + info->dtls_len > len)
		return false;
	if (!ds_outcome_is_client_hello(info->outcome))
		return true;
	return info->body_offset > info->dtls_offset && info->cookie_offset > info->body_offset &&
	       info->cookie_len <= DS_COOKIE_MAX_LEN &&
	       info->cookie_offset + info->cookie_len <= info->dtls_offset + info->dtls_len;
}

static void
check_one(const struct frame_buf *fb, struct tally *t)
{
	uint8_t *frame = frame_dup(fb->data, fb->len);
	struct ds_frame_info info, again;
	enum ds_outcome outcome = ds_classify(frame, fb->len, NULL, &info);

	if ((unsigned)outcome >= DS_OUT_COUNT || outcome != info.outcome) {
		t->bad_outcome++;
		free(frame);
		return;
	}
	t->seen[outcome]++;
	t->offsets += !offsets_inside(&info, fb->len);
	t->input_written += memcmp(frame, fb->data, fb->len) != 0;
	t->unstable += ds_classify(frame, fb->len, NULL, &again) != outcome ||
		       memcmp(&info, &again, sizeof(info)) != 0;
	if (ds_outcome_is_client_hello(outcome)) {
		uint8_t cookie[DS_COOKIE_MAX_LEN];
		unsigned cookie_len = 1 + rng() % DS_COOKIE_MAX_LEN, i;
		uint32_t reply_len = 0;
		char why[256];

		for (i = 0; i < cookie_len; i++)
			cookie[i] = (uint8_t)rng();
		if (ds_hvr_write(frame, &info, cookie, cookie_len, 0, &reply_len) == DS_HVR_WRITTEN) {
			t->hvrs++;
			t->hvr_larger += reply_len > fb->len;
			if (!hvr_rules_check(fb->data, &info, frame, reply_len, cookie, cookie_len, 0, why,
					     sizeof(why)) && t->hvr_rules++ < 3)
				tap_diag("HVR rule broken: %s", why);
		}
	}
	free(frame);
}

int
main(void)
{
	static struct frame_buf seeds[MAX_SEEDS];
	static struct ds_frame_info seed_info[MAX_SEEDS];
	struct tally t = { 0 };
	size_t n_paths, i, j, n = 0;
	char **paths = capture_list(&n_paths);
	unsigned distinct = 0, k;

	/* Every captured frame, and each ClientHello again in the other IP family and behind a tag. */
	for (i = 0; i < n_paths; i++) {
		struct capture cap;

		capture_load(paths[i], &cap);
		for (j = 0; j < cap.count && n + 3 <= MAX_SEEDS; j++) {
			frame_set(&seeds[n], cap.frames[j].data, cap.frames[j].len);
			ds_classify(seeds[n].data, seeds[n].len, NULL, &seed_info[n]);
			if (ds_outcome_is_client_hello(seed_info[n].outcome)) {
				seeds[n + 1] = seeds[n];
				seed_info[n + 1] = seed_info[n];
				frame_rewrap_other_family(&seeds[n + 1], &seed_info[n + 1]);
				seeds[n + 2] = seeds[n];
				frame_add_vlan(&seeds[n + 2], DS_ETHERTYPE_VLAN, 7);
				ds_classify(seeds[n + 2].data, seeds[n + 2].len, NULL, &seed_info[n + 2]);
				n += 2;
			}
			n++;
		}
		capture_free(&cap);
	}
	capture_list_free(paths);

	for (i = 0; i < ITERATIONS; i++) {
		const size_t s = rng() % n;
		struct frame_buf fb = seeds[s];

		mutate(&fb, &seed_info[s]);
		check_one(&fb, &t);
	}
	for (k = 0; k < DS_OUT_COUNT; k++)
		distinct += t.seen[k] != 0;

	tap_check(t.bad_outcome == 0, "%d random frames: every outcome is a known one (%lu not)",
		  ITERATIONS, t.bad_outcome);
	tap_check(t.offsets == 0, "offsets always inside the frame (%lu outside)", t.offsets);
	tap_check(t.input_written == 0, "the classifier never writes to its input (%lu times)",
		  t.input_written);
	tap_check(t.unstable == 0, "the same bytes always get the same answer (%lu differed)", t.unstable);
	tap_check(t.hvrs > 1000 && t.hvr_rules == 0 && t.hvr_larger == 0,
		  "%lu HVRs written from mutated ClientHellos: all follow the rules (%lu broke one), none "
		  "larger than its request (%lu were)", t.hvrs, t.hvr_rules, t.hvr_larger);
	/* The edits must reach deep into the frame, or the properties above prove little. */
	tap_check(distinct >= 40, "%u outcomes were reached (of %d the classifier can give without a "
		  "service set)", distinct, DS_OUT_COUNT - 3);
	for (k = 0; k < DS_OUT_COUNT; k++)
		if (t.seen[k] == 0)
			tap_diag("never reached: %s", ds_outcome_name((enum ds_outcome)k));
	return tap_done();
}
