/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * events: how many JSON events a second at most; capture: the sampled capture of dropped frames.
 *
 *   events:
 *     rate: 20                     # events per second, bursts of as many (1..10000)
 *   capture:
 *     file: drops.pcapng           # relative to this file's folder unless absolute
 *     sample_every: 100            # 1 in N dropped frames; 0 = off until switched on at run time
 *     max_mb: 100                  # the file stops growing here (1..100000)
 */
#include <errno.h>

#include "walk.h"

enum { EVENTS_DEFAULT_RATE = 20, EVENTS_MAX_RATE = 10000, CAPTURE_DEFAULT_MB = 100, CAPTURE_MAX_MB = 100000 };

bool
config_read_events(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = { { "rate", false, NULL, NULL } };
	unsigned long v;

	cfg->events_rate = EVENTS_DEFAULT_RATE;
	if (map == NULL)
		return true;
	if (!walk_map(w, map, "events", f, 1))
		return false;
	if (f[0].value != NULL) {
		if (!walk_uint(w, f[0].value, "events.rate", 1, EVENTS_MAX_RATE, &v))
			return false;
		cfg->events_rate = (uint32_t)v;
	}
	return true;
}

bool
config_read_capture(struct walk *w, const struct yaml_node *map, struct ds_config *cfg)
{
	struct field f[] = { { "file", true, NULL, NULL }, { "sample_every", false, NULL, NULL },
			     { "max_mb", false, NULL, NULL } };
	char file[DS_CONFIG_PATH_MAX];
	unsigned long v;

	cfg->capture.file[0] = '\0';
	cfg->capture.sample_every = 0;
	cfg->capture.max_mb = CAPTURE_DEFAULT_MB;
	if (map == NULL)
		return true;
	if (!walk_map(w, map, "capture", f, 3) || !walk_string(w, f[0].value, "capture.file", file, sizeof(file)))
		return false;
	if (file[0] == '\0' || !config_resolve_path(w->path, file, cfg->capture.file, sizeof(cfg->capture.file)))
		return walk_fail(w, f[0].value, "capture.file", "empty or too long a path");
	if (f[1].value != NULL) {
		if (!walk_uint(w, f[1].value, "capture.sample_every", 0, UINT32_MAX, &v))
			return false;
		cfg->capture.sample_every = (uint32_t)v;
	}
	if (f[2].value != NULL) {
		if (!walk_uint(w, f[2].value, "capture.max_mb", 1, CAPTURE_MAX_MB, &v))
			return false;
		cfg->capture.max_mb = (uint32_t)v;
	}
	return true;
}
