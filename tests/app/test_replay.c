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
#include "ds_build.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_secret.h"
#include "tap.h"

static const char *scrubber;
static char root[4096];

/* Copy a file of the source tree into the scratch folder, with the given mode. */
static void
copy_file(const char *from, const char *to, mode_t mode)
{
	char cmd[32768];

	snprintf(cmd, sizeof(cmd), "cp '%s/%s' '%s' && chmod %o '%s'", root, from, to, (unsigned)mode, to);
	if (system(cmd) != 0)
		tap_bail("cannot copy %s", from);
}

/* The first ClientHello of a capture again, as a second ClientHello carrying the scrubber's cookie. */
static bool
rebuild_hello(const struct capture *cap, const char *secret_path, struct capture_frame *out)
{
	struct ds_secret secret;
	struct ds_keyring *kr;
	struct ds_cookie_engine *e;
	char err[512];
	size_t i;

	if (ds_secret_load(secret_path, &secret, err, sizeof(err)) != 0)
		tap_bail("%s", err);
	kr = ds_keyring_create(&(struct ds_cookie_params){ DS_COOKIE_HMAC_SHA256, 16, 60, 2000 }, &secret,
			       ds_keyring_clock_ms(), err, sizeof(err));
	e = ds_cookie_engine_create(err, sizeof(err));
	ds_secret_wipe(&secret, sizeof(secret));
	if (kr == NULL || e == NULL)
		tap_bail("cookies: %s", err);
	for (i = 0; i < cap->count; i++) {
		const uint8_t *f = cap->frames[i].data;
		struct ds_frame_info info, pinfo;
		struct ds_cookie_request req;
		struct ds_frame_addrs a = { 0 };
		uint8_t cookies[1][DS_COOKIE_MAX_LEN], payload[4096], frame[4200];
		enum ds_cookie_verdict v;
		size_t n;

		if (ds_classify(f, cap->frames[i].len, NULL, &info) != DS_OUT_DTLS_CLIENT_HELLO)
			continue;
		ds_cookie_request_from_frame(&req, f, &info);
		ds_cookie_engine_run(e, ds_keyring_acquire(kr, (unsigned)ds_keyring_reader_register(kr)), &req, 1,
				     cookies, &v);
		ds_classify_dtls(f + info.dtls_offset, info.dtls_len, &pinfo);
		n = ds_hello_with_cookie(f + info.dtls_offset, &pinfo, cookies[0], 16, 1, payload, sizeof(payload));
		/* From the same client to the same server as the ClientHello it follows. */
		a.ip_version = info.ip_version;
		a.src_port = info.src_port;
		a.dst_port = info.dst_port;
		memcpy(a.dst_mac, f, 6);
		memcpy(a.src_mac, f + 6, 6);
		memcpy(a.src_ip, ds_frame_src_addr(f, &info), info.ip_version == 4 ? 4 : 16);
		memcpy(a.dst_ip, ds_frame_dst_addr(f, &info), info.ip_version == 4 ? 4 : 16);
		out->data = malloc(sizeof(frame));
		out->len = (uint32_t)ds_frame_build(frame, sizeof(frame), &a, payload, n);
		memcpy(out->data, frame, out->len);
		break;
	}
	ds_cookie_engine_destroy(e);
	ds_keyring_destroy(kr);
	return out->data != NULL && out->len != 0;
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

static int
run_scrubber(const char *dir)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (chdir(dir) != 0 || freopen("scrubber.log", "w", stdout) == NULL ||
		    freopen("scrubber.log", "a", stderr) == NULL)
			_exit(126);
		execl(scrubber, scrubber, "-c", "config/replay.yaml", "--duration", "2", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
check_capture(const char *path)
{
	const char *name = capture_basename(path);
	char dir[] = "/tmp/ds-replay-XXXXXX", file[256];
	struct capture cap, outside, inside;
	struct capture_frame *in, ch2 = { 0 };
	size_t i, hellos = 0, hvrs = 0, in_order = 0, passed_hellos = 0;
	bool ch2_inside = false;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp failed");
	snprintf(file, sizeof(file), "%s/config", dir);
	mkdir(file, 0700);
	snprintf(file, sizeof(file), "%s/config/replay.yaml", dir);
	copy_file("config/examples/replay.yaml", file, 0644);
	snprintf(file, sizeof(file), "%s/config/demo.secret", dir);
	copy_file("config/examples/demo.secret", file, 0600);

	capture_load(path, &cap);
	/* The example protects port 4433; a capture of another service gets its own port, as an operator would. */
	if (server_port(&cap) != 4433) {
		snprintf(file, sizeof(file), "sed -i 's/\"\\*:4433\"/\"*:%u\"/' '%s/config/replay.yaml'", server_port(&cap),
			 dir);
		if (system(file) != 0)
			tap_bail("cannot edit the copied replay.yaml");
		tap_diag("%s: service port %u instead of 4433", name, server_port(&cap));
	}
	snprintf(file, sizeof(file), "%s/config/demo.secret", dir);
	if (!rebuild_hello(&cap, file, &ch2)) {
		tap_check(false, "%s: has a ClientHello without a cookie to rebuild", name);
		capture_free(&cap);
		return;
	}
	in = calloc(cap.count + 1, sizeof(*in));
	memcpy(in, cap.frames, cap.count * sizeof(*in));
	in[cap.count] = ch2;
	snprintf(file, sizeof(file), "%s/in.pcap", dir);
	capture_write(file, in, cap.count + 1);

	if (!tap_check(run_scrubber(dir) == 0, "%s: dtls-scrubber -c replay.yaml --duration 2 runs and exits 0", name)) {
		snprintf(file, sizeof(file), "sed 's/^/# /' '%s/scrubber.log'", dir);
		if (system(file) != 0)
			tap_diag("no log");
		goto out;
	}
	snprintf(file, sizeof(file), "%s/out-outside.pcap", dir);
	capture_load(file, &outside);
	snprintf(file, sizeof(file), "%s/out-inside.pcap", dir);
	capture_load(file, &inside);

	/* Every ClientHello of the capture, in order, answered by an HVR with its sequence numbers. */
	for (i = 0; i < cap.count; i++) {
		struct ds_frame_info h, r;
		const uint8_t *hr, *rr;

		if (!ds_outcome_is_client_hello(ds_classify(cap.frames[i].data, cap.frames[i].len, NULL, &h)))
			continue;
		hellos++;
		if (hvrs >= outside.count)
			continue;
		ds_classify(outside.frames[hvrs].data, outside.frames[hvrs].len, NULL, &r);
		hr = cap.frames[i].data + h.dtls_offset;
		rr = outside.frames[hvrs].data + r.dtls_offset;
		in_order += r.outcome == DS_OUT_DTLS_RECORD && rr[13] == DS_DTLS_HS_HELLO_VERIFY_REQUEST &&
			    memcmp(rr + 5, hr + 5, 6) == 0 && memcmp(rr + 17, hr + 17, 2) == 0;
		hvrs++;
	}
	tap_check(hellos > 0 && outside.count == hellos && in_order == hellos,
		  "%s: out-outside.pcap holds one HVR per ClientHello, in order, with its record sequence and "
		  "message_seq (%zu ClientHellos, %zu frames out, %zu matched)", name, hellos, outside.count, in_order);
	for (i = 0; i < inside.count; i++) {
		struct ds_frame_info f;

		ch2_inside |= inside.frames[i].len == ch2.len && memcmp(inside.frames[i].data, ch2.data, ch2.len) == 0;
		passed_hellos += ds_outcome_is_client_hello(ds_classify(inside.frames[i].data, inside.frames[i].len,
									 NULL, &f));
	}
	tap_check(ch2_inside && passed_hellos == 1,
		  "%s: the ClientHello rebuilt with the scrubber's cookie is in out-inside.pcap unmodified, the only "
		  "ClientHello there (%zu)", name, passed_hellos);
	capture_free(&outside);
	capture_free(&inside);
out:
	snprintf(file, sizeof(file), "rm -rf '%s'", dir);
	if (system(file) != 0)
		tap_diag("could not remove %s", dir);
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
	snprintf(root, sizeof(root), "%s", src);
	paths = capture_list(&n);
	for (i = 0; i < n; i++)
		check_capture(paths[i]);
	capture_list_free(paths);
	return tap_done();
}
