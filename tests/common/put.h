/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_PUT_H
#define DS_TEST_PUT_H

/* Big-endian fields written one after the other, for the tests that build messages from the RFCs. */

#include <stdint.h>

#include "ds_wire.h"

static inline uint8_t *
put16(uint8_t *p, unsigned v)
{
	ds_store_be16(p, (uint16_t)v);
	return p + 2;
}

static inline uint8_t *
put24(uint8_t *p, unsigned v)
{
	ds_store_be24(p, v);
	return p + 3;
}

static inline uint8_t *
put48(uint8_t *p, uint64_t v)
{
	ds_store_be16(p, (uint16_t)(v >> 32));
	ds_store_be32(p + 2, (uint32_t)v);
	return p + 6;
}

#endif /* DS_TEST_PUT_H */
