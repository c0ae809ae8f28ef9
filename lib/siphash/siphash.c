/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_siphash.h"

/* Byte by byte: any alignment, any host byte order; compilers turn it into one load on x86. */
static uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void
ds_siphash_key_from_bytes(struct ds_siphash_key *key, const uint8_t bytes[16])
{
	key->k0 = load_le64(bytes);
	key->k1 = load_le64(bytes + 8);
}

uint64_t
ds_siphash(const struct ds_siphash_key *key, const void *data, size_t len)
{
	struct ds_siphash_state_ s = ds_siphash_start_(key);
	const uint8_t *p = data;
	const size_t whole = len - len % 8;
	/* Only the length's low byte takes part: the paper defines it as len mod 256. */
	uint64_t last = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i < whole; i += 8)
		ds_siphash_absorb_(&s, load_le64(p + i));
	/* The 0..7 bytes left sit in the low end of the last block, below the length. */
	for (i = whole; i < len; i++)
		last |= (uint64_t)p[i] << (8 * (i - whole));
	ds_siphash_absorb_(&s, last);
	return ds_siphash_finish_(&s);
}
