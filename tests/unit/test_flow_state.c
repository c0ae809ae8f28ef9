/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow state file's checks (lib/flowstate): a file written and sealed is read back as written;
 * every way a file can be wrong is refused whole, with its reason: each truncation, each flipped bit
 * (the MAC), another key, another version, stale, from the future, another worker count, more flows
 * than a table holds, and each bad field of a record even under a valid MAC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_flow_state.h"
#include "tap.h"

enum { FLOWS = 40, WORKERS = 2, CAPACITY = 1000 };

static const uint8_t key[32] = "0123456789abcdef0123456789abcde";
static const uint64_t written = UINT64_C(1800000000000); /* ms */

static void
entry(unsigned i, struct ds_flow_state_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->key.ip_version = i % 2 ? 6 : 4;
	e->key.client[0] = e->key.ip_version == 4 ? 198 : 0x20;
	e->key.client[3] = (uint8_t)i;
	if (e->key.ip_version == 6)
		e->key.client[15] = (uint8_t)(i * 7);
	e->key.server[0] = 10;
	e->key.server[3] = 2;
	e->key.client_port = (uint16_t)(40000 + i);
	e->key.server_port = 4433;
	e->worker = i % WORKERS;
	e->idle_left_ms = 1000 + 100 * i;
	/* Every fourth flow is keyed by a 6-byte connection ID (RFC 9146) instead of the client's address. */
	if (i % 4 == 3) {
		memset(e->key.client, 0, sizeof(e->key.client));
		memcpy(e->key.client, "\xC1\xD2\xE3\xF4\x05", 5);
		e->key.client[5] = (uint8_t)i;
		e->key.client_port = 6;
		e->key.ip_version |= DS_FLOW_KEY_CID;
	}
}

/* A sealed file of FLOWS flows. */
static uint8_t *
make_file(size_t *len)
{
	const struct ds_flow_state_meta m = { .n_workers = WORKERS, .written_ms = written, .idle_timeout_ms = 60000,
					      .count = FLOWS };
	uint8_t *file = malloc(ds_flow_state_size(FLOWS));
	unsigned i;

	if (file == NULL)
		tap_bail("out of memory");
	ds_flow_state_write_header(file, &m);
	for (i = 0; i < FLOWS; i++) {
		struct ds_flow_state_entry e;

		entry(i, &e);
		ds_flow_state_write_entry(file, i, &e);
	}
	*len = ds_flow_state_size(FLOWS);
	if (ds_flow_state_seal(file, *len, key) != 0)
		tap_bail("cannot seal");
	return file;
}

/* Check an exact-size heap copy (ASan sees any read past it); the reason when refused. */
static int
check(const uint8_t *file, size_t len, const uint8_t *k, uint32_t workers, uint32_t capacity, uint64_t now,
      char *why, size_t why_len)
{
	struct ds_flow_state_meta m;
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, file, len);
	rc = ds_flow_state_check(copy, len, k, workers, capacity, now, &m, why, why_len);
	free(copy);
	return rc;
}

static bool
refused_for(const uint8_t *file, size_t len, const char *reason, uint32_t workers, uint32_t capacity,
	    uint64_t now)
{
	char why[256] = "";

	return check(file, len, key, workers, capacity, now, why, sizeof(why)) != 0 && strstr(why, reason) != NULL;
}

static void
check_round_trip(void)
{
	struct ds_flow_state_meta m;
	char why[256] = "";
	size_t len;
	uint8_t *file = make_file(&len);
	unsigned i, same = 0;

	tap_check(ds_flow_state_check(file, len, key, WORKERS, CAPACITY, written + 5000, &m, why, sizeof(why)) == 0 &&
			  m.count == FLOWS && m.n_workers == WORKERS && m.written_ms == written,
		  "a sealed file is accepted and its header read back (%s)", why);
	for (i = 0; i < FLOWS; i++) {
		struct ds_flow_state_entry want, got;

		entry(i, &want);
		ds_flow_state_read_entry(file, i, &got);
		same += memcmp(&want, &got, sizeof(want)) == 0;
	}
	tap_check(same == FLOWS, "every flow reads back as written (%u of %u)", same, FLOWS);
	free(file);
}

