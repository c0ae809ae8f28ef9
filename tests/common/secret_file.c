/* SPDX-License-Identifier: BSD-3-Clause */
#include "secret_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int
secret_file_write(const char *dir)
{
	char path[4096];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/cookie.secret", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	if (fchmod(fileno(f), 0600) != 0) {
		fclose(f);
		return -1;
	}
	for (i = 0; i < 32; i++)
		fprintf(f, "%02x", (unsigned)(rand() & 0xff));
	fprintf(f, "\n");
	return fclose(f);
}
