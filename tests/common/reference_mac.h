/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_REFERENCE_MAC_H
#define DS_TEST_REFERENCE_MAC_H

/**
 * @file
 * docs/cookie-format.md implemented a second time, independently of lib/cookie: input layouts written
 * from the spec, every MAC computed by OpenSSL's EVP_MAC. Tests compare the engine against it.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_cookie.h"

/** Reference context: reused EVP_MAC contexts. */
struct reference_mac;

struct reference_mac *reference_mac_create(void);
void reference_mac_destroy(struct reference_mac *r);

/** K_epoch = HMAC-SHA256(master, "dtls-scrubber cookie v1" ‖ be64(epoch)). */
void reference_epoch_key(struct reference_mac *r, const uint8_t *master, size_t master_len,
			 uint64_t epoch, uint8_t key[32]);

/**
 * The cookie @p mode makes for a client under K_epoch, @p len bytes (key_id first for the scrubber's
 * formats).
 */
void reference_cookie(struct reference_mac *r, enum ds_cookie_mode mode, const uint8_t key[32],
		      uint64_t epoch, const struct ds_cookie_request *req, unsigned len, uint8_t *cookie);

/** The spec's MAC input (44 or 68 bytes), built here from the spec's table. */
size_t reference_input(const struct ds_cookie_request *req, uint8_t *out);

/** GnuTLS's client data: the sockaddr_in / sockaddr_in6 a server's recvfrom() fills. */
size_t reference_sockaddr(const struct ds_cookie_request *req, uint8_t *out);

/** The wolfssl format's input: that sockaddr, then the ClientHello fields wolfSSL covers. */
size_t reference_wolfssl_input(const struct ds_cookie_request *req, uint8_t *out);

#endif /* DS_TEST_REFERENCE_MAC_H */
