/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus exposition (lib/stats/prometheus.c), read back by a parser of the text format 0.0.4
 * written from its specification: every line is a HELP, a TYPE or a sample of the family they open;
 * each family is described once and its samples are together; label values come back unescaped to
 * what was given (a service name with a quote, a backslash and a line feed among them); every counter
 * of the X-macros is there once per worker with its value and never without its worker label.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_prometheus.h"
#include "tap.h"

enum { WORKERS = 3, SERVICES = 3, MAX_SAMPLES = 4096, MAX_FAMILIES = 512, TEXT_MAX = 256 };

struct sample {
	char name[TEXT_MAX];
	char labels[TEXT_MAX]; /* unescaped, as name=value pairs joined by ',' in the order written */
	uint64_t value;
};

struct family {
	char name[TEXT_MAX];
	char type[16];
	unsigned helps, types, samples;
};

struct exposition {
	struct sample samples[MAX_SAMPLES];
	unsigned n_samples;
	struct family families[MAX_FAMILIES];
	unsigned n_families;
	unsigned lines, bad_lines;
	char first_bad[TEXT_MAX];
	bool scattered; /* a family's samples or descriptions came after another family's */
};

static const char *const service_names[SERVICES] = {
	"192.0.2.10:4433",
	"[2001:db8::10]:4433",
	"we\"ird\\name\nline",
};

/* The value the fixture gives counter i of worker w: distinct for every pair. */
static uint64_t
fixture_value(unsigned i, unsigned w)
{
	return (uint64_t)(i + 1) * 1000 + w;
}

static void
fill_fixture(struct ds_stats *workers, struct ds_prometheus_state *st)
{
	unsigned w, i, s;

	memset(workers, 0, sizeof(*workers) * WORKERS);
	for (w = 0; w < WORKERS; w++) {
		for (i = 0; i < DS_ACT_COUNT; i++)
			workers[w].action[i] = fixture_value(i, w);
		for (i = 0; i < DS_OUT_COUNT; i++)
			workers[w].outcome[i] = fixture_value(DS_ACT_COUNT + i, w);
		for (i = 0; i < DS_HVR_RESULT_COUNT; i++)
			workers[w].hvr[i] = fixture_value(DS_ACT_COUNT + DS_OUT_COUNT + i, w);
		for (s = 0; s < SERVICES; s++)
			workers[w].service_hellos[s] = 10 * (s + 1) + w;
		workers[w].flows_active = 500 + w;
		workers[w].busy_cycles = 7000000 + w;
	}
	memset(st, 0, sizeof(*st));
	st->tsc_hz = 2700000000u;
	st->key_epoch = 29936338;
	st->n_services = SERVICES;
	for (s = 0; s < SERVICES; s++) {
		snprintf(st->service[s].name, sizeof(st->service[s].name), "%s", service_names[s]);
		st->service[s].challenged = s != 1;
		st->service[s].switched_on = 3 + s;
		st->service[s].switched_off = 2 + s;
	}
	st->n_ports = 2;
	st->port[0] = (struct ds_prometheus_port){ "outside", 11, 12, 13, 14, 15, 16 };
	st->port[1] = (struct ds_prometheus_port){ "inside", 21, 22, 23, 24, 25, 26 };
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* (metric) or [a-zA-Z_][a-zA-Z0-9_]* (label); returns its length, 0 if none. */
static size_t
name_length(const char *p, bool metric)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[n]) || p[n] == '_' || (metric && p[n] == ':') ||
	       (n > 0 && isdigit((unsigned char)p[n])))
		n++;
	return n;
}

static struct family *
find_family(struct exposition *x, const char *name)
{
	unsigned i;

	for (i = 0; i < x->n_families; i++)
		if (strcmp(x->families[i].name, name) == 0)
			return &x->families[i];
	return NULL;
}

