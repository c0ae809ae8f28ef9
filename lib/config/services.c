/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * services: the protected services, each "ADDRESS:PORT", or a mapping that also says what to do with
 * ClientHellos offering DTLS 1.3:
 *
 *   services:
 *     - "192.0.2.10:4433"
 *     - address: "[2001:db8::10]:4433"
 *       dtls13: pass-limited
 */
#include <errno.h>

#include "walk.h"

static const char *const policy_names[DS_DTLS13_POLICY_COUNT] = {
	[DS_DTLS13_HVR_DOWNGRADE] = "hvr-downgrade",
	[DS_DTLS13_PASS_LIMITED] = "pass-limited",
	[DS_DTLS13_DROP] = "drop",
};

const char *
ds_dtls13_policy_name(enum ds_dtls13_policy p)
{
	return (unsigned)p < DS_DTLS13_POLICY_COUNT ? policy_names[p] : "invalid";
}

/* One entry: its address node, and its policy. */
static bool
read_entry(struct walk *w, const struct yaml_node *item, const struct yaml_node **address,
	   enum ds_dtls13_policy *policy)
{
	struct field f[] = { { "address", true, NULL, NULL }, { "dtls13", false, NULL, NULL } };
	unsigned p = DS_DTLS13_HVR_DOWNGRADE;

	*policy = DS_DTLS13_HVR_DOWNGRADE;
	*address = item;
	if (item->kind != YAML_NODE_MAP)
		return true;
	if (!walk_map(w, item, "services", f, 2))
		return false;
	*address = f[0].value;
	if (f[1].value != NULL && !walk_choice(w, f[1].value, "services.dtls13", policy_names, DS_DTLS13_POLICY_COUNT, &p))
		return false;
	*policy = (enum ds_dtls13_policy)p;
	return true;
}

bool
config_read_services(struct walk *w, const struct yaml_node *seq, struct ds_config *cfg)
{
	size_t i;

	if (seq->kind != YAML_NODE_SEQ || seq->n_items == 0)
		return walk_fail(w, seq, "services", "expected a non-empty list of ADDRESS:PORT");
	ds_service_set_init(&cfg->services);
	for (i = 0; i < seq->n_items; i++) {
		const struct yaml_node *item;
		enum ds_dtls13_policy policy;
		struct ds_service svc;
		int rc;

		if (!read_entry(w, seq->items[i], &item, &policy))
			return false;
		if (item->kind != YAML_NODE_SCALAR || ds_service_parse(item->value, &svc) != 0)
			return walk_fail(w, item, "services", "'%s' is not a service (expected 192.0.2.10:4433, "
				    "[2001:db8::10]:4433, *:4433, 0.0.0.0:4433 or [::]:4433)",
				    item->kind == YAML_NODE_SCALAR ? item->value : "(not a string)");
		rc = ds_service_set_add(&cfg->services, &svc);
		if (rc == -EEXIST)
			return walk_fail(w, item, "services", "'%s' is listed twice", item->value);
		if (rc != 0)
			return walk_fail(w, item, "services", "more than %d services", DS_SERVICE_MAX);
		cfg->dtls13[cfg->services.count - 1] = policy;
	}
	return true;
}
