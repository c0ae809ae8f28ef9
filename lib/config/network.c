/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance as a member of its networks: per port, its control addresses and kernel interface (the
 * exception path), VLAN tag and MTU; per service, the GRE tunnel toward its site; and the routes it
 * keeps in a kernel table while healthy, for BIRD or FRR to announce (docs/deploying.md).
 *
 *   ports:
 *     outside:
 *       control_address: ["198.51.100.2/24", "2001:db8:1::2/64"]
 *       kernel_interface: dsout
 *       vlan: 100
 *       mtu: 1500
 *   services:
 *     - address: "192.0.2.10:4433"
 *       tunnel: { local: 203.0.113.1, remote: 203.0.113.2 }
 *   announce:
 *     table: 100
 *     prefixes: [192.0.2.0/24]
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"

enum { DEFAULT_KERNEL_RATE = 10000, DEFAULT_WITHDRAW_WAIT_MS = 1000 };

/* An address with its prefix length ("198.51.100.2/24"); the length defaults to the host's. */
static bool
read_address(struct walk *w, const struct yaml_node *v, const char *ctx, struct ds_local_addrs *a, uint8_t *plen4,
	     uint8_t *plen6)
{
	char text[64], *slash;
	uint8_t addr[16];
	unsigned long len = 0;
	char *end;
	unsigned i;

	if (!walk_string(w, v, ctx, text, sizeof(text)))
		return false;
	slash = strchr(text, '/');
	if (slash != NULL) {
		*slash = '\0';
		len = strtoul(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || !isdigit((unsigned char)slash[1]))
			return walk_fail(w, v, ctx, "'%s': the prefix length after / is not a number", v->value);
	}
	if (inet_pton(AF_INET, text, addr) == 1) {
		if (slash != NULL && (len < 1 || len > 32))
			return walk_fail(w, v, ctx, "'%s': an IPv4 prefix length is 1..32", v->value);
		if (addr[0] == 0 || addr[0] >= 224)
			return walk_fail(w, v, ctx, "'%s' is not a unicast address", v->value);
		for (i = 0; i < a->n4; i++)
			if (memcmp(a->v4[i], addr, 4) == 0)
				return walk_fail(w, v, ctx, "'%s' is listed twice", v->value);
		if (a->n4 == DS_LOCAL_ADDR_MAX)
			return walk_fail(w, v, ctx, "more than %d IPv4 addresses", DS_LOCAL_ADDR_MAX);
		memcpy(a->v4[a->n4], addr, 4);
		plen4[a->n4++] = (uint8_t)(slash != NULL ? len : 32);
		return true;
	}
	if (inet_pton(AF_INET6, text, addr) == 1) {
		static const uint8_t zero[16];

		if (slash != NULL && (len < 1 || len > 128))
			return walk_fail(w, v, ctx, "'%s': an IPv6 prefix length is 1..128", v->value);
		if (addr[0] == 0xFF || memcmp(addr, zero, 16) == 0)
			return walk_fail(w, v, ctx, "'%s' is not a unicast address", v->value);
		for (i = 0; i < a->n6; i++)
			if (memcmp(a->v6[i], addr, 16) == 0)
				return walk_fail(w, v, ctx, "'%s' is listed twice", v->value);
		if (a->n6 == DS_LOCAL_ADDR_MAX)
			return walk_fail(w, v, ctx, "more than %d IPv6 addresses", DS_LOCAL_ADDR_MAX);
		memcpy(a->v6[a->n6], addr, 16);
		plen6[a->n6++] = (uint8_t)(slash != NULL ? len : 128);
		return true;
	}
	return walk_fail(w, v, ctx, "'%s' is not an address (expected 198.51.100.2/24 or 2001:db8::2/64)", v->value);
}

