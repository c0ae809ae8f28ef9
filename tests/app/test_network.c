/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker as a host on its networks (worker_local.c), on the real worker with ring ports
 * (data_path.c) in routed mode: the outside port a VLAN 100 trunk with control addresses and a kernel
 * interface (rate 100 frames/s), the inside untagged with a control address, MTU 1400, and the IPv4
 * service's clean traffic sent through a GRE tunnel. The exception path's thread is not here: the
 * test holds the rings the worker shares with it.
 *   1. What a real Linux kernel sent (tests/captures/network/arp_nd.pcap), tagged: ARP and neighbour
 *      discovery for a control address, and traffic to one, go to the kernel ring; nothing else does.
 *   2. The kernel's share: a burst of ARP gets a second's worth of the rate, the rest is counted.
 *   3. GRE from a real kernel (gre4.pcap, gre6.pcap) to the control address is opened and its inner
 *      packets go on; a ClientHello to the IPv6 service inside GRE gets its HVR, still tagged.
 *   4. The service's replies leave outside tagged 100; its clients' records go inside untagged, in
 *      GRE to the tunnel's remote, which tshark reads as GRE with a good IPv4 checksum; records too
 *      long for the inside MTU once encapsulated are dropped and counted.
 *   5. Inside ARP for a control address goes to the kernel ring, other ARP not; what the kernel sends
 *      leaves by worker 0's queue.
 *   6. The frame laws hold, every mbuf returns.
 * TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "capture.h"
#include "data_path.h"
#include "ds_local.h"
#include "ds_traffic.h"
#include "ds_wire.h"
#include "hellos.h"
#include "tap.h"
#include "traffic_spec.h"
#include "tshark.h"

enum { VLAN = 100, KERNEL_RATE = 100, ARP_BURST = 300, CLIENTS = 40, NET_FRAME_MAX = 2048 };

static const char *const port_extra[DS_PORT_COUNT] = {
	[DS_PORT_OUTSIDE] = "    vlan: 100\n"
			    "    control_address: [\"192.0.2.1/24\", \"2001:db8::1/64\"]\n"
			    "    kernel_interface: dsout\n"
			    "    kernel_rate: 100\n",
	[DS_PORT_INSIDE] = "    control_address: [198.51.100.1/24, 192.0.2.1/24]\n"
			   "    kernel_interface: dsin\n"
			   "    mtu: 1400\n",
};

static const char rest[] = "services:\n"
			   "  - address: \"10.0.0.2:4433\"\n"
			   "    tunnel: { type: gre, local: 198.51.100.1, remote: 198.51.100.2 }\n"
			   "  - \"[fd00::2]:4433\"\n"
			   "cookie:\n  secret_file: cookie.secret\n";

/* The outside port's control addresses as the worker holds them (record.sh's app4, app6). */
static const struct ds_local_addrs outside_addrs = {
	.n4 = 1,
	.n6 = 1,
	.v4 = { { 192, 0, 2, 1 } },
	.v6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 } },
};

static struct hello hellos[HELLOS_MAX];

struct rig {
	struct data_path dp;
	struct rte_ring *to_kernel, *from_kernel;
};

static void
rig_open(struct rig *r)
{
	static unsigned n;
	char err[512], name[32];

	if (data_path_open_ports(&r->dp, "routed", port_extra, rest, 4096, 16384, err, sizeof(err)) != 0)
		tap_bail("data path: %s", err);
	snprintf(name, sizeof(name), "net_to_kernel_%u", n);
	r->to_kernel = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "net_from_kernel_%u", n++);
	r->from_kernel = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r->to_kernel == NULL || r->from_kernel == NULL)
		tap_bail("rings");
	/* What ds_exception_attach() does for the appliance. */
	r->dp.worker->to_kernel = r->to_kernel;
	r->dp.worker->from_kernel[DS_PORT_OUTSIDE] = r->from_kernel;
}

/* Frames the worker gave the kernel: how many, and whether each says the port it came from. */
static unsigned
take_kernel(struct rig *r, enum ds_port_role from, bool *ports_right)
{
	struct rte_mbuf *m[256];
	unsigned n, total = 0, i;

	*ports_right = true;
	while ((n = rte_ring_dequeue_burst(r->to_kernel, (void **)m, 256, NULL)) != 0) {
		for (i = 0; i < n; i++)
			*ports_right &= m[i]->port == r->dp.ports.id[from];
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	}
	return total;
}

