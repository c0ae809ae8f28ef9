/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sessions the appliance did not see begin (switched on mid-session, restarted, another box failed
 * over to it): the real worker on ring ports (data_path.c), IPv4 and IPv6, with the frames real
 * ClientHellos' clients and their service exchange (lib/traffic):
 *   - records of clients it never verified are dropped, until the service sends each client an
 *     encrypted record: from then on the client's records pass (flow_learned_inside), on either of two
 *     appliances that never saw the handshake (a path moved by ECMP);
 *   - the service's epoch-0 records (a ServerHello or HVR to whoever sent a ClientHello, spoofed or not)
 *     never make a flow, nor do records arriving from the outside, however many;
 *   - a restart with flows.state_file: the flows written at the stop are back at the start, their
 *     clients' records pass at once; a file altered, or missing, leaves the new appliance empty;
 *   - every frame of the service goes out unchanged, the frame and flow laws hold.
 * TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>

#include "data_path.h"
#include "ds_keyring.h"
#include "saved_flows.h"
#include "ds_traffic.h"
#include "ds_wire.h"
#include "hellos.h"
#include "traffic_spec.h"
#include "tap.h"

enum { CLIENTS = 300, SPOOFED = 100000, SPOOFED_BASE = 20, LEGIT_BASE = 100 };

static const char services[] = "services:\n  - \"10.0.0.2:4433\"\n  - \"[fd00::2]:4433\"\n"
			       "cookie:\n  secret_file: cookie.secret\n";

static struct hello hellos[HELLOS_MAX];

static void
spec_for(struct ds_traffic_spec *spec, unsigned ip_version, uint8_t base, uint64_t sources, bool random_sources)
{
	traffic_spec(spec, &hellos[0], ip_version, base, sources, random_sources, 77 + ip_version);
}

/*
 * Send one frame of @p kind per client (sources 0..n-1, or @p n random ones) through @p port, in bursts;
 * @p epoch0 turns the records into epoch-0 ones. Returns how many frames left by the other port.
 */
static uint64_t
send_kind(struct data_path *dp, struct ds_traffic *t, enum ds_traffic_kind kind, uint64_t n, bool epoch0,
	  enum ds_port_role port)
{
	static uint8_t frames[DS_BURST][DS_TRAFFIC_FRAME_MAX];
	const uint8_t *ptr[DS_BURST];
	const size_t record_at = t->spec.ip_version == 4 ? 14 + 20 + 8 : 14 + 40 + 8;
	size_t len[DS_BURST];
	uint64_t sent = 0, out = 0;

	while (sent < n) {
		unsigned b = 0;

		for (; b < DS_BURST && sent < n; b++, sent++) {
			const uint64_t source = t->spec.random_sources ? ds_traffic_next_source(t) : sent;

			len[b] = ds_traffic_frame(t, kind, source, frames[b], DS_TRAFFIC_FRAME_MAX);
			if (len[b] == 0)
				tap_bail("no %s frame", ds_traffic_kind_name(kind));
			/* Ring ports check no checksum: the epoch is changed without fixing the UDP one. */
			if (epoch0)
				frames[b][record_at + 3] = frames[b][record_at + 4] = 0;
			ptr[b] = frames[b];
		}
		out += data_path_pass(dp, port, ptr, len, b);
	}
	return out;
}

