/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-pcapgen: captures of DTLS traffic made from a real peer's ClientHello (lib/traffic), for tests,
 * benchmarks and Pktgen-DPDK. Kinds:
 *
 *   ch1      the template ClientHello without a cookie, a fresh client random per frame (a flood);
 *   ch2      the same with the scrubber's valid cookie for its source (--secret; valid for the current
 *            key epoch), record sequence and message_seq 1, as a client's second ClientHello;
 *   data     epoch-1 application_data records, as a verified flow sends them;
 *   garbage  UDP to the service that is not DTLS;
 *   raw      the payload of --frame N as it is (a later handshake flight, ...);
 *   mix      attack and legitimate traffic: with probability --attack-ratio a ch1 from the --src
 *            sources, otherwise the next frame of one of --legit-sources clients from --legit-src
 *            (each sends its ch2 first, then data records).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "ds_secret.h"
#include "ds_service.h"
#include "ds_traffic.h"

enum { KIND_MIX = DS_TRAFFIC_KIND_COUNT };

struct options {
	const char *template_path, *out, *secret;
	unsigned frame;          /* 1-based; 0 = first ClientHello */
	int kind;                /* enum ds_traffic_kind or KIND_MIX */
	unsigned long count;
	double attack_ratio;
	struct ds_traffic_spec attack, legit;
	struct ds_service dst;
	struct ds_cookie_params cookie;
};

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --template PCAP [--frame N] --kind KIND --count N --out PCAP\n"
		"          --src ADDR [--sources M] [--random-sources] [--src-port P] --dst ADDR:PORT\n"
		"          [--src-mac MAC] [--dst-mac MAC] [--data-len N] [--seed N]\n"
		"          [--secret FILE] [--cookie-format F] [--cookie-len N] [--key-period S]\n"
		"          [--attack-ratio R] [--legit-src ADDR] [--legit-sources K]\n"
		"  KIND: ch1 | ch2 | data | garbage | raw | reply | mix (ch2 and mix need --secret;\n"
		"        reply: the service's epoch-1 record back to each source, from --dst)\n",
		prog);
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

static int
parse_addr(const char *text, uint8_t *version, uint8_t addr[16])
{
	*version = strchr(text, ':') ? 6 : 4;
	return inet_pton(*version == 4 ? AF_INET : AF_INET6, text, addr) == 1 ? 0 : -1;
}

