/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_flow.h"

#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "ds_wire.h"

_Static_assert(sizeof(struct ds_flow_key) == 48, "flow keys are hashed whole: no hidden padding");
_Static_assert(DS_BURST <= DS_BURST_MASK_BITS, "a bulk lookup marks what it found in one 64-bit mask");

struct ds_flow_table {
	struct rte_hash *hash;
	uint64_t *last_seen;   /* by hash position; 0 = no flow there */
	uint64_t idle_ticks;
	uint32_t max_position;
	uint32_t count;        /* flows stored (rte_hash_count() reads the free-slot ring) */
	uint32_t sweep_next;   /* where ds_flow_expire() resumes */
	size_t memory;
};

static size_t
heap_used(int socket_id)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(socket_id < 0 ? 0 : socket_id, &st) != 0)
		return 0;
	return st.heap_allocsz_bytes;
}

/* A time stamp that is never 0, the mark of a free position (the TSC does not reach 2^64 - 1). */
static inline uint64_t
seen(uint64_t now)
{
	return now + 1;
}

struct ds_flow_table *
ds_flow_table_create(const char *name, uint32_t capacity, int socket_id, uint64_t idle_ticks)
{
	const size_t before = heap_used(socket_id);
	struct rte_hash_parameters params = {
		.name = name,
		.entries = capacity,
		.key_len = sizeof(struct ds_flow_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket_id,
		/* Extendable buckets: the capacity is guaranteed, not a hope against collisions. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct ds_flow_table *t = rte_zmalloc_socket("ds_flow_table", sizeof(*t), 0, socket_id);

	if (t == NULL)
		return NULL;
	t->hash = rte_hash_create(&params);
	if (t->hash == NULL) {
		rte_free(t);
		return NULL;
	}
	t->last_seen = rte_zmalloc_socket("ds_flow_last_seen",
					  ((size_t)rte_hash_max_key_id(t->hash) + 1) * sizeof(uint64_t),
					  RTE_CACHE_LINE_SIZE, socket_id);
	if (t->last_seen == NULL) {
		ds_flow_table_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	t->idle_ticks = idle_ticks;
	t->max_position = rte_hash_max_key_id(t->hash);
	t->memory = heap_used(socket_id) - before;
	return t;
}

void
ds_flow_table_free(struct ds_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	rte_free(t->last_seen);
	rte_free(t);
}

void
ds_flow_key_from_frame(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info)
{
	const size_t alen = info->ip_version == 4 ? DS_IPV4_ADDR_LEN : DS_IPV6_ADDR_LEN;

	memset(key, 0, sizeof(*key));
	memcpy(key->client, ds_frame_src_addr(frame, info), alen);
	memcpy(key->server, ds_frame_dst_addr(frame, info), alen);
	key->client_port = info->src_port;
	key->server_port = info->dst_port;
	key->ip_version = info->ip_version;
}

/* Positions of up to DS_BURST keys (negative: absent), with the lines their time stamps live in on the way. */
static void
positions_bulk(struct ds_flow_table *t, const struct ds_flow_key **keys, unsigned n, int32_t *positions)
{
	unsigned done, i;

	for (done = 0; done < n; done += RTE_HASH_LOOKUP_BULK_MAX) {
		const unsigned chunk = n - done < RTE_HASH_LOOKUP_BULK_MAX ? n - done : RTE_HASH_LOOKUP_BULK_MAX;

		rte_hash_lookup_bulk(t->hash, (const void **)(keys + done), chunk, positions + done);
	}
	/* Stamps are scattered like the keys: fetch them all at once rather than one miss after another. */
	for (i = 0; i < n; i++)
		if (positions[i] >= 0)
			rte_prefetch0(&t->last_seen[positions[i]]);
}

void
ds_flow_lookup_bulk(struct ds_flow_table *t, const struct ds_flow_key **keys, unsigned n, uint64_t now,
		    uint64_t *found)
{
	int32_t positions[DS_BURST];
	unsigned i;

	*found = 0;
	if (n > DS_BURST)
		n = DS_BURST;
	positions_bulk(t, keys, n, positions);
	for (i = 0; i < n; i++) {
		if (positions[i] < 0)
			continue;
		t->last_seen[positions[i]] = seen(now);
		*found |= UINT64_C(1) << i;
	}
}

static enum ds_flow_insert_result
add(struct ds_flow_table *t, const struct ds_flow_key *key, uint64_t now)
{
	const int32_t pos = rte_hash_add_key(t->hash, key);

	if (pos < 0)
		return DS_FLOW_FULL;
	t->count++;
	t->last_seen[pos] = seen(now);
	return DS_FLOW_INSERTED;
}

void
ds_flow_insert_bulk(struct ds_flow_table *t, const struct ds_flow_key **keys, unsigned n, uint64_t now,
		    enum ds_flow_insert_result *results)
{
	int32_t positions[DS_BURST];
	unsigned i;

	if (n > DS_BURST)
		n = DS_BURST;
	positions_bulk(t, keys, n, positions);
	for (i = 0; i < n; i++) {
		if (positions[i] >= 0) {
			t->last_seen[positions[i]] = seen(now);
			results[i] = DS_FLOW_REFRESHED;
		} else {
			/* Added one by one: the same flow twice in a burst is found the second time. */
			results[i] = rte_hash_lookup(t->hash, keys[i]) >= 0 ? DS_FLOW_REFRESHED : add(t, keys[i], now);
		}
	}
}

enum ds_flow_insert_result
ds_flow_insert(struct ds_flow_table *t, const struct ds_flow_key *key, uint64_t now)
{
	enum ds_flow_insert_result result;

	ds_flow_insert_bulk(t, &key, 1, now, &result);
	return result;
}

unsigned
ds_flow_expire(struct ds_flow_table *t, uint64_t now, unsigned budget)
{
	const uint64_t stamp = seen(now);
	unsigned removed = 0;

	/*
	 * Walk the positions, not the keys: rte_hash_iterate() skips empty slots without a bound, which on a
	 * large, nearly empty table (a flood, few flows) would scan it all on every call.
	 */
	while (budget-- > 0) {
		const uint32_t pos = t->sweep_next;
		void *key;

		t->sweep_next = pos == t->max_position ? 0 : pos + 1;
		/* Stamps never exceed seen(now): the difference cannot wrap. */
		if (t->last_seen[pos] == 0 || stamp - t->last_seen[pos] <= t->idle_ticks)
			continue;
		if (rte_hash_get_key_with_position(t->hash, (int32_t)pos, &key) == 0) {
			struct ds_flow_key copy;

			/* The key lives in the slot being freed: delete through a copy. */
			memcpy(&copy, key, sizeof(copy));
			if (rte_hash_del_key(t->hash, &copy) >= 0) {
				removed++;
				t->count--;
			}
		}
		t->last_seen[pos] = 0;
	}
	return removed;
}

uint32_t
ds_flow_count(const struct ds_flow_table *t)
{
	return t->count;
}

size_t
ds_flow_table_memory(const struct ds_flow_table *t)
{
	return t->memory;
}
