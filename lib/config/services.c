/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * services: the protected services, each "ADDRESS:PORT" (DTLS), or a mapping that also says which
 * protocol it speaks and, per protocol, what to do with ClientHellos offering DTLS 1.3 or QUIC long
 * headers of unknown versions:
 *
 *   services:
 *     - "192.0.2.10:4433"
 *     - address: "[2001:db8::10]:4433"
 *       dtls13: pass-limited
 *     - address: "192.0.2.10:443"
 *       protocol: quic
 *       quic_other_versions: drop
 */
#include <errno.h>

#include "walk.h"

static const char *const policy_names[DS_DTLS13_POLICY_COUNT] = {
	[DS_DTLS13_HVR_DOWNGRADE] = "hvr-downgrade",
	[DS_DTLS13_PASS_LIMITED] = "pass-limited",
	[DS_DTLS13_DROP] = "drop",
};

static const char *const protocol_names[] = {
	[DS_PROTO_DTLS] = "dtls",
	[DS_PROTO_QUIC] = "quic",
};

static const char *const quic_other_names[DS_QUIC_OTHER_POLICY_COUNT] = {
	[DS_QUIC_OTHER_VERSION_NEGOTIATION] = "version-negotiation",
	[DS_QUIC_OTHER_DROP] = "drop",
};

const char *
ds_dtls13_policy_name(enum ds_dtls13_policy p)
{
	return (unsigned)p < DS_DTLS13_POLICY_COUNT ? policy_names[p] : "invalid";
}

const char *
ds_quic_other_policy_name(enum ds_quic_other_policy p)
{
	return (unsigned)p < DS_QUIC_OTHER_POLICY_COUNT ? quic_other_names[p] : "invalid";
}

/* What an entry says besides its address. */
struct entry_options {
	unsigned protocol;   /* enum ds_service_protocol */
	unsigned dtls13;     /* enum ds_dtls13_policy */
	unsigned quic_other; /* enum ds_quic_other_policy */
	struct ds_tunnel tunnel; /* GRE toward the service's site (ip_version 0 = none) */
};

/* One entry: its address node, its protocol and its policies (each only for its own protocol). */
static bool
read_entry(struct walk *w, const struct yaml_node *item, const struct yaml_node **address,
	   struct entry_options *o)
{
	struct field f[] = { { "address", true, NULL, NULL }, { "dtls13", false, NULL, NULL },
			     { "protocol", false, NULL, NULL }, { "quic_other_versions", false, NULL, NULL },
			     { "tunnel", false, NULL, NULL } };

	*o = (struct entry_options){ DS_PROTO_DTLS, DS_DTLS13_HVR_DOWNGRADE, DS_QUIC_OTHER_VERSION_NEGOTIATION, { 0 } };
	*address = item;
	if (item->kind != YAML_NODE_MAP)
		return true;
	if (!walk_map(w, item, "services", f, 5))
		return false;
	*address = f[0].value;
	if (f[4].value != NULL && !config_read_tunnel(w, f[4].value, &o->tunnel))
		return false;
	if (f[2].value != NULL && !walk_choice(w, f[2].value, "services.protocol", protocol_names, 2, &o->protocol))
		return false;
	if (f[1].value != NULL && o->protocol != DS_PROTO_DTLS)
		return walk_fail(w, f[1].value, "services.dtls13", "only for a service whose protocol is dtls");
	if (f[3].value != NULL && o->protocol != DS_PROTO_QUIC)
		return walk_fail(w, f[3].value, "services.quic_other_versions", "only for a service whose protocol is quic");
	if (f[1].value != NULL &&
	    !walk_choice(w, f[1].value, "services.dtls13", policy_names, DS_DTLS13_POLICY_COUNT, &o->dtls13))
		return false;
	return f[3].value == NULL || walk_choice(w, f[3].value, "services.quic_other_versions", quic_other_names,
						 DS_QUIC_OTHER_POLICY_COUNT, &o->quic_other);
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
		struct entry_options o;
		struct ds_service svc;
		int rc;

		if (!read_entry(w, seq->items[i], &item, &o))
			return false;
		if (item->kind != YAML_NODE_SCALAR || ds_service_parse(item->value, &svc) != 0)
			return walk_fail(w, item, "services", "'%s' is not a service (expected 192.0.2.10:4433, "
				    "[2001:db8::10]:4433, *:4433, 0.0.0.0:4433 or [::]:4433)",
				    item->kind == YAML_NODE_SCALAR ? item->value : "(not a string)");
		svc.protocol = (uint8_t)o.protocol;
		rc = ds_service_set_add(&cfg->services, &svc);
		if (rc == -EEXIST)
			return walk_fail(w, item, "services", "'%s' is listed twice", item->value);
		if (rc != 0)
			return walk_fail(w, item, "services", "more than %d services", DS_SERVICE_MAX);
		cfg->dtls13[cfg->services.count - 1] = (enum ds_dtls13_policy)o.dtls13;
		cfg->quic_other[cfg->services.count - 1] = (enum ds_quic_other_policy)o.quic_other;
		cfg->tunnel[cfg->services.count - 1] = o.tunnel;
	}
	return true;
}
