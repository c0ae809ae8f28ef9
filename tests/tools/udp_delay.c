/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udp_delay: a UDP relay that holds every client-to-server datagram for DELAY_MS. With EPOCH_MS (the
 * key period), a first ClientHello (no cookie) is instead held until DELAY_MS before the next epoch
 * boundary of the wall clock: its cookie is made in the last DELAY_MS of an epoch and the second
 * ClientHello, held DELAY_MS, reaches the scrubber in the next epoch, every time. Every hold stays
 * shorter than the clients' 1 s retransmission timer, so no retransmission races the handshake.
 * Server-to-client datagrams pass at once.
 *
 * With --gate FILE, a second ClientHello (one with a cookie) is held until FILE exists, and everything
 * after it waits behind it: the test decides when a handshake that has its cookie goes on (after the
 * scrubber switched its challenge mode, say). The client's retransmissions of it meanwhile are lost,
 * as on a path that delays one datagram and drops the next: several copies of a verified ClientHello
 * arriving at once would start as many handshakes at a DTLSv1_listen() server, which is the server's
 * race to lose, not what the test is about.
 *
 *   udp_delay [--gate FILE] LISTEN_ADDR:PORT SERVER_ADDR:PORT DELAY_MS [EPOCH_MS]
 *
 * One client at a time (the last one that spoke). Stops on SIGTERM.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "udp.h"

enum { QUEUE = 256, DATAGRAM_MAX = 4096 };

struct held {
	long long due_ms;
	int gated;        /* waits for the gate file, not for due_ms */
	size_t len;
	unsigned char data[DATAGRAM_MAX];
};

static long long
clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* The cookie length of a DTLS ClientHello (record header 13 bytes, handshake header 12), or -1. */
static int
hello_cookie_len(const unsigned char *d, size_t len)
{
	const size_t session_id_at = 13 + 12 + 2 + 32;
	size_t cookie_at;

	if (len <= session_id_at || d[0] != 22 || d[13] != 1)
		return -1;
	cookie_at = session_id_at + 1 + d[session_id_at];
	return cookie_at < len ? d[cookie_at] : -1;
}

static int
is_first_client_hello(const unsigned char *d, size_t len)
{
	return hello_cookie_len(d, len) == 0;
}

static int
is_second_client_hello(const unsigned char *d, size_t len)
{
	return hello_cookie_len(d, len) > 0;
}

/* How long to hold a datagram: see the head comment. */
static long long
hold_ms(const unsigned char *d, size_t len, long delay, long epoch)
{
	long long to_boundary;

	if (epoch <= 0 || !is_first_client_hello(d, len))
		return delay;
	to_boundary = epoch - clock_ms(CLOCK_REALTIME) % epoch;
	return to_boundary > delay ? to_boundary - delay : 0;
}

int
main(int argc, char **argv)
{
	static struct held queue[QUEUE];
	struct sockaddr_storage listen_at, server, client;
	socklen_t listen_len, server_len, client_len = 0;
	unsigned head = 0, tail = 0;
	long delay, epoch = 0;
	const char *gate = NULL;
	int in, out, gate_open = 0, holding = 0;

	if (argc > 2 && strcmp(argv[1], "--gate") == 0) {
		gate = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc == 5)
		epoch = atol(argv[4]);
	if (argc < 4 || argc > 5 || epoch < 0 || udp_parse_address(argv[1], &listen_at, &listen_len) != 0 ||
	    udp_parse_address(argv[2], &server, &server_len) != 0 || (delay = atol(argv[3])) < 0) {
		fprintf(stderr, "usage: %s [--gate FILE] LISTEN_ADDR:PORT SERVER_ADDR:PORT DELAY_MS [EPOCH_MS]\n", argv[0]);
		return 2;
	}
	in = socket(listen_at.ss_family, SOCK_DGRAM, 0);
	out = socket(server.ss_family, SOCK_DGRAM, 0);
	if (in < 0 || out < 0 || bind(in, (struct sockaddr *)&listen_at, listen_len) != 0 ||
	    connect(out, (struct sockaddr *)&server, server_len) != 0) {
		perror("udp_delay");
		return 1;
	}
	printf("udp_delay: %s -> %s, %ld ms, epochs of %ld ms%s%s\n", argv[1], argv[2], delay, epoch,
	       gate != NULL ? ", second ClientHellos held until " : "", gate != NULL ? gate : "");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { .fd = in, .events = POLLIN }, { .fd = out, .events = POLLIN } };
		int wait;

		if (gate != NULL && !gate_open)
			gate_open = access(gate, F_OK) == 0;
		/* A closed gate at the head of the queue: look at the file again in 50 ms. */
		wait = head == tail ? 100
		       : queue[head % QUEUE].gated && !gate_open ? 50
							    : (int)(queue[head % QUEUE].due_ms - now_ms());

		poll(p, 2, wait < 0 ? 0 : wait);
		if (p[0].revents & POLLIN) {
			struct held *h = &queue[tail % QUEUE];
			ssize_t n;

			client_len = sizeof(client);
			n = recvfrom(in, h->data, sizeof(h->data), 0, (struct sockaddr *)&client, &client_len);
			if (n > 0 && tail - head < QUEUE && gate != NULL && !gate_open && holding &&
			    is_second_client_hello(h->data, (size_t)n)) {
				/* a retransmission of the ClientHello at the gate: lost */
			} else if (n > 0 && tail - head < QUEUE) {
				h->len = (size_t)n;
				h->due_ms = now_ms() + hold_ms(h->data, h->len, delay, epoch);
				h->gated = gate != NULL && !gate_open && is_second_client_hello(h->data, h->len);
				holding |= h->gated;
				if (h->gated) {
					printf("udp_delay: holding a second ClientHello until %s exists\n", gate);
					fflush(stdout);
				}
				tail++;
			}
		}
		if (p[1].revents & POLLIN) {
			unsigned char buf[DATAGRAM_MAX];
			ssize_t n = recv(out, buf, sizeof(buf), 0);

			if (n > 0 && client_len != 0)
				sendto(in, buf, (size_t)n, 0, (struct sockaddr *)&client, client_len);
		}
		while (head != tail && (!queue[head % QUEUE].gated || gate_open) && queue[head % QUEUE].due_ms <= now_ms()) {
			send(out, queue[head % QUEUE].data, queue[head % QUEUE].len, 0);
			head++;
		}
	}
}
