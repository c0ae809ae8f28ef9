/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_PROCESS_H
#define DS_TEST_PROCESS_H

/**
 * @file
 * Real peers as child processes: start one with its stdin held open (DTLS clients quit at EOF) and its
 * output in a log file, stop it for sure.
 */

#include <sys/types.h>

/** A running child. */
struct child {
	pid_t pid;
	int stdin_fd; /**< write end of the child's stdin, -1 when closed */
};

/**
 * Start argv[0] (searched in PATH) with output appended to @p log_path.
 * Bails out when it cannot be started.
 */
void child_start(struct child *c, char *const argv[], const char *log_path);

/** Stop a child (SIGTERM, then SIGKILL after a grace period) and reap it. */
void child_stop(struct child *c);

/**
 * Move this process (and the children it starts from now on) into a network namespace of its own,
 * with its loopback up and accepting injected packets from 127.0.0.1 (route_localnet, accept_local:
 * without them Linux drops such IPv4 packets as martians). Needs root; bails out otherwise.
 */
void process_private_loopback(void);

#endif /* DS_TEST_PROCESS_H */