/* `{name="value",...}`: labels unescaped into out; returns the end of the block, NULL if malformed. */
static const char *
parse_labels(const char *p, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	if (*p != '{')
		return p;
	for (p++; *p != '}';) {
		const size_t n = name_length(p, false);

		if (n == 0 || p[n] != '=' || p[n + 1] != '"' || o + n + 2 >= len)
			return NULL;
		if (o > 0)
			out[o++] = ',';
		memcpy(out + o, p, n + 1);
		o += n + 1;
		for (p += n + 2; *p != '"'; p++) {
			char c = *p;

			if (c == '\0' || c == '\n' || o + 2 >= len)
				return NULL;
			if (c == '\\') {
				c = *++p;
				if (c == 'n')
					c = '\n';
				else if (c != '\\' && c != '"')
					return NULL;
			}
			out[o++] = c;
		}
		out[o] = '\0';
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

/* One line; false when it breaks the grammar or the family structure. */
static bool
parse_line(struct exposition *x, const char *line, struct family **current)
{
	char name[TEXT_MAX], type[16];
	struct family *fam;
	const char *p;
	size_t n;

	if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) {
		const bool help = line[2] == 'H';

		n = name_length(line + 7, true);
		if (n == 0 || n >= sizeof(name) || line[7 + n] != ' ')
			return false;
		memcpy(name, line + 7, n);
		name[n] = '\0';
		fam = find_family(x, name);
		if (fam == NULL) {
			if (x->n_families == MAX_FAMILIES)
				return false;
			fam = &x->families[x->n_families++];
			snprintf(fam->name, sizeof(fam->name), "%s", name);
		} else if (fam != *current || fam->samples > 0) {
			x->scattered = true;
		}
		*current = fam;
		if (help)
			return ++fam->helps == 1;
		if (sscanf(line + 8 + n, "%15s", type) != 1 ||
		    (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0) || fam->helps != 1)
			return false;
		snprintf(fam->type, sizeof(fam->type), "%s", type);
		return ++fam->types == 1;
	}
	if (line[0] == '#' || x->n_samples == MAX_SAMPLES)
		return false;
	n = name_length(line, true);
	if (n == 0 || n >= sizeof(name))
		return false;
	memcpy(name, line, n);
	name[n] = '\0';
	/* Counters and gauges of 0.0.4: each sample carries its family's own name, after its TYPE. */
	if (*current == NULL || strcmp((*current)->name, name) != 0 || (*current)->types != 1) {
		x->scattered = true;
		return false;
	}
	p = parse_labels(line + n, x->samples[x->n_samples].labels, TEXT_MAX);
	if (p == NULL || *p != ' ' || !isdigit((unsigned char)p[1]))
		return false;
	for (p++, n = 0; isdigit((unsigned char)p[n]); n++)
		;
	if (p[n] != '\0')
		return false;
	snprintf(x->samples[x->n_samples].name, TEXT_MAX, "%s", name);
	x->samples[x->n_samples].value = strtoull(p, NULL, 10);
	x->n_samples++;
	(*current)->samples++;
	return true;
}

static void
parse(struct exposition *x, char *text)
{
	struct family *current = NULL;
	char *line, *save = NULL;

	memset(x, 0, sizeof(*x));
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		x->lines++;
		if (!parse_line(x, line, &current) && x->bad_lines++ == 0)
			snprintf(x->first_bad, sizeof(x->first_bad), "%s", line);
	}
}

/* The samples of a family with exactly these labels; returns how many matched (value of the last). */
static unsigned
lookup(const struct exposition *x, const char *name, const char *labels, uint64_t *value)
{
	unsigned i, found = 0;

	for (i = 0; i < x->n_samples; i++)
		if (strcmp(x->samples[i].name, name) == 0 && strcmp(x->samples[i].labels, labels) == 0) {
			*value = x->samples[i].value;
			found++;
		}
	return found;
}

/* Whether the family has one sample per listed label set with these values, and nothing else. */
static bool
family_is(const struct exposition *x, const char *name, const char *type, const char *const *labels,
	  const uint64_t *values, unsigned n)
{
	struct family *fam = find_family((struct exposition *)x, name);
	unsigned i;
	uint64_t v;

	if (fam == NULL || strcmp(fam->type, type) != 0 || fam->samples != n)
		return false;
	for (i = 0; i < n; i++)
		if (lookup(x, name, labels[i], &v) != 1 || v != values[i])
			return false;
	return true;
}

static char *
render(const struct ds_stats *workers, const struct ds_prometheus_state *st, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		tap_bail("open_memstream failed");
	*rc = ds_prometheus_write(f, workers, WORKERS, st);
	if (fclose(f) != 0)
		tap_bail("memory stream failed");
	return text;
}

