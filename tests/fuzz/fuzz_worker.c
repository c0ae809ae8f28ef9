/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the appliance's whole worker (tests/app/data_path.c: the real worker loop on DPDK
 * ring ports) on bursts of frames from the fuzzer, inline and routed, with verified flows in its table;
 * the routed one challenges only under attack and lists sources of bad cookies automatically, its
 * control plane ticking 100 ms per input (states switch and entries come and go as inputs go by), and
 * is a host on its networks: a VLAN 100 outside, control addresses and kernel rings on both ports, the
 * IPv4 service's traffic in GRE (worker_local.c).
 * Input layout: worker_input.h. After every input, any broken invariant traps:
 *   - the counters conserve (every frame of either port has exactly one fate), and so do the flows
 *     (active = made by cookie + learned from the service's records + loaded - expired);
 *   - no flow is made by a cookie (the fuzzer cannot make a valid one: such a flow would be forged);
 *     flows and connection IDs learned from the inside (where the fuzzer plays the service too) are
 *     at most one each per frame received there;
 *   - no frame leaves either port larger than the largest frame of the input (plus a GRE header and a
 *     VLAN tag on the routed path), and every frame given the kernel is marked with its port;
 *   - every mbuf is back in the pool once the ports' rings are emptied.
 */
#include <stdint.h>
#include <stdlib.h>

#include "data_path.h"
#include "ds_cookie_engine.h"
#include "ds_keyring.h"
#include "tap.h"
#include "worker_input.h"

enum { PATHS = 2, MAX_FRAMES = 256, GROWTH = 48 /* IPv6 GRE and a tag */ };

static struct data_path paths[PATHS];
static struct rte_ring *to_kernel;

/* The routed path's ports: ds_exception_attach() gives its worker the ring the test empties. */
static const char *const routed_ports[DS_PORT_COUNT] = {
	"    vlan: 100\n    control_address: [\"10.0.0.254/24\", \"fd00::fe/64\"]\n    kernel_interface: fuzzout\n",
	"    control_address: 192.0.2.1/24\n    kernel_interface: fuzzin\n    mtu: 1400\n",
};
#define ROUTED_TUNNEL "services:\n  - address: \"10.0.0.2:4433\"\n    tunnel: { local: 192.0.2.1, remote: 192.0.2.2 }\n"
static uint64_t flows_made[PATHS];
static void
require(int cond)
{
	if (!cond)
		__builtin_trap();
}

/* The legitimate clients' second ClientHellos: verified flows before the fuzzing starts. */
static void
verify_clients(struct data_path *dp, const struct hello *h)
{
	static uint8_t frame[DS_TRAFFIC_FRAME_MAX];
	struct ds_cookie_engine *engine;
	char err[256];
	unsigned v;
	uint64_t i;

	if ((engine = ds_cookie_engine_create(err, sizeof(err))) == NULL)
		tap_bail("engine: %s", err);
	for (v = 4; v <= 6; v += 2) {
		struct ds_traffic_spec spec;
		struct ds_traffic t;

		fuzz_legit_spec(&spec, h, v);
		spec.engine = engine;
		spec.keyset = ds_keyring_current(dp->keyring);
		if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
			tap_bail("traffic: %s", err);
		for (i = 0; i < FUZZ_FLOWS; i++) {
			const uint8_t *p = frame;
			size_t len = ds_traffic_frame(&t, DS_TRAFFIC_CH2, i, frame, sizeof(frame));

			if (data_path_send(dp, DS_PORT_OUTSIDE, &p, &len, 1) != 1)
				tap_bail("cannot queue a frame");
			data_path_run(dp);
		}
	}
	data_path_drain(dp);
	ds_cookie_engine_destroy(engine);
}

/* At exit, before LeakSanitizer looks: what lives in DPDK memory is invisible to its scan. */
static void
close_paths(void)
{
	unsigned p;

	for (p = 0; p < PATHS; p++)
		data_path_close(&paths[p]);
	rte_ring_free(to_kernel);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct hello hellos[HELLOS_MAX];
	static const char *const modes[PATHS] = { "inline", "routed" };
	static const char *const none[DS_PORT_COUNT] = { "", "" };
	static const char *const rest[PATHS] = {
		FUZZ_SERVICES,
		FUZZ_SERVICES_WITH(ROUTED_TUNNEL) "challenge:\n  mode: under-attack\n  on_rate: 50\n  off_rate: 10\n  off_after: 1\n"
			      "auto_blocklist:\n  bad_cookies: 2\n  duration: 1\n",
	};
	char err[512];
	unsigned p;

	(void)argc;
	data_path_eal((*argv)[0], 512);
	if (hellos_load(hellos, HELLOS_MAX, false) == 0)
		tap_bail("no ClientHello in the captures");
	for (p = 0; p < PATHS; p++) {
		if (data_path_open_ports(&paths[p], modes[p], p == 1 ? routed_ports : none, rest[p], 1024, 2048, err,
					 sizeof(err)) != 0)
			tap_bail("data path: %s", err);
		verify_clients(&paths[p], &hellos[0]);
		flows_made[p] = data_path_stats(&paths[p])->action[DS_ACT_FLOW_INSERTED];
		if (flows_made[p] != 2 * FUZZ_FLOWS)
			tap_bail("%s: %lu flows verified, %u expected", modes[p], (unsigned long)flows_made[p],
				 2 * FUZZ_FLOWS);
	}
	to_kernel = rte_ring_create("fuzz_to_kernel", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (to_kernel == NULL)
		tap_bail("kernel ring");
	paths[1].worker->to_kernel = to_kernel;
	atexit(close_paths);
	return 0;
}

/* What the routed path gave its kernel interfaces: each frame marked with one of its ports. */
static void
check_kernel(const struct data_path *dp)
{
	struct rte_mbuf *m[64];
	unsigned n, i;

	while ((n = rte_ring_dequeue_burst(to_kernel, (void **)m, 64, NULL)) != 0) {
		for (i = 0; i < n; i++)
			require(m[i]->port == dp->ports.id[DS_PORT_OUTSIDE] || m[i]->port == dp->ports.id[DS_PORT_INSIDE]);
		rte_pktmbuf_free_bulk(m, n);
	}
}

static void
check_sent(struct data_path *dp, size_t largest)
{
	struct rte_mbuf *m[64];
	unsigned r, n, i;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		while ((n = data_path_take(dp, (enum ds_port_role)r, m, 64)) != 0) {
			for (i = 0; i < n; i++)
				require(rte_pktmbuf_pkt_len(m[i]) <= largest);
			rte_pktmbuf_free_bulk(m, n);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0, largest = 0;
	unsigned frames = 0, p;

	while (at + 3 <= size && frames < MAX_FRAMES) {
		const uint8_t control = data[at];
		size_t len = (size_t)data[at + 1] << 8 | data[at + 2];
		struct data_path *dp = &paths[control & FUZZ_CTRL_ROUTED ? 1 : 0];
		const uint8_t *frame = data + at + 3;

		at += 3;
		if (len > size - at)
			len = size - at;
		data_path_send(dp, control & FUZZ_CTRL_INSIDE ? DS_PORT_INSIDE : DS_PORT_OUTSIDE, &frame, &len, 1);
		if (len > largest)
			largest = len;
		at += len;
		frames++;
	}
	for (p = 0; p < PATHS; p++) {
		const struct ds_stats *s = data_path_stats(&paths[p]);

		data_path_run(&paths[p]);
		/* The control plane ticks 100 ms per input: challenge switches and automatic entries expire. */
		data_path_tick(&paths[p], paths[p].unix_ms, paths[p].monotonic_ms + 100);
		require(ds_stats_conserved(s) && ds_stats_flows_conserved(s));
		require(s->action[DS_ACT_FLOW_INSERTED] == flows_made[p]);
		/* One proof and one handed-out CID at most per frame of the service. */
		require(s->action[DS_ACT_FLOW_LEARNED_INSIDE] + s->action[DS_ACT_FLOW_REFRESHED_INSIDE] <=
				s->action[DS_ACT_RX_INSIDE] &&
			s->action[DS_ACT_FLOW_CID_LEARNED] <= s->action[DS_ACT_RX_INSIDE]);
		if (p == 1)
			check_kernel(&paths[p]);
		check_sent(&paths[p], largest + (p == 1 ? GROWTH : 0));
		require(data_path_mbufs_in_use(&paths[p]) == 0);
	}
	return 0;
}
