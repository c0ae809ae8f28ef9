/* SPDX-License-Identifier: BSD-3-Clause */
#include "workers.h"

#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "ds_cookie_engine.h"
#include "ds_flow.h"
#include "ds_ratelimit.h"
#include "ds_keyring.h"

uint64_t
ds_workers_clock_ms(void)
{
	return rte_get_tsc_cycles() / (rte_get_tsc_hz() / 1000);
}

/* A token bucket per prefix on the TSC (HVRs per destination, bad cookies per source), keyed at random. */
static struct ds_ratelimit *
prefix_table(uint32_t rate, uint32_t burst, uint8_t ipv4_prefix, uint8_t ipv6_prefix, uint32_t entries)
{
	const struct ds_ratelimit_params p = {
		.rate = rate, .burst = burst, .ipv4_prefix = ipv4_prefix, .ipv6_prefix = ipv6_prefix,
		.entries = entries, .tsc_hz = rte_get_tsc_hz(), .seed = rte_rand(),
	};

	return ds_ratelimit_create(&p);
}

/* One report ring per worker, and the control plane's side. */
static int
create_auto_blocklist(struct ds_workers *ws, const struct ds_config *cfg, unsigned set, char *err, size_t err_len)
{
	unsigned i;

	ws->reports = rte_zmalloc("ds_reports", cfg->n_workers * sizeof(*ws->reports), 0);
	ws->auto_block = rte_zmalloc("ds_auto_blocklist", sizeof(*ws->auto_block), 0);
	if (ws->reports == NULL || ws->auto_block == NULL) {
		snprintf(err, err_len, "auto_blocklist: out of memory");
		return -1;
	}
	for (i = 0; i < cfg->n_workers; i++) {
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof(name), "ds_reports_%u_%u", set, i);
		ws->reports[i] = rte_ring_create_elem(name, sizeof(struct ds_source_report), DS_SOURCE_REPORT_RING,
						      (int)rte_lcore_to_socket_id(cfg->workers[i]),
						      RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ws->reports[i] == NULL) {
			snprintf(err, err_len, "auto_blocklist: report ring of worker %u: %s", i, rte_strerror(rte_errno));
			return -1;
		}
		ws->n_reports = i + 1;
	}
	if (ds_auto_blocklist_init(ws->auto_block, cfg, &ws->blocklist, ws->reports, cfg->n_workers) != 0) {
		snprintf(err, err_len, "auto_blocklist: out of memory for %u entries", cfg->auto_blocklist.max_listed);
		return -1;
	}
	return 0;
}

void
ds_workers_tick(struct ds_workers *ws, uint64_t now_ms)
{
	struct ds_stats total;

	ds_stats_sum(ws->stats, ws->n, &total);
	ds_challenge_update(&ws->challenge, total.service_hellos, now_ms);
	if (ws->auto_block != NULL)
		ds_auto_blocklist_poll(ws->auto_block, now_ms);
}

int
ds_workers_create(struct ds_workers *ws, const struct ds_config *cfg, const struct ds_ports *ports,
		  struct ds_keyring *keyring, const volatile bool *quit, char *err, size_t err_len)
{
	/* DPDK names are process-wide: a second set of workers (tests) needs its own. */
	static unsigned sets;
	const unsigned set = sets++;
	unsigned i, r;