static void
check_counters(const struct exposition *x)
{
	static const char *const worker_labels[WORKERS] = { "worker=0", "worker=1", "worker=2" };
	struct tap_group g = { 0 };
	char name[TEXT_MAX];
	unsigned i, w;

	for (i = 0; i < DS_STATS_COUNTERS; i++) {
		uint64_t values[WORKERS], v;

		for (w = 0; w < WORKERS; w++)
			values[w] = fixture_value(i, w);
		snprintf(name, sizeof(name), "dtls_scrubber_%s_total", ds_stats_counter_name(i));
		tap_sub(&g, family_is(x, name, "counter", worker_labels, values, WORKERS),
			"%s: a counter with worker=\"0\"..\"%d\" and their values", name, WORKERS - 1);
		tap_sub(&g, lookup(x, name, "", &v) == 0, "%s: no sample without its worker label", name);
	}
	tap_group_done(&g, "step 3: every counter of the X-macros (%d) as dtls_scrubber_<name>_total, once per worker",
		       DS_STATS_COUNTERS);
}

/* The control: the parser is not so lenient that the checks above could not fail. */
static void
check_parser_refuses(void)
{
	static const char *const bad[] = {
		"# HELP m_total h\n# TYPE m_total counter\nm_total{worker=\"0\"}\n",         /* no value */
		"m_total 1\n",                                                               /* no TYPE before */
		"# HELP m h\n# TYPE m gauge\nm{service=\"a\"b\"} 1\n",                       /* raw quote */
		"# HELP m h\n# TYPE m gauge\nm{service=\"a\\tb\"} 1\n",                     /* unknown escape */
		"# HELP m h\n# TYPE m gauge\nm{1abel=\"a\"} 1\n",                             /* label name */
		"# HELP m h\n# TYPE m summary\nm 1\n",                                        /* type */
		"# HELP m h\n# TYPE m gauge\nm 1\n# HELP n h\n# TYPE n gauge\nn 1\nm 2\n", /* scattered */
		"# HELP m h\n# HELP m h\n# TYPE m gauge\nm 1\n",                              /* HELP twice */
	};
	static struct exposition x;
	struct tap_group g = { 0 };
	char text[TEXT_MAX];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s", bad[i]);
		parse(&x, text);
		tap_sub(&g, x.bad_lines > 0 || x.scattered, "bad exposition %u is refused", i);
	}
	tap_group_done(&g, "step 11: the parser refuses a missing value, a sample before its TYPE, raw quotes, "
		       "unknown escapes, bad label names, unknown types, scattered families, a HELP twice");
}

