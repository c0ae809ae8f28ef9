/* SPDX-License-Identifier: BSD-3-Clause */
#include "talkers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

static const char *const kind_names[DS_TALK_KINDS] = { "answered", "bad_cookie", "dropped" };

const char *
ds_talk_kind_name(enum ds_talk_kind k)
{
	return kind_names[k];
}

void
ds_worker_talkers_init(struct ds_worker_talkers *t, uint64_t now_tsc, uint64_t tsc_hz)
{
	unsigned k;

	memset(t, 0, sizeof(*t));
	for (k = 0; k < DS_TALK_KINDS; k++) {
		ds_topk_reset(&t->cur[k]);
		ds_topk_reset(&t->pub[k]);
	}
	t->window_tsc = tsc_hz * DS_TALKERS_WINDOW_S;
	t->window_end = now_tsc + t->window_tsc;
}

void
ds_worker_talkers_count(struct ds_worker_talkers *t, enum ds_talk_kind kind, uint8_t ip_version, const uint8_t *addr)
{
	struct ds_prefix p;

	ds_prefix_of(addr, ip_version, ip_version == 4 ? DS_TALKERS_IPV4_PREFIX : DS_TALKERS_IPV6_PREFIX, &p);
	ds_topk_add(&t->cur[kind], &p, DS_TALKERS_SAMPLE);
}

bool
ds_talkers_frame_source(const uint8_t *frame, uint32_t len, uint8_t *ip_version, const uint8_t **addr)
{
	uint32_t at = 12, tags;
	uint16_t type;

	if (len < at + 2)
		return false;
	type = (uint16_t)(frame[at] << 8 | frame[at + 1]);
	for (tags = 0; tags < 2 && (type == 0x8100 || type == 0x88A8); tags++) {
		at += 4;
		if (len < at + 2)
			return false;
		type = (uint16_t)(frame[at] << 8 | frame[at + 1]);
	}
	at += 2;
	if (type == 0x0800 && len >= at + 20 && (frame[at] >> 4) == 4) {
		*ip_version = 4;
		*addr = frame + at + 12;
		return true;
	}
	if (type == 0x86DD && len >= at + 40 && (frame[at] >> 4) == 6) {
		*ip_version = 6;
		*addr = frame + at + 8;
		return true;
	}
	return false;
}

void
ds_worker_talkers_tick(struct ds_worker_talkers *t, uint64_t now_tsc)
{
	unsigned k;

	if (now_tsc < t->window_end)
		return;
	/* A sequence lock: the main lcore retries a copy that saw an odd or changed counter. */
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(t->pub, t->cur, sizeof(t->pub));
	__atomic_store_n(&t->published, t->published + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
	for (k = 0; k < DS_TALK_KINDS; k++)
		ds_topk_reset(&t->cur[k]);
	t->window_end = now_tsc + t->window_tsc;
}

/* A consistent copy of a worker's last window; false if it kept changing. */
static bool
read_window(const struct ds_worker_talkers *t, struct ds_topk out[DS_TALK_KINDS], uint64_t *published)
{
	unsigned tries;

	for (tries = 0; tries < 16; tries++) {
		const uint32_t before = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);

		if (before & 1)
			continue;
		memcpy(out, t->pub, sizeof(t->pub));
		*published = __atomic_load_n(&t->published, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) == before)
			return true;
	}
	return false;
}

void
ds_talkers_collect(struct ds_talkers *merged, struct ds_worker_talkers *const *workers, unsigned n,
		   uint64_t *seen_published)
{
	static struct ds_topk sum[DS_TALK_KINDS], one[DS_TALK_KINDS];
	uint64_t published, total = 0;
	unsigned w, k;

	for (w = 0; w < n; w++)
		total += __atomic_load_n(&workers[w]->published, __ATOMIC_RELAXED);
	if (total == *seen_published)
		return;
	for (k = 0; k < DS_TALK_KINDS; k++)
		ds_topk_reset(&sum[k]);
	for (w = 0; w < n; w++) {
		if (!read_window(workers[w], one, &published))
			continue;
		for (k = 0; k < DS_TALK_KINDS; k++)
			ds_topk_merge(&sum[k], &one[k]);
	}
	for (k = 0; k < DS_TALK_KINDS; k++)
		ds_topk_sort(&sum[k]);
	pthread_mutex_lock(&merged->lock);
	memcpy(merged->kind, sum, sizeof(sum));
	merged->windows++;
	pthread_mutex_unlock(&merged->lock);
	*seen_published = total;
}

void
ds_talkers_get(struct ds_talkers *merged, struct ds_topk out[DS_TALK_KINDS])
{
	pthread_mutex_lock(&merged->lock);
	memcpy(out, merged->kind, sizeof(merged->kind));
	pthread_mutex_unlock(&merged->lock);
}

static struct ds_talkers *telemetry_talkers;

/* {"window_s": 10, "sample_every": 8, "answered": ["198.51.100.0/24", ...], "answered_count": [4096, ...], ...}
 * (prefixes are values, not dictionary names: DPDK restricts the characters of names). */
static int
telemetry_top_talkers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct ds_topk kinds[DS_TALK_KINDS];
	unsigned k, i;

	(void)cmd;
	(void)params;
	ds_talkers_get(telemetry_talkers, kinds);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "window_s", DS_TALKERS_WINDOW_S);
	rte_tel_data_add_dict_u64(d, "sample_every", DS_TALKERS_SAMPLE);
	for (k = 0; k < DS_TALK_KINDS; k++) {
		struct rte_tel_data *names = rte_tel_data_alloc(), *counts = rte_tel_data_alloc();
		char key[32];

		if (names == NULL || counts == NULL) {
			rte_tel_data_free(names);
			rte_tel_data_free(counts);
			return -ENOMEM;
		}
		rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
		rte_tel_data_start_array(counts, RTE_TEL_U64_VAL);
		for (i = 0; i < kinds[k].n && i < DS_TALKERS_SHOWN; i++) {
			char name[DS_TOPK_TEXT_MAX];

			ds_prefix_format(&kinds[k].e[i].prefix, name, sizeof(name));
			rte_tel_data_add_array_string(names, name);
			rte_tel_data_add_array_u64(counts, kinds[k].e[i].count);
		}
		rte_tel_data_add_dict_container(d, kind_names[k], names, 0);
		snprintf(key, sizeof(key), "%s_count", kind_names[k]);
		rte_tel_data_add_dict_container(d, key, counts, 0);
	}
	return 0;
}

int
ds_talkers_register_telemetry(struct ds_talkers *merged)
{
	telemetry_talkers = merged;
	return rte_telemetry_register_cmd("/dtls_scrubber/top_talkers", telemetry_top_talkers,
					  "Heaviest source prefixes answered, with bad cookies, dropped, in the last window. "
					  "No parameters");
}
