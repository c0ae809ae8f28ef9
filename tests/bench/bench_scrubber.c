/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark (a command, not a test): the appliance's workers (rig.c) on DPDK virtual devices, traffic
 * class by traffic class, next to what the same ClientHellos cost elsewhere in the same run (peers.c).
 *
 *   ch1      spoofed first ClientHellos: HVR written in place and sent back
 *   ch2      valid second ClientHellos: cookie checked, flow recorded, forwarded
 *   flow     records of verified flows (the table holds --flows flows per worker): forwarded
 *   garbage  UDP to the service that is not DTLS: dropped
 *   mix      80 % spoofed ClientHellos, 20 % legitimate clients (second ClientHello, then records)
 *   quic     spoofed QUIC Initials (a real gtlsclient's): Retry written in place and sent back
 *   quic-token  Initials with a valid Retry token: token checked, flow recorded, forwarded
 *
 * Mpps per worker core and ns per packet come from the workers' busy cycles (loops that had frames),
 * so idle polling between rounds never counts. Every round is checked: each frame must have met the
 * fate its class expects, or the run fails.
 *
 *   bench_scrubber --template PCAP [--quic-template PCAP] [--workers N] [--seconds S] [--round N] [--flows N] [--cases LIST]
 *                  [--no-peers] [--no-huge] [--cold] [--no-hvr-limit] [--csv FILE] [--format F]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "capture.h"
#include "ds_cookie_engine.h"
#include "ds_flow.h"
#include "ds_keyring.h"
#include "ds_traffic.h"
#include "events.h"
#include "frame_set.h"
#include "peers.h"
#include "quic_sets.h"
#include "rig.h"
#include "secret_file.h"

enum case_id { CASE_CH1, CASE_CH2, CASE_FLOW, CASE_GARBAGE, CASE_MIX, CASE_QUIC, CASE_QUIC_TOKEN, CASE_COUNT };

static const struct {
	const char *name;
	const char *what;
} cases[CASE_COUNT] = {
	[CASE_CH1] = { "ch1", "CH1 -> HVR" },
	[CASE_CH2] = { "ch2", "valid CH2 -> forward" },
	[CASE_FLOW] = { "flow", "verified-flow record -> forward" },
	[CASE_GARBAGE] = { "garbage", "garbage -> drop" },
	[CASE_MIX] = { "mix", "80% CH1 flood + 20% legit" },
	[CASE_QUIC] = { "quic", "QUIC Initial -> Retry" },
	[CASE_QUIC_TOKEN] = { "quic-token", "valid-token Initial -> forward" },
};

struct options {
	const char *template_path;
	const char *quic_template_path; /* NULL: no QUIC cases */
	const char *csv;
	unsigned workers;
	double seconds;
	unsigned round;
	unsigned long flows;
	bool run_case[CASE_COUNT];
	bool peers;
	bool no_huge;
	bool cold;
	bool no_hvr_limit;
	const char *format; /* cookie.format, NULL for the default */
};

/* One figure of the table. */
struct figure {
	enum case_id c;
	const char *implementation;
	unsigned workers;
	double mpps_per_core;
	double ns_per_packet;
	double mpps_total;      /* all workers together */
};

static struct figure figures[64];
static unsigned n_figures;

static void
add_figure(struct figure f)
{
	if (n_figures < sizeof(figures) / sizeof(figures[0]))
		figures[n_figures++] = f;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --template PCAP [--quic-template PCAP] [--workers N] [--seconds S] [--round N] [--flows N]\n"
		"          [--cases ch1,ch2,flow,garbage,mix,quic,quic-token] [--no-peers] [--no-huge] [--cold] [--no-hvr-limit]\n"
		"          [--csv FILE] [--format hmac-sha256|hmac-sha1|aes-cmac|gnutls|wolfssl]\n"
		"  --cold: frames reach the workers from memory (DMA without cache injection)\n"
		"  --no-hvr-limit: hvr_rate_limit.per_prefix 0 (its cost is the difference)\n"
		"  --format: the appliance's cookie.format (default hmac-sha256)\n"
		"  --quic-template: a QUIC Initial (tests/captures/quic/): adds the quic cases\n", prog);
}

