/* SPDX-License-Identifier: BSD-3-Clause */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "ds_prometheus.h"
#include "health.h"
#include "log.h"

_Static_assert((int)DS_PORT_COUNT <= (int)DS_PROMETHEUS_MAX_PORTS, "every port role in the exposition");
_Static_assert((int)DS_SERVICE_TEXT_MAX <= (int)DS_PROMETHEUS_LABEL_MAX, "every service name fits its label");

enum metrics_http_limits {
	LISTEN_BACKLOG = 16,
	MAX_CONNECTIONS = 16,   /* Prometheus keeps one; a few more for curl and a second server */
	IDLE_TIMEOUT_S = 30,    /* above any sane scrape interval with keep-alive, below a stuck client's patience */
};

struct ds_metrics_http {
	struct MHD_Daemon *daemon;
	const struct ds_stats *const *blocks; /* the workers' own blocks, read with relaxed loads */
	unsigned n_workers;
	pthread_mutex_t lock;                 /* guards state */
	struct ds_prometheus_state state;     /* written by the main lcore's tick, read by scrapes */
};

/* On the main lcore: the DPDK calls and the control plane's state, never from the HTTP thread. */
static void
take_snapshot(const struct ds_control *c, struct ds_prometheus_state *st)
{
	const struct ds_challenge *ch = c->challenge;
	const uint64_t mask = __atomic_load_n(&ch->mask, __ATOMIC_RELAXED);
	unsigned s, r;

	memset(st, 0, sizeof(*st));
	st->tsc_hz = rte_get_tsc_hz();
	st->key_epoch = __atomic_load_n(&c->cookie_epoch, __ATOMIC_RELAXED);
	st->flow_capacity = c->cfg->flow_capacity;
	if (c->health != NULL) {
		st->health_known = true;
		st->healthy = __atomic_load_n(&c->health->healthy, __ATOMIC_RELAXED);
		st->announced = c->health->announced;
	}
	st->n_services = c->cfg->services.count;
	for (s = 0; s < st->n_services; s++) {
		ds_service_format(&c->cfg->services.entries[s], st->service[s].name, sizeof(st->service[s].name));
		st->service[s].challenged = (mask >> s) & 1;
		if (s < ch->n_services) {
			st->service[s].switched_on = ch->service[s].switched_on;
			st->service[s].switched_off = ch->service[s].switched_off;
		}
	}
	_Static_assert((int)DS_TALK_KINDS == (int)DS_PROMETHEUS_TALKER_KINDS, "every kind of top talker");
	_Static_assert((int)DS_TALKERS_SHOWN <= (int)DS_PROMETHEUS_TALKERS, "every shown talker");
	if (c->talkers != NULL) {
		static struct ds_topk kinds[DS_TALK_KINDS];
		unsigned k, i;

		ds_talkers_get(c->talkers, kinds);
		st->talkers_window_s = DS_TALKERS_WINDOW_S;
		for (k = 0; k < DS_TALK_KINDS; k++) {
			snprintf(st->talkers[k].kind, sizeof(st->talkers[k].kind), "%s", ds_talk_kind_name(k));
			for (i = 0; i < kinds[k].n && i < DS_TALKERS_SHOWN; i++) {
				ds_prefix_format(&kinds[k].e[i].prefix, st->talkers[k].talker[i].prefix,
						 sizeof(st->talkers[k].talker[i].prefix));
				st->talkers[k].talker[i].estimate = kinds[k].e[i].count;
			}
			st->talkers[k].n = i;
		}
	}
	st->n_ports = DS_PORT_COUNT;
	for (r = 0; r < DS_PORT_COUNT; r++) {
		struct ds_prometheus_port *p = &st->port[r];
		struct rte_eth_stats es;

		snprintf(p->role, sizeof(p->role), "%s", ds_port_role_name((enum ds_port_role)r));
		if (rte_eth_stats_get(c->port_ids[r], &es) != 0)
			continue;
		p->rx_packets = es.ipackets;
		p->rx_missed = es.imissed;
		p->rx_errors = es.ierrors;
		p->rx_nombuf = es.rx_nombuf;
		p->tx_packets = es.opackets;
		p->tx_errors = es.oerrors;
	}
}

