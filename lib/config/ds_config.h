/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_CONFIG_H
#define DS_CONFIG_H

/**
 * @file
 * The appliance's configuration: one YAML file, read whole, validated whole, then handed over as one
 * struct. Any error refuses the file with "PATH:LINE:COL: key.path: what is wrong (expected ...)";
 * nothing is applied from a file that has one. The schema is in docs/configuration.md.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "ds_blocklist.h"
#include "ds_challenge.h"
#include "ds_cookie.h"
#include "ds_local.h"
#include "ds_secret.h"
#include "ds_service.h"

/** Limits of the configuration. */
enum ds_config_limits {
	DS_CONFIG_MAX_LCORES = 128,     /**< RTE_MAX_LCORE of Debian's DPDK */
	DS_CONFIG_MAX_EAL_ARGS = 32,
	DS_CONFIG_ARG_MAX = 256,        /**< one EAL argument or device string */
	DS_CONFIG_PATH_MAX = PATH_MAX,
	DS_CONFIG_MAX_BLOCKLIST = 1024, /**< prefixes in the file; more can be added at run time */
	DS_CONFIG_MAX_AUTO_LISTED = 65536, /**< sources listed automatically at once */
	DS_CONFIG_MIN_FLOWS = 1024,
	DS_CONFIG_MAX_FLOWS = 1 << 26,  /**< per worker */
	DS_CONFIG_MIN_DESC = 32,
	DS_CONFIG_MAX_DESC = 16384,
};

/** How the appliance sits between its ports. */
enum ds_deploy_mode {
	DS_MODE_INLINE, /**< bump in the wire: frames pass unchanged, non-IP too */
	DS_MODE_ROUTED, /**< next-hop MAC rewrite, TTL / hop-limit decrement */
};

/** What happens to traffic of a kind. */
enum ds_policy {
	DS_POLICY_PASS,
	DS_POLICY_DROP,
};

/** Port roles. */
enum ds_port_role {
	DS_PORT_OUTSIDE, /**< clients */
	DS_PORT_INSIDE,  /**< protected servers */
	DS_PORT_COUNT
};

/** How frames of a port are spread over the workers' queues. */
enum ds_rss_mode {
	DS_RSS_SYMMETRIC, /**< the NIC hashes UDP flows with a symmetric key (required for several workers) */
	DS_RSS_DRIVER,    /**< the operator vouches that the driver keeps each flow on one queue */
};

/** One port. */
struct ds_port_config {
	char device[DS_CONFIG_ARG_MAX]; /**< PCI address or virtual device with its arguments */
	char name[DS_CONFIG_ARG_MAX];   /**< DPDK's name for it: the PCI address or the vdev name */
	bool is_pci;
	bool has_next_hop;
	uint8_t next_hop_mac[6];        /**< routed mode: where frames leaving this port go */
	uint8_t next_hop_ip_version;    /**< routed mode, instead: 4 or 6 when next_hop names an address ... */
	uint8_t next_hop_ip[16];        /**< ... whose MAC the kernel interface resolves (0 = next_hop_mac) */
	uint16_t rx_desc;
	uint16_t tx_desc;
	enum ds_rss_mode rss;
	/* The appliance as a host on this port's network (docs/deploying.md, "In a scrubbing network"). */
	char kernel_interface[16];      /**< the kernel interface of the exception path ("" = none) */
	struct ds_local_addrs control;  /**< control addresses: ARP, ND and their traffic go to the kernel */
	uint8_t control_plen4[DS_LOCAL_ADDR_MAX]; /**< ... their prefix lengths on the kernel interface */
	uint8_t control_plen6[DS_LOCAL_ADDR_MAX];
	uint32_t kernel_rate;           /**< frames per second to the kernel interface (and burst) */
	uint16_t vlan;                  /**< 802.1Q VLAN ID frames leaving this port carry; 0 = untagged */
	uint16_t mtu;                   /**< the port's MTU (IP packet bytes); 0 = the driver's default */
};

/** Limits of the network settings. */
enum ds_network_limits {
	DS_CONFIG_MAX_ANNOUNCE = 32,   /**< announced prefixes */
	DS_CONFIG_MIN_MTU = 1280,      /**< IPv6's minimum */
	DS_CONFIG_MAX_MTU = 9600,
};

/** Routes kept in a kernel table while the appliance is healthy, for a routing daemon to announce. */
struct ds_announce_config {
	bool enabled;
	uint32_t table;                /**< kernel routing table (1..4294967295, not 253-255) */
	struct ds_prefix prefixes[DS_CONFIG_MAX_ANNOUNCE];
	unsigned n_prefixes;
	uint32_t withdraw_wait_ms;     /**< a clean stop keeps the exception path this long after withdrawing */
};

/** What the appliance does with ClientHellos that offer DTLS 1.3, per service (docs/dtls13.md). */
enum ds_dtls13_policy {
	DS_DTLS13_HVR_DOWNGRADE, /**< HVR if they also offer DTLS 1.2, else drop: DTLS 1.2 servers (default) */
	DS_DTLS13_PASS_LIMITED,  /**< to the server, which runs its own HRR exchange, at the HVR rate limit */
	DS_DTLS13_DROP,          /**< drop every ClientHello that offers DTLS 1.3 */
	DS_DTLS13_POLICY_COUNT
};

/** The configuration's word for a policy ("hvr-downgrade", "pass-limited", "drop"). */
const char *ds_dtls13_policy_name(enum ds_dtls13_policy p);

