/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a reload may not change (docs/operations.md, "Changing the configuration"): the parts the
 * running appliance was built from, its EAL, lcores, ports, cookie format and the sizes of its tables.
 * A file that changes any of them is refused whole, naming them.
 */
#include <stdio.h>
#include <string.h>

#include "ds_config.h"

/* One row: a part's name, and whether two configurations agree on it. */
struct frozen_part {
	const char *name;
	bool (*same)(const struct ds_config *a, const struct ds_config *b);
};

#define SAME_BYTES(field) (memcmp(&a->field, &b->field, sizeof(a->field)) == 0)

static bool
same_eal(const struct ds_config *a, const struct ds_config *b)
{
	return a->n_eal_args == b->n_eal_args && memcmp(a->eal_args, b->eal_args, sizeof(a->eal_args)) == 0;
}

static bool
same_lcores(const struct ds_config *a, const struct ds_config *b)
{
	return a->main_lcore == b->main_lcore && a->n_workers == b->n_workers && SAME_BYTES(workers);
}

static bool
same_mode(const struct ds_config *a, const struct ds_config *b)
{
	return a->mode == b->mode;
}

static bool
same_ports(const struct ds_config *a, const struct ds_config *b)
{
	return SAME_BYTES(ports);
}

static bool
same_cookie(const struct ds_config *a, const struct ds_config *b)
{
	return a->cookie.mode == b->cookie.mode && a->cookie.cookie_len == b->cookie.cookie_len &&
	       a->cookie.period_s == b->cookie.period_s && a->cookie.skew_ms == b->cookie.skew_ms;
}

static bool
same_flow_capacity(const struct ds_config *a, const struct ds_config *b)
{
	return a->flow_capacity == b->flow_capacity;
}

static bool
same_state_file(const struct ds_config *a, const struct ds_config *b)
{
	return strcmp(a->flow_state_file, b->flow_state_file) == 0;
}

static bool
same_hvr_table(const struct ds_config *a, const struct ds_config *b)
{
	/* The rate and burst may change; the table (its prefixes, its size, whether there is one) may not. */
	return (a->hvr_limit.per_prefix == 0) == (b->hvr_limit.per_prefix == 0) &&
	       a->hvr_limit.ipv4_prefix == b->hvr_limit.ipv4_prefix &&
	       a->hvr_limit.ipv6_prefix == b->hvr_limit.ipv6_prefix && a->hvr_limit.entries == b->hvr_limit.entries;
}

static bool
same_auto_table(const struct ds_config *a, const struct ds_config *b)
{
	return (a->auto_blocklist.bad_cookies == 0) == (b->auto_blocklist.bad_cookies == 0) &&
	       a->auto_blocklist.ipv4_prefix == b->auto_blocklist.ipv4_prefix &&
	       a->auto_blocklist.ipv6_prefix == b->auto_blocklist.ipv6_prefix &&
	       a->auto_blocklist.entries == b->auto_blocklist.entries &&
	       a->auto_blocklist.max_listed == b->auto_blocklist.max_listed;
}

static bool
same_metrics(const struct ds_config *a, const struct ds_config *b)
{
	return SAME_BYTES(metrics);
}

static bool
same_capture_file(const struct ds_config *a, const struct ds_config *b)
{
	return strcmp(a->capture.file, b->capture.file) == 0;
}

static bool
same_announce(const struct ds_config *a, const struct ds_config *b)
{
	return SAME_BYTES(announce);
}

static const struct frozen_part parts[] = {
	{ "eal", same_eal },
	{ "lcores", same_lcores },
	{ "mode", same_mode },
	{ "ports", same_ports },
	{ "cookie (format, length, key_period, clock_skew_ms)", same_cookie },
	{ "flows.capacity", same_flow_capacity },
	{ "flows.state_file", same_state_file },
	{ "hvr_rate_limit (on/off, prefixes, entries)", same_hvr_table },
	{ "auto_blocklist (on/off, prefixes, entries, max_listed)", same_auto_table },
	{ "metrics", same_metrics },
	{ "capture.file", same_capture_file },
	{ "announce", same_announce },
};

size_t
ds_config_frozen_diff(const struct ds_config *running, const struct ds_config *next, char *out, size_t len)
{
	size_t n = 0, i;

	if (len != 0)
		out[0] = '\0';
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].same(running, next))
			continue;
		if (n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s", n == 0 ? "" : ", ", parts[i].name);
		else
			n++;
	}
	return n;
}
