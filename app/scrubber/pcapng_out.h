/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_PCAPNG_OUT_H
#define DS_PCAPNG_OUT_H

/*
 * The few pcapng blocks the drop capture writes (the pcapng draft, IETF opsawg): a section header, one
 * Ethernet interface, and enhanced packet blocks carrying a comment each (opt_comment), which is
 * where tshark shows a frame's fate (`frame.comment`). Microsecond timestamps, the default resolution.
 */

#include <stdint.h>
#include <stdio.h>

/* Section header and interface description; bytes written, or 0 on an I/O error. */
size_t pcapng_out_header(FILE *f, uint32_t snaplen);

/* One packet: @p caplen bytes of a frame that was @p origlen long, with @p comment. Bytes written, or 0. */
size_t pcapng_out_packet(FILE *f, uint64_t unix_us, const uint8_t *data, uint32_t caplen, uint32_t origlen,
			 const char *comment);

#endif /* DS_PCAPNG_OUT_H */