/** What a challenged QUIC service's appliance does with long headers of versions other than 1 and 2. */
enum ds_quic_other_policy {
	DS_QUIC_OTHER_VERSION_NEGOTIATION, /**< answer with Version Negotiation (v1, v2), rate-limited (default) */
	DS_QUIC_OTHER_DROP,                /**< drop them */
	DS_QUIC_OTHER_POLICY_COUNT
};

/** The configuration's word for it ("version-negotiation", "drop"). */
const char *ds_quic_other_policy_name(enum ds_quic_other_policy p);

/** The drop capture (capture:, docs/operations.md). */
struct ds_capture_config {
	char file[DS_CONFIG_PATH_MAX]; /**< pcapng file, resolved; "" = no capture */
	uint32_t sample_every;         /**< 1 in N dropped frames at start; 0 = off until switched on */
	uint32_t max_mb;               /**< the file stops growing at this size */
};

/** The Prometheus endpoint (metrics:, docs/operations.md). */
struct ds_metrics_config {
	bool enabled;             /**< metrics.listen was given; absent, nothing listens */
	struct ds_service listen; /**< its address and TCP port (ip_version 4 or 6; protocol unused) */
};

/** The whole configuration. */
struct ds_config {
	char path[DS_CONFIG_PATH_MAX];
	char eal_args[DS_CONFIG_MAX_EAL_ARGS][DS_CONFIG_ARG_MAX];
	unsigned n_eal_args;
	unsigned main_lcore;
	unsigned workers[DS_CONFIG_MAX_LCORES];
	unsigned n_workers;
	enum ds_deploy_mode mode;
	struct ds_port_config ports[DS_PORT_COUNT];
	struct ds_service_set services;
	enum ds_dtls13_policy dtls13[DS_SERVICE_MAX]; /**< per service, by its index in services */
	enum ds_quic_other_policy quic_other[DS_SERVICE_MAX]; /**< per QUIC service, by its index */
	struct ds_tunnel tunnel[DS_SERVICE_MAX]; /**< per service: GRE toward its site (ip_version 0 = none) */
	struct ds_announce_config announce;   /**< health-driven routes for BGP */
	char secret_file[DS_CONFIG_PATH_MAX];  /**< as resolved (relative to the config file) */
	struct ds_secret secret;               /**< loaded and checked at load time */
	char accept_secret_file[DS_CONFIG_PATH_MAX]; /**< a rotation's other master ("" = none), resolved */
	bool has_accept_secret;
	struct ds_secret accept_secret;        /**< accepted, never used to make cookies */
	struct ds_cookie_params cookie;
	uint32_t flow_capacity;                /**< verified flows per worker */
	uint32_t flow_idle_timeout_s;
	char flow_state_file[DS_CONFIG_PATH_MAX]; /**< flows kept across a restart ("" = none), resolved */
	struct {
		uint32_t per_prefix;           /**< HVRs per second per destination prefix and worker, 0 = off */
		uint32_t burst;
		uint8_t ipv4_prefix;
		uint8_t ipv6_prefix;
		uint32_t entries;              /**< prefixes tracked per worker (a power of two) */
	} hvr_limit;
	struct ds_prefix blocklist[DS_CONFIG_MAX_BLOCKLIST];  /**< sources dropped before any work */
	unsigned n_blocklist;
	struct {
		uint32_t bad_cookies;          /**< bad cookies a source may send before it is listed, 0 = off */
		uint32_t forgive_per_s;        /**< ... of which this many per second are forgiven */
		uint8_t ipv4_prefix;           /**< what is listed: the source's prefix of this length */
		uint8_t ipv6_prefix;
		uint32_t duration_s;           /**< how long an automatic entry stays */
		uint32_t entries;              /**< sources tracked per worker (a power of two) */
		uint32_t max_listed;           /**< automatic entries at once */
	} auto_blocklist;
	struct ds_challenge_params challenge;  /**< always, or only under attack */
	enum ds_policy non_ip;
	enum ds_policy non_service;
	enum ds_policy ip_fragments;
	enum ds_policy ip_options;
	unsigned stats_interval_s;             /**< live summary period, 0 = none */
	struct ds_metrics_config metrics;      /**< the Prometheus endpoint */
	uint32_t events_rate;                  /**< events per second (and burst), events.rate */
	struct ds_capture_config capture;      /**< the drop capture */
};

/**
 * Read, validate and return a configuration, including the cookie secret file it names.
 *
 * @param cfg
 *   Filled only on success (zeroed first).
 * @param err
 *   On failure: "PATH:LINE:COL: key.path: what is wrong", or "PATH: ..." when the file cannot be read.
 * @return
 *   0, or -1.
 */
int ds_config_load(const char *path, struct ds_config *cfg, char *err, size_t err_len);

/**
 * What differs between a running configuration and a new one among the parts a reload cannot change
 * (EAL, lcores, ports, cookie format, table sizes...: docs/operations.md).
 *
 * @param out
 *   Their names, comma-separated ("" when none).
 * @return
 *   0 when the new configuration can be applied to the running appliance.
 */
size_t ds_config_frozen_diff(const struct ds_config *running, const struct ds_config *next, char *out, size_t len);

/** Wipe the secret held by a configuration. */
void ds_config_clear(struct ds_config *cfg);

/** "inline" / "routed". */
const char *ds_deploy_mode_name(enum ds_deploy_mode mode);

/** "pass" / "drop". */
const char *ds_policy_name(enum ds_policy policy);

/** "outside" / "inside". */
const char *ds_port_role_name(enum ds_port_role role);

#endif /* DS_CONFIG_H */
