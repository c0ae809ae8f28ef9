/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_route.h"

#include <string.h>

#include "ds_checksum.h"
#include "ds_wire.h"

enum ds_route_result
ds_route_rewrite(uint8_t *frame, uint32_t l3_offset, unsigned ip_version, const uint8_t src_mac[6],
		 const uint8_t dst_mac[6])
{
	uint8_t *ip = frame + l3_offset;

	if (ip_version == 4) {
		const uint16_t old_word = ds_load_be16(ip + 8), new_word = (uint16_t)(old_word - 0x100);
		uint64_t sum;

		if (ip[8] <= 1)
			return DS_ROUTE_TTL_EXPIRED;
		/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m being the TTL/protocol word. */
		sum = (uint16_t)~ds_load_be16(ip + 10) + (uint64_t)(uint16_t)~old_word + new_word;
		ds_store_be16(ip + 8, new_word);
		ds_store_be16(ip + 10, (uint16_t)~ds_cksum_fold(sum));
	} else if (ip_version == 6) {
		if (ip[7] <= 1)
			return DS_ROUTE_TTL_EXPIRED;
		ip[7]--;
	}
	memcpy(frame, dst_mac, DS_ETH_ADDR_LEN);
	memcpy(frame + DS_ETH_ADDR_LEN, src_mac, DS_ETH_ADDR_LEN);
	return DS_ROUTE_FORWARD;
}
