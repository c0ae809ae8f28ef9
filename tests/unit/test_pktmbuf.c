/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mbuf wrappers on real DPDK mbufs (EAL without hugepages or devices): same verdicts as the pure
 * classifier, what only the mbuf knows (chained segments, the NIC's checksum flags), and an HVR that is
 * ready to transmit (lengths, offload flags, header lengths). No mbuf may leak.
 */
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ds_pktmbuf.h"
#include "ds_wire.h"
#include "hellos.h"
#include "hvr_rules.h"
#include "tap.h"

static struct rte_mempool *pool;

static struct rte_mbuf *
mbuf_from(const struct frame_buf *fb)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *data;

	if (m == NULL)
		tap_bail("mbuf pool empty");
	data = rte_pktmbuf_append(m, (uint16_t)fb->len);
	if (data == NULL)
		tap_bail("frame of %u bytes does not fit an mbuf", fb->len);
	memcpy(data, fb->data, fb->len);
	return m;
}

static void
check_same_verdict(const struct hello *h, struct tap_group *g)
{
	struct rte_mbuf *m = mbuf_from(&h->fb);
	struct ds_frame_info info;
	enum ds_outcome got = ds_pktmbuf_classify(m, NULL, &info);

	tap_sub(g, got == h->info.outcome && memcmp(&info, &h->info, sizeof(info)) == 0,
		"%s: mbuf verdict %s", h->label, ds_outcome_name(got));
	rte_pktmbuf_free(m);
}

static void
check_hvr(const struct hello *h, uint64_t tx_offloads, struct tap_group *g)
{
	static const uint8_t cookie[16] = "mbuf-test-cookie";
	const bool v4 = h->info.ip_version == 4;
	struct rte_mbuf *m = mbuf_from(&h->fb);
	struct ds_frame_info info;
	unsigned flags = 0;
	uint64_t want_ol = v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
	char why[256] = "";
	enum ds_hvr_result r;
	bool ok;

	if (v4 && (tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)) {
		flags |= DS_HVR_OFFLOAD_IPV4_CKSUM;
		want_ol |= RTE_MBUF_F_TX_IP_CKSUM;
	}
	if (tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		flags |= DS_HVR_OFFLOAD_UDP_CKSUM;
		want_ol |= RTE_MBUF_F_TX_UDP_CKSUM;
	}
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_RSS_HASH;
	ds_pktmbuf_classify(m, NULL, &info);
	r = ds_pktmbuf_write_hvr(m, &info, cookie, sizeof(cookie), tx_offloads);
	ok = r == DS_HVR_WRITTEN &&
	     hvr_rules_check(h->fb.data, &h->info, rte_pktmbuf_mtod(m, uint8_t *), m->data_len, cookie,
			     sizeof(cookie), flags, why, sizeof(why));
	/* Header lengths matter to a NIC that computes checksums; without offloads they are not written. */
	tap_sub(g, ok && m->pkt_len == m->data_len && m->ol_flags == want_ol &&
			   (flags == 0 || (m->l2_len == info.l3_offset && m->l3_len == info.l4_offset - info.l3_offset)),
		"%s: len %u, ol_flags 0x%llx (want 0x%llx) %s", h->label, m->data_len,
		(unsigned long long)m->ol_flags, (unsigned long long)want_ol, why);
	rte_pktmbuf_free(m);
}

static const struct nic_case {
	const char *what;
	uint64_t ol_flags;
	bool arp;
	enum ds_outcome v4, v6;
} nic_cases[] = {
	{ "IP checksum bad", RTE_MBUF_F_RX_IP_CKSUM_BAD, false, DS_OUT_IPV4_BAD_CHECKSUM,
	  DS_OUT_DTLS_CLIENT_HELLO },
	{ "L4 checksum bad", RTE_MBUF_F_RX_L4_CKSUM_BAD, false, DS_OUT_UDP_BAD_CHECKSUM,
	  DS_OUT_UDP_BAD_CHECKSUM },
	{ "both bad", RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_BAD, false,
	  DS_OUT_IPV4_BAD_CHECKSUM, DS_OUT_UDP_BAD_CHECKSUM },
	{ "IP checksum not checked", RTE_MBUF_F_RX_IP_CKSUM_NONE, false, DS_OUT_DTLS_CLIENT_HELLO,
	  DS_OUT_DTLS_CLIENT_HELLO },
	{ "both good", RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, false,
	  DS_OUT_DTLS_CLIENT_HELLO, DS_OUT_DTLS_CLIENT_HELLO },
	{ "L4 bad on an ARP frame", RTE_MBUF_F_RX_L4_CKSUM_BAD, true, DS_OUT_ETH_NOT_IP,
	  DS_OUT_ETH_NOT_IP },
};

