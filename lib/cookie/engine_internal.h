/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_COOKIE_ENGINE_INTERNAL_H
#define DS_COOKIE_ENGINE_INTERNAL_H

/* Inside lib/cookie only: what the QUIC token code borrows from a cookie engine. */

#include <intel-ipsec-mb.h>

struct ds_cookie_engine;

/* The engine's ipsec-mb manager. */
IMB_MGR *engine_mgr(struct ds_cookie_engine *e);

/* The precomputed Retry Integrity Tag key of QUIC v1 (v2 = 0) or v2. */
const struct gcm_key_data *engine_retry_key(const struct ds_cookie_engine *e, unsigned v2);

/* Precompute both Retry Integrity Tag keys (quic_token.c holds them). */
void engine_prepare_retry_keys(IMB_MGR *mgr, struct gcm_key_data keys[2]);

#endif /* DS_COOKIE_ENGINE_INTERNAL_H */
