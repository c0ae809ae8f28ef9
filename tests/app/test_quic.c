/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Retry offload on the real worker (ring ports, data_path.c), with Debian's unmodified ngtcp2
 * client (gtlsclient) in the loop: the test is the wire between the client's UDP socket and the
 * worker's outside port, IPv4 and IPv6.
 *   - the client's first Initial gets a Retry, which the client accepts (ngtcp2 checks the integrity
 *     tag and the SCID) and answers with an Initial carrying the token: forwarded inside unchanged,
 *     its flow made; a short header on that flow then passes, one from another port does not;
 *   - a flood of the client's Initial from 1 000 spoofed sources gets one Retry each, nothing inside;
 *     1 500 from one /24 get the per-prefix allowance of Retries (shared with HVRs), the rest dropped;
 *     the token replayed from another address is dropped; a long header of an unknown version gets a
 *     Version Negotiation; a 1199-byte Initial is malformed;
 *   - tshark's QUIC dissector reads the Retries (type, token, tag) and the Version Negotiation;
 *   - the frame and flow laws hold, every mbuf returns.
 * TAP output.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "data_path.h"
#include "ds_build.h"
#include "ds_classify.h"
#include "process.h"
#include "tap.h"
#include "tshark.h"

enum { FLOOD = 1000, DGRAM_MAX = 1500, SERVICE_PORT = 443, SAVED_MAX = 8 };

/* The client's real datagrams, kept for the synthetic part, and the replies saved for tshark. */
static uint8_t initial[DGRAM_MAX];
static size_t initial_len;
static struct capture_frame saved[SAVED_MAX];
static size_t n_saved;

static void
save(const uint8_t *frame, size_t len)
{
	if (n_saved < SAVED_MAX) {
		saved[n_saved].data = frame_dup(frame, len);
		saved[n_saved++].len = (uint32_t)len;
	}
}

/* A frame from @p src:sport to the service of family @p v, around @p payload. */
static size_t
wrap(uint8_t *out, unsigned v, const uint8_t *src, uint16_t sport, const uint8_t *payload, size_t len)
{
	struct ds_frame_addrs a = { .src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
				    .ip_version = (uint8_t)v, .src_port = sport, .dst_port = SERVICE_PORT };

	memcpy(a.src_ip, src, v == 4 ? 4 : 16);
	if (v == 4)
		memcpy(a.dst_ip, (const uint8_t[]){ 10, 0, 0, 2 }, 4);
	else
		a.dst_ip[0] = 0xfd, a.dst_ip[15] = 2;
	return ds_frame_build(out, DGRAM_MAX + 64, &a, payload, len);
}

static uint64_t
counter(const struct data_path *dp, enum ds_action a)
{
	return data_path_stats(dp)->action[a];
}

/* One datagram through the worker; the frame it sent out of @p port (copied), or 0. */
static size_t
through(struct data_path *dp, const uint8_t *frame, size_t len, enum ds_port_role port, uint8_t *out)
{
	struct rte_mbuf *m[4];
	size_t out_len = 0;
	unsigned n, i;

	if (data_path_send(dp, DS_PORT_OUTSIDE, &frame, &len, 1) != 1)
		tap_bail("cannot queue a frame");
	data_path_run(dp);
	n = data_path_take(dp, port, m, 4);
	for (i = 0; i < n; i++) {
		if (i == 0) {
			out_len = rte_pktmbuf_data_len(m[0]);
			memcpy(out, rte_pktmbuf_mtod(m[0], const uint8_t *), out_len);
		}
		rte_pktmbuf_free(m[i]);
	}
	data_path_drain(dp);
	return out_len;
}

static ssize_t
receive(int fd, uint8_t *buf, struct sockaddr_storage *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t alen = sizeof(*from);

	if (poll(&p, 1, 10000) != 1)
		return -1;
	return recvfrom(fd, buf, DGRAM_MAX, 0, (struct sockaddr *)from, &alen);
}