static void
check_nic_flags(const struct hello *h, const struct nic_case *nc, struct tap_group *g)
{
	struct frame_buf fb = h->fb;
	struct rte_mbuf *m;
	struct ds_frame_info info;
	enum ds_outcome want = h->info.ip_version == 4 ? nc->v4 : nc->v6, got;

	if (nc->arp)
		ds_store_be16(fb.data + h->info.l3_offset - 2, 0x0806);
	m = mbuf_from(&fb);
	m->ol_flags = nc->ol_flags;
	got = ds_pktmbuf_classify(m, NULL, &info);
	tap_sub(g, got == want, "%s: want %s, got %s", h->label, ds_outcome_name(want),
		ds_outcome_name(got));
	rte_pktmbuf_free(m);
}

static void
check_chained(const struct hello *h, struct tap_group *g)
{
	struct frame_buf head = h->fb, tail = h->fb;
	const uint32_t split = h->info.dtls_offset + 20;
	struct rte_mbuf *m, *m2;
	struct ds_frame_info info;
	enum ds_outcome got;

	head.len = split;
	memmove(tail.data, tail.data + split, h->fb.len - split);
	tail.len = h->fb.len - split;
	m = mbuf_from(&head);
	m2 = mbuf_from(&tail);
	if (rte_pktmbuf_chain(m, m2) != 0)
		tap_bail("rte_pktmbuf_chain failed");
	got = ds_pktmbuf_classify(m, NULL, &info);
	tap_sub(g, got == DS_OUT_MBUF_MULTI_SEGMENT && info.outcome == got, "%s: got %s", h->label,
		ds_outcome_name(got));
	rte_pktmbuf_free(m);
}

int
main(void)
{
	static struct hello hellos[HELLOS_MAX * 2];
	char *eal_args[] = { "test_pktmbuf", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			     "--no-telemetry", "--log-level=*:warning", NULL };
	static const uint64_t offloads[] = {
		0, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM, RTE_ETH_TX_OFFLOAD_UDP_CKSUM,
		RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM,
	};
	size_t n = hellos_load(hellos, HELLOS_MAX, true), i, o, k;
	struct tap_group g = { 0 };
	unsigned step = 0, in_use;

	if (rte_eal_init(8, eal_args) < 0)
		tap_bail("rte_eal_init failed");
	pool = rte_pktmbuf_pool_create("test_pool", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		tap_bail("cannot create the mbuf pool");
	n = hellos_add_other_family(hellos, n);
	for (i = 0; i < n; i++)
		check_same_verdict(&hellos[i], &g);
	tap_group_done(&g, "step %u: mbuf verdicts and offsets equal the pure classifier's", ++step);
	for (o = 0; o < sizeof(offloads) / sizeof(offloads[0]); o++) {
		for (i = 0; i < n; i++)
			check_hvr(&hellos[i], offloads[o], &g);
		tap_group_done(&g, "step %u: tx offloads 0x%llx: HVR mbuf ready to send (lengths, ol_flags, "
			       "l2/l3 lengths, wire rules)", ++step, (unsigned long long)offloads[o]);
	}
	for (k = 0; k < sizeof(nic_cases) / sizeof(nic_cases[0]); k++) {
		for (i = 0; i < n; i++)
			if (hellos[i].info.outcome == DS_OUT_DTLS_CLIENT_HELLO)
				check_nic_flags(&hellos[i], &nic_cases[k], &g);
		tap_group_done(&g, "step %u: NIC says %s", ++step, nic_cases[k].what);
	}
	for (i = 0; i < n; i++)
		check_chained(&hellos[i], &g);
	tap_group_done(&g, "step %u: a ClientHello split over two segments is mbuf_multi_segment", ++step);
	in_use = rte_mempool_in_use_count(pool);
	tap_check(in_use == 0, "every mbuf went back to the pool (%u in use)", in_use);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return tap_done();
}
