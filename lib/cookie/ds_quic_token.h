/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_QUIC_TOKEN_H
#define DS_QUIC_TOKEN_H

/**
 * @file
 * QUIC Retry tokens in the shared-state format of draft-ietf-quic-retry-offload (docs/quic-retry.md),
 * sealed with AES-128-GCM under keys derived from the cookie epoch keys, so that every appliance and
 * every server holding the master secret makes and checks the same tokens; and the Retry Integrity Tag
 * (RFC 9001 §5.8, RFC 9369 §3.3.3). Pure C on ipsec-mb: the appliance and libdtlscookie share it.
 *
 * Wire image: key byte (token type 0 in the top bit, key sequence = epoch mod 128), 12-byte unique
 * token number, the sealed body {ODCIL, RSCIL, client port, ODCID, RSCID, expiry (64-bit Unix
 * seconds)}, 16-byte AEAD tag. Associated data: client address (16 bytes, IPv4 zero-padded), unique
 * token number, key byte. Nonce: token IV XOR unique token number.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_wire.h"

struct ds_cookie_engine;
struct ds_cookie_keyset;

/** Sizes. */
enum ds_quic_token_limits {
	DS_QUIC_TOKEN_UNIQUE_LEN = 12, /**< unique token number (the nonce's varying part) */
	DS_QUIC_TOKEN_KEY_LEN = 16,    /**< AES-128 */
	DS_QUIC_TOKEN_IV_LEN = 12,
	DS_QUIC_TOKEN_BODY_FIXED = 1 + 1 + 2 + 8, /**< ODCIL, RSCIL, port, expiry */
	DS_QUIC_TOKEN_OVERHEAD = 1 + DS_QUIC_TOKEN_UNIQUE_LEN + DS_QUIC_TOKEN_BODY_FIXED + DS_QUIC_TAG_LEN,
	DS_QUIC_TOKEN_MAX = DS_QUIC_TOKEN_OVERHEAD + 2 * DS_QUIC_CID_MAX, /**< 81 */
	DS_QUIC_TOKEN_RETRY_TYPE = 0x00, /**< top bit of the key byte: 0 Retry, 1 NEW_TOKEN */
	DS_QUIC_TOKEN_NEW_TOKEN_TYPE = 0x80,
	DS_QUIC_TOKEN_LIFETIME_S = 10, /**< a Retry token is good this long after it was made */
	DS_QUIC_TOKEN_GRACE_S = 2,     /**< the draft's allowance for clocks two seconds apart */
};

/** What checking a token found; the names are counter names. */
#define DS_QUIC_TOKEN_VERDICT_LIST(X) \
	X(VALID, "quic_token_valid", "Retry token good for this client, port and connection ID") \
	X(NOT_RETRY, "quic_token_not_retry", "token of another kind (NEW_TOKEN or foreign): answered with a Retry") \
	X(MALFORMED, "quic_token_malformed", "Retry token of an impossible length") \
	X(UNKNOWN_KEY, "quic_token_unknown_key", "key sequence of no epoch accepted now") \
	X(BAD_TAG, "quic_token_bad_tag", "AEAD tag wrong: forged, or for another address or RSCID") \
	X(EXPIRED, "quic_token_expired", "expiry more than two seconds in the past") \
	X(BAD_CONTENT, "quic_token_bad_content", "sealed ODCID or RSCID length impossible, or RSCID not this DCID") \
	X(WRONG_PORT, "quic_token_wrong_port", "sealed port is not the datagram's source port")

/** Verdict on a token. */
enum ds_quic_token_verdict {
#define DS_QUIC_TOKEN_VERDICT_ENUM(suffix, name, help) DS_QUIC_TOKEN_##suffix,
	DS_QUIC_TOKEN_VERDICT_LIST(DS_QUIC_TOKEN_VERDICT_ENUM)
#undef DS_QUIC_TOKEN_VERDICT_ENUM
	DS_QUIC_TOKEN_VERDICT_COUNT
};

/** The client a token is for, and the connection IDs it binds. */
struct ds_quic_token_fields {
	uint8_t ip_version;            /**< 4 or 6 */
	uint8_t odcid_len;             /**< 0..20 */
	uint8_t rscid_len;             /**< 0..20 */
	uint16_t client_port;          /**< host order */
	uint8_t client_addr[16];       /**< IPv4 in the first 4 bytes */
	uint8_t odcid[DS_QUIC_CID_MAX];  /**< the DCID of the client's first Initial */
	uint8_t rscid[DS_QUIC_CID_MAX];  /**< the SCID of the Retry = the DCID of the Initial bearing the token */
	uint64_t expiry_s;             /**< Unix seconds */
};

/** An explicitly given token key (the draft's configuration agent; test vectors). */
struct ds_quic_token_key {
	uint8_t key[DS_QUIC_TOKEN_KEY_LEN];
	uint8_t iv[DS_QUIC_TOKEN_IV_LEN];
	uint8_t sequence; /**< 0..127 */
};

/**
 * Seal a Retry token with the key set's current epoch.
 *
 * @param unique
 *   DS_QUIC_TOKEN_UNIQUE_LEN bytes never used before with this epoch's key (the GCM nonce).
 * @param token
 *   DS_QUIC_TOKEN_MAX bytes of room.
 * @return
 *   The token's length.
 */
unsigned ds_quic_token_seal(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
			    const struct ds_quic_token_fields *f, const uint8_t *unique, uint8_t *token);

/** The same under an explicit key. */
unsigned ds_quic_token_seal_with(struct ds_cookie_engine *e, const struct ds_quic_token_key *key,
				 const struct ds_quic_token_fields *f, const uint8_t *unique, uint8_t *token);

/**
 * Check the token of an Initial.
 *
 * @param bearer
 *   The Initial's client: ip_version, client_addr, client_port, and in rscid/rscid_len its DCID.
 * @param now_s
 *   Unix seconds.
 * @param out
 *   On DS_QUIC_TOKEN_VALID, the token's fields (the ODCID a server must put in its transport
 *   parameters); may be NULL.
 */
enum ds_quic_token_verdict ds_quic_token_open(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
					      const uint8_t *token, size_t len,
					      const struct ds_quic_token_fields *bearer, uint64_t now_s,
					      struct ds_quic_token_fields *out);

/** The same under an explicit key. */
enum ds_quic_token_verdict ds_quic_token_open_with(struct ds_cookie_engine *e, const struct ds_quic_token_key *key,
						   const uint8_t *token, size_t len,
						   const struct ds_quic_token_fields *bearer, uint64_t now_s,
						   struct ds_quic_token_fields *out);

/**
 * Retry Integrity Tag over a Retry pseudo-packet (ODCID length, ODCID, then the Retry without its tag).
 *
 * @param version
 *   DS_QUIC_VERSION_1 or DS_QUIC_VERSION_2.
 * @return
 *   0, or -1 for another version.
 */
int ds_quic_retry_tag(struct ds_cookie_engine *e, uint32_t version, const uint8_t *pseudo, size_t len,
		      uint8_t tag[DS_QUIC_TAG_LEN]);

/** Counter name of a verdict; "invalid" when out of range. */
const char *ds_quic_token_verdict_name(enum ds_quic_token_verdict v);

/** One line about a verdict for operators. */
const char *ds_quic_token_verdict_help(enum ds_quic_token_verdict v);

#endif /* DS_QUIC_TOKEN_H */
