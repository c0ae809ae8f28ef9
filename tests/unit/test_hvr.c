/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-place HelloVerifyRequest writer: every real ClientHello of the shared captures, in every
 * shape the appliance meets (IPv4 and IPv6, 802.1Q, QinQ, a retransmission with a non-zero record
 * sequence number and message_seq), answered with cookies of every edge length, with and without
 * checksum offload; then the cases where the writer must refuse and leave the frame alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ds_hvr.h"
#include "ds_wire.h"
#include "hellos.h"
#include "hvr_rules.h"
#include "tap.h"

enum shape { AS_CAPTURED, OTHER_FAMILY, DOT1Q, QINQ, OTHER_FAMILY_DOT1Q, RETRANSMISSION, SHAPE_COUNT };

static const char *const shape_names[SHAPE_COUNT] = {
	"as captured", "in the other IP family", "802.1Q", "QinQ", "in the other IP family and 802.1Q",
	"retransmission (record seq 0x010203040506, message_seq 2)",
};

static const unsigned cookie_lens[] = { 1, 8, 16, 20, 31, 32 };
static const unsigned offloads[] = {
	0, DS_HVR_OFFLOAD_IPV4_CKSUM, DS_HVR_OFFLOAD_UDP_CKSUM,
	DS_HVR_OFFLOAD_IPV4_CKSUM | DS_HVR_OFFLOAD_UDP_CKSUM,
};

/* Build one shape of a captured ClientHello; returns its classification outcome. */
static enum ds_outcome
make_shape(const struct hello *h, enum shape shape, struct frame_buf *fb, struct ds_frame_info *info)
{
	static const uint8_t seq[6] = { 1, 2, 3, 4, 5, 6 };
	struct ds_frame_info tmp = h->info;

	*fb = h->fb;
	switch (shape) {
	case OTHER_FAMILY:
		frame_rewrap_other_family(fb, &tmp);
		break;
	case DOT1Q:
		frame_add_vlan(fb, DS_ETHERTYPE_VLAN, 0x0123);
		break;
	case QINQ:
		frame_add_vlan(fb, DS_ETHERTYPE_VLAN, 0x0456);
		frame_add_vlan(fb, DS_ETHERTYPE_QINQ, 0x0789);
		break;
	case OTHER_FAMILY_DOT1Q:
		frame_rewrap_other_family(fb, &tmp);
		frame_add_vlan(fb, DS_ETHERTYPE_VLAN, 0x0abc);
		break;
	case RETRANSMISSION:
		memcpy(fb->data + tmp.dtls_offset + 5, seq, sizeof(seq));
		ds_store_be16(fb->data + tmp.dtls_offset + DS_DTLS_RECORD_HDR_LEN + 4, 2);
		break;
	default:
		break;
	}
	return frame_classify(fb, NULL, info);
}

static void
fill_cookie(uint8_t *cookie, unsigned len, unsigned seed)
{
	unsigned i;

	for (i = 0; i < len; i++)
		cookie[i] = (uint8_t)(seed * 131 + i * 29 + 7);
}

/* Every cookie length under every offload setting, for one ClientHello in one shape. */
static void
check_shape(const struct hello *h, enum shape shape, struct tap_group *g)
{
	struct frame_buf fb;
	struct ds_frame_info info;
	size_t c, o;

	if (!tap_sub(g, ds_outcome_is_client_hello(make_shape(h, shape, &fb, &info)),
		     "%s no longer classifies as a ClientHello", h->label))
		return;
	for (c = 0; c < sizeof(cookie_lens) / sizeof(cookie_lens[0]); c++) {
		for (o = 0; o < sizeof(offloads) / sizeof(offloads[0]); o++) {
			uint8_t cookie[DS_COOKIE_MAX_LEN];
			uint8_t *frame = frame_dup(fb.data, fb.len);
			uint32_t len = 0;
			char why[256] = "";
			enum ds_hvr_result r;

			fill_cookie(cookie, cookie_lens[c], (unsigned)(c * 7 + o));
			r = ds_hvr_write(frame, &info, cookie, cookie_lens[c], offloads[o], &len);
			if (r != DS_HVR_WRITTEN)
				snprintf(why, sizeof(why), "writer said %s", ds_hvr_result_name(r));
			tap_sub(g, r == DS_HVR_WRITTEN &&
					   hvr_rules_check(fb.data, &info, frame, len, cookie, cookie_lens[c],
							   offloads[o], why, sizeof(why)),
				"%s, %u-byte cookie, offload flags %u: %s", h->label, cookie_lens[c],
				offloads[o], why);
			free(frame);
		}
	}
}

