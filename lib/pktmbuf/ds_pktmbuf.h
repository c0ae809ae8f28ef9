/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_PKTMBUF_H
#define DS_PKTMBUF_H

/**
 * @file
 * The packet core applied to DPDK mbufs: the only place where the pure classifier and HVR writer meet
 * rte_mbuf. Inline, because the worker loop calls them for every packet.
 */

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "ds_classify.h"
#include "ds_hvr.h"
#include "ds_retry.h"

/**
 * Classify the frame in an mbuf, adding what only the mbuf knows: chained segments and checksums the
 * NIC found bad.
 *
 * @param m
 *   Received mbuf.
 * @param services
 *   Protected services, or NULL for every UDP datagram.
 * @param info
 *   Filled as by ds_classify().
 * @return
 *   The outcome, also stored in info->outcome.
 */
static inline enum ds_outcome
ds_pktmbuf_classify(const struct rte_mbuf *m, const struct ds_service_set *services,
		    struct ds_frame_info *info)
{
	/* Headers split over segments are rare enough to refuse rather than gather. */
	if (!rte_pktmbuf_is_contiguous(m)) {
		*info = (struct ds_frame_info){ .outcome = DS_OUT_MBUF_MULTI_SEGMENT };
		return info->outcome;
	}
	ds_classify(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), services, info);
	/* The NIC's verdicts only mean something for the layers the classifier reached. */
	if (info->ip_version == 4 &&
	    (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		info->outcome = DS_OUT_IPV4_BAD_CHECKSUM;
	else if (info->l4_offset != 0 &&
		 (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		info->outcome = DS_OUT_UDP_BAD_CHECKSUM;
	return info->outcome;
}

/**
 * Classify the frame a service sent (ds_classify_reply()) in an mbuf. A frame the NIC found damaged or
 * that spans segments proves nothing and says nothing of connection IDs (session_proof, has_server_cid
 * cleared); the frame is still the service's to send.
 */
static inline void
ds_pktmbuf_classify_reply(const struct rte_mbuf *m, const struct ds_service_set *services,
			  struct ds_frame_info *info)
{
	if (!rte_pktmbuf_is_contiguous(m)) {
		*info = (struct ds_frame_info){ .outcome = DS_OUT_MBUF_MULTI_SEGMENT };
		return;
	}
	ds_classify_reply(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), services, info);
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
		info->session_proof = 0;
		info->has_server_cid = 0;
	}
}

/* Which checksums of a reply the port's NIC computes: writer flags, and the mbuf flags that ask it to. */
static inline unsigned
ds_pktmbuf_reply_flags(const struct ds_frame_info *info, uint64_t tx_offloads, uint64_t *ol_flags)
{
	unsigned flags = 0;

	if (info->ip_version == 4) {
		*ol_flags = RTE_MBUF_F_TX_IPV4;
		if (tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
			flags |= DS_REPLY_OFFLOAD_IPV4_CKSUM;
			*ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
		}
	} else {
		*ol_flags = RTE_MBUF_F_TX_IPV6;
	}
	if (tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		flags |= DS_REPLY_OFFLOAD_UDP_CKSUM;
		*ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
	}
	return flags;
}

/* The mbuf of a reply written in place: its new length, and offload requests in place of receive flags. */
static inline void
ds_pktmbuf_reply_done(struct rte_mbuf *m, const struct ds_frame_info *info, uint32_t frame_len, unsigned flags,
		      uint64_t ol_flags)
{
	m->data_len = (uint16_t)frame_len;
	m->pkt_len = frame_len;
	/* Header lengths live in the mbuf's second cache line: written only for a NIC that reads them. */
	if (flags != 0) {
		m->l2_len = info->l3_offset;
		m->l3_len = info->l4_offset - info->l3_offset;
	}
	/* Receive flags describe the old frame; keep only what says who owns the buffer. */
	m->ol_flags = (m->ol_flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)) | ol_flags;
}

/**
 * Rewrite a ClientHello mbuf into its HelloVerifyRequest and prepare it for transmission.
 *
 * @param m
 *   The mbuf classified into @p info.
 * @param info
 *   Its classification.
 * @param cookie
 *   Cookie bytes (1 to DS_COOKIE_MAX_LEN).
 * @param cookie_len
 *   Cookie length.
 * @param tx_offloads
 *   RTE_ETH_TX_OFFLOAD_* enabled on the port that sends the reply; checksums it can compute are left
 *   to it.
 * @return
 *   DS_HVR_WRITTEN, or why the mbuf was left untouched.
 */
static inline enum ds_hvr_result
ds_pktmbuf_write_hvr(struct rte_mbuf *m, const struct ds_frame_info *info, const uint8_t *cookie,
		     unsigned cookie_len, uint64_t tx_offloads)
{
	uint64_t ol_flags;
	const unsigned flags = ds_pktmbuf_reply_flags(info, tx_offloads, &ol_flags);
	uint32_t frame_len;
	enum ds_hvr_result result;

	result = ds_hvr_write(rte_pktmbuf_mtod(m, uint8_t *), info, cookie, cookie_len, flags, &frame_len);
	if (result == DS_HVR_WRITTEN)
		ds_pktmbuf_reply_done(m, info, frame_len, flags, ol_flags);
	return result;
}

/** The QUIC Retry for an Initial, in place (ds_retry_write()), with the port's checksum offloads. */
static inline enum ds_retry_result
ds_pktmbuf_write_retry(struct rte_mbuf *m, const struct ds_frame_info *info, struct ds_cookie_engine *e,
		       const struct ds_cookie_keyset *ks, const uint8_t *unique, uint64_t now_s, uint64_t tx_offloads)
{
	uint64_t ol_flags;
	const unsigned flags = ds_pktmbuf_reply_flags(info, tx_offloads, &ol_flags);
	uint32_t frame_len;
	enum ds_retry_result result;

	result = ds_retry_write(rte_pktmbuf_mtod(m, uint8_t *), info, e, ks, unique, now_s, flags, &frame_len);
	if (result == DS_RETRY_WRITTEN)
		ds_pktmbuf_reply_done(m, info, frame_len, flags, ol_flags);
	return result;
}

/** A QUIC Version Negotiation in place (ds_version_negotiation_write()). */
static inline enum ds_retry_result
ds_pktmbuf_write_version_negotiation(struct rte_mbuf *m, const struct ds_frame_info *info, uint64_t tx_offloads)
{
	uint64_t ol_flags;
	const unsigned flags = ds_pktmbuf_reply_flags(info, tx_offloads, &ol_flags);
	uint32_t frame_len;
	enum ds_retry_result result;

	result = ds_version_negotiation_write(rte_pktmbuf_mtod(m, uint8_t *), info, flags, &frame_len);
	if (result == DS_RETRY_WRITTEN)
		ds_pktmbuf_reply_done(m, info, frame_len, flags, ol_flags);
	return result;
}

#endif /* DS_PKTMBUF_H */
