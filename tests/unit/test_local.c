/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames for the appliance itself (lib/packet/local.c) on what a real Linux kernel sent to and from a
 * port: tests/captures/network/, made by record.sh there (README.md says what each file holds).
 *  1. Every frame gets the kind tshark's dissection implies: ARP for a control address, and neighbour
 *     discovery (ICMPv6 133-137) to one or soliciting or advertising one, for the kernel; IP to a
 *     control address for the kernel, unless it is GRE carrying IPv4 or IPv6, which is the tunnel's;
 *     everything else the data plane's (other hosts' ARP and ND stay on the segment).
 *  2. Every GRE frame, decapsulated, is byte for byte the inner packet the kernel ending the tunnel
 *     delivered on its tunnel interface (the *_tunnel.pcap captures), with the inner ethertype, and
 *     the inner destination, length and UDP port tshark reads.
 *  3. Each plain GRE frame (no key, checksum, sequence or IPv6 options) decapsulated and encapsulated
 *     again with the tunnel's addresses is the captured frame, but for the fields the kernel chooses
 *     (IPv4 ID, DF, TTL and so the checksum; IPv6 flow label and hop limit); tshark finds the IPv4
 *     header checksum of each good.
 *  4. Mutations of the real frames: every cut (in buffers of exactly that length, so the sanitizer
 *     build sees any read past the end), GRE version 1, source routing, a non-IP payload, IPv4 and
 *     IPv6 fragments, one to three VLAN tags, and a port without control addresses.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "ds_checksum.h"
#include "ds_local.h"
#include "ds_wire.h"
#include "tap.h"
#include "tshark.h"

/* What record.sh gives the appliance's port (app4, app6), each after a decoy: lookups go past entry 0. */
static const struct ds_local_addrs control = {
	.n4 = 2,
	.n6 = 2,
	.v4 = { { 198, 18, 0, 1 }, { 192, 0, 2, 1 } },
	.v6 = {
		{ 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff, [15] = 0x01 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 },
	},
};

/* record.sh's plain tunnels (g4plain, g6plain) as the neighbour sends into them. */
static const struct ds_tunnel plain_tunnels[] = {
	{ .ip_version = 4, .local = { 192, 0, 2, 2 }, .remote = { 192, 0, 2, 1 } },
	{
		.ip_version = 6,
		.local = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 },
		.remote = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 },
	},
};

/*
 * Least each capture must hold of what record.sh makes it for, so a new recording cannot lose a case:
 * per tunnel a UDP datagram over IPv4 and one over IPv6, and an echo through the first (router
 * solicitations inside the tunnels come and go with timing, and are not counted on).
 */
struct network_file {
	const char *name;
	const char *tunnel; /**< the appliance's own capture of the inner packets, or NULL */
	unsigned arp, nd, kernel_ip, none, gre, gre_plain, gre_options;
};

static const struct network_file files[] = {
	{ "arp_nd.pcap", NULL, .arp = 2, .nd = 6, .kernel_ip = 4, .none = 6 },
	{ "gre4.pcap", "gre4_tunnel.pcap", .gre = 9, .gre_plain = 3, .none = 2 },
	{ "gre6.pcap", "gre6_tunnel.pcap", .gre = 7, .gre_plain = 3, .gre_options = 2, .none = 2 },
};

enum tshark_col {
	COL_PROTOCOLS, COL_IP_DST, COL_IP_LEN, COL_IPV6_DST, COL_IPV6_PLEN, COL_ICMPV6_TYPE, COL_UDP_DSTPORT,
	COL_ARP_TARGET, COL_ND_NS_TARGET, COL_ND_NA_TARGET, COL_COUNT
};

static const char *const tshark_fields[COL_COUNT] = {
	[COL_PROTOCOLS] = "frame.protocols",
	[COL_IP_DST] = "ip.dst",
	[COL_IP_LEN] = "ip.len",
	[COL_IPV6_DST] = "ipv6.dst",
	[COL_IPV6_PLEN] = "ipv6.plen",
	[COL_ICMPV6_TYPE] = "icmpv6.type",
	[COL_UDP_DSTPORT] = "udp.dstport",
	[COL_ARP_TARGET] = "arp.dst.proto_ipv4",
	[COL_ND_NS_TARGET] = "icmpv6.nd.ns.target_address",
	[COL_ND_NA_TARGET] = "icmpv6.nd.na.target_address",
};

enum test_wire {
	ARPHRD_IPGRE = 778, /**< Linux cooked header: received on an ip_gre device */
	ARPHRD_IP6GRE = 823,
	SLL_HDR_LEN = 16,
	SLL_PACKET_HOST = 0,
	NEXT_HOP_BY_HOP = 0,
	NEXT_FRAGMENT = 44,
	NEXT_DEST_OPTIONS = 60,
	ETHERTYPE_TEB = 0x6558, /**< transparent Ethernet bridging: GRE, but not IP inside */
	MAX_LAYERS = 16,
};

