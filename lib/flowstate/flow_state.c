/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_flow_state.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_cookie.h"
#include "ds_keyring.h"
#include "ds_wire.h"

static const uint8_t magic[8] = { 'd', 's', 'f', 'l', 'o', 'w', 's', 0 };

/* A clock a little behind the writer's is no reason to throw the flows away. */
enum { FUTURE_SLACK_MS = 60 * 1000 };

size_t
ds_flow_state_size(uint64_t count)
{
	return DS_FLOW_STATE_HEADER + (size_t)count * DS_FLOW_STATE_RECORD + DS_FLOW_STATE_MAC;
}

void
ds_flow_state_write_header(uint8_t *file, const struct ds_flow_state_meta *m)
{
	memset(file, 0, DS_FLOW_STATE_HEADER);
	memcpy(file, magic, sizeof(magic));
	ds_store_be32(file + 8, DS_FLOW_STATE_VERSION);
	ds_store_be32(file + 12, m->n_workers);
	ds_store_be64(file + 16, m->written_ms);
	ds_store_be64(file + 24, m->idle_timeout_ms);
	ds_store_be64(file + 32, m->count);
}

static uint8_t *
record_at(uint8_t *file, uint64_t i)
{
	return file + DS_FLOW_STATE_HEADER + (size_t)i * DS_FLOW_STATE_RECORD;
}

void
ds_flow_state_write_entry(uint8_t *file, uint64_t i, const struct ds_flow_state_entry *e)
{
	uint8_t *r = record_at(file, i);

	memset(r, 0, DS_FLOW_STATE_RECORD);
	memcpy(r, e->key.client, 16);
	memcpy(r + 16, e->key.server, 16);
	ds_store_be16(r + 32, e->key.client_port);
	ds_store_be16(r + 34, e->key.server_port);
	r[36] = e->key.ip_version;
	ds_store_be32(r + 48, e->worker);
	ds_store_be32(r + 52, e->idle_left_ms);
}

void
ds_flow_state_read_entry(const uint8_t *file, uint64_t i, struct ds_flow_state_entry *e)
{
	const uint8_t *r = record_at((uint8_t *)file, i);

	memset(e, 0, sizeof(*e));
	memcpy(e->key.client, r, 16);
	memcpy(e->key.server, r + 16, 16);
	e->key.client_port = ds_load_be16(r + 32);
	e->key.server_port = ds_load_be16(r + 34);
	e->key.ip_version = r[36];
	e->worker = ds_load_be32(r + 48);
	e->idle_left_ms = ds_load_be32(r + 52);
}

int
ds_flow_state_seal(uint8_t *file, size_t len, const uint8_t key[32])
{
	return ds_hmac_sha256(key, 32, file, len - DS_FLOW_STATE_MAC, file + len - DS_FLOW_STATE_MAC);
}

static int
refuse(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	uint8_t any = 0;

	while (n-- > 0)
		any |= *p++;
	return any == 0;
}

/* One record's fields, as the writer makes them; the reason when not. */
static const char *
record_fault(const uint8_t *r, const struct ds_flow_state_entry *e, uint32_t n_workers, uint64_t idle_timeout_ms)
{
	const bool by_cid = (e->key.ip_version & DS_FLOW_KEY_CID) != 0;
	const unsigned family = e->key.ip_version & ~DS_FLOW_KEY_CID;

	if (family != 4 && family != 6)
		return "not IPv4 or IPv6";
	/* A CID flow: client holds the CID, client_port its length (ds_flow.h). */
	if (by_cid && (e->key.client_port == 0 || e->key.client_port > DS_FLOW_CID_MAX ||
		       !all_zero(r + e->key.client_port, 16 - e->key.client_port)))
		return "a connection ID of a bad length";
	if (family == 4 && ((!by_cid && !all_zero(r + 4, 12)) || !all_zero(r + 20, 12)))
		return "IPv4 addresses with bytes after the fourth";
	if (!all_zero(r + 37, 11) || !all_zero(r + 56, 8))
		return "reserved bytes not zero";
	if (e->key.client_port == 0 || e->key.server_port == 0)
		return "port 0";
	if (e->worker >= n_workers)
		return "worker out of range";
	if (e->idle_left_ms > idle_timeout_ms)
		return "more idle time left than the timeout";
	return NULL;
}

