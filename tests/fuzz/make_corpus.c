/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed corpus for the fuzzers, written to CORPUS_DIR:
 *   make_corpus packet CORPUS_DIR   every frame of the captures, each with a few control bytes
 *   make_corpus worker CORPUS_DIR   the same frames framed for fuzz_worker, alone and in bursts, with
 *                                   spoofed ClientHellos, records of its verified flows, the service's
 *                                   records and ServerHellos handing out connection IDs, tls12_cid records
 *   make_corpus config CORPUS_DIR   the configuration files shipped with the project
 *   make_corpus secret CORPUS_DIR   the packet seeds (any bytes will do)
 *   make_corpus state CORPUS_DIR    flow state files (without their MAC) as the appliance writes them:
 *                                   empty, IPv4 and IPv6 flows on both workers, a worker over capacity,
 *                                   stale, from the future, of another worker count
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cid_records.h"
#include "ds_build.h"
#include "ds_flow_state.h"
#include "dtls13_hello.h"
#include "tap.h"
#include "state_input.h"
#include "worker_input.h"

static size_t written;

static void
write_seed(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		tap_bail("cannot write %s", path);
	written++;
}

/*
 * QUIC datagrams to port 443 (the fuzzer's QUIC service) for the classifier's QUIC layer: Initials of
 * v1 and v2 with and without a token, and an unknown version, each laid out as RFC 9000 §17.2.2 says
 * and padded to 1200 bytes. No capture of the project has QUIC in it.
 */
static void
quic_seeds(const char *dir)
{
	static const uint32_t versions[] = { 0x00000001, 0x6b3343cf, 0x1a2a3a4a };
	static uint8_t payload[1200], seed[1 + 1400];
	struct ds_frame_addrs a = { .ip_version = 4, .src_ip = { 192, 0, 2, 1 }, .dst_ip = { 192, 0, 2, 2 },
				    .src_port = 50000, .dst_port = 443 };
	size_t v, t, n;

	for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		for (t = 0; t < 2; t++) {
			char name[64];

			memset(payload, 0, sizeof(payload));
			n = 0;
			payload[n++] = versions[v] == 0x6b3343cf ? 0xd3 : 0xc3;
			payload[n++] = (uint8_t)(versions[v] >> 24), payload[n++] = (uint8_t)(versions[v] >> 16);
			payload[n++] = (uint8_t)(versions[v] >> 8), payload[n++] = (uint8_t)versions[v];
			payload[n++] = 8;
			memset(payload + n, 0x11, 8), n += 8;
			payload[n++] = 8;
			memset(payload + n, 0x22, 8), n += 8;
			payload[n++] = t ? 16 : 0; /* token length */
			memset(payload + n, 0x33, t ? 16 : 0), n += t ? 16 : 0;
			payload[n] = (uint8_t)(0x40 | (sizeof(payload) - n - 2) >> 8);
			payload[n + 1] = (uint8_t)(sizeof(payload) - n - 2);
			seed[0] = 0x01;
			n = ds_frame_build(seed + 1, sizeof(seed) - 1, &a, payload, sizeof(payload));
			snprintf(name, sizeof(name), "quic-%08x-%s", (unsigned)versions[v], t ? "token" : "initial");
			write_seed(dir, name, seed, 1 + n);
		}
	}
}

static void
packet_seeds(const char *dir)
{
	static const uint8_t controls[] = { 0x00, 0x1F, 0x3E };
	static uint8_t seed[1 + 65536];
	size_t n, i, j, c;
	char **paths = capture_list(&n);

	for (i = 0; i < n; i++) {
		struct capture cap;

		capture_load(paths[i], &cap);
		for (j = 0; j < cap.count && cap.frames[j].len < sizeof(seed); j++) {
			for (c = 0; c < sizeof(controls); c++) {
				char name[256];

				seed[0] = controls[c];
				memcpy(seed + 1, cap.frames[j].data, cap.frames[j].len);
				snprintf(name, sizeof(name), "%s-%zu-%02x", capture_basename(paths[i]), j + 1, controls[c]);
				write_seed(dir, name, seed, 1 + cap.frames[j].len);
			}
		}
		capture_free(&cap);
	}
	capture_list_free(paths);
	quic_seeds(dir);
}

