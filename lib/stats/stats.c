/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_stats.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

struct action_row {
	const char *name;
	const char *help;
	bool fate;
};

static const struct action_row action_rows[] = {
#define DS_ACTION_ROW(suffix, n, f, h) [DS_ACT_##suffix] = { .name = n, .help = h, .fate = f },
	DS_ACTION_LIST(DS_ACTION_ROW)
#undef DS_ACTION_ROW
};

_Static_assert(sizeof(action_rows) / sizeof(action_rows[0]) == DS_ACT_COUNT, "one row per action");

const char *
ds_action_name(enum ds_action action)
{
	return (unsigned)action < DS_ACT_COUNT ? action_rows[action].name : "invalid";
}

bool
ds_action_is_fate(enum ds_action action)
{
	return (unsigned)action < DS_ACT_COUNT && action_rows[action].fate;
}

static void
add_counters(uint64_t *total, const uint64_t *block, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		total[i] += __atomic_load_n(&block[i], __ATOMIC_RELAXED);
}

void
ds_stats_sum(const struct ds_stats *const *blocks, unsigned n, struct ds_stats *total)
{
	unsigned w;

	memset(total, 0, sizeof(*total));
	for (w = 0; w < n; w++) {
		add_counters(total->action, blocks[w]->action, DS_ACT_COUNT);
		add_counters(total->outcome, blocks[w]->outcome, DS_OUT_COUNT);
		add_counters(total->hvr, blocks[w]->hvr, DS_HVR_RESULT_COUNT);
		add_counters(total->service_hellos, blocks[w]->service_hellos, DS_SERVICE_MAX);
		add_counters(&total->flows_active, &blocks[w]->flows_active, 1);
		add_counters(&total->busy_cycles, &blocks[w]->busy_cycles, 1);
	}
}

uint64_t
ds_stats_fates(const struct ds_stats *s)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < DS_ACT_COUNT; i++)
		if (action_rows[i].fate)
			sum += s->action[i];
	return sum;
}

bool
ds_stats_conserved(const struct ds_stats *s)
{
	return s->action[DS_ACT_RX_OUTSIDE] == ds_stats_fates(s) &&
	       s->action[DS_ACT_RX_INSIDE] ==
		       s->action[DS_ACT_FORWARDED_OUTSIDE] + s->action[DS_ACT_DROPPED_INSIDE] + s->action[DS_ACT_INSIDE_TO_KERNEL];
}

bool
ds_stats_flows_conserved(const struct ds_stats *s)
{
	return s->flows_active + s->action[DS_ACT_FLOW_EXPIRED] ==
	       s->action[DS_ACT_FLOW_INSERTED] + s->action[DS_ACT_FLOW_LEARNED_INSIDE] + s->action[DS_ACT_FLOW_LOADED] +
		       s->action[DS_ACT_FLOW_CID_LEARNED];
}

/* Counter i of ds_stats_foreach()'s order (actions, outcomes, HVR results): its texts, and where a block keeps it. */
static bool
counter_at(unsigned i, const char **name, const char **help, size_t *offset)
{
	if (i < DS_ACT_COUNT) {
		*name = action_rows[i].name;
		*help = action_rows[i].help;
		*offset = offsetof(struct ds_stats, action) + i * sizeof(uint64_t);
	} else if ((i -= DS_ACT_COUNT) < DS_OUT_COUNT) {
		*name = ds_outcome_name((enum ds_outcome)i);
		*help = ds_outcome_help((enum ds_outcome)i);
		*offset = offsetof(struct ds_stats, outcome) + i * sizeof(uint64_t);
	} else if ((i -= DS_OUT_COUNT) < DS_HVR_RESULT_COUNT) {
		*name = ds_hvr_result_name((enum ds_hvr_result)i);
		*help = ds_hvr_result_help((enum ds_hvr_result)i);
		*offset = offsetof(struct ds_stats, hvr) + i * sizeof(uint64_t);
	} else {
		return false;
	}
	return true;
}

const char *
ds_stats_counter_name(unsigned i)
{
	const char *name, *help;
	size_t offset;

	return counter_at(i, &name, &help, &offset) ? name : NULL;
}

const char *
ds_stats_counter_help(unsigned i)
{
	const char *name, *help;
	size_t offset;

	return counter_at(i, &name, &help, &offset) ? help : NULL;
}

uint64_t
ds_stats_counter_value(const struct ds_stats *s, unsigned i)
{
	const char *name, *help;
	size_t offset;

	return counter_at(i, &name, &help, &offset) ? *(const uint64_t *)((const char *)s + offset) : 0;
}

void
ds_stats_foreach(const struct ds_stats *s, void (*fn)(void *arg, const char *name, uint64_t value), void *arg)
{
	unsigned i;

	for (i = 0; i < DS_STATS_COUNTERS; i++)
		fn(arg, ds_stats_counter_name(i), ds_stats_counter_value(s, i));
}

struct json_writer {
	FILE *f;
	const char *indent;
	bool first;
};

static void
write_member(void *arg, const char *name, uint64_t value)
{
	struct json_writer *j = arg;

	fprintf(j->f, "%s\n%s\"%s\": %" PRIu64, j->first ? "" : ",", j->indent, name, value);
	j->first = false;
}

void
ds_stats_json_members(FILE *f, const struct ds_stats *s, const char *indent)
{
	struct json_writer j = { .f = f, .indent = indent, .first = true };

	ds_stats_foreach(s, write_member, &j);
}
