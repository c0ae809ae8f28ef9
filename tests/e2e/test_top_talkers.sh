#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Top talkers (docs/operations.md), in the inline testbed (scripts/lib/testbed.sh): three looped floods
# at once, each from its own /24 — ClientHellos that get HVRs (198.18.5.0/24, 1500/s), second
# ClientHellos with cookies of a foreign secret (198.18.7.0/24, 700/s: bad cookies, answered too), and
# ClientHellos from a blocklisted prefix (198.18.9.0/24, 400/s: dropped). Telemetry's
# /dtls_scrubber/top_talkers must name each flood first in its kind, and the Prometheus exposition must
# carry the same as rank-1 gauges that promtool accepts. TAP output.
#
#   test_top_talkers.sh SCRUBBER PCAPGEN
set -u
scrubber=$1 pcapgen=$2
root=${DS_SOURCE_ROOT:?}
METRICS=127.0.0.1:9471

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

e2e_testbed inline dstalk
tb_config "$work/box.yaml" "$work/secret"
printf 'hvr_rate_limit:\n  per_prefix: 0\nblocklist:\n  - 198.18.9.0/24\nmetrics:\n  listen: "%s"\n' $METRICS >>"$work/box.yaml"
(umask 077; openssl rand -hex 32 >"$work/foreign.secret")

gen() { # gen KIND SRC OUT [OPTION...]
	local kind=$1 src=$2 out=$3
	shift 3
	"$pcapgen" --template "$root/tests/captures/ossl_dtls10.pcap" --kind "$kind" --count 2000 --sources 200 \
		--src "$src" --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" --out "$out" \
		"$@" >/dev/null || bail "dtls-pcapgen $kind failed"
}
gen ch1 198.18.5.1 "$work/answered.pcap"
gen ch2 198.18.7.1 "$work/bad.pcap" --secret "$work/foreign.secret"
gen ch1 198.18.9.1 "$work/blocked.pcap"

start_scrubber "$work/box.yaml" "$work/scrubber.log" "$work/stats.json"
for f in answered:1500 bad:700 blocked:400; do
	ip netns exec "$(tb_ns cli)" tcpreplay -q --loop=0 --pps="${f#*:}" -i cli0 "$work/${f%%:*}.pcap" \
		>"$work/${f%%:*}.tcpreplay.log" 2>&1 &
done

top() { telemetry /dtls_scrubber/top_talkers "(r['$1'] + [''])[0]"; }
estimate() { telemetry /dtls_scrubber/top_talkers "(r['$1_count'] + [0])[0]"; }
leaders() { [ "$(top answered)" = 198.18.5.0/24 ] && [ "$(top bad_cookie)" = 198.18.7.0/24 ] && [ "$(top dropped)" = 198.18.9.0/24 ]; }
for i in $(seq 120); do
	leaders && break
	sleep 0.25
done
answer=$(echo /dtls_scrubber/top_talkers | dpdk-telemetry.py -f "$TB_PREFIX" 2>/dev/null | grep '^{' | tail -1)
echo "# $answer"
leaders
check $? "telemetry names each flood first in its kind: answered $(top answered), bad_cookie $(top bad_cookie), dropped $(top dropped)"
a=$(estimate answered) b=$(estimate bad_cookie) d=$(estimate dropped)
[ "$a" -gt 0 ] && [ $((a % 8)) -eq 0 ] && [ "$b" -gt 0 ] && [ "$d" -gt 0 ]
check $? "their estimates are counts of a 1-in-8 sample ($a, $b, $d events in the window)"
echo "$answer" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["/dtls_scrubber/top_talkers"]
ok = r["window_s"] == 10 and r["sample_every"] == 8 and all(len(r[k]) == len(r[k + "_count"]) <= 10 for k in ("answered", "bad_cookie", "dropped"))
ok = ok and all(r[k + "_count"] == sorted(r[k + "_count"], reverse=True) for k in ("answered", "bad_cookie", "dropped"))
sys.exit(0 if ok else 1)'
check $? "at most 10 prefixes per kind, heaviest first, with the window and the sampling rate"

ip netns exec "$(tb_ns box)" curl -sf "http://$METRICS/metrics" >"$work/metrics.txt"
grep -q '^dtls_scrubber_top_talker_events{kind="dropped",prefix="198.18.9.0/24",rank="1"} [1-9]' "$work/metrics.txt" &&
	grep -q '^dtls_scrubber_top_talker_events{kind="answered",prefix="198.18.5.0/24",rank="1"} [1-9]' "$work/metrics.txt" &&
	grep -qx 'dtls_scrubber_top_talkers_window_seconds 10' "$work/metrics.txt"
check $? "Prometheus exposition: the same prefixes as rank-1 dtls_scrubber_top_talker_events gauges"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.txt" 2>&1
status=$?
sed 's/^/# promtool: /' "$work/promtool.txt"
[ $status -eq 0 ] && [ ! -s "$work/promtool.txt" ]
check $? "promtool accepts the exposition with its top talkers"
kill $(jobs -p | grep -v "^$scrubber_pid\$") 2>/dev/null
kill -INT "$scrubber_pid"
wait "$scrubber_pid"
check $? "the appliance stops cleanly"
finish
