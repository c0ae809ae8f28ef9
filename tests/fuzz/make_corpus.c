/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed corpus for the fuzzers: every frame of the shared captures, each with a few control bytes,
 * written to the folder given as the only argument.
 */
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "tap.h"

int
main(int argc, char **argv)
{
	static const uint8_t controls[] = { 0x00, 0x1F, 0x3E };
	size_t n, i, j, c, written = 0;
	char **paths;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	paths = capture_list(&n);
	for (i = 0; i < n; i++) {
		struct capture cap;

		capture_load(paths[i], &cap);
		for (j = 0; j < cap.count; j++) {
			for (c = 0; c < sizeof(controls); c++) {
				char path[4096];
				FILE *f;

				snprintf(path, sizeof(path), "%s/%s-%zu-%02x", argv[1],
					 capture_basename(paths[i]), j + 1, controls[c]);
				f = fopen(path, "wb");
				if (f == NULL || fwrite(&controls[c], 1, 1, f) != 1 ||
				    fwrite(cap.frames[j].data, 1, cap.frames[j].len, f) != cap.frames[j].len ||
				    fclose(f) != 0)
					tap_bail("cannot write %s", path);
				written++;
			}
		}
		capture_free(&cap);
	}
	capture_list_free(paths);
	printf("%zu seeds in %s\n", written, argv[1]);
	return 0;
}
