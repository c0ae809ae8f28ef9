/* SPDX-License-Identifier: BSD-3-Clause */
#include "dtls13_hello.h"

#include <string.h>

#include "ds_wire.h"
#include "put.h"

static uint8_t *
supported_versions(uint8_t *p, enum dtls13_versions versions)
{
	const unsigned n = versions == VERSIONS_13_12 ? 2 : 1;

	if (versions == VERSIONS_NONE)
		return p;
	p = put16(p, DS_TLS_EXT_SUPPORTED_VERSIONS);
	p = put16(p, 1 + 2 * n);
	*p++ = (uint8_t)(2 * n);
	if (versions != VERSIONS_12)
		p = put16(p, DS_DTLS_VERSION_1_3);
	if (versions != VERSIONS_13)
		p = put16(p, DS_DTLS_VERSION_1_2);
	return p;
}

static uint8_t *
key_share(uint8_t *p, unsigned len)
{
	unsigned i;

	p = put16(p, 51);          /* key_share (RFC 8446 §4.2.8) */
	p = put16(p, 2 + 4 + len);
	p = put16(p, 4 + len);     /* client_shares */
	p = put16(p, len == 32 ? 0x001d : 0x11ec); /* x25519, or X25519MLKEM768 */
	p = put16(p, len);
	for (i = 0; i < len; i++)
		*p++ = (uint8_t)(i * 13 + 5);
	return p;
}

/* The ClientHello body: legacy fields, TLS 1.3 suites, the extensions. Returns its end. */
static uint8_t *
body(uint8_t *p, const struct dtls13_hello_spec *s)
{
	static const uint8_t groups[] = { 0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17 };
	static const uint8_t sigalgs[] = { 0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04 };
	uint8_t *ext_len;
	unsigned i;

	p = put16(p, DS_DTLS_VERSION_1_2);  /* legacy_version */
	for (i = 0; i < DS_DTLS_RANDOM_LEN; i++)
		*p++ = (uint8_t)(0x60 + i);
	*p++ = 0;                           /* legacy_session_id */
	*p++ = s->cookie_len;               /* legacy_cookie */
	memset(p, 0xC0, s->cookie_len);
	p += s->cookie_len;
	p = put16(p, 6);                    /* TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 */
	p = put16(p, 0x1301);
	p = put16(p, 0x1302);
	p = put16(p, 0x1303);
	*p++ = 1;                           /* legacy_compression_methods: null */
	*p++ = 0;
	ext_len = p;
	p += 2;
	memcpy(p, groups, sizeof(groups));
	p += sizeof(groups);
	if (s->key_share_first)
		p = key_share(p, s->key_share_len);
	p = supported_versions(p, s->versions);
	memcpy(p, sigalgs, sizeof(sigalgs));
	p += sizeof(sigalgs);
	if (!s->key_share_first)
		p = key_share(p, s->key_share_len);
	put16(ext_len, (unsigned)(p - ext_len - 2));
	return p;
}

size_t
dtls13_hello(uint8_t *out, const struct dtls13_hello_spec *spec)
{
	uint8_t msg[4096];
	const unsigned len = (unsigned)(body(msg, spec) - msg);
	const unsigned frag = spec->fragment_at != 0 && spec->fragment_at < len ? spec->fragment_at : len;
	uint8_t *p = out;

	*p++ = DS_DTLS_CT_HANDSHAKE;
	p = put16(p, DS_DTLS_VERSION_1_2);  /* a ClientHello's record: legacy DTLS 1.2 header */
	p = put16(p, 0);
	memset(p, 0, 6);
	p += 6;
	p = put16(p, DS_DTLS_HS_HDR_LEN + frag);
	*p++ = DS_DTLS_HS_CLIENT_HELLO;
	p = put24(p, len);
	p = put16(p, 0);
	p = put24(p, 0);
	p = put24(p, frag);
	memcpy(p, msg, frag);
	return (size_t)(p + frag - out);
}
