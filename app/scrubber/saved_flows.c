/* SPDX-License-Identifier: BSD-3-Clause */
#include "saved_flows.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "ds_flow.h"
#include "ds_flow_state.h"
#include "ds_stats.h"
#include "worker.h"

/* Flows of one worker's table into the file buffer. */
struct writer {
	uint8_t *file;
	uint64_t next;
	uint64_t capacity;
	uint32_t worker;
	uint64_t ms_per_tick_den; /* TSC ticks per ms */
};

static void
write_one(void *arg, const struct ds_flow_key *key, uint64_t ticks_left)
{
	struct writer *wr = arg;
	struct ds_flow_state_entry e = { .key = *key, .worker = wr->worker };
	const uint64_t ms = ticks_left / wr->ms_per_tick_den;

	if (wr->next == wr->capacity)
		return;
	e.idle_left_ms = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
	ds_flow_state_write_entry(wr->file, wr->next++, &e);
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		const ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The whole buffer to a temporary file beside @p path, on disk, then renamed over it. */
static int
replace_file(const char *path, const uint8_t *buf, size_t len, char *err, size_t err_len)
{
	char tmp[4200];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, err_len, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, buf, len) != 0 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, err_len, "%s: %s", fd < 0 ? tmp : path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	return 0;
}

int
ds_saved_flows_write(const struct ds_workers *ws, const char *path, const uint8_t key[32], uint64_t unix_ms,
		     uint32_t idle_timeout_s, uint64_t *written, char *err, size_t err_len)
{
	const uint64_t now = rte_rdtsc();
	struct ds_flow_state_meta m = { .n_workers = ws->n, .written_ms = unix_ms,
					.idle_timeout_ms = (uint64_t)idle_timeout_s * 1000 };
	struct writer wr = { .ms_per_tick_den = rte_get_tsc_hz() / 1000 };
	size_t len;
	unsigned i;
	int rc;

	for (i = 0; i < ws->n; i++)
		wr.capacity += ds_flow_count(ws->worker[i]->flows);
	if ((wr.file = malloc(ds_flow_state_size(wr.capacity))) == NULL) {
		snprintf(err, err_len, "out of memory for %" PRIu64 " flows", wr.capacity);
		return -1;
	}
	if (wr.ms_per_tick_den == 0)
		wr.ms_per_tick_den = 1;
	for (i = 0; i < ws->n; i++) {
		wr.worker = i;
		ds_flow_foreach(ws->worker[i]->flows, now, write_one, &wr);
	}
	m.count = wr.next;
	len = ds_flow_state_size(m.count);
	ds_flow_state_write_header(wr.file, &m);
	rc = ds_flow_state_seal(wr.file, len, key);
	if (rc != 0)
		snprintf(err, err_len, "MAC: %s", strerror(-rc));
	else
		rc = replace_file(path, wr.file, len, err, err_len);
	free(wr.file);
	*written = m.count;
	return rc == 0 ? 0 : -1;
}

/* The whole file into memory, refusing one larger than every table could hold. */
static uint8_t *
read_file(const char *path, size_t max, size_t *len, int *rc, char *err, size_t err_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*rc = -errno;
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	*rc = -EINVAL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		snprintf(err, err_len, "%s: not a regular file of at most %zu bytes (the flows every worker holds)", path,
			 max);
	} else if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, err_len, "%s: out of memory", path);
	} else {
		ssize_t n;

		while ((n = read(fd, buf + got, (size_t)st.st_size + 1 - got)) > 0)
			got += (size_t)n;
		if (n < 0) {
			snprintf(err, err_len, "%s: %s", path, strerror(errno));
			free(buf);
			buf = NULL;
		}
	}
	close(fd);
	*len = got;
	return buf;
}

/* A CID flow's service gives CIDs of its length: the worker looks its clients' records up by CID. */
static void
restore_cid_length(struct ds_worker *w, const struct ds_flow_key *key)
{
	const int service = ds_service_set_find(&w->services, key->ip_version & ~DS_FLOW_KEY_CID, key->server,
						key->server_port);

	if (service >= 0)
		ds_worker_note_service_cid(w, (unsigned)service, key->client_port);
}

int
ds_saved_flows_read(struct ds_workers *ws, const char *path, const uint8_t key[32], uint64_t unix_ms,
		    uint32_t capacity, struct ds_saved_flows_result *res, char *err, size_t err_len)
{
	const uint64_t now = rte_rdtsc(), ticks_per_ms = rte_get_tsc_hz() / 1000;
	struct ds_flow_state_meta m;
	char why[512];
	size_t len;
	uint64_t i, age_ms;
	int rc;
	uint8_t *file = read_file(path, ds_flow_state_size((uint64_t)ws->n * capacity), &len, &rc, err, err_len);

	memset(res, 0, sizeof(*res));
	if (file == NULL)
		return rc;
	if (ds_flow_state_check(file, len, key, ws->n, capacity, unix_ms, &m, why, sizeof(why)) != 0) {
		snprintf(err, err_len, "%s: %s", path, why);
		free(file);
		return -EINVAL;
	}
	/* Checked whole: from here nothing can be refused, only idled out. */
	age_ms = unix_ms > m.written_ms ? unix_ms - m.written_ms : 0;
	res->in_file = m.count;
	for (i = 0; i < m.count; i++) {
		struct ds_flow_state_entry e;
		struct ds_worker *w;

		ds_flow_state_read_entry(file, i, &e);
		if (e.idle_left_ms <= age_ms) {
			res->idled_out++;
			continue;
		}
		w = ws->worker[e.worker];
		if (e.key.ip_version & DS_FLOW_KEY_CID)
			restore_cid_length(w, &e.key);
		if (ds_flow_restore(w->flows, &e.key, now, (e.idle_left_ms - age_ms) * ticks_per_ms) ==
		    DS_FLOW_INSERTED) {
			DS_STATS_ADD(w->stats->action[DS_ACT_FLOW_LOADED], 1);
			w->stats->flows_active = ds_flow_count(w->flows);
			res->loaded++;
		}
	}
	free(file);
	return 0;
}
