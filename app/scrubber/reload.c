/* SPDX-License-Identifier: BSD-3-Clause */
#include "reload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "ds_flow_state.h"
#include "ds_keyring.h"
#include "events.h"
#include "log.h"

enum { TELEMETRY_WAIT_MS = 10000 };

static struct ds_reload *telemetry_target;

void
ds_reload_request(struct ds_reload *r)
{
	__atomic_store_n(&r->requested, true, __ATOMIC_RELEASE);
}

/* The file's blocklist against the running one's: prefixes the file dropped go, new ones come (those
 * added at run time through telemetry stay). 0, or -1 when the list could not be published. */
static int
reload_blocklist(struct ds_reload *r, const struct ds_config *next, unsigned *added, unsigned *removed,
		 char *err, size_t err_len)
{
	static struct ds_prefix add[DS_CONFIG_MAX_BLOCKLIST], del[DS_CONFIG_MAX_BLOCKLIST];
	const struct ds_config *cur = r->running;
	unsigned i, n_add = 0, n_del = 0;

	for (i = 0; i < next->n_blocklist; i++)
		if (!ds_prefix_listed(cur->blocklist, cur->n_blocklist, &next->blocklist[i]))
			add[n_add++] = next->blocklist[i];
	for (i = 0; i < cur->n_blocklist; i++)
		if (!ds_prefix_listed(next->blocklist, next->n_blocklist, &cur->blocklist[i]))
			del[n_del++] = cur->blocklist[i];
	*added = n_add;
	*removed = n_del;
	if (n_add + n_del == 0)
		return 0;
	return ds_published_blocklist_update(&r->workers->blocklist, add, n_add, NULL, del, n_del, err, err_len) < 0
		       ? -1
		       : 0;
}

/* Names of what differs, for the event and the log. */
static void
note(char *out, size_t len, bool differs, const char *name)
{
	size_t n = strlen(out);

	if (differs && n + 1 < len)
		snprintf(out + n, len - n, "%s%s", n == 0 ? "" : ", ", name);
}

#define DIFFERS(field) (memcmp(&cur->field, &next->field, sizeof(cur->field)) != 0)

/* Copy into the running configuration what was applied; its secrets stay out of it. */
static void
adopt(struct ds_config *cur, const struct ds_config *next)
{
	memcpy(cur->secret_file, next->secret_file, sizeof(cur->secret_file));
	memcpy(cur->accept_secret_file, next->accept_secret_file, sizeof(cur->accept_secret_file));
	cur->has_accept_secret = next->has_accept_secret;
	cur->services = next->services;
	memcpy(cur->dtls13, next->dtls13, sizeof(cur->dtls13));
	memcpy(cur->quic_other, next->quic_other, sizeof(cur->quic_other));
	memcpy(cur->tunnel, next->tunnel, sizeof(cur->tunnel));
	cur->flow_idle_timeout_s = next->flow_idle_timeout_s;
	cur->hvr_limit = next->hvr_limit;
	memcpy(cur->blocklist, next->blocklist, sizeof(cur->blocklist));
	cur->n_blocklist = next->n_blocklist;
	cur->auto_blocklist = next->auto_blocklist;
	cur->challenge = next->challenge;
	cur->non_ip = next->non_ip;
	cur->non_service = next->non_service;
	cur->ip_fragments = next->ip_fragments;
	cur->ip_options = next->ip_options;
	cur->stats_interval_s = next->stats_interval_s;
	cur->events_rate = next->events_rate;
	cur->capture.sample_every = next->capture.sample_every;
	cur->capture.max_mb = next->capture.max_mb;
}

