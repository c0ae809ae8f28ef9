/* SPDX-License-Identifier: BSD-3-Clause */
#include "ports.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "events.h"
#include "log.h"
#include "rss.h"

/* The checksum offloads the HVR writer can use. */
#define HVR_TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

enum { RETA_MAX = RTE_ETH_RSS_RETA_SIZE_512 * 2 };

static bool
has_udp_rss(const struct rte_eth_dev_info *info)
{
	return (info->flow_type_rss_offloads & (RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)) != 0;
}

/* Find a port and check it can carry the workers: a queue pair each, and flows kept on one worker. */
static int
probe_one(const struct ds_config *cfg, enum ds_port_role role, uint16_t *port, struct rte_eth_dev_info *info,
	  char *err, size_t err_len)
{
	const struct ds_port_config *pc = &cfg->ports[role];
	const char *rname = ds_port_role_name(role);
	int rc;

	if (rte_eth_dev_get_port_by_name(pc->name, port) != 0) {
		snprintf(err, err_len, "port %s: no DPDK device named '%s' (is the driver present, the "
			 "interface up?)", rname, pc->name);
		return -1;
	}
	rc = rte_eth_dev_info_get(*port, info);
	if (rc != 0) {
		snprintf(err, err_len, "port %s (%s): %s", rname, pc->name, rte_strerror(-rc));
		return -1;
	}
	/* One queue pair per worker: a flow's packets must always meet the same flow table. */
	if (info->max_rx_queues < cfg->n_workers || info->max_tx_queues < cfg->n_workers) {
		snprintf(err, err_len, "port %s (%s) has %u RX / %u TX queues, %u workers need one each "
			 "(af_packet: qpairs=%u)", rname, pc->name, info->max_rx_queues, info->max_tx_queues,
			 cfg->n_workers, cfg->n_workers);
		return -1;
	}
	/*
	 * Without RSS every frame lands on queue 0: one worker does all the work while the others idle,
	 * which nobody asked for. Only the operator can say the driver spreads flows well by itself.
	 */
	if (cfg->n_workers > 1 && pc->rss == DS_RSS_SYMMETRIC && !has_udp_rss(info)) {
		snprintf(err, err_len, "port %s (%s, driver %s): %u workers need RSS over UDP to share the traffic, "
			 "and this port offers none; use one worker, or set ports.%s.rss: driver if the driver "
			 "spreads flows over its queues itself and keeps each flow on one queue", rname, pc->name,
			 info->driver_name, cfg->n_workers, rname);
		return -1;
	}
	return 0;
}

/* Hash UDP flows with the symmetric key: a client's frames and its server's answers share a queue index. */
static void
rss_conf(struct rte_eth_conf *conf, const struct rte_eth_dev_info *info, uint8_t *key)
{
	const size_t key_len = info->hash_key_size != 0 && info->hash_key_size <= DS_RSS_KEY_MAX ? info->hash_key_size : 40;

	ds_rss_symmetric_key(key, key_len);
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_key = key;
	conf->rx_adv_conf.rss_conf.rss_key_len = (uint8_t)key_len;
	conf->rx_adv_conf.rss_conf.rss_hf = info->flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
}

