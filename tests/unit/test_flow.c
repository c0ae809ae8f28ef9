/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The verified-flow table (lib/flow): capacity kept and refused beyond, bulk lookups that find exactly
 * the inserted flows (IPv4 and IPv6), refresh, idle expiry that removes only idle flows, and expiry
 * work bounded by its budget whatever the table holds.
 */
#include <string.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "ds_flow.h"
#include "tap.h"

enum { CAPACITY = 4096, IDLE = 100 };

static struct ds_flow_key
flow(unsigned i, unsigned version)
{
	struct ds_flow_key k;

	memset(&k, 0, sizeof(k));
	k.ip_version = (uint8_t)version;
	k.client[0] = version == 4 ? 198 : 0x20;
	k.client[version == 4 ? 2 : 14] = (uint8_t)(i >> 8);
	k.client[version == 4 ? 3 : 15] = (uint8_t)i;
	k.server[0] = 10;
	k.client_port = (uint16_t)(1024 + i % 7);
	k.server_port = 4433;
	return k;
}

/* Look up keys [from, from + n) of one family in bulks of up to 64; count how many were found. */
static unsigned
found_count(struct ds_flow_table *t, unsigned from, unsigned n, unsigned version, uint64_t now)
{
	struct ds_flow_key keys[DS_BURST];
	const struct ds_flow_key *ptr[DS_BURST];
	unsigned done, i, found = 0;

	for (done = 0; done < n; done += DS_BURST) {
		const unsigned chunk = n - done < DS_BURST ? n - done : DS_BURST;
		bool hit[DS_BURST];

		for (i = 0; i < chunk; i++) {
			keys[i] = flow(from + done + i, version);
			ptr[i] = &keys[i];
		}
		ds_flow_lookup_bulk(t, ptr, chunk, now, hit);
		for (i = 0; i < chunk; i++)
			found += hit[i];
	}
	return found;
}

static void
check_capacity_and_lookup(void)
{
	struct ds_flow_table *t = ds_flow_table_create("test_capacity", CAPACITY, SOCKET_ID_ANY, IDLE);
	struct ds_flow_key k;
	unsigned i, inserted = 0, refreshed = 0;

	if (t == NULL)
		tap_bail("cannot create a flow table");
	for (i = 0; i < CAPACITY; i++) {
		k = flow(i, i % 2 ? 6 : 4);
		inserted += ds_flow_insert(t, &k, 1000) == DS_FLOW_INSERTED;
	}
	tap_check(inserted == CAPACITY && ds_flow_count(t) == CAPACITY, "%u of %u flows fit a table of %u",
		  inserted, CAPACITY, CAPACITY);
	k = flow(CAPACITY + 1, 4);
	tap_check(ds_flow_insert(t, &k, 1000) == DS_FLOW_FULL, "one flow beyond the capacity is refused");
	for (i = 0; i < CAPACITY; i += 97) {
		k = flow(i, i % 2 ? 6 : 4);
		refreshed += ds_flow_insert(t, &k, 1001) == DS_FLOW_REFRESHED;
	}
	tap_check(refreshed == (CAPACITY + 96) / 97, "a flow seen again is refreshed, not added twice");
	/* Even numbers went in as IPv4, odd ones as IPv6: the other family of each is unknown. */
	tap_check(found_count(t, 0, CAPACITY, 4, 1002) == CAPACITY / 2 &&
			  found_count(t, 0, CAPACITY, 6, 1002) == CAPACITY / 2,
		  "bulk lookups find every inserted flow and nothing of the other family");
	tap_check(found_count(t, CAPACITY, 640, 4, 1002) == 0, "bulk lookups find no flow never inserted");
	ds_flow_table_free(t);
}

static void
check_expiry(void)
{
	struct ds_flow_table *t = ds_flow_table_create("test_expiry", CAPACITY, SOCKET_ID_ANY, IDLE);
	struct ds_flow_key k;
	unsigned i, removed = 0, calls;

	if (t == NULL)
		tap_bail("cannot create a flow table");
	for (i = 0; i < 1000; i++) {
		k = flow(i, 4);
		ds_flow_insert(t, &k, 1000);
	}
	removed = ds_flow_expire(t, 1000, CAPACITY * 2);
	tap_check(removed == 0 && ds_flow_count(t) == 1000,
		  "nothing expires at the time it was seen (removed %u)", removed);
	/* Half of them are seen again later; the rest go idle. */
	tap_check(found_count(t, 0, 500, 4, 1060) == 500, "flows are found before their timeout");
	removed = ds_flow_expire(t, 1000 + IDLE, CAPACITY * 2);
	tap_check(removed == 0, "a flow idle for exactly the timeout stays");
	removed = ds_flow_expire(t, 1000 + IDLE + 1, CAPACITY * 2);
	tap_check(removed == 500 && ds_flow_count(t) == 500 && found_count(t, 500, 500, 4, 1102) == 0 &&
			  found_count(t, 0, 500, 4, 1102) == 500,
		  "only the idle flows expire (removed %u, %u left)", removed, ds_flow_count(t));
	/* Bounded work: a budget of 16 never removes more than 16, and a full sweep takes capacity/16. */
	removed = 0;
	for (calls = 0; calls < CAPACITY / 16 + 2 && ds_flow_count(t) != 0; calls++) {
		const unsigned r = ds_flow_expire(t, 1102 + IDLE + 1, 16);

		if (r > 16)
			break;
		removed += r;
	}
	tap_check(removed == 500 && ds_flow_count(t) == 0 && calls <= CAPACITY / 16 + 1,
		  "expiry with a budget of 16 removes at most 16 per call and sweeps the table in %u calls", calls);
	/* A removed flow can come back. */
	k = flow(7, 4);
	tap_check(ds_flow_insert(t, &k, 5000) == DS_FLOW_INSERTED && found_count(t, 7, 1, 4, 5001) == 1,
		  "an expired flow is inserted anew by its next valid cookie");
	ds_flow_table_free(t);
}

int
main(void)
{
	char *eal_args[] = { "test_flow", "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "--no-telemetry",
			     "--log-level=*:warning", NULL };

	if (rte_eal_init(8, eal_args) < 0)
		tap_bail("rte_eal_init failed");
	check_capacity_and_lookup();
	check_expiry();
	rte_eal_cleanup();
	return tap_done();
}
