/* SPDX-License-Identifier: BSD-3-Clause */
#include "yaml_tree.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum { MAX_DEPTH = 16 };

struct builder {
	const char *path;
	char *err;
	size_t err_len;
	yaml_parser_t parser;
};

static struct yaml_node *
new_node(enum yaml_node_kind kind, const yaml_mark_t *mark)
{
	struct yaml_node *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->kind = kind;
		/* libyaml counts from 0; editors and our messages from 1. */
		n->line = (unsigned)mark->line + 1;
		n->col = (unsigned)mark->column + 1;
	}
	return n;
}

static bool
append(struct yaml_node *parent, struct yaml_node *child)
{
	struct yaml_node **items = realloc(parent->items, (parent->n_items + 1) * sizeof(*items));

	if (items == NULL)
		return false;
	items[parent->n_items++] = child;
	parent->items = items;
	return true;
}

static void
fail_at(struct builder *b, const yaml_mark_t *mark, const char *what)
{
	snprintf(b->err, b->err_len, "%s:%zu:%zu: %s", b->path, mark->line + 1, mark->column + 1, what);
}

static bool
next_event(struct builder *b, yaml_event_t *ev)
{
	char what[200];

	if (yaml_parser_parse(&b->parser, ev))
		return true;
	snprintf(what, sizeof(what), "YAML syntax: %s%s%s", b->parser.problem ? b->parser.problem : "error",
		 b->parser.context ? " " : "", b->parser.context ? b->parser.context : "");
	fail_at(b, &b->parser.problem_mark, what);
	return false;
}

/* Build the node that starts with @p ev (already read), and everything under it. */
static struct yaml_node *
build(struct builder *b, yaml_event_t *ev, unsigned depth)
{
	struct yaml_node *node = NULL;
	yaml_event_t child;
	yaml_event_type_t end;

	if (depth > MAX_DEPTH) {
		fail_at(b, &ev->start_mark, "nested too deep");
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		node = new_node(YAML_NODE_SCALAR, &ev->start_mark);
		if (node != NULL)
			node->value = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (node == NULL || node->value == NULL) {
			fail_at(b, &ev->start_mark, "out of memory");
			yaml_tree_free(node);
			return NULL;
		}
		return node;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		node = new_node(ev->type == YAML_MAPPING_START_EVENT ? YAML_NODE_MAP : YAML_NODE_SEQ, &ev->start_mark);
		end = ev->type == YAML_MAPPING_START_EVENT ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
		if (node == NULL) {
			fail_at(b, &ev->start_mark, "out of memory");
			return NULL;
		}
		for (;;) {
			struct yaml_node *item;

			if (!next_event(b, &child))
				goto fail;
			if (child.type == end) {
				yaml_event_delete(&child);
				return node;
			}
			item = build(b, &child, depth + 1);
			yaml_event_delete(&child);
			if (item == NULL)
				goto fail;
			if (!append(node, item)) {
				yaml_tree_free(item);
				fail_at(b, &ev->start_mark, "out of memory");
				goto fail;
			}
		}
	case YAML_ALIAS_EVENT:
		/* Anchors let one value stand in many places; a configuration is clearer without them. */
		fail_at(b, &ev->start_mark, "aliases are not supported (write the value out)");
		return NULL;
	default:
		fail_at(b, &ev->start_mark, "unexpected YAML content");
		return NULL;
	}
fail:
	yaml_tree_free(node);
	return NULL;
}

struct yaml_node *
yaml_tree_load(const char *path, char *err, size_t err_len)
{
	struct builder b = { .path = path, .err = err, .err_len = err_len };
	struct yaml_node *root = NULL;
	yaml_event_t ev;
	FILE *f = fopen(path, "rb");
	bool ok = false;

	if (f == NULL) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	yaml_parser_initialize(&b.parser);
	yaml_parser_set_input_file(&b.parser, f);
	/* stream start, document start, the root node, document end, then the stream must end */
	if (!next_event(&b, &ev))
		goto out;
	yaml_event_delete(&ev);
	if (!next_event(&b, &ev))
		goto out;
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		fail_at(&b, &ev.start_mark, "the file is empty");
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	if (!next_event(&b, &ev))
		goto out;
	root = build(&b, &ev, 0);
	yaml_event_delete(&ev);
	if (root == NULL)
		goto out;
	if (!next_event(&b, &ev))
		goto out;
	yaml_event_delete(&ev);
	if (!next_event(&b, &ev))
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT)
		fail_at(&b, &ev.start_mark, "only one YAML document per file");
	else
		ok = true;
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&b.parser);
	fclose(f);
	if (!ok) {
		yaml_tree_free(root);
		return NULL;
	}
	return root;
}

void
yaml_tree_free(struct yaml_node *node)
{
	size_t i;

	if (node == NULL)
		return;
	for (i = 0; i < node->n_items; i++)
		yaml_tree_free(node->items[i]);
	free(node->items);
	free(node->value);
	free(node);
}
