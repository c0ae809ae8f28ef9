/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_HVR_RULES_H
#define DS_TEST_HVR_RULES_H

/**
 * @file
 * DESIGN §5 as a checker: does a reply frame follow every rule for the ClientHello it answers?
 * Written from the RFC and the design, not from the writer, and shared by every test that makes HVRs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_classify.h"

/**
 * Check a HelloVerifyRequest against the ClientHello it answers.
 *
 * @param request
 *   The ClientHello frame before rewriting (a copy).
 * @param req
 *   Its classification.
 * @param reply
 *   The frame after rewriting.
 * @param reply_len
 *   Length the writer reported.
 * @param cookie
 *   Cookie the reply must carry.
 * @param flags
 *   enum ds_hvr_flags the writer was given.
 * @param why
 *   Receives the first broken rule.
 * @return
 *   true when every rule holds.
 */
bool hvr_rules_check(const uint8_t *request, const struct ds_frame_info *req, const uint8_t *reply,
		     uint32_t reply_len, const uint8_t *cookie, unsigned cookie_len, unsigned flags,
		     char *why, size_t why_len);

#endif /* DS_TEST_HVR_RULES_H */
