/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BENCH_PEERS_H
#define DS_BENCH_PEERS_H

/*
 * What the same ClientHellos cost elsewhere, measured in the same run on one core, in memory (no
 * kernel): the bare MAC (raw ipsec-mb, the appliance's floor), OpenSSL DTLSv1_listen on memory BIOs and
 * GnuTLS gnutls_dtls_cookie_verify/_send, as a library server answers them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ds_cookie.h"
#include "ds_secret.h"
#include "frame_set.h"

/* MAC_FLOOR_CBC_MAX (mac_floor.h brings ipsec-mb's names, which clash with OpenSSL's in peers.c). */
enum { PEER_PADDED_MAX = 80 };

/* The frames of a set as a server's socket would see them, and the bytes each MAC covers. */
struct peer_inputs {
	size_t count;
	const uint8_t **payload;                 /* UDP payloads (inside the frame set) */
	uint16_t *payload_len;
	uint8_t (*mac_input)[DS_COOKIE_INPUT_MAX]; /* docs/cookie-format.md input */
	size_t *mac_input_len;
	uint8_t (*client_data)[28];              /* GnuTLS: the client's sockaddr */
	size_t *client_data_len;
	uint8_t (*padded)[PEER_PADDED_MAX];    /* mac_input in whole AES blocks, for the CBC floor */
	size_t *padded_len;
};

/* Classify every frame of @p set (all must be ClientHellos); -1 otherwise or when out of memory. */
int peer_inputs_make(struct peer_inputs *in, const struct frame_set *set);
void peer_inputs_free(struct peer_inputs *in);

struct peer_result {
	double ns_per_packet;
	uint64_t packets;
	uint64_t answered;   /* HVRs written */
	uint64_t accepted;   /* valid cookies */
};

/* The cookie the appliance makes: its format, K_epoch, its key_id, the length. */
struct peer_cookie_key {
	enum ds_cookie_mode mode; /* hmac-sha256, hmac-sha1 or aes-cmac: the formats with the scrubber's input */
	uint8_t key[32];
	uint8_t key_id;
	unsigned cookie_len;
};

/* The MAC of the format's floor over every input, bursts of @p burst on the engine's code path @p arch:
 * HMAC in HASH_BURSTs, or for aes-cmac AES-128-CBC over the padded inputs in CIPHER_BURSTs. */
int peer_ipsec_mb(const struct peer_inputs *in, const char *arch, const struct peer_cookie_key *k, unsigned burst,
		  double seconds, struct peer_result *res);

/*
 * OpenSSL DTLSv1_listen on memory BIOs, cookie callbacks making and checking the appliance's cookie
 * format with EVP_MAC: a ClientHello without a valid cookie is answered with an HVR, one with a valid
 * cookie is accepted (the SSL object is then cleared for the next one).
 */
int peer_openssl_listen(const struct peer_inputs *in, const struct peer_cookie_key *k, double seconds,
			struct peer_result *res);

/*
 * GnuTLS: gnutls_dtls_cookie_verify, then gnutls_dtls_cookie_send when the cookie is not valid, into
 * memory. With @p gnutls_cookies the ClientHellos first get GnuTLS's own cookie (from one cookie_send
 * each, before timing), so that every one verifies.
 */
int peer_gnutls_cookie(const struct peer_inputs *in, bool gnutls_cookies, double seconds,
		       struct peer_result *res);

#endif
