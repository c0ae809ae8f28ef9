/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_local.h"

#include <string.h>

#include "ds_checksum.h"
#include "ds_wire.h"

/* The ethertype after up to two VLAN tags, and where the payload starts; false when truncated. */
static bool
link_layer(const uint8_t *frame, size_t len, uint16_t *ethertype, uint32_t *l3)
{
	uint32_t off = 2 * DS_ETH_ADDR_LEN;
	unsigned tags = 0;
	uint16_t type;

	if (len < DS_ETH_HDR_LEN)
		return false;
	type = ds_load_be16(frame + off);
	while ((type == DS_ETHERTYPE_VLAN || type == DS_ETHERTYPE_QINQ) && tags < DS_VLAN_MAX_TAGS) {
		off += DS_VLAN_TAG_LEN;
		if (off + 2 > len)
			return false;
		type = ds_load_be16(frame + off);
		tags++;
	}
	*ethertype = type;
	*l3 = off + 2;
	return true;
}

static bool
is_local4(const struct ds_local_addrs *a, const uint8_t *addr)
{
	unsigned i;

	for (i = 0; i < a->n4; i++)
		if (memcmp(a->v4[i], addr, 4) == 0)
			return true;
	return false;
}

static bool
is_local6(const struct ds_local_addrs *a, const uint8_t *addr)
{
	unsigned i;

	for (i = 0; i < a->n6; i++)
		if (memcmp(a->v6[i], addr, 16) == 0)
			return true;
	return false;
}

/* A GRE header we can take off (RFC 2784/2890, version 0, no source routing) over IPv4 or IPv6. */
static bool
gre_payload(const uint8_t *frame, size_t len, uint32_t gre_off, uint32_t packet_end, struct ds_gre_info *gre)
{
	uint16_t flags, proto;
	uint32_t hdr = DS_GRE_HDR_LEN;

	if (gre_off + DS_GRE_HDR_LEN > packet_end || packet_end > len)
		return false;
	flags = ds_load_be16(frame + gre_off);
	proto = ds_load_be16(frame + gre_off + 2);
	if ((flags & (DS_GRE_FLAG_ROUTING | DS_GRE_VERSION_MASK)) != 0)
		return false;
	hdr += (flags & DS_GRE_FLAG_CHECKSUM) ? 4 : 0;
	hdr += (flags & DS_GRE_FLAG_KEY) ? 4 : 0;
	hdr += (flags & DS_GRE_FLAG_SEQUENCE) ? 4 : 0;
	if (proto != DS_ETHERTYPE_IPV4 && proto != DS_ETHERTYPE_IPV6)
		return false;
	/* The inner header's first byte must be there: the classifier reads the rest with its own checks. */
	if (gre_off + hdr >= packet_end)
		return false;
	gre->inner_l3 = gre_off + hdr;
	gre->inner_ethertype = proto;
	return true;
}

static enum ds_local_kind
classify_ipv4(const uint8_t *frame, size_t len, uint32_t l3, const struct ds_local_addrs *a,
	      struct ds_gre_info *gre)
{
	const uint8_t *ip = frame + l3;
	uint32_t ihl, total;

	if (a->n4 == 0 || l3 + DS_IPV4_HDR_LEN > len || (ip[0] >> 4) != 4 || !is_local4(a, ip + 16))
		return DS_LOCAL_NONE;
	ihl = (uint32_t)(ip[0] & 0x0F) * 4;
	total = ds_load_be16(ip + 2);
	/* A fragment of a GRE packet is the kernel's to reassemble; so is anything odd. */
	if (ip[9] == DS_IPPROTO_GRE && ihl >= DS_IPV4_HDR_LEN && total >= ihl &&
	    (ds_load_be16(ip + 6) & (DS_IPV4_FLAG_MF | DS_IPV4_FRAG_OFFSET_MASK)) == 0 &&
	    gre_payload(frame, len, l3 + ihl, l3 + total, gre)) {
		gre->outer_l3 = l3;
		return DS_LOCAL_GRE;
	}
	return DS_LOCAL_KERNEL;
}

