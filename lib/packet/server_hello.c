/* SPDX-License-Identifier: BSD-3-Clause */
#include "server_hello.h"

#include "ds_wire.h"

enum {
	SH_FIXED_BEFORE_SESSION_ID = 2 + DS_DTLS_RANDOM_LEN, /* server_version, random */
	SH_AFTER_SESSION_ID = 2 + 1,                         /* cipher_suite, compression_method */
	EXT_HDR_LEN = 4,                                     /* extension_type, extension_data length */
};

/* The extensions block of a ServerHello body of @p len bytes at @p body: its offset, or 0 if none. */
static uint32_t
extensions_at(const uint8_t *body, uint32_t len)
{
	uint32_t at = SH_FIXED_BEFORE_SESSION_ID;

	if (len < at + 1 || body[at] > DS_DTLS_SESSION_ID_MAX)
		return 0;
	at += 1 + body[at] + SH_AFTER_SESSION_ID;
	/* The extensions' own length must fill the rest of the message exactly. */
	if (len < at + 2 || ds_load_be16(body + at) != len - at - 2)
		return 0;
	return at + 2;
}

int
ds_server_hello_cid(const uint8_t *hs, uint32_t len, uint32_t *cid_offset)
{
	const uint8_t *body = hs + DS_DTLS_HS_HDR_LEN;
	uint32_t body_len, at;

	if (len < DS_DTLS_HS_HDR_LEN || hs[0] != DS_DTLS_HS_SERVER_HELLO)
		return -1;
	body_len = ds_load_be24(hs + 1);
	/* Whole and alone in its record: a fragment may not hold the extensions. */
	if (ds_load_be24(hs + 6) != 0 || ds_load_be24(hs + 9) != body_len || body_len != len - DS_DTLS_HS_HDR_LEN)
		return -1;
	if ((at = extensions_at(body, body_len)) == 0)
		return -1;
	while (at + EXT_HDR_LEN <= body_len) {
		const uint16_t type = ds_load_be16(body + at), ext_len = ds_load_be16(body + at + 2);

		at += EXT_HDR_LEN;
		if (ext_len > body_len - at)
			return -1;
		/* opaque cid<0..2^8-1>: a length byte and exactly that many bytes. */
		if (type == DS_TLS_EXT_CONNECTION_ID) {
			if (ext_len < 1 || body[at] != ext_len - 1)
				return -1;
			*cid_offset = DS_DTLS_HS_HDR_LEN + at + 1;
			return body[at];
		}
		at += ext_len;
	}
	return -1;
}
