/* SPDX-License-Identifier: BSD-3-Clause */
#include "ds_blocklist.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The prefixes of one family and length, sorted by address. */
struct run {
	uint8_t ip_version, len;
	size_t first, count;
};

struct ds_blocklist {
	struct ds_prefix *prefixes; /* sorted by family, length (longest first), address */
	size_t n;
	struct run runs[2 * 129];
	size_t n_runs;
};

static void
mask(uint8_t *addr, unsigned bytes, unsigned len)
{
	unsigned i;

	for (i = 0; i < bytes; i++) {
		const unsigned keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;

		addr[i] &= (uint8_t)(0xFF00 >> keep);
	}
}

void
ds_prefix_of(const uint8_t *addr, unsigned ip_version, unsigned len, struct ds_prefix *p)
{
	const unsigned bytes = ip_version == 4 ? 4 : 16;

	memset(p, 0, sizeof(*p));
	p->ip_version = (uint8_t)(ip_version == 4 ? 4 : 6);
	p->len = (uint8_t)(len > 8 * bytes ? 8 * bytes : len);
	memcpy(p->addr, addr, bytes);
	mask(p->addr, bytes, p->len);
}

int
ds_prefix_parse(const char *text, struct ds_prefix *p, char *err, size_t err_len)
{
	char addr[DS_PREFIX_TEXT_MAX];
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	uint8_t masked[16];
	unsigned max;
	char *end;

	memset(p, 0, sizeof(*p));
	if (alen == 0 || alen >= sizeof(addr)) {
		snprintf(err, err_len, "'%.64s' is not an address or prefix", text);
		return -1;
	}
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p->addr) == 1) {
		p->ip_version = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, p->addr) == 1) {
		p->ip_version = 6;
		max = 128;
	} else {
		snprintf(err, err_len, "'%.64s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	p->len = (uint8_t)max;
	if (slash != NULL) {
		unsigned long len = strtoul(slash + 1, &end, 10);

		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || len > max) {
			snprintf(err, err_len, "'%.64s': the prefix length must be 0..%u", text, max);
			return -1;
		}
		p->len = (uint8_t)len;
	}
	memcpy(masked, p->addr, 16);
	mask(masked, p->ip_version == 4 ? 4 : 16, p->len);
	if (memcmp(masked, p->addr, 16) != 0) {
		snprintf(err, err_len, "'%.64s' has bits set past its /%u (a typo?)", text, p->len);
		return -1;
	}
	return 0;
}

void
ds_prefix_format(const struct ds_prefix *p, char *out, size_t out_len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(p->ip_version == 4 ? AF_INET : AF_INET6, p->addr, addr, sizeof(addr));
	snprintf(out, out_len, "%s/%u", addr, p->len);
}

bool
ds_prefix_equal(const struct ds_prefix *a, const struct ds_prefix *b)
{
	return a->ip_version == b->ip_version && a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
}

bool
ds_prefix_listed(const struct ds_prefix *list, size_t n, const struct ds_prefix *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ds_prefix_equal(&list[i], p))
			return true;
	return false;
}

static int
compare(const void *x, const void *y)
{
	const struct ds_prefix *a = x, *b = y;

	if (a->ip_version != b->ip_version)
		return a->ip_version < b->ip_version ? -1 : 1;
	if (a->len != b->len)
		return a->len > b->len ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

struct ds_blocklist *
ds_blocklist_build(const struct ds_prefix *list, size_t n)
{
	struct ds_blocklist *bl;
	size_t i, kept = 0;

	if (n > DS_BLOCKLIST_MAX || (bl = calloc(1, sizeof(*bl))) == NULL)
		return NULL;
	bl->prefixes = malloc((n ? n : 1) * sizeof(*bl->prefixes));
	if (bl->prefixes == NULL) {
		free(bl);
		return NULL;
	}
	if (n != 0)
		memcpy(bl->prefixes, list, n * sizeof(*list));
	qsort(bl->prefixes, n, sizeof(*list), compare);
	for (i = 0; i < n; i++) {
		if (kept > 0 && ds_prefix_equal(&bl->prefixes[kept - 1], &bl->prefixes[i]))
			continue;
		bl->prefixes[kept] = bl->prefixes[i];
		if (bl->n_runs == 0 || bl->runs[bl->n_runs - 1].ip_version != bl->prefixes[kept].ip_version ||
		    bl->runs[bl->n_runs - 1].len != bl->prefixes[kept].len)
			bl->runs[bl->n_runs++] = (struct run){ .ip_version = bl->prefixes[kept].ip_version,
							       .len = bl->prefixes[kept].len, .first = kept };
		bl->runs[bl->n_runs - 1].count++;
		kept++;
	}
	bl->n = kept;
	return bl;
}

void
ds_blocklist_free(struct ds_blocklist *bl)
{
	if (bl == NULL)
		return;
	free(bl->prefixes);
	free(bl);
}

bool
ds_blocklist_match(const struct ds_blocklist *bl, const uint8_t *addr, unsigned ip_version)
{
	const unsigned bytes = ip_version == 4 ? 4 : 16;
	size_t r;

	for (r = 0; r < bl->n_runs; r++) {
		const struct run *run = &bl->runs[r];
		uint8_t key[16] = { 0 };
		size_t lo = run->first, hi = run->first + run->count;

		if (run->ip_version != ip_version)
			continue;
		memcpy(key, addr, bytes);
		mask(key, bytes, run->len);
		while (lo < hi) {
			const size_t mid = lo + (hi - lo) / 2;
			const int c = memcmp(bl->prefixes[mid].addr, key, 16);

			if (c == 0)
				return true;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return false;
}

size_t
ds_blocklist_count(const struct ds_blocklist *bl)
{
	return bl->n;
}

const struct ds_prefix *
ds_blocklist_entry(const struct ds_blocklist *bl, size_t i)
{
	return i < bl->n ? &bl->prefixes[i] : NULL;
}