static int
parse_number(const char *text, double min, double max, double *out)
{
	char *end;

	*out = strtod(text, &end);
	return (*end != '\0' || end == text || *out < min || *out > max) ? -1 : 0;
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' }, { "frame", required_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },     { "count", required_argument, NULL, 'n' },
		{ "sources", required_argument, NULL, 'm' },  { "random-sources", no_argument, NULL, 'r' },
		{ "src", required_argument, NULL, 's' },      { "src-port", required_argument, NULL, 'p' },
		{ "dst", required_argument, NULL, 'd' },      { "src-mac", required_argument, NULL, 'a' },
		{ "dst-mac", required_argument, NULL, 'b' },  { "data-len", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 'e' },     { "secret", required_argument, NULL, 'S' },
		{ "cookie-format", required_argument, NULL, 'F' }, { "cookie-len", required_argument, NULL, 'L' },
		{ "key-period", required_argument, NULL, 'P' }, { "attack-ratio", required_argument, NULL, 'R' },
		{ "legit-src", required_argument, NULL, 'g' }, { "legit-sources", required_argument, NULL, 'G' },
		{ "out", required_argument, NULL, 'o' },      { NULL, 0, NULL, 0 },
	};
	struct ds_traffic_spec *a = &o->attack;
	int opt, mode;
	double v;
	char err[256];

	memset(o, 0, sizeof(*o));
	o->kind = -1;
	o->count = 1;
	o->attack_ratio = 0.9;
	a->sources = 1;
	o->legit.sources = 16;
	parse_mac("02:00:00:00:00:01", a->src_mac);
	parse_mac("02:00:00:00:00:02", a->dst_mac);
	ds_cookie_params_default(&o->cookie);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't': o->template_path = optarg; break;
		case 'f': if (parse_number(optarg, 1, 1e9, &v) != 0) return -1; o->frame = (unsigned)v; break;
		case 'k':
			o->kind = strcmp(optarg, "mix") == 0 ? KIND_MIX : ds_traffic_kind_parse(optarg);
			if (o->kind < 0)
				return -1;
			break;
		case 'n': if (parse_number(optarg, 1, 1e12, &v) != 0) return -1; o->count = (unsigned long)v; break;
		case 'm': if (parse_number(optarg, 1, 1e12, &v) != 0) return -1; a->sources = (uint64_t)v; break;
		case 'r': a->random_sources = true; break;
		case 's': if (parse_addr(optarg, &a->ip_version, a->src_base) != 0) return -1; break;
		case 'p': if (parse_number(optarg, 1, 65535, &v) != 0) return -1; a->src_port = (uint16_t)v; break;
		case 'd':
			if (ds_service_parse(optarg, &o->dst) != 0 || o->dst.any_address)
				return -1;
			break;
		case 'a': if (parse_mac(optarg, a->src_mac) != 0) return -1; break;
		case 'b': if (parse_mac(optarg, a->dst_mac) != 0) return -1; break;
		case 'l': if (parse_number(optarg, 1, 16384, &v) != 0) return -1; a->data_len = (unsigned)v; break;
		case 'e': if (parse_number(optarg, 1, 1e18, &v) != 0) return -1; a->seed = (uint64_t)v; break;
		case 'S': o->secret = optarg; break;
		case 'F':
			mode = ds_cookie_mode_parse(optarg);
			if (mode < 0)
				return -1;
			o->cookie.mode = (enum ds_cookie_mode)mode;
			break;
		case 'L': if (parse_number(optarg, 1, 255, &v) != 0) return -1; o->cookie.cookie_len = (unsigned)v; break;
		case 'P': if (parse_number(optarg, 1, 1e9, &v) != 0) return -1; o->cookie.period_s = (unsigned)v; break;
		case 'R': if (parse_number(optarg, 0, 1, &o->attack_ratio) != 0) return -1; break;
		case 'g': if (parse_addr(optarg, &o->legit.ip_version, o->legit.src_base) != 0) return -1; break;
		case 'G': if (parse_number(optarg, 1, 1e9, &v) != 0) return -1; o->legit.sources = (uint64_t)v; break;
		case 'o': o->out = optarg; break;
		default: return -1;
		}
	}
	if (o->template_path == NULL || o->out == NULL || o->kind < 0 || a->ip_version == 0 || o->dst.port == 0 ||
	    a->ip_version != o->dst.ip_version || (o->kind == DS_TRAFFIC_RAW && o->frame == 0) ||
	    ((o->kind == DS_TRAFFIC_CH2 || o->kind == KIND_MIX) && o->secret == NULL) ||
	    (o->kind == KIND_MIX && o->legit.ip_version != a->ip_version)) {
		fprintf(stderr, "missing or inconsistent options (--src, --legit-src and --dst must be the same "
				"IP version; ch2 and mix need --secret, mix --legit-src, raw --frame)\n");
		return -1;
	}
	if (o->secret != NULL && ds_cookie_params_check(&o->cookie, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	a->dst_port = o->dst.port;
	memcpy(a->dst_ip, o->dst.addr, 16);
	return 0;
}

/* The UDP payload of the first ClientHello (or of frame N) and, for raw, of frame N. */
static int
load_templates(const struct options *o, uint8_t *hello, size_t *hello_len, uint8_t *raw, size_t *raw_len)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(o->template_path, err);
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	unsigned n = 0;

	if (p == NULL) {
		fprintf(stderr, "%s: %s\n", o->template_path, err);
		return -1;
	}
	*hello_len = *raw_len = 0;
	while (pcap_next_ex(p, &hdr, &bytes) == 1) {
		struct ds_frame_info f;

		n++;
		ds_classify(bytes, hdr->caplen, NULL, &f);
		if (f.dtls_offset == 0)
			continue;
		if (n == o->frame && f.dtls_len <= DS_TRAFFIC_FRAME_MAX) {
			memcpy(raw, bytes + f.dtls_offset, f.dtls_len);
			*raw_len = f.dtls_len;
		}
		if (*hello_len == 0 && ds_outcome_is_client_hello(f.outcome) && (o->frame == 0 || n == o->frame ||
									    o->kind == DS_TRAFFIC_RAW)) {
			memcpy(hello, bytes + f.dtls_offset, f.dtls_len);
			*hello_len = f.dtls_len;
		}
	}
	pcap_close(p);
	/* raw frames need no ClientHello: any UDP payload (a QUIC Initial, ...) is replayed as it is. */
	if ((*hello_len == 0 && o->kind != DS_TRAFFIC_RAW) || (o->frame != 0 && *raw_len == 0)) {
		fprintf(stderr, "%s: no %s\n", o->template_path,
			o->frame != 0 && *raw_len == 0 ? "UDP frame of that number" : "ClientHello");
		return -1;
	}
	return 0;
}

struct cookie_keys {
	struct ds_keyring *keyring;
	struct ds_cookie_engine *engine;
	const struct ds_cookie_keyset *keyset;
};

