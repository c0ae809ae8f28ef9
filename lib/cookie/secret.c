/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
ds_secret_wipe(void *buf, size_t len)
{
	explicit_bzero(buf, len);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
ds_secret_parse(const char *text, size_t len, struct ds_secret *secret, char *err, size_t err_len)
{
	size_t i, digits = 0, line = 1, col = 0;
	int high = -1;

	memset(secret, 0, sizeof(*secret));
	for (i = 0; i < len; i++) {
		const char c = text[i];
		int v;

		col++;
		if (c == '\n') {
			line++;
			col = 0;
		}
		if (isspace((unsigned char)c))
			continue;
		v = hex_value(c);
		/* Say where, never what: the character may be part of the secret. */
		if (v < 0) {
			snprintf(err, err_len, "line %zu column %zu: not a hex digit", line, col);
			goto fail;
		}
		if (digits / 2 >= DS_SECRET_MAX_LEN) {
			snprintf(err, err_len, "more than %d bytes of secret", DS_SECRET_MAX_LEN);
			goto fail;
		}
		if (high < 0) {
			high = v;
		} else {
			secret->bytes[digits / 2] = (uint8_t)(high << 4 | v);
			high = -1;
		}
		digits++;
	}
	if (high >= 0) {
		snprintf(err, err_len, "odd number of hex digits");
		goto fail;
	}
	secret->len = digits / 2;
	if (secret->len < DS_SECRET_MIN_LEN) {
		snprintf(err, err_len, "secret is %zu bytes, at least %d needed", secret->len,
			 DS_SECRET_MIN_LEN);
		goto fail;
	}
	return 0;
fail:
	ds_secret_wipe(secret, sizeof(*secret));
	return -EINVAL;
}

int
ds_secret_load(const char *path, struct ds_secret *secret, char *err, size_t err_len)
{
	char text[DS_SECRET_FILE_MAX + 1], why[160];
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int fd, rc;

	memset(secret, 0, sizeof(*secret));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, err_len, "%s: mode %04o lets group or others at the secret (chmod 600)", path,
			 (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EACCES;
	}
	while ((got = read(fd, text + len, sizeof(text) - len)) > 0)
		len += (size_t)got;
	rc = got < 0 ? -errno : 0;
	close(fd);
	if (rc != 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(-rc));
	} else if (len > DS_SECRET_FILE_MAX) {
		snprintf(err, err_len, "%s: larger than %d bytes, not a secret file", path,
			 DS_SECRET_FILE_MAX);
		rc = -EFBIG;
	} else if (ds_secret_parse(text, len, secret, why, sizeof(why)) != 0) {
		snprintf(err, err_len, "%s: %s", path, why);
		rc = -EINVAL;
	}
	ds_secret_wipe(text, sizeof(text));
	return rc;
}
