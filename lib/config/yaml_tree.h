/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_YAML_TREE_H
#define DS_YAML_TREE_H

/*
 * Inside lib/config only: a YAML document read with libyaml's event parser into a small tree whose
 * every node keeps its 1-based line and column, so that any later check can say where it failed.
 */

#include <stddef.h>

enum yaml_node_kind { YAML_NODE_SCALAR, YAML_NODE_MAP, YAML_NODE_SEQ };

struct yaml_node {
	enum yaml_node_kind kind;
	unsigned line;              /* 1-based */
	unsigned col;               /* 1-based */
	char *value;                /* scalars */
	struct yaml_node **items;   /* maps: key, value, key, value...; sequences: items */
	size_t n_items;
};

/*
 * Read a file into a tree. On error returns NULL with "PATH:LINE:COL: what" in @p err (syntax errors,
 * anchors and aliases, more than one document, an empty file).
 */
struct yaml_node *yaml_tree_load(const char *path, char *err, size_t err_len);

/* Free a tree. */
void yaml_tree_free(struct yaml_node *node);

#endif /* DS_YAML_TREE_H */
