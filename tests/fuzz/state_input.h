/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_FUZZ_STATE_INPUT_H
#define DS_FUZZ_STATE_INPUT_H

/*
 * What fuzz_state reads, and what its seeds are made of (make_corpus state).
 *
 * Input: a flow state file without its MAC (header and flows, docs/state-file.md). The target checks
 * the bytes as they are (almost always refused by the MAC), then seals them under FUZZ_STATE_KEY and
 * checks them again, so that every check behind the MAC is reached. The loader runs with
 * FUZZ_STATE_WORKERS workers of FUZZ_STATE_CAPACITY flows, at Unix time FUZZ_STATE_NOW_MS.
 */

#include <stdint.h>

enum { FUZZ_STATE_WORKERS = 2, FUZZ_STATE_CAPACITY = 8 };

#define FUZZ_STATE_NOW_MS UINT64_C(1800000000000)
#define FUZZ_STATE_KEY "fuzz_state: a fixed 32-byte key."

#endif /* DS_FUZZ_STATE_INPUT_H */
