/* SPDX-License-Identifier: BSD-3-Clause */
#include "hvr_tshark.h"

#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "tap.h"
#include "tshark.h"

enum col {
	COL_INFO, COL_IP_CKSUM, COL_UDP_CKSUM, COL_CT, COL_REC_VERSION, COL_EPOCH, COL_SEQ, COL_HS_TYPE,
	COL_MSG_SEQ, COL_FRAG_OFFSET, COL_FRAG_LEN, COL_HS_LEN, COL_HS_VERSION, COL_COOKIE_LEN,
	COL_COOKIE, COL_VLAN, COL_IPV6_VERSION, COL_COUNT
};

static const char *const fields[COL_COUNT] = {
	[COL_INFO] = "_ws.col.Info",
	[COL_IP_CKSUM] = "ip.checksum.status",
	[COL_UDP_CKSUM] = "udp.checksum.status",
	[COL_CT] = "dtls.record.content_type",
	[COL_REC_VERSION] = "dtls.record.version",
	[COL_EPOCH] = "dtls.record.epoch",
	[COL_SEQ] = "dtls.record.sequence_number",
	[COL_HS_TYPE] = "dtls.handshake.type",
	[COL_MSG_SEQ] = "dtls.handshake.message_seq",
	[COL_FRAG_OFFSET] = "dtls.handshake.fragment_offset",
	[COL_FRAG_LEN] = "dtls.handshake.fragment_length",
	[COL_HS_LEN] = "dtls.handshake.length",
	[COL_HS_VERSION] = "dtls.handshake.version",
	[COL_COOKIE_LEN] = "dtls.handshake.cookie_length",
	[COL_COOKIE] = "dtls.handshake.cookie",
	[COL_VLAN] = "vlan.id",
	[COL_IPV6_VERSION] = "ipv6.version",
};

/* Wireshark's checksum status values. */
enum { CKSUM_GOOD = 1 };

void
hvr_expect_from_hello(struct hvr_expect *exp, const uint8_t *frame, const struct ds_frame_info *info,
		      const uint8_t *cookie, unsigned cookie_len)
{
	const uint8_t *rec = frame + info->dtls_offset;

	exp->record_seq = ds_load_be48(rec + 5);
	exp->message_seq = ds_load_be16(rec + DS_DTLS_RECORD_HDR_LEN + 4);
	memcpy(exp->cookie, cookie, cookie_len);
	exp->cookie_len = cookie_len;
	exp->ip_version = info->ip_version;
	exp->ports[0] = info->src_port;
	exp->ports[1] = info->dst_port;
	exp->vlan_id = info->vlan_count == 0 ? -1 : ds_load_be16(frame + info->l3_offset - 4) & 0x0FFF;
}

#define WANT(cond, ...) \
	do { \
		if (!(cond)) { \
			snprintf(why, sizeof(why), __VA_ARGS__); \
			goto done; \
		} \
	} while (0)

