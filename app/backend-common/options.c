/* SPDX-License-Identifier: BSD-3-Clause */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udp.h"

static const char *const mode_names[] = {
	[DTLSCOOKIE_VERIFY] = "verify",
	[DTLSCOOKIE_TRUST] = "trust",
	[DTLSCOOKIE_GNUTLS] = "gnutls",
};

static int
usage(const char *prog, unsigned modes, unsigned extras)
{
	unsigned m;

	fprintf(stderr, "usage: %s --listen ADDR:PORT [--mode ", prog);
	for (m = 0; m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
		if (modes & (1u << m))
			fprintf(stderr, "%s%s", mode_names[m], modes >> (m + 1) ? "|" : "");
	fprintf(stderr, "] [--secret FILE [--accept-secret FILE]] [--cookie-format F] [--cookie-len N] [--key-period S] "
		"[--clock-skew-ms MS]%s%s%s\n", extras & EXAMPLE_KEEPALIVE ? " [--keepalive MS]" : "",
		extras & EXAMPLE_CERT_FILES ? " --cert PEM --key PEM" : "", extras & EXAMPLE_RETRY ? " [--retry]" : "");
	return 2;
}

/* The mode named @p text, if the server supports it; -1 if not. */
static int
mode_of(const char *text, unsigned modes)
{
	unsigned m;

	for (m = 0; m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
		if (strcmp(text, mode_names[m]) == 0 && (modes & (1u << m)))
			return (int)m;
	return -1;
}

int
example_options_parse(int argc, char **argv, unsigned modes, unsigned extras, struct example_options *o)
{
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },  { "mode", required_argument, NULL, 'm' },
		{ "secret", required_argument, NULL, 's' },  { "cookie-format", required_argument, NULL, 'f' },
		{ "cookie-len", required_argument, NULL, 'n' }, { "key-period", required_argument, NULL, 'p' },
		{ "clock-skew-ms", required_argument, NULL, 'k' }, { "keepalive", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'c' },     { "key", required_argument, NULL, 'e' },
		{ "retry", no_argument, NULL, 'r' },          { "accept-secret", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, mode;

	memset(o, 0, sizeof(*o));
	o->cookie.mode = (enum dtlscookie_mode)__builtin_ctz(modes);
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'l': o->listen_text = optarg; break;
		case 'm':
			if ((mode = mode_of(optarg, modes)) < 0)
				return usage(argv[0], modes, extras);
			o->cookie.mode = (enum dtlscookie_mode)mode;
			break;
		case 's': o->cookie.secret_file = optarg; break;
		case 'A': o->accept_secret_file = optarg; break;
		case 'f': o->cookie.format = optarg; break;
		case 'n': o->cookie.cookie_len = (unsigned)atoi(optarg); break;
		case 'p': o->cookie.key_period_s = (unsigned)atoi(optarg); break;
		case 'k': o->cookie.clock_skew_ms = atoi(optarg) == 0 ? -1 : atoi(optarg); break;
		case 'a':
			if (!(extras & EXAMPLE_KEEPALIVE))
				return usage(argv[0], modes, extras);
			o->keepalive_ms = atoi(optarg) > 0 ? atoi(optarg) : 0;
			break;
		case 'c':
		case 'e':
			if (!(extras & EXAMPLE_CERT_FILES))
				return usage(argv[0], modes, extras);
			*(opt == 'c' ? &o->cert_file : &o->key_file) = optarg;
			break;
		case 'r':
			if (!(extras & EXAMPLE_RETRY))
				return usage(argv[0], modes, extras);
			o->retry = true;
			break;
		default: return usage(argv[0], modes, extras);
		}
	}
	if (o->listen_text == NULL || optind != argc || (o->accept_secret_file != NULL && o->cookie.secret_file == NULL) || udp_parse_address(o->listen_text, &o->listen, &o->listen_len) != 0 ||
	    ((extras & EXAMPLE_CERT_FILES) && (o->cert_file == NULL || o->key_file == NULL)))
		return usage(argv[0], modes, extras);
	return 0;
}
