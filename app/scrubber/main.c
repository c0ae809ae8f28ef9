/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls-scrubber: the appliance. Reads one YAML file, starts DPDK with the lcores and devices it names,
 * runs one worker per worker lcore (worker.c) and keeps the control plane on the main lcore: key
 * rotation, challenge mode, automatic blocklist, live counters, telemetry, signals, the final summary.
 *
 *   dtls-scrubber -c FILE [--check-config] [--duration SECONDS] [--stats-json FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "blocklist_telemetry.h"
#include "control.h"
#include "ds_config.h"
#include "ds_flow_state.h"
#include "ds_keyring.h"
#include "drop_capture.h"
#include "events.h"
#include "exception.h"
#include "health.h"
#include "neighbours.h"
#include "log.h"
#include "metrics_http.h"
#include "ports.h"
#include "reload.h"
#include "saved_flows.h"
#include "workers.h"

enum { CONTROL_TICK_MS = 100, FULL_EVENT_MS = 10000, MAX_EAL_ARGV = 16 + DS_CONFIG_MAX_EAL_ARGS + 2 * DS_PORT_COUNT };

static volatile bool quit;         /* the workers stop */
static volatile bool stop_asked;   /* a signal or the duration: withdraw the routes, then quit */
static bool stopped_by_duration; /* else a signal */
static struct ds_reload *hup_target; /* what SIGHUP asks */

static void
on_signal(int sig)
{
	(void)sig;
	stop_asked = true;
}

static void
on_hup(int sig)
{
	(void)sig;
	ds_reload_request(hup_target);
}

struct options {
	const char *config;
	const char *stats_json;
	double duration_s;
	bool check_only;
};

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -c FILE [--check-config] [--duration SECONDS] [--stats-json FILE]\n"
		"  -c, --config FILE     the appliance's YAML configuration (docs/configuration.md)\n"
		"  --check-config        validate the file (and its secret) and exit\n"
		"  --duration SECONDS    stop after this long (default: until SIGINT/SIGTERM)\n"
		"  --stats-json FILE     write the final counters there as JSON\n",
		prog);
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stats-json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = getopt_long(argc, argv, "c:h", long_opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'c':
			o->config = optarg;
			break;
		case 'k':
			o->check_only = true;
			break;
		case 'd':
			o->duration_s = strtod(optarg, &end);
			if (*end != '\0' || o->duration_s <= 0) {
				fprintf(stderr, "--duration %s: expected a number of seconds > 0\n", optarg);
				return -1;
			}
			break;
		case 'j':
			o->stats_json = optarg;
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (o->config == NULL || optind != argc) {
		usage(argv[0]);
		return -1;
	}
	return 0;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The EAL's arguments: lcores and devices from their sections, then the file's own eal.args. */
static int
eal_argv(const struct ds_config *cfg, char *prog, char storage[][DS_CONFIG_ARG_MAX], char **argv)
{
	int argc = 0, s = 0;
	unsigned i, r;
	bool any_pci = false;

	argv[argc++] = prog;
	argv[argc++] = "-l";
	snprintf(storage[s], DS_CONFIG_ARG_MAX, "%u", cfg->main_lcore);
	for (i = 0; i < cfg->n_workers; i++)
		snprintf(storage[s] + strlen(storage[s]), DS_CONFIG_ARG_MAX - strlen(storage[s]), ",%u",
			 cfg->workers[i]);
	argv[argc++] = storage[s++];
	argv[argc++] = "--main-lcore";
	snprintf(storage[s], DS_CONFIG_ARG_MAX, "%u", cfg->main_lcore);
	argv[argc++] = storage[s++];
	for (r = 0; r < DS_PORT_COUNT; r++) {
		argv[argc++] = cfg->ports[r].is_pci ? "-a" : "--vdev";
		argv[argc++] = (char *)cfg->ports[r].device;
		any_pci |= cfg->ports[r].is_pci;
	}
	/* Never probe the host's NICs when the ports are virtual. */
	if (!any_pci)
		argv[argc++] = "--no-pci";
	for (i = 0; i < cfg->n_eal_args; i++)
		argv[argc++] = (char *)cfg->eal_args[i];
	argv[argc] = NULL;
	return argc;
}

struct appliance {
	struct ds_config cfg;
	struct ds_ports ports;
	struct rte_mempool *pool;
	struct ds_keyring *keyring;
	struct ds_workers workers;
	struct ds_control control;
	struct ds_metrics_http *metrics; /* the Prometheus endpoint; NULL without metrics.listen */
	struct ds_capture capture;       /* the drop capture (capture.file) */
	struct ds_reload reload;         /* SIGHUP and /dtls_scrubber/reload */
	struct ds_exception exception;   /* the kernel interfaces (ports.*.kernel_interface) */
	struct ds_health health;         /* judged every tick; announce: routes while healthy */
	struct ds_neighbours next_hops;  /* routed next hops given by address, resolved by the kernel */
	uint8_t state_key[32]; /* MAC key of flows.state_file, derived from the master secret */
};

static void
teardown(struct appliance *a)
{
	ds_metrics_http_stop(a->metrics); /* its thread reads the workers' counters */
	ds_health_free(&a->health);    /* withdraws what is still announced */
	ds_neighbours_free(&a->next_hops);
	ds_capture_close(&a->capture); /* before the workers: it drains their queues */
	ds_exception_free(&a->exception);
	ds_workers_free(&a->workers);
	ds_keyring_destroy(a->keyring);
	ds_config_clear(&a->cfg);
	ds_secret_wipe(a->state_key, sizeof(a->state_key));
}

/* Flows of the last clean stop, before the workers start; a file refused means starting empty. */
static void
load_flows(struct appliance *a)
{
	struct ds_saved_flows_result res;
	char err[1024];
	int rc;

	if (a->cfg.flow_state_file[0] == '\0')
		return;
	rc = ds_saved_flows_read(&a->workers, a->cfg.flow_state_file, a->state_key, ds_keyring_clock_ms(),
				 a->cfg.flow_capacity, &res, err, sizeof(err));
	char path[2 * DS_CONFIG_PATH_MAX], why[2 * sizeof(err)];

	ds_event_quote(a->cfg.flow_state_file, path, sizeof(path));
	if (rc == -ENOENT) {
		DS_LOG(NOTICE, "flow state: %s is not there (first start?): starting with no flows", a->cfg.flow_state_file);
		ds_event(DS_EVENT_NOTICE, "state_absent", "\"file\":%s", path);
	} else if (rc != 0) {
		DS_LOG(WARNING, "flow state refused, starting with no flows: %s", err);
		ds_event(DS_EVENT_WARNING, "state_refused", "\"file\":%s,\"reason\":%s", path,
			 ds_event_quote(err, why, sizeof(why)));
	} else {
		DS_LOG(NOTICE, "flow state: %" PRIu64 " flows loaded from %s (%" PRIu64 " of %" PRIu64 " idled out while stopped)",
		       res.loaded, a->cfg.flow_state_file, res.idled_out, res.in_file);
		ds_event(DS_EVENT_NOTICE, "state_loaded",
			 "\"file\":%s,\"flows\":%" PRIu64 ",\"idled_out\":%" PRIu64, path, res.loaded, res.idled_out);
	}
}

/* At a clean stop, with the workers returned: their flows for the next start. */
static void
save_flows(struct appliance *a)
{
	char err[1024];
	uint64_t n;

	if (a->cfg.flow_state_file[0] == '\0')
		return;
	if (ds_saved_flows_write(&a->workers, a->cfg.flow_state_file, a->state_key, ds_keyring_clock_ms(),
				 a->cfg.flow_idle_timeout_s, &n, err, sizeof(err)) != 0)
		DS_LOG(ERR, "flow state not written: %s", err);
	else
		DS_LOG(NOTICE, "flow state: %" PRIu64 " flows written to %s", n, a->cfg.flow_state_file);
}

/*
 * A full flow table refuses new flows (their handshakes still pass, their records do not): said when it
 * starts and every FULL_EVENT_MS while it goes on, with how many were refused meanwhile.
 */
static void
watch_flow_tables(struct appliance *a, uint64_t now, uint64_t *refused_before, uint64_t *last_event)
{
	struct ds_stats total;
	uint64_t refused;

	ds_stats_sum(a->workers.stats, a->workers.n, &total);
	refused = total.action[DS_ACT_FLOW_TABLE_FULL];
	if (refused == *refused_before || (*last_event != 0 && now - *last_event < FULL_EVENT_MS))
		return;
	ds_event(DS_EVENT_WARNING, "flow_table_full", "\"refused\":%" PRIu64 ",\"capacity_per_worker\":%u",
		 refused - *refused_before, a->cfg.flow_capacity);
	*refused_before = refused;
	*last_event = now;
}

/* Next hops given by address: what the kernel resolved goes to the workers. */
static void
watch_next_hops(struct appliance *a, uint64_t now)
{
	const unsigned changed = ds_neighbours_tick(&a->next_hops, now);
	unsigned r;

	for (r = 0; r < DS_PORT_COUNT; r++)
		if ((changed >> r) & 1)
			ds_workers_set_next_hop(&a->workers, (enum ds_port_role)r, a->next_hops.port[r].mac);
}

/* The main lcore's loop: keys, live line, the clock; until a signal or the duration. */
static void
control_loop(struct appliance *a, const struct options *o)
{
	const uint64_t start = mono_ms();
	uint64_t next_line = start + a->cfg.stats_interval_s * 1000, refused = 0, full_event = 0, quit_at = 0;

	while (!quit) {
		const struct timespec tick = { .tv_nsec = CONTROL_TICK_MS * 1000000L };
		unsigned interval_ms;
		uint64_t now;

		nanosleep(&tick, NULL);
		/* First: what a reload publishes goes out with this tick's work. */
		ds_reload_poll(&a->reload);
		interval_ms = a->cfg.stats_interval_s * 1000;
		/* Keys, which services to challenge, automatic blocklist entries: into the workers' view. */
		ds_workers_tick(&a->workers);
		__atomic_store_n(&a->control.cookie_epoch, ds_cookie_keyset_epoch(ds_keyring_current(a->keyring)),
				 __ATOMIC_RELAXED);
		ds_ports_watch_links(&a->ports);
		watch_next_hops(a, mono_ms());
		ds_health_tick(&a->health, &a->workers, &a->ports, &a->next_hops);
		ds_metrics_http_tick(a->metrics, &a->control);
		now = mono_ms();
		watch_flow_tables(a, now, &refused, &full_event);
		ds_capture_drain(&a->capture);
		ds_events_tick();
		if (interval_ms != 0 && now >= next_line) {
			ds_control_print_line(&a->control, now);
			next_line = next_line + interval_ms > now ? next_line + interval_ms : now + interval_ms;
		}
		if (!stop_asked && o->duration_s > 0 && (double)(now - start) >= o->duration_s * 1000.0) {
			stop_asked = true;
			stopped_by_duration = true;
		}
		/* Routes out first, the box still forwarding while the routing daemon tells its peers. */
		if (stop_asked && quit_at == 0) {
			ds_health_stop(&a->health);
			quit_at = now + (a->health.announce.enabled ? a->health.announce.withdraw_wait_ms : 0);
		}
		if (quit_at != 0 && now >= quit_at)
			quit = true;
	}
}

/* The configuration in force, then the start, as events. */
static void
announce_start(const struct appliance *a)
{
	char path[2 * DS_CONFIG_PATH_MAX];

	ds_event(DS_EVENT_NOTICE, "config_loaded", "\"file\":%s,\"mode\":\"%s\",\"services\":%u",
		 ds_event_quote(a->cfg.path, path, sizeof(path)), ds_deploy_mode_name(a->cfg.mode), a->cfg.services.count);
	ds_event(DS_EVENT_NOTICE, "start", "\"workers\":%u,\"key_epoch\":%" PRIu64 ",\"challenge\":\"%s\"",
		 a->cfg.n_workers, ds_cookie_keyset_epoch(ds_keyring_current(a->keyring)),
		 ds_challenge_mode_name(a->cfg.challenge.mode));
}

static size_t
pool_size(const struct ds_config *cfg)
{
	size_t n = 0;
	unsigned r;

	/* Every descriptor of every queue may hold an mbuf, plus what a worker holds in flight. */
	for (r = 0; r < DS_PORT_COUNT; r++)
		n += (size_t)cfg->ports[r].rx_desc + cfg->ports[r].tx_desc;
	n = n * cfg->n_workers + (size_t)cfg->n_workers * (4 * DS_BURST + 512) + 1024;
	return n + ds_exception_pool_need(cfg);
}

/* Every frame in one mbuf: a jumbo MTU makes the buffers bigger rather than the frames chained. */
static uint16_t
mbuf_size(const struct ds_config *cfg)
{
	unsigned r, need = RTE_MBUF_DEFAULT_BUF_SIZE;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		/* Ethernet, two VLAN tags, the CRC some drivers leave in. */
		const unsigned frame = RTE_PKTMBUF_HEADROOM + cfg->ports[r].mtu + RTE_ETHER_HDR_LEN + 2 * 4 + RTE_ETHER_CRC_LEN;

		if (frame > need)
			need = frame;
	}
	return (uint16_t)need;
}

