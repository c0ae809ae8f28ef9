/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_SECRET_FILE_H
#define DS_TEST_SECRET_FILE_H

/**
 * @file
 * A throwaway master secret for configurations that tests and benchmarks write.
 */

/**
 * Write DIR/cookie.secret: 32 random bytes in hex, mode 0600 (the loader refuses anything looser).
 *
 * @return 0, or -1 when the file cannot be written.
 */
int secret_file_write(const char *dir);

#endif /* DS_TEST_SECRET_FILE_H */
