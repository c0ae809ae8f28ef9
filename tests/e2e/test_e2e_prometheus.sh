#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Prometheus endpoint against the real Prometheus server, in the inline testbed
# (scripts/lib/testbed.sh): the appliance in the box with metrics.listen on the box's loopback, and
# Debian's prometheus in the same namespace scraping it every second. A flood of spoofed ClientHellos
# replayed at a fixed rate gets its HVRs; once the flood is over and Prometheus has scraped after it,
# the Prometheus HTTP API's sum(dtls_scrubber_hvr_sent_total) must equal hvr_sent of the appliance's
# final --stats-json, and the target must be up. /metrics is also read directly (content type, 404,
# 405, promtool's lint), a second appliance on the same listen address must refuse to start, and the
# Grafana dashboard of docs/ must be valid JSON whose queries name only exported metrics. TAP output.
#
#   test_e2e_prometheus.sh SCRUBBER PCAPGEN
set -u
scrubber=$1 pcapgen=$2
root=${DS_SOURCE_ROOT:?}
FLOOD=12000 SOURCES=3000 RATE=3000 METRICS=127.0.0.1:9469 PROM=127.0.0.1:9090

. "$root/scripts/lib/testbed.sh"
. "$(dirname "$0")/lib.sh"

command -v prometheus >/dev/null && command -v promtool >/dev/null ||
	bail "prometheus and promtool are not installed (scripts/install-deps installs them)"
e2e_testbed inline dsprom
box=$(tb_ns box) cli=$(tb_ns cli)
tb_config "$work/box.yaml" "$work/secret"
# Every spoofed ClientHello answered (no rate limit): the flood's HVR count is then known in advance.
printf 'hvr_rate_limit:\n  per_prefix: 0\nmetrics:\n  listen: "%s"\n' $METRICS >>"$work/box.yaml"
"$pcapgen" --template "$root/tests/captures/ossl_dtls10.pcap" --kind ch1 --count $FLOOD --sources $SOURCES \
	--src 198.18.0.1 --dst "$TB_SRV4:4433" --src-mac "$TB_CLI_MAC" --dst-mac "$TB_FLOOD_DST_MAC" \
	--out "$work/flood.pcap" >/dev/null || bail "dtls-pcapgen failed"

# in_box COMMAND...: in the box's namespace, where the endpoint and Prometheus listen on loopback.
in_box() { ip netns exec "$box" "$@"; }

# poll SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds; fail after SECONDS.
poll() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

# query EXPR: the value of an instant PromQL query's first series ("" when there is none).
query() {
	in_box curl -sf --get --data-urlencode "query=$1" "http://$PROM/api/v1/query" 2>/dev/null |
		/usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}

# metric NAME: the sum of a family's samples in a direct read of /metrics.
metric() {
	in_box curl -sf "http://$METRICS/metrics" 2>/dev/null |
		awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF; found = 1 } END { if (found) print s }'
}

# Prometheus first, scraping a target that is not there yet: the appliance then comes up under it.
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: dtls-scrubber
    static_configs:
      - targets: ["$METRICS"]
EOF
in_box prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address=$PROM --log.level=warn >"$work/prometheus.log" 2>&1 &
prom_pid=$!
poll 60 in_box curl -sf "http://$PROM/-/ready" -o /dev/null || { sed 's/^/# /' "$work/prometheus.log"; bail "prometheus is not ready"; }

start_scrubber "$work/box.yaml" "$work/scrubber.log" "$work/stats.json"
target_up() { [ "$(query 'up{job="dtls-scrubber"}')" = 1 ]; }
poll 30 target_up
check $? "Prometheus sees the target up"

# Direct reads, the way an operator checks the endpoint.
headers=$(in_box curl -s -D - -o "$work/metrics.txt" "http://$METRICS/metrics")
echo "$headers" | grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' && grep -qx 'dtls_scrubber_up 1' "$work/metrics.txt"
check $? "GET /metrics: 200, Content-Type text/plain; version=0.0.4; charset=utf-8, dtls_scrubber_up 1"
status=$(in_box curl -s -o /dev/null -w '%{http_code}' "http://$METRICS/stats")
[ "$status" = 404 ]
check $? "GET /stats: 404 ($status)"
status=$(in_box curl -s -o /dev/null -w '%{http_code}' -X POST --data x "http://$METRICS/metrics")
[ "$status" = 405 ]
check $? "POST /metrics: 405 ($status)"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.txt" 2>&1
status=$?
sed 's/^/# promtool: /' "$work/promtool.txt"
[ $status -eq 0 ] && [ ! -s "$work/promtool.txt" ]
check $? "promtool check metrics (Prometheus's own parser and lint) finds nothing to say about the exposition"

# The flood, at a fixed rate so that Prometheus scrapes it while it comes in.
ip netns exec "$cli" tcpreplay -q --pps=$RATE -i cli0 "$work/flood.pcap" >"$work/tcpreplay.log" 2>&1 ||
	bail "tcpreplay failed: $(cat "$work/tcpreplay.log")"
