/* SPDX-License-Identifier: BSD-3-Clause */
#include "control.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

static uint64_t
delta_rate(uint64_t now, uint64_t before, uint64_t ms)
{
	return ms == 0 ? 0 : (now - before) * 1000 / ms;
}

/* Share of the workers' time spent on loops that had frames, in percent. */
static double
busy_percent(uint64_t busy_cycles, uint64_t ms, unsigned n_workers)
{
	const double available = (double)ms * (double)rte_get_tsc_hz() / 1000.0 * n_workers;

	return available > 0 ? 100.0 * (double)busy_cycles / available : 0.0;
}

static unsigned
challenged_services(const struct ds_challenge *ch)
{
	return (unsigned)__builtin_popcountll(__atomic_load_n(&ch->mask, __ATOMIC_RELAXED));
}

/* Under-attack mode only: how many services are being challenged now. */
static const char *
challenge_note(const struct ds_control *c)
{
	static char note[64];

	if (c->challenge->params.mode != DS_CHALLENGE_UNDER_ATTACK)
		return "";
	snprintf(note, sizeof(note), " | challenging %u/%u", challenged_services(c->challenge),
		 c->challenge->n_services);
	return note;
}

void
ds_control_print_line(struct ds_control *c, uint64_t now_ms)
{
	struct ds_stats t;
	const uint64_t ms = now_ms - c->last_ms;
	const uint64_t *a = t.action;

	ds_stats_sum(c->blocks, c->n_workers, &t);
	printf("[%7.1fs] rx %" PRIu64 " (%" PRIu64 "/s) | hvr %" PRIu64 " (%" PRIu64 "/s) | ch2 ok %" PRIu64
	       " bad %" PRIu64 " | fwd %" PRIu64 " | drop unverified %" PRIu64 " malformed %" PRIu64
	       " policy %" PRIu64 " | flows %" PRIu64 " | out %" PRIu64 " | tx_full %" PRIu64 " | busy %.0f%%%s\n",
	       (double)(now_ms - c->start_ms) / 1000.0, a[DS_ACT_RX_OUTSIDE],
	       delta_rate(a[DS_ACT_RX_OUTSIDE], c->last.action[DS_ACT_RX_OUTSIDE], ms), a[DS_ACT_HVR_SENT],
	       delta_rate(a[DS_ACT_HVR_SENT], c->last.action[DS_ACT_HVR_SENT], ms), a[DS_ACT_CH2_VALID],
	       a[DS_ACT_CH2_BAD_COOKIE] + a[DS_ACT_CH2_EXPIRED_KEY],
	       a[DS_ACT_FORWARDED_CH2] + a[DS_ACT_FORWARDED_VERIFIED] + a[DS_ACT_FORWARDED_POLICY] +
		       a[DS_ACT_FORWARDED_UNCHALLENGED],
	       a[DS_ACT_DROPPED_UNVERIFIED], a[DS_ACT_DROPPED_MALFORMED], a[DS_ACT_DROPPED_POLICY], t.flows_active,
	       a[DS_ACT_FORWARDED_OUTSIDE], a[DS_ACT_TX_FULL],
	       busy_percent(t.busy_cycles - c->last.busy_cycles, ms, c->n_workers), challenge_note(c));
	fflush(stdout);
	c->last = t;
	c->last_ms = now_ms;
}

static void
print_nonzero(const char *title, const char *(*name)(unsigned), const uint64_t *values, unsigned n)
{
	unsigned i, shown = 0;

	for (i = 0; i < n; i++) {
		if (values[i] == 0)
			continue;
		if (shown++ == 0)
			printf("%s\n", title);
		printf("  %-30s %14" PRIu64 "\n", name(i), values[i]);
	}
}

static const char *
action_name(unsigned i)
{
	return ds_action_name((enum ds_action)i);
}

static const char *
outcome_name(unsigned i)
{
	return ds_outcome_name((enum ds_outcome)i);
}

static const char *
hvr_name(unsigned i)
{
	return ds_hvr_result_name((enum ds_hvr_result)i);
}

