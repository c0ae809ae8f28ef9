/* SPDX-License-Identifier: BSD-3-Clause */
/* Clock, randomness and connection-ID text for the other files. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "server.h"

ngtcp2_tstamp
qs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ngtcp2_tstamp)ts.tv_sec * NGTCP2_SECONDS + (ngtcp2_tstamp)ts.tv_nsec;
}

void
qs_random(uint8_t *out, size_t len)
{
	/* Connection IDs and reset secrets must be unpredictable: no fallback to a weaker source. */
	if (getrandom(out, len, 0) != (ssize_t)len) {
		perror("getrandom");
		exit(1);
	}
}

const char *
qs_cid_hex(const ngtcp2_cid *cid, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < cid->datalen && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", cid->data[i]);
	return buf;
}
