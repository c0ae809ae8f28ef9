/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DS_TEST_CAPTURE_H
#define DS_TEST_CAPTURE_H

/**
 * @file
 * Pcap files for tests: load every frame of a capture, list the shared captures, write frames out.
 */

#include <stddef.h>
#include <stdint.h>

/** One frame, in a heap buffer of exactly its length so that ASan sees any read past the end. */
struct capture_frame {
	uint8_t *data;
	uint32_t len;
};

/** Every frame of one pcap file. */
struct capture {
	size_t count;
	struct capture_frame *frames;
};

/** Load an Ethernet (DLT_EN10MB) pcap; bails out of the test on any error. */
void capture_load(const char *path, struct capture *cap);

/** Release a loaded capture. */
void capture_free(struct capture *cap);

/**
 * Every capture in the folders of $DS_CAPTURES_DIR (colon-separated), each folder's files sorted
 * by name; a name seen in an earlier folder is skipped. Bails out if there are none.
 *
 * @return
 *   A NULL-terminated array; free with capture_list_free().
 */
char **capture_list(size_t *count);

/** Free a list from capture_list(). */
void capture_list_free(char **paths);

/** Write frames to an Ethernet pcap file; bails out on error. */
void capture_write(const char *path, const struct capture_frame *frames, size_t count);

/** Copy @p len bytes into a new buffer of exactly that size (never NULL). */
uint8_t *frame_dup(const void *src, size_t len);

/** Last path component, for messages. */
const char *capture_basename(const char *path);

#endif /* DS_TEST_CAPTURE_H */