/* What the NICs counted: frames that never reached a worker show up here (imissed). */
static void
print_ports(const struct ds_control *c)
{
	unsigned r;

	for (r = 0; r < DS_PORT_COUNT; r++) {
		struct rte_eth_stats st;

		if (rte_eth_stats_get(c->port_ids[r], &st) != 0)
			continue;
		printf("port %-8s rx %" PRIu64 " (missed %" PRIu64 ", errors %" PRIu64 ", no mbuf %" PRIu64
		       "), tx %" PRIu64 " (errors %" PRIu64 ")\n",
		       ds_port_role_name((enum ds_port_role)r), st.ipackets, st.imissed, st.ierrors, st.rx_nombuf,
		       st.opackets, st.oerrors);
	}
}

/* The reflection controls' own state: challenge per service, automatic blocklist. */
static void
print_controls(const struct ds_control *c)
{
	const struct ds_challenge *ch = c->challenge;
	char name[DS_SERVICE_TEXT_MAX];
	unsigned s;

	if (ch->params.mode == DS_CHALLENGE_UNDER_ATTACK)
		for (s = 0; s < ch->n_services; s++)
			printf("challenge %-24s %s now, %" PRIu64 " new ClientHellos/s, switched on %" PRIu64
			       " times, off %" PRIu64 "\n",
			       ds_service_format(&c->cfg->services.entries[s], name, sizeof(name)),
			       ch->service[s].challenging ? "challenging" : "passing", ch->service[s].rate,
			       ch->service[s].switched_on, ch->service[s].switched_off);
	if (c->auto_block != NULL)
		printf("auto_blocklist: %" PRIu64 " listed, %" PRIu64 " expired, %u listed now, %" PRIu64
		       " refused (max_listed), %" PRIu64 " failed\n",
		       c->auto_block->listed, c->auto_block->expired, c->auto_block->n_entries, c->auto_block->full,
		       c->auto_block->failed);
}

void
ds_control_print_summary(const struct ds_control *c, uint64_t now_ms)
{
	struct ds_stats t;

	ds_stats_sum(c->blocks, c->n_workers, &t);
	printf("\n=== dtls-scrubber: %.1f s, %u worker%s, %s mode ===\n", (double)(now_ms - c->start_ms) / 1000.0,
	       c->n_workers, c->n_workers == 1 ? "" : "s", ds_deploy_mode_name(c->cfg->mode));
	print_nonzero("actions:", action_name, t.action, DS_ACT_COUNT);
	print_nonzero("frames from the outside, by what they were:", outcome_name, t.outcome, DS_OUT_COUNT);
	print_nonzero("HVR writer:", hvr_name, t.hvr, DS_HVR_RESULT_COUNT);
	printf("verified flows now: %" PRIu64 "\n", t.flows_active);
	printf("workers busy: %.1f%% of their time (%" PRIu64 " TSC cycles at %" PRIu64 " Hz)\n",
	       busy_percent(t.busy_cycles, now_ms - c->start_ms, c->n_workers), t.busy_cycles, rte_get_tsc_hz());
	print_ports(c);
	print_controls(c);
	printf("conservation: rx_outside %" PRIu64 " %s %" PRIu64 " = sent + forwarded + dropped\n",
	       t.action[DS_ACT_RX_OUTSIDE], ds_stats_conserved(&t) ? "==" : "!=", ds_stats_fates(&t));
	printf("flows: active %" PRIu64 " + expired %" PRIu64 " %s inserted + learned inside + loaded + CIDs %" PRIu64 "\n",
	       t.flows_active, t.action[DS_ACT_FLOW_EXPIRED], ds_stats_flows_conserved(&t) ? "==" : "!=",
	       t.action[DS_ACT_FLOW_INSERTED] + t.action[DS_ACT_FLOW_LEARNED_INSIDE] + t.action[DS_ACT_FLOW_LOADED] +
		       t.action[DS_ACT_FLOW_CID_LEARNED]);
	fflush(stdout);
}