/* The writer must refuse, and must not touch a byte, in each of these. */
struct refusal {
	const char *what;
	unsigned cookie_len;
	int outcome;       /**< override info.outcome, or -1 */
	int dtls_len_less; /**< shrink info.dtls_len below the reply size by this much, or -1 */
	enum ds_hvr_result expect;
};

static const struct refusal refusals[] = {
	{ "empty cookie", 0, -1, -1, DS_HVR_BAD_COOKIE_LENGTH },
	{ "33-byte cookie", 33, -1, -1, DS_HVR_BAD_COOKIE_LENGTH },
	{ "255-byte cookie", 255, -1, -1, DS_HVR_BAD_COOKIE_LENGTH },
	{ "frame that is a dtls_record", 16, DS_OUT_DTLS_RECORD, -1, DS_HVR_NOT_CLIENT_HELLO },
	{ "frame that is a later fragment", 16, DS_OUT_DTLS_HELLO_FRAGMENT, -1, DS_HVR_NOT_CLIENT_HELLO },
	{ "frame that is malformed", 16, DS_OUT_CH_TRUNCATED, -1, DS_HVR_NOT_CLIENT_HELLO },
	{ "reply one byte larger than the request", 16, -1, 1, DS_HVR_WOULD_AMPLIFY },
	{ "reply 32 bytes larger than the request", 32, -1, 32, DS_HVR_WOULD_AMPLIFY },
};

static void
check_refusal(const struct hello *h, const struct refusal *rf, struct tap_group *g)
{
	uint8_t cookie[255];
	struct ds_frame_info info = h->info;
	uint8_t *frame = frame_dup(h->fb.data, h->fb.len);
	uint32_t len = 12345;
	enum ds_hvr_result r;

	memset(cookie, 0xA5, sizeof(cookie));
	if (rf->outcome >= 0)
		info.outcome = (enum ds_outcome)rf->outcome;
	if (rf->dtls_len_less >= 0)
		info.dtls_len = DS_HVR_FIXED_LEN + rf->cookie_len - (unsigned)rf->dtls_len_less;
	r = ds_hvr_write(frame, &info, cookie, rf->cookie_len, 0, &len);
	tap_sub(g, r == rf->expect && len == 12345 && memcmp(frame, h->fb.data, h->fb.len) == 0,
		"%s: got %s, frame %s", h->label, ds_hvr_result_name(r),
		memcmp(frame, h->fb.data, h->fb.len) == 0 ? "untouched" : "changed");
	free(frame);
}

/* A ClientHello that carries a cookie is answered with that same cookie read from the frame. */
static void
check_own_cookie(const struct hello *h, struct tap_group *g)
{
	uint8_t *frame = frame_dup(h->fb.data, h->fb.len);
	uint8_t cookie[DS_COOKIE_MAX_LEN];
	uint32_t len = 0;
	char why[256] = "";
	enum ds_hvr_result r;

	memcpy(cookie, h->fb.data + h->info.cookie_offset, h->info.cookie_len);
	r = ds_hvr_write(frame, &h->info, frame + h->info.cookie_offset, h->info.cookie_len, 0, &len);
	tap_sub(g, r == DS_HVR_WRITTEN && hvr_rules_check(h->fb.data, &h->info, frame, len, cookie,
							  h->info.cookie_len, 0, why, sizeof(why)),
		"%s: %s %s", h->label, ds_hvr_result_name(r), why);
	free(frame);
}

