/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_RSS_H
#define DS_RSS_H

/*
 * Both directions of a flow on one worker: the NIC hashes a client's frames (outside port) and the
 * server's answers (inside port) to the same queue index, and worker N owns queue N on both ports.
 * That takes a symmetric Toeplitz key (the 16-bit pattern 0x6d5a repeated: swapping source and
 * destination, addresses and ports, leaves the hash unchanged) and redirection tables that map a hash
 * to the same queue on both ports even when their sizes differ.
 */

#include <stddef.h>
#include <stdint.h>

enum { DS_RSS_KEY_MAX = 128 /**< longest key filled */ };

/** Fill an RSS key of @p len (at most DS_RSS_KEY_MAX) bytes with the symmetric pattern. */
void ds_rss_symmetric_key(uint8_t *key, size_t len);

/**
 * The queue of redirection-table entry @p entry: ports index their tables with the hash's low bits,
 * so entries are mapped through the @p common_size entries (a power of two) both tables have.
 */
uint16_t ds_rss_reta_queue(unsigned entry, unsigned common_size, unsigned n_queues);

#endif /* DS_RSS_H */