static void
rig_close(struct rig *r)
{
	bool ignored;

	take_kernel(r, DS_PORT_OUTSIDE, &ignored);
	data_path_drain(&r->dp);
	tap_check(data_path_laws_hold(&r->dp) && data_path_mbufs_in_use(&r->dp) == 0,
		  "the frame laws hold, every mbuf is back (%u in use)", data_path_mbufs_in_use(&r->dp));
	r->dp.worker->to_kernel = NULL;
	r->dp.worker->from_kernel[DS_PORT_OUTSIDE] = NULL;
	data_path_close(&r->dp);
	rte_ring_free(r->to_kernel);
	rte_ring_free(r->from_kernel);
}

/* A copy of @p f with an 802.1Q tag of @p vid after its MACs. */
static size_t
tagged(const uint8_t *f, size_t len, uint16_t vid, uint8_t *out)
{
	memcpy(out, f, 2 * DS_ETH_ADDR_LEN);
	ds_store_be16(out + 12, DS_ETHERTYPE_VLAN);
	ds_store_be16(out + 14, vid);
	memcpy(out + 16, f + 12, len - 12);
	return len + DS_VLAN_TAG_LEN;
}

/* Send frames (tagged with @p vid unless 0) in bursts into @p port and run the worker. */
static void
send_frames(struct rig *r, enum ds_port_role port, uint8_t (*frames)[NET_FRAME_MAX], const size_t *lens, unsigned n,
	    uint16_t vid)
{
	static uint8_t buf[DS_BURST][NET_FRAME_MAX + DS_VLAN_TAG_LEN];
	const uint8_t *ptr[DS_BURST];
	size_t len[DS_BURST];
	unsigned i = 0, b;

	while (i < n) {
		for (b = 0; b < DS_BURST && i < n; b++, i++) {
			len[b] = vid != 0 ? tagged(frames[i], lens[i], vid, buf[b]) : lens[i];
			ptr[b] = vid != 0 ? buf[b] : frames[i];
		}
		if (data_path_send(&r->dp, port, ptr, len, b) != b)
			tap_bail("cannot queue %u frames", b);
		data_path_run(&r->dp);
	}
}

/* tests/captures/network/NAME in one of the DS_CAPTURES_DIR folders. */
static void
load_network(const char *name, struct capture *cap)
{
	const char *dirs = getenv("DS_CAPTURES_DIR");
	char list[4096], path[4200], *dir, *save = NULL;

	snprintf(list, sizeof(list), "%s", dirs != NULL ? dirs : "");
	for (dir = strtok_r(list, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof(path), "%s/network/%s", dir, name);
		if (access(path, R_OK) == 0) {
			capture_load(path, cap);
			return;
		}
	}
	tap_bail("network/%s not in DS_CAPTURES_DIR", name);
}

static void
check_kernel_frames(void)
{
	static uint8_t frames[64][NET_FRAME_MAX];
	size_t lens[64];
	struct capture cap;
	struct rig r;
	struct ds_gre_info gre;
	unsigned n = 0, want = 0, got, i;
	bool ports_right;

	load_network("arp_nd.pcap", &cap);
	for (i = 0; i < cap.count && n < 64; i++) {
		if (cap.frames[i].len > NET_FRAME_MAX - DS_VLAN_TAG_LEN)
			continue;
		memcpy(frames[n], cap.frames[i].data, cap.frames[i].len);
		lens[n] = cap.frames[i].len;
		want += ds_local_classify(frames[n], lens[n], &outside_addrs, &gre) == DS_LOCAL_KERNEL;
		n++;
	}
	rig_open(&r);
	send_frames(&r, DS_PORT_OUTSIDE, frames, lens, n, VLAN);
	got = take_kernel(&r, DS_PORT_OUTSIDE, &ports_right);
	tap_check(want >= 10 && got == want && data_path_stats(&r.dp)->action[DS_ACT_TO_KERNEL] == want && ports_right,
		  "a real kernel's ARP, neighbour discovery and traffic to the control addresses, on VLAN %u: "
		  "%u of %u frames to the kernel ring, marked with the outside port (%u counted)", VLAN, got, n,
		  (unsigned)data_path_stats(&r.dp)->action[DS_ACT_TO_KERNEL]);
	rig_close(&r);
	capture_free(&cap);
}

