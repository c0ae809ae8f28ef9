/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Real, unmodified DTLS clients on loopback (IPv4 and IPv6) against a harness that plays the server
 * with the packet core:
 *   1. the client's ClientHello is captured from `lo` with libpcap (a capture made by this test);
 *   2. the classifier must call it a ClientHello without a cookie;
 *   3. the cookie engine makes its cookie, the HVR writer answers it in place, and the very bytes it
 *      wrote are injected back into `lo` (the kernel checks the IP and UDP checksums before the
 *      client sees them);
 *   4. the client's next datagram must be a ClientHello carrying exactly that cookie, the same client
 *      random and the next message_seq, and the cookie engine must accept it.
 * Variants answer a retransmitted ClientHello (record sequence number > 0) and answer twice in a row
 * (message_seq 1 echoed). A control case injects an HVR whose UDP checksum was spoiled after writing:
 * the kernel must drop it, so the client keeps retransmitting its ClientHello without a cookie; this
 * shows that the other cases prove the writer's checksums. All HVRs are finally read by tshark with
 * checksum validation on.
 *
 * The test runs in a network namespace of its own, so its loopback is private and its two sysctls
 * touch nothing else: without route_localnet and accept_local, Linux drops an injected IPv4 packet
 * from 127.0.0.1 as a martian (IPv6 has no such rule). Needs root, openssl, gnutls-cli and tshark.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "cookie_fixtures.h"
#include "ds_cookie_engine.h"
#include "ds_hvr.h"
#include "ds_wire.h"
#include "hvr_rules.h"
#include "hvr_tshark.h"
#include "process.h"
#include "tap.h"

enum { MAX_HVRS = 64, WAIT_MS = 6000, CONTROL_WAIT_MS = 2500, MAX_ARGS = 16, EPOCH = 29916666 };

static struct ds_cookie_engine *engine;

struct client_case {
	const char *name;
	unsigned ip_version;
	const char *argv[MAX_ARGS]; /**< "{host}" and "{port}" are filled in */
	unsigned answer_nth;        /**< answer the n-th ClientHello (2 = a retransmission) */
	unsigned rounds;            /**< HVRs in a row (2 = answer CH2 with another HVR) */
	unsigned cookie_len;
};

static const struct client_case cases[] = {
	{ "openssl s_client -dtls1_2", 4,
	  { "openssl", "s_client", "-dtls1_2", "-connect", "{host}:{port}", NULL }, 1, 1, 16 },
	{ "openssl s_client -dtls1_2", 6,
	  { "openssl", "s_client", "-dtls1_2", "-connect", "[{host}]:{port}", NULL }, 1, 1, 32 },
	{ "openssl s_client -dtls1", 4,
	  { "openssl", "s_client", "-dtls1", "-cipher", "DEFAULT:@SECLEVEL=0", "-connect",
	    "{host}:{port}", NULL }, 1, 1, 20 },
	{ "openssl s_client -dtls1", 6,
	  { "openssl", "s_client", "-dtls1", "-cipher", "DEFAULT:@SECLEVEL=0", "-connect",
	    "[{host}]:{port}", NULL }, 1, 1, 8 },
	{ "gnutls-cli --udp", 4,
	  { "gnutls-cli", "--udp", "--insecure", "-p", "{port}", "{host}", NULL }, 1, 1, 16 },
	{ "gnutls-cli --udp", 6,
	  { "gnutls-cli", "--udp", "--insecure", "-p", "{port}", "{host}", NULL }, 1, 1, 32 },
	{ "gnutls-cli --udp, DTLS 1.0 only", 4,
	  { "gnutls-cli", "--udp", "--insecure", "--priority", "NORMAL:-VERS-ALL:+VERS-DTLS1.0", "-p",
	    "{port}", "{host}", NULL }, 1, 1, 24 },
	{ "openssl s_client -dtls1_2, retransmitted ClientHello answered", 4,
	  { "openssl", "s_client", "-dtls1_2", "-connect", "{host}:{port}", NULL }, 2, 1, 16 },
	{ "gnutls-cli --udp, retransmitted ClientHello answered", 6,
	  { "gnutls-cli", "--udp", "--insecure", "-p", "{port}", "{host}", NULL }, 2, 1, 16 },
	{ "gnutls-cli --udp, two HVRs in a row", 4,
	  { "gnutls-cli", "--udp", "--insecure", "-p", "{port}", "{host}", NULL }, 1, 2, 16 },
	{ "openssl s_client -dtls1_2, two HVRs in a row", 6,
	  { "openssl", "s_client", "-dtls1_2", "-connect", "[{host}]:{port}", NULL }, 1, 2, 16 },
};

