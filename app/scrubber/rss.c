/* SPDX-License-Identifier: BSD-3-Clause */
#include "rss.h"

#include <string.h>

#define PAIR 0x6d, 0x5a
#define PAIRS_8 PAIR, PAIR, PAIR, PAIR, PAIR, PAIR, PAIR, PAIR

/* The longest key a NIC takes (mlx5: 40, i40e: 52, ice: 52), with room to spare. */
static const uint8_t symmetric[DS_RSS_KEY_MAX] = { PAIRS_8, PAIRS_8, PAIRS_8, PAIRS_8,
						   PAIRS_8, PAIRS_8, PAIRS_8, PAIRS_8 };

void
ds_rss_symmetric_key(uint8_t *key, size_t len)
{
	memcpy(key, symmetric, len < sizeof(symmetric) ? len : sizeof(symmetric));
}

uint16_t
ds_rss_reta_queue(unsigned entry, unsigned common_size, unsigned n_queues)
{
	/* Entry e of a table of 512 and entry e mod 128 of one of 128 serve the same hashes. */
	return (uint16_t)((entry & (common_size - 1)) % n_queues);
}
