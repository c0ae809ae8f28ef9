/* SPDX-License-Identifier: BSD-3-Clause */
#include "pcapng_out.h"

#include <string.h>

enum {
	BT_SHB = 0x0A0D0D0A,
	BT_IDB = 0x00000001,
	BT_EPB = 0x00000006,
	BYTE_ORDER_MAGIC = 0x1A2B3C4D,
	LINKTYPE_ETHERNET = 1,
	OPT_END = 0,
	OPT_COMMENT = 1,
};

static uint32_t
pad4(uint32_t n)
{
	return (n + 3) & ~3u;
}

/* Write all of it, counting. */
static int
put(FILE *f, const void *p, size_t n, size_t *total)
{
	if (fwrite(p, 1, n, f) != n)
		return -1;
	*total += n;
	return 0;
}

size_t
pcapng_out_header(FILE *f, uint32_t snaplen)
{
	/* Host byte order throughout: the byte-order magic tells readers which it is. */
	const uint32_t shb[7] = { BT_SHB, 28, BYTE_ORDER_MAGIC, 1 /* major */ | 0 << 16 /* minor */,
				  0xFFFFFFFF, 0xFFFFFFFF /* section length unknown */, 28 };
	const uint32_t idb[5] = { BT_IDB, 20, LINKTYPE_ETHERNET, snaplen, 20 };
	size_t total = 0;

	if (put(f, shb, sizeof(shb), &total) != 0 || put(f, idb, sizeof(idb), &total) != 0)
		return 0;
	return total;
}

size_t
pcapng_out_packet(FILE *f, uint64_t unix_us, const uint8_t *data, uint32_t caplen, uint32_t origlen,
		  const char *comment)
{
	static const uint8_t zeros[4];
	const uint32_t clen = (uint32_t)strlen(comment);
	const uint32_t opts = 4 + pad4(clen) + 4; /* comment option, then opt_endofopt */
	const uint32_t block_len = 28 + pad4(caplen) + opts + 4;
	const uint32_t head[7] = { BT_EPB, block_len, 0 /* interface */, (uint32_t)(unix_us >> 32), (uint32_t)unix_us,
				   caplen, origlen };
	const uint16_t comment_opt[2] = { OPT_COMMENT, (uint16_t)clen }, end_opt[2] = { OPT_END, 0 };
	size_t total = 0;

	if (put(f, head, sizeof(head), &total) != 0 || put(f, data, caplen, &total) != 0 ||
	    put(f, zeros, pad4(caplen) - caplen, &total) != 0 || put(f, comment_opt, sizeof(comment_opt), &total) != 0 ||
	    put(f, comment, clen, &total) != 0 || put(f, zeros, pad4(clen) - clen, &total) != 0 ||
	    put(f, end_opt, sizeof(end_opt), &total) != 0 || put(f, &block_len, 4, &total) != 0)
		return 0;
	return total;
}