static void
check_kernel_rate(void)
{
	static uint8_t frames[ARP_BURST][NET_FRAME_MAX];
	size_t lens[ARP_BURST];
	struct capture cap;
	struct rig r;
	const struct ds_stats *s;
	unsigned i, got;
	bool ports_right;

	load_network("arp_nd.pcap", &cap);
	for (i = 0; i < cap.count && ds_load_be16(cap.frames[i].data + 12) != DS_ETHERTYPE_ARP; i++)
		;
	if (i == cap.count)
		tap_bail("no ARP frame in arp_nd.pcap");
	for (unsigned k = 0; k < ARP_BURST; k++) {
		memcpy(frames[k], cap.frames[i].data, cap.frames[i].len);
		lens[k] = cap.frames[i].len;
	}
	rig_open(&r);
	s = data_path_stats(&r.dp);
	send_frames(&r, DS_PORT_OUTSIDE, frames, lens, ARP_BURST, VLAN);
	got = take_kernel(&r, DS_PORT_OUTSIDE, &ports_right);
	/* A second's worth at once (one more for the frame that opens the bucket); the test runs in far less. */
	tap_check(got >= KERNEL_RATE && got <= KERNEL_RATE + 2 &&
			  s->action[DS_ACT_DROPPED_KERNEL_RATE] == ARP_BURST - got,
		  "%u ARP frames at once: %u to the kernel (kernel_rate %u/s, a second's burst), %lu counted "
		  "dropped_kernel_rate", ARP_BURST, got, KERNEL_RATE, (unsigned long)s->action[DS_ACT_DROPPED_KERNEL_RATE]);
	rig_close(&r);
	capture_free(&cap);
}

/* Every GRE frame of a real kernel's capture to the control address is opened; what is inside goes on. */
static void
check_gre_captures(const char *name)
{
	static uint8_t frames[64][NET_FRAME_MAX];
	size_t lens[64];
	struct capture cap;
	struct rig r;
	struct ds_gre_info gre;
	unsigned n = 0, want = 0, i;
	const struct ds_stats *s;

	load_network(name, &cap);
	for (i = 0; i < cap.count && n < 64; i++) {
		if (cap.frames[i].len > NET_FRAME_MAX - DS_VLAN_TAG_LEN ||
		    ds_local_classify(cap.frames[i].data, cap.frames[i].len, &outside_addrs, &gre) != DS_LOCAL_GRE)
			continue;
		memcpy(frames[n], cap.frames[i].data, cap.frames[i].len);
		lens[n++] = cap.frames[i].len;
		want++;
	}
	rig_open(&r);
	s = data_path_stats(&r.dp);
	send_frames(&r, DS_PORT_OUTSIDE, frames, lens, n, VLAN);
	tap_check(want >= 5 && s->action[DS_ACT_GRE_DECAPSULATED] == want && s->action[DS_ACT_TO_KERNEL] == 0,
		  "%s: the %u GRE packets a real kernel sent to the control address are opened "
		  "(gre_decapsulated %lu), none goes to the kernel", name, want,
		  (unsigned long)s->action[DS_ACT_GRE_DECAPSULATED]);
	rig_close(&r);
	capture_free(&cap);
}

/* A ClientHello to the IPv6 service, in GRE over IPv4 to the control address, on VLAN 100: an HVR comes back. */
static void
check_gre_hello(void)
{
	static uint8_t frames[CLIENTS][NET_FRAME_MAX];
	static const struct ds_tunnel in = { .ip_version = 4, .local = { 203, 0, 113, 9 }, .remote = { 192, 0, 2, 1 } };
	size_t lens[CLIENTS];
	struct ds_traffic_spec spec;
	struct ds_traffic t;
	struct rte_mbuf *out[CLIENTS];
	struct rig r;
	char err[256];
	unsigned i, n, good = 0;

	traffic_spec(&spec, &hellos[0], 6, 30, CLIENTS, false, 9);
	if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	for (i = 0; i < CLIENTS; i++) {
		uint8_t bare[NET_FRAME_MAX];
		const size_t len = ds_traffic_frame(&t, DS_TRAFFIC_CH1, i, bare, sizeof(bare) - 64);
		const uint32_t overhead = ds_gre_overhead(&in);

		if (len == 0)
			tap_bail("no ClientHello");
		memcpy(frames[i] + overhead, bare, len);
		lens[i] = ds_gre_encap(frames[i], DS_ETH_HDR_LEN, (uint32_t)len - DS_ETH_HDR_LEN, 6, &in);
	}
	rig_open(&r);
	send_frames(&r, DS_PORT_OUTSIDE, frames, lens, CLIENTS, VLAN);
	n = data_path_take(&r.dp, DS_PORT_OUTSIDE, out, CLIENTS);
	for (i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(out[i], const uint8_t *);
		uint16_t vid;

		/* Tag kept; the HVR is the inner IPv6 datagram answered, from the service's port. */
		good += ds_vlan_outer(f, rte_pktmbuf_data_len(out[i]), &vid) && vid == VLAN &&
			ds_load_be16(f + 16) == DS_ETHERTYPE_IPV6 && ds_load_be16(f + 18 + DS_IPV6_HDR_LEN) == 4433;
	}
	rte_pktmbuf_free_bulk(out, n);
	tap_check(n == CLIENTS && good == CLIENTS && data_path_stats(&r.dp)->action[DS_ACT_HVR_SENT] == CLIENTS &&
			  data_path_stats(&r.dp)->action[DS_ACT_GRE_DECAPSULATED] == CLIENTS,
		  "%u ClientHellos to the IPv6 service inside GRE on VLAN %u: %u HVRs back, tagged %u, from the "
		  "service's address and port (%u good)", CLIENTS, VLAN, n, VLAN, good);
	rig_close(&r);
}