/* HVRs written during the run, for tshark at the end. */
static struct capture_frame hvr_frames[MAX_HVRS];
static struct hvr_expect hvr_expects[MAX_HVRS];
static size_t hvr_count;

struct harness {
	int sock;          /**< the server's UDP socket: keeps the port open so no ICMP error is sent */
	uint16_t port;
	pcap_t *pcap;      /**< capture and injection on lo */
	struct ds_service_set services;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
harness_open(struct harness *h, unsigned ip_version)
{
	char err[PCAP_ERRBUF_SIZE], filter[64];
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	struct bpf_program prog;
	struct ds_service svc = { .ip_version = (uint8_t)ip_version };

	h->sock = socket(ip_version == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (ip_version == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if (h->sock < 0 || bind(h->sock, (struct sockaddr *)&ss, len) != 0 ||
	    getsockname(h->sock, (struct sockaddr *)&ss, &len) != 0)
		tap_bail("cannot bind a UDP socket on loopback: %s", strerror(errno));
	h->port = ntohs(ip_version == 4 ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);

	h->pcap = pcap_create("lo", err);
	if (h->pcap == NULL || pcap_set_snaplen(h->pcap, 65535) != 0 ||
	    pcap_set_immediate_mode(h->pcap, 1) != 0 || pcap_set_timeout(h->pcap, 20) != 0 ||
	    pcap_activate(h->pcap) != 0)
		tap_bail("cannot capture on lo (root needed): %s",
			 h->pcap ? pcap_geterr(h->pcap) : err);
	/* Only what clients send to the server port: our injected replies go the other way. */
	snprintf(filter, sizeof(filter), "udp dst port %u", h->port);
	if (pcap_compile(h->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(h->pcap, &prog) != 0)
		tap_bail("pcap filter: %s", pcap_geterr(h->pcap));
	pcap_freecode(&prog);
	if (pcap_setnonblock(h->pcap, 1, err) != 0)
		tap_bail("pcap_setnonblock: %s", err);

	ds_service_set_init(&h->services);
	svc.port = h->port;
	if (ip_version == 4)
		ds_store_be16(svc.addr, 0x7f00), ds_store_be16(svc.addr + 2, 0x0001);
	else
		svc.addr[15] = 1;
	ds_service_set_add(&h->services, &svc);
}

static void
harness_close(struct harness *h)
{
	pcap_close(h->pcap);
	close(h->sock);
}

/* Next ClientHello the client sends to the harness, classified; 0 when none came in time. */
static uint32_t
next_hello_within(struct harness *h, uint8_t *frame, struct ds_frame_info *info,
		  enum ds_outcome *outcome, long long wait_ms)
{
	const long long deadline = now_ms() + wait_ms;
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	uint8_t drain[2048];

	while (now_ms() < deadline) {
		int rc = pcap_next_ex(h->pcap, &hdr, &bytes);

		while (recv(h->sock, drain, sizeof(drain), 0) > 0)
			;
		if (rc == 1 && hdr->caplen == hdr->len && hdr->caplen <= 2048) {
			uint8_t *copy = frame_dup(bytes, hdr->caplen);

			*outcome = ds_classify(copy, hdr->caplen, &h->services, info);
			memcpy(frame, copy, hdr->caplen);
			free(copy);
			return hdr->caplen;
		}
		if (rc == 0) {
			const struct timespec tick = { .tv_nsec = 5 * 1000 * 1000 };

			nanosleep(&tick, NULL);
		} else if (rc < 0) {
			tap_diag("pcap: %s", pcap_geterr(h->pcap));
			return 0;
		}
	}
	return 0;
}

static uint32_t
next_hello(struct harness *h, uint8_t *frame, struct ds_frame_info *info, enum ds_outcome *outcome)
{
	return next_hello_within(h, frame, info, outcome, WAIT_MS);
}

static void
fill_argv(const struct client_case *cc, const struct harness *h, char *argv[], char storage[][64])
{
	const char *host = cc->ip_version == 4 ? "127.0.0.1" : "::1";
	size_t i;

	for (i = 0; cc->argv[i] != NULL; i++) {
		const char *a = cc->argv[i];
		char *out = storage[i];
		const char *p;

		out[0] = '\0';
		for (p = a; *p != '\0';) {
			if (strncmp(p, "{host}", 6) == 0) {
				strcat(out, host);
				p += 6;
			} else if (strncmp(p, "{port}", 6) == 0) {
				snprintf(out + strlen(out), 8, "%u", h->port);
				p += 6;
			} else {
				strncat(out, p++, 1);
			}
		}
		argv[i] = out;
	}
	argv[i] = NULL;
}

/* Answer one ClientHello in place and inject the reply; returns false (after a failed check) if not. */
static bool
answer(struct harness *h, const uint8_t *hello, uint32_t len, const struct ds_frame_info *info,
       const uint8_t *cookie, unsigned cookie_len, const char *label)
{
	uint8_t *reply = frame_dup(hello, len);
	uint32_t reply_len = 0;
	char why[256] = "";
	enum ds_hvr_result r = ds_hvr_write(reply, info, cookie, cookie_len, 0, &reply_len);
	bool ok = r == DS_HVR_WRITTEN &&
		  hvr_rules_check(hello, info, reply, reply_len, cookie, cookie_len, 0, why, sizeof(why));

	if (!tap_check(ok, "%s: HVR written in place follows every wire rule (%s) %s", label,
		       ds_hvr_result_name(r), why)) {
		free(reply);
		return false;
	}
	if (hvr_count < MAX_HVRS) {
		hvr_frames[hvr_count] = (struct capture_frame){ .data = reply, .len = reply_len };
		hvr_expect_from_hello(&hvr_expects[hvr_count], hello, info, cookie, cookie_len);
		snprintf(hvr_expects[hvr_count].label, sizeof(hvr_expects[0].label), "%.120s", label);
		hvr_count++;
	}
	return tap_check(pcap_inject(h->pcap, reply, reply_len) == (int)reply_len,
			 "%s: HVR injected into lo", label);
}

/*
 * Control: the same reply with one bit of its UDP checksum flipped must never reach the client, which
 * then retransmits its ClientHello without a cookie.
 */
static void
run_control(const struct client_case *cc, unsigned step, const char *log_path)
{
	struct harness h;
	struct child client;
	char *argv[MAX_ARGS], storage[MAX_ARGS][64];
	uint8_t frame[2048], cookie[16] = "control-cookie!";
	struct ds_frame_info info;
	enum ds_outcome outcome = DS_OUT_COUNT;
	uint32_t len, reply_len = 0;
	unsigned retransmissions = 0, with_cookie = 0;
	long long deadline;

	harness_open(&h, cc->ip_version);
	fill_argv(cc, &h, argv, storage);
	child_start(&client, argv, log_path);
	len = next_hello(&h, frame, &info, &outcome);
	if (tap_check(len > 0 && outcome == DS_OUT_DTLS_CLIENT_HELLO,
		      "step %u: control over IPv%u: ClientHello captured", step, cc->ip_version) &&
	    ds_hvr_write(frame, &info, cookie, sizeof(cookie), 0, &reply_len) == DS_HVR_WRITTEN) {
		frame[info.l4_offset + 7] ^= 0x01;
		pcap_inject(h.pcap, frame, reply_len);
		for (deadline = now_ms() + CONTROL_WAIT_MS; now_ms() < deadline;) {
			if (next_hello_within(&h, frame, &info, &outcome, deadline - now_ms()) == 0)
				break;
			retransmissions += outcome == DS_OUT_DTLS_CLIENT_HELLO;
			with_cookie += outcome == DS_OUT_DTLS_CLIENT_HELLO_COOKIE;
		}
		tap_check(with_cookie == 0 && retransmissions > 0,
			  "step %u: control over IPv%u: an HVR with a bad UDP checksum is dropped by the "
			  "kernel (%u retransmitted ClientHellos, %u with a cookie)", step, cc->ip_version,
			  retransmissions, with_cookie);
	}
	child_stop(&client);
	harness_close(&h);
}

static void
run_case(const struct client_case *cc, unsigned step, const char *log_path)
{
	struct harness h;
	struct child client;
	char *argv[MAX_ARGS], storage[MAX_ARGS][64], label[128];
	uint8_t first[2048], frame[2048], cookie[DS_COOKIE_MAX_LEN];
	struct ds_frame_info first_info, info;
	enum ds_outcome outcome = DS_OUT_COUNT;
	uint32_t first_len = 0, len;
	unsigned seen, round;
	struct ds_secret master;

	harness_open(&h, cc->ip_version);
	fill_argv(cc, &h, argv, storage);
	child_start(&client, argv, log_path);

	for (seen = 0; seen < cc->answer_nth; seen++)
		first_len = next_hello(&h, first, &first_info, &outcome);
	snprintf(label, sizeof(label), "step %u: %s over IPv%u", step, cc->name, cc->ip_version);
	if (!tap_check(first_len > 0 && outcome == DS_OUT_DTLS_CLIENT_HELLO && first_info.cookie_len == 0,
		       "%s: ClientHello #%u captured on lo is dtls_client_hello (got %s)", label,
		       cc->answer_nth, first_len ? ds_outcome_name(outcome) : "nothing"))
		goto out;
	if (cc->answer_nth > 1)
		tap_check(ds_load_be48(first + first_info.dtls_offset + 5) > 0,
			  "%s: the retransmission has a record sequence number > 0", label);

	memcpy(frame, first, first_len);
	len = first_len;
	info = first_info;
	fixture_secret(&master, 32);
	for (round = 1; round <= cc->rounds; round++) {
		struct ds_keyring *kr;
		const struct ds_cookie_keyset *ks;
		struct ds_cookie_request req;
		uint8_t cookies[1][DS_COOKIE_MAX_LEN];
		enum ds_cookie_verdict verdict;
		const uint16_t msg_seq = ds_load_be16(frame + info.dtls_offset + DS_DTLS_RECORD_HDR_LEN + 4);
		char round_label[160];
		uint8_t next[2048];
		struct ds_frame_info next_info;
		uint32_t next_len;

		snprintf(round_label, sizeof(round_label), "%s, HVR %u", label, round);
		/* Each round's keys come from another epoch, so each HVR carries a different cookie. */
		kr = fixture_keyring(DS_COOKIE_HMAC_SHA256, cc->cookie_len, 60, 2000, &master,
				     fixture_time(EPOCH + round, 60, 0));
		ks = ds_keyring_current(kr);
		ds_cookie_request_from_frame(&req, frame, &info);
		ds_cookie_engine_run(engine, ks, &req, 1, cookies, &verdict);
		memcpy(cookie, cookies[0], cc->cookie_len);
		if (!answer(&h, frame, len, &info, cookie, cc->cookie_len, round_label)) {
			ds_keyring_destroy(kr);
			break;
		}
		/* Retransmissions of the answered ClientHello may still arrive: wait for the cookie. */
		do
			next_len = next_hello(&h, next, &next_info, &outcome);
		while (next_len > 0 && outcome == DS_OUT_DTLS_CLIENT_HELLO);
		if (!tap_check(next_len > 0 && outcome == DS_OUT_DTLS_CLIENT_HELLO_COOKIE,
			       "%s: client answers with a ClientHello carrying a cookie (got %s)", round_label,
			       next_len ? ds_outcome_name(outcome) : "nothing")) {
			ds_keyring_destroy(kr);
			break;
		}
		ds_cookie_request_from_frame(&req, next, &next_info);
		ds_cookie_engine_run(engine, ks, &req, 1, cookies, &verdict);
		tap_check(verdict == DS_COOKIE_VALID, "%s: the cookie engine accepts the client's cookie (%s)",
			  round_label, ds_cookie_verdict_name(verdict));
		ds_keyring_destroy(kr);
		tap_check(next_info.cookie_len == cc->cookie_len &&
				  memcmp(next + next_info.cookie_offset, cookie, cc->cookie_len) == 0,
			  "%s: the cookie is exactly the one in the HVR", round_label);
		tap_check(memcmp(ds_frame_client_random(next, &next_info),
				 ds_frame_client_random(first, &first_info), DS_DTLS_RANDOM_LEN) == 0,
			  "%s: the client random is the first ClientHello's", round_label);
		tap_check(ds_load_be16(next + next_info.dtls_offset + DS_DTLS_RECORD_HDR_LEN + 4) ==
				  msg_seq + 1,
			  "%s: message_seq is %u, one more than the answered ClientHello's", round_label,
			  msg_seq + 1);
		memcpy(frame, next, next_len);
		len = next_len;
		info = next_info;
	}
out:
	child_stop(&client);
	harness_close(&h);
}

int
main(void)
{
	char log_path[] = "/tmp/ds-live-clients-XXXXXX.log", pcap[] = "/tmp/ds-live-hvrs-XXXXXX.pcap";
	char err[256];
	int fd;
	size_t i;

	if (geteuid() != 0)
		tap_bail("needs root: a network namespace, live capture and injection on lo");
	process_private_loopback();
	engine = ds_cookie_engine_create(err, sizeof(err));
	if (engine == NULL)
		tap_bail("cookie engine: %s", err);
	fd = mkstemps(log_path, 4);
	if (fd < 0 || close(fd) != 0 || (fd = mkstemps(pcap, 5)) < 0 || close(fd) != 0)
		tap_bail("cannot create temporary files");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], (unsigned)i + 1, log_path);
	run_control(&cases[0], (unsigned)i + 1, log_path);
	run_control(&cases[1], (unsigned)i + 2, log_path);
	if (tap_check(hvr_count > 0, "%zu HVRs were sent to real clients", hvr_count)) {
		capture_write(pcap, hvr_frames, hvr_count);
		hvr_tshark_check(pcap, hvr_expects, hvr_count);
	}
	for (i = 0; i < hvr_count; i++)
		free(hvr_frames[i].data);
	ds_cookie_engine_destroy(engine);
	unlink(pcap);
	tap_diag("client output: %s", log_path);
	return tap_done();
}
