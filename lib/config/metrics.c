/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics: where the Prometheus endpoint listens. Absent, nothing listens.
 *
 *   metrics:
 *     listen: "127.0.0.1:9469"      # or "[::1]:9469"; 0.0.0.0 and [::] for every address
 */
#include "walk.h"

bool
config_read_metrics(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = { { "listen", true, NULL, NULL } };
	const struct yaml_node *v;

	cfg->metrics.enabled = false;
	if (map == NULL)
		return true;
	if (!walk_map(w, map, "metrics", f, 1))
		return false;
	v = f[0].value;
	/*
	 * The service syntax, less its "*" (a service's both families, which one socket cannot listen
	 * on) and host names (which would make the start depend on a resolver).
	 */
	if (v->kind != YAML_NODE_SCALAR || ds_service_parse(v->value, &cfg->metrics.listen) != 0 ||
	    cfg->metrics.listen.ip_version == 0)
		return walk_fail(w, v, "metrics.listen", "'%s' is not an address to listen on (expected ADDRESS:PORT "
			    "such as 127.0.0.1:9469 or [::1]:9469)", v->kind == YAML_NODE_SCALAR ? v->value : "(not a string)");
	cfg->metrics.enabled = true;
	return true;
}
