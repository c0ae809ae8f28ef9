/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Corrupted and unusual variants of every real ClientHello, one table row per shape, each with the
 * outcome the classifier must give. Rows are edits of captured frames (as captured, and moved to the
 * other IP family by frames.c), so every byte not named in a row is what a real client sent.
 */
#include <stdio.h>
#include <string.h>

#include "ds_wire.h"
#include "hellos.h"
#include "tap.h"

/* Where an edit applies, resolved from the ClientHello's own classification. */
enum base { ETHERTYPE, L3, L4, REC, HS, BODY, SID_LEN, COOKIE_LEN, END };

enum op_kind { NONE, SET8, SET16, SET24, ADD16, ADD24, CLEAR, INSERT };

struct op {
	enum op_kind kind;
	enum base base;
	int offset;
	long value;           /**< value or delta; for CLEAR and INSERT, how many bytes */
	const char *bytes;    /**< for INSERT: bytes repeated to fill the insertion (NULL: zeros) */
	size_t bytes_len;
};

enum fix { NO_FIX = 0, FIX_LENGTHS = 1 };

struct row {
	const char *what;
	unsigned family;           /**< 4 or 6: only that family; 0: both */
	bool service_only;         /**< classify with only the ClientHello's own service protected */
	struct op ops[5];
	enum fix fix;
	enum ds_outcome expect;
};

#define OP(k, b, o, v) { .kind = k, .base = b, .offset = o, .value = v }
/* Insert the bytes of a string literal once; REP repeats them to fill n bytes. */
#define INS(b, o, s) { .kind = INSERT, .base = b, .offset = o, .value = sizeof(s) - 1, \
		       .bytes = s, .bytes_len = sizeof(s) - 1 }
#define REP(b, o, n, s) { .kind = INSERT, .base = b, .offset = o, .value = n, .bytes = s, \
			  .bytes_len = sizeof(s) - 1 }
#define ZEROS(b, o, n) { .kind = INSERT, .base = b, .offset = o, .value = n }

#define ALERT_RECORD "\x15\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x05\x00\x02\x02\x28"
#define EMPTY_RECORD "\x17\xfe\xfd\x00\x01\x00\x00\x00\x00\x00\x09\x00\x00"