/*
 * The smallest ClientHello the classifier accepts (no session_id, no cookie, nothing after the cookie
 * length byte) still outweighs the largest HVR: no cookie length can make the scrubber amplify.
 */
static void
check_smallest_hello(const struct hello *h, unsigned step)
{
	struct frame_buf fb = h->fb;
	struct ds_frame_info info = h->info;
	uint8_t cookie[DS_COOKIE_MAX_LEN] = { 0 };
	uint8_t *frame;
	uint32_t len = 0, body_len = DS_CH_MIN_BODY_LEN + 1;
	uint8_t *rec = fb.data + info.dtls_offset;
	enum ds_hvr_result r;

	rec[DS_DTLS_RECORD_HDR_LEN + DS_DTLS_HS_HDR_LEN + DS_CH_SESSION_ID_LEN_OFFSET] = 0;
	rec[DS_DTLS_RECORD_HDR_LEN + DS_DTLS_HS_HDR_LEN + DS_CH_MIN_BODY_LEN] = 0;
	ds_store_be16(rec + 11, (uint16_t)(DS_DTLS_HS_HDR_LEN + body_len));
	ds_store_be24(rec + DS_DTLS_RECORD_HDR_LEN + 1, body_len);
	ds_store_be24(rec + DS_DTLS_RECORD_HDR_LEN + 9, body_len);
	fb.len = info.dtls_offset + DS_DTLS_RECORD_HDR_LEN + DS_DTLS_HS_HDR_LEN + body_len;
	frame_fix_lengths(&fb, &info);
	if (!tap_check(frame_classify(&fb, NULL, &info) == DS_OUT_DTLS_CLIENT_HELLO,
		       "step %u: a %u-byte ClientHello body is still a ClientHello (got %s)", step,
		       body_len, ds_outcome_name(info.outcome)))
		return;
	frame = frame_dup(fb.data, fb.len);
	r = ds_hvr_write(frame, &info, cookie, DS_COOKIE_MAX_LEN, 0, &len);
	tap_check(r == DS_HVR_WRITTEN && len <= fb.len,
		  "step %u: its 32-byte-cookie HVR (%u bytes) is no larger than it (%u bytes): %s", step,
		  len, fb.len, ds_hvr_result_name(r));
	free(frame);
}

int
main(void)
{
	static struct hello hellos[HELLOS_MAX];
	size_t n = hellos_load(hellos, HELLOS_MAX, true), i, k;
	struct tap_group g = { 0 };
	unsigned step = 0, shape;

	/* One TAP point per shape or refusal, tried on every real ClientHello. */
	for (shape = 0; shape < SHAPE_COUNT; shape++) {
		for (i = 0; i < n; i++)
			check_shape(&hellos[i], (enum shape)shape, &g);
		tap_group_done(&g, "step %u: ClientHellos %s answered by valid HVRs, cookies of 1..32 bytes, "
			       "every offload setting", ++step, shape_names[shape]);
	}
	for (k = 0; k < sizeof(refusals) / sizeof(refusals[0]); k++) {
		for (i = 0; i < n; i++)
			check_refusal(&hellos[i], &refusals[k], &g);
		tap_group_done(&g, "step %u: %s refused as %s, frame untouched", ++step, refusals[k].what,
			       ds_hvr_result_name(refusals[k].expect));
	}
	for (i = 0; i < n; i++)
		if (hellos[i].info.cookie_len != 0)
			check_own_cookie(&hellos[i], &g);
	tap_group_done(&g, "step %u: ClientHellos with a cookie answered with their own cookie, read from "
		       "the same buffer", ++step);
	check_smallest_hello(&hellos[0], ++step);
	return tap_done();
}