static int
parse_cases(const char *list, bool *run)
{
	char copy[256], *save = NULL, *tok;
	unsigned c;

	memset(run, 0, CASE_COUNT * sizeof(*run));
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < CASE_COUNT && strcmp(tok, cases[c].name) != 0; c++)
			;
		if (c == CASE_COUNT)
			return -1;
		run[c] = true;
	}
	return 0;
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' }, { "workers", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 's' },  { "round", required_argument, NULL, 'r' },
		{ "flows", required_argument, NULL, 'f' },    { "cases", required_argument, NULL, 'c' },
		{ "no-peers", no_argument, NULL, 'p' },       { "no-huge", no_argument, NULL, 'h' },
		{ "csv", required_argument, NULL, 'o' },      { "cold", no_argument, NULL, 'C' },
		{ "no-hvr-limit", no_argument, NULL, 'L' },   { "format", required_argument, NULL, 'F' },
		{ "quic-template", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->workers = 1;
	o->seconds = 2.0;
	o->round = 1 << 17;
	o->flows = 1000000;
	o->peers = true;
	parse_cases("ch1,ch2,flow,garbage,mix", o->run_case);
	bool cases_given = false;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't': o->template_path = optarg; break;
		case 'w': o->workers = (unsigned)atoi(optarg); break;
		case 's': o->seconds = atof(optarg); break;
		case 'r': o->round = (unsigned)atoi(optarg); break;
		case 'f': o->flows = strtoul(optarg, NULL, 10); break;
		case 'c': if (parse_cases(optarg, o->run_case) != 0) return -1; cases_given = true; break;
		case 'p': o->peers = false; break;
		case 'h': o->no_huge = true; break;
		case 'o': o->csv = optarg; break;
		case 'C': o->cold = true; break;
		case 'L': o->no_hvr_limit = true; break;
		case 'F': o->format = optarg; break;
		case 'q': o->quic_template_path = optarg; break;
		default: return -1;
		}
	}
	/* A QUIC template adds the QUIC cases to the default ones; they cannot run without it. */
	if (o->quic_template_path != NULL && !cases_given)
		o->run_case[CASE_QUIC] = o->run_case[CASE_QUIC_TOKEN] = true;
	if (o->quic_template_path == NULL && (o->run_case[CASE_QUIC] || o->run_case[CASE_QUIC_TOKEN]))
		return -1;
	if (o->template_path == NULL || o->workers < 1 || o->workers > RIG_MAX_WORKERS || o->seconds <= 0 ||
	    o->round < 1024 || o->flows < 1024 || o->flows > (1u << 24))
		return -1;
	return 0;
}

/* The first ClientHello's UDP payload in a capture. */
static size_t
load_template(const char *path, uint8_t *payload, size_t cap)
{
	struct capture c;
	size_t i, len = 0;

	capture_load(path, &c);
	for (i = 0; i < c.count && len == 0; i++) {
		struct ds_frame_info info;

		ds_classify(c.frames[i].data, c.frames[i].len, NULL, &info);
		if (ds_outcome_is_client_hello(info.outcome) && info.dtls_len <= cap) {
			memcpy(payload, c.frames[i].data + info.dtls_offset, info.dtls_len);
			len = info.dtls_len;
		}
	}
	capture_free(&c);
	return len;
}

