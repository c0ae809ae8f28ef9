/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_HVR_TSHARK_H
#define DS_TEST_HVR_TSHARK_H

/**
 * @file
 * Wireshark's reading of HVRs the project wrote: each must decode as a Hello Verify Request with good
 * IP and UDP checksums and the fields its ClientHello asked for.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_classify.h"
#include "ds_wire.h"

/** What one HVR frame must show. */
struct hvr_expect {
	char label[128];
	uint64_t record_seq;   /**< the ClientHello's record sequence number */
	uint16_t message_seq;  /**< the ClientHello's message_seq */
	uint8_t cookie[DS_COOKIE_MAX_LEN];
	unsigned cookie_len;
	unsigned ip_version;
	int vlan_id;           /**< innermost VLAN ID, or -1 when untagged */
	uint16_t ports[2];     /**< the ClientHello's UDP ports: the HVR is decoded as DTLS on both */
};

/** Fill the ClientHello-side facts of an expectation from a classified ClientHello frame. */
void hvr_expect_from_hello(struct hvr_expect *exp, const uint8_t *frame,
			   const struct ds_frame_info *info, const uint8_t *cookie, unsigned cookie_len);

/**
 * Run tshark over @p pcap (frame i answers @p exp[i]) and check every frame: one TAP point each.
 * Bails out when tshark cannot run.
 */
void hvr_tshark_check(const char *pcap, const struct hvr_expect *exp, size_t n);

#endif /* DS_TEST_HVR_TSHARK_H */