/* Apply @p next (validated, nothing frozen changed) or refuse it with nothing changed. */
static int
apply(struct ds_reload *r, const struct ds_config *next, char *out, size_t len)
{
	struct ds_config *cur = r->running;
	struct ds_workers *ws = r->workers;
	unsigned added, removed;
	char err[512], what[64];
	int keys;

	out[0] = '\0';
	/* Only the blocklist can fail to go out (memory, workers far behind): first, so that it changes nothing. */
	if (reload_blocklist(r, next, &added, &removed, err, sizeof(err)) != 0) {
		snprintf(out, len, "blocklist: %s", err);
		return -1;
	}
	keys = ds_keyring_set_masters(ws->keyring, &next->secret, next->has_accept_secret ? &next->accept_secret : NULL,
				      ds_keyring_clock_ms(), err, sizeof(err));
	if (keys < 0) /* the loader checked lengths and sameness: not reached */
		DS_LOG(ERR, "cookie keys unchanged: %s", err);
	if (keys == 1)
		ds_keyring_derive(ws->keyring, DS_FLOW_STATE_KEY_LABEL, r->state_key);
	snprintf(what, sizeof(what), "blocklist (+%u -%u)", added, removed);
	note(out, len, added + removed != 0, what);
	note(out, len, keys == 1, next->has_accept_secret ? "master secrets (two accepted)" : "master secret");
	note(out, len, DIFFERS(services), "services");
	note(out, len, DIFFERS(dtls13) || DIFFERS(quic_other), "dtls13/quic_other_versions");
	note(out, len, DIFFERS(tunnel), "tunnels");
	note(out, len,
	     cur->non_ip != next->non_ip || cur->non_service != next->non_service ||
		     cur->ip_fragments != next->ip_fragments || cur->ip_options != next->ip_options,
	     "policy");
	note(out, len, DIFFERS(hvr_limit), "hvr_rate_limit");
	note(out, len, DIFFERS(auto_blocklist), "auto_blocklist");
	note(out, len, DIFFERS(challenge), "challenge");
	note(out, len, cur->flow_idle_timeout_s != next->flow_idle_timeout_s, "flows.idle_timeout");
	note(out, len, cur->stats_interval_s != next->stats_interval_s, "stats.interval");
	note(out, len, cur->events_rate != next->events_rate, "events.rate");
	note(out, len, DIFFERS(capture), "capture");
	if (r->capture->f != NULL && next->capture.sample_every != cur->capture.sample_every)
		ds_capture_set(r->capture, next->capture.sample_every);
	r->capture->max_bytes = (uint64_t)next->capture.max_mb << 20;
	ds_events_set_rate(next->events_rate);
	adopt(cur, next);
	ds_workers_reload(ws, cur);
	if (out[0] == '\0')
		snprintf(out, len, "nothing");
	return 0;
}

void
ds_reload_poll(struct ds_reload *r)
{
	static struct ds_config next; /* large: not on the stack */
	char err[1024], reason[1100], file[2 * DS_CONFIG_PATH_MAX], quoted[2 * sizeof(reason)];
	bool applied = false;

	if (!__atomic_exchange_n(&r->requested, false, __ATOMIC_ACQ_REL))
		return;
	if (ds_config_load(r->running->path, &next, err, sizeof(err)) != 0) {
		snprintf(reason, sizeof(reason), "%s", err);
	} else if (ds_config_frozen_diff(r->running, &next, err, sizeof(err)) != 0) {
		snprintf(reason, sizeof(reason), "%.500s: only a restart changes %.500s", r->running->path, err);
	} else {
		applied = apply(r, &next, reason, sizeof(reason)) == 0;
	}
	ds_config_clear(&next);
	ds_event_quote(r->running->path, file, sizeof(file));
	if (applied) {
		DS_LOG(NOTICE, "configuration reloaded from %s: %s", r->running->path, reason);
		ds_event(DS_EVENT_NOTICE, "config_reloaded", "\"file\":%s,\"changed\":%s", file,
			 ds_event_quote(reason, quoted, sizeof(quoted)));
	} else {
		DS_LOG(ERR, "configuration refused, nothing changed: %s", reason);
		ds_event(DS_EVENT_WARNING, "config_refused", "\"file\":%s,\"reason\":%s", file,
			 ds_event_quote(reason, quoted, sizeof(quoted)));
	}
	snprintf(r->last_reason, sizeof(r->last_reason), "%.1000s", reason);
	r->last_applied = applied;
	__atomic_fetch_add(&r->done, 1, __ATOMIC_RELEASE);
}

/* Ask, wait for the main lcore to have done it (at most TELEMETRY_WAIT_MS), say what happened. */
static int
telemetry_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ds_reload *r = telemetry_target;
	const uint64_t before = __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
	const struct timespec step = { .tv_nsec = 10 * 1000000L };
	unsigned waited;

	(void)cmd;
	(void)params;
	ds_reload_request(r);
	for (waited = 0; waited < TELEMETRY_WAIT_MS && __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) == before; waited += 10)
		nanosleep(&step, NULL);
	rte_tel_data_start_dict(d);
	if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) == before) {
		rte_tel_data_add_dict_string(d, "result", "pending");
		return 0;
	}
	rte_tel_data_add_dict_string(d, "result", r->last_applied ? "applied" : "refused");
	rte_tel_data_add_dict_string(d, r->last_applied ? "changed" : "reason", r->last_reason);
	rte_tel_data_add_dict_u64(d, "reloads", __atomic_load_n(&r->done, __ATOMIC_ACQUIRE));
	return 0;
}

int
ds_reload_register_telemetry(struct ds_reload *r)
{
	telemetry_target = r;
	return rte_telemetry_register_cmd("/dtls_scrubber/reload", telemetry_reload,
					  "Read the configuration file again and apply it, or refuse it whole. No parameters");
}
