/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_outcome.h"

#include <stddef.h>

struct outcome_row {
	const char *name;
	const char *help;
	bool malformed;
};

static const struct outcome_row outcome_rows[] = {
#define DS_OUTCOME_ROW(suffix, n, m, h) [DS_OUT_##suffix] = { .name = n, .help = h, .malformed = m },
	DS_OUTCOME_LIST(DS_OUTCOME_ROW)
#undef DS_OUTCOME_ROW
};

_Static_assert(sizeof(outcome_rows) / sizeof(outcome_rows[0]) == DS_OUT_COUNT,
	       "one row per outcome");

static const struct outcome_row *
find_row(enum ds_outcome outcome)
{
	if ((unsigned)outcome >= DS_OUT_COUNT)
		return NULL;
	return &outcome_rows[outcome];
}

const char *
ds_outcome_name(enum ds_outcome outcome)
{
	const struct outcome_row *row = find_row(outcome);

	return row != NULL ? row->name : "invalid";
}

const char *
ds_outcome_help(enum ds_outcome outcome)
{
	const struct outcome_row *row = find_row(outcome);

	return row != NULL ? row->help : "invalid";
}

bool
ds_outcome_is_malformed(enum ds_outcome outcome)
{
	const struct outcome_row *row = find_row(outcome);

	return row == NULL || row->malformed;
}
