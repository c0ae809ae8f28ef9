/* SPDX-License-Identifier: BSD-3-Clause */
#include "tshark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static char *
read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);

	while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0)
			buf = realloc(buf, cap *= 2);
	}
	if (buf == NULL)
		tap_bail("out of memory");
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
split_rows(struct tshark_table *table, size_t len)
{
	size_t lines = 0, i, row = 0, col = 0;
	char *p = table->text;

	for (i = 0; i < len; i++)
		lines += table->text[i] == '\n';
	table->cells = calloc(lines * table->cols + 1, sizeof(*table->cells));
	if (table->cells == NULL)
		tap_bail("out of memory");
	table->cells[0] = p;
	for (; *p != '\0' && row < lines; p++) {
		if (*p != '\t' && *p != '\n')
			continue;
		if (*p == '\n') {
			/* A row with fewer tabs than fields keeps its missing cells NULL. */
			row++;
			col = 0;
		} else if (++col >= table->cols) {
			tap_bail("tshark printed more fields than asked");
		}
		*p = '\0';
		if (row < lines)
			table->cells[row * table->cols + col] = p + 1;
	}
	table->rows = lines;
}

static int
read_fields(const char *pcap, const char *protocol, const uint16_t *ports, size_t n_ports, const char *const *fields,
	    size_t nfields, char occurrence, struct tshark_table *table)
{
	char cmd[8192];
	size_t n, i, len;
	FILE *f;
	int status;

	memset(table, 0, sizeof(*table));
	n = (size_t)snprintf(cmd, sizeof(cmd),
			     "tshark -n -r '%s' -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE "
			     "-T fields -E occurrence=%c -E aggregator=, -E separator=/t", pcap, occurrence);
	for (i = 0; i < n_ports && n < sizeof(cmd); i++)
		if (ports[i] != 0)
			n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " -d udp.port==%u,%s", ports[i], protocol);
	for (i = 0; i < nfields && n < sizeof(cmd); i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " -e %s", fields[i]);
	if (n + 16 >= sizeof(cmd))
		tap_bail("tshark command too long");
	strcat(cmd, " 2>/dev/null");
	f = popen(cmd, "r");
	if (f == NULL) {
		tap_diag("cannot run tshark");
		return -1;
	}
	table->text = read_all(f, &len);
	status = pclose(f);
	if (status != 0) {
		tap_diag("tshark exited with status %d: %s", status, cmd);
		free(table->text);
		table->text = NULL;
		return -1;
	}
	table->cols = nfields;
	split_rows(table, len);
	return 0;
}

const char *
tshark_cell(const struct tshark_table *table, size_t row, size_t col)
{
	const char *cell;

	if (row >= table->rows || col >= table->cols)
		return "";
	cell = table->cells[row * table->cols + col];
	return cell != NULL ? cell : "";
}

void
tshark_free(struct tshark_table *table)
{
	free(table->cells);
	free(table->text);
	memset(table, 0, sizeof(*table));
}

long long
tshark_number(const char *cell)
{
	char *end;
	long long value;

	if (cell == NULL || *cell == '\0')
		return -1;
	value = strtoll(cell, &end, 0);
	return *end == '\0' ? value : -1;
}

int
tshark_read(const char *pcap, const uint16_t *dtls_ports, size_t n_ports, const char *const *fields,
	    size_t nfields, struct tshark_table *table)
{
	return read_fields(pcap, "dtls", dtls_ports, n_ports, fields, nfields, 'f', table);
}

int
tshark_read_every(const char *pcap, const uint16_t *dtls_ports, size_t n_ports, const char *const *fields,
		  size_t nfields, struct tshark_table *table)
{
	return read_fields(pcap, "dtls", dtls_ports, n_ports, fields, nfields, 'a', table);
}

int
tshark_read_quic(const char *pcap, const uint16_t *quic_ports, size_t n_ports, const char *const *fields,
		 size_t nfields, struct tshark_table *table)
{
	return read_fields(pcap, "quic", quic_ports, n_ports, fields, nfields, 'f', table);
}