static const uint8_t *
addr_of(const struct sockaddr_storage *ss, uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		*port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	}
	*port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
}

/* A socket on loopback for gtlsclient to talk to, and the client started against it. */
static int
start_client(unsigned v, struct child *c, char *log)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t alen = v == 4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	const char *host = v == 4 ? "127.0.0.1" : "::1";
	char port[8], uri[64];
	int fd = socket(v == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	uint16_t p;

	ss.ss_family = v == 4 ? AF_INET : AF_INET6;
	if (v == 4)
		inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr);
	else
		inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, alen) != 0 || getsockname(fd, (struct sockaddr *)&ss, &alen) != 0)
		tap_bail("loopback socket for IPv%u", v);
	addr_of(&ss, &p);
	snprintf(port, sizeof(port), "%u", p);
	snprintf(uri, sizeof(uri), v == 4 ? "https://%s:%u/" : "https://[%s]:%u/", host, p);
	snprintf(log, 64, "gtlsclient-v%u.log", v);
	child_start(c, (char *const[]){ "gtlsclient", "-q", "--timeout=8s", (char *)host, port, uri, NULL }, log);
	return fd;
}

/* The handshake's first round trip with the worker in the middle. */
static void
real_client(struct data_path *dp, unsigned v)
{
	static uint8_t buf[DGRAM_MAX], frame[DGRAM_MAX + 64], out[DGRAM_MAX + 64];
	struct sockaddr_storage from;
	struct child c;
	char log[64];
	const int fd = start_client(v, &c, log);
	const uint64_t retries = counter(dp, DS_ACT_QUIC_RETRY_SENT);
	ssize_t n = receive(fd, buf, &from);
	const uint8_t *src;
	size_t len, out_len = 0;
	uint16_t sport;
	unsigned tries;
	bool retried = false, forwarded = false, unchanged = false;

	if (n < 0)
		tap_bail("IPv%u: no Initial from gtlsclient (see %s)", v, log);
	memcpy(initial, buf, (size_t)n);
	initial_len = (size_t)n;
	src = addr_of(&from, &sport);
	len = wrap(frame, v, src, sport, buf, (size_t)n);
	out_len = through(dp, frame, len, DS_PORT_OUTSIDE, out);
	retried = out_len != 0 && counter(dp, DS_ACT_QUIC_RETRY_SENT) == retries + 1;
	if (retried) {
		const size_t hdr = out_len - (out_len - 14 - (v == 4 ? 20 : 40) - 8);

		save(out, out_len);
		sendto(fd, out + hdr, out_len - hdr, 0, (struct sockaddr *)&from,
		       v == 4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	}
	/* The client retransmits until the Retry lands; its Initial with the token is the one that passes. */
	for (tries = 0; retried && !forwarded && tries < 6 && (n = receive(fd, buf, &from)) > 0; tries++) {
		const uint64_t before = counter(dp, DS_ACT_FORWARDED_QUIC_TOKEN);

		len = wrap(frame, v, src, sport, buf, (size_t)n);
		out_len = through(dp, frame, len, DS_PORT_INSIDE, out);
		forwarded = counter(dp, DS_ACT_FORWARDED_QUIC_TOKEN) == before + 1;
		unchanged = forwarded && out_len == len && memcmp(out, frame, len) == 0;
	}
	tap_check(retried, "IPv%u: gtlsclient's Initial (%zu bytes) answered with a Retry", v, initial_len);
	tap_check(forwarded && unchanged, "IPv%u: gtlsclient took the Retry and its Initial with the token went inside "
		  "unchanged (after %u datagrams)", v, tries);
	child_stop(&c);
	close(fd);
	/* The flow now lets the connection's short headers through, and only from that address and port. */
	buf[0] = 0x41;
	memset(buf + 1, 0xAB, 40);
	len = wrap(frame, v, src, sport, buf, 41);
	tap_check(through(dp, frame, len, DS_PORT_INSIDE, out) == len, "IPv%u: a short header on the flow passes", v);
	len = wrap(frame, v, src, (uint16_t)(sport + 1), buf, 41);
	tap_check(through(dp, frame, len, DS_PORT_INSIDE, out) == 0 && counter(dp, DS_ACT_DROPPED_UNVERIFIED) > 0,
		  "IPv%u: one from another port is dropped (dropped_unverified)", v);
}

/* The client's Initial from FLOOD spoofed sources: a Retry each, nothing inside. */
static void
flood(struct data_path *dp, unsigned v)
{
	static uint8_t frames[FLOOD][DGRAM_MAX + 64];
	const uint8_t *ptr[FLOOD];
	size_t len[FLOOD];
	const uint64_t retries = counter(dp, DS_ACT_QUIC_RETRY_SENT);
	unsigned i, inside;

	for (i = 0; i < FLOOD; i++) {
		uint8_t src[16] = { 0 };

		if (v == 4)
			memcpy(src, (const uint8_t[]){ 100, 64, (uint8_t)(i >> 8), (uint8_t)i }, 4);
		else
			memcpy(src, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						       (uint8_t)(i >> 8), (uint8_t)i }, 16);
		len[i] = wrap(frames[i], v, src, (uint16_t)(1024 + i), initial, initial_len);
		ptr[i] = frames[i];
	}
	inside = data_path_pass(dp, DS_PORT_OUTSIDE, ptr, len, FLOOD);
	tap_check(inside == 0 && counter(dp, DS_ACT_QUIC_RETRY_SENT) == retries + FLOOD,
		  "IPv%u: %u spoofed Initials: %u Retries, %u inside", v, FLOOD,
		  (unsigned)(counter(dp, DS_ACT_QUIC_RETRY_SENT) - retries), inside);
}