/* Every record, and how many flows each worker gets (at most @p capacity). */
static int
check_records(const uint8_t *file, const struct ds_flow_state_meta *m, uint32_t capacity, char *err,
	      size_t err_len)
{
	uint64_t *per_worker = calloc(m->n_workers, sizeof(*per_worker));
	uint64_t i;
	int rc = 0;

	if (per_worker == NULL)
		return refuse(err, err_len, "out of memory");
	for (i = 0; i < m->count && rc == 0; i++) {
		struct ds_flow_state_entry e;
		const char *fault;

		ds_flow_state_read_entry(file, i, &e);
		if ((fault = record_fault(record_at((uint8_t *)file, i), &e, m->n_workers, m->idle_timeout_ms)) != NULL)
			rc = refuse(err, err_len, "flow %" PRIu64 ": %s", i + 1, fault);
		else if (++per_worker[e.worker] > capacity)
			rc = refuse(err, err_len, "worker %u has more flows than flows.capacity (%u)", e.worker, capacity);
	}
	free(per_worker);
	return rc;
}

int
ds_flow_state_check(const uint8_t *file, size_t len, const uint8_t key[32], uint32_t n_workers,
		    uint32_t capacity, uint64_t now_ms, struct ds_flow_state_meta *m, char *err, size_t err_len)
{
	uint8_t mac[DS_FLOW_STATE_MAC];
	uint64_t age_ms;

	if (len < ds_flow_state_size(0))
		return refuse(err, err_len, "truncated: %zu bytes, the smallest file has %zu", len, ds_flow_state_size(0));
	if (memcmp(file, magic, sizeof(magic)) != 0)
		return refuse(err, err_len, "not a flow state file");
	if (ds_load_be32(file + 8) != DS_FLOW_STATE_VERSION)
		return refuse(err, err_len, "version %u, this appliance reads version %u", ds_load_be32(file + 8),
			      DS_FLOW_STATE_VERSION);
	m->n_workers = ds_load_be32(file + 12);
	m->written_ms = ds_load_be64(file + 16);
	m->idle_timeout_ms = ds_load_be64(file + 24);
	m->count = ds_load_be64(file + 32);
	/* Compared by division: count comes from the file and its product could wrap. */
	if ((len - ds_flow_state_size(0)) % DS_FLOW_STATE_RECORD != 0 ||
	    (len - ds_flow_state_size(0)) / DS_FLOW_STATE_RECORD != m->count)
		return refuse(err, err_len, "truncated or padded: %zu bytes for %" PRIu64 " flows", len, m->count);
	if (ds_hmac_sha256(key, 32, file, len - DS_FLOW_STATE_MAC, mac) != 0)
		return refuse(err, err_len, "cannot compute its MAC (out of memory)");
	if (ds_ct_memneq(mac, file + len - DS_FLOW_STATE_MAC, sizeof(mac)) != 0)
		return refuse(err, err_len, "its MAC does not match: written under another master secret, or altered");
	if (!all_zero(file + 40, DS_FLOW_STATE_HEADER - 40))
		return refuse(err, err_len, "reserved header bytes not zero");
	if (m->written_ms > now_ms + FUTURE_SLACK_MS)
		return refuse(err, err_len, "written %" PRIu64 " s in the future (has the clock moved back?)",
			      (m->written_ms - now_ms) / 1000);
	age_ms = now_ms > m->written_ms ? now_ms - m->written_ms : 0;
	if (age_ms >= m->idle_timeout_ms)
		return refuse(err, err_len, "stale: written %" PRIu64 " s ago, its flows idled out after %" PRIu64 " s",
			      age_ms / 1000, m->idle_timeout_ms / 1000);
	if (m->n_workers != n_workers)
		return refuse(err, err_len, "written by %u worker%s, %u now (their flows would be on other workers)",
			      m->n_workers, m->n_workers == 1 ? "" : "s", n_workers);
	return check_records(file, m, capacity, err, err_len);
}
