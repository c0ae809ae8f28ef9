/* SPDX-License-Identifier: BSD-3-Clause */
#include "rss.h"

void
ds_rss_symmetric_key(uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		key[i] = i % 2 == 0 ? 0x6d : 0x5a;
}

uint16_t
ds_rss_reta_queue(unsigned entry, unsigned common_size, unsigned n_queues)
{
	/* Entry e of a table of 512 and entry e mod 128 of one of 128 serve the same hashes. */
	return (uint16_t)((entry & (common_size - 1)) % n_queues);
}