/* Frames the inside port sent, written to a pcap for tshark. */
static unsigned
take_inside_to_pcap(struct rig *r, const char *path)
{
	struct rte_mbuf *out[CLIENTS];
	struct capture_frame f[CLIENTS];
	unsigned n = data_path_take(&r->dp, DS_PORT_INSIDE, out, CLIENTS), i;

	for (i = 0; i < n; i++) {
		f[i].len = rte_pktmbuf_data_len(out[i]);
		f[i].data = rte_pktmbuf_mtod(out[i], uint8_t *);
	}
	capture_write(path, f, n);
	rte_pktmbuf_free_bulk(out, n);
	return n;
}

static void
check_tunnel_and_tags(void)
{
	static uint8_t frames[CLIENTS][NET_FRAME_MAX];
	static const char *const fields[] = { "frame.protocols", "ip.src", "ip.dst", "ip.checksum.status", "vlan.id",
					      "udp.dstport" };
	size_t lens[CLIENTS];
	struct ds_traffic_spec spec;
	struct ds_traffic t;
	struct rte_mbuf *out[CLIENTS];
	struct tshark_table tt;
	struct rig r;
	const struct ds_stats *s;
	char err[256], path[] = "/tmp/ds-test-network-XXXXXX";
	unsigned i, n, good = 0, rows_good = 0;
	int fd;

	traffic_spec(&spec, &hellos[0], 4, 40, CLIENTS, false, 11);
	if (ds_traffic_init(&t, &spec, err, sizeof(err)) != 0)
		tap_bail("traffic: %s", err);
	rig_open(&r);
	s = data_path_stats(&r.dp);
	/* The service speaks first (a session the box did not see begin): its replies go out tagged. */
	for (i = 0; i < CLIENTS; i++)
		lens[i] = ds_traffic_frame(&t, DS_TRAFFIC_REPLY, i, frames[i], NET_FRAME_MAX);
	send_frames(&r, DS_PORT_INSIDE, frames, lens, CLIENTS, 0);
	n = data_path_take(&r.dp, DS_PORT_OUTSIDE, out, CLIENTS);
	for (i = 0; i < n; i++) {
		uint16_t vid;

		good += ds_vlan_outer(rte_pktmbuf_mtod(out[i], const uint8_t *), rte_pktmbuf_data_len(out[i]), &vid) &&
			vid == VLAN;
	}
	rte_pktmbuf_free_bulk(out, n);
	tap_check(n == CLIENTS && good == CLIENTS && s->action[DS_ACT_VLAN_RETAGGED] == CLIENTS,
		  "the service's %u replies leave the outside port tagged %u (%u good, vlan_retagged %lu)", CLIENTS, VLAN,
		  good, (unsigned long)s->action[DS_ACT_VLAN_RETAGGED]);
	/* Its clients' records: inside, untagged, in the tunnel. */
	for (i = 0; i < CLIENTS; i++)
		lens[i] = ds_traffic_frame(&t, DS_TRAFFIC_DATA, i, frames[i], NET_FRAME_MAX);
	send_frames(&r, DS_PORT_OUTSIDE, frames, lens, CLIENTS, VLAN);
	fd = mkstemp(path);
	if (fd < 0)
		tap_bail("mkstemp");
	close(fd);
	n = take_inside_to_pcap(&r, path);
	if (tshark_read(path, (const uint16_t[]){ 4433 }, 1, fields, 6, &tt) != 0)
		tap_bail("tshark is needed");
	for (i = 0; i < tt.rows; i++)
		rows_good += strncmp(tshark_cell(&tt, i, 0), "eth:ethertype:ip:gre:ip:udp", 27) == 0 &&
			     strcmp(tshark_cell(&tt, i, 1), "198.51.100.1") == 0 &&
			     strcmp(tshark_cell(&tt, i, 2), "198.51.100.2") == 0 &&
			     strcmp(tshark_cell(&tt, i, 3), "1") == 0 && tshark_cell(&tt, i, 4)[0] == '\0' &&
			     strcmp(tshark_cell(&tt, i, 5), "4433") == 0;
	tap_check(n == CLIENTS && rows_good == CLIENTS && s->action[DS_ACT_TUNNEL_ENCAPSULATED] == CLIENTS,
		  "the clients' %u records go inside untagged in GRE 198.51.100.1 -> 198.51.100.2, as tshark reads "
		  "them (good IPv4 checksum, inner UDP to 4433: %u of %zu)", CLIENTS, rows_good, tt.rows);
	tshark_free(&tt);
	unlink(path);
	/* Records that would pass 1400 bytes once in the tunnel cannot go. */
	t.spec.data_len = 1400;
	for (i = 0; i < CLIENTS; i++)
		lens[i] = ds_traffic_frame(&t, DS_TRAFFIC_DATA, i, frames[i], NET_FRAME_MAX);
	send_frames(&r, DS_PORT_OUTSIDE, frames, lens, CLIENTS, VLAN);
	n = data_path_take(&r.dp, DS_PORT_INSIDE, out, CLIENTS);
	rte_pktmbuf_free_bulk(out, n);
	tap_check(n == 0 && s->action[DS_ACT_DROPPED_TUNNEL_MTU] == CLIENTS,
		  "%u records too long for the inside MTU (1400) once encapsulated are dropped: dropped_tunnel_mtu %lu",
		  CLIENTS, (unsigned long)s->action[DS_ACT_DROPPED_TUNNEL_MTU]);
	rig_close(&r);
}

