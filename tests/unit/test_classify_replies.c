/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ds_classify_reply(): what a protected service sends toward its clients, and whether it proves a
 * session (the flows learned on the inside port rest on it).
 *  1. Every frame of every real capture, against tshark's dissection of all its records: a server's
 *     frame proves a session exactly when one of its records has a non-zero epoch; a client's frame is
 *     not from a service.
 *  2. Records built from RFC 9146 / RFC 9147 structures, in a real server frame: tls12_cid, DTLS 1.3
 *     unified headers of each epoch, and datagrams whose proof is followed by damage.
 *  3. ServerHellos with the RFC 9146 connection_id extension: the CID found where it is, refused when
 *     fragmented, encrypted, malformed or cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cid_records.h"
#include "ds_classify.h"
#include "ds_wire.h"
#include "frames.h"
#include "tap.h"
#include "tshark.h"

enum col { COL_SRCPORT, COL_DSTPORT, COL_PROTOCOLS, COL_EPOCHS, COL_COUNT };

static const char *const fields[COL_COUNT] = {
	[COL_SRCPORT] = "udp.srcport",
	[COL_DSTPORT] = "udp.dstport",
	[COL_PROTOCOLS] = "frame.protocols",
	[COL_EPOCHS] = "dtls.record.epoch",
};

/* Whether a comma-separated list of epochs holds one that is not 0. */
static bool
any_epoch_nonzero(const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		char *end;
		long e = strtol(p, &end, 0);

		if (end == p)
			return false;
		if (e != 0)
			return true;
		p = *end == ',' ? end + 1 : end;
	}
	return false;
}

static void
service_on_port(struct ds_service_set *set, uint16_t port)
{
	struct ds_service svc = { .any_address = true, .port = port };

	ds_service_set_init(set);
	if (ds_service_set_add(set, &svc) != 0)
		tap_bail("cannot add service port %u", port);
}

/* The service is the first frame's destination: every capture starts with the client's ClientHello. */
static void
check_capture(const char *path, struct frame_buf *server_frame)
{
	const char *name = capture_basename(path);
	struct ds_service_set services;
	struct tshark_table t;
	struct capture cap;
	unsigned proofs = 0, plain = 0;
	long long service_port;
	size_t row;

	capture_load(path, &cap);
	if (tshark_read_every(path, NULL, 0, fields, COL_COUNT, &t) != 0)
		tap_bail("tshark is needed for the cross-check");
	service_port = tshark_number(tshark_cell(&t, 0, COL_DSTPORT));
	if (!tap_check(t.rows == cap.count && service_port > 0, "%s: %zu frames, service port %lld", name, t.rows,
		       service_port))
		goto out;
	service_on_port(&services, (uint16_t)service_port);
	for (row = 0; row < t.rows; row++) {
		const struct capture_frame *f = &cap.frames[row];
		const bool from_service = tshark_number(tshark_cell(&t, row, COL_SRCPORT)) == service_port;
		const bool dtls = strstr(tshark_cell(&t, row, COL_PROTOCOLS), ":dtls") != NULL;
		const bool proof = dtls && any_epoch_nonzero(tshark_cell(&t, row, COL_EPOCHS));
		struct ds_frame_info info;
		enum ds_outcome got = ds_classify_reply(f->data, f->len, &services, &info);

		if (!from_service) {
			tap_check(got == DS_OUT_UDP_NOT_SERVICE && !info.session_proof,
				  "%s frame %zu: the client's, not from the service (got %s)", name, row + 1,
				  ds_outcome_name(got));
			continue;
		}
		/* No server on Debian 12 negotiates RFC 9146 connection IDs: none of their ServerHellos asks for one. */
		tap_check(got == DS_OUT_DTLS_RECORD && info.session_proof == proof && !info.has_server_cid,
			  "%s frame %zu: epochs '%s' -> %s session proof (got %s, %u)", name, row + 1,
			  tshark_cell(&t, row, COL_EPOCHS), proof ? "a" : "no", ds_outcome_name(got), info.session_proof);
		proofs += proof;
		plain += !proof;
		if (proof && server_frame->len == 0 && info.ip_version == 4)
			frame_set(server_frame, f->data, f->len);
	}
	/* Every capture holds the server's HVR (epoch 0) and, after its Finished, encrypted records. */
	tap_check(proofs > 0 && plain > 0, "%s: %u frames of the server prove a session, %u do not", name, proofs,
		  plain);
out:
	tshark_free(&t);
	capture_free(&cap);
}

