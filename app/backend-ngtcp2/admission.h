/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_QUIC_ADMISSION_H
#define DS_QUIC_ADMISSION_H

/*
 * What becomes of a client Initial of no connection: its token checked with libdtlscookie (a Retry
 * token of the appliance's, or of ours, in the shared format), a Retry of our own with --retry, or a
 * connection served at once.
 */

#include "server.h"

enum qs_admission {
	QS_ADMIT_SERVE,   /* make the connection: *odcid and *retried say which transport parameters */
	QS_ADMIT_RETRIED, /* answered with our Retry: the client comes back with its token */
	QS_ADMIT_REFUSED, /* a Retry token that is not good: closed with INVALID_TOKEN */
};

/* Decide for Initial @p hd from @p remote to @p local (logged). */
enum qs_admission qs_admit(struct qs_server *s, const ngtcp2_pkt_hd *hd, const struct sockaddr_storage *remote,
			   const struct sockaddr_storage *local, ngtcp2_cid *odcid, bool *retried);

#endif /* DS_QUIC_ADMISSION_H */
