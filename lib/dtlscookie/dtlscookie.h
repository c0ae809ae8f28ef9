/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DTLSCOOKIE_H
#define DTLSCOOKIE_H

/**
 * @file
 * libdtlscookie: lets a DTLS server accept the cookies dtls-scrubber puts in its HelloVerifyRequests.
 *
 * A stock DTLS 1.2 server cannot complete a handshake behind a cookie scrubber: the client's second
 * ClientHello carries the scrubber's cookie, and the handshake transcript covers it. The server must
 * accept that cookie as its own. Three modes:
 *
 * - DTLSCOOKIE_VERIFY (default): recompute the cookie's MAC from the master secret shared with the
 *   scrubbers. Safe even if traffic bypasses the scrubber.
 * - DTLSCOOKIE_TRUST: accept any cookie of the right shape (length, key_id of an epoch in use). Only for
 *   servers that nothing but the scrubber can reach; no secret on the server.
 * - DTLSCOOKIE_GNUTLS: GnuTLS's own cookie format (HMAC-SHA1 over the client's sockaddr) with keys
 *   derived from the shared master secret, for GnuTLS servers that use gnutls_dtls_cookie_verify().
 *
 * docs/deploying.md shows the three lines a server needs; docs/cookie-format.md is the format.
 * All functions are thread-safe.
 */

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How the server judges cookies. */
enum dtlscookie_mode {
	DTLSCOOKIE_VERIFY = 0, /**< recompute the MAC with the shared master secret */
	DTLSCOOKIE_TRUST,      /**< shape only: the network guarantees only the scrubber reaches us */
	DTLSCOOKIE_GNUTLS,     /**< GnuTLS's cookie layout with keys from the master secret */
};

/** Settings; they must match the scrubbers' cookie: section. Zero means default. */
struct dtlscookie_options {
	enum dtlscookie_mode mode;
	const char *secret_file;  /**< verify and gnutls modes: the master secret file (mode 0600) */
	const char *format;       /**< "hmac-sha256" (default), "hmac-sha1", "aes-cmac" (verify, trust) */
	unsigned cookie_len;      /**< default 16 */
	unsigned key_period_s;    /**< default 60 */
	int clock_skew_ms;        /**< default 2000; -1 for none */
};

/** A server's cookie context. */
struct dtlscookie;

/**
 * Create a context.
 *
 * @param opt
 *   Settings; NULL for verify mode with every default (then the secret file is required: NULL fails).
 * @param err
 *   Why it failed ("FILE: mode 0644 lets group or others at the secret (chmod 600)", ...).
 * @return
 *   The context, or NULL.
 */
struct dtlscookie *dtlscookie_new(const struct dtlscookie_options *opt, char *err, size_t err_len);

/** Free a context; key material is wiped. */
void dtlscookie_free(struct dtlscookie *dc);

/**
 * Change the master secret while serving (a rotation, docs/cookie-format.md §5), thread-safe: new
 * cookies come from @p secret_file; cookies made with the master in @p also_file (NULL: none) are
 * accepted too. The usual order across a deployment: every box and backend first accepts the new
 * master (secret old, also new), then makes its cookies (secret new, also old), then, two key periods
 * later, forgets the old one (also NULL). Not for trust mode or the wolfssl format.
 *
 * @return
 *   0, or -1 with the reason in @p err (nothing changed).
 */
int dtlscookie_set_secrets(struct dtlscookie *dc, const char *secret_file, const char *also_file, char *err,
			   size_t err_len);

/**
 * Judge the cookie of a ClientHello datagram, for any DTLS stack.
 *
 * @param client
 *   Where the datagram came from (sockaddr_in or sockaddr_in6; IPv4-mapped IPv6 addresses count as IPv4).
 * @param server
 *   The address it was sent to: cookies bind it (on a wildcard socket, from dtlscookie_recv()).
 * @param datagram
 *   The UDP payload as received.
 * @return
 *   1 when the cookie is good, 0 when it is absent or bad, -1 when the datagram is no ClientHello or
 *   the addresses are of different families.
 */
int dtlscookie_verify(struct dtlscookie *dc, const struct sockaddr *client, const struct sockaddr *server,
		      const void *datagram, size_t len);

/**
 * The cookie for a ClientHello (for a server that sends its own HelloVerifyRequest, e.g. while the
 * scrubber fails open): the scrubber's own format, so that the scrubber and every backend accept it.
 *
 * @param cookie
 *   At least 32 bytes.
 * @param cookie_len
 *   Set to the cookie's length.
 * @return
 *   0, or -1 when the datagram is no ClientHello or the addresses do not match.
 */
int dtlscookie_make(struct dtlscookie *dc, const struct sockaddr *client, const struct sockaddr *server,
		    const void *datagram, size_t len, unsigned char *cookie, unsigned *cookie_len);

/**
 * Ask the kernel to tell each datagram's destination address on @p fd (IP_PKTINFO, IPV6_RECVPKTINFO),
 * for dtlscookie_recv(). Needed on a socket bound to a wildcard address (0.0.0.0, ::): cookies bind
 * the address the client sent to. Call it after bind().
 *
 * @return
 *   0, or -1 with errno set.
 */
int dtlscookie_socket_setup(int fd);

/**
 * recvmsg() that also tells the address the datagram was sent to: from the kernel's packet info when
 * dtlscookie_socket_setup() was called, else the socket's own address. @p client is as the kernel gave
 * it (an IPv4 client of a dual-stack socket is an IPv4-mapped IPv6 address, as sendto() wants it);
 * every dtlscookie function accepts such addresses and treats them as the IPv4 addresses they carry.
 *
 * @param flags
 *   recvmsg() flags (MSG_PEEK to leave the datagram for the DTLS stack).
 * @return
 *   Bytes received, or -1 with errno set.
 */
ssize_t dtlscookie_recv(int fd, void *buf, size_t len, int flags, struct sockaddr_storage *client,
			struct sockaddr_storage *server);

/** The mode of a context. */
enum dtlscookie_mode dtlscookie_get_mode(const struct dtlscookie *dc);

#ifdef __cplusplus
}
#endif

#endif /* DTLSCOOKIE_H */