/* IPv6 headers that may stand between the fixed header and GRE or ICMPv6 (RFC 8200 §4). */
enum ipv6_options {
	NEXT_HOP_BY_HOP = 0,
	NEXT_DEST_OPTIONS = 60,
	IPV6_OPTION_HDRS_MAX = 2, /**< hop-by-hop, then destination options: more is refused */
};

/*
 * Step over hop-by-hop and destination options headers: Linux's ip6gre puts a tunnel encapsulation
 * limit option (RFC 2473 §4.1.1) before the GRE header unless told "encaplimit none". *off and *next
 * end on the first other header; false when an options header runs past the frame.
 */
static bool
skip_ipv6_options(const uint8_t *frame, size_t len, uint32_t *off, uint8_t *next)
{
	unsigned n;

	for (n = 0; (*next == NEXT_HOP_BY_HOP || *next == NEXT_DEST_OPTIONS) && n < IPV6_OPTION_HDRS_MAX;
	     n++) {
		/* Its next-header and length bytes must be there before they say where the next one is. */
		if (*off + 2 > len)
			return false;
		*next = frame[*off];
		*off += ((uint32_t)frame[*off + 1] + 1) * 8;
	}
	return true;
}

/* A neighbour solicitation or advertisement (RFC 4861 §4.3, §4.4) whose target is one of our addresses. */
static bool
nd_target_ours(const uint8_t *frame, size_t len, uint32_t icmp, const struct ds_local_addrs *a)
{
	return (frame[icmp] == DS_ND_SOLICITATION || frame[icmp] == DS_ND_ADVERTISEMENT) &&
	       icmp + DS_ND_TARGET_OFFSET + 16 <= len && is_local6(a, frame + icmp + DS_ND_TARGET_OFFSET);
}

/* An ARP request or reply (RFC 826, IPv4 over Ethernet) whose target protocol address is ours. */
static bool
arp_for_us(const uint8_t *frame, size_t len, uint32_t l3, const struct ds_local_addrs *a)
{
	const uint8_t *arp = frame + l3;

	return l3 + DS_ARP_IPV4_LEN <= len && ds_load_be16(arp + 2) == DS_ETHERTYPE_IPV4 && arp[4] == DS_ETH_ADDR_LEN &&
	       arp[5] == 4 && is_local4(a, arp + DS_ARP_TARGET_IP_OFFSET);
}

static enum ds_local_kind
classify_ipv6(const uint8_t *frame, size_t len, uint32_t l3, const struct ds_local_addrs *a,
	      struct ds_gre_info *gre)
{
	const uint8_t *ip = frame + l3;
	uint32_t off = l3 + DS_IPV6_HDR_LEN;
	uint8_t next;
	bool whole;

	/* The next-header byte is read only once the fixed header is known to be in the frame. */
	if (l3 + DS_IPV6_HDR_LEN > len || (ip[0] >> 4) != 6)
		return DS_LOCAL_NONE;
	next = ip[6];
	whole = skip_ipv6_options(frame, len, &off, &next);
	/* A solicitation for our address goes to its solicited-node multicast group, not to us: the target
	 * says whose it is. Other neighbour discovery is ours when sent to us; the rest (router
	 * advertisements to all nodes, other hosts' resolutions) is the segment's, as in inline mode it
	 * must stay. */
	if (whole && next == DS_IPPROTO_ICMPV6 && off < len && frame[off] >= DS_ND_FIRST_TYPE &&
	    frame[off] <= DS_ND_LAST_TYPE)
		return is_local6(a, ip + 24) || nd_target_ours(frame, len, off, a) ? DS_LOCAL_KERNEL : DS_LOCAL_NONE;
	if (!is_local6(a, ip + 24))
		return DS_LOCAL_NONE;
	/* gre_payload() checks the options ended inside the payload the fixed header declares. */
	if (whole && next == DS_IPPROTO_GRE &&
	    gre_payload(frame, len, off, l3 + DS_IPV6_HDR_LEN + ds_load_be16(ip + 4), gre)) {
		gre->outer_l3 = l3;
		return DS_LOCAL_GRE;
	}
	return DS_LOCAL_KERNEL;
}

