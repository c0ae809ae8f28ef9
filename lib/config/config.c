/* SPDX-License-Identifier: BSD-3-Clause */
/* The schema of docs/configuration.md, checked node by node; the first problem is reported. */
#include "ds_config.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"
#include "yaml_tree.h"

static bool
read_mac(struct walk *w, const struct yaml_node *v, const char *ctx, uint8_t mac[6])
{
	unsigned b[6];
	char tail;
	int i;

	if (v->kind != YAML_NODE_SCALAR ||
	    sscanf(v->value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
	    strlen(v->value) != 17)
		return walk_fail(w, v, ctx, "expected a MAC address like 02:00:5e:00:53:01");
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	if (mac[0] & 1)
		return walk_fail(w, v, ctx, "%s is a multicast address (expected a next hop's unicast MAC)", v->value);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return walk_fail(w, v, ctx, "the all-zero MAC is nobody's");
	return true;
}

/* ---- sections ---- */

static bool
read_eal(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	/* These come from lcores: and ports:, so that one file states each thing once. */
	static const char *const owned[] = { "-l", "-c", "--lcores", "--main-lcore", "--vdev", "-a", "--allow",
					     "-b", "--block", "-n" };
	struct field f[] = { { "args", false, NULL, NULL } };
	const struct yaml_node *args;
	size_t i, k;

	if (!walk_map(w, map, "eal", f, 1) || (args = f[0].value) == NULL)
		return !w->failed;
	if (args->kind != YAML_NODE_SEQ)
		return walk_fail(w, args, "eal.args", "expected a list of strings");
	if (args->n_items > DS_CONFIG_MAX_EAL_ARGS)
		return walk_fail(w, args, "eal.args", "more than %d arguments", DS_CONFIG_MAX_EAL_ARGS);
	for (i = 0; i < args->n_items; i++) {
		const struct yaml_node *a = args->items[i];

		if (!walk_string(w, a, "eal.args", cfg->eal_args[i], DS_CONFIG_ARG_MAX))
			return false;
		for (k = 0; k < sizeof(owned) / sizeof(owned[0]); k++)
			if (strcmp(a->value, owned[k]) == 0 ||
			    (owned[k][1] == '-' && strncmp(a->value, owned[k], strlen(owned[k])) == 0 &&
			     a->value[strlen(owned[k])] == '='))
				return walk_fail(w, a, "eal.args", "%s is set from lcores: and ports:, not here",
					    owned[k]);
	}
	cfg->n_eal_args = (unsigned)args->n_items;
	return true;
}

/*
 * The CPUs of the process as it first read a configuration: the EAL then pins the main thread to its
 * lcore, and a reload must still see the set the appliance started with.
 */
static bool
process_cpus(cpu_set_t *set)
{
	static cpu_set_t first;
	static int known; /* 0 not yet, 1 known, -1 cannot tell */

	if (known == 0)
		known = sched_getaffinity(0, sizeof(first), &first) == 0 ? 1 : -1;
	*set = first;
	return known == 1;
}

static bool
cpu_available(unsigned cpu, char *list, size_t len)
{
	cpu_set_t set;
	unsigned c;
	int run = -1;

	if (!process_cpus(&set))
		return true; /* cannot tell: let the EAL decide */
	list[0] = '\0';
	/* "0-3,6": the CPUs this process may use, for the message. */
	for (c = 0; c <= CPU_SETSIZE; c++) {
		const bool in = c < CPU_SETSIZE && CPU_ISSET(c, &set);

		if (in && run < 0)
			run = (int)c;
		if (!in && run >= 0) {
			snprintf(list + strlen(list), len - strlen(list), "%s%d", list[0] ? "," : "", run);
			if ((int)c - 1 > run)
				snprintf(list + strlen(list), len - strlen(list), "-%u", c - 1);
			run = -1;
		}
	}
	return cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set);
}