/* The server frame with its UDP payload replaced by @p payload, into @p fb. */
static enum ds_outcome
with_payload_frame(const struct frame_buf *base, const uint8_t *payload, uint32_t len, struct frame_buf *fb,
		   struct ds_frame_info *info)
{
	struct ds_service_set services;
	struct ds_frame_info orig;

	*fb = *base;
	ds_classify_reply(base->data, base->len, NULL, &orig);
	frame_remove(fb, orig.dtls_offset, orig.dtls_len);
	frame_insert(fb, orig.dtls_offset, payload, len);
	frame_fix_lengths(fb, &orig);
	service_on_port(&services, orig.src_port);
	return frame_classify_reply(fb, &services, info);
}

static enum ds_outcome
with_payload(const struct frame_buf *base, const uint8_t *payload, uint32_t len, struct ds_frame_info *info)
{
	struct frame_buf fb;

	return with_payload_frame(base, payload, len, &fb, info);
}

/* A DTLS 1.2 record header (RFC 6347 §4.1) of @p type and @p epoch with @p body_len bytes after it. */
static uint32_t
record(uint8_t *p, uint8_t type, uint16_t epoch, uint16_t body_len)
{
	const uint8_t hdr[DS_DTLS_RECORD_HDR_LEN] = {
		type, 0xFE, 0xFD, (uint8_t)(epoch >> 8), (uint8_t)epoch, 0, 0, 0, 0, 0, 7,
		(uint8_t)(body_len >> 8), (uint8_t)body_len,
	};

	memcpy(p, hdr, sizeof(hdr));
	memset(p + sizeof(hdr), 0xA5, body_len);
	return (uint32_t)sizeof(hdr) + body_len;
}

static void
check_structures(const struct frame_buf *base)
{
	uint8_t p[512];
	struct ds_frame_info info;
	enum ds_outcome got;
	uint32_t n;
	unsigned bits;

	if (!tap_check(base->len != 0, "an IPv4 server frame to edit"))
		return;
	/* Epoch 0 alone: a HelloVerifyRequest or ChangeCipherSpec from a server answering anyone. */
	n = record(p, DS_DTLS_CT_CHANGE_CIPHER_SPEC, 0, 1);
	got = with_payload(base, p, n, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && !info.session_proof, "epoch-0 ChangeCipherSpec proves nothing");
	/* The server's last flight: CCS at epoch 0, then Finished at epoch 1. */
	n += record(p + n, DS_DTLS_CT_HANDSHAKE, 1, 40);
	got = with_payload(base, p, n, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && info.session_proof, "CCS + epoch-1 Finished proves a session");
	/* The same with bytes that are no record after it: the datagram is not DTLS, nothing learned. */
	p[n] = 0x17;
	p[n + 1] = 0xFE;
	got = with_payload(base, p, n + 2, &info);
	tap_check(got == DS_OUT_DTLS_TRAILING_BYTES && !info.session_proof,
		  "a proof followed by trailing bytes is no proof (got %s)", ds_outcome_name(got));
	/* A record longer than the datagram. */
	n = record(p, DS_DTLS_CT_APPLICATION_DATA, 1, 40);
	got = with_payload(base, p, n - 1, &info);
	tap_check(got == DS_OUT_DTLS_RECORD_TRUNCATED && !info.session_proof, "a truncated record proves nothing");
	/* RFC 9146 §4: tls12_cid, epoch 1, a 4-byte CID before the length. */
	n = record(p, DS_DTLS_CT_TLS12_CID, 1, 0);
	memmove(p + 15, p + 11, 2);
	memcpy(p + 11, "\x01\x02\x03\x04", 4);
	p[15] = 0;
	p[16] = 24;
	memset(p + 17, 0x3C, 24);
	got = with_payload(base, p, 41, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && info.session_proof, "a tls12_cid record proves a session (got %s)",
		  ds_outcome_name(got));
	/* RFC 9147 §4: unified header 001CSLEE, here with S=1 (16-bit sequence), L=1 (length). */
	for (bits = 0; bits < 4; bits++) {
		p[0] = (uint8_t)(0x2C | bits);
		p[1] = 0;
		p[2] = 9;
		p[3] = 0;
		p[4] = 32;
		memset(p + 5, 0x5A, 32);
		got = with_payload(base, p, 37, &info);
		tap_check(got == DS_OUT_DTLS_RECORD && info.session_proof == (bits != DS_DTLS13_EPOCH_HANDSHAKE),
			  "DTLS 1.3 record of epoch bits %u: %s", bits,
			  bits == DS_DTLS13_EPOCH_HANDSHAKE ? "the handshake epoch proves nothing" : "a session");
	}
	/* A bad content type after an encrypted record. */
	n = record(p, DS_DTLS_CT_APPLICATION_DATA, 1, 20);
	n += record(p + n, 99, 1, 4);
	got = with_payload(base, p, n, &info);
	tap_check(got == DS_OUT_DTLS_BAD_CONTENT_TYPE && !info.session_proof, "an unknown record type spoils the datagram");
	/* An empty datagram. */
	got = with_payload(base, p, 0, &info);
	tap_check(got == DS_OUT_DTLS_HEADER_TRUNCATED && !info.session_proof, "an empty datagram proves nothing");
}

