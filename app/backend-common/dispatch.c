/* SPDX-License-Identifier: BSD-3-Clause */
#include "dispatch.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udp.h"

ssize_t
example_peer_send(struct example_peer *p, const void *buf, size_t len)
{
	return sendto(p->fd, buf, len, 0, (struct sockaddr *)&p->peer, udp_len(&p->peer));
}

ssize_t
example_peer_recv(struct example_peer *p, void *buf, size_t len, unsigned timeout_ms)
{
	struct pollfd w = { .fd = p->fd, .events = POLLIN };
	int ready;

	if (p->first_len > 0) {
		const size_t n = p->first_len < len ? p->first_len : len;

		memcpy(buf, p->first, n);
		p->first_len = 0;
		return (ssize_t)n;
	}
	if (p->listening)
		return 0;
	ready = poll(&w, 1, timeout_ms == 0 ? EXAMPLE_IDLE_MS : (int)timeout_ms);
	if (ready <= 0)
		return ready;
	return recv(p->fd, buf, len, 0);
}

/* The stack's session with its example_peer filled in. */
static void *
session_for(struct dtlscookie *dc, const struct example_stack *stack, int fd, const struct sockaddr_storage *peer,
	    const struct sockaddr_storage *to, const uint8_t *hello, size_t len)
{
	void *session = stack->session_new(dc, peer, to, hello, len);
	struct example_peer *p = session;

	if (p == NULL)
		return NULL;
	p->fd = fd;
	p->listening = fd >= 0;
	p->peer = *peer;
	memcpy(p->first, hello, len);
	p->first_len = len;
	udp_name((const struct sockaddr *)peer, p->name, sizeof(p->name));
	return session;
}

struct serving {
	const struct example_stack *stack;
	void *session;
};

static void *
serve(void *arg)
{
	struct serving s = *(struct serving *)arg;
	const int fd = ((struct example_peer *)s.session)->fd;

	free(arg);
	s.stack->serve(s.session);
	close(fd);
	s.stack->session_free(s.session);
	return NULL;
}

void
example_take_datagram(struct dtlscookie *dc, int fd, const struct example_stack *stack)
{
	uint8_t buf[EXAMPLE_DATAGRAM_MAX];
	struct sockaddr_storage peer, to;
	struct serving *s;
	pthread_t thread;
	void *session;
	const ssize_t n = dtlscookie_recv(fd, buf, sizeof(buf), 0, &peer, &to);
	int verdict, own;

	if (n <= 0 || (verdict = dtlscookie_verify(dc, (struct sockaddr *)&peer, (struct sockaddr *)&to, buf,
						   (size_t)n)) < 0)
		return;
	if (verdict == 0) {
		/* The stack finds no good cookie and sends its HelloVerifyRequest, from the listening socket. */
		if ((session = session_for(dc, stack, fd, &peer, &to, buf, (size_t)n)) != NULL) {
			stack->handshake(session);
			stack->session_free(session);
		}
		return;
	}
	if ((own = udp_client_socket(&to, (struct sockaddr *)&peer)) < 0) {
		perror("client socket");
		return;
	}
	session = session_for(dc, stack, own, &peer, &to, buf, (size_t)n);
	s = session != NULL ? malloc(sizeof(*s)) : NULL;
	if (s == NULL) {
		fprintf(stderr, "no session for a client\n");
		if (session != NULL)
			stack->session_free(session);
		close(own);
		return;
	}
	((struct example_peer *)session)->listening = false;
	*s = (struct serving){ stack, session };
	if (pthread_create(&thread, NULL, serve, s) == 0)
		pthread_detach(thread);
}
