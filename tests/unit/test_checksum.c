/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum helpers against independent references: the RFC 1071 worked example, and the
 * IPv4 header checksums real kernels wrote into the shared captures.
 */
#include <string.h>

#include "capture.h"
#include "ds_checksum.h"
#include "ds_classify.h"
#include "ds_wire.h"
#include "tap.h"

static void
check_rfc1071_example(void)
{
	/* RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (before complement). */
	static const uint8_t bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	tap_check(ds_cksum_fold(ds_cksum_add(0, bytes, sizeof(bytes))) == 0xddf2,
		  "RFC 1071 example folds to 0xddf2");
	tap_check(ds_cksum_fold(ds_cksum_add(0, bytes, 3)) == ds_cksum_fold(0x0001 + 0xf200),
		  "an odd trailing byte counts as the high byte of a zero-padded word");
	tap_check(ds_cksum_fold(UINT64_C(0xFFFFFFFFFFFF)) == 0xFFFF,
		  "folding carries until 16 bits remain");
}

/* The kernel computed these IPv4 header checksums; ours must agree for every frame. */
static void
check_captured_ipv4_headers(void)
{
	size_t n, i, j, frames = 0, agree = 0;
	char **paths = capture_list(&n);

	for (i = 0; i < n; i++) {
		struct capture cap;

		capture_load(paths[i], &cap);
		for (j = 0; j < cap.count; j++) {
			struct ds_frame_info info;
			const uint8_t *ip;

			ds_classify(cap.frames[j].data, cap.frames[j].len, NULL, &info);
			if (info.ip_version != 4)
				continue;
			ip = cap.frames[j].data + info.l3_offset;
			frames++;
			agree += ds_ipv4_header_cksum(ip) == ds_load_be16(ip + 10);
		}
		capture_free(&cap);
	}
	capture_list_free(paths);
	tap_check(frames > 0 && agree == frames, "IPv4 header checksum matches the kernel's in %zu/%zu "
		  "captured frames", agree, frames);
}

static void
check_udp_properties(void)
{
	/* A checksum that computes to 0 goes on the wire as 0xFFFF (RFC 768). Build such a datagram:
	 * pseudo-header + header + payload must sum to 0xFFFF, which a 2-byte payload can arrange. */
	uint8_t ip[DS_IPV4_HDR_LEN] = { 0x45, 0, 0, 30, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
	uint8_t udp[10] = { 0x12, 0x34, 0x56, 0x78, 0, 10, 0, 0, 0, 0 };
	uint64_t partial = ds_udp_pseudo_sum(ip, 4, sizeof(udp)) + ds_cksum_add(0, udp, 6);
	uint16_t filler = (uint16_t)(0xFFFF - ds_cksum_fold(partial));

	ds_store_be16(udp + 8, filler);
	tap_check(ds_udp_cksum(ip, 4, udp, sizeof(udp)) == 0xFFFF,
		  "a UDP checksum that computes to zero is sent as 0xFFFF");
	ds_store_be16(udp + 8, (uint16_t)(filler + 1));
	ds_store_be16(udp + 6, ds_udp_cksum(ip, 4, udp, sizeof(udp)));
	tap_check(ds_cksum_fold(ds_udp_pseudo_sum(ip, 4, sizeof(udp)) + ds_cksum_add(0, udp, sizeof(udp))) ==
			  0xFFFF,
		  "a datagram carrying its checksum sums to 0xFFFF");
}

/* RFC 1071 as written: big-endian 16-bit words, one at a time, a lone last byte padded with zero. */
static uint16_t
word_by_word(const uint8_t *buf, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint64_t)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		sum += (uint64_t)buf[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

/* The word-at-a-time sum agrees with the textbook one at every length and alignment. */
static void
check_against_word_by_word(void)
{
	static uint8_t buf[4096 + 16];
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	unsigned trial, agree = 0, trials = 20000;
	size_t i;

	for (i = 0; i < sizeof(buf); i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		/* Runs of 0xFF make the carries that a careless fold gets wrong. */
		buf[i] = (i / 64) % 3 == 0 ? 0xFF : (uint8_t)rng;
	}
	for (trial = 0; trial < trials; trial++) {
		const size_t offset = trial % 16, len = (trial * 7919u) % 4097;
		const uint64_t start = trial % 5 == 0 ? 0xFFFE : trial;
		const uint16_t got = ds_cksum_fold(ds_cksum_add(start, buf + offset, len));
		uint64_t want = word_by_word(buf + offset, len) + start;

		while (want >> 16)
			want = (want & 0xFFFF) + (want >> 16);
		agree += got == want;
	}
	tap_check(agree == trials, "ds_cksum_add equals the word-by-word sum in %u/%u lengths and alignments",
		  agree, trials);
}

int
main(void)
{
	check_rfc1071_example();
	check_captured_ipv4_headers();
	check_udp_properties();
	check_against_word_by_word();
	return tap_done();
}
