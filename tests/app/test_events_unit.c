/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The events module (app/scrubber/events.c) on its own, and the one event the namespace test cannot
 * cause (af_packet ports never go down): link_down and link_up again on DPDK ring ports that the test
 * sets down and up. Also: strings are escaped into valid JSON, a burst of 100 events keeps to the rate
 * (20, bursts of 20) and events_suppressed says the rest once the rate allows. The full set of events
 * from the real binary is tests/e2e/test_events.sh. TAP output.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>

#include "data_path.h"
#include "events.h"
#include "tap.h"

static char *
read_all(FILE *f)
{
	static char text[1 << 16];
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	return text;
}

static unsigned
count_of(const char *text, const char *needle)
{
	unsigned n = 0;

	for (; (text = strstr(text, needle)) != NULL; text++)
		n++;
	return n;
}

static void
check_links(struct data_path *dp, FILE *out)
{
	const uint16_t port = dp->ports.id[DS_PORT_OUTSIDE];

	ds_ports_watch_links(&dp->ports);
	rte_eth_dev_set_link_down(port);
	ds_ports_watch_links(&dp->ports);
	tap_check(strstr(read_all(out), "\"event\":\"link_down\",\"port\":\"outside\"") != NULL,
		  "link_down said when the outside port goes down");
	rte_eth_dev_set_link_up(port);
	ds_ports_watch_links(&dp->ports);
	tap_check(count_of(read_all(out), "\"event\":\"link_up\",\"port\":\"outside\"") == 2,
		  "link_up said at start and again when it comes back");
}

static void
check_quoting(FILE *out)
{
	char q[128];

	ds_event(DS_EVENT_NOTICE, "quoted", "\"file\":%s", ds_event_quote("a\"b\\c\nd\x01", q, sizeof(q)));
	tap_check(strstr(read_all(out), "\"file\":\"a\\\"b\\\\c\\u000ad\\u0001\"}") != NULL,
		  "quotes, backslashes and control characters escaped");
}

static void
check_rate(FILE *out)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	uint64_t emitted_before, suppressed_before, emitted, suppressed;
	unsigned i;

	ds_events_counts(&emitted_before, &suppressed_before);
	for (i = 0; i < 100; i++)
		ds_event(DS_EVENT_INFO, "burst", "\"i\":%u", i);
	ds_events_counts(&emitted, &suppressed);
	tap_check(emitted - emitted_before <= 22 && suppressed - suppressed_before >= 78,
		  "100 events at once: %lu said, %lu held back (rate 20, bursts of 20)",
		  (unsigned long)(emitted - emitted_before), (unsigned long)(suppressed - suppressed_before));
	/* The held-back count is said by the main loop's tick as soon as a token is back (50 ms). */
	for (i = 0; i < 2000 && strstr(read_all(out), "events_suppressed") == NULL; i++) {
		nanosleep(&ms, NULL);
		ds_events_tick();
	}
	tap_check(strstr(read_all(out), "\"event\":\"events_suppressed\",\"count\":") != NULL,
		  "events_suppressed says how many were held back");
}

int
main(int argc, char **argv)
{
	struct data_path dp;
	FILE *out = tmpfile();

	(void)argc;
	if (out == NULL)
		tap_bail("tmpfile");
	data_path_eal(argv[0], 256);
	ds_events_init(20, out);
	data_path_open_or_bail(&dp, "inline", "services:\n  - \"10.0.0.2:4433\"\ncookie:\n  secret_file: cookie.secret\n",
			       1024, 4096);
	check_links(&dp, out);
	check_quoting(out);
	check_rate(out);
	data_path_close(&dp);
	fclose(out);
	return tap_done();
}