/* One appliance switched on mid-session: the service's next record lets its client back in. */
static void
check_learning(unsigned v)
{
	struct data_path dp;
	struct ds_traffic legit;
	struct ds_traffic_spec spec;
	const struct ds_stats *s;
	char err[256];
	uint64_t out;

	data_path_open_or_bail(&dp, "inline", services, 4096, 8192);
	s = data_path_stats(&dp);
	spec_for(&spec, v, LEGIT_BASE, CLIENTS, false);
	if (ds_traffic_init(&legit, &spec, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	out = send_kind(&dp, &legit, DS_TRAFFIC_DATA, CLIENTS, false, DS_PORT_OUTSIDE);
	tap_check(out == 0 && s->action[DS_ACT_DROPPED_UNVERIFIED] == CLIENTS,
		  "IPv%u: records of %u sessions the box did not see begin are dropped at first", v, CLIENTS);
	out = send_kind(&dp, &legit, DS_TRAFFIC_REPLY, CLIENTS, true, DS_PORT_INSIDE);
	tap_check(out == CLIENTS && s->action[DS_ACT_FLOW_LEARNED_INSIDE] == 0 && s->flows_active == 0,
		  "IPv%u: the service's epoch-0 records go out (%lu) and make no flow", v, (unsigned long)out);
	out = send_kind(&dp, &legit, DS_TRAFFIC_REPLY, CLIENTS, false, DS_PORT_INSIDE);
	tap_check(out == CLIENTS && s->action[DS_ACT_FLOW_LEARNED_INSIDE] == CLIENTS && s->flows_active == CLIENTS,
		  "IPv%u: the service's encrypted records go out and vouch for %u flows (learned %lu)", v, CLIENTS,
		  (unsigned long)s->action[DS_ACT_FLOW_LEARNED_INSIDE]);
	out = send_kind(&dp, &legit, DS_TRAFFIC_DATA, CLIENTS, false, DS_PORT_OUTSIDE);
	tap_check(out == CLIENTS && s->action[DS_ACT_FORWARDED_VERIFIED] == CLIENTS,
		  "IPv%u: the clients' next records pass", v);
	send_kind(&dp, &legit, DS_TRAFFIC_REPLY, CLIENTS, false, DS_PORT_INSIDE);
	tap_check(s->action[DS_ACT_FLOW_REFRESHED_INSIDE] == CLIENTS && s->action[DS_ACT_FLOW_LEARNED_INSIDE] == CLIENTS,
		  "IPv%u: later records of the service refresh the flows, make none", v);
	tap_check(data_path_laws_hold(&dp) && s->action[DS_ACT_FLOW_INSERTED] == 0,
		  "IPv%u: the frame and flow laws hold; no cookie was involved", v);
	data_path_close(&dp);
}

/*
 * A flood of spoofed epoch-1 records from random sources to the service, on two appliances: none
 * passes, none makes a flow. Then a session's path moves from A to B: B lets it in from the service's
 * next record.
 */
static void
check_flood_and_failover(void)
{
	struct data_path a, b;
	struct ds_traffic attack, legit;
	struct ds_traffic_spec as, ls;
	char err[256];
	uint64_t out;

	data_path_open_or_bail(&a, "inline", services, 4096, 8192);
	data_path_open_or_bail(&b, "inline", services, 4096, 8192);
	spec_for(&as, 6, SPOOFED_BASE, UINT64_C(1) << 40, true);
	spec_for(&ls, 6, LEGIT_BASE, CLIENTS, false);
	if (ds_traffic_init(&attack, &as, err, sizeof(err)) != 0 || ds_traffic_init(&legit, &ls, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	out = send_kind(&a, &attack, DS_TRAFFIC_DATA, SPOOFED, false, DS_PORT_OUTSIDE);
	tap_check(out == 0 && data_path_stats(&a)->action[DS_ACT_DROPPED_UNVERIFIED] == SPOOFED &&
			  data_path_stats(&a)->flows_active == 0 && data_path_laws_hold(&a),
		  "%u spoofed epoch-1 records from random sources: none passes, no flow", SPOOFED);
	/* The session began on A (the service spoke through it), then ECMP moves the client to B. */
	send_kind(&a, &legit, DS_TRAFFIC_REPLY, CLIENTS, false, DS_PORT_INSIDE);
	out = send_kind(&a, &legit, DS_TRAFFIC_DATA, CLIENTS, false, DS_PORT_OUTSIDE);
	tap_check(out == CLIENTS, "on A the sessions pass");
	out = send_kind(&b, &legit, DS_TRAFFIC_DATA, CLIENTS, false, DS_PORT_OUTSIDE);
	tap_check(out == 0, "moved to B, the clients' records are dropped until the service speaks");
	send_kind(&b, &legit, DS_TRAFFIC_REPLY, CLIENTS, false, DS_PORT_INSIDE);
	out = send_kind(&b, &legit, DS_TRAFFIC_DATA, CLIENTS, false, DS_PORT_OUTSIDE);
	tap_check(out == CLIENTS && data_path_stats(&b)->action[DS_ACT_FLOW_LEARNED_INSIDE] == CLIENTS && data_path_laws_hold(&b),
		  "after the service's next record B lets all %u sessions through", CLIENTS);
	tap_check(data_path_mbufs_in_use(&a) == 0 && data_path_mbufs_in_use(&b) == 0, "every mbuf back in the pools");
	data_path_close(&a);
	data_path_close(&b);
}

/* Stop (flows written), start again (flows read): the sessions pass without waiting for the service. */
static void
check_restart(void)
{
	struct data_path a, b;
	struct ds_traffic legit;
	struct ds_traffic_spec spec;
	struct ds_saved_flows_result res;
	uint8_t key[32];
	char path[128], err[512];
	uint64_t written = 0, out;
	FILE *f;
	int rc;

	data_path_open_or_bail(&a, "inline", services, 4096, 8192);
	spec_for(&spec, 4, LEGIT_BASE, CLIENTS, false);
	if (ds_traffic_init(&legit, &spec, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	send_kind(&a, &legit, DS_TRAFFIC_REPLY, CLIENTS, false, DS_PORT_INSIDE);
	ds_keyring_derive(a.keyring, "test flow state", key);
	snprintf(path, sizeof(path), "%s/flows.state", a.dir);
	rc = ds_saved_flows_write(&a.workers, path, key, a.unix_ms, a.cfg.flow_idle_timeout_s, &written, err,
				  sizeof(err));
	tap_check(rc == 0 && written == CLIENTS && access(path, F_OK) == 0, "A's %u flows written at its stop (%s)",
		  CLIENTS, rc == 0 ? "ok" : err);

	data_path_open_or_bail(&b, "inline", services, 4096, 8192);
	rc = ds_saved_flows_read(&b.workers, path, key, a.unix_ms + 2000, b.cfg.flow_capacity, &res, err, sizeof(err));
	tap_check(rc == 0 && res.loaded == CLIENTS && res.idled_out == 0 &&
			  data_path_stats(&b)->action[DS_ACT_FLOW_LOADED] == CLIENTS,
		  "B, started 2 s later, loads all %u (%s)", CLIENTS, rc == 0 ? "ok" : err);
	out = send_kind(&b, &legit, DS_TRAFFIC_DATA, CLIENTS, false, DS_PORT_OUTSIDE);
	tap_check(out == CLIENTS && data_path_laws_hold(&b), "B passes the clients' records at once; the flow law counts the loaded");
	data_path_close(&b);

	/* One byte changed: refused whole, nothing loaded. */
	f = fopen(path, "r+b");
	if (f == NULL || fseek(f, 100, SEEK_SET) != 0 || fputc(0x55, f) == EOF || fclose(f) != 0)
		tap_bail("cannot alter %s", path);
	data_path_open_or_bail(&b, "inline", services, 4096, 8192);
	rc = ds_saved_flows_read(&b.workers, path, key, a.unix_ms + 2000, b.cfg.flow_capacity, &res, err, sizeof(err));
	tap_check(rc == -EINVAL && res.loaded == 0 && data_path_stats(&b)->flows_active == 0,
		  "an altered file is refused, B starts empty (%s)", err);
	unlink(path);
	rc = ds_saved_flows_read(&b.workers, path, key, a.unix_ms + 2000, b.cfg.flow_capacity, &res, err, sizeof(err));
	tap_check(rc == -ENOENT && res.loaded == 0, "a missing file: -ENOENT, nothing loaded");
	data_path_close(&b);
	data_path_close(&a);
}

int
main(int argc, char **argv)
{
	(void)argc;
	data_path_eal(argv[0], 1024);
	if (hellos_load(hellos, HELLOS_MAX, false) == 0)
		tap_bail("no ClientHello in the captures");
	check_learning(4);
	check_learning(6);
	check_flood_and_failover();
	check_restart();
	rte_eal_cleanup();
	return tap_done();
}
