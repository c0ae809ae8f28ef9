/* SPDX-License-Identifier: BSD-3-Clause */
#include "hello_versions.h"

#include "ds_classify.h"
#include "ds_wire.h"

enum { EXT_HDR_LEN = 4 };

/* supported_versions of a ClientHello: versions<2..254>, two bytes each. */
static uint8_t
versions_offer(const uint8_t *data, uint32_t len)
{
	bool dtls13 = false, older = false;
	uint32_t i;

	if (len < 1 || data[0] != len - 1 || data[0] < 2 || data[0] % 2 != 0)
		return DS_DTLS13_NOT_OFFERED;
	for (i = 1; i + 1 < len; i += 2) {
		const uint16_t v = ds_load_be16(data + i);

		dtls13 |= v == DS_DTLS_VERSION_1_3;
		older |= v == DS_DTLS_VERSION_1_2 || v == DS_DTLS_VERSION_1_0;
	}
	if (!dtls13)
		return DS_DTLS13_NOT_OFFERED;
	return older ? DS_DTLS13_WITH_DTLS12 : DS_DTLS13_ONLY;
}

uint8_t
ds_hello_dtls13_offer(const uint8_t *exts, uint32_t avail, bool whole)
{
	/* A fragment that ends before supported_versions may still offer DTLS 1.3. */
	const uint8_t cut = whole ? DS_DTLS13_NOT_OFFERED : DS_DTLS13_UNKNOWN;
	uint32_t end, at = 2;

	if (avail < 2)
		return cut;
	end = 2 + (uint32_t)ds_load_be16(exts);
	if (end > avail) {
		if (whole)
			return DS_DTLS13_NOT_OFFERED; /* inconsistent: the server will refuse it */
		end = avail;
	}
	while (at + EXT_HDR_LEN <= end) {
		const uint16_t type = ds_load_be16(exts + at), len = ds_load_be16(exts + at + 2);

		at += EXT_HDR_LEN;
		if (len > end - at)
			return cut;
		if (type == DS_TLS_EXT_SUPPORTED_VERSIONS)
			return versions_offer(exts + at, len);
		at += len;
	}
	return at == end && end == 2 + (uint32_t)ds_load_be16(exts) ? DS_DTLS13_NOT_OFFERED : cut;
}
