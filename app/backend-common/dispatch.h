/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EXAMPLE_DISPATCH_H
#define DS_EXAMPLE_DISPATCH_H

/*
 * The listening loop of the example servers whose DTLS stack judges cookies in its handshake (Mbed TLS,
 * wolfSSL): each datagram of the listening socket is judged with dtlscookie_verify(); a ClientHello
 * with a good cookie gets a socket and a thread of its own, any other ClientHello is handed to the
 * stack on the listening socket so that it answers with its HelloVerifyRequest. The stack's I/O
 * callbacks read and write through the session's struct example_peer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "dtlscookie.h"

enum { EXAMPLE_DATAGRAM_MAX = 4096, EXAMPLE_IDLE_MS = 30000 };

/** A client as the I/O callbacks see it: the first member of every stack's session. */
struct example_peer {
	int fd;                       /**< its own connected socket, or the listening one for an HVR */
	bool listening;               /**< fd is the listening socket: never read other clients' datagrams */
	struct sockaddr_storage peer; /**< where answers go */
	uint8_t first[EXAMPLE_DATAGRAM_MAX]; /**< the ClientHello, read from the listening socket */
	size_t first_len;
	char name[80];
};

/** Send a datagram to the client; -1 on error. */
ssize_t example_peer_send(struct example_peer *p, const void *buf, size_t len);

/**
 * The client's next datagram: the ClientHello first, then its socket, waiting at most @p timeout_ms
 * (0: the idle time). Returns its length, 0 when nothing came (or, on the listening socket, after the
 * ClientHello), -1 on error.
 */
ssize_t example_peer_recv(struct example_peer *p, void *buf, size_t len, unsigned timeout_ms);

/** What the loop asks of a stack. */
struct example_stack {
	/** A session (its first member a struct example_peer, filled by the loop) whose first datagram
	 *  is @p hello from @p peer to @p to; NULL on failure. */
	void *(*session_new)(struct dtlscookie *dc, const struct sockaddr_storage *peer,
			     const struct sockaddr_storage *to, const uint8_t *hello, size_t len);
	/** Run the handshake as far as it goes: on the listening socket, to the HelloVerifyRequest. */
	void (*handshake)(void *session);
	/** Thread body: handshake, echo until the client leaves. */
	void *(*serve)(void *session);
	/** Free the session (the loop closes the client's own socket). */
	void (*session_free)(void *session);
};

/** Take one datagram of the listening socket @p fd (waits at most its receive timeout). */
void example_take_datagram(struct dtlscookie *dc, int fd, const struct example_stack *stack);

#endif /* DS_EXAMPLE_DISPATCH_H */
