/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS 1.2 connection IDs (RFC 9146) on the real worker (ring ports, data_path.c), IPv4 and IPv6, with
 * records built from the RFC's structures (tests/common/cid_records.c: no library Debian 12 ships
 * negotiates CIDs):
 *   - a service's ServerHello hands a client a CID; to a client whose address is not verified it makes
 *     nothing, to a verified one it makes a CID flow (flow_cid_learned);
 *   - the client's NAT rebinds: its tls12_cid records from the new address and port pass by CID
 *     (flow_cid_matched); records without the CID, or with CIDs nobody was given, from new addresses
 *     do not; CIDs longer than the table keys are never keyed;
 *   - CID flows survive a restart through flows.state_file, and so does the service's CID length;
 *   - the frame and flow laws hold, every mbuf returns.
 * TAP output.
 */
#include <stdio.h>
#include <string.h>

#include "cid_records.h"
#include "data_path.h"
#include "ds_build.h"
#include "ds_keyring.h"
#include "ds_wire.h"
#include "saved_flows.h"
#include "tap.h"

enum { CLIENTS = 50, CID_LEN = 8, LONG_CID_LEN = 20 };

static const char services[] = "services:\n  - \"10.0.0.2:4433\"\n  - \"[fd00::2]:4433\"\n"
			       "cookie:\n  secret_file: cookie.secret\n";

/* Client @p client's CID (a service would draw it at random); @p salt != 0 gives CIDs nobody was given. */
static void
cid_of(unsigned client, unsigned salt, uint8_t *cid, unsigned len)
{
	unsigned j;

	for (j = 0; j < len; j++)
		cid[j] = (uint8_t)(client * 37 + j * 11 + salt * 101 + 1);
}

/* Client @p client at its address number @p where (0: where it began; others: after NAT rebinding). */
static size_t
frame_of(uint8_t *out, unsigned v, unsigned client, unsigned where, bool from_service, const uint8_t *payload,
	 size_t len)
{
	struct ds_frame_addrs a = { .src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 } };
	uint8_t client_ip[16] = { 0 }, service_ip[16] = { 0 };
	const uint16_t client_port = (uint16_t)(40000 + where * 1000 + client), service_port = 4433;

	a.ip_version = (uint8_t)v;
	if (v == 4) {
		memcpy(client_ip, (const uint8_t[]){ 100, 64, (uint8_t)where, (uint8_t)(client + 1) }, 4);
		memcpy(service_ip, (const uint8_t[]){ 10, 0, 0, 2 }, 4);
	} else {
		client_ip[0] = 0x20, client_ip[1] = 0x01, client_ip[2] = 0x0d, client_ip[3] = 0xb8;
		client_ip[7] = (uint8_t)where, client_ip[15] = (uint8_t)(client + 1);
		service_ip[0] = 0xfd, service_ip[15] = 2;
	}
	memcpy(from_service ? a.src_ip : a.dst_ip, service_ip, 16);
	memcpy(from_service ? a.dst_ip : a.src_ip, client_ip, 16);
	a.src_port = from_service ? service_port : client_port;
	a.dst_port = from_service ? client_port : service_port;
	return ds_frame_build(out, 2048, &a, payload, len);
}

enum what {
	SERVER_HELLO,      /* the service's ServerHello with the client's CID */
	SERVER_HELLO_LONG, /* ... with a CID longer than a key holds */
	SERVICE_RECORD,    /* the service's epoch-1 record */
	CID_RECORD,        /* the client's tls12_cid record with its CID */
	FOREIGN_CID,       /* ... with a CID nobody was given */
	PLAIN_RECORD,      /* the client's epoch-1 application data, no CID */
};

/* The DTLS payload of @p what for @p client. */
static size_t
payload_of(uint8_t *p, enum what what, unsigned client)
{
	uint8_t cid[LONG_CID_LEN];

	cid_of(client, what == FOREIGN_CID, cid, what == SERVER_HELLO_LONG ? LONG_CID_LEN : CID_LEN);
	switch (what) {
	case SERVER_HELLO:
		return cid_server_hello(p, cid, CID_LEN);
	case SERVER_HELLO_LONG:
		return cid_server_hello(p, cid, LONG_CID_LEN);
	case CID_RECORD:
	case FOREIGN_CID:
		return cid_record(p, cid, CID_LEN, 5, 48);
	case SERVICE_RECORD:
	case PLAIN_RECORD:
	default: {
		size_t n = cid_record(p, cid, 0, 5, 48);

		p[0] = DS_DTLS_CT_APPLICATION_DATA;
		return n;
	}
	}
}

