/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outcome and HVR result names are counter names: unique, "<stage>_<reason>", described, and listed
 * in docs/packet-core.md so that the operator's reference never falls behind the code.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_hvr.h"
#include "ds_outcome.h"
#include "tap.h"

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long size;

	if (f == NULL)
		tap_bail("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size)
		tap_bail("cannot read %s", path);
	fclose(f);
	return text;
}

static bool
counter_name_ok(const char *name)
{
	const char *p;

	if (strchr(name, '_') == NULL || name[0] == '_')
		return false;
	for (p = name; *p != '\0'; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

/* `name` must appear in the doc as a code span: `name`. */
static bool
documented(const char *doc, const char *name)
{
	char span[96];

	snprintf(span, sizeof(span), "`%s`", name);
	return strstr(doc, span) != NULL;
}

int
main(void)
{
	const char *root = getenv("DS_SOURCE_ROOT");
	char path[4096];
	char *doc;
	unsigned i, j;
	bool unique = true, named = true, helped = true, in_doc = true;

	if (root == NULL)
		tap_bail("DS_SOURCE_ROOT is not set (meson test sets it)");
	snprintf(path, sizeof(path), "%s/docs/packet-core.md", root);
	doc = read_file(path);
	for (i = 0; i < DS_OUT_COUNT; i++) {
		const char *name = ds_outcome_name((enum ds_outcome)i);

		for (j = i + 1; j < DS_OUT_COUNT; j++)
			unique &= strcmp(name, ds_outcome_name((enum ds_outcome)j)) != 0;
		if (!counter_name_ok(name) || !documented(doc, name)) {
			named &= counter_name_ok(name);
			in_doc &= documented(doc, name);
			tap_diag("outcome %u: \"%s\"", i, name);
		}
		helped &= strlen(ds_outcome_help((enum ds_outcome)i)) > 10;
	}
	for (i = 0; i < DS_HVR_RESULT_COUNT; i++) {
		const char *name = ds_hvr_result_name((enum ds_hvr_result)i);

		named &= counter_name_ok(name) && strncmp(name, "hvr_", 4) == 0;
		in_doc &= documented(doc, name);
		if (!documented(doc, name))
			tap_diag("HVR result \"%s\" missing from the doc", name);
	}
	tap_check(unique, "outcome names are unique");
	tap_check(named, "outcome and HVR result names are <stage>_<reason> in lower case");
	tap_check(helped, "every outcome has a description");
	tap_check(in_doc, "docs/packet-core.md lists every outcome and HVR result");
	tap_check(strcmp(ds_outcome_name(DS_OUT_COUNT), "invalid") == 0 &&
			  strcmp(ds_outcome_name((enum ds_outcome)-1), "invalid") == 0 &&
			  strcmp(ds_hvr_result_name(DS_HVR_RESULT_COUNT), "invalid") == 0 &&
			  ds_outcome_is_malformed(DS_OUT_COUNT),
		  "out-of-range values are named \"invalid\" and count as malformed");
	tap_check(!ds_outcome_is_malformed(DS_OUT_DTLS_CLIENT_HELLO) &&
			  !ds_outcome_is_malformed(DS_OUT_ETH_NOT_IP) &&
			  ds_outcome_is_malformed(DS_OUT_DTLS_RECORD_TRUNCATED) &&
			  ds_outcome_is_malformed(DS_OUT_MBUF_MULTI_SEGMENT),
		  "well-formed and malformed outcomes are told apart");
	free(doc);
	return tap_done();
}
