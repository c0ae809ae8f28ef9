/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EXAMPLE_UDP_H
#define DS_EXAMPLE_UDP_H

/* The socket chores of the example DTLS servers, kept out of their way. */

#include <sys/socket.h>

/*
 * Parse "ADDR:PORT" / "[ADDR6]:PORT": a specific address, or 0.0.0.0 / [::] (every address; [::] is
 * dual-stack, IPv4 clients arriving as IPv4-mapped addresses). 0, or -1.
 */
int udp_parse_address(const char *text, struct sockaddr_storage *ss, socklen_t *len);

/* A UDP socket bound to @p addr with SO_REUSEADDR/SO_REUSEPORT, waking every 200 ms; -1 on error. */
int udp_listen(const struct sockaddr_storage *addr, socklen_t len);

/* A socket of one client's own: bound to the address it sent to, connected to it; -1 on error. */
int udp_client_socket(const struct sockaddr_storage *local, const struct sockaddr *client);

/* The length of a sockaddr_in or sockaddr_in6. */
socklen_t udp_len(const struct sockaddr_storage *ss);

/* "ADDR port PORT" for messages. */
const char *udp_name(const struct sockaddr *sa, char *buf, size_t len);

#endif /* DS_EXAMPLE_UDP_H */
