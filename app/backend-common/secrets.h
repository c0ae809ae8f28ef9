/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EXAMPLE_SECRETS_H
#define DS_EXAMPLE_SECRETS_H

/*
 * Master-secret rotation in the example servers: --secret and --accept-secret are read again on
 * SIGHUP, without a restart and without dropping a session (docs/operations.md, "Rotating the master
 * secret"). The --accept-secret file is optional: while it is absent only --secret is accepted.
 */

#include "dtlscookie.h"
#include "options.h"

/**
 * Apply the secret files now, then again on every SIGHUP (a thread of its own waits for it). Call
 * before any other thread starts: SIGHUP is blocked in the caller and so in every thread it creates.
 *
 * @return
 *   0, or -1 with the reason printed (the secrets cannot be read at start).
 */
int example_secrets_follow(struct dtlscookie *dc, const struct example_options *o);

#endif /* DS_EXAMPLE_SECRETS_H */
