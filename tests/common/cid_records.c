/* SPDX-License-Identifier: BSD-3-Clause */
#include "cid_records.h"

#include <string.h>

#include "ds_wire.h"
#include "put.h"

size_t
cid_server_hello(uint8_t *out, const uint8_t *cid, unsigned cid_len)
{
	uint8_t body[CID_RECORD_MAX], *p = body, *ext_len;
	unsigned i, len;

	p = put16(p, DS_DTLS_VERSION_1_2);
	for (i = 0; i < DS_DTLS_RANDOM_LEN; i++)
		*p++ = (uint8_t)(0xA0 + i);
	*p++ = 0;                 /* session_id */
	p = put16(p, 0xC02B);     /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
	*p++ = 0;                 /* compression: null */
	ext_len = p;
	p += 2;
	p = put16(p, 0xFF01);     /* renegotiation_info, empty */
	p = put16(p, 1);
	*p++ = 0;
	p = put16(p, DS_TLS_EXT_CONNECTION_ID);
	p = put16(p, 1 + cid_len);
	*p++ = (uint8_t)cid_len;
	memcpy(p, cid, cid_len);
	p += cid_len;
	p = put16(p, 0x0017);     /* extended_master_secret, empty */
	p = put16(p, 0);
	put16(ext_len, (unsigned)(p - ext_len - 2));
	len = (unsigned)(p - body);

	p = out;
	*p++ = DS_DTLS_CT_HANDSHAKE;
	p = put16(p, DS_DTLS_VERSION_1_2);
	p = put16(p, 0);          /* epoch */
	p = put48(p, 1);          /* after the HelloVerifyRequest */
	p = put16(p, DS_DTLS_HS_HDR_LEN + len);
	*p++ = DS_DTLS_HS_SERVER_HELLO;
	p = put24(p, len);
	p = put16(p, 1);          /* message_seq */
	p = put24(p, 0);
	p = put24(p, len);
	memcpy(p, body, len);
	return (size_t)(p + len - out);
}

size_t
cid_record(uint8_t *out, const uint8_t *cid, unsigned cid_len, uint64_t seq, unsigned payload_len)
{
	uint8_t *p = out;
	unsigned i;

	*p++ = DS_DTLS_CT_TLS12_CID;
	p = put16(p, DS_DTLS_VERSION_1_2);
	p = put16(p, 1);
	p = put48(p, seq);
	memcpy(p, cid, cid_len);
	p += cid_len;
	p = put16(p, payload_len);
	for (i = 0; i < payload_len; i++)
		*p++ = (uint8_t)(i * 31 + 7);
	return (size_t)(p - out);
}