/* A Linux interface name: 1..15 bytes, no '/', ':' or space, not "." or "..". */
static bool
read_ifname(struct walk *w, const struct yaml_node *v, const char *ctx, char out[16])
{
	const char *p;

	if (v->kind != YAML_NODE_SCALAR || v->value[0] == '\0' || strlen(v->value) > 15)
		return walk_fail(w, v, ctx, "expected an interface name of 1 to 15 characters");
	for (p = v->value; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return walk_fail(w, v, ctx, "'%s': an interface name has letters, digits, '-', '_' and '.' only",
					 v->value);
	if (strcmp(v->value, ".") == 0 || strcmp(v->value, "..") == 0)
		return walk_fail(w, v, ctx, "'%s' is not an interface name", v->value);
	memcpy(out, v->value, strlen(v->value) + 1);
	return true;
}

bool
config_read_port_network(struct walk *w, const struct port_network_nodes *n, const char *ctx,
			 struct ds_port_config *port)
{
	char sub[64];
	unsigned long v;
	size_t i;

	port->kernel_rate = DEFAULT_KERNEL_RATE;
	walk_join(sub, sizeof(sub), ctx, "control_address");
	if (n->control_address != NULL) {
		const struct yaml_node *list = n->control_address;

		if (list->kind == YAML_NODE_SCALAR) {
			if (!read_address(w, list, sub, &port->control, port->control_plen4, port->control_plen6))
				return false;
		} else if (list->kind == YAML_NODE_SEQ && list->n_items != 0) {
			for (i = 0; i < list->n_items; i++)
				if (!read_address(w, list->items[i], sub, &port->control, port->control_plen4,
						  port->control_plen6))
					return false;
		} else {
			return walk_fail(w, list, sub, "expected an address or a list of addresses");
		}
	}
	walk_join(sub, sizeof(sub), ctx, "kernel_interface");
	if (n->kernel_interface != NULL && !read_ifname(w, n->kernel_interface, sub, port->kernel_interface))
		return false;
	if (n->kernel_interface == NULL && n->control_address != NULL) {
		walk_join(sub, sizeof(sub), ctx, "control_address");
		return walk_fail(w, n->control_address, sub,
				 "needs kernel_interface: the kernel answers for these addresses");
	}
	walk_join(sub, sizeof(sub), ctx, "kernel_rate");
	if (n->kernel_rate != NULL) {
		if (n->kernel_interface == NULL)
			return walk_fail(w, n->kernel_rate, sub, "only with kernel_interface");
		if (!walk_uint(w, n->kernel_rate, sub, 1, 10000000, &v))
			return false;
		port->kernel_rate = (uint32_t)v;
	}
	walk_join(sub, sizeof(sub), ctx, "vlan");
	if (n->vlan != NULL) {
		if (!walk_uint(w, n->vlan, sub, 1, 4094, &v))
			return false;
		port->vlan = (uint16_t)v;
	}
	walk_join(sub, sizeof(sub), ctx, "mtu");
	if (n->mtu != NULL) {
		if (!walk_uint(w, n->mtu, sub, DS_CONFIG_MIN_MTU, DS_CONFIG_MAX_MTU, &v))
			return false;
		port->mtu = (uint16_t)v;
	}
	return true;
}

static bool
read_tunnel_address(struct walk *w, const struct yaml_node *v, const char *ctx, uint8_t *version, uint8_t out[16])
{
	char text[64];

	if (!walk_string(w, v, ctx, text, sizeof(text)))
		return false;
	if (inet_pton(AF_INET, text, out) == 1)
		*version = 4;
	else if (inet_pton(AF_INET6, text, out) == 1)
		*version = 6;
	else
		return walk_fail(w, v, ctx, "'%s' is not an IPv4 or IPv6 address", text);
	return true;
}

/* A routed port's next hop by address: a unicast address of either family. */
bool
config_read_next_hop(struct walk *w, const struct yaml_node *v, const char *ctx, struct ds_port_config *port)
{
	if (!read_tunnel_address(w, v, ctx, &port->next_hop_ip_version, port->next_hop_ip))
		return false;
	if (port->next_hop_ip_version == 4 ? port->next_hop_ip[0] == 0 || port->next_hop_ip[0] >= 224
					   : port->next_hop_ip[0] == 0xFF)
		return walk_fail(w, v, ctx, "'%s' is not a unicast address", v->value);
	return true;
}

bool
config_read_tunnel(struct walk *w, const struct yaml_node *map, struct ds_tunnel *t)
{
	struct field f[] = {
		{ "type", false, NULL, NULL }, { "local", true, NULL, NULL }, { "remote", true, NULL, NULL },
	};
	static const char *const types[] = { "gre" };
	uint8_t local_version, remote_version;
	unsigned type;

	if (map->kind != YAML_NODE_MAP)
		return walk_fail(w, map, "services.tunnel", "expected a mapping with local: and remote:");
	if (!walk_map(w, map, "services.tunnel", f, 3))
		return false;
	if (f[0].value != NULL && !walk_choice(w, f[0].value, "services.tunnel.type", types, 1, &type))
		return false;
	if (!read_tunnel_address(w, f[1].value, "services.tunnel.local", &local_version, t->local) ||
	    !read_tunnel_address(w, f[2].value, "services.tunnel.remote", &remote_version, t->remote))
		return false;
	if (local_version != remote_version)
		return walk_fail(w, f[2].value, "services.tunnel.remote", "local and remote must be of one family");
	t->ip_version = local_version;
	return true;
}

bool
config_read_announce(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = {
		{ "table", true, NULL, NULL }, { "prefixes", true, NULL, NULL },
		{ "withdraw_wait_ms", false, NULL, NULL },
	};
	struct ds_announce_config *a = &cfg->announce;
	const struct yaml_node *list;
	unsigned long v;
	size_t i;

	a->withdraw_wait_ms = DEFAULT_WITHDRAW_WAIT_MS;
	if (map == NULL)
		return true;
	if (!walk_map(w, map, "announce", f, 3))
		return false;
	if (cfg->ports[DS_PORT_OUTSIDE].kernel_interface[0] == '\0')
		return walk_fail(w, map, "announce", "needs ports.outside.kernel_interface: the routes go through it");
	if (!walk_uint(w, f[0].value, "announce.table", 1, 0xFFFFFFFFul, &v))
		return false;
	/* 253-255 are the kernel's default, main and local tables: an announcement must not touch them. */
	if (v >= 253 && v <= 255)
		return walk_fail(w, f[0].value, "announce.table", "%lu is one of the kernel's own tables (253-255)", v);
	a->table = (uint32_t)v;
	list = f[1].value;
	if (list->kind != YAML_NODE_SEQ || list->n_items == 0)
		return walk_fail(w, list, "announce.prefixes", "expected a non-empty list of prefixes");
	if (list->n_items > DS_CONFIG_MAX_ANNOUNCE)
		return walk_fail(w, list, "announce.prefixes", "more than %d prefixes", DS_CONFIG_MAX_ANNOUNCE);
	for (i = 0; i < list->n_items; i++) {
		char why[128];

		if (list->items[i]->kind != YAML_NODE_SCALAR ||
		    ds_prefix_parse(list->items[i]->value, &a->prefixes[i], why, sizeof(why)) != 0)
			return walk_fail(w, list->items[i], "announce.prefixes", "%s",
					 list->items[i]->kind == YAML_NODE_SCALAR ? why : "expected a prefix");
	}
	a->n_prefixes = (unsigned)list->n_items;
	if (f[2].value != NULL) {
		if (!walk_uint(w, f[2].value, "announce.withdraw_wait_ms", 0, 60000, &v))
			return false;
		a->withdraw_wait_ms = (uint32_t)v;
	}
	a->enabled = true;
	return true;
}