/* A fuzz_worker input being built. */
struct burst {
	uint8_t data[1 << 16];
	size_t len;
};

static void
burst_add(struct burst *b, uint8_t control, const uint8_t *frame, size_t len)
{
	if (b->len + 3 + len > sizeof(b->data))
		return;
	b->data[b->len] = control;
	b->data[b->len + 1] = (uint8_t)(len >> 8);
	b->data[b->len + 2] = (uint8_t)len;
	memcpy(b->data + b->len + 3, frame, len);
	b->len += 3 + len;
}

/* @p frame (a service's when @p from_service) with its UDP payload replaced by @p payload; 0 if it cannot be. */
static size_t
with_payload(uint8_t *out, const uint8_t *frame, size_t len, bool from_service, const uint8_t *payload,
	     size_t payload_len)
{
	struct ds_frame_addrs a = { 0 };
	struct ds_frame_info info;
	const size_t alen = len > 0 && frame[12] == 0x86 ? 16 : 4;

	/* Any frame whose UDP layer was read: its addresses and ports are what is kept. */
	if (from_service)
		ds_classify_reply(frame, len, NULL, &info);
	else
		ds_classify(frame, len, NULL, &info);
	if (info.dtls_offset == 0)
		return 0;
	memcpy(a.dst_mac, frame, 6);
	memcpy(a.src_mac, frame + 6, 6);
	a.ip_version = info.ip_version;
	memcpy(a.src_ip, ds_frame_src_addr(frame, &info), alen);
	memcpy(a.dst_ip, ds_frame_dst_addr(frame, &info), alen);
	a.src_port = info.src_port;
	a.dst_port = info.dst_port;
	return ds_frame_build(out, DS_TRAFFIC_FRAME_MAX, &a, payload, payload_len);
}

/*
 * Connection IDs (RFC 9146): the service hands verified client s a CID in its ServerHello; the client's
 * tls12_cid records come from its own address and from an address never verified (a NAT rebinding).
 */
static void
cid_seeds(const char *dir, struct ds_traffic *t, unsigned v, unsigned ctrl, struct burst *b)
{
	static uint8_t frame[DS_TRAFFIC_FRAME_MAX], out[DS_TRAFFIC_FRAME_MAX];
	uint8_t payload[CID_RECORD_MAX], cid[8];
	char name[64];
	uint64_t s;

	b->len = 0;
	for (s = 0; s < 8; s++) {
		size_t len;

		memset(cid, (int)(0x40 + s), sizeof(cid));
		len = ds_traffic_frame(t, DS_TRAFFIC_REPLY, s, frame, sizeof(frame));
		len = with_payload(out, frame, len, true, payload, cid_server_hello(payload, cid, sizeof(cid)));
		burst_add(b, (uint8_t)(ctrl | FUZZ_CTRL_INSIDE), out, len);
		len = ds_traffic_frame(t, DS_TRAFFIC_DATA, s, frame, sizeof(frame));
		len = with_payload(out, frame, len, false, payload, cid_record(payload, cid, sizeof(cid), s, 32));
		burst_add(b, (uint8_t)ctrl, out, len);
		len = ds_traffic_frame(t, DS_TRAFFIC_DATA, FUZZ_FLOWS + s, frame, sizeof(frame));
		len = with_payload(out, frame, len, false, payload, cid_record(payload, cid, sizeof(cid), s, 32));
		burst_add(b, (uint8_t)ctrl, out, len);
	}
	snprintf(name, sizeof(name), "cids-v%u-%u", v, ctrl);
	write_seed(dir, name, b->data, b->len);
}

/* ClientHellos offering DTLS 1.3 (RFC 9147 structures), to the fuzzer's services: alone, with 1.2, and
 * the first fragment of a post-quantum one, from a legitimate client's address. */
