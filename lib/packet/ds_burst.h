/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BURST_H
#define DS_BURST_H

/**
 * @file
 * The one burst size of the data path: frames per rx/tx burst, ClientHellos per MAC burst, flow keys
 * per bulk lookup. Every array and bit mask sized by a burst is sized by this constant, and a
 * _Static_assert stands beside each mask that cannot hold more than 64.
 */

/** Burst limits. */
enum ds_burst_limits {
	DS_BURST = 64,          /**< frames per burst, everywhere */
	DS_BURST_MASK_BITS = 64 /**< bits of the uint64_t masks that mark frames of a burst */
};

_Static_assert(DS_BURST <= DS_BURST_MASK_BITS, "a burst's frames are marked in one 64-bit mask");
_Static_assert((DS_BURST & (DS_BURST - 1)) == 0, "bursts are a power of two (rx rings and prefetch windows)");

#endif /* DS_BURST_H */
