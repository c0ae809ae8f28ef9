/* SPDX-License-Identifier: BSD-3-Clause */
#include "health.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "ds_cookie.h"
#include "ds_keyring.h"
#include "events.h"
#include "log.h"
#include "neighbours.h"
#include "netlink.h"
#include "ports.h"
#include "workers.h"

static struct ds_health *telemetry_health;

int
ds_health_init(struct ds_health *h, const struct ds_config *cfg, unsigned ifindex, char *err, size_t err_len)
{
	memset(h, 0, sizeof(*h));
	h->announce = cfg->announce;
	h->ifindex = ifindex;
	h->nl = -1;
	snprintf(h->reason, sizeof(h->reason), "starting");
	if (!h->announce.enabled)
		return 0;
	h->nl = ds_netlink_open();
	if (h->nl < 0) {
		snprintf(err, err_len, "announce: no route socket: %s", strerror(-h->nl));
		return -1;
	}
	return 0;
}

/* "" when the appliance can scrub, else the first reason it cannot. */
static void
judge(struct ds_health *h, const struct ds_workers *ws, const struct ds_ports *ports,
      const struct ds_neighbours *next_hops, char *why, size_t len)
{
	const struct ds_cookie_keyset *ks = ws->view.current->keys;
	const uint64_t period_ms = (uint64_t)ds_cookie_keyset_params(ks)->period_s * 1000;
	const uint64_t clock_epoch = ds_clock_unix_ms(&ws->clock) / period_ms;
	unsigned i, r;

	why[0] = '\0';
	if (__atomic_load_n(&h->drained, __ATOMIC_RELAXED))
		snprintf(why, len, "drained by the operator (/dtls_scrubber/drain)");
	for (i = 0; i < ws->n; i++) {
		const uint64_t beat = __atomic_load_n(&ws->worker[i]->heartbeat, __ATOMIC_RELAXED);

		if (beat == h->last_heartbeat[i] && why[0] == '\0')
			snprintf(why, len, "worker %u (lcore %u) stopped polling", i, ws->worker[i]->lcore);
		h->last_heartbeat[i] = beat;
	}
	for (r = 0; r < DS_PORT_COUNT && why[0] == '\0'; r++)
		if (!ports->link_known[r] || !ports->link_up[r])
			snprintf(why, len, "port %s: link down", ds_port_role_name((enum ds_port_role)r));
	if (why[0] == '\0')
		ds_neighbours_missing(next_hops, why, len);
	/* The keys follow the clock: keys an epoch behind mean rotation stopped (cookies would fail). */
	if (why[0] == '\0' && ds_cookie_keyset_epoch(ks) + 1 < clock_epoch)
		snprintf(why, len, "cookie keys of epoch %" PRIu64 " in force, the clock is at %" PRIu64,
			 ds_cookie_keyset_epoch(ks), clock_epoch);
}

static void
set_routes(struct ds_health *h, bool add)
{
	unsigned i, failed = 0;
	int rc = 0;

	for (i = 0; i < h->announce.n_prefixes; i++) {
		const int one = ds_netlink_route(h->nl, add, h->announce.table, &h->announce.prefixes[i], h->ifindex);

		/* Deleting a route the kernel already dropped (its interface went down) is no failure. */
		if (one != 0 && !(one == -ESRCH && !add)) {
			failed++;
			rc = one;
		}
	}
	h->announced = add;
	if (failed != 0) {
		DS_LOG(ERR, "announce: %u route%s not %s in table %u: %s", failed, failed == 1 ? "" : "s",
		       add ? "added" : "removed", h->announce.table, strerror(-rc));
		ds_event(DS_EVENT_ERR, "announce_failed", "\"table\":%u,\"routes\":%u", h->announce.table, failed);
		return;
	}
	DS_LOG(NOTICE, "announce: %u route%s %s table %u", h->announce.n_prefixes, h->announce.n_prefixes == 1 ? "" : "s",
	       add ? "in" : "withdrawn from", h->announce.table);
	ds_event(DS_EVENT_NOTICE, add ? "routes_announced" : "routes_withdrawn", "\"table\":%u,\"routes\":%u",
		 h->announce.table, h->announce.n_prefixes);
}

void
ds_health_tick(struct ds_health *h, const struct ds_workers *ws, const struct ds_ports *ports,
	       const struct ds_neighbours *next_hops)
{
	char why[sizeof(h->reason)], quoted[2 * sizeof(h->reason)];
	bool healthy;

	judge(h, ws, ports, next_hops, why, sizeof(why));
	healthy = why[0] == '\0';
	if (healthy != h->healthy || strcmp(why, h->reason) != 0) {
		if (healthy)
			DS_LOG(NOTICE, "health: healthy");
		else
			DS_LOG(WARNING, "health: not healthy: %s", why);
		ds_event(healthy ? DS_EVENT_NOTICE : DS_EVENT_WARNING, healthy ? "healthy" : "unhealthy", "\"reason\":%s",
			 ds_event_quote(why, quoted, sizeof(quoted)));
		h->changes += healthy != h->healthy;
		snprintf(h->reason, sizeof(h->reason), "%s", why);
	}
	__atomic_store_n(&h->healthy, healthy, __ATOMIC_RELAXED);
	if (h->announce.enabled && !h->stopping && healthy != h->announced)
		set_routes(h, healthy);
}

void
ds_health_stop(struct ds_health *h)
{
	h->stopping = true;
	if (h->announce.enabled && h->announced)
		set_routes(h, false);
}

void
ds_health_free(struct ds_health *h)
{
	if (!h->announce.enabled)
		return; /* nothing was opened (or never initialised: a start that failed earlier) */
	ds_health_stop(h);
	ds_netlink_close(h->nl);
	h->nl = -1;
}

static int
health_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ds_health *h = telemetry_health;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "healthy", __atomic_load_n(&h->healthy, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_string(d, "reason", h->reason);
	rte_tel_data_add_dict_int(d, "announce", h->announce.enabled);
	rte_tel_data_add_dict_int(d, "announced", h->announced);
	rte_tel_data_add_dict_u64(d, "table", h->announce.table);
	rte_tel_data_add_dict_u64(d, "changes", h->changes);
	return 0;
}

/* Maintenance: the routes go (the next tick) while the appliance keeps scrubbing what still arrives. */
static int
drain_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ds_health *h = telemetry_health;

	(void)cmd;
	if (params == NULL || (strcmp(params, "on") != 0 && strcmp(params, "off") != 0))
		return -EINVAL;
	__atomic_store_n(&h->drained, strcmp(params, "on") == 0, __ATOMIC_RELAXED);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "drained", strcmp(params, "on") == 0);
	return 0;
}

int
ds_health_register_telemetry(struct ds_health *h)
{
	int rc;

	telemetry_health = h;
	rc = rte_telemetry_register_cmd("/dtls_scrubber/health", health_cmd,
					"Whether the appliance can scrub, why not, and its announced routes. No parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dtls_scrubber/drain", drain_cmd,
						"Withdraw the announced routes (on) or let health decide again (off). "
						"Parameter: on|off");
	return rc;
}
