/* SPDX-License-Identifier: BSD-3-Clause */
#include "workers.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ds_cookie_engine.h"
#include "ds_flow.h"
#include "ds_keyring.h"
#include "ds_ratelimit.h"
#include "events.h"
#include "log.h"

static uint64_t
real_unix_ms(void *arg)
{
	(void)arg;
	return ds_keyring_clock_ms();
}

static uint64_t
tsc_ms(void *arg)
{
	(void)arg;
	return rte_get_tsc_cycles() / (rte_get_tsc_hz() / 1000);
}

const struct ds_clock ds_clock_real = { .unix_ms = real_unix_ms, .monotonic_ms = tsc_ms };

/* The fate of each outcome under the configuration's policies: the worker looks it up per frame. */
static void
fates_of(const struct ds_config *cfg, uint8_t fate[DS_OUT_COUNT], uint8_t local_fallback[DS_OUT_COUNT])
{
	/* What may be for the appliance itself when the outside port has a kernel interface: ARP (not IP),
	 * ICMP and BGP (not UDP), UDP to a control address, neighbour discovery to multicast, and what the
	 * kernel reassembles or reads past options (GRE over IPv6 behind its encapsulation limit). */
	static const enum ds_outcome maybe_local[] = {
		DS_OUT_ETH_NOT_IP, DS_OUT_IP_NOT_UDP, DS_OUT_UDP_NOT_SERVICE, DS_OUT_IPV6_MARTIAN_DESTINATION,
		DS_OUT_IPV6_EXTENSION_HEADER, DS_OUT_IPV4_FRAGMENT, DS_OUT_IPV4_OPTIONS,
	};
	static const struct {
		enum ds_outcome outcome;
		size_t policy; /* offset of the policy in struct ds_config */
	} by_policy[] = {
		{ DS_OUT_UDP_NOT_SERVICE, offsetof(struct ds_config, non_service) },
		{ DS_OUT_IP_NOT_UDP, offsetof(struct ds_config, non_service) },
		{ DS_OUT_ETH_NOT_IP, offsetof(struct ds_config, non_ip) },
		{ DS_OUT_IPV4_FRAGMENT, offsetof(struct ds_config, ip_fragments) },
		{ DS_OUT_IPV4_OPTIONS, offsetof(struct ds_config, ip_options) },
		{ DS_OUT_IPV6_EXTENSION_HEADER, offsetof(struct ds_config, ip_options) },
	};
	size_t i;

	/* Anything not named below is malformed: a new outcome is dropped until someone decides otherwise. */
	memset(fate, DS_FATE_MALFORMED, DS_OUT_COUNT);
	fate[DS_OUT_DTLS_CLIENT_HELLO] = DS_FATE_HELLO;
	fate[DS_OUT_DTLS_CLIENT_HELLO_COOKIE] = DS_FATE_HELLO_COOKIE;
	fate[DS_OUT_DTLS_RECORD] = DS_FATE_RECORD;
	fate[DS_OUT_DTLS_HELLO_FRAGMENT] = DS_FATE_RECORD;
	fate[DS_OUT_QUIC_INITIAL] = DS_FATE_QUIC_INITIAL;
	fate[DS_OUT_QUIC_INITIAL_TOKEN] = DS_FATE_QUIC_INITIAL;
	fate[DS_OUT_QUIC_LONG_HEADER] = DS_FATE_RECORD;
	fate[DS_OUT_QUIC_SHORT_HEADER] = DS_FATE_RECORD;
	fate[DS_OUT_QUIC_OTHER_VERSION] = DS_FATE_QUIC_OTHER_VERSION;
	for (i = 0; i < sizeof(by_policy) / sizeof(by_policy[0]); i++) {
		const enum ds_policy p = *(const enum ds_policy *)((const char *)cfg + by_policy[i].policy);

		fate[by_policy[i].outcome] = p == DS_POLICY_PASS ? DS_FATE_POLICY_PASS : DS_FATE_POLICY_DROP;
	}
	memcpy(local_fallback, fate, DS_OUT_COUNT);
	if (cfg->ports[DS_PORT_OUTSIDE].kernel_interface[0] != '\0')
		for (i = 0; i < sizeof(maybe_local) / sizeof(maybe_local[0]); i++)
			fate[maybe_local[i]] = DS_FATE_LOCAL;
}