/* @p what for every client at address @p where, through the port it arrives at; returns how many left. */
static unsigned
send_all(struct data_path *dp, unsigned v, enum what what, unsigned where)
{
	static uint8_t frames[CLIENTS][2048];
	const bool from_service = what == SERVER_HELLO || what == SERVER_HELLO_LONG || what == SERVICE_RECORD;
	const enum ds_port_role in = from_service ? DS_PORT_INSIDE : DS_PORT_OUTSIDE;
	const uint8_t *ptr[CLIENTS];
	size_t len[CLIENTS];
	unsigned c;

	for (c = 0; c < CLIENTS; c++) {
		uint8_t payload[CID_RECORD_MAX];

		len[c] = frame_of(frames[c], v, c, where, from_service, payload, payload_of(payload, what, c));
		if (len[c] == 0)
			tap_bail("cannot build a frame");
		ptr[c] = frames[c];
	}
	return data_path_pass(dp, in, ptr, len, CLIENTS);
}

/* Verified clients rebind; then the appliance restarts with their CIDs in its state file. */
static void
check_family(unsigned v)
{
	struct data_path a, b;
	struct ds_saved_flows_result res;
	const struct ds_stats *s;
	uint8_t key[32];
	char path[128], err[512];
	uint64_t written = 0;
	unsigned out;

	data_path_open_or_bail(&a, "inline", services, 4096, 8192);
	s = data_path_stats(&a);
	out = send_all(&a, v, SERVER_HELLO, 0);
	tap_check(out == CLIENTS && s->action[DS_ACT_FLOW_CID_LEARNED] == 0 && s->flows_active == 0,
		  "IPv%u: ServerHellos handing CIDs to unverified addresses go out and make nothing", v);
	send_all(&a, v, SERVICE_RECORD, 0);
	out = send_all(&a, v, SERVER_HELLO, 0);
	tap_check(out == CLIENTS && s->action[DS_ACT_FLOW_CID_LEARNED] == CLIENTS && s->flows_active == 2 * CLIENTS,
		  "IPv%u: to the %u verified clients they make a CID flow each", v, CLIENTS);
	out = send_all(&a, v, CID_RECORD, 1);
	tap_check(out == CLIENTS && s->action[DS_ACT_FLOW_CID_MATCHED] == CLIENTS,
		  "IPv%u: after NAT rebinding their tls12_cid records pass by CID (%u)", v, out);
	out = send_all(&a, v, PLAIN_RECORD, 1) + send_all(&a, v, FOREIGN_CID, 2);
	tap_check(out == 0 && s->action[DS_ACT_DROPPED_UNVERIFIED] == 2 * CLIENTS,
		  "IPv%u: from new addresses, records without a CID or with CIDs nobody was given do not", v);
	out = send_all(&a, v, CID_RECORD, 0);
	tap_check(out == CLIENTS && s->action[DS_ACT_FLOW_CID_MATCHED] == CLIENTS,
		  "IPv%u: from the first addresses they pass by address", v);
	send_all(&a, v, SERVER_HELLO_LONG, 0);
	tap_check(s->action[DS_ACT_FLOW_CID_LEARNED] == CLIENTS && send_all(&a, v, CID_RECORD, 3) == 0,
		  "IPv%u: %u-byte CIDs are not keyed, and the service's clients are then known by address only", v,
		  LONG_CID_LEN);
	send_all(&a, v, SERVER_HELLO, 0);
	tap_check(data_path_laws_hold(&a) && s->action[DS_ACT_FLOW_INSERTED] == 0, "IPv%u: the frame and flow laws hold", v);

	ds_keyring_derive(a.keyring, "test flow state", key);
	snprintf(path, sizeof(path), "%s/flows.state", a.dir);
	if (ds_saved_flows_write(&a.workers, path, key, a.unix_ms, a.cfg.flow_idle_timeout_s, &written, err,
				 sizeof(err)) != 0)
		tap_bail("%s", err);
	data_path_open_or_bail(&b, "inline", services, 4096, 8192);
	if (ds_saved_flows_read(&b.workers, path, key, a.unix_ms + 1000, b.cfg.flow_capacity, &res, err,
				sizeof(err)) != 0)
		tap_bail("%s", err);
	out = send_all(&b, v, CID_RECORD, 4);
	tap_check(written == 2 * CLIENTS && res.loaded == 2 * CLIENTS && out == CLIENTS && data_path_laws_hold(&b),
		  "IPv%u: restarted with the state file (%lu flows), rebound clients pass by CID at once", v,
		  (unsigned long)res.loaded);
	tap_check(data_path_mbufs_in_use(&a) == 0 && data_path_mbufs_in_use(&b) == 0, "IPv%u: every mbuf back", v);
	data_path_close(&b);
	data_path_close(&a);
}

int
main(int argc, char **argv)
{
	(void)argc;
	data_path_eal(argv[0], 1024);
	check_family(4);
	check_family(6);
	rte_eal_cleanup();
	return tap_done();
}
