/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blocklist prefixes (lib/blocklist): parsing of every form and every mistake, and matching of IPv4
 * and IPv6 addresses against lists of mixed lengths (/0 to /32 and /128), duplicates, and an empty list;
 * the prefix of an address (what auto_blocklist lists) at every length, and finding one in a list.
 */
#include <arpa/inet.h>
#include <string.h>

#include "ds_blocklist.h"
#include "tap.h"

static bool
match(const struct ds_blocklist *bl, const char *addr)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		return ds_blocklist_match(bl, a, 4);
	if (inet_pton(AF_INET6, addr, a) == 1)
		return ds_blocklist_match(bl, a, 6);
	tap_bail("bad test address %s", addr);
}

static void
check_parse(void)
{
	static const struct {
		const char *text, *formatted, *error;
	} cases[] = {
		{ "198.51.100.0/24", "198.51.100.0/24", NULL },
		{ "203.0.113.7", "203.0.113.7/32", NULL },
		{ "0.0.0.0/0", "0.0.0.0/0", NULL },
		{ "2001:db8:bad::/48", "2001:db8:bad::/48", NULL },
		{ "2001:db8::1", "2001:db8::1/128", NULL },
		{ "198.51.100.1/24", NULL, "bits set past its /24" },
		{ "198.51.100.0/33", NULL, "prefix length must be 0..32" },
		{ "2001:db8::/129", NULL, "prefix length must be 0..128" },
		{ "198.51.100.0/", NULL, "prefix length" },
		{ "198.51.100.0/2x", NULL, "prefix length" },
		{ "example.com/24", NULL, "not an IPv4 or IPv6 address" },
		{ "", NULL, "not an address" },
		{ "/8", NULL, "not an address" },
	};
	unsigned i, good = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ds_prefix p;
		char err[256] = "", text[DS_PREFIX_TEXT_MAX] = "";
		const int rc = ds_prefix_parse(cases[i].text, &p, err, sizeof(err));

		if (rc == 0)
			ds_prefix_format(&p, text, sizeof(text));
		if (cases[i].error == NULL ? rc == 0 && strcmp(text, cases[i].formatted) == 0
					   : rc != 0 && strstr(err, cases[i].error) != NULL)
			good++;
		else
			tap_diag("'%s': rc %d, '%s', '%s'", cases[i].text, rc, text, err);
	}
	tap_check(good == i, "%u of %u prefixes parsed, formatted or refused as expected", good, i);
}

static struct ds_blocklist *
build(const char *const *texts, size_t n)
{
	struct ds_prefix p[16];
	char err[256];
	size_t i;

	for (i = 0; i < n; i++)
		if (ds_prefix_parse(texts[i], &p[i], err, sizeof(err)) != 0)
			tap_bail("%s: %s", texts[i], err);
	return ds_blocklist_build(p, n);
}

static void
check_match(void)
{
	static const char *const list[] = { "198.51.100.0/24", "203.0.113.7", "10.0.0.0/8", "198.51.100.0/24",
					    "2001:db8:bad::/48", "2001:db8::1" };
	static const char *const blocked[] = { "198.51.100.0", "198.51.100.255", "203.0.113.7", "10.200.3.4",
					       "2001:db8:bad::", "2001:db8:bad:ffff:ffff::1", "2001:db8::1" };
	static const char *const passed[] = { "198.51.101.0", "198.51.99.255", "203.0.113.6", "11.0.0.0",
					      "9.255.255.255", "2001:db8:bae::", "2001:db8::2", "::ffff:198.51.100.1" };
	struct ds_blocklist *bl = build(list, 6), *all, *none;
	unsigned i, ok = 0;

	for (i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		ok += match(bl, blocked[i]);
	for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		ok += !match(bl, passed[i]);
	tap_check(ok == 15 && ds_blocklist_count(bl) == 5,
		  "%u of 15 addresses blocked or passed as their prefixes say; the duplicate is kept once", ok);
	all = build((const char *const[]){ "0.0.0.0/0" }, 1);
	none = ds_blocklist_build(NULL, 0);
	tap_check(match(all, "1.2.3.4") && match(all, "255.255.255.255") && !match(all, "::1") &&
			  !match(none, "1.2.3.4") && ds_blocklist_count(none) == 0,
		  "0.0.0.0/0 blocks every IPv4 source and no IPv6 one; an empty list blocks nothing");
	ds_blocklist_free(bl);
	ds_blocklist_free(all);
	ds_blocklist_free(none);
}

/* ds_prefix_of() must agree with the parser at every length: same prefix, host bits cleared. */
static void
check_prefix_of(void)
{
	static const char *const addrs[] = { "203.0.113.77", "2001:db8:abcd:12ff:fedc:ba98:7654:3210" };
	unsigned a, len, bad = 0, tried = 0;

	for (a = 0; a < 2; a++) {
		const unsigned version = a == 0 ? 4 : 6, width = a == 0 ? 32 : 128;
		uint8_t addr[16];

		inet_pton(a == 0 ? AF_INET : AF_INET6, addrs[a], addr);
		for (len = 0; len <= width + 8; len++) {
			struct ds_prefix got, want;
			char text[DS_PREFIX_TEXT_MAX], err[160];

			ds_prefix_of(addr, version, len, &got);
			ds_prefix_format(&got, text, sizeof(text));
			/* The formatted prefix parses (host bits clear) back to itself, and still holds the address. */
			bad += ds_prefix_parse(text, &want, err, sizeof(err)) != 0 || !ds_prefix_equal(&got, &want) ||
			       got.len != (len > width ? width : len);
			{
				struct ds_blocklist *bl = ds_blocklist_build(&got, 1);

				bad += bl == NULL || !ds_blocklist_match(bl, addr, version);
				ds_blocklist_free(bl);
			}
			tried++;
		}
	}
	tap_check(bad == 0, "the prefix of an address at each of %u lengths (past the width: clamped) is a "
		  "valid prefix holding it", tried);
	{
		struct ds_prefix list[3], p;
		char err[160];

		ds_prefix_parse("198.51.100.0/24", &list[0], err, sizeof(err));
		ds_prefix_parse("2001:db8::/32", &list[1], err, sizeof(err));
		ds_prefix_parse("198.51.100.0/25", &list[2], err, sizeof(err));
		ds_prefix_parse("198.51.100.0/24", &p, err, sizeof(err));
		tap_check(ds_prefix_listed(list, 3, &p) && ds_prefix_listed(list, 3, &list[2]) &&
				  !ds_prefix_listed(list, 2, &list[2]) && !ds_prefix_listed(list, 0, &p),
			  "a prefix is found in a list only when the same address and length is there");
	}
}

int
main(void)
{
	check_parse();
	check_match();
	check_prefix_of();
	return tap_done();
}