/* What a reload may change in the workers, from a configuration. */
static void
live_settings_of(const struct ds_config *cfg, struct ds_live_settings *s)
{
	unsigned r;

	s->services = cfg->services;
	fates_of(cfg, s->fate, s->local_fallback);
	memcpy(s->tunnel, cfg->tunnel, sizeof(s->tunnel));
	/* A next hop given by address keeps what was resolved (ports cannot change at reload). */
	for (r = 0; r < DS_PORT_COUNT; r++)
		if (cfg->ports[r].next_hop_ip_version == 0)
			memcpy(s->next_hop[r], cfg->ports[r].next_hop_mac, 6);
	s->drop_non_ip_inside = cfg->non_ip == DS_POLICY_DROP;
	for (r = 0; r < DS_SERVICE_MAX; r++) {
		s->dtls13[r] = (uint8_t)cfg->dtls13[r];
		s->quic_other[r] = (uint8_t)cfg->quic_other[r];
	}
	s->hvr_rate = cfg->hvr_limit.per_prefix;
	s->hvr_burst = cfg->hvr_limit.burst;
	s->bad_rate = cfg->auto_blocklist.forgive_per_s;
	s->bad_burst = cfg->auto_blocklist.bad_cookies;
	s->flow_idle_s = cfg->flow_idle_timeout_s;
}

/* What the fast path needs of the configuration and no reload changes, copied: the worker never reads
 * struct ds_config (the rest comes with live_settings_of()). */
static void
freeze_config(struct ds_worker *w, const struct ds_config *cfg, const struct ds_ports *ports, unsigned queue)
{
	unsigned r;

	w->fast.routed = cfg->mode == DS_MODE_ROUTED;
	w->fast.cookie_mode = cfg->cookie.mode;
	w->fast.queue = (uint16_t)queue;
	for (r = 0; r < DS_PORT_COUNT; r++) {
		w->fast.port[r] = ports->id[r];
		w->fast.tx_offloads[r] = ports->tx_offloads[r];
		w->fast.port_mac[r] = ports->mac[r];
		memcpy(w->fast.next_hop[r].addr_bytes, cfg->ports[r].next_hop_mac, RTE_ETHER_ADDR_LEN);
		w->fast.kernel[r] = cfg->ports[r].kernel_interface[0] != '\0';
		w->fast.local[r] = cfg->ports[r].control;
		/* Each worker gives the kernel its share of the port's rate. */
		w->fast.kernel_interval[r] =
			w->fast.kernel[r] ? rte_get_tsc_hz() * cfg->n_workers / cfg->ports[r].kernel_rate : 0;
		w->fast.vlan[r] = cfg->ports[r].vlan;
		w->fast.mtu[r] = cfg->ports[r].mtu;
	}
	w->fast.retag = cfg->ports[DS_PORT_OUTSIDE].vlan != cfg->ports[DS_PORT_INSIDE].vlan;
}