/* Retries share the HVRs' per-prefix allowance (default: burst 1 000, 1 000/s): 1 500 from one /24. */
static void
limited(struct data_path *dp)
{
	static uint8_t frames[1500][DGRAM_MAX + 64];
	const uint8_t *ptr[1500];
	size_t len[1500];
	const uint64_t retries = counter(dp, DS_ACT_QUIC_RETRY_SENT), dropped = counter(dp, DS_ACT_DROPPED_RETRY_RATE_LIMITED);
	uint64_t sent, held;
	unsigned i;

	for (i = 0; i < 1500; i++) {
		const uint8_t src[16] = { 198, 18, 5, (uint8_t)i };

		len[i] = wrap(frames[i], 4, src, (uint16_t)(2000 + i), initial, initial_len);
		ptr[i] = frames[i];
	}
	data_path_pass(dp, DS_PORT_OUTSIDE, ptr, len, 1500);
	sent = counter(dp, DS_ACT_QUIC_RETRY_SENT) - retries;
	held = counter(dp, DS_ACT_DROPPED_RETRY_RATE_LIMITED) - dropped;
	/* The clock refills a token per millisecond while the test runs. */
	tap_check(sent >= 1000 && held > 0 && sent + held == 1500,
		  "1 500 Initials from one /24: %lu Retries (burst 1 000 and the refill), %lu dropped_retry_rate_limited",
		  (unsigned long)sent, (unsigned long)held);
}

/* A long header of an unknown version, and an Initial too small for any client to send. */
static void
refusals(struct data_path *dp, unsigned v)
{
	static uint8_t frame[DGRAM_MAX + 64], out[DGRAM_MAX + 64], payload[DGRAM_MAX];
	const uint8_t other[16] = { 198, 51, 100, 8 };
	const uint64_t vn = counter(dp, DS_ACT_QUIC_VN_SENT);
	size_t len, out_len;

	memcpy(payload, initial, initial_len);
	payload[1] = 0x1a, payload[2] = 0x2a, payload[3] = 0x3a, payload[4] = 0x4a;
	len = wrap(frame, v, other, 5001, payload, initial_len);
	out_len = through(dp, frame, len, DS_PORT_OUTSIDE, out);
	tap_check(out_len != 0 && counter(dp, DS_ACT_QUIC_VN_SENT) == vn + 1,
		  "IPv%u: version 0x1a2a3a4a gets Version Negotiation (%zu bytes)", v, out_len);
	if (out_len != 0)
		save(out, out_len);
	len = wrap(frame, v, other, 5002, initial, 1199);
	tap_check(through(dp, frame, len, DS_PORT_OUTSIDE, out) == 0 &&
			  data_path_stats(dp)->outcome[DS_OUT_QUIC_INITIAL_TOO_SMALL] >= 1,
		  "IPv%u: a 1199-byte Initial is dropped (quic_initial_too_small)", v);
}