static void
dtls13_seeds(const char *dir, struct ds_traffic *t, unsigned v, struct burst *b)
{
	static const struct dtls13_hello_spec specs[] = {
		{ .versions = VERSIONS_13, .key_share_len = 32 },
		{ .versions = VERSIONS_13_12, .key_share_len = 32 },
		{ .versions = VERSIONS_13_12, .key_share_len = 1216, .key_share_first = true, .fragment_at = 400 },
	};
	static uint8_t frame[DS_TRAFFIC_FRAME_MAX], out[DS_TRAFFIC_FRAME_MAX];
	uint8_t payload[DTLS13_HELLO_MAX];
	char name[64];
	size_t i, len;

	b->len = 0;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		len = ds_traffic_frame(t, DS_TRAFFIC_CH1, i, frame, sizeof(frame));
		len = with_payload(out, frame, len, false, payload, dtls13_hello(payload, &specs[i]));
		burst_add(b, (uint8_t)(i == 2 ? FUZZ_CTRL_ROUTED : 0), out, len);
	}
	snprintf(name, sizeof(name), "dtls13-v%u", v);
	write_seed(dir, name, b->data, b->len);
}

static void
worker_seeds(const char *dir)
{
	static struct hello hellos[HELLOS_MAX];
	static struct burst b, all;
	static uint8_t frame[DS_TRAFFIC_FRAME_MAX];
	const size_t n = hellos_load(hellos, HELLOS_MAX, true);
	size_t i;
	unsigned v, ctrl;
	char name[64];

	/* Every real ClientHello, as it was captured, alone and in one burst, on each appliance. */
	for (ctrl = 0; ctrl <= FUZZ_CTRL_ROUTED; ctrl += FUZZ_CTRL_ROUTED) {
		all.len = 0;
		for (i = 0; i < n; i++) {
			b.len = 0;
			burst_add(&b, (uint8_t)ctrl, hellos[i].fb.data, hellos[i].fb.len);
			burst_add(&all, (uint8_t)ctrl, hellos[i].fb.data, hellos[i].fb.len);
			snprintf(name, sizeof(name), "hello-%zu-%u", i, ctrl);
			write_seed(dir, name, b.data, b.len);
		}
		snprintf(name, sizeof(name), "hellos-%u", ctrl);
		write_seed(dir, name, all.data, all.len);
	}
	/* Records of the verified flows, CH1s of the same clients, garbage, frames inside, flows the service vouches for. */
	for (v = 4; v <= 6; v += 2) {
		struct ds_traffic_spec spec;
		struct ds_traffic t;
		char err[256];
		uint64_t s;

		fuzz_legit_spec(&spec, &hellos[0], v);
		if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
			tap_bail("traffic: %s", err);
		for (ctrl = 0; ctrl <= FUZZ_CTRL_ROUTED; ctrl += FUZZ_CTRL_ROUTED) {
			b.len = 0;
			for (s = 0; s < 8; s++) {
				size_t len = ds_traffic_frame(&t, DS_TRAFFIC_DATA, s, frame, sizeof(frame));

				burst_add(&b, (uint8_t)ctrl, frame, len);
				len = ds_traffic_frame(&t, DS_TRAFFIC_CH1, s, frame, sizeof(frame));
				burst_add(&b, (uint8_t)ctrl, frame, len);
				len = ds_traffic_frame(&t, DS_TRAFFIC_GARBAGE, s, frame, sizeof(frame));
				burst_add(&b, (uint8_t)ctrl, frame, len);
				len = ds_traffic_frame(&t, DS_TRAFFIC_DATA, s, frame, sizeof(frame));
				burst_add(&b, (uint8_t)(ctrl | FUZZ_CTRL_INSIDE), frame, len);
				/* A client never verified: the service's record vouches for it, then its own. */
				len = ds_traffic_frame(&t, DS_TRAFFIC_REPLY, FUZZ_FLOWS + s, frame, sizeof(frame));
				burst_add(&b, (uint8_t)(ctrl | FUZZ_CTRL_INSIDE), frame, len);
				len = ds_traffic_frame(&t, DS_TRAFFIC_DATA, FUZZ_FLOWS + s, frame, sizeof(frame));
				burst_add(&b, (uint8_t)ctrl, frame, len);
			}
			snprintf(name, sizeof(name), "flows-v%u-%u", v, ctrl);
			write_seed(dir, name, b.data, b.len);
			cid_seeds(dir, &t, v, ctrl, &b);
		}
		dtls13_seeds(dir, &t, v, &b);
	}
	/* ClientHellos and records from a blocklisted prefix (worker_input.h). */
	{
		struct ds_traffic_spec spec;
		struct ds_traffic t;
		char err[256];
		uint64_t s;

		fuzz_legit_spec(&spec, &hellos[0], 4);
		spec.src_base[0] = 198;
		spec.src_base[1] = 18;
		if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
			tap_bail("traffic: %s", err);
		b.len = 0;
		for (s = 0; s < 8; s++) {
			size_t len = ds_traffic_frame(&t, s % 2 ? DS_TRAFFIC_DATA : DS_TRAFFIC_CH1, s, frame, sizeof(frame));

			burst_add(&b, 0, frame, len);
		}
		write_seed(dir, "blocklisted", b.data, b.len);
	}
}