static void
check_row(const struct tshark_table *t, size_t row, const struct hvr_expect *e)
{
	char why[256] = "", cookie_hex[2 * DS_COOKIE_MAX_LEN + 1];
	const long long body_len = 3 + (long long)e->cookie_len;
	unsigned i;

#define NUM(col) tshark_number(tshark_cell(t, row, col))
	for (i = 0; i < e->cookie_len; i++)
		sprintf(cookie_hex + 2 * i, "%02x", e->cookie[i]);
	cookie_hex[2 * e->cookie_len] = '\0';
	WANT(strstr(tshark_cell(t, row, COL_INFO), "Hello Verify Request") != NULL, "Info column \"%s\"",
	     tshark_cell(t, row, COL_INFO));
	if (e->ip_version == 4)
		WANT(NUM(COL_IP_CKSUM) == CKSUM_GOOD, "IPv4 checksum status %s",
		     tshark_cell(t, row, COL_IP_CKSUM));
	else
		WANT(NUM(COL_IPV6_VERSION) == 6, "IPv6 version %s", tshark_cell(t, row, COL_IPV6_VERSION));
	WANT(NUM(COL_UDP_CKSUM) == CKSUM_GOOD, "UDP checksum status %s",
	     tshark_cell(t, row, COL_UDP_CKSUM));
	WANT(NUM(COL_CT) == DS_DTLS_CT_HANDSHAKE && NUM(COL_REC_VERSION) == DS_DTLS_VERSION_1_0 &&
	     NUM(COL_EPOCH) == 0, "record type %s version %s epoch %s", tshark_cell(t, row, COL_CT),
	     tshark_cell(t, row, COL_REC_VERSION), tshark_cell(t, row, COL_EPOCH));
	WANT(NUM(COL_SEQ) == (long long)e->record_seq, "record seq %s, ClientHello's %llu",
	     tshark_cell(t, row, COL_SEQ), (unsigned long long)e->record_seq);
	WANT(NUM(COL_HS_TYPE) == DS_DTLS_HS_HELLO_VERIFY_REQUEST && NUM(COL_MSG_SEQ) == e->message_seq,
	     "handshake type %s message_seq %s (ClientHello's %u)", tshark_cell(t, row, COL_HS_TYPE),
	     tshark_cell(t, row, COL_MSG_SEQ), e->message_seq);
	WANT(NUM(COL_FRAG_OFFSET) == 0 && NUM(COL_FRAG_LEN) == body_len && NUM(COL_HS_LEN) == body_len,
	     "fragment %s+%s of %s", tshark_cell(t, row, COL_FRAG_OFFSET),
	     tshark_cell(t, row, COL_FRAG_LEN), tshark_cell(t, row, COL_HS_LEN));
	WANT(NUM(COL_HS_VERSION) == DS_DTLS_VERSION_1_0, "server_version %s",
	     tshark_cell(t, row, COL_HS_VERSION));
	WANT(NUM(COL_COOKIE_LEN) == e->cookie_len && strcmp(tshark_cell(t, row, COL_COOKIE), cookie_hex) == 0,
	     "cookie %s (%s bytes), expected %s", tshark_cell(t, row, COL_COOKIE),
	     tshark_cell(t, row, COL_COOKIE_LEN), cookie_hex);
	WANT(NUM(COL_VLAN) == e->vlan_id, "VLAN %s, expected %d", tshark_cell(t, row, COL_VLAN),
	     e->vlan_id);
#undef NUM
done:
	tap_check(why[0] == '\0', "tshark: %s is a Hello Verify Request with good checksums, seq %llu, "
		  "message_seq %u, %u-byte cookie %s", e->label, (unsigned long long)e->record_seq,
		  e->message_seq, e->cookie_len, why);
}

void
hvr_tshark_check(const char *pcap, const struct hvr_expect *exp, size_t n)
{
	uint16_t ports[128] = { 0 };
	struct tshark_table t;
	size_t row, n_ports = 0, k, side;

	/*
	 * Decoded as DTLS on the ports of the exchange: a random port of a live client or server may be
	 * another protocol's registered port, and tshark would decode the HVR as that protocol.
	 */
	for (row = 0; row < n; row++) {
		for (side = 0; side < 2; side++) {
			for (k = 0; k < n_ports && ports[k] != exp[row].ports[side]; k++)
				;
			if (k == n_ports && n_ports < sizeof(ports) / sizeof(ports[0]))
				ports[n_ports++] = exp[row].ports[side];
		}
	}
	if (tshark_read(pcap, ports, n_ports, fields, COL_COUNT, &t) != 0)
		tap_bail("tshark is needed to check HVRs");
	tap_check(t.rows == n, "tshark reads %zu frames from %s, %zu written", t.rows,
		  capture_basename(pcap), n);
	for (row = 0; row < t.rows && row < n; row++)
		check_row(&t, row, &exp[row]);
	tshark_free(&t);
}
