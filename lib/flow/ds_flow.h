/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_FLOW_H
#define DS_FLOW_H

/**
 * @file
 * The verified-flow table of one worker: client and server address and port of every flow that
 * presented a valid cookie, with the time it was last seen.
 *
 * One table per worker lcore, used by that lcore only: no locks. Fixed capacity chosen at start; a
 * full table refuses new flows instead of growing. Idle flows are removed a few at a time by
 * ds_flow_expire(), called every loop, so there is never a stop-the-world scan.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ds_burst.h"
#include "ds_classify.h"

/**
 * A flow: who talks to which service. 48 bytes, padding zeroed (it is hashed and compared whole): a
 * size rte_hash compares with vector instructions instead of memcmp(). 16-byte aligned for those loads.
 */
struct __attribute__((aligned(16))) ds_flow_key {
	uint8_t client[16];   /**< IPv4 in the first 4 bytes, the rest zero */
	uint8_t server[16];
	uint16_t client_port;
	uint16_t server_port;
	uint8_t ip_version;
	uint8_t pad[11];
};

/**
 * A flow keyed by connection ID (RFC 9146) instead of the client's address: ip_version carries this
 * flag, client holds the CID, client_port its length, server and server_port the service. Such a flow
 * lets a client whose address changed (NAT rebinding) reach its service with the CID the service gave
 * it in its ServerHello.
 */
enum {
	DS_FLOW_KEY_CID = 0x80,
	DS_FLOW_CID_MAX = 16, /**< longer CIDs are not keyed: their clients are known by address only */
};

/** What ds_flow_insert() did. */
enum ds_flow_insert_result {
	DS_FLOW_INSERTED,  /**< a new flow */
	DS_FLOW_REFRESHED, /**< the flow was there: its last-seen time moved */
	DS_FLOW_FULL,      /**< the table is full: nothing stored */
};

struct ds_flow_table;

/**
 * Create a table.
 *
 * @param name
 *   Unique name (DPDK hash tables are named).
 * @param capacity
 *   Flows it holds, guaranteed (extendable buckets).
 * @param socket_id
 *   NUMA socket of the worker.
 * @param idle_ticks
 *   A flow not seen for this many timer ticks is removed.
 * @return
 *   The table, or NULL (rte_errno set).
 */
struct ds_flow_table *ds_flow_table_create(const char *name, uint32_t capacity, int socket_id,
					   uint64_t idle_ticks);

/**
 * A new idle timeout (a reload), from the next lookup and expiry on. Only from the table's own thread,
 * as every other call: flows idle longer than it go at the next expiry pass.
 */
void ds_flow_table_set_idle(struct ds_flow_table *t, uint64_t idle_ticks);

/** Free a table. */
void ds_flow_table_free(struct ds_flow_table *t);

/** The key of a classified frame's flow, from the client's side (outside port). */
void ds_flow_key_from_frame(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info);

/** The key of the flow a service's frame belongs to (ds_classify_reply()): the client is its destination. */
void ds_flow_key_from_reply(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info);

/**
 * The connection-ID key of a client's record to a service (ds_classify() said dtls_record): the
 * service's address and port and the CID of a first record of type tls12_cid, @p cid_len bytes long
 * as the service's ServerHello said.
 *
 * @return
 *   false, and nothing written, when the first record is not tls12_cid, is too short for such a CID,
 *   or the CID is empty or longer than DS_FLOW_CID_MAX.
 */
bool ds_flow_key_from_cid(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info,
			  unsigned cid_len);

/**
 * The connection-ID key a service's ServerHello gives its client (ds_classify_reply() found a
 * connection_id extension): the service's address and port and that CID.
 *
 * @return
 *   false, and nothing written, without such an extension or when the CID is empty or longer than
 *   DS_FLOW_CID_MAX.
 */
bool ds_flow_key_from_server_cid(struct ds_flow_key *key, const uint8_t *frame, const struct ds_frame_info *info);

/**
 * Look up to DS_BURST flows at once (more are ignored); found flows are marked seen at @p now.
 *
 * @param keys
 *   @p n keys.
 * @param found
 *   @p n answers: found[i] when keys[i] is a verified flow.
 */
void ds_flow_lookup_bulk(struct ds_flow_table *t, const struct ds_flow_key **keys, unsigned n, uint64_t now,
			 bool *found);

/** Record a flow that presented a valid cookie. */
enum ds_flow_insert_result ds_flow_insert(struct ds_flow_table *t, const struct ds_flow_key *key, uint64_t now);

/**
 * Record up to DS_BURST flows (more are ignored) that presented valid cookies: one bulk lookup refreshes those already there,
 * only the others are added.
 *
 * @param results
 *   What happened to each key.
 */
void ds_flow_insert_bulk(struct ds_flow_table *t, const struct ds_flow_key **keys, unsigned n, uint64_t now,
			 enum ds_flow_insert_result *results);

/**
 * Look at up to @p budget entries for idle flows and remove them; resumes where it stopped.
 *
 * @return
 *   Flows removed.
 */
unsigned ds_flow_expire(struct ds_flow_table *t, uint64_t now, unsigned budget);

/**
 * Visit every flow still alive at @p now with the ticks it has left before its idle timeout (for the
 * state file written at a clean stop; not for a running worker's table).
 */
void ds_flow_foreach(const struct ds_flow_table *t, uint64_t now,
		     void (*fn)(void *arg, const struct ds_flow_key *key, uint64_t ticks_left), void *arg);

/**
 * Put back a flow that has @p ticks_left before its idle timeout (capped at the table's timeout), as
 * if last seen that long ago.
 *
 * @return
 *   DS_FLOW_INSERTED, DS_FLOW_REFRESHED (it was there: its time is set), or DS_FLOW_FULL.
 */
enum ds_flow_insert_result ds_flow_restore(struct ds_flow_table *t, const struct ds_flow_key *key, uint64_t now,
					   uint64_t ticks_left);

/** Flows in the table. */
uint32_t ds_flow_count(const struct ds_flow_table *t);

/** Bytes the table occupies (keys, buckets, timestamps), for sizing. */
size_t ds_flow_table_memory(const struct ds_flow_table *t);

#endif /* DS_FLOW_H */