static void
config_seeds(const char *dir)
{
	static const char *const files[] = { "config/dtls-scrubber.yaml", "config/demo.yaml",
					     "config/examples/replay.yaml", "pktgen-scripts/memif.yaml" };
	const char *root = getenv("DS_SOURCE_ROOT");
	size_t i;

	if (root == NULL)
		tap_bail("DS_SOURCE_ROOT is not set (meson test sets it)");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096], name[64];
		uint8_t *text;
		FILE *f;
		long len;

		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		f = fopen(path, "rb");
		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
			tap_bail("cannot read %s", path);
		text = malloc((size_t)len + 1);
		if (text == NULL || fread(text, 1, (size_t)len, f) != (size_t)len)
			tap_bail("cannot read %s", path);
		fclose(f);
		snprintf(name, sizeof(name), "config-%zu", i);
		write_seed(dir, name, text, (size_t)len);
		free(text);
	}
}

/* A state file of @p count flows (alternating families and workers), without its MAC. */
static void
state_seed(const char *dir, const char *name, uint64_t count, uint64_t written_ms, uint32_t n_workers)
{
	const struct ds_flow_state_meta m = { .n_workers = n_workers, .written_ms = written_ms,
					      .idle_timeout_ms = 300000, .count = count };
	const size_t len = ds_flow_state_size(count) - DS_FLOW_STATE_MAC;
	uint8_t *file = calloc(1, len);
	uint64_t i;

	if (file == NULL)
		tap_bail("out of memory");
	ds_flow_state_write_header(file, &m);
	for (i = 0; i < count; i++) {
		struct ds_flow_state_entry e = { .worker = (uint32_t)(i % n_workers), .idle_left_ms = 1000 * (uint32_t)i };

		e.key.ip_version = i % 2 ? 6 : 4;
		e.key.client[0] = e.key.ip_version == 4 ? 100 : 0x20;
		e.key.client[3] = (uint8_t)i;
		e.key.server[0] = e.key.ip_version == 4 ? 10 : 0xfd;
		e.key.server[e.key.ip_version == 4 ? 3 : 15] = 2;
		e.key.client_port = (uint16_t)(40000 + i);
		e.key.server_port = 4433;
		ds_flow_state_write_entry(file, i, &e);
	}
	write_seed(dir, name, file, len);
	free(file);
}

static void
state_seeds(const char *dir)
{
	const uint64_t now = FUZZ_STATE_NOW_MS;

	state_seed(dir, "state-empty", 0, now - 1000, FUZZ_STATE_WORKERS);
	state_seed(dir, "state-one", 1, now - 1000, FUZZ_STATE_WORKERS);
	state_seed(dir, "state-both-families", 6, now - 1000, FUZZ_STATE_WORKERS);
	state_seed(dir, "state-over-capacity", 2 * FUZZ_STATE_CAPACITY + 2, now - 1000, FUZZ_STATE_WORKERS);
	state_seed(dir, "state-stale", 3, now - 400000, FUZZ_STATE_WORKERS);
	state_seed(dir, "state-future", 3, now + 120000, FUZZ_STATE_WORKERS);
	state_seed(dir, "state-other-workers", 3, now - 1000, FUZZ_STATE_WORKERS + 1);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s packet|worker|config|secret|state CORPUS_DIR\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "worker") == 0)
		worker_seeds(argv[2]);
	else if (strcmp(argv[1], "config") == 0)
		config_seeds(argv[2]);
	else if (strcmp(argv[1], "state") == 0)
		state_seeds(argv[2]);
	else if (strcmp(argv[1], "packet") == 0 || strcmp(argv[1], "secret") == 0)
		packet_seeds(argv[2]);
	else
		tap_bail("unknown corpus kind %s", argv[1]);
	printf("%zu seeds in %s\n", written, argv[2]);
	return 0;
}
