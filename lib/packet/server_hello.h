/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_SERVER_HELLO_H
#define DS_SERVER_HELLO_H

/* The one thing the appliance reads in a service's ServerHello: the connection ID it asks for. */

#include <stdint.h>

/**
 * The connection_id extension (RFC 9146 §3) of a plaintext, unfragmented ServerHello handshake message
 * (its 12-byte handshake header first) of @p len bytes: the length of the CID the server asks its
 * client to put in the records it sends (0: an empty CID, the client sends plain records), and in
 * @p cid_offset where the CID starts, counted from @p hs.
 *
 * @return
 *   That length (0..255), or -1 when the message is not such a ServerHello, is malformed, or has no
 *   connection_id extension.
 */
int ds_server_hello_cid(const uint8_t *hs, uint32_t len, uint32_t *cid_offset);

#endif /* DS_SERVER_HELLO_H */
