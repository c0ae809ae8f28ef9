/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_FRAMES_H
#define DS_TEST_FRAMES_H

/**
 * @file
 * Editing real frames into the variants tests need: another IP family, VLAN tags, shorter payloads,
 * inserted bytes. Every variant starts from a captured frame, so its DTLS bytes are what a real peer
 * sent.
 */

#include <stdint.h>

#include "ds_classify.h"

enum { FRAME_MAX = 2048 };

/** A frame being edited. */
struct frame_buf {
	uint8_t data[FRAME_MAX];
	uint32_t len;
};

/** Start from a copy of @p len bytes. */
void frame_set(struct frame_buf *fb, const uint8_t *data, uint32_t len);

/** Insert @p n bytes (or zeros when @p bytes is NULL) at @p offset. */
void frame_insert(struct frame_buf *fb, uint32_t offset, const uint8_t *bytes, uint32_t n);

/** Remove @p n bytes at @p offset. */
void frame_remove(struct frame_buf *fb, uint32_t offset, uint32_t n);

/** Insert a VLAN tag with the given TPID and TCI right after the MAC addresses. */
void frame_add_vlan(struct frame_buf *fb, uint16_t tpid, uint16_t tci);

/**
 * Rewrite the IP and UDP length fields (and the IPv4 header checksum) so that the UDP payload ends at
 * the end of the frame. @p info gives the offsets (from classifying the original).
 */
void frame_fix_lengths(struct frame_buf *fb, const struct ds_frame_info *info);

/**
 * Move a classified UDP frame to the other IP family, same UDP header and payload: IPv4 addresses
 * a.b.c.d become 2001:db8::a.b.c.d, IPv6 addresses become 198.18.x.y (their last two bytes). The UDP
 * checksum is recomputed and @p info follows the new offsets.
 *
 * @return
 *   The new IP version.
 */
unsigned frame_rewrap_other_family(struct frame_buf *fb, struct ds_frame_info *info);

/** Recompute the UDP checksum of a classified frame (after editing its payload). */
void frame_fix_udp_cksum(struct frame_buf *fb, const struct ds_frame_info *info);

/** Classify the frame from an exact-size heap copy (so ASan sees overreads). */
enum ds_outcome frame_classify(const struct frame_buf *fb, const struct ds_service_set *services,
			       struct ds_frame_info *info);

/** The same for a frame a service sends (ds_classify_reply()). */
enum ds_outcome frame_classify_reply(const struct frame_buf *fb, const struct ds_service_set *services,
				     struct ds_frame_info *info);

#endif /* DS_TEST_FRAMES_H */