/* The exposition, in a malloc'd buffer libmicrohttpd frees; NULL when memory runs out. */
static char *
render(struct ds_metrics_http *m, size_t *len)
{
	struct ds_prometheus_state st;
	struct ds_stats *snap = calloc(m->n_workers ? m->n_workers : 1, sizeof(*snap));
	char *buf = NULL;
	FILE *f;
	unsigned w;
	int rc;

	if (snap == NULL)
		return NULL;
	pthread_mutex_lock(&m->lock);
	st = m->state;
	pthread_mutex_unlock(&m->lock);
	/* One block at a time: ds_stats_sum() of one block is a copy made with relaxed loads. */
	for (w = 0; w < m->n_workers; w++)
		ds_stats_sum(&m->blocks[w], 1, &snap[w]);
	f = open_memstream(&buf, len);
	if (f == NULL) {
		free(snap);
		return NULL;
	}
	rc = ds_prometheus_write(f, snap, m->n_workers, &st);
	if (fclose(f) != 0 || rc != 0) {
		free(buf);
		buf = NULL;
	}
	free(snap);
	return buf;
}

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, char *body, size_t len, enum MHD_ResponseMemoryMode mode,
      const char *content_type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	return reply(conn, status, (char *)text, strlen(text), MHD_RESPMEM_PERSISTENT, "text/plain; charset=utf-8");
}

/* Only GET (and its HEAD) of /metrics; anything else is answered at once, its body unread. */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version,
       const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct ds_metrics_http *m = cls;
	size_t len;
	char *body;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(url, "/metrics") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET /metrics\n");
	body = render(m, &len);
	if (body == NULL)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return reply(conn, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE, DS_PROMETHEUS_CONTENT_TYPE);
}

static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	DS_LOG(WARNING, "metrics: %s", line);
}

/* Our own listening socket, so that a refused bind names its reason (errno) before anything else starts. */
static int
listen_on(const struct ds_service *at, char *err, size_t err_len, const char *text)
{
	struct sockaddr_storage ss;
	socklen_t ss_len;
	const int one = 1;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (at->ip_version == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(at->port);
		memcpy(&sin->sin_addr, at->addr, 4);
		ss_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(at->port);
		memcpy(&sin6->sin6_addr, at->addr, 16);
		ss_len = sizeof(*sin6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_len, "metrics.listen %s: socket: %s", text, strerror(errno));
		return -1;
	}
	/* A restart must not wait for the previous process's connections to leave TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:PORT means IPv6 only, as written; 0.0.0.0:PORT is the way to IPv4. */
	if (at->ip_version == 6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, ss_len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		snprintf(err, err_len, "metrics.listen %s: cannot listen there: %s", text, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
ds_metrics_http_start(const struct ds_control *c, struct ds_metrics_http **out, char *err, size_t err_len)
{
	const struct ds_metrics_config *cfg = &c->cfg->metrics;
	char text[DS_SERVICE_TEXT_MAX];
	struct ds_metrics_http *m;
	int fd;

	*out = NULL;
	if (!cfg->enabled)
		return 0;
	ds_service_format(&cfg->listen, text, sizeof(text));
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, err_len, "metrics.listen %s: out of memory", text);
		return -1;
	}
	m->blocks = c->blocks;
	m->n_workers = c->n_workers;
	pthread_mutex_init(&m->lock, NULL);
	take_snapshot(c, &m->state);
	fd = listen_on(&cfg->listen, err, err_len, text);
	if (fd < 0)
		goto fail;
	/* The polling thread is created here, on the main lcore, and inherits its CPU affinity. */
	m->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_POLL |
					     (cfg->listen.ip_version == 6 ? MHD_USE_IPv6 : 0),
				     0, NULL, NULL, answer, m,
				     MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				     MHD_OPTION_END);
	if (m->daemon == NULL) {
		/* The socket is left to the process's exit: whether libmicrohttpd closed it is not said. */
		snprintf(err, err_len, "metrics.listen %s: the HTTP server did not start", text);
		goto fail;
	}
	DS_LOG(NOTICE, "metrics: Prometheus endpoint at http://%s/metrics", text);
	*out = m;
	return 0;
fail:
	pthread_mutex_destroy(&m->lock);
	free(m);
	return -1;
}

void
ds_metrics_http_tick(struct ds_metrics_http *m, const struct ds_control *c)
{
	struct ds_prometheus_state st;

	if (m == NULL)
		return;
	take_snapshot(c, &st);
	pthread_mutex_lock(&m->lock);
	m->state = st;
	pthread_mutex_unlock(&m->lock);
}

void
ds_metrics_http_stop(struct ds_metrics_http *m)
{
	if (m == NULL)
		return;
	/* Returns once the polling thread has ended; it closes the listening socket too. */
	MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
