/* SPDX-License-Identifier: BSD-3-Clause */
#include "rig.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <emmintrin.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ds_keyring.h"

enum { DRAIN_BURST = 512, ROUND_TIMEOUT_S = 20 };

#define RING_PREFIX "net_ring_"


static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
sleep_us(long us)
{
	const struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static unsigned
ring_size(unsigned round)
{
	unsigned size = 1024;

	while (size <= round)
		size <<= 1;
	return size;
}

int
rig_configure(struct rig *r, const char *config_path, unsigned n_workers, char *err, size_t err_len)
{
	unsigned w;

	memset(r, 0, sizeof(*r));
	if (ds_config_load(config_path, &r->cfg, err, err_len) != 0)
		return -1;
	if (n_workers > RIG_MAX_WORKERS) {
		snprintf(err, err_len, "at most %u workers", RIG_MAX_WORKERS);
		return -1;
	}
	/*
	 * Worker lcores 1..n: the benchmark maps them onto CPUs itself (EAL --lcores), so there may be
	 * more of them than CPUs beside the main lcore, which the configuration loader rightly refuses.
	 */
	r->cfg.n_workers = n_workers;
	for (w = 0; w < n_workers; w++)
		r->cfg.workers[w] = w + 1;
	return 0;
}

int
rig_open(struct rig *r, unsigned round, char *err, size_t err_len)
{
	const unsigned size = ring_size(round);
	const char *outside = r->cfg.ports[DS_PORT_OUTSIDE].name;
	char name[RTE_RING_NAMESIZE];
	unsigned w, n;

	r->round = round;
	n = r->cfg.n_workers;
	r->keyring = ds_keyring_create(&r->cfg.cookie, &r->cfg.secret, ds_keyring_clock_ms(), err, err_len);
	if (r->keyring == NULL)
		return -1;
	r->pool = rte_pktmbuf_pool_create("bench_mbufs", n * (round + 2048) + 4096, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (r->pool == NULL) {
		snprintf(err, err_len, "mbuf pool for %u rounds of %u: %s (reserve hugepages?)", n, round,
			 rte_strerror(rte_errno));
		return -1;
	}
	for (w = 0; w < n; w++) {
		snprintf(name, sizeof(name), "bench_feed%u", w);
		r->feed[w] = rte_ring_create(name, size, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "bench_sink%u", w);
		r->sink[w] = rte_ring_create(name, size, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		r->staging[w] = rte_malloc("bench_staging", round * sizeof(struct rte_mbuf *), 0);
		if (r->feed[w] == NULL || r->sink[w] == NULL || r->staging[w] == NULL) {
			snprintf(err, err_len, "rings of %u: %s", size, rte_strerror(rte_errno));
			return -1;
		}
	}
	/* The ring PMD names its ports net_ring_NAME. */
	if (strncmp(outside, RING_PREFIX, strlen(RING_PREFIX)) != 0 ||
	    rte_eth_from_rings(outside + strlen(RING_PREFIX), r->feed, (unsigned)n, r->sink, (unsigned)n,
			       rte_socket_id()) < 0) {
		snprintf(err, err_len, "ring port %s: %s", outside, rte_strerror(rte_errno));
		return -1;
	}
	if (ds_ports_start(&r->cfg, r->pool, &r->ports, err, err_len) != 0)
		return -1;
	r->ports_started = true;
	if (ds_workers_create(&r->workers, &r->cfg, &r->ports, r->keyring, NULL, &r->quit, err, err_len) != 0)
		return -1;
	return 0;
}

void
rig_launch(struct rig *r)
{
	r->quit = false;
	ds_workers_launch(&r->workers);
	r->running = true;
}

void
rig_halt(struct rig *r)
{
	if (!r->running)
		return;
	r->quit = true;
	rte_eal_mp_wait_lcore();
	r->running = false;
}

static void
snapshot(const struct rig *r, unsigned w, struct ds_stats *s)
{
	ds_stats_sum(&r->workers.stats[w], 1, s);
}

static void
drain_sinks(struct rig *r)
{
	struct rte_mbuf *buf[DRAIN_BURST];
	unsigned w, got;

	for (w = 0; w < r->cfg.n_workers; w++)
		while ((got = rte_ring_dequeue_burst(r->sink[w], (void **)buf, DRAIN_BURST, NULL)) != 0)
			rte_pktmbuf_free_bulk(buf, got);
}

/* Write back and evict the lines of [p, p + len) from this core's caches. */
static void
flush_lines(const void *p, size_t len)
{
	const uintptr_t end = (uintptr_t)p + len;
	uintptr_t line;

	for (line = (uintptr_t)p & ~(uintptr_t)63; line < end; line += 64)
		_mm_clflush((const void *)line);
}

/*
 * Copy the next round of frames into fresh mbufs, as a NIC's DMA would. They land in the shared cache
 * as a NIC with cache injection (DDIO) puts them; with r->cold they are written back to memory, as
 * DMA without it leaves them.
 */
static int
stage_round(struct rig *r, unsigned w, const struct frame_set *set, size_t *cursor)
{
	struct rte_mbuf **m = r->staging[w];
	unsigned i;

	if (rte_pktmbuf_alloc_bulk(r->pool, m, r->round) != 0)
		return -1;
	for (i = 0; i < r->round; i++) {
		const size_t f = (*cursor)++ % set->count;

		memcpy(rte_pktmbuf_mtod(m[i], void *), frame_set_frame(set, f), set->len[f]);
		m[i]->data_len = set->len[f];
		m[i]->pkt_len = set->len[f];
		m[i]->port = r->ports.id[DS_PORT_OUTSIDE];
		if (r->cold) {
			flush_lines(m[i], sizeof(struct rte_mbuf));
			flush_lines(rte_pktmbuf_mtod(m[i], void *), set->len[f]);
		}
	}
	__builtin_ia32_sfence();
	return 0;
}

static void
add_delta(struct ds_stats *acc, const struct ds_stats *before, const struct ds_stats *after)
{
	unsigned i;

	for (i = 0; i < DS_ACT_COUNT; i++)
		acc->action[i] += after->action[i] - before->action[i];
	for (i = 0; i < DS_OUT_COUNT; i++)
		acc->outcome[i] += after->outcome[i] - before->outcome[i];
	for (i = 0; i < DS_HVR_RESULT_COUNT; i++)
		acc->hvr[i] += after->hvr[i] - before->hvr[i];
	acc->busy_cycles += after->busy_cycles - before->busy_cycles;
	acc->flows_active = after->flows_active;
}

/* One round: stage, publish at once, wait until every worker has taken all of it. */
static int
one_round(struct rig *r, struct frame_set *const *sets, size_t *cursor, struct ds_stats *before,
	  struct ds_stats *after, char *err, size_t err_len)
{
	const unsigned n = r->cfg.n_workers;
	const double deadline = now_s() + ROUND_TIMEOUT_S;
	unsigned w, done;

	for (w = 0; w < n; w++) {
		if (stage_round(r, w, sets[w], &cursor[w]) != 0) {
			snprintf(err, err_len, "mbuf pool empty: frames were lost");
			return -1;
		}
	}
	for (w = 0; w < n; w++)
		snapshot(r, w, &before[w]);
	for (w = 0; w < n; w++)
		rte_ring_enqueue_burst(r->feed[w], (void *const *)r->staging[w], r->round, NULL);
	do {
		sleep_us(200);
		for (w = 0, done = 0; w < n; w++) {
			snapshot(r, w, &after[w]);
			done += after[w].action[DS_ACT_RX_OUTSIDE] - before[w].action[DS_ACT_RX_OUTSIDE] >= r->round &&
				rte_ring_count(r->feed[w]) == 0;
		}
		if (now_s() > deadline) {
			snprintf(err, err_len, "a round of %u frames did not complete in %d s", r->round,
				 ROUND_TIMEOUT_S);
			return -1;
		}
	} while (done < n);
	/* The last burst's loop ends microseconds after its frames were counted. */
	sleep_us(2000);
	for (w = 0; w < n; w++)
		snapshot(r, w, &after[w]);
	drain_sinks(r);
	return 0;
}

int
rig_run(struct rig *r, struct frame_set *const *sets, size_t *cursor, double seconds,
	struct rig_result *per_worker, char *err, size_t err_len)
{
	struct ds_stats before[RIG_MAX_WORKERS], after[RIG_MAX_WORKERS];
	const unsigned n = r->cfg.n_workers;
	const double hz = (double)rte_get_tsc_hz(), wall_limit = now_s() + 5 * seconds + 5;
	unsigned w;

	memset(per_worker, 0, n * sizeof(*per_worker));
	do {
		double busiest = 0;

		if (one_round(r, sets, cursor, before, after, err, err_len) != 0)
			return -1;
		if (seconds <= 0)
			return 0;
		for (w = 0; w < n; w++) {
			struct rig_result *res = &per_worker[w];

			add_delta(&res->delta, &before[w], &after[w]);
			res->packets += after[w].action[DS_ACT_RX_OUTSIDE] - before[w].action[DS_ACT_RX_OUTSIDE];
			res->busy_cycles += after[w].busy_cycles - before[w].busy_cycles;
			res->rounds++;
			if ((double)res->busy_cycles / hz > busiest)
				busiest = (double)res->busy_cycles / hz;
		}
		if (busiest >= seconds)
			break;
	} while (now_s() < wall_limit);
	return 0;
}

void
rig_close(struct rig *r)
{
	unsigned w;

	rig_halt(r);
	drain_sinks(r);
	if (r->ports_started)
		ds_ports_stop(&r->ports);
	ds_workers_free(&r->workers);
	for (w = 0; w < RIG_MAX_WORKERS; w++) {
		rte_ring_free(r->feed[w]);
		rte_ring_free(r->sink[w]);
		rte_free(r->staging[w]);
	}
	rte_mempool_free(r->pool);
	ds_keyring_destroy(r->keyring);
	ds_config_clear(&r->cfg);
}