enum ds_local_kind
ds_local_classify(const uint8_t *frame, size_t len, const struct ds_local_addrs *addrs, struct ds_gre_info *gre)
{
	uint16_t type;
	uint32_t l3;

	if (!link_layer(frame, len, &type, &l3))
		return DS_LOCAL_NONE;
	switch (type) {
	case DS_ETHERTYPE_ARP:
		return arp_for_us(frame, len, l3, addrs) ? DS_LOCAL_KERNEL : DS_LOCAL_NONE;
	case DS_ETHERTYPE_IPV4:
		return classify_ipv4(frame, len, l3, addrs, gre);
	case DS_ETHERTYPE_IPV6:
		return classify_ipv6(frame, len, l3, addrs, gre);
	default:
		return DS_LOCAL_NONE;
	}
}

uint32_t
ds_gre_decap(uint8_t *frame, const struct ds_gre_info *gre)
{
	const uint32_t shift = gre->inner_l3 - gre->outer_l3;

	ds_store_be16(frame + gre->outer_l3 - 2, gre->inner_ethertype);
	memmove(frame + shift, frame, gre->outer_l3);
	return shift;
}

uint32_t
ds_gre_encap(uint8_t *frame, uint32_t l3_offset, uint32_t inner_len, unsigned inner_version,
	     const struct ds_tunnel *t)
{
	const uint32_t overhead = ds_gre_overhead(t), outer_ip = overhead - DS_GRE_HDR_LEN;
	uint8_t *ip = frame + l3_offset, *g = ip + outer_ip;

	memmove(frame, frame + overhead, l3_offset);
	ds_store_be16(ip - 2, t->ip_version == 4 ? DS_ETHERTYPE_IPV4 : DS_ETHERTYPE_IPV6);
	if (t->ip_version == 4) {
		memset(ip, 0, DS_IPV4_HDR_LEN);
		ip[0] = 0x45;
		ds_store_be16(ip + 2, (uint16_t)(overhead + inner_len));
		/* No DF: a link on the way with a smaller MTU fragments the tunnel, and the site reassembles. */
		ip[8] = DS_REPLY_TTL;
		ip[9] = DS_IPPROTO_GRE;
		memcpy(ip + 12, t->local, 4);
		memcpy(ip + 16, t->remote, 4);
		ds_store_be16(ip + 10, ds_ipv4_header_cksum(ip));
	} else {
		memset(ip, 0, DS_IPV6_HDR_LEN);
		ip[0] = 0x60;
		ds_store_be16(ip + 4, (uint16_t)(DS_GRE_HDR_LEN + inner_len));
		ip[6] = DS_IPPROTO_GRE;
		ip[7] = DS_REPLY_TTL;
		memcpy(ip + 8, t->local, 16);
		memcpy(ip + 24, t->remote, 16);
	}
	ds_store_be16(g, 0);
	ds_store_be16(g + 2, inner_version == 4 ? DS_ETHERTYPE_IPV4 : DS_ETHERTYPE_IPV6);
	return l3_offset + overhead + inner_len;
}

bool
ds_vlan_outer(const uint8_t *frame, size_t len, uint16_t *vid)
{
	if (len < DS_ETH_HDR_LEN + DS_VLAN_TAG_LEN || ds_load_be16(frame + 2 * DS_ETH_ADDR_LEN) != DS_ETHERTYPE_VLAN)
		return false;
	*vid = ds_load_be16(frame + 2 * DS_ETH_ADDR_LEN + 2) & 0x0FFF;
	return true;
}

void
ds_vlan_insert(uint8_t *frame, uint16_t vid)
{
	memmove(frame, frame + DS_VLAN_TAG_LEN, 2 * DS_ETH_ADDR_LEN);
	ds_store_be16(frame + 2 * DS_ETH_ADDR_LEN, DS_ETHERTYPE_VLAN);
	ds_store_be16(frame + 2 * DS_ETH_ADDR_LEN + 2, vid);
}

void
ds_vlan_remove(uint8_t *frame)
{
	memmove(frame + DS_VLAN_TAG_LEN, frame, 2 * DS_ETH_ADDR_LEN);
}
