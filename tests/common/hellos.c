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

size_t
hellos_add_other_family(struct hello *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct hello *copy = &h[n + i];
		unsigned version;

		*copy = h[i];
		version = frame_rewrap_other_family(&copy->fb, &copy->info);
		frame_classify(&copy->fb, NULL, &copy->info);
		snprintf(copy->label, sizeof(copy->label), "%.64s as IPv%u", h[i].label, version);
	}
	return 2 * n;
}