/* RFC 9146 §3: the connection_id extension of a ServerHello, in every shape the classifier must read or refuse. */
static void
check_server_cids(const struct frame_buf *base)
{
	static const uint8_t cid[8] = { 0xC1, 0xD2, 0xE3, 0xF4, 0x05, 0x16, 0x27, 0x38 };
	uint8_t p[2 * CID_RECORD_MAX];
	struct ds_frame_info info;
	struct frame_buf fb;
	enum ds_outcome got;
	uint32_t n, cut, accepted_cuts = 0;

	n = (uint32_t)cid_server_hello(p, cid, sizeof(cid));
	got = with_payload_frame(base, p, n, &fb, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && info.has_server_cid && info.server_cid_len == sizeof(cid) &&
			  info.server_cid_offset + sizeof(cid) <= fb.len &&
			  memcmp(fb.data + info.server_cid_offset, cid, sizeof(cid)) == 0 && !info.session_proof,
		  "a ServerHello's 8-byte connection ID is found where it is, and proves no session");
	got = with_payload(base, p, (uint32_t)cid_server_hello(p, cid, 0), &info);
	tap_check(got == DS_OUT_DTLS_RECORD && info.has_server_cid && info.server_cid_len == 0,
		  "an empty connection ID: the client sends plain records");
	/* A flight: ServerHello, then an encrypted Finished (an abbreviated handshake). */
	n = (uint32_t)cid_server_hello(p, cid, sizeof(cid));
	n += record(p + n, DS_DTLS_CT_HANDSHAKE, 1, 40);
	got = with_payload(base, p, n, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && info.has_server_cid && info.session_proof,
		  "ServerHello and an epoch-1 record in one datagram: the CID and a session proof");
	/* The same bytes as ciphertext (epoch 1) are no ServerHello. */
	n = (uint32_t)cid_server_hello(p, cid, sizeof(cid));
	p[4] = 1;
	got = with_payload(base, p, n, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && !info.has_server_cid && info.session_proof,
		  "an epoch-1 record that looks like a ServerHello is ciphertext: no CID");
	/* A fragment (fragment_length short of the message) may not hold the extensions. */
	n = (uint32_t)cid_server_hello(p, cid, sizeof(cid));
	p[DS_DTLS_RECORD_HDR_LEN + 11]--;
	got = with_payload(base, p, n, &info);
	tap_check(!info.has_server_cid, "a ServerHello fragment gives no CID (got %s)", ds_outcome_name(got));
	/* The CID's length byte one more than its extension holds. */
	n = (uint32_t)cid_server_hello(p, cid, sizeof(cid));
	p[n - 4 - sizeof(cid) - 1]++;
	got = with_payload(base, p, n, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && !info.has_server_cid, "a CID longer than its extension is refused");
	/* The extensions' length one short of the message. */
	n = (uint32_t)cid_server_hello(p, cid, sizeof(cid));
	p[DS_DTLS_RECORD_HDR_LEN + DS_DTLS_HS_HDR_LEN + 2 + 32 + 1 + 3 + 1]--;
	got = with_payload(base, p, n, &info);
	tap_check(got == DS_OUT_DTLS_RECORD && !info.has_server_cid, "extensions that do not fill the message are refused");
	/* Every cut of the datagram: never a CID from a partial ServerHello. */
	n = (uint32_t)cid_server_hello(p, cid, sizeof(cid));
	for (cut = 0; cut < n; cut++) {
		with_payload(base, p, cut, &info);
		accepted_cuts += info.has_server_cid;
	}
	tap_check(accepted_cuts == 0, "none of %u cuts of the ServerHello gives a CID", n);
}

int
main(void)
{
	struct frame_buf server_frame = { .len = 0 };
	size_t n, i;
	char **paths = capture_list(&n);

	for (i = 0; i < n; i++)
		check_capture(paths[i], &server_frame);
	capture_list_free(paths);
	check_structures(&server_frame);
	check_server_cids(&server_frame);
	return tap_done();
}
