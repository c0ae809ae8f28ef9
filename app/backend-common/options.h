/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_EXAMPLE_OPTIONS_H
#define DS_EXAMPLE_OPTIONS_H

/*
 * The command line of the example DTLS servers: where to listen and libdtlscookie's settings.
 *
 *   --listen ADDR:PORT [--mode verify|trust|gnutls] [--secret FILE [--accept-secret FILE]] [--cookie-format F]
 *   [--cookie-len N] [--key-period S] [--clock-skew-ms MS] [--keepalive MS] [--cert PEM --key PEM]
 *   [--retry]
 */

#include <stdbool.h>
#include <sys/socket.h>

#include "dtlscookie.h"

struct example_options {
	const char *listen_text;
	struct sockaddr_storage listen;
	socklen_t listen_len;
	struct dtlscookie_options cookie;
	const char *accept_secret_file; /**< a rotation's other master, while the file exists (secrets.c) */
	int keepalive_ms; /**< 0: speak only when spoken to */
	const char *cert_file, *key_file; /**< the server's certificate and key (PEM) */
	bool retry; /**< QUIC: answer Initials without a valid token with a Retry of our own */
};

/** Options only some servers take. */
enum example_extras {
	EXAMPLE_KEEPALIVE = 1,  /**< --keepalive */
	EXAMPLE_CERT_FILES = 2, /**< --cert and --key, required (a stack that cannot make a certificate) */
	EXAMPLE_RETRY = 4,      /**< --retry */
};

/**
 * Parse the command line. @p modes is a bit set of the modes the server supports (1 << mode, the
 * first being the default); @p extras the enum example_extras it takes.
 *
 * @return
 *   0, or the exit status after printing the usage.
 */
int example_options_parse(int argc, char **argv, unsigned modes, unsigned extras, struct example_options *o);

#endif /* DS_EXAMPLE_OPTIONS_H */