/* The kernel interfaces and the health check, once ports and workers exist. */
static int
start_network(struct appliance *a, char *err, size_t err_len)
{
	if (ds_exception_create(&a->exception, &a->cfg, &a->ports, a->pool, err, err_len) != 0)
		return -1;
	ds_exception_attach(&a->exception, &a->workers);
	if (ds_neighbours_init(&a->next_hops, &a->cfg, a->exception.ifindex, err, err_len) != 0)
		return -1;
	return ds_health_init(&a->health, &a->cfg, a->exception.ifindex[DS_PORT_OUTSIDE], err, err_len);
}

int
main(int argc, char **argv)
{
	static struct appliance a;
	static char storage[4][DS_CONFIG_ARG_MAX];
	char err[1024], *eargv[MAX_EAL_ARGV];
	struct options o;
	int eargc, rc = 1;

	if (parse_options(argc, argv, &o) != 0)
		return 2;
	if (ds_config_load(o.config, &a.cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ds_events_init(a.cfg.events_rate, NULL);
	if (o.check_only) {
		printf("%s: OK (%s mode, %u worker%s, %u service%s, %s cookies of %u bytes)\n", o.config,
		       ds_deploy_mode_name(a.cfg.mode), a.cfg.n_workers, a.cfg.n_workers == 1 ? "" : "s",
		       a.cfg.services.count, a.cfg.services.count == 1 ? "" : "s",
		       ds_cookie_mode_name(a.cfg.cookie.mode), a.cfg.cookie.cookie_len);
		ds_config_clear(&a.cfg);
		return 0;
	}
	a.keyring = ds_keyring_create(&a.cfg.cookie, &a.cfg.secret, ds_keyring_clock_ms(), err, sizeof(err));
	if (a.keyring != NULL && a.cfg.has_accept_secret &&
	    ds_keyring_set_masters(a.keyring, &a.cfg.secret, &a.cfg.accept_secret, ds_keyring_clock_ms(), err,
				   sizeof(err)) < 0) {
		ds_keyring_destroy(a.keyring);
		a.keyring = NULL;
	}
	/* The keyring holds its own copy: the configuration's goes now. */
	ds_config_clear(&a.cfg);
	if (a.keyring == NULL) {
		fprintf(stderr, "cookie keys: %s\n", err);
		return 1;
	}
	ds_keyring_derive(a.keyring, DS_FLOW_STATE_KEY_LABEL, a.state_key);
	eargc = eal_argv(&a.cfg, argv[0], storage, eargv);
	if (rte_eal_init(eargc, eargv) < 0) {
		fprintf(stderr, "DPDK EAL failed to start: %s\n", rte_strerror(rte_errno));
		ds_keyring_destroy(a.keyring);
		return 1;
	}
	/* dpdk-dumpcap and dpdk-pdump attach as secondary processes and capture any port: docs/operations.md. */
	if (rte_pdump_init() != 0)
		DS_LOG(WARNING, "dpdk-dumpcap cannot attach: %s", rte_strerror(rte_errno));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	a.reload = (struct ds_reload){ .running = &a.cfg, .state_key = a.state_key };
	hup_target = &a.reload;
	signal(SIGHUP, on_hup);
	a.pool = rte_pktmbuf_pool_create("ds_mbufs", (unsigned)pool_size(&a.cfg), 256, 0, mbuf_size(&a.cfg),
					 (int)rte_socket_id());
	if (a.pool == NULL) {
		fprintf(stderr, "mbuf pool of %zu: %s\n", pool_size(&a.cfg), rte_strerror(rte_errno));
		goto out;
	}
	if (ds_ports_start(&a.cfg, a.pool, &a.ports, err, sizeof(err)) != 0 ||
	    ds_workers_create(&a.workers, &a.cfg, &a.ports, a.keyring, NULL, &quit, err, sizeof(err)) != 0 ||
	    start_network(&a, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		ds_ports_stop(&a.ports);
		goto out;
	}
	a.control = (struct ds_control){ .cfg = &a.cfg, .blocks = a.workers.stats, .n_workers = a.cfg.n_workers,
					 .port_ids = { a.ports.id[0], a.ports.id[1] }, .start_ms = mono_ms(),
					 .last_ms = mono_ms(), .challenge = &a.workers.challenge,
					 .auto_block = a.workers.auto_block, .talkers = &a.workers.talkers,
					 .health = &a.health };
	/* An operator who cannot see or steer the box must know at once, not find out under attack. */
	if (ds_capture_open(&a.capture, &a.cfg, &a.workers, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		ds_ports_stop(&a.ports);
		goto out;
	}
	a.reload.workers = &a.workers;
	a.reload.capture = &a.capture;
	if ((rc = ds_control_register_telemetry(&a.control)) != 0 || (rc = ds_reload_register_telemetry(&a.reload)) != 0 ||
	    (rc = ds_talkers_register_telemetry(&a.workers.talkers)) != 0 ||
	    (rc = ds_capture_register_telemetry(&a.capture)) != 0 ||
	    (rc = ds_exception_register_telemetry(&a.exception)) != 0 ||
	    (rc = ds_health_register_telemetry(&a.health)) != 0 ||
	    (rc = ds_blocklist_telemetry_register(&a.workers.blocklist, a.workers.auto_block, &a.workers.clock)) != 0) {
		fprintf(stderr, "telemetry commands could not be registered: %s\n", strerror(-rc));
		rc = 1;
		ds_ports_stop(&a.ports);
		goto out;
	}
	if (ds_metrics_http_start(&a.control, &a.metrics, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		rc = 1;
		ds_ports_stop(&a.ports);
		goto out;
	}
	printf("dtls-scrubber: %s mode, %u worker%s; outside %s (%s%s), inside %s (%s%s); %u service%s; "
	       "%s cookies of %u bytes, keys every %u s; challenge %s\n",
	       ds_deploy_mode_name(a.cfg.mode), a.cfg.n_workers, a.cfg.n_workers == 1 ? "" : "s",
	       a.cfg.ports[0].name, a.ports.driver[0], a.ports.tx_offloads[0] ? ", checksum offload" : "",
	       a.cfg.ports[1].name, a.ports.driver[1], a.ports.tx_offloads[1] ? ", checksum offload" : "",
	       a.cfg.services.count, a.cfg.services.count == 1 ? "" : "s", ds_cookie_mode_name(a.cfg.cookie.mode),
	       a.cfg.cookie.cookie_len, a.cfg.cookie.period_s, ds_challenge_mode_name(a.cfg.challenge.mode));
	fflush(stdout);
	DS_LOG(NOTICE, "started: %u worker%s, key epoch %" PRIu64, a.cfg.n_workers, a.cfg.n_workers == 1 ? "" : "s",
	       ds_cookie_keyset_epoch(ds_keyring_current(a.keyring)));
	announce_start(&a);
	ds_ports_watch_links(&a.ports);
	load_flows(&a);
	if ((rc = ds_exception_start(&a.exception)) != 0) {
		fprintf(stderr, "exception path thread: %s\n", strerror(-rc));
		rc = 1;
		ds_ports_stop(&a.ports);
		goto out;
	}
	ds_workers_launch(&a.workers);
	control_loop(&a, &o);
	rte_eal_mp_wait_lcore();
	DS_LOG(NOTICE, "stopping: workers returned");
	ds_capture_close(&a.capture);
	ds_event(DS_EVENT_NOTICE, "stop", "\"reason\":\"%s\",\"uptime_s\":%" PRIu64,
		 stopped_by_duration ? "duration" : "signal", (mono_ms() - a.control.start_ms) / 1000);
	save_flows(&a);
	ds_control_print_summary(&a.control, mono_ms());
	if (o.stats_json != NULL && ds_control_write_json(&a.control, o.stats_json, mono_ms()) != 0)
		fprintf(stderr, "cannot write %s\n", o.stats_json);
	rc = 0;
	ds_ports_stop(&a.ports);
out:
	teardown(&a);
	rte_pdump_uninit();
	rte_mempool_free(a.pool);
	rte_eal_cleanup();
	return rc;
}
