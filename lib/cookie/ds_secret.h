/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_SECRET_H
#define DS_SECRET_H

/**
 * @file
 * The master secret every cookie key derives from, read from a file that only its owner may read.
 * No message ever contains a byte of it.
 */

#include <stddef.h>
#include <stdint.h>

/** Sizes of a master secret. */
enum ds_secret_limits {
	DS_SECRET_MIN_LEN = 32,   /**< 256 bits */
	DS_SECRET_MAX_LEN = 64,   /**< one HMAC-SHA256 block: used as the key as it is */
	DS_SECRET_FILE_MAX = 4096 /**< a secret file is small; anything bigger is the wrong file */
};

/** A master secret in memory. */
struct ds_secret {
	uint8_t bytes[DS_SECRET_MAX_LEN];
	size_t len;
};

/**
 * Load a master secret: hex digits (either case), whitespace allowed between them, 32 to 64 bytes.
 * The file must be a regular file that neither group nor others can read or write.
 *
 * @param err
 *   On failure, "PATH: what is wrong" (never the secret's content).
 * @return
 *   0, or a negative errno: -EACCES (mode), -EINVAL (content), -EFBIG, or the open/read error.
 */
int ds_secret_load(const char *path, struct ds_secret *secret, char *err, size_t err_len);

/** Parse hex text into a secret (same rules as the file's content). */
int ds_secret_parse(const char *text, size_t len, struct ds_secret *secret, char *err, size_t err_len);

/** Overwrite a secret with zeros in a way the compiler cannot drop. */
void ds_secret_wipe(void *buf, size_t len);

#endif /* DS_SECRET_H */