# Over once the appliance's counters stop moving (the last frames may still sit in the af_packet ring).
last_rx=-1
settled() {
	local rx
	rx=$(metric dtls_scrubber_rx_outside_total)
	[ -n "$rx" ] && [ "$rx" = "$last_rx" ] && return 0
	last_rx=$rx
	sleep 0.3
	return 1
}
poll 30 settled || bail "the appliance's counters never settled"
done_at=$(date +%s.%N)
scraped_after() {
	local t
	t=$(query 'timestamp(dtls_scrubber_up)')
	[ -n "$t" ] && /usr/bin/python3 -c "import sys; sys.exit(0 if $t > $done_at else 1)"
}
poll 30 scraped_after
check $? "Prometheus scraped the endpoint after the flood was over"
prom_hvr=$(query 'sum(dtls_scrubber_hvr_sent_total)')
prom_up=$(query 'up{job="dtls-scrubber"}')
prom_rx_port=$(query 'dtls_scrubber_port_rx_packets_total{port="outside"}')
rising=$(in_box curl -sf --get --data-urlencode 'query=sum(dtls_scrubber_hvr_sent_total)' \
	--data-urlencode "start=$(/usr/bin/python3 -c "print($done_at - 120)")" --data-urlencode "end=$done_at" \
	--data-urlencode step=1 "http://$PROM/api/v1/query_range" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
v = [float(p[1]) for p in r[0]["values"]] if r else []
print(len({x for x in v if 0 < x}))')

# The dashboard shipped in docs/: valid JSON, each metric its queries name is in the exposition, and
# Prometheus evaluates every query (the instance variable set to all) without an error; so are the
# PromQL examples of docs/operations.md.
in_box /usr/bin/python3 - "$root/docs/grafana-dashboard.json" "$work/metrics.txt" "$PROM" "$root/docs/operations.md" <<'EOF'
import json, re, sys, urllib.parse, urllib.request
dashboard = json.load(open(sys.argv[1]))
exported = {line.split()[2] for line in open(sys.argv[2]) if line.startswith("# TYPE ")}
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
n_dashboard = len(exprs)
# The ```promql block: one query a line (PromQL takes the # comments), an indented line continues one.
block = open(sys.argv[4]).read().split("```promql\n")[1].split("```")[0]
for line in block.splitlines():
    if line[:1].isspace():
        exprs[-1] += "\n" + line
    else:
        exprs.append(line)
named = {m for e in exprs for m in re.findall(r"dtls_scrubber_[a-z0-9_]+", e)}
# A name cut short by a regular expression (dtls_scrubber_dropped_.+_total) must start some exported name.
missing = {m for m in named if m not in exported and not (m.endswith("_") and any(e.startswith(m) for e in exported))}
failed = []
for e in exprs:
    url = f"http://{sys.argv[3]}/api/v1/query?" + urllib.parse.urlencode({"query": e.replace("$instance", ".*")})
    try:
        ok = json.load(urllib.request.urlopen(url, timeout=10))["status"] == "success"
    except Exception:
        ok = False
    if not ok:
        failed.append(e)
print(f"# dashboard: {len(dashboard['panels'])} panels, {n_dashboard} queries, docs/operations.md:"
      f" {len(exprs) - n_dashboard}; not exported: {sorted(missing)}; refused: {failed}")
sys.exit(1 if n_dashboard == 0 or len(exprs) == n_dashboard or missing or failed else 0)
EOF
check $? "docs/grafana-dashboard.json is valid JSON, its queries and the PromQL of docs/operations.md name only exported metrics and Prometheus evaluates each"

# A second appliance on the same address: refused at start, with the reason.
sed -e "s/--file-prefix, $TB_PREFIX/--file-prefix, $TB_PREFIX-second/" \
	-e 's/net_af_packet0,iface=out0,framecnt=8192/net_null0/' -e 's/net_af_packet1,iface=in0,framecnt=8192/net_null1/' \
	"$work/box.yaml" >"$work/second.yaml"
in_box timeout 60 "$scrubber" -c "$work/second.yaml" --duration 5 >"$work/second.log" 2>&1
second=$?
[ $second -ne 0 ] && [ $second -ne 124 ] && grep -q "metrics.listen $METRICS: cannot listen there: Address already in use" "$work/second.log" &&
	! grep -q '^dtls-scrubber:' "$work/second.log"
check $? "a second appliance on $METRICS stops at start: $(grep metrics.listen "$work/second.log" | head -1) (status $second)"

kill -INT "$scrubber_pid"
wait "$scrubber_pid"
check $? "the appliance stops cleanly on SIGINT with its endpoint running"
kill -TERM "$prom_pid"
wait "$prom_pid"
sed 's/^/# /' "$work/scrubber.log" | tail -16
[ -s "$work/stats.json" ] || bail "no stats.json"
hvr=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/stats.json'))['totals']['hvr_sent'])")
echo "# Prometheus: sum(dtls_scrubber_hvr_sent_total) $prom_hvr, up $prom_up, outside port rx $prom_rx_port;" \
	"$rising distinct non-zero values while the flood came in; --stats-json hvr_sent $hvr of $FLOOD ClientHellos"

[ -n "$prom_hvr" ] && [ "$prom_hvr" = "$hvr" ] && [ "$hvr" -ge $((FLOOD - FLOOD / 1000)) ]
check $? "Prometheus's sum(dtls_scrubber_hvr_sent_total) ($prom_hvr) equals the final hvr_sent ($hvr) of $FLOOD spoofed ClientHellos"
[ "$prom_up" = 1 ] && [ "${prom_rx_port:-0}" -ge "$hvr" ]
check $? "up{job=\"dtls-scrubber\"} is 1, and the outside port's rx_packets ($prom_rx_port) covers the flood"
[ "${rising:-0}" -ge 2 ]
check $? "Prometheus saw hvr_sent rise during the flood ($rising distinct values at 1 s steps)"

finish
