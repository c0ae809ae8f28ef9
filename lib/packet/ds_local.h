/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_LOCAL_H
#define DS_LOCAL_H

/**
 * @file
 * Frames for the appliance itself rather than for the services behind it: what a data port hands to
 * its kernel interface (ARP and IPv6 neighbour discovery for one of the port's control addresses,
 * anything to one: ICMP, BGP...), and GRE tunnels that end at a control address, whose payload is scrubbed
 * like any other frame once decapsulated. Also the GRE encapsulation of clean traffic toward a
 * protected site, and 802.1Q tags set per port.
 *
 * Pure functions over bytes, like ds_classify(): no allocation, no read outside [frame, frame + len).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Limits. */
enum ds_local_limits {
	DS_LOCAL_ADDR_MAX = 8, /**< control addresses per port and family */
};

/** Wire constants of what this file reads and writes. */
enum ds_local_wire {
	DS_ETHERTYPE_ARP = 0x0806,
	DS_IPPROTO_GRE = 47,
	DS_IPPROTO_ICMPV6 = 58,
	DS_GRE_HDR_LEN = 4,            /**< flags/version, protocol: what the encapsulation writes */
	DS_GRE_FLAG_CHECKSUM = 0x8000, /**< RFC 2784: 4 more bytes (checksum, reserved) */
	DS_GRE_FLAG_ROUTING = 0x4000,  /**< RFC 1701 source routing: refused */
	DS_GRE_FLAG_KEY = 0x2000,      /**< RFC 2890: 4 more bytes */
	DS_GRE_FLAG_SEQUENCE = 0x1000, /**< RFC 2890: 4 more bytes */
	DS_GRE_VERSION_MASK = 0x0007,  /**< only version 0 is GRE (1 is PPTP's) */
	DS_ND_FIRST_TYPE = 133,        /**< RFC 4861: router solicitation ... */
	DS_ND_LAST_TYPE = 137,         /**< ... redirect */
	DS_ND_SOLICITATION = 135,
	DS_ND_ADVERTISEMENT = 136,
	DS_ND_TARGET_OFFSET = 8,       /**< the target address in a solicitation or advertisement */
	DS_ARP_IPV4_LEN = 28,          /**< an ARP packet for IPv4 over Ethernet */
	DS_ARP_TARGET_IP_OFFSET = 24,
};

/** The appliance's own addresses on one port. */
struct ds_local_addrs {
	uint8_t n4, n6;
	uint8_t v4[DS_LOCAL_ADDR_MAX][4];
	uint8_t v6[DS_LOCAL_ADDR_MAX][16];
};

/** What a frame is to the appliance itself. */
enum ds_local_kind {
	DS_LOCAL_NONE,   /**< not addressed to the appliance: the data plane's */
	DS_LOCAL_KERNEL, /**< ARP or neighbour discovery for a control address, or IP to one: for the kernel interface */
	DS_LOCAL_GRE,    /**< GRE to a control address carrying IPv4 or IPv6: decapsulate, then scrub */
};

/** Where a GRE packet's parts are (DS_LOCAL_GRE). Offsets count from the first byte of the frame. */
struct ds_gre_info {
	uint32_t outer_l3;        /**< the outer IP header (after Ethernet and VLAN tags) */
	uint32_t inner_l3;        /**< the inner IP header (after the GRE header) */
	uint16_t inner_ethertype; /**< DS_ETHERTYPE_IPV4 or DS_ETHERTYPE_IPV6 */
};

/**
 * What a frame is to the appliance.
 *
 * @param addrs
 *   The port's control addresses.
 * @param gre
 *   Filled for DS_LOCAL_GRE.
 */
enum ds_local_kind ds_local_classify(const uint8_t *frame, size_t len, const struct ds_local_addrs *addrs,
				     struct ds_gre_info *gre);

/**
 * Take the outer IP and GRE headers out of a frame: its Ethernet header (and VLAN tags) move forward
 * to sit right before the inner IP header, their ethertype set to the inner one.
 *
 * @return
 *   How many bytes the frame now starts later (gre->inner_l3 - gre->outer_l3).
 */
uint32_t ds_gre_decap(uint8_t *frame, const struct ds_gre_info *gre);

/** A GRE tunnel toward a protected site: the outer addresses. */
struct ds_tunnel {
	uint8_t ip_version; /**< 4 or 6; 0 = no tunnel */
	uint8_t local[16];  /**< the outer source: an address of the appliance */
	uint8_t remote[16]; /**< the outer destination: where the site ends the tunnel */
};

/** Bytes a tunnel adds to a packet: outer IP header and a 4-byte GRE header. */
static inline uint32_t
ds_gre_overhead(const struct ds_tunnel *t)
{
	return (t->ip_version == 4 ? 20u : 40u) + 4u;
}

/**
 * Encapsulate an IP packet in GRE, in place, after the caller made ds_gre_overhead() bytes of room in
 * front of the frame.
 *
 * @param frame
 *   The frame's new first byte: the old frame starts ds_gre_overhead(t) bytes later.
 * @param l3_offset
 *   The IP header's offset in the old frame (its Ethernet header and VLAN tags are kept).
 * @param inner_len
 *   The inner IP packet's length (from its header; padding after it is not carried).
 * @param inner_version
 *   4 or 6.
 * @return
 *   The new frame's length: l3_offset + ds_gre_overhead(t) + inner_len.
 */
uint32_t ds_gre_encap(uint8_t *frame, uint32_t l3_offset, uint32_t inner_len, unsigned inner_version,
		      const struct ds_tunnel *t);

/**
 * The VLAN ID of a frame's outer 802.1Q tag.
 *
 * @return
 *   true and *vid when the frame (at least 18 bytes) starts with a tag of ethertype 0x8100.
 */
bool ds_vlan_outer(const uint8_t *frame, size_t len, uint16_t *vid);

/**
 * Put an 802.1Q tag of @p vid right after the MACs, after the caller made DS_VLAN_TAG_LEN bytes of room
 * in front of the frame: @p frame is the new first byte.
 */
void ds_vlan_insert(uint8_t *frame, uint16_t vid);

/** Take the outer tag out: the MACs move forward over it, and the frame starts DS_VLAN_TAG_LEN bytes later. */
void ds_vlan_remove(uint8_t *frame);

#endif /* DS_LOCAL_H */
