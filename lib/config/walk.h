/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_CONFIG_WALK_H
#define DS_CONFIG_WALK_H

/*
 * Inside lib/config: walking a YAML tree against the schema. Every reader returns false after
 * recording the first problem as "PATH:LINE:COL: key.path: what is wrong" (later ones are ignored).
 */

#include <stdbool.h>
#include <stddef.h>

#include "ds_config.h"
#include "yaml_tree.h"

struct walk {
	const char *path;
	char *err;
	size_t err_len;
	bool failed;
};

/* One key of a mapping: what the schema expects and what the file had. */
struct field {
	const char *name;
	bool required;
	const struct yaml_node *key;
	const struct yaml_node *value;
};

/* Record a problem at a node (libyaml's marks made 1-based by the tree). Returns false. */
bool walk_fail(struct walk *w, const struct yaml_node *at, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "ctx.key" (or "key" at the top level). */
void walk_join(char *out, size_t len, const char *ctx, const char *key);

/* The value of a key in a mapping already checked by walk_map() (the mapping itself if absent). */
const struct yaml_node *walk_value(const struct yaml_node *map, const char *key);

/* Match a mapping's keys against the fields the schema allows: unknown, duplicate, missing. */
bool walk_map(struct walk *w, const struct yaml_node *map, const char *ctx, struct field *fields, size_t n);

/* A decimal integer in [min, max]. */
bool walk_uint(struct walk *w, const struct yaml_node *v, const char *ctx, unsigned long min, unsigned long max,
	       unsigned long *out);

/* A non-empty string shorter than len. */
bool walk_string(struct walk *w, const struct yaml_node *v, const char *ctx, char *out, size_t len);

/* One of n words; *out is its index. */
bool walk_choice(struct walk *w, const struct yaml_node *v, const char *ctx, const char *const *names,
		 unsigned n, unsigned *out);

/* One integer key of a section of integers: its name, range and default. */
struct walk_int_key {
	const char *name;
	unsigned long min, max;
	unsigned long value;            /* the default in, the file's value out */
	const struct yaml_node *node;   /* where the file set it; NULL when it did not */
};

enum { WALK_INT_KEYS_MAX = 16 };

/* A mapping of integer keys, each in its range; @p map NULL (section absent) keeps every default. */
bool walk_int_map(struct walk *w, const struct yaml_node *map, const char *ctx, struct walk_int_key *keys, size_t n);

/* The services section (services.c): addresses, and each service's DTLS 1.3 policy. */
bool config_read_services(struct walk *w, const struct yaml_node *seq, struct ds_config *cfg);

/* Sections read in reflection.c: the controls against reflection and abusive sources. */
bool config_read_hvr_limit(struct walk *w, const struct yaml_node *map, struct ds_config *cfg);
bool config_read_blocklist(struct walk *w, const struct yaml_node *seq, struct ds_config *cfg);
bool config_read_auto_blocklist(struct walk *w, const struct yaml_node *map, struct ds_config *cfg);
bool config_read_challenge(struct walk *w, const struct yaml_node *map, struct ds_config *cfg);

/* The metrics section (metrics.c): where the Prometheus endpoint listens. */
bool config_read_metrics(struct walk *w, const struct yaml_node *map, struct ds_config *cfg);
bool config_read_events(struct walk *w, const struct yaml_node *map, struct ds_config *cfg);
bool config_read_capture(struct walk *w, const struct yaml_node *map, struct ds_config *cfg);

/* The network keys of one port (network.c), each NULL when absent. */
struct port_network_nodes {
	const struct yaml_node *control_address, *kernel_interface, *kernel_rate, *vlan, *mtu;
};

/* network.c: a port's place in its network, a service's tunnel, the announced routes. */
bool config_read_port_network(struct walk *w, const struct port_network_nodes *n, const char *ctx,
			      struct ds_port_config *port);
bool config_read_next_hop(struct walk *w, const struct yaml_node *v, const char *ctx, struct ds_port_config *port);
bool config_read_tunnel(struct walk *w, const struct yaml_node *map, struct ds_tunnel *t);
bool config_read_announce(struct walk *w, const struct yaml_node *map, struct ds_config *cfg);

/* A file named in the configuration, relative to its folder unless absolute; false if too long. */
bool config_resolve_path(const char *config_path, const char *file, char *out, size_t len);

#endif /* DS_CONFIG_WALK_H */