static bool
read_lcore(struct walk *w, const struct yaml_node *v, const char *ctx, unsigned *out)
{
	unsigned long id;
	char list[256];

	if (!walk_uint(w, v, ctx, 0, DS_CONFIG_MAX_LCORES - 1, &id))
		return false;
	if (!cpu_available((unsigned)id, list, sizeof(list)))
		return walk_fail(w, v, ctx, "CPU %lu is not available to this process (available: %s)", id, list);
	*out = (unsigned)id;
	return true;
}

static bool
read_lcores(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = { { "main", true, NULL, NULL }, { "workers", true, NULL, NULL } };
	const struct yaml_node *workers;
	size_t i, k;

	if (!walk_map(w, map, "lcores", f, 2) || !read_lcore(w, f[0].value, "lcores.main", &cfg->main_lcore))
		return false;
	workers = f[1].value;
	if (workers->kind != YAML_NODE_SEQ || workers->n_items == 0)
		return walk_fail(w, workers, "lcores.workers", "expected a non-empty list of CPU numbers");
	if (workers->n_items >= DS_CONFIG_MAX_LCORES)
		return walk_fail(w, workers, "lcores.workers", "too many workers");
	for (i = 0; i < workers->n_items; i++) {
		if (!read_lcore(w, workers->items[i], "lcores.workers", &cfg->workers[i]))
			return false;
		/* The main lcore runs the control plane; a worker sharing it would starve one or the other. */
		if (cfg->workers[i] == cfg->main_lcore)
			return walk_fail(w, workers->items[i], "lcores.workers", "CPU %u is the main lcore",
				    cfg->main_lcore);
		for (k = 0; k < i; k++)
			if (cfg->workers[k] == cfg->workers[i])
				return walk_fail(w, workers->items[i], "lcores.workers", "CPU %u is listed twice",
					    cfg->workers[i]);
	}
	cfg->n_workers = (unsigned)workers->n_items;
	return true;
}

static bool
is_pci_address(const char *s)
{
	unsigned a, b, c, d;
	char tail;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &c, &d, &tail) == 4 ||
	       sscanf(s, "%2x:%2x.%1x%c", &b, &c, &d, &tail) == 3;
}

