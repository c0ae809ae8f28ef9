/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every truncation of every real ClientHello, at each layer, one byte at a time. Each cut frame is
 * classified from a heap buffer of exactly its length, so under ASan any read past the end fails.
 *
 *  a. raw prefix: the frame just stops (lengths in the headers still claim the full frame);
 *  b. datagram cut: IP and UDP lengths agree with the cut, the DTLS record length does not;
 *  c. record cut: the record length agrees too, the handshake header does not;
 *  d. fragment cut: fragment_length agrees too, the message length does not (a first fragment);
 *  e. message cut: even the handshake length agrees (a complete but short ClientHello).
 */
#include <stdio.h>

#include "ds_wire.h"
#include "hellos.h"
#include "tap.h"

enum cut { RAW_PREFIX, DATAGRAM, RECORD, FRAGMENT, MESSAGE, CUT_COUNT };

static const char *const cut_names[CUT_COUNT] = {
	"raw prefix", "datagram cut", "record cut", "fragment cut", "message cut",
};

/* What the classifier must say about a cut at @p at (bytes kept at the layer the cut concerns). */
static enum ds_outcome
expected(enum cut cut, const struct ds_frame_info *full, uint32_t at, uint32_t frame_len)
{
	const uint32_t sid_end = DS_CH_MIN_BODY_LEN + full->session_id_len + 1;

	switch (cut) {
	case RAW_PREFIX:
		if (at == frame_len)
			return full->outcome;
		if (at < DS_ETH_HDR_LEN)
			return DS_OUT_ETH_TRUNCATED;
		if (at < full->l3_offset)
			return DS_OUT_VLAN_TRUNCATED;
		if (full->ip_version == 4)
			return at < full->l3_offset + DS_IPV4_HDR_LEN ? DS_OUT_IPV4_TRUNCATED
								      : DS_OUT_IPV4_BAD_TOTAL_LENGTH;
		return at < full->l3_offset + DS_IPV6_HDR_LEN ? DS_OUT_IPV6_TRUNCATED
							      : DS_OUT_IPV6_BAD_PAYLOAD_LENGTH;
	case DATAGRAM:
		return at < DS_DTLS_RECORD_HDR_LEN ? DS_OUT_DTLS_HEADER_TRUNCATED
						   : DS_OUT_DTLS_RECORD_TRUNCATED;
	case RECORD:
		/* An empty handshake record is not a ClientHello; it is left to the flow table. */
		if (at == 0)
			return DS_OUT_DTLS_RECORD;
		return at < DS_DTLS_HS_HDR_LEN ? DS_OUT_HS_HEADER_TRUNCATED : DS_OUT_HS_FRAGMENT_TRUNCATED;
	default:
		if (at < sid_end + full->cookie_len)
			return DS_OUT_CH_TRUNCATED;
		return full->outcome;
	}
}

/* Cut @p h at @p at bytes of the layer @p cut concerns, rewriting the lengths the cut agrees with. */
static void
make_cut(const struct hello *h, enum cut cut, uint32_t at, struct frame_buf *fb)
{
	const struct ds_frame_info *in = &h->info;
	uint8_t *rec, *hs;

	*fb = h->fb;
	rec = fb->data + in->dtls_offset;
	hs = rec + DS_DTLS_RECORD_HDR_LEN;
	switch (cut) {
	case RAW_PREFIX:
		fb->len = at;
		return;
	case DATAGRAM:
		fb->len = in->dtls_offset + at;
		break;
	case RECORD:
		fb->len = in->dtls_offset + DS_DTLS_RECORD_HDR_LEN + at;
		ds_store_be16(rec + 11, (uint16_t)at);
		break;
	case FRAGMENT:
	case MESSAGE:
		fb->len = in->body_offset + at;
		ds_store_be16(rec + 11, (uint16_t)(DS_DTLS_HS_HDR_LEN + at));
		ds_store_be24(hs + 9, at);
		if (cut == MESSAGE)
			ds_store_be24(hs + 1, at);
		break;
	default:
		break;
	}
	frame_fix_lengths(fb, in);
}

static uint32_t
cut_limit(const struct hello *h, enum cut cut)
{
	switch (cut) {
	case RAW_PREFIX:
		return h->info.dtls_offset + h->info.dtls_len;
	case DATAGRAM:
		return h->info.dtls_len - 1;
	case RECORD:
		return h->info.dtls_len - DS_DTLS_RECORD_HDR_LEN - 1;
	default:
		return h->info.dtls_len - DS_DTLS_RECORD_HDR_LEN - DS_DTLS_HS_HDR_LEN - 1;
	}
}

static void
check_cuts(const struct hello *h, enum cut cut, struct tap_group *g)
{
	const uint32_t limit = cut_limit(h, cut);
	uint32_t at;

	for (at = 0; at <= limit; at++) {
		struct frame_buf fb;
		struct ds_frame_info info;
		enum ds_outcome want = expected(cut, &h->info, at, h->info.dtls_offset + h->info.dtls_len);
		enum ds_outcome got;
		bool ok;

		make_cut(h, cut, at, &fb);
		got = frame_classify(&fb, NULL, &info);
		ok = got == want;
		/* A ClientHello that survives a fragment cut is the first fragment of a longer one. */
		if (ok && ds_outcome_is_client_hello(got))
			ok = info.cookie_len == h->info.cookie_len && info.first_fragment == (cut == FRAGMENT);
		/* Report the first wrong cut only: the next ones are usually wrong the same way. */
		if (!tap_sub(g, ok, "%s cut at %u: want %s, got %s", h->label, at, ds_outcome_name(want),
			     ds_outcome_name(got)))
			return;
	}
}

int
main(void)
{
	static struct hello hellos[HELLOS_MAX * 2];
	static struct hello shaped[HELLOS_MAX * 4];
	size_t n = hellos_load(hellos, HELLOS_MAX, true), m = 0, i;
	unsigned step = 0, cut;

	/* Each ClientHello as captured, in the other IP family, and both behind an 802.1Q tag. */
	n = hellos_add_other_family(hellos, n);
	for (i = 0; i < n; i++) {
		struct hello *tagged = &shaped[m + 1];

		shaped[m] = hellos[i];
		*tagged = hellos[i];
		frame_add_vlan(&tagged->fb, DS_ETHERTYPE_VLAN, 42);
		snprintf(tagged->label, sizeof(tagged->label), "%.64s in 802.1Q", hellos[i].label);
		frame_classify(&tagged->fb, NULL, &tagged->info);
		m += 2;
	}
	for (cut = 0; cut < CUT_COUNT; cut++) {
		struct tap_group g = { 0 };

		for (i = 0; i < m; i++)
			if (tap_sub(&g, ds_outcome_is_client_hello(shaped[i].info.outcome),
				    "%s is no ClientHello before any cut", shaped[i].label))
				check_cuts(&shaped[i], (enum cut)cut, &g);
		tap_group_done(&g, "step %u: %s of every ClientHello (as captured, other IP family, "
			       "802.1Q), at every length", ++step, cut_names[cut]);
	}
	return tap_done();
}
