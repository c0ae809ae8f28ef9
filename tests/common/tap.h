/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_TAP_H
#define DS_TEST_TAP_H

/**
 * @file
 * A minimal TAP producer: one "ok"/"not ok" line per check, the plan at the end. meson runs the tests
 * with protocol 'tap' and .ci/run counts the lines.
 */

#include <stdbool.h>

/** Record one check; @p fmt names it (failures should say which table step broke). */
bool tap_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Checks that make up one TAP point: one table row tried on every capture, say. */
struct tap_group {
	unsigned checks;
	unsigned failures;
};

/** Record one check of a group; a failure is printed as a diagnostic right away. */
bool tap_sub(struct tap_group *g, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Close a group as one TAP point: ok when it had checks and none failed. Resets the group. */
bool tap_group_done(struct tap_group *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** A diagnostic line ("# ..."), shown with the results. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Stop the whole test now (missing fixture, tool not found): prints "Bail out!" and exits 1. */
void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/** Print the plan; returns the process exit code (0 when every check passed). */
int tap_done(void);

#endif /* DS_TEST_TAP_H */