/* A token bucket per prefix on the TSC (HVRs per destination, bad cookies per source) on the worker's socket. */
static struct ds_ratelimit *
prefix_table(uint32_t rate, uint32_t burst, uint8_t ipv4_prefix, uint8_t ipv6_prefix, uint32_t entries, int socket)
{
	struct ds_ratelimit_params p = {
		.rate = rate, .burst = burst, .ipv4_prefix = ipv4_prefix, .ipv6_prefix = ipv6_prefix,
		.entries = entries, .tsc_hz = rte_get_tsc_hz(),
	};
	struct ds_ratelimit *rl;
	void *mem;

	/* A key of its own per table and start: bucket collisions learned once are worth nothing later. */
	if (getrandom(p.key, sizeof(p.key), 0) != (ssize_t)sizeof(p.key))
		return NULL;
	mem = rte_zmalloc_socket("ds_ratelimit", ds_ratelimit_size(&p), RTE_CACHE_LINE_SIZE, socket);
	rl = mem != NULL ? ds_ratelimit_init(mem, &p) : NULL;
	if (rl == NULL)
		rte_free(mem);
	memset(p.key, 0, sizeof(p.key));
	return rl;
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

/* The drop capture's copies and the queue that takes them to the control plane, on the worker's socket. */
static int
create_capture_queue(struct ds_worker *w, unsigned set, unsigned i, int socket, char *err, size_t err_len)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "ds_capq_%u_%u", set, i);
	w->captured = rte_ring_create(name, DS_CAPTURE_RING, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "ds_capp_%u_%u", set, i);
	w->capture_pool = rte_pktmbuf_pool_create(name, DS_CAPTURE_POOL, 64, 0, RTE_PKTMBUF_HEADROOM + DS_CAPTURE_SNAPLEN,
						  socket);
	if (w->captured == NULL || w->capture_pool == NULL) {
		snprintf(err, err_len, "worker %u: drop capture queue: %s", i, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* A worker and everything it owns, on its lcore's socket. */
static int
create_worker(struct ds_workers *ws, const struct ds_config *cfg, const struct ds_ports *ports, unsigned set,
	      unsigned i, const volatile bool *quit, char *err, size_t err_len)
{
	const int socket = (int)rte_lcore_to_socket_id(cfg->workers[i]);
	struct ds_worker *w;
	struct ds_stats *stats;
	void *engine_mem;
	char name[32];

	w = ws->worker[i] = rte_zmalloc_socket("ds_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	stats = rte_zmalloc_socket("ds_stats", sizeof(*stats), RTE_CACHE_LINE_SIZE, socket);
	engine_mem = rte_zmalloc_socket("ds_cookie_engine", ds_cookie_engine_size(), RTE_CACHE_LINE_SIZE, socket);
	ws->stats[i] = stats;
	ws->n = i + 1; /* ds_workers_free() frees whatever of it exists */
	if (w == NULL || stats == NULL || engine_mem == NULL) {
		rte_free(engine_mem);
		snprintf(err, err_len, "worker %u: out of memory on socket %d", i, socket);
		return -1;
	}
	freeze_config(w, cfg, ports, i);
	w->lcore = cfg->workers[i];
	w->stats = stats;
	w->quit = quit;
	w->now = rte_rdtsc();
	w->clock_tsc = w->now;
	w->clock_unix_ms = ds_keyring_clock_ms();
	w->tsc_per_ms = rte_get_tsc_hz() / 1000;
	if (getrandom(&w->token_prefix, sizeof(w->token_prefix), 0) != (ssize_t)sizeof(w->token_prefix)) {
		snprintf(err, err_len, "worker %u: no random bytes for QUIC token numbers", i);
		return -1;
	}
	w->view = &ws->view;
	w->reader = i;
	w->engine = ds_cookie_engine_init(engine_mem, err, err_len);
	if (w->engine == NULL) {
		rte_free(engine_mem);
		return -1;
	}
	snprintf(name, sizeof(name), "ds_flows_%u_%u", set, i);
	w->flows = ds_flow_table_create(name, cfg->flow_capacity, socket, rte_get_tsc_hz() * cfg->flow_idle_timeout_s);
	if (w->flows == NULL) {
		snprintf(err, err_len, "worker %u: flow table of %u entries: %s", i, cfg->flow_capacity,
			 rte_strerror(rte_errno));
		return -1;
	}
	if (cfg->hvr_limit.per_prefix != 0 &&
	    (w->hvr_limit = prefix_table(cfg->hvr_limit.per_prefix, cfg->hvr_limit.burst, cfg->hvr_limit.ipv4_prefix,
					 cfg->hvr_limit.ipv6_prefix, cfg->hvr_limit.entries, socket)) == NULL) {
		snprintf(err, err_len, "worker %u: HVR rate limit table of %u prefixes: out of memory", i,
			 cfg->hvr_limit.entries);
		return -1;
	}
	if (ws->auto_block != NULL) {
		w->reports = ws->reports[i];
		w->bad_cookies = prefix_table(cfg->auto_blocklist.forgive_per_s, cfg->auto_blocklist.bad_cookies,
					      cfg->auto_blocklist.ipv4_prefix, cfg->auto_blocklist.ipv6_prefix,
					      cfg->auto_blocklist.entries, socket);
		if (w->bad_cookies == NULL) {
			snprintf(err, err_len, "worker %u: bad-cookie table of %u sources: out of memory", i,
				 cfg->auto_blocklist.entries);
			return -1;
		}
	}
	if (cfg->capture.file[0] != '\0' && create_capture_queue(w, set, i, socket, err, err_len) != 0)
		return -1;
	live_settings_of(cfg, ws->live);
	ds_worker_apply_live(w, ws->live);
	ds_worker_talkers_init(&w->talkers, rte_rdtsc(), rte_get_tsc_hz());
	ws->talker_blocks[i] = &w->talkers;
	/* Online from the start: the tests drive a worker without launching it. */
	ds_view_reader_online(&ws->view, i);
	return 0;
}

int
ds_workers_create(struct ds_workers *ws, const struct ds_config *cfg, const struct ds_ports *ports,
		  struct ds_keyring *keyring, const struct ds_clock *clock, const volatile bool *quit,
		  char *err, size_t err_len)
{
	/* DPDK names are process-wide: a second set of workers (tests) needs its own. */
	static unsigned sets;
	const unsigned set = sets++;
	struct ds_blocklist *first;
	unsigned i;

	memset(ws, 0, sizeof(*ws));
	ws->keyring = keyring;
	ws->epoch_said = ds_cookie_keyset_epoch(ds_keyring_current(keyring));
	ws->clock = clock != NULL ? *clock : ds_clock_real;
	ws->worker = rte_zmalloc("ds_workers", cfg->n_workers * sizeof(*ws->worker), 0);
	ws->stats = rte_zmalloc("ds_stats_blocks", cfg->n_workers * sizeof(*ws->stats), 0);
	ws->live = rte_zmalloc("ds_live_settings", sizeof(*ws->live), 0);
	ws->talker_blocks = rte_zmalloc("ds_talker_blocks", cfg->n_workers * sizeof(*ws->talker_blocks), 0);
	pthread_mutex_init(&ws->talkers.lock, NULL);
	if (ws->worker == NULL || ws->stats == NULL || ws->live == NULL || ws->talker_blocks == NULL) {
		snprintf(err, err_len, "out of memory for %u workers", cfg->n_workers);
		return -1;
	}
	ds_keyring_update(keyring, ds_clock_unix_ms(&ws->clock));
	ds_challenge_init(&ws->challenge, &cfg->challenge, cfg->services.count, NULL,
			  ds_clock_monotonic_ms(&ws->clock));
	if (ds_published_blocklist_first(cfg->blocklist, cfg->n_blocklist, &first, err, err_len) != 0 ||
	    ds_view_init(&ws->view, cfg->n_workers, (int)rte_socket_id(), ds_keyring_current(keyring), first,
			 ws->challenge.mask, err, err_len) != 0)
		return -1;
	ws->view_ready = true;
	ds_published_blocklist_init(&ws->blocklist, &ws->view);
	if (cfg->auto_blocklist.bad_cookies != 0 && create_auto_blocklist(ws, cfg, set, err, err_len) != 0)
		return -1;
	for (i = 0; i < cfg->n_workers; i++)
		if (create_worker(ws, cfg, ports, set, i, quit, err, err_len) != 0)
			return -1;
	return 0;
}

/* A new key set goes out at the epoch's change; if the workers are behind, at the next tick. */
static void
rotate_keys(struct ds_workers *ws, uint64_t unix_ms)
{
	const struct ds_cookie_keyset *ks;
	int rc;

	if (ds_keyring_update(ws->keyring, unix_ms) == 1)
		ws->keys_pending = true;
	if (!ws->keys_pending)
		return;
	ks = ds_keyring_current(ws->keyring);
	rc = ds_view_publish(&ws->view, &(struct ds_view_change){ .keys = ks });
	if (rc == 1) {
		ws->keys_pending = false;
		DS_LOG(INFO, "cookie keys: epoch %" PRIu64 " in force%s", ds_cookie_keyset_epoch(ks),
		       ds_cookie_keyset_accepts_next(ks) ? ", the next one accepted (clock skew window)" : "");
		/* A set that only opens the skew window is not a new epoch. */
		if (ds_cookie_keyset_epoch(ks) != ws->epoch_said) {
			ds_event(DS_EVENT_INFO, "key_epoch", "\"epoch\":%" PRIu64, ds_cookie_keyset_epoch(ks));
			ws->epoch_said = ds_cookie_keyset_epoch(ks);
		}
	}
}

static void
update_challenge(struct ds_workers *ws, uint64_t now_ms)
{
	struct ds_stats total;
	uint64_t before = ws->challenge.mask, mask;
	unsigned s;

	ds_stats_sum(ws->stats, ws->n, &total);
	mask = ds_challenge_update(&ws->challenge, total.service_hellos, now_ms);
	if (ds_view_publish(&ws->view, &(struct ds_view_change){ .set_challenge = true, .challenge = mask }) < 0)
		return; /* published at the next tick: the mask is compared with the view's, not remembered */
	for (s = 0; s < ws->challenge.n_services; s++) {
		char name[DS_SERVICE_TEXT_MAX];

		if (!(((before ^ mask) >> s) & 1))
			continue;
		DS_LOG(NOTICE, "challenge: service %u %s (%" PRIu64 " new ClientHellos/s)", s,
		       (mask >> s) & 1 ? "challenged" : "passed again", ws->challenge.service[s].rate);
		ds_service_format(&ws->live->services.entries[s], name, sizeof(name)); /* the main lcore's own copy */
		ds_event(DS_EVENT_NOTICE, (mask >> s) & 1 ? "challenge_on" : "challenge_off",
			 "\"service\":\"%s\",\"rate\":%" PRIu64, name, ws->challenge.service[s].rate);
	}
}

static void publish_live(struct ds_workers *ws);

void
ds_workers_reload(struct ds_workers *ws, const struct ds_config *cfg)
{
	struct ds_stats total;

	live_settings_of(cfg, ws->live);
	ws->live_pending = true;
	ws->keys_pending = true; /* the keyring may have new masters: publishing the same set costs nothing */
	/* Thresholds apply from the next update; a new mode or service list starts the measure again. */
	if (cfg->challenge.mode != ws->challenge.params.mode || cfg->services.count != ws->challenge.n_services) {
		ds_stats_sum(ws->stats, ws->n, &total);
		ds_challenge_init(&ws->challenge, &cfg->challenge, cfg->services.count, total.service_hellos,
				  ds_clock_monotonic_ms(&ws->clock));
	} else {
		ws->challenge.params = cfg->challenge;
	}
	publish_live(ws);
}

/* A reload's settings go out with the reload, or at the next tick if the workers were behind. */
static void
publish_live(struct ds_workers *ws)
{
	if (ws->live_pending && ds_view_publish(&ws->view, &(struct ds_view_change){ .live = ws->live }) == 1)
		ws->live_pending = false;
}

void
ds_workers_tick(struct ds_workers *ws)
{
	const uint64_t now_ms = ds_clock_monotonic_ms(&ws->clock);

	publish_live(ws);
	rotate_keys(ws, ds_clock_unix_ms(&ws->clock));
	update_challenge(ws, now_ms);
	if (ws->auto_block != NULL)
		ds_auto_blocklist_poll(ws->auto_block, now_ms);
	ds_talkers_collect(&ws->talkers, ws->talker_blocks, ws->n, &ws->talkers_seen);
	ds_view_reclaim(&ws->view);
}

_Static_assert(sizeof(((struct ds_live_settings *)0)->next_hop) == DS_PORT_COUNT * RTE_ETHER_ADDR_LEN,
	       "a next hop per port");

void
ds_workers_set_next_hop(struct ds_workers *ws, enum ds_port_role role, const uint8_t mac[6])
{
	memcpy(ws->live->next_hop[role], mac, 6);
	ws->live_pending = true;
	publish_live(ws);
}

void
ds_workers_launch(const struct ds_workers *ws)
{
	unsigned i;

	for (i = 0; i < ws->n; i++)
		rte_eal_remote_launch(ds_worker_main, ws->worker[i], ws->worker[i]->lcore);
}

static void
free_worker(struct ds_worker *w)
{
	if (w == NULL)
		return;
	if (w->engine != NULL) {
		ds_cookie_engine_fini(w->engine);
		rte_free(w->engine);
	}
	ds_flow_table_free(w->flows);
	rte_free(w->hvr_limit);
	rte_free(w->bad_cookies);
	if (w->captured != NULL) {
		struct rte_mbuf *m;

		/* Copies the control plane never took go back before their pool does. */
		while (rte_ring_sc_dequeue(w->captured, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->captured);
	}
	rte_mempool_free(w->capture_pool);
	rte_free(w);
}

void
ds_workers_free(struct ds_workers *ws)
{
	unsigned i;

	for (i = 0; ws->worker != NULL && i < ws->n; i++) {
		if (ws->view_ready)
			ds_view_reader_offline(&ws->view, i);
		free_worker(ws->worker[i]);
		rte_free((void *)(uintptr_t)ws->stats[i]);
	}
	if (ws->auto_block != NULL)
		ds_auto_blocklist_free(ws->auto_block);
	rte_free(ws->auto_block);
	for (i = 0; i < ws->n_reports; i++)
		rte_ring_free(ws->reports[i]);
	rte_free(ws->reports);
	rte_free(ws->worker);
	rte_free(ws->stats);
	rte_free(ws->live);
	rte_free(ws->talker_blocks);
	if (ws->view_ready) {
		ds_published_blocklist_free(&ws->blocklist);
		ds_view_free(&ws->view);
	}
	memset(ws, 0, sizeof(*ws));
}
