/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controls against reflection and abusive sources (docs/operations.md): the HVR rate limit per
 * destination prefix, the blocklist and its automatic entries, and when to challenge at all.
 */
#include <stdio.h>
#include <string.h>

#include "walk.h"

bool
config_read_blocklist(struct walk *w, const struct yaml_node *seq, struct ds_config *cfg)
{
	size_t i;

	if (seq == NULL)
		return true;
	if (seq->kind != YAML_NODE_SEQ)
		return walk_fail(w, seq, "blocklist", "expected a list of prefixes (198.51.100.0/24, 2001:db8::/32)");
	for (i = 0; i < seq->n_items; i++) {
		const struct yaml_node *item = seq->items[i];
		struct ds_prefix *p = &cfg->blocklist[cfg->n_blocklist];
		char why[160];

		if (cfg->n_blocklist == DS_CONFIG_MAX_BLOCKLIST)
			return walk_fail(w, item, "blocklist", "more than %d prefixes (add more at run time)",
				    DS_CONFIG_MAX_BLOCKLIST);
		if (item->kind != YAML_NODE_SCALAR)
			return walk_fail(w, item, "blocklist", "expected a prefix such as 198.51.100.0/24");
		if (ds_prefix_parse(item->value, p, why, sizeof(why)) != 0)
			return walk_fail(w, item, "blocklist", "%s", why);
		if (ds_prefix_listed(cfg->blocklist, cfg->n_blocklist, p))
			return walk_fail(w, item, "blocklist", "'%s' is listed twice", item->value);
		cfg->n_blocklist++;
	}
	return true;
}

static bool
power_of_two(struct walk *w, const struct walk_int_key *k, const char *ctx)
{
	return (k->value & (k->value - 1)) == 0 ||
	       walk_fail(w, k->node, ctx, "%lu is not a power of two", k->value);
}

bool
config_read_hvr_limit(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct walk_int_key k[] = {
		{ "per_prefix", 0, 100000000, 1000, NULL }, { "burst", 1, 100000000, 0, NULL },
		{ "ipv4_prefix", 8, 32, 24, NULL },          { "ipv6_prefix", 16, 128, 56, NULL },
		{ "entries", 1024, 1 << 24, 65536, NULL },
	};

	if (!walk_int_map(w, map, "hvr_rate_limit", k, 5) || !power_of_two(w, &k[4], "hvr_rate_limit.entries"))
		return false;
	cfg->hvr_limit.per_prefix = (uint32_t)k[0].value;
	/* A quiet prefix may get one second's worth at once unless told otherwise. */
	cfg->hvr_limit.burst = (uint32_t)(k[1].node != NULL ? k[1].value : k[0].value != 0 ? k[0].value : 1);
	cfg->hvr_limit.ipv4_prefix = (uint8_t)k[2].value;
	cfg->hvr_limit.ipv6_prefix = (uint8_t)k[3].value;
	cfg->hvr_limit.entries = (uint32_t)k[4].value;
	return true;
}

bool
config_read_auto_blocklist(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	/* Off unless asked for: a spoofer can send bad cookies in a victim's name (docs/security.md). */
	struct walk_int_key k[] = {
		{ "bad_cookies", 0, 1000000, 0, NULL },      { "forgive_per_s", 1, 1000000, 1, NULL },
		{ "ipv4_prefix", 8, 32, 32, NULL },          { "ipv6_prefix", 16, 128, 64, NULL },
		{ "duration", 1, 7 * 86400, 600, NULL },     { "entries", 1024, 1 << 24, 65536, NULL },
		{ "max_listed", 1, DS_CONFIG_MAX_AUTO_LISTED, 4096, NULL },
	};

	if (!walk_int_map(w, map, "auto_blocklist", k, 7) || !power_of_two(w, &k[5], "auto_blocklist.entries"))
		return false;
	cfg->auto_blocklist.bad_cookies = (uint32_t)k[0].value;
	cfg->auto_blocklist.forgive_per_s = (uint32_t)k[1].value;
	cfg->auto_blocklist.ipv4_prefix = (uint8_t)k[2].value;
	cfg->auto_blocklist.ipv6_prefix = (uint8_t)k[3].value;
	cfg->auto_blocklist.duration_s = (uint32_t)k[4].value;
	cfg->auto_blocklist.entries = (uint32_t)k[5].value;
	cfg->auto_blocklist.max_listed = (uint32_t)k[6].value;
	return true;
}

bool
config_read_challenge(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	static const char *const modes[] = { "always", "under-attack" };
	struct field f[] = {
		{ "mode", false, NULL, NULL },
		{ "on_rate", false, NULL, NULL },
		{ "off_rate", false, NULL, NULL },
		{ "off_after", false, NULL, NULL },
	};
	unsigned long on = 1000, off = 0, after = 10;
	unsigned mode = DS_CHALLENGE_ALWAYS;

	_Static_assert(sizeof(modes) / sizeof(modes[0]) == DS_CHALLENGE_MODE_COUNT, "one name per mode");
	if (map != NULL) {
		if (!walk_map(w, map, "challenge", f, 4) ||
		    (f[0].value != NULL && !walk_choice(w, f[0].value, "challenge.mode", modes, 2, &mode)) ||
		    (f[1].value != NULL && !walk_uint(w, f[1].value, "challenge.on_rate", 1, 100000000, &on)) ||
		    (f[2].value != NULL && !walk_uint(w, f[2].value, "challenge.off_rate", 0, 100000000, &off)) ||
		    (f[3].value != NULL && !walk_uint(w, f[3].value, "challenge.off_after", 1, 3600, &after)))
			return false;
	}
	/* Half the rate that switched it on, unless told: a flood hovering at the threshold does not flap. */
	if (f[2].value == NULL || map == NULL)
		off = on / 2;
	else if (off > on)
		return walk_fail(w, f[2].value, "challenge.off_rate", "%lu is above on_rate %lu (expected <= on_rate)",
				 off, on);
	cfg->challenge.mode = (enum ds_challenge_mode)mode;
	cfg->challenge.on_rate = (uint32_t)on;
	cfg->challenge.off_rate = (uint32_t)off;
	cfg->challenge.off_after_ms = (uint32_t)after * 1000;
	return true;
}
