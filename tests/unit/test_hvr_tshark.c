/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every real ClientHello of the captures (with and without a cookie), as captured, in the other IP
 * family and behind an 802.1Q tag, answered by the HVR writer; Wireshark then reads the replies with IP and UDP
 * checksum validation on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture.h"
#include "ds_hvr.h"
#include "hellos.h"
#include "hvr_tshark.h"
#include "tap.h"

enum { SHAPES = 3 };

int
main(void)
{
	static struct hello hellos[HELLOS_MAX];
	static struct capture_frame replies[HELLOS_MAX * SHAPES];
	static struct hvr_expect expect[HELLOS_MAX * SHAPES];
	static const char *const shape_names[SHAPES] = { "", " in the other IP family", " in 802.1Q" };
	char pcap[] = "/tmp/ds-hvr-tshark-XXXXXX.pcap";
	size_t n = hellos_load(hellos, HELLOS_MAX, true), i, count = 0;
	unsigned shape;
	int fd = mkstemps(pcap, 5);

	if (fd < 0)
		tap_bail("mkstemps failed");
	close(fd);
	for (i = 0; i < n; i++) {
		for (shape = 0; shape < SHAPES; shape++) {
			struct hello h = hellos[i];
			uint8_t cookie[DS_COOKIE_MAX_LEN];
			unsigned cookie_len = 8 + (unsigned)(count % 25), k;
			uint32_t len;
			uint8_t *frame;

			if (shape == 1)
				frame_rewrap_other_family(&h.fb, &h.info);
			if (shape == 2)
				frame_add_vlan(&h.fb, 0x8100, (uint16_t)(100 + i));
			frame_classify(&h.fb, NULL, &h.info);
			for (k = 0; k < cookie_len; k++)
				cookie[k] = (uint8_t)(count * 37 + k * 11);
			frame = frame_dup(h.fb.data, h.fb.len);
			if (ds_hvr_write(frame, &h.info, cookie, cookie_len, 0, &len) != DS_HVR_WRITTEN)
				tap_bail("%s: writer refused", h.label);
			replies[count] = (struct capture_frame){ .data = frame, .len = len };
			hvr_expect_from_hello(&expect[count], h.fb.data, &h.info, cookie, cookie_len);
			snprintf(expect[count].label, sizeof(expect[count].label), "HVR for %s%s", h.label,
				 shape_names[shape]);
			count++;
		}
	}
	capture_write(pcap, replies, count);
	hvr_tshark_check(pcap, expect, count);
	for (i = 0; i < count; i++)
		free(replies[i].data);
	unlink(pcap);
	return tap_done();
}
