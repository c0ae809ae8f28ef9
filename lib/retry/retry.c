/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_retry.h"

#include <string.h>

#include "ds_checksum.h"
#include "ds_quic_token.h"
#include "ds_wire.h"

static const char *const result_names[] = {
#define DS_RETRY_RESULT_NAME(suffix, name, help) [DS_RETRY_##suffix] = name,
	DS_RETRY_RESULT_LIST(DS_RETRY_RESULT_NAME)
#undef DS_RETRY_RESULT_NAME
};

const char *
ds_retry_result_name(enum ds_retry_result result)
{
	return (unsigned)result < DS_RETRY_RESULT_COUNT ? result_names[result] : "invalid";
}

enum {
	RETRY_V1_TYPE_BITS = 3 << DS_QUIC_TYPE_SHIFT, /* RFC 9000 §17.2.5 */
	RETRY_V2_TYPE_BITS = 0 << DS_QUIC_TYPE_SHIFT, /* RFC 9369 §3.2 */
	/* ODCIL + ODCID, then first byte, version, DCIL, DCID, SCIL, SCID, token, tag. */
	PSEUDO_MAX = 1 + DS_QUIC_CID_MAX + DS_QUIC_LONG_HDR_MIN + DS_QUIC_CID_MAX + DS_RETRY_SCID_LEN + DS_QUIC_TOKEN_MAX +
		     DS_QUIC_TAG_LEN,
	VN_VERSIONS = 2,
};

/* The token's fields for an Initial: who it is for, and the SCID the Retry gives the client. */
static void
token_fields(const uint8_t *frame, const struct ds_frame_info *info, const uint8_t *unique, uint64_t now_s,
	     struct ds_quic_token_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->ip_version = info->ip_version;
	memcpy(f->client_addr, ds_frame_src_addr(frame, info), info->ip_version == 4 ? 4 : 16);
	f->client_port = info->src_port;
	f->odcid_len = info->quic_dcid_len;
	memcpy(f->odcid, ds_frame_quic_dcid(frame, info), info->quic_dcid_len);
	f->rscid_len = DS_RETRY_SCID_LEN;
	memcpy(f->rscid, unique, DS_RETRY_SCID_LEN);
	/* A client discards a Retry whose SCID is the DCID it chose (RFC 9000 §17.2.5.2). */
	if (f->odcid_len == DS_RETRY_SCID_LEN && memcmp(f->odcid, f->rscid, DS_RETRY_SCID_LEN) == 0)
		f->rscid[0] ^= 1;
	f->expiry_s = now_s + DS_QUIC_TOKEN_LIFETIME_S;
}

enum ds_retry_result
ds_retry_write(uint8_t *frame, const struct ds_frame_info *info, struct ds_cookie_engine *e,
	       const struct ds_cookie_keyset *ks, const uint8_t *unique, uint64_t now_s, unsigned flags,
	       uint32_t *frame_len)
{
	uint8_t pseudo[PSEUDO_MAX];
	struct ds_quic_token_fields f;
	uint32_t n, start;

	if (!ds_outcome_is_quic_initial(info->outcome))
		return DS_RETRY_NOT_INITIAL;
	if (info->quic_dcid_len < DS_QUIC_MIN_INITIAL_DCID)
		return DS_RETRY_BAD_DCID;
	token_fields(frame, info, unique, now_s, &f);
	/* The pseudo-packet the tag covers (RFC 9001 §5.8): ODCID first, then the Retry itself. */
	pseudo[0] = f.odcid_len;
	memcpy(pseudo + 1, f.odcid, f.odcid_len);
	start = n = 1 + f.odcid_len;
	pseudo[n++] = DS_QUIC_FORM_LONG | DS_QUIC_FIXED_BIT |
		      (info->quic_version == DS_QUIC_VERSION_2 ? RETRY_V2_TYPE_BITS : RETRY_V1_TYPE_BITS);
	ds_store_be32(pseudo + n, info->quic_version);
	n += 4;
	pseudo[n++] = info->quic_scid_len;
	memcpy(pseudo + n, ds_frame_quic_scid(frame, info), info->quic_scid_len);
	n += info->quic_scid_len;
	pseudo[n++] = f.rscid_len;
	memcpy(pseudo + n, f.rscid, f.rscid_len);
	n += f.rscid_len;
	n += ds_quic_token_seal(e, ks, &f, unique, pseudo + n);
	ds_quic_retry_tag(e, info->quic_version, pseudo, n, pseudo + n);
	n += DS_QUIC_TAG_LEN;
	if (n - start > info->dtls_len)
		return DS_RETRY_WOULD_AMPLIFY;
	memcpy(frame + info->dtls_offset, pseudo + start, n - start);
	*frame_len = ds_reply_write_headers(frame, info, n - start,
					    ds_cksum_add(0, frame + info->dtls_offset, n - start), flags);
	return DS_RETRY_WRITTEN;
}

enum ds_retry_result
ds_version_negotiation_write(uint8_t *frame, const struct ds_frame_info *info, unsigned flags, uint32_t *frame_len)
{
	uint8_t vn[DS_QUIC_LONG_HDR_MIN + 2 * 255 + 4 * VN_VERSIONS];
	uint32_t n = 0;

	if (info->outcome != DS_OUT_QUIC_OTHER_VERSION)
		return DS_RETRY_NOT_INITIAL;
	/* Unused bits arbitrary; 0x40 set so that it looks like any QUIC packet (RFC 9000 §17.2.1). */
	vn[n++] = DS_QUIC_FORM_LONG | DS_QUIC_FIXED_BIT;
	ds_store_be32(vn + n, 0);
	n += 4;
	/* The client's CIDs, swapped: any version's long header has them (RFC 8999 §6). */
	vn[n++] = info->quic_scid_len;
	memcpy(vn + n, ds_frame_quic_scid(frame, info), info->quic_scid_len);
	n += info->quic_scid_len;
	vn[n++] = info->quic_dcid_len;
	memcpy(vn + n, ds_frame_quic_dcid(frame, info), info->quic_dcid_len);
	n += info->quic_dcid_len;
	ds_store_be32(vn + n, DS_QUIC_VERSION_1);
	ds_store_be32(vn + n + 4, DS_QUIC_VERSION_2);
	n += 4 * VN_VERSIONS;
	if (n > info->dtls_len)
		return DS_RETRY_WOULD_AMPLIFY;
	memcpy(frame + info->dtls_offset, vn, n);
	*frame_len = ds_reply_write_headers(frame, info, n, ds_cksum_add(0, vn, n), flags);
	return DS_RETRY_WRITTEN;
}