/* A token replayed from another source: the Retry of the real client's flood copy, presented elsewhere. */
static void
replayed_token(struct data_path *dp, unsigned v)
{
	static uint8_t frame[DGRAM_MAX + 64], out[DGRAM_MAX + 64], forged[DGRAM_MAX];
	const uint8_t a[16] = { 203, 0, 113, 1 }, b[16] = { 203, 0, 113, 2 };
	const uint64_t bad = counter(dp, DS_ACT_QUIC_TOKEN_BAD_TAG);
	struct ds_frame_info rinfo;
	size_t len = wrap(frame, v, a, 6000, initial, initial_len), out_len;
	const uint8_t *retry, *scid, *token;
	size_t token_len, at;

	out_len = through(dp, frame, len, DS_PORT_OUTSIDE, out);
	ds_classify(out, out_len, NULL, &rinfo);
	retry = out + rinfo.dtls_offset;
	/* Retry: first byte, version, DCIL, DCID, SCIL, SCID, token, tag. */
	scid = retry + 6 + retry[5] + 1;
	token = scid + scid[-1];
	token_len = (size_t)(out + rinfo.dtls_offset + rinfo.dtls_len - 16 - token);
	/* The client's Initial again, DCID = the Retry's SCID, the token inserted: the shape of a real answer. */
	at = 0;
	forged[at++] = initial[0];
	memcpy(forged + at, initial + 1, 4);
	at += 4;
	forged[at++] = scid[-1];
	memcpy(forged + at, scid, scid[-1]);
	at += scid[-1];
	memcpy(forged + at, initial + 6 + initial[5], 1 + initial[6 + initial[5]]);
	at += 1 + initial[6 + initial[5]];
	forged[at++] = (uint8_t)(0x40 | token_len >> 8); /* two-byte varint: tokens are over 63 bytes */
	forged[at++] = (uint8_t)token_len;
	memcpy(forged + at, token, token_len);
	at += token_len;
	/* Length (2-byte varint) and a protected payload of zeros up to 1250 bytes. */
	forged[at] = 0x40 | (uint8_t)((1250 - at - 2) >> 8);
	forged[at + 1] = (uint8_t)(1250 - at - 2);
	memset(forged + at + 2, 0, 1250 - at - 2);
	len = wrap(frame, v, b, 6000, forged, 1250);
	tap_check(through(dp, frame, len, DS_PORT_INSIDE, out) == 0 && counter(dp, DS_ACT_QUIC_TOKEN_BAD_TAG) == bad + 1,
		  "IPv%u: a valid token presented from another address is dropped (quic_token_bad_tag)", v);
	len = wrap(frame, v, a, 6000, forged, 1250);
	tap_check(through(dp, frame, len, DS_PORT_INSIDE, out) == len,
		  "IPv%u: the same Initial from the address the token was made for passes", v);
}

