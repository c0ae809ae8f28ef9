/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_REPLAY_H
#define DS_TEST_REPLAY_H

/**
 * @file
 * The appliance run the way an operator replays a capture: the shipped config/examples/replay.yaml,
 * copied with its secret into a scratch folder, `dtls-scrubber -c config/replay.yaml --duration 2`
 * there, then its two output captures read back.
 */

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"

/** One run and what came out of it. */
struct replay {
	char dir[64];
	struct capture outside; /**< out-outside.pcap: what went back to the clients */
	struct capture inside;  /**< out-inside.pcap: what went to the servers */
};

/**
 * Replay @p n frames.
 *
 * @param root
 *   The source tree (for config/examples/).
 * @param port
 *   The protected UDP port (the example says 4433; another is edited into the copy).
 * @param secret
 *   A secret file to use instead of the example's demo.secret, or NULL.
 * @return
 *   The appliance's exit status (its log is shown as diagnostics when not 0); on 0, both outputs
 *   are loaded. Free with replay_free() in any case.
 */
int replay_run(const char *scrubber, const char *root, const struct capture_frame *in, size_t n, unsigned port,
	       const char *secret, struct replay *r);

/** Free the outputs and remove the scratch folder. */
void replay_free(struct replay *r);

/**
 * A client's answer to a HelloVerifyRequest: the ClientHello frame @p ch1 again (same addresses)
 * carrying @p cookie, with record sequence number and message_seq 1.
 */
bool frame_second_hello(const struct capture_frame *ch1, const uint8_t *cookie, unsigned cookie_len,
			struct capture_frame *out);

/** The cookie of the HVR in @p frame; its length, or 0 when the frame is no HVR. */
unsigned frame_hvr_cookie(const struct capture_frame *frame, uint8_t *cookie);

#endif /* DS_TEST_REPLAY_H */
