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
check_same_verdict(const struct hello *h, unsigned step)
{
	struct rte_mbuf *m = mbuf_from(&h->fb);
	struct ds_frame_info info;
	enum ds_outcome got = ds_pktmbuf_classify(m, NULL, &info);

	tap_check(got == h->info.outcome && memcmp(&info, &h->info, sizeof(info)) == 0,
		  "step %u: %s: mbuf verdict %s and offsets equal the pure classifier's", step, h->label,
		  ds_outcome_name(got));
	rte_pktmbuf_free(m);
}

static void
check_hvr(const struct hello *h, uint64_t tx_offloads, unsigned step)
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
	tap_check(ok && m->pkt_len == m->data_len && m->ol_flags == want_ol &&
			  m->l2_len == info.l3_offset && m->l3_len == info.l4_offset - info.l3_offset,
		  "step %u: %s, tx offloads 0x%llx: HVR ready to send (len %u, ol_flags 0x%llx, want "
		  "0x%llx) %s", step, h->label, (unsigned long long)tx_offloads, m->data_len,
		  (unsigned long long)m->ol_flags, (unsigned long long)want_ol, why);
	rte_pktmbuf_free(m);
}

static void
check_nic_flags(const struct hello *h, unsigned step)
{
	static const struct {
		const char *what;
		uint64_t ol_flags;
		bool arp;
		enum ds_outcome v4, v6;
	} cases[] = {
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
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frame_buf fb = h->fb;
		struct rte_mbuf *m;
		struct ds_frame_info info;
		enum ds_outcome want = h->info.ip_version == 4 ? cases[i].v4 : cases[i].v6, got;

		if (cases[i].arp)
			ds_store_be16(fb.data + h->info.l3_offset - 2, 0x0806);
		m = mbuf_from(&fb);
		m->ol_flags = cases[i].ol_flags;
		got = ds_pktmbuf_classify(m, NULL, &info);
		tap_check(got == want, "step %u.%zu: %s, %s: %s (got %s)", step, i, h->label, cases[i].what,
			  ds_outcome_name(want), ds_outcome_name(got));
		rte_pktmbuf_free(m);
	}
}

static void
check_chained(const struct hello *h, unsigned step)
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
	tap_check(got == DS_OUT_MBUF_MULTI_SEGMENT && info.outcome == got,
		  "step %u: %s split over two segments is mbuf_multi_segment (got %s)", step, h->label,
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
	size_t n = hellos_load(hellos, HELLOS_MAX, true), i, o;
	unsigned step = 0, in_use;

	if (rte_eal_init(8, eal_args) < 0)
		tap_bail("rte_eal_init failed");
	pool = rte_pktmbuf_pool_create("test_pool", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		tap_bail("cannot create the mbuf pool");
	for (i = 0; i < n; i++) {
		hellos[n + i] = hellos[i];
		frame_rewrap_ipv6(&hellos[n + i].fb, &hellos[n + i].info);
		snprintf(hellos[n + i].label, sizeof(hellos[n + i].label), "%.64s as IPv6",
			 hellos[i].label);
	}
	for (i = 0; i < 2 * n; i++) {
		check_same_verdict(&hellos[i], ++step);
		for (o = 0; o < sizeof(offloads) / sizeof(offloads[0]); o++)
			check_hvr(&hellos[i], offloads[o], ++step);
		if (hellos[i].info.outcome == DS_OUT_DTLS_CLIENT_HELLO)
			check_nic_flags(&hellos[i], ++step);
		check_chained(&hellos[i], ++step);
	}
	in_use = rte_mempool_in_use_count(pool);
	tap_check(in_use == 0, "every mbuf went back to the pool (%u in use)", in_use);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return tap_done();
}
