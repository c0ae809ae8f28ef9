/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scale-out behind ECMP: appliances that share only the master secret accept each other's cookies.
 * Appliance A answers a real ClientHello (IPv4 and IPv6 captures) with an HVR; the client's second
 * ClientHello, carrying A's cookie, then goes through appliance B, another process with its own copy
 * of the secret: B must forward it unmodified. Appliance C, with another secret, must refuse it.
 * Each appliance runs the shipped replay configuration (config/examples/replay.yaml).
 *
 *   test_ecmp DTLS_SCRUBBER
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "ds_classify.h"
#include "replay.h"
#include "tap.h"

static const char *scrubber;
static const char *root;

static void
check_capture(const char *file, const char *other_secret)
{
	char path[4200], same_secret[] = "/tmp/ds-ecmp-secret-XXXXXX";
	struct capture cap;
	struct capture_frame *ch1 = NULL, ch2 = { 0 };
	struct replay a, b, c;
	uint8_t cookie[32];
	unsigned cookie_len = 0;
	struct ds_frame_info info;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/tests/captures/%s", root, file);
	capture_load(path, &cap);
	for (i = 0; i < cap.count && ch1 == NULL; i++)
		if (ds_classify(cap.frames[i].data, cap.frames[i].len, NULL, &info) == DS_OUT_DTLS_CLIENT_HELLO)
			ch1 = &cap.frames[i];
	if (ch1 == NULL)
		tap_bail("%s: no ClientHello", file);

	/* A: the ClientHello without a cookie comes back as an HVR. */
	if (replay_run(scrubber, root, ch1, 1, info.dst_port, NULL, &a) == 0 && a.outside.count == 1)
		cookie_len = frame_hvr_cookie(&a.outside.frames[0], cookie);
	tap_check(cookie_len == 16 && a.inside.count == 0, "%s: appliance A answers the ClientHello with an HVR "
		  "carrying a %u-byte cookie, nothing goes inside", file, cookie_len);
	if (cookie_len == 0 || !frame_second_hello(ch1, cookie, cookie_len, &ch2))
		goto out_a;

	/* B: the same secret, another file, another process. */
	snprintf(path, sizeof(path), "cp '%s/config/examples/demo.secret' %s", root,
		 (fd = mkstemp(same_secret)) >= 0 ? same_secret : "/nonexistent");
	if (fd < 0 || system(path) != 0)
		tap_bail("cannot copy the secret");
	close(fd);
	tap_check(replay_run(scrubber, root, &ch2, 1, info.dst_port, same_secret, &b) == 0 && b.inside.count == 1 &&
			  b.inside.frames[0].len == ch2.len &&
			  memcmp(b.inside.frames[0].data, ch2.data, ch2.len) == 0 && b.outside.count == 0,
		  "%s: appliance B, sharing only the master secret, forwards the second ClientHello with A's cookie "
		  "unmodified", file);
	/* C: another secret: the cookie is worth nothing there. */
	tap_check(replay_run(scrubber, root, &ch2, 1, info.dst_port, other_secret, &c) == 0 && c.inside.count == 0 &&
			  c.outside.count == 1 && frame_hvr_cookie(&c.outside.frames[0], cookie) == 16,
		  "%s: appliance C, with another secret, refuses it and answers with its own HVR", file);
	replay_free(&b);
	replay_free(&c);
	unlink(same_secret);
out_a:
	replay_free(&a);
	free(ch2.data);
	capture_free(&cap);
}

int
main(int argc, char **argv)
{
	char other[] = "/tmp/ds-ecmp-other-XXXXXX";
	FILE *f;
	int fd;

	root = getenv("DS_SOURCE_ROOT");
	if (argc != 2 || root == NULL || (scrubber = realpath(argv[1], NULL)) == NULL)
		tap_bail("usage: DS_SOURCE_ROOT=... test_ecmp DTLS_SCRUBBER");
	fd = mkstemp(other);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || fputs("f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f\n", f) < 0 ||
	    fclose(f) != 0)
		tap_bail("cannot write a second secret");
	check_capture("ossl_dtls10.pcap", other);
	check_capture("gnutls_dtls12_ipv6.pcap", other);
	unlink(other);
	return tap_done();
}