/* A server's short header vouches for its client (a connection begun before the appliance was there). */
static void
vouched(struct data_path *dp, unsigned v)
{
	static uint8_t frame[DGRAM_MAX + 64], out[DGRAM_MAX + 64], pkt[64];
	struct ds_frame_addrs a = { .src_mac = { 2, 0, 0, 0, 0, 2 }, .dst_mac = { 2, 0, 0, 0, 0, 1 },
				    .ip_version = (uint8_t)v, .src_port = SERVICE_PORT, .dst_port = 7000 };
	const uint8_t client[16] = { 203, 0, 113, 50 };
	const uint64_t learned = counter(dp, DS_ACT_FLOW_LEARNED_INSIDE);
	const uint8_t *const ptr[1] = { frame };
	size_t len;

	pkt[0] = 0x41;
	memset(pkt + 1, 0xCD, sizeof(pkt) - 1);
	len = wrap(frame, v, client, 7000, pkt, sizeof(pkt));
	tap_check(through(dp, frame, len, DS_PORT_INSIDE, out) == 0, "IPv%u: a short header from an unknown client is "
		  "dropped", v);
	memcpy(a.src_ip, frame + 14 + (v == 4 ? 16 : 24), v == 4 ? 4 : 16);
	memcpy(a.dst_ip, client, v == 4 ? 4 : 16);
	len = ds_frame_build(frame, sizeof(frame), &a, pkt, sizeof(pkt));
	if (data_path_pass(dp, DS_PORT_INSIDE, ptr, &len, 1) != 1)
		tap_check(false, "IPv%u: the server's short header goes out", v);
	len = wrap(frame, v, client, 7000, pkt, sizeof(pkt));
	tap_check(counter(dp, DS_ACT_FLOW_LEARNED_INSIDE) == learned + 1 &&
			  through(dp, frame, len, DS_PORT_INSIDE, out) == len,
		  "IPv%u: after the server's short header to it, the client's passes (flow_learned_inside)", v);
}

static void
check_tshark(void)
{
	static const char *const fields[] = { "quic.long.packet_type", "quic.version", "quic.retry_token",
					      "quic.retry_integrity_tag", "quic.supported_version",
					      "udp.checksum.status" };
	struct tshark_table t;
	size_t i, retries = 0, vn = 0, good_sums = 0;

	capture_write("quic-replies.pcap", saved, n_saved);
	if (tshark_read_quic("quic-replies.pcap", (const uint16_t[]){ SERVICE_PORT }, 1, fields, 6, &t) != 0) {
		tap_check(false, "tshark reads the replies");
		return;
	}
	for (i = 0; i < t.rows; i++) {
		retries += strcmp(tshark_cell(&t, i, 0), "3") == 0 && tshark_cell(&t, i, 2)[0] != '\0' &&
			   strlen(tshark_cell(&t, i, 3)) == 32;
		vn += strcmp(tshark_cell(&t, i, 1), "0x00000000") == 0 && strstr(tshark_cell(&t, i, 4), "0x00000001");
		good_sums += strcmp(tshark_cell(&t, i, 5), "1") == 0;
	}
	tap_check(retries >= 2 && vn >= 1 && retries + vn == t.rows && good_sums == t.rows,
		  "tshark's QUIC dissector: %zu Retries with token and tag, %zu Version Negotiation offering v1, "
		  "%zu UDP checksums good, of %zu replies", retries, vn, good_sums, t.rows);
	tshark_free(&t);
}

int
main(int argc, char **argv)
{
	struct data_path dp;
	unsigned v;

	(void)argc;
	process_private_loopback();
	data_path_eal(argv[0], 1024);
	data_path_open_or_bail(&dp, "inline",
			       "services:\n  - address: \"10.0.0.2:443\"\n    protocol: quic\n"
			       "  - address: \"[fd00::2]:443\"\n    protocol: quic\ncookie:\n  secret_file: cookie.secret\n",
			       4096, 8192);
	for (v = 4; v <= 6; v += 2) {
		real_client(&dp, v);
		flood(&dp, v);
		refusals(&dp, v);
		replayed_token(&dp, v);
		vouched(&dp, v);
	}
	limited(&dp);
	check_tshark();
	tap_check(data_path_laws_hold(&dp) && data_path_mbufs_in_use(&dp) == 0, "laws hold, every mbuf back");
	data_path_close(&dp);
	return tap_done();
}