/* A PCI address (given to the EAL with -a) or a virtual device "driverN[,args]" (with --vdev). */
static bool
read_device(struct walk *w, const struct yaml_node *v, const char *ctx, struct ds_port_config *port)
{
	const char *p;
	size_t name_len;

	if (!walk_string(w, v, ctx, port->device, sizeof(port->device)))
		return false;
	for (p = port->device; *p; p++)
		if (isspace((unsigned char)*p))
			return walk_fail(w, v, ctx, "no spaces in a device string");
	if (is_pci_address(port->device)) {
		port->is_pci = true;
		if (strlen(port->device) == 7)
			snprintf(port->name, sizeof(port->name), "0000:%s", port->device);
		else
			snprintf(port->name, sizeof(port->name), "%s", port->device);
		return true;
	}
	name_len = strcspn(port->device, ",");
	for (p = port->device; p < port->device + name_len; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			break;
	if (name_len == 0 || p != port->device + name_len || !islower((unsigned char)port->device[0]))
		return walk_fail(w, v, ctx, "'%s' is neither a PCI address (0000:03:00.0) nor a virtual device "
			    "(net_af_packet0,iface=eth1)", port->device);
	memcpy(port->name, port->device, name_len);
	port->name[name_len] = '\0';
	return true;
}

static bool
read_port(struct walk *w, const struct yaml_node *map, const char *ctx, struct ds_port_config *port,
	  const struct yaml_node **next_hop_node)
{
	struct field f[] = {
		{ "device", true, NULL, NULL },
		{ "next_hop_mac", false, NULL, NULL },
		{ "rx_descriptors", false, NULL, NULL },
		{ "tx_descriptors", false, NULL, NULL },
		{ "rss", false, NULL, NULL },
		{ "control_address", false, NULL, NULL },
		{ "kernel_interface", false, NULL, NULL },
		{ "kernel_rate", false, NULL, NULL },
		{ "vlan", false, NULL, NULL },
		{ "mtu", false, NULL, NULL },
		{ "next_hop", false, NULL, NULL },
	};
	static const char *const rss_modes[] = { "symmetric", "driver" };
	char sub[64];
	unsigned long n = 1024;
	unsigned rss = DS_RSS_SYMMETRIC;

	if (!walk_map(w, map, ctx, f, sizeof(f) / sizeof(f[0])))
		return false;
	walk_join(sub, sizeof(sub), ctx, "device");
	if (!read_device(w, f[0].value, sub, port))
		return false;
	*next_hop_node = f[1].value != NULL ? f[1].value : f[10].value;
	if (f[1].value != NULL && f[10].value != NULL)
		return walk_fail(w, f[10].value, ctx, "next_hop and next_hop_mac: one or the other");
	walk_join(sub, sizeof(sub), ctx, "next_hop_mac");
	if (f[1].value != NULL) {
		if (!read_mac(w, f[1].value, sub, port->next_hop_mac))
			return false;
		port->has_next_hop = true;
	}
	walk_join(sub, sizeof(sub), ctx, "rx_descriptors");
	if (f[2].value != NULL && !walk_uint(w, f[2].value, sub, DS_CONFIG_MIN_DESC, DS_CONFIG_MAX_DESC, &n))
		return false;
	port->rx_desc = (uint16_t)n;
	n = 1024;
	walk_join(sub, sizeof(sub), ctx, "tx_descriptors");
	if (f[3].value != NULL && !walk_uint(w, f[3].value, sub, DS_CONFIG_MIN_DESC, DS_CONFIG_MAX_DESC, &n))
		return false;
	port->tx_desc = (uint16_t)n;
	walk_join(sub, sizeof(sub), ctx, "rss");
	if (f[4].value != NULL && !walk_choice(w, f[4].value, sub, rss_modes, 2, &rss))
		return false;
	port->rss = (enum ds_rss_mode)rss;
	walk_join(sub, sizeof(sub), ctx, "next_hop");
	if (f[10].value != NULL) {
		if (f[6].value == NULL)
			return walk_fail(w, f[10].value, sub, "needs kernel_interface: the kernel resolves the address");
		if (!config_read_next_hop(w, f[10].value, sub, port))
			return false;
		port->has_next_hop = true;
	}
	return config_read_port_network(w, &(struct port_network_nodes){ f[5].value, f[6].value, f[7].value,
									 f[8].value, f[9].value }, ctx, port);
}

static bool
read_ports(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = { { "outside", true, NULL, NULL }, { "inside", true, NULL, NULL } };
	const struct yaml_node *next_hop[DS_PORT_COUNT];
	unsigned r;

	if (!walk_map(w, map, "ports", f, 2))
		return false;
	for (r = 0; r < DS_PORT_COUNT; r++) {
		char ctx[32];

		walk_join(ctx, sizeof(ctx), "ports", ds_port_role_name((enum ds_port_role)r));
		if (!read_port(w, f[r].value, ctx, &cfg->ports[r], &next_hop[r]))
			return false;
	}
	if (strcmp(cfg->ports[0].name, cfg->ports[1].name) == 0)
		return walk_fail(w, walk_value(f[1].value, "device"), "ports.inside.device", "'%s' is also the outside port",
			    cfg->ports[1].name);
	for (r = 0; r < DS_PORT_COUNT; r++) {
		char ctx[32];

		walk_join(ctx, sizeof(ctx), "ports", ds_port_role_name((enum ds_port_role)r));
		if (cfg->mode == DS_MODE_ROUTED && next_hop[r] == NULL)
			return walk_fail(w, f[r].value, ctx, "routed mode needs next_hop_mac (or next_hop)");
		if (cfg->mode == DS_MODE_INLINE && next_hop[r] != NULL)
			return walk_fail(w, next_hop[r], ctx, "next_hop_mac and next_hop are only used in routed mode");
	}
	return true;
}

/* A file named in the configuration, relative to its folder unless absolute. False if too long. */
bool
config_resolve_path(const char *config_path, const char *file, char *out, size_t len)
{
	const char *slash = strrchr(config_path, '/');
	const size_t dir_len = file[0] == '/' || slash == NULL ? 0 : (size_t)(slash - config_path) + 1;
	const size_t file_len = strlen(file);

	if (dir_len + file_len >= len)
		return false;
	memcpy(out, config_path, dir_len);
	memcpy(out + dir_len, file, file_len + 1);
	return true;
}

static bool
read_cookie(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	static const char *const formats[] = { "hmac-sha256", "hmac-sha1", "aes-cmac", "gnutls", "wolfssl" };
	struct field f[] = {
		{ "secret_file", true, NULL, NULL }, { "format", false, NULL, NULL },
		{ "length", false, NULL, NULL },      { "key_period", false, NULL, NULL },
		{ "clock_skew_ms", false, NULL, NULL }, { "accept_secret_file", false, NULL, NULL },
	};
	char file[DS_CONFIG_PATH_MAX], why[600];
	unsigned long v;
	unsigned mode = DS_COOKIE_HMAC_SHA256;

	_Static_assert(sizeof(formats) / sizeof(formats[0]) == DS_COOKIE_MODE_COUNT, "one name per format");
	ds_cookie_params_default(&cfg->cookie);
	if (!walk_map(w, map, "cookie", f, 6))
		return false;
	if (f[1].value != NULL) {
		if (!walk_choice(w, f[1].value, "cookie.format", formats, DS_COOKIE_MODE_COUNT, &mode))
			return false;
		cfg->cookie.mode = (enum ds_cookie_mode)mode;
		/* The foreign formats have one length: their servers' own. */
		if (ds_cookie_min_len(cfg->cookie.mode) == ds_cookie_max_len(cfg->cookie.mode))
			cfg->cookie.cookie_len = ds_cookie_max_len(cfg->cookie.mode);
	}
	if (f[2].value != NULL) {
		if (!walk_uint(w, f[2].value, "cookie.length", ds_cookie_min_len(cfg->cookie.mode),
			       ds_cookie_max_len(cfg->cookie.mode), &v))
			return false;
		cfg->cookie.cookie_len = (unsigned)v;
	}
	if (f[3].value != NULL) {
		if (!walk_uint(w, f[3].value, "cookie.key_period", 1, DS_COOKIE_MAX_PERIOD_S, &v))
			return false;
		cfg->cookie.period_s = (unsigned)v;
	}
	if (f[4].value != NULL) {
		if (!walk_uint(w, f[4].value, "cookie.clock_skew_ms", 0, 3600 * 1000, &v))
			return false;
		cfg->cookie.skew_ms = (unsigned)v;
	}
	if (ds_cookie_params_check(&cfg->cookie, why, sizeof(why)) != 0)
		return walk_fail(w, f[4].value ? f[4].value : map, "cookie", "%s", why);
	if (!walk_string(w, f[0].value, "cookie.secret_file", file, sizeof(file)))
		return false;
	if (!config_resolve_path(w->path, file, cfg->secret_file, sizeof(cfg->secret_file)))
		return walk_fail(w, f[0].value, "cookie.secret_file", "path too long");
	if (ds_secret_load(cfg->secret_file, &cfg->secret, why, sizeof(why)) != 0)
		return walk_fail(w, f[0].value, "cookie.secret_file", "%s", why);
	if (f[5].value == NULL)
		return true;
	/* A master rotation's other secret (docs/operations.md): accepted, never used to make cookies. */
	if (cfg->cookie.mode == DS_COOKIE_WOLFSSL)
		return walk_fail(w, f[5].value, "cookie.accept_secret_file",
				 "wolfSSL servers check cookies under one secret: the wolfssl format cannot accept two");
	if (!walk_string(w, f[5].value, "cookie.accept_secret_file", file, sizeof(file)))
		return false;
	if (!config_resolve_path(w->path, file, cfg->accept_secret_file, sizeof(cfg->accept_secret_file)))
		return walk_fail(w, f[5].value, "cookie.accept_secret_file", "path too long");
	if (ds_secret_load(cfg->accept_secret_file, &cfg->accept_secret, why, sizeof(why)) != 0)
		return walk_fail(w, f[5].value, "cookie.accept_secret_file", "%s", why);
	if (cfg->accept_secret.len == cfg->secret.len &&
	    ds_ct_memneq(cfg->accept_secret.bytes, cfg->secret.bytes, cfg->secret.len) == 0)
		return walk_fail(w, f[5].value, "cookie.accept_secret_file", "the same secret as cookie.secret_file");
	cfg->has_accept_secret = true;
	return true;
}

static bool
read_flows(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = { { "capacity", false, NULL, NULL },
			     { "idle_timeout", false, NULL, NULL },
			     { "state_file", false, NULL, NULL } };
	char file[DS_CONFIG_PATH_MAX];
	unsigned long v;

	cfg->flow_capacity = 65536;
	cfg->flow_idle_timeout_s = 60;
	cfg->flow_state_file[0] = '\0';
	if (map == NULL)
		return true;
	if (!walk_map(w, map, "flows", f, 3))
		return false;
	if (f[0].value != NULL) {
		if (!walk_uint(w, f[0].value, "flows.capacity", DS_CONFIG_MIN_FLOWS, DS_CONFIG_MAX_FLOWS, &v))
			return false;
		cfg->flow_capacity = (uint32_t)v;
	}
	if (f[1].value != NULL) {
		if (!walk_uint(w, f[1].value, "flows.idle_timeout", 1, 86400, &v))
			return false;
		cfg->flow_idle_timeout_s = (uint32_t)v;
	}
	/* Only the name is checked here: a missing or refused file means starting empty, not refusing to start. */
	if (f[2].value != NULL) {
		if (!walk_string(w, f[2].value, "flows.state_file", file, sizeof(file)))
			return false;
		if (!config_resolve_path(w->path, file, cfg->flow_state_file, sizeof(cfg->flow_state_file)))
			return walk_fail(w, f[2].value, "flows.state_file", "path too long");
	}
	return true;
}

static bool
read_policy(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	static const char *const choices[] = { "pass", "drop" };
	struct field f[] = {
		{ "non_ip", false, NULL, NULL },
		{ "non_service", false, NULL, NULL },
		{ "ip_fragments", false, NULL, NULL },
		{ "ip_options", false, NULL, NULL },
	};
	enum ds_policy *targets[] = { &cfg->non_ip, &cfg->non_service, &cfg->ip_fragments, &cfg->ip_options };
	unsigned i, v;

	/* A bump in the wire lets ARP and friends through; a router has no business forwarding them. */
	cfg->non_ip = cfg->mode == DS_MODE_INLINE ? DS_POLICY_PASS : DS_POLICY_DROP;
	cfg->non_service = DS_POLICY_PASS;
	cfg->ip_fragments = DS_POLICY_DROP;
	cfg->ip_options = DS_POLICY_DROP;
	if (map == NULL)
		return true;
	if (!walk_map(w, map, "policy", f, 4))
		return false;
	for (i = 0; i < 4; i++) {
		char ctx[32];

		if (f[i].value == NULL)
			continue;
		walk_join(ctx, sizeof(ctx), "policy", f[i].name);
		if (!walk_choice(w, f[i].value, ctx, choices, 2, &v))
			return false;
		*targets[i] = (enum ds_policy)v;
	}
	return true;
}

static bool
read_stats(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = { { "interval", false, NULL, NULL } };
	unsigned long v;

	cfg->stats_interval_s = 1;
	if (map == NULL)
		return true;
	if (!walk_map(w, map, "stats", f, 1))
		return false;
	if (f[0].value != NULL) {
		if (!walk_uint(w, f[0].value, "stats.interval", 0, 3600, &v))
			return false;
		cfg->stats_interval_s = (unsigned)v;
	}
	return true;
}

static bool
read_root(struct walk *w, const struct yaml_node *root, struct ds_config *cfg)
{
	static const char *const modes[] = { "inline", "routed" };
	struct field f[] = {
		{ "eal", false, NULL, NULL },     { "lcores", true, NULL, NULL },  { "mode", false, NULL, NULL },
		{ "ports", true, NULL, NULL },    { "services", true, NULL, NULL }, { "cookie", true, NULL, NULL },
		{ "flows", false, NULL, NULL },   { "policy", false, NULL, NULL }, { "stats", false, NULL, NULL },
		{ "hvr_rate_limit", false, NULL, NULL }, { "blocklist", false, NULL, NULL },
		{ "auto_blocklist", false, NULL, NULL }, { "challenge", false, NULL, NULL },
		{ "metrics", false, NULL, NULL }, { "events", false, NULL, NULL },
		{ "capture", false, NULL, NULL }, { "announce", false, NULL, NULL },
	};
	unsigned mode = DS_MODE_INLINE;

	if (!walk_map(w, root, "(top level)", f, sizeof(f) / sizeof(f[0])))
		return false;
	if (f[2].value != NULL && !walk_choice(w, f[2].value, "mode", modes, 2, &mode))
		return false;
	cfg->mode = (enum ds_deploy_mode)mode;
	return (f[0].value == NULL || read_eal(w, f[0].value, cfg)) && read_lcores(w, f[1].value, cfg) &&
	       read_ports(w, f[3].value, cfg) && config_read_services(w, f[4].value, cfg) &&
	       read_flows(w, f[6].value, cfg) && config_read_hvr_limit(w, f[9].value, cfg) &&
	       config_read_blocklist(w, f[10].value, cfg) && config_read_auto_blocklist(w, f[11].value, cfg) &&
	       config_read_challenge(w, f[12].value, cfg) && read_policy(w, f[7].value, cfg) &&
	       read_stats(w, f[8].value, cfg) && config_read_metrics(w, f[13].value, cfg) &&
	       config_read_events(w, f[14].value, cfg) && config_read_capture(w, f[15].value, cfg) &&
	       config_read_announce(w, f[16].value, cfg) && read_cookie(w, f[5].value, cfg);
}

int
ds_config_load(const char *path, struct ds_config *cfg, char *err, size_t err_len)
{
	struct walk w = { .path = path, .err = err, .err_len = err_len };
	struct yaml_node *root;
	bool ok;

	memset(cfg, 0, sizeof(*cfg));
	root = yaml_tree_load(path, err, err_len);
	if (root == NULL)
		return -1;
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	ok = read_root(&w, root, cfg);
	yaml_tree_free(root);
	if (!ok) {
		/* Nothing half-applied: a refused file leaves nothing behind, the secret least of all. */
		ds_config_clear(cfg);
		memset(cfg, 0, sizeof(*cfg));
		return -1;
	}
	return 0;
}

void
ds_config_clear(struct ds_config *cfg)
{
	ds_secret_wipe(&cfg->secret, sizeof(cfg->secret));
	ds_secret_wipe(&cfg->accept_secret, sizeof(cfg->accept_secret));
}

const char *
ds_deploy_mode_name(enum ds_deploy_mode mode)
{
	return mode == DS_MODE_ROUTED ? "routed" : "inline";
}

const char *
ds_policy_name(enum ds_policy policy)
{
	return policy == DS_POLICY_DROP ? "drop" : "pass";
}

const char *
ds_port_role_name(enum ds_port_role role)
{
	return role == DS_PORT_INSIDE ? "inside" : "outside";
}
