/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes as the content of a master secret file. The parser must never read
 * past the input, must accept only 32..64 bytes of hex, and its message must never repeat the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ds_secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes on the heap, no terminator: the parser works from the length alone. */
	char *text = malloc(size ? size : 1);
	struct ds_secret secret;
	char err[256] = "";
	int rc;

	memcpy(text, data, size);
	rc = ds_secret_parse(text, size, &secret, err, sizeof(err));
	if (rc == 0 && (secret.len < DS_SECRET_MIN_LEN || secret.len > DS_SECRET_MAX_LEN))
		__builtin_trap();
	if (rc != 0 && (err[0] == '\0' || secret.len != 0))
		__builtin_trap();
	/* A refusal explains itself without quoting the secret: no 8 input bytes in the message. */
	if (rc != 0 && size >= 8 && memmem(err, strlen(err), data, 8) != NULL &&
	    memmem(data, 8, "line", 4) == NULL)
		__builtin_trap();
	free(text);
	return 0;
}