static int
cookie_keys_open(const struct options *o, struct cookie_keys *k)
{
	struct ds_secret secret;
	char err[512];

	if (ds_secret_load(o->secret, &secret, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	k->keyring = ds_keyring_create(&o->cookie, &secret, ds_keyring_clock_ms(), err, sizeof(err));
	ds_secret_wipe(&secret, sizeof(secret));
	if (k->keyring == NULL || (k->engine = ds_cookie_engine_create(err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	k->keyset = ds_keyring_current(k->keyring);
	return 0;
}

int
main(int argc, char **argv)
{
	static uint8_t hello[DS_TRAFFIC_FRAME_MAX], raw[DS_TRAFFIC_FRAME_MAX], frame[DS_TRAFFIC_FRAME_MAX];
	struct options o;
	struct cookie_keys keys = { 0 };
	struct ds_traffic attack, legit;
	struct ds_traffic_mix mix;
	unsigned long i, by_kind[DS_TRAFFIC_KIND_COUNT] = { 0 };
	pcap_t *dead;
	pcap_dumper_t *out;
	char err[512];
	int rc = 1;

	if (parse_options(argc, argv, &o) != 0) {
		usage(argv[0]);
		return 2;
	}
	o.attack.hello = hello;
	o.attack.raw = raw;
	if (load_templates(&o, hello, &o.attack.hello_len, raw, &o.attack.raw_len) != 0 ||
	    (o.secret != NULL && cookie_keys_open(&o, &keys) != 0))
		goto out;
	if (o.attack.hello_len == 0)
		o.attack.hello = NULL;
	o.attack.engine = keys.engine;
	o.attack.keyset = keys.keyset;
	/* The legitimate clients: the attack's template, ports and destination, their own addresses. */
	{
		const struct ds_traffic_spec given = o.legit;

		o.legit = o.attack;
		o.legit.ip_version = given.ip_version;
		memcpy(o.legit.src_base, given.src_base, sizeof(o.legit.src_base));
		o.legit.sources = given.sources;
		o.legit.random_sources = false;
		o.legit.seed = o.attack.seed + 1;
	}
	if (ds_traffic_init(&attack, &o.attack, err, sizeof(err)) != 0 ||
	    (o.kind == KIND_MIX && ds_traffic_init(&legit, &o.legit, err, sizeof(err)) != 0)) {
		fprintf(stderr, "%s: %s\n", o.template_path, err);
		goto out;
	}
	mix = (struct ds_traffic_mix){ .attack = &attack, .legit = &legit, .attack_ratio = o.attack_ratio };
	dead = pcap_open_dead(DLT_EN10MB, DS_TRAFFIC_FRAME_MAX);
	out = dead ? pcap_dump_open(dead, o.out) : NULL;
	if (out == NULL) {
		fprintf(stderr, "%s: %s\n", o.out, dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		goto out;
	}
	for (i = 0; i < o.count; i++) {
		struct pcap_pkthdr hdr = { 0 };
		enum ds_traffic_kind kind = (enum ds_traffic_kind)o.kind;
		size_t len = o.kind == KIND_MIX
				     ? ds_traffic_mix_frame(&mix, frame, sizeof(frame), &kind)
				     : ds_traffic_frame(&attack, kind, ds_traffic_next_source(&attack), frame,
							sizeof(frame));

		if (len == 0) {
			fprintf(stderr, "frame %lu: cannot be made (too large?)\n", i + 1);
			break;
		}
		by_kind[kind]++;
		hdr.caplen = hdr.len = (bpf_u_int32)len;
		hdr.ts.tv_sec = (time_t)(i / 1000000);
		hdr.ts.tv_usec = (suseconds_t)(i % 1000000);
		pcap_dump((u_char *)out, &hdr, frame);
	}
	pcap_dump_close(out);
	pcap_close(dead);
	if (i == o.count) {
		printf("%s: %lu frames (", o.out, o.count);
		for (unsigned k = 0, first = 1; k < DS_TRAFFIC_KIND_COUNT; k++) {
			if (by_kind[k] != 0) {
				printf("%s%lu %s", first ? "" : ", ", by_kind[k], ds_traffic_kind_name(k));
				first = 0;
			}
		}
		printf(") from %llu source%s%s\n", (unsigned long long)o.attack.sources,
		       o.attack.sources == 1 ? "" : "s", o.kind == KIND_MIX ? " and legitimate clients" : "");
		rc = 0;
	}
out:
	ds_cookie_engine_destroy(keys.engine);
	ds_keyring_destroy(keys.keyring);
	return rc;
}
