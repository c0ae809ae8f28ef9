/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_COOKIE_H
#define DS_COOKIE_H

/**
 * @file
 * Cookie formats, parameters, requests and verdicts: what docs/cookie-format.md specifies.
 *
 * A cookie of the scrubber's own formats is `key_id ‖ MAC(K_epoch, input)[:len-1]`, where input is
 * `client address ‖ client port ‖ server address ‖ server port ‖ client random` (44 bytes for IPv4,
 * 68 for IPv6). The gnutls-compatible format is GnuTLS's own: HMAC-SHA1 over the client's raw
 * sockaddr, 16 bytes, no key_id.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_burst.h"
#include "ds_classify.h"
#include "ds_wire.h"

/** Cookie formats. */
enum ds_cookie_mode {
	DS_COOKIE_HMAC_SHA256, /**< key_id ‖ HMAC-SHA256 (default) */
	DS_COOKIE_HMAC_SHA1,   /**< key_id ‖ HMAC-SHA1 */
	DS_COOKIE_AES_CMAC,    /**< key_id ‖ AES-128-CMAC */
	DS_COOKIE_GNUTLS,      /**< GnuTLS's gnutls_dtls_cookie_send() layout */
	DS_COOKIE_WOLFSSL,     /**< wolfSSL 5's own DTLS 1.2 cookie, with K_epoch as its secret */
	DS_COOKIE_MODE_COUNT
};

/** Sizes of the format. */
enum ds_cookie_sizes {
	DS_COOKIE_MIN_LEN = 8,        /**< key_id + 7 MAC bytes: 2^-56 to guess */
	DS_COOKIE_DEFAULT_LEN = 16,
	DS_COOKIE_GNUTLS_LEN = 16,    /**< GnuTLS's COOKIE_MAC_SIZE */
	DS_COOKIE_WOLFSSL_LEN = 32,   /**< wolfSSL's DTLS_COOKIE_SZ: a whole HMAC-SHA256 */
	DS_COOKIE_WOLFSSL_SUITES_MAX = 512,     /**< cipher suite bytes the wolfssl format covers, at most */
	DS_COOKIE_WOLFSSL_COMPRESSION_MAX = 16, /**< compression method bytes, at most */
	DS_COOKIE_INPUT_V4_LEN = 4 + 2 + 4 + 2 + DS_DTLS_RANDOM_LEN,   /**< 44 */
	DS_COOKIE_INPUT_V6_LEN = 16 + 2 + 16 + 2 + DS_DTLS_RANDOM_LEN, /**< 68 */
	DS_COOKIE_INPUT_MAX = DS_COOKIE_INPUT_V6_LEN,
	/** sockaddr_in6, client_version, random, session_id, cipher suites, compression methods */
	DS_COOKIE_WOLFSSL_INPUT_MAX = 28 + 2 + DS_DTLS_RANDOM_LEN + DS_DTLS_SESSION_ID_MAX + DS_COOKIE_WOLFSSL_SUITES_MAX +
				      DS_COOKIE_WOLFSSL_COMPRESSION_MAX,
	DS_COOKIE_EPOCH_KEY_LEN = 32, /**< K_epoch = HMAC-SHA256(master, label ‖ epoch) */
	DS_COOKIE_BURST_MAX = DS_BURST, /**< requests per MAC burst (ds_cookie_engine_run() takes more in chunks) */
	DS_COOKIE_DEFAULT_PERIOD_S = 60,
	DS_COOKIE_DEFAULT_SKEW_MS = 2000,
	DS_COOKIE_MAX_PERIOD_S = 86400,
};

/** How cookies are made and accepted. */
struct ds_cookie_params {
	enum ds_cookie_mode mode;
	unsigned cookie_len; /**< total length with key_id: 8 .. ds_cookie_max_len(mode) */
	unsigned period_s;   /**< epoch length in seconds, 1 .. 86400 */
	unsigned skew_ms;    /**< accept the next epoch this long before it starts, < period */
};

/** Defaults: HMAC-SHA256, 16 bytes, 60 s epochs, 2 s clock skew. */
void ds_cookie_params_default(struct ds_cookie_params *p);

/** Longest cookie a mode can make (key_id + the whole MAC; 16 for the gnutls format). */
unsigned ds_cookie_max_len(enum ds_cookie_mode mode);

/** Whether a mode's cookies begin with the key_id (the scrubber's own formats); the foreign ones,
 * gnutls and wolfssl, carry none, so every accepted key gets a try. */
bool ds_cookie_has_key_id(enum ds_cookie_mode mode);

/** Shortest cookie a mode accepts (8, or 16 for the gnutls format). */
unsigned ds_cookie_min_len(enum ds_cookie_mode mode);

/**
 * Check parameters.
 *
 * @return
 *   0, or -EINVAL with a reason in @p err (mode, length, period or skew out of range).
 */
int ds_cookie_params_check(const struct ds_cookie_params *p, char *err, size_t err_len);

/** Name of a mode as the configuration spells it ("hmac-sha256", "gnutls", ...). */
const char *ds_cookie_mode_name(enum ds_cookie_mode mode);

/** Mode from its name; -1 when unknown. */
int ds_cookie_mode_parse(const char *name);

