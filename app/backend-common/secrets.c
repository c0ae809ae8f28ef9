/* SPDX-License-Identifier: BSD-3-Clause */
#include "secrets.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

struct follower {
	struct dtlscookie *dc;
	const struct example_options *o;
};

/* The secret files as they are now; says what is accepted (never the secrets). */
static int
apply(struct dtlscookie *dc, const struct example_options *o)
{
	const char *also = o->accept_secret_file;
	char err[512];

	if (also != NULL && access(also, F_OK) != 0)
		also = NULL;
	if (dtlscookie_set_secrets(dc, o->cookie.secret_file, also, err, sizeof(err)) != 0) {
		fprintf(stderr, "secrets not changed: %s\n", err);
		return -1;
	}
	printf("secrets: cookies made with %s, accepted with it%s%s\n", o->cookie.secret_file, also ? " and " : " only",
	       also ? also : "");
	fflush(stdout);
	return 0;
}

static void *
follow(void *arg)
{
	struct follower *f = arg;
	sigset_t hup;
	int sig;

	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	while (sigwait(&hup, &sig) == 0)
		apply(f->dc, f->o);
	return NULL;
}

int
example_secrets_follow(struct dtlscookie *dc, const struct example_options *o)
{
	static struct follower f;
	sigset_t hup;
	pthread_t thread;

	if (o->cookie.secret_file == NULL || o->cookie.mode == DTLSCOOKIE_TRUST)
		return 0;
	if (o->accept_secret_file != NULL && apply(dc, o) != 0)
		return -1;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &hup, NULL);
	f = (struct follower){ dc, o };
	if (pthread_create(&thread, NULL, follow, &f) != 0) {
		fprintf(stderr, "cannot start the SIGHUP thread\n");
		return -1;
	}
	pthread_detach(thread);
	return 0;
}
