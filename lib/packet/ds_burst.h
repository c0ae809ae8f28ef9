/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_BURST_H
#define DS_BURST_H

/**
 * @file
 * The one burst size of the data path: frames per rx/tx burst, ClientHellos per MAC burst, flow keys
 * per bulk lookup. Every array sized by a burst is sized by this constant. It is a build option
 * (`meson configure -Dburst=32|64|128`, docs/performance.md measures each): a constant, not a setting,
 * so that the burst's arrays live on the stack and its loops have a known bound.
 */

#ifndef DS_BURST_SIZE
#define DS_BURST_SIZE 64
#endif

/** Burst limits. */
enum ds_burst_limits {
	DS_BURST = DS_BURST_SIZE, /**< frames per burst, everywhere */
};

_Static_assert(DS_BURST >= 8 && DS_BURST <= 256, "bursts of 8 to 256 frames");
_Static_assert((DS_BURST & (DS_BURST - 1)) == 0, "bursts are a power of two (rx rings and prefetch windows)");

#endif /* DS_BURST_H */
