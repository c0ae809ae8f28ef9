/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_HELLO_VERSIONS_H
#define DS_HELLO_VERSIONS_H

/* Which DTLS versions a ClientHello offers: its supported_versions extension (RFC 8446 §4.2.1). */

#include <stdbool.h>
#include <stdint.h>

/**
 * What the extensions block of a ClientHello says about DTLS 1.3 (enum ds_dtls13_offer).
 *
 * @param exts
 *   The extensions' 2-byte length, then the extensions.
 * @param avail
 *   Bytes of the ClientHello from @p exts on that this datagram holds.
 * @param whole
 *   The ClientHello is whole (not a first fragment): nothing more will come.
 */
uint8_t ds_hello_dtls13_offer(const uint8_t *exts, uint32_t avail, bool whole);

#endif /* DS_HELLO_VERSIONS_H */