/* Inside ARP to the kernel; what the kernel sends leaves by worker 0's queue of the data port. */
static void
check_inside_and_from_kernel(void)
{
	static uint8_t frames[4][NET_FRAME_MAX];
	size_t lens[4];
	struct capture cap;
	struct rte_mbuf *m[4], *out[8];
	struct rig r;
	struct ds_gre_info gre;
	unsigned i, k = 0, ours = 0, got, n;
	bool ports_right;

	load_network("arp_nd.pcap", &cap);
	for (i = 0; i < cap.count && k < 4; i++)
		if (ds_load_be16(cap.frames[i].data + 12) == DS_ETHERTYPE_ARP) {
			memcpy(frames[k], cap.frames[i].data, cap.frames[i].len);
			lens[k++] = cap.frames[i].len;
			/* 192.0.2.1 is a control address of the inside port too. */
			ours += ds_local_classify(frames[k - 1], lens[k - 1], &outside_addrs, &gre) == DS_LOCAL_KERNEL;
		}
	rig_open(&r);
	send_frames(&r, DS_PORT_INSIDE, frames, lens, k, 0);
	got = take_kernel(&r, DS_PORT_INSIDE, &ports_right);
	tap_check(k >= 2 && ours >= 1 && ours < k && got == ours && ports_right &&
			  data_path_stats(&r.dp)->action[DS_ACT_INSIDE_TO_KERNEL] == ours,
		  "of %u ARP frames on the inside, the %u for a control address go to the kernel ring, marked with "
		  "the inside port; the others' are not the appliance's business", k, ours);
	for (i = 0; i < k; i++) {
		m[i] = rte_pktmbuf_alloc(r.dp.pool);
		if (m[i] == NULL)
			tap_bail("mbuf");
		memcpy(rte_pktmbuf_append(m[i], (uint16_t)lens[i]), frames[i], lens[i]);
	}
	if (rte_ring_enqueue_burst(r.from_kernel, (void **)m, k, NULL) != k)
		tap_bail("from-kernel ring");
	data_path_run(&r.dp);
	n = data_path_take(&r.dp, DS_PORT_OUTSIDE, out, 8);
	rte_pktmbuf_free_bulk(out, n);
	tap_check(n == k && data_path_stats(&r.dp)->action[DS_ACT_FROM_KERNEL] == k,
		  "the kernel's %u frames leave by the outside port (from_kernel %lu)", k,
		  (unsigned long)data_path_stats(&r.dp)->action[DS_ACT_FROM_KERNEL]);
	rig_close(&r);
	capture_free(&cap);
}

int
main(int argc, char **argv)
{
	(void)argc;
	data_path_eal(argv[0], 256);
	if (hellos_load(hellos, HELLOS_MAX, false) == 0)
		tap_bail("no ClientHello in the captures");
	check_kernel_frames();
	check_kernel_rate();
	check_gre_captures("gre4.pcap");
	check_gre_captures("gre6.pcap");
	check_gre_hello();
	check_tunnel_and_tags();
	check_inside_and_from_kernel();
	return tap_done();
}