static const struct row rows[] = {
	/* link layer */
	{ "ARP ethertype", 0, false, { OP(SET16, ETHERTYPE, 0, 0x0806) }, NO_FIX, DS_OUT_ETH_NOT_IP },
	{ "LLDP ethertype", 0, false, { OP(SET16, ETHERTYPE, 0, 0x88CC) }, NO_FIX, DS_OUT_ETH_NOT_IP },
	{ "one 802.1Q tag", 0, false, { INS(ETHERTYPE, 0, "\x81\x00\x00\x2a") }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	{ "802.1ad + 802.1Q tags", 0, false, { INS(ETHERTYPE, 0, "\x88\xa8\x00\x07\x81\x00\x00\x2a") },
	  NO_FIX, DS_OUT_DTLS_CLIENT_HELLO },
	{ "three stacked tags", 0, false,
	  { INS(ETHERTYPE, 0, "\x88\xa8\x00\x07\x81\x00\x00\x2a\x81\x00\x00\x2b") }, NO_FIX,
	  DS_OUT_VLAN_TOO_MANY },
	{ "Ethernet padding after the IP packet", 0, false, { ZEROS(END, 0, 20) }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	/* IPv4 */
	{ "IPv4 version 5", 4, false, { OP(SET8, L3, 0, 0x55) }, NO_FIX, DS_OUT_IPV4_BAD_VERSION },
	{ "IPv6 header under the IPv4 ethertype", 4, false, { OP(SET8, L3, 0, 0x65) }, NO_FIX,
	  DS_OUT_IPV4_BAD_VERSION },
	{ "IHL 4", 4, false, { OP(SET8, L3, 0, 0x44) }, NO_FIX, DS_OUT_IPV4_BAD_HEADER_LENGTH },
	{ "IHL 0", 4, false, { OP(SET8, L3, 0, 0x40) }, NO_FIX, DS_OUT_IPV4_BAD_HEADER_LENGTH },
	{ "total length one past the frame", 4, false, { OP(ADD16, L3, 2, 1) }, NO_FIX,
	  DS_OUT_IPV4_BAD_TOTAL_LENGTH },
	{ "total length 19", 4, false, { OP(SET16, L3, 2, 19) }, NO_FIX, DS_OUT_IPV4_BAD_TOTAL_LENGTH },
	{ "total length 20: no UDP header", 4, false, { OP(SET16, L3, 2, 20) }, NO_FIX,
	  DS_OUT_UDP_TRUNCATED },
	{ "total length 27: 7 bytes of UDP header", 4, false, { OP(SET16, L3, 2, 27) }, NO_FIX,
	  DS_OUT_UDP_TRUNCATED },
	{ "4 bytes of IPv4 options", 4, false,
	  { OP(SET8, L3, 0, 0x46), INS(L3, 20, "\x01\x01\x01\x00") }, FIX_LENGTHS,
	  DS_OUT_IPV4_OPTIONS },
	{ "more fragments flag", 4, false, { OP(SET16, L3, 6, 0x2000) }, NO_FIX, DS_OUT_IPV4_FRAGMENT },
	{ "fragment offset 1", 4, false, { OP(SET16, L3, 6, 0x0001) }, NO_FIX, DS_OUT_IPV4_FRAGMENT },
	{ "don't fragment flag", 4, false, { OP(SET16, L3, 6, 0x4000) }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	{ "protocol TCP", 4, false, { OP(SET8, L3, 9, 6) }, NO_FIX, DS_OUT_IP_NOT_UDP },
	{ "protocol ICMP", 4, false, { OP(SET8, L3, 9, 1) }, NO_FIX, DS_OUT_IP_NOT_UDP },
	{ "source 0.1.2.3", 4, false, { OP(SET8, L3, 12, 0) }, NO_FIX, DS_OUT_IPV4_MARTIAN_SOURCE },
	{ "source 224.x (multicast)", 4, false, { OP(SET8, L3, 12, 224) }, NO_FIX,
	  DS_OUT_IPV4_MARTIAN_SOURCE },
	{ "source 255.255.x.x (broadcast)", 4, false, { OP(SET16, L3, 12, 0xFFFF) }, NO_FIX,
	  DS_OUT_IPV4_MARTIAN_SOURCE },
	{ "destination 239.x", 4, false, { OP(SET8, L3, 16, 239) }, NO_FIX,
	  DS_OUT_IPV4_MARTIAN_DESTINATION },
	{ "source 223.x (last unicast /8)", 4, false, { OP(SET8, L3, 12, 223) }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	/* IPv6 */
	{ "IPv6 version 4", 6, false, { OP(SET8, L3, 0, 0x40) }, NO_FIX, DS_OUT_IPV6_BAD_VERSION },
	{ "payload length one past the frame", 6, false, { OP(ADD16, L3, 4, 1) }, NO_FIX,
	  DS_OUT_IPV6_BAD_PAYLOAD_LENGTH },
	{ "payload length 0", 6, false, { OP(SET16, L3, 4, 0) }, NO_FIX, DS_OUT_UDP_TRUNCATED },
	{ "hop-by-hop header", 6, false, { OP(SET8, L3, 6, 0) }, NO_FIX, DS_OUT_IPV6_EXTENSION_HEADER },
	{ "routing header", 6, false, { OP(SET8, L3, 6, 43) }, NO_FIX, DS_OUT_IPV6_EXTENSION_HEADER },
	{ "fragment header", 6, false, { OP(SET8, L3, 6, 44) }, NO_FIX, DS_OUT_IPV6_EXTENSION_HEADER },
	{ "destination options", 6, false, { OP(SET8, L3, 6, 60) }, NO_FIX,
	  DS_OUT_IPV6_EXTENSION_HEADER },
	{ "next header ICMPv6", 6, false, { OP(SET8, L3, 6, 58) }, NO_FIX, DS_OUT_IP_NOT_UDP },
	{ "no next header", 6, false, { OP(SET8, L3, 6, 59) }, NO_FIX, DS_OUT_IP_NOT_UDP },
	{ "source ff02::", 6, false, { OP(SET16, L3, 8, 0xFF02) }, NO_FIX, DS_OUT_IPV6_MARTIAN_SOURCE },
	{ "source ::", 6, false,
	  { OP(CLEAR, L3, 8, 16) }, NO_FIX,
	  DS_OUT_IPV6_MARTIAN_SOURCE },
	{ "destination ff05::", 6, false, { OP(SET16, L3, 24, 0xFF05) }, NO_FIX,
	  DS_OUT_IPV6_MARTIAN_DESTINATION },
	/* UDP */
	{ "UDP length + 1", 0, false, { OP(ADD16, L4, 4, 1) }, NO_FIX, DS_OUT_UDP_BAD_LENGTH },
	{ "UDP length - 1", 0, false, { OP(ADD16, L4, 4, -1) }, NO_FIX, DS_OUT_UDP_BAD_LENGTH },
	{ "UDP length 7", 0, false, { OP(SET16, L4, 4, 7) }, NO_FIX, DS_OUT_UDP_BAD_LENGTH },
	{ "source port 0", 0, true, { OP(SET16, L4, 0, 0) }, NO_FIX, DS_OUT_UDP_BAD_SOURCE_PORT },
	{ "destination port + 1", 0, true, { OP(ADD16, L4, 2, 1) }, NO_FIX, DS_OUT_UDP_NOT_SERVICE },
	{ "destination port 0", 0, false, { OP(SET16, L4, 2, 0) }, NO_FIX, DS_OUT_UDP_NOT_SERVICE },
	{ "its own service protected", 0, true, { { NONE } }, NO_FIX, DS_OUT_DTLS_CLIENT_HELLO },
	/* DTLS record layer */
	{ "DTLS 1.3 unified header", 0, false, { OP(SET8, REC, 0, 0x2C) }, NO_FIX, DS_OUT_DTLS_RECORD },
	{ "application data", 0, false, { OP(SET8, REC, 0, 23) }, NO_FIX, DS_OUT_DTLS_RECORD },
	{ "tls12_cid record", 0, false, { OP(SET8, REC, 0, 25) }, NO_FIX, DS_OUT_DTLS_RECORD },
	{ "content type 19", 0, false, { OP(SET8, REC, 0, 19) }, NO_FIX, DS_OUT_DTLS_BAD_CONTENT_TYPE },
	{ "content type 27", 0, false, { OP(SET8, REC, 0, 27) }, NO_FIX, DS_OUT_DTLS_BAD_CONTENT_TYPE },
	{ "content type 0x80", 0, false, { OP(SET8, REC, 0, 0x80) }, NO_FIX,
	  DS_OUT_DTLS_BAD_CONTENT_TYPE },
	{ "record version 0x0303 (TLS 1.2)", 0, false, { OP(SET16, REC, 1, 0x0303) }, NO_FIX,
	  DS_OUT_DTLS_BAD_VERSION },
	{ "record version 0xFEFC", 0, false, { OP(SET16, REC, 1, 0xFEFC) }, NO_FIX,
	  DS_OUT_DTLS_BAD_VERSION },
	{ "record version 0xFEFD (wolfSSL's CH1)", 0, false, { OP(SET16, REC, 1, 0xFEFD) }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	{ "record length + 1", 0, false, { OP(ADD16, REC, 11, 1) }, NO_FIX,
	  DS_OUT_DTLS_RECORD_TRUNCATED },
	{ "record length - 1", 0, false, { OP(ADD16, REC, 11, -1) }, NO_FIX,
	  DS_OUT_DTLS_HELLO_NOT_ALONE },
	{ "alert record after the ClientHello", 0, false, { INS(END, 0, ALERT_RECORD) },
	  FIX_LENGTHS, DS_OUT_DTLS_HELLO_NOT_ALONE },
	{ "5 stray bytes after the ClientHello", 0, false, { REP(END, 0, 5, "\x01") }, FIX_LENGTHS,
	  DS_OUT_DTLS_HELLO_NOT_ALONE },
	{ "epoch 1", 0, false, { OP(SET16, REC, 3, 1) }, NO_FIX, DS_OUT_DTLS_HELLO_BAD_EPOCH },
	{ "epoch 1, handshake type 2", 0, false, { OP(SET16, REC, 3, 1), OP(SET8, HS, 0, 2) }, NO_FIX,
	  DS_OUT_DTLS_RECORD },
	{ "epoch 1, inconsistent fragment (ciphertext)", 0, false,
	  { OP(SET16, REC, 3, 1), OP(SET24, HS, 6, 1) }, NO_FIX, DS_OUT_DTLS_RECORD },
	{ "application data + empty record", 0, false,
	  { OP(SET8, REC, 0, 23), INS(END, 0, EMPTY_RECORD) }, FIX_LENGTHS, DS_OUT_DTLS_RECORD },
	{ "application data + 5 stray bytes", 0, false,
	  { OP(SET8, REC, 0, 23), REP(END, 0, 5, "\x17") }, FIX_LENGTHS, DS_OUT_DTLS_TRAILING_BYTES },
	{ "application data + record of version 0x0303", 0, false,
	  { OP(SET8, REC, 0, 23), INS(END, 0, "\x17\x03\x03\x00\x01\x00\x00\x00\x00\x00\x09\x00\x00") }, FIX_LENGTHS,
	  DS_OUT_DTLS_BAD_VERSION },
	{ "application data + record running past the end", 0, false,
	  { OP(SET8, REC, 0, 23), INS(END, 0, "\x17\xfe\xfd\x00\x01\x00\x00\x00\x00\x00\x09\x00\x01") },
	  FIX_LENGTHS, DS_OUT_DTLS_RECORD_TRUNCATED },
	{ "application data + 40 empty records", 0, false,
	  { OP(SET8, REC, 0, 23), REP(END, 0, 40 * 13, EMPTY_RECORD) }, FIX_LENGTHS,
	  DS_OUT_DTLS_TOO_MANY_RECORDS },
	/* handshake header */
	{ "ServerHello in epoch 0", 0, false, { OP(SET8, HS, 0, 2) }, NO_FIX, DS_OUT_DTLS_RECORD },
	{ "fragment_length + 1", 0, false, { OP(ADD24, HS, 9, 1) }, NO_FIX, DS_OUT_HS_FRAGMENT_TRUNCATED },
	{ "fragment_length - 1", 0, false, { OP(ADD24, HS, 9, -1) }, NO_FIX, DS_OUT_HS_TRAILING_BYTES },
	{ "length one less than the fragment", 0, false, { OP(ADD24, HS, 1, -1) }, NO_FIX,
	  DS_OUT_HS_BAD_FRAGMENT },
	{ "fragment_offset 1 of a longer message", 0, false,
	  { OP(ADD24, HS, 1, 1), OP(SET24, HS, 6, 1) }, NO_FIX, DS_OUT_DTLS_HELLO_FRAGMENT },
	{ "fragment_offset past the message", 0, false, { OP(SET24, HS, 6, 1) }, NO_FIX,
	  DS_OUT_HS_BAD_FRAGMENT },
	{ "first fragment of a 100-byte longer message", 0, false, { OP(ADD24, HS, 1, 100) }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	{ "first fragment of a 16 MiB message", 0, false, { OP(SET24, HS, 1, 0xFFFFFF) }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	/* ClientHello body */
	{ "client_version 0x0303", 0, false, { OP(SET16, BODY, 0, 0x0303) }, NO_FIX,
	  DS_OUT_CH_BAD_VERSION },
	{ "client_version 0xFEFC", 0, false, { OP(SET16, BODY, 0, 0xFEFC) }, NO_FIX,
	  DS_OUT_CH_BAD_VERSION },
	{ "client_version 0xFEFF (DTLS 1.0)", 0, false, { OP(SET16, BODY, 0, 0xFEFF) }, NO_FIX,
	  DS_OUT_DTLS_CLIENT_HELLO },
	{ "session_id length 33", 0, false, { OP(SET8, SID_LEN, 0, 33) }, NO_FIX,
	  DS_OUT_CH_SESSION_ID_TOO_LONG },
	{ "session_id length 255", 0, false, { OP(SET8, SID_LEN, 0, 255) }, NO_FIX,
	  DS_OUT_CH_SESSION_ID_TOO_LONG },
	{ "32-byte session_id", 0, false,
	  { OP(SET8, SID_LEN, 0, 32), OP(ADD16, REC, 11, 32), OP(ADD24, HS, 1, 32), OP(ADD24, HS, 9, 32),
	    REP(SID_LEN, 1, 32, "\x5a") },
	  FIX_LENGTHS, DS_OUT_DTLS_CLIENT_HELLO },
	{ "cookie length 33", 0, false, { OP(SET8, COOKIE_LEN, 0, 33) }, NO_FIX,
	  DS_OUT_CH_COOKIE_TOO_LONG },
	{ "cookie length 255", 0, false, { OP(SET8, COOKIE_LEN, 0, 255) }, NO_FIX,
	  DS_OUT_CH_COOKIE_TOO_LONG },
	{ "cookie length 32 over the following bytes", 0, false, { OP(SET8, COOKIE_LEN, 0, 32) },
	  NO_FIX, DS_OUT_DTLS_CLIENT_HELLO_COOKIE },
};

static uint32_t
resolve(const struct ds_frame_info *in, uint32_t frame_len, enum base base)
{
	switch (base) {
	case ETHERTYPE:
		return in->l3_offset - 2;
	case L3:
		return in->l3_offset;
	case L4:
		return in->l4_offset;
	case REC:
		return in->dtls_offset;
	case HS:
		return in->dtls_offset + DS_DTLS_RECORD_HDR_LEN;
	case BODY:
		return in->body_offset;
	case SID_LEN:
		return in->body_offset + DS_CH_SESSION_ID_LEN_OFFSET;
	case COOKIE_LEN:
		return in->cookie_offset - 1;
	default:
		return frame_len;
	}
}

/* Every offset at or after an insertion moves with it. */
static void
shift_offsets(struct ds_frame_info *in, uint32_t at, uint32_t n)
{
	uint32_t *fields[] = { &in->l3_offset, &in->l4_offset, &in->dtls_offset, &in->body_offset,
			       &in->cookie_offset };
	size_t i;

	if (at >= in->dtls_offset && at <= in->dtls_offset + in->dtls_len)
		in->dtls_len += n;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (*fields[i] >= at && *fields[i] != 0)
			*fields[i] += n;
}

static void
apply(struct frame_buf *fb, struct ds_frame_info *in, const struct op *op)
{
	const uint32_t at = resolve(in, in->dtls_offset + in->dtls_len, op->base) + (uint32_t)op->offset;
	uint8_t fill[FRAME_MAX] = { 0 };
	size_t i;

	switch (op->kind) {
	case SET8:
		fb->data[at] = (uint8_t)op->value;
		break;
	case SET16:
		ds_store_be16(fb->data + at, (uint16_t)op->value);
		break;
	case SET24:
		ds_store_be24(fb->data + at, (uint32_t)op->value);
		break;
	case ADD16:
		ds_store_be16(fb->data + at, (uint16_t)(ds_load_be16(fb->data + at) + op->value));
		break;
	case ADD24:
		ds_store_be24(fb->data + at, (uint32_t)(ds_load_be24(fb->data + at) + op->value) & 0xFFFFFF);
		break;
	case CLEAR:
		memset(fb->data + at, 0, (size_t)op->value);
		break;
	case INSERT:
		for (i = 0; op->bytes != NULL && i < (size_t)op->value; i++)
			fill[i] = (uint8_t)op->bytes[i % op->bytes_len];
		frame_insert(fb, at, fill, (uint32_t)op->value);
		shift_offsets(in, at, (uint32_t)op->value);
		break;
	default:
		break;
	}
}

static void
check_row(const struct hello *h, const struct row *r, struct tap_group *g)
{
	struct frame_buf fb = h->fb;
	struct ds_service_set services;
	struct ds_service own = { .ip_version = h->info.ip_version, .port = h->info.dst_port };
	struct ds_frame_info info, in = h->info;
	enum ds_outcome got;
	size_t i;

	/* Drop Ethernet padding so that "end of frame" is the end of the IP packet. */
	fb.len = in.dtls_offset + in.dtls_len;
	for (i = 0; i < sizeof(r->ops) / sizeof(r->ops[0]); i++)
		apply(&fb, &in, &r->ops[i]);
	if (r->fix & FIX_LENGTHS)
		frame_fix_lengths(&fb, &in);
	memcpy(own.addr, ds_frame_dst_addr(h->fb.data, &h->info), h->info.ip_version == 4 ? 4 : 16);
	ds_service_set_init(&services);
	ds_service_set_add(&services, &own);
	got = frame_classify(&fb, r->service_only ? &services : NULL, &info);
	tap_sub(g, got == r->expect, "%s: got %s", h->label, ds_outcome_name(got));
}

int
main(void)
{
	static struct hello hellos[HELLOS_MAX * 2];
	size_t n = hellos_load(hellos, HELLOS_MAX, false), i, j;

	n = hellos_add_other_family(hellos, n);
	/* One TAP point per row: the row's edit applied to every real ClientHello it fits. */
	for (j = 0; j < sizeof(rows) / sizeof(rows[0]); j++) {
		struct tap_group g = { 0 };

		for (i = 0; i < n; i++)
			if (rows[j].family == 0 || rows[j].family == hellos[i].info.ip_version)
				check_row(&hellos[i], &rows[j], &g);
		tap_group_done(&g, "step %zu: %s%s: %s", j + 1, rows[j].what,
			       rows[j].family ? (rows[j].family == 4 ? " (IPv4)" : " (IPv6)") : "",
			       ds_outcome_name(rows[j].expect));
	}
	return tap_done();
}
