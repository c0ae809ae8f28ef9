/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes as the appliance's YAML configuration file. The loader must accept it
 * or refuse it with "FILE:LINE:COL: ..." and leave nothing allocated (LeakSanitizer); it must never
 * crash, and a refusal must never quote the master secret. The folder of the file holds a valid
 * secret under the names the shipped configurations use, so loading gets past the secret.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ds_config.h"

static const char secret_hex[] = "5d1c0c9a3b7e4f6a8d2e1f0b9c8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c";
static char dir[64], path[128];

static void
require(int cond)
{
	if (!cond)
		__builtin_trap();
}

static void
write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	require(f != NULL && fchmod(fileno(f), mode) == 0 && fwrite(data, 1, len, f) == len && fclose(f) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char sub[128];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/ds-fuzz-config-XXXXXX");
	require(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/examples", dir);
	require(mkdir(sub, 0700) == 0);
	write_file("cookie.secret", secret_hex, strlen(secret_hex), 0600);
	write_file("examples/demo.secret", secret_hex, strlen(secret_hex), 0600);
	write_file("memif.secret", secret_hex, strlen(secret_hex), 0600);
	snprintf(path, sizeof(path), "%s/fuzz.yaml", dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_config cfg;
	char err[1024] = "";
	int rc;

	write_file("fuzz.yaml", data, size, 0600);
	rc = ds_config_load(path, &cfg, err, sizeof(err));
	if (rc == 0) {
		require(cfg.n_workers >= 1 && cfg.services.count >= 1);
		ds_config_clear(&cfg);
	} else {
		unsigned line, col;

		/* FILE:LINE:COL: message, with a line and a column that exist. */
		require(strncmp(err, path, strlen(path)) == 0);
		require(sscanf(err + strlen(path), ":%u:%u: ", &line, &col) == 2 && line >= 1 && col >= 1);
		/* The secret file's content never shows up, unless the configuration itself holds it. */
		require(strstr(err, secret_hex + 32) == NULL || memmem(data, size, secret_hex + 32, 32) != NULL);
		require(memmem(err, strlen(err), secret_hex, 32) == NULL || memmem(data, size, secret_hex, 32) != NULL);
	}
	return 0;
}
