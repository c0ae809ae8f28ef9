/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The master secret file: accepted only as 32-64 bytes of hex in a file nobody but its owner can
 * read; every refusal names the file and the problem, and no message ever holds a byte of the secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ds_secret.h"
#include "tap.h"

#define HEX32 "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978"

struct secret_case {
	const char *what;
	const char *content;  /**< NULL: make a directory instead of a file */
	mode_t mode;
	int rc;
	size_t len;           /**< expected secret length when accepted */
	const char *message;  /**< must appear in the error */
};

static const struct secret_case cases[] = {
	{ "32 bytes, mode 0600", HEX32 "\n", 0600, 0, 32, NULL },
	{ "32 bytes, mode 0400, no newline", HEX32, 0400, 0, 32, NULL },
	{ "upper case, spread over lines with spaces", "0011 2233 4455 6677\n8899AABB CCDDEEFF\n"
	  "01234567 89ABCDEF\n0F1E2D3C4B5A6978\n", 0600, 0, 32, NULL },
	{ "64 bytes", HEX32 HEX32, 0600, 0, 64, NULL },
	{ "group-readable (0640)", HEX32, 0640, -EACCES, 0, "mode 0640" },
	{ "world-readable (0604)", HEX32, 0604, -EACCES, 0, "chmod 600" },
	{ "group-writable (0620)", HEX32, 0620, -EACCES, 0, "mode 0620" },
	{ "31 bytes", "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a69", 0600, -EINVAL, 0,
	  "31 bytes, at least 32" },
	{ "65 bytes", HEX32 HEX32 "ab", 0600, -EINVAL, 0, "more than 64 bytes" },
	{ "odd number of digits", HEX32 "a", 0600, -EINVAL, 0, "odd number" },
	{ "a non-hex character", "0011223344556677889g", 0600, -EINVAL, 0, "line 1 column 20" },
	{ "a non-hex character on line 2", HEX32 "\nzz", 0600, -EINVAL, 0, "line 2 column 1" },
	{ "empty", "", 0600, -EINVAL, 0, "0 bytes" },
	{ "a directory", NULL, 0700, -EINVAL, 0, "not a regular file" },
};

static char dir[] = "/tmp/ds-secret-XXXXXX";

static void
check_case(const struct secret_case *c, size_t step)
{
	char path[256], err[512] = "";
	struct ds_secret secret;
	int rc;

	snprintf(path, sizeof(path), "%s/secret-%zu", dir, step);
	if (c->content == NULL) {
		mkdir(path, c->mode);
	} else {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

		if (fd < 0 || write(fd, c->content, strlen(c->content)) != (ssize_t)strlen(c->content))
			tap_bail("cannot write %s", path);
		close(fd);
		chmod(path, c->mode);
	}
	rc = ds_secret_load(path, &secret, err, sizeof(err));
	tap_check(rc == c->rc && (rc != 0 || secret.len == c->len) &&
			  (rc == 0 || (strstr(err, path) != NULL && strstr(err, c->message) != NULL)) &&
			  /* No 8 characters of the hex may leak into a message. */
			  strstr(err, "00112233") == NULL && strstr(err, "abcdef0f") == NULL &&
			  strstr(err, "0011223344556677") == NULL,
		  "step %zu: %s: %s (rc %d, \"%s\")", step, c->what,
		  c->rc == 0 ? "accepted" : "refused with a clear message", rc, err);
	if (c->content == NULL)
		rmdir(path);
	else
		unlink(path);
}

int
main(void)
{
	char err[512];
	struct ds_secret secret;
	size_t i;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp failed");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], i);
	tap_check(ds_secret_load("/nonexistent/ds-secret", &secret, err, sizeof(err)) == -ENOENT &&
			  strstr(err, "No such file") != NULL,
		  "a missing file is -ENOENT (\"%s\")", err);
	tap_check(ds_secret_parse(HEX32, 64, &secret, err, sizeof(err)) == 0 && secret.bytes[0] == 0x00 &&
			  secret.bytes[1] == 0x11 && secret.bytes[31] == 0x78,
		  "hex is decoded high nibble first");
	ds_secret_wipe(&secret, sizeof(secret));
	rmdir(dir);
	return tap_done();
}
