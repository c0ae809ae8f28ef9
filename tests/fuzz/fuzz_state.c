/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes as a flow state file (flows.state_file). The loader's check must never
 * read past the input, must refuse with a reason, and what it accepts must be what the appliance can
 * load: the right size, every flow of a known family (or a connection ID of a keyable length) on an
 * existing worker, no worker over capacity, no flow with more idle time left than the timeout. See state_input.h for the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ds_flow_state.h"
#include "state_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the loader may rely on in a file ds_flow_state_check() accepted. */
static void
check_accepted(const uint8_t *file, size_t len, const struct ds_flow_state_meta *m)
{
	uint64_t per_worker[FUZZ_STATE_WORKERS] = { 0 };
	uint64_t i;

	if (len != ds_flow_state_size(m->count) || m->n_workers != FUZZ_STATE_WORKERS)
		__builtin_trap();
	for (i = 0; i < m->count; i++) {
		struct ds_flow_state_entry e;

		ds_flow_state_read_entry(file, i, &e);
		/* An address flow, or a connection-ID flow (RFC 9146) of a CID of 1..16 bytes. */
		if (((e.key.ip_version & ~DS_FLOW_KEY_CID) != 4 && (e.key.ip_version & ~DS_FLOW_KEY_CID) != 6) ||
		    ((e.key.ip_version & DS_FLOW_KEY_CID) &&
		     (e.key.client_port == 0 || e.key.client_port > DS_FLOW_CID_MAX)) ||
		    e.worker >= FUZZ_STATE_WORKERS ||
		    e.idle_left_ms > m->idle_timeout_ms || ++per_worker[e.worker] > FUZZ_STATE_CAPACITY)
			__builtin_trap();
	}
}

static void
check_one(const uint8_t *file, size_t len)
{
	struct ds_flow_state_meta m;
	char err[256] = "";

	if (ds_flow_state_check(file, len, (const uint8_t *)FUZZ_STATE_KEY, FUZZ_STATE_WORKERS,
				FUZZ_STATE_CAPACITY, FUZZ_STATE_NOW_MS, &m, err, sizeof(err)) == 0)
		check_accepted(file, len, &m);
	else if (err[0] == '\0')
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly the input on the heap, so that ASan sees any read past it; then the same sealed. */
	uint8_t *raw = malloc(size ? size : 1);
	uint8_t *sealed = malloc(size + DS_FLOW_STATE_MAC);

	memcpy(raw, data, size);
	check_one(raw, size);
	memcpy(sealed, data, size);
	if (ds_flow_state_seal(sealed, size + DS_FLOW_STATE_MAC, (const uint8_t *)FUZZ_STATE_KEY) != 0)
		__builtin_trap();
	check_one(sealed, size + DS_FLOW_STATE_MAC);
	free(raw);
	free(sealed);
	return 0;
}