/** Verdicts on a ClientHello's cookie; the names are counter names. */
#define DS_COOKIE_VERDICT_LIST(X) \
	X(ABSENT, "cookie_absent", "no cookie: a new one was made") \
	X(VALID, "cookie_valid", "cookie made by a key still accepted, for this client") \
	X(BAD_LENGTH, "cookie_bad_length", "cookie length differs from the configured one") \
	X(UNKNOWN_KEY, "cookie_unknown_key", "key_id of an expired or future epoch") \
	X(BAD_MAC, "cookie_bad_mac", "MAC does not match: forged, another client, or corrupted")

/** Verdict on one request. */
enum ds_cookie_verdict {
#define DS_COOKIE_VERDICT_ENUM(suffix, name, help) DS_COOKIE_##suffix,
	DS_COOKIE_VERDICT_LIST(DS_COOKIE_VERDICT_ENUM)
#undef DS_COOKIE_VERDICT_ENUM
	DS_COOKIE_VERDICT_COUNT
};

/** Counter name of a verdict; "invalid" when out of range. */
const char *ds_cookie_verdict_name(enum ds_cookie_verdict verdict);

/**
 * One ClientHello's cookie business. Pointers refer to the packet (or any buffer) and must stay
 * valid for the duration of the call that takes the request.
 */
struct ds_cookie_request {
	const uint8_t *client_addr;   /**< 4 or 16 bytes, network order */
	const uint8_t *server_addr;   /**< 4 or 16 bytes, network order */
	const uint8_t *client_random; /**< 32 bytes (ignored by the gnutls format) */
	const uint8_t *cookie;        /**< cookie the client presented, NULL for none */
	/** The ClientHello body (client_version first), for the wolfssl format; NULL when its cipher
	 * suites and compression methods are not in the datagram (a first fragment). */
	const uint8_t *hello_body;
	uint16_t suites_at;           /**< cipher suites, from hello_body (after their length) */
	uint16_t suites_len;
	uint8_t compression_len;      /**< compression methods follow the suites' end and their length byte */
	uint8_t session_id_len;       /**< session_id at hello_body + 35 */
	uint16_t client_port;         /**< host order */
	uint16_t server_port;         /**< host order */
	uint8_t ip_version;           /**< 4 or 6 */
	uint8_t cookie_len;           /**< length of the presented cookie (0 for none) */
};

/** The ClientHello fields of the wolfssl format (hello_body and the rest), from a ClientHello
 * classified into @p info whose bytes start at @p base (a frame, or a UDP payload). */
void ds_cookie_request_hello_fields(struct ds_cookie_request *req, const uint8_t *base,
				    const struct ds_frame_info *info);

/** Fill a request from a classified ClientHello frame. */
void ds_cookie_request_from_frame(struct ds_cookie_request *req, const uint8_t *frame,
				  const struct ds_frame_info *info);

struct sockaddr;

/**
 * Fill a request from a ClientHello a server's socket received (ds_classify_dtls() of the payload)
 * and the socket addresses of the client and of the server (as bound).
 *
 * @return
 *   0, or -EINVAL when the payload is no ClientHello or the addresses are not both IPv4 or both IPv6.
 */
int ds_cookie_request_from_datagram(struct ds_cookie_request *req, const uint8_t *payload,
				    const struct ds_frame_info *info, const struct sockaddr *client,
				    const struct sockaddr *server);

/**
 * The bytes a scrubber-format MAC covers (docs/cookie-format.md §2).
 *
 * @param out
 *   At least DS_COOKIE_INPUT_MAX bytes.
 * @return
 *   44 for IPv4, 68 for IPv6.
 */
unsigned ds_cookie_input(const struct ds_cookie_request *req, uint8_t *out);

/**
 * The client data GnuTLS servers pass to gnutls_dtls_cookie_send(): the client's struct sockaddr_in
 * (16 bytes) or sockaddr_in6 (28 bytes, flow info and scope 0) as recvfrom() fills it on this host.
 *
 * @param out
 *   At least 28 bytes.
 * @return
 *   16 or 28.
 */
unsigned ds_cookie_gnutls_client_data(const struct ds_cookie_request *req, uint8_t *out);

/**
 * Whether a classified ClientHello holds everything @p mode's MAC covers: always, but for the wolfssl
 * format, which needs its cipher suites and compression methods in the datagram and within bounds.
 */
bool ds_cookie_frame_covered(enum ds_cookie_mode mode, const struct ds_frame_info *info);

/**
 * The bytes wolfSSL 5 computes its DTLS 1.2 cookie over (docs/cookie-format.md, the wolfssl format):
 * the client's canonical sockaddr (as ds_cookie_gnutls_client_data()), client_version, random,
 * session_id, cipher suites and compression methods, without their length fields.
 *
 * @param out
 *   At least DS_COOKIE_WOLFSSL_INPUT_MAX bytes.
 * @return
 *   Its length, or 0 when the request has no ClientHello fields or they are longer than the format covers.
 */
unsigned ds_cookie_wolfssl_input(const struct ds_cookie_request *req, uint8_t *out);

/**
 * Compare in constant time: the time taken depends on @p len only, never on where the buffers differ.
 *
 * @return
 *   0 when equal, 1 otherwise.
 */
int ds_ct_memneq(const void *a, const void *b, size_t len);

#endif /* DS_COOKIE_H */
