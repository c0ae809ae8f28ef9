/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The token decision for client Initials (admission.h). A valid Retry token means the client proved
 * its address to whoever sent the Retry, the appliance or we: the connection is made with the ODCID
 * sealed in the token, as RFC 9000 §7.3 requires of the server after a Retry. A Retry token that is
 * not good cannot be fixed by a second Retry (a client takes one Retry only, RFC 9000 §17.2.5.2):
 * it is closed with INVALID_TOKEN (§8.1.3) so that the client fails at once instead of timing out.
 */
#include "admission.h"

#include <stdio.h>
#include <string.h>

#include "dtlscookie-quic.h"
#include "udp.h"

static void
send_invalid_token(struct qs_server *s, const ngtcp2_pkt_hd *hd, const struct sockaddr_storage *remote,
		   const struct sockaddr_storage *local)
{
	uint8_t buf[QS_PKT_MAX];
	ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(buf, sizeof(buf), hd->version, &hd->scid, &hd->dcid,
							      NGTCP2_INVALID_TOKEN, NULL, 0);

	if (n > 0)
		qs_send(s->fd, buf, (size_t)n, (const struct sockaddr *)local, (const struct sockaddr *)remote);
}

static void
send_retry(struct qs_server *s, const ngtcp2_pkt_hd *hd, const struct sockaddr_storage *remote,
	   const struct sockaddr_storage *local, const char *name)
{
	uint8_t token[DTLSCOOKIE_QUIC_TOKEN_MAX], buf[QS_PKT_MAX];
	size_t token_len = sizeof(token);
	ngtcp2_cid rscid = { .datalen = QS_SCID_LEN };
	char hex[2 * NGTCP2_MAX_CIDLEN + 1];
	ngtcp2_ssize n;

	qs_random(rscid.data, rscid.datalen);
	if (dtlscookie_quic_token_make(s->dc, (const struct sockaddr *)remote, hd->dcid.data, hd->dcid.datalen,
				       rscid.data, rscid.datalen, token, &token_len) != 0) {
		printf("cannot make a Retry token for %s\n", name);
		return;
	}
	n = ngtcp2_crypto_write_retry(buf, sizeof(buf), hd->version, &hd->scid, &rscid, &hd->dcid, token, token_len);
	if (n <= 0) {
		printf("cannot write a Retry for %s\n", name);
		return;
	}
	qs_send(s->fd, buf, (size_t)n, (const struct sockaddr *)local, (const struct sockaddr *)remote);
	printf("sent Retry to %s: token %zu bytes, Retry SCID %s\n", name, token_len,
	       qs_cid_hex(&rscid, hex, sizeof(hex)));
}

/* 1: a valid Retry token (odcid set); 0: none, or one of another kind; -1: a Retry token not good. */
static int
check_token(struct qs_server *s, const ngtcp2_pkt_hd *hd, const struct sockaddr_storage *remote,
	    const char *name, ngtcp2_cid *odcid)
{
	uint8_t od[DTLSCOOKIE_QUIC_CID_MAX];
	size_t od_len = sizeof(od);
	char hex[2][2 * NGTCP2_MAX_CIDLEN + 1];
	const char *why;
	int rc;

	if (hd->token.len == 0)
		return 0;
	rc = dtlscookie_quic_token_check_reason(s->dc, (const struct sockaddr *)remote, hd->dcid.data,
						hd->dcid.datalen, hd->token.base, hd->token.len, od, &od_len, &why);
	if (rc == 1) {
		ngtcp2_cid_init(odcid, od, od_len);
		printf("token accepted from %s: original DCID %s, Retry SCID %s\n", name,
		       qs_cid_hex(odcid, hex[0], sizeof(hex[0])), qs_cid_hex(&hd->dcid, hex[1], sizeof(hex[1])));
		return 1;
	}
	printf("token refused from %s: %s\n", name, why);
	/* A NEW_TOKEN token or another server's: as if there were none. */
	return strcmp(why, "quic_token_not_retry") == 0 ? 0 : -1;
}

enum qs_admission
qs_admit(struct qs_server *s, const ngtcp2_pkt_hd *hd, const struct sockaddr_storage *remote,
	 const struct sockaddr_storage *local, ngtcp2_cid *odcid, bool *retried)
{
	char name[80];
	enum qs_admission verdict = QS_ADMIT_SERVE;

	udp_name((const struct sockaddr *)remote, name, sizeof(name));
	*retried = false;
	*odcid = hd->dcid;
	switch (check_token(s, hd, remote, name, odcid)) {
	case 1:
		*retried = true;
		break;
	case -1:
		send_invalid_token(s, hd, remote, local);
		verdict = QS_ADMIT_REFUSED;
		break;
	default:
		if (s->retry) {
			send_retry(s, hd, remote, local, name);
			verdict = QS_ADMIT_RETRIED;
		}
	}
	fflush(stdout);
	return verdict;
}