/* A configuration and a secret in a private directory: the appliance's own loader reads them. */
static int
write_config(char *dir, const struct options *o, char *path, size_t path_len)
{
	FILE *f;

	if (mkdtemp(dir) == NULL || secret_file_write(dir) != 0)
		return -1;
	snprintf(path, path_len, "%s/bench.yaml", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	/* One worker here; rig_configure sets the number of worker lcores. */
	/* The generator feeds each worker's queue with flows of its own: it is the NIC's RSS (rss: driver). */
	fprintf(f, "lcores:\n  main: 0\n  workers: [1]\nmode: inline\nports:\n  outside:\n    device: net_ring_outside\n"
		   "    rss: driver\n  inside:\n    device: net_null0\n    rss: driver\nservices:\n  - \"10.0.0.2:4433\"\n"
		   "  - address: \"10.0.0.2:443\"\n    protocol: quic\n"
		   "cookie:\n  secret_file: cookie.secret\n  key_period: 86400\n  format: %s\n"
		   "flows:\n  capacity: %lu\n  idle_timeout: 86400\nstats:\n  interval: 0\n%s",
		o->format != NULL ? o->format : "hmac-sha256", o->flows,
		o->no_hvr_limit ? "hvr_rate_limit:\n  per_prefix: 0\n" : "");
	return fclose(f);
}

static void
remove_config(const char *dir, const char *path)
{
	char secret[PATH_MAX];

	snprintf(secret, sizeof(secret), "%s/cookie.secret", dir);
	unlink(secret);
	unlink(path);
	rmdir(dir);
}

static int
start_eal(const struct options *o, const char *prog)
{
	char lcores[256], prefix[64];
	char *argv[32];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned w;
	int argc = 0;

	/* The main lcore sleeps while workers run; workers beyond the CPUs share them. */
	snprintf(lcores, sizeof(lcores), "0@0");
	for (w = 1; w <= o->workers; w++)
		snprintf(lcores + strlen(lcores), sizeof(lcores) - strlen(lcores), ",%u@%ld", w,
			 (long)w % (cpus > 0 ? cpus : 1));
	snprintf(prefix, sizeof(prefix), "dsbench%ld", (long)getpid());
	argv[argc++] = (char *)prog;
	argv[argc++] = "--lcores";
	argv[argc++] = lcores;
	argv[argc++] = "--main-lcore";
	argv[argc++] = "0";
	argv[argc++] = "--no-pci";
	argv[argc++] = "--vdev";
	argv[argc++] = "net_null0,no-rx=1";
	argv[argc++] = "--file-prefix";
	argv[argc++] = prefix;
	argv[argc++] = "--log-level";
	argv[argc++] = "*:error";
	argv[argc++] = "--no-telemetry";
	if (!o->no_huge)
		argv[argc++] = "--huge-unlink"; /* no hugepage files left behind */
	if (o->no_huge) {
		argv[argc++] = "--no-huge";
		argv[argc++] = "-m";
		argv[argc++] = "8192";
	}
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

/* The traffic of each worker: its own sources, so that its flows are in its own table. */
struct traffic_sets {
	struct frame_set ch1[RIG_MAX_WORKERS], ch2[RIG_MAX_WORKERS], data[RIG_MAX_WORKERS];
	struct frame_set garbage[RIG_MAX_WORKERS], mix[RIG_MAX_WORKERS];
	struct frame_set quic[RIG_MAX_WORKERS], quic_token[RIG_MAX_WORKERS];
	uint8_t initial[DS_TRAFFIC_FRAME_MAX]; /* the QUIC template's UDP payload */
	size_t initial_len;
};

enum { SPOOFED_FRAMES = 1 << 16, MIX_FRAMES = 1 << 18, MIX_CLIENTS = 4096 };

/* Slices per figure, interleaved with the peers'. */
enum { REPEATS = 5 };

/* Worker @p w's QUIC traffic: spoofed Initials from a /8 of its own, token Initials from another. */
static int
make_quic_sets(struct traffic_sets *t, unsigned w, struct ds_cookie_engine *engine, const struct ds_cookie_keyset *ks)
{
	struct ds_traffic_spec spoofed = {
		.raw = t->initial, .raw_len = t->initial_len, .ip_version = 4,
		.src_base = { (uint8_t)(60 + w), 0, 0, 0 }, .sources = 1 << 24, .random_sources = true,
		.dst_ip = { 10, 0, 0, 2 }, .dst_port = 443, .src_mac = { 2, 0, 0, 0, 0, 1 },
		.dst_mac = { 2, 0, 0, 0, 0, 2 }, .seed = 500 + w,
	};
	struct ds_traffic_spec clients = spoofed;
	struct ds_traffic a, c;
	char err[256];

	clients.src_base[0] = (uint8_t)(160 + w);
	clients.sources = SPOOFED_FRAMES;
	clients.random_sources = false;
	if (ds_traffic_init(&a, &spoofed, err, sizeof(err)) != 0 || ds_traffic_init(&c, &clients, err, sizeof(err)) != 0) {
		fprintf(stderr, "QUIC traffic: %s\n", err);
		return -1;
	}
	if (frame_set_alloc(&t->quic[w], SPOOFED_FRAMES, t->initial_len + 64) != 0 ||
	    frame_set_alloc(&t->quic_token[w], SPOOFED_FRAMES, t->initial_len + 64) != 0)
		return -1;
	return quic_fill_initials(&t->quic[w], SPOOFED_FRAMES, &a) != 0 ||
			       quic_fill_token_initials(&t->quic_token[w], SPOOFED_FRAMES, &c, t->initial, t->initial_len,
							engine, ks) != 0
		       ? -1
		       : 0;
}

static int
make_sets(struct traffic_sets *t, const struct options *o, const uint8_t *hello, size_t hello_len,
	  struct ds_cookie_engine *engine, const struct ds_cookie_keyset *ks)
{
	unsigned w;
	size_t i;

	for (w = 0; w < o->workers; w++) {
		/* Spoofed sources: random in a /8 per worker; legitimate clients: in turn from another. */
		struct ds_traffic_spec attack = {
			.hello = hello, .hello_len = hello_len, .ip_version = 4,
			.src_base = { (uint8_t)(20 + w), 0, 0, 0 }, .sources = 1 << 24, .random_sources = true,
			.dst_ip = { 10, 0, 0, 2 }, .dst_port = 4433, .src_mac = { 2, 0, 0, 0, 0, 1 },
			.dst_mac = { 2, 0, 0, 0, 0, 2 }, .seed = 1 + w, .engine = engine, .keyset = ks,
		};
		struct ds_traffic_spec legit = attack;
		struct ds_traffic a, l;
		struct ds_traffic_mix mix;
		char err[256];

		legit.src_base[0] = (uint8_t)(100 + w);
		legit.sources = o->flows;
		legit.random_sources = false;
		legit.seed = 1000 + w;
		if (ds_traffic_init(&a, &attack, err, sizeof(err)) != 0 ||
		    ds_traffic_init(&l, &legit, err, sizeof(err)) != 0) {
			fprintf(stderr, "traffic: %s\n", err);
			return -1;
		}
		if (frame_set_alloc(&t->ch1[w], SPOOFED_FRAMES, 512) != 0 ||
		    frame_set_alloc(&t->garbage[w], SPOOFED_FRAMES, 512) != 0 ||
		    frame_set_alloc(&t->ch2[w], o->flows, 512) != 0 ||
		    frame_set_alloc(&t->data[w], o->flows, 256) != 0 ||
		    frame_set_alloc(&t->mix[w], MIX_FRAMES, 512) != 0)
			return -1;
		for (i = 0; i < SPOOFED_FRAMES; i++)
			if (frame_set_put(&t->ch1[w], i, &a, DS_TRAFFIC_CH1, ds_traffic_next_source(&a)) != 0 ||
			    frame_set_put(&t->garbage[w], i, &a, DS_TRAFFIC_GARBAGE, ds_traffic_next_source(&a)) != 0)
				return -1;
		for (i = 0; i < o->flows; i++)
			if (frame_set_put(&t->ch2[w], i, &l, DS_TRAFFIC_CH2, i) != 0 ||
			    frame_set_put(&t->data[w], i, &l, DS_TRAFFIC_DATA, i) != 0)
				return -1;
		/* The mix's clients are the verified flows: their CH2 again, then their records. */
		mix = (struct ds_traffic_mix){ .attack = &a, .legit = &l, .attack_ratio = 0.8 };
		legit.sources = MIX_CLIENTS;
		if (ds_traffic_init(&l, &legit, err, sizeof(err)) != 0 || frame_set_fill_mix(&t->mix[w], &mix) != 0)
			return -1;
		if (t->initial_len != 0 && make_quic_sets(t, w, engine, ks) != 0)
			return -1;
	}
	return 0;
}

static struct frame_set *const *
sets_of(struct traffic_sets *t, enum case_id c, struct frame_set **out, unsigned workers)
{
	unsigned w;

	for (w = 0; w < workers; w++) {
		switch (c) {
		case CASE_CH1: out[w] = &t->ch1[w]; break;
		case CASE_CH2: out[w] = &t->ch2[w]; break;
		case CASE_FLOW: out[w] = &t->data[w]; break;
		case CASE_GARBAGE: out[w] = &t->garbage[w]; break;
		case CASE_QUIC: out[w] = &t->quic[w]; break;
		case CASE_QUIC_TOKEN: out[w] = &t->quic_token[w]; break;
		default: out[w] = &t->mix[w]; break;
		}
	}
	return out;
}

/* Every frame met its class's fate, or the figure means nothing. */
static bool
fates_as_expected(enum case_id c, const struct ds_stats *d, uint64_t packets)
{
	const uint64_t *a = d->action;

	switch (c) {
	case CASE_CH1: return a[DS_ACT_HVR_SENT] == packets;
	case CASE_CH2: return a[DS_ACT_FORWARDED_CH2] == packets && a[DS_ACT_CH2_VALID] == packets;
	case CASE_FLOW: return a[DS_ACT_FORWARDED_VERIFIED] == packets;
	case CASE_GARBAGE: return a[DS_ACT_DROPPED_MALFORMED] == packets;
	case CASE_QUIC: return a[DS_ACT_QUIC_RETRY_SENT] == packets;
	case CASE_QUIC_TOKEN: return a[DS_ACT_FORWARDED_QUIC_TOKEN] == packets && a[DS_ACT_QUIC_TOKEN_VALID] == packets;
	default:
		return a[DS_ACT_HVR_SENT] + a[DS_ACT_FORWARDED_CH2] + a[DS_ACT_FORWARDED_VERIFIED] == packets &&
		       a[DS_ACT_CH2_BAD_COOKIE] == 0 && a[DS_ACT_CH2_EXPIRED_KEY] == 0;
	}
}

/* Keep the better of two figures of the same thing (noise only ever adds time). */
static void
keep_best(struct figure *best, const struct figure *f)
{
	if (best->ns_per_packet == 0 || f->ns_per_packet < best->ns_per_packet)
		*best = *f;
}

/* One measurement of the workers on a case, as a figure; -1 when a frame missed its fate. */
static int
measure_workers(struct rig *r, struct frame_set *const *sets, size_t *cursor, enum case_id c,
		const struct options *o, double seconds, struct figure *out)
{
	struct rig_result res[RIG_MAX_WORKERS];
	const double hz = (double)rte_get_tsc_hz();
	uint64_t packets = 0, busy = 0;
	double total_mpps = 0;
	char err[256];
	unsigned w;

	if (rig_run(r, sets, cursor, seconds, res, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", cases[c].name, err);
		return -1;
	}
	for (w = 0; w < o->workers; w++) {
		if (!fates_as_expected(c, &res[w].delta, res[w].packets)) {
			fprintf(stderr, "%s: worker %u: frames did not meet their expected fate (hvr %lu, ch2 %lu, "
					"verified %lu, malformed %lu of %lu)\n",
				cases[c].name, w, (unsigned long)res[w].delta.action[DS_ACT_HVR_SENT],
				(unsigned long)res[w].delta.action[DS_ACT_FORWARDED_CH2],
				(unsigned long)res[w].delta.action[DS_ACT_FORWARDED_VERIFIED],
				(unsigned long)res[w].delta.action[DS_ACT_DROPPED_MALFORMED],
				(unsigned long)res[w].packets);
			for (unsigned a = 0; a < DS_ACT_COUNT; a++)
				if (r->workers.stats[w]->action[a] != 0)
					fprintf(stderr, "  %-22s %lu\n", ds_action_name((enum ds_action)a),
						(unsigned long)r->workers.stats[w]->action[a]);
			return -1;
		}
		packets += res[w].packets;
		busy += res[w].busy_cycles;
		total_mpps += (double)res[w].packets / ((double)res[w].busy_cycles / hz) / 1e6;
	}
	*out = (struct figure){ .c = c, .implementation = "dtls-scrubber", .workers = o->workers,
				.mpps_per_core = (double)packets / ((double)busy / hz) / 1e6,
				.ns_per_packet = (double)busy / hz * 1e9 / (double)packets,
				.mpps_total = total_mpps };
	return 0;
}

/* Every flow of every worker in its table before records are measured. */
static int
populate_flows(struct rig *r, struct traffic_sets *t, const struct options *o)
{
	struct frame_set *sets[RIG_MAX_WORKERS];
	struct rig_result res[RIG_MAX_WORKERS];
	size_t cursor[RIG_MAX_WORKERS] = { 0 }, done;
	char err[256];

	sets_of(t, CASE_CH2, sets, o->workers);
	for (done = 0; done < o->flows; done += r->round) {
		if (rig_run(r, sets, cursor, 0, res, err, sizeof(err)) != 0) {
			fprintf(stderr, "populating flows: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* The peers of a case, on the first worker's own CPU while the workers are stopped. */
enum peer_id { PEER_IPSEC_MB, PEER_OPENSSL, PEER_GNUTLS, PEER_COUNT };

static const char *const peer_names[PEER_COUNT] = {
	[PEER_IPSEC_MB] = "ipsec-mb-raw",
	[PEER_OPENSSL] = "openssl-listen-mem",
	[PEER_GNUTLS] = "gnutls-cookie-mem",
};

struct peer_job {
	enum peer_id id;
	bool ch2;
	const struct peer_inputs *in;
	const struct peer_cookie_key *key;
	const char *arch;
	double seconds;
	struct peer_result res;
	int rc;
};

static int
peer_job_run(void *arg)
{
	struct peer_job *j = arg;

	switch (j->id) {
	case PEER_IPSEC_MB:
		j->rc = peer_ipsec_mb(j->in, j->arch, j->key, DS_BURST, j->seconds, &j->res);
		break;
	case PEER_OPENSSL:
		j->rc = peer_openssl_listen(j->in, j->key, j->seconds, &j->res);
		break;
	default:
		j->rc = peer_gnutls_cookie(j->in, j->ch2, j->seconds, &j->res);
		break;
	}
	/* Every ClientHello answered (CH1) or accepted (CH2), or the figure is of something else. */
	if (j->rc == 0 && j->id != PEER_IPSEC_MB && (j->ch2 ? j->res.accepted : j->res.answered) != j->res.packets) {
		fprintf(stderr, "peers: %s %s %lu of %lu\n", peer_names[j->id], j->ch2 ? "accepted" : "answered",
			(unsigned long)(j->ch2 ? j->res.accepted : j->res.answered), (unsigned long)j->res.packets);
		j->rc = -1;
	}
	return 0;
}

static int
measure_peers(struct rig *r, const struct peer_inputs *in, const struct peer_cookie_key *key, enum case_id c,
	      const char *arch, double seconds, struct figure *best)
{
	const unsigned lcore = r->workers.worker[0]->lcore;
	enum peer_id p;

	for (p = 0; p < PEER_COUNT; p++) {
		struct peer_job j = { .id = p, .ch2 = c == CASE_CH2, .in = in, .key = key, .arch = arch,
				      .seconds = seconds };
		struct figure f;

		if (rte_eal_remote_launch(peer_job_run, &j, lcore) != 0 || rte_eal_wait_lcore(lcore) != 0 ||
		    j.rc != 0) {
			fprintf(stderr, "peer %s failed\n", peer_names[p]);
			return -1;
		}
		f = (struct figure){ .c = c, .implementation = peer_names[p], .workers = 1,
				     .mpps_per_core = 1e3 / j.res.ns_per_packet, .ns_per_packet = j.res.ns_per_packet,
				     .mpps_total = 1e3 / j.res.ns_per_packet };
		keep_best(&best[p], &f);
	}
	return 0;
}

/* The QUIC cases' floor: the AES-GCM work of a Retry (or of a token check) with ipsec-mb alone. */
struct quic_raw_job {
	bool open;
	const struct ds_cookie_keyset *ks;
	double seconds;
	double ns;
};

static int
quic_raw_job_run(void *arg)
{
	struct quic_raw_job *j = arg;
	char err[128];
	struct ds_cookie_engine *e = ds_cookie_engine_create(err, sizeof(err));

	j->ns = -1;
	if (e != NULL)
		j->ns = j->open ? quic_raw_open_ns(e, j->ks, j->seconds) : quic_raw_retry_ns(e, j->ks, j->seconds);
	ds_cookie_engine_destroy(e);
	return 0;
}

static int
measure_quic_raw(struct rig *r, enum case_id c, const struct ds_cookie_keyset *ks, double seconds, struct figure *best)
{
	const unsigned lcore = r->workers.worker[0]->lcore;
	struct quic_raw_job j = { .open = c == CASE_QUIC_TOKEN, .ks = ks, .seconds = seconds };
	struct figure f;

	if (rte_eal_remote_launch(quic_raw_job_run, &j, lcore) != 0 || rte_eal_wait_lcore(lcore) != 0 || j.ns <= 0) {
		fprintf(stderr, "%s: raw AES-GCM measurement failed\n", cases[c].name);
		return -1;
	}
	f = (struct figure){ .c = c, .implementation = "ipsec-mb-gcm-raw", .workers = 1, .mpps_per_core = 1e3 / j.ns,
			     .ns_per_packet = j.ns, .mpps_total = 1e3 / j.ns };
	keep_best(best, &f);
	return 0;
}

/*
 * A case, in REPEATS slices: the workers, then (for ClientHellos) each peer on the same CPU, again and
 * again, the best slice of each kept. A noisy neighbour then hits every column alike.
 */
static int
run_case(struct rig *r, struct traffic_sets *t, enum case_id c, const struct options *o, const char *arch,
	 const struct ds_cookie_keyset *ks)
{
	struct frame_set *sets[RIG_MAX_WORKERS];
	struct rig_result warm[RIG_MAX_WORKERS];
	size_t cursor[RIG_MAX_WORKERS] = { 0 };
	struct figure best = { 0 }, best_peer[PEER_COUNT] = { { 0 } }, best_gcm = { 0 };
	struct peer_inputs in = { 0 };
	const uint64_t epoch = ds_cookie_keyset_epoch(ks);
	const struct ds_cookie_params *params = ds_cookie_keyset_params(ks);
	struct peer_cookie_key key = { .mode = params->mode, .key_id = (uint8_t)epoch, .cookie_len = params->cookie_len };
	/* The peers compute the scrubber's own formats (the foreign ones MAC other inputs). */
	const bool peers = o->peers && (c == CASE_CH1 || c == CASE_CH2) && ds_cookie_has_key_id(params->mode);
	const bool gcm_floor = o->peers && (c == CASE_QUIC || c == CASE_QUIC_TOKEN);
	const double slice = o->seconds / REPEATS;
	char err[256];
	unsigned rep, p;
	int rc = -1;

	sets_of(t, c, sets, o->workers);
	if (peers && (ds_cookie_epoch_key(&r->cfg.secret, epoch, key.key) != 0 ||
		      peer_inputs_make(&in, sets[0]) != 0)) {
		fprintf(stderr, "%s: peer inputs\n", cases[c].name);
		goto out;
	}
	/* One unmeasured round first: caches, TLBs and (for ch2) the flow table's first inserts. */
	if (rig_run(r, sets, cursor, 0, warm, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", cases[c].name, err);
		goto out;
	}
	for (rep = 0; rep < REPEATS; rep++) {
		struct figure f;

		if (measure_workers(r, sets, cursor, c, o, slice, &f) != 0)
			goto out;
		keep_best(&best, &f);
		if (peers) {
			rig_halt(r);
			rc = measure_peers(r, &in, &key, c, arch, slice, best_peer);
			rig_launch(r);
			if (rc != 0)
				goto out;
			rc = -1;
		}
		if (gcm_floor) {
			rig_halt(r);
			rc = measure_quic_raw(r, c, ks, slice, &best_gcm);
			rig_launch(r);
			if (rc != 0)
				goto out;
			rc = -1;
		}
	}
	add_figure(best);
	if (gcm_floor)
		add_figure(best_gcm);
	for (p = 0; peers && p < PEER_COUNT; p++)
		add_figure(best_peer[p]);
	rc = 0;
out:
	peer_inputs_free(&in);
	return rc;
}

static const struct figure *
find_figure(enum case_id c, const char *implementation)
{
	unsigned i;

	for (i = 0; i < n_figures; i++)
		if (figures[i].c == c && strcmp(figures[i].implementation, implementation) == 0)
			return &figures[i];
	return NULL;
}

static void
print_table(const struct options *o)
{
	unsigned i;

	printf("\n%-8s %-32s %-19s %3s %10s %9s %9s %10s  %s\n", "case", "what", "implementation", "w", "Mpps/core",
	       "ns/pkt", "TSC cyc", "Mpps all", "ratio");
	for (i = 0; i < n_figures; i++) {
		const struct figure *f = &figures[i];
		const struct figure *raw = find_figure(f->c, f->c == CASE_QUIC || f->c == CASE_QUIC_TOKEN ? "ipsec-mb-gcm-raw"
													: "ipsec-mb-raw");
		const struct figure *us = find_figure(f->c, "dtls-scrubber");
		char ratio[96] = "";

		if (f == us && raw != NULL)
			snprintf(ratio, sizeof(ratio), "%.2fx the raw %s's ns", f->ns_per_packet / raw->ns_per_packet,
				 raw->implementation[9] == 'g' ? "AES-GCM" : "MAC");
		else if (f == raw)
			snprintf(ratio, sizeof(ratio), "the %s alone: the floor", raw->implementation[9] == 'g' ? "AES-GCM" : "MAC");
		else if (f != us && us != NULL)
			snprintf(ratio, sizeof(ratio), "dtls-scrubber %.1fx faster", f->ns_per_packet / us->ns_per_packet);
		printf("%-8s %-32s %-19s %3u %10.2f %9.1f %9.1f %10.2f  %s\n", cases[f->c].name, cases[f->c].what,
		       f->implementation, f->workers, f->mpps_per_core, f->ns_per_packet,
		       f->ns_per_packet * (double)rte_get_tsc_hz() / 1e9, f->mpps_total,
		       ratio);
	}
	(void)o;
}

/* Rows appended, so that runs with other settings (formats, table sizes) can share a file. */
static int
write_csv(const char *path, const struct options *o)
{
	struct stat st;
	const bool fresh = stat(path, &st) != 0 || st.st_size == 0;
	FILE *f = fopen(path, "a");
	unsigned i;

	if (f == NULL)
		return -1;
	if (fresh)
		fprintf(f, "case,implementation,workers,mpps_per_core,ns_per_packet,format,flows,burst\n");
	for (i = 0; i < n_figures; i++)
		fprintf(f, "%s,%s,%u,%.3f,%.2f,%s,%lu,%d\n", cases[figures[i].c].name, figures[i].implementation,
			figures[i].workers, figures[i].mpps_per_core, figures[i].ns_per_packet,
			o->format != NULL ? o->format : "hmac-sha256", o->flows, DS_BURST);
	return fclose(f);
}

int
main(int argc, char **argv)
{
	static struct rig rig;
	static struct traffic_sets sets;
	static uint8_t hello[DS_TRAFFIC_FRAME_MAX];
	char dir[] = "/tmp/dsbench.XXXXXX", config[PATH_MAX], err[512];
	struct ds_cookie_engine *engine = NULL;
	struct options o;
	size_t hello_len;
	int rc = 1;
	enum case_id c;

	if (parse_options(argc, argv, &o) != 0) {
		usage(argv[0]);
		return 2;
	}
	hello_len = load_template(o.template_path, hello, sizeof(hello));
	if (hello_len == 0) {
		fprintf(stderr, "%s: no ClientHello\n", o.template_path);
		return 1;
	}
	if (o.quic_template_path != NULL &&
	    (sets.initial_len = quic_load_initial(o.quic_template_path, sets.initial, sizeof(sets.initial))) == 0) {
		fprintf(stderr, "%s: no QUIC Initial\n", o.quic_template_path);
		return 1;
	}
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	if (write_config(dir, &o, config, sizeof(config)) != 0) {
		perror("benchmark configuration");
		return 1;
	}
	rc = rig_configure(&rig, config, o.workers, err, sizeof(err));
	remove_config(dir, config);
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	rc = 1;
	/* The workers' JSON events (links, keys) would interleave with the tables: to stderr. */
	ds_events_init(0, stderr);
	if (start_eal(&o, argv[0]) < 0) {
		fprintf(stderr, "EAL: %s (hugepages reserved? else --no-huge)\n", rte_strerror(rte_errno));
		ds_config_clear(&rig.cfg);
		return 1;
	}
	rig.cold = o.cold;
	if (rig_open(&rig, o.round, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	engine = ds_cookie_engine_create(err, sizeof(err));
	if (engine == NULL) {
		fprintf(stderr, "generator: %s\n", err);
		goto out;
	}
	printf("dtls-scrubber benchmark: %u worker%s, bursts of %d, rounds of %u frames per worker, best of %d slices of %.2f s "
	       "per figure, %lu flows per worker table (%.0f MB per million flows), TSC %.2f GHz, ipsec-mb %s path, "
	       "cookie format %s\n",
	       o.workers, o.workers == 1 ? "" : "s", DS_BURST, o.round, REPEATS, o.seconds / REPEATS, o.flows,
	       (double)ds_flow_table_memory(rig.workers.worker[0]->flows) / ((double)o.flows / 1e6) / 1e6,
	       (double)rte_get_tsc_hz() / 1e9, ds_cookie_engine_arch(engine), o.format != NULL ? o.format : "hmac-sha256");
	printf("generating traffic from %s ...\n", o.template_path);
	fflush(stdout);
	if (make_sets(&sets, &o, hello, hello_len, engine, ds_keyring_current(rig.keyring)) != 0) {
		fprintf(stderr, "cannot make the traffic (out of memory?)\n");
		goto out;
	}
	rig_launch(&rig);
	for (c = 0; c < CASE_COUNT; c++) {
		if (!o.run_case[c])
			continue;
		printf("measuring %s (%s)%s ...\n", cases[c].name, cases[c].what,
		       o.peers && c <= CASE_CH2 ? " and its peers" : o.peers && c >= CASE_QUIC ? " and raw AES-GCM" : "");
		fflush(stdout);
		if ((c == CASE_FLOW && populate_flows(&rig, &sets, &o) != 0) ||
		    run_case(&rig, &sets, c, &o, ds_cookie_engine_arch(engine),
			     ds_keyring_current(rig.keyring)) != 0)
			goto out;
	}
	rig_halt(&rig);
	print_table(&o);
	if (o.csv != NULL && write_csv(o.csv, &o) != 0) {
		perror(o.csv);
		goto out;
	}
	rc = 0;
out:
	rig_close(&rig);
	ds_cookie_engine_destroy(engine);
	rte_eal_cleanup();
	return rc;
}
