/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_CID_RECORDS_H
#define DS_TEST_CID_RECORDS_H

/**
 * @file
 * DTLS 1.2 connection-ID records (RFC 9146) built from the RFCs' structures, since no DTLS library
 * Debian 12 ships negotiates them (mbedTLS 2.28 has the draft's code disabled, wolfSSL 5.5 none):
 * a service's ServerHello asking for a CID, and a client's tls12_cid record carrying it.
 */

#include <stddef.h>
#include <stdint.h>

enum { CID_RECORD_MAX = 512 };

/**
 * A ServerHello record (RFC 5246 §7.4.1.3 in an RFC 6347 record, epoch 0) whose extensions are
 * renegotiation_info, then connection_id with @p cid (RFC 9146 §3), then extended_master_secret.
 *
 * @return
 *   Bytes written to @p out (at least CID_RECORD_MAX).
 */
size_t cid_server_hello(uint8_t *out, const uint8_t *cid, unsigned cid_len);

/**
 * A client's tls12_cid record (RFC 9146 §4): content type 25, DTLS 1.2, epoch 1, sequence @p seq,
 * @p cid, then the length of @p payload_len opaque bytes.
 *
 * @return
 *   Bytes written to @p out (at least CID_RECORD_MAX).
 */
size_t cid_record(uint8_t *out, const uint8_t *cid, unsigned cid_len, uint64_t seq, unsigned payload_len);

#endif /* DS_TEST_CID_RECORDS_H */
