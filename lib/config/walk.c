/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading a YAML tree against a schema: the checks every section shares, each failing with file:line:col. */
#include "walk.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
walk_fail(struct walk *w, const struct yaml_node *at, const char *ctx, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (w->failed)
		return false;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(w->err, w->err_len, "%s:%u:%u: %s: %s", w->path, at->line, at->col, ctx, what);
	w->failed = true;
	return false;
}

void
walk_join(char *out, size_t len, const char *ctx, const char *key)
{
	snprintf(out, len, "%s%s%s", ctx, ctx[0] ? "." : "", key);
}

const struct yaml_node *
walk_value(const struct yaml_node *map, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < map->n_items; i += 2)
		if (strcmp(map->items[i]->value, key) == 0)
			return map->items[i + 1];
	return map;
}

bool
walk_map(struct walk *w, const struct yaml_node *map, const char *ctx, struct field *fields, size_t n)
{
	char expected[512] = "";
	size_t i, f;

	if (map->kind != YAML_NODE_MAP)
		return walk_fail(w, map, ctx, "expected a mapping of keys");
	for (f = 0; f < n; f++) {
		fields[f].key = fields[f].value = NULL;
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
			 f ? ", " : "", fields[f].name);
	}
	for (i = 0; i + 1 < map->n_items; i += 2) {
		const struct yaml_node *key = map->items[i];

		if (key->kind != YAML_NODE_SCALAR)
			return walk_fail(w, key, ctx, "keys must be plain words");
		for (f = 0; f < n && strcmp(fields[f].name, key->value) != 0; f++)
			;
		if (f == n)
			return walk_fail(w, key, ctx, "unknown key '%s' (expected one of: %s)", key->value, expected);
		if (fields[f].key != NULL)
			return walk_fail(w, key, ctx, "duplicate key '%s' (first at line %u)", key->value,
				    fields[f].key->line);
		fields[f].key = key;
		fields[f].value = map->items[i + 1];
	}
	for (f = 0; f < n; f++)
		if (fields[f].required && fields[f].value == NULL)
			return walk_fail(w, map, ctx, "missing key '%s'", fields[f].name);
	return true;
}

bool
walk_uint(struct walk *w, const struct yaml_node *v, const char *ctx, unsigned long min, unsigned long max,
	  unsigned long *out)
{
	const char *p;
	char *end;

	if (v->kind != YAML_NODE_SCALAR || v->value[0] == '\0')
		return walk_fail(w, v, ctx, "expected an integer in %lu..%lu", min, max);
	for (p = v->value; *p; p++)
		if (!isdigit((unsigned char)*p))
			return walk_fail(w, v, ctx, "'%s' is not an integer (expected %lu..%lu)", v->value, min, max);
	errno = 0;
	*out = strtoul(v->value, &end, 10);
	if (errno != 0 || *out < min || *out > max)
		return walk_fail(w, v, ctx, "%s is out of range (expected %lu..%lu)", v->value, min, max);
	return true;
}

bool
walk_string(struct walk *w, const struct yaml_node *v, const char *ctx, char *out, size_t len)
{
	if (v->kind != YAML_NODE_SCALAR)
		return walk_fail(w, v, ctx, "expected a string");
	if (v->value[0] == '\0')
		return walk_fail(w, v, ctx, "must not be empty");
	if (strlen(v->value) >= len)
		return walk_fail(w, v, ctx, "longer than %zu characters", len - 1);
	memcpy(out, v->value, strlen(v->value) + 1);
	return true;
}

bool
walk_choice(struct walk *w, const struct yaml_node *v, const char *ctx, const char *const *names,
	    unsigned n, unsigned *out)
{
	char expected[256] = "";
	unsigned i;

	for (i = 0; i < n; i++) {
		if (v->kind == YAML_NODE_SCALAR && strcmp(v->value, names[i]) == 0) {
			*out = i;
			return true;
		}
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
			 i ? ", " : "", names[i]);
	}
	return walk_fail(w, v, ctx, "'%s' is not one of: %s", v->kind == YAML_NODE_SCALAR ? v->value : "(not a word)",
		    expected);
}


bool
walk_int_map(struct walk *w, const struct yaml_node *map, const char *ctx, struct walk_int_key *keys, size_t n)
{
	struct field f[WALK_INT_KEYS_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		f[i] = (struct field){ keys[i].name, false, NULL, NULL };
		keys[i].node = NULL;
	}
	if (map == NULL)
		return true;
	if (n > WALK_INT_KEYS_MAX || !walk_map(w, map, ctx, f, n))
		return false;
	for (i = 0; i < n; i++) {
		char key[128];

		if (f[i].value == NULL)
			continue;
		walk_join(key, sizeof(key), ctx, keys[i].name);
		if (!walk_uint(w, f[i].value, key, keys[i].min, keys[i].max, &keys[i].value))
			return false;
		keys[i].node = f[i].value;
	}
	return true;
}