/* The same queue for the same hash on both ports, whatever their table sizes. */
static int
program_reta(uint16_t port, uint16_t reta_size, unsigned common_size, unsigned n_queues)
{
	struct rte_eth_rss_reta_entry64 reta[RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	unsigned e;

	if (reta_size == 0 || reta_size > RETA_MAX)
		return reta_size == 0 ? 0 : -EINVAL;
	memset(reta, 0, sizeof(reta));
	for (e = 0; e < reta_size; e++) {
		reta[e / RTE_ETH_RETA_GROUP_SIZE].mask |= UINT64_C(1) << (e % RTE_ETH_RETA_GROUP_SIZE);
		reta[e / RTE_ETH_RETA_GROUP_SIZE].reta[e % RTE_ETH_RETA_GROUP_SIZE] =
			ds_rss_reta_queue(e, common_size, n_queues);
	}
	return rte_eth_dev_rss_reta_update(port, reta, reta_size);
}

static int
start_one(const struct ds_config *cfg, enum ds_port_role role, uint16_t port, const struct rte_eth_dev_info *info,
	  unsigned common_reta, struct rte_mempool *pool, struct ds_ports *ports, char *err, size_t err_len)
{
	const struct ds_port_config *pc = &cfg->ports[role];
	const char *rname = ds_port_role_name(role);
	uint8_t key[DS_RSS_KEY_MAX];
	struct rte_eth_conf conf;
	uint16_t rx_desc = pc->rx_desc, tx_desc = pc->tx_desc, q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	if (cfg->n_workers > 1 && has_udp_rss(info)) {
		rss_conf(&conf, info, key);
		ports->rss[role] = true;
	}
	conf.txmode.offloads = info->tx_offload_capa & HVR_TX_OFFLOADS;
	if (pc->mtu != 0) {
		if (pc->mtu > info->max_mtu || pc->mtu < info->min_mtu) {
			snprintf(err, err_len, "port %s (%s): mtu %u is outside what the driver %s allows (%u..%u)", rname,
				 pc->name, pc->mtu, info->driver_name, info->min_mtu, info->max_mtu);
			return -1;
		}
		conf.rxmode.mtu = pc->mtu;
	}
	ports->tx_offloads[role] = conf.txmode.offloads;
	rc = rte_eth_dev_configure(port, (uint16_t)cfg->n_workers, (uint16_t)cfg->n_workers, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rx_desc, &tx_desc);
	for (q = 0; rc == 0 && q < cfg->n_workers; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rx_desc, rte_eth_dev_socket_id(port), NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, tx_desc, rte_eth_dev_socket_id(port), NULL);
	}
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc == 0 && ports->rss[role])
		rc = program_reta(port, info->reta_size, common_reta, cfg->n_workers);
	if (rc != 0) {
		snprintf(err, err_len, "port %s (%s): %s", rname, pc->name, rte_strerror(rc < 0 ? -rc : rc));
		return -1;
	}
	/* Inline, frames are addressed to the hosts behind us, not to us. */
	if (cfg->mode == DS_MODE_INLINE)
		rte_eth_promiscuous_enable(port);
	rte_eth_macaddr_get(port, &ports->mac[role]);
	snprintf(ports->driver[role], sizeof(ports->driver[role]), "%s", info->driver_name);
	ports->id[role] = port;
	ports->started[role] = true;
	return 0;
}

int
ds_ports_start(const struct ds_config *cfg, struct rte_mempool *pool, struct ds_ports *ports, char *err,
	       size_t err_len)
{
	struct rte_eth_dev_info info[DS_PORT_COUNT];
	uint16_t id[DS_PORT_COUNT];
	unsigned r, common_reta = 0;

	memset(ports, 0, sizeof(*ports));
	for (r = 0; r < DS_PORT_COUNT; r++) {
		if (probe_one(cfg, (enum ds_port_role)r, &id[r], &info[r], err, err_len) != 0)
			return -1;
		if (info[r].reta_size != 0 && (common_reta == 0 || info[r].reta_size < common_reta))
			common_reta = info[r].reta_size;
	}
	for (r = 0; r < DS_PORT_COUNT; r++) {
		if (start_one(cfg, (enum ds_port_role)r, id[r], &info[r], common_reta, pool, ports, err, err_len) != 0) {
			ds_ports_stop(ports);
			return -1;
		}
	}
	return 0;
}

void
ds_ports_watch_links(struct ds_ports *ports)
{
	unsigned r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		struct rte_eth_link link;

		if (!ports->started[r] || rte_eth_link_get_nowait(ports->id[r], &link) != 0)
			continue;
		if (ports->link_known[r] && link.link_status == ports->link_up[r])
			continue;
		if (link.link_status) {
			DS_LOG(NOTICE, "port %s (%s): link up, %u Mb/s, %s duplex", ds_port_role_name((enum ds_port_role)r),
			       ports->driver[r], link.link_speed, link.link_duplex ? "full" : "half");
			ds_event(DS_EVENT_NOTICE, "link_up", "\"port\":\"%s\",\"speed_mbps\":%u,\"duplex\":\"%s\"",
				 ds_port_role_name((enum ds_port_role)r), link.link_speed, link.link_duplex ? "full" : "half");
		} else {
			DS_LOG(NOTICE, "port %s (%s): link down", ds_port_role_name((enum ds_port_role)r), ports->driver[r]);
			ds_event(DS_EVENT_WARNING, "link_down", "\"port\":\"%s\"", ds_port_role_name((enum ds_port_role)r));
		}
		ports->link_known[r] = true;
		ports->link_up[r] = link.link_status;
	}
}

void
ds_ports_stop(const struct ds_ports *ports)
{
	unsigned r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		if (!ports->started[r])
			continue;
		rte_eth_dev_stop(ports->id[r]);
		rte_eth_dev_close(ports->id[r]);
	}
}
