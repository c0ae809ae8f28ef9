/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus text format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats): one family
 * per metric name, its `# HELP` and `# TYPE` lines first and all its samples together. Counters carry
 * the `_total` suffix in the family name itself, as that format (unlike OpenMetrics) wants.
 */
#include "ds_prometheus.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>

#define PREFIX "dtls_scrubber_"

/* HELP text escapes only backslash and line feed; a label value also escapes the double quote. */
static void
write_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void
ds_prometheus_write_label_value(FILE *f, const char *value)
{
	write_escaped(f, value, true);
}

/* "# HELP dtls_scrubber_<name><suffix> help" and its "# TYPE" line. */
static void
family(FILE *f, const char *name, const char *suffix, const char *type, const char *help)
{
	fprintf(f, "# HELP " PREFIX "%s%s ", name, suffix);
	write_escaped(f, help, false);
	fprintf(f, "\n# TYPE " PREFIX "%s%s %s\n", name, suffix, type);
}

/* One sample with one label: dtls_scrubber_<name><suffix>{label="value"} n. */
static void
sample(FILE *f, const char *name, const char *suffix, const char *label, const char *value, uint64_t n)
{
	fprintf(f, PREFIX "%s%s{%s=\"", name, suffix, label);
	write_escaped(f, value, true);
	fprintf(f, "\"} %" PRIu64 "\n", n);
}

static void
worker_sample(FILE *f, const char *name, const char *suffix, unsigned worker, uint64_t n)
{
	fprintf(f, PREFIX "%s%s{worker=\"%u\"} %" PRIu64 "\n", name, suffix, worker, n);
}

static void
write_workers(FILE *f, const struct ds_stats *workers, unsigned n_workers)
{
	unsigned i, w;

	for (i = 0; i < DS_STATS_COUNTERS; i++) {
		family(f, ds_stats_counter_name(i), "_total", "counter", ds_stats_counter_help(i));
		for (w = 0; w < n_workers; w++)
			worker_sample(f, ds_stats_counter_name(i), "_total", w, ds_stats_counter_value(&workers[w], i));
	}
	family(f, "flows_active", "", "gauge", "verified flows in the worker's table now");
	for (w = 0; w < n_workers; w++)
		worker_sample(f, "flows_active", "", w, workers[w].flows_active);
	family(f, "busy_cycles", "_total", "counter",
	       "TSC cycles of the worker's loops that received frames (divide by tsc_hz for seconds)");
	for (w = 0; w < n_workers; w++)
		worker_sample(f, "busy_cycles", "_total", w, workers[w].busy_cycles);
}

static void
write_services(FILE *f, const struct ds_stats *workers, unsigned n_workers, const struct ds_prometheus_state *st)
{
	const unsigned n_services = st->n_services < DS_SERVICE_MAX ? st->n_services : DS_SERVICE_MAX;
	unsigned s, w;

	family(f, "service_hellos", "_total", "counter", "ClientHellos without a cookie to the protected service");
	for (s = 0; s < n_services; s++) {
		uint64_t n = 0;

		for (w = 0; w < n_workers; w++)
			n += workers[w].service_hellos[s];
		sample(f, "service_hellos", "_total", "service", st->service[s].name, n);
	}
	family(f, "service_challenged", "", "gauge",
	       "1 while the service's ClientHellos without a cookie are answered by the appliance, 0 while they pass");
	for (s = 0; s < n_services; s++)
		sample(f, "service_challenged", "", "service", st->service[s].name, st->service[s].challenged);
	family(f, "service_challenge_switches", "_total", "counter",
	       "times challenging the service started (to=\"on\") or stopped (to=\"off\")");
	for (s = 0; s < n_services; s++) {
		const char *const to[2] = { "on", "off" };
		const uint64_t n[2] = { st->service[s].switched_on, st->service[s].switched_off };
		unsigned k;

		for (k = 0; k < 2; k++) {
			fputs(PREFIX "service_challenge_switches_total{service=\"", f);
			write_escaped(f, st->service[s].name, true);
			fprintf(f, "\",to=\"%s\"} %" PRIu64 "\n", to[k], n[k]);
		}
	}
}

