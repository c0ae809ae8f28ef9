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
ds_flow_table_set_idle(struct ds_flow_table *t, uint64_t idle_ticks)
{
	t->idle_ticks = idle_ticks;
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

static void
key_of(struct ds_flow_key *key, unsigned ip_version, const uint8_t *client, uint16_t client_port,
       const uint8_t *server, uint16_t server_port)
{
	const size_t alen = ip_version == 4 ? DS_IPV4_ADDR_LEN : DS_IPV6_ADDR_LEN;

	memset(key, 0, sizeof(*key));
	memcpy(key->client, client, alen);
	memcpy(key->server, server, alen);
	key->client_port = client_port;
	key->server_port = server_port;
	key->ip_version = (uint8_t)ip_version;
}

void
ds_flow_key_from_frame(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info)
{
	key_of(key, info->ip_version, ds_frame_src_addr(frame, info), info->src_port, ds_frame_dst_addr(frame, info),
	       info->dst_port);
}

void
ds_flow_key_from_reply(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info)
{
	key_of(key, info->ip_version, ds_frame_dst_addr(frame, info), info->dst_port, ds_frame_src_addr(frame, info),
	       info->src_port);
}

static bool
cid_key_of(struct ds_flow_key *key, unsigned ip_version, const uint8_t *service, uint16_t service_port,
	   const uint8_t *cid, unsigned cid_len)
{
	if (cid_len == 0 || cid_len > DS_FLOW_CID_MAX)
		return false;
	memset(key, 0, sizeof(*key));
	memcpy(key->client, cid, cid_len);
	memcpy(key->server, service, ip_version == 4 ? DS_IPV4_ADDR_LEN : DS_IPV6_ADDR_LEN);
	key->client_port = (uint16_t)cid_len;
	key->server_port = service_port;
	key->ip_version = (uint8_t)(DS_FLOW_KEY_CID | ip_version);
	return true;
}

bool
ds_flow_key_from_cid(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info,
		     unsigned cid_len)
{
	const uint8_t *rec = frame + info->dtls_offset;

	/* type, version, epoch, sequence | CID | length: the record must hold its whole header. */
	if (info->dtls_len < DS_TLS12_CID_FIXED_LEN + cid_len || rec[0] != DS_DTLS_CT_TLS12_CID)
		return false;
	return cid_key_of(key, info->ip_version, ds_frame_dst_addr(frame, info), info->dst_port,
			  rec + DS_TLS12_CID_OFFSET, cid_len);
}

bool
ds_flow_key_from_server_cid(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info)
{
	return info->has_server_cid && cid_key_of(key, info->ip_version, ds_frame_src_addr(frame, info),
						  info->src_port, frame + info->server_cid_offset,
						  info->server_cid_len);
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
		    bool *found)
{
	int32_t positions[DS_BURST];
	unsigned i;

	if (n > DS_BURST)
		n = DS_BURST;
	positions_bulk(t, keys, n, positions);
	for (i = 0; i < n; i++) {
		found[i] = positions[i] >= 0;
		if (found[i])
			t->last_seen[positions[i]] = seen(now);
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

void
ds_flow_foreach(const struct ds_flow_table *t, uint64_t now,
		void (*fn)(void *arg, const struct ds_flow_key *key, uint64_t ticks_left), void *arg)
{
	const uint64_t stamp = seen(now);
	uint32_t pos;

	for (pos = 0; pos <= t->max_position; pos++) {
		struct ds_flow_key key;
		void *stored;
		uint64_t idle;

		if (t->last_seen[pos] == 0 || t->last_seen[pos] > stamp)
			continue;
		idle = stamp - t->last_seen[pos];
		if (idle > t->idle_ticks || rte_hash_get_key_with_position(t->hash, (int32_t)pos, &stored) != 0)
			continue;
		/* rte_hash stores keys 8-byte aligned; the key type is 16-byte aligned for vector compares. */
		memcpy(&key, stored, sizeof(key));
		fn(arg, &key, t->idle_ticks - idle);
	}
}

enum ds_flow_insert_result
ds_flow_restore(struct ds_flow_table *t, const struct ds_flow_key *key, uint64_t now, uint64_t ticks_left)
{
	const uint64_t idle = ticks_left < t->idle_ticks ? t->idle_ticks - ticks_left : 0;
	/* A stamp is never 0 (a free position): a flow older than the TSC itself is stamped 1. */
	const uint64_t stamp = seen(now) > idle ? seen(now) - idle : 1;
	int32_t pos = rte_hash_lookup(t->hash, key);
	enum ds_flow_insert_result result = DS_FLOW_REFRESHED;

	if (pos < 0) {
		if ((pos = rte_hash_add_key(t->hash, key)) < 0)
			return DS_FLOW_FULL;
		t->count++;
		result = DS_FLOW_INSERTED;
	}
	t->last_seen[pos] = stamp;
	return result;
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
