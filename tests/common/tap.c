/* SPDX-License-Identifier: BSD-3-Clause */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned checks;
static unsigned failures;

/* One TAP line: "ok N - message[suffix]". */
static bool
emit(bool ok, const char *suffix, const char *fmt, va_list ap)
{
	checks++;
	if (!ok)
		failures++;
	printf("%sok %u - ", ok ? "" : "not ", checks);
	vprintf(fmt, ap);
	printf("%s\n", suffix);
	fflush(stdout);
	return ok;
}

bool
tap_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(ok, "", fmt, ap);
	va_end(ap);
	return ok;
}

bool
tap_sub(struct tap_group *g, bool ok, const char *fmt, ...)
{
	va_list ap;

	g->checks++;
	if (ok)
		return true;
	g->failures++;
	fputs("# FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

bool
tap_group_done(struct tap_group *g, const char *fmt, ...)
{
	const bool ok = g->checks > 0 && g->failures == 0;
	char suffix[64];
	va_list ap;

	snprintf(suffix, sizeof(suffix), " (%u checks, %u failed)", g->checks, g->failures);
	va_start(ap, fmt);
	emit(ok, suffix, fmt, ap);
	va_end(ap);
	g->checks = 0;
	g->failures = 0;
	return ok;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
tap_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

int
tap_done(void)
{
	printf("1..%u\n", checks);
	if (checks == 0)
		printf("# no checks ran\n");
	return failures == 0 && checks > 0 ? 0 : 1;
}
