/* SPDX-License-Identifier: BSD-3-Clause */
#include "replay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ds_build.h"
#include "ds_wire.h"
#include "tap.h"

static void
shell(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
shell(const char *what, const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		tap_bail("cannot %s", what);
}

int
replay_run(const char *scrubber, const char *root, const struct capture_frame *in, size_t n, unsigned port,
	   const char *secret, struct replay *r)
{
	char path[4200];
	pid_t pid;
	int status = -1;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/ds-replay-XXXXXX");
	if (mkdtemp(r->dir) == NULL)
		tap_bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/config/examples/demo.secret", root);
	shell("copy the example", "mkdir '%s/config' && cp '%s/config/examples/replay.yaml' '%s/config/' && "
	      "install -m 600 '%s' '%s/config/demo.secret'", r->dir, root, r->dir, secret ? secret : path, r->dir);
	if (port != 4433)
		shell("edit the port", "sed -i 's/\"\\*:4433\"/\"*:%u\"/' '%s/config/replay.yaml'", port, r->dir);
	snprintf(path, sizeof(path), "%s/in.pcap", r->dir);
	capture_write(path, in, n);

	pid = fork();
	if (pid == 0) {
		if (chdir(r->dir) != 0 || freopen("scrubber.log", "w", stdout) == NULL ||
		    freopen("scrubber.log", "a", stderr) == NULL)
			_exit(126);
		execl(scrubber, scrubber, "-c", "config/replay.yaml", "--duration", "2", (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (status != 0) {
		snprintf(path, sizeof(path), "sed 's/^/# /' '%s/scrubber.log'", r->dir);
		if (system(path) != 0)
			tap_diag("no log");
		return status;
	}
	snprintf(path, sizeof(path), "%s/out-outside.pcap", r->dir);
	capture_load(path, &r->outside);
	snprintf(path, sizeof(path), "%s/out-inside.pcap", r->dir);
	capture_load(path, &r->inside);
	return 0;
}

void
replay_free(struct replay *r)
{
	char cmd[128];

	capture_free(&r->outside);
	capture_free(&r->inside);
	if (r->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", r->dir);
	}
}

bool
frame_second_hello(const struct capture_frame *ch1, const uint8_t *cookie, unsigned cookie_len,
		   struct capture_frame *out)
{
	const uint8_t *f = ch1->data;
	struct ds_frame_info info, pinfo;
	struct ds_frame_addrs a = { 0 };
	uint8_t payload[4096];
	size_t n;

	if (!ds_outcome_is_client_hello(ds_classify(f, ch1->len, NULL, &info)))
		return false;
	ds_classify_dtls(f + info.dtls_offset, info.dtls_len, &pinfo);
	n = ds_hello_with_cookie(f + info.dtls_offset, &pinfo, cookie, cookie_len, 1, payload, sizeof(payload));
	/* From the same client to the same server as the ClientHello it follows. */
	a.ip_version = info.ip_version;
	a.src_port = info.src_port;
	a.dst_port = info.dst_port;
	memcpy(a.dst_mac, f, 6);
	memcpy(a.src_mac, f + 6, 6);
	memcpy(a.src_ip, ds_frame_src_addr(f, &info), info.ip_version == 4 ? 4 : 16);
	memcpy(a.dst_ip, ds_frame_dst_addr(f, &info), info.ip_version == 4 ? 4 : 16);
	out->data = malloc(n + 128);
	if (out->data == NULL)
		tap_bail("out of memory");
	out->len = (uint32_t)ds_frame_build(out->data, n + 128, &a, payload, n);
	return n != 0 && out->len != 0;
}

unsigned
frame_hvr_cookie(const struct capture_frame *frame, uint8_t *cookie)
{
	struct ds_frame_info info;
	const uint8_t *rec;
	unsigned len;

	if (ds_classify(frame->data, frame->len, NULL, &info) != DS_OUT_DTLS_RECORD ||
	    info.dtls_len < DS_HVR_FIXED_LEN)
		return 0;
	rec = frame->data + info.dtls_offset;
	len = rec[DS_HVR_FIXED_LEN - 1];
	if (rec[DS_DTLS_RECORD_HDR_LEN] != DS_DTLS_HS_HELLO_VERIFY_REQUEST || len == 0 ||
	    len > DS_COOKIE_MAX_LEN || DS_HVR_FIXED_LEN + len > info.dtls_len)
		return 0;
	memcpy(cookie, rec + DS_HVR_FIXED_LEN, len);
	return len;
}
