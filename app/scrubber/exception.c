/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_tap rather than virtio-user: virtio-user's exception path needs vhost-net (/dev/vhost-net),
 * which not every host has (virtual machines and containers often lack it), while a tap needs only
 * /dev/net/tun; net_tap takes the MAC it must show (`mac=`), and the kernel side is an ordinary
 * interface that BIRD, FRR, ping and tcpdump use as they are. Its cost, a system call per frame, is
 * paid here on a control thread, for control traffic that the workers rate-limit before it gets here.
 */
#include "exception.h"

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "ds_wire.h"
#include "log.h"
#include "netlink.h"
#include "workers.h"

enum {
	RING_SIZE = 1024,   /* frames in flight per worker toward the kernel, and per port from it */
	TAP_DESC = 512,
	BURST = 32,
	IDLE_SLEEP_US = 500, /* an idle turn's nap: control traffic waits at most this long */
};

static struct ds_exception *telemetry_ex;

static int
role_of(const struct ds_exception *ex, uint16_t port)
{
	return port == ex->data_port[DS_PORT_INSIDE] && ex->has[DS_PORT_INSIDE] ? DS_PORT_INSIDE : DS_PORT_OUTSIDE;
}

static void
add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* The data port's tag is the link's business: the kernel interface is the VLAN's interface. */
static void
untag(struct rte_mbuf *m, uint16_t vlan)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t vid;

	if (vlan == 0 || !ds_vlan_outer(frame, rte_pktmbuf_data_len(m), &vid) || vid != vlan)
		return;
	ds_vlan_remove(frame);
	rte_pktmbuf_adj(m, DS_VLAN_TAG_LEN);
}

static bool
tag(struct rte_mbuf *m, uint16_t vlan)
{
	uint8_t *frame;

	if (vlan == 0)
		return true;
	frame = (uint8_t *)rte_pktmbuf_prepend(m, DS_VLAN_TAG_LEN);
	if (frame == NULL || rte_pktmbuf_data_len(m) < DS_ETH_HDR_LEN + DS_VLAN_TAG_LEN)
		return false;
	ds_vlan_insert(frame, vlan);
	return true;
}

/* Workers' frames to the kernel interfaces. */
static unsigned
to_kernel(struct ds_exception *ex)
{
	unsigned moved = 0, i, k;

	for (i = 0; i < ex->n_workers; i++) {
		struct rte_mbuf *pkts[BURST], *by_role[DS_PORT_COUNT][BURST];
		unsigned n = rte_ring_sc_dequeue_burst(ex->to_kernel[i], (void **)pkts, BURST, NULL), r;
		uint16_t n_role[DS_PORT_COUNT] = { 0 };

		for (k = 0; k < n; k++) {
			r = (unsigned)role_of(ex, pkts[k]->port);
			untag(pkts[k], ex->vlan[r]);
			by_role[r][n_role[r]++] = pkts[k];
		}
		for (r = 0; r < DS_PORT_COUNT; r++) {
			uint16_t sent;

			if (n_role[r] == 0)
				continue;
			sent = rte_eth_tx_burst(ex->tap[r], 0, by_role[r], n_role[r]);
			add(&ex->to_tap[r], sent);
			if (sent < n_role[r]) {
				add(&ex->tap_refused[r], n_role[r] - sent);
				rte_pktmbuf_free_bulk(by_role[r] + sent, n_role[r] - sent);
			}
		}
		moved += n;
	}
	return moved;
}

/* The kernel's frames, to worker 0 for its queue of the data port. */
static unsigned
from_kernel(struct ds_exception *ex)
{
	unsigned moved = 0, r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		struct rte_mbuf *pkts[BURST], *ok[BURST];
		uint16_t n, n_ok = 0, k;
		unsigned queued;

		if (!ex->has[r])
			continue;
		n = rte_eth_rx_burst(ex->tap[r], 0, pkts, BURST);
		for (k = 0; k < n; k++) {
			if (tag(pkts[k], ex->vlan[r]))
				ok[n_ok++] = pkts[k];
			else
				rte_pktmbuf_free(pkts[k]);
		}
		queued = rte_ring_sp_enqueue_burst(ex->from_kernel[r], (void **)ok, n_ok, NULL);
		add(&ex->from_tap[r], n);
		if (queued < n_ok)
			rte_pktmbuf_free_bulk(ok + queued, n_ok - queued);
		add(&ex->from_tap_lost[r], n - queued);
		moved += n;
	}
	return moved;
}

