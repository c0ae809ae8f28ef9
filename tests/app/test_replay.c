/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shipped config/examples/replay.yaml, as an operator uses it: every capture (shared and our own),
 * plus a second ClientHello rebuilt with the scrubber's cookie (made with the example's demo secret),
 * replayed through `dtls-scrubber -c replay.yaml --duration 2` in a scratch folder. Every ClientHello
 * of the capture (none carries a cookie of ours) must come back as an HVR in out-outside.pcap with its
 * sequence numbers, and the rebuilt one must show up unmodified in out-inside.pcap, alone of all the
 * ClientHellos.
 *
 *   test_replay DTLS_SCRUBBER
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "replay.h"
#include "ds_build.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_secret.h"
#include "tap.h"

static const char *scrubber;
static const char *root;

/* The scrubber's cookie for the first ClientHello of a capture, with the example's demo secret. */
static bool
rebuild_hello(const struct capture *cap, struct capture_frame *out)
{
	struct ds_secret secret;
	struct ds_keyring *kr;
	struct ds_cookie_engine *e;
	char err[512], path[4200], text[256] = "";
	size_t i;
	bool ok = false;
	FILE *f;

	/* The demo secret is public, and a fresh clone leaves it 0644: read it without the mode check. */
	snprintf(path, sizeof(path), "%s/config/examples/demo.secret", root);
	f = fopen(path, "r");
	if (f == NULL || fgets(text, sizeof(text), f) == NULL || ds_secret_parse(text, strlen(text), &secret, err,
										 sizeof(err)) != 0)
		tap_bail("%s: cannot read the demo secret", path);
	fclose(f);
	kr = ds_keyring_create(&(struct ds_cookie_params){ DS_COOKIE_HMAC_SHA256, 16, 60, 2000 }, &secret,
			       ds_keyring_clock_ms(), err, sizeof(err));
	e = ds_cookie_engine_create(err, sizeof(err));
	ds_secret_wipe(&secret, sizeof(secret));
	if (kr == NULL || e == NULL)
		tap_bail("cookies: %s", err);
	for (i = 0; i < cap->count && !ok; i++) {
		struct ds_frame_info info;
		struct ds_cookie_request req;
		uint8_t cookies[1][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict v;

		if (ds_classify(cap->frames[i].data, cap->frames[i].len, NULL, &info) != DS_OUT_DTLS_CLIENT_HELLO)
			continue;
		ds_cookie_request_from_frame(&req, cap->frames[i].data, &info);
		ds_cookie_engine_run(e, ds_keyring_current(kr), &req, 1,
				     cookies, &v);
		ok = frame_second_hello(&cap->frames[i], cookies[0], 16, out);
	}
	ds_cookie_engine_destroy(e);
	ds_keyring_destroy(kr);
	return ok;
}

/* The UDP port the capture's first ClientHello is sent to. */
static unsigned
server_port(const struct capture *cap)
{
	size_t i;

	for (i = 0; i < cap->count; i++) {
		struct ds_frame_info info;

		if (ds_outcome_is_client_hello(ds_classify(cap->frames[i].data, cap->frames[i].len, NULL, &info)))
			return info.dst_port;
	}
	return 4433;
}

static void
check_capture(const char *path)
{
	const char *name = capture_basename(path);
	struct capture cap;
	struct capture_frame *in, ch2 = { 0 };
	struct replay r;
	size_t i, hellos = 0, hvrs = 0, in_order = 0, passed_hellos = 0;
	bool ch2_inside = false;

	capture_load(path, &cap);
	if (!rebuild_hello(&cap, &ch2)) {
		tap_check(false, "%s: has a ClientHello without a cookie to rebuild", name);
		capture_free(&cap);
		return;
	}
	in = calloc(cap.count + 1, sizeof(*in));
	memcpy(in, cap.frames, cap.count * sizeof(*in));
	in[cap.count] = ch2;
	/* The example protects port 4433; a capture of another service gets its own, as an operator would. */
	if (server_port(&cap) != 4433)
		tap_diag("%s: service port %u instead of 4433", name, server_port(&cap));
	if (!tap_check(replay_run(scrubber, root, in, cap.count + 1, server_port(&cap), NULL, &r) == 0,
		       "%s: dtls-scrubber -c replay.yaml --duration 2 runs and exits 0", name))
		goto out;

	/* Every ClientHello of the capture, in order, answered by an HVR with its sequence numbers. */
	for (i = 0; i < cap.count; i++) {
		struct ds_frame_info h, o;
		const uint8_t *hr, *rr;

		if (!ds_outcome_is_client_hello(ds_classify(cap.frames[i].data, cap.frames[i].len, NULL, &h)))
			continue;
		hellos++;
		if (hvrs >= r.outside.count)
			continue;
		ds_classify(r.outside.frames[hvrs].data, r.outside.frames[hvrs].len, NULL, &o);
		hr = cap.frames[i].data + h.dtls_offset;
		rr = r.outside.frames[hvrs].data + o.dtls_offset;
		in_order += o.outcome == DS_OUT_DTLS_RECORD && rr[13] == DS_DTLS_HS_HELLO_VERIFY_REQUEST &&
			    memcmp(rr + 5, hr + 5, 6) == 0 && memcmp(rr + 17, hr + 17, 2) == 0;
		hvrs++;
	}
	tap_check(hellos > 0 && r.outside.count == hellos && in_order == hellos,
		  "%s: out-outside.pcap holds one HVR per ClientHello, in order, with its record sequence and "
		  "message_seq (%zu ClientHellos, %zu frames out, %zu matched)", name, hellos, r.outside.count,
		  in_order);
	for (i = 0; i < r.inside.count; i++) {
		struct ds_frame_info f;

		ch2_inside |= r.inside.frames[i].len == ch2.len && memcmp(r.inside.frames[i].data, ch2.data, ch2.len) == 0;
		passed_hellos += ds_outcome_is_client_hello(ds_classify(r.inside.frames[i].data, r.inside.frames[i].len,
									 NULL, &f));
	}
	tap_check(ch2_inside && passed_hellos == 1,
		  "%s: the ClientHello rebuilt with the scrubber's cookie is in out-inside.pcap unmodified, the only "
		  "ClientHello there (%zu)", name, passed_hellos);
out:
	replay_free(&r);
	free(in);
	free(ch2.data);
	capture_free(&cap);
}

int
main(int argc, char **argv)
{
	const char *src = getenv("DS_SOURCE_ROOT");
	size_t n, i;
	char **paths;

	if (argc != 2 || src == NULL)
		tap_bail("usage: DS_SOURCE_ROOT=... test_replay DTLS_SCRUBBER");
	/* The test runs the appliance from a scratch folder: its path must not depend on ours. */
	scrubber = realpath(argv[1], NULL);
	if (scrubber == NULL)
		tap_bail("%s: not found", argv[1]);
	root = src;
	paths = capture_list(&n);
	for (i = 0; i < n; i++)
		check_capture(paths[i]);
	capture_list_free(paths);
	return tap_done();
}