int
main(void)
{
	static struct ds_stats workers[WORKERS];
	static struct ds_prometheus_state st;
	static struct exposition x;
	static const char *const worker_labels[WORKERS] = { "worker=0", "worker=1", "worker=2" };
	char svc_labels[SERVICES][TEXT_MAX], switch_labels[2 * SERVICES][TEXT_MAX];
	const char *svc[SERVICES], *switches[2 * SERVICES];
	const char *const ports[2] = { "port=outside", "port=inside" };
	uint64_t hellos[SERVICES], challenged[SERVICES], switched[2 * SERVICES];
	unsigned i, s;
	char *text;
	int rc;
	FILE *full;

	fill_fixture(workers, &st);
	text = render(workers, &st, &rc);
	tap_check(rc == 0 && text[strlen(text) - 1] == '\n', "step 1: the writer succeeds and ends its last line");
	parse(&x, text);
	tap_check(x.bad_lines == 0 && x.n_samples > 0, "step 2: all %u lines follow the 0.0.4 grammar (%u samples, %u families)%s%s",
		  x.lines, x.n_samples, x.n_families, x.bad_lines ? "; first bad line: " : "", x.first_bad);
	check_counters(&x);
	for (i = 0; i < x.n_families; i++)
		if (x.families[i].helps != 1 || x.families[i].types != 1 || x.families[i].samples == 0 ||
		    (strcmp(x.families[i].type, "counter") == 0) != (strstr(x.families[i].name, "_total") != NULL))
			break;
	tap_check(i == x.n_families && !x.scattered,
		  "step 4: each family once, HELP then TYPE then its samples together; counters and only they end in _total%s%s",
		  i < x.n_families ? ": not " : "", i < x.n_families ? x.families[i].name : "");
	for (i = 0; i < x.n_families; i++)
		if (strncmp(x.families[i].name, "dtls_scrubber_", 14) != 0)
			break;
	tap_check(i == x.n_families, "step 5: every metric is named dtls_scrubber_*");

	{
		const uint64_t one = 1, tsc = st.tsc_hz, epoch = st.key_epoch;
		const uint64_t flows[WORKERS] = { 500, 501, 502 }, busy[WORKERS] = { 7000000, 7000001, 7000002 };
		const char *const none[1] = { "" };

		tap_check(family_is(&x, "dtls_scrubber_up", "gauge", none, &one, 1) &&
				  family_is(&x, "dtls_scrubber_tsc_hz", "gauge", none, &tsc, 1) &&
				  family_is(&x, "dtls_scrubber_key_epoch", "gauge", none, &epoch, 1),
			  "step 6: dtls_scrubber_up 1, tsc_hz and key_epoch as unlabelled gauges");
		tap_check(family_is(&x, "dtls_scrubber_flows_active", "gauge", worker_labels, flows, WORKERS) &&
				  family_is(&x, "dtls_scrubber_busy_cycles_total", "counter", worker_labels, busy, WORKERS),
			  "step 7: flows_active (gauge) and busy_cycles_total (counter) per worker");
	}

	for (s = 0; s < SERVICES; s++) {
		snprintf(svc_labels[s], TEXT_MAX, "service=%s", service_names[s]);
		svc[s] = svc_labels[s];
		hellos[s] = 3 * 10 * (s + 1) + 0 + 1 + 2;
		challenged[s] = s != 1;
		snprintf(switch_labels[2 * s], TEXT_MAX, "service=%s,to=on", service_names[s]);
		snprintf(switch_labels[2 * s + 1], TEXT_MAX, "service=%s,to=off", service_names[s]);
		switches[2 * s] = switch_labels[2 * s];
		switches[2 * s + 1] = switch_labels[2 * s + 1];
		switched[2 * s] = 3 + s;
		switched[2 * s + 1] = 2 + s;
	}
	tap_check(family_is(&x, "dtls_scrubber_service_hellos_total", "counter", svc, hellos, SERVICES),
		  "step 8: service_hellos_total per service, summed over the workers; label values (quote, "
		  "backslash, line feed) come back unescaped as given");
	tap_check(family_is(&x, "dtls_scrubber_service_challenged", "gauge", svc, challenged, SERVICES) &&
			  family_is(&x, "dtls_scrubber_service_challenge_switches_total", "counter", switches, switched,
				    2 * SERVICES),
		  "step 9: service_challenged 0/1 and service_challenge_switches_total{to=on|off} per service");
	{
		static const char *const fields[] = { "rx_packets", "rx_missed", "rx_errors", "rx_nombuf",
						      "tx_packets", "tx_errors" };
		char name[TEXT_MAX];

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			const uint64_t values[2] = { 11 + i, 21 + i };

			snprintf(name, sizeof(name), "dtls_scrubber_port_%s_total", fields[i]);
			if (!family_is(&x, name, "counter", ports, values, 2))
				break;
		}
		tap_check(i == sizeof(fields) / sizeof(fields[0]),
			  "step 10: port rx/tx packets, missed, errors and no-mbuf counters per port role%s%s",
			  i < sizeof(fields) / sizeof(fields[0]) ? ": not " : "",
			  i < sizeof(fields) / sizeof(fields[0]) ? fields[i] : "");
	}
	free(text);
	check_parser_refuses();

	/* A full disk or a closed socket is an error the caller hears of. */
	full = fopen("/dev/full", "w");
	if (full == NULL)
		tap_bail("/dev/full: %s", strerror(errno));
	setvbuf(full, NULL, _IONBF, 0);
	tap_check(ds_prometheus_write(full, workers, WORKERS, &st) == -EIO, "step 12: a failing stream gives -EIO");
	fclose(full);
	return tap_done();
}
