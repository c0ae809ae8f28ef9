/* SPDX-License-Identifier: BSD-3-Clause */
#include "drop_capture.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "ds_classify.h"
#include "ds_stats.h"
#include "events.h"
#include "pcapng_out.h"
#include "view.h"

enum { DRAIN_PER_TICK = 8192, DEQUEUE_BURST = 64 };

static struct ds_capture *telemetry_capture; /* telemetry callbacks take no argument of their own */

int
ds_capture_open(struct ds_capture *c, const struct ds_config *cfg, struct ds_workers *ws, char *err, size_t err_len)
{
	memset(c, 0, sizeof(*c));
	c->workers = ws;
	c->services = &cfg->services;
	if (cfg->capture.file[0] == '\0')
		return 0;
	snprintf(c->path, sizeof(c->path), "%s", cfg->capture.file);
	c->max_bytes = (uint64_t)cfg->capture.max_mb << 20;
	c->f = fopen(c->path, "wb");
	if (c->f == NULL || (c->bytes = pcapng_out_header(c->f, DS_CAPTURE_SNAPLEN)) == 0) {
		snprintf(err, err_len, "capture.file %s: %s", c->path, strerror(errno));
		if (c->f != NULL)
			fclose(c->f);
		c->f = NULL;
		return -1;
	}
	fflush(c->f);
	return ds_capture_set(c, cfg->capture.sample_every) == 0 ? 0 : -1;
}

int
ds_capture_set(struct ds_capture *c, uint32_t every)
{
	int rc;

	if (c->f == NULL)
		return -ENOENT;
	rc = ds_view_publish(&c->workers->view, &(struct ds_view_change){ .set_capture = true, .capture_every = every });
	if (rc < 0)
		return rc;
	ds_event(DS_EVENT_NOTICE, every != 0 ? "capture_on" : "capture_off", "\"sample_every\":%" PRIu32, every);
	return 0;
}

static uint64_t
unix_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* One sampled frame into the file: its fate, and what the classifier says it is (the services known). */
static void
write_frame(struct ds_capture *c, struct rte_mbuf *m, uint64_t now_us)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t caplen = rte_pktmbuf_data_len(m), origlen = m->hash.usr >> 8;
	struct ds_frame_info info;
	char comment[128];
	size_t n;

	if (c->full) {
		c->refused_full++;
		return;
	}
	ds_classify(frame, caplen, c->services, &info);
	/* A frame cut at the snap length may end inside what the classifier wanted to read. */
	snprintf(comment, sizeof(comment), "fate=%s outcome=%s%s", ds_action_name((enum ds_action)(m->hash.usr & 0xFF)),
		 ds_outcome_name(info.outcome), caplen < origlen ? " (as far as the snap length shows)" : "");
	n = pcapng_out_packet(c->f, now_us, frame, caplen, origlen, comment);
	c->bytes += n;
	c->written += n != 0;
	if (c->bytes >= c->max_bytes) {
		c->full = true;
		ds_event(DS_EVENT_WARNING, "capture_full", "\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64, c->written, c->bytes);
	}
}

void
ds_capture_drain(struct ds_capture *c)
{
	const uint64_t now = unix_us();
	unsigned i, left = DRAIN_PER_TICK;

	if (c->f == NULL)
		return;
	for (i = 0; i < c->workers->n && left != 0; i++) {
		struct rte_ring *r = c->workers->worker[i]->captured;
		struct rte_mbuf *m[DEQUEUE_BURST];
		unsigned n, k;

		while (r != NULL && left != 0 &&
		       (n = rte_ring_sc_dequeue_burst(r, (void **)m, left < DEQUEUE_BURST ? left : DEQUEUE_BURST, NULL)) != 0) {
			for (k = 0; k < n; k++)
				write_frame(c, m[k], now);
			rte_pktmbuf_free_bulk(m, n);
			left -= n;
		}
	}
	fflush(c->f);
}

void
ds_capture_close(struct ds_capture *c)
{
	if (c->f == NULL)
		return;
	ds_capture_drain(c);
	fclose(c->f);
	c->f = NULL;
}

static int
telemetry_state(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ds_capture *c = telemetry_capture;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "file", c->f != NULL ? c->path : "");
	rte_tel_data_add_dict_u64(d, "sample_every", ds_view_get(&c->workers->view)->capture_every);
	rte_tel_data_add_dict_u64(d, "frames", c->written);
	rte_tel_data_add_dict_u64(d, "bytes", c->bytes);
	rte_tel_data_add_dict_u64(d, "full", c->full);
	return 0;
}

static int
telemetry_set(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char *end = NULL;
	unsigned long every = params != NULL ? strtoul(params, &end, 10) : 0;
	int rc = -EINVAL;

	(void)cmd;
	if (params != NULL && end != params && *end == '\0' && every <= UINT32_MAX)
		rc = ds_capture_set(telemetry_capture, (uint32_t)every);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "result", rc == 0 ? "ok" : "error");
	if (rc != 0)
		rte_tel_data_add_dict_string(d, "error", rc == -ENOENT ? "no capture.file configured"
					     : rc == -EINVAL ? "give 1-in-N: /dtls_scrubber/capture_set,100 (0 = off)"
							     : strerror(-rc));
	return 0;
}

int
ds_capture_register_telemetry(struct ds_capture *c)
{
	int rc;

	telemetry_capture = c;
	rc = rte_telemetry_register_cmd("/dtls_scrubber/capture", telemetry_state,
					"The drop capture: file, 1-in-N sampling, frames and bytes written.");
	return rc != 0 ? rc
		       : rte_telemetry_register_cmd("/dtls_scrubber/capture_set", telemetry_set,
						    "Sample 1 in N dropped frames into capture.file (0 = off). Parameters: N");
}
