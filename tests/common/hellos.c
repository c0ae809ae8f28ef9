/* SPDX-License-Identifier: BSD-3-Clause */
#include "hellos.h"

#include <stdio.h>

#include "capture.h"
#include "tap.h"

size_t
hellos_load(struct hello *out, size_t max, bool with_cookie)
{
	size_t n_paths, i, j, n = 0;
	char **paths = capture_list(&n_paths);

	for (i = 0; i < n_paths; i++) {
		struct capture cap;

		capture_load(paths[i], &cap);
		for (j = 0; j < cap.count && n < max; j++) {
			struct hello *h = &out[n];
			enum ds_outcome outcome;

			outcome = ds_classify(cap.frames[j].data, cap.frames[j].len, NULL, &h->info);
			if (outcome != DS_OUT_DTLS_CLIENT_HELLO &&
			    !(with_cookie && outcome == DS_OUT_DTLS_CLIENT_HELLO_COOKIE))
				continue;
			snprintf(h->label, sizeof(h->label), "%s#%zu", capture_basename(paths[i]), j + 1);
			frame_set(&h->fb, cap.frames[j].data, cap.frames[j].len);
			n++;
		}
		capture_free(&cap);
	}
	capture_list_free(paths);
	if (n == 0)
		tap_bail("no ClientHello in the shared captures");
	return n;
}