	memset(ws, 0, sizeof(*ws));
	ws->worker = rte_zmalloc("ds_workers", cfg->n_workers * sizeof(*ws->worker), RTE_CACHE_LINE_SIZE);
	ws->stats = rte_zmalloc("ds_stats", cfg->n_workers * sizeof(*ws->stats), RTE_CACHE_LINE_SIZE);
	if (ws->worker == NULL || ws->stats == NULL) {
		snprintf(err, err_len, "out of memory for %u workers", cfg->n_workers);
		return -1;
	}
	if (ds_published_blocklist_init(&ws->blocklist, cfg->blocklist, cfg->n_blocklist, cfg->n_workers, err,
					err_len) != 0)
		return -1;
	ds_challenge_init(&ws->challenge, &cfg->challenge, cfg->services.count, NULL, ds_workers_clock_ms());
	if (cfg->auto_blocklist.bad_cookies != 0 && create_auto_blocklist(ws, cfg, set, err, err_len) != 0)
		return -1;
	for (i = 0; i < cfg->n_workers; i++) {
		struct ds_worker *w = &ws->worker[i];
		const int socket = (int)rte_lcore_to_socket_id(cfg->workers[i]);
		char name[32];
		int reader;

		ws->n = i + 1;
		w->cfg = cfg;
		w->services = &cfg->services;
		w->queue = (uint16_t)i;
		w->lcore = cfg->workers[i];
		for (r = 0; r < DS_PORT_COUNT; r++) {
			w->port[r] = ports->id[r];
			w->tx_offloads[r] = ports->tx_offloads[r];
			w->port_mac[r] = ports->mac[r];
		}
		w->flow_idle_ticks = rte_get_tsc_hz() * cfg->flow_idle_timeout_s;
		w->keyring = keyring;
		reader = ds_keyring_reader_register(keyring);
		w->engine = ds_cookie_engine_create(err, err_len);
		snprintf(name, sizeof(name), "ds_flows_%u_%u", set, i);
		w->flows = ds_flow_table_create(name, cfg->flow_capacity, socket, w->flow_idle_ticks);
		if (reader < 0 || w->engine == NULL || w->flows == NULL) {
			if (reader < 0)
				snprintf(err, err_len, "worker %u: no keyring reader slot left", i);
			else if (w->engine != NULL)
				snprintf(err, err_len, "worker %u: flow table of %u entries: %s", i, cfg->flow_capacity,
					 rte_strerror(rte_errno));
			return -1;
		}
		w->reader = (unsigned)reader;
		if (cfg->hvr_limit.per_prefix != 0 &&
		    (w->hvr_limit = prefix_table(cfg->hvr_limit.per_prefix, cfg->hvr_limit.burst, cfg->hvr_limit.ipv4_prefix,
						 cfg->hvr_limit.ipv6_prefix, cfg->hvr_limit.entries)) == NULL) {
			snprintf(err, err_len, "worker %u: HVR rate limit table of %u prefixes: out of memory", i,
				 cfg->hvr_limit.entries);
			return -1;
		}
		w->stats = &ws->stats[i];
		w->quit = quit;
		w->now = rte_rdtsc();
		w->blocklist = &ws->blocklist;
		w->challenge = &ws->challenge.mask;
		if (ws->auto_block != NULL) {
			w->reports = ws->reports[i];
			w->bad_cookies = prefix_table(cfg->auto_blocklist.forgive_per_s, cfg->auto_blocklist.bad_cookies,
						      cfg->auto_blocklist.ipv4_prefix, cfg->auto_blocklist.ipv6_prefix,
						      cfg->auto_blocklist.entries);
			if (w->bad_cookies == NULL) {
				snprintf(err, err_len, "worker %u: bad-cookie table of %u sources: out of memory", i,
					 cfg->auto_blocklist.entries);
				return -1;
			}
		}
		ds_published_blocklist_reader_online(&ws->blocklist, i);
	}
	return 0;
}

void
ds_workers_launch(const struct ds_workers *ws)
{
	unsigned i;

	for (i = 0; i < ws->n; i++)
		rte_eal_remote_launch(ds_worker_main, &ws->worker[i], ws->worker[i].lcore);
}

void
ds_workers_free(struct ds_workers *ws)
{
	unsigned i;

	if (ws->worker != NULL) {
		for (i = 0; i < ws->n; i++) {
			ds_cookie_engine_destroy(ws->worker[i].engine);
			ds_flow_table_free(ws->worker[i].flows);
			ds_ratelimit_free(ws->worker[i].hvr_limit);
			ds_ratelimit_free(ws->worker[i].bad_cookies);
		}
	}
	if (ws->auto_block != NULL)
		ds_auto_blocklist_free(ws->auto_block);
	rte_free(ws->auto_block);
	for (i = 0; i < ws->n_reports; i++)
		rte_ring_free(ws->reports[i]);
	rte_free(ws->reports);
	rte_free(ws->worker);
	rte_free(ws->stats);
	if (ws->blocklist.qsbr != NULL)
		ds_published_blocklist_free(&ws->blocklist);
	memset(ws, 0, sizeof(*ws));
}
