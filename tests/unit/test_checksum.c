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

int
main(void)
{
	check_rfc1071_example();
	check_captured_ipv4_headers();
	check_udp_properties();
	return tap_done();
}