static void *
pump(void *arg)
{
	struct ds_exception *ex = arg;

	while (!ex->stop) {
		if (to_kernel(ex) + from_kernel(ex) == 0) {
			const struct timespec nap = { .tv_nsec = IDLE_SLEEP_US * 1000L };

			nanosleep(&nap, NULL);
		}
	}
	return NULL;
}

/* The kernel interface of one port: a tap with the port's MAC, up, with the control addresses. */
static int
create_tap(struct ds_exception *ex, const struct ds_config *cfg, const struct ds_ports *ports, enum ds_port_role r,
	   struct rte_mempool *pool, int nl, char *err, size_t err_len)
{
	const struct ds_port_config *pc = &cfg->ports[r];
	const uint8_t *mac = ports->mac[r].addr_bytes;
	struct rte_eth_conf conf;
	char name[32], args[96];
	unsigned i;
	int rc;

	snprintf(name, sizeof(name), "net_tap_ds%s", ds_port_role_name(r));
	snprintf(args, sizeof(args), "iface=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x", pc->kernel_interface, mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	rc = rte_vdev_init(name, args);
	if (rc == 0)
		rc = rte_eth_dev_get_port_by_name(name, &ex->tap[r]);
	if (rc != 0) {
		snprintf(err, err_len, "ports.%s.kernel_interface %s: the tap cannot be made (%s; is /dev/net/tun "
			 "there, the name free?)", ds_port_role_name(r), pc->kernel_interface, rte_strerror(-rc));
		return -1;
	}
	ex->has[r] = true;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(ex->tap[r], 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(ex->tap[r], 0, TAP_DESC, rte_eth_dev_socket_id(ex->tap[r]), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(ex->tap[r], 0, TAP_DESC, rte_eth_dev_socket_id(ex->tap[r]), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(ex->tap[r]);
	ex->ifindex[r] = if_nametoindex(pc->kernel_interface);
	if (rc != 0 || ex->ifindex[r] == 0) {
		snprintf(err, err_len, "ports.%s.kernel_interface %s: %s", ds_port_role_name(r), pc->kernel_interface,
			 rc != 0 ? rte_strerror(-rc) : "the interface vanished");
		return -1;
	}
	snprintf(ex->ifname[r], sizeof(ex->ifname[r]), "%s", pc->kernel_interface);
	ex->data_port[r] = ports->id[r];
	ex->vlan[r] = pc->vlan;
	for (i = 0; i < pc->control.n4 + pc->control.n6; i++) {
		const bool v4 = i < pc->control.n4;
		const unsigned k = v4 ? i : i - pc->control.n4;

		rc = ds_netlink_add_address(nl, ex->ifindex[r], v4 ? 4 : 6, v4 ? pc->control.v4[k] : pc->control.v6[k],
					    v4 ? pc->control_plen4[k] : pc->control_plen6[k]);
		if (rc != 0 && rc != -EEXIST) {
			snprintf(err, err_len, "ports.%s.control_address: cannot put address %u on %s: %s",
				 ds_port_role_name(r), i + 1, pc->kernel_interface, strerror(-rc));
			return -1;
		}
	}
	DS_LOG(NOTICE, "port %s: kernel interface %s (ifindex %u), %u control address%s", ds_port_role_name(r),
	       pc->kernel_interface, ex->ifindex[r], pc->control.n4 + pc->control.n6,
	       pc->control.n4 + pc->control.n6 == 1 ? "" : "es");
	return 0;
}

static int
create_rings(struct ds_exception *ex, const struct ds_config *cfg, char *err, size_t err_len)
{
	char name[RTE_RING_NAMESIZE];
	unsigned i;

	ex->to_kernel = calloc(cfg->n_workers, sizeof(*ex->to_kernel));
	if (ex->to_kernel == NULL) {
		snprintf(err, err_len, "exception path: out of memory");
		return -1;
	}
	ex->n_workers = cfg->n_workers;
	for (i = 0; i < cfg->n_workers; i++) {
		snprintf(name, sizeof(name), "ds_to_kernel_%u", i);
		ex->to_kernel[i] = rte_ring_create(name, RING_SIZE, (int)rte_lcore_to_socket_id(cfg->workers[i]),
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ex->to_kernel[i] == NULL) {
			snprintf(err, err_len, "exception path: ring of worker %u: %s", i, rte_strerror(rte_errno));
			return -1;
		}
	}
	for (i = 0; i < DS_PORT_COUNT; i++) {
		if (!ex->has[i])
			continue;
		snprintf(name, sizeof(name), "ds_from_kernel_%u", i);
		ex->from_kernel[i] = rte_ring_create(name, RING_SIZE, (int)rte_lcore_to_socket_id(cfg->workers[0]),
						     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ex->from_kernel[i] == NULL) {
			snprintf(err, err_len, "exception path: ring from the kernel: %s", rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

int
ds_exception_create(struct ds_exception *ex, const struct ds_config *cfg, const struct ds_ports *ports,
		    struct rte_mempool *pool, char *err, size_t err_len)
{
	unsigned r;
	int nl, rc = 0;

	memset(ex, 0, sizeof(*ex));
	for (r = 0; r < DS_PORT_COUNT; r++)
		ex->enabled |= cfg->ports[r].kernel_interface[0] != '\0';
	if (!ex->enabled)
		return 0;
	nl = ds_netlink_open();
	if (nl < 0) {
		snprintf(err, err_len, "exception path: no route socket: %s", strerror(-nl));
		return -1;
	}
	for (r = 0; r < DS_PORT_COUNT && rc == 0; r++)
		if (cfg->ports[r].kernel_interface[0] != '\0')
			rc = create_tap(ex, cfg, ports, (enum ds_port_role)r, pool, nl, err, err_len);
	ds_netlink_close(nl);
	return rc == 0 ? create_rings(ex, cfg, err, err_len) : -1;
}

void
ds_exception_attach(struct ds_exception *ex, struct ds_workers *ws)
{
	unsigned i, r;

	if (!ex->enabled)
		return;
	for (i = 0; i < ws->n; i++)
		ws->worker[i]->to_kernel = ex->to_kernel[i];
	for (r = 0; r < DS_PORT_COUNT; r++)
		ws->worker[0]->from_kernel[r] = ex->from_kernel[r];
}

int
ds_exception_start(struct ds_exception *ex)
{
	int rc;

	if (!ex->enabled)
		return 0;
	rc = rte_ctrl_thread_create(&ex->thread, "ds-exception", NULL, pump, ex);
	if (rc == 0)
		ex->running = true;
	return -rc;
}

static void
free_ring(struct rte_ring *ring)
{
	struct rte_mbuf *m;

	if (ring == NULL)
		return;
	while (rte_ring_sc_dequeue(ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(ring);
}

void
ds_exception_free(struct ds_exception *ex)
{
	unsigned i;

	if (ex->running) {
		ex->stop = true;
		pthread_join(ex->thread, NULL);
		ex->running = false;
	}
	for (i = 0; i < DS_PORT_COUNT; i++) {
		free_ring(ex->from_kernel[i]);
		if (ex->has[i]) {
			rte_eth_dev_stop(ex->tap[i]);
			rte_eth_dev_close(ex->tap[i]);
		}
	}
	for (i = 0; ex->to_kernel != NULL && i < ex->n_workers; i++)
		free_ring(ex->to_kernel[i]);
	free(ex->to_kernel);
	memset(ex, 0, sizeof(*ex));
}

static int
kernel_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ds_exception *ex = telemetry_ex;
	unsigned r;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "enabled", ex->enabled);
	for (r = 0; r < DS_PORT_COUNT; r++) {
		struct rte_tel_data *p;

		if (!ex->has[r] || (p = rte_tel_data_alloc()) == NULL)
			continue;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_string(p, "interface", ex->ifname[r]);
		rte_tel_data_add_dict_u64(p, "ifindex", ex->ifindex[r]);
		rte_tel_data_add_dict_u64(p, "to_tap", __atomic_load_n(&ex->to_tap[r], __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(p, "tap_refused", __atomic_load_n(&ex->tap_refused[r], __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(p, "from_tap", __atomic_load_n(&ex->from_tap[r], __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(p, "from_tap_lost", __atomic_load_n(&ex->from_tap_lost[r], __ATOMIC_RELAXED));
		rte_tel_data_add_dict_container(d, ds_port_role_name((enum ds_port_role)r), p, 0);
	}
	return 0;
}

int
ds_exception_register_telemetry(struct ds_exception *ex)
{
	telemetry_ex = ex;
	return rte_telemetry_register_cmd("/dtls_scrubber/kernel", kernel_cmd,
					  "The kernel interfaces of the exception path and their counters. No parameters.");
}

unsigned
ds_exception_pool_need(const struct ds_config *cfg)
{
	unsigned r, n = 0;

	for (r = 0; r < DS_PORT_COUNT; r++)
		if (cfg->ports[r].kernel_interface[0] != '\0')
			n += 2 * TAP_DESC + RING_SIZE + BURST;
	return n == 0 ? 0 : n + cfg->n_workers * RING_SIZE;
}
