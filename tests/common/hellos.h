/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_HELLOS_H
#define DS_TEST_HELLOS_H

/**
 * @file
 * The real ClientHellos of the shared captures, as starting points for tests.
 */

#include <stdbool.h>
#include <stddef.h>

#include "frames.h"

enum { HELLOS_MAX = 64 };

/** One captured ClientHello. */
struct hello {
	char label[96];      /**< "ossl_dtls12.pcap#1" */
	struct frame_buf fb;
	struct ds_frame_info info; /**< its classification with every UDP datagram protected */
};

/**
 * Every frame of every shared capture that classifies as a ClientHello (with @p with_cookie, also
 * those carrying a cookie). Bails out when there is none.
 *
 * @return
 *   The number of entries filled in @p out.
 */
size_t hellos_load(struct hello *out, size_t max, bool with_cookie);

/**
 * Append, after the first @p n entries, each of them moved to the other IP family
 * (frame_rewrap_other_family()), labelled "... as IPv4" or "... as IPv6".
 *
 * @return
 *   2 * n, the new number of entries (@p h must hold that many).
 */
size_t hellos_add_other_family(struct hello *h, size_t n);

#endif /* DS_TEST_HELLOS_H */
