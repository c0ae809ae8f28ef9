/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-pcapgen: captures of DTLS traffic made from a real peer's datagram, for tests, benchmarks and
 * Pktgen-DPDK. Every frame is the template's UDP payload from another (spoofed) source:
 *
 *   ch1  the template ClientHello without a cookie, a fresh client random per frame (a flood);
 *   ch2  the same with the scrubber's valid cookie for that source (--secret; valid for the current
 *        key epoch), record sequence and message_seq 1, as a client's second ClientHello;
 *   raw  the payload of --frame N as it is (a later handshake flight, application data, ...).
 *
 *   dtls-pcapgen --template PCAP [--frame N] --kind ch1|ch2|raw --count N [--sources M]
 *                --src ADDR [--src-port P] --dst ADDR:PORT [--src-mac MAC] [--dst-mac MAC]
 *                [--secret FILE] [--cookie-format F] [--cookie-len N] [--key-period S] --out PCAP
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ds_build.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_secret.h"
#include "ds_service.h"
#include "ds_wire.h"

enum kind { KIND_CH1, KIND_CH2, KIND_RAW };
enum { FRAME_MAX = 9216 };

struct options {
	const char *template_path, *out, *secret;
	unsigned frame;          /* 1-based; 0 = first ClientHello */
	enum kind kind;
	unsigned long count, sources;
	uint8_t src_ip[16];
	unsigned src_version;
	uint16_t src_port;       /* 0 = a different one per source */
	struct ds_service dst;
	uint8_t src_mac[6], dst_mac[6];
	struct ds_cookie_params cookie;
};

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static int
parse_mac(const char *text, uint8_t mac[6])
{
	unsigned b[6], i;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --template PCAP [--frame N] --kind ch1|ch2|raw --count N [--sources M]\n"
		"          --src ADDR [--src-port P] --dst ADDR:PORT [--src-mac MAC] [--dst-mac MAC]\n"
		"          [--secret FILE] [--cookie-format F] [--cookie-len N] [--key-period S] --out PCAP\n",
		prog);
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' }, { "frame", required_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },     { "count", required_argument, NULL, 'n' },
		{ "sources", required_argument, NULL, 'm' },  { "src", required_argument, NULL, 's' },
		{ "src-port", required_argument, NULL, 'p' }, { "dst", required_argument, NULL, 'd' },
		{ "src-mac", required_argument, NULL, 'a' },  { "dst-mac", required_argument, NULL, 'b' },
		{ "secret", required_argument, NULL, 'S' },   { "cookie-format", required_argument, NULL, 'F' },
		{ "cookie-len", required_argument, NULL, 'L' }, { "key-period", required_argument, NULL, 'P' },
		{ "out", required_argument, NULL, 'o' },      { NULL, 0, NULL, 0 },
	};
	int opt, mode;
	char err[256];

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->sources = 1;
	parse_mac("02:00:00:00:00:01", o->src_mac);
	parse_mac("02:00:00:00:00:02", o->dst_mac);
	ds_cookie_params_default(&o->cookie);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't': o->template_path = optarg; break;
		case 'f': o->frame = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'k':
			o->kind = strcmp(optarg, "ch1") == 0 ? KIND_CH1 : strcmp(optarg, "ch2") == 0 ? KIND_CH2
											: KIND_RAW;
			if (o->kind == KIND_RAW && strcmp(optarg, "raw") != 0)
				return -1;
			break;
		case 'n': o->count = strtoul(optarg, NULL, 10); break;
		case 'm': o->sources = strtoul(optarg, NULL, 10); break;
		case 's':
			o->src_version = strchr(optarg, ':') ? 6 : 4;
			if (inet_pton(o->src_version == 4 ? AF_INET : AF_INET6, optarg, o->src_ip) != 1)
				return -1;
			break;
		case 'p': o->src_port = (uint16_t)strtoul(optarg, NULL, 10); break;
		case 'd':
			if (ds_service_parse(optarg, &o->dst) != 0 || o->dst.any_address)
				return -1;
			break;
		case 'a': if (parse_mac(optarg, o->src_mac) != 0) return -1; break;
		case 'b': if (parse_mac(optarg, o->dst_mac) != 0) return -1; break;
		case 'S': o->secret = optarg; break;
		case 'F':
			mode = ds_cookie_mode_parse(optarg);
			if (mode < 0)
				return -1;
			o->cookie.mode = (enum ds_cookie_mode)mode;
			break;
		case 'L': o->cookie.cookie_len = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'P': o->cookie.period_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'o': o->out = optarg; break;
		default: return -1;
		}
	}
	if (o->template_path == NULL || o->out == NULL || o->src_version == 0 || o->dst.port == 0 ||
	    o->src_version != o->dst.ip_version || o->count == 0 || o->sources == 0 ||
	    (o->kind == KIND_RAW && o->frame == 0) || (o->kind == KIND_CH2 && o->secret == NULL)) {
		fprintf(stderr, "missing or inconsistent options (--src and --dst must be the same IP version)\n");
		return -1;
	}
	if (o->kind == KIND_CH2 && ds_cookie_params_check(&o->cookie, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/* The template: the UDP payload of frame N, or of the first ClientHello. */
static size_t
load_template(const struct options *o, uint8_t *payload, struct ds_frame_info *info)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(o->template_path, err);
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	unsigned n = 0;
	size_t len = 0;

	if (p == NULL) {
		fprintf(stderr, "%s: %s\n", o->template_path, err);
		return 0;
	}
	while (len == 0 && pcap_next_ex(p, &hdr, &bytes) == 1) {
		struct ds_frame_info f;

		n++;
		ds_classify(bytes, hdr->caplen, NULL, &f);
		if (f.dtls_offset == 0 || (o->frame != 0 && n != o->frame) ||
		    (o->frame == 0 && !ds_outcome_is_client_hello(f.outcome)))
			continue;
		len = f.dtls_len;
		memcpy(payload, bytes + f.dtls_offset, len);
	}
	pcap_close(p);
	if (len == 0) {
		fprintf(stderr, "%s: no %s\n", o->template_path, o->frame ? "such UDP frame" : "ClientHello");
		return 0;
	}
	ds_classify_dtls(payload, len, info);
	if (o->kind != KIND_RAW && !ds_outcome_is_client_hello(info->outcome)) {
		fprintf(stderr, "%s: frame %u is not a ClientHello (%s)\n", o->template_path, n,
			ds_outcome_name(info->outcome));
		return 0;
	}
	return len;
}

/* Source number @p i: the base address plus i in its last four bytes. */
static void
source_address(const struct options *o, unsigned long i, uint8_t *addr)
{
	const unsigned alen = o->src_version == 4 ? 4 : 16;
	uint32_t low;

	memcpy(addr, o->src_ip, alen);
	low = ((uint32_t)addr[alen - 4] << 24 | (uint32_t)addr[alen - 3] << 16 | (uint32_t)addr[alen - 2] << 8 |
	       addr[alen - 1]) + (uint32_t)(i % o->sources);
	addr[alen - 4] = (uint8_t)(low >> 24);
	addr[alen - 3] = (uint8_t)(low >> 16);
	addr[alen - 2] = (uint8_t)(low >> 8);
	addr[alen - 1] = (uint8_t)low;
}

int
main(int argc, char **argv)
{
	static uint8_t template[FRAME_MAX], payload[FRAME_MAX], frame[FRAME_MAX];
	struct options o;
	struct ds_frame_info tinfo, pinfo;
	struct ds_keyring *kr = NULL;
	struct ds_cookie_engine *engine = NULL;
	const struct ds_cookie_keyset *ks = NULL;
	pcap_t *dead;
	pcap_dumper_t *out;
	size_t tlen;
	unsigned long i;
	char err[512];

	if (parse_options(argc, argv, &o) != 0) {
		usage(argv[0]);
		return 2;
	}
	tlen = load_template(&o, template, &tinfo);
	if (tlen == 0)
		return 1;
	if (o.kind == KIND_CH2) {
		struct ds_secret secret;

		if (ds_secret_load(o.secret, &secret, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		kr = ds_keyring_create(&o.cookie, &secret, ds_keyring_clock_ms(), err, sizeof(err));
		ds_secret_wipe(&secret, sizeof(secret));
		if (kr == NULL || (engine = ds_cookie_engine_create(err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		ks = ds_keyring_acquire(kr, (unsigned)ds_keyring_reader_register(kr));
	}
	dead = pcap_open_dead(DLT_EN10MB, FRAME_MAX);
	out = dead ? pcap_dump_open(dead, o.out) : NULL;
	if (out == NULL) {
		fprintf(stderr, "%s: %s\n", o.out, dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		return 1;
	}
	for (i = 0; i < o.count; i++) {
		struct ds_frame_addrs a = { .ip_version = (uint8_t)o.src_version };
		struct pcap_pkthdr hdr = { 0 };
		size_t plen, flen;

		memcpy(a.src_mac, o.src_mac, 6);
		memcpy(a.dst_mac, o.dst_mac, 6);
		source_address(&o, i, a.src_ip);
		memcpy(a.dst_ip, o.dst.addr, 16);
		a.src_port = o.src_port ? o.src_port : (uint16_t)(1024 + (i % o.sources) * 7919 % 64000);
		a.dst_port = o.dst.port;
		if (o.kind == KIND_RAW) {
			memcpy(payload, template, tlen);
			plen = tlen;
		} else {
			/* A new client random per frame, so that no two ClientHellos are the same. */
			plen = ds_hello_with_cookie(template, &tinfo, NULL, 0, 0, payload, sizeof(payload));
			ds_classify_dtls(payload, plen, &pinfo);
			for (unsigned k = 0; k < DS_DTLS_RANDOM_LEN; k += 8) {
				const uint64_t r = rng();

				memcpy(payload + pinfo.body_offset + DS_CH_RANDOM_OFFSET + k, &r, 8);
			}
		}
		if (o.kind == KIND_CH2) {
			struct ds_cookie_request req = {
				.client_addr = a.src_ip, .server_addr = a.dst_ip,
				.client_random = payload + pinfo.body_offset + DS_CH_RANDOM_OFFSET,
				.client_port = a.src_port, .server_port = a.dst_port, .ip_version = a.ip_version,
			};
			uint8_t cookies[1][DS_COOKIE_MAX_LEN];
			enum ds_cookie_verdict v;

			ds_cookie_engine_run(engine, ks, &req, 1, cookies, &v);
			plen = ds_hello_with_cookie(payload, &pinfo, cookies[0], o.cookie.cookie_len, 1, frame, sizeof(frame));
			memcpy(payload, frame, plen);
		}
		flen = ds_frame_build(frame, sizeof(frame), &a, payload, plen);
		hdr.caplen = hdr.len = (bpf_u_int32)flen;
		hdr.ts.tv_sec = (time_t)(i / 1000000);
		hdr.ts.tv_usec = (suseconds_t)(i % 1000000);
		pcap_dump((u_char *)out, &hdr, frame);
	}
	pcap_dump_close(out);
	pcap_close(dead);
	printf("%s: %lu %s frames from %lu source%s\n", o.out, o.count,
	       o.kind == KIND_CH1 ? "ClientHello" : o.kind == KIND_CH2 ? "ClientHello-with-cookie" : "raw",
	       o.sources, o.sources == 1 ? "" : "s");
	ds_cookie_engine_destroy(engine);
	ds_keyring_destroy(kr);
	return 0;
}
