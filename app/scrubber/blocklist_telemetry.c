/* SPDX-License-Identifier: BSD-3-Clause */
#include "blocklist_telemetry.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "events.h"

/* Telemetry callbacks take no argument of their own. */
static struct ds_published_blocklist *published;
static struct ds_auto_blocklist *automatic;
static const struct ds_clock *entry_clock;

static void
add_entry(void *arg, const struct ds_prefix *p)
{
	char text[DS_PREFIX_TEXT_MAX];

	ds_prefix_format(p, text, sizeof(text));
	rte_tel_data_add_array_string(arg, text);
}

static int
list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	ds_published_blocklist_foreach(published, add_entry, d);
	return 0;
}

/* Answer {"result": "added|removed|unchanged|error", "prefix": ..., "error": ...}. */
static int
change(const char *params, struct rte_tel_data *d, bool add)
{
	struct ds_prefix p;
	char why[160] = "", text[DS_PREFIX_TEXT_MAX] = "";
	int rc = -1;

	rte_tel_data_start_dict(d);
	if (params == NULL || ds_prefix_parse(params, &p, why, sizeof(why)) != 0) {
		if (params == NULL)
			snprintf(why, sizeof(why), "give a prefix: %s,198.51.100.0/24",
				 add ? "/dtls_scrubber/blocklist_add" : "/dtls_scrubber/blocklist_del");
	} else {
		rc = ds_published_blocklist_change(published, &p, add, why, sizeof(why));
		ds_prefix_format(&p, text, sizeof(text));
		if (rc > 0)
			ds_event(DS_EVENT_NOTICE, add ? "blocklist_added" : "blocklist_removed", "\"prefix\":\"%s\"", text);
	}
	rte_tel_data_add_dict_string(d, "result", rc < 0 ? "error" : rc == 0 ? "unchanged" : add ? "added" : "removed");
	rte_tel_data_add_dict_string(d, "prefix", text);
	if (rc < 0)
		rte_tel_data_add_dict_string(d, "error", why);
	return 0;
}

static int
add_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return change(params, d, true);
}

static int
del_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return change(params, d, false);
}

struct auto_listing {
	struct rte_tel_data *prefixes, *left;
};

static void
add_auto_entry(void *arg, const struct ds_prefix *p, uint64_t left_ms)
{
	struct auto_listing *l = arg;

	add_entry(l->prefixes, p);
	rte_tel_data_add_array_u64(l->left, (left_ms + 999) / 1000);
}

/* The automatic entries (prefix and seconds left, in two arrays of the same order) and the counters. */
static int
auto_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct auto_listing l = { rte_tel_data_alloc(), rte_tel_data_alloc() };

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "enabled", automatic != NULL);
	if (automatic == NULL || l.prefixes == NULL || l.left == NULL) {
		rte_tel_data_free(l.prefixes);
		rte_tel_data_free(l.left);
		return automatic == NULL ? 0 : -ENOMEM;
	}
	rte_tel_data_start_array(l.prefixes, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(l.left, RTE_TEL_U64_VAL);
	ds_auto_blocklist_foreach(automatic, ds_clock_monotonic_ms(entry_clock), add_auto_entry, &l);
	rte_tel_data_add_dict_u64(d, "listed", __atomic_load_n(&automatic->listed, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "expired", __atomic_load_n(&automatic->expired, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "refused_full", __atomic_load_n(&automatic->full, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "failed", __atomic_load_n(&automatic->failed, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_container(d, "prefixes", l.prefixes, 0);
	rte_tel_data_add_dict_container(d, "seconds_left", l.left, 0);
	return 0;
}

int
ds_blocklist_telemetry_register(struct ds_published_blocklist *pb, struct ds_auto_blocklist *ab,
				const struct ds_clock *now)
{
	int rc;

	published = pb;
	automatic = ab;
	entry_clock = now;
	rc = rte_telemetry_register_cmd("/dtls_scrubber/blocklist", list, "Blocklisted source prefixes. No parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dtls_scrubber/blocklist_add", add_cmd,
						"Drop a source prefix from now on. Parameter: 198.51.100.0/24 or 2001:db8::/32");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dtls_scrubber/blocklist_del", del_cmd,
						"Stop dropping a listed prefix. Parameter: the prefix as listed");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dtls_scrubber/auto_blocklist", auto_list,
						"Prefixes listed after repeated bad cookies, seconds each has left, "
						"counters. No parameters.");
	return rc;
}