static void
check_damage(void)
{
	char why[256];
	uint8_t other_key[32];
	size_t len, cut, byte, accepted_cuts = 0, accepted_flips = 0;
	uint8_t *file = make_file(&len);

	for (cut = 0; cut < len; cut++)
		accepted_cuts += check(file, cut, key, WORKERS, CAPACITY, written, why, sizeof(why)) == 0;
	tap_check(accepted_cuts == 0, "each of %zu truncations is refused", len);
	for (byte = 0; byte < len; byte++) {
		unsigned bit;

		for (bit = 0; bit < 8; bit += 3) {
			file[byte] ^= (uint8_t)(1u << bit);
			accepted_flips += check(file, len, key, WORKERS, CAPACITY, written, why, sizeof(why)) == 0;
			file[byte] ^= (uint8_t)(1u << bit);
		}
	}
	tap_check(accepted_flips == 0, "each of %zu flipped bits is refused", len * 3);
	memcpy(other_key, key, sizeof(other_key));
	other_key[31] ^= 1;
	tap_check(check(file, len, other_key, WORKERS, CAPACITY, written, why, sizeof(why)) != 0 &&
			  strstr(why, "another master secret") != NULL,
		  "under another key: refused, saying so (%s)", why);
	tap_check(refused_for(file, len - 64, "truncated", WORKERS, CAPACITY, written), "one flow short: truncated");
	tap_check(refused_for(file, len, "stale", WORKERS, CAPACITY, written + 60000), "60 s later: stale");
	tap_check(refused_for(file, len, "future", WORKERS, CAPACITY, written - 3600000), "an hour ahead: the future");
	tap_check(refused_for(file, len, "written by 2 workers, 4 now", 4, CAPACITY, written), "another worker count");
	tap_check(refused_for(file, len, "flows.capacity", WORKERS, FLOWS / WORKERS - 1, written),
		  "more flows for a worker than its table holds");
	file[8] = 9;
	tap_check(refused_for(file, len, "version", WORKERS, CAPACITY, written), "another version");
	file[0] = 'X';
	tap_check(refused_for(file, len, "not a flow state file", WORKERS, CAPACITY, written), "another magic");
	free(file);
}

/* A record changed, then sealed again: the MAC holds, the field check must catch it. */
static void
check_record_faults(void)
{
	static const struct {
		unsigned offset;
		uint8_t value;
		const char *reason;
	} faults[] = {
		{ 36, 5, "not IPv4 or IPv6" },     { 10, 1, "bytes after the fourth" },
		{ 40, 1, "reserved" },             { 60, 1, "reserved" },
		{ 32, 0, "port 0" },               { 51, 7, "worker out of range" },
		{ 52, 0xFF, "more idle time left" },
	};
	size_t len, i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		uint8_t *file = make_file(&len);
		/* Flow 2: IPv4, so the address padding is checked. */
		uint8_t *r = file + DS_FLOW_STATE_HEADER + 2 * DS_FLOW_STATE_RECORD;

		r[faults[i].offset] = faults[i].value;
		if (faults[i].offset == 32)
			r[33] = 0;
		ds_flow_state_seal(file, len, key);
		tap_check(refused_for(file, len, faults[i].reason, WORKERS, CAPACITY, written),
			  "a record with byte %u = %u is refused: %s", faults[i].offset, faults[i].value, faults[i].reason);
		free(file);
	}
}

/* The same for a connection-ID flow (flow 3): its CID length and the bytes after the CID. */
static void
check_cid_faults(void)
{
	static const struct {
		unsigned offset;
		uint8_t value;
	} faults[] = { { 33, 0 }, { 33, 17 }, { 6, 1 }, { 15, 1 } };
	size_t len, i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		uint8_t *file = make_file(&len);
		uint8_t *r = file + DS_FLOW_STATE_HEADER + 3 * DS_FLOW_STATE_RECORD;

		r[faults[i].offset] = faults[i].value;
		ds_flow_state_seal(file, len, key);
		tap_check(refused_for(file, len, "connection ID", WORKERS, CAPACITY, written),
			  "a connection-ID flow with byte %u = %u is refused", faults[i].offset, faults[i].value);
		free(file);
	}
}

int
main(void)
{
	check_round_trip();
	check_damage();
	check_record_faults();
	check_cid_faults();
	return tap_done();
}
