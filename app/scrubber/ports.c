/* SPDX-License-Identifier: BSD-3-Clause */
#include "ports.h"

#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

/* The checksum offloads the HVR writer can use. */
#define HVR_TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

static int
start_one(const struct ds_config *cfg, enum ds_port_role role, struct rte_mempool *pool, struct ds_ports *ports,
	  char *err, size_t err_len)
{
	const struct ds_port_config *pc = &cfg->ports[role];
	const char *rname = ds_port_role_name(role);
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t port, rx_desc = pc->rx_desc, tx_desc = pc->tx_desc, q;
	int rc;

	if (rte_eth_dev_get_port_by_name(pc->name, &port) != 0) {
		snprintf(err, err_len, "port %s: no DPDK device named '%s' (is the driver present, the "
			 "interface up?)", rname, pc->name);
		return -1;
	}
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0) {
		snprintf(err, err_len, "port %s (%s): %s", rname, pc->name, rte_strerror(-rc));
		return -1;
	}
	/* One queue pair per worker: a flow's packets must always meet the same flow table. */
	if (info.max_rx_queues < cfg->n_workers || info.max_tx_queues < cfg->n_workers) {
		snprintf(err, err_len, "port %s (%s) has %u RX / %u TX queues, %u workers need one each "
			 "(af_packet: qpairs=%u)", rname, pc->name, info.max_rx_queues, info.max_tx_queues,
			 cfg->n_workers, cfg->n_workers);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	if (cfg->n_workers > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_UDP)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
		ports->rss[role] = true;
	}
	conf.txmode.offloads = info.tx_offload_capa & HVR_TX_OFFLOADS;
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
	if (rc != 0) {
		snprintf(err, err_len, "port %s (%s): %s", rname, pc->name, rte_strerror(rc < 0 ? -rc : rc));
		return -1;
	}
	/* Inline, frames are addressed to the hosts behind us, not to us. */
	if (cfg->mode == DS_MODE_INLINE)
		rte_eth_promiscuous_enable(port);
	rte_eth_macaddr_get(port, &ports->mac[role]);
	snprintf(ports->driver[role], sizeof(ports->driver[role]), "%s", info.driver_name);
	ports->id[role] = port;
	return 0;
}

int
ds_ports_start(const struct ds_config *cfg, struct rte_mempool *pool, struct ds_ports *ports, char *err,
	       size_t err_len)
{
	unsigned r;

	memset(ports, 0, sizeof(*ports));
	for (r = 0; r < DS_PORT_COUNT; r++) {
		if (start_one(cfg, (enum ds_port_role)r, pool, ports, err, err_len) != 0) {
			while (r-- > 0) {
				rte_eth_dev_stop(ports->id[r]);
				rte_eth_dev_close(ports->id[r]);
			}
			return -1;
		}
	}
	return 0;
}

void
ds_ports_stop(const struct ds_ports *ports)
{
	unsigned r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		rte_eth_dev_stop(ports->id[r]);
		rte_eth_dev_close(ports->id[r]);
	}
}