/* The NIC's counters, one family each, labelled by port role. */
static void
write_ports(FILE *f, const struct ds_prometheus_state *st)
{
	static const struct {
		const char *name;
		size_t offset;
		const char *help;
	} fields[] = {
		{ "port_rx_packets", offsetof(struct ds_prometheus_port, rx_packets), "frames the port received" },
		{ "port_rx_missed", offsetof(struct ds_prometheus_port, rx_missed),
		  "frames the NIC dropped because a receive queue was full (workers too slow)" },
		{ "port_rx_errors", offsetof(struct ds_prometheus_port, rx_errors), "erroneous frames received" },
		{ "port_rx_nombuf", offsetof(struct ds_prometheus_port, rx_nombuf),
		  "receive failures for want of an mbuf" },
		{ "port_tx_packets", offsetof(struct ds_prometheus_port, tx_packets), "frames the port sent" },
		{ "port_tx_errors", offsetof(struct ds_prometheus_port, tx_errors), "frames the NIC failed to send" },
	};
	const unsigned n_ports = st->n_ports < DS_PROMETHEUS_MAX_PORTS ? st->n_ports : DS_PROMETHEUS_MAX_PORTS;
	unsigned i, p;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		family(f, fields[i].name, "_total", "counter", fields[i].help);
		for (p = 0; p < n_ports; p++)
			sample(f, fields[i].name, "_total", "port", st->port[p].role,
			       *(const uint64_t *)((const char *)&st->port[p] + fields[i].offset));
	}
}

/* The heaviest source prefixes of the last window: a gauge per kind and rank (bounded: 3 x 10 series). */
static void
write_talkers(FILE *f, const struct ds_prometheus_state *st)
{
	unsigned k, i;

	if (st->talkers_window_s == 0)
		return;
	family(f, "top_talkers_window_seconds", "", "gauge", "length of the window the top talkers are counted over");
	fprintf(f, PREFIX "top_talkers_window_seconds %u\n", st->talkers_window_s);
	family(f, "top_talker_events", "", "gauge",
	       "events of one of the heaviest source prefixes in the last window (estimated from a sample, an upper "
	       "bound): kind answered (HVR or Retry sent), bad_cookie, dropped");
	for (k = 0; k < DS_PROMETHEUS_TALKER_KINDS; k++) {
		const struct ds_prometheus_talkers *t = &st->talkers[k];

		for (i = 0; t->kind[0] != '\0' && i < t->n && i < DS_PROMETHEUS_TALKERS; i++) {
			fputs(PREFIX "top_talker_events{kind=\"", f);
			write_escaped(f, t->kind, true);
			fputs("\",prefix=\"", f);
			write_escaped(f, t->talker[i].prefix, true);
			fprintf(f, "\",rank=\"%u\"} %" PRIu64 "\n", i + 1, t->talker[i].estimate);
		}
	}
}

int
ds_prometheus_write(FILE *f, const struct ds_stats *workers, unsigned n_workers, const struct ds_prometheus_state *st)
{
	family(f, "up", "", "gauge", "1: the appliance answered this scrape");
	fputs(PREFIX "up 1\n", f);
	write_workers(f, workers, n_workers);
	family(f, "tsc_hz", "", "gauge", "TSC cycles per second of the workers' clock");
	fprintf(f, PREFIX "tsc_hz %" PRIu64 "\n", st->tsc_hz);
	family(f, "key_epoch", "", "gauge", "epoch of the cookie key that makes cookies now");
	fprintf(f, PREFIX "key_epoch %" PRIu64 "\n", st->key_epoch);
	if (st->flow_capacity != 0) {
		family(f, "flow_capacity", "", "gauge", "verified flows each worker's table holds: flows_active / flow_capacity is its fill");
		fprintf(f, PREFIX "flow_capacity %" PRIu64 "\n", st->flow_capacity);
	}
	if (st->health_known) {
		family(f, "healthy", "", "gauge", "1 while every worker polls, both links are up and the cookie keys are current");
		fprintf(f, PREFIX "healthy %d\n", st->healthy);
		family(f, "routes_announced", "", "gauge", "1 while the announce routes are in their kernel table");
		fprintf(f, PREFIX "routes_announced %d\n", st->announced);
	}
	write_services(f, workers, n_workers, st);
	write_ports(f, st);
	write_talkers(f, st);
	return ferror(f) ? -EIO : 0;
}