static void
write_block(FILE *f, const struct ds_stats *s, const char *indent)
{
	fprintf(f, "{");
	ds_stats_json_members(f, s, indent);
	fprintf(f, ",\n%s\"flows_active\": %" PRIu64 ",\n%s\"busy_cycles\": %" PRIu64 "\n%.*s}", indent,
		s->flows_active, indent, s->busy_cycles, (int)strlen(indent) - 2, indent);
}

int
ds_control_write_json(const struct ds_control *c, const char *path, uint64_t now_ms)
{
	struct ds_stats t;
	FILE *f = fopen(path, "w");
	unsigned w;

	if (f == NULL)
		return -errno;
	ds_stats_sum(c->blocks, c->n_workers, &t);
	fprintf(f, "{\n  \"duration_s\": %.3f,\n  \"workers\": %u,\n  \"mode\": \"%s\",\n  \"conserved\": %s,\n"
		"  \"flows_conserved\": %s,\n  \"tsc_hz\": %" PRIu64 ",\n",
		(double)(now_ms - c->start_ms) / 1000.0, c->n_workers, ds_deploy_mode_name(c->cfg->mode),
		ds_stats_conserved(&t) ? "true" : "false", ds_stats_flows_conserved(&t) ? "true" : "false",
		rte_get_tsc_hz());
	fprintf(f, "  \"totals\": ");
	write_block(f, &t, "    ");
	fprintf(f, ",\n  \"per_worker\": [");
	for (w = 0; w < c->n_workers; w++) {
		fprintf(f, "%s\n    ", w ? "," : "");
		write_block(f, c->blocks[w], "      ");
	}
	fprintf(f, "\n  ],\n  \"ports\": {");
	for (w = 0; w < DS_PORT_COUNT; w++) {
		struct rte_eth_stats st;

		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(c->port_ids[w], &st);
		fprintf(f, "%s\n    \"%s\": { \"ipackets\": %" PRIu64 ", \"imissed\": %" PRIu64 ", \"ierrors\": %" PRIu64
			", \"rx_nombuf\": %" PRIu64 ", \"opackets\": %" PRIu64 ", \"oerrors\": %" PRIu64 " }",
			w ? "," : "", ds_port_role_name((enum ds_port_role)w), st.ipackets, st.imissed, st.ierrors,
			st.rx_nombuf, st.opackets, st.oerrors);
	}
	fprintf(f, "\n  },\n  \"challenge\": { \"mode\": \"%s\", \"services\": [",
		ds_challenge_mode_name(c->challenge->params.mode));
	for (w = 0; w < c->challenge->n_services; w++) {
		const struct ds_challenge_service *svc = &c->challenge->service[w];
		char name[DS_SERVICE_TEXT_MAX];

		fprintf(f, "%s\n    { \"service\": \"%s\", \"challenging\": %s, \"rate\": %" PRIu64
			", \"switched_on\": %" PRIu64 ", \"switched_off\": %" PRIu64 ", \"new_hellos\": %" PRIu64 " }",
			w ? "," : "", ds_service_format(&c->cfg->services.entries[w], name, sizeof(name)),
			svc->challenging ? "true" : "false", svc->rate, svc->switched_on, svc->switched_off,
			t.service_hellos[w]);
	}
	fprintf(f, "\n  ] }");
	if (c->auto_block != NULL)
		fprintf(f, ",\n  \"auto_blocklist\": { \"listed\": %" PRIu64 ", \"expired\": %" PRIu64
			", \"listed_now\": %u, \"refused_full\": %" PRIu64 ", \"failed\": %" PRIu64 " }",
			c->auto_block->listed, c->auto_block->expired, c->auto_block->n_entries, c->auto_block->full,
			c->auto_block->failed);
	fprintf(f, "\n}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

/* ---- DPDK telemetry ---- */

static struct ds_control *telemetry_control;

static void
add_counter(void *arg, const char *name, uint64_t value)
{
	rte_tel_data_add_dict_u64(arg, name, value);
}

static int
telemetry_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ds_stats t;

	(void)cmd;
	(void)params;
	ds_stats_sum(telemetry_control->blocks, telemetry_control->n_workers, &t);
	rte_tel_data_start_dict(d);
	ds_stats_foreach(&t, add_counter, d);
	rte_tel_data_add_dict_u64(d, "flows_active", t.flows_active);
	rte_tel_data_add_dict_u64(d, "busy_cycles", t.busy_cycles);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	rte_tel_data_add_dict_int(d, "conserved", ds_stats_conserved(&t));
	return 0;
}

/* The running configuration, as an operator checks it; the secret is never part of it. */
static int
telemetry_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ds_config *cfg = telemetry_control->cfg;
	struct rte_tel_data *services = rte_tel_data_alloc(), *dtls13 = rte_tel_data_alloc();
	char one[DS_SERVICE_TEXT_MAX];
	unsigned i;

	(void)cmd;
	(void)params;
	if (services == NULL || dtls13 == NULL) {
		rte_tel_data_free(services);
		rte_tel_data_free(dtls13);
		return -ENOMEM;
	}
	rte_tel_data_start_array(services, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(dtls13, RTE_TEL_STRING_VAL);
	for (i = 0; i < cfg->services.count; i++) {
		rte_tel_data_add_array_string(services, ds_service_format(&cfg->services.entries[i], one,
									  sizeof(one)));
		rte_tel_data_add_array_string(dtls13, ds_dtls13_policy_name(cfg->dtls13[i]));
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "config_file", cfg->path);
	rte_tel_data_add_dict_string(d, "mode", ds_deploy_mode_name(cfg->mode));
	rte_tel_data_add_dict_int(d, "workers", (int)cfg->n_workers);
	rte_tel_data_add_dict_string(d, "outside_device", cfg->ports[DS_PORT_OUTSIDE].device);
	rte_tel_data_add_dict_string(d, "inside_device", cfg->ports[DS_PORT_INSIDE].device);
	rte_tel_data_add_dict_container(d, "services", services, 0);
	rte_tel_data_add_dict_container(d, "dtls13", dtls13, 0);
	rte_tel_data_add_dict_string(d, "cookie_format", ds_cookie_mode_name(cfg->cookie.mode));
	rte_tel_data_add_dict_int(d, "cookie_length", (int)cfg->cookie.cookie_len);
	rte_tel_data_add_dict_int(d, "key_period_s", (int)cfg->cookie.period_s);
	rte_tel_data_add_dict_int(d, "clock_skew_ms", (int)cfg->cookie.skew_ms);
	rte_tel_data_add_dict_u64(d, "flow_capacity_per_worker", cfg->flow_capacity);
	rte_tel_data_add_dict_int(d, "flow_idle_timeout_s", (int)cfg->flow_idle_timeout_s);
	rte_tel_data_add_dict_u64(d, "hvr_limit_per_prefix", cfg->hvr_limit.per_prefix);
	rte_tel_data_add_dict_u64(d, "hvr_limit_burst", cfg->hvr_limit.burst);
	rte_tel_data_add_dict_int(d, "hvr_limit_ipv4_prefix", cfg->hvr_limit.ipv4_prefix);
	rte_tel_data_add_dict_int(d, "hvr_limit_ipv6_prefix", cfg->hvr_limit.ipv6_prefix);
	rte_tel_data_add_dict_u64(d, "hvr_limit_entries", cfg->hvr_limit.entries);
	rte_tel_data_add_dict_string(d, "challenge_mode", ds_challenge_mode_name(cfg->challenge.mode));
	rte_tel_data_add_dict_u64(d, "auto_blocklist_bad_cookies", cfg->auto_blocklist.bad_cookies);
	rte_tel_data_add_dict_string(d, "policy_non_ip", ds_policy_name(cfg->non_ip));
	rte_tel_data_add_dict_string(d, "policy_non_service", ds_policy_name(cfg->non_service));
	rte_tel_data_add_dict_string(d, "policy_ip_fragments", ds_policy_name(cfg->ip_fragments));
	rte_tel_data_add_dict_string(d, "policy_ip_options", ds_policy_name(cfg->ip_options));
	rte_tel_data_add_dict_u64(d, "cookie_epoch",
				  __atomic_load_n(&telemetry_control->cookie_epoch, __ATOMIC_RELAXED));
	return 0;
}

/* An array container of one value per service (telemetry containers hold plain arrays only). */
static struct rte_tel_data *
per_service(const struct ds_challenge *ch, const uint64_t *field, size_t stride)
{
	struct rte_tel_data *arr = rte_tel_data_alloc();
	unsigned s;

	if (arr == NULL)
		return NULL;
	rte_tel_data_start_array(arr, RTE_TEL_U64_VAL);
	for (s = 0; s < ch->n_services; s++)
		rte_tel_data_add_array_u64(arr, __atomic_load_n((const uint64_t *)((const char *)field + s * stride),
								__ATOMIC_RELAXED));
	return arr;
}

/*
 * Which services are challenged now, each one's rate of new ClientHellos and how often it switched:
 * arrays in the order of "services" (a telemetry dict holds no dicts).
 */
static int
telemetry_challenge(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ds_challenge *ch = telemetry_control->challenge;
	const struct ds_config *cfg = telemetry_control->cfg;
	const size_t stride = sizeof(ch->service[0]);
	struct rte_tel_data *names = rte_tel_data_alloc(), *challenging = rte_tel_data_alloc();
	struct rte_tel_data *rate = per_service(ch, &ch->service[0].rate, stride);
	struct rte_tel_data *on = per_service(ch, &ch->service[0].switched_on, stride);
	struct rte_tel_data *off = per_service(ch, &ch->service[0].switched_off, stride);
	const uint64_t mask = __atomic_load_n(&ch->mask, __ATOMIC_RELAXED);
	char name[DS_SERVICE_TEXT_MAX];
	unsigned s;

	(void)cmd;
	(void)params;
	if (names == NULL || challenging == NULL || rate == NULL || on == NULL || off == NULL) {
		rte_tel_data_free(names);
		rte_tel_data_free(challenging);
		rte_tel_data_free(rate);
		rte_tel_data_free(on);
		rte_tel_data_free(off);
		return -ENOMEM;
	}
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(challenging, RTE_TEL_INT_VAL);
	for (s = 0; s < ch->n_services; s++) {
		rte_tel_data_add_array_string(names, ds_service_format(&cfg->services.entries[s], name, sizeof(name)));
		rte_tel_data_add_array_int(challenging, (int)((mask >> s) & 1));
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "mode", ds_challenge_mode_name(ch->params.mode));
	rte_tel_data_add_dict_u64(d, "on_rate", ch->params.on_rate);
	rte_tel_data_add_dict_u64(d, "off_rate", ch->params.off_rate);
	rte_tel_data_add_dict_u64(d, "off_after_ms", ch->params.off_after_ms);
	rte_tel_data_add_dict_u64(d, "challenged_services", challenged_services(ch));
	rte_tel_data_add_dict_container(d, "services", names, 0);
	rte_tel_data_add_dict_container(d, "challenging", challenging, 0);
	rte_tel_data_add_dict_container(d, "rate", rate, 0);
	rte_tel_data_add_dict_container(d, "switched_on", on, 0);
	rte_tel_data_add_dict_container(d, "switched_off", off, 0);
	return 0;
}

int
ds_control_register_telemetry(struct ds_control *c)
{
	int rc;

	telemetry_control = c;
	rc = rte_telemetry_register_cmd("/dtls_scrubber/stats", telemetry_stats,
					"All counters, summed over the workers. No parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dtls_scrubber/config", telemetry_config,
						"The running configuration (never the secret). No parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dtls_scrubber/challenge", telemetry_challenge,
						"Challenge mode and, per service, whether it is challenged now. No parameters.");
	return rc;
}
