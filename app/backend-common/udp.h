/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EXAMPLE_UDP_H
#define DS_EXAMPLE_UDP_H

/* The socket chores of the example DTLS servers, kept out of their way. */

#include <sys/socket.h>

/* Parse "ADDR:PORT" / "[ADDR6]:PORT" (a specific address: cookies bind it). 0, or -1. */
int udp_parse_address(const char *text, struct sockaddr_storage *ss, socklen_t *len);

/* A UDP socket bound to @p addr with SO_REUSEADDR/SO_REUSEPORT, waking every 200 ms; -1 on error. */
int udp_listen(const struct sockaddr_storage *addr, socklen_t len);

/* A socket of one client's own: same local address, connected to the client; -1 on error. */
int udp_client_socket(const struct sockaddr_storage *local, socklen_t len, const struct sockaddr *client);

/* "ADDR port PORT" for messages. */
const char *udp_name(const struct sockaddr *sa, char *buf, size_t len);

#endif /* DS_EXAMPLE_UDP_H */
