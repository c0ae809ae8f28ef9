/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed corpus for the fuzzers, written to CORPUS_DIR:
 *   make_corpus packet CORPUS_DIR   every frame of the captures, each with a few control bytes
 *   make_corpus worker CORPUS_DIR   the same frames framed for fuzz_worker, alone and in bursts, with
 *                                   spoofed ClientHellos and records of its verified flows
 *   make_corpus config CORPUS_DIR   the configuration files shipped with the project
 *   make_corpus secret CORPUS_DIR   the packet seeds (any bytes will do)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "tap.h"
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
	/* Records of the verified flows, CH1s of the same clients, garbage, and a server's answer inside. */
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
			}
			snprintf(name, sizeof(name), "flows-v%u-%u", v, ctrl);
			write_seed(dir, name, b.data, b.len);
		}
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

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s packet|worker|config|secret CORPUS_DIR\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "worker") == 0)
		worker_seeds(argv[2]);
	else if (strcmp(argv[1], "config") == 0)
		config_seeds(argv[2]);
	else if (strcmp(argv[1], "packet") == 0 || strcmp(argv[1], "secret") == 0)
		packet_seeds(argv[2]);
	else
		tap_bail("unknown corpus kind %s", argv[1]);
	printf("%zu seeds in %s\n", written, argv[2]);
	return 0;
}