/* What tshark says one frame is. */
struct dissection {
	const char *layer[MAX_LAYERS]; /**< frame.protocols, split */
	unsigned layers;
	unsigned l3;                   /**< index of the outer network layer */
	unsigned after;                /**< the layer after it and its IPv6 options headers */
	char text[512];
};

/* The tshark table of one capture and the row of one frame. */
struct row {
	const struct tshark_table *t;
	size_t n;
};

/* The @p idx-th of a cell's comma-separated occurrences ("" when there are fewer). */
static const char *
occurrence(const struct row *r, enum tshark_col col, unsigned idx, char *buf, size_t size)
{
	const char *p = tshark_cell(r->t, r->n, col);
	size_t len;

	for (; idx > 0 && p != NULL; idx--) {
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		p = "";
	len = strcspn(p, ",");
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

static long long
occurrence_number(const struct row *r, enum tshark_col col, unsigned idx)
{
	char buf[64];

	return tshark_number(occurrence(r, col, idx, buf, sizeof(buf)));
}

static void
dissect(const struct row *r, struct dissection *d)
{
	char *save = NULL, *tok;

	memset(d, 0, sizeof(*d));
	snprintf(d->text, sizeof(d->text), "%s", tshark_cell(r->t, r->n, COL_PROTOCOLS));
	for (tok = strtok_r(d->text, ":", &save); tok != NULL && d->layers < MAX_LAYERS;
	     tok = strtok_r(NULL, ":", &save))
		d->layer[d->layers++] = tok;
	for (d->l3 = 0; d->l3 < d->layers; d->l3++)
		if (strcmp(d->layer[d->l3], "ethertype") != 0 && strcmp(d->layer[d->l3], "eth") != 0 &&
		    strcmp(d->layer[d->l3], "vlan") != 0)
			break;
	for (d->after = d->l3 + 1; d->after < d->layers; d->after++)
		if (strcmp(d->layer[d->after], "ipv6.hopopts") != 0 &&
		    strcmp(d->layer[d->after], "ipv6.dstopts") != 0)
			break;
}

static const char *
layer(const struct dissection *d, unsigned i)
{
	return i < d->layers ? d->layer[i] : "";
}

/* How many layers named @p name come before layer @p i: the occurrence index of its fields. */
static unsigned
layers_before(const struct dissection *d, unsigned i, const char *name)
{
	unsigned n = 0, j;

	for (j = 0; j < i && j < d->layers; j++)
		n += strcmp(d->layer[j], name) == 0;
	return n;
}

static bool
is_ip_layer(const char *name)
{
	return strcmp(name, "ip") == 0 || strcmp(name, "ipv6") == 0;
}

static bool
listed(const struct ds_local_addrs *a, unsigned version, const char *text)
{
	uint8_t addr[16];
	unsigned i;

	if (inet_pton(version == 4 ? AF_INET : AF_INET6, text, addr) != 1)
		return false;
	for (i = 0; i < (version == 4 ? a->n4 : a->n6); i++)
		if (memcmp(version == 4 ? a->v4[i] : a->v6[i], addr, version == 4 ? 4 : 16) == 0)
			return true;
	return false;
}

static bool
is_nd(const struct row *r, const struct dissection *d)
{
	long long type = occurrence_number(r, COL_ICMPV6_TYPE, 0);

	return strcmp(layer(d, d->l3), "ipv6") == 0 && strcmp(layer(d, d->after), "icmpv6") == 0 &&
	       type >= DS_ND_FIRST_TYPE && type <= DS_ND_LAST_TYPE;
}

/* The kind tshark's reading implies for a port with addresses @p a. */
static enum ds_local_kind
expected_kind(const struct row *r, const struct dissection *d, const struct ds_local_addrs *a)
{
	const char *l3 = layer(d, d->l3);
	char dst[64];
	unsigned version;

	/* ARP for one of our addresses; neighbour discovery to one, or soliciting or advertising one. */
	if (strcmp(l3, "arp") == 0)
		return listed(a, 4, occurrence(r, COL_ARP_TARGET, 0, dst, sizeof(dst))) ? DS_LOCAL_KERNEL : DS_LOCAL_NONE;
	if (is_nd(r, d)) {
		char ns[64], na[64];

		return listed(a, 6, occurrence(r, COL_IPV6_DST, 0, dst, sizeof(dst))) ||
				       listed(a, 6, occurrence(r, COL_ND_NS_TARGET, 0, ns, sizeof(ns))) ||
				       listed(a, 6, occurrence(r, COL_ND_NA_TARGET, 0, na, sizeof(na)))
			       ? DS_LOCAL_KERNEL
			       : DS_LOCAL_NONE;
	}
	if (!is_ip_layer(l3))
		return DS_LOCAL_NONE;
	version = strcmp(l3, "ip") == 0 ? 4 : 6;
	if (!listed(a, version, occurrence(r, version == 4 ? COL_IP_DST : COL_IPV6_DST, 0, dst, sizeof(dst))))
		return DS_LOCAL_NONE;
	if (strcmp(layer(d, d->after), "gre") == 0 && is_ip_layer(layer(d, d->after + 1)))
		return DS_LOCAL_GRE;
	return DS_LOCAL_KERNEL;
}

static const char *
kind_name(enum ds_local_kind k)
{
	switch (k) {
	case DS_LOCAL_NONE:
		return "none";
	case DS_LOCAL_KERNEL:
		return "kernel";
	case DS_LOCAL_GRE:
		return "gre";
	default:
		return "?";
	}
}

/* Where the outer headers are, found by this test's own reading of the bytes (untagged frames). */
struct layout {
	unsigned version;  /**< outer IP version */
	uint32_t l3;       /**< outer IP header */
	uint32_t next_at;  /**< the byte naming the protocol after the outer IP header and its options */
	uint32_t after;    /**< that protocol's header (GRE, ICMPv6...) */
	uint32_t options;  /**< bytes of IPv6 options headers */
};

static bool
read_layout(const uint8_t *f, uint32_t len, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	l->l3 = DS_ETH_HDR_LEN;
	if (len < DS_ETH_HDR_LEN + DS_IPV6_HDR_LEN)
		return false;
	l->version = f[l->l3] >> 4;
	if (ds_load_be16(f + 12) == DS_ETHERTYPE_IPV4 && l->version == 4) {
		l->next_at = l->l3 + 9;
		l->after = l->l3 + (f[l->l3] & 0x0F) * 4u;
		return true;
	}
	if (ds_load_be16(f + 12) != DS_ETHERTYPE_IPV6 || l->version != 6)
		return false;
	l->next_at = l->l3 + 6;
	l->after = l->l3 + DS_IPV6_HDR_LEN;
	while ((f[l->next_at] == NEXT_HOP_BY_HOP || f[l->next_at] == NEXT_DEST_OPTIONS) &&
	       l->after + 2 <= len) {
		l->next_at = l->after;
		l->options += (f[l->after + 1] + 1u) * 8;
		l->after += (f[l->after + 1] + 1u) * 8;
	}
	return l->after <= len;
}

/* Inner packets: what the appliance's kernel received on its GRE devices, cooked header taken off. */
static void
load_inner(const char *path, struct capture *inner)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	pcap_t *p = pcap_open_offline(path, err);
	size_t capacity = 0;
	int rc;

	if (p == NULL)
		tap_bail("%s: %s", path, err);
	if (pcap_datalink(p) != DLT_LINUX_SLL)
		tap_bail("%s: link type %d, expected Linux cooked (record.sh: dumpcap -y LINUX_SLL)", path,
			 pcap_datalink(p));
	memset(inner, 0, sizeof(*inner));
	while ((rc = pcap_next_ex(p, &hdr, &bytes)) == 1) {
		uint16_t hatype;

		if (hdr->caplen <= SLL_HDR_LEN || ds_load_be16(bytes) != SLL_PACKET_HOST)
			continue;
		hatype = ds_load_be16(bytes + 2);
		if (hatype != ARPHRD_IPGRE && hatype != ARPHRD_IP6GRE)
			continue;
		if (inner->count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			inner->frames = realloc(inner->frames, capacity * sizeof(*inner->frames));
			if (inner->frames == NULL)
				tap_bail("out of memory");
		}
		inner->frames[inner->count].data = frame_dup(bytes + SLL_HDR_LEN, hdr->caplen - SLL_HDR_LEN);
		inner->frames[inner->count].len = hdr->caplen - SLL_HDR_LEN;
		inner->count++;
	}
	if (rc != PCAP_ERROR_BREAK)
		tap_bail("%s: %s", path, pcap_geterr(p));
	pcap_close(p);
}

/* The captures are in a network/ folder of one of $DS_CAPTURES_DIR's folders (meson sets it). */
static void
network_path(const char *file, char *path, size_t size)
{
	const char *dirs = getenv("DS_CAPTURES_DIR");
	char *copy, *dir, *save = NULL;

	if (dirs == NULL)
		tap_bail("DS_CAPTURES_DIR is not set (meson test sets it)");
	copy = strdup(dirs);
	for (dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		snprintf(path, size, "%s/network/%s", dir, file);
		if (access(path, R_OK) == 0) {
			free(copy);
			return;
		}
	}
	free(copy);
	tap_bail("no network/%s in the folders of DS_CAPTURES_DIR (%s)", file, dirs);
}

/* A copy with @p n VLAN tags (802.1ad outer when n > 1, then 802.1Q) after the MAC addresses. */
static uint8_t *
with_tags(const uint8_t *f, uint32_t len, unsigned n, uint16_t vid)
{
	uint8_t *copy = malloc(len + n * DS_VLAN_TAG_LEN);
	unsigned i;

	if (copy == NULL)
		tap_bail("out of memory");
	memcpy(copy, f, 2 * DS_ETH_ADDR_LEN);
	for (i = 0; i < n; i++) {
		uint8_t *tag = copy + 2 * DS_ETH_ADDR_LEN + i * DS_VLAN_TAG_LEN;

		ds_store_be16(tag, i + 1 < n ? DS_ETHERTYPE_QINQ : DS_ETHERTYPE_VLAN);
		/* Priority bits set: the VLAN ID is the low 12 bits only. */
		ds_store_be16(tag + 2, (uint16_t)(0xE000 | (vid + i)));
	}
	memcpy(copy + 2 * DS_ETH_ADDR_LEN + n * DS_VLAN_TAG_LEN, f + 2 * DS_ETH_ADDR_LEN,
	       len - 2 * DS_ETH_ADDR_LEN);
	return copy;
}

/* Counts of one capture, checked against its table row. */
struct tally {
	unsigned arp, nd, kernel_ip, none, gre, gre_plain, gre_options, matched;
};

/* One capture's TAP points, the inner packets of its tunnels, and what was encapsulated again. */
struct checks {
	struct tap_group classify, no_control, decap, encap, cuts, mutations, vlan;
	struct capture inner;
	bool *used; /**< inner packets already matched */
	struct capture_frame encapsulated[64];
	size_t n_encapsulated;
	struct tally tally;
};

/* Fields of the outer header the kernel chooses: IPv4 ID, flags and fragment offset, TTL, checksum;
 * IPv6 flow label and hop limit (its traffic class, the high half of byte 1, is compared). */
static bool
kernel_choice(uint32_t o, unsigned version)
{
	if (version == 4)
		return (o >= 4 && o <= 8) || o == 10 || o == 11;
	return o == 2 || o == 3 || o == 7;
}

static bool
same_but_kernel_choices(const uint8_t *want, const uint8_t *got, uint32_t len, uint32_t l3, unsigned version)
{
	uint32_t i;

	for (i = 0; i < len; i++) {
		uint8_t mask = 0xFF;

		if (i >= l3 && kernel_choice(i - l3, version))
			continue;
		if (i == l3 + 1 && version == 6)
			mask = 0xF0;
		if ((want[i] & mask) != (got[i] & mask))
			return false;
	}
	return true;
}

/*
 * Encapsulate the decapsulated frame @p decap again with tunnel @p t and compare with @p orig; keep a
 * copy of the result for tshark.
 */
static void
check_encap(struct checks *c, const char *what, const uint8_t *orig, uint32_t len, const uint8_t *decap,
	    uint32_t decap_len, uint32_t l3, unsigned inner_version, const struct ds_tunnel *t)
{
	const uint32_t room = ds_gre_overhead(t);
	uint8_t *buf = malloc(room + decap_len), *ip;
	uint32_t n;

	if (buf == NULL)
		tap_bail("out of memory");
	memcpy(buf + room, decap, decap_len);
	n = ds_gre_encap(buf, l3, decap_len - l3, inner_version, t);
	ip = buf + l3;
	if (tap_sub(&c->encap, n == len, "%s: encapsulated again, %u bytes (captured %u)", what, n, len) &&
	    tap_sub(&c->encap, same_but_kernel_choices(orig, buf, len, l3, t->ip_version),
		    "%s: encapsulated again, the captured frame but for the kernel's choices", what)) {
		if (t->ip_version == 4)
			tap_sub(&c->encap,
				ds_cksum_fold(ds_cksum_add(0, ip, DS_IPV4_HDR_LEN)) == 0xFFFF &&
					ds_load_be16(ip + 6) == 0 && ip[8] == DS_REPLY_TTL,
				"%s: IPv4 header checksum good, no DF, TTL %u", what, DS_REPLY_TTL);
		else
			tap_sub(&c->encap, ds_load_be32(ip) == 0x60000000u && ip[7] == DS_REPLY_TTL,
				"%s: no flow label, hop limit %u", what, DS_REPLY_TTL);
	}
	if (n == len && c->n_encapsulated < sizeof(c->encapsulated) / sizeof(c->encapsulated[0])) {
		c->encapsulated[c->n_encapsulated].data = frame_dup(buf, n);
		c->encapsulated[c->n_encapsulated].len = n;
		c->n_encapsulated++;
	}
	free(buf);
}

static const struct ds_tunnel *
plain_tunnel(const uint8_t *f, const struct layout *l)
{
	const unsigned alen = l->version == 4 ? 4 : 16;
	const uint8_t *src = f + l->l3 + (l->version == 4 ? 12 : 8);
	size_t i;

	for (i = 0; i < sizeof(plain_tunnels) / sizeof(plain_tunnels[0]); i++) {
		const struct ds_tunnel *t = &plain_tunnels[i];

		if (t->ip_version == l->version && memcmp(t->local, src, alen) == 0 &&
		    memcmp(t->remote, src + alen, alen) == 0)
			return t;
	}
	return NULL;
}

/* Decapsulation against tshark's inner layer and the tunnel capture; encapsulation of plain ones. */
static void
check_gre(struct checks *c, const char *what, const struct capture_frame *f, const struct row *r,
	  const struct dissection *d, const struct ds_gre_info *gre)
{
	const unsigned inner_layer = d->after + 1;
	const bool inner4 = strcmp(layer(d, inner_layer), "ip") == 0;
	const uint16_t ethertype = inner4 ? DS_ETHERTYPE_IPV4 : DS_ETHERTYPE_IPV6;
	const unsigned idx = layers_before(d, inner_layer, inner4 ? "ip" : "ipv6");
	uint8_t *copy = frame_dup(f->data, f->len), *out, addr[16];
	uint32_t shift, out_len, inner_len, l4;
	char dst[64];
	const struct ds_tunnel *t;
	struct layout l;
	size_t i;

	read_layout(f->data, f->len, &l);
	if (!tap_sub(&c->decap,
		     gre->outer_l3 == DS_ETH_HDR_LEN && gre->inner_l3 > l.after && gre->inner_l3 < f->len &&
			     gre->inner_ethertype == ethertype,
		     "%s: outer IP at %u, inner at %u (GRE at %u, %u bytes), ethertype 0x%04x (tshark: %s)",
		     what, gre->outer_l3, gre->inner_l3, l.after, f->len, gre->inner_ethertype,
		     layer(d, inner_layer))) {
		free(copy);
		return;
	}
	shift = ds_gre_decap(copy, gre);
	out = copy + shift;
	out_len = f->len - shift;
	inner_len = inner4 ? (uint32_t)occurrence_number(r, COL_IP_LEN, idx)
			   : (uint32_t)occurrence_number(r, COL_IPV6_PLEN, idx) + DS_IPV6_HDR_LEN;
	occurrence(r, inner4 ? COL_IP_DST : COL_IPV6_DST, idx, dst, sizeof(dst));
	inet_pton(inner4 ? AF_INET : AF_INET6, dst, addr);
	tap_sub(&c->decap,
		shift == gre->inner_l3 - gre->outer_l3 && memcmp(out, f->data, 2 * DS_ETH_ADDR_LEN) == 0 &&
			ds_load_be16(out + 12) == ethertype && out_len == DS_ETH_HDR_LEN + inner_len &&
			memcmp(out + DS_ETH_HDR_LEN + (inner4 ? 16 : 24), addr, inner4 ? 4 : 16) == 0,
		"%s: decapsulated by %u bytes: MACs kept, ethertype 0x%04x, %u bytes of inner packet to %s "
		"(tshark: %u bytes)", what, shift, ds_load_be16(out + 12), out_len - DS_ETH_HDR_LEN, dst,
		inner_len);
	if (strcmp(layer(d, inner_layer + 1), "udp") == 0) {
		const long long port =
			occurrence_number(r, COL_UDP_DSTPORT, layers_before(d, inner_layer + 1, "udp"));

		l4 = DS_ETH_HDR_LEN + (inner4 ? (out[DS_ETH_HDR_LEN] & 0x0Fu) * 4 : DS_IPV6_HDR_LEN);
		tap_sub(&c->decap, l4 + 4 <= out_len && ds_load_be16(out + l4 + 2) == port,
			"%s: inner UDP destination port %lld as tshark reads it", what, port);
	}
	/* The strongest reading: the packet the tunnel's end delivered, as its kernel saw it. */
	for (i = 0; i < c->inner.count; i++)
		if (!c->used[i] && c->inner.frames[i].len == out_len - DS_ETH_HDR_LEN &&
		    memcmp(c->inner.frames[i].data, out + DS_ETH_HDR_LEN, out_len - DS_ETH_HDR_LEN) == 0)
			break;
	if (tap_sub(&c->decap, i < c->inner.count,
		    "%s: the decapsulated packet is one the kernel received on its tunnel interface", what)) {
		c->used[i] = true;
		c->tally.matched++;
	}
	/* Plain GRE from a tunnel of ours: flags and version 0, no options before it. */
	t = plain_tunnel(f->data, &l);
	if (l.options == 0 && ds_load_be16(f->data + l.after) == 0 && t != NULL) {
		c->tally.gre_plain++;
		check_encap(c, what, f->data, f->len, out, out_len, DS_ETH_HDR_LEN, inner4 ? 4 : 6, t);
	}
	c->tally.gre_options += l.options != 0;
	free(copy);
}

/*
 * Every cut of the frame gets the kind its bytes allow: none before a whole Ethernet header or outer
 * IP header, the kernel's for a GRE packet not whole yet, ND once its type byte is there; and a GRE
 * answer never points past the cut.
 */
static void
check_cuts(struct checks *c, const char *what, const struct capture_frame *f, const struct row *r,
	   const struct dissection *d, enum ds_local_kind whole)
{
	const char *l3 = layer(d, d->l3);
	const bool v4 = strcmp(l3, "ip") == 0, v6 = strcmp(l3, "ipv6") == 0, nd = is_nd(r, d);
	const uint32_t hdr_end = DS_ETH_HDR_LEN + (v4 ? DS_IPV4_HDR_LEN : DS_IPV6_HDR_LEN);
	uint32_t ip_end = 0, k;
	struct layout l;
	char dst[64];
	bool dst_local = false;

	if (v4 || v6) {
		ip_end = v4 ? DS_ETH_HDR_LEN + (uint32_t)occurrence_number(r, COL_IP_LEN, 0)
			    : hdr_end + (uint32_t)occurrence_number(r, COL_IPV6_PLEN, 0);
		dst_local = listed(&control, v4 ? 4 : 6, occurrence(r, v4 ? COL_IP_DST : COL_IPV6_DST, 0, dst,
								      sizeof(dst)));
	}
	read_layout(f->data, f->len, &l);
	for (k = 0; k <= f->len; k++) {
		uint8_t *cut = frame_dup(f->data, k);
		struct ds_gre_info gre = { 0 };
		enum ds_local_kind got = ds_local_classify(cut, k, &control, &gre), want;

		if (k < DS_ETH_HDR_LEN)
			want = DS_LOCAL_NONE;
		else if (strcmp(l3, "arp") == 0)
			/* Ours once its target address is in the cut. */
			want = whole == DS_LOCAL_KERNEL && k >= DS_ETH_HDR_LEN + DS_ARP_IPV4_LEN ? DS_LOCAL_KERNEL
												  : DS_LOCAL_NONE;
		else if ((v4 || v6) && k < hdr_end)
			want = DS_LOCAL_NONE;
		else if (nd)
			/* To us, or, soliciting or advertising our address, once the target is in the cut. */
			want = dst_local || (whole == DS_LOCAL_KERNEL && k >= l.after + DS_ND_TARGET_OFFSET + 16)
				       ? DS_LOCAL_KERNEL
				       : DS_LOCAL_NONE;
		else if (whole == DS_LOCAL_GRE)
			want = k < ip_end ? DS_LOCAL_KERNEL : DS_LOCAL_GRE;
		else
			want = whole;
		tap_sub(&c->cuts,
			got == want && (got != DS_LOCAL_GRE || (gre.outer_l3 >= DS_ETH_HDR_LEN &&
								gre.outer_l3 < gre.inner_l3 &&
								gre.inner_l3 < k)),
			"%s cut to %u bytes: %s (got %s, inner at %u)", what, k, kind_name(want),
			kind_name(got), gre.inner_l3);
		free(cut);
	}
}

/* Mutations of a GRE frame to a control address: each leaves it to the kernel. */
enum gre_mutation {
	MUT_VERSION_1,
	MUT_ROUTING,
	MUT_NOT_IP,
	MUT_MORE_FRAGMENTS,
	MUT_FRAGMENT_OFFSET,
	MUT_IPV6_FRAGMENT,
	MUT_IPV6_OPTIONS_TOO_LONG,
	MUT_COUNT
};

static const char *const mutation_names[MUT_COUNT] = {
	[MUT_VERSION_1] = "GRE version 1 (PPTP's)",
	[MUT_ROUTING] = "GRE routing bit (RFC 1701 source route)",
	[MUT_NOT_IP] = "GRE carrying Ethernet (0x6558)",
	[MUT_MORE_FRAGMENTS] = "IPv4 first fragment (MF)",
	[MUT_FRAGMENT_OFFSET] = "IPv4 later fragment (offset 8)",
	[MUT_IPV6_FRAGMENT] = "IPv6 fragment header announced",
	[MUT_IPV6_OPTIONS_TOO_LONG] = "IPv6 options header of 2 KB, past the packet",
};

/* Apply mutation @p m to @p b; false when it does not apply to this outer IP version. */
static bool
mutate(enum gre_mutation m, uint8_t *b, const struct layout *l)
{
	uint8_t *ip = b + l->l3;

	switch (m) {
	case MUT_VERSION_1:
		b[l->after + 1] |= 0x01;
		return true;
	case MUT_ROUTING:
		b[l->after] |= DS_GRE_FLAG_ROUTING >> 8;
		return true;
	case MUT_NOT_IP:
		ds_store_be16(b + l->after + 2, ETHERTYPE_TEB);
		return true;
	case MUT_MORE_FRAGMENTS:
	case MUT_FRAGMENT_OFFSET:
		if (l->version != 4)
			return false;
		ds_store_be16(ip + 6, m == MUT_MORE_FRAGMENTS ? DS_IPV4_FLAG_MF : 1);
		ds_store_be16(ip + 10, 0);
		ds_store_be16(ip + 10, ds_ipv4_header_cksum(ip));
		return true;
	case MUT_IPV6_FRAGMENT:
		if (l->version != 6)
			return false;
		b[l->next_at] = NEXT_FRAGMENT;
		return true;
	case MUT_IPV6_OPTIONS_TOO_LONG:
		if (l->options == 0)
			return false;
		b[l->next_at + 1] = 0xFF;
		return true;
	default:
		return false;
	}
}

static void
check_mutations(struct checks *c, const char *what, const struct capture_frame *f)
{
	struct layout l;
	unsigned m;

	read_layout(f->data, f->len, &l);
	for (m = 0; m < MUT_COUNT; m++) {
		uint8_t *copy = frame_dup(f->data, f->len);
		struct ds_gre_info gre;
		enum ds_local_kind got;

		if (mutate(m, copy, &l)) {
			got = ds_local_classify(copy, f->len, &control, &gre);
			tap_sub(&c->mutations, got == DS_LOCAL_KERNEL, "step %u, %s: %s: kernel (got %s)", m,
				what, mutation_names[m], kind_name(got));
		}
		free(copy);
	}
}

/* One and two tags classify as untagged, offsets moved by the tags; three are refused. */
static void
check_vlan(struct checks *c, const char *what, const struct capture_frame *f, enum ds_local_kind want,
	   const struct ds_gre_info *plain)
{
	unsigned n;
	uint16_t vid = 0;

	tap_sub(&c->vlan, !ds_vlan_outer(f->data, f->len, &vid), "%s: untagged, no outer 802.1Q tag", what);
	for (n = 1; n <= 3; n++) {
		const uint32_t len = f->len + n * DS_VLAN_TAG_LEN, tags = n * DS_VLAN_TAG_LEN;
		uint8_t *tagged = with_tags(f->data, f->len, n, 100);
		uint8_t *cut = frame_dup(tagged, DS_ETH_HDR_LEN + DS_VLAN_TAG_LEN - 1);
		struct ds_gre_info gre = { 0 };
		enum ds_local_kind got = ds_local_classify(tagged, len, &control, &gre);
		bool outer;

		vid = 0;
		outer = ds_vlan_outer(tagged, len, &vid);
		/* The outer tag is 802.1Q only when alone; in front of another it is 802.1ad's. */
		tap_sub(&c->vlan, n == 1 ? outer && vid == 100 : !outer,
			"%s, %u tag(s): outer 802.1Q tag %s (got %s, %u)", what, n,
			n == 1 ? "VLAN 100" : "none", outer ? "yes" : "no", vid);
		tap_sub(&c->vlan, !ds_vlan_outer(cut, DS_ETH_HDR_LEN + DS_VLAN_TAG_LEN - 1, &vid),
			"%s, %u tag(s): no tag read from 17 bytes", what, n);
		if (n == 3) {
			tap_sub(&c->vlan, got == DS_LOCAL_NONE, "%s, 3 tags: refused (none, got %s)", what,
				kind_name(got));
		} else if (tap_sub(&c->vlan, got == want, "%s, %u tag(s): %s as untagged (got %s)", what, n,
				   kind_name(want), kind_name(got)) &&
			   want == DS_LOCAL_GRE) {
			const uint8_t *out;

			tap_sub(&c->vlan,
				gre.outer_l3 == plain->outer_l3 + tags &&
					gre.inner_l3 == plain->inner_l3 + tags &&
					gre.inner_ethertype == plain->inner_ethertype,
				"%s, %u tag(s): offsets moved by the tags", what, n);
			out = tagged + ds_gre_decap(tagged, &gre);
			tap_sub(&c->vlan,
				memcmp(out, f->data, 2 * DS_ETH_ADDR_LEN) == 0 &&
					ds_load_be16(out + 2 * DS_ETH_ADDR_LEN + 2) == 0xE000 + 100 &&
					ds_load_be16(out + gre.outer_l3 - 2) == gre.inner_ethertype &&
					memcmp(out + gre.outer_l3, f->data + plain->inner_l3,
					       f->len - plain->inner_l3) == 0,
				"%s, %u tag(s): decapsulated with its tags kept", what, n);
		}
		free(cut);
		free(tagged);
	}
}

/* tshark's reading of the frames encapsulated again: good IPv4 header checksums, GRE with IP inside. */
static void
check_encapsulated_with_tshark(const char *name, struct checks *c)
{
	static const char *const fields[] = { "frame.protocols", "ip.checksum.status" };
	char path[] = "/tmp/ds-test-local-XXXXXX";
	struct tshark_table t;
	size_t i, good = 0;
	int fd = mkstemp(path);

	if (fd < 0)
		tap_bail("mkstemp failed");
	close(fd);
	capture_write(path, c->encapsulated, c->n_encapsulated);
	if (tshark_read(path, NULL, 0, fields, 2, &t) != 0)
		tap_bail("tshark is needed for the cross-check");
	for (i = 0; i < t.rows; i++) {
		const char *p = tshark_cell(&t, i, 0), *status = tshark_cell(&t, i, 1);
		const bool v4 = strncmp(p, "eth:ethertype:ip:gre:", 21) == 0;

		/* Over IPv6 the first IPv4 checksum is the inner packet's, when it is IPv4: the kernel's. */
		good += (v4 && strcmp(status, "1") == 0) ||
			(strncmp(p, "eth:ethertype:ipv6:gre:", 23) == 0 &&
			 (*status == '\0' || strcmp(status, "1") == 0));
	}
	tap_check(c->n_encapsulated > 0 && t.rows == c->n_encapsulated && good == t.rows,
		  "%s: tshark reads the %zu frames encapsulated again as GRE, IPv4 header checksums good "
		  "(%zu good)", name, c->n_encapsulated, good);
	tshark_free(&t);
	unlink(path);
	for (i = 0; i < c->n_encapsulated; i++)
		free(c->encapsulated[i].data);
	c->n_encapsulated = 0;
}

static void
check_frame(struct checks *c, const char *name, size_t n, const struct capture_frame *f, const struct row *r)
{
	static const struct ds_local_addrs nothing;
	struct dissection d;
	struct ds_gre_info gre = { 0 }, ignored;
	enum ds_local_kind want, kind, got;
	char what[96];

	dissect(r, &d);
	snprintf(what, sizeof(what), "%s frame %zu", name, n + 1);
	want = expected_kind(r, &d, &control);
	kind = ds_local_classify(f->data, f->len, &control, &gre);
	tap_sub(&c->classify, kind == want, "%s (%s): %s (got %s)", what,
		tshark_cell(r->t, r->n, COL_PROTOCOLS), kind_name(want), kind_name(kind));
	got = ds_local_classify(f->data, f->len, &nothing, &ignored);
	tap_sub(&c->no_control, got == expected_kind(r, &d, &nothing),
		"%s: without control addresses, %s (got %s)", what, kind_name(expected_kind(r, &d, &nothing)),
		kind_name(got));
	c->tally.arp += strcmp(layer(&d, d.l3), "arp") == 0;
	c->tally.nd += is_nd(r, &d);
	c->tally.kernel_ip += want == DS_LOCAL_KERNEL && is_ip_layer(layer(&d, d.l3)) && !is_nd(r, &d);
	c->tally.none += want == DS_LOCAL_NONE;
	c->tally.gre += want == DS_LOCAL_GRE;
	check_cuts(c, what, f, r, &d, want);
	if (want == DS_LOCAL_GRE && kind == DS_LOCAL_GRE) {
		check_gre(c, what, f, r, &d, &gre);
		check_mutations(c, what, f);
	}
	check_vlan(c, what, f, want, &gre);
}

static void
check_file(const struct network_file *nf)
{
	char path[4200];
	struct capture cap;
	struct tshark_table t;
	struct checks c;
	size_t n;

	memset(&c, 0, sizeof(c));
	network_path(nf->name, path, sizeof(path));
	capture_load(path, &cap);
	if (tshark_read_every(path, NULL, 0, tshark_fields, COL_COUNT, &t) != 0)
		tap_bail("tshark is needed for the cross-check");
	tap_check(cap.count > 0 && t.rows == cap.count, "%s: tshark reads %zu frames, libpcap %zu", nf->name,
		  t.rows, cap.count);
	if (nf->tunnel != NULL) {
		char tunnel_path[4200];

		network_path(nf->tunnel, tunnel_path, sizeof(tunnel_path));
		load_inner(tunnel_path, &c.inner);
	}
	c.used = calloc(c.inner.count + 1, sizeof(*c.used));
	if (c.used == NULL)
		tap_bail("out of memory");
	for (n = 0; n < cap.count && n < t.rows; n++) {
		struct row r = { &t, n };

		check_frame(&c, nf->name, n, &cap.frames[n], &r);
	}
	tap_group_done(&c.classify, "%s: every frame of the kind tshark's dissection implies", nf->name);
	tap_group_done(&c.no_control, "%s: on a port without control addresses nothing is the kernel's",
		       nf->name);
	tap_group_done(&c.cuts, "%s: every cut of every frame: nothing decapsulated past its end or before "
		       "its IP packet is whole", nf->name);
	tap_group_done(&c.vlan, "%s: every frame under one and two VLAN tags as untagged, three refused; "
		       "outer 802.1Q tag read", nf->name);
	if (nf->gre > 0) {
		tap_group_done(&c.decap, "%s: every GRE frame decapsulated is the inner packet its tunnel "
			       "delivered, as tshark reads it", nf->name);
		tap_group_done(&c.encap, "%s: every plain GRE frame decapsulated and encapsulated again is "
			       "itself", nf->name);
		tap_group_done(&c.mutations, "%s: every GRE frame mutated (version 1, routing, not IP, "
			       "fragment, long options) is left to the kernel", nf->name);
		check_encapsulated_with_tshark(nf->name, &c);
	}
	tap_check(c.tally.arp >= nf->arp && c.tally.nd >= nf->nd && c.tally.kernel_ip >= nf->kernel_ip &&
			  c.tally.none >= nf->none,
		  "%s holds what it was recorded for: %u ARP (>= %u), %u ND (>= %u), %u other IP for the "
		  "kernel (>= %u), %u for the data plane (>= %u)", nf->name, c.tally.arp, nf->arp, c.tally.nd,
		  nf->nd, c.tally.kernel_ip, nf->kernel_ip, c.tally.none, nf->none);
	tap_check(c.tally.gre >= nf->gre && c.tally.gre_plain >= nf->gre_plain &&
			  c.tally.gre_options >= nf->gre_options && c.tally.matched == c.tally.gre,
		  "%s: %u GRE frames for the appliance (>= %u), each matched in the %zu packets of its "
		  "tunnels (%u); %u plain (>= %u), %u after IPv6 options (>= %u)", nf->name, c.tally.gre,
		  nf->gre, c.inner.count, c.tally.matched, c.tally.gre_plain, nf->gre_plain,
		  c.tally.gre_options, nf->gre_options);
	free(c.used);
	capture_free(&c.inner);
	tshark_free(&t);
	capture_free(&cap);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		check_file(&files[i]);
	return tap_done();
}
