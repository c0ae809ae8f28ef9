/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DTLSCOOKIE_QUIC_H
#define DTLSCOOKIE_QUIC_H

/**
 * @file
 * libdtlscookie for QUIC servers behind dtls-scrubber's Retry offload: check the Retry tokens the
 * appliance puts in its Retry packets (the shared-state format of draft-ietf-quic-retry-offload,
 * docs/quic-retry.md), and make tokens of the same format for a server that sends its own Retry.
 * The keys come from the master secret shared with the scrubbers, so every appliance and every server
 * accepts every other's tokens. Verify and gnutls modes only (trust mode holds no secret).
 *
 *     uint8_t odcid[DTLSCOOKIE_QUIC_CID_MAX];
 *     size_t odcid_len = sizeof(odcid);
 *
 *     if (dtlscookie_quic_token_check(dc, client, hd.dcid.data, hd.dcid.datalen, hd.token, hd.tokenlen,
 *                                     odcid, &odcid_len) == 1) {
 *             // transport parameters: original_dcid = odcid, retry_scid = hd.dcid (RFC 9000 §7.3)
 *     }
 *
 * All functions are thread-safe.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dtlscookie.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Sizes. */
enum dtlscookie_quic_limits {
	DTLSCOOKIE_QUIC_CID_MAX = 20,       /**< QUIC v1/v2 connection IDs */
	DTLSCOOKIE_QUIC_ODCID_MIN = 8,      /**< RFC 9000 §7.2: a client's first DCID */
	DTLSCOOKIE_QUIC_TOKEN_MAX = 81,     /**< the longest token (two 20-byte connection IDs) */
	DTLSCOOKIE_QUIC_TOKEN_LIFETIME_S = 10, /**< a token is good this long (plus 2 s of clock skew) */
};

/**
 * Check the token of a client Initial.
 *
 * @param client
 *   Where the Initial came from (sockaddr_in or sockaddr_in6; IPv4-mapped addresses count as IPv4).
 * @param dcid
 *   The Initial's Destination Connection ID: the Retry's Source Connection ID the token binds.
 * @param odcid
 *   On 1, the client's original Destination Connection ID (the Initial before the Retry).
 * @param odcid_len
 *   In: room at @p odcid (DTLSCOOKIE_QUIC_CID_MAX is always enough). Out, on 1: the ODCID's length.
 * @return
 *   1 when the token is a valid Retry token for this client, port and DCID; 0 when it is not (forged,
 *   expired, of another client, a NEW_TOKEN token, ...); -1 on bad arguments or in trust mode.
 */
int dtlscookie_quic_token_check(struct dtlscookie *dc, const struct sockaddr *client, const uint8_t *dcid,
				size_t dcid_len, const uint8_t *token, size_t token_len, uint8_t *odcid,
				size_t *odcid_len);

/**
 * dtlscookie_quic_token_check() that also tells why: @p reason is set to the verdict's name, as the
 * appliance counts it ("quic_token_valid", "quic_token_bad_tag", "quic_token_expired",
 * "quic_token_wrong_port", ...), a static string; "bad_arguments" with -1.
 */
int dtlscookie_quic_token_check_reason(struct dtlscookie *dc, const struct sockaddr *client, const uint8_t *dcid,
				       size_t dcid_len, const uint8_t *token, size_t token_len, uint8_t *odcid,
				       size_t *odcid_len, const char **reason);

/**
 * Make a Retry token, for a server that answers an Initial with a Retry of its own.
 *
 * @param client
 *   The client the Retry goes to.
 * @param odcid
 *   The Destination Connection ID of the client's Initial (8..20 bytes).
 * @param rscid
 *   The Source Connection ID of the Retry (0..20 bytes): the client's next Initial is sent to it.
 * @param token
 *   Where the token goes.
 * @param token_len
 *   In: room at @p token (DTLSCOOKIE_QUIC_TOKEN_MAX is always enough). Out, on 0: the token's length.
 * @return
 *   0, or -1 on bad arguments, too little room, in trust mode, or when getrandom() fails.
 */
int dtlscookie_quic_token_make(struct dtlscookie *dc, const struct sockaddr *client, const uint8_t *odcid,
			       size_t odcid_len, const uint8_t *rscid, size_t rscid_len, uint8_t *token,
			       size_t *token_len);

#ifdef __cplusplus
}
#endif

#endif /* DTLSCOOKIE_QUIC_H */
