/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_TSHARK_H
#define DS_TEST_TSHARK_H

/**
 * @file
 * Ask Wireshark's dissectors about a pcap: an independent reading of the bytes the project parses and
 * writes. Checksum validation is on for IP and UDP.
 */

#include <stddef.h>
#include <stdint.h>

/** Field values, one row per frame. */
struct tshark_table {
	size_t rows;
	size_t cols;
	char **cells; /**< rows * cols strings, empty when the frame has no such field */
	char *text;   /**< backing store */
};

/**
 * Run tshark on @p pcap and read @p fields for every frame (first occurrence of each field).
 *
 * @param dtls_ports
 *   UDP ports to decode as DTLS whatever the heuristics or another protocol's registered port say
 *   (@p n_ports of them, 0 for none; zeros in the list are skipped).
 * @return
 *   0, or -1 when tshark could not run (message on stdout as a TAP diagnostic).
 */
int tshark_read(const char *pcap, const uint16_t *dtls_ports, size_t n_ports, const char *const *fields,
		size_t nfields,
		struct tshark_table *table);

/**
 * tshark_read() with @p quic_ports decoded as QUIC: Wireshark 4.0 finds QUIC by heuristics, which take
 * packets of versions it knows but not a Version Negotiation.
 */
int tshark_read_quic(const char *pcap, const uint16_t *quic_ports, size_t n_ports, const char *const *fields,
		     size_t nfields, struct tshark_table *table);

/** tshark_read(), with every occurrence of each field in a frame, comma-separated ("22,20,22"). */
int tshark_read_every(const char *pcap, const uint16_t *dtls_ports, size_t n_ports, const char *const *fields,
		      size_t nfields, struct tshark_table *table);

/** One cell. */
const char *tshark_cell(const struct tshark_table *table, size_t row, size_t col);

/** Free a table. */
void tshark_free(struct tshark_table *table);

/** Parse a tshark number ("22", "0xfeff"); -1 when the cell is empty or not a number. */
long long tshark_number(const char *cell);

#endif /* DS_TEST_TSHARK_H */
