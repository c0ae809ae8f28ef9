/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_COOKIE_ENGINE_H
#define DS_COOKIE_ENGINE_H

/**
 * @file
 * The batch MAC engine: all the cookies of a burst, made and checked with one ipsec-mb burst.
 *
 * One engine per worker lcore (it owns an ipsec-mb manager and scratch space; nothing is shared).
 * Creation allocates and runs known-answer tests through the same burst path; running allocates
 * nothing, takes no lock and makes no system call.
 */

#include <stddef.h>
#include <stdint.h>

#include "ds_cookie.h"

struct ds_cookie_engine;
struct ds_cookie_keyset;

/**
 * Create an engine and prove it computes right: RFC 4231 (HMAC-SHA256), RFC 2202 (HMAC-SHA1) and
 * RFC 4493 (AES-CMAC) vectors through the burst path.
 *
 * @param err
 *   Why it failed: ipsec-mb unavailable, a known answer wrong, out of memory.
 * @return
 *   The engine, or NULL.
 */
struct ds_cookie_engine *ds_cookie_engine_create(char *err, size_t err_len);

/** Free an engine, wiping its scratch space. */
void ds_cookie_engine_destroy(struct ds_cookie_engine *e);

/** Bytes an engine takes, its ipsec-mb manager included, for ds_cookie_engine_init(). */
size_t ds_cookie_engine_size(void);

/**
 * ds_cookie_engine_create() in memory of the caller's: a worker's engine on the worker's NUMA socket.
 *
 * @param mem
 *   ds_cookie_engine_size() bytes, 64-byte aligned.
 * @return
 *   The engine (at @p mem), or NULL with the reason in @p err.
 */
struct ds_cookie_engine *ds_cookie_engine_init(void *mem, char *err, size_t err_len);

/** Wipe an engine made by ds_cookie_engine_init(); its memory is the caller's to free. */
void ds_cookie_engine_fini(struct ds_cookie_engine *e);

/**
 * Make and check the cookies of a burst.
 *
 * For every request, @p cookies receives the cookie the current epoch's key makes for it (what an
 * HVR carries), and @p verdicts what the presented cookie is worth: DS_COOKIE_ABSENT without one,
 * DS_COOKIE_VALID only if its MAC matches under a key the key set accepts (compared in constant time).
 *
 * @param ks
 *   Key set from ds_keyring_current() or a copy of one (its parameters say the format and the length).
 * @param req
 *   Requests.
 * @param n
 *   Any number; they are computed DS_COOKIE_BURST_MAX at a time (a worker passes one burst).
 * @param cookies
 *   n buffers of DS_COOKIE_MAX_LEN bytes, all written; the first params.cookie_len are the cookie.
 * @param verdicts
 *   n verdicts.
 */
void ds_cookie_engine_run(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
			  const struct ds_cookie_request *req, unsigned n,
			  uint8_t (*cookies)[DS_COOKIE_MAX_LEN], enum ds_cookie_verdict *verdicts);

/**
 * One pass over each frame: write request @p i's MAC input into the engine now, while the caller has
 * its frame in the cache (a worker, as it classifies), for the next ds_cookie_engine_run_staged().
 * AES-CMAC inputs are written where they will be encrypted; the request's pointers are not read again
 * for the input.
 *
 * @param mode
 *   The format the next run's key set has (a run under another format makes the inputs again).
 * @param i
 *   < DS_COOKIE_BURST_MAX: the request's place in the next run.
 */
void ds_cookie_engine_stage(struct ds_cookie_engine *e, enum ds_cookie_mode mode, unsigned i,
			    const struct ds_cookie_request *req);

/**
 * ds_cookie_engine_run() over @p n requests whose inputs were staged, request i at place i. More than
 * DS_COOKIE_BURST_MAX requests, or inputs staged for another format, are made again from @p req.
 */
void ds_cookie_engine_run_staged(struct ds_cookie_engine *e, const struct ds_cookie_keyset *ks,
				 const struct ds_cookie_request *req, unsigned n,
				 uint8_t (*cookies)[DS_COOKIE_MAX_LEN], enum ds_cookie_verdict *verdicts);

/** MAC jobs ipsec-mb failed to complete (their requests were refused); 0 on a healthy engine. */
uint64_t ds_cookie_engine_errors(const struct ds_cookie_engine *e);

/** Name of the ipsec-mb code path the engine runs ("avx512", "avx2", "avx", "sse"). */
const char *ds_cookie_engine_arch(const struct ds_cookie_engine *e);

#endif /* DS_COOKIE_ENGINE_H */
