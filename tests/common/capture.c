/* SPDX-License-Identifier: BSD-3-Clause */
#include "capture.h"

#include <glob.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

uint8_t *
frame_dup(const void *src, size_t len)
{
	/* malloc(0) may return NULL; one byte keeps "never NULL" without making the buffer readable. */
	uint8_t *copy = malloc(len == 0 ? 1 : len);

	if (copy == NULL)
		tap_bail("out of memory");
	if (len != 0)
		memcpy(copy, src, len);
	return copy;
}

const char *
capture_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

void
capture_load(const char *path, struct capture *cap)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	size_t capacity = 0;
	pcap_t *p = pcap_open_offline(path, err);
	int rc;

	if (p == NULL)
		tap_bail("%s: %s", path, err);
	if (pcap_datalink(p) != DLT_EN10MB)
		tap_bail("%s: link type %d, expected Ethernet", path, pcap_datalink(p));
	memset(cap, 0, sizeof(*cap));
	while ((rc = pcap_next_ex(p, &hdr, &bytes)) == 1) {
		if (cap->count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			cap->frames = realloc(cap->frames, capacity * sizeof(*cap->frames));
			if (cap->frames == NULL)
				tap_bail("out of memory");
		}
		cap->frames[cap->count].data = frame_dup(bytes, hdr->caplen);
		cap->frames[cap->count].len = hdr->caplen;
		cap->count++;
	}
	if (rc != PCAP_ERROR_BREAK)
		tap_bail("%s: %s", path, pcap_geterr(p));
	pcap_close(p);
}

void
capture_free(struct capture *cap)
{
	size_t i;

	for (i = 0; i < cap->count; i++)
		free(cap->frames[i].data);
	free(cap->frames);
	memset(cap, 0, sizeof(*cap));
}

static bool
listed(char **paths, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(capture_basename(paths[i]), capture_basename(path)) == 0)
			return true;
	return false;
}

char **
capture_list(size_t *count)
{
	const char *dirs = getenv("DS_CAPTURES_DIR");
	char *copy, *dir, *save = NULL;
	char **paths = NULL;
	size_t n = 0, i;

	if (dirs == NULL)
		tap_bail("DS_CAPTURES_DIR is not set (meson test sets it)");
	copy = strdup(dirs);
	for (dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		char pattern[4096];
		glob_t g;

		snprintf(pattern, sizeof(pattern), "%s/*.pcap", dir);
		if (glob(pattern, 0, NULL, &g) != 0)
			continue;
		paths = realloc(paths, (n + g.gl_pathc + 1) * sizeof(*paths));
		if (paths == NULL)
			tap_bail("out of memory");
		for (i = 0; i < g.gl_pathc; i++)
			if (!listed(paths, n, g.gl_pathv[i]))
				paths[n++] = strdup(g.gl_pathv[i]);
		globfree(&g);
	}
	free(copy);
	if (n == 0)
		tap_bail("no captures in %s", dirs);
	paths[n] = NULL;
	*count = n;
	return paths;
}

void
capture_list_free(char **paths)
{
	size_t i;

	for (i = 0; paths[i] != NULL; i++)
		free(paths[i]);
	free(paths);
}

void
capture_write(const char *path, const struct capture_frame *frames, size_t count)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	size_t i;

	if (p == NULL)
		tap_bail("pcap_open_dead failed");
	d = pcap_dump_open(p, path);
	if (d == NULL)
		tap_bail("%s: %s", path, pcap_geterr(p));
	for (i = 0; i < count; i++) {
		struct pcap_pkthdr hdr = { .caplen = frames[i].len, .len = frames[i].len };

		hdr.ts.tv_sec = (time_t)i;
		pcap_dump((u_char *)d, &hdr, frames[i].data);
	}
	pcap_dump_close(d);
	pcap_close(p);
}
